//! Validation of what users write for each config type: every rule reports its field, and
//! every problem of a body is reported at once.

// Test helpers may panic: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal_macros::dec;
use serde_json::{json, Value};
use sos_domain::config::{
    default_config_drafts, exact_decimal, AgingBasis, AmKpiComponent, ConfigBody, ConfigDraft,
    ConfigType, SyncMethod, MASKED_SECRET,
};
use sos_domain::{Component, ValidationErrors};

fn parse(t: ConfigType, v: Value) -> Result<ConfigDraft, ValidationErrors> {
    ConfigDraft::parse(t, &v)
}

fn errors(t: ConfigType, v: Value) -> ValidationErrors {
    match parse(t, v.clone()) {
        Ok(d) => panic!("expected errors for {t} {v}, got {d:?}"),
        Err(e) => e,
    }
}

fn fields(e: &ValidationErrors) -> Vec<&str> {
    e.errors().iter().map(|f| f.field.as_str()).collect()
}

/// The message for `field`, panicking with all errors when absent.
fn message<'a>(e: &'a ValidationErrors, field: &str) -> &'a str {
    e.errors()
        .iter()
        .find(|f| f.field == field)
        .map(|f| f.message.as_str())
        .unwrap_or_else(|| panic!("no error for `{field}` in {:?}", e.errors()))
}

fn assert_error(e: &ValidationErrors, field: &str, contains: &str) {
    let m = message(e, field);
    assert!(
        m.contains(contains),
        "`{field}`: `{m}` does not contain `{contains}`"
    );
}

fn with(mut base: Value, key: &str, value: Value) -> Value {
    base.as_object_mut().unwrap().insert(key.to_owned(), value);
    base
}

fn without(mut base: Value, key: &str) -> Value {
    base.as_object_mut().unwrap().remove(key);
    base
}

