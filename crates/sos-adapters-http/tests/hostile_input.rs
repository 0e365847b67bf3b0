//! Hostile input: every body of the API with NUL characters, numbers no column can hold, huge
//! strings, 10,000 levels of nesting, duplicate keys, bytes that are not UTF-8, the wrong
//! content type, no body at all, and methods a route does not have.
//!
//! Each case must get a 4xx (never a 5xx) that names the problem, and must write nothing: the
//! whole observable state (sync inputs, master data, config, keys, runs, the audit log) is read
//! back before and after and compared. Each test runs twice: over the in-memory adapters, which
//! store whatever they are given, so any input the HTTP layer or the domain lets through shows up
//! as a write; and over a real migrated PostgreSQL database, so whatever is let through reaches
//! SQL (`<test>::memory`, `<test>::postgres`).
//!
//! Each test prints how many cases it tried (`cargo test -p sos-adapters-http --test
//! hostile_input -- --nocapture`); docs/reliability.md quotes the figures.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::http::Method;
use common::*;
use serde_json::{json, Value};
use sos_adapters_http::{
    dto::config::CONFIG_TYPES,
    routes::{Operation, OPERATIONS},
};
use sos_domain::Period;
use sos_ports::{CalculationScope, Scope, ScoreStore};

// ----------------------------------------------------------------------------------------------
// The state, read back.

/// Everything a write could change, as text: the period's sync inputs (orders, forecasts,
/// actuals, tickets, payments, inventory, revenue), master data, every config row, keys (without
/// their last-use time), runs, and the audit log.
async fn snapshot(app: &TestApp) -> String {
    let mut out = String::new();
    for period in ["2026-02", "2026-01", "2026-03"] {
        let p = Period::parse(period).unwrap();
        let sellers = app
            .ports
            .load_seller_inputs(p, &CalculationScope::All, None, 100_000)
            .unwrap();
        let ams = app.ports.load_am_inputs(p).unwrap();
        out.push_str(&format!("{sellers:?}\n{ams:?}\n"));
    }
    for path in [
        "/api/sellers?status=all&limit=500",
        "/api/campaigns?include_inactive=true&limit=500",
        "/api/account-managers?include_inactive=true&limit=500",
        "/api/sos/runs?limit=500",
        "/api/audit?limit=1000",
        "/api/webhooks?limit=500",
        "/api/sos/exceptions",
        "/api/sos/appeals?limit=500",
    ] {
        let r = app.get(path).await;
        r.assert_status(200);
        out.push_str(&r.text());
        out.push('\n');
    }
    for t in CONFIG_TYPES {
        let r = app
            .get(&format!("/api/config/{t}?include_inactive=true"))
            .await;
        r.assert_status(200);
        out.push_str(&r.text());
        out.push('\n');
    }
    let mut keys = app.get("/api/keys").await.json();
    for k in keys.as_array_mut().unwrap() {
        k.as_object_mut().unwrap().remove("last_used_at");
    }
    out.push_str(&keys.to_string());
    out
}

