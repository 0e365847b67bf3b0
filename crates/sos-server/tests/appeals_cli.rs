//! `sos-server appeals list|show|expire` and `sos-server exceptions list`: the real binary on a
//! migrated PostgreSQL database, with appeals and exceptions written through the use cases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeDelta, Utc};

use sos_adapters_pg::PgStore;
use sos_app::{CalculateRequest, NewAppeal, NewException, Sos};
use sos_contract_tests::fixtures::{code, feb, seed_config, seed_full_inputs, seed_master};
use sos_domain::{
    appeal::AppealTarget,
    exception::{ExceptionEffect, ExceptionReason},
    Component,
};
use sos_pg_local::testing::TestDb;
use sos_ports::{CalculationScope, Clock};
use std::{process::Command, sync::Arc};

const BIN: &str = env!("CARGO_BIN_EXE_sos-server");

fn cli(db: &TestDb, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", db.url())
        .env(
            "SOS_DATA_DIR",
            std::env::temp_dir().join("sos-appeals-cli-unused"),
        )
        .env("SOS_SECRET_KEY", "1".repeat(64))
        .env_remove("SOS_ADMIN_KEY")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[track_caller]
fn ok(db: &TestDb, args: &[&str]) -> String {
    let (code, out, err) = cli(db, args);
    assert_eq!(code, Some(0), "{args:?} failed:\n{out}\n{err}");
    out
}

/// A clock six days back: appeals filed on it are past the ops deadline now.
#[derive(Debug)]
struct SixDaysAgo;

impl Clock for SixDaysAgo {
    fn now(&self) -> chrono::DateTime<Utc> {
        Utc::now() - TimeDelta::days(6)
    }
}

#[test]
fn appeals_and_exceptions_commands() {
    let db = TestDb::new();
    let store = PgStore::connect(db.url(), 2).unwrap();
    seed_master(&store, 2);
    seed_config(&store);
    seed_full_inputs(&store, &code("SEL001"));
    let sos = Sos::new(store.clone());
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
    let exception = sos
        .create_exception(
            &NewException {
                seller_code: code("SEL001"),
                period: feb(),
                component: Component::T,
                reason_type: ExceptionReason::ForceMajeure,
                note: "typhoon".into(),
                effect: ExceptionEffect::SetScore {
                    value: sos_domain::Decimal::from(95),
                },
            },
            "ops-lead",
        )
        .unwrap();
    let filing = |target| NewAppeal {
        seller_code: code("SEL001"),
        period: feb(),
        target,
        reason_type: ExceptionReason::SystemSyncError,
        description: "double push".into(),
        evidence: vec![],
    };
    let fresh = sos
        .file_appeal(&filing(AppealTarget::OScore), "am-key")
        .unwrap();
    let late = Sos::new(store.clone().with_clock(Arc::new(SixDaysAgo)))
        .file_appeal(&filing(AppealTarget::IScore), "am-key")
        .unwrap();

    let listed = ok(&db, &["appeals", "list"]);
    for id in [fresh.appeal.id, late.appeal.id] {
        let line = listed
            .lines()
            .find(|l| l.split_whitespace().next() == Some(id.to_string().as_str()))
            .unwrap_or_else(|| panic!("no appeal {id} in:\n{listed}"));
        assert!(line.contains("SEL001") && line.contains("pending") && line.contains("am-key"));
    }
    assert!(listed.contains("2 appeal(s)"), "{listed}");
    let shown: serde_json::Value =
        serde_json::from_str(&ok(&db, &["appeals", "show", &fresh.appeal.id.to_string()])).unwrap();
    assert_eq!(shown["status"], "pending");
    assert_eq!(shown["component"], "o_score");
    assert_eq!(shown["history"][0]["actor"], "am-key");

    let expired = ok(&db, &["appeals", "expire"]);
    assert!(
        expired.contains(&format!("expired appeal {}", late.appeal.id)),
        "{expired}"
    );
    assert!(expired.contains("1 appeal(s) expired"), "{expired}");
    let shown: serde_json::Value =
        serde_json::from_str(&ok(&db, &["appeals", "show", &late.appeal.id.to_string()])).unwrap();
    assert_eq!(shown["status"], "expired");
    assert_eq!(shown["history"][1]["actor"], "system");
    let pending = ok(&db, &["appeals", "list", "--status", "pending"]);
    assert!(pending.contains("1 appeal(s)"), "{pending}");

    let (code_missing, _, err) = cli(&db, &["appeals", "show", "999"]);
    assert_eq!(code_missing, Some(1));
    assert!(err.contains("no appeal 999"), "{err}");

    let exceptions = ok(&db, &["exceptions", "list", "--seller", "SEL001"]);
    let line = exceptions
        .lines()
        .find(|l| {
            l.split_whitespace().next() == Some(exception.record.exception.id.to_string().as_str())
        })
        .unwrap_or_else(|| panic!("{exceptions}"));
    for part in ["t_score", "force_majeure", "set 95", "active", "ops-lead"] {
        assert!(line.contains(part), "{part} in {line}");
    }
}
