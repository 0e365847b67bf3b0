//! `score_seller` end to end: total, tier, next tier, grace, surcharges, config ids, and the
//! stored JSON form. Expected figures are worked by hand in the comments.

// Test helpers may panic: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rust_decimal_macros::dec;
use serde_json::json;
use sos_domain::{
    config::{ConfigId, GracePeriodConfig},
    inputs::{OrderStats, SellerInputs},
    score_seller,
    scoring::{grace::GraceReason, ComponentStatus, NotApplicableReason, ScoreStatus},
    surcharge::SurchargeAction,
    Component, ScoreResult, SellerCode, TierName,
};

fn score(inputs: &SellerInputs) -> ScoreResult {
    score_seller(None, inputs, &default_config())
}

fn tier(name: &str) -> TierName {
    TierName::parse(name).unwrap()
}

fn only_orders(total: u32, late: u32) -> SellerInputs {
    let mut inputs = SellerInputs::empty(period("2026-02"));
    inputs.orders = Some(orders(total, late));
    inputs
}

#[test]
fn seed_seller_totals_89_96_gold() {
    // P 100, O 85, T 88.80, F 91, I 80 with weights 25/20/20/20/15:
    // (25*100 + 20*85 + 20*88.8 + 20*91 + 15*80) / 100 = (2500 + 1700 + 1776 + 1820 + 1200) / 100
    // = 8996 / 100 = 89.96 -> Gold (80 <= 89.96 < 90); Platinum needs 90 - 89.96 = 0.04 more.
    let code = SellerCode::parse("SEL001").unwrap();
    let r = score_seller(Some(&code), &seed_inputs(), &default_config());
    assert_eq!(r.status(), ScoreStatus::Scored);
    assert_eq!(r.sos_score(), Some(dec!(89.96)));
    assert_eq!(r.tier(), Some(&tier("Gold")));
    let scores: Vec<_> = Component::ALL
        .iter()
        .map(|&c| r.component_score(c))
        .collect();
    assert_eq!(
        scores,
        [
            Some(dec!(100)),
            Some(dec!(85)),
            Some(dec!(88.8)),
            Some(dec!(91)),
            Some(dec!(80))
        ]
    );
    let next = r.next_tier.as_ref().unwrap();
    assert_eq!(next.tier, tier("Platinum"));
    assert_eq!(next.points_needed, dec!(0.04));
    assert!(!r.grace.applied);
    assert_eq!(r.grace.month_index, Some(9)); // 2025-06 is month 1, 2026-02 month 9
    assert!(r.surcharges.is_empty());
    assert_eq!(r.seller_code, Some(code));
    assert_eq!(r.component(Component::P).weight_pct, dec!(25));
    assert_eq!(r.component(Component::I).normalized, Some(dec!(80)));
}

#[test]
fn only_present_components_are_weighted() {
    // O 85 and T 88.80, weights 20 and 20: (20*85 + 20*88.8) / 40 = 3476 / 40 = 86.90
    let mut inputs = only_orders(150, 10);
    inputs.tickets = Some(breakdown([18, 4, 2, 1]));
    let r = score(&inputs);
    assert_eq!(r.sos_score(), Some(dec!(86.90)));
    assert_eq!(
        r.component(Component::P).status,
        ComponentStatus::NotApplicable
    );
    assert_eq!(r.component(Component::P).score, None);
    assert_eq!(
        r.component(Component::P).not_applicable_reason,
        Some(NotApplicableReason::NoScoredCampaigns)
    );
}

#[test]
fn total_rounds_half_away_from_zero() {
    // O 85 and T 99.13 (78/1/1/0 tickets): (20*85 + 20*99.13) / 40 = 3682.6 / 40 = 92.065
    // -> 92.07 (banker's rounding would give 92.06)
    let mut inputs = only_orders(150, 10);
    inputs.tickets = Some(breakdown([78, 1, 1, 0]));
    assert_eq!(score(&inputs).sos_score(), Some(dec!(92.07)));
}

