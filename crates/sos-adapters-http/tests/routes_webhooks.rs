//! Webhook subscriptions, secrets, deliveries, replays and their metrics, as a subscriber's
//! operator uses them over the API.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::http::Method;
use chrono::{DateTime, TimeDelta, Utc};
use common::*;
use serde_json::{json, Value};
use sos_domain::webhook::EndpointPolicy;
use sos_ports::Scope;

/// The fields of every subscription answer, in no particular order.
const SUBSCRIPTION_FIELDS: [&str; 11] = [
    "id",
    "subscriber",
    "endpoint_url",
    "event_types",
    "is_active",
    "timeout_seconds",
    "max_attempts",
    "disabled_reason",
    "previous_secret_expires_at",
    "created_at",
    "updated_at",
];

fn keys_of(v: &Value) -> Vec<String> {
    let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

fn sorted(fields: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = fields.iter().map(|s| (*s).to_owned()).collect();
    v.sort();
    v
}

/// Asserts `secret` is `whsec_` + standard base64 of exactly 32 bytes (44 characters, one `=`
/// of padding), without trusting the server's own decoder.
#[track_caller]
fn assert_secret_shape(secret: &str) {
    let encoded = secret
        .strip_prefix("whsec_")
        .unwrap_or_else(|| panic!("{secret} does not start with whsec_"));
    assert_eq!(encoded.len(), 44, "{secret}");
    let (data, padding) = encoded.split_at(43);
    assert_eq!(
        padding, "=",
        "{secret}: 32 bytes end in one padding character"
    );
    assert!(
        data.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/'),
        "{secret} is not standard base64"
    );
    // 43 characters carry 258 bits: 32 bytes and two zero bits.
    let last = data.chars().last().unwrap();
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let index = alphabet.find(last).unwrap();
    assert_eq!(index % 4, 0, "{secret}: trailing bits set");
}

/// The fields the 400 details name.
fn named_fields(r: &Resp) -> Vec<String> {
    r.json()["details"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn create(app: &TestApp, body: &Value) -> Value {
    let r = app.post("/api/webhooks", body).await;
    r.assert_status(201);
    r.json()
}

over_both_stores!(subscriptions_are_created_read_changed_and_deleted => crud);

async fn crud(store: Store) {
    let app = TestApp::on(store).await;
    let created = create(&app, &webhook_body()).await;
    let mut expected_fields = SUBSCRIPTION_FIELDS.to_vec();
    expected_fields.push("secret");
    assert_eq!(keys_of(&created), sorted(&expected_fields));
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert_secret_shape(&secret);
    let id = created["id"].as_i64().unwrap();
    assert!(id >= 1);
    // The defaults.
    assert_eq!(created["subscriber"], "oms");
    assert_eq!(created["endpoint_url"], "https://oms.example.com/hooks/sos");
    assert_eq!(created["event_types"], json!(["*"]));
    assert_eq!(created["is_active"], json!(true));
    assert_eq!(created["timeout_seconds"], json!(15));
    assert_eq!(created["max_attempts"], json!(8));
    assert_eq!(created["disabled_reason"], Value::Null);
    assert_eq!(created["previous_secret_expires_at"], Value::Null);
    assert!(created["created_at"]
        .as_str()
        .unwrap()
        .parse::<DateTime<Utc>>()
        .is_ok());
    // A second subscription gets another secret.
    let other = create(
        &app,
        &json!({"subscriber": "billing", "endpoint_url": "https://billing.example.com/in", "event_types": ["seller.surcharge_created"], "is_active": false, "timeout_seconds": 5, "max_attempts": 3}),
    )
    .await;
    assert_ne!(other["secret"], created["secret"]);
    assert_eq!(other["event_types"], json!(["seller.surcharge_created"]));
    assert_eq!(
        (
            &other["is_active"],
            &other["timeout_seconds"],
            &other["max_attempts"]
        ),
        (&json!(false), &json!(5), &json!(3))
    );

    // Reads never show a secret.
    let one = app.get(&format!("/api/webhooks/{id}")).await;
    one.assert_status(200);
    let mut shown = created.clone();
    shown.as_object_mut().unwrap().remove("secret");
    assert_eq!(one.json(), shown);
    let list = app.get("/api/webhooks").await;
    list.assert_status(200);
    let page = list.json();
    assert_eq!(
        (&page["page"], &page["limit"], &page["total"]),
        (&json!(1), &json!(20), &json!(2))
    );
    assert_eq!(page["items"][0], shown);
    let paged = app.get("/api/webhooks?limit=1&page=2").await.json();
    assert_eq!(paged["items"].as_array().unwrap().len(), 1);
    assert_eq!(paged["items"][0]["subscriber"], "billing");
    for text in [one.text(), list.text()] {
        assert!(!text.contains("secret\""), "{text}");
        assert!(!text.contains(&secret[6..]), "a secret is shown: {text}");
    }

    // PATCH changes what it names and keeps the rest.
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/webhooks/{id}"),
            Some(ADMIN_KEY),
            Some(&json!({"event_types": ["seller.tier_changed", "calculation.completed"], "timeout_seconds": 30})),
        )
        .await;
    r.assert_status(200);
    let patched = r.json();
    assert_eq!(keys_of(&patched), sorted(&SUBSCRIPTION_FIELDS));
    assert_eq!(
        patched["event_types"],
        json!(["seller.tier_changed", "calculation.completed"])
    );
    assert_eq!(patched["timeout_seconds"], json!(30));
    assert_eq!(patched["subscriber"], "oms");
    assert_eq!(patched["endpoint_url"], created["endpoint_url"]);
    assert_eq!(patched["max_attempts"], json!(8));
    assert_eq!(patched["created_at"], created["created_at"]);
    let r = app
        .request(
            Method::PATCH,
            &format!("/api/webhooks/{id}"),
            Some(app.key(Scope::WebhooksManage)),
            Some(&json!({"is_active": false, "subscriber": "oms-eu", "endpoint_url": "https://eu.oms.example.com/hooks"})),
        )
        .await;
    r.assert_status(200);
    let patched = r.json();
    assert_eq!(patched["is_active"], json!(false));
    assert_eq!(patched["subscriber"], "oms-eu");
    assert_eq!(patched["endpoint_url"], "https://eu.oms.example.com/hooks");
    assert_eq!(patched["timeout_seconds"], json!(30));
    assert_eq!(
        app.get(&format!("/api/webhooks/{id}")).await.json(),
        patched
    );

    // Every change is audited, and the audit log never holds the secret.
    let r = app
        .get(&format!("/api/audit?entity=webhook_subscription&id={id}"))
        .await;
    r.assert_status(200);
    let entries = r.json();
    let summary: Vec<(&str, &str)> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("update", "key-webhooks-manage"),
            ("update", ADMIN_NAME),
            ("create", ADMIN_NAME)
        ]
    );
    assert!(
        !r.text().contains(&secret[6..]),
        "the audit log shows the secret"
    );

    // DELETE answers 204, and the subscription is gone.
    let r = app.delete(&format!("/api/webhooks/{id}")).await;
    r.assert_status(204);
    assert!(r.body.is_empty(), "{}", r.text());
    let r = app.get(&format!("/api/webhooks/{id}")).await;
    r.assert_status(404);
    assert_eq!(r.error(), format!("Webhook subscription {id} not found"));
    app.delete(&format!("/api/webhooks/{id}"))
        .await
        .assert_status(404);
    assert_eq!(app.get("/api/webhooks").await.json()["total"], json!(1));
    let entries = app
        .get(&format!("/api/audit?entity=webhook_subscription&id={id}"))
        .await
        .json();
    assert_eq!(entries[0]["action"], "delete");
}

