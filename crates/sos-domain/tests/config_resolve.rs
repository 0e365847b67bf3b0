//! Resolution of the rows effective for a period (scoring-rules.md, "Periods and configuration
//! versions"), its refusals, and the defaults.

// Test helpers may panic: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use rust_decimal_macros::dec;
use serde_json::{json, Value};
use sos_domain::config::{
    default_config_drafts, default_drafts_to_seed, resolve_config, resolve_helpdesk, select_rows,
    ConfigBody, ConfigDraft, ConfigId, ConfigRecord, ConfigType, OScoreConfig, ResolveError,
    ResolveProblem, ResolvedConfig,
};
use sos_domain::inputs::CampaignType;
use sos_domain::{Component, Period};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn period(s: &str) -> Period {
    Period::parse(s).unwrap()
}

/// A table of rows with increasing ids and creation times.
struct Rows {
    rows: Vec<ConfigRecord>,
}

impl Rows {
    fn empty() -> Self {
        Self { rows: Vec::new() }
    }

    fn seeded() -> Self {
        let mut rows = Self::empty();
        for draft in default_config_drafts() {
            rows.push(draft);
        }
        rows
    }

    fn push(&mut self, draft: ConfigDraft) -> ConfigId {
        let id = ConfigId(self.rows.len() as i64 + 1);
        let at: DateTime<Utc> =
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::minutes(id.0);
        self.rows.push(ConfigRecord::new(id, draft, at, "test"));
        id
    }

    fn add(&mut self, t: ConfigType, body: Value) -> ConfigId {
        let draft = ConfigDraft::parse(t, &body).unwrap_or_else(|e| panic!("{t} {body}: {e:?}"));
        self.push(draft)
    }

    fn get_mut(&mut self, id: ConfigId) -> &mut ConfigRecord {
        self.rows.iter_mut().find(|r| r.id == id).unwrap()
    }

    fn resolve(&self, p: &str) -> ResolvedConfig {
        resolve_config(&self.rows, period(p)).unwrap_or_else(|e| panic!("{e}"))
    }

    fn refuse(&self, p: &str) -> ResolveError {
        resolve_config(&self.rows, period(p)).unwrap_err()
    }
}

fn o_row(from: &str, to: Option<&str>, delay: u32) -> Value {
    json!({"effective_from": from, "effective_to": to, "max_delay_minutes": delay})
}

fn weights(rows: &mut Rows, from: &str, w: [i64; 5]) -> Vec<ConfigId> {
    Component::ALL
        .into_iter()
        .zip(w)
        .map(|(c, pct)| {
            rows.add(
                ConfigType::ScoreWeights,
                json!({"score_component": c.as_str(), "weight_pct": pct, "effective_from": from}),
            )
        })
        .collect()
}

fn tier_rows(rows: &mut Rows, from: &str, tiers: &[(&str, u32, i64)]) -> Vec<ConfigId> {
    tiers
        .iter()
        .map(|(name, order, min)| {
            rows.add(
                ConfigType::Tiers,
                json!({"tier_name": name, "tier_order": order, "min_sos_score": min,
                       "max_sos_score": 100, "effective_from": from}),
            )
        })
        .collect()
}

/// Only what a calculation cannot do without: weights and tiers.
fn minimal() -> Rows {
    let mut rows = Rows::empty();
    weights(&mut rows, "2000-01-01", [25, 20, 20, 20, 15]);
    tier_rows(
        &mut rows,
        "2000-01-01",
        &[("Good", 1, 50), ("Warning", 2, 0)],
    );
    rows
}

fn without_ids(mut c: ResolvedConfig) -> ResolvedConfig {
    c.weights = sos_domain::PerComponent::from_fn(|k| {
        let mut w = c.weights.get(k).clone();
        w.id = None;
        w
    });
    c.tiers.iter_mut().for_each(|t| t.id = None);
    c.p_score_major.id = None;
    c.p_score_mini.id = None;
    c.o_score.id = None;
    c.t_score.iter_mut().for_each(|t| t.id = None);
    c.f_score.iter_mut().for_each(|t| t.id = None);
    c.i_score.id = None;
    c.grace.id = None;
    c.surcharges.iter_mut().for_each(|s| s.id = None);
    c.am_kpi_weights.iter_mut().for_each(|w| w.id = None);
    c.am_bonus_penalty.iter_mut().for_each(|b| b.id = None);
    c
}

// ---------------------------------------------------------------------------------------------
// Defaults.