/// A fresh app with the README's data, one extra helpdesk row, and the id of one row per
/// config type (for PUT).
async fn hostile_app(store: Store) -> (TestApp, Vec<(&'static str, i64)>) {
    let app = TestApp::seeded_on(store).await;
    app.post("/api/sync/payments", &payments_format_b_example())
        .await
        .assert_status(200);
    let mut ids = Vec::new();
    for (t, body, _, _) in config_examples() {
        let r = app.post(&format!("/api/config/{t}"), &body).await;
        r.assert_status(201);
        ids.push((t, r.json()["id"].as_i64().unwrap()));
    }
    // Webhook subscription 1, for PATCH.
    app.post("/api/webhooks", &webhook_body())
        .await
        .assert_status(201);
    // February scored, appeal 1 pending and appeal 2 under review, filed by another key than
    // the admin key the cases are sent with, so the admin key may review them.
    app.post("/api/sos/monthly/calculate", &json!({"period": "2026-02"}))
        .await
        .assert_status(200);
    let filer = app.key(Scope::AppealsFile).to_owned();
    for component in ["t_score", "i_score"] {
        app.request(
            Method::POST,
            "/api/sos/appeals",
            Some(&filer),
            Some(
                &json!({"seller_code": "SEL001", "period": "2026-02", "component": component,
                "reason_type": "other", "description": "seeded"}),
            ),
        )
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
    // SEL001 blocked by an invoice 45 days late in March, so it can be unblocked.
    app.post(
        "/api/sync/payments",
        &json!({"seller_code": "SEL001", "period": "2026-03", "currency": "VND",
            "invoices": [{"invoice_id": "INV045", "days_late": 45, "amount": 2000000}]}),
    )
    .await
    .assert_status(200);
    (app, ids)
}

/// One hostile request and what must come back.
struct Case {
    label: String,
    method: Method,
    path: String,
    content_type: Option<String>,
    body: Vec<u8>,
}

impl Case {
    fn json(
        label: impl Into<String>,
        method: Method,
        path: impl Into<String>,
        body: impl Into<Vec<u8>>,
    ) -> Self {
        Self {
            label: label.into(),
            method,
            path: path.into(),
            content_type: Some("application/json".into()),
            body: body.into(),
        }
    }
}

/// Sends `case` with the admin key.
async fn send(app: &TestApp, case: &Case) -> Resp {
    let body = case.body.clone();
    let ct = case.content_type.clone();
    app.send(case.method.clone(), &case.path, move |req| {
        let req = req
            .insert_header(("Authorization", format!("Bearer {ADMIN_KEY}")))
            .set_payload(body);
        match ct {
            Some(ct) => req.insert_header(("Content-Type", ct)),
            None => req,
        }
    })
    .await
}

/// Sends every case; each must answer one of `statuses`, with an error body whose text contains
/// one of the case's `names` (when given), and leave the state as it was.
async fn expect_rejected(app: &TestApp, cases: &[(Case, Vec<String>)], statuses: &[u16]) -> usize {
    let before = snapshot(app).await;
    for (case, names) in cases {
        let r = send(app, case).await;
        let text = r.text();
        assert!(
            statuses.contains(&r.status.as_u16()),
            "{} ({} {}): expected one of {statuses:?}, got {}: {}",
            case.label,
            case.method,
            case.path,
            r.status,
            text.chars().take(600).collect::<String>()
        );
        let body = r.json();
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{}: no error sentence: {text}",
            case.label
        );
        if !names.is_empty() {
            assert!(
                names.iter().any(|n| text.contains(n.as_str())),
                "{}: the answer names none of {names:?}: {}",
                case.label,
                text.chars().take(600).collect::<String>()
            );
        }
        let after = snapshot(app).await;
        assert!(
            after == before,
            "{} ({} {}) wrote something (answer {} {text})",
            case.label,
            case.method,
            case.path,
            r.status
        );
    }
    cases.len()
}

// ----------------------------------------------------------------------------------------------
// Every body of the API.

fn raw_orders_example() -> Value {
    json!({"seller_code": "SEL001", "orders": [
        {"order_id": "ORD-1", "created_at": "2026-02-03T10:00:00Z", "pushed_at": "2026-02-03T10:10:00Z", "status": "pushed"},
        {"order_id": "ORD-2", "created_at": "2026-02-03T11:00:00Z", "pushed_at": null, "status": "pending"}
    ]})
}

/// Every write body (method, path, body), valid as it stands, so a mutation is the only problem.
fn bodies(config_ids: &[(&'static str, i64)]) -> Vec<(Method, String, Value)> {
    let mut out: Vec<(Method, String, Value)> = seed_examples()
        .into_iter()
        .map(|(p, b)| (Method::POST, p.to_owned(), b))
        .collect();
    out.push((
        Method::POST,
        "/api/sync/payments".into(),
        payments_format_b_example(),
    ));
    out.push((
        Method::POST,
        "/api/sync/orders".into(),
        raw_orders_example(),
    ));
    let mut seller = seller_body("SEL002");
    seller["warehouse_id"] = json!("WH-HCM-01");
    seller["status"] = json!("active");
    out.push((Method::POST, "/api/sellers".into(), seller.clone()));
    seller["seller_code"] = json!("SEL001");
    out.push((Method::PUT, "/api/sellers/SEL001".into(), seller));
    let mut campaign = campaign_body();
    out.push((
        Method::PUT,
        "/api/campaigns/CAMP-2026-02".into(),
        campaign.clone(),
    ));
    campaign["campaign_code"] = json!("CAMP-NEW");
    out.push((Method::POST, "/api/campaigns".into(), campaign));
    out.push((Method::PUT, "/api/account-managers/1".into(), am_body()));
    out.push((
        Method::POST,
        "/api/account-managers".into(),
        json!({"id": 2, "name": "Tran Thi B", "email": "b.tran@example.com", "is_active": true}),
    ));
    for (t, body, _, _) in config_examples() {
        let id = config_ids.iter().find(|(ct, _)| *ct == t).unwrap().1;
        out.push((Method::POST, format!("/api/config/{t}"), body.clone()));
        out.push((Method::PUT, format!("/api/config/{t}/{id}"), body));
    }
    out.push((
        Method::POST,
        "/api/keys".into(),
        json!({"name": "oms-prod", "scopes": ["sync:write", "scores:read"]}),
    ));
    out.push((
        Method::POST,
        "/api/sos/monthly/calculate".into(),
        json!({"period": "2026-02", "seller_codes": ["SEL001"], "dry_run": false}),
    ));
    out.push((Method::POST, "/api/sos/preview".into(), preview_example()));
    let webhook = json!({"subscriber": "oms", "endpoint_url": "https://oms.example.com/hooks", "event_types": ["seller.tier_changed"]});
    out.push((Method::POST, "/api/webhooks".into(), webhook.clone()));
    out.push((Method::PATCH, "/api/webhooks/1".into(), webhook));
    out.push((
        Method::POST,
        "/api/sos/exceptions".into(),
        json!({"seller_code": "SEL001", "period": "2026-03", "component": "o_score",
            "reason_type": "other", "note": "the scanner was down", "effect": {"type": "exclude"}}),
    ));
    out.push((
        Method::POST,
        "/api/sos/appeals".into(),
        json!({"seller_code": "SEL001", "period": "2026-02", "component": "o_score",
            "reason_type": "other", "description": "double push",
            "evidence": [{"label": "incident", "url": "https://status.example.com/42"}]}),
    ));
    out.push((
        Method::POST,
        "/api/sos/appeals/1/review-ops".into(),
        json!({"decision": "reject", "note": "the data is right"}),
    ));
    out.push((
        Method::POST,
        "/api/sos/appeals/2/review-am".into(),
        json!({"decision": "reject", "note": "the data is right"}),
    ));
    out.push((
        Method::POST,
        "/api/sellers/SEL001/unblock".into(),
        json!({"reason": "Paid at the counter"}),
    ));
    out
}

/// One step of a path into a JSON value.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// The paths of every leaf of `v` for which `pick` is true, and of every key of an object.
fn leaves(v: &Value, at: &mut Vec<Step>, pick: &dyn Fn(&Value) -> bool, out: &mut Vec<Vec<Step>>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                at.push(Step::Key(k.clone()));
                leaves(child, at, pick, out);
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                at.push(Step::Index(i));
                leaves(child, at, pick, out);
                at.pop();
            }
        }
        leaf if pick(leaf) => out.push(at.clone()),
        _ => {}
    }
}

