//! The HTTP test harness: the real `app()` over the in-memory adapters or a freshly migrated
//! PostgreSQL database, API keys for every scope, and small helpers to send requests and read
//! answers.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use actix_web::{
    http::{header::HeaderMap, Method, StatusCode},
    test::{self, TestRequest},
    web,
};
use futures_util::future::LocalBoxFuture;
use serde_json::{json, Value};
use sos_adapters_http::{auth::store_key, AppState, Ports};
use sos_adapters_memory::MemoryStore;
use sos_adapters_pg::PgStore;
use sos_domain::webhook::{EndpointPolicy, EndpointUrl};
use sos_pg_local::testing::TestDb;
use sos_ports::{OutboundRequest, Scope, SendReport, WebhookGateway};
use std::{
    collections::HashMap,
    rc::Rc,
    sync::{Arc, OnceLock},
    time::Duration,
};

/// The webhook gateway of the tests: the given endpoint policy, every endpoint accepted unless
/// its URL contains `refused` (standing for a host that resolves to a private address), and
/// nothing ever sent.
#[derive(Debug, Clone, Copy, Default)]
pub struct TestGateway {
    pub policy: EndpointPolicy,
}

impl WebhookGateway for TestGateway {
    fn policy(&self) -> EndpointPolicy {
        self.policy
    }

    fn check_endpoint(&self, url: &EndpointUrl) -> Result<(), String> {
        if url.as_str().contains("refused") {
            Err(sos_domain::webhook::private_refusal("refused.example.com"))
        } else {
            Ok(())
        }
    }

    fn send(&self, _: &OutboundRequest) -> SendReport {
        SendReport {
            status: None,
            retry_after: None,
            body: String::new(),
            error: Some("the test gateway sends nothing".to_owned()),
            duration: Duration::ZERO,
        }
    }
}

/// The admin key's name (recorded as `created_by`).
pub const ADMIN_NAME: &str = "test-admin";
/// The admin key. Not of the `sos_` shape on purpose: operator-chosen keys work too.
pub const ADMIN_KEY: &str =
    "sos_0a0a0a0a_00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// One answer.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: web::Bytes,
}

impl Resp {
    /// The body as JSON; panics with the body text when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.text()))
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The `error` sentence of an error body.
    pub fn error(&self) -> String {
        self.json()["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error in {}", self.text()))
            .to_owned()
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn assert_status(&self, expected: u16) -> &Self {
        assert_eq!(
            self.status.as_u16(),
            expected,
            "unexpected status; body: {}",
            self.text()
        );
        self
    }
}

/// The store an app runs over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Store {
    /// The in-memory adapters: fast, and they store whatever they are given.
    Memory,
    /// A real, freshly migrated PostgreSQL database of its own (`TestDb`).
    Postgres,
}

/// Runs one async test body over each store: `over_both_stores!(name, body_fn)` makes a module
/// `name` with tests `memory` and `postgres`, each calling `body_fn(Store::...)`. Use it as
/// `crate::over_both_stores!`.
#[macro_export]
macro_rules! over_both_stores {
    ($($name:ident => $body:ident),* $(,)?) => {$(
        mod $name {
            #[actix_web::test]
            async fn memory() {
                super::$body($crate::common::Store::Memory).await;
            }
            #[actix_web::test]
            async fn postgres() {
                super::$body($crate::common::Store::Postgres).await;
            }
        }
    )*};
}

type Caller = Rc<dyn Fn(TestRequest) -> LocalBoxFuture<'static, Resp>>;

/// The application under test, with its store and keys.
#[derive(Clone)]
pub struct TestApp {
    call: Caller,
    /// The ports behind the app (to check storage directly when the API has no read).
    pub ports: Ports,
    /// Keys by scope: each holds exactly that scope.
    pub keys: HashMap<Scope, String>,
    /// The store behind `ports`.
    pub store: Store,
    /// The PostgreSQL database, when there is one; dropped (and the database with it) with the
    /// last clone of the app.
    db: Option<Rc<TestDb>>,
}