#[test]
fn resolving_the_seeded_defaults_gives_the_built_in_defaults() {
    let rows = Rows::seeded();
    let resolved = rows.resolve("2026-02");
    assert_eq!(resolved.resolution_date, date("2026-02-28"));
    assert_eq!(
        without_ids(resolved.clone()),
        ResolvedConfig::defaults(date("2026-02-28"))
    );
    // Every seeded row is used, so every id is recorded.
    let ids: Vec<i64> = resolved.config_ids().into_iter().map(|i| i.0).collect();
    assert_eq!(ids, (1..=rows.rows.len() as i64).collect::<Vec<_>>());
    assert_eq!(rows.rows.len(), 35);
}

#[test]
fn built_in_defaults_have_the_spec_values_and_no_ids() {
    let d = ResolvedConfig::defaults(date("2026-02-28"));
    assert!(d.config_ids().is_empty());
    let w: Vec<_> = d
        .weights
        .iter()
        .map(|(_, w)| (w.value.weight_pct, w.value.max_points))
        .collect();
    assert_eq!(
        w,
        [
            (dec!(25), dec!(100)),
            (dec!(20), dec!(100)),
            (dec!(20), dec!(100)),
            (dec!(20), dec!(100)),
            (dec!(15), dec!(100))
        ]
    );
    let tiers: Vec<_> = d
        .tiers
        .iter()
        .map(|t| (t.value.tier_name.as_str(), t.value.min_sos_score))
        .collect();
    assert_eq!(
        tiers,
        [
            ("Platinum", dec!(90)),
            ("Gold", dec!(80)),
            ("Silver", dec!(70)),
            ("Bronze", dec!(60)),
            ("Warning", dec!(0))
        ]
    );
    assert_eq!(
        d.p_score(CampaignType::MajorCampaign)
            .value
            .required_lead_days,
        14
    );
    assert_eq!(
        d.p_score(CampaignType::MiniCampaign)
            .value
            .required_lead_days,
        7
    );
    let rules: Vec<_> = d
        .surcharges
        .iter()
        .map(|s| {
            (
                s.surcharge_type.as_str(),
                s.condition.to_json(),
                s.action.to_json(),
            )
        })
        .collect();
    assert_eq!(
        rules,
        [
            (
                "storage",
                json!({"metric": "aging_over_180d_pct", "op": ">=", "value": 30}),
                json!({"type": "fee_multiplier", "fee": "storage", "value": 1.5})
            ),
            (
                "fulfillment",
                json!({"all": [{"metric": "tier", "op": "==", "value": "Warning"},
                               {"metric": "previous_tier", "op": "==", "value": "Warning"}]}),
                json!({"type": "percent_fee", "fee": "fulfillment", "pct": 5})
            ),
            (
                "orders",
                json!({"metric": "worst_days_late", "op": ">", "value": 30}),
                json!({"type": "block_orders", "reason": "An invoice is more than 30 days late"})
            ),
        ]
    );
    assert!(d.surcharges.iter().all(|s| s.id.is_none()));
}

#[test]
fn default_drafts_are_dated_2000_01_01_except_p_score() {
    let drafts = default_config_drafts();
    for d in &drafts {
        let expected = d
            .config_type()
            .has_effective_dates()
            .then(|| date("2000-01-01"));
        assert_eq!(d.effective_from, expected, "{}", d.config_type());
        assert_eq!(d.effective_to, None);
    }
    assert!(drafts
        .iter()
        .all(|d| d.config_type() != ConfigType::Helpdesk));
    assert_eq!(
        drafts
            .iter()
            .filter(|d| d.config_type() == ConfigType::PScore)
            .count(),
        2
    );
}

#[test]
fn seeding_is_idempotent_and_skips_types_with_any_row() {
    assert_eq!(default_drafts_to_seed(&[]), default_config_drafts());
    let rows = Rows::seeded();
    assert!(default_drafts_to_seed(&rows.rows).is_empty());
    let mut partial = Rows::empty();
    let id = partial.add(ConfigType::OScore, o_row("2026-01-01", None, 45));
    partial.get_mut(id).is_active = false; // a deleted row still counts as "written by a user"
    let todo = default_drafts_to_seed(&partial.rows);
    assert!(todo.iter().all(|d| d.config_type() != ConfigType::OScore));
    assert_eq!(todo.len(), default_config_drafts().len() - 1);
}

// ---------------------------------------------------------------------------------------------
// Effective dates.