fn at_mut<'a>(v: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(v, |v, step| match step {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

/// The names an answer about `path` may use: the last named step and its parent.
fn names_for(path: &[Step]) -> Vec<String> {
    path.iter()
        .rev()
        .filter_map(|s| match s {
            Step::Key(k) => Some(k.clone()),
            Step::Index(_) => None,
        })
        .take(2)
        .collect()
}

fn path_text(path: &[Step]) -> String {
    path.iter()
        .map(|s| match s {
            Step::Key(k) => format!(".{k}"),
            Step::Index(i) => format!("[{i}]"),
        })
        .collect()
}

/// Objects whose keys are data (per-SKU volumes, a field mapping), not field names.
const FREE_FORM: [&str; 4] = [
    "forecasted_sku_breakdown",
    "actual_sku_breakdown",
    "seller_field_mapping",
    "trigger_condition",
];

// ----------------------------------------------------------------------------------------------
// The tests.

async fn nul_characters_in_every_string_field_are_refused_and_write_nothing(store: Store) {
    let (app, ids) = hostile_app(store).await;
    let mut cases = Vec::new();
    for (method, path, body) in bodies(&ids) {
        let mut strings = Vec::new();
        leaves(&body, &mut Vec::new(), &|v| v.is_string(), &mut strings);
        assert!(!strings.is_empty(), "{method} {path} has no string field");
        for (n, at) in strings.iter().enumerate() {
            // NUL at the start, in the middle and alone, in turn.
            let mut mutated = body.clone();
            let target = at_mut(&mut mutated, at);
            let s = target.as_str().unwrap().to_owned();
            let mid = s
                .char_indices()
                .nth(s.chars().count() / 2)
                .map_or(s.len(), |(i, _)| i);
            *target = json!(match n % 3 {
                0 => format!("\u{0}{s}"),
                1 => format!("{}\u{0}{}", &s[..mid], &s[mid..]),
                _ => "\u{0}".to_owned(),
            });
            let label = format!("NUL in {}", path_text(at));
            cases.push((
                Case::json(
                    label,
                    method.clone(),
                    path.clone(),
                    serde_json::to_vec(&mutated).unwrap(),
                ),
                names_for(at),
            ));
        }
        // NUL in the keys of free-form objects.
        for field in FREE_FORM {
            if let Some(Value::Object(map)) = body.get(field) {
                let mut mutated = body.clone();
                let mut renamed = serde_json::Map::new();
                for (k, v) in map {
                    renamed.insert(format!("{k}\u{0}"), v.clone());
                }
                mutated[field] = Value::Object(renamed);
                let label = format!("NUL in a key of {field}");
                cases.push((
                    Case::json(
                        label,
                        method.clone(),
                        path.clone(),
                        serde_json::to_vec(&mutated).unwrap(),
                    ),
                    vec![field.to_owned()],
                ));
            }
        }
        // The same inside a batch: the valid first record is not written either.
        if path.starts_with("/api/sync/") {
            let mut bad = body.clone();
            let first = strings[0].clone();
            *at_mut(&mut bad, &first) = json!("A\u{0}B");
            let batch = json!([body.clone(), bad]);
            let label = format!("NUL in [1]{} of a batch", path_text(&first));
            cases.push((
                Case::json(
                    label,
                    method.clone(),
                    path.clone(),
                    serde_json::to_vec(&batch).unwrap(),
                ),
                names_for(&first),
            ));
        }
    }
    // NUL in path segments and query strings.
    for path in [
        "/api/sellers/SEL%00001",
        "/api/campaigns/CAMP%00",
        "/api/sos/sellers/SEL001%00/scores",
        "/api/sos/sellers/SEL001/scores/2026-02%00",
        "/api/sos/monthly/2026-02%00/scores",
        "/api/sellers?search=%00&status=all",
        "/api/sos/runs?period=%00",
    ] {
        cases.push((
            Case {
                label: format!("NUL in {path}"),
                method: Method::GET,
                path: path.into(),
                content_type: None,
                body: Vec::new(),
            },
            Vec::new(),
        ));
    }
    let n = expect_rejected(&app, &cases, &[400, 404]).await;
    // Only the unknown-path-segment cases may be 404; every body case is a 400.
    for (case, _) in cases.iter().filter(|(c, _)| !c.body.is_empty()) {
        let r = send(&app, case).await;
        assert_eq!(r.status.as_u16(), 400, "{}: {}", case.label, r.text());
    }
    println!(
        "hostile_input: NUL characters: {n} cases over {} bodies, 0 written",
        bodies(&ids).len()
    );
}

/// Number tokens no field can take: past rust_decimal's 28 digits, past f64 and PostgreSQL
/// NUMERIC, and more digits than a decimal keeps exactly (SOS refuses rather than rounds).
const BAD_NUMBERS: [&str; 6] = [
    "79228162514264337593543950336",
    "1e400",
    "-1e400",
    "1e131072",
    "1.0000000000000000000000000000000000000001",
    "0.1234567890123456789012345678901234567890",
];

/// Past i64 and u64: refused by every whole-number field; a decimal field may take them, and
/// then must keep every digit.
const WIDE_NUMBERS: [&str; 3] = [
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
];

