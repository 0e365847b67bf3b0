//! The engine's output over a large generated corpus, frozen in `tests/corpus/`.
//!
//! 20,000 sellers from a fixed seed, spread over seven configs (the defaults, fractional rules,
//! other `max_points`, tied tiers, partial grace, every surcharge metric), plus AM portfolios
//! built from their totals. Each line holds the scores and tier in the clear and a SHA-256 of
//! the result serialized exactly as the API writes it, so any change of a figure, its scale
//! included, or of an explanation fails here and names the seller.
//!
//! The recorded figures were produced once by the engine as it stood before its rules were
//! rewritten plainly; regenerate only for a deliberate change of the rules or of the result's
//! shape: `SOS_UPDATE_CORPUS=1 cargo test -p sos-domain --test frozen_corpus`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use common::*;
use rust_decimal::Decimal;
use serde_json::json;
use sha2::{Digest, Sha256};
use sos_domain::{
    config::{AgingBasis, ConfigId, Resolved, ResolvedConfig, TierConfig},
    inputs::{
        CampaignInput, CampaignType, ForecastVersion, InventorySnapshotDraft, OrderStats,
        PaymentStats, PaymentStatsDraft, RevenueRecord, SellerInputs, TicketBreakdown, TicketStats,
    },
    score_am_portfolio,
    surcharge::{Condition, SurchargeAction, SurchargeRule},
    AmId, Component, Scorer, SellerCode, TierName,
};
use std::fmt::Write as _;
use std::path::PathBuf;

const SELLERS: usize = 20_000;
const SHARD: usize = 5_000;
const SEED: u64 = 0x5053_2d43_4f52_5055;

/// splitmix64: a fixed, dependency-free sequence, so the corpus never moves with a library.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn upto(&mut self, n: u32) -> u32 {
        self.below(u64::from(n) + 1) as u32
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    /// A figure with `0..=max_scale` decimals and a mantissa in `0..=max_mantissa`.
    fn decimal(&mut self, max_mantissa: i64, max_scale: u32) -> Decimal {
        let scale = self.below(u64::from(max_scale) + 1) as u32;
        Decimal::new(self.below(max_mantissa as u64 + 1) as i64, scale)
    }
}

fn rule(
    id: i64,
    kind: &str,
    condition: serde_json::Value,
    action: serde_json::Value,
) -> SurchargeRule {
    SurchargeRule {
        id: Some(ConfigId(id)),
        surcharge_type: kind.into(),
        condition: Condition::parse(&condition).unwrap(),
        action: serde_json::from_value::<SurchargeAction>(action).unwrap(),
    }
}

/// The seven configs the corpus is scored under.
fn configs() -> Vec<ResolvedConfig> {
    let defaults = config_with_ids();

    let fractional = fractional_config();
    let maxima = other_maxima_config();

    // Tiers tied on their minimum (the lowest tier_order wins) and a max that never excludes.
    let mut tied = config_with_ids();
    tied.tiers.push(Resolved::from_row(
        ConfigId(400),
        TierConfig {
            tier_name: TierName::parse("Gold Plus").unwrap(),
            tier_order: 0,
            min_sos_score: d("80"),
            max_sos_score: d("80.5"),
            color_code: None,
            benefits: None,
            restrictions: None,
        },
    ));
    for row in &mut tied.tiers {
        row.value.max_sos_score = row.value.min_sos_score;
    }

    // Grace on two components only, a long grace and a high order threshold.
    let mut grace = config_with_ids();
    grace.grace.value.apply_to_components = Some(vec![Component::O, Component::T]);
    grace.grace.value.grace_period_months = 6;
    grace.grace.value.min_orders_threshold = 200;
    grace.grace.value.min_score_floor = d("75.25");
    grace.i_score.value.calculation_basis = AgingBasis::Cbm;

    // Every surcharge metric, every operator and every action.
    let mut surcharged = config_with_ids();
    surcharged.i_score.value.calculation_basis = AgingBasis::Qty;
    surcharged.surcharges.extend([
        rule(2001, "fulfillment", json!({"metric": "sos_score", "op": "<", "value": 65.5}), json!({"type": "percent_fee", "fee": "fulfillment", "pct": 2.5})),
        rule(2002, "penalty", json!({"all": [{"metric": "p_score", "op": "<=", "value": 50}, {"metric": "o_score", "op": ">", "value": 40}]}), json!({"type": "fixed_fee", "amount": 500000, "currency": "VND"})),
        rule(2003, "support", json!({"any": [{"metric": "t_score", "op": ">=", "value": 80}, {"metric": "f_score", "op": "==", "value": 100}]}), json!({"type": "fee_multiplier", "fee": "support", "value": 1.25})),
        rule(2004, "storage", json!({"not": {"metric": "i_score", "op": "!=", "value": 80}}), json!({"type": "fee_multiplier", "fee": "storage", "value": 1.1})),
        rule(2005, "tiering", json!({"metric": "tier", "op": "in", "value": ["Bronze", "Warning"]}), json!({"type": "percent_fee", "fee": "fulfillment", "pct": 1})),
        rule(2006, "tiering", json!({"metric": "previous_tier", "op": "==", "value": "Gold"}), json!({"type": "fixed_fee", "amount": 125000.5, "currency": "VND"})),
        rule(2007, "orders", json!({"metric": "late_pct", "op": ">", "value": 7.25}), json!({"type": "percent_fee", "fee": "fulfillment", "pct": 3})),
        rule(2008, "storage", json!({"metric": "aging_pct_used", "op": ">=", "value": 25}), json!({"type": "fee_multiplier", "fee": "storage", "value": 1.2})),
        rule(2009, "finance", json!({"metric": "worst_days_late", "op": "in", "value": [12, 20, 30]}), json!({"type": "fixed_fee", "amount": 200000, "currency": "VND"})),
        rule(2010, "finance", json!({"metric": "total_outstanding_amount", "op": ">", "value": 10000000}), json!({"type": "percent_fee", "fee": "finance", "pct": 0.5})),
        rule(2011, "onboarding", json!({"metric": "month_index", "op": "<=", "value": 3}), json!({"type": "fixed_fee", "amount": 0, "currency": "VND"})),
    ]);

    // Built-in defaults with no row ids at all.
    let built_in = default_config();

    vec![
        defaults, fractional, maxima, tied, grace, surcharged, built_in,
    ]
}

