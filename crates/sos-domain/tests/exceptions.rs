//! Exceptions, worked by hand from `scoring-rules.md` on the seed seller: P 100, O 85,
//! T 88.80, F 91, I 80 at the default weights 25/20/20/20/15, SOS 89.96 Gold.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rust_decimal_macros::dec;
use sos_domain::{
    exception::{ExceptionDraft, ExceptionEffect, ExceptionReason, ScoreException},
    scoring::{ComponentStatus, NotApplicableReason},
    Component, Decimal, Scorer, SellerCode,
};

fn exception(component: Component, effect: ExceptionEffect) -> ScoreException {
    ScoreException {
        id: 7,
        seller_code: SellerCode::parse("SEL001").unwrap(),
        period: period("2026-02"),
        component,
        reason_type: ExceptionReason::SystemSyncError,
        note: "the OMS lost a day of pushes".into(),
        effect,
        created_by: "ops-lead".into(),
        appeal_id: None,
    }
}

fn total_with(exceptions: Vec<ScoreException>) -> (Option<Decimal>, String) {
    let mut inputs = seed_inputs();
    inputs.exceptions = exceptions;
    let result = Scorer::new(&config_with_ids()).score(None, &inputs);
    let tier = result.tier().map(|t| t.to_string()).unwrap_or_default();
    (result.sos_score(), tier)
}

#[test]
fn without_exceptions_the_seed_scores_89_96() {
    assert_eq!(total_with(vec![]), (Some(dec!(89.96)), "Gold".into()));
}

#[test]
fn exclude_reweights_the_total() {
    // O out: (25*100 + 20*88.80 + 20*91 + 15*80) / 80 = 7296 / 80 = 91.20, Platinum.
    let (sos, tier) = total_with(vec![exception(Component::O, ExceptionEffect::Exclude)]);
    assert_eq!(sos.unwrap().to_string(), "91.20");
    assert_eq!(tier, "Platinum");

    let mut inputs = seed_inputs();
    inputs.exceptions = vec![exception(Component::O, ExceptionEffect::Exclude)];
    let result = Scorer::new(&config_with_ids()).score(None, &inputs);
    let o = &result.components.o_score;
    assert_eq!(o.status, ComponentStatus::NotApplicable);
    assert_eq!(o.score, None);
    assert_eq!(
        o.not_applicable_reason,
        Some(NotApplicableReason::ExcludedByException)
    );
    let applied = o.exception.as_ref().unwrap();
    assert_eq!(applied.id, 7);
    assert_eq!(applied.author, "ops-lead");
    assert_eq!(applied.original_status, ComponentStatus::Scored);
    assert_eq!(applied.original_score, Some(dec!(85.00)));
    let json = serde_json::to_value(&result).unwrap();
    assert_eq!(
        json["components"]["o_score"]["exception"]["reason_type"],
        "system_sync_error"
    );
    assert_eq!(
        json["components"]["o_score"]["exception"]["effect"],
        serde_json::json!({"type": "exclude"})
    );
    // A stored result reads back with its exception.
    let back: sos_domain::ScoreResult = serde_json::from_value(json).unwrap();
    assert_eq!(back, result);
}

#[test]
fn set_score_replaces_the_rules_score() {
    // O 50: (2500 + 20*50 + 1776 + 1820 + 1200) / 100 = 82.96, Gold.
    let (sos, tier) = total_with(vec![exception(
        Component::O,
        ExceptionEffect::SetScore { value: dec!(50) },
    )]);
    assert_eq!(sos.unwrap().to_string(), "82.96");
    assert_eq!(tier, "Gold");
}

#[test]
fn set_score_can_score_a_component_that_had_no_data() {
    // No orders, O set to 100: (2500 + 2000 + 1776 + 1820 + 1200) / 100 = 92.96.
    let mut inputs = seed_inputs();
    inputs.orders = None;
    inputs.exceptions = vec![exception(
        Component::O,
        ExceptionEffect::SetScore { value: dec!(100) },
    )];
    let result = Scorer::new(&config_with_ids()).score(None, &inputs);
    assert_eq!(result.sos_score().unwrap().to_string(), "92.96");
    let applied = result.components.o_score.exception.as_ref().unwrap();
    assert_eq!(applied.original_status, ComponentStatus::NotApplicable);
    assert_eq!(applied.original_score, None);
}

#[test]
fn grace_never_raises_a_score_an_exception_set() {
    // Onboarded in the period: new seller, floor 70 on every component. O set to 40 stays 40:
    // (2500 + 20*40 + 1776 + 1820 + 1200) / 100 = 80.96. Raised, it would have been 86.96.
    let mut inputs = seed_inputs();
    inputs.onboarded_at = Some(date(2026, 2, 1));
    inputs.exceptions = vec![exception(
        Component::O,
        ExceptionEffect::SetScore { value: dec!(40) },
    )];
    let result = Scorer::new(&config_with_ids()).score(None, &inputs);
    assert!(result.grace.applied);
    assert_eq!(result.components.o_score.score, Some(dec!(40)));
    assert!(!result.grace.raised_components.contains(&Component::O));
    assert_eq!(result.sos_score().unwrap().to_string(), "80.96");
}

#[test]
fn excluding_every_component_leaves_no_total() {
    let all = Component::ALL
        .into_iter()
        .map(|c| exception(c, ExceptionEffect::Exclude))
        .collect();
    assert_eq!(total_with(all), (None, String::new()));
}

#[test]
fn drafts_check_the_value_the_note_and_the_reason() {
    let draft = |reason, note: &str, value| {
        ExceptionDraft::new(
            SellerCode::parse("SEL001").unwrap(),
            period("2026-02"),
            Component::O,
            reason,
            note,
            ExceptionEffect::SetScore { value },
            dec!(100),
            None,
        )
    };
    assert!(draft(ExceptionReason::ForceMajeure, "flood", dec!(100)).is_ok());
    assert!(draft(ExceptionReason::ForceMajeure, "flood", dec!(0)).is_ok());
    for (reason, note, value, field) in [
        (ExceptionReason::Other, "x", dec!(100.01), "effect.value"),
        (ExceptionReason::Other, "x", dec!(-1), "effect.value"),
        (ExceptionReason::Other, "x", dec!(50.125), "effect.value"),
        (ExceptionReason::Other, "  ", dec!(50), "note"),
        (ExceptionReason::Appeal, "x", dec!(50), "reason_type"),
    ] {
        let errors = draft(reason, note, value).unwrap_err();
        let fields: Vec<String> = errors.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, [field], "{reason:?} {note:?} {value}");
    }
}
