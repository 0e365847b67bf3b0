//! Appeals through both levels on a finalized period: the approval re-scores the seller, keeps
//! the original, recomputes the AM portfolio and emits events; every forbidden step is refused.

use crate::{
    calc::{calculate, seed_world},
    fixtures::*,
    Ports,
};
use chrono::TimeDelta;
use rust_decimal_macros::dec;
use sos_app::{AmReview, AppealError, NewAppeal, Sos};
use sos_domain::{
    appeal::{
        AmDecision, AppealRefusal, AppealRules, AppealStatus, AppealTarget, Evidence, OpsDecision,
    },
    decimal::round2,
    exception::{ExceptionEffect, ExceptionReason},
    scoring::ScoreStatus,
    webhook::{EndpointPolicy, EventType, SubscriptionDraft, SubscriptionPatch, WebhookSecret},
    Component, Decimal,
};
use sos_ports::{AppealFilter, CalculationScope, ExceptionFilter, PageRequest};

fn filing(seller: &str, target: AppealTarget) -> NewAppeal {
    NewAppeal {
        seller_code: code(seller),
        period: feb(),
        target,
        reason_type: ExceptionReason::SystemSyncError,
        description: "the OMS pushed February's orders twice".into(),
        evidence: vec![Evidence {
            label: "OMS incident".into(),
            url: "https://status.example.com/incidents/42".into(),
        }],
    }
}

fn approve(value: Decimal) -> AmReview {
    AmReview {
        decision: AmDecision::Approve,
        note: Some("confirmed with the OMS team".into()),
        component: None,
        score_adjustment: Some(value),
    }
}

fn subscribe_all<P: Ports>(store: &P) -> i64 {
    let settings = SubscriptionDraft::create(
        &SubscriptionPatch {
            subscriber: Some("crm".into()),
            endpoint_url: Some("https://crm.example.com/sos".into()),
            ..SubscriptionPatch::default()
        },
        EndpointPolicy::default(),
    )
    .unwrap();
    store
        .create_subscription(&settings, &WebhookSecret::from_bytes([1; 32]), ACTOR)
        .unwrap()
        .id
}

/// The bodies of every event in the outbox, by type (leasing them all, once).
fn outbox<P: Ports>(store: &P) -> Vec<(EventType, serde_json::Value)> {
    store
        .claim_due(
            chrono::Utc::now() + TimeDelta::hours(1),
            1_000,
            TimeDelta::seconds(5),
        )
        .unwrap()
        .into_iter()
        .map(|d| {
            (
                d.event.event_type(),
                serde_json::from_str(d.event.payload()).unwrap(),
            )
        })
        .collect()
}

fn of_type(all: &[(EventType, serde_json::Value)], t: EventType) -> Vec<serde_json::Value> {
    all.iter()
        .filter(|(e, _)| *e == t)
        .map(|(_, v)| v.clone())
        .collect()
}