/// `body` with the leaf at `at` replaced by the raw number text `token`.
fn with_number(body: &Value, at: &[Step], token: &str) -> String {
    let mut mutated = body.clone();
    *at_mut(&mut mutated, at) = json!("__NUMBER__");
    serde_json::to_string(&mutated)
        .unwrap()
        .replace("\"__NUMBER__\"", token)
}

async fn numbers_out_of_every_range_are_refused_and_write_nothing(store: Store) {
    let (app, ids) = hostile_app(store).await;
    let mut cases = Vec::new();
    let mut fields = 0;
    for (method, path, body) in bodies(&ids) {
        let mut numbers = Vec::new();
        leaves(&body, &mut Vec::new(), &|v| v.is_number(), &mut numbers);
        fields += numbers.len();
        for at in &numbers {
            for token in BAD_NUMBERS {
                let label = format!("{token} in {}", path_text(at));
                cases.push((
                    Case::json(
                        label,
                        method.clone(),
                        path.clone(),
                        with_number(&body, at, token),
                    ),
                    names_for(at),
                ));
            }
        }
    }
    let n = expect_rejected(&app, &cases, &[400]).await;
    // Past i64/u64: refused, or (decimal fields) kept to the last digit.
    let (mut app, mut refused, mut kept) = (app, 0, 0);
    for (method, path, body) in bodies(&ids) {
        let mut numbers = Vec::new();
        leaves(&body, &mut Vec::new(), &|v| v.is_number(), &mut numbers);
        for at in &numbers {
            for token in WIDE_NUMBERS {
                let case = Case::json(
                    format!("{token} in {}", path_text(at)),
                    method.clone(),
                    path.clone(),
                    with_number(&body, at, token),
                );
                let before = snapshot(&app).await;
                let r = send(&app, &case).await;
                match r.status.as_u16() {
                    400 => {
                        refused += 1;
                        assert_eq!(
                            snapshot(&app).await,
                            before,
                            "{}: refused but wrote",
                            case.label
                        );
                    }
                    200 | 201 => {
                        kept += 1;
                        let digits = token.trim_start_matches('-');
                        let after = snapshot(&app).await;
                        // Read back exactly: the digits themselves, or (invoice amounts, summed
                        // into the outstanding total) no float rendering and no saturated i64.
                        // Free-form objects (per-SKU volumes) are stored as sent and read by no
                        // endpoint; a preview stores nothing.
                        let free_form = names_for(at)
                            .iter()
                            .any(|n| FREE_FORM.contains(&n.as_str()))
                            || path == "/api/sos/preview";
                        let exact = after.contains(digits)
                            || (after != before
                                && !after.contains("e+")
                                && !after.contains("E+")
                                && !after.contains("9223372036854775807"));
                        assert!(
                            free_form || exact,
                            "{}: accepted but not kept exactly: {}",
                            case.label,
                            r.text()
                        );
                        app = hostile_app(store).await.0;
                    }
                    other => panic!("{}: {other}: {}", case.label, r.text()),
                }
            }
        }
    }
    println!(
        "hostile_input: numbers out of range: {} cases over {fields} numeric fields ({n} refused outright; past i64/u64: {refused} refused, {kept} kept exactly), 0 written",
        n + refused + kept
    );
}

/// Whether `text` holds a negative zero as a number (`-0`, `-0.00`), not inside a date.
fn has_negative_zero(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.match_indices("-0").any(|(i, _)| {
        let before_ok = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let rest = &text[i + 2..];
        let after = rest.trim_start_matches(['.', '0']);
        let only_zeros = rest.len() == after.len() || rest.starts_with('.');
        before_ok && only_zeros && !after.starts_with(|c: char| c.is_ascii_digit())
    })
}

async fn negative_zero_is_zero_or_refused(store: Store) {
    assert!(
        has_negative_zero("{\"a\": -0}")
            && has_negative_zero("[-0.00]")
            && !has_negative_zero("2026-02-01")
            && !has_negative_zero("-0.5")
    );
    let (app, ids) = hostile_app(store).await;
    let mut tried = 0;
    for (method, path, body) in bodies(&ids) {
        let mut numbers = Vec::new();
        leaves(&body, &mut Vec::new(), &|v| v.is_number(), &mut numbers);
        for at in &numbers {
            let case = Case::json(
                format!("-0 in {}", path_text(at)),
                method.clone(),
                path.clone(),
                with_number(&body, at, "-0"),
            );
            let r = send(&app, &case).await;
            tried += 1;
            assert!(
                r.status.as_u16() < 500,
                "{}: {} {}",
                case.label,
                r.status,
                r.text()
            );
            // Whatever was accepted is 0, never a negative number.
            assert!(
                !has_negative_zero(&r.text()),
                "{}: answered {}",
                case.label,
                r.text()
            );
        }
    }
    let state = snapshot(&app).await;
    assert!(
        !has_negative_zero(&state),
        "a negative zero was stored: {state}"
    );
    println!("hostile_input: -0: {tried} cases, none stored or answered as a negative number");
}