#[test]
fn no_data_at_all_is_insufficient() {
    let r = score(&SellerInputs::empty(period("2026-02")));
    assert_eq!(r.status(), ScoreStatus::InsufficientData);
    assert_eq!(r.sos_score(), None);
    assert_eq!(r.tier(), None);
    assert_eq!(r.next_tier, None);
    assert!(Component::ALL
        .iter()
        .all(|&c| r.component_score(c).is_none()));
}

#[test]
fn a_score_exactly_on_a_tier_minimum_reaches_it() {
    // 7 of 100 late: over 4 -> O = 100 - 20 = 80.00 -> SOS 80.00 -> Gold; Platinum needs 10.00
    let r = score(&only_orders(100, 7));
    assert_eq!(r.sos_score(), Some(dec!(80.00)));
    assert_eq!(r.tier(), Some(&tier("Gold")));
    assert_eq!(r.next_tier.as_ref().unwrap().points_needed, dec!(10.00));
    // 100% late -> 0.00 -> Warning (min 0), next Bronze needs 60
    let r = score(&only_orders(100, 100));
    assert_eq!(r.tier(), Some(&tier("Warning")));
    assert_eq!(r.next_tier.as_ref().unwrap().tier, tier("Bronze"));
    // 100 -> Platinum, nothing above
    let r = score(&only_orders(100, 0));
    assert_eq!(r.tier(), Some(&tier("Platinum")));
    assert_eq!(r.next_tier, None);
}

#[test]
fn normalization_uses_the_weight_rows_max_points() {
    // O max 50: 0 late -> 100 raw -> clamped 50.00 -> normalized 100; T 88.80 normalized 88.8.
    // (20*100 + 20*88.8) / 40 = 94.40
    let mut cfg = default_config();
    cfg.weights.o_score.value.max_points = dec!(50);
    let mut inputs = only_orders(100, 0);
    inputs.tickets = Some(breakdown([18, 4, 2, 1]));
    let r = score_seller(None, &inputs, &cfg);
    assert_eq!(r.component_score(Component::O), Some(dec!(50.00)));
    assert_eq!(r.component(Component::O).normalized, Some(dec!(100)));
    assert_eq!(r.sos_score(), Some(dec!(94.40)));
}

// ---------------------------------------------------------------- grace

/// 100 orders, 10 late: 10% -> over 7 -> O = 65.00, below the floor of 70.
fn onboarded(on: chrono::NaiveDate) -> SellerInputs {
    let mut inputs = only_orders(100, 10);
    inputs.onboarded_at = Some(on);
    inputs
}

#[test]
fn new_seller_grace_covers_months_1_and_2() {
    for (on, month) in [(date(2026, 2, 5), 1), (date(2026, 1, 31), 2)] {
        let r = score(&onboarded(on));
        assert_eq!(r.grace.month_index, Some(month));
        assert!(r.grace.applied, "month {month}");
        assert_eq!(r.grace.reasons, [GraceReason::NewSeller]);
        assert_eq!(r.grace.raised_components, [Component::O]);
        let o = r.component(Component::O);
        assert_eq!(o.score_before_grace, Some(dec!(65.00)));
        assert_eq!(o.score, Some(dec!(70.00)));
        assert_eq!(r.sos_score(), Some(dec!(70.00)));
    }
    // month 3 (onboarded 2025-12): no grace with the default 2 months
    let r = score(&onboarded(date(2025, 12, 1)));
    assert_eq!(r.grace.month_index, Some(3));
    assert!(!r.grace.applied);
    assert_eq!(r.component_score(Component::O), Some(dec!(65.00)));
    // onboarded after the period: month 0, no grace
    let r = score(&onboarded(date(2026, 3, 10)));
    assert_eq!(r.grace.month_index, Some(0));
    assert!(!r.grace.applied);
}

