//! Security: every API operation of the registry (`routes::OPERATIONS`, what the app serves)
//! refuses missing, malformed, unknown and revoked keys (401) and keys without its scope (403),
//! and answers a key with its scope the success status its OpenAPI entry documents; the keys
//! API; the audit log.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::http::Method;
use common::*;
use serde_json::{json, Value};
use sos_adapters_http::{
    auth::{hash_key, CHALLENGE},
    routes::OPERATIONS,
};
use sos_ports::Scope;

/// An API operation of the registry: method, concrete path (example parameters), scopes that
/// grant it and its success status (both from the OpenAPI document).
struct Op {
    method: Method,
    template: String,
    path: String,
    scopes: Vec<String>,
    has_body: bool,
    success: u16,
}

/// The `/api` operations of `routes::OPERATIONS`, what the app serves, with what the document
/// says of each.
fn api_operations() -> Vec<Op> {
    let doc = sos_adapters_http::openapi::document();
    let mut ops = Vec::new();
    for operation in OPERATIONS {
        let template = operation.path.to_owned();
        if !template.starts_with("/api/") {
            continue;
        }
        let method = operation.method.to_ascii_lowercase();
        let op = &doc["paths"][&template][&method];
        assert!(op.is_object(), "{method} {template} is not documented");
        let m: Method = operation.method.parse().unwrap();
        let path = example_path(&template, "victim");
        let scopes = op["security"]
            .as_array()
            .unwrap_or_else(|| panic!("{method} {template} has no security"))
            .iter()
            .flat_map(|req| {
                req["bearer"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap().to_owned())
            })
            .collect();
        let successes: Vec<u16> = op["responses"]
            .as_object()
            .unwrap()
            .keys()
            .filter_map(|code| code.parse().ok())
            .filter(|code| (200..300).contains(code))
            .collect();
        assert_eq!(
            successes.len(),
            1,
            "{method} {template} documents {successes:?} as success"
        );
        ops.push(Op {
            method: m,
            template,
            path,
            scopes,
            has_body: op.get("requestBody").is_some(),
            success: successes[0],
        });
    }
    assert!(ops.len() >= 40, "only {} API operations found", ops.len());
    ops
}

/// A seeded app with webhook subscription 1, February scored (so the subscription has
/// delivery 1), a key named `victim`, SEL001 blocked, and a config row to read, change and
/// delete (its id returned): every operation has something to succeed on.
async fn granted_app() -> (TestApp, i64) {
    let app = TestApp::seeded().await;
    app.post("/api/webhooks", &webhook_body())
        .await
        .assert_status(201);
    app.post("/api/sos/monthly/calculate", &json!({"period": "2026-02"}))
        .await
        .assert_status(200);
    app.post(
        "/api/keys",
        &json!({"name": "victim", "scopes": ["sync:write"]}),
    )
    .await
    .assert_status(201);
    // SEL001 blocked by its March payments (an invoice 45 days late), so it can be unblocked.
    app.post(
        "/api/sync/payments",
        &json!({"seller_code": "SEL001", "period": "2026-03", "currency": "VND",
            "invoices": [{"invoice_id": "INV045", "days_late": 45, "amount": 2000000}]}),
    )
    .await
    .assert_status(200);
    // Exception 1 (February is not finalized); appeal 1 pending, appeal 2 under review, both
    // filed by the admin key and the second approved by the ops key, so another key may
    // review each.
    app.post(
        "/api/sos/exceptions",
        &json!({"seller_code": "SEL001", "period": "2026-02", "component": "o_score",
            "reason_type": "other", "note": "seeded", "effect": {"type": "exclude"}}),
    )
    .await
    .assert_status(201);
    for component in ["o_score", "t_score"] {
        app.post("/api/sos/appeals", &appeal_body(component))
            .await
            .assert_status(201);
    }
    let ops = app.key(Scope::AppealsReviewOps).to_owned();
    app.request(
        Method::POST,
        "/api/sos/appeals/2/review-ops",
        Some(&ops),
        Some(&json!({"decision": "approve"})),
    )
    .await
    .assert_status(200);
    let (t, body, _, _) = config_examples().remove(0);
    let r = app.post(&format!("/api/config/{t}"), &body).await;
    r.assert_status(201);
    (app, r.json()["id"].as_i64().unwrap())
}

