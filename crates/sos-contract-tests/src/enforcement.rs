//! Order blocking: a payments sync and a committed calculation block and unblock, a manual
//! unblock holds until the next calculation, and every change is kept as history, audited and
//! put in the outbox in the transaction of its cause.

use crate::{calc::calculate, fixtures::*, Ports};
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use rust_decimal_macros::dec;
use serde_json::{json, Value};
use sos_app::{EnforcementError, Sos};
use sos_domain::{
    config::{ConfigBody, ConfigDraft, ConfigId, ConfigType},
    enforcement::{BlockCause, BlockHit, Enforcement},
    inputs::RawInvoice,
    webhook::{EndpointPolicy, EventType, SubscriptionDraft, SubscriptionPatch, WebhookSecret},
    SellerCode,
};
use sos_ports::{BlockRecord, CalculationScope, PaymentRecord, StoreError, UnblockError};

/// The default blocking rule's reason.
const LATE: &str = "An invoice is more than 30 days late";

/// The key name the syncs are made with.
const SYNC_KEY: &str = "accounting-sync";

/// The id of the seeded `worst_days_late > 30` rule.
fn blocking_rule_id<P: Ports>(store: &P) -> ConfigId {
    store
        .list_config(ConfigType::Surcharge, false)
        .unwrap()
        .into_iter()
        .find(|r| matches!(&r.body, ConfigBody::Surcharge(s) if s.action.block_reason().is_some()))
        .expect("the seeded blocking rule")
        .id
}

/// Subscribes to the two blocking events.
fn subscribe_to_blocking<P: Ports>(store: &P) {
    let settings = SubscriptionDraft::create(
        &SubscriptionPatch {
            subscriber: Some("oms".into()),
            endpoint_url: Some("http://127.0.0.1:9/oms".into()),
            event_types: Some(vec![
                "seller.order_blocked".into(),
                "seller.order_unblocked".into(),
            ]),
            is_active: Some(true),
            timeout_seconds: Some(10),
            max_attempts: None,
        },
        EndpointPolicy {
            allow_http: true,
            allow_private: true,
        },
    )
    .unwrap();
    store
        .create_subscription(&settings, &WebhookSecret::from_bytes([7; 32]), ACTOR)
        .unwrap();
}

/// The blocking events in the outbox, oldest first, as `(type, data)`.
fn blocking_events<P: Ports>(store: &P) -> Vec<(EventType, Value)> {
    let mut due = store
        .claim_due(Utc::now() + TimeDelta::hours(1), 100, TimeDelta::seconds(5))
        .unwrap();
    due.sort_by_key(|d| d.delivery_id);
    due.iter()
        .filter(|d| {
            matches!(
                d.event.event_type(),
                EventType::OrderBlocked | EventType::OrderUnblocked
            )
        })
        .map(|d| {
            let body: Value = serde_json::from_str(d.event.payload()).unwrap();
            (d.event.event_type(), body["data"].clone())
        })
        .collect()
}