/// The whole path: file, ops approve, AM approve with an adjustment; the result is
/// recalculated in the finalized period and the original kept.
pub fn an_approved_appeal_rescores_the_finalized_period<P: Ports>(store: P) {
    seed_world(&store);
    let sos = Sos::new(store.clone());
    calculate(&store, feb(), CalculationScope::All, false);
    sos.finalize(feb(), ACTOR).unwrap();
    let original = store.get_score(&code("SEL001"), feb()).unwrap();
    let sel002 = store.get_score(&code("SEL002"), feb()).unwrap();
    assert_ne!(original.result.components.o_score.score, Some(dec!(100)));
    let subscription = subscribe_all(&store);

    let filed = sos
        .file_appeal(&filing("SEL001", AppealTarget::OScore), "am-key")
        .unwrap();
    let id = filed.appeal.id;
    assert_eq!(filed.appeal.status, AppealStatus::Pending);
    assert_eq!(filed.appeal.filed_by, "am-key");
    assert_eq!(filed.am_id, Some(am_id(1)));
    assert_eq!(filed.history.len(), 1);
    assert_eq!(filed.evidence.len(), 1);
    assert!(matches!(
        sos.file_appeal(&filing("SEL001", AppealTarget::OScore), "am-key"),
        Err(AppealError::Refused(AppealRefusal::AlreadyOpen(open))) if open == id
    ));

    // Separation of duties and order of levels.
    assert!(matches!(
        sos.review_appeal_ops(id, OpsDecision::Approve, None, "am-key"),
        Err(AppealError::Forbidden(_))
    ));
    assert!(matches!(
        sos.review_appeal_am(id, &approve(dec!(100)), "boss"),
        Err(AppealError::Refused(AppealRefusal::WrongLevel { .. }))
    ));
    let reviewed = sos
        .review_appeal_ops(id, OpsDecision::Approve, Some("data checked"), "ops-key")
        .unwrap();
    assert_eq!(reviewed.appeal.status, AppealStatus::UnderReview);
    assert_eq!(reviewed.appeal.ops_reviewed_by.as_deref(), Some("ops-key"));
    assert!(matches!(
        sos.review_appeal_am(id, &approve(dec!(100)), "ops-key"),
        Err(AppealError::Forbidden(m)) if m.contains("both levels")
    ));
    match sos.review_appeal_am(
        id,
        &AmReview {
            score_adjustment: None,
            ..approve(dec!(0))
        },
        "boss",
    ) {
        Err(AppealError::Invalid(e)) => assert!(e.to_string().contains("score_adjustment")),
        other => panic!("an approval without an adjustment: {other:?}"),
    }

    let decided = sos
        .review_appeal_am(id, &approve(dec!(100)), "boss")
        .unwrap();
    assert_eq!(decided.appeal.status, AppealStatus::Approved);
    assert_eq!(decided.score_adjustment, Some(dec!(100)));
    assert_eq!(decided.history.len(), 3);
    assert_eq!(
        decided.history.iter().map(|s| s.to).collect::<Vec<_>>(),
        [
            AppealStatus::Pending,
            AppealStatus::UnderReview,
            AppealStatus::Approved
        ]
    );
    let exception_id = decided.exception_id.unwrap();

    // The result: recalculated, O at 100, the appeal in its explanation.
    let now = store.get_score(&code("SEL001"), feb()).unwrap();
    assert_eq!(now.result.status(), ScoreStatus::Recalculated);
    let o = &now.result.components.o_score;
    assert_eq!(o.score, Some(dec!(100)));
    let applied = o.exception.as_ref().unwrap();
    assert_eq!(applied.id, exception_id);
    assert_eq!(applied.appeal_id, Some(id));
    assert_eq!(applied.reason_type, ExceptionReason::Appeal);
    assert_eq!(
        applied.original_score,
        original.result.components.o_score.score
    );
    // O weighs 20: the total rises by 20 * (100 - O) / 100.
    let o_before = original.result.components.o_score.score.unwrap();
    assert_eq!(
        now.result.sos_score().unwrap(),
        round2(original.result.sos_score().unwrap() + (dec!(100) - o_before) * dec!(0.2))
    );
    assert!(store.is_finalized(feb()).unwrap(), "still finalized");
    // The original is kept.
    let kept = store.superseded_scores(&code("SEL001"), feb()).unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].result, original.result);
    // The exception exists, linked to the appeal.
    let exceptions = store
        .list_exceptions(&ExceptionFilter {
            seller_code: Some(code("SEL001")),
            ..ExceptionFilter::default()
        })
        .unwrap();
    assert_eq!(exceptions.len(), 1);
    assert_eq!(exceptions[0].exception.appeal_id, Some(id));
    assert_eq!(exceptions[0].exception.created_by, "boss");
    assert_eq!(
        exceptions[0].exception.effect,
        ExceptionEffect::SetScore { value: dec!(100) }
    );
    // AM 1's portfolio (SEL001 and SEL002) is scored again.
    let am = store.get_am_score(am_id(1), feb()).unwrap();
    let mean =
        round2((now.result.sos_score().unwrap() + sel002.result.sos_score().unwrap()) / dec!(2));
    assert_eq!(am.avg_sos, Some(mean));
    // Events: the decision, and the tier when it moved.
    let events = outbox(&store);
    let decided_events = of_type(&events, EventType::AppealDecided);
    assert_eq!(decided_events.len(), 1);
    let data = &decided_events[0]["data"];
    assert_eq!(data["appeal_id"], serde_json::json!(id));
    assert_eq!(data["status"], "approved");
    assert_eq!(
        data["new_sos_score"],
        serde_json::json!(now.result.sos_score())
    );
    let tier_events: Vec<_> = of_type(&events, EventType::TierChanged)
        .into_iter()
        .filter(|e| e["data"]["appeal_id"] == serde_json::json!(id))
        .collect();
    assert_eq!(
        tier_events.len(),
        usize::from(now.result.tier() != original.result.tier())
    );
    assert!(
        store
            .list_deliveries(subscription, PageRequest::default())
            .unwrap()
            .total
            >= 1
    );
    // A second appeal on the same score needs the first to have been rejected.
    assert!(matches!(
        sos.file_appeal(&filing("SEL001", AppealTarget::OScore), "am-key"),
        Err(AppealError::Refused(AppealRefusal::PreviousNotRejected(_)))
    ));
    let listed = sos
        .list_appeals(
            &AppealFilter {
                status: Some(AppealStatus::Approved),
                ..AppealFilter::default()
            },
            PageRequest::default(),
        )
        .unwrap();
    assert_eq!(listed.total, 1);
    let audit = store.list_audit(Some("appeal".into()), None, 10).unwrap();
    assert_eq!(audit.len(), 3, "file, review_ops, review_am");
}

