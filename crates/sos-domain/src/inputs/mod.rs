//! What the order, warehouse, helpdesk and accounting systems tell SOS, as validated values.
//!
//! Each type is built through a constructor that checks every rule and reports every problem at
//! once, so a value that exists is a value the scoring rules can trust.

mod campaigns;
mod inventory;
mod orders;
mod payments;
mod revenue;
mod tickets;

pub use campaigns::{Campaign, CampaignInput, CampaignType, ForecastVersion};
pub use inventory::{AgingPercentages, InventorySnapshot, InventorySnapshotDraft};
pub use orders::{OrderStats, RawOrder, RawOrderStatus};
pub use payments::{PaymentStats, PaymentStatsDraft, RawInvoice};
pub use revenue::RevenueRecord;
pub use tickets::{TicketBreakdown, TicketStats};

use crate::{codes::TierName, period::Period};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::ValidationErrors;

/// Everything known about one seller for one period: the input of
/// [`score_seller`](crate::score_seller).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SellerInputs {
    /// The period being scored.
    pub period: Period,
    /// When the seller joined; drives the new-seller grace.
    pub onboarded_at: Option<NaiveDate>,
    /// The tier the seller had in the previous period, from stored results.
    pub previous_tier: Option<TierName>,
    /// Order push statistics for the period.
    pub orders: Option<OrderStats>,
    /// Ticket first-answer statistics for the period.
    pub tickets: Option<TicketStats>,
    /// Invoice payment statistics for the period.
    pub payments: Option<PaymentStats>,
    /// The inventory snapshot of the period.
    pub inventory: Option<InventorySnapshot>,
    /// The campaigns of the period the seller has a forecast or an actual for.
    #[serde(default)]
    pub campaigns: Vec<CampaignInput>,
    /// The active exceptions of the seller's period, at most one per component.
    #[serde(default)]
    pub exceptions: Vec<crate::exception::ScoreException>,
}

impl SellerInputs {
    /// A period with no data at all.
    pub fn empty(period: Period) -> Self {
        Self {
            period,
            onboarded_at: None,
            previous_tier: None,
            orders: None,
            tickets: None,
            payments: None,
            inventory: None,
            campaigns: Vec::new(),
            exceptions: Vec::new(),
        }
    }

    /// True when any sync kind has data for the seller in the period.
    pub fn has_any_data(&self) -> bool {
        self.orders.is_some()
            || self.tickets.is_some()
            || self.payments.is_some()
            || self.inventory.is_some()
            || !self.campaigns.is_empty()
    }
}

/// Largest money amount a sync figure takes (an invoice amount, an outstanding total, a revenue
/// figure): the config's [`crate::config::MAX_AMOUNT`], far past any real figure, so the sum of
/// a period's invoices is always exact.
pub const MAX_MONEY: i64 = crate::config::MAX_AMOUNT;

/// Checks a money amount is within `0..=MAX_MONEY`, recording a problem for `field` otherwise.
pub(crate) fn check_money(errors: &mut ValidationErrors, field: &str, value: Option<Decimal>) {
    if let Some(v) = value {
        if (v.is_sign_negative() && !v.is_zero()) || v > Decimal::from(MAX_MONEY) {
            errors.push(field, format!("must be between 0 and {MAX_MONEY}"));
        }
    }
}

/// Checks a decimal is `>= 0`, recording a problem for `field` otherwise.
pub(crate) fn check_non_negative(
    errors: &mut ValidationErrors,
    field: &str,
    value: Option<Decimal>,
) {
    if let Some(v) = value {
        if v.is_sign_negative() && !v.is_zero() {
            errors.push(field, "must be >= 0");
        }
    }
}