#[test]
fn a_row_starting_on_the_last_day_counts_and_the_day_after_does_not() {
    let mut rows = Rows::seeded();
    let on_last_day = rows.add(ConfigType::OScore, o_row("2026-02-28", None, 45));
    let day_after = rows.add(ConfigType::OScore, o_row("2026-03-01", None, 60));
    let feb = rows.resolve("2026-02");
    assert_eq!(feb.o_score.id, Some(on_last_day));
    assert_eq!(feb.o_score.value.max_delay_minutes, 45);
    let mar = rows.resolve("2026-03");
    assert_eq!(mar.o_score.id, Some(day_after));
    // Leap-year February ends on the 29th.
    let leap = rows.add(ConfigType::OScore, o_row("2028-02-29", None, 50));
    assert_eq!(rows.resolve("2028-02").o_score.id, Some(leap));
}

#[test]
fn effective_to_on_the_last_day_counts_and_the_day_before_does_not() {
    let mut rows = Rows::seeded();
    let seeded = rows.resolve("2026-02").o_score.id;
    let to_d = rows.add(
        ConfigType::OScore,
        o_row("2026-02-01", Some("2026-02-28"), 45),
    );
    assert_eq!(rows.resolve("2026-02").o_score.id, Some(to_d));
    rows.get_mut(to_d).effective_to = Some(date("2026-02-27"));
    assert_eq!(rows.resolve("2026-02").o_score.id, seeded);
}

#[test]
fn inactive_rows_are_ignored() {
    let mut rows = Rows::seeded();
    let seeded = rows.resolve("2026-02").o_score.id;
    let newer = rows.add(ConfigType::OScore, o_row("2026-01-01", None, 45));
    assert_eq!(rows.resolve("2026-02").o_score.id, Some(newer));
    rows.get_mut(newer).is_active = false;
    assert_eq!(rows.resolve("2026-02").o_score.id, seeded);
}

#[test]
fn the_latest_effective_from_wins_and_ties_go_to_the_highest_id() {
    let mut rows = Rows::seeded();
    let later = rows.add(ConfigType::OScore, o_row("2026-01-15", None, 40));
    let _earlier_but_newer = rows.add(ConfigType::OScore, o_row("2026-01-01", None, 41));
    assert_eq!(rows.resolve("2026-02").o_score.id, Some(later));
    let tie = rows.add(ConfigType::OScore, o_row("2026-01-15", None, 42));
    assert_eq!(rows.resolve("2026-02").o_score.id, Some(tie));
    assert_eq!(rows.resolve("2026-02").o_score.value.max_delay_minutes, 42);
}

#[test]
fn single_configs_fall_back_to_defaults_without_an_id() {
    let rows = minimal();
    let r = rows.resolve("2026-02");
    assert_eq!(r.o_score.id, None);
    assert_eq!(r.o_score.value, OScoreConfig::default());
    assert_eq!(r.i_score.id, None);
    assert_eq!(r.grace.id, None);
    assert_eq!(r.p_score_major.id, None);
    assert_eq!(r.p_score_mini.value.required_lead_days, 7);
    assert!(r.t_score.iter().all(|t| t.id.is_none()) && r.t_score.len() == 4);
    assert!(r.f_score.iter().all(|t| t.id.is_none()) && r.f_score.len() == 5);
    assert!(r.am_kpi_weights.iter().all(|t| t.id.is_none()) && r.am_kpi_weights.len() == 3);
    assert!(r.am_bonus_penalty.iter().all(|t| t.id.is_none()) && r.am_bonus_penalty.len() == 5);
    // Surcharges have no fallback: no rule row, no rule.
    assert!(r.surcharges.is_empty());
    // Only the weight and tier rows are recorded.
    assert_eq!(r.config_ids().len(), 7);
}

// ---------------------------------------------------------------------------------------------
// Keyed configs.

#[test]
fn weights_resolve_per_component() {
    let mut rows = Rows::seeded();
    // A new p weight alone would break the sum, so o changes with it.
    let p = rows.add(
        ConfigType::ScoreWeights,
        json!({"score_component": "p_score", "weight_pct": 30, "effective_from": "2026-02-01"}),
    );
    let o = rows.add(
        ConfigType::ScoreWeights,
        json!({"score_component": "o_score", "weight_pct": 15, "effective_from": "2026-02-01"}),
    );
    let r = rows.resolve("2026-02");
    assert_eq!(r.weights.p_score.id, Some(p));
    assert_eq!(r.weights.o_score.id, Some(o));
    assert_eq!(r.weights.t_score.id, Some(ConfigId(3)));
    let jan = rows.resolve("2026-01");
    assert_eq!(jan.weights.p_score.value.weight_pct, dec!(25));
    assert_eq!(
        select_rows(&rows.rows, ConfigType::ScoreWeights, date("2026-02-28")).len(),
        5
    );
}

