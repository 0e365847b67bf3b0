//! The surcharge rule language: every operator, the combinators, N/A metrics, tier metrics, and
//! every parse error with its path.

// Test helpers may panic: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{json, Value};
use sos_domain::config::{default_surcharge_rules, ConfigId};
use sos_domain::surcharge::{
    evaluate_rules, Condition, MetricValues, SurchargeAction, SurchargeRule, MAX_CONDITION_DEPTH,
};
use sos_domain::{TierName, ValidationErrors};

fn cond(v: Value) -> Condition {
    Condition::parse(&v).unwrap_or_else(|e| panic!("{v}: {e:?}"))
}

fn cond_err(v: Value) -> ValidationErrors {
    Condition::parse(&v).unwrap_err()
}

fn action_err(v: Value) -> ValidationErrors {
    SurchargeAction::parse(&v).unwrap_err()
}

fn fields(e: &ValidationErrors) -> Vec<&str> {
    e.errors().iter().map(|f| f.field.as_str()).collect()
}

fn message<'a>(e: &'a ValidationErrors, field: &str) -> &'a str {
    e.errors()
        .iter()
        .find(|f| f.field == field)
        .map(|f| f.message.as_str())
        .unwrap_or_else(|| panic!("no `{field}` in {:?}", e.errors()))
}

fn tier(name: &str) -> Option<TierName> {
    Some(TierName::parse(name).unwrap())
}

fn seller() -> MetricValues {
    MetricValues {
        sos_score: Some(dec!(72.5)),
        o_score: Some(dec!(85)),
        tier: tier("Silver"),
        previous_tier: tier("Warning"),
        aging_over_180d_pct: Some(dec!(30)),
        month_index: Some(dec!(3)),
        ..MetricValues::default()
    }
}

fn holds(v: Value) -> bool {
    cond(v).evaluate(&seller())
}

// ---------------------------------------------------------------------------------------------
// Operators.

#[test]
fn every_numeric_operator_true_and_false() {
    let cases = [
        ("<", 73.0, 72.0),
        ("<=", 72.5, 72.0),
        (">", 72.0, 73.0),
        (">=", 72.5, 73.0),
        ("==", 72.5, 72.0),
        ("!=", 72.0, 72.5),
    ];
    for (op, yes, no) in cases.map(|(op, y, n)| (op, json!(y), json!(n))) {
        assert!(
            holds(json!({"metric": "sos_score", "op": op, "value": yes})),
            "{op} {yes}"
        );
        assert!(
            !holds(json!({"metric": "sos_score", "op": op, "value": no})),
            "{op} {no}"
        );
    }
    // Boundaries are exact decimals: 72.50 == 72.5.
    assert!(holds(
        json!({"metric": "sos_score", "op": "==", "value": 72.50})
    ));
    assert!(holds(
        json!({"metric": "sos_score", "op": ">=", "value": 72.5})
    ));
    assert!(!holds(
        json!({"metric": "sos_score", "op": ">", "value": 72.5})
    ));
}

#[test]
fn in_matches_any_listed_number() {
    assert!(holds(
        json!({"metric": "month_index", "op": "in", "value": [1, 2, 3]})
    ));
    assert!(!holds(
        json!({"metric": "month_index", "op": "in", "value": [1, 2]})
    ));
}

#[test]
fn tier_metrics_compare_names_with_eq_ne_and_in() {
    assert!(holds(
        json!({"metric": "tier", "op": "==", "value": "Silver"})
    ));
    assert!(!holds(
        json!({"metric": "tier", "op": "==", "value": "Gold"})
    ));
    assert!(!holds(
        json!({"metric": "tier", "op": "==", "value": "silver"})
    ));
    assert!(holds(
        json!({"metric": "tier", "op": "!=", "value": "Gold"})
    ));
    assert!(!holds(
        json!({"metric": "tier", "op": "!=", "value": "Silver"})
    ));
    assert!(holds(
        json!({"metric": "previous_tier", "op": "in", "value": ["Bronze", "Warning"]})
    ));
    assert!(!holds(
        json!({"metric": "previous_tier", "op": "in", "value": ["Gold", "Silver"]})
    ));
}

