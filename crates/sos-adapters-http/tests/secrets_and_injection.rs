//! (a) Helpdesk secrets never come back in a response; (b) neither they nor API keys reach
//! the logs; (c) SQL-shaped text is stored and returned verbatim, and NUL characters are a
//! 400, never a 500. (c) runs over the in-memory adapters and over a real PostgreSQL database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::http::Method;
use common::*;
use serde_json::{json, Value};
use sos_adapters_http::auth::hash_key;
use sos_ports::Scope;
use std::{
    io::Write,
    sync::{Arc, Mutex, OnceLock},
};
use tracing_subscriber::{fmt::MakeWriter, util::SubscriberInitExt};

/// Every log line of this test binary.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for LogBuffer {
    type Writer = LogBuffer;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl LogBuffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Installs the capturing subscriber (every level, every target) once for the process.
fn logs() -> &'static LogBuffer {
    static LOGS: OnceLock<LogBuffer> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = LogBuffer::default();
        tracing_subscriber::fmt()
            .with_writer(buffer.clone())
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .finish()
            .try_init()
            .expect("the capturing subscriber is the first one");
        buffer
    })
}

/// Every helpdesk route, with secrets in the body, returning every response body.
async fn exercise_helpdesk(app: &TestApp) -> Vec<(String, Resp)> {
    let mut seen = Vec::new();
    let r = app.post("/api/config/helpdesk", &helpdesk_example()).await;
    r.assert_status(201);
    let id = r.json()["id"].as_i64().unwrap();
    seen.push(("create".to_owned(), r));
    let path = format!("/api/config/helpdesk/{id}");
    seen.push(("get".to_owned(), app.get(&path).await));
    seen.push((
        "get with config:read".to_owned(),
        app.request(Method::GET, &path, Some(app.key(Scope::ConfigRead)), None)
            .await,
    ));
    seen.push(("list".to_owned(), app.get("/api/config/helpdesk").await));
    seen.push((
        "list all".to_owned(),
        app.get("/api/config/helpdesk?include_inactive=true").await,
    ));
    seen.push((
        "list effective".to_owned(),
        app.get("/api/config/helpdesk?effective_on=2026-02-01")
            .await,
    ));
    let mut update = helpdesk_example();
    update["helpdesk_url"] = json!("https://help2.example.vn");
    seen.push(("update".to_owned(), app.put(&path, &update).await));
    // Refused writes carrying the secrets must not echo them.
    let mut invalid = helpdesk_example();
    invalid["sync_method"] = json!("fax");
    seen.push((
        "invalid create".to_owned(),
        app.post("/api/config/helpdesk", &invalid).await,
    ));
    seen.push(("invalid update".to_owned(), app.put(&path, &invalid).await));
    let mut wrong_type = helpdesk_example();
    wrong_type["api_key"] = json!([HELPDESK_KEY]);
    seen.push((
        "mistyped create".to_owned(),
        app.post("/api/config/helpdesk", &wrong_type).await,
    ));
    let mut unknown = helpdesk_example();
    unknown["api_token"] = json!(HELPDESK_KEY);
    seen.push((
        "unknown field".to_owned(),
        app.post("/api/config/helpdesk", &unknown).await,
    ));
    let mut control = helpdesk_example();
    control["api_secret"] = json!(format!("{HELPDESK_SECRET}\u{7}"));
    seen.push((
        "control char".to_owned(),
        app.post("/api/config/helpdesk", &control).await,
    ));
    seen.push(("delete".to_owned(), app.delete(&path).await));
    seen.push(("get deleted".to_owned(), app.get(&path).await));
    seen.push((
        "audit".to_owned(),
        app.get(&format!("/api/audit?entity=config:helpdesk&id={id}"))
            .await,
    ));
    seen.push(("audit all".to_owned(), app.get("/api/audit").await));
    // A secret in a query string is not reflected either.
    seen.push((
        "query".to_owned(),
        app.get(&format!(
            "/api/audit?entity=config:helpdesk&id={}",
            enc(HELPDESK_SECRET)
        ))
        .await,
    ));
    seen
}

