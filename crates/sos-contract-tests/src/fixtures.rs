//! Seed data of the checks: the seed examples of the integration guide (AM 1, sellers
//! `SEL001`..., campaign `CAMP-2026-02`), and small helpers to read back what a store holds.

use crate::Ports;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal_macros::dec;
use sos_app::Sos;
use sos_domain::{
    inputs::{
        Campaign, CampaignType, InventorySnapshot, InventorySnapshotDraft, OrderStats,
        PaymentStats, PaymentStatsDraft, RawInvoice, RevenueRecord, SellerInputs, TicketBreakdown,
        TicketStats,
    },
    master::{AccountManager, Seller, SellerStatus},
    AmId, CampaignCode, Decimal, Period, SellerCode,
};
use sos_ports::{
    CalculationScope, CampaignActualRecord, ForecastRecord, InventoryRecord, OrderRecord,
    PaymentBlocking, PaymentInput, PaymentRecord, SyncBatch, TicketRecord,
};

/// The actor every check writes as.
pub const ACTOR: &str = "contract-tests";

/// The campaign of February 2026.
pub const CAMPAIGN: &str = "CAMP-2026-02";

/// `YYYY-MM`.
pub fn period(text: &str) -> Period {
    Period::parse(text).unwrap()
}

/// February 2026, the period of the seed examples.
pub fn feb() -> Period {
    period("2026-02")
}

/// March 2026.
pub fn mar() -> Period {
    period("2026-03")
}

/// `YYYY-MM-DD`.
pub fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// An RFC 3339 instant (whole seconds, so every store keeps it exactly).
pub fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// A seller code.
pub fn code(text: &str) -> SellerCode {
    SellerCode::parse(text).unwrap()
}

/// Seller codes, in the order given.
pub fn codes(texts: &[&str]) -> Vec<SellerCode> {
    texts.iter().map(|t| code(t)).collect()
}

/// A campaign code.
pub fn campaign_code(text: &str) -> CampaignCode {
    CampaignCode::parse(text).unwrap()
}

/// An AM id.
pub fn am_id(id: i64) -> AmId {
    AmId::new(id).unwrap()
}

/// An active AM.
pub fn am(id: i64) -> AccountManager {
    AccountManager {
        id: am_id(id),
        name: format!("Account Manager {id}"),
        email: Some(format!("am{id}@example.com")),
        is_active: true,
    }
}

/// An active seller onboarded long ago (no grace), in warehouse WH1.
pub fn seller(seller_code: &str, am: Option<i64>) -> Seller {
    Seller {
        seller_code: code(seller_code),
        company_name: format!("Company {seller_code}"),
        contract_type: Some("B2C".to_owned()),
        country_code: Some("VN".to_owned()),
        warehouse_id: Some("WH1".to_owned()),
        status: SellerStatus::Active,
        onboarded_at: Some(date("2025-06-01")),
        am_id: am.map(am_id),
    }
}

/// A campaign.
pub fn campaign(campaign: &str, campaign_type: CampaignType, start: &str, end: &str) -> Campaign {
    Campaign::new(
        campaign_code(campaign),
        format!("Campaign {campaign}"),
        campaign_type,
        date(start),
        date(end),
    )
    .unwrap()
}

/// `CAMP-2026-02`: a major campaign starting 2026-02-14.
pub fn feb_campaign() -> Campaign {
    campaign(
        CAMPAIGN,
        CampaignType::MajorCampaign,
        "2026-02-14",
        "2026-02-16",
    )
}

/// Creates AM 1, the sellers `SEL001..=SEL00n` (all with AM 1) and `CAMP-2026-02`.
pub fn seed_master<P: Ports>(store: &P, sellers: usize) -> Vec<SellerCode> {
    store.create_am(&am(1), ACTOR).unwrap();
    store.create_campaign(&feb_campaign(), ACTOR).unwrap();
    (1..=sellers)
        .map(|n| {
            let s = seller(&format!("SEL{n:03}"), Some(1));
            store.create_seller(&s, ACTOR).unwrap();
            s.seller_code
        })
        .collect()
}