#[test]
fn low_volume_grace_is_below_the_threshold_only() {
    // T all over 16 h -> 0.00, raised to 70 in grace; O has nothing late -> 100.
    let with_orders = |total| {
        let mut inputs = only_orders(total, 0);
        inputs.onboarded_at = Some(date(2024, 1, 1));
        inputs.tickets = Some(breakdown([0, 0, 0, 5]));
        score(&inputs)
    };
    let r = with_orders(29);
    assert_eq!(r.grace.reasons, [GraceReason::LowVolume]);
    assert_eq!(r.grace.raised_components, [Component::T]);
    assert_eq!(r.component_score(Component::T), Some(dec!(70.00)));
    for total in [30, 31] {
        let r = with_orders(total);
        assert!(!r.grace.applied, "{total} orders");
        assert_eq!(r.component_score(Component::T), Some(dec!(0.00)));
    }
}

#[test]
fn both_grace_reasons_are_reported() {
    let mut inputs = onboarded(date(2026, 2, 1));
    inputs.orders = Some(orders(20, 2));
    let r = score(&inputs);
    assert_eq!(
        r.grace.reasons,
        [GraceReason::NewSeller, GraceReason::LowVolume]
    );
}

#[test]
fn grace_applies_only_to_the_listed_components() {
    // O 65 -> 70 (listed); T 0 stays (not listed).
    let mut cfg = default_config();
    cfg.grace.value = GracePeriodConfig {
        apply_to_components: Some(vec![Component::O]),
        ..GracePeriodConfig::default()
    };
    let mut inputs = onboarded(date(2026, 2, 1));
    inputs.tickets = Some(breakdown([0, 0, 0, 5]));
    let r = score_seller(None, &inputs, &cfg);
    assert_eq!(r.grace.raised_components, [Component::O]);
    assert_eq!(r.component_score(Component::O), Some(dec!(70.00)));
    assert_eq!(r.component_score(Component::T), Some(dec!(0.00)));
    // (20*70 + 20*0) / 40 = 35.00
    assert_eq!(r.sos_score(), Some(dec!(35.00)));
}

#[test]
fn grace_never_invents_a_component_nor_passes_max_points() {
    let r = score(&onboarded(date(2026, 2, 1)));
    for c in [Component::P, Component::T, Component::F, Component::I] {
        assert_eq!(r.component_score(c), None, "{c}");
        assert_eq!(r.component(c).status, ComponentStatus::NotApplicable);
    }
    // O max 60; 20 of 100 late -> over 17 -> raw 15 -> 15.00; floor 70 capped at 60 -> 60.00
    let mut cfg = default_config();
    cfg.weights.o_score.value.max_points = dec!(60);
    let mut inputs = only_orders(100, 20);
    inputs.onboarded_at = Some(date(2026, 2, 1));
    let r = score_seller(None, &inputs, &cfg);
    assert_eq!(
        r.component(Component::O).score_before_grace,
        Some(dec!(15.00))
    );
    assert_eq!(r.component_score(Component::O), Some(dec!(60.00)));
    assert_eq!(r.sos_score(), Some(dec!(100.00)));
}

#[test]
fn grace_leaves_scores_above_the_floor() {
    let r = score(&{
        let mut i = seed_inputs();
        i.onboarded_at = Some(date(2026, 2, 1));
        i
    });
    assert!(r.grace.applied);
    assert!(r.grace.raised_components.is_empty());
    assert_eq!(r.sos_score(), Some(dec!(89.96)));
}

// ---------------------------------------------------------------- surcharges

#[test]
fn severe_aging_triggers_the_storage_multiplier() {
    let cfg = config_with_ids();
    let mut inputs = seed_inputs();
    let mut draft = seed_inventory_draft();
    draft.aging_over_180d_pct = Some(dec!(30));
    inputs.inventory = Some(inventory(draft));
    let r = score_seller(None, &inputs, &cfg);
    assert_eq!(r.surcharges.len(), 1);
    let s = &r.surcharges[0];
    assert_eq!(s.rule_id, Some(ConfigId(1000)));
    assert_eq!(s.surcharge_type, "storage");
    assert_eq!(
        s.action,
        SurchargeAction::FeeMultiplier {
            fee: "storage".into(),
            value: dec!(1.5)
        }
    );
    // 29.99% does not trigger
    let mut draft = seed_inventory_draft();
    draft.aging_over_180d_pct = Some(dec!(29.99));
    inputs.inventory = Some(inventory(draft));
    assert!(score_seller(None, &inputs, &cfg).surcharges.is_empty());
}