fn orders(rng: &mut Rng) -> Option<OrderStats> {
    if rng.chance(12) {
        return None;
    }
    let total = match rng.below(10) {
        0 => 0,
        1 => rng.upto(40),
        _ => rng.upto(5_000),
    };
    let late = if rng.chance(70) {
        rng.upto(total / 4)
    } else {
        rng.upto(total)
    };
    let push = rng.chance(30).then(|| rng.decimal(9_000, 2));
    let stats = match rng.below(4) {
        0 => OrderStats::new(total, Some(total - late), None, push),
        1 => OrderStats::new(
            total,
            Some(total - late - rng.upto(total - late)),
            Some(late),
            push,
        ),
        2 => OrderStats::new(total, None, None, push),
        _ => OrderStats::new(total, None, Some(late), push),
    };
    Some(stats.unwrap())
}

fn tickets(rng: &mut Rng) -> Option<TicketStats> {
    if rng.chance(12) {
        return None;
    }
    let breakdown = rng.chance(70).then(|| {
        let scale = if rng.chance(10) { 0 } else { 80 };
        TicketBreakdown {
            under_4h: rng.upto(scale),
            from_4h_to_8h: rng.upto(scale / 3),
            from_8h_to_16h: rng.upto(scale / 5),
            over_16h: rng.upto(scale / 8),
        }
    });
    let total = rng
        .chance(85)
        .then(|| if rng.chance(8) { 0 } else { rng.upto(300) });
    let average = rng.chance(70).then(|| rng.decimal(3_000, 2));
    Some(TicketStats::new(total, average, breakdown).unwrap())
}

fn payments(rng: &mut Rng) -> Option<PaymentStats> {
    if rng.chance(12) {
        return None;
    }
    let late = [rng.upto(6), rng.upto(4), rng.upto(2), rng.upto(2)];
    let on_time = if rng.chance(8) { 0 } else { rng.upto(40) };
    let counted: u32 = late.iter().sum::<u32>() + on_time;
    let total = if rng.chance(10) {
        counted + rng.upto(5)
    } else {
        counted
    };
    let draft = PaymentStatsDraft {
        total_invoices: total,
        invoices_on_time: rng.chance(80).then_some(on_time),
        invoices_late_1_7: late[0],
        invoices_late_7_15: late[1],
        invoices_late_15_20: late[2],
        invoices_late_over_20: late[3],
        worst_days_late: rng.chance(80).then(|| rng.upto(45) as i32),
        total_outstanding_amount: rng.chance(80).then(|| rng.decimal(5_000_000_000, 2)),
        currency: Some("VND".into()),
    };
    Some(PaymentStats::new(draft).unwrap())
}