fn appeal_body(component: &str) -> Value {
    json!({"seller_code": "SEL001", "period": "2026-02", "component": component,
        "reason_type": "system_sync_error", "description": "the OMS pushed orders twice"})
}

/// A request `op` can only succeed on: its path with `config_id`, and a valid body.
fn valid_request(op: &Op, config_id: i64) -> (String, Option<Value>) {
    let mut path = op
        .path
        .replace("score-weights/1", &format!("score-weights/{config_id}"));
    if op.template == "/api/webhooks/{id}/replay" {
        path.push_str("?since=2026-01-01T00:00:00Z");
    }
    if op.template == "/api/sos/appeals/{id}/review-am" {
        path = "/api/sos/appeals/2/review-am".to_owned();
    }
    let (t, config, _, _) = config_examples().remove(0);
    let body = match (op.method.as_str(), op.template.as_str()) {
        (_, sync) if sync.starts_with("/api/sync/") => seed_examples()
            .into_iter()
            .find(|(p, _)| *p == sync)
            .map(|(_, b)| b),
        ("POST" | "PUT", "/api/config/{config_type}" | "/api/config/{config_type}/{id}") => {
            assert_eq!(t, "score-weights");
            Some(config)
        }
        ("POST", "/api/sellers") => Some(seller_body("SEL002")),
        ("PUT", "/api/sellers/{seller_code}") => Some(seller_body("SEL001")),
        ("POST", "/api/campaigns") => {
            let mut c = campaign_body();
            c["campaign_code"] = json!("CAMP-NEW");
            Some(c)
        }
        ("PUT", "/api/campaigns/{campaign_code}") => Some(campaign_body()),
        ("POST", "/api/account-managers") => {
            Some(json!({"id": 2, "name": "Tran Thi B", "email": "b.tran@example.com"}))
        }
        ("PUT", "/api/account-managers/{am_id}") => Some(am_body()),
        ("POST", "/api/sos/monthly/calculate") => Some(json!({"period": "2026-02"})),
        ("POST", "/api/sos/preview") => Some(preview_example()),
        ("POST", "/api/keys") => Some(json!({"name": "new-key", "scopes": ["scores:read"]})),
        ("POST", "/api/webhooks") => Some(webhook_body()),
        ("PATCH", "/api/webhooks/{id}") => Some(json!({"is_active": false})),
        ("POST", "/api/sos/exceptions") => Some(json!({"seller_code": "SEL001",
            "period": "2026-02", "component": "t_score", "reason_type": "force_majeure",
            "note": "flood", "effect": {"type": "set_score", "value": 90}})),
        ("POST", "/api/sos/appeals") => Some(appeal_body("i_score")),
        ("POST", "/api/sos/appeals/{id}/review-ops") => Some(json!({"decision": "reject"})),
        ("POST", "/api/sos/appeals/{id}/review-am") => {
            Some(json!({"decision": "partially_approve", "score_adjustment": 90}))
        }
        ("POST", "/api/sellers/{seller_code}/unblock") => {
            Some(json!({"reason": "Paid at the counter"}))
        }
        _ => None,
    };
    assert_eq!(
        body.is_some(),
        op.has_body,
        "{} {}: a valid body is needed exactly when the operation takes one",
        op.method,
        op.template
    );
    (path, body)
}

fn scope_named(name: &str) -> Scope {
    name.parse().unwrap()
}

