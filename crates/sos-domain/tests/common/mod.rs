//! Builders shared by the scoring tests and the bench: the spec's default configuration (with
//! and without row ids) and the seed's inputs.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal_macros::dec;
use sos_domain::{
    config::{ConfigId, ResolvedConfig},
    inputs::{
        CampaignInput, CampaignType, ForecastVersion, InventorySnapshot, InventorySnapshotDraft,
        OrderStats, PaymentStats, PaymentStatsDraft, SellerInputs, TicketBreakdown, TicketStats,
    },
    Component, Period,
};

pub fn period(text: &str) -> Period {
    Period::parse(text).unwrap()
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// The spec's defaults with no row ids (built-in defaults).
pub fn default_config() -> ResolvedConfig {
    ResolvedConfig::defaults(date(2026, 2, 28))
}

/// The spec's defaults, each row with an id as a seeded database would give them: weights
/// 1-5, tiers 6-10, p-score 11-12, o-score 13, t-score 14-17, f-score 18-22, i-score 23,
/// grace 24, AM KPI weights 25-27, AM bands 28-32, surcharge rules 1000 and 1001.
pub fn config_with_ids() -> ResolvedConfig {
    let mut c = default_config();
    let mut next = 0i64;
    let mut id = || {
        next += 1;
        Some(ConfigId(next))
    };
    for comp in Component::ALL {
        c.weights.get_mut(comp).id = id();
    }
    c.tiers.iter_mut().for_each(|r| r.id = id());
    c.p_score_major.id = id();
    c.p_score_mini.id = id();
    c.o_score.id = id();
    c.t_score.iter_mut().for_each(|r| r.id = id());
    c.f_score.iter_mut().for_each(|r| r.id = id());
    c.i_score.id = id();
    c.grace.id = id();
    c.am_kpi_weights.iter_mut().for_each(|r| r.id = id());
    c.am_bonus_penalty.iter_mut().for_each(|r| r.id = id());
    for (i, rule) in c.surcharges.iter_mut().enumerate() {
        rule.id = Some(ConfigId(1000 + i as i64));
    }
    c
}

pub fn orders(total: u32, late: u32) -> OrderStats {
    OrderStats::new(total, Some(total - late), Some(late), None).unwrap()
}

pub fn breakdown(counts: [u32; 4]) -> TicketStats {
    let [under_4h, from_4h_to_8h, from_8h_to_16h, over_16h] = counts;
    TicketStats::new(
        Some(counts.iter().sum()),
        None,
        Some(TicketBreakdown {
            under_4h,
            from_4h_to_8h,
            from_8h_to_16h,
            over_16h,
        }),
    )
    .unwrap()
}

pub fn payments(counts: [u32; 5]) -> PaymentStats {
    let [on_time, l1, l7, l15, l20] = counts;
    PaymentStats::new(PaymentStatsDraft {
        total_invoices: counts.iter().sum(),
        invoices_on_time: Some(on_time),
        invoices_late_1_7: l1,
        invoices_late_7_15: l7,
        invoices_late_15_20: l15,
        invoices_late_over_20: l20,
        worst_days_late: Some(12),
        total_outstanding_amount: Some(dec!(15000000)),
        currency: Some("VND".into()),
    })
    .unwrap()
}

pub fn seed_inventory_draft() -> InventorySnapshotDraft {
    InventorySnapshotDraft {
        snapshot_date: date(2026, 2, 28),
        total_cbm: Some(dec!(150.5)),
        total_sku_qty: Some(dec!(12000)),
        aging_over_90d_cbm: Some(dec!(22.3)),
        aging_over_90d_sku_qty: Some(dec!(1800)),
        aging_over_180d_cbm: Some(dec!(5.1)),
        aging_over_180d_pct: Some(dec!(3.4)),
    }
}

pub fn inventory(draft: InventorySnapshotDraft) -> InventorySnapshot {
    InventorySnapshot::new(draft).unwrap()
}

pub fn forecast(version: u32, submitted_at: &str, volume: u32) -> ForecastVersion {
    ForecastVersion {
        submission_version: version,
        submitted_at: at(submitted_at),
        forecasted_order_volume: volume,
    }
}

/// A major campaign starting 2026-02-14 (deadline 2026-01-31).
pub fn major_campaign(forecasts: Vec<ForecastVersion>, actual: Option<u32>) -> CampaignInput {
    CampaignInput {
        campaign_code: None,
        campaign_type: CampaignType::MajorCampaign,
        start_date: date(2026, 2, 14),
        forecasts,
        actual_order_volume: actual,
    }
}

/// The seed's seller for 2026-02: every component present, onboarded long ago.
pub fn seed_inputs() -> SellerInputs {
    let mut inputs = SellerInputs::empty(period("2026-02"));
    inputs.onboarded_at = Some(date(2025, 6, 1));
    inputs.orders = Some(orders(150, 10));
    inputs.tickets = Some(breakdown([18, 4, 2, 1]));
    inputs.payments = Some(payments([7, 2, 1, 0, 0]));
    inputs.inventory = Some(inventory(seed_inventory_draft()));
    inputs.campaigns = vec![major_campaign(
        vec![forecast(1, "2026-01-28T10:00:00Z", 5000)],
        Some(4800),
    )];
    inputs
}
