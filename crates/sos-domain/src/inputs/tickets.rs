use crate::error::ValidationErrors;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Tickets by first-answer time, as Frappe Helpdesk reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TicketBreakdown {
    /// Answered in under 4 hours.
    pub under_4h: u32,
    /// Answered in 4 to 8 hours.
    #[serde(rename = "4h_8h")]
    pub from_4h_to_8h: u32,
    /// Answered in 8 to 16 hours.
    #[serde(rename = "8h_16h")]
    pub from_8h_to_16h: u32,
    /// Answered after 16 hours or more.
    pub over_16h: u32,
}

impl TicketBreakdown {
    /// Tickets in all four buckets.
    pub fn total(&self) -> u64 {
        u64::from(self.under_4h)
            + u64::from(self.from_4h_to_8h)
            + u64::from(self.from_8h_to_16h)
            + u64::from(self.over_16h)
    }

    /// `(bucket name, hour value the bucket stands for, count)`, best bucket first.
    pub fn buckets(&self) -> [(&'static str, Decimal, u32); 4] {
        [
            ("under_4h", Decimal::ZERO, self.under_4h),
            ("4h_8h", Decimal::from(4), self.from_4h_to_8h),
            ("8h_16h", Decimal::from(8), self.from_8h_to_16h),
            ("over_16h", Decimal::from(16), self.over_16h),
        ]
    }
}

/// Ticket first-answer statistics for one seller and period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketStats {
    total_tickets: Option<u32>,
    avg_response_time_hours: Option<Decimal>,
    breakdown: Option<TicketBreakdown>,
}

impl TicketStats {
    /// Validates the seed's ticket aggregate.
    ///
    /// # Errors
    /// When the average response time is negative.
    pub fn new(
        total_tickets: Option<u32>,
        avg_response_time_hours: Option<Decimal>,
        breakdown: Option<TicketBreakdown>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        super::check_non_negative(
            &mut errors,
            "avg_response_time_hours",
            avg_response_time_hours,
        );
        errors.into_result(Self {
            total_tickets,
            avg_response_time_hours,
            breakdown,
        })
    }

    /// Tickets in the period, when sent.
    pub fn total_tickets(&self) -> Option<u32> {
        self.total_tickets
    }

    /// Average first-answer time in hours, when sent.
    pub fn avg_response_time_hours(&self) -> Option<Decimal> {
        self.avg_response_time_hours
    }

    /// Tickets by first-answer bucket, when sent.
    pub fn breakdown(&self) -> Option<&TicketBreakdown> {
        self.breakdown.as_ref()
    }
}