/// Sends `op` with an `Authorization` header value (or none).
async fn send(app: &TestApp, op: &Op, authorization: Option<&str>) -> Resp {
    app.send(op.method.clone(), &op.path, |mut req| {
        if let Some(a) = authorization {
            req = req.insert_header(("Authorization", a));
        }
        if op.has_body {
            req = req
                .insert_header(("Content-Type", "application/json"))
                .set_payload("{}");
        }
        req
    })
    .await
}

#[track_caller]
fn assert_401(r: &Resp, what: &str) {
    assert_eq!(r.status.as_u16(), 401, "{what}: {}", r.text());
    assert_eq!(
        r.header("www-authenticate").as_deref(),
        Some(CHALLENGE),
        "{what}"
    );
    assert!(!r.error().is_empty());
}

#[actix_web::test]
async fn every_api_operation_refuses_missing_and_bad_credentials() {
    let app = TestApp::seeded().await;
    let valid = app.key(Scope::ScoresRead).to_owned();
    let (prefix_part, _) = valid.rsplit_once('_').unwrap();
    let wrong_secret = format!("{prefix_part}_{}", "f".repeat(64));
    let unknown_prefix = format!("sos_deadbeef_{}", "0".repeat(64));
    // Each is a whole `Authorization` header value.
    let bad_headers = vec![
        String::new(),
        "Bearer".to_owned(),
        "Bearer ".to_owned(),
        "Bearer    ".to_owned(),
        format!("bearer {valid}"),
        format!("Basic {valid}"),
        format!("Token {valid}"),
        valid.clone(),
        format!("Bearer {}", "x".repeat(300)),
        format!("Bearer {wrong_secret}"),
        format!("Bearer {unknown_prefix}"),
        "Bearer not-a-key".to_owned(),
        format!("Bearer {valid}x"),
        format!("Bearer {}", &valid[..valid.len() - 1]),
    ];
    for op in api_operations() {
        let r = send(&app, &op, None).await;
        assert_401(
            &r,
            &format!("{} {} without credentials", op.method, op.path),
        );
        assert!(r.error().contains("Missing credentials"), "{}", r.text());
        for h in &bad_headers {
            let r = send(&app, &op, Some(h)).await;
            assert_401(
                &r,
                &format!("{} {} with Authorization: {h:.40}", op.method, op.path),
            );
        }
    }
}

#[actix_web::test]
async fn a_revoked_key_stops_working_at_once() {
    let app = TestApp::seeded().await;
    let r = app
        .post(
            "/api/keys",
            &json!({"name": "soon-revoked", "scopes": ["admin"]}),
        )
        .await;
    r.assert_status(201);
    let key = r.json()["key"].as_str().unwrap().to_owned();
    let bearer = format!("Bearer {key}");
    let ops = api_operations();
    // It works...
    let read = ops
        .iter()
        .find(|o| o.template == "/api/sellers" && o.method == Method::GET)
        .unwrap();
    send(&app, read, Some(&bearer)).await.assert_status(200);
    // ...until it is revoked.
    let r = app.delete("/api/keys/soon-revoked").await;
    r.assert_status(200);
    assert!(r.json()["revoked_at"].is_string());
    for op in &ops {
        let r = send(&app, op, Some(&bearer)).await;
        assert_401(&r, &format!("{} {} with a revoked key", op.method, op.path));
        assert_eq!(r.error(), "Invalid or revoked API key");
    }
    // Revoking again is harmless; unknown names are 404.
    app.delete("/api/keys/soon-revoked")
        .await
        .assert_status(200);
    let r = app.delete("/api/keys/never-existed").await;
    r.assert_status(404);
    assert_eq!(r.error(), "No API key with that name");
}