/// The key name of the single-scope key for `scope`.
pub fn key_name(scope: Scope) -> String {
    format!("key-{}", scope.as_str().replace(':', "-"))
}

/// A key of the `sos_<8 hex>_<64 hex>` shape derived from `n`.
pub fn fixed_key(n: u8) -> String {
    format!(
        "sos_{:08x}_{}",
        0x1000_0000u32 + u32::from(n),
        format!("{n:02x}").repeat(32)
    )
}

impl TestApp {
    /// A fresh app: empty memory store, default config seeded, an admin key and one key per scope.
    pub async fn new() -> Self {
        Self::with_ready(true).await
    }

    /// As [`TestApp::new`], over `store`.
    pub async fn on(store: Store) -> Self {
        Self::build(store, true, EndpointPolicy::default()).await
    }

    /// As [`TestApp::new`], with `/readyz` answering `ready`.
    pub async fn with_ready(ready: bool) -> Self {
        Self::build(Store::Memory, ready, EndpointPolicy::default()).await
    }

    /// As [`TestApp::new`], with webhook endpoints checked under `policy` (the default policy
    /// takes public `https://` endpoints only).
    pub async fn with_webhook_policy(policy: EndpointPolicy) -> Self {
        Self::build(Store::Memory, true, policy).await
    }

    async fn build(store: Store, ready: bool, policy: EndpointPolicy) -> Self {
        let (ports, db): (Ports, _) = match store {
            Store::Memory => (Arc::new(MemoryStore::new()), None),
            Store::Postgres => {
                let db = TestDb::new();
                let pg = PgStore::connect(db.url(), 4).expect("pool");
                (Arc::new(pg), Some(Rc::new(db)))
            }
        };
        let state = AppState::new(
            ports.clone(),
            Arc::new(TestGateway { policy }),
            Arc::new(move || ready),
        );
        state
            .sos
            .seed_default_config()
            .expect("seed default config");
        store_key(&*ports, ADMIN_NAME, ADMIN_KEY, &[Scope::Admin]).expect("admin key");
        let mut keys = HashMap::new();
        for (i, scope) in Scope::ALL.into_iter().enumerate() {
            let key = fixed_key(u8::try_from(i + 1).unwrap());
            store_key(&*ports, &key_name(scope), &key, &[scope]).expect("scoped key");
            keys.insert(scope, key);
        }
        let service =
            Rc::new(test::init_service(sos_adapters_http::app(web::Data::new(state))).await);
        let call: Caller = Rc::new(move |req: TestRequest| {
            let service = service.clone();
            Box::pin(async move {
                let res = test::call_service(&*service, req.to_request()).await;
                let status = res.status();
                let headers = res.headers().clone();
                let body = test::read_body(res).await;
                Resp {
                    status,
                    headers,
                    body,
                }
            })
        });
        Self {
            call,
            ports,
            keys,
            store,
            db,
        }
    }

    /// Every row of every table of the PostgreSQL database as JSON text (`row_to_json`), one per
    /// line; `None` over the memory store. What an accepted write stored, whether or not an
    /// endpoint reads it back.
    pub fn db_dump(&self) -> Option<String> {
        use diesel::{sql_query, sql_types::Text, QueryableByName, RunQueryDsl};
        #[derive(QueryableByName)]
        struct Line {
            #[diesel(sql_type = Text)]
            line: String,
        }
        let db = self.db.as_ref()?;
        let mut conn = db.connect();
        let tables: Vec<Line> = sql_query(
            "SELECT quote_ident(table_name::text) AS line FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
        )
        .load(&mut conn)
        .unwrap();
        let mut out = String::new();
        for t in tables {
            let rows: Vec<Line> = sql_query(format!(
                "SELECT row_to_json(t)::text AS line FROM {} t",
                t.line
            ))
            .load(&mut conn)
            .unwrap();
            for r in rows {
                out.push_str(&t.line);
                out.push(' ');
                out.push_str(&r.line);
                out.push('\n');
            }
        }
        Some(out)
    }

