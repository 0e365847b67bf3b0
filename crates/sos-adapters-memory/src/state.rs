//! The data behind [`MemoryStore`](crate::MemoryStore).

use serde_json::Value;
use sos_domain::{
    config::ConfigRecord,
    inputs::{
        InventorySnapshot, OrderStats, PaymentStats, RawInvoice, RawOrder, RevenueRecord,
        TicketStats,
    },
    master::AccountManager,
    AmId, AmPortfolioScore, CampaignCode, Period, SellerCode,
};
use sos_ports::{
    ApiKeyRecord, AuditEntry, CalculationRun, CampaignRecord, SellerRecord, StoredScore,
};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One stored forecast version.
#[derive(Debug, Clone)]
pub(crate) struct ForecastRow {
    pub version: u32,
    pub submitted_at: chrono::DateTime<chrono::Utc>,
    pub volume: u32,
    #[allow(dead_code)]
    pub sku_breakdown: Option<Value>,
    #[allow(dead_code)]
    pub notes: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub sellers: BTreeMap<SellerCode, SellerRecord>,
    pub campaigns: BTreeMap<CampaignCode, CampaignRecord>,
    pub ams: BTreeMap<AmId, AccountManager>,

    pub orders: HashMap<(SellerCode, Period), OrderStats>,
    pub raw_orders: HashMap<SellerCode, BTreeMap<String, RawOrder>>,
    pub forecasts: HashMap<(SellerCode, CampaignCode), Vec<ForecastRow>>,
    pub actuals: HashMap<(SellerCode, CampaignCode), u32>,
    pub tickets: HashMap<(SellerCode, Period), TicketStats>,
    pub payments: HashMap<(SellerCode, Period), PaymentStats>,
    pub invoices: HashMap<(SellerCode, Period), BTreeMap<String, RawInvoice>>,
    pub inventory: HashMap<(SellerCode, Period), InventorySnapshot>,
    pub revenue: HashMap<(AmId, Period), RevenueRecord>,

    pub config: Vec<ConfigRecord>,
    pub next_config_id: i64,

    pub scores: BTreeMap<(Period, SellerCode), StoredScore>,
    pub am_scores: BTreeMap<(Period, AmId), AmPortfolioScore>,
    pub runs: Vec<CalculationRun>,
    pub finalized: HashSet<Period>,
    pub running: HashSet<Period>,

    pub keys: Vec<ApiKeyRecord>,
    pub audit: Vec<AuditEntry>,

    pub outbox: crate::webhooks::Outbox,

    pub exceptions: Vec<sos_ports::ExceptionRecord>,
    pub next_exception_id: i64,

    pub appeals: Vec<sos_ports::AppealRecord>,
    pub finalized_at: HashMap<Period, chrono::DateTime<chrono::Utc>>,
    /// Results replaced by approved appeals, oldest first.
    pub superseded: Vec<StoredScore>,

    /// Blocking states of the sellers ever blocked.
    pub enforcement: HashMap<SellerCode, sos_domain::enforcement::Enforcement>,
    /// Changes between blocked and unblocked, oldest first.
    pub block_history: Vec<sos_ports::BlockRecord>,
}
