//! Cases of `scoring-rules.md` worked out by hand with fractional rules and at the edges the
//! other tests do not reach. Figures are compared as text, so their scale is checked too.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rust_decimal::Decimal;
use serde_json::json;
use sos_domain::{
    config::{ConfigId, Resolved, ResolvedConfig, TierConfig},
    inputs::{OrderStats, SellerInputs, TicketStats},
    scoring::{grace::GraceReason, p::PExplanation},
    surcharge::{Condition, SurchargeAction, SurchargeRule},
    Component, ScoreResult, Scorer, TierName,
};

fn text(value: Option<Decimal>) -> String {
    value.map_or_else(|| "N/A".to_owned(), |v| v.to_string())
}

fn score(inputs: &SellerInputs, config: &ResolvedConfig) -> ScoreResult {
    Scorer::new(config).score(None, inputs)
}

fn score_of(result: &ScoreResult, c: Component) -> String {
    text(result.component_score(c))
}

fn p_explanation(result: &ScoreResult) -> &PExplanation {
    result.components.p_score.explanation.as_p().unwrap()
}

#[test]
fn o_with_a_fractional_tolerance_and_penalty() {
    // 10 late of 150: 6.666..% late, 4.166..% over 2.5, 4 whole points at 7.5: 100 - 30 = 70.
    let mut config = config_with_ids();
    config.o_score.value.acceptable_late_pct = d("2.5");
    config.o_score.value.penalty_per_1pct_over = d("7.5");
    let result = score(&seed_inputs(), &config);
    let o = result.components.o_score.explanation.as_o().unwrap();
    assert_eq!(text(o.over), "4.1666666666666666666666666667");
    assert_eq!(text(o.whole_points_over), "4");
    assert_eq!(text(o.penalty), "30.0");
    assert_eq!(score_of(&result, Component::O), "70.00");
}

#[test]
fn orders_late_wins_over_total_minus_within_when_they_disagree() {
    // 130 within and 10 late of 150: the late count says 10 (6.67%: O 85.00), not 20 (13.33%).
    let mut inputs = seed_inputs();
    inputs.orders = Some(OrderStats::new(150, Some(130), Some(10), None).unwrap());
    let result = score(&inputs, &config_with_ids());
    assert_eq!(
        result.components.o_score.explanation.as_o().unwrap().late,
        Some(10)
    );
    assert_eq!(score_of(&result, Component::O), "85.00");
}

#[test]
fn p_with_a_fractional_daily_penalty() {
    // Deadline 2026-01-31, first sent 2026-02-02: 2 days late at 7.5 a day, 50 - 15 = 35;
    // accuracy 50 (forecast 5000 for 4800, +4.17%): 85.00.
    let mut config = config_with_ids();
    config.p_score_major.value.late_penalty_per_day = d("7.5");
    let mut inputs = seed_inputs();
    inputs.campaigns = vec![major_campaign(
        vec![forecast(1, "2026-02-02T10:00:00Z", 5000)],
        Some(4800),
    )];
    let result = score(&inputs, &config);
    let campaign = &p_explanation(&result).campaigns[0];
    assert_eq!(campaign.days_late, Some(2));
    assert_eq!(text(campaign.timeliness), "35.0");
    assert_eq!(score_of(&result, Component::P), "85.00");
}

#[test]
fn p_lateness_counts_the_utc_date_of_an_offset_timestamp() {
    // 05:00 on 1 February at +07:00 is 22:00 on 31 January UTC: on the deadline, not late.
    let mut inputs = seed_inputs();
    inputs.campaigns = vec![major_campaign(
        vec![forecast(1, "2026-02-01T05:00:00+07:00", 5000)],
        Some(4800),
    )];
    let result = score(&inputs, &config_with_ids());
    let campaign = &p_explanation(&result).campaigns[0];
    assert_eq!(campaign.days_late, Some(0));
    assert_eq!(text(campaign.timeliness), "50");
    assert_eq!(score_of(&result, Component::P), "100.00");
}