#[test]
fn all_any_and_not() {
    let t = json!({"metric": "o_score", "op": ">", "value": 80});
    let f = json!({"metric": "o_score", "op": "<", "value": 80});
    assert!(holds(json!({"all": [t, t]})));
    assert!(!holds(json!({"all": [t, f]})));
    assert!(holds(json!({"any": [f, t]})));
    assert!(!holds(json!({"any": [f, f]})));
    assert!(holds(json!({"not": f})));
    assert!(!holds(json!({"not": t})));
    assert!(holds(
        json!({"all": [{"any": [f, t]}, {"not": {"all": [t, f]}}]})
    ));
}

#[test]
fn comparisons_against_na_metrics_are_false_and_not_of_one_is_true() {
    // p_score, late_pct and i_score are N/A for this seller.
    for op in ["<", "<=", ">", ">=", "==", "!="] {
        assert!(
            !holds(json!({"metric": "p_score", "op": op, "value": 0})),
            "{op}"
        );
    }
    assert!(!holds(
        json!({"metric": "late_pct", "op": "in", "value": [0, 1]})
    ));
    assert!(holds(
        json!({"not": {"metric": "i_score", "op": "<", "value": 50}})
    ));
    assert!(!holds(
        json!({"all": [{"metric": "i_score", "op": "<", "value": 50}, {"metric": "o_score", "op": ">", "value": 0}]})
    ));
    assert!(holds(
        json!({"any": [{"metric": "i_score", "op": "<", "value": 50}, {"metric": "o_score", "op": ">", "value": 0}]})
    ));
    let no_tier = MetricValues::default();
    assert!(!cond(json!({"metric": "tier", "op": "!=", "value": "Gold"})).evaluate(&no_tier));
}