async fn ten_megabyte_strings_are_refused_and_write_nothing(store: Store) {
    let (app, ids) = hostile_app(store).await;
    let huge = "A".repeat(10 * 1024 * 1024);
    let mut cases = Vec::new();
    for (method, path, body) in bodies(&ids) {
        let mut strings = Vec::new();
        leaves(&body, &mut Vec::new(), &|v| v.is_string(), &mut strings);
        // A single object of 10 MB is over the 1 MiB object limit: 413.
        let at = &strings[0];
        let mut mutated = body.clone();
        *at_mut(&mut mutated, at) = json!(huge);
        let label = format!("10 MB in {}", path_text(at));
        cases.push((
            Case::json(
                label,
                method.clone(),
                path.clone(),
                serde_json::to_vec(&mutated).unwrap(),
            ),
            Vec::new(),
        ));
    }
    let n413 = expect_rejected(&app, &cases, &[413]).await;
    // In a batch (under the 16 MiB array limit) each field's own length limit answers 400.
    let mut cases = Vec::new();
    for (method, path, body) in bodies(&ids)
        .into_iter()
        .filter(|(_, p, _)| p.starts_with("/api/sync/"))
    {
        let mut strings = Vec::new();
        leaves(&body, &mut Vec::new(), &|v| v.is_string(), &mut strings);
        // The first and the last string field (parsing 10 MB takes a while in a debug build).
        for at in [strings.first().unwrap(), strings.last().unwrap()] {
            let mut mutated = body.clone();
            *at_mut(&mut mutated, at) = json!(huge);
            let batch = json!([body.clone(), mutated]);
            let label = format!("10 MB in [1]{} of a batch", path_text(at));
            cases.push((
                Case::json(
                    label,
                    method.clone(),
                    path.clone(),
                    serde_json::to_vec(&batch).unwrap(),
                ),
                names_for(at),
            ));
        }
    }
    let n400 = expect_rejected(&app, &cases, &[400]).await;
    // Past the 16 MiB array limit: 413.
    let big_batch = format!(
        "[{{\"seller_code\": \"{}\"}}]",
        "B".repeat(17 * 1024 * 1024)
    );
    let cases = vec![(
        Case::json("17 MB batch", Method::POST, "/api/sync/orders", big_batch),
        Vec::new(),
    )];
    let n_big = expect_rejected(&app, &cases, &[413]).await;
    println!("hostile_input: 10 MB strings: {} cases ({n413} single objects -> 413, {n400} in batches -> 400, {n_big} over 16 MiB -> 413), 0 written", n413 + n400 + n_big);
}

async fn ten_thousand_levels_of_nesting_are_refused_without_overflowing_the_stack(store: Store) {
    let (app, ids) = hostile_app(store).await;
    let depth = 10_000;
    let arrays = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let objects = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
    let unclosed = "[".repeat(depth * 10);
    let mut cases = Vec::new();
    for (method, path, body) in bodies(&ids) {
        let mut strings = Vec::new();
        leaves(&body, &mut Vec::new(), &|v| v.is_string(), &mut strings);
        let at = &strings[0];
        for (kind, deep) in [
            ("arrays", &arrays),
            ("objects", &objects),
            ("unclosed arrays", &unclosed),
        ] {
            let mut mutated = body.clone();
            *at_mut(&mut mutated, at) = json!("__DEEP__");
            let text = serde_json::to_string(&mutated)
                .unwrap()
                .replace("\"__DEEP__\"", deep);
            let label = format!("{depth} levels of {kind} in {}", path_text(at));
            cases.push((
                Case::json(label, method.clone(), path.clone(), text),
                vec!["nests".to_owned()],
            ));
        }
        cases.push((
            Case::json(
                "a bare 10,000-level array",
                method.clone(),
                path.clone(),
                arrays.clone(),
            ),
            vec!["nests".to_owned()],
        ));
    }
    let n = expect_rejected(&app, &cases, &[400]).await;
    println!("hostile_input: deep nesting: {n} cases of {depth}+ levels, 0 written");
}

async fn duplicate_keys_are_refused_and_write_nothing(store: Store) {
    let (app, ids) = hostile_app(store).await;
    let mut cases = Vec::new();
    for (method, path, body) in bodies(&ids) {
        let Value::Object(map) = &body else {
            unreachable!()
        };
        let text = serde_json::to_string(&body).unwrap();
        for (k, v) in map {
            // The same key again at the end, with another value of the same type...
            let other = match v {
                Value::String(s) => json!(format!("{s}X")),
                Value::Number(_) => json!(1),
                other => other.clone(),
            };
            let dup = format!("{}, {}: {}}}", &text[..text.len() - 1], json!(k), other);
            cases.push((
                Case::json(format!("{k} twice"), method.clone(), path.clone(), dup),
                vec![k.clone()],
            ));
        }
        // ... and once spelled with a \u escape, which is the same key.
        let (k, v) = map.iter().next().unwrap();
        let escaped: String = k
            .chars()
            .map(|c| format!("\\u{:04x}", u32::from(c)))
            .collect();
        let dup = format!("{}, \"{escaped}\": {v}}}", &text[..text.len() - 1]);
        cases.push((
            Case::json(
                format!("{k} twice, once escaped"),
                method.clone(),
                path.clone(),
                dup,
            ),
            vec![k.clone()],
        ));
        // Inside a nested object.
        for field in [
            "breakdown",
            "forecasted_sku_breakdown",
            "trigger_condition",
            "action",
            "orders",
        ] {
            if let Some(Value::Object(inner)) = body.get(field) {
                let (ik, iv) = inner.iter().next().unwrap();
                let mut mutated = body.clone();
                mutated[field] = json!("__INNER__");
                let inner_text = serde_json::to_string(inner).unwrap();
                let inner_dup = format!(
                    "{}, {}: {}}}",
                    &inner_text[..inner_text.len() - 1],
                    json!(ik),
                    iv
                );
                let dup = serde_json::to_string(&mutated)
                    .unwrap()
                    .replace("\"__INNER__\"", &inner_dup);
                cases.push((
                    Case::json(
                        format!("{field}.{ik} twice"),
                        method.clone(),
                        path.clone(),
                        dup,
                    ),
                    vec![ik.clone()],
                ));
            }
        }
    }
    let n = expect_rejected(&app, &cases, &[400]).await;
    println!("hostile_input: duplicate keys: {n} cases, 0 written");
}