fn millis(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn record(seller: &SellerCode, invoices: Vec<RawInvoice>) -> PaymentRecord {
    invoices_record(seller, feb(), invoices)
}

fn late_hit(rule: ConfigId) -> BlockHit {
    BlockHit {
        rule_id: Some(rule),
        reason: LATE.into(),
        payment_only: true,
    }
}

#[track_caller]
fn assert_between(at: Option<DateTime<Utc>>, from: DateTime<Utc>, to: DateTime<Utc>) {
    let at = at.expect("an instant");
    // Stores may keep microseconds only.
    assert!(
        at >= from - TimeDelta::microseconds(1) && at <= to,
        "{at} is not within {from}..{to}"
    );
}

/// A payments sync blocks as soon as the seller's most recent payment month has an invoice
/// more than 30 days late, and the sync that shows it paid unblocks; each change is a history
/// row, an audit entry and an event.
pub fn a_payments_sync_blocks_and_unblocks_on_the_latest_month<P: Ports>(store: P) {
    seed_config(&store);
    let sellers = seed_master(&store, 2);
    let (s1, s2) = (&sellers[0], &sellers[1]);
    let rule = blocking_rule_id(&store);
    subscribe_to_blocking(&store);
    let sos = Sos::new(store.clone());
    assert_eq!(sos.enforcement(s1).unwrap(), Enforcement::default());

    // On time: nothing is kept.
    sos.ingest_payments(vec![record(s1, seed_invoices())], SYNC_KEY)
        .unwrap();
    assert_eq!(sos.enforcement(s1).unwrap(), Enforcement::default());
    assert!(sos.enforcement_history(s1).unwrap().is_empty());

    // INV045 is 45 days late: blocked at once.
    let before = Utc::now();
    sos.ingest_payments(
        vec![record(s1, vec![invoice("INV045", 45, dec!(2000000))])],
        SYNC_KEY,
    )
    .unwrap();
    let after = Utc::now();
    let blocked = sos.enforcement(s1).unwrap();
    assert!(blocked.is_blocked());
    assert_eq!(blocked.hits, [late_hit(rule)]);
    assert_eq!(blocked.reasons(), [LATE]);
    assert_eq!(blocked.rule_ids(), [rule]);
    assert_eq!(blocked.payment_period, Some(feb()));
    assert!(!blocked.manual_hold);
    assert_between(blocked.since, before, after);
    let since = blocked.since.unwrap();
    // The other seller is untouched; an unknown one is not found.
    assert_eq!(sos.enforcement(s2).unwrap(), Enforcement::default());
    assert!(matches!(
        store.get_enforcement(&code("SEL999")),
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        sos.enforcement(&code("SEL999")),
        Err(EnforcementError::UnknownSeller(c)) if c == code("SEL999")
    ));

    // The same data again changes nothing.
    sos.ingest_payments(
        vec![record(s1, vec![invoice("INV045", 45, dec!(2000000))])],
        SYNC_KEY,
    )
    .unwrap();
    assert_eq!(sos.enforcement(s1).unwrap(), blocked);
    let history = sos.enforcement_history(s1).unwrap();
    assert_eq!(history.len(), 1);
    let block = &history[0];
    assert_eq!(block.seller_code, *s1);
    assert!(block.change.blocked);
    assert_eq!(block.change.cause, BlockCause::Sync);
    assert_eq!(block.change.period, Some(feb()));
    assert_eq!(block.change.reasons, [LATE]);
    assert_eq!(block.change.rule_ids, [rule]);
    assert_eq!(block.change.note, None);
    assert_eq!(block.change.actor, SYNC_KEY);
    assert_eq!(block.change.at, since);

    // Paid: the sync that shows it unblocks, with the reasons lifted.
    sos.ingest_payments(
        vec![record(s1, vec![invoice("INV045", 0, dec!(0))])],
        SYNC_KEY,
    )
    .unwrap();
    let unblocked = sos.enforcement(s1).unwrap();
    assert!(!unblocked.is_blocked());
    assert!(unblocked.reasons().is_empty());
    assert!(unblocked.rule_ids().is_empty());
    assert!(!unblocked.manual_hold);
    assert!(unblocked.since.unwrap() > since);
    let history: Vec<BlockRecord> = sos.enforcement_history(s1).unwrap();
    assert_eq!(history.len(), 2);
    let unblock = &history[0];
    assert!(history[0].id > history[1].id, "newest first");
    assert!(!unblock.change.blocked);
    assert_eq!(unblock.change.cause, BlockCause::Sync);
    assert_eq!(unblock.change.reasons, [LATE]);
    assert_eq!(unblock.change.at, unblocked.since.unwrap());

    // A later month blocks again; syncing an older month decides on the latest one.
    sos.ingest_payments(
        vec![invoices_record(
            s1,
            mar(),
            vec![invoice("M-1", 31, dec!(10))],
        )],
        SYNC_KEY,
    )
    .unwrap();
    assert!(sos.enforcement(s1).unwrap().is_blocked());
    assert_eq!(sos.enforcement(s1).unwrap().payment_period, Some(mar()));
    sos.ingest_payments(
        vec![record(s1, vec![invoice("INV046", 3, dec!(10))])],
        SYNC_KEY,
    )
    .unwrap();
    assert!(
        sos.enforcement(s1).unwrap().is_blocked(),
        "March is still the latest month"
    );
    assert_eq!(sos.enforcement_history(s1).unwrap().len(), 3);

    // The audit log has each change with the key, and the state before and after.
    let audit = store
        .list_audit(Some("enforcement".into()), Some("SEL001".into()), 10)
        .unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["block", "unblock", "block"]);
    let first = &audit[2];
    assert_eq!(first.actor, SYNC_KEY);
    assert_eq!(first.at, since);
    assert_eq!(
        first.old_value,
        Some(
            json!({"blocked": false, "reasons": [], "rule_ids": [], "since": null,
                    "payment_period": null, "manual_hold": false})
        )
    );
    let new = first.new_value.clone().unwrap();
    assert_eq!(new["blocked"], json!(true));
    assert_eq!(new["reasons"], json!([LATE]));
    assert_eq!(new["rule_ids"], json!([rule.0]));
    assert_eq!(new["cause"], json!("sync"));
    assert_eq!(new["period"], json!("2026-02"));

    // The outbox has one event per change, in order.
    let events = blocking_events(&store);
    let types: Vec<EventType> = events.iter().map(|e| e.0).collect();
    assert_eq!(
        types,
        [
            EventType::OrderBlocked,
            EventType::OrderUnblocked,
            EventType::OrderBlocked
        ]
    );
    assert_eq!(
        events[0].1,
        json!({"seller_code": "SEL001", "cause": "sync", "period": "2026-02",
               "reasons": [LATE], "rule_ids": [rule.0], "note": null, "since": millis(since)})
    );
    assert_eq!(
        events[1].1,
        json!({"seller_code": "SEL001", "cause": "sync", "period": "2026-02",
               "reasons": [LATE], "rule_ids": [rule.0], "note": null,
               "since": millis(unblocked.since.unwrap())})
    );
    assert_eq!(events[2].1["period"], json!("2026-03"));
}

