//! Order blocking: which rules block, and what a calculation, a payments sync and a manual
//! unblock do to a seller's state, with the change each makes, its event and its audit values.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Utc};
use common::{at, period};
use rust_decimal_macros::dec;
use serde_json::json;
use sos_domain::{
    config::{default_surcharge_rules, ConfigId},
    enforcement::{
        audit_values, calculation_hits, check_unblock_reason, decide, is_payment_only,
        payment_metrics, BlockCause, BlockChange, BlockHit, Decision, Enforcement, PaymentRules,
        Trigger, UnblockRefusal,
    },
    inputs::{PaymentStats, PaymentStatsDraft},
    surcharge::{evaluate_rules, Condition, MetricValues, SurchargeRule},
    webhook::{order_blocking_event, EventType},
    Period, SellerCode,
};

const LATE: &str = "An invoice is more than 30 days late";
const LOW: &str = "SOS under 40";

fn t1() -> DateTime<Utc> {
    at("2026-03-02T08:00:00Z")
}

fn t2() -> DateTime<Utc> {
    at("2026-03-10T09:30:00Z")
}

fn late_hit() -> BlockHit {
    BlockHit {
        rule_id: Some(ConfigId(1002)),
        reason: LATE.into(),
        payment_only: true,
    }
}

fn low_hit() -> BlockHit {
    BlockHit {
        rule_id: Some(ConfigId(7)),
        reason: LOW.into(),
        payment_only: false,
    }
}

fn calc(p: &str, hits: Vec<BlockHit>) -> Trigger {
    Trigger::Calculation {
        period: period(p),
        hits,
    }
}

/// A sync that evaluated the default blocking rule (1002).
fn sync(p: &str, hits: Vec<BlockHit>) -> Trigger {
    Trigger::Sync {
        period: period(p),
        evaluated: vec![Some(ConfigId(1002))],
        hits,
    }
}

fn apply(state: &Enforcement, trigger: Trigger, when: DateTime<Utc>) -> Option<Decision> {
    decide(state, trigger, "ops-key", when).unwrap()
}

fn payment(worst: i32, outstanding: rust_decimal::Decimal) -> PaymentStats {
    PaymentStats::new(PaymentStatsDraft {
        total_invoices: 2,
        invoices_on_time: Some(1),
        invoices_late_over_20: 1,
        worst_days_late: Some(worst),
        total_outstanding_amount: Some(outstanding),
        currency: Some("VND".into()),
        ..Default::default()
    })
    .unwrap()
}

fn rule(id: i64, condition: serde_json::Value, reason: &str) -> SurchargeRule {
    SurchargeRule {
        id: Some(ConfigId(id)),
        surcharge_type: "orders".into(),
        condition: Condition::parse(&condition).unwrap(),
        action: serde_json::from_value(json!({"type": "block_orders", "reason": reason})).unwrap(),
    }
}

fn blocked_by_calculation() -> Enforcement {
    Enforcement {
        hits: vec![late_hit()],
        since: Some(t1()),
        payment_period: Some(period("2026-02")),
        manual_hold: false,
    }
}

#[test]
fn a_calculation_blocks_and_a_later_one_unblocks() {
    let never = Enforcement::default();
    assert!(!never.is_blocked());
    let d = apply(&never, calc("2026-02", vec![late_hit()]), t1()).unwrap();
    assert_eq!(d.next, blocked_by_calculation());
    assert_eq!(
        d.change,
        Some(BlockChange {
            blocked: true,
            cause: BlockCause::Calculation,
            period: Some(period("2026-02")),
            reasons: vec![LATE.into()],
            rule_ids: vec![ConfigId(1002)],
            note: None,
            actor: "ops-key".into(),
            at: t1(),
        })
    );
    assert_eq!(d.change.as_ref().unwrap().action(), "block");
    // Nor does a sync that holds nothing, or one that evaluates no rule.
    assert_eq!(apply(&never, sync("2026-02", Vec::new()), t1()), None);
    let nothing = Trigger::Sync {
        period: period("2026-02"),
        evaluated: Vec::new(),
        hits: Vec::new(),
    };
    assert_eq!(apply(&d.next, nothing, t1()), None);
    assert_eq!(d.next.reasons(), [LATE]);
    assert_eq!(d.next.rule_ids(), [ConfigId(1002)]);

    // The same result again changes nothing: nothing to write.
    assert_eq!(
        apply(&d.next, calc("2026-02", vec![late_hit()]), t2()),
        None
    );

    // March no longer triggers it: unblocked, with the lifted reasons.
    let d2 = apply(&d.next, calc("2026-03", Vec::new()), t2()).unwrap();
    assert_eq!(
        d2.next,
        Enforcement {
            hits: Vec::new(),
            since: Some(t2()),
            payment_period: Some(period("2026-03")),
            manual_hold: false,
        }
    );
    let change = d2.change.unwrap();
    assert_eq!(
        (change.blocked, change.cause, change.period, change.action()),
        (
            false,
            BlockCause::Calculation,
            Some(period("2026-03")),
            "unblock"
        )
    );
    assert_eq!(change.reasons, [LATE]);
    assert_eq!(change.rule_ids, [ConfigId(1002)]);

    // A calculation that blocks nothing of a seller never blocked writes nothing.
    assert_eq!(apply(&never, calc("2026-02", Vec::new()), t1()), None);
}