#[actix_web::test]
async fn helpdesk_secrets_never_appear_in_a_response() {
    logs();
    let app = TestApp::new().await;
    for (what, r) in exercise_helpdesk(&app).await {
        assert_ne!(r.status.as_u16(), 500, "{what}");
        for secret in [HELPDESK_KEY, HELPDESK_SECRET] {
            let raw = &r.body[..];
            assert!(
                !raw.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{what}: the response carries a helpdesk secret: {}",
                r.text()
            );
            for (name, value) in &r.headers {
                assert!(
                    !value.to_str().unwrap_or("").contains(secret),
                    "{what}: header {name} carries a secret"
                );
            }
        }
    }
}

#[actix_web::test]
async fn neither_keys_nor_secrets_reach_the_logs() {
    let logs = logs();
    let app = TestApp::seeded().await;
    let created = app
        .post(
            "/api/keys",
            &json!({"name": "log-probe", "scopes": ["admin"]}),
        )
        .await
        .json();
    let created_key = created["key"].as_str().unwrap().to_owned();
    exercise_helpdesk(&app).await;
    // Every scope's key in use, on success and on refusal; bad and revoked keys too.
    for scope in Scope::ALL {
        app.request(
            Method::GET,
            "/api/config/helpdesk",
            Some(app.key(scope)),
            None,
        )
        .await;
        app.request(
            Method::POST,
            "/api/sync/orders",
            Some(app.key(scope)),
            Some(&orders_example()),
        )
        .await;
    }
    app.request(Method::GET, "/api/sellers", Some(&created_key), None)
        .await
        .assert_status(200);
    app.delete("/api/keys/log-probe").await.assert_status(200);
    app.request(Method::GET, "/api/sellers", Some(&created_key), None)
        .await
        .assert_status(401);
    app.request(
        Method::GET,
        "/api/sellers",
        Some("sos_00000000_not-valid"),
        None,
    )
    .await
    .assert_status(401);
    app.post("/api/sos/monthly/calculate", &json!({"period": "2026-02"}))
        .await
        .assert_status(200);

    let text = logs.text();
    assert!(
        text.contains("/api/config/helpdesk"),
        "nothing was captured: {text:.500}"
    );
    assert!(
        text.lines()
            .any(|l| l.contains("request") && l.contains("status=201")),
        "no access log lines: {text:.500}"
    );
    let mut forbidden: Vec<String> = vec![
        HELPDESK_KEY.to_owned(),
        HELPDESK_SECRET.to_owned(),
        ADMIN_KEY.to_owned(),
        hash_key(ADMIN_KEY),
    ];
    forbidden.push(created_key.clone());
    forbidden.push(created_key.rsplit('_').next().unwrap().to_owned());
    forbidden.push(hash_key(&created_key));
    for key in app.keys.values() {
        forbidden.push(key.clone());
        forbidden.push(key.rsplit('_').next().unwrap().to_owned());
        forbidden.push(hash_key(key));
    }
    for line in text.lines() {
        assert!(
            !line.contains("Bearer "),
            "an Authorization header was logged: {line}"
        );
        for f in &forbidden {
            assert!(!line.contains(f.as_str()), "a secret was logged: {line}");
        }
    }
}

const SHAPES: [&str; 4] = ["'; DROP TABLE seller;--", "\" OR 1=1 --", "$$", "\\"];

fn shaped(i: usize, what: &str) -> String {
    format!("{what} {}", SHAPES[i])
}

