//! Score exceptions: stored, one active per component, revoked but kept, applied by the
//! calculation of their period, refused on a finalized period.

use crate::{
    calc::{calculate, seed_world},
    fixtures::*,
    Ports,
};
use rust_decimal_macros::dec;
use sos_app::{ExceptionError, NewException, Sos};
use sos_domain::{
    exception::{ExceptionEffect, ExceptionReason},
    scoring::{ComponentStatus, NotApplicableReason},
    Component,
};
use sos_ports::{CalculationScope, ExceptionFilter, StoreError};

fn new(seller: &str, component: Component, effect: ExceptionEffect) -> NewException {
    NewException {
        seller_code: code(seller),
        period: feb(),
        component,
        reason_type: ExceptionReason::WarehouseFault,
        note: "the warehouse scanner was down for two days".into(),
        effect,
    }
}

/// The store keeps exceptions with their author, allows one active per component, lists and
/// filters them, and revokes without deleting.
pub fn exceptions_are_kept_one_active_per_component<P: Ports>(store: P) {
    seed_world(&store);
    let sos = Sos::new(store.clone());
    let created = sos
        .create_exception(
            &new("SEL001", Component::O, ExceptionEffect::Exclude),
            ACTOR,
        )
        .unwrap();
    assert!(created.hint.contains("recalculate 2026-02"));
    let e = &created.record.exception;
    assert_eq!(e.seller_code, code("SEL001"));
    assert_eq!(e.component, Component::O);
    assert_eq!(e.created_by, ACTOR);
    assert_eq!(e.note, "the warehouse scanner was down for two days");
    assert!(created.record.is_active());
    assert_eq!(store.get_exception(e.id).unwrap(), created.record);

    match sos.create_exception(
        &new(
            "SEL001",
            Component::O,
            ExceptionEffect::SetScore { value: dec!(90) },
        ),
        ACTOR,
    ) {
        Err(ExceptionError::Invalid(errors)) => {
            let text = errors.to_string();
            assert!(text.contains("already overrides o_score"), "{text}");
            assert!(text.contains(&format!("id {}", e.id)), "{text}");
        }
        other => panic!("a second active exception on o_score: {other:?}"),
    }
    let t = sos
        .create_exception(
            &new(
                "SEL001",
                Component::T,
                ExceptionEffect::SetScore { value: dec!(95.5) },
            ),
            ACTOR,
        )
        .unwrap();
    assert!(matches!(
        sos.create_exception(&new("NOPE", Component::T, ExceptionEffect::Exclude), ACTOR),
        Err(ExceptionError::UnknownSeller(_))
    ));
    match sos.create_exception(
        &new(
            "SEL002",
            Component::T,
            ExceptionEffect::SetScore { value: dec!(100.5) },
        ),
        ACTOR,
    ) {
        Err(ExceptionError::Invalid(errors)) => {
            assert!(errors.to_string().contains("between 0 and 100"), "{errors}");
        }
        other => panic!("a score above max_points: {other:?}"),
    }

    let all = store.list_exceptions(&ExceptionFilter::default()).unwrap();
    assert_eq!(
        all.iter().map(|r| r.exception.id).collect::<Vec<_>>(),
        [t.record.exception.id, e.id],
        "newest first"
    );
    let revoked = sos.revoke_exception(e.id, "ops-lead").unwrap();
    assert!(!revoked.is_active());
    assert_eq!(revoked.revoked_by.as_deref(), Some("ops-lead"));
    assert!(matches!(
        sos.revoke_exception(e.id, ACTOR),
        Err(ExceptionError::AlreadyRevoked(_))
    ));
    assert!(matches!(
        store.revoke_exception(e.id, ACTOR, chrono::Utc::now()),
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store.get_exception(i64::MAX),
        Err(StoreError::NotFound)
    ));
    let active = store
        .list_exceptions(&ExceptionFilter {
            seller_code: Some(code("SEL001")),
            period: Some(feb()),
            active_only: true,
        })
        .unwrap();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].exception.component, Component::T);
    assert_eq!(
        store
            .list_exceptions(&ExceptionFilter {
                period: Some(mar()),
                ..ExceptionFilter::default()
            })
            .unwrap()
            .len(),
        0
    );
    // Revoked, the component is free again.
    sos.create_exception(
        &new("SEL001", Component::O, ExceptionEffect::Exclude),
        ACTOR,
    )
    .unwrap();
}

/// A calculation applies its period's active exceptions; revoked ones and other periods'
/// do not count; a finalized period refuses new exceptions and revocations.
pub fn calculation_applies_the_periods_exceptions<P: Ports>(store: P) {
    seed_world(&store);
    let sos = Sos::new(store.clone());
    calculate(&store, feb(), CalculationScope::All, false);
    let before = store.get_score(&code("SEL001"), feb()).unwrap().result;

    let excluded = sos
        .create_exception(
            &new("SEL001", Component::O, ExceptionEffect::Exclude),
            ACTOR,
        )
        .unwrap();
    let set = sos
        .create_exception(
            &new(
                "SEL002",
                Component::O,
                ExceptionEffect::SetScore { value: dec!(12.5) },
            ),
            ACTOR,
        )
        .unwrap();
    // Nothing changes until the period is calculated again.
    assert_eq!(
        store.get_score(&code("SEL001"), feb()).unwrap().result,
        before
    );
    calculate(&store, feb(), CalculationScope::All, false);

    let sel001 = store.get_score(&code("SEL001"), feb()).unwrap().result;
    let o = &sel001.components.o_score;
    assert_eq!(o.status, ComponentStatus::NotApplicable);
    assert_eq!(
        o.not_applicable_reason,
        Some(NotApplicableReason::ExcludedByException)
    );
    let applied = o.exception.as_ref().unwrap();
    assert_eq!(applied.id, excluded.record.exception.id);
    assert_eq!(applied.author, ACTOR);
    assert_eq!(applied.original_score, before.components.o_score.score);
    assert_ne!(sel001.sos_score(), before.sos_score());
    let sel002 = store.get_score(&code("SEL002"), feb()).unwrap().result;
    assert_eq!(sel002.components.o_score.score, Some(dec!(12.5)));
    // SEL002 has orders only, so its total is its O score on the 0-100 scale.
    assert_eq!(sel002.sos_score(), Some(dec!(12.50)));
    assert_eq!(
        sel002.components.o_score.exception.as_ref().unwrap().id,
        set.record.exception.id
    );

    // Revoked: the next calculation gives the rule's score back.
    sos.revoke_exception(excluded.record.exception.id, ACTOR)
        .unwrap();
    calculate(&store, feb(), CalculationScope::All, false);
    let again = store.get_score(&code("SEL001"), feb()).unwrap().result;
    assert_eq!(again.components.o_score, before.components.o_score);
    assert_eq!(again.sos_score(), before.sos_score());

    sos.finalize(feb(), ACTOR).unwrap();
    assert!(matches!(
        sos.create_exception(&new("SEL001", Component::I, ExceptionEffect::Exclude), ACTOR),
        Err(ExceptionError::Finalized(p)) if p == feb()
    ));
    assert!(matches!(
        sos.revoke_exception(set.record.exception.id, ACTOR),
        Err(ExceptionError::Finalized(_))
    ));
    let audit = store
        .list_audit(Some("score_exception".into()), None, 50)
        .unwrap();
    assert_eq!(
        audit.iter().filter(|a| a.action == "create").count(),
        2,
        "every exception is audited"
    );
    assert_eq!(audit.iter().filter(|a| a.action == "revoke").count(), 1);
}
