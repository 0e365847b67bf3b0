//! The outbox: events exist only with their cause, deliveries fan out to matching active
//! subscriptions, workers lease each delivery alone, and outcomes are kept under the lease.

use crate::{
    calc::{calculate, request, seed_world},
    fixtures::*,
    Ports,
};
use chrono::{DateTime, TimeDelta, Utc};
use sos_app::Sos;
use sos_domain::{
    webhook::{
        EndpointPolicy, EventDraft, EventType, SubscriptionDraft, SubscriptionPatch, WebhookSecret,
    },
    TierName,
};
use sos_ports::{
    Attempt, CalculationRun, CalculationScope, DeliveryStatus, PageRequest, Resolution, RunStatus,
    StoreError, Subscription,
};
use std::collections::{BTreeMap, BTreeSet};

const MARGIN: TimeDelta = TimeDelta::seconds(5);

fn page() -> PageRequest {
    PageRequest {
        page: 1,
        limit: 500,
    }
}

fn subscribe<P: Ports>(store: &P, types: &[&str], active: bool, key: u8) -> Subscription {
    let open = EndpointPolicy {
        allow_http: true,
        allow_private: true,
    };
    let settings = SubscriptionDraft::create(
        &SubscriptionPatch {
            subscriber: Some(format!("receiver-{key}")),
            endpoint_url: Some(format!("http://127.0.0.1:9/{key}")),
            event_types: Some(types.iter().map(|t| t.to_string()).collect()),
            is_active: Some(active),
            timeout_seconds: Some(10),
            max_attempts: None,
        },
        open,
    )
    .unwrap();
    store
        .create_subscription(&settings, &WebhookSecret::from_bytes([key; 32]), ACTOR)
        .unwrap()
}

fn run(period: sos_domain::Period) -> CalculationRun {
    let now = Utc::now();
    CalculationRun {
        id: 0,
        period,
        seller_codes: None,
        status: RunStatus::Succeeded,
        started_at: now,
        finished_at: now,
        duration_ms: 0,
        sellers_scored: 0,
        sellers_insufficient: 0,
        am_scored: 0,
        surcharges_triggered: 0,
        config_ids: Vec::new(),
        error: None,
        triggered_by: ACTOR.to_owned(),
    }
}

/// Commits `events` with an empty calculation of a period no other check uses.
fn publish<P: Ports>(store: &P, events: &[EventDraft]) {
    let p = period("2030-01");
    let mut tx = store.begin_calculation(p, &CalculationScope::All).unwrap();
    tx.write_events(events).unwrap();
    tx.commit(&run(p), &NoEvents).unwrap();
}

fn draft(t: EventType, at: DateTime<Utc>, n: u32) -> EventDraft {
    EventDraft::new(t, at, serde_json::json!({ "n": n }))
}

fn attempt(n: u32, at: DateTime<Utc>, status: Option<u16>) -> Attempt {
    Attempt {
        attempt: n,
        attempted_at: at,
        status_code: status,
        duration_ms: 12,
        error: status.is_none().then(|| "timed out after 10 s".to_owned()),
        response_body: "ok".to_owned(),
    }
}

fn types_of<P: Ports>(store: &P, subscription: i64) -> BTreeMap<EventType, usize> {
    let mut seen = BTreeMap::new();
    for d in store.list_deliveries(subscription, page()).unwrap().items {
        *seen.entry(d.event_type).or_default() += 1;
    }
    seen
}