async fn sql_shaped_text_is_stored_and_returned_verbatim(store: Store) {
    logs();
    let app = TestApp::on(store).await;
    app.post("/api/account-managers", &am_body())
        .await
        .assert_status(201);
    for (i, shape) in SHAPES.iter().enumerate() {
        let code = *shape;
        let path_code = enc(code);
        // Account manager: free text name, and an e-mail whose local part holds the shape.
        let am_id = i64::try_from(i).unwrap() + 10;
        let email = format!("{}@example.com", shape.replace(' ', ""));
        let am = json!({"id": am_id, "name": shaped(i, "AM"), "email": email});
        let r = app.post("/api/account-managers", &am).await;
        r.assert_status(201);
        assert_eq!(r.json()["name"], shaped(i, "AM"));
        assert_eq!(r.json()["email"], email);
        assert_eq!(
            app.get(&format!("/api/account-managers/{am_id}"))
                .await
                .json()["email"],
            email
        );

        // Seller: the code itself and every free-text field.
        let seller = json!({"seller_code": code, "company_name": shaped(i, "Company"), "contract_type": shaped(i, "B2C"), "country_code": "VN", "warehouse_id": shaped(i, "WH"), "onboarded_at": "2024-01-01", "am_id": am_id});
        let r = app.post("/api/sellers", &seller).await;
        r.assert_status(201);
        let got = app.get(&format!("/api/sellers/{path_code}")).await;
        got.assert_status(200);
        let got = got.json();
        for f in [
            "seller_code",
            "company_name",
            "contract_type",
            "warehouse_id",
        ] {
            assert_eq!(got[f], seller[f], "{f} of {code}");
        }
        let mut changed = seller.clone();
        changed["company_name"] = json!(shaped(i, "Renamed"));
        let r = app
            .put(&format!("/api/sellers/{path_code}"), &changed)
            .await;
        r.assert_status(200);
        assert_eq!(r.json()["company_name"], shaped(i, "Renamed"));

        // Campaign.
        let campaign_code = format!("C{i}{shape}");
        let campaign = json!({"campaign_code": campaign_code, "name": shaped(i, "Campaign"), "campaign_type": "major_campaign", "start_date": "2026-02-14", "end_date": "2026-02-15"});
        app.post("/api/campaigns", &campaign)
            .await
            .assert_status(201);
        let got = app
            .get(&format!("/api/campaigns/{}", enc(&campaign_code)))
            .await
            .json();
        assert_eq!(got["campaign_code"], campaign_code);
        assert_eq!(got["name"], shaped(i, "Campaign"));

        // Sync: the shaped seller and campaign codes, notes, breakdown keys, invoice and order ids.
        let mut orders = orders_example();
        orders["seller_code"] = json!(code);
        app.post("/api/sync/orders", &orders)
            .await
            .assert_status(200);
        let mut forecast = forecast_example();
        forecast["seller_code"] = json!(code);
        forecast["campaign_code"] = json!(campaign_code);
        forecast["notes"] = json!(shaped(i, "Notes"));
        forecast["forecasted_sku_breakdown"] = json!({shape.to_owned(): 5000});
        app.post("/api/sync/forecasts", &forecast)
            .await
            .assert_status(200);
        let mut actual = actuals_example();
        actual["seller_code"] = json!(code);
        actual["campaign_code"] = json!(campaign_code);
        actual["actual_sku_breakdown"] = json!({"SKU": shape});
        app.post("/api/sync/campaign-actuals", &actual)
            .await
            .assert_status(200);
        let mut tickets = tickets_example();
        tickets["seller_code"] = json!(code);
        app.post("/api/sync/tickets", &tickets)
            .await
            .assert_status(200);
        let mut payments = payments_format_b_example();
        payments["seller_code"] = json!(code);
        payments["invoices"][0]["invoice_id"] = json!(shape);
        app.post("/api/sync/payments", &payments)
            .await
            .assert_status(200);
        let mut inventory = inventory_example();
        inventory["seller_code"] = json!(code);
        app.post("/api/sync/inventory", &inventory)
            .await
            .assert_status(200);
        let raw = json!({"seller_code": code, "orders": [{"order_id": shape, "created_at": "2026-03-02T10:00:00Z", "pushed_at": "2026-03-02T10:05:00Z", "status": "pushed"}]});
        app.post("/api/sync/orders", &raw).await.assert_status(200);
    }
    // Search with the shapes finds exactly the matching rows, never everything.
    for (i, shape) in SHAPES.iter().enumerate() {
        let r = app
            .get(&format!("/api/sellers?search={}&limit=100", enc(shape)))
            .await;
        r.assert_status(200);
        let items = r.json()["items"].as_array().unwrap().clone();
        assert!(
            items.iter().any(|s| s["seller_code"] == *shape),
            "search {shape}: {items:?}"
        );
        assert!(
            items.len() <= 2,
            "search {shape} matched too much: {items:?}"
        );
        let r = app
            .get(&format!(
                "/api/sellers?warehouse_id={}",
                enc(&shaped(i, "WH"))
            ))
            .await;
        assert_eq!(r.json()["total"], json!(1), "warehouse filter {shape}");
    }
    assert_eq!(
        app.get("/api/sellers?status=all").await.json()["total"],
        json!(4)
    );
    // Scoring them works and keeps the codes verbatim.
    let run = app
        .post(
            "/api/sos/monthly/calculate",
            &json!({"period": "2026-02", "seller_codes": SHAPES}),
        )
        .await;
    run.assert_status(200);
    assert_eq!(run.json()["sellers_scored"], json!(4));
    assert_eq!(run.json()["seller_codes"], json!(SHAPES));
    for shape in SHAPES {
        let r = app
            .get(&format!("/api/sos/sellers/{}/scores/2026-02", enc(shape)))
            .await;
        r.assert_status(200);
        let s = r.json();
        assert_eq!(s["seller_code"], shape);
        let campaigns = s["components"]["p_score"]["explanation"]["campaigns"]
            .as_array()
            .unwrap()
            .clone();
        assert!(
            campaigns
                .iter()
                .any(|c| c["campaign_code"].as_str().unwrap().ends_with(shape)),
            "{campaigns:?}"
        );
        let history = app
            .get(&format!("/api/sos/sellers/{}/scores", enc(shape)))
            .await
            .json();
        assert_eq!(history[0]["seller_code"], shape);
        let audit = app
            .get(&format!("/api/audit?entity=seller&id={}", enc(shape)))
            .await
            .json();
        assert_eq!(audit.as_array().unwrap().len(), 2, "{audit}");
        assert_eq!(audit[0]["entity_id"], shape);
    }
    // The original AM's data is intact.
    assert_eq!(
        app.get("/api/account-managers/1").await.json()["name"],
        "Nguyen Van A"
    );
}