/// A committed calculation blocks and unblocks too; a manual unblock holds against syncs until
/// the next calculation, and is refused for a seller that is not blocked.
pub fn a_calculation_blocks_and_a_manual_unblock_holds_until_the_next<P: Ports>(store: P) {
    seed_config(&store);
    let sellers = seed_master(&store, 2);
    let (s1, s2) = (&sellers[0], &sellers[1]);
    seed_full_inputs(&store, s1);
    seed_full_inputs(&store, s2);
    let rule = blocking_rule_id(&store);
    subscribe_to_blocking(&store);
    let sos = Sos::new(store.clone());
    // Written with no rule evaluated: only the calculation sees it.
    apply(
        &store,
        &payments_batch(vec![record(s1, vec![invoice("INV045", 45, dec!(2000000))])]),
    );
    assert_eq!(sos.enforcement(s1).unwrap(), Enforcement::default());

    let summary = calculate(&store, feb(), CalculationScope::All, false);
    let run_at = summary.run.finished_at;
    let blocked = sos.enforcement(s1).unwrap();
    assert_eq!(blocked.hits, [late_hit(rule)]);
    assert_eq!(blocked.payment_period, Some(feb()));
    assert_between(blocked.since, run_at, run_at);
    assert_eq!(sos.enforcement(s2).unwrap(), Enforcement::default());
    let history = sos.enforcement_history(s1).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (history[0].change.cause, history[0].change.period),
        (BlockCause::Calculation, Some(feb()))
    );
    assert_eq!(history[0].change.actor, ACTOR);
    // A dry run changes nothing.
    calculate(&store, feb(), CalculationScope::All, true);
    assert_eq!(sos.enforcement_history(s1).unwrap().len(), 1);

    // Nothing to unblock on SEL002, nobody called SEL999: refused, nothing written.
    assert!(matches!(
        sos.unblock(s2, "Just in case", "finance-lead"),
        Err(EnforcementError::NotBlocked(c)) if c == *s2
    ));
    assert!(matches!(
        store.unblock_seller(s2, "Just in case", "finance-lead", Utc::now()),
        Err(UnblockError::NotBlocked)
    ));
    assert!(matches!(
        store.unblock_seller(&code("SEL999"), "x", "finance-lead", Utc::now()),
        Err(UnblockError::UnknownSeller)
    ));
    assert!(matches!(
        sos.unblock(s1, "  ", "finance-lead"),
        Err(EnforcementError::Invalid(e)) if e.errors()[0].field == "reason"
    ));
    assert!(sos.enforcement_history(s2).unwrap().is_empty());
    assert!(sos.enforcement(s1).unwrap().is_blocked());

    // By hand: unblocked, held.
    let state = sos
        .unblock(s1, "Paid at the counter, receipt 8812", "finance-lead")
        .unwrap();
    assert!(!state.is_blocked());
    assert!(state.manual_hold);
    assert_eq!(sos.enforcement(s1).unwrap(), state);
    let manual = &sos.enforcement_history(s1).unwrap()[0];
    assert_eq!(manual.change.cause, BlockCause::Manual);
    assert!(!manual.change.blocked);
    assert_eq!(manual.change.period, None);
    assert_eq!(manual.change.reasons, [LATE]);
    assert_eq!(
        manual.change.note.as_deref(),
        Some("Paid at the counter, receipt 8812")
    );
    assert_eq!(manual.change.actor, "finance-lead");
    assert_eq!(Some(manual.change.at), state.since);
    // A second unblock has nothing to do.
    assert!(matches!(
        sos.unblock(s1, "again", "finance-lead"),
        Err(EnforcementError::NotBlocked(_))
    ));

    // A sync that still finds the invoice late does not re-block during the hold.
    sos.ingest_payments(
        vec![record(s1, vec![invoice("INV045", 46, dec!(2000000))])],
        SYNC_KEY,
    )
    .unwrap();
    assert_eq!(sos.enforcement(s1).unwrap(), state);

    // The next calculation does.
    calculate(
        &store,
        feb(),
        CalculationScope::Sellers(vec![s1.clone()]),
        false,
    );
    let again = sos.enforcement(s1).unwrap();
    assert!(again.is_blocked());
    assert!(!again.manual_hold);
    // And one on paid data unblocks.
    apply(
        &store,
        &payments_batch(vec![record(s1, vec![invoice("INV045", 0, dec!(0))])]),
    );
    calculate(&store, feb(), CalculationScope::All, false);
    assert!(!sos.enforcement(s1).unwrap().is_blocked());

    let causes: Vec<(bool, BlockCause)> = sos
        .enforcement_history(s1)
        .unwrap()
        .iter()
        .rev()
        .map(|r| (r.change.blocked, r.change.cause))
        .collect();
    assert_eq!(
        causes,
        [
            (true, BlockCause::Calculation),
            (false, BlockCause::Manual),
            (true, BlockCause::Calculation),
            (false, BlockCause::Calculation),
        ]
    );
    let events = blocking_events(&store);
    let kinds: Vec<(EventType, Value)> = events
        .iter()
        .map(|(t, d)| (*t, d["cause"].clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            (EventType::OrderBlocked, json!("calculation")),
            (EventType::OrderUnblocked, json!("manual")),
            (EventType::OrderBlocked, json!("calculation")),
            (EventType::OrderUnblocked, json!("calculation")),
        ]
    );
    assert_eq!(
        events[1].1,
        json!({"seller_code": "SEL001", "cause": "manual", "period": null,
               "reasons": [LATE], "rule_ids": [rule.0],
               "note": "Paid at the counter, receipt 8812", "since": millis(state.since.unwrap())})
    );
    let actions: Vec<String> = store
        .list_audit(Some("enforcement".into()), Some("SEL001".into()), 10)
        .unwrap()
        .into_iter()
        .rev()
        .map(|a| format!("{} by {}", a.action, a.actor))
        .collect();
    assert_eq!(
        actions,
        [
            format!("block by {ACTOR}"),
            "unblock by finance-lead".to_owned(),
            format!("block by {ACTOR}"),
            format!("unblock by {ACTOR}"),
        ]
    );
}