#[test]
fn a_sync_blocks_on_the_payment_month_and_unblocks_when_it_no_longer_holds() {
    let d = apply(
        &Enforcement::default(),
        sync("2026-02", vec![late_hit()]),
        t1(),
    )
    .unwrap();
    assert_eq!(d.next, blocked_by_calculation());
    let change = d.change.unwrap();
    assert_eq!(
        (change.blocked, change.cause, change.period),
        (true, BlockCause::Sync, Some(period("2026-02")))
    );
    let d = apply(&d.next, sync("2026-02", Vec::new()), t2()).unwrap();
    assert!(!d.next.is_blocked());
    assert_eq!(d.next.since, Some(t2()));
    let change = d.change.unwrap();
    assert_eq!(
        (change.blocked, change.cause, change.reasons),
        (false, BlockCause::Sync, vec![LATE.to_owned()])
    );
}

#[test]
fn a_sync_leaves_rules_on_other_metrics_as_the_calculation_left_them() {
    let state = Enforcement {
        hits: vec![low_hit(), late_hit()],
        since: Some(t1()),
        payment_period: Some(period("2026-02")),
        manual_hold: false,
    };
    // Paid: the payment rule no longer holds, the SOS rule still does: still blocked, no
    // change, only the hits and the payment month move.
    let d = apply(&state, sync("2026-03", Vec::new()), t2()).unwrap();
    assert_eq!(
        d.next,
        Enforcement {
            hits: vec![low_hit()],
            since: Some(t1()),
            payment_period: Some(period("2026-03")),
            manual_hold: false,
        }
    );
    assert_eq!(d.change, None);
    assert_eq!(d.next.reasons(), [LOW]);
    assert_eq!(d.next.rule_ids(), [ConfigId(7)]);
}

#[test]
fn a_calculation_of_an_older_month_keeps_what_a_sync_found_on_a_later_one() {
    // Blocked by the March payments; February is calculated afterwards with no payment hit.
    let state = Enforcement {
        hits: vec![late_hit()],
        since: Some(t1()),
        payment_period: Some(period("2026-03")),
        manual_hold: false,
    };
    assert_eq!(apply(&state, calc("2026-02", Vec::new()), t2()), None);
    // Its rules on other metrics still count.
    let d = apply(&state, calc("2026-02", vec![low_hit()]), t2()).unwrap();
    assert_eq!(d.next.hits, [late_hit(), low_hit()]);
    assert_eq!(d.next.payment_period, Some(period("2026-03")));
    assert_eq!(d.change, None);
    // A calculation of March itself decides the payment rule too.
    let d = apply(&state, calc("2026-03", Vec::new()), t2()).unwrap();
    assert!(!d.next.is_blocked());
    assert_eq!(d.change.unwrap().cause, BlockCause::Calculation);
}