fn inventory(rng: &mut Rng) -> Option<sos_domain::inputs::InventorySnapshot> {
    if rng.chance(12) {
        return None;
    }
    let cbm = rng.chance(75).then(|| {
        let total = if rng.chance(5) {
            Decimal::ZERO
        } else {
            rng.decimal(500_000, 2) + Decimal::new(1, 1)
        };
        let aged = (total * Decimal::new(rng.below(1_001) as i64, 3)).round_dp(2);
        let severe = (aged * Decimal::new(rng.below(1_001) as i64, 3)).round_dp(2);
        (total, aged, severe)
    });
    let qty = rng.chance(75).then(|| {
        let total = rng.below(60_000);
        let aged = rng.below(total + 1);
        (Decimal::from(total), Decimal::from(aged))
    });
    let draft = InventorySnapshotDraft {
        snapshot_date: date(2026, 2, 1 + rng.below(28) as u32),
        total_cbm: cbm.map(|c| c.0),
        aging_over_90d_cbm: cbm.map(|c| c.1),
        aging_over_180d_cbm: cbm.filter(|_| rng.chance(60)).map(|c| c.2),
        total_sku_qty: qty.map(|q| q.0),
        aging_over_90d_sku_qty: qty.map(|q| q.1),
        aging_over_180d_pct: rng
            .chance(50)
            .then(|| rng.decimal(6_000, 2).min(Decimal::ONE_HUNDRED)),
    };
    Some(sos_domain::inputs::InventorySnapshot::new(draft).unwrap())
}

fn campaign(rng: &mut Rng) -> CampaignInput {
    let start = date(2026, 2, 1) + Duration::days(rng.below(28) as i64);
    let midnight = Utc.from_utc_datetime(&start.and_hms_opt(0, 0, 0).unwrap());
    let mut forecasts = Vec::new();
    for version in 1..=rng.below(4) as u32 {
        // Within 40 days before the start, sometimes exactly at its midnight or a second
        // before it, sometimes after the start.
        let submitted_at = match rng.below(12) {
            0 => midnight,
            1 => midnight - Duration::seconds(1),
            2 => midnight + Duration::hours(rng.below(72) as i64),
            _ => midnight - Duration::minutes(rng.below(40 * 24 * 60) as i64),
        };
        let volume = match rng.below(10) {
            0 => 0,
            _ => rng.upto(20_000),
        };
        forecasts.push(ForecastVersion {
            submission_version: version,
            submitted_at,
            forecasted_order_volume: volume,
        });
    }
    let actual = match rng.below(10) {
        0 => None,
        1 => Some(0),
        _ => Some(rng.upto(20_000)),
    };
    CampaignInput {
        campaign_code: None,
        campaign_type: if rng.chance(50) {
            CampaignType::MajorCampaign
        } else {
            CampaignType::MiniCampaign
        },
        start_date: start,
        forecasts,
        actual_order_volume: actual,
    }
}

fn seller(rng: &mut Rng) -> SellerInputs {
    let mut inputs = SellerInputs::empty(period("2026-02"));
    inputs.onboarded_at = rng.chance(85).then(|| {
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + Duration::days(rng.below(800) as i64)
    });
    inputs.previous_tier = match rng.below(6) {
        0 => None,
        1 => Some(TierName::parse("Gold").unwrap()),
        2 => Some(TierName::parse("Warning").unwrap()),
        3 => Some(TierName::parse("Platinum").unwrap()),
        4 => Some(TierName::parse("Bronze").unwrap()),
        _ => Some(TierName::parse("Silver").unwrap()),
    };
    inputs.orders = orders(rng);
    inputs.tickets = tickets(rng);
    inputs.payments = payments(rng);
    inputs.inventory = inventory(rng);
    inputs.campaigns = (0..rng.below(4)).map(|_| campaign(rng)).collect();
    inputs
}