async fn sql_shaped_text_in_config_is_stored_verbatim(store: Store) {
    logs();
    let app = TestApp::on(store).await;
    for (i, shape) in SHAPES.iter().enumerate() {
        let bodies: Vec<(&str, Value, Vec<&str>)> = vec![
            (
                "tiers",
                json!({"tier_name": format!("T{i}{shape}"), "tier_order": 9, "min_sos_score": 0, "max_sos_score": 1, "benefits": shaped(i, "Benefits"), "restrictions": shaped(i, "Restrictions"), "effective_from": "2030-01-01"}),
                vec!["tier_name", "benefits", "restrictions"],
            ),
            (
                "surcharge",
                json!({"surcharge_type": shaped(i, "storage"), "trigger_condition": {"metric": "tier", "op": "==", "value": format!("T{i}{shape}")}, "action": {"type": "percent_fee", "fee": shaped(i, "fee"), "pct": 5}, "description": shaped(i, "Description"), "effective_from": "2030-01-01"}),
                vec![
                    "surcharge_type",
                    "trigger_condition",
                    "action",
                    "description",
                ],
            ),
            (
                "am-bonus-penalty",
                json!({"sos_delta_min": 50, "bonus_or_penalty_amount": 1, "description": shaped(i, "Bonus"), "effective_from": "2030-01-01"}),
                vec!["description"],
            ),
            (
                "helpdesk",
                json!({"country_code": "VN", "helpdesk_url": "https://help.example.vn/x", "api_key": shaped(i, "key"), "api_secret": shaped(i, "secret"), "seller_field_mapping": {shape.to_owned(): shape}}),
                vec!["seller_field_mapping"],
            ),
        ];
        for (t, body, check) in bodies {
            let r = app.post(&format!("/api/config/{t}"), &body).await;
            r.assert_status(201);
            let id = r.json()["id"].as_i64().unwrap();
            let got = app.get(&format!("/api/config/{t}/{id}")).await.json();
            for f in check {
                assert_eq!(got[f], body[f], "{t}.{f} with {shape}");
            }
        }
    }
    // Keys with shaped names work and are revocable by name.
    for shape in SHAPES {
        let name = format!("k{shape}");
        let r = app
            .post(
                "/api/keys",
                &json!({"name": name, "scopes": ["master:read"]}),
            )
            .await;
        r.assert_status(201);
        assert_eq!(r.json()["name"], name);
        let key = r.json()["key"].as_str().unwrap().to_owned();
        app.request(Method::GET, "/api/sellers", Some(&key), None)
            .await
            .assert_status(200);
        let r = app.delete(&format!("/api/keys/{}", enc(&name))).await;
        r.assert_status(200);
        assert_eq!(r.json()["name"], name);
        app.request(Method::GET, "/api/sellers", Some(&key), None)
            .await
            .assert_status(401);
    }
    // The default config is untouched.
    assert_eq!(
        app.get("/api/config/tiers?effective_on=2026-02-01")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        5
    );
}