#[test]
fn a_manual_unblock_holds_until_the_next_calculation() {
    let state = blocked_by_calculation();
    let d = decide(
        &state,
        Trigger::ManualUnblock {
            reason: "Paid at the counter, receipt 8812".into(),
        },
        "finance-lead",
        t2(),
    )
    .unwrap()
    .unwrap();
    let held = Enforcement {
        hits: Vec::new(),
        since: Some(t2()),
        payment_period: Some(period("2026-02")),
        manual_hold: true,
    };
    assert_eq!(d.next, held);
    assert_eq!(
        d.change,
        Some(BlockChange {
            blocked: false,
            cause: BlockCause::Manual,
            period: None,
            reasons: vec![LATE.into()],
            rule_ids: vec![ConfigId(1002)],
            note: Some("Paid at the counter, receipt 8812".into()),
            actor: "finance-lead".into(),
            at: t2(),
        })
    );
    // A sync that finds the rule holding does not re-block during the hold.
    assert_eq!(apply(&held, sync("2026-02", vec![late_hit()]), t2()), None);
    assert_eq!(apply(&held, sync("2026-03", vec![late_hit()]), t2()), None);
    // The next calculation ends the hold and decides again.
    let t3 = at("2026-04-01T06:00:00Z");
    let d = apply(&held, calc("2026-03", vec![late_hit()]), t3).unwrap();
    assert_eq!(
        d.next,
        Enforcement {
            hits: vec![late_hit()],
            since: Some(t3),
            payment_period: Some(period("2026-03")),
            manual_hold: false,
        }
    );
    assert_eq!(d.change.unwrap().cause, BlockCause::Calculation);
    // A calculation that blocks nothing ends the hold too; syncs decide again afterwards.
    let d = apply(&held, calc("2026-03", Vec::new()), t3).unwrap();
    assert_eq!(d.change, None);
    assert!(!d.next.manual_hold);
    assert!(apply(&d.next, sync("2026-03", vec![late_hit()]), t3)
        .unwrap()
        .next
        .is_blocked());
}

#[test]
fn a_manual_unblock_of_a_seller_not_blocked_is_refused() {
    let refused = decide(
        &Enforcement::default(),
        Trigger::ManualUnblock {
            reason: "just in case".into(),
        },
        "ops",
        t1(),
    );
    assert_eq!(refused, Err(UnblockRefusal::NotBlocked));
    assert_eq!(UnblockRefusal::NotBlocked.to_string(), "is not blocked");
}

#[test]
fn payment_only_rules_are_those_a_sync_can_evaluate() {
    let only = |v: serde_json::Value| is_payment_only(&Condition::parse(&v).unwrap());
    assert!(only(
        json!({"metric": "worst_days_late", "op": ">", "value": 30})
    ));
    assert!(only(json!({"all": [
        {"metric": "worst_days_late", "op": ">", "value": 30},
        {"not": {"metric": "total_outstanding_amount", "op": "<", "value": 1000000}}
    ]})));
    assert!(!only(json!({"all": [
        {"metric": "worst_days_late", "op": ">", "value": 30},
        {"metric": "tier", "op": "==", "value": "Warning"}
    ]})));
    assert!(!only(json!({"metric": "f_score", "op": "<", "value": 50})));

    let m = payment_metrics(&payment(45, dec!(2000000)));
    assert_eq!(
        m,
        MetricValues {
            worst_days_late: Some(dec!(45)),
            total_outstanding_amount: Some(dec!(2000000)),
            ..MetricValues::default()
        }
    );
}

#[test]
fn payment_rules_keep_the_payment_only_blocking_rules_and_evaluate_them() {
    let defaults: Vec<SurchargeRule> = default_surcharge_rules()
        .into_iter()
        .enumerate()
        .map(|(i, s)| SurchargeRule {
            id: Some(ConfigId(1000 + i as i64)),
            surcharge_type: s.surcharge_type,
            condition: s.trigger_condition,
            action: s.action,
        })
        .collect();
    let mut rules = defaults.clone();
    rules.push(rule(
        50,
        json!({"all": [{"metric": "worst_days_late", "op": ">", "value": 10}, {"metric": "tier", "op": "==", "value": "Warning"}]}),
        "Late and in Warning",
    ));
    rules.push(rule(
        51,
        json!({"metric": "total_outstanding_amount", "op": ">=", "value": 100000000}),
        "Over 100M outstanding",
    ));
    let pr = PaymentRules::from_rules(&rules);
    let ids: Vec<_> = pr.rules().iter().map(|r| r.id).collect();
    assert_eq!(ids, [Some(ConfigId(1002)), Some(ConfigId(51))]);
    assert_eq!(pr.hits(&payment(45, dec!(2000000))), [late_hit()]);
    assert_eq!(
        pr.hits(&payment(45, dec!(100000000))),
        [
            late_hit(),
            BlockHit {
                rule_id: Some(ConfigId(51)),
                reason: "Over 100M outstanding".into(),
                payment_only: true,
            }
        ]
    );
    assert!(pr.hits(&payment(30, dec!(2000000))).is_empty());
    assert_eq!(
        pr.trigger(period("2026-03"), Some(45), Some(dec!(5))),
        Trigger::Sync {
            period: period("2026-03"),
            evaluated: vec![Some(ConfigId(1002)), Some(ConfigId(51))],
            hits: vec![late_hit()],
        }
    );
    assert!(PaymentRules::default()
        .hits(&payment(45, dec!(1)))
        .is_empty());
}