async fn bytes_that_are_not_utf8_are_refused_and_write_nothing(store: Store) {
    let (app, ids) = hostile_app(store).await;
    let mut cases = Vec::new();
    let bad_bytes: [(&str, &[u8]); 5] = [
        ("a lone continuation byte", b"\x80"),
        ("0xFF", b"\xff"),
        ("an overlong '/'", b"\xc0\xaf"),
        ("a UTF-16 surrogate in UTF-8", b"\xed\xa0\x80"),
        ("a truncated 4-byte sequence", b"\xf0\x9f\x98"),
    ];
    for (method, path, body) in bodies(&ids) {
        let text = serde_json::to_string(&body).unwrap();
        // Inside the first string value.
        let start = text.find(":\"").map(|i| i + 2).unwrap();
        for (what, bytes) in bad_bytes {
            let mut raw = text.as_bytes()[..start].to_vec();
            raw.extend_from_slice(bytes);
            raw.extend_from_slice(&text.as_bytes()[start..]);
            cases.push((
                Case::json(
                    format!("{what} in a string"),
                    method.clone(),
                    path.clone(),
                    raw,
                ),
                vec!["JSON".to_owned()],
            ));
        }
        // A lone surrogate escape is not a character either.
        let raw = format!("{}\\ud800{}", &text[..start], &text[start..]);
        cases.push((
            Case::json("\\ud800 escape", method.clone(), path.clone(), raw),
            vec!["JSON".to_owned()],
        ));
        // A byte-order mark before the JSON, and Latin-1 bytes in place of the whole body.
        let mut bom = b"\xef\xbb\xbf".to_vec();
        bom.extend_from_slice(text.as_bytes());
        cases.push((
            Case::json("a UTF-8 byte-order mark", method.clone(), path.clone(), bom),
            vec!["JSON".to_owned()],
        ));
        let latin1: Vec<u8> = b"{\"name\": \"Caf\xe9\"}".to_vec();
        cases.push((
            Case::json("Latin-1 bytes", method.clone(), path.clone(), latin1),
            vec!["JSON".to_owned()],
        ));
    }
    let n = expect_rejected(&app, &cases, &[400]).await;
    println!("hostile_input: invalid UTF-8: {n} cases, 0 written");
}

async fn wrong_content_types_get_415_and_empty_bodies_400_and_write_nothing(store: Store) {
    let (app, ids) = hostile_app(store).await;
    let mut cases415 = Vec::new();
    let mut cases400 = Vec::new();
    for (method, path, body) in bodies(&ids) {
        let json_text = serde_json::to_vec(&body).unwrap();
        let form: String = body
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={}", enc(&v.to_string())))
            .collect::<Vec<_>>()
            .join("&");
        let types: [(Option<&str>, Vec<u8>); 7] = [
            (Some("text/plain"), json_text.clone()),
            (Some("application/x-www-form-urlencoded"), form.into_bytes()),
            (
                Some("multipart/form-data; boundary=xyz"),
                b"--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--xyz--\r\n"
                    .to_vec(),
            ),
            (
                Some("application/xml"),
                b"<seller_code>SEL001</seller_code>".to_vec(),
            ),
            (Some("application/jsonp"), json_text.clone()),
            (Some("json"), json_text.clone()),
            (None, json_text.clone()),
        ];
        for (ct, payload) in types {
            cases415.push((
                Case {
                    label: format!("Content-Type {ct:?}"),
                    method: method.clone(),
                    path: path.clone(),
                    content_type: ct.map(str::to_owned),
                    body: payload,
                },
                vec!["Content-Type".to_owned()],
            ));
        }
        for (what, payload) in [
            ("an empty body", ""),
            ("a blank body", " \r\n\t "),
            ("null", "null"),
            ("a number", "42"),
            ("a string", "\"SEL001\""),
        ] {
            cases400.push((
                Case::json(what, method.clone(), path.clone(), payload),
                Vec::new(),
            ));
        }
        if path.starts_with("/api/sync/") {
            cases400.push((
                Case::json("an empty array", method.clone(), path.clone(), "[]"),
                vec!["empty".to_owned()],
            ));
            cases400.push((
                Case::json(
                    "an array of numbers",
                    method.clone(),
                    path.clone(),
                    "[1, 2]",
                ),
                vec!["object".to_owned()],
            ));
        }
    }
    let n415 = expect_rejected(&app, &cases415, &[415]).await;
    let n400 = expect_rejected(&app, &cases400, &[400]).await;
    println!("hostile_input: content types: {n415} cases -> 415; empty or non-object bodies: {n400} cases -> 400; 0 written");
}

