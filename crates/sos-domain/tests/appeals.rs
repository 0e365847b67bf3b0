//! The appeal rules: who may file, who may decide at which level, and when a level is late.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use rust_decimal_macros::dec;
use sos_domain::{
    appeal::{
        check_adjustment, check_filing, check_filing_fields, deadline, is_late, review_am,
        review_ops, AmDecision, Appeal, AppealRefusal, AppealRules, AppealStatus, AppealTarget,
        Evidence, OpsDecision,
    },
    Component, Period, SellerCode,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn appeal(status: AppealStatus) -> Appeal {
    Appeal {
        id: 1,
        seller_code: SellerCode::parse("SEL001").unwrap(),
        period: Period::parse("2026-02").unwrap(),
        target: AppealTarget::OScore,
        status,
        filed_by: "am-key".into(),
        filed_at: t0(),
        ops_reviewed_by: (status != AppealStatus::Pending).then(|| "ops-key".into()),
        ops_reviewed_at: (status != AppealStatus::Pending).then(|| t0() + TimeDelta::days(1)),
        am_reviewed_by: None,
        am_reviewed_at: None,
    }
}

fn file(
    earlier: &[Appeal],
    finalized: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), AppealRefusal> {
    check_filing(
        &SellerCode::parse("SEL001").unwrap(),
        Period::parse("2026-02").unwrap(),
        true,
        finalized,
        earlier,
        now,
        &AppealRules::default(),
    )
}

#[test]
fn filing_needs_a_result_the_window_and_at_most_one_open() {
    let rules = AppealRules::default();
    assert!(file(&[], None, t0()).is_ok(), "before finalize, any time");
    assert!(file(&[], Some(t0()), t0() + TimeDelta::days(30)).is_ok());
    assert!(matches!(
        file(
            &[],
            Some(t0()),
            t0() + TimeDelta::days(30) + TimeDelta::seconds(1)
        ),
        Err(AppealRefusal::WindowClosed { days: 30, .. })
    ));
    assert!(matches!(
        check_filing(
            &SellerCode::parse("SEL001").unwrap(),
            Period::parse("2026-02").unwrap(),
            false,
            None,
            &[],
            t0(),
            &rules
        ),
        Err(AppealRefusal::NoResult { .. })
    ));
    assert!(matches!(
        file(&[appeal(AppealStatus::Pending)], None, t0()),
        Err(AppealRefusal::AlreadyOpen(1))
    ));
    assert!(matches!(
        file(&[appeal(AppealStatus::Approved)], None, t0()),
        Err(AppealRefusal::PreviousNotRejected(1))
    ));
    assert!(file(&[appeal(AppealStatus::Rejected)], None, t0()).is_ok());
    assert!(matches!(
        file(
            &[
                appeal(AppealStatus::Rejected),
                appeal(AppealStatus::Rejected)
            ],
            None,
            t0()
        ),
        Err(AppealRefusal::TooMany(2))
    ));
}

#[test]
fn two_levels_in_order_by_different_keys() {
    let rules = AppealRules::default();
    let now = t0() + TimeDelta::days(1);
    let pending = appeal(AppealStatus::Pending);
    assert_eq!(
        review_ops(&pending, OpsDecision::Approve, "ops-key", now, &rules).unwrap(),
        AppealStatus::UnderReview
    );
    assert_eq!(
        review_ops(&pending, OpsDecision::Reject, "ops-key", now, &rules).unwrap(),
        AppealStatus::Rejected
    );
    let own = review_ops(&pending, OpsDecision::Approve, "am-key", now, &rules).unwrap_err();
    assert!(own.is_forbidden(), "{own}");
    assert!(matches!(
        review_am(&pending, AmDecision::Approve, "boss", now, &rules),
        Err(AppealRefusal::WrongLevel {
            level: "am",
            status: "pending",
            ..
        })
    ));

    let under = appeal(AppealStatus::UnderReview);
    for (decision, status) in [
        (AmDecision::Approve, AppealStatus::Approved),
        (
            AmDecision::PartiallyApprove,
            AppealStatus::PartiallyApproved,
        ),
        (AmDecision::Reject, AppealStatus::Rejected),
    ] {
        assert_eq!(
            review_am(&under, decision, "boss", now, &rules).unwrap(),
            status
        );
    }
    let both = review_am(&under, AmDecision::Approve, "ops-key", now, &rules).unwrap_err();
    assert!(both.is_forbidden());
    assert!(both.to_string().contains("both levels"), "{both}");
    assert!(
        review_am(&under, AmDecision::Approve, "am-key", now, &rules)
            .unwrap_err()
            .is_forbidden()
    );
    for done in [
        AppealStatus::Approved,
        AppealStatus::Rejected,
        AppealStatus::Expired,
    ] {
        let err =
            review_ops(&appeal(done), OpsDecision::Approve, "ops-key", now, &rules).unwrap_err();
        assert!(!err.is_forbidden());
    }
}

#[test]
fn each_level_has_five_days_from_reaching_it() {
    let rules = AppealRules::default();
    let pending = appeal(AppealStatus::Pending);
    assert_eq!(deadline(&pending, &rules), Some(t0() + TimeDelta::days(5)));
    assert!(!is_late(&pending, &rules, t0() + TimeDelta::days(5)));
    assert!(is_late(
        &pending,
        &rules,
        t0() + TimeDelta::days(5) + TimeDelta::seconds(1)
    ));
    assert!(matches!(
        review_ops(
            &pending,
            OpsDecision::Approve,
            "ops-key",
            t0() + TimeDelta::days(6),
            &rules
        ),
        Err(AppealRefusal::Late { level: "ops", .. })
    ));
    let under = appeal(AppealStatus::UnderReview);
    // Reached the AM level a day after filing: due 6 days after filing.
    assert_eq!(deadline(&under, &rules), Some(t0() + TimeDelta::days(6)));
    assert!(!is_late(&under, &rules, t0() + TimeDelta::days(6)));
    assert!(is_late(&under, &rules, t0() + TimeDelta::days(7)));
    assert_eq!(deadline(&appeal(AppealStatus::Approved), &rules), None);
}

#[test]
fn adjustments_are_checked_against_the_component() {
    let max = |_c: Component| dec!(100);
    assert_eq!(
        check_adjustment(
            AppealTarget::OScore,
            AmDecision::Approve,
            None,
            Some(dec!(95)),
            max
        )
        .unwrap(),
        Some((Component::O, dec!(95)))
    );
    assert_eq!(
        check_adjustment(AppealTarget::OScore, AmDecision::Reject, None, None, max).unwrap(),
        None
    );
    let fields = |r: Result<_, sos_domain::ValidationErrors>| -> Vec<String> {
        r.unwrap_err().into_iter().map(|e| e.field).collect()
    };
    assert_eq!(
        fields(check_adjustment(
            AppealTarget::OScore,
            AmDecision::Approve,
            None,
            None,
            max
        )),
        ["score_adjustment"]
    );
    assert_eq!(
        fields(check_adjustment(
            AppealTarget::OScore,
            AmDecision::PartiallyApprove,
            None,
            Some(dec!(101)),
            max
        )),
        ["score_adjustment"]
    );
    assert_eq!(
        fields(check_adjustment(
            AppealTarget::Total,
            AmDecision::Approve,
            None,
            Some(dec!(90)),
            max
        )),
        ["component"]
    );
    assert_eq!(
        fields(check_adjustment(
            AppealTarget::OScore,
            AmDecision::Approve,
            Some(Component::T),
            Some(dec!(90)),
            max
        )),
        ["component"]
    );
    assert_eq!(
        check_adjustment(
            AppealTarget::Total,
            AmDecision::Approve,
            Some(Component::T),
            Some(dec!(90)),
            max
        )
        .unwrap(),
        Some((Component::T, dec!(90)))
    );
}

#[test]
fn filing_fields_are_checked() {
    assert!(check_filing_fields("the warehouse lost the pushes", &[]).is_ok());
    let bad = check_filing_fields(
        " ",
        &[Evidence {
            label: "".into(),
            url: "javascript:alert(1)".into(),
        }],
    )
    .unwrap_err();
    let fields: Vec<String> = bad.into_iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        ["description", "evidence[0].label", "evidence[0].url"]
    );
}