#[test]
fn two_warning_months_trigger_the_fulfillment_fee() {
    // 100% late -> O 0.00 -> SOS 0.00 -> Warning
    let mut inputs = only_orders(100, 100);
    inputs.previous_tier = Some(tier("Warning"));
    let r = score(&inputs);
    assert_eq!(r.tier(), Some(&tier("Warning")));
    assert_eq!(r.surcharges.len(), 1);
    assert_eq!(r.surcharges[0].surcharge_type, "fulfillment");
    assert_eq!(
        r.surcharges[0].action,
        SurchargeAction::PercentFee {
            fee: "fulfillment".into(),
            pct: dec!(5)
        }
    );
    inputs.previous_tier = Some(tier("Silver"));
    assert!(score(&inputs).surcharges.is_empty());
    inputs.previous_tier = None;
    assert!(score(&inputs).surcharges.is_empty());
}

fn late_payments(worst_days_late: i32) -> sos_domain::inputs::PaymentStats {
    sos_domain::inputs::PaymentStats::new(sos_domain::inputs::PaymentStatsDraft {
        total_invoices: 3,
        invoices_on_time: Some(2),
        invoices_late_over_20: 1,
        worst_days_late: Some(worst_days_late),
        total_outstanding_amount: Some(dec!(2000000)),
        currency: Some("VND".into()),
        ..Default::default()
    })
    .unwrap()
}

#[test]
fn an_invoice_more_than_30_days_late_blocks_orders() {
    let cfg = config_with_ids();
    let mut inputs = seed_inputs();
    inputs.payments = Some(late_payments(45));
    let r = score_seller(None, &inputs, &cfg);
    assert_eq!(r.surcharges.len(), 1);
    let s = &r.surcharges[0];
    assert_eq!(s.rule_id, Some(ConfigId(1002)));
    assert_eq!(s.surcharge_type, "orders");
    assert_eq!(
        s.action,
        SurchargeAction::BlockOrders {
            reason: "An invoice is more than 30 days late".into()
        }
    );
    assert_eq!(
        serde_json::to_value(s).unwrap(),
        json!({"rule_id": 1002, "surcharge_type": "orders",
               "action": {"type": "block_orders", "reason": "An invoice is more than 30 days late"}})
    );
    // 31 days blocks, 30 days does not (the rule is `> 30`), nor does a period without figures.
    inputs.payments = Some(late_payments(31));
    assert_eq!(score_seller(None, &inputs, &cfg).surcharges.len(), 1);
    inputs.payments = Some(late_payments(30));
    assert!(score_seller(None, &inputs, &cfg).surcharges.is_empty());
    inputs.payments = None;
    assert!(score_seller(None, &inputs, &cfg).surcharges.is_empty());
}

// ---------------------------------------------------------------- config ids and JSON

#[test]
fn every_config_row_used_is_recorded() {
    let cfg = config_with_ids();
    let r = score_seller(None, &seed_inputs(), &cfg);
    let ids = &r.config_ids;
    assert_eq!(ids.score_weights.p_score, Some(ConfigId(1)));
    assert_eq!(ids.tiers.to_vec(), [6, 7, 8, 9, 10].map(ConfigId));
    assert_eq!(ids.p_score.major_campaign, Some(ConfigId(11)));
    assert_eq!(ids.o_score, Some(ConfigId(13)));
    assert_eq!(ids.t_score.len(), 4);
    assert_eq!(ids.f_score.len(), 5);
    assert_eq!(
        ids.surcharges.to_vec(),
        [ConfigId(1000), ConfigId(1001), ConfigId(1002)]
    );
    let o = r.component(Component::O).explanation.as_o().unwrap();
    assert_eq!(o.config.id, Some(ConfigId(13)));
    let p = r.component(Component::P).explanation.as_p().unwrap();
    assert_eq!(p.campaigns[0].config_id, Some(ConfigId(11)));
    // built-in defaults record no ids
    let r = score(&seed_inputs());
    assert!(r.config_ids.tiers.is_empty());
    assert_eq!(r.config_ids.o_score, None);
}