const NUL: &str = "a\u{0}b";

#[track_caller]
fn assert_nul_refused(r: &Resp, what: &str) {
    assert_eq!(r.status.as_u16(), 400, "{what}: {}", r.text());
    assert!(!r.error().is_empty());
}

async fn nul_characters_are_a_400_everywhere(store: Store) {
    logs();
    let app = TestApp::seeded_on(store).await;
    // Master data.
    for field in [
        "seller_code",
        "company_name",
        "contract_type",
        "country_code",
        "warehouse_id",
    ] {
        let mut body = seller_body("SEL050");
        body[field] = json!(NUL);
        assert_nul_refused(
            &app.post("/api/sellers", &body).await,
            &format!("seller {field}"),
        );
        let mut body = seller_body("SEL001");
        body[field] = json!(NUL);
        assert_nul_refused(
            &app.put("/api/sellers/SEL001", &body).await,
            &format!("seller update {field}"),
        );
    }
    for field in ["campaign_code", "name"] {
        let mut body = campaign_body();
        body[field] = json!(NUL);
        assert_nul_refused(
            &app.post("/api/campaigns", &body).await,
            &format!("campaign {field}"),
        );
    }
    for field in ["name", "email"] {
        let mut body = json!({"id": 60, "name": "X", "email": "x@example.com"});
        body[field] = json!(NUL);
        assert_nul_refused(
            &app.post("/api/account-managers", &body).await,
            &format!("am {field}"),
        );
    }
    // Config.
    for (t, body, _, _) in config_examples() {
        for (k, v) in body.as_object().unwrap() {
            if v.is_string() {
                let mut bad = body.clone();
                bad[k] = json!(format!("{}\u{0}", v.as_str().unwrap()));
                assert_nul_refused(
                    &app.post(&format!("/api/config/{t}"), &bad).await,
                    &format!("config {t}.{k}"),
                );
            }
        }
    }
    let nested = [
        (
            "surcharge",
            "/trigger_condition",
            json!({"metric": "tier", "op": "==", "value": NUL}),
        ),
        (
            "surcharge",
            "/action",
            json!({"type": "percent_fee", "fee": NUL, "pct": 5}),
        ),
        (
            "helpdesk",
            "/seller_field_mapping",
            json!({"seller_code": NUL}),
        ),
        ("helpdesk", "/seller_field_mapping", json!({NUL: "x"})),
        ("grace-period", "/apply_to_components", json!([NUL])),
    ];
    for (t, pointer, value) in nested {
        let mut body = config_examples().into_iter().find(|c| c.0 == t).unwrap().1;
        *body.pointer_mut(pointer).unwrap() = value;
        assert_nul_refused(
            &app.post(&format!("/api/config/{t}"), &body).await,
            &format!("config {t}{pointer}"),
        );
    }
    // Unknown field names with NUL.
    let mut body = config_examples()[0].1.clone();
    body[NUL] = json!(1);
    assert_nul_refused(
        &app.post("/api/config/score-weights", &body).await,
        "config key",
    );

    // Sync.
    let sync_cases: Vec<(&str, Value, &str)> = vec![
        ("/api/sync/orders", orders_example(), "/seller_code"),
        ("/api/sync/orders", orders_example(), "/period"),
        ("/api/sync/forecasts", forecast_example(), "/seller_code"),
        ("/api/sync/forecasts", forecast_example(), "/campaign_code"),
        ("/api/sync/forecasts", forecast_example(), "/notes"),
        (
            "/api/sync/forecasts",
            forecast_example(),
            "/forecasted_sku_breakdown/SKU001",
        ),
        (
            "/api/sync/campaign-actuals",
            actuals_example(),
            "/actual_sku_breakdown/SKU001",
        ),
        (
            "/api/sync/campaign-actuals",
            actuals_example(),
            "/campaign_code",
        ),
        ("/api/sync/tickets", tickets_example(), "/period"),
        ("/api/sync/payments", payments_example(), "/currency"),
        (
            "/api/sync/payments",
            payments_format_b_example(),
            "/invoices/0/invoice_id",
        ),
        ("/api/sync/inventory", inventory_example(), "/snapshot_date"),
        ("/api/sync/revenue", revenue_example(), "/period"),
    ];
    for (path, mut body, pointer) in sync_cases {
        *body.pointer_mut(pointer).unwrap() = json!(NUL);
        assert_nul_refused(&app.post(path, &body).await, &format!("{path} {pointer}"));
        assert_nul_refused(
            &app.post(path, &json!([body])).await,
            &format!("{path} [0]{pointer}"),
        );
    }
    let mut keyed = forecast_example();
    keyed["forecasted_sku_breakdown"] = json!({NUL: 1});
    assert_nul_refused(
        &app.post("/api/sync/forecasts", &keyed).await,
        "breakdown key",
    );
    for field in ["order_id", "status"] {
        let mut raw = json!({"seller_code": "SEL001", "orders": [{"order_id": "O-1", "created_at": "2026-03-02T10:00:00Z", "status": "pushed"}]});
        raw["orders"][0][field] = json!(NUL);
        assert_nul_refused(
            &app.post("/api/sync/orders", &raw).await,
            &format!("raw {field}"),
        );
    }

    // Scores, keys.
    assert_nul_refused(
        &app.post(
            "/api/sos/monthly/calculate",
            &json!({"period": "2026-02", "seller_codes": [NUL]}),
        )
        .await,
        "calculate",
    );
    assert_nul_refused(
        &app.post(
            "/api/sos/preview",
            &json!({"period": "2026-02", "previous_tier": NUL}),
        )
        .await,
        "preview",
    );
    assert_nul_refused(
        &app.post("/api/keys", &json!({"name": NUL, "scopes": ["admin"]}))
            .await,
        "key name",
    );

    // NUL in paths and query strings.
    let paths = [
        "/api/sellers/a%00b",
        "/api/campaigns/a%00b",
        "/api/sos/sellers/a%00b/scores",
        "/api/sos/sellers/a%00b/scores/2026-02",
        "/api/sos/monthly/2026-02/scores?tier=a%00b",
        "/api/sellers?search=a%00b",
        "/api/sellers?warehouse_id=a%00b",
        "/api/audit?entity=a%00b",
        "/api/audit?id=a%00b",
        "/api/sos/runs?period=a%00b",
        "/api/config/a%00b",
    ];
    for path in paths {
        let r = app.get(path).await;
        assert!(
            [400, 404].contains(&r.status.as_u16()),
            "{path}: {}",
            r.text()
        );
        if path.contains('?') {
            assert_nul_refused(&r, path);
        }
    }
    assert_nul_refused(&app.delete("/api/keys/a%00b").await, "revoke");
    // Nothing was written by any of it.
    assert_eq!(
        app.get("/api/sellers?status=all").await.json()["total"],
        json!(1)
    );
    assert_eq!(app.get("/api/campaigns").await.json()["total"], json!(1));
    assert_eq!(app.get("/api/config/helpdesk").await.json(), json!([]));
}

crate::over_both_stores! {
    sql_shaped_text_is_stored_and_returned_verbatim => sql_shaped_text_is_stored_and_returned_verbatim,
    sql_shaped_text_in_config_is_stored_verbatim => sql_shaped_text_in_config_is_stored_verbatim,
    nul_characters_are_a_400_everywhere => nul_characters_are_a_400_everywhere,
}