#[actix_web::test]
async fn keys_without_the_scope_get_403_naming_it_and_keys_with_it_get_through() {
    let app = TestApp::seeded().await;
    // Keys a DELETE /api/keys/{name} may revoke.
    app.post(
        "/api/keys",
        &json!({"name": "victim", "scopes": ["sync:write"]}),
    )
    .await
    .assert_status(201);
    let mut granted_requests = 0;
    for op in api_operations() {
        assert!(!op.scopes.is_empty());
        for scope in Scope::ALL {
            let granted = op.scopes.iter().any(|s| s == scope.as_str()) || scope == Scope::Admin;
            let key = format!("Bearer {}", app.key(scope));
            let what = format!("{} {} with {}", op.method, op.path, scope.as_str());
            if granted {
                // A fresh app each time, so every write has something to succeed on.
                let (fresh, config_id) = granted_app().await;
                let (path, body) = valid_request(&op, config_id);
                let k = fresh.key(scope).to_owned();
                let r = fresh
                    .request(op.method.clone(), &path, Some(&k), body.as_ref())
                    .await;
                assert_eq!(
                    r.status.as_u16(),
                    op.success,
                    "{what}: granted, but not the documented success: {}",
                    r.text()
                );
                granted_requests += 1;
            } else {
                let r = send(&app, &op, Some(&key)).await;
                assert_eq!(r.status.as_u16(), 403, "{what}: {}", r.text());
                let error = r.error();
                assert!(
                    error.starts_with("This API key lacks the scope"),
                    "{what}: {error}"
                );
                let named = op.scopes.iter().all(|s| error.contains(s.as_str()));
                assert!(named, "{what}: 403 does not name {:?}: {error}", op.scopes);
            }
        }
        // The scopes listed are real scopes.
        for s in &op.scopes {
            scope_named(s);
        }
    }
    println!("auth_matrix: {granted_requests} granted requests, each answered its documented success status");
}

#[actix_web::test]
async fn operations_public_without_credentials() {
    let app = TestApp::new().await;
    for path in [
        "/healthz",
        "/readyz",
        "/openapi.json",
        "/metrics",
        "/docs/",
        "/docs/swagger-initializer.js",
    ] {
        let r = app.request(Method::GET, path, None, None).await;
        r.assert_status(200);
        assert!(r.header("www-authenticate").is_none());
    }
    app.request(Method::GET, "/docs", None, None)
        .await
        .assert_status(308);
}

#[actix_web::test]
async fn credentials_are_checked_before_the_body() {
    let app = TestApp::new().await;
    // Unauthenticated garbage is a 401, not a 400/415: nothing is read before the key is checked.
    let r = app
        .send(Method::POST, "/api/sync/orders", |req| {
            req.insert_header(("Content-Type", "text/plain"))
                .set_payload("{{{")
        })
        .await;
    assert_401(&r, "unauthenticated garbage");
    let r = app
        .send(Method::POST, "/api/sync/orders", |req| {
            req.insert_header(("Authorization", format!("Bearer {}", fixed_key(4))))
                .insert_header(("Content-Type", "text/plain"))
                .set_payload("{{{")
        })
        .await;
    // fixed_key(4) is config:write's key: the scope is checked before the body as well.
    r.assert_status(403);
}