/// A dry run, an abandoned calculation and a refused one emit nothing; a committed one emits
/// `calculation.completed` with its run id and one `seller.surcharge_created` per surcharge.
pub fn events_exist_only_when_their_cause_commits<P: Ports>(store: P) {
    seed_world(&store);
    let all = subscribe(&store, &["*"], true, 1);
    calculate(&store, feb(), CalculationScope::All, true);
    let mut tx = store
        .begin_calculation(feb(), &CalculationScope::All)
        .unwrap();
    tx.write_events(&[draft(EventType::SurchargeCreated, Utc::now(), 1)])
        .unwrap();
    drop(tx);
    assert_eq!(store.list_deliveries(all.id, page()).unwrap().total, 0);

    let summary = calculate(&store, feb(), CalculationScope::All, false);
    let seen = types_of(&store, all.id);
    assert_eq!(seen.get(&EventType::CalculationCompleted), Some(&1));
    assert_eq!(
        seen.get(&EventType::SurchargeCreated).copied().unwrap_or(0),
        usize::try_from(summary.run.surcharges_triggered).unwrap()
    );
    let due = store
        .claim_due(Utc::now() + TimeDelta::hours(1), 100, MARGIN)
        .unwrap();
    let completed = due
        .iter()
        .find(|d| d.event.event_type() == EventType::CalculationCompleted)
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(completed.event.payload()).unwrap();
    assert_eq!(body["type"], "calculation.completed");
    assert_eq!(body["data"]["run_id"], serde_json::json!(summary.run.id));
    assert_eq!(body["data"]["period"], "2026-02");
    assert_eq!(body["data"]["sellers_scored"], serde_json::json!(3));
}

/// Finalizing emits each seller's `seller.score_finalized`, and `tier_changed` and
/// `grace_period_ended` against the seller's latest *finalized* earlier period; finalizing
/// again emits nothing.
pub fn finalize_emits_seller_events_once<P: Ports>(store: P) {
    seed_world(&store);
    calculate(&store, feb(), CalculationScope::All, false);
    let feb_result = store.get_score(&code("SEL001"), feb()).unwrap();
    assert!(
        !feb_result.result.grace.applied,
        "the seed seller is not in grace"
    );
    let jan = period("2026-01");
    let mut jan_result = feb_result.clone();
    jan_result.period = jan;
    jan_result.result.period = jan;
    jan_result.result.tier = Some(TierName::parse("Warning").unwrap());
    jan_result.result.grace.applied = true;
    assert_ne!(feb_result.result.tier, jan_result.result.tier);
    let mut tx = store
        .begin_calculation(jan, &CalculationScope::Sellers(vec![code("SEL001")]))
        .unwrap();
    tx.write_scores(&[jan_result]).unwrap();
    tx.commit(&run(jan), &NoEvents).unwrap();

    let sub = subscribe(&store, &["*"], true, 2);
    let sos = Sos::new(store.clone());
    // February first: January is not finalized, so no seller has a previous finalized result.
    let march = period("2026-03");
    sos.finalize(feb(), ACTOR).unwrap();
    let seen = types_of(&store, sub.id);
    assert_eq!(seen, BTreeMap::from([(EventType::ScoreFinalized, 3)]));
    sos.finalize(feb(), ACTOR).unwrap();
    assert_eq!(
        types_of(&store, sub.id),
        seen,
        "a second finalize emits nothing"
    );

    // March: SEL001's latest finalized period before it is February (January is not).
    let mut mar_result = feb_result.clone();
    mar_result.period = march;
    mar_result.result.period = march;
    let mut tx = store
        .begin_calculation(march, &CalculationScope::Sellers(vec![code("SEL001")]))
        .unwrap();
    tx.write_scores(&[mar_result]).unwrap();
    tx.commit(&run(march), &NoEvents).unwrap();
    sos.finalize(jan, ACTOR).unwrap();
    sos.finalize(march, ACTOR).unwrap();
    let seen = types_of(&store, sub.id);
    // Jan: 1 finalized; Mar: 1 finalized, previous = Feb (same tier, no grace): nothing else.
    assert_eq!(seen, BTreeMap::from([(EventType::ScoreFinalized, 5)]));

    // April (Warning, in grace) against March, then May (as February) against April: the tier
    // changes twice, and grace ends once.
    let april = period("2026-04");
    let mut apr_prev = feb_result.clone();
    apr_prev.period = april;
    apr_prev.result.period = april;
    apr_prev.result.tier = Some(TierName::parse("Warning").unwrap());
    apr_prev.result.grace.applied = true;
    let mut tx = store
        .begin_calculation(april, &CalculationScope::Sellers(vec![code("SEL001")]))
        .unwrap();
    tx.write_scores(&[apr_prev]).unwrap();
    tx.commit(&run(april), &NoEvents).unwrap();
    sos.finalize(april, ACTOR).unwrap();
    let may = period("2026-05");
    let mut may_result = feb_result.clone();
    may_result.period = may;
    may_result.result.period = may;
    let mut tx = store
        .begin_calculation(may, &CalculationScope::Sellers(vec![code("SEL001")]))
        .unwrap();
    tx.write_scores(&[may_result]).unwrap();
    tx.commit(&run(may), &NoEvents).unwrap();
    sos.finalize(may, ACTOR).unwrap();
    let seen = types_of(&store, sub.id);
    assert_eq!(seen.get(&EventType::ScoreFinalized), Some(&7));
    assert_eq!(seen.get(&EventType::TierChanged), Some(&2));
    assert_eq!(seen.get(&EventType::GracePeriodEnded), Some(&1));
    let due = store
        .claim_due(Utc::now() + TimeDelta::hours(1), 100, MARGIN)
        .unwrap();
    let bodies: Vec<serde_json::Value> = due
        .iter()
        .filter(|d| d.event.event_type() == EventType::TierChanged)
        .map(|d| serde_json::from_str(d.event.payload()).unwrap())
        .collect();
    let body = bodies
        .iter()
        .find(|b| b["data"]["period"] == "2026-05")
        .unwrap();
    assert_eq!(body["data"]["seller_code"], "SEL001");
    assert_eq!(body["data"]["period"], "2026-05");
    assert_eq!(body["data"]["previous_period"], "2026-04");
    assert_eq!(body["data"]["old_tier"], "Warning");
    assert_eq!(
        body["data"]["new_tier"],
        serde_json::json!(feb_result.result.tier)
    );
}

