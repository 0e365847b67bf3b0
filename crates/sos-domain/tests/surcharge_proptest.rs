//! Properties of the rule language: parsing never panics on any JSON, and what parses prints
//! back to JSON that parses to the same rule.

// Test helpers may panic: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use serde_json::{Map, Number, Value};
use sos_domain::config::{ConfigDraft, ConfigType};
use sos_domain::surcharge::{Condition, MetricValues, SurchargeAction};
use std::str::FromStr;

const KEYS: &[&str] = &[
    "all", "any", "not", "metric", "op", "value", "type", "fee", "pct", "amount", "currency",
];
const WORDS: &[&str] = &[
    "sos_score",
    "tier",
    "previous_tier",
    "month_index",
    "aging_over_180d_pct",
    "Warning",
    "Gold",
    "<",
    "<=",
    ">",
    ">=",
    "==",
    "!=",
    "in",
    "fee_multiplier",
    "fixed_fee",
    "percent_fee",
    "VND",
    "storage",
    "",
];

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        // Any JSON number text, including ones no decimal can hold (1e400, 40 decimals).
        "-?(0|[1-9][0-9]{0,40})(\\.[0-9]{1,40})?([eE][-+]?[0-9]{1,4})?"
            .prop_filter_map("valid JSON number", |t| Number::from_str(&t)
                .ok()
                .map(Value::Number)),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        prop::sample::select(WORDS).prop_map(|w| Value::String(w.to_owned())),
        ".{0,12}".prop_map(Value::String),
    ]
}

/// Arbitrary JSON trees, biased towards the keys and words of the grammar.
fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(8, 96, 6, |inner| {
        let key = prop_oneof![
            4 => prop::sample::select(KEYS).prop_map(str::to_owned),
            1 => "[a-z_]{0,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key, inner), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// JSON for valid conditions, so round trips see more than leaves.
fn valid_condition() -> impl Strategy<Value = Value> {
    let numeric = prop::sample::select(
        &[
            "sos_score",
            "p_score",
            "o_score",
            "t_score",
            "f_score",
            "i_score",
            "late_pct",
            "aging_pct_used",
            "aging_over_180d_pct",
            "worst_days_late",
            "total_outstanding_amount",
            "month_index",
        ][..],
    );
    let num_op = prop::sample::select(&["<", "<=", ">", ">=", "==", "!="][..]);
    let tier_name = prop::sample::select(&["Platinum", "Gold", "Silver", "Bronze", "Warning"][..]);
    let num_cmp = (numeric.clone(), num_op, number())
        .prop_map(|(m, o, v)| serde_json::json!({"metric": m, "op": o, "value": v}));
    let num_in = (numeric, prop::collection::vec(number(), 1..4))
        .prop_map(|(m, v)| serde_json::json!({"metric": m, "op": "in", "value": v}));
    let tier_cmp = (
        prop::sample::select(&["tier", "previous_tier"][..]),
        prop::sample::select(&["==", "!="][..]),
        tier_name.clone(),
    )
        .prop_map(|(m, o, v)| serde_json::json!({"metric": m, "op": o, "value": v}));
    let tier_in = prop::collection::vec(tier_name, 1..4)
        .prop_map(|v| serde_json::json!({"metric": "tier", "op": "in", "value": v}));
    prop_oneof![num_cmp, num_in, tier_cmp, tier_in].prop_recursive(5, 40, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(|v| serde_json::json!({"all": v})),
            prop::collection::vec(inner.clone(), 1..4).prop_map(|v| serde_json::json!({"any": v})),
            inner.prop_map(|c| serde_json::json!({"not": c})),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parsing_never_panics_and_round_trips(v in json_value()) {
        if let Ok(c) = Condition::parse(&v) {
            prop_assert_eq!(Condition::parse(&c.to_json()), Ok(c.clone()));
            let _ = c.evaluate(&MetricValues::default());
        }
        if let Ok(a) = SurchargeAction::parse(&v) {
            prop_assert_eq!(SurchargeAction::parse(&a.to_json()), Ok(a));
        }
        // Whole config bodies never panic either, whatever the type.
        for t in ConfigType::ALL {
            let _ = ConfigDraft::parse(t, &v);
        }
    }

    #[test]
    fn valid_conditions_parse_and_round_trip(v in valid_condition()) {
        match Condition::parse(&v) {
            Ok(c) => {
                prop_assert_eq!(Condition::parse(&c.to_json()), Ok(c.clone()));
                let _ = c.evaluate(&MetricValues::default());
            }
            // Only numbers a decimal cannot hold may be refused.
            Err(e) => prop_assert!(
                e.errors().iter().all(|f| f.message.contains("outside the supported decimal range")),
                "{:?}", e
            ),
        }
    }

    #[test]
    fn condition_fields_never_panic_in_a_surcharge_body(cond in json_value(), action in json_value()) {
        let body = serde_json::json!({
            "surcharge_type": "storage", "trigger_condition": cond, "action": action,
            "effective_from": "2026-01-01"
        });
        if let Ok(d) = ConfigDraft::parse(ConfigType::Surcharge, &body) {
            prop_assert_eq!(ConfigDraft::parse(ConfigType::Surcharge, &d.to_json()), Ok(d));
        }
    }
}