#[actix_web::test]
async fn keys_api_creates_lists_and_revokes() {
    let app = TestApp::new().await;
    let r = app
        .post(
            "/api/keys",
            &json!({"name": "oms-prod", "scopes": ["sync:write", "master:read"]}),
        )
        .await;
    r.assert_status(201);
    let created = r.json();
    let key = created["key"].as_str().unwrap().to_owned();
    let parts: Vec<&str> = key.split('_').collect();
    assert_eq!(parts.len(), 3, "{key}");
    assert_eq!(parts[0], "sos");
    assert_eq!(parts[1].len(), 8);
    assert_eq!(parts[2].len(), 64, "a 256-bit secret is 64 hex digits");
    assert!(parts[1..]
        .iter()
        .all(|p| p.chars().all(|c| c.is_ascii_hexdigit())));
    assert_eq!(created["name"], "oms-prod");
    assert_eq!(created["prefix"], parts[1]);
    assert_eq!(created["scopes"], json!(["sync:write", "master:read"]));
    assert_eq!(created["revoked_at"], Value::Null);
    assert!(created.get("key_hash").is_none());
    // A second key differs entirely.
    let other = app
        .post(
            "/api/keys",
            &json!({"name": "oms-staging", "scopes": ["sync:write"]}),
        )
        .await
        .json();
    let other_key = other["key"].as_str().unwrap();
    assert_ne!(other_key, key);
    assert_ne!(other_key.split('_').nth(2), Some(parts[2]));

    // It works at once, for its scopes only.
    let bearer = Some(key.as_str());
    app.request(Method::GET, "/api/sellers", bearer, None)
        .await
        .assert_status(200);
    app.request(Method::GET, "/api/config/tiers", bearer, None)
        .await
        .assert_status(403);
    app.request(Method::GET, "/api/keys", bearer, None)
        .await
        .assert_status(403);

    // The list never shows a secret or a hash.
    let list = app.get("/api/keys").await;
    list.assert_status(200);
    let text = list.text();
    assert!(
        !text.contains(&key) && !text.contains(parts[2]),
        "the list shows a secret"
    );
    assert!(!text.contains(&hash_key(&key)), "the list shows a hash");
    assert!(!text.contains(ADMIN_KEY) && !text.contains(&hash_key(ADMIN_KEY)));
    assert!(!text.contains("key_hash") && !text.contains("\"key\""));
    let rows = list.json();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "oms-prod")
        .unwrap()
        .clone();
    assert_eq!(row["prefix"], parts[1]);
    assert_eq!(row["scopes"], json!(["sync:write", "master:read"]));
    assert!(row["last_used_at"].is_string(), "used once above: {row}");
    let names: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    for n in [
        ADMIN_NAME,
        "oms-prod",
        "oms-staging",
        "key-sync-write",
        "key-admin",
    ] {
        assert!(names.contains(&n), "{n} not listed");
    }

    // Revoke: stops at once, and shows as revoked.
    let r = app.delete("/api/keys/oms-prod").await;
    r.assert_status(200);
    assert_eq!(r.json()["name"], "oms-prod");
    assert!(r.json()["revoked_at"].is_string());
    assert!(!r.text().contains(&key));
    assert_401(
        &app.request(Method::GET, "/api/sellers", bearer, None).await,
        "revoked key",
    );
    let rows = app.get("/api/keys").await.json();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "oms-prod")
        .unwrap();
    assert!(row["revoked_at"].is_string());
    // The other key is unaffected.
    app.request(
        Method::POST,
        "/api/sync/orders",
        Some(other_key),
        Some(&json!({})),
    )
    .await
    .assert_status(400);
}

#[actix_web::test]
async fn keys_api_validates_its_input() {
    let app = TestApp::new().await;
    app.post("/api/keys", &json!({"name": "dup", "scopes": ["admin"]}))
        .await
        .assert_status(201);
    let r = app
        .post("/api/keys", &json!({"name": "dup", "scopes": ["admin"]}))
        .await;
    r.assert_status(409);
    let cases = [
        (json!({"name": "x", "scopes": ["sync:read"]}), "scopes[0]"),
        (json!({"name": "x", "scopes": []}), "scopes"),
        (
            json!({"name": "x", "scopes": ["admin", "admin"]}),
            "scopes[1]",
        ),
        (json!({"name": "", "scopes": ["admin"]}), "name"),
        (json!({"name": "n".repeat(65), "scopes": ["admin"]}), "name"),
        (json!({"name": "x\u{0}y", "scopes": ["admin"]}), "name"),
        (json!({"scopes": ["admin"]}), "name"),
        (json!({"name": "x"}), "scopes"),
        (
            json!({"name": "x", "scopes": ["admin"], "expires": "never"}),
            "body",
        ),
    ];
    for (body, field) in cases {
        let r = app.post("/api/keys", &body).await;
        r.assert_status(400);
        let details = r.json()["details"].clone();
        let named = details
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["field"] == field)
            || r.error().contains("expires");
        assert!(named, "{body}: {}", r.text());
    }
    app.post_raw("/api/keys", Some("text/plain"), "name=x")
        .await
        .assert_status(415);
    // Only admin keys manage keys.
    for scope in Scope::ALL.into_iter().filter(|s| *s != Scope::Admin) {
        let r = app
            .request(
                Method::POST,
                "/api/keys",
                Some(app.key(scope)),
                Some(&json!({"name": "y", "scopes": ["admin"]})),
            )
            .await;
        r.assert_status(403);
        assert_eq!(r.error(), "This API key lacks the scope admin");
    }
}