#[actix_web::test]
async fn bad_bodies_get_400_naming_the_field_and_write_nothing() {
    let app = TestApp::new().await;
    let with = |field: &str, value: Value| {
        let mut b = webhook_body();
        b[field] = value;
        b
    };
    let cases = vec![
        (
            with("endpoint_url", json!("not a url")),
            "endpoint_url",
            "not a URL",
        ),
        (
            with("endpoint_url", json!("http://oms.example.com/hooks")),
            "endpoint_url",
            "SOS_WEBHOOK_ALLOW_HTTP",
        ),
        (
            with("endpoint_url", json!("ftp://oms.example.com/hooks")),
            "endpoint_url",
            "https://",
        ),
        (
            with("endpoint_url", json!("https://10.1.2.3/hooks")),
            "endpoint_url",
            "private",
        ),
        (
            with("endpoint_url", json!("https://127.0.0.1:9000/hooks")),
            "endpoint_url",
            "loopback",
        ),
        (
            with("endpoint_url", json!("https://169.254.169.254/latest")),
            "endpoint_url",
            "metadata",
        ),
        // The gateway resolves the host: this one stands for a name with a private address.
        (
            with("endpoint_url", json!("https://refused.example.com/hooks")),
            "endpoint_url",
            "private",
        ),
        (
            with("timeout_seconds", json!(31)),
            "timeout_seconds",
            "between 1 and 30",
        ),
        (
            with("timeout_seconds", json!(0)),
            "timeout_seconds",
            "between 1 and 30",
        ),
        (
            with("timeout_seconds", json!("15")),
            "timeout_seconds",
            "invalid type",
        ),
        (
            with("timeout_seconds", json!(1.5)),
            "timeout_seconds",
            "not a number",
        ),
        (
            with("max_attempts", json!(21)),
            "max_attempts",
            "between 1 and 20",
        ),
        (
            with("event_types", json!(["seller.nope"])),
            "event_types[0]",
            "seller.nope",
        ),
        (
            with(
                "event_types",
                json!(["seller.tier_changed", "seller.tier_changed"]),
            ),
            "event_types[1]",
            "twice",
        ),
        (
            with("event_types", json!([])),
            "event_types",
            "at least one",
        ),
        (
            with("event_types", json!(["*", "seller.tier_changed"])),
            "event_types",
            "alone",
        ),
        (
            with("event_types", json!("*")),
            "event_types",
            "invalid type",
        ),
        (with("subscriber", json!(" ")), "subscriber", "empty"),
        (
            with("subscriber", json!("x".repeat(101))),
            "subscriber",
            "100",
        ),
        (with("is_active", json!("yes")), "is_active", "invalid type"),
        (
            json!({"endpoint_url": "https://oms.example.com/"}),
            "subscriber",
            "required",
        ),
        (json!({"subscriber": "oms"}), "endpoint_url", "required"),
        (
            with("secret", json!("whsec_mine")),
            "secret",
            "unknown field `secret`",
        ),
    ];
    for (body, field, words) in &cases {
        let r = app.post("/api/webhooks", body).await;
        r.assert_status(400);
        assert!(
            named_fields(&r).iter().any(|f| f == field),
            "{body}: {field} not named: {}",
            r.text()
        );
        assert!(r.text().contains(words), "{body}: {}", r.text());
    }
    // Several problems at once are all named.
    let r = app
        .post(
            "/api/webhooks",
            &json!({"subscriber": "oms", "endpoint_url": "http://oms.example.com/", "timeout_seconds": 31, "event_types": ["nope"]}),
        )
        .await;
    r.assert_status(400);
    assert_eq!(r.error(), "3 fields are invalid");
    let mut fields = named_fields(&r);
    fields.sort();
    assert_eq!(
        fields,
        ["endpoint_url", "event_types[0]", "timeout_seconds"]
    );
    assert_eq!(app.get("/api/webhooks").await.json()["total"], json!(0));
    app.post_raw("/api/webhooks", Some("text/plain"), "{}")
        .await
        .assert_status(415);

    // PATCH checks the same rules and changes nothing when one fails.
    let id = create(&app, &webhook_body()).await["id"].as_i64().unwrap();
    let path = format!("/api/webhooks/{id}");
    for (body, field) in [
        (json!({"timeout_seconds": 31}), "timeout_seconds"),
        (
            json!({"endpoint_url": "http://oms.example.com/"}),
            "endpoint_url",
        ),
        (
            json!({"endpoint_url": "https://refused.example.com/"}),
            "endpoint_url",
        ),
        (json!({"event_types": []}), "event_types"),
        (
            json!({"max_attempts": 0, "subscriber": "x"}),
            "max_attempts",
        ),
        (json!({"id": 5}), "id"),
    ] {
        let r = app
            .request(Method::PATCH, &path, Some(ADMIN_KEY), Some(&body))
            .await;
        r.assert_status(400);
        assert!(
            named_fields(&r).iter().any(|f| f == field),
            "{body}: {}",
            r.text()
        );
    }
    let stored = app.get(&path).await.json();
    assert_eq!(stored["subscriber"], "oms");
    assert_eq!(stored["timeout_seconds"], json!(15));
}