#[test]
fn calculation_hits_are_the_blocking_surcharges_classified_by_their_rule() {
    let rules = vec![
        rule(
            6,
            json!({"metric": "worst_days_late", "op": ">", "value": 30}),
            LATE,
        ),
        rule(
            7,
            json!({"metric": "sos_score", "op": "<", "value": 40}),
            LOW,
        ),
    ];
    let metrics = MetricValues {
        sos_score: Some(dec!(35.5)),
        worst_days_late: Some(dec!(31)),
        ..MetricValues::default()
    };
    let triggered = evaluate_rules(&rules, &metrics);
    assert_eq!(
        calculation_hits(&rules, &triggered),
        [
            BlockHit {
                rule_id: Some(ConfigId(6)),
                reason: LATE.into(),
                payment_only: true,
            },
            low_hit(),
        ]
    );
    // Fee surcharges are not hits.
    let fees: Vec<SurchargeRule> = default_surcharge_rules()
        .into_iter()
        .take(2)
        .map(|s| SurchargeRule {
            id: Some(ConfigId(1)),
            surcharge_type: s.surcharge_type,
            condition: s.trigger_condition,
            action: s.action,
        })
        .collect();
    let fee_hits = evaluate_rules(
        &fees,
        &MetricValues {
            aging_over_180d_pct: Some(dec!(40)),
            ..MetricValues::default()
        },
    );
    assert_eq!(fee_hits.len(), 1);
    assert!(calculation_hits(&fees, &fee_hits).is_empty());
}

#[test]
fn each_change_is_an_event_and_an_audit_entry() {
    let code = SellerCode::parse("SEL001").unwrap();
    let d = apply(
        &Enforcement::default(),
        sync("2026-02", vec![late_hit()]),
        t1(),
    )
    .unwrap();
    let change = d.change.clone().unwrap();
    let event = order_blocking_event(&code, &change);
    assert_eq!(event.event_type(), EventType::OrderBlocked);
    assert_eq!(event.occurred_at(), t1());
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(event.payload()).unwrap(),
        json!({"type": "seller.order_blocked", "timestamp": "2026-03-02T08:00:00.000Z",
               "data": {"seller_code": "SEL001", "cause": "sync", "period": "2026-02",
                        "reasons": [LATE], "rule_ids": [1002], "note": null,
                        "since": "2026-03-02T08:00:00.000Z"}})
    );
    let (old, new) = audit_values(&Enforcement::default(), &change, &d.next);
    assert_eq!(
        old,
        json!({"blocked": false, "reasons": [], "rule_ids": [], "since": null,
               "payment_period": null, "manual_hold": false})
    );
    assert_eq!(
        new,
        json!({"blocked": true, "reasons": [LATE], "rule_ids": [1002],
               "since": "2026-03-02T08:00:00Z", "payment_period": "2026-02",
               "manual_hold": false, "cause": "sync", "period": "2026-02", "note": null})
    );

    let u = decide(
        &d.next,
        Trigger::ManualUnblock {
            reason: "Paid".into(),
        },
        "finance-lead",
        t2(),
    )
    .unwrap()
    .unwrap();
    let event = order_blocking_event(&code, u.change.as_ref().unwrap());
    assert_eq!(event.event_type(), EventType::OrderUnblocked);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(event.payload()).unwrap(),
        json!({"type": "seller.order_unblocked", "timestamp": "2026-03-10T09:30:00.000Z",
               "data": {"seller_code": "SEL001", "cause": "manual", "period": null,
                        "reasons": [LATE], "rule_ids": [1002], "note": "Paid",
                        "since": "2026-03-10T09:30:00.000Z"}})
    );
}

#[test]
fn unblock_reasons_are_checked_and_causes_named() {
    assert!(check_unblock_reason("Paid at the counter").is_ok());
    assert!(check_unblock_reason("Line one\nline two").is_ok());
    for bad in ["", "   ", "nul\u{0}"] {
        let e = check_unblock_reason(bad).unwrap_err();
        assert_eq!(e.errors()[0].field, "reason", "{bad:?}");
    }
    let e = check_unblock_reason(&"x".repeat(501)).unwrap_err();
    assert_eq!(e.errors()[0].message, "must be at most 500 characters");
    assert!(check_unblock_reason(&"x".repeat(500)).is_ok());
    for c in BlockCause::ALL {
        assert_eq!(BlockCause::parse(c.as_str()), Some(c));
        assert_eq!(serde_json::to_value(c).unwrap(), json!(c.as_str()));
    }
    assert_eq!(BlockCause::parse("cron"), None);
    let _: Period = period("2026-02");
}