async fn methods_a_route_does_not_have_get_405_with_allow(store: Store) {
    let app = TestApp::seeded_on(store).await;
    let before = snapshot(&app).await;
    let doc: Value = serde_json::from_str(&sos_adapters_http::openapi::document_json()).unwrap();
    let mut tried = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        let path = template
            .replace("{config_type}", "score-weights")
            .replace("{seller_code}", "SEL001")
            .replace("{campaign_code}", "CAMP-2026-02")
            .replace("{period}", "2026-02")
            .replace("{am_id}", "1")
            .replace("{id}", "1")
            .replace("{name}", "admin");
        assert!(
            !path.contains('{'),
            "{template}: a path parameter the test does not fill"
        );
        let mut allowed: Vec<String> = item
            .as_object()
            .unwrap()
            .keys()
            .map(|m| m.to_ascii_uppercase())
            .collect();
        allowed.sort();
        for method in ["GET", "POST", "PUT", "DELETE", "PATCH"] {
            if allowed.iter().any(|m| m == method) {
                continue;
            }
            let m = Method::from_bytes(method.as_bytes()).unwrap();
            let r = app
                .request(
                    m,
                    &path,
                    Some(ADMIN_KEY),
                    Some(&json!({"period": "2026-02"})),
                )
                .await;
            tried += 1;
            assert_eq!(r.status.as_u16(), 405, "{method} {path}: {}", r.text());
            let allow = r
                .header("allow")
                .unwrap_or_else(|| panic!("{method} {path}: 405 without Allow"));
            let mut listed: Vec<String> = allow.split(',').map(|m| m.trim().to_owned()).collect();
            listed.sort();
            assert_eq!(
                listed, allowed,
                "{method} {path}: Allow lists other methods"
            );
            assert!(r.error().contains(method), "{method} {path}: {}", r.text());
        }
    }
    assert_eq!(snapshot(&app).await, before, "a 405 wrote something");
    println!("hostile_input: methods: {tried} cases -> 405 with Allow, 0 written");
}

/// Text that has broken stores: SQL quoting and comments, dollar quotes, backslashes, LIKE
/// wildcards, astral-plane and combining characters, bidi and zero-width marks, and lengths just
/// past and far past the 64-character code limit.
fn hostile_texts() -> Vec<(&'static str, String)> {
    vec![
        ("a quote and a DROP", "'; DROP TABLE seller;--".to_owned()),
        ("OR 1=1", "\" OR 1=1 --".to_owned()),
        ("dollar quotes", "$$ $x$ $1".to_owned()),
        ("backslashes", "\\ \\' \\\\ \\n".to_owned()),
        ("LIKE wildcards", "%_[a]%".to_owned()),
        ("astral characters", "\u{1F600}\u{1D11E}".to_owned()),
        (
            "combining, bidi and zero-width marks",
            "e\u{301}\u{202E}\u{200D}\u{FEFF}".to_owned(),
        ),
        ("CJK and Vietnamese", "中文 Tiếng Việt".to_owned()),
        ("65 characters", "Z".repeat(65)),
        ("10,000 characters", "Y".repeat(10_000)),
    ]
}

/// The operation of the registry serving `method path`.
fn operation_of(method: &Method, path: &str) -> &'static Operation {
    let parts: Vec<&str> = path
        .split('?')
        .next()
        .unwrap()
        .trim_matches('/')
        .split('/')
        .collect();
    OPERATIONS
        .iter()
        .find(|op| {
            let t: Vec<&str> = op.path.trim_matches('/').split('/').collect();
            op.method == method.as_str()
                && t.len() == parts.len()
                && t.iter()
                    .zip(&parts)
                    .all(|(t, p)| t.starts_with('{') || t == p)
        })
        .unwrap_or_else(|| panic!("no operation serves {method} {path}"))
}

/// Whether `stored` holds `value` exactly, as JSON text or as Rust's debug text.
fn holds(stored: &str, value: &str) -> bool {
    let json = serde_json::to_string(value).unwrap();
    let debug = format!("{value:?}");
    stored.contains(&json[1..json.len() - 1]) || stored.contains(&debug[1..debug.len() - 1])
}

/// Fields an accepted write stores but no endpoint or port reads back whole (free-form objects,
/// forecast notes, invoice and order ids, helpdesk credentials): over the memory store they are
/// let pass; over PostgreSQL the rows themselves are read instead.
const WRITE_ONLY: [&str; 9] = [
    "invoice_id",
    "order_id",
    "status",
    "forecasted_sku_breakdown",
    "actual_sku_breakdown",
    "seller_field_mapping",
    "notes",
    "api_key",
    "api_secret",
];

