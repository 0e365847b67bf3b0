//! Builders shared by the scoring tests and the bench: the spec's default configuration (with
//! and without row ids) and the seed's inputs.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use sos_domain::{
    config::{ConfigId, Resolved, ResolvedConfig, TScoreTierConfig},
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
/// grace 24, AM KPI weights 25-27, AM bands 28-32, surcharge rules 1000-1002.
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

/// Fractional rules everywhere the spec allows them (weights 25.5/19.5/20/20/15, O tolerance
/// 2.5 and 7.5 a point, I bands over 5.5 at 12.5 with a 1.25 severe multiplier, P rules in
/// halves, T bounds at 3.5 and 16.25 hours, fractional F points, tier minimums and grace floor).
pub fn fractional_config() -> ResolvedConfig {
    let mut fractional = config_with_ids();
    let weights = [
        ("25.5", "100"),
        ("19.5", "100"),
        ("20", "100"),
        ("20", "100"),
        ("15", "100"),
    ];
    for (c, (w, m)) in Component::ALL.into_iter().zip(weights) {
        fractional.weights.get_mut(c).value.weight_pct = d(w);
        fractional.weights.get_mut(c).value.max_points = d(m);
    }
    fractional.o_score.value.acceptable_late_pct = d("2.5");
    fractional.o_score.value.penalty_per_1pct_over = d("7.5");
    fractional.o_score.value.base_points = d("99.5");
    fractional.i_score.value.base_good_pct = d("5.5");
    fractional.i_score.value.penalty_per_5pct = d("12.5");
    fractional.i_score.value.severe_storage_multiplier = d("1.25");
    fractional.i_score.value.severe_aging_pct_threshold = d("2.75");
    for p in [&mut fractional.p_score_major, &mut fractional.p_score_mini] {
        p.value.on_time_points = d("45.5");
        p.value.late_penalty_per_day = d("7.5");
        p.value.accuracy_base_points = d("54.5");
        p.value.accuracy_good_range_min = d("-7.5");
        p.value.accuracy_good_range_max = d("12.25");
        p.value.accuracy_penalty_per_10pct = d("2.5");
    }
    let t_bounds = [
        ("0", Some("3.5"), "100"),
        ("3.5", Some("8"), "87.5"),
        ("8", Some("16.25"), "42.25"),
        ("16.25", None, "0"),
    ];
    fractional.t_score = t_bounds
        .iter()
        .enumerate()
        .map(|(i, (min, max, points))| {
            Resolved::from_row(
                ConfigId(300 + i as i64),
                TScoreTierConfig {
                    tier_index: i as u32 + 1,
                    response_hours_min: d(min),
                    response_hours_max: max.map(d),
                    points: d(points),
                },
            )
        })
        .collect();
    for (row, points) in fractional
        .f_score
        .iter_mut()
        .zip(["100", "82.5", "47.25", "20", "0.5"])
    {
        row.value.points = d(points);
    }
    for (row, min) in fractional
        .tiers
        .iter_mut()
        .zip(["89.5", "79.75", "70", "60.25", "0"])
    {
        row.value.min_sos_score = d(min);
    }
    fractional.grace.value.min_score_floor = d("72.5");
    for (row, w) in fractional
        .am_kpi_weights
        .iter_mut()
        .zip(["47.5", "32.5", "20"])
    {
        row.value.weight_pct = d(w);
    }

    fractional
}

/// Unequal weights with other maxima: P out of 60, O 150, F 37.5, I 80.
pub fn other_maxima_config() -> ResolvedConfig {
    let mut maxima = config_with_ids();
    let shape = [
        ("25", "60"),
        ("20", "150"),
        ("20", "100"),
        ("20", "37.5"),
        ("15", "80"),
    ];
    for (c, (w, m)) in Component::ALL.into_iter().zip(shape) {
        maxima.weights.get_mut(c).value.weight_pct = d(w);
        maxima.weights.get_mut(c).value.max_points = d(m);
    }

    maxima
}

/// A decimal from its text, scale included (`d("85.00")` keeps two places).
pub fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}