fn figure(value: Option<Decimal>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

fn digest(json: &str) -> String {
    Sha256::digest(json.as_bytes())
        .iter()
        .fold(String::new(), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

/// One line per seller: index, config, tier, total, P O T F I, the SHA-256 of the result JSON.
fn seller_lines() -> Vec<String> {
    let configs = configs();
    let scorers: Vec<Scorer<'_>> = configs.iter().map(Scorer::new).collect();
    let mut rng = Rng(SEED);
    let mut lines = Vec::with_capacity(SELLERS);
    let mut totals: Vec<Vec<(SellerCode, Option<Decimal>)>> = vec![Vec::new(); configs.len()];
    for index in 0..SELLERS {
        let inputs = seller(&mut rng);
        let which = index % scorers.len();
        let code = SellerCode::parse(format!("S{index:05}")).unwrap();
        let result = scorers[which].score(Some(&code), &inputs);
        let json = serde_json::to_string(&result).unwrap();
        let scores: Vec<String> = Component::ALL
            .into_iter()
            .map(|c| figure(result.component_score(c)))
            .collect();
        lines.push(format!(
            "{index} {which} {} {} {} {}",
            result.tier().map_or("-", |t| t.as_str()).replace(' ', "_"),
            figure(result.sos_score()),
            scores.join(" "),
            digest(&json),
        ));
        totals[which].push((code, result.sos_score()));
    }
    lines.extend(am_lines(&configs, &totals, &mut rng));
    lines
}

/// AM portfolios of 40 sellers each from the corpus's totals, with revenue and a previous mean.
fn am_lines(
    configs: &[ResolvedConfig],
    totals: &[Vec<(SellerCode, Option<Decimal>)>],
    rng: &mut Rng,
) -> Vec<String> {
    let mut lines = Vec::new();
    for (which, (config, sellers)) in configs.iter().zip(totals).enumerate() {
        for (n, portfolio) in sellers.chunks(40).enumerate() {
            let am = AmId::new(1 + n as i64).unwrap();
            let previous = rng.chance(80).then(|| rng.decimal(10_000, 2));
            let revenue = rng.chance(80).then(|| {
                let target = if rng.chance(5) {
                    Decimal::ZERO
                } else {
                    rng.decimal(900_000_000, 0)
                };
                RevenueRecord::new(am, period("2026-02"), target, rng.decimal(900_000_000, 1))
                    .unwrap()
            });
            let score = score_am_portfolio(
                am,
                period("2026-02"),
                portfolio,
                previous,
                revenue.as_ref(),
                config,
            );
            let json = serde_json::to_string(&score).unwrap();
            lines.push(format!(
                "am {which} {n} {} {} {}",
                figure(score.avg_sos),
                figure(score.kpi),
                digest(&json)
            ));
        }
    }
    lines
}

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

#[test]
fn the_engine_reproduces_the_frozen_corpus() {
    let lines = seller_lines();
    the_corpus_reaches_every_branch(&lines);
    let shards: Vec<String> = lines
        .chunks(SHARD)
        .map(|chunk| chunk.join("\n") + "\n")
        .collect();
    if std::env::var_os("SOS_UPDATE_CORPUS").is_some() {
        std::fs::create_dir_all(corpus_dir()).unwrap();
        for (n, shard) in shards.iter().enumerate() {
            std::fs::write(corpus_dir().join(format!("results-{n}.txt")), shard).unwrap();
        }
        return;
    }
    let mut mismatches = Vec::new();
    for (n, shard) in shards.iter().enumerate() {
        let path = corpus_dir().join(format!("results-{n}.txt"));
        let frozen = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; regenerate with SOS_UPDATE_CORPUS=1",
                path.display()
            )
        });
        for (now, then) in shard.lines().zip(frozen.lines()) {
            if now != then {
                mismatches.push(format!("now:    {now}\nfrozen: {then}"));
            }
        }
        assert_eq!(
            shard.lines().count(),
            frozen.lines().count(),
            "{}: line count",
            path.display()
        );
    }
    assert!(
        mismatches.is_empty(),
        "{} results differ from the frozen corpus; the first ones:\n{}",
        mismatches.len(),
        mismatches
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The frozen figures only protect what the corpus exercises: count what it reaches.
fn the_corpus_reaches_every_branch(lines: &[String]) {
    let sellers: Vec<Vec<&str>> = lines
        .iter()
        .filter(|l| !l.starts_with("am "))
        .map(|l| l.split(' ').collect())
        .collect();
    assert_eq!(sellers.len(), SELLERS);
    let tiers: std::collections::BTreeSet<&str> = sellers.iter().map(|s| s[2]).collect();
    for tier in [
        "Platinum",
        "Gold",
        "Gold_Plus",
        "Silver",
        "Bronze",
        "Warning",
        "-",
    ] {
        assert!(tiers.contains(tier), "no seller in tier {tier}: {tiers:?}");
    }
    for (column, name) in [(4, "P"), (5, "O"), (6, "T"), (7, "F"), (8, "I")] {
        let scored = sellers.iter().filter(|s| s[column] != "-").count();
        let fractional = sellers
            .iter()
            .filter(|s| s[column].contains('.') && !s[column].ends_with(".00"))
            .count();
        let zero = sellers.iter().filter(|s| s[column] == "0.00").count();
        assert!(
            scored > SELLERS / 2 && scored < SELLERS,
            "{name}: {scored} scored"
        );
        assert!(zero > 0, "{name}: no zero score");
        assert!(fractional > 0, "{name}: no fractional score");
    }
    let ams = lines.iter().filter(|l| l.starts_with("am ")).count();
    assert!(ams >= 7 * 70, "{ams} AM portfolios");
    // Results are JSON as the API writes them: a sample reads back to the same text.
    let config = config_with_ids();
    let result = Scorer::new(&config).score(None, &seed_inputs());
    let json = serde_json::to_string(&result).unwrap();
    let back: sos_domain::ScoreResult = serde_json::from_str(&json).unwrap();
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
}