#[test]
fn the_result_has_the_contract_shape() {
    let code = SellerCode::parse("SEL001").unwrap();
    let r = score_seller(Some(&code), &seed_inputs(), &default_config());
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["seller_code"], json!("SEL001"));
    assert_eq!(v["period"], json!("2026-02"));
    assert_eq!(v["status"], json!("scored"));
    assert_eq!(serde_json::to_string(&v["sos_score"]).unwrap(), "89.96");
    assert_eq!(v["tier"], json!("Gold"));
    assert_eq!(v["components"]["p_score"]["status"], json!("scored"));
    assert_eq!(
        serde_json::to_string(&v["components"]["o_score"]["score"]).unwrap(),
        "85.00"
    );
    assert_eq!(
        serde_json::to_string(&v["components"]["t_score"]["score"]).unwrap(),
        "88.80"
    );
    assert_eq!(v["components"]["o_score"]["explanation"]["late"], json!(10));
    assert_eq!(v["grace"]["applied"], json!(false));
    assert_eq!(v["grace"]["reasons"], json!([]));
    assert_eq!(v["next_tier"]["tier"], json!("Platinum"));
    assert_eq!(v["surcharges"], json!([]));
    assert!(v["config_ids"].is_object());
    let empty = serde_json::to_value(score(&SellerInputs::empty(period("2026-02")))).unwrap();
    assert_eq!(empty["status"], json!("insufficient_data"));
    assert_eq!(empty["sos_score"], json!(null));
    assert_eq!(empty["tier"], json!(null));
    assert_eq!(
        empty["components"]["o_score"]["status"],
        json!("not_applicable")
    );
    assert_eq!(empty["components"]["o_score"]["score"], json!(null));
    assert_eq!(
        empty["components"]["o_score"]["not_applicable_reason"],
        json!("no_data")
    );
}

#[test]
fn results_read_back_exactly_from_json() {
    let cfg = config_with_ids();
    let code = SellerCode::parse("SEL001").unwrap();
    let mut in_grace = onboarded(date(2026, 2, 1));
    in_grace.previous_tier = Some(tier("Warning"));
    let mut severe = seed_inputs();
    let mut draft = seed_inventory_draft();
    draft.aging_over_180d_pct = Some(dec!(35));
    severe.inventory = Some(inventory(draft));
    severe.tickets =
        Some(sos_domain::inputs::TicketStats::new(Some(3), Some(dec!(5.5)), None).unwrap());
    severe.orders = Some(OrderStats::new(0, None, None, None).unwrap());
    let mut pending = seed_inputs();
    pending.campaigns.push(major_campaign(
        vec![forecast(1, "2026-02-20T00:00:00Z", 7)],
        None,
    ));
    for inputs in [
        seed_inputs(),
        SellerInputs::empty(period("2026-02")),
        in_grace,
        severe,
        pending,
    ] {
        let r = score_seller(Some(&code), &inputs, &cfg);
        let text = serde_json::to_string(&r).unwrap();
        let back: ScoreResult = serde_json::from_str(&text).unwrap();
        assert_eq!(back, r);
        // and byte for byte, scales included
        assert_eq!(serde_json::to_string(&back).unwrap(), text);
        // through a JSON value too, as a JSONB column gives it back
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let back: ScoreResult = serde_json::from_value(value).unwrap();
        assert_eq!(back, r);
    }
}