/// A delivery is leased by one worker at a time, retried when due, handed on when its lease
/// runs out, and its outcome is kept only under the lease that holds it.
pub fn deliveries_are_leased_retried_and_recorded<P: Ports>(store: P) {
    let sub = subscribe(&store, &["*"], true, 3);
    let t0 = at("2030-01-05T10:00:00Z");
    publish(&store, &[draft(EventType::ScoreFinalized, t0, 1)]);
    assert!(store
        .claim_due(t0 - TimeDelta::seconds(1), 10, MARGIN)
        .unwrap()
        .is_empty());
    let first = store.claim_due(t0, 10, MARGIN).unwrap();
    assert_eq!(first.len(), 1);
    let d = &first[0];
    assert!(d.event_id.starts_with("evt_"), "{}", d.event_id);
    assert_eq!(d.attempts_made, 0);
    assert_eq!(d.secrets.current, WebhookSecret::from_bytes([3; 32]));
    assert_eq!(d.secrets.previous, None);
    assert_eq!(d.timeout_seconds, 10);
    assert_eq!(d.max_attempts, 8);
    assert_eq!(d.subscription_id, sub.id);
    assert!(
        store.claim_due(t0, 10, MARGIN).unwrap().is_empty(),
        "leased"
    );

    let wrong = store
        .record_attempt(
            d.delivery_id,
            d.lease + 999,
            &attempt(1, t0, Some(500)),
            Resolution::Failed,
        )
        .unwrap();
    assert!(!wrong, "another lease records nothing");
    let retry_at = t0 + TimeDelta::seconds(5);
    assert!(store
        .record_attempt(
            d.delivery_id,
            d.lease,
            &attempt(1, t0, Some(500)),
            Resolution::RetryAt(retry_at)
        )
        .unwrap());
    assert!(store
        .claim_due(retry_at - TimeDelta::milliseconds(1), 10, MARGIN)
        .unwrap()
        .is_empty());
    let second = store.claim_due(retry_at, 10, MARGIN).unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].attempts_made, 1);
    assert_eq!(second[0].event_id, d.event_id);

    // The worker holding it dies: after timeout + margin another worker gets it.
    let expired = retry_at + TimeDelta::seconds(10) + MARGIN;
    assert!(store
        .claim_due(expired - TimeDelta::milliseconds(1), 10, MARGIN)
        .unwrap()
        .is_empty());
    let third = store.claim_due(expired, 10, MARGIN).unwrap();
    assert_eq!(third.len(), 1);
    assert_ne!(third[0].lease, second[0].lease);
    assert!(!store
        .record_attempt(
            d.delivery_id,
            second[0].lease,
            &attempt(2, retry_at, None),
            Resolution::Failed
        )
        .unwrap());
    assert!(store
        .record_attempt(
            d.delivery_id,
            third[0].lease,
            &attempt(2, expired, Some(204)),
            Resolution::Delivered
        )
        .unwrap());

    let listed = store.list_deliveries(sub.id, page()).unwrap();
    assert_eq!(listed.total, 1);
    let got = &listed.items[0];
    assert_eq!(got.status, DeliveryStatus::Delivered);
    assert_eq!(got.attempts, 2);
    assert_eq!(got.next_attempt_at, None);
    assert_eq!(got.event_type, EventType::ScoreFinalized);
    assert_eq!(got.occurred_at, t0);
    let codes: Vec<(u32, Option<u16>)> =
        got.log.iter().map(|a| (a.attempt, a.status_code)).collect();
    assert_eq!(codes, [(1, Some(500)), (2, Some(204))]);
    assert_eq!(got.log[0], attempt(1, t0, Some(500)));
    let stats = store.webhook_stats(expired).unwrap();
    assert_eq!((stats.pending, stats.delivered, stats.failed), (0, 1, 0));
    assert_eq!(stats.oldest_pending_age_seconds, None);
    assert!(store
        .claim_due(expired + TimeDelta::days(30), 10, MARGIN)
        .unwrap()
        .is_empty());
}

