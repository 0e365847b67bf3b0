//! The seven sync stores, written through one atomic batch method.

use crate::{errors::SyncStoreError, PaymentBlocking};
use chrono::{DateTime, Utc};
use sos_domain::{
    inputs::{
        InventorySnapshot, OrderStats, PaymentStats, RawInvoice, RawOrder, RevenueRecord,
        TicketStats,
    },
    CampaignCode, Period, SellerCode,
};

/// Pre-aggregated order statistics (`sos_order_operation_raw`), keyed by seller and period.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRecord {
    /// The seller.
    pub seller: SellerCode,
    /// The period.
    pub period: Period,
    /// The figures.
    pub stats: OrderStats,
}

/// Raw orders of one seller, kept by `order_id`; the period aggregates are recomputed from all
/// stored orders of each period touched.
#[derive(Debug, Clone, PartialEq)]
pub struct RawOrdersRecord {
    /// The seller.
    pub seller: SellerCode,
    /// The orders; each belongs to the period of its `created_at` (UTC).
    pub orders: Vec<RawOrder>,
}

/// A forecast submission (`seller_forecast_submission`). A new `submitted_at` is a new
/// version; the same `submitted_at` updates its version.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastRecord {
    /// The seller.
    pub seller: SellerCode,
    /// The campaign.
    pub campaign: CampaignCode,
    /// When the seller sent it.
    pub submitted_at: DateTime<Utc>,
    /// The forecast order volume.
    pub forecasted_order_volume: u32,
    /// Per-SKU volumes, as sent.
    pub forecasted_sku_breakdown: Option<serde_json::Value>,
    /// The seller's note.
    pub notes: Option<String>,
}

/// A campaign result (`campaign_actual_result`), keyed by seller and campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct CampaignActualRecord {
    /// The seller.
    pub seller: SellerCode,
    /// The campaign.
    pub campaign: CampaignCode,
    /// The actual order volume.
    pub actual_order_volume: u32,
    /// Per-SKU volumes, as sent.
    pub actual_sku_breakdown: Option<serde_json::Value>,
}

/// Ticket statistics (`sos_ticket_sla_raw`), keyed by seller and period.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketRecord {
    /// The seller.
    pub seller: SellerCode,
    /// The period.
    pub period: Period,
    /// The figures.
    pub stats: TicketStats,
}

/// Payment data in either seed format.
#[derive(Debug, Clone, PartialEq)]
pub enum PaymentInput {
    /// Format A: the aggregate replaces the stored one.
    Aggregate(PaymentStats),
    /// Format B: invoices are kept by `invoice_id`, and the aggregate is recomputed from all
    /// stored invoices of the seller and period.
    Invoices {
        /// The invoices.
        invoices: Vec<RawInvoice>,
        /// Their currency.
        currency: Option<String>,
    },
}

/// Payment data (`sos_payment_raw`), keyed by seller and period.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentRecord {
    /// The seller.
    pub seller: SellerCode,
    /// The period.
    pub period: Period,
    /// The data.
    pub input: PaymentInput,
}

/// An inventory snapshot (`sos_inventory_health_raw`), keyed by seller and the period of its
/// date; a newer snapshot wins, an older one arriving late is ignored.
#[derive(Debug, Clone, PartialEq)]
pub struct InventoryRecord {
    /// The seller.
    pub seller: SellerCode,
    /// The snapshot.
    pub snapshot: InventorySnapshot,
}

/// One validated sync call: all records of one kind, written all or nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncBatch {
    /// `/api/sync/orders`, seed form.
    Orders(Vec<OrderRecord>),
    /// `/api/sync/orders`, raw form.
    RawOrders {
        /// Orders per seller.
        records: Vec<RawOrdersRecord>,
        /// The o-score config's delay limit used to aggregate.
        max_delay_minutes: u32,
        /// The instant unpushed orders are judged against.
        now: DateTime<Utc>,
    },
    /// `/api/sync/forecasts`.
    Forecasts(Vec<ForecastRecord>),
    /// `/api/sync/campaign-actuals`.
    CampaignActuals(Vec<CampaignActualRecord>),
    /// `/api/sync/tickets`.
    Tickets(Vec<TicketRecord>),
    /// `/api/sync/payments`. In the same transaction, each seller's order blocking is decided
    /// again on its most recent payment month, with `blocking`'s rules (see
    /// [`crate::EnforcementStore`]).
    Payments {
        /// The records.
        records: Vec<PaymentRecord>,
        /// The rules a payments sync evaluates, who syncs and when.
        blocking: PaymentBlocking,
    },
    /// `/api/sync/inventory`.
    Inventory(Vec<InventoryRecord>),
    /// `/api/sync/revenue` (`am_portfolio_period_score` revenue columns).
    Revenue(Vec<RevenueRecord>),
}

impl SyncBatch {
    /// Records in the batch.
    pub fn len(&self) -> usize {
        match self {
            SyncBatch::Orders(v) => v.len(),
            SyncBatch::RawOrders { records, .. } => records.len(),
            SyncBatch::Forecasts(v) => v.len(),
            SyncBatch::CampaignActuals(v) => v.len(),
            SyncBatch::Tickets(v) => v.len(),
            SyncBatch::Payments { records, .. } => records.len(),
            SyncBatch::Inventory(v) => v.len(),
            SyncBatch::Revenue(v) => v.len(),
        }
    }

    /// True when the batch holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The sync stores. Every write is an idempotent upsert: the same batch twice leaves the same
/// state as once.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait SyncStore: Send + Sync {
    /// Writes every record of `batch` in one transaction.
    ///
    /// # Errors
    /// [`SyncStoreError::UnknownSellers`], [`SyncStoreError::UnknownCampaigns`] or
    /// [`SyncStoreError::UnknownAccountManagers`] listing every unknown reference (nothing is
    /// written); `Unavailable` when the database is down.
    fn apply(&self, batch: &SyncBatch) -> Result<usize, SyncStoreError>;
}