#[test]
fn p_score_ignores_dates_and_takes_the_latest_active_row_per_type() {
    let mut rows = Rows::seeded();
    let major = rows.add(
        ConfigType::PScore,
        json!({"campaign_type": "major_campaign", "required_lead_days": 21}),
    );
    let r = rows.resolve("2000-01");
    assert_eq!(r.p_score_major.id, Some(major));
    assert_eq!(r.p_score_major.value.required_lead_days, 21);
    assert_eq!(r.p_score_mini.value.required_lead_days, 7);
    assert!(r.p_score_mini.id.is_some());
    rows.get_mut(major).is_active = false;
    assert_eq!(
        rows.resolve("2026-02")
            .p_score_major
            .value
            .required_lead_days,
        14
    );
    // Same creation time: the highest id wins.
    let a = rows.add(
        ConfigType::PScore,
        json!({"campaign_type": "mini_campaign", "required_lead_days": 3}),
    );
    let b = rows.add(
        ConfigType::PScore,
        json!({"campaign_type": "mini_campaign", "required_lead_days": 4}),
    );
    let created = rows.get_mut(a).created_at;
    rows.get_mut(b).created_at = created;
    assert_eq!(rows.resolve("2026-02").p_score_mini.id, Some(b));
    // Removing every p-score row falls back to the built-in defaults.
    rows.rows.retain(|r| r.config_type != ConfigType::PScore);
    let r = rows.resolve("2026-02");
    assert_eq!(
        (r.p_score_major.id, r.p_score_major.value.required_lead_days),
        (None, 14)
    );
}

#[test]
fn helpdesk_resolves_per_country() {
    let mut rows = Rows::seeded();
    let hd = |cc: &str, url: &str| json!({"country_code": cc, "helpdesk_url": url, "api_key": "k", "api_secret": "s"});
    let vn1 = rows.add(ConfigType::Helpdesk, hd("VN", "https://old.example.vn"));
    let th = rows.add(ConfigType::Helpdesk, hd("TH", "https://hd.example.th"));
    assert_eq!(resolve_helpdesk(&rows.rows, "VN").map(|r| r.id), Some(vn1));
    assert_eq!(resolve_helpdesk(&rows.rows, "th").map(|r| r.id), Some(th));
    assert!(resolve_helpdesk(&rows.rows, "SG").is_none());
    let vn2 = rows.add(ConfigType::Helpdesk, hd("VN", "https://new.example.vn"));
    assert_eq!(resolve_helpdesk(&rows.rows, "VN").map(|r| r.id), Some(vn2));
    rows.get_mut(vn2).is_active = false;
    assert_eq!(resolve_helpdesk(&rows.rows, "VN").map(|r| r.id), Some(vn1));
    let picked = select_rows(&rows.rows, ConfigType::Helpdesk, date("2026-02-28"));
    assert_eq!(picked.iter().map(|r| r.id).collect::<Vec<_>>(), [vn1, th]);
}

// ---------------------------------------------------------------------------------------------
// Set configs and rules.

fn t_band(from: &str, index: u32, min: i64, max: Option<i64>, points: i64) -> Value {
    json!({"tier_index": index, "response_hours_min": min, "response_hours_max": max,
           "points": points, "effective_from": from})
}

#[test]
fn sets_take_only_the_group_with_the_latest_effective_from() {
    let mut rows = Rows::seeded();
    let a = rows.add(ConfigType::TScore, t_band("2026-01-01", 1, 0, Some(2), 100));
    let b = rows.add(ConfigType::TScore, t_band("2026-01-01", 2, 2, None, 10));
    let _future = rows.add(ConfigType::TScore, t_band("2026-03-01", 1, 0, None, 100));
    let feb = rows.resolve("2026-02");
    assert_eq!(
        feb.t_score.iter().map(|t| t.id).collect::<Vec<_>>(),
        [Some(a), Some(b)]
    );
    assert_eq!(rows.resolve("2026-03").t_score.len(), 1);
    assert_eq!(rows.resolve("2025-12").t_score.len(), 4);
    // When the newest group has ended, the previous one applies again.
    rows.get_mut(a).effective_to = Some(date("2026-01-31"));
    rows.get_mut(b).effective_to = Some(date("2026-01-31"));
    let feb = rows.resolve("2026-02");
    assert_eq!(feb.t_score.len(), 4);
    assert!(feb.t_score.iter().all(|t| t.id.is_some()));
}