/// Seeds the default configuration through the use case; returns the rows inserted.
pub fn seed_config<P: Ports>(store: &P) -> usize {
    Sos::new(store.clone()).seed_default_config().unwrap()
}

/// Applies a batch through the store, expecting success.
pub fn apply<P: Ports>(store: &P, batch: &SyncBatch) {
    let n = store.apply(batch).unwrap();
    assert_eq!(n, batch.len(), "apply reports the records written");
}

/// The seed's orders: 150 orders, 140 on time, 10 late.
pub fn seed_orders() -> OrderStats {
    OrderStats::new(150, Some(140), Some(10), Some(dec!(12.5))).unwrap()
}

/// The seed's tickets: 25 tickets, 3.5 h, 18/4/2/1.
pub fn seed_tickets() -> TicketStats {
    TicketStats::new(
        Some(25),
        Some(dec!(3.5)),
        Some(TicketBreakdown {
            under_4h: 18,
            from_4h_to_8h: 4,
            from_8h_to_16h: 2,
            over_16h: 1,
        }),
    )
    .unwrap()
}

/// The seed's pre-aggregated payments (Format A): 10 invoices, 7/2/1/0/0, worst 12, 15,000,000.
pub fn seed_payment_aggregate() -> PaymentStats {
    PaymentStats::new(PaymentStatsDraft {
        total_invoices: 10,
        invoices_on_time: Some(7),
        invoices_late_1_7: 2,
        invoices_late_7_15: 1,
        invoices_late_15_20: 0,
        invoices_late_over_20: 0,
        worst_days_late: Some(12),
        total_outstanding_amount: Some(dec!(15000000)),
        currency: Some("VND".to_owned()),
    })
    .unwrap()
}

/// One raw invoice.
pub fn invoice(id: &str, days_late: i32, amount: Decimal) -> RawInvoice {
    RawInvoice {
        invoice_id: id.to_owned(),
        days_late,
        amount,
    }
}

/// The seed's raw invoices (Format B): INV001 on time 5M, INV002 5 days 3M, INV003 12 days 7M.
pub fn seed_invoices() -> Vec<RawInvoice> {
    vec![
        invoice("INV001", 0, dec!(5000000)),
        invoice("INV002", 5, dec!(3000000)),
        invoice("INV003", 12, dec!(7000000)),
    ]
}

/// A Format B payment record of `seller` for `period`.
pub fn invoices_record(
    seller: &SellerCode,
    period: Period,
    invoices: Vec<RawInvoice>,
) -> PaymentRecord {
    PaymentRecord {
        seller: seller.clone(),
        period,
        input: PaymentInput::Invoices {
            invoices,
            currency: Some("VND".to_owned()),
        },
    }
}

/// A payments batch that evaluates no order-blocking rule (the checks of order blocking use
/// `Sos::ingest_payments`, which evaluates the configured ones).
pub fn payments_batch(records: Vec<PaymentRecord>) -> SyncBatch {
    SyncBatch::Payments {
        records,
        blocking: PaymentBlocking {
            rules: sos_domain::enforcement::PaymentRules::default(),
            actor: ACTOR.to_owned(),
            at: Utc::now(),
        },
    }
}

/// The seed's inventory figures on `snapshot_date`.
pub fn seed_inventory(snapshot_date: &str) -> InventorySnapshot {
    InventorySnapshot::new(InventorySnapshotDraft {
        snapshot_date: date(snapshot_date),
        total_cbm: Some(dec!(150.5)),
        total_sku_qty: Some(dec!(12000)),
        aging_over_90d_cbm: Some(dec!(22.3)),
        aging_over_90d_sku_qty: Some(dec!(1800)),
        aging_over_180d_cbm: Some(dec!(5.1)),
        aging_over_180d_pct: Some(dec!(3.4)),
    })
    .unwrap()
}

/// The seed's revenue of AM 1 for February: 450M of 500M.
pub fn seed_revenue() -> RevenueRecord {
    RevenueRecord::new(am_id(1), feb(), dec!(500000000), dec!(450000000)).unwrap()
}

/// An order-stats record.
pub fn orders_record(seller: &SellerCode, period: Period, stats: OrderStats) -> OrderRecord {
    OrderRecord {
        seller: seller.clone(),
        period,
        stats,
    }
}