    /// The single-scope key for `scope`.
    pub fn key(&self, scope: Scope) -> &str {
        &self.keys[&scope]
    }

    /// Sends `method uri`, with whatever `build` adds (headers, payload). Every answer of a
    /// documented operation must carry a status its OpenAPI entry documents, and 500 never
    /// happens.
    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        build: impl FnOnce(TestRequest) -> TestRequest,
    ) -> Resp {
        let req = build(TestRequest::default().method(method.clone()).uri(uri));
        let resp = (self.call)(req).await;
        let path = uri.split('?').next().unwrap_or(uri);
        let m = method.as_str().to_ascii_lowercase();
        assert_ne!(
            resp.status.as_u16(),
            500,
            "{method} {uri} answered 500: {}",
            resp.text()
        );
        if let Some((template, documented)) = documented_statuses(&m, path) {
            assert!(
                documented.contains(&resp.status.as_u16().to_string()),
                "{method} {uri} answered {} which {template} does not document ({documented:?}); body: {}",
                resp.status,
                resp.text()
            );
        }
        resp
    }

    /// Sends `method path` with `key` (if any) and a JSON body (if any).
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<&Value>,
    ) -> Resp {
        self.send(method, path, |mut req| {
            if let Some(k) = key {
                req = req.insert_header(("Authorization", format!("Bearer {k}")));
            }
            if let Some(b) = body {
                req = req
                    .insert_header(("Content-Type", "application/json"))
                    .set_payload(serde_json::to_vec(b).unwrap());
            }
            req
        })
        .await
    }

    /// GET with the admin key.
    pub async fn get(&self, path: &str) -> Resp {
        self.request(Method::GET, path, Some(ADMIN_KEY), None).await
    }

    /// POST JSON with the admin key.
    pub async fn post(&self, path: &str, body: &Value) -> Resp {
        self.request(Method::POST, path, Some(ADMIN_KEY), Some(body))
            .await
    }

    /// PUT JSON with the admin key.
    pub async fn put(&self, path: &str, body: &Value) -> Resp {
        self.request(Method::PUT, path, Some(ADMIN_KEY), Some(body))
            .await
    }

    /// DELETE with the admin key.
    pub async fn delete(&self, path: &str) -> Resp {
        self.request(Method::DELETE, path, Some(ADMIN_KEY), None)
            .await
    }

    /// POST raw bytes with a content type, with the admin key.
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: Option<&str>,
        body: impl Into<web::Bytes>,
    ) -> Resp {
        let body = body.into();
        self.send(Method::POST, path, |req| {
            let req = req
                .insert_header(("Authorization", format!("Bearer {ADMIN_KEY}")))
                .set_payload(body);
            match content_type {
                Some(ct) => req.insert_header(("Content-Type", ct)),
                None => req,
            }
        })
        .await
    }

    /// Creates the README's master data: AM 1, seller SEL001 (onboarded 2025-06-01) and
    /// campaign CAMP-2026-02.
    pub async fn seed_master(&self) {
        self.post("/api/account-managers", &am_body())
            .await
            .assert_status(201);
        self.post("/api/sellers", &seller_body("SEL001"))
            .await
            .assert_status(201);
        self.post("/api/campaigns", &campaign_body())
            .await
            .assert_status(201);
    }

    /// Pushes the seed example of every sync kind (the README's quick start).
    pub async fn seed_sync(&self) {
        for (path, body) in seed_examples() {
            let r = self.post(path, &body).await;
            r.assert_status(200);
            assert_eq!(r.json(), json!({"success": true}), "{path}");
        }
    }

    /// Master data plus every seed example.
    pub async fn seeded() -> Self {
        Self::seeded_on(Store::Memory).await
    }

    /// As [`TestApp::seeded`], over `store`.
    pub async fn seeded_on(store: Store) -> Self {
        let app = Self::on(store).await;
        app.seed_master().await;
        app.seed_sync().await;
        app
    }
}

