//! `sos-server webhooks list|deliveries|replay`: the real binary on a migrated PostgreSQL
//! database (`DATABASE_URL`), with a subscription and the events of a committed calculation
//! written through the use cases.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use sos_adapters_pg::{secrets::SecretBox, PgStore};
use sos_app::{CalculateRequest, Sos};
use sos_domain::{
    webhook::{EndpointPolicy, EndpointUrl, SubscriptionPatch},
    Period,
};
use sos_pg_local::testing::TestDb;
use sos_ports::{
    CalculationScope, DeliveryStatus, OutboundRequest, PageRequest, SendReport, WebhookGateway,
};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_sos-server");
/// The server key that seals the subscription secrets, shared by the test and the binary.
const SECRET_KEY: &str = "7b0c2f5e9a1d4c3b8e6f0a2d4c6e8f1a3b5c7d9e0f2a4b6c8d0e2f4a6b8c0d2e";

/// Accepts every endpoint, sends nothing.
#[derive(Debug)]
struct Gateway;

impl WebhookGateway for Gateway {
    fn policy(&self) -> EndpointPolicy {
        EndpointPolicy::default()
    }
    fn check_endpoint(&self, _: &EndpointUrl) -> Result<(), String> {
        Ok(())
    }
    fn send(&self, _: &OutboundRequest) -> SendReport {
        unreachable!("the test sends nothing")
    }
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `sos-server <args>` on the test database.
fn cli(db: &TestDb, args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", db.url())
        .env("SOS_SECRET_KEY", SECRET_KEY)
        // Nothing is written there: the database and the key come from the environment.
        .env(
            "SOS_DATA_DIR",
            std::env::temp_dir().join("sos-webhooks-cli-unused"),
        )
        .env_remove("SOS_ADMIN_KEY")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[track_caller]
fn ok(run: &Run) -> &str {
    assert_eq!(run.code, Some(0), "failed:\n{}\n{}", run.stdout, run.stderr);
    &run.stdout
}

/// The row of a table whose first column is `id`.
fn row(table: &str, id: i64) -> Vec<&str> {
    table
        .lines()
        .find(|l| l.split_whitespace().next() == Some(id.to_string().as_str()))
        .unwrap_or_else(|| panic!("no row {id} in:\n{table}"))
        .split_whitespace()
        .collect()
}

#[test]
fn webhooks_commands_list_show_and_replay() {
    let db = TestDb::new();
    let store = PgStore::connect(db.url(), 2)
        .unwrap()
        .with_secrets(SecretBox::from_hex(SECRET_KEY).unwrap());
    let sos = Sos::new(store);
    sos.seed_default_config().unwrap();
    let all = sos
        .create_subscription(
            &Gateway,
            &SubscriptionPatch {
                subscriber: Some("oms".into()),
                endpoint_url: Some("https://oms.example.com/hooks".into()),
                ..SubscriptionPatch::default()
            },
            "test",
        )
        .unwrap();
    let tiers = sos
        .create_subscription(
            &Gateway,
            &SubscriptionPatch {
                subscriber: Some("crm".into()),
                endpoint_url: Some("https://crm.example.com/sos".into()),
                event_types: Some(vec!["seller.tier_changed".into()]),
                timeout_seconds: Some(5),
                ..SubscriptionPatch::default()
            },
            "test",
        )
        .unwrap();
    sos.calculate(
        &CalculateRequest {
            period: Period::parse("2026-02").unwrap(),
            scope: CalculationScope::All,
            dry_run: false,
            actor: "test".into(),
        },
        &mut |_| {},
    )
    .unwrap();
    let (all_id, tiers_id) = (all.subscription.id, tiers.subscription.id);
    let page = PageRequest { page: 1, limit: 50 };
    let deliveries = sos.list_deliveries(all_id, page).unwrap().items;
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    let delivery = &deliveries[0];
    assert_eq!(delivery.event_type.as_str(), "calculation.completed");

    // list: a table, or the API's JSON; never a secret.
    let run = cli(&db, &["webhooks", "list"]);
    let table = ok(&run);
    assert!(
        table.lines().next().unwrap().split_whitespace().eq([
            "id",
            "subscriber",
            "endpoint",
            "events",
            "active",
            "timeout",
            "attempts",
            "disabled"
        ]),
        "{table}"
    );
    assert_eq!(
        row(table, all_id),
        [
            all_id.to_string().as_str(),
            "oms",
            "https://oms.example.com/hooks",
            "*",
            "yes",
            "15s",
            "8",
            "-"
        ]
    );
    assert_eq!(row(table, tiers_id)[3], "seller.tier_changed");
    assert_eq!(row(table, tiers_id)[5], "5s");
    let run = cli(&db, &["webhooks", "list", "--json"]);
    let listed: Value = serde_json::from_str(ok(&run)).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(listed[0]["id"], all_id);
    assert_eq!(listed[0]["event_types"], serde_json::json!(["*"]));
    for run in [&run, &cli(&db, &["webhooks", "list"])] {
        for secret in [&all.secret, &tiers.secret] {
            assert!(!run.stdout.contains(&secret[6..]), "a secret is shown");
        }
        assert!(!run.stdout.contains("whsec_") && !run.stdout.contains("\"secret\""));
    }

    // deliveries: a table, or the API's JSON with the attempt log.
    let run = cli(&db, &["webhooks", "deliveries", &all_id.to_string()]);
    let table = ok(&run);
    let r = row(table, delivery.id);
    assert_eq!(
        &r[1..4],
        ["calculation.completed", "pending", "0"],
        "{table}"
    );
    let run = cli(
        &db,
        &["webhooks", "deliveries", &all_id.to_string(), "--json"],
    );
    let shown: Value = serde_json::from_str(ok(&run)).unwrap();
    assert_eq!(shown[0]["id"], delivery.id);
    assert_eq!(shown[0]["event_id"], delivery.event_id.as_str());
    assert_eq!(shown[0]["status"], "pending");
    assert_eq!(shown[0]["log"], serde_json::json!([]));
    let run = cli(&db, &["webhooks", "deliveries", &tiers_id.to_string()]);
    assert_eq!(
        ok(&run).lines().count(),
        1,
        "only the header: {}",
        run.stdout
    );

    // replay one delivery, then a subscription since an instant.
    let run = cli(
        &db,
        &["webhooks", "replay", "--delivery", &delivery.id.to_string()],
    );
    assert_eq!(
        ok(&run).trim(),
        format!(
            "Replayed delivery {} (calculation.completed, event {}): due now",
            delivery.id, delivery.event_id
        )
    );
    let after = &sos.list_deliveries(all_id, page).unwrap().items[0];
    assert_eq!(
        (after.status, after.attempts, &after.event_id),
        (DeliveryStatus::Pending, 0, &delivery.event_id)
    );
    let since = "2000-01-01T00:00:00Z";
    for (id, n) in [(all_id, 1), (tiers_id, 0)] {
        let run = cli(
            &db,
            &["webhooks", "replay", &id.to_string(), "--since", since],
        );
        assert_eq!(
            ok(&run).trim(),
            format!(
                "Replayed {n} deliveries of subscription {id} since 2000-01-01T00:00:00Z: due now"
            )
        );
    }

    // Unknown ids and bad arguments.
    let run = cli(&db, &["webhooks", "deliveries", "999"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("no webhook subscription 999"),
        "{}",
        run.stderr
    );
    let run = cli(&db, &["webhooks", "replay", "--delivery", "999"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("no webhook delivery 999"),
        "{}",
        run.stderr
    );
    for args in [
        vec!["webhooks", "replay"],
        vec!["webhooks", "replay", "1"],
        vec!["webhooks", "replay", "--since", since],
        vec!["webhooks", "replay", "--delivery", "1", "--since", since],
        vec!["webhooks", "replay", "--delivery", "1", "1"],
    ] {
        let run = cli(&db, &args);
        assert_eq!(run.code, Some(2), "{args:?}: {}", run.stderr);
    }
    let run = cli(&db, &["webhooks", "replay", "1", "--since", "yesterday"]);
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("RFC 3339"), "{}", run.stderr);
}
