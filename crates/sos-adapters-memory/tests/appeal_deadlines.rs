//! Appeal deadlines on a test clock: each level has five days from the moment the appeal
//! reached it, to the second, and nothing sleeps.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use sos_adapters_memory::MemoryStore;
use sos_app::{AmReview, AppealError, CalculateRequest, NewAppeal, Sos};
use sos_contract_tests::fixtures::{code, feb, seed_config, seed_full_inputs, seed_master};
use sos_domain::{
    appeal::{AmDecision, AppealRefusal, AppealStatus, AppealTarget, OpsDecision},
    exception::ExceptionReason,
};
use sos_ports::{CalculationScope, Clock};
use std::sync::{Arc, Mutex};

#[derive(Debug)]
struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    fn advance(&self, by: TimeDelta) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

fn filing(target: AppealTarget) -> NewAppeal {
    NewAppeal {
        seller_code: code("SEL001"),
        period: feb(),
        target,
        reason_type: ExceptionReason::Other,
        description: "the warehouse mislabelled a pallet".into(),
        evidence: vec![],
    }
}

#[test]
fn each_level_expires_five_days_after_it_was_reached() {
    let clock = Arc::new(TestClock(Mutex::new(
        Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap(),
    )));
    let store = MemoryStore::with_clock(clock.clone());
    seed_master(&store, 1);
    seed_config(&store);
    seed_full_inputs(&store, &code("SEL001"));
    let sos = Sos::new(store);
    sos.calculate(
        &CalculateRequest {
            period: feb(),
            scope: CalculationScope::All,
            dry_run: false,
            actor: "ops".into(),
        },
        &mut |_| {},
    )
    .unwrap();
    sos.finalize(feb(), "ops").unwrap();

    let ops_level = sos
        .file_appeal(&filing(AppealTarget::OScore), "am")
        .unwrap();
    let am_level = sos
        .file_appeal(&filing(AppealTarget::TScore), "am")
        .unwrap();
    // Day 3: ops approve the second; its AM level is due on day 8.
    clock.advance(TimeDelta::days(3));
    sos.review_appeal_ops(am_level.appeal.id, OpsDecision::Approve, None, "ops")
        .unwrap();
    // Day 5 to the second: nothing is late.
    clock.advance(TimeDelta::days(2));
    assert!(sos.expire_appeals("system").unwrap().is_empty());
    // A second later the ops level of the first is late; the second's AM level is not.
    clock.advance(TimeDelta::seconds(1));
    let expired = sos.expire_appeals("system").unwrap();
    assert_eq!(
        expired.iter().map(|r| r.appeal.id).collect::<Vec<_>>(),
        [ops_level.appeal.id]
    );
    assert_eq!(expired[0].appeal.status, AppealStatus::Expired);
    assert_eq!(expired[0].history.last().unwrap().actor, "system");
    // Reviewing the expired one is refused.
    assert!(matches!(
        sos.review_appeal_ops(ops_level.appeal.id, OpsDecision::Approve, None, "ops"),
        Err(AppealError::Refused(AppealRefusal::WrongLevel { .. }))
    ));
    // Day 8 plus a second: the AM review is refused as late, and the expiry closes it.
    clock.advance(TimeDelta::days(3));
    let review = AmReview {
        decision: AmDecision::Approve,
        note: None,
        component: None,
        score_adjustment: Some(90.into()),
    };
    assert!(matches!(
        sos.review_appeal_am(am_level.appeal.id, &review, "boss"),
        Err(AppealError::Refused(AppealRefusal::Late {
            level: "am",
            ..
        }))
    ));
    let expired = sos.expire_appeals("system").unwrap();
    assert_eq!(
        expired.iter().map(|r| r.appeal.id).collect::<Vec<_>>(),
        [am_level.appeal.id]
    );
    // The filing window: 30 days after finalize (made on day 0).
    clock.advance(TimeDelta::days(22) - TimeDelta::seconds(2));
    assert!(sos.file_appeal(&filing(AppealTarget::FScore), "am").is_ok());
    clock.advance(TimeDelta::seconds(2));
    assert!(matches!(
        sos.file_appeal(&filing(AppealTarget::IScore), "am"),
        Err(AppealError::Refused(AppealRefusal::WindowClosed { .. }))
    ));
}