#[test]
fn a_partly_ended_group_keeps_its_remaining_rows() {
    let mut rows = Rows::seeded();
    let a = rows.add(
        ConfigType::AmKpiWeight,
        json!({"component": "avg_sos", "weight_pct": 70, "effective_from": "2026-01-01"}),
    );
    let b = rows.add(ConfigType::AmKpiWeight, json!({"component": "growth", "weight_pct": 30, "effective_from": "2026-01-01", "effective_to": "2026-01-31"}));
    assert_eq!(
        rows.resolve("2026-01")
            .am_kpi_weights
            .iter()
            .map(|w| w.id)
            .collect::<Vec<_>>(),
        [Some(a), Some(b)]
    );
    assert_eq!(
        rows.resolve("2026-02")
            .am_kpi_weights
            .iter()
            .map(|w| w.id)
            .collect::<Vec<_>>(),
        [Some(a)]
    );
}

#[test]
fn sets_are_ordered_for_display() {
    let mut rows = minimal();
    rows.add(ConfigType::AmBonusPenalty, json!({"sos_delta_min": -5, "sos_delta_max": 0, "bonus_or_penalty_amount": -1, "effective_from": "2026-01-01"}));
    rows.add(
        ConfigType::AmBonusPenalty,
        json!({"sos_delta_min": 0, "bonus_or_penalty_amount": 1, "effective_from": "2026-01-01"}),
    );
    rows.add(
        ConfigType::FScore,
        json!({"tier_index": 2, "days_late_min": 1, "points": 0, "effective_from": "2026-01-01"}),
    );
    rows.add(ConfigType::FScore, json!({"tier_index": 1, "days_late_min": 0, "days_late_max": 0, "points": 100, "effective_from": "2026-01-01"}));
    let r = rows.resolve("2026-02");
    let mins: Vec<_> = r
        .am_bonus_penalty
        .iter()
        .map(|b| b.value.sos_delta_min)
        .collect();
    assert_eq!(mins, [dec!(0), dec!(-5)]);
    let idx: Vec<_> = r.f_score.iter().map(|f| f.value.tier_index).collect();
    assert_eq!(idx, [1, 2]);
    let orders: Vec<_> = r.tiers.iter().map(|t| t.value.tier_order).collect();
    assert_eq!(orders, [1, 2]);
}

#[test]
fn every_effective_surcharge_row_is_a_rule_with_its_id() {
    let mut rows = Rows::seeded();
    let rule = rows.add(
        ConfigType::Surcharge,
        json!({"surcharge_type": "storage", "trigger_condition": {"metric": "i_score", "op": "<", "value": 50},
               "action": {"type": "fixed_fee", "amount": 500000, "currency": "VND"},
               "effective_from": "2026-02-01"}),
    );
    let later = rows.add(
        ConfigType::Surcharge,
        json!({"surcharge_type": "x", "trigger_condition": {"metric": "i_score", "op": "<", "value": 10},
               "action": {"type": "fixed_fee", "amount": 1, "currency": "VND"},
               "effective_from": "2026-03-01"}),
    );
    let feb = rows.resolve("2026-02");
    assert_eq!(feb.surcharges.len(), 4);
    assert_eq!(feb.surcharges[3].id, Some(rule));
    assert_eq!(rows.resolve("2026-01").surcharges.len(), 3);
    assert!(rows
        .resolve("2026-03")
        .surcharges
        .iter()
        .any(|s| s.id == Some(later)));
}

#[test]
fn config_ids_are_sorted_and_unique() {
    let mut rows = minimal();
    let o = rows.add(ConfigType::OScore, o_row("2026-01-01", None, 45));
    let ids = rows.resolve("2026-02").config_ids();
    assert_eq!(ids.len(), 8);
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    assert!(ids.contains(&o));
}