fn num(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn weight() -> Value {
    json!({"score_component": "p_score", "weight_pct": 25, "max_points": 100, "effective_from": "2026-01-01"})
}

fn tier() -> Value {
    json!({"tier_name": "Gold", "tier_order": 2, "min_sos_score": 80, "max_sos_score": 89.99,
           "color_code": "#FFD700", "benefits": "Priority slots", "effective_from": "2026-01-01"})
}

fn p_score() -> Value {
    json!({"campaign_type": "major_campaign", "required_lead_days": 14})
}

fn t_band() -> Value {
    json!({"tier_index": 1, "response_hours_min": 0, "response_hours_max": 4, "points": 100,
           "effective_from": "2026-01-01"})
}

fn f_band() -> Value {
    json!({"tier_index": 2, "days_late_min": 1, "days_late_max": 7, "points": 80,
           "effective_from": "2026-01-01"})
}

fn surcharge() -> Value {
    json!({"surcharge_type": "storage",
           "trigger_condition": {"metric": "aging_over_180d_pct", "op": ">=", "value": 30},
           "action": {"type": "fee_multiplier", "fee": "storage", "value": 1.5},
           "effective_from": "2026-01-01"})
}

fn am_band() -> Value {
    json!({"sos_delta_min": 2, "sos_delta_max": 5, "bonus_or_penalty_amount": 2000000,
           "effective_from": "2026-01-01"})
}

fn helpdesk() -> Value {
    json!({"country_code": "VN", "helpdesk_url": "https://helpdesk.example.vn", "api_key": "k",
           "api_secret": "s", "sync_method": "pull", "pull_cron": "*/15 * * * *",
           "seller_field_mapping": {"custom_seller": "seller_code"},
           "business_hours_start": "08:00", "business_hours_end": "17:30"})
}

const DATED: Value = Value::Null;

// ---------------------------------------------------------------------------------------------
// Shape: objects, unknown and server fields, dates.

#[test]
fn body_must_be_an_object() {
    for v in [json!([1]), json!("x"), json!(3), Value::Null, json!(true)] {
        let e = errors(ConfigType::OScore, v);
        assert_eq!(fields(&e), ["body"]);
        assert!(message(&e, "body").contains("must be a JSON object"));
    }
}

#[test]
fn unknown_fields_are_rejected_by_name_listing_accepted_ones() {
    let e = errors(
        ConfigType::ScoreWeights,
        with(with(weight(), "weigth_pct", json!(1)), "x", json!(2)),
    );
    assert_eq!(fields(&e), ["weigth_pct", "x"]);
    assert_error(&e, "weigth_pct", "unknown field");
    assert_error(
        &e,
        "weigth_pct",
        "score_component, weight_pct, max_points, effective_from, effective_to",
    );
}

#[test]
fn server_fields_cannot_be_written() {
    let mut v = weight();
    for k in [
        "id",
        "is_active",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
    ] {
        v = with(v, k, json!(1));
    }
    let e = errors(ConfigType::ScoreWeights, v);
    assert_eq!(e.errors().len(), 6);
    assert_error(&e, "id", "set by the server");
    assert_error(&e, "is_active", "set by the server");
}

#[test]
fn effective_dates_are_unknown_fields_on_p_score_and_helpdesk() {
    let e = errors(
        ConfigType::PScore,
        with(
            with(p_score(), "effective_from", json!("2026-01-01")),
            "effective_to",
            DATED,
        ),
    );
    assert_eq!(fields(&e), ["effective_from", "effective_to"]);
    assert_error(&e, "effective_from", "p-score rows have no effective dates");
    let e = errors(
        ConfigType::Helpdesk,
        with(helpdesk(), "effective_from", json!("2026-01-01")),
    );
    assert_error(
        &e,
        "effective_from",
        "helpdesk rows have no effective dates",
    );
    let d = parse(ConfigType::PScore, p_score()).unwrap();
    assert_eq!((d.effective_from, d.effective_to), (None, None));
}

#[test]
fn effective_from_is_required_on_dated_types() {
    for t in ConfigType::ALL
        .into_iter()
        .filter(|t| t.has_effective_dates())
    {
        let e = errors(t, json!({}));
        assert!(
            fields(&e).contains(&"effective_from"),
            "{t}: {:?}",
            e.errors()
        );
        assert_eq!(message(&e, "effective_from"), "is required");
    }
}

#[test]
fn effective_dates_must_be_yyyy_mm_dd_and_ordered() {
    for bad in [
        "2026-1-01",
        "01/01/2026",
        "2026-02-30",
        "2026-01-01T00:00:00Z",
        "",
    ] {
        let e = errors(ConfigType::OScore, json!({"effective_from": bad}));
        assert_eq!(fields(&e), ["effective_from"], "{bad}");
        assert_error(&e, "effective_from", "YYYY-MM-DD");
    }
    let e = errors(ConfigType::OScore, json!({"effective_from": 20260101}));
    assert_error(&e, "effective_from", "got a number");
    let e = errors(
        ConfigType::OScore,
        json!({"effective_from": "2026-02-01", "effective_to": "2026-01-31"}),
    );
    assert_eq!(fields(&e), ["effective_to"]);
    assert_error(
        &e,
        "effective_to",
        "on or after effective_from (2026-02-01)",
    );
    let same = parse(
        ConfigType::OScore,
        json!({"effective_from": "2026-02-01", "effective_to": "2026-02-01"}),
    )
    .unwrap();
    assert_eq!(same.effective_to, same.effective_from);
    let open = parse(
        ConfigType::OScore,
        json!({"effective_from": "2026-02-01", "effective_to": null}),
    )
    .unwrap();
    assert_eq!(open.effective_to, None);
}

// ---------------------------------------------------------------------------------------------
// Numbers.

#[test]
fn exact_decimal_reads_plain_and_scientific_numbers_without_rounding() {
    let n = |t: &str| match num(t) {
        Value::Number(n) => exact_decimal(&n),
        _ => unreachable!(),
    };
    assert_eq!(n("22.30"), Some(dec!(22.30)));
    assert_eq!(n("1e2"), Some(dec!(100)));
    assert_eq!(n("1.5E+1"), Some(dec!(15)));
    assert_eq!(n("15e-1"), Some(dec!(1.5)));
    assert_eq!(n("-2.5e-3"), Some(dec!(-0.0025)));
    assert_eq!(n("0e999"), Some(dec!(0)));
    assert_eq!(n("1e400"), None);
    assert_eq!(n("1e-400"), None);
    assert_eq!(n("0.1234567890123456789012345678901234567890"), None);
    assert_eq!(n("123456789012345678901234567890123"), None);
    assert_eq!(n("1e99999999999999999999999"), None);
}

#[test]
fn unrepresentable_numbers_are_field_errors() {
    let e = errors(
        ConfigType::ScoreWeights,
        with(weight(), "weight_pct", num("1e400")),
    );
    assert_eq!(fields(&e), ["weight_pct"]);
    assert_error(&e, "weight_pct", "cannot be held exactly");
    let e = errors(
        ConfigType::ScoreWeights,
        with(
            weight(),
            "weight_pct",
            num("0.1234567890123456789012345678901234567890"),
        ),
    );
    assert_error(&e, "weight_pct", "cannot be held exactly");
    let e = errors(
        ConfigType::OScore,
        json!({"effective_from": "2026-01-01", "max_delay_minutes": num("1e400")}),
    );
    assert_error(&e, "max_delay_minutes", "cannot be held exactly");
    let e = errors(
        ConfigType::OScore,
        json!({"effective_from": "2026-01-01", "max_delay_minutes": num("99999999999999999999")}),
    );
    assert_error(&e, "max_delay_minutes", "between 1 and 10080");
}

#[test]
fn decimals_are_kept_exactly() {
    let d = parse(
        ConfigType::ScoreWeights,
        with(weight(), "weight_pct", num("33.3333333333")),
    )
    .unwrap();
    let ConfigBody::ScoreWeights(w) = d.body else {
        panic!()
    };
    assert_eq!(w.weight_pct, dec!(33.3333333333));
    let d = parse(
        ConfigType::ScoreWeights,
        with(weight(), "weight_pct", num("2.5e1")),
    )
    .unwrap();
    let ConfigBody::ScoreWeights(w) = d.body else {
        panic!()
    };
    assert_eq!(w.weight_pct, dec!(25));
}

#[test]
fn integers_must_be_whole_and_in_range() {
    let e = errors(ConfigType::Tiers, with(tier(), "tier_order", json!(1.5)));
    assert_eq!(message(&e, "tier_order"), "must be a whole number");
    let e = errors(ConfigType::Tiers, with(tier(), "tier_order", json!(0)));
    assert_eq!(message(&e, "tier_order"), "must be between 1 and 1000");
    let e = errors(ConfigType::Tiers, with(tier(), "tier_order", json!("2")));
    assert_eq!(
        message(&e, "tier_order"),
        "must be a whole number, got a string"
    );
    let ok = parse(ConfigType::Tiers, with(tier(), "tier_order", num("2.0"))).unwrap();
    let ConfigBody::Tier(t) = ok.body else {
        panic!()
    };
    assert_eq!(t.tier_order, 2);
}

// ---------------------------------------------------------------------------------------------
// score-weights

#[test]
fn score_weights_valid_and_default_max_points() {
    let d = parse(ConfigType::ScoreWeights, without(weight(), "max_points")).unwrap();
    let ConfigBody::ScoreWeights(w) = &d.body else {
        panic!()
    };
    assert_eq!(
        (w.score_component, w.weight_pct, w.max_points),
        (Component::P, dec!(25), dec!(100))
    );
    assert_eq!(
        d.effective_from,
        Some(chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap())
    );
}

#[test]
fn score_weights_reports_all_missing_fields_together() {
    let e = errors(ConfigType::ScoreWeights, json!({}));
    assert_eq!(
        fields(&e),
        ["effective_from", "score_component", "weight_pct"]
    );
    for f in fields(&e) {
        assert_eq!(message(&e, f), "is required");
    }
    let e = errors(
        ConfigType::ScoreWeights,
        json!({"score_component": null, "weight_pct": null, "effective_from": "2026-01-01"}),
    );
    assert_eq!(fields(&e), ["score_component", "weight_pct"]);
}

#[test]
fn score_weights_types_enums_and_ranges() {
    let e = errors(
        ConfigType::ScoreWeights,
        json!({"score_component": "x_score", "weight_pct": "25", "max_points": 0, "effective_from": "2026-01-01"}),
    );
    assert_eq!(fields(&e), ["score_component", "weight_pct", "max_points"]);
    assert_eq!(
        message(&e, "score_component"),
        "unknown value `x_score`; expected one of p_score, o_score, t_score, f_score, i_score"
    );
    assert_eq!(message(&e, "weight_pct"), "must be a number, got a string");
    assert_eq!(message(&e, "max_points"), "must be greater than 0");
    for bad in [json!(-1), json!(100.01)] {
        let e = errors(ConfigType::ScoreWeights, with(weight(), "weight_pct", bad));
        assert_eq!(message(&e, "weight_pct"), "must be between 0 and 100");
    }
    let e = errors(
        ConfigType::ScoreWeights,
        with(weight(), "score_component", json!(1)),
    );
    assert_eq!(
        message(&e, "score_component"),
        "must be a string, got a number"
    );
    let e = errors(
        ConfigType::ScoreWeights,
        with(weight(), "max_points", json!(-5)),
    );
    assert_eq!(message(&e, "max_points"), "must be between 0 and 1000000");
}

// ---------------------------------------------------------------------------------------------
// tiers

#[test]
fn tier_valid() {
    let d = parse(ConfigType::Tiers, tier()).unwrap();
    let ConfigBody::Tier(t) = d.body else {
        panic!()
    };
    assert_eq!(t.tier_name.as_str(), "Gold");
    assert_eq!((t.min_sos_score, t.max_sos_score), (dec!(80), dec!(89.99)));
    assert_eq!(t.restrictions, None);
}

#[test]
fn tier_reports_every_required_field() {
    let e = errors(ConfigType::Tiers, json!({"effective_from": "2026-01-01"}));
    assert_eq!(
        fields(&e),
        ["tier_name", "tier_order", "min_sos_score", "max_sos_score"]
    );
}

#[test]
fn tier_min_must_not_exceed_max_and_scores_are_0_to_100() {
    let e = errors(ConfigType::Tiers, with(tier(), "max_sos_score", json!(79)));
    assert_eq!(fields(&e), ["max_sos_score"]);
    assert_eq!(
        message(&e, "max_sos_score"),
        "must be >= min_sos_score (80)"
    );
    let e = errors(
        ConfigType::Tiers,
        with(
            with(tier(), "min_sos_score", json!(-1)),
            "max_sos_score",
            json!(101),
        ),
    );
    assert_eq!(fields(&e), ["min_sos_score", "max_sos_score"]);
    let equal = with(
        with(tier(), "min_sos_score", json!(80)),
        "max_sos_score",
        json!(80),
    );
    assert!(parse(ConfigType::Tiers, equal).is_ok());
}

#[test]
fn tier_color_code_must_be_hex_rrggbb() {
    for bad in ["FFD700", "#FFD70", "#GGGGGG", "#FFD7000", "red"] {
        let e = errors(ConfigType::Tiers, with(tier(), "color_code", json!(bad)));
        assert_eq!(
            message(&e, "color_code"),
            "must be a hex colour written #RRGGBB",
            "{bad}"
        );
    }
    assert!(parse(
        ConfigType::Tiers,
        with(tier(), "color_code", json!("#ffd700"))
    )
    .is_ok());
    assert!(parse(ConfigType::Tiers, with(tier(), "color_code", Value::Null)).is_ok());
}

#[test]
fn tier_text_fields_reject_control_characters_blank_names_and_long_text() {
    let e = errors(
        ConfigType::Tiers,
        with(
            with(
                with(tier(), "tier_name", json!("Go\u{0}ld")),
                "benefits",
                json!("x".repeat(2001)),
            ),
            "restrictions",
            json!("a\u{7}b"),
        ),
    );
    assert_eq!(fields(&e), ["tier_name", "benefits", "restrictions"]);
    assert_eq!(
        message(&e, "tier_name"),
        "must not contain control characters"
    );
    assert_eq!(message(&e, "benefits"), "must be at most 2000 characters");
    let e = errors(ConfigType::Tiers, with(tier(), "tier_name", json!("  ")));
    assert_eq!(message(&e, "tier_name"), "must not be blank");
    let e = errors(ConfigType::Tiers, with(tier(), "tier_name", json!("A/B")));
    assert_eq!(message(&e, "tier_name"), "must not contain '/'");
    // Prose may span lines.
    assert!(parse(
        ConfigType::Tiers,
        with(tier(), "benefits", json!("line 1\nline 2\ttab"))
    )
    .is_ok());
}

// ---------------------------------------------------------------------------------------------
// p-score

#[test]
fn p_score_defaults_follow_the_campaign_type() {
    let d = parse(
        ConfigType::PScore,
        json!({"campaign_type": "mini_campaign", "required_lead_days": 7}),
    )
    .unwrap();
    let ConfigBody::PScore(p) = d.body else {
        panic!()
    };
    assert_eq!(
        p,
        sos_domain::config::PScoreConfig::default_for(
            sos_domain::inputs::CampaignType::MiniCampaign
        )
    );
}

#[test]
fn p_score_reports_type_lead_days_points_and_range_together() {
    let e = errors(
        ConfigType::PScore,
        json!({"campaign_type": "flash_sale", "on_time_points": -1, "late_penalty_per_day": "10",
               "accuracy_base_points": 2000000, "accuracy_good_range_min": -101,
               "accuracy_penalty_per_10pct": -3}),
    );
    assert_eq!(
        fields(&e),
        [
            "campaign_type",
            "required_lead_days",
            "on_time_points",
            "late_penalty_per_day",
            "accuracy_base_points",
            "accuracy_good_range_min",
            "accuracy_penalty_per_10pct"
        ]
    );
    assert_eq!(
        message(&e, "campaign_type"),
        "unknown value `flash_sale`; expected one of major_campaign, mini_campaign"
    );
    assert_eq!(
        message(&e, "accuracy_good_range_min"),
        "must be between -100 and 100"
    );
}

#[test]
fn p_score_accuracy_range_must_be_ordered() {
    let e = errors(
        ConfigType::PScore,
        with(
            with(p_score(), "accuracy_good_range_min", json!(5)),
            "accuracy_good_range_max",
            json!(-5),
        ),
    );
    assert_eq!(fields(&e), ["accuracy_good_range_max"]);
    assert_eq!(
        message(&e, "accuracy_good_range_max"),
        "must be >= accuracy_good_range_min (5)"
    );
    // A min above the default max (10) is caught too.
    let e = errors(
        ConfigType::PScore,
        with(p_score(), "accuracy_good_range_min", json!(20)),
    );
    assert_eq!(fields(&e), ["accuracy_good_range_max"]);
    let e = errors(
        ConfigType::PScore,
        with(p_score(), "required_lead_days", json!(366)),
    );
    assert_eq!(
        message(&e, "required_lead_days"),
        "must be between 0 and 365"
    );
}

// ---------------------------------------------------------------------------------------------
// o-score

#[test]
fn o_score_defaults_and_ranges() {
    let d = parse(ConfigType::OScore, json!({"effective_from": "2026-01-01"})).unwrap();
    assert_eq!(
        d.body,
        ConfigBody::OScore(sos_domain::config::OScoreConfig::default())
    );
    let e = errors(
        ConfigType::OScore,
        json!({"effective_from": "2026-01-01", "max_delay_minutes": 0, "acceptable_late_pct": 150,
               "penalty_per_1pct_over": -5, "base_points": "100"}),
    );
    assert_eq!(
        fields(&e),
        [
            "max_delay_minutes",
            "acceptable_late_pct",
            "penalty_per_1pct_over",
            "base_points"
        ]
    );
    assert_eq!(
        message(&e, "acceptable_late_pct"),
        "must be between 0 and 100"
    );
    assert_eq!(
        message(&e, "penalty_per_1pct_over"),
        "must be between 0 and 1000000"
    );
}

// ---------------------------------------------------------------------------------------------
// t-score and f-score

#[test]
fn t_band_valid_open_ended_and_ordered() {
    assert!(parse(ConfigType::TScore, t_band()).is_ok());
    let open = parse(
        ConfigType::TScore,
        with(t_band(), "response_hours_max", Value::Null),
    )
    .unwrap();
    let ConfigBody::TScore(t) = open.body else {
        panic!()
    };
    assert_eq!(t.response_hours_max, None);
    for max in [json!(0), json!(-1)] {
        let e = errors(
            ConfigType::TScore,
            with(t_band(), "response_hours_max", max),
        );
        assert_eq!(fields(&e), ["response_hours_max"]);
    }
    let e = errors(
        ConfigType::TScore,
        with(
            with(t_band(), "response_hours_min", json!(4)),
            "response_hours_max",
            json!(4),
        ),
    );
    assert_eq!(
        message(&e, "response_hours_max"),
        "must be greater than response_hours_min (4): the band is [min, max)"
    );
}

#[test]
fn t_band_required_fields_and_points() {
    let e = errors(
        ConfigType::TScore,
        json!({"effective_from": "2026-01-01", "response_hours_min": -1, "points": -1}),
    );
    assert_eq!(fields(&e), ["tier_index", "response_hours_min", "points"]);
    assert_eq!(message(&e, "tier_index"), "is required");
    assert_eq!(message(&e, "response_hours_min"), "must be >= 0");
    assert_eq!(message(&e, "points"), "must be between 0 and 1000000");
}

#[test]
fn f_band_days_are_whole_ordered_and_inclusive() {
    let same = with(
        with(f_band(), "days_late_min", json!(0)),
        "days_late_max",
        json!(0),
    );
    assert!(parse(ConfigType::FScore, same).is_ok());
    let e = errors(
        ConfigType::FScore,
        with(f_band(), "days_late_max", json!(0)),
    );
    assert_eq!(message(&e, "days_late_max"), "must be >= days_late_min (1)");
    let e = errors(
        ConfigType::FScore,
        json!({"effective_from": "2026-01-01", "tier_index": 1, "days_late_min": 1.5, "days_late_max": -1}),
    );
    assert_eq!(fields(&e), ["days_late_min", "days_late_max", "points"]);
    assert_eq!(message(&e, "days_late_min"), "must be a whole number");
    assert_eq!(message(&e, "days_late_max"), "must be between 0 and 36500");
}

// ---------------------------------------------------------------------------------------------
// i-score

#[test]
fn i_score_defaults_basis_multiplier_and_ranges() {
    let d = parse(
        ConfigType::IScore,
        json!({"effective_from": "2026-01-01", "calculation_basis": "qty"}),
    )
    .unwrap();
    let ConfigBody::IScore(i) = d.body else {
        panic!()
    };
    assert_eq!(i.calculation_basis, AgingBasis::Qty);
    assert_eq!(i.severe_storage_multiplier, dec!(1.5));
    let e = errors(
        ConfigType::IScore,
        json!({"effective_from": "2026-01-01", "calculation_basis": "volume",
               "severe_storage_multiplier": 0.9, "base_good_pct": 101,
               "severe_aging_pct_threshold": -1, "aging_threshold_days": 200,
               "penalty_per_5pct": -1}),
    );
    assert_eq!(
        fields(&e),
        [
            "base_good_pct",
            "penalty_per_5pct",
            "severe_aging_days",
            "severe_aging_pct_threshold",
            "severe_storage_multiplier",
            "calculation_basis"
        ]
    );
    assert_eq!(
        message(&e, "calculation_basis"),
        "unknown value `volume`; expected one of cbm, qty, max"
    );
    assert_eq!(
        message(&e, "severe_storage_multiplier"),
        "must be between 1 and 100"
    );
    assert_eq!(
        message(&e, "severe_aging_days"),
        "must be >= aging_threshold_days (200)"
    );
}

// ---------------------------------------------------------------------------------------------
// surcharge

#[test]
fn surcharge_valid() {
    let d = parse(ConfigType::Surcharge, surcharge()).unwrap();
    let ConfigBody::Surcharge(s) = d.body else {
        panic!()
    };
    assert_eq!(s.surcharge_type, "storage");
    assert_eq!(
        s.trigger_condition.to_json(),
        json!({"metric": "aging_over_180d_pct", "op": ">=", "value": 30})
    );
}

#[test]
fn surcharge_grammar_errors_carry_their_paths() {
    let v = json!({
        "surcharge_type": " ",
        "trigger_condition": {"all": [{"metric": "nope", "op": "~", "value": 1},
                                      {"not": {"metric": "tier", "op": "==", "value": 3}}]},
        "action": {"type": "refund"},
        "description": "x\u{0}",
        "effective_from": "2026-01-01"
    });
    let e = errors(ConfigType::Surcharge, v);
    assert_eq!(
        fields(&e),
        [
            "surcharge_type",
            "trigger_condition.all[0].metric",
            "trigger_condition.all[0].op",
            "trigger_condition.all[1].not.value",
            "action.type",
            "description"
        ]
    );
    assert_error(
        &e,
        "trigger_condition.all[0].metric",
        "unknown metric `nope`",
    );
    assert_error(&e, "action.type", "unknown action type `refund`");
}

#[test]
fn surcharge_root_errors_name_the_field_itself() {
    let e = errors(
        ConfigType::Surcharge,
        json!({"surcharge_type": "x", "trigger_condition": [1], "action": "fee", "effective_from": "2026-01-01"}),
    );
    assert_eq!(fields(&e), ["trigger_condition", "action"]);
    let e = errors(
        ConfigType::Surcharge,
        with(
            surcharge(),
            "action",
            json!({"type": "percent_fee", "fee": "fulfillment", "pct": 150, "x": 1}),
        ),
    );
    assert_eq!(fields(&e), ["action.x", "action.pct"]);
}

#[test]
fn surcharge_requires_type_condition_and_action() {
    let e = errors(
        ConfigType::Surcharge,
        json!({"effective_from": "2026-01-01"}),
    );
    assert_eq!(
        fields(&e),
        ["surcharge_type", "trigger_condition", "action"]
    );
    let e = errors(
        ConfigType::Surcharge,
        with(surcharge(), "surcharge_type", json!("x".repeat(65))),
    );
    assert_eq!(
        message(&e, "surcharge_type"),
        "must be at most 64 characters"
    );
}

// ---------------------------------------------------------------------------------------------
// am-bonus-penalty and am-kpi-weight

#[test]
fn am_band_valid_with_default_currency() {
    let d = parse(ConfigType::AmBonusPenalty, am_band()).unwrap();
    let ConfigBody::AmBonusPenalty(a) = d.body else {
        panic!()
    };
    assert_eq!(a.currency, "VND");
    let open = parse(
        ConfigType::AmBonusPenalty,
        with(am_band(), "sos_delta_max", Value::Null),
    )
    .unwrap();
    let ConfigBody::AmBonusPenalty(a) = open.body else {
        panic!()
    };
    assert_eq!(a.sos_delta_max, None);
    let negative = parse(
        ConfigType::AmBonusPenalty,
        with(am_band(), "bonus_or_penalty_amount", json!(-3000000)),
    );
    assert!(negative.is_ok());
}

#[test]
fn am_band_delta_must_be_strictly_ordered_and_currency_iso() {
    let e = errors(
        ConfigType::AmBonusPenalty,
        with(
            with(am_band(), "sos_delta_max", json!(2)),
            "currency",
            json!("vnd"),
        ),
    );
    assert_eq!(fields(&e), ["sos_delta_max", "currency"]);
    assert_eq!(
        message(&e, "sos_delta_max"),
        "must be greater than sos_delta_min (2): the band is [min, max)"
    );
    assert_eq!(
        message(&e, "currency"),
        "must be a 3-letter ISO 4217 code such as VND"
    );
    let e = errors(
        ConfigType::AmBonusPenalty,
        json!({"effective_from": "2026-01-01", "sos_delta_min": -101}),
    );
    assert_eq!(fields(&e), ["sos_delta_min", "bonus_or_penalty_amount"]);
}

#[test]
fn am_kpi_weight_component_and_percentage() {
    let d = parse(
        ConfigType::AmKpiWeight,
        json!({"component": "growth", "weight_pct": 20, "effective_from": "2026-01-01"}),
    )
    .unwrap();
    let ConfigBody::AmKpiWeight(w) = d.body else {
        panic!()
    };
    assert_eq!(w.component, AmKpiComponent::Growth);
    let e = errors(
        ConfigType::AmKpiWeight,
        json!({"component": "profit", "weight_pct": 120, "effective_from": "2026-01-01"}),
    );
    assert_eq!(fields(&e), ["component", "weight_pct"]);
    assert_eq!(
        message(&e, "component"),
        "unknown value `profit`; expected one of avg_sos, revenue, growth"
    );
    assert_eq!(message(&e, "weight_pct"), "must be between 0 and 100");
}

// ---------------------------------------------------------------------------------------------
// grace-period

#[test]
fn grace_period_components_list() {
    let base = json!({"effective_from": "2026-01-01"});
    let d = parse(
        ConfigType::GracePeriod,
        with(
            base.clone(),
            "apply_to_components",
            json!(["o_score", "t_score"]),
        ),
    )
    .unwrap();
    let ConfigBody::GracePeriod(g) = d.body else {
        panic!()
    };
    assert_eq!(
        g.apply_to_components,
        Some(vec![Component::O, Component::T])
    );
    let d = parse(
        ConfigType::GracePeriod,
        with(base.clone(), "apply_to_components", Value::Null),
    )
    .unwrap();
    let ConfigBody::GracePeriod(g) = d.body else {
        panic!()
    };
    assert_eq!(g.apply_to_components, None);

    let e = errors(
        ConfigType::GracePeriod,
        with(base.clone(), "apply_to_components", json!([])),
    );
    assert_error(&e, "apply_to_components", "at least one component");
    let e = errors(
        ConfigType::GracePeriod,
        with(base.clone(), "apply_to_components", json!("o_score")),
    );
    assert_error(
        &e,
        "apply_to_components",
        "must be an array of score components or null",
    );
    let e = errors(
        ConfigType::GracePeriod,
        with(
            base,
            "apply_to_components",
            json!(["o_score", "o_score", "x_score", 3]),
        ),
    );
    assert_eq!(
        fields(&e),
        [
            "apply_to_components[1]",
            "apply_to_components[2]",
            "apply_to_components[3]"
        ]
    );
    assert_eq!(
        message(&e, "apply_to_components[1]"),
        "o_score is listed twice"
    );
    assert_error(
        &e,
        "apply_to_components[2]",
        "expected one of p_score, o_score",
    );
}

#[test]
fn grace_period_ranges() {
    let e = errors(
        ConfigType::GracePeriod,
        json!({"effective_from": "2026-01-01", "grace_period_months": 121, "min_score_floor": 100.5,
               "min_orders_threshold": -1}),
    );
    assert_eq!(
        fields(&e),
        [
            "grace_period_months",
            "min_score_floor",
            "min_orders_threshold"
        ]
    );
    assert_eq!(
        message(&e, "grace_period_months"),
        "must be between 0 and 120"
    );
    assert!(parse(
        ConfigType::GracePeriod,
        json!({"effective_from": "2026-01-01", "grace_period_months": 120})
    )
    .is_ok());
}

// ---------------------------------------------------------------------------------------------
// helpdesk

#[test]
fn helpdesk_valid_with_default_timezone() {
    let d = parse(ConfigType::Helpdesk, helpdesk()).unwrap();
    let ConfigBody::Helpdesk(h) = d.body else {
        panic!()
    };
    assert_eq!(h.timezone, "Asia/Ho_Chi_Minh");
    assert_eq!(h.sync_method, Some(SyncMethod::Pull));
    assert_eq!(
        h.business_hours_start.map(|t| t.to_string()).as_deref(),
        Some("08:00:00")
    );
}

#[test]
fn helpdesk_reports_every_problem_at_once() {
    let v = json!({
        "country_code": "vn",
        "helpdesk_url": "ftp://helpdesk",
        "api_key": " ",
        "api_secret": MASKED_SECRET,
        "sync_method": "poll",
        "pull_cron": "* * *",
        "seller_field_mapping": ["seller_code"],
        "business_hours_start": "17:00",
        "business_hours_end": "08:00",
        "timezone": "Asia Ho Chi Minh"
    });
    let e = errors(ConfigType::Helpdesk, v);
    assert_eq!(
        fields(&e),
        [
            "country_code",
            "helpdesk_url",
            "api_key",
            "api_secret",
            "sync_method",
            "pull_cron",
            "seller_field_mapping",
            "business_hours_end",
            "timezone"
        ]
    );
    assert_error(&e, "country_code", "2 uppercase letters");
    assert_error(&e, "helpdesk_url", "http:// or https://");
    assert_eq!(message(&e, "api_key"), "must not be blank");
    assert_error(&e, "api_secret", "real secret");
    assert_error(&e, "sync_method", "expected one of pull, push");
    assert_error(&e, "pull_cron", "5 fields");
    assert_eq!(
        message(&e, "seller_field_mapping"),
        "must be a JSON object, got an array"
    );
    assert_error(
        &e,
        "business_hours_end",
        "later than business_hours_start (17:00)",
    );
    assert_error(&e, "timezone", "IANA");
}

#[test]
fn helpdesk_required_fields_times_and_nul_in_mapping() {
    let e = errors(ConfigType::Helpdesk, json!({}));
    assert_eq!(
        fields(&e),
        ["country_code", "helpdesk_url", "api_key", "api_secret"]
    );
    let e = errors(
        ConfigType::Helpdesk,
        with(helpdesk(), "business_hours_start", json!("8am")),
    );
    assert_error(&e, "business_hours_start", "HH:MM");
    let e = errors(
        ConfigType::Helpdesk,
        with(helpdesk(), "seller_field_mapping", json!({"a": "b\u{0}"})),
    );
    assert_error(&e, "seller_field_mapping", "NUL");
    for bad in [
        "https://",
        "http:// host",
        "helpdesk.example.vn",
        "https:///path",
    ] {
        let e = errors(
            ConfigType::Helpdesk,
            with(helpdesk(), "helpdesk_url", json!(bad)),
        );
        assert_eq!(fields(&e), ["helpdesk_url"], "{bad}");
    }
    for good in [
        "http://localhost:8000",
        "https://hd.example.com/path?x=1",
        "https://10.0.0.1",
    ] {
        assert!(
            parse(
                ConfigType::Helpdesk,
                with(helpdesk(), "helpdesk_url", json!(good))
            )
            .is_ok(),
            "{good}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Round trips.

#[test]
fn every_default_draft_round_trips_through_its_json() {
    for draft in default_config_drafts() {
        let t = draft.config_type();
        assert_eq!(
            ConfigDraft::parse(t, &draft.to_json()).unwrap(),
            draft,
            "{t}"
        );
        assert_eq!(
            ConfigBody::parse(t, &draft.body.to_json()).unwrap(),
            draft.body,
            "{t}"
        );
    }
    let h = ConfigDraft::parse(ConfigType::Helpdesk, &helpdesk()).unwrap();
    assert_eq!(
        ConfigDraft::parse(ConfigType::Helpdesk, &h.to_json()).unwrap(),
        h
    );
}

#[test]
fn body_parse_rejects_dates() {
    let e = ConfigBody::parse(ConfigType::ScoreWeights, &weight()).unwrap_err();
    assert_eq!(fields(&e), ["effective_from"]);
}

#[test]
fn surcharge_numbers_are_exact_or_refused() {
    let v: Value = serde_json::from_str(
        r#"{"surcharge_type": "storage", "effective_from": "2026-01-01",
            "trigger_condition": {"any": [{"metric": "sos_score", "op": "<", "value": 0.1234567890123456789012345678901234567890},
                                          {"metric": "sos_score", "op": ">", "value": 1e400}]},
            "action": {"type": "fixed_fee", "amount": 12345678901234567890123456789.5, "currency": "VND"}}"#,
    )
    .unwrap();
    let e = errors(ConfigType::Surcharge, v);
    assert_eq!(
        fields(&e),
        [
            "trigger_condition.any[0].value",
            "trigger_condition.any[1].value",
            "action.amount"
        ]
    );
    for f in e.errors() {
        assert!(f.message.contains("cannot be held exactly"), "{f:?}");
    }
    let exact = with(
        surcharge(),
        "action",
        json!({"type": "fixed_fee", "amount": num("1500000.25"), "currency": "VND"}),
    );
    let d = parse(ConfigType::Surcharge, exact).unwrap();
    assert_eq!(d.to_json()["action"]["amount"], num("1500000.25"));
}