/// The operations of the OpenAPI document: method, path segments, documented statuses.
fn document_operations() -> &'static Vec<(String, String, Vec<String>)> {
    static OPS: OnceLock<Vec<(String, String, Vec<String>)>> = OnceLock::new();
    OPS.get_or_init(|| {
        let doc: Value =
            serde_json::from_str(&sos_adapters_http::openapi::document_json()).unwrap();
        let mut ops = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                if let Some(responses) = op.get("responses").and_then(Value::as_object) {
                    ops.push((
                        method.clone(),
                        path.clone(),
                        responses.keys().cloned().collect(),
                    ));
                }
            }
        }
        ops
    })
}

/// The documented statuses of the operation serving `method path`, if one does.
pub fn documented_statuses(method: &str, path: &str) -> Option<(String, Vec<String>)> {
    let parts: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
    document_operations()
        .iter()
        .find_map(|(m, template, statuses)| {
            let t: Vec<&str> = template.trim_matches('/').split('/').collect();
            let matches = m == method
                && t.len() == parts.len()
                && t.iter()
                    .zip(&parts)
                    .all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p);
            matches.then(|| (template.clone(), statuses.clone()))
        })
}

/// `template` with an example value for each path parameter; `{name}` (an API key's name)
/// becomes `key_name`.
pub fn example_path(template: &str, key_name: &str) -> String {
    let mut path = template.to_owned();
    for (param, example) in [
        ("{config_type}", "score-weights"),
        ("{id}", "1"),
        ("{seller_code}", "SEL001"),
        ("{campaign_code}", "CAMP-2026-02"),
        ("{am_id}", "1"),
        ("{period}", "2026-02"),
        ("{name}", key_name),
    ] {
        path = path.replace(param, example);
    }
    assert!(
        !path.contains('{'),
        "no example for a parameter of {template}"
    );
    path
}