#[actix_web::test]
async fn the_servers_endpoint_policy_decides_on_http_and_private_hosts() {
    let http = TestApp::with_webhook_policy(EndpointPolicy {
        allow_http: true,
        allow_private: false,
    })
    .await;
    let created = create(
        &http,
        &json!({"subscriber": "oms", "endpoint_url": "http://oms.example.com/hooks"}),
    )
    .await;
    assert_eq!(created["endpoint_url"], "http://oms.example.com/hooks");
    let r = http
        .post(
            "/api/webhooks",
            &json!({"subscriber": "oms", "endpoint_url": "http://192.168.1.10/hooks"}),
        )
        .await;
    r.assert_status(400);
    assert_eq!(named_fields(&r), ["endpoint_url"]);

    let local = TestApp::with_webhook_policy(EndpointPolicy {
        allow_http: true,
        allow_private: true,
    })
    .await;
    let created = create(
        &local,
        &json!({"subscriber": "receiver", "endpoint_url": "http://127.0.0.1:9000/hooks"}),
    )
    .await;
    assert_eq!(created["endpoint_url"], "http://127.0.0.1:9000/hooks");
}

#[actix_web::test]
async fn unknown_ids_are_404_and_bad_ids_400() {
    let app = TestApp::new().await;
    let subscription = "Webhook subscription 999 not found";
    let cases = [
        (Method::GET, "/api/webhooks/999", None, subscription),
        (
            Method::PATCH,
            "/api/webhooks/999",
            Some(json!({"is_active": true})),
            subscription,
        ),
        (Method::DELETE, "/api/webhooks/999", None, subscription),
        (
            Method::POST,
            "/api/webhooks/999/rotate-secret",
            None,
            subscription,
        ),
        (
            Method::GET,
            "/api/webhooks/999/deliveries",
            None,
            subscription,
        ),
        (
            Method::POST,
            "/api/webhooks/999/replay?since=2026-01-01T00:00:00Z",
            None,
            subscription,
        ),
        (
            Method::POST,
            "/api/webhooks/deliveries/999/replay",
            None,
            "Webhook delivery 999 not found",
        ),
    ];
    for (method, path, body, error) in &cases {
        let r = app
            .request(method.clone(), path, Some(ADMIN_KEY), body.as_ref())
            .await;
        r.assert_status(404);
        assert_eq!(r.error(), *error, "{method} {path}");
        for bad in ["0", "-1"] {
            let bad_path = path.replace("999", bad);
            let r = app
                .request(method.clone(), &bad_path, Some(ADMIN_KEY), body.as_ref())
                .await;
            r.assert_status(400);
            assert_eq!(r.error(), "id must be 1 or more", "{method} {bad_path}");
        }
        let r = app
            .request(
                method.clone(),
                &path.replace("999", "abc"),
                Some(ADMIN_KEY),
                body.as_ref(),
            )
            .await;
        r.assert_status(400);
    }
}

