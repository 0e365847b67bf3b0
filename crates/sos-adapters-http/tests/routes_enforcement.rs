//! Order blocking as the OMS, accounting and ops use it over the API, on both stores: a Format
//! B payments sync with an invoice 45 days late blocks, the sync that shows it paid unblocks,
//! a manual unblock holds until the next calculation, and the scopes are enforced.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::http::Method;
use common::*;
use serde_json::{json, Value};
use sos_ports::Scope;

const LATE: &str = "An invoice is more than 30 days late";

async fn as_key(
    app: &TestApp,
    scope: Scope,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Resp {
    let key = app.key(scope).to_owned();
    app.request(method, path, Some(&key), body).await
}

/// What the OMS reads, with its key (`enforcement:read`).
async fn enforcement(app: &TestApp, seller: &str) -> Value {
    let r = as_key(
        app,
        Scope::EnforcementRead,
        Method::GET,
        &format!("/api/sellers/{seller}/enforcement"),
        None,
    )
    .await;
    r.assert_status(200);
    r.json()
}

/// Accounting pushes SEL001's invoices of `period` (Format B) with its `sync:write` key.
async fn sync_invoices(app: &TestApp, period: &str, invoices: Value) {
    let r = as_key(
        app,
        Scope::SyncWrite,
        Method::POST,
        "/api/sync/payments",
        Some(
            &json!({"seller_code": "SEL001", "period": period, "invoices": invoices,
            "currency": "VND"}),
        ),
    )
    .await;
    r.assert_status(200);
    assert_eq!(r.json(), json!({"success": true}));
}

/// The id of the seeded `worst_days_late > 30` rule, as the config API lists it.
async fn blocking_rule_id(app: &TestApp) -> i64 {
    let r = app.get("/api/config/surcharge").await;
    r.assert_status(200);
    let rows = r.json();
    let rows = rows
        .as_array()
        .or_else(|| rows["items"].as_array())
        .unwrap()
        .clone();
    let rule = rows
        .iter()
        .find(|r| r["action"]["type"] == "block_orders")
        .unwrap_or_else(|| panic!("no blocking rule in {rows:?}"));
    assert_eq!(
        rule["trigger_condition"],
        json!({"metric": "worst_days_late", "op": ">", "value": 30})
    );
    assert_eq!(
        rule["action"],
        json!({"type": "block_orders", "reason": LATE})
    );
    rule["id"].as_i64().unwrap()
}

fn not_blocked() -> Value {
    json!({"blocked": false, "reasons": [], "since": null, "rule_ids": []})
}

over_both_stores!(
    a_seller_45_days_late_is_blocked_after_the_sync_and_unblocked_when_paid => late_then_paid,
    a_manual_unblock_holds_until_the_next_calculation => manual_unblock,
    the_enforcement_routes_need_their_scopes => scopes,
);

async fn late_then_paid(store: Store) {
    let app = TestApp::seeded_on(store).await;
    let rule = blocking_rule_id(&app).await;
    let hook = app.post("/api/webhooks", &webhook_body()).await;
    hook.assert_status(201);
    let hook = hook.json()["id"].as_i64().unwrap();
    assert_eq!(enforcement(&app, "SEL001").await, not_blocked());

    // March: INV045 is 45 days late. Blocked as soon as the sync answers.
    sync_invoices(
        &app,
        "2026-03",
        json!([{"invoice_id": "INV044", "days_late": 0, "amount": 1500000},
               {"invoice_id": "INV045", "days_late": 45, "amount": 2000000}]),
    )
    .await;
    let blocked = enforcement(&app, "SEL001").await;
    assert_eq!(blocked["blocked"], json!(true));
    assert_eq!(blocked["reasons"], json!([LATE]));
    assert_eq!(blocked["rule_ids"], json!([rule]));
    let since = blocked["since"].as_str().unwrap().to_owned();
    assert!(
        chrono::DateTime::parse_from_rfc3339(&since).is_ok(),
        "{since}"
    );
    // The OMS's own sync key may read it too.
    let r = as_key(
        &app,
        Scope::SyncWrite,
        Method::GET,
        "/api/sellers/SEL001/enforcement",
        None,
    )
    .await;
    r.assert_status(200);
    assert_eq!(r.json(), blocked);

    // Accounting re-sends INV045 settled: the sync that shows it paid unblocks.
    sync_invoices(
        &app,
        "2026-03",
        json!([{"invoice_id": "INV045", "days_late": 0, "amount": 0}]),
    )
    .await;
    let unblocked = enforcement(&app, "SEL001").await;
    assert_eq!(unblocked["blocked"], json!(false));
    assert_eq!(unblocked["reasons"], json!([]));
    assert_eq!(unblocked["rule_ids"], json!([]));
    assert!(unblocked["since"].as_str().unwrap() >= since.as_str());

    // Both changes are in the audit log, by the sync key, and went to the subscriber.
    let r = app.get("/api/audit?entity=enforcement&id=SEL001").await;
    r.assert_status(200);
    let audit = r.json();
    let entries: Vec<(String, String)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["actor"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let sync_key = key_name(Scope::SyncWrite);
    assert_eq!(
        entries,
        [
            ("unblock".to_owned(), sync_key.clone()),
            ("block".to_owned(), sync_key)
        ]
    );
    assert_eq!(audit[1]["old_value"]["blocked"], json!(false));
    assert_eq!(audit[1]["new_value"]["blocked"], json!(true));
    assert_eq!(audit[1]["new_value"]["cause"], json!("sync"));
    assert_eq!(audit[1]["new_value"]["period"], json!("2026-03"));
    let r = app.get(&format!("/api/webhooks/{hook}/deliveries")).await;
    r.assert_status(200);
    let mut types: Vec<String> = r.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["event_type"].as_str().unwrap().to_owned())
        .collect();
    types.reverse();
    assert_eq!(types, ["seller.order_blocked", "seller.order_unblocked"]);

    // Another seller and an unknown one.
    app.post("/api/sellers", &seller_body("SEL002"))
        .await
        .assert_status(201);
    assert_eq!(enforcement(&app, "SEL002").await, not_blocked());
    let r = as_key(
        &app,
        Scope::EnforcementRead,
        Method::GET,
        "/api/sellers/SEL999/enforcement",
        None,
    )
    .await;
    r.assert_status(404);
    assert_eq!(r.error(), "Seller SEL999 not found");
}

async fn manual_unblock(store: Store) {
    let app = TestApp::seeded_on(store).await;
    sync_invoices(
        &app,
        "2026-03",
        json!([{"invoice_id": "INV045", "days_late": 45, "amount": 2000000}]),
    )
    .await;
    assert_eq!(enforcement(&app, "SEL001").await["blocked"], json!(true));
    let unblock = |body: Value| {
        let app = app.clone();
        async move {
            as_key(
                &app,
                Scope::EnforcementWrite,
                Method::POST,
                "/api/sellers/SEL001/unblock",
                Some(&body),
            )
            .await
        }
    };

    // The reason is required and checked; unknown fields and sellers are refused.
    let r = unblock(json!({})).await;
    r.assert_status(400);
    assert_eq!(r.json()["details"][0]["field"], json!("reason"));
    let r = unblock(json!({"reason": "   "})).await;
    r.assert_status(400);
    assert_eq!(
        r.json()["details"],
        json!([{"field": "reason", "message": "must not be empty"}])
    );
    let r = unblock(json!({"reason": "x".repeat(501)})).await;
    r.assert_status(400);
    assert_eq!(
        r.json()["details"][0]["message"],
        json!("must be at most 500 characters")
    );
    unblock(json!({"reason": "ok", "until": "2026-04-01"}))
        .await
        .assert_status(400);
    let r = as_key(
        &app,
        Scope::EnforcementWrite,
        Method::POST,
        "/api/sellers/SEL999/unblock",
        Some(&json!({"reason": "Paid"})),
    )
    .await;
    r.assert_status(404);
    assert_eq!(r.error(), "Seller SEL999 not found");
    assert_eq!(enforcement(&app, "SEL001").await["blocked"], json!(true));

    // By hand: the answer is the new state.
    let r = unblock(json!({"reason": "Paid at the counter, receipt 8812"})).await;
    r.assert_status(200);
    let state = r.json();
    assert_eq!(state["blocked"], json!(false));
    assert_eq!(state["reasons"], json!([]));
    assert_eq!(state["rule_ids"], json!([]));
    assert!(state["since"].is_string());
    assert_eq!(enforcement(&app, "SEL001").await, state);
    // Nothing left to unblock.
    let r = unblock(json!({"reason": "again"})).await;
    r.assert_status(409);
    assert_eq!(
        r.error(),
        "Seller SEL001 is not blocked; there is nothing to unblock"
    );

    // A sync that still shows the invoice late does not re-block before the next calculation.
    sync_invoices(
        &app,
        "2026-03",
        json!([{"invoice_id": "INV045", "days_late": 46, "amount": 2000000}]),
    )
    .await;
    assert_eq!(enforcement(&app, "SEL001").await, state);

    // The audit entry names the key and the reason.
    let r = app.get("/api/audit?entity=enforcement&id=SEL001").await;
    let latest = r.json()[0].clone();
    assert_eq!(latest["action"], json!("unblock"));
    assert_eq!(latest["actor"], json!(key_name(Scope::EnforcementWrite)));
    assert_eq!(latest["new_value"]["cause"], json!("manual"));
    assert_eq!(
        latest["new_value"]["note"],
        json!("Paid at the counter, receipt 8812")
    );
    assert_eq!(latest["new_value"]["manual_hold"], json!(true));

    // The next calculation (of March, where the invoice is late) blocks again.
    app.post("/api/sos/monthly/calculate", &json!({"period": "2026-03"}))
        .await
        .assert_status(200);
    let again = enforcement(&app, "SEL001").await;
    assert_eq!(again["blocked"], json!(true));
    assert_eq!(again["reasons"], json!([LATE]));
    let r = app.get("/api/sos/sellers/SEL001/scores/2026-03").await;
    r.assert_status(200);
    assert_eq!(
        r.json()["surcharges"],
        json!([{"rule_id": again["rule_ids"][0], "surcharge_type": "orders",
                "action": {"type": "block_orders", "reason": LATE}}])
    );
}

async fn scopes(store: Store) {
    let app = TestApp::seeded_on(store).await;
    sync_invoices(
        &app,
        "2026-03",
        json!([{"invoice_id": "INV045", "days_late": 45, "amount": 2000000}]),
    )
    .await;
    let read = "/api/sellers/SEL001/enforcement";
    for scope in Scope::ALL {
        let r = as_key(&app, scope, Method::GET, read, None).await;
        if matches!(
            scope,
            Scope::SyncWrite | Scope::EnforcementRead | Scope::Admin
        ) {
            r.assert_status(200);
            assert_eq!(r.json()["blocked"], json!(true), "{scope}");
        } else {
            r.assert_status(403);
            assert_eq!(
                r.error(),
                "This API key lacks the scope sync:write or enforcement:read",
                "{scope}"
            );
        }
    }
    let body = json!({"reason": "Paid"});
    for scope in [
        Scope::SyncWrite,
        Scope::EnforcementRead,
        Scope::ScoresCalculate,
        Scope::MasterWrite,
    ] {
        let r = as_key(
            &app,
            scope,
            Method::POST,
            "/api/sellers/SEL001/unblock",
            Some(&body),
        )
        .await;
        r.assert_status(403);
        assert_eq!(r.error(), "This API key lacks the scope enforcement:write");
    }
    let r = app.request(Method::GET, read, None, None).await;
    r.assert_status(401);
    // The refused unblocks changed nothing.
    assert_eq!(enforcement(&app, "SEL001").await["blocked"], json!(true));
    let r = as_key(
        &app,
        Scope::EnforcementWrite,
        Method::POST,
        "/api/sellers/SEL001/unblock",
        Some(&body),
    )
    .await;
    r.assert_status(200);
}

#[actix_web::test]
async fn the_config_api_takes_block_orders_actions() {
    let app = TestApp::new().await;
    let rule = json!({"surcharge_type": "orders",
        "trigger_condition": {"metric": "total_outstanding_amount", "op": ">=", "value": 100000000},
        "action": {"type": "block_orders", "reason": "More than 100M outstanding"},
        "description": "Credit limit", "effective_from": "2026-01-01"});
    let r = app.post("/api/config/surcharge", &rule).await;
    r.assert_status(201);
    let created = r.json();
    assert_eq!(
        created["action"],
        json!({"type": "block_orders", "reason": "More than 100M outstanding"})
    );
    let r = app
        .get(&format!(
            "/api/config/surcharge/{}",
            created["id"].as_i64().unwrap()
        ))
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["action"], created["action"]);

    for (action, field, message) in [
        (
            json!({"type": "block_orders"}),
            "action.reason",
            "is required".to_owned(),
        ),
        (
            json!({"type": "block_orders", "reason": ""}),
            "action.reason",
            "must be non-blank text of at most 200 characters without control characters"
                .to_owned(),
        ),
        (
            json!({"type": "block_orders", "reason": "x".repeat(201)}),
            "action.reason",
            "must be non-blank text of at most 200 characters without control characters"
                .to_owned(),
        ),
        (
            json!({"type": "block_orders", "reason": "late", "pct": 5}),
            "action.pct",
            "unknown key for block_orders; expected reason".to_owned(),
        ),
    ] {
        let mut body = rule.clone();
        body["action"] = action.clone();
        let r = app.post("/api/config/surcharge", &body).await;
        r.assert_status(400);
        let details = r.json()["details"].clone();
        assert_eq!(
            details,
            json!([{"field": field, "message": message}]),
            "{action}"
        );
    }
}
