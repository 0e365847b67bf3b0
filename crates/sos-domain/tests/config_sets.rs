//! Whole-set checks: rows of a set must not contradict each other.

// Test helpers may panic: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use serde_json::{json, Value};
use sos_domain::config::{
    check_am_bonus_bands, check_am_kpi_weights, check_f_bands, check_set_conflicts, check_t_bands,
    check_tier_set, check_weights, default_config_drafts, default_score_weights, default_tiers,
    AmBonusPenaltyConfig, AmKpiWeightConfig, ConfigBody, ConfigDraft, ConfigId, ConfigRecord,
    ConfigType, FScoreTierConfig, ScoreWeightConfig, TScoreTierConfig, TierConfig,
};
use sos_domain::{Component, ValidationErrors};

fn fields(e: &ValidationErrors) -> Vec<&str> {
    e.errors().iter().map(|f| f.field.as_str()).collect()
}

fn body<T>(t: ConfigType, v: Value, pick: impl Fn(ConfigBody) -> Option<T>) -> T {
    let with_date = {
        let mut v = v;
        v.as_object_mut()
            .unwrap()
            .insert("effective_from".into(), json!("2026-01-01"));
        v
    };
    pick(ConfigDraft::parse(t, &with_date).unwrap().body).unwrap()
}

fn tier(name: &str, order: u32, min: i64) -> TierConfig {
    body(
        ConfigType::Tiers,
        json!({"tier_name": name, "tier_order": order, "min_sos_score": min, "max_sos_score": 100}),
        |b| match b {
            ConfigBody::Tier(t) => Some(t),
            _ => None,
        },
    )
}

fn t_band(index: u32, min: i64, max: Option<i64>) -> TScoreTierConfig {
    body(
        ConfigType::TScore,
        json!({"tier_index": index, "response_hours_min": min, "response_hours_max": max, "points": 1}),
        |b| match b {
            ConfigBody::TScore(t) => Some(t),
            _ => None,
        },
    )
}

fn f_band(index: u32, min: i32, max: Option<i32>) -> FScoreTierConfig {
    body(
        ConfigType::FScore,
        json!({"tier_index": index, "days_late_min": min, "days_late_max": max, "points": 1}),
        |b| match b {
            ConfigBody::FScore(t) => Some(t),
            _ => None,
        },
    )
}

#[test]
fn the_defaults_pass_every_set_check() {
    check_tier_set(&default_tiers()).unwrap();
    check_t_bands(&TScoreTierConfig::defaults()).unwrap();
    check_f_bands(&FScoreTierConfig::defaults()).unwrap();
    check_am_bonus_bands(&AmBonusPenaltyConfig::defaults()).unwrap();
    check_am_kpi_weights(&AmKpiWeightConfig::defaults()).unwrap();
    let w = default_score_weights();
    check_weights(&Component::ALL.map(|c| w.get(c).clone())).unwrap();
}

#[test]
fn tier_sets_reject_duplicate_names_and_orders_and_need_a_zero_tier() {
    let e = check_tier_set(&[tier("Gold", 1, 80), tier("gold", 1, 70)]).unwrap_err();
    assert_eq!(
        fields(&e),
        ["[1].tier_name", "[1].tier_order", "min_sos_score"]
    );
    assert!(e.errors()[0]
        .message
        .contains("tier `Gold` is already in the set (see [0])"));
    assert!(e.errors()[2]
        .message
        .contains("no tier has min_sos_score = 0"));
}

#[test]
fn tier_order_must_agree_with_scores() {
    let e = check_tier_set(&[tier("Low", 1, 0), tier("High", 2, 90)]).unwrap_err();
    assert_eq!(fields(&e), ["[1].tier_order"]);
    assert!(
        e.errors()[0]
            .message
            .contains("ranks this tier below tier `Low`"),
        "{e}"
    );
    // Equal minimum scores are allowed: the lowest order wins the tie.
    check_tier_set(&[tier("A", 1, 0), tier("B", 2, 0)]).unwrap();
}

#[test]
fn t_bands_must_not_overlap_or_share_an_index() {
    check_t_bands(&[t_band(1, 0, Some(4)), t_band(2, 4, None)]).unwrap();
    let e = check_t_bands(&[t_band(1, 0, Some(5)), t_band(1, 4, None)]).unwrap_err();
    assert_eq!(fields(&e), ["[1].tier_index", "[1].response_hours_min"]);
    assert!(
        e.errors()[1]
            .message
            .contains("hours [4, -) overlap the band [0, 5) of tier_index 1"),
        "{e}"
    );
    let e = check_t_bands(&[t_band(1, 0, None), t_band(2, 100, Some(200))]).unwrap_err();
    assert_eq!(fields(&e), ["[1].response_hours_min"]);
}