#[test]
fn default_rules_trigger_as_the_spec_says() {
    let rules: Vec<SurchargeRule> = default_surcharge_rules()
        .into_iter()
        .enumerate()
        .map(|(i, s)| SurchargeRule {
            id: Some(ConfigId(i as i64 + 10)),
            surcharge_type: s.surcharge_type,
            condition: s.trigger_condition,
            action: s.action,
        })
        .collect();
    let mut m = seller();
    let hit = evaluate_rules(&rules, &m);
    assert_eq!(
        hit.iter().map(|t| t.rule_id).collect::<Vec<_>>(),
        [Some(ConfigId(10))]
    );
    assert_eq!(
        hit[0].action.to_json(),
        json!({"type": "fee_multiplier", "fee": "storage", "value": 1.5})
    );
    m.aging_over_180d_pct = Some(dec!(29.99));
    m.tier = tier("Warning");
    let hit = evaluate_rules(&rules, &m);
    assert_eq!(
        hit.iter()
            .map(|t| t.surcharge_type.as_str())
            .collect::<Vec<_>>(),
        ["fulfillment"]
    );
    m.previous_tier = None; // first month: no previous result
    assert!(evaluate_rules(&rules, &m).is_empty());
    // worst_days_late > 30 blocks orders (and nothing else here), 30 does not.
    m.worst_days_late = Some(dec!(31));
    let hit = evaluate_rules(&rules, &m);
    assert_eq!(
        hit.iter().map(|t| t.rule_id).collect::<Vec<_>>(),
        [Some(ConfigId(12))]
    );
    assert_eq!(
        hit[0].action.to_json(),
        json!({"type": "block_orders", "reason": "An invoice is more than 30 days late"})
    );
    m.worst_days_late = Some(dec!(30));
    assert!(evaluate_rules(&rules, &m).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Parse errors.

#[test]
fn unknown_metric_lists_the_metrics() {
    let e = cond_err(json!({"metric": "revenue", "op": ">", "value": 1}));
    assert_eq!(fields(&e), ["metric"]);
    assert!(message(&e, "metric")
        .starts_with("unknown metric `revenue`; expected one of sos_score, p_score"));
}

#[test]
fn unknown_operator() {
    let e = cond_err(json!({"all": [{"metric": "o_score", "op": "=>", "value": 1}]}));
    assert_eq!(fields(&e), ["all[0].op"]);
    assert!(message(&e, "all[0].op").contains("unknown operator `=>`"));
    let e = cond_err(json!({"metric": "o_score", "op": 1, "value": 1}));
    assert_eq!(message(&e, "op"), "must be a string, got a number");
}

#[test]
fn unknown_action_type_and_action_key_errors() {
    let e = action_err(json!({"type": "discount", "pct": 5}));
    assert_eq!(fields(&e), ["type"]);
    assert!(message(&e, "type")
        .contains("expected one of fee_multiplier, fixed_fee, percent_fee, block_orders"));
    assert_eq!(fields(&action_err(json!({"fee": "storage"}))), ["type"]);
    assert_eq!(fields(&action_err(json!([]))), ["action"]);
    let e = action_err(json!({"type": "fee_multiplier", "fee": "", "value": 0, "pct": 1}));
    assert_eq!(fields(&e), ["pct", "fee", "value"]);
    let e = action_err(json!({"type": "fixed_fee", "amount": -1, "currency": "dong"}));
    assert_eq!(fields(&e), ["amount", "currency"]);
    let e = action_err(json!({"type": "percent_fee", "fee": "fulfillment", "pct": "5"}));
    assert_eq!(message(&e, "pct"), "must be a number");
}

#[test]
fn block_orders_takes_a_reason_checked_like_the_other_texts() {
    let a = SurchargeAction::parse(
        &json!({"type": "block_orders", "reason": "Invoices 30+ days late"}),
    )
    .unwrap();
    assert_eq!(
        a,
        SurchargeAction::BlockOrders {
            reason: "Invoices 30+ days late".into()
        }
    );
    assert_eq!(a.block_reason(), Some("Invoices 30+ days late"));
    assert_eq!(
        a.to_json(),
        json!({"type": "block_orders", "reason": "Invoices 30+ days late"})
    );
    assert_eq!(SurchargeAction::parse(&a.to_json()).unwrap(), a);
    assert_eq!(
        serde_json::from_value::<SurchargeAction>(a.to_json()).unwrap(),
        a
    );
    let fee = SurchargeAction::PercentFee {
        fee: "fulfillment".into(),
        pct: dec!(5),
    };
    assert_eq!(fee.block_reason(), None);

    let e = action_err(json!({"type": "block_orders"}));
    assert_eq!(fields(&e), ["reason"]);
    assert_eq!(message(&e, "reason"), "is required");
    let limit = "must be non-blank text of at most 200 characters without control characters";
    for bad in [
        json!(""),
        json!("   "),
        json!("late\u{0}"),
        json!("x".repeat(201)),
    ] {
        let e = action_err(json!({"type": "block_orders", "reason": bad}));
        assert_eq!(fields(&e), ["reason"], "{bad}");
        assert_eq!(message(&e, "reason"), limit, "{bad}");
    }
    assert!(
        SurchargeAction::parse(&json!({"type": "block_orders", "reason": "x".repeat(200)})).is_ok()
    );
    let e = action_err(json!({"type": "block_orders", "reason": 30}));
    assert_eq!(message(&e, "reason"), "must be a string");
    let e = action_err(json!({"type": "block_orders", "reason": "late", "fee": "storage"}));
    assert_eq!(fields(&e), ["fee"]);
    assert_eq!(
        message(&e, "fee"),
        "unknown key for block_orders; expected reason"
    );
}

#[test]
fn value_must_fit_the_metric() {
    let e = cond_err(json!({"metric": "tier", "op": "==", "value": 3}));
    assert_eq!(fields(&e), ["value"]);
    assert!(message(&e, "value").contains("tier name"));
    let e = cond_err(json!({"metric": "o_score", "op": "==", "value": "85"}));
    assert!(message(&e, "value").contains("must be a number"));
    let e = cond_err(json!({"metric": "tier", "op": ">", "value": "Gold"}));
    assert_eq!(fields(&e), ["op"]);
    let e = cond_err(json!({"metric": "tier", "op": "in", "value": ["Gold", 1]}));
    assert_eq!(fields(&e), ["value[1]"]);
    let e = cond_err(json!({"metric": "tier", "op": "==", "value": " "}));
    assert_eq!(fields(&e), ["value"]);
}

#[test]
fn in_needs_a_non_empty_array_and_other_operators_a_scalar() {
    let e = cond_err(json!({"metric": "month_index", "op": "in", "value": 1}));
    assert_eq!(
        message(&e, "value"),
        "must be an array for `in`, got a number"
    );
    let e = cond_err(json!({"metric": "month_index", "op": "in", "value": []}));
    assert_eq!(fields(&e), ["value"]);
    let e = cond_err(json!({"metric": "month_index", "op": "==", "value": [1]}));
    assert!(message(&e, "value").contains("use `in` for a list"));
}

#[test]
fn empty_all_and_any_are_rejected() {
    assert_eq!(fields(&cond_err(json!({"all": []}))), ["all"]);
    assert_eq!(fields(&cond_err(json!({"any": []}))), ["any"]);
    assert_eq!(
        fields(&cond_err(json!({"any": {"metric": "tier"}}))),
        ["any"]
    );
}

#[test]
fn extra_and_missing_keys_are_rejected() {
    let e = cond_err(json!({"metric": "o_score", "op": ">", "value": 1, "unit": "pct"}));
    assert_eq!(fields(&e), ["unit"]);
    let e = cond_err(json!({"all": [{"metric": "o_score"}]}));
    assert_eq!(fields(&e), ["all[0].op", "all[0].value"]);
    assert_eq!(message(&e, "all[0].op"), "is required");
    let e = cond_err(json!({"all": [{"metric": "o_score", "op": ">", "value": 1}], "any": []}));
    assert_eq!(fields(&e), ["condition"]);
    assert_eq!(fields(&cond_err(json!({}))), ["condition"]);
    assert_eq!(fields(&cond_err(json!("o_score > 1"))), ["condition"]);
}

#[test]
fn every_problem_is_reported_with_its_path() {
    let e = cond_err(json!({"any": [
        {"metric": "x", "op": "?", "value": 1},
        {"not": {"all": [{"metric": "tier", "op": "in", "value": "Gold"}]}},
        {"metric": "o_score", "op": ">", "value": 1}
    ]}));
    assert_eq!(
        fields(&e),
        ["any[0].metric", "any[0].op", "any[1].not.all[0].value"]
    );
}

#[test]
fn nesting_is_limited() {
    let mut v = json!({"metric": "o_score", "op": ">", "value": 1});
    for _ in 0..MAX_CONDITION_DEPTH - 1 {
        v = json!({"not": v});
    }
    assert!(Condition::parse(&v).is_ok());
    let too_deep = json!({"not": v});
    let e = cond_err(too_deep);
    assert_eq!(e.errors().len(), 1);
    assert!(e.errors()[0].field.starts_with("not.not."));
    assert!(e.errors()[0].message.contains("at most 16 levels"));
    // The deepest input serde_json reads (its parser stops at 128 levels) fails cleanly.
    let text = format!("{}1{}", "{\"all\": [".repeat(63), "]}".repeat(63));
    let deep: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(cond_err(deep).errors().len(), 1);
}

#[test]
fn numbers_out_of_range_are_errors_not_panics() {
    let big: Value =
        serde_json::from_str(r#"{"metric": "sos_score", "op": ">", "value": 1e400}"#).unwrap();
    let e = cond_err(big);
    assert_eq!(fields(&e), ["value"]);
    assert!(message(&e, "value").contains("outside the supported decimal range"));
    let a: Value =
        serde_json::from_str(r#"{"type": "fixed_fee", "amount": 1e400, "currency": "VND"}"#)
            .unwrap();
    assert_eq!(fields(&action_err(a)), ["amount"]);
}

#[test]
fn to_json_round_trips() {
    let v = json!({"all": [
        {"metric": "tier", "op": "in", "value": ["Warning", "Bronze"]},
        {"not": {"metric": "total_outstanding_amount", "op": "<", "value": 15000000.01}},
        {"any": [{"metric": "worst_days_late", "op": ">=", "value": 21}]}
    ]});
    let c = cond(v.clone());
    assert_eq!(c.to_json(), v);
    assert_eq!(Condition::parse(&c.to_json()).unwrap(), c);
    let a =
        SurchargeAction::parse(&json!({"type": "fixed_fee", "amount": 500000, "currency": "VND"}))
            .unwrap();
    assert_eq!(
        a,
        SurchargeAction::FixedFee {
            amount: Decimal::from(500_000),
            currency: "VND".into()
        }
    );
    assert_eq!(SurchargeAction::parse(&a.to_json()).unwrap(), a);
}