async fn hostile_text_on_every_write_route_is_kept_verbatim_or_refused(store: Store) {
    let (app, ids) = hostile_app(store).await;
    let texts = hostile_texts();
    let all_bodies = bodies(&ids);
    // Every write route of the registry has a body here, or takes hostile text in its path.
    let writes: Vec<&Operation> = OPERATIONS
        .iter()
        .filter(|op| op.path.starts_with("/api/") && op.method != "GET")
        .collect();
    let with_body: Vec<&Operation> = all_bodies
        .iter()
        .map(|(m, p, _)| operation_of(m, p))
        .collect();
    let doc = sos_adapters_http::openapi::document();
    for op in &writes {
        let documented = &doc["paths"][op.path][op.method.to_ascii_lowercase()];
        if documented.get("requestBody").is_some() {
            assert!(
                with_body.contains(op),
                "{} {} takes a body and hostile_input::bodies has none for it",
                op.method,
                op.path
            );
        }
    }
    let mut pairs = std::collections::BTreeSet::new();
    let (mut kept, mut refused, mut unread) = (0, 0, 0);
    let mut by_status = std::collections::BTreeMap::new();
    let mut tag = 0;
    let mut before = snapshot(&app).await;
    for (method, path, body) in &all_bodies {
        let op = operation_of(method, path);
        let stores = op.path != "/api/sos/preview";
        let mut strings = Vec::new();
        leaves(body, &mut Vec::new(), &|v| v.is_string(), &mut strings);
        for (what, text) in &texts {
            pairs.insert((op.method, op.path, *what));
            for at in &strings {
                // A tag makes each value new, so finding it afterwards means this write kept it.
                tag += 1;
                let value = format!("h{tag}{text}");
                let mut mutated = body.clone();
                // New rows get new keys, so an earlier accepted case cannot make this one a 409.
                if *method == Method::POST {
                    for (field, fresh) in [
                        ("seller_code", json!(format!("S{tag}"))),
                        ("campaign_code", json!(format!("C{tag}"))),
                        ("id", json!(1000 + tag)),
                        ("name", json!(format!("k{tag}"))),
                    ] {
                        let creates = matches!(
                            (field, op.path),
                            ("seller_code", "/api/sellers")
                                | ("campaign_code", "/api/campaigns")
                                | ("id", "/api/account-managers")
                                | ("name", "/api/keys")
                        );
                        if creates {
                            mutated[field] = fresh;
                        }
                    }
                }
                *at_mut(&mut mutated, at) = json!(value);
                let case = Case::json(
                    format!("{what} in {}", path_text(at)),
                    method.clone(),
                    path.clone(),
                    serde_json::to_vec(&mutated).unwrap(),
                );
                let r = send(&app, &case).await;
                let after = snapshot(&app).await;
                let status = r.status.as_u16();
                let label = format!("{method} {path}: {}", case.label);
                if (200..300).contains(&status) && stores {
                    let dump = app.db_dump();
                    let in_db = dump.as_deref().is_some_and(|d| holds(d, &value));
                    let read = holds(&after, &value) || holds(&r.text(), &value);
                    let write_only = names_for(at)
                        .iter()
                        .any(|n| WRITE_ONLY.contains(&n.as_str()));
                    let secret = ["api_key", "api_secret"]
                        .iter()
                        .any(|n| names_for(at).first().map(String::as_str) == Some(n));
                    assert!(
                        read || in_db || (write_only && (dump.is_none() || secret)),
                        "{label}: accepted ({status}) but not kept verbatim: {}",
                        r.text().chars().take(400).collect::<String>()
                    );
                    if read || in_db {
                        kept += 1;
                    } else {
                        unread += 1;
                    }
                } else if (200..300).contains(&status) {
                    assert_eq!(after, before, "{label}: a preview wrote something");
                    kept += 1;
                } else {
                    assert!(
                        [400, 404, 409, 422].contains(&status),
                        "{label}: {status}: {}",
                        r.text()
                    );
                    assert!(
                        after == before,
                        "{label}: refused ({status}) but wrote something"
                    );
                    refused += 1;
                    *by_status.entry((status, op.path)).or_insert(0) += 1;
                }
                before = after;
            }
        }
    }
    // Routes without a body (and the path parameters of the rest): hostile path segments.
    let mut segment_cases = Vec::new();
    for op in &writes {
        for (what, text) in &texts {
            let mut path = op.path.to_owned();
            let mut any = false;
            for param in [
                "{config_type}",
                "{id}",
                "{seller_code}",
                "{campaign_code}",
                "{am_id}",
                "{period}",
                "{name}",
            ] {
                if path.contains(param) {
                    any = true;
                    path = path.replace(param, &enc(text));
                }
            }
            if any {
                pairs.insert((op.method, op.path, *what));
                let has_body = with_body.iter().any(|b| b == op);
                let body = if has_body {
                    all_bodies
                        .iter()
                        .find(|(m, p, _)| operation_of(m, p) == *op)
                        .map(|(_, _, b)| serde_json::to_vec(b).unwrap())
                        .unwrap()
                } else {
                    Vec::new()
                };
                let method = Method::from_bytes(op.method.as_bytes()).unwrap();
                segment_cases.push((
                    Case {
                        label: format!("{what} in the path of {} {}", op.method, op.path),
                        method,
                        path,
                        content_type: has_body.then(|| "application/json".to_owned()),
                        body,
                    },
                    Vec::new(),
                ));
            } else {
                assert!(
                    with_body.contains(op),
                    "{} {} takes no path parameter and hostile_input has no body for it",
                    op.method,
                    op.path
                );
            }
        }
    }
    refused += expect_rejected(&app, &segment_cases, &[400, 404]).await;
    println!(
        "hostile_input: hostile text over {store:?}: {} (route, input) pairs over {} write routes, {} requests: {kept} kept verbatim, {unread} accepted into fields no read returns, {refused} refused and nothing written",
        pairs.len(),
        writes.len(),
        kept + unread + refused
    );
    println!("hostile_input: hostile text over {store:?}: refusals of body cases by (status, route): {by_status:?}");
}

crate::over_both_stores! {
    hostile_text_on_every_write_route_is_kept_verbatim_or_refused => hostile_text_on_every_write_route_is_kept_verbatim_or_refused,
    nul_characters_in_every_string_field_are_refused_and_write_nothing => nul_characters_in_every_string_field_are_refused_and_write_nothing,
    numbers_out_of_every_range_are_refused_and_write_nothing => numbers_out_of_every_range_are_refused_and_write_nothing,
    negative_zero_is_zero_or_refused => negative_zero_is_zero_or_refused,
    ten_megabyte_strings_are_refused_and_write_nothing => ten_megabyte_strings_are_refused_and_write_nothing,
    ten_thousand_levels_of_nesting_are_refused_without_overflowing_the_stack => ten_thousand_levels_of_nesting_are_refused_without_overflowing_the_stack,
    duplicate_keys_are_refused_and_write_nothing => duplicate_keys_are_refused_and_write_nothing,
    bytes_that_are_not_utf8_are_refused_and_write_nothing => bytes_that_are_not_utf8_are_refused_and_write_nothing,
    wrong_content_types_get_415_and_empty_bodies_400_and_write_nothing => wrong_content_types_get_415_and_empty_bodies_400_and_write_nothing,
    methods_a_route_does_not_have_get_405_with_allow => methods_a_route_does_not_have_get_405_with_allow,
}