#[actix_web::test]
async fn only_keys_with_webhooks_manage_or_admin_get_in() {
    let app = TestApp::new().await;
    for scope in Scope::ALL {
        let r = app
            .request(
                Method::POST,
                "/api/webhooks",
                Some(app.key(scope)),
                Some(&webhook_body()),
            )
            .await;
        if matches!(scope, Scope::WebhooksManage | Scope::Admin) {
            r.assert_status(201);
        } else {
            r.assert_status(403);
            assert_eq!(r.error(), "This API key lacks the scope webhooks:manage");
        }
    }
    // A key made with the scope works too.
    let r = app
        .post(
            "/api/keys",
            &json!({"name": "hooks-admin", "scopes": ["webhooks:manage"]}),
        )
        .await;
    r.assert_status(201);
    assert_eq!(r.json()["scopes"], json!(["webhooks:manage"]));
    let key = r.json()["key"].as_str().unwrap().to_owned();
    app.request(Method::GET, "/api/webhooks", Some(&key), None)
        .await
        .assert_status(200);
    app.request(Method::GET, "/api/sellers", Some(&key), None)
        .await
        .assert_status(403);
}

#[actix_web::test]
async fn rotating_the_secret_shows_a_new_one_once_and_keeps_the_old_for_24_hours() {
    let app = TestApp::new().await;
    let created = create(&app, &webhook_body()).await;
    let id = created["id"].as_i64().unwrap();
    let first = created["secret"].as_str().unwrap().to_owned();
    let before = Utc::now();
    let r = app
        .request(
            Method::POST,
            &format!("/api/webhooks/{id}/rotate-secret"),
            Some(app.key(Scope::WebhooksManage)),
            None,
        )
        .await;
    r.assert_status(200);
    let rotated = r.json();
    let second = rotated["secret"].as_str().unwrap().to_owned();
    assert_secret_shape(&second);
    assert_ne!(second, first);
    let until: DateTime<Utc> = rotated["previous_secret_expires_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let day = TimeDelta::hours(24);
    assert!(
        until >= before + day - TimeDelta::seconds(5) && until <= Utc::now() + day,
        "the old secret signs until {until}"
    );
    assert_eq!(rotated["subscriber"], "oms");
    // Rotating again gives a third secret; reads show none of them.
    let third = app
        .post(&format!("/api/webhooks/{id}/rotate-secret"), &json!({}))
        .await
        .json()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(third != first && third != second);
    let shown = app.get(&format!("/api/webhooks/{id}")).await;
    assert!(shown.json()["previous_secret_expires_at"].is_string());
    let audit = app.get("/api/audit?entity=webhook_subscription").await;
    for s in [&first, &second, &third] {
        assert!(!shown.text().contains(&s[6..]));
        assert!(!audit.text().contains(&s[6..]), "a secret in the audit log");
    }
}

fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {name} in {text}"))
        .parse()
        .unwrap()
}

