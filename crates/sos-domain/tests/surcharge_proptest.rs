//! Properties of the rule language: parsing never panics on any JSON, and what parses prints
//! back to JSON that parses to the same rule.

// Test helpers may panic: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use serde_json::{Map, Number, Value};
use sos_domain::config::{ConfigDraft, ConfigType};
use sos_domain::surcharge::{Condition, MetricValues, SurchargeAction};
use sos_domain::{Decimal, TierName};
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

const TIERS: &[&str] = &["Platinum", "Gold", "Silver", "Bronze", "Warning"];

/// A seller's figures: each metric N/A or a small decimal (so comparisons go either way against
/// small rule values), tiers N/A or a tier name.
fn metric_values() -> impl Strategy<Value = MetricValues> {
    let figure = prop::option::of((-2000i64..2000, 0u32..3).prop_map(|(m, s)| Decimal::new(m, s)));
    let tier =
        prop::option::of(prop::sample::select(TIERS).prop_map(|t| TierName::parse(t).unwrap()));
    (prop::collection::vec(figure, 12), tier.clone(), tier).prop_map(|(f, tier, previous_tier)| {
        MetricValues {
            sos_score: f[0],
            p_score: f[1],
            o_score: f[2],
            t_score: f[3],
            f_score: f[4],
            i_score: f[5],
            tier,
            previous_tier,
            late_pct: f[6],
            aging_pct_used: f[7],
            aging_over_180d_pct: f[8],
            worst_days_late: f[9],
            total_outstanding_amount: f[10],
            month_index: f[11],
        }
    })
}

/// The rule language read a second time, straight from a condition's JSON: what `evaluate`
/// must answer. A comparison against an N/A metric, or of a number with a name, is false; `in`
/// holds when any listed value is equal; a list with another operator never holds.
fn expected(c: &Value, m: &MetricValues) -> bool {
    let o = c.as_object().unwrap();
    if let Some(parts) = o.get("all") {
        return parts.as_array().unwrap().iter().all(|p| expected(p, m));
    }
    if let Some(parts) = o.get("any") {
        return parts.as_array().unwrap().iter().any(|p| expected(p, m));
    }
    if let Some(inner) = o.get("not") {
        return !expected(inner, m);
    }
    let figure = |v: Option<Decimal>| v.map(Ok::<Decimal, &str>);
    let actual: Option<Result<Decimal, &str>> = match o["metric"].as_str().unwrap() {
        "sos_score" => figure(m.sos_score),
        "p_score" => figure(m.p_score),
        "o_score" => figure(m.o_score),
        "t_score" => figure(m.t_score),
        "f_score" => figure(m.f_score),
        "i_score" => figure(m.i_score),
        "tier" => m.tier.as_ref().map(|t| Err(t.as_str())),
        "previous_tier" => m.previous_tier.as_ref().map(|t| Err(t.as_str())),
        "late_pct" => figure(m.late_pct),
        "aging_pct_used" => figure(m.aging_pct_used),
        "aging_over_180d_pct" => figure(m.aging_over_180d_pct),
        "worst_days_late" => figure(m.worst_days_late),
        "total_outstanding_amount" => figure(m.total_outstanding_amount),
        "month_index" => figure(m.month_index),
        other => panic!("a parsed condition names metric {other}"),
    };
    let Some(actual) = actual else { return false };
    let holds = |op: &str, v: &Value| match (actual, v) {
        (Ok(a), Value::Number(n)) => {
            let t = n.to_string();
            let b = if t.contains(['e', 'E']) {
                Decimal::from_scientific(&t)
            } else {
                Decimal::from_str_exact(&t)
            }
            .unwrap();
            match op {
                "<" => a < b,
                "<=" => a <= b,
                ">" => a > b,
                ">=" => a >= b,
                "==" | "in" => a == b,
                "!=" => a != b,
                other => panic!("a parsed condition has operator {other}"),
            }
        }
        (Err(a), Value::String(b)) => match op {
            "==" | "in" => a == b,
            "!=" => a != b,
            _ => false,
        },
        _ => false,
    };
    match (o["op"].as_str().unwrap(), &o["value"]) {
        ("in", Value::Array(items)) => items.iter().any(|i| holds("in", i)),
        (_, Value::Array(_)) => false,
        (op, v) => holds(op, v),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn parsing_never_panics_and_round_trips(v in json_value(), m in metric_values()) {
        if let Ok(c) = Condition::parse(&v) {
            prop_assert_eq!(Condition::parse(&c.to_json()), Ok(c.clone()));
            prop_assert_eq!(c.evaluate(&m), expected(&c.to_json(), &m), "{} on {:?}", c.to_json(), m);
            prop_assert_eq!(
                c.evaluate(&MetricValues::default()),
                expected(&c.to_json(), &MetricValues::default())
            );
        }
        if let Ok(a) = SurchargeAction::parse(&v) {
            prop_assert_eq!(SurchargeAction::parse(&a.to_json()), Ok(a));
        }
        // Whole config bodies never panic either, whatever the type: what parses round-trips,
        // what does not says why.
        for t in ConfigType::ALL {
            match ConfigDraft::parse(t, &v) {
                Ok(d) => prop_assert_eq!(ConfigDraft::parse(t, &d.to_json()), Ok(d)),
                Err(e) => prop_assert!(
                    !e.errors().is_empty() && e.errors().iter().all(|f| !f.message.is_empty()),
                    "{:?}", e
                ),
            }
        }
    }

    #[test]
    fn valid_conditions_parse_and_round_trip(v in valid_condition(), m in metric_values()) {
        match Condition::parse(&v) {
            Ok(c) => {
                prop_assert_eq!(Condition::parse(&c.to_json()), Ok(c.clone()));
                prop_assert_eq!(c.evaluate(&m), expected(&c.to_json(), &m), "{} on {:?}", c.to_json(), m);
                // Every metric N/A: each comparison is false, so only `not` can make it hold.
                prop_assert_eq!(
                    c.evaluate(&MetricValues::default()),
                    expected(&c.to_json(), &MetricValues::default())
                );
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