/// Four workers claiming at once share 120 deliveries: each is leased exactly once.
pub fn concurrent_workers_never_lease_the_same_delivery<P: Ports>(store: P) {
    subscribe(&store, &["*"], true, 4);
    let t0 = at("2030-01-05T10:00:00Z");
    let events: Vec<EventDraft> = (0..120)
        .map(|n| draft(EventType::ScoreFinalized, t0, n))
        .collect();
    publish(&store, &events);
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            std::thread::spawn(move || {
                let mut mine = Vec::new();
                loop {
                    let got = store.claim_due(t0, 7, MARGIN).unwrap();
                    if got.is_empty() {
                        return mine;
                    }
                    mine.extend(got.into_iter().map(|d| d.delivery_id));
                }
            })
        })
        .collect();
    let mut all: Vec<i64> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let count = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(count, 120, "every delivery leased once, none twice");
    assert_eq!(all.len(), 120);
    let stats = store.webhook_stats(t0 + TimeDelta::seconds(90)).unwrap();
    assert_eq!(stats.pending, 120);
    assert_eq!(stats.oldest_pending_age_seconds, Some(90.0));
}

/// Filters route events; inactive subscriptions get none; a 410 disables; re-activating
/// clears the reason; a rotated secret signs alongside the new one until it expires; replay
/// resends with the same event id and fills in events a subscription never had; delete
/// removes the deliveries too.
pub fn subscriptions_filter_disable_rotate_replay_and_delete<P: Ports>(store: P) {
    let tiers = subscribe(&store, &["seller.tier_changed"], true, 5);
    let all = subscribe(&store, &["*"], true, 6);
    let off = subscribe(&store, &["*"], false, 7);
    let t0 = at("2030-01-05T10:00:00Z");
    publish(
        &store,
        &[
            draft(EventType::ScoreFinalized, t0, 1),
            draft(EventType::TierChanged, t0, 2),
        ],
    );
    assert_eq!(
        types_of(&store, tiers.id),
        BTreeMap::from([(EventType::TierChanged, 1)])
    );
    assert_eq!(types_of(&store, all.id).values().sum::<usize>(), 2);
    assert_eq!(store.list_deliveries(off.id, page()).unwrap().total, 0);
    let listed = store.list_subscriptions(page()).unwrap();
    assert_eq!(listed.total, 3);
    assert_eq!(
        listed.items.iter().map(|s| s.id).collect::<Vec<_>>(),
        [tiers.id, all.id, off.id]
    );
    assert_eq!(store.get_subscription(all.id).unwrap(), all);

    // Rotation: both secrets sign until the old one expires.
    let until = t0 + TimeDelta::hours(24);
    let rotated = store
        .rotate_secret(all.id, &WebhookSecret::from_bytes([60; 32]), until, ACTOR)
        .unwrap();
    assert_eq!(rotated.previous_secret_expires_at, Some(until));
    let due = store.claim_due(t0, 10, MARGIN).unwrap();
    let mine: Vec<_> = due.iter().filter(|d| d.subscription_id == all.id).collect();
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[0].secrets.current, WebhookSecret::from_bytes([60; 32]));
    assert_eq!(
        mine[0].secrets.previous,
        Some(WebhookSecret::from_bytes([6; 32]))
    );

    // A 410 disables the subscription; its other pending delivery waits.
    assert!(store
        .record_attempt(
            mine[0].delivery_id,
            mine[0].lease,
            &attempt(1, t0, Some(410)),
            Resolution::DisableSubscription
        )
        .unwrap());
    let disabled = store.get_subscription(all.id).unwrap();
    assert!(!disabled.settings.is_active());
    assert!(disabled
        .disabled_reason
        .as_deref()
        .unwrap_or("")
        .contains("410"));
    let later = t0 + TimeDelta::hours(30);
    assert!(store
        .claim_due(later, 10, MARGIN)
        .unwrap()
        .iter()
        .all(|d| d.subscription_id != all.id));
    let open = EndpointPolicy {
        allow_http: true,
        allow_private: true,
    };
    let active = disabled
        .settings
        .apply(
            &SubscriptionPatch {
                is_active: Some(true),
                ..SubscriptionPatch::default()
            },
            open,
        )
        .unwrap();
    let back = store.update_subscription(all.id, &active, ACTOR).unwrap();
    assert!(back.settings.is_active());
    assert_eq!(back.disabled_reason, None);
    let resumed: Vec<_> = store
        .claim_due(later, 10, MARGIN)
        .unwrap()
        .into_iter()
        .filter(|d| d.subscription_id == all.id)
        .collect();
    assert_eq!(resumed.len(), 1, "the other delivery resumes");
    assert_eq!(resumed[0].secrets.previous, None, "the old secret expired");

    // Replay: the failed delivery is due again from its first attempt, same event id.
    let failed = store
        .list_deliveries(all.id, page())
        .unwrap()
        .items
        .into_iter()
        .find(|d| d.status == DeliveryStatus::Failed)
        .unwrap();
    let replayed = store.replay_delivery(failed.id, later).unwrap();
    assert_eq!(replayed.status, DeliveryStatus::Pending);
    assert_eq!(replayed.attempts, 0);
    assert_eq!(replayed.event_id, failed.event_id);
    assert_eq!(replayed.next_attempt_at, Some(later));
    assert_eq!(replayed.log.len(), 1, "the log stays");
    assert!(matches!(
        store.replay_delivery(i64::MAX, later),
        Err(StoreError::NotFound)
    ));

    // replay since: a subscription created after the events gets them.
    let newcomer = subscribe(&store, &["seller.score_finalized"], true, 8);
    assert_eq!(store.list_deliveries(newcomer.id, page()).unwrap().total, 0);
    assert_eq!(
        store
            .replay_since(newcomer.id, t0 + TimeDelta::seconds(1), later)
            .unwrap(),
        0
    );
    assert_eq!(store.replay_since(newcomer.id, t0, later).unwrap(), 1);
    assert_eq!(
        store.replay_since(newcomer.id, t0, later).unwrap(),
        1,
        "reset, not doubled"
    );
    let got = store.list_deliveries(newcomer.id, page()).unwrap();
    assert_eq!(got.total, 1);
    assert_eq!(got.items[0].event_type, EventType::ScoreFinalized);
    assert!(matches!(
        store.replay_since(i64::MAX, t0, later),
        Err(StoreError::NotFound)
    ));

    // Delete takes the deliveries with it.
    store.delete_subscription(all.id, ACTOR).unwrap();
    assert!(matches!(
        store.get_subscription(all.id),
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.list_deliveries(all.id, page()),
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_subscription(all.id, ACTOR),
        Err(StoreError::NotFound)
    ));
    let ids: BTreeSet<i64> = store
        .claim_due(later + TimeDelta::days(1), 100, MARGIN)
        .unwrap()
        .into_iter()
        .map(|d| d.subscription_id)
        .collect();
    assert!(!ids.contains(&all.id));
    let _ = request(feb(), CalculationScope::All, false);
}