#[test]
fn rows_whose_type_disagrees_with_their_body_are_ignored() {
    let mut rows = Rows::seeded();
    let bad = rows.add(ConfigType::OScore, o_row("2026-01-01", None, 45));
    rows.get_mut(bad).config_type = ConfigType::IScore;
    let r = rows.resolve("2026-02");
    assert_ne!(r.o_score.id, Some(bad));
    assert_ne!(r.i_score.id, Some(bad));
    assert!(matches!(rows.get_mut(bad).body, ConfigBody::OScore(_)));
}

// ---------------------------------------------------------------------------------------------
// Refusals.

#[test]
fn refuses_missing_weights_naming_period_date_and_components() {
    let mut rows = Rows::seeded();
    rows.rows.retain(|r| {
        !matches!(&r.body, ConfigBody::ScoreWeights(w) if matches!(w.score_component, Component::P | Component::I))
    });
    let e = rows.refuse("2026-02");
    assert_eq!((e.period, e.date), (period("2026-02"), date("2026-02-28")));
    assert_eq!(
        e.problems,
        [ResolveProblem::MissingWeights(vec![
            Component::P,
            Component::I
        ])]
    );
    assert_eq!(
        e.to_string(),
        "cannot calculate period 2026-02: the configuration effective on 2026-02-28 has no score-weights row for p_score, i_score"
    );
}

#[test]
fn a_weight_that_starts_later_or_ended_counts_as_missing() {
    let mut rows = minimal();
    let t = rows
        .rows
        .iter()
        .find(
            |r| matches!(&r.body, ConfigBody::ScoreWeights(w) if w.score_component == Component::T),
        )
        .unwrap()
        .id;
    rows.get_mut(t).effective_to = Some(date("2026-01-31"));
    assert_eq!(
        rows.refuse("2026-02").problems,
        [ResolveProblem::MissingWeights(vec![Component::T])]
    );
    assert!(resolve_config(&rows.rows, period("2026-01")).is_ok());
}

#[test]
fn refuses_weights_that_do_not_sum_to_100_giving_the_sum() {
    let mut rows = Rows::seeded();
    rows.add(
        ConfigType::ScoreWeights,
        json!({"score_component": "i_score", "weight_pct": 10.5, "effective_from": "2026-02-01"}),
    );
    let e = rows.refuse("2026-02");
    assert_eq!(e.problems, [ResolveProblem::WeightSum(Some(dec!(95.5)))]);
    assert_eq!(
        e.to_string(),
        "cannot calculate period 2026-02: the configuration effective on 2026-02-28 has score weights summing to 95.5, not 100"
    );
    assert!(resolve_config(&rows.rows, period("2026-01")).is_ok());
}

#[test]
fn refuses_without_an_effective_tier_set() {
    let mut rows = Rows::seeded();
    rows.rows.retain(|r| r.config_type != ConfigType::Tiers);
    let e = rows.refuse("2026-02");
    assert_eq!(e.problems, [ResolveProblem::NoTierSet]);
    assert_eq!(
        e.to_string(),
        "cannot calculate period 2026-02: the configuration effective on 2026-02-28 has no tier set"
    );
}

#[test]
fn refuses_a_tier_set_without_a_zero_tier() {
    let mut rows = Rows::seeded();
    tier_rows(&mut rows, "2026-02-01", &[("Top", 1, 80), ("Rest", 2, 10)]);
    let e = rows.refuse("2026-02");
    assert_eq!(
        e.problems,
        [ResolveProblem::NoZeroTier {
            effective_from: date("2026-02-01")
        }]
    );
    assert_eq!(
        e.to_string(),
        "cannot calculate period 2026-02: the configuration effective on 2026-02-28 has a tier set (effective from 2026-02-01) with no tier at min_sos_score = 0"
    );
    // The older, complete set still serves January.
    assert_eq!(rows.resolve("2026-01").tiers.len(), 5);
}

#[test]
fn lists_every_problem_at_once() {
    let mut rows = Rows::empty();
    weights(&mut rows, "2000-01-01", [50, 50, 50, 50, 50]);
    let e = rows.refuse("2026-02");
    assert_eq!(
        e.problems,
        [
            ResolveProblem::WeightSum(Some(dec!(250))),
            ResolveProblem::NoTierSet
        ]
    );
    assert!(
        e.to_string()
            .ends_with("has score weights summing to 250, not 100; and has no tier set"),
        "{e}"
    );
    let e = Rows::empty().refuse("2026-02");
    assert_eq!(
        e.problems,
        [
            ResolveProblem::MissingWeights(Component::ALL.to_vec()),
            ResolveProblem::NoTierSet
        ]
    );
}