/// Percent-encodes a path segment.
pub fn enc(segment: &str) -> String {
    let mut out = String::new();
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The README's account manager.
pub fn am_body() -> Value {
    json!({"id": 1, "name": "Nguyen Van A", "email": "a.nguyen@example.com"})
}

/// The README's seller, under `code`.
pub fn seller_body(code: &str) -> Value {
    json!({"seller_code": code, "company_name": "Acme Cosmetics", "contract_type": "B2C", "country_code": "VN", "onboarded_at": "2025-06-01", "am_id": 1})
}

/// The README's campaign.
pub fn campaign_body() -> Value {
    json!({"campaign_code": "CAMP-2026-02", "name": "Valentine 2026", "campaign_type": "major_campaign", "start_date": "2026-02-14", "end_date": "2026-02-15"})
}

pub fn orders_example() -> Value {
    json!({"seller_code": "SEL001", "period": "2026-02", "total_orders": 150, "orders_within_30min": 140, "orders_late": 10, "avg_push_time_minutes": 18.5})
}

pub fn forecast_example() -> Value {
    json!({"seller_code": "SEL001", "campaign_code": "CAMP-2026-02", "submitted_at": "2026-01-28T10:00:00Z", "forecasted_order_volume": 5000, "forecasted_sku_breakdown": {"SKU001": 2000, "SKU002": 3000}, "notes": "Valentine sale forecast"})
}

pub fn actuals_example() -> Value {
    json!({"seller_code": "SEL001", "campaign_code": "CAMP-2026-02", "actual_order_volume": 4800, "actual_sku_breakdown": {"SKU001": 1900, "SKU002": 2900}})
}

pub fn tickets_example() -> Value {
    json!({"seller_code": "SEL001", "period": "2026-02", "total_tickets": 25, "avg_response_time_hours": 3.5, "breakdown": {"under_4h": 18, "4h_8h": 4, "8h_16h": 2, "over_16h": 1}})
}

pub fn payments_example() -> Value {
    json!({"seller_code": "SEL001", "period": "2026-02", "total_invoices": 10, "invoices_on_time": 7, "invoices_late_1_7": 2, "invoices_late_7_15": 1, "invoices_late_15_20": 0, "invoices_late_over_20": 0, "worst_days_late": 12, "total_outstanding_amount": 15000000, "currency": "VND"})
}

pub fn payments_format_b_example() -> Value {
    json!({"seller_code": "SEL001", "period": "2026-02", "invoices": [
        {"invoice_id": "INV001", "days_late": 0, "amount": 5000000},
        {"invoice_id": "INV002", "days_late": 5, "amount": 3000000},
        {"invoice_id": "INV003", "days_late": 12, "amount": 7000000}
    ], "currency": "VND"})
}

pub fn inventory_example() -> Value {
    json!({"seller_code": "SEL001", "snapshot_date": "2026-02-28", "total_cbm": 150.5, "total_sku_qty": 12000, "aging_over_90d_cbm": 22.3, "aging_over_90d_sku_qty": 1800, "aging_over_180d_cbm": 5.1, "aging_over_180d_pct": 3.4})
}

pub fn revenue_example() -> Value {
    json!({"am_id": 1, "period": "2026-02", "revenue_target": 500000000, "revenue_actual": 450000000})
}

/// Every sync endpoint with its seed example.
pub fn seed_examples() -> Vec<(&'static str, Value)> {
    vec![
        ("/api/sync/orders", orders_example()),
        ("/api/sync/forecasts", forecast_example()),
        ("/api/sync/campaign-actuals", actuals_example()),
        ("/api/sync/tickets", tickets_example()),
        ("/api/sync/payments", payments_example()),
        ("/api/sync/inventory", inventory_example()),
        ("/api/sync/revenue", revenue_example()),
    ]
}

/// The api.md preview body.
pub fn preview_example() -> Value {
    json!({
        "period": "2026-02",
        "onboarded_at": "2025-06-01",
        "previous_tier": "Silver",
        "orders":    {"total_orders": 150, "orders_within_30min": 140, "orders_late": 10},
        "tickets":   {"total_tickets": 25, "avg_response_time_hours": 3.5, "breakdown": {"under_4h": 18, "4h_8h": 4, "8h_16h": 2, "over_16h": 1}},
        "payments":  {"invoices": [{"invoice_id": "INV001", "days_late": 0, "amount": 5000000}]},
        "inventory": {"snapshot_date": "2026-02-28", "total_cbm": 150.5, "total_sku_qty": 12000, "aging_over_90d_cbm": 22.3, "aging_over_90d_sku_qty": 1800},
        "campaigns": [{"campaign_type": "major_campaign", "start_date": "2026-02-14",
                       "forecasts": [{"submitted_at": "2026-01-28T10:00:00Z", "forecasted_order_volume": 5000}],
                       "actual_order_volume": 4800}]
    })
}

/// A JSON number as f64 (numbers arrive as exact text under `arbitrary_precision`).
pub fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.to_string().parse().unwrap(),
        other => panic!("not a number: {other}"),
    }
}

/// Asserts a JSON number equals `expected` to the cent.
#[track_caller]
pub fn assert_num(v: &Value, expected: f64) {
    let got = num(v);
    assert!(
        (got - expected).abs() < 0.005,
        "expected {expected}, got {got}"
    );
}

/// Scores every seller of 2026-02 and returns SEL001's stored result.
pub async fn calculate_and_read(app: &TestApp) -> Value {
    app.post("/api/sos/monthly/calculate", &json!({"period": "2026-02"}))
        .await
        .assert_status(200);
    let r = app.get("/api/sos/sellers/SEL001/scores/2026-02").await;
    r.assert_status(200);
    r.json()
}