/// Rejections at either level and expiry by deadline close the appeal and emit its decision;
/// a rejected appeal may be filed once more; no result, no appeal.
pub fn rejected_and_expired_appeals_close_with_their_event<P: Ports>(store: P) {
    seed_world(&store);
    calculate(&store, feb(), CalculationScope::All, false);
    let sos = Sos::new(store.clone());
    subscribe_all(&store);
    // Before finalize, appeals may be filed at any time.
    let first = sos
        .file_appeal(&filing("SEL002", AppealTarget::OScore), "am-key")
        .unwrap();
    let rejected = sos
        .review_appeal_ops(
            first.appeal.id,
            OpsDecision::Reject,
            Some("data is right"),
            "ops-key",
        )
        .unwrap();
    assert_eq!(rejected.appeal.status, AppealStatus::Rejected);
    assert_eq!(rejected.history[1].note.as_deref(), Some("data is right"));
    let second = sos
        .file_appeal(&filing("SEL002", AppealTarget::OScore), "am-key")
        .unwrap();
    sos.review_appeal_ops(second.appeal.id, OpsDecision::Approve, None, "ops-key")
        .unwrap();
    let rejected = sos
        .review_appeal_am(
            second.appeal.id,
            &AmReview {
                decision: AmDecision::Reject,
                note: None,
                component: None,
                score_adjustment: None,
            },
            "boss",
        )
        .unwrap();
    assert_eq!(rejected.appeal.status, AppealStatus::Rejected);
    assert!(matches!(
        sos.file_appeal(&filing("SEL002", AppealTarget::OScore), "am-key"),
        Err(AppealError::Refused(AppealRefusal::TooMany(2)))
    ));
    // SEL003 has no result.
    assert!(matches!(
        sos.file_appeal(&filing("SEL003", AppealTarget::Total), "am-key"),
        Err(AppealError::Refused(AppealRefusal::NoResult { .. }))
    ));

    // Deadlines already passed (negative settings): the expiry closes both open levels.
    let late = Sos::new(store.clone()).with_appeal_rules(AppealRules {
        ops_deadline: TimeDelta::seconds(-1),
        am_deadline: TimeDelta::seconds(-1),
        ..AppealRules::default()
    });
    let pending = sos
        .file_appeal(&filing("SEL001", AppealTarget::TScore), "am-key")
        .unwrap();
    let under = sos
        .file_appeal(&filing("SEL001", AppealTarget::Total), "am-key")
        .unwrap();
    sos.review_appeal_ops(under.appeal.id, OpsDecision::Approve, None, "ops-key")
        .unwrap();
    assert!(matches!(
        late.review_appeal_am(under.appeal.id, &approve(dec!(90)), "boss"),
        Err(AppealError::Refused(AppealRefusal::Late {
            level: "am",
            ..
        }))
    ));
    assert!(
        sos.expire_appeals("system").unwrap().is_empty(),
        "on time by default"
    );
    let expired = late.expire_appeals("system").unwrap();
    let mut ids: Vec<i64> = expired.iter().map(|r| r.appeal.id).collect();
    ids.sort_unstable();
    assert_eq!(ids, [pending.appeal.id, under.appeal.id]);
    assert!(expired
        .iter()
        .all(|r| r.appeal.status == AppealStatus::Expired));
    assert!(late.expire_appeals("system").unwrap().is_empty());
    let decisions = of_type(&outbox(&store), EventType::AppealDecided);
    let mut statuses: Vec<String> = decisions
        .iter()
        .map(|p| p["data"]["status"].as_str().unwrap().to_owned())
        .collect();
    statuses.sort();
    assert_eq!(statuses, ["expired", "expired", "rejected", "rejected"]);
    // An approval on the total names the component.
    let _ = Component::O;
}
