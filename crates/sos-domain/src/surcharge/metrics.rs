use super::condition::Metric;
use crate::codes::TierName;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The figures of one seller's result a condition may test. `None` is N/A: any comparison
/// against it is false.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricValues {
    /// Total SOS.
    pub sos_score: Option<Decimal>,
    /// P-score after grace.
    pub p_score: Option<Decimal>,
    /// O-score after grace.
    pub o_score: Option<Decimal>,
    /// T-score after grace.
    pub t_score: Option<Decimal>,
    /// F-score after grace.
    pub f_score: Option<Decimal>,
    /// I-score after grace.
    pub i_score: Option<Decimal>,
    /// Tier this period.
    pub tier: Option<TierName>,
    /// Tier last period.
    pub previous_tier: Option<TierName>,
    /// Late orders in percent.
    pub late_pct: Option<Decimal>,
    /// Aging share the I-score used.
    pub aging_pct_used: Option<Decimal>,
    /// Share of stock older than 180 days.
    pub aging_over_180d_pct: Option<Decimal>,
    /// Worst invoice lateness in days.
    pub worst_days_late: Option<Decimal>,
    /// Outstanding invoice amount.
    pub total_outstanding_amount: Option<Decimal>,
    /// Months since onboarding, the onboarding month being 1.
    pub month_index: Option<Decimal>,
}

/// A metric's value: a number or a tier name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricValue<'a> {
    /// A figure.
    Number(Decimal),
    /// A tier name.
    Text(&'a str),
}

impl MetricValues {
    /// The value of `metric`, or `None` when N/A.
    pub fn get(&self, metric: Metric) -> Option<MetricValue<'_>> {
        let number = |v: Option<Decimal>| v.map(MetricValue::Number);
        match metric {
            Metric::SosScore => number(self.sos_score),
            Metric::PScore => number(self.p_score),
            Metric::OScore => number(self.o_score),
            Metric::TScore => number(self.t_score),
            Metric::FScore => number(self.f_score),
            Metric::IScore => number(self.i_score),
            Metric::Tier => self.tier.as_ref().map(|t| MetricValue::Text(t.as_str())),
            Metric::PreviousTier => self
                .previous_tier
                .as_ref()
                .map(|t| MetricValue::Text(t.as_str())),
            Metric::LatePct => number(self.late_pct),
            Metric::AgingPctUsed => number(self.aging_pct_used),
            Metric::AgingOver180dPct => number(self.aging_over_180d_pct),
            Metric::WorstDaysLate => number(self.worst_days_late),
            Metric::TotalOutstandingAmount => number(self.total_outstanding_amount),
            Metric::MonthIndex => number(self.month_index),
        }
    }
}