#[test]
fn p_judges_the_last_version_sent_before_the_start_midnight() {
    // Version 2 (9000 for 4800: +87.5%, 77.5 beyond 10, 7 bands: accuracy 0) is judged when
    // sent a second before 2026-02-14 00:00 UTC, and not when sent at that very instant.
    let campaign = |second_sent_at: &str| {
        let mut inputs = seed_inputs();
        inputs.campaigns = vec![major_campaign(
            vec![
                forecast(1, "2026-01-20T00:00:00Z", 5000),
                forecast(2, second_sent_at, 9000),
            ],
            Some(4800),
        )];
        let result = score(&inputs, &config_with_ids());
        let c = p_explanation(&result).campaigns[0].clone();
        (
            c.judged_version,
            text(c.accuracy),
            score_of(&result, Component::P),
        )
    };
    assert_eq!(
        campaign("2026-02-13T23:59:59Z"),
        (Some(2), "0".to_owned(), "50.00".to_owned())
    );
    assert_eq!(
        campaign("2026-02-14T00:00:00Z"),
        (Some(1), "50".to_owned(), "100.00".to_owned())
    );
}

#[test]
fn i_with_a_fractional_base_and_multiplier() {
    // Used 15%: (15 - 5.5) / 5 = 1.9, one whole band, 10 points; severe 35% >= 30 multiplies
    // it by 1.25: 100 - 12.50 = 87.50. Without severe aging: 90.00.
    let mut config = config_with_ids();
    config.i_score.value.base_good_pct = d("5.5");
    config.i_score.value.severe_storage_multiplier = d("1.25");
    let mut inputs = seed_inputs();
    assert_eq!(score_of(&score(&inputs, &config), Component::I), "90.00");
    let mut draft = seed_inventory_draft();
    draft.aging_over_180d_pct = Some(d("35"));
    inputs.inventory = Some(inventory(draft));
    let result = score(&inputs, &config);
    let i = result.components.i_score.explanation.as_i().unwrap();
    assert_eq!(text(i.steps), "1");
    assert_eq!(text(i.penalty), "12.50");
    assert_eq!(score_of(&result, Component::I), "87.50");
}

#[test]
fn t_band_bounds_of_three_and_a_half_hours() {
    // Bands [0, 3.5) 100, [3.5, 8) 87.5, [8, 16.25) 42.25, [16.25, -) 0: an average of exactly
    // 3.5 h is in the second band, 3.49 h in the first.
    let config = fractional_config();
    let average = |hours: &str| {
        let mut inputs = seed_inputs();
        inputs.tickets = Some(TicketStats::new(Some(25), Some(d(hours)), None).unwrap());
        score_of(&score(&inputs, &config), Component::T)
    };
    assert_eq!(average("3.5"), "87.50");
    assert_eq!(average("3.49"), "100.00");
    // The breakdown's 16 h bucket falls below 16.25: (1800 + 350 + 84.5 + 42.25) / 25 = 91.07.
    assert_eq!(
        score_of(&score(&seed_inputs(), &config), Component::T),
        "91.07"
    );
}

#[test]
fn a_fractional_weight_in_the_total() {
    // P 100.00 x 25.5 + O 69.50 x 19.5 + T 91.07 x 20 + F 91.23 x 20 + I 84.38 x 15
    // = 8816.95, over 100: 88.1695 -> 88.17, Gold from 79.75.
    let result = score(&seed_inputs(), &fractional_config());
    assert_eq!(
        [
            Component::P,
            Component::O,
            Component::T,
            Component::F,
            Component::I
        ]
        .map(|c| score_of(&result, c)),
        ["100.00", "69.50", "91.07", "91.23", "84.38"]
    );
    assert_eq!(text(result.sos_score()), "88.17");
    assert_eq!(result.tier().unwrap().as_str(), "Gold");
}

#[test]
fn reweighting_with_unequal_weights() {
    // Only P (100 at 25) and I (80 at 15): (2500 + 1200) / 40 = 92.50.
    let mut inputs = seed_inputs();
    inputs.orders = None;
    inputs.tickets = None;
    inputs.payments = None;
    let result = score(&inputs, &config_with_ids());
    assert_eq!(text(result.sos_score()), "92.50");
    assert_eq!(result.tier().unwrap().as_str(), "Platinum");
}

#[test]
fn tied_tier_minimums_go_to_the_lowest_order_and_max_never_excludes() {
    let mut config = config_with_ids();
    config.tiers.push(Resolved::from_row(
        ConfigId(400),
        TierConfig {
            tier_name: TierName::parse("Gold Plus").unwrap(),
            tier_order: 0,
            min_sos_score: d("80"),
            max_sos_score: d("80"),
            color_code: None,
            benefits: None,
            restrictions: None,
        },
    ));
    for row in &mut config.tiers {
        row.value.max_sos_score = row.value.min_sos_score;
    }
    // 89.96: Gold (order 2) and Gold Plus (order 0) both start at 80; Gold Plus wins, and its
    // max of 80 does not exclude it. Platinum is next, 0.04 away.
    let result = score(&seed_inputs(), &config);
    assert_eq!(result.tier().unwrap().as_str(), "Gold Plus");
    let next = result.next_tier.clone().unwrap();
    assert_eq!(
        (next.tier.as_str(), next.points_needed.to_string().as_str()),
        ("Platinum", "0.04")
    );
}