async fn audit(app: &TestApp, entity: &str, id: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/audit?entity={}&id={}", enc(entity), enc(id)))
        .await;
    r.assert_status(200);
    r.json().as_array().unwrap().clone()
}

#[actix_web::test]
async fn config_writes_are_audited_with_the_key_name() {
    let app = TestApp::new().await;
    let writer = app.key(Scope::ConfigWrite).to_owned();
    let body =
        json!({"score_component": "o_score", "weight_pct": 20, "effective_from": "2027-01-01"});
    let row = app
        .request(
            Method::POST,
            "/api/config/score-weights",
            Some(&writer),
            Some(&body),
        )
        .await
        .json();
    let id = row["id"].to_string();
    assert_eq!(row["created_by"], "key-config-write");
    let mut changed = body.clone();
    changed["weight_pct"] = json!(22);
    let updated = app
        .put(&format!("/api/config/score-weights/{id}"), &changed)
        .await
        .json();
    assert_eq!(updated["updated_by"], ADMIN_NAME);
    assert_eq!(updated["created_by"], "key-config-write");
    app.request(
        Method::DELETE,
        &format!("/api/config/score-weights/{id}"),
        Some(&writer),
        None,
    )
    .await
    .assert_status(200);

    let entries = audit(&app, "config:score-weights", &id).await;
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec!["deactivate", "update", "create"],
        "newest first"
    );
    let actors: Vec<&str> = entries
        .iter()
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert_eq!(
        actors,
        vec!["key-config-write", ADMIN_NAME, "key-config-write"]
    );
    for e in &entries {
        assert_eq!(e["entity"], "config:score-weights");
        assert_eq!(e["entity_id"], id.as_str());
    }
    let create = &entries[2];
    assert_eq!(create["old_value"], Value::Null);
    assert_num(&create["new_value"]["weight_pct"], 20.0);
    let update = &entries[1];
    assert_num(&update["old_value"]["weight_pct"], 20.0);
    assert_num(&update["new_value"]["weight_pct"], 22.0);
    let deactivate = &entries[0];
    assert_eq!(deactivate["old_value"]["is_active"], json!(true));
    assert_eq!(deactivate["new_value"]["is_active"], json!(false));
    // config:read may read the audit log; other scopes may not.
    let r = app
        .request(
            Method::GET,
            "/api/audit?entity=config:score-weights",
            Some(app.key(Scope::ConfigRead)),
            None,
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.json().as_array().unwrap().len(), 3);
    let r = app
        .request(
            Method::GET,
            "/api/audit",
            Some(app.key(Scope::MasterRead)),
            None,
        )
        .await;
    r.assert_status(403);
    assert_eq!(
        r.error(),
        "This API key lacks the scope admin or config:read"
    );
    // limit
    assert_eq!(
        app.get("/api/audit?limit=1")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    for bad in ["limit=0", "limit=1001", "limit=x", "who=me"] {
        app.get(&format!("/api/audit?{bad}"))
            .await
            .assert_status(400);
    }
}

