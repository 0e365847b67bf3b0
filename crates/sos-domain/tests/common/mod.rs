//! Builders shared by the scoring tests and the bench: the spec's default configuration and
//! the seed's inputs.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::json;
use sos_domain::{
    config::{
        default_tiers, AmBonusPenaltyConfig, AmKpiWeightConfig, ConfigId, FScoreTierConfig,
        GracePeriodConfig, IScoreConfig, OScoreConfig, PScoreConfig, Resolved, ResolvedConfig,
        ScoreWeightConfig, TScoreTierConfig,
    },
    inputs::{
        CampaignInput, CampaignType, ForecastVersion, InventorySnapshot, InventorySnapshotDraft,
        OrderStats, PaymentStats, PaymentStatsDraft, SellerInputs, TicketBreakdown, TicketStats,
    },
    surcharge::{Condition, SurchargeAction, SurchargeRule},
    Component, PerComponent, Period,
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

fn weight(c: Component, w: i64) -> ScoreWeightConfig {
    ScoreWeightConfig {
        score_component: c,
        weight_pct: Decimal::from(w),
        max_points: dec!(100),
    }
}

/// The spec's two default surcharge rules: severe aging -> storage x1.5; Warning twice in a
/// row -> fulfillment +5%.
pub fn default_surcharges(first_id: Option<i64>) -> Vec<SurchargeRule> {
    let rule = |offset: i64, kind: &str, condition, action| SurchargeRule {
        id: first_id.map(|i| ConfigId(i + offset)),
        surcharge_type: kind.to_owned(),
        condition: Condition::parse(&condition).unwrap(),
        action: SurchargeAction::parse(&action).unwrap(),
    };
    vec![
        rule(
            0,
            "storage",
            json!({"metric": "aging_over_180d_pct", "op": ">=", "value": 30}),
            json!({"type": "fee_multiplier", "fee": "storage", "value": 1.5}),
        ),
        rule(
            1,
            "fulfillment",
            json!({"all": [
                {"metric": "tier", "op": "==", "value": "Warning"},
                {"metric": "previous_tier", "op": "==", "value": "Warning"}
            ]}),
            json!({"type": "percent_fee", "fee": "fulfillment", "pct": 5}),
        ),
    ]
}

/// The spec's defaults with no row ids (built-in defaults).
pub fn default_config() -> ResolvedConfig {
    build_config(false)
}

/// The spec's defaults, each row with an id, as a seeded database would give them.
pub fn config_with_ids() -> ResolvedConfig {
    build_config(true)
}

/// Hands out row ids 1, 2, 3, ... (or none, for built-in defaults).
struct Rows {
    next: i64,
    with_ids: bool,
}

impl Rows {
    fn row<T>(&mut self, value: T) -> Resolved<T> {
        self.next += 1;
        if self.with_ids {
            Resolved::from_row(ConfigId(self.next), value)
        } else {
            Resolved::default_value(value)
        }
    }

    fn rows<T>(&mut self, values: Vec<T>) -> Vec<Resolved<T>> {
        values.into_iter().map(|v| self.row(v)).collect()
    }
}

fn build_config(with_ids: bool) -> ResolvedConfig {
    let mut r = Rows { next: 0, with_ids };
    ResolvedConfig {
        resolution_date: date(2026, 2, 28),
        weights: PerComponent {
            p_score: r.row(weight(Component::P, 25)),
            o_score: r.row(weight(Component::O, 20)),
            t_score: r.row(weight(Component::T, 20)),
            f_score: r.row(weight(Component::F, 20)),
            i_score: r.row(weight(Component::I, 15)),
        },
        tiers: r.rows(default_tiers()),
        p_score_major: r.row(PScoreConfig::default_for(CampaignType::MajorCampaign)),
        p_score_mini: r.row(PScoreConfig::default_for(CampaignType::MiniCampaign)),
        o_score: r.row(OScoreConfig::default()),
        t_score: r.rows(TScoreTierConfig::defaults()),
        f_score: r.rows(FScoreTierConfig::defaults()),
        i_score: r.row(IScoreConfig::default()),
        grace: r.row(GracePeriodConfig::default()),
        surcharges: default_surcharges(with_ids.then_some(1000)),
        am_kpi_weights: r.rows(AmKpiWeightConfig::defaults()),
        am_bonus_penalty: r.rows(AmBonusPenaltyConfig::defaults()),
    }
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