#[test]
fn f_bands_are_inclusive_so_touching_bounds_overlap() {
    check_f_bands(&[
        f_band(1, 0, Some(0)),
        f_band(2, 1, Some(7)),
        f_band(3, 8, None),
    ])
    .unwrap();
    let e = check_f_bands(&[f_band(1, 1, Some(7)), f_band(2, 7, None)]).unwrap_err();
    assert_eq!(fields(&e), ["[1].days_late_min"]);
}

#[test]
fn am_bands_must_not_overlap_and_kpi_components_not_repeat() {
    let band = |min: i64, max: Option<i64>| AmBonusPenaltyConfig {
        sos_delta_min: min.into(),
        sos_delta_max: max.map(Into::into),
        ..AmBonusPenaltyConfig::defaults()[0].clone()
    };
    check_am_bonus_bands(&[band(-2, Some(2)), band(2, None)]).unwrap();
    let e = check_am_bonus_bands(&[band(-2, Some(3)), band(2, None)]).unwrap_err();
    assert_eq!(fields(&e), ["[1].sos_delta_min"]);
    let mut kpi = AmKpiWeightConfig::defaults();
    kpi.push(kpi[0].clone());
    let e = check_am_kpi_weights(&kpi).unwrap_err();
    assert_eq!(fields(&e), ["[3].component"]);
    assert!(e.errors()[0]
        .message
        .contains("avg_sos already has a weight"));
}

#[test]
fn weights_need_each_component_once_summing_to_100() {
    let w = default_score_weights();
    let mut list: Vec<ScoreWeightConfig> = Component::ALL.map(|c| w.get(c).clone()).to_vec();
    list[4] = list[3].clone(); // f twice, i missing: sum 105
    let e = check_weights(&list).unwrap_err();
    assert_eq!(
        fields(&e),
        ["[4].score_component", "score_component", "weight_pct"]
    );
    assert_eq!(e.errors()[1].message, "no weight for i_score");
    assert_eq!(e.errors()[2].message, "the weights sum to 105, not 100");
}

fn records() -> Vec<ConfigRecord> {
    let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    default_config_drafts()
        .into_iter()
        .enumerate()
        .map(|(i, d)| ConfigRecord::new(ConfigId(i as i64 + 1), d, at, "seed"))
        .collect()
}

fn tier_draft(name: &str, order: u32, min: i64, from: &str) -> ConfigDraft {
    ConfigDraft::parse(
        ConfigType::Tiers,
        &json!({"tier_name": name, "tier_order": order, "min_sos_score": min, "max_sos_score": 100,
                "effective_from": from}),
    )
    .unwrap()
}

#[test]
fn write_time_checks_compare_with_the_rows_of_the_same_set_only() {
    let rows = records();
    let gold_id = rows
        .iter()
        .find(|r| matches!(&r.body, ConfigBody::Tier(t) if t.tier_name.as_str() == "Gold"))
        .unwrap()
        .id;
    // Same set (2000-01-01): name and order taken.
    let dup = tier_draft("Gold", 2, 85, "2000-01-01");
    let e = check_set_conflicts(&rows, &dup, None).unwrap_err();
    assert_eq!(fields(&e), ["tier_name", "tier_order"]);
    assert!(
        e.errors()[0].message.contains(&format!(
            "conflicts with row {gold_id} of the set effective from 2000-01-01"
        )),
        "{e}"
    );
    // Updating Gold itself is no conflict with itself.
    check_set_conflicts(
        &rows,
        &tier_draft("Gold", 2, 81, "2000-01-01"),
        Some(gold_id),
    )
    .unwrap();
    // A new set starting later is written row by row: no conflict, no completeness check.
    check_set_conflicts(&rows, &tier_draft("Gold", 2, 85, "2026-03-01"), None).unwrap();
    // Inactive rows do not count.
    let mut inactive = rows.clone();
    inactive.iter_mut().for_each(|r| r.is_active = false);
    check_set_conflicts(&inactive, &dup, None).unwrap();
    // Keyed, single and rule types are not checked.
    let o =
        ConfigDraft::parse(ConfigType::OScore, &json!({"effective_from": "2000-01-01"})).unwrap();
    check_set_conflicts(&rows, &o, None).unwrap();
    let t = ConfigDraft::parse(
        ConfigType::TScore,
        &json!({"tier_index": 9, "response_hours_min": 3, "points": 1, "effective_from": "2000-01-01"}),
    )
    .unwrap();
    let e = check_set_conflicts(&rows, &t, None).unwrap_err();
    assert_eq!(fields(&e), ["response_hours_min"; 4]);
}