/// A ticket-stats record.
pub fn tickets_record(seller: &SellerCode, period: Period, stats: TicketStats) -> TicketRecord {
    TicketRecord {
        seller: seller.clone(),
        period,
        stats,
    }
}

/// An inventory record.
pub fn inventory_record(seller: &SellerCode, snapshot: InventorySnapshot) -> InventoryRecord {
    InventoryRecord {
        seller: seller.clone(),
        snapshot,
    }
}

/// A forecast for `CAMP-2026-02`.
pub fn forecast(seller: &SellerCode, submitted_at: &str, volume: u32) -> ForecastRecord {
    ForecastRecord {
        seller: seller.clone(),
        campaign: campaign_code(CAMPAIGN),
        submitted_at: at(submitted_at),
        forecasted_order_volume: volume,
        forecasted_sku_breakdown: Some(serde_json::json!({"SKU-1": volume})),
        notes: Some("contract".to_owned()),
    }
}

/// An actual for `CAMP-2026-02`.
pub fn actual(seller: &SellerCode, volume: u32) -> CampaignActualRecord {
    CampaignActualRecord {
        seller: seller.clone(),
        campaign: campaign_code(CAMPAIGN),
        actual_order_volume: volume,
        actual_sku_breakdown: None,
    }
}

/// Everything the seed examples give one seller for February: orders, tickets, raw invoices,
/// inventory on 2026-02-28, a forecast on 2026-01-28 (5000) and the actual (4800).
pub fn seed_full_inputs<P: Ports>(store: &P, seller: &SellerCode) {
    apply(
        store,
        &SyncBatch::Orders(vec![orders_record(seller, feb(), seed_orders())]),
    );
    apply(
        store,
        &SyncBatch::Tickets(vec![tickets_record(seller, feb(), seed_tickets())]),
    );
    apply(
        store,
        &payments_batch(vec![invoices_record(seller, feb(), seed_invoices())]),
    );
    apply(
        store,
        &SyncBatch::Inventory(vec![inventory_record(seller, seed_inventory("2026-02-28"))]),
    );
    apply(
        store,
        &SyncBatch::Forecasts(vec![forecast(seller, "2026-01-28T10:00:00Z", 5000)]),
    );
    apply(
        store,
        &SyncBatch::CampaignActuals(vec![actual(seller, 4800)]),
    );
}

/// What the store hands the calculation for `seller` in `period`, or `None` when the seller
/// is not loaded (unknown or not active). Forecast versions are sorted by version, since the
/// port does not fix their order.
pub fn inputs_of<P: Ports>(store: &P, seller: &SellerCode, period: Period) -> Option<SellerInputs> {
    let loaded = store
        .load_seller_inputs(
            period,
            &CalculationScope::Sellers(vec![seller.clone()]),
            None,
            10,
        )
        .unwrap();
    assert!(
        loaded.len() <= 1,
        "a one-seller scope loads at most that seller"
    );
    loaded.into_iter().next().map(|s| {
        assert_eq!(&s.seller.seller_code, seller);
        let mut inputs = s.inputs;
        for c in &mut inputs.campaigns {
            c.forecasts.sort_by_key(|f| f.submission_version);
        }
        inputs
    })
}

/// The inputs of a seller the store must know.
pub fn known_inputs<P: Ports>(store: &P, seller: &SellerCode, period: Period) -> SellerInputs {
    inputs_of(store, seller, period)
        .unwrap_or_else(|| panic!("{seller} is not loaded for {period}"))
}

/// Event builders that build nothing, for checks about results rather than events.
#[derive(Debug, Clone, Copy)]
pub struct NoEvents;

impl sos_ports::CompletionEvents for NoEvents {
    fn events(&self, _run_id: i64) -> Vec<sos_domain::webhook::EventDraft> {
        Vec::new()
    }
}

impl sos_ports::FinalizeEvents for NoEvents {
    fn events(
        &self,
        _score: &sos_ports::StoredScore,
        _previous: Option<&sos_ports::StoredScore>,
    ) -> Vec<sos_domain::webhook::EventDraft> {
        Vec::new()
    }
}