over_both_stores!(finalizing_queues_deliveries_that_can_be_replayed => deliveries);

async fn deliveries(store: Store) {
    let app = TestApp::seeded_on(store).await;
    let metrics = app
        .request(Method::GET, "/metrics", None, None)
        .await
        .text();
    assert!(
        metrics.contains("# TYPE sos_webhook_deliveries gauge"),
        "{metrics}"
    );
    for status in ["pending", "delivered", "failed"] {
        assert_eq!(
            metric(
                &metrics,
                &format!("sos_webhook_deliveries{{status=\"{status}\"}}")
            ),
            0.0
        );
    }
    assert_eq!(metric(&metrics, "sos_webhook_oldest_pending_seconds"), 0.0);

    let all = create(&app, &webhook_body()).await["id"].as_i64().unwrap();
    let tiers = create(
        &app,
        &json!({"subscriber": "crm", "endpoint_url": "https://crm.example.com/sos", "event_types": ["seller.tier_changed"]}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    app.request(
        Method::POST,
        "/api/sos/monthly/calculate",
        Some(app.key(Scope::ScoresCalculate)),
        Some(&json!({"period": "2026-02"})),
    )
    .await
    .assert_status(200);
    app.request(
        Method::POST,
        "/api/sos/monthly/2026-02/finalize",
        Some(app.key(Scope::ScoresFinalize)),
        None,
    )
    .await
    .assert_status(200);

    let r = app.get(&format!("/api/webhooks/{all}/deliveries")).await;
    r.assert_status(200);
    let page = r.json();
    let items = page["items"].as_array().unwrap().clone();
    assert_eq!(page["total"], json!(items.len()));
    let types: Vec<&str> = items
        .iter()
        .map(|d| d["event_type"].as_str().unwrap())
        .collect();
    assert!(types.contains(&"seller.score_finalized"), "{types:?}");
    assert!(types.contains(&"calculation.completed"), "{types:?}");
    assert_eq!(
        types[0], "seller.score_finalized",
        "newest event first: {types:?}"
    );
    for d in &items {
        assert_eq!(d["status"], "pending", "{d}");
        assert_eq!(d["subscription_id"], json!(all));
        assert_eq!(d["attempts"], json!(0));
        assert_eq!(d["log"], json!([]));
        assert!(d["event_id"].as_str().is_some_and(|e| !e.is_empty()));
        assert!(d["occurred_at"]
            .as_str()
            .unwrap()
            .parse::<DateTime<Utc>>()
            .is_ok());
        assert!(
            d["next_attempt_at"].is_string(),
            "a pending delivery is due: {d}"
        );
        assert_eq!(
            keys_of(d),
            sorted(&[
                "id",
                "subscription_id",
                "event_id",
                "event_type",
                "occurred_at",
                "status",
                "attempts",
                "next_attempt_at",
                "log"
            ])
        );
    }
    let one = app
        .get(&format!("/api/webhooks/{all}/deliveries?limit=1&page=2"))
        .await
        .json();
    assert_eq!(one["items"].as_array().unwrap().len(), 1);
    assert_eq!(one["items"][0], items[1]);
    app.get(&format!("/api/webhooks/{all}/deliveries?limit=501"))
        .await
        .assert_status(400);
    // The other subscription only hears of tier changes, and there was none.
    let other = app
        .get(&format!("/api/webhooks/{tiers}/deliveries"))
        .await
        .json();
    assert!(
        other["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["event_type"] == "seller.tier_changed"),
        "{other}"
    );
    let pending = items.len() + other["items"].as_array().unwrap().len();

    let metrics = app
        .request(Method::GET, "/metrics", None, None)
        .await
        .text();
    assert_eq!(
        metric(&metrics, "sos_webhook_deliveries{status=\"pending\"}"),
        pending as f64
    );
    assert_eq!(
        metric(&metrics, "sos_webhook_deliveries{status=\"delivered\"}"),
        0.0
    );
    assert_eq!(
        metric(&metrics, "sos_webhook_deliveries{status=\"failed\"}"),
        0.0
    );
    assert!(metric(&metrics, "sos_webhook_oldest_pending_seconds") >= 0.0);

    // Replaying one delivery answers 202 with it, due now, under the same event id.
    let delivery = &items[0];
    let r = app
        .request(
            Method::POST,
            &format!("/api/webhooks/deliveries/{}/replay", delivery["id"]),
            Some(app.key(Scope::WebhooksManage)),
            None,
        )
        .await;
    r.assert_status(202);
    let replayed = r.json();
    assert_eq!(replayed["id"], delivery["id"]);
    assert_eq!(replayed["event_id"], delivery["event_id"]);
    assert_eq!(replayed["status"], "pending");
    assert_eq!(replayed["attempts"], json!(0));

    // Replaying everything since an instant counts what is now due.
    let r = app
        .post(
            &format!("/api/webhooks/{all}/replay?since=2000-01-01T00:00:00Z"),
            &json!({}),
        )
        .await;
    r.assert_status(202);
    assert_eq!(r.json(), json!({"deliveries": items.len()}));
    let r = app
        .post(
            &format!("/api/webhooks/{tiers}/replay?since=2000-01-01T00:00:00Z"),
            &json!({}),
        )
        .await;
    r.assert_status(202);
    assert_eq!(
        r.json(),
        json!({"deliveries": other["items"].as_array().unwrap().len()})
    );
    let future =
        (Utc::now() + TimeDelta::days(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let r = app
        .post(
            &format!("/api/webhooks/{all}/replay?since={future}"),
            &json!({}),
        )
        .await;
    r.assert_status(202);
    assert_eq!(r.json(), json!({"deliveries": 0}));
    // `since` is required and must be an RFC 3339 instant.
    for query in [
        "",
        "?since=",
        "?since=yesterday",
        "?since=2026-03-01",
        "?since=2026-03-01T00:00:00+07:00",
    ] {
        let r = app
            .post(&format!("/api/webhooks/{all}/replay{query}"), &json!({}))
            .await;
        r.assert_status(400);
        assert_eq!(named_fields(&r), ["since"], "{query}: {}", r.text());
    }
    let r = app
        .post(
            &format!("/api/webhooks/{all}/replay?since=2026-03-01T00:00:00Z&until=now"),
            &json!({}),
        )
        .await;
    r.assert_status(400);
    assert!(r.error().contains("until"), "{}", r.text());
    // A `+` offset arrives percent-encoded.
    app.post(
        &format!("/api/webhooks/{all}/replay?since=2026-03-01T00:00:00%2B07:00"),
        &json!({}),
    )
    .await
    .assert_status(202);

    // The replays are audited.
    let audit = app.get("/api/audit?entity=webhook_delivery").await.json();
    assert_eq!(audit[0]["action"], "replay");
    assert_eq!(audit[0]["actor"], "key-webhooks-manage");

    // Deleting a subscription takes its deliveries with it.
    app.delete(&format!("/api/webhooks/{all}"))
        .await
        .assert_status(204);
    app.get(&format!("/api/webhooks/{all}/deliveries"))
        .await
        .assert_status(404);
    let metrics = app
        .request(Method::GET, "/metrics", None, None)
        .await
        .text();
    assert_eq!(
        metric(&metrics, "sos_webhook_deliveries{status=\"pending\"}"),
        other["items"].as_array().unwrap().len() as f64
    );
}