#[actix_web::test]
async fn master_writes_are_audited_with_the_key_name() {
    let app = TestApp::new().await;
    let writer = app.key(Scope::MasterWrite).to_owned();
    app.request(
        Method::POST,
        "/api/account-managers",
        Some(&writer),
        Some(&am_body()),
    )
    .await
    .assert_status(201);
    let created = app
        .request(
            Method::POST,
            "/api/sellers",
            Some(&writer),
            Some(&seller_body("SEL001")),
        )
        .await
        .json();
    assert_eq!(created["created_by"], "key-master-write");
    let mut changed = seller_body("SEL001");
    changed["company_name"] = json!("Acme Two");
    let updated = app.put("/api/sellers/SEL001", &changed).await.json();
    assert_eq!(updated["updated_by"], ADMIN_NAME);
    assert_eq!(updated["created_by"], "key-master-write");
    app.request(Method::DELETE, "/api/sellers/SEL001", Some(&writer), None)
        .await
        .assert_status(200);
    let entries = audit(&app, "seller", "SEL001").await;
    let summary: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("deactivate", "key-master-write"),
            ("update", ADMIN_NAME),
            ("create", "key-master-write")
        ]
    );
    assert_eq!(entries[1]["old_value"]["company_name"], "Acme Cosmetics");
    assert_eq!(entries[1]["new_value"]["company_name"], "Acme Two");
    assert_eq!(entries[0]["old_value"]["status"], "active");
    assert_eq!(entries[0]["new_value"]["status"], "terminated");
    assert_eq!(entries[2]["new_value"]["created_by"], "key-master-write");

    app.request(
        Method::POST,
        "/api/campaigns",
        Some(&writer),
        Some(&campaign_body()),
    )
    .await
    .assert_status(201);
    app.delete("/api/campaigns/CAMP-2026-02")
        .await
        .assert_status(200);
    let entries = audit(&app, "campaign", "CAMP-2026-02").await;
    let summary: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        vec![("deactivate", ADMIN_NAME), ("create", "key-master-write")]
    );
    assert_eq!(entries[0]["new_value"]["is_active"], json!(false));

    app.put("/api/account-managers/1", &json!({"name": "Renamed"}))
        .await
        .assert_status(200);
    let entries = audit(&app, "account_manager", "1").await;
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["update", "create"]);
    assert_eq!(entries[0]["old_value"]["name"], "Nguyen Van A");
    assert_eq!(entries[0]["new_value"]["name"], "Renamed");
    // Filtering by entity only, and by an id nobody wrote.
    let all_sellers = app.get("/api/audit?entity=seller").await.json();
    assert!(all_sellers
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["entity"] == "seller"));
    assert_eq!(audit(&app, "seller", "SEL999").await, Vec::<Value>::new());
}

#[actix_web::test]
async fn helpdesk_secrets_are_masked_in_the_audit_log() {
    let app = TestApp::new().await;
    let row = app
        .post("/api/config/helpdesk", &helpdesk_example())
        .await
        .json();
    let id = row["id"].to_string();
    let mut rotated = helpdesk_example();
    rotated["api_key"] = json!("rotated-key-in-audit");
    app.put(&format!("/api/config/helpdesk/{id}"), &rotated)
        .await
        .assert_status(200);
    app.delete(&format!("/api/config/helpdesk/{id}"))
        .await
        .assert_status(200);
    let r = app
        .get(&format!("/api/audit?entity=config:helpdesk&id={id}"))
        .await;
    r.assert_status(200);
    let text = r.text();
    for secret in [HELPDESK_KEY, HELPDESK_SECRET, "rotated-key-in-audit"] {
        assert!(!text.contains(secret), "secret in the audit log: {text}");
    }
    let entries = r.json();
    assert_eq!(entries.as_array().unwrap().len(), 3);
    for e in entries.as_array().unwrap() {
        for v in ["old_value", "new_value"] {
            if !e[v].is_null() {
                assert_eq!(e[v]["api_key"], "********");
                assert_eq!(e[v]["api_secret"], "********");
            }
        }
    }
}