/// A valid body of every config type, and a field to change on update with its new value.
pub fn config_examples() -> Vec<(&'static str, Value, &'static str, Value)> {
    vec![
        (
            "score-weights",
            json!({"score_component": "p_score", "weight_pct": 25, "max_points": 100, "effective_from": "2027-01-01"}),
            "weight_pct",
            json!(30),
        ),
        (
            "tiers",
            json!({"tier_name": "Diamond", "tier_order": 1, "min_sos_score": 95, "max_sos_score": 100, "color_code": "#B9F2FF", "benefits": "Priority slots", "restrictions": "None", "effective_from": "2027-01-01"}),
            "benefits",
            json!("Priority slots and a dedicated AM"),
        ),
        (
            "p-score",
            json!({"campaign_type": "mini_campaign", "required_lead_days": 10, "on_time_points": 50, "late_penalty_per_day": 5}),
            "required_lead_days",
            json!(12),
        ),
        (
            "o-score",
            json!({"effective_from": "2027-01-01", "max_delay_minutes": 45, "acceptable_late_pct": 5, "penalty_per_1pct_over": 4, "base_points": 100}),
            "max_delay_minutes",
            json!(60),
        ),
        (
            "t-score",
            json!({"tier_index": 1, "response_hours_min": 0, "response_hours_max": 2, "points": 100, "effective_from": "2027-01-01"}),
            "points",
            json!(90),
        ),
        (
            "f-score",
            json!({"tier_index": 1, "days_late_min": 0, "days_late_max": 0, "points": 100, "effective_from": "2027-01-01"}),
            "points",
            json!(95),
        ),
        (
            "i-score",
            json!({"effective_from": "2027-01-01", "aging_threshold_days": 60, "base_good_pct": 5, "calculation_basis": "cbm"}),
            "calculation_basis",
            json!("qty"),
        ),
        (
            "surcharge",
            json!({"surcharge_type": "storage", "trigger_condition": {"metric": "aging_over_180d_pct", "op": ">=", "value": 40}, "action": {"type": "fee_multiplier", "fee": "storage", "value": 2}, "description": "Very old stock doubles the storage fee", "effective_from": "2027-01-01"}),
            "description",
            json!("Changed"),
        ),
        (
            "am-bonus-penalty",
            json!({"sos_delta_min": 10, "sos_delta_max": 20, "bonus_or_penalty_amount": 9000000, "currency": "VND", "description": "Outstanding", "effective_from": "2027-01-01"}),
            "bonus_or_penalty_amount",
            json!(10000000),
        ),
        (
            "am-kpi-weight",
            json!({"component": "avg_sos", "weight_pct": 60, "effective_from": "2027-01-01"}),
            "weight_pct",
            json!(55),
        ),
        (
            "grace-period",
            json!({"effective_from": "2027-01-01", "grace_period_months": 3, "min_score_floor": 75, "min_orders_threshold": 20, "apply_to_components": ["o_score", "t_score"]}),
            "grace_period_months",
            json!(4),
        ),
        (
            "helpdesk",
            helpdesk_example(),
            "helpdesk_url",
            json!("https://support.example.vn"),
        ),
    ]
}

/// The helpdesk secrets the tests write; they must never come back.
pub const HELPDESK_KEY: &str = "hdkey-7f3c9a1e-NEVER-SHOWN";
pub const HELPDESK_SECRET: &str = "hdsecret-42b8d6f0-NEVER-SHOWN";

pub fn helpdesk_example() -> Value {
    json!({"country_code": "VN", "helpdesk_url": "https://help.example.vn", "api_key": HELPDESK_KEY, "api_secret": HELPDESK_SECRET, "sync_method": "pull", "pull_cron": "0 * * * *", "seller_field_mapping": {"seller_code": "customer"}, "business_hours_start": "08:00:00", "business_hours_end": "17:30:00", "timezone": "Asia/Ho_Chi_Minh"})
}

/// A webhook subscription to every event, on a public `https://` endpoint.
pub fn webhook_body() -> Value {
    json!({"subscriber": "oms", "endpoint_url": "https://oms.example.com/hooks/sos"})
}