#[test]
fn no_order_data_is_not_low_volume() {
    let mut inputs = seed_inputs();
    inputs.orders = None;
    let result = score(&inputs, &config_with_ids());
    assert!(!result.grace.applied);
    assert!(result.grace.reasons.is_empty());
    inputs.orders = Some(orders(10, 0));
    let result = score(&inputs, &config_with_ids());
    assert_eq!(result.grace.reasons, vec![GraceReason::LowVolume]);
}

fn rule(id: i64, condition: serde_json::Value, action: serde_json::Value) -> SurchargeRule {
    SurchargeRule {
        id: Some(ConfigId(id)),
        surcharge_type: "test".into(),
        condition: Condition::parse(&condition).unwrap(),
        action: serde_json::from_value::<SurchargeAction>(action).unwrap(),
    }
}

#[test]
fn every_surcharge_metric_fires_through_the_seller_scorer() {
    // The seed seller: SOS 89.96 Gold, P 100, O 85, T 88.80, F 91, I 80, 6.67% late, 15% aging,
    // 3.4% severe, worst 12 days, 15,000,000 outstanding, month 9, previously Gold.
    let fee = json!({"type": "percent_fee", "fee": "fulfillment", "pct": 2.5});
    let fixed = json!({"type": "fixed_fee", "amount": 500000, "currency": "VND"});
    let mut config = config_with_ids();
    config.surcharges = vec![
        rule(
            1,
            json!({"metric": "sos_score", "op": ">=", "value": 89.96}),
            fee.clone(),
        ),
        rule(
            2,
            json!({"metric": "p_score", "op": "==", "value": 100}),
            fee.clone(),
        ),
        rule(
            3,
            json!({"metric": "o_score", "op": "<", "value": 85.01}),
            fee.clone(),
        ),
        rule(
            4,
            json!({"metric": "t_score", "op": ">", "value": 88.79}),
            fee.clone(),
        ),
        rule(
            5,
            json!({"metric": "f_score", "op": "<=", "value": 91}),
            fee.clone(),
        ),
        rule(
            6,
            json!({"metric": "i_score", "op": "!=", "value": 79}),
            fee.clone(),
        ),
        rule(
            7,
            json!({"metric": "tier", "op": "in", "value": ["Gold", "Silver"]}),
            fee.clone(),
        ),
        rule(
            8,
            json!({"metric": "previous_tier", "op": "==", "value": "Gold"}),
            fee.clone(),
        ),
        rule(
            9,
            json!({"metric": "late_pct", "op": ">", "value": 6.66}),
            fee.clone(),
        ),
        rule(
            10,
            json!({"metric": "aging_pct_used", "op": ">=", "value": 15}),
            fee.clone(),
        ),
        rule(
            11,
            json!({"metric": "aging_over_180d_pct", "op": "<", "value": 3.5}),
            fee.clone(),
        ),
        rule(
            12,
            json!({"metric": "worst_days_late", "op": "==", "value": 12}),
            fixed.clone(),
        ),
        rule(
            13,
            json!({"metric": "total_outstanding_amount", "op": ">=", "value": 15000000}),
            fixed.clone(),
        ),
        rule(
            14,
            json!({"metric": "month_index", "op": "==", "value": 9}),
            json!({"type": "fee_multiplier", "fee": "storage", "value": 1.5}),
        ),
        rule(
            15,
            json!({"not": {"metric": "month_index", "op": "==", "value": 9}}),
            fixed.clone(),
        ),
        rule(
            16,
            json!({"metric": "sos_score", "op": ">", "value": 89.96}),
            fee,
        ),
    ];
    let mut inputs = seed_inputs();
    inputs.previous_tier = Some(TierName::parse("Gold").unwrap());
    let result = score(&inputs, &config);
    let fired: Vec<i64> = result
        .surcharges
        .iter()
        .map(|s| s.rule_id.unwrap().0)
        .collect();
    assert_eq!(fired, (1..=14).collect::<Vec<_>>());
    assert_eq!(
        serde_json::to_value(&result.surcharges[11].action).unwrap(),
        json!({"type": "fixed_fee", "amount": 500000, "currency": "VND"})
    );
}