/// A payments sync evaluates only the rules on payment metrics: a rule on the total stays as
/// the last calculation left it.
pub fn a_payments_sync_leaves_rules_on_other_metrics_to_calculations<P: Ports>(store: P) {
    seed_config(&store);
    let sellers = seed_master(&store, 1);
    let s1 = &sellers[0];
    seed_full_inputs(&store, s1);
    let low = store
        .create_config(
            &ConfigDraft::parse(
                ConfigType::Surcharge,
                &json!({"surcharge_type": "orders", "trigger_condition": {"metric": "sos_score", "op": "<", "value": 95},
                        "action": {"type": "block_orders", "reason": "SOS under 95"}, "effective_from": "2026-01-01"}),
            )
            .unwrap(),
            ACTOR,
        )
        .unwrap()
        .id;
    let rule = blocking_rule_id(&store);
    let sos = Sos::new(store.clone());
    apply(
        &store,
        &payments_batch(vec![record(s1, vec![invoice("INV045", 45, dec!(2000000))])]),
    );
    calculate(&store, feb(), CalculationScope::All, false);
    let state = sos.enforcement(s1).unwrap();
    assert_eq!(state.rule_ids(), [rule, low]);
    assert_eq!(state.reasons(), [LATE, "SOS under 95"]);
    // Paid: the payment rule goes, the rule on the total stays until a calculation.
    sos.ingest_payments(
        vec![record(s1, vec![invoice("INV045", 0, dec!(0))])],
        SYNC_KEY,
    )
    .unwrap();
    let state = sos.enforcement(s1).unwrap();
    assert!(state.is_blocked());
    assert_eq!(state.rule_ids(), [low]);
    assert_eq!(state.reasons(), ["SOS under 95"]);
    assert_eq!(
        sos.enforcement_history(s1).unwrap().len(),
        1,
        "still blocked: no change"
    );
}
