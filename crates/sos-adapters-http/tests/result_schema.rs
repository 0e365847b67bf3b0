//! Real results (and every sync body form) validate against the document's schemas, so the adapter's mirror of the domain
//! result types (`dto::result_schema`) cannot drift: a field the domain writes that the schema does
//! not declare, a declared field the domain never writes, a wrong type or an enum value the schema
//! lacks all fail here. The validator is written out below (no JSON-schema crate is vendored).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use serde_json::{json, Value};

/// Fields a result omits when they do not apply (`skip_serializing_if`).
const OMITTABLE: [&str; 8] = [
    "am_id",
    "exception",
    "appeal_id",
    "calculated_at",
    "tiers",
    "dry_run",
    "count",
    "details",
];

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let name = r.strip_prefix("#/components/schemas/").unwrap();
            doc["components"]["schemas"]
                .get(name)
                .unwrap_or_else(|| panic!("{r} is not in the document"))
        }
        None => schema,
    }
}

/// Whether `v` is of JSON Schema type `t`. A request may spell an integer `2.0` (JSON Schema's
/// reading); an answer writes integers plainly.
fn type_matches(t: &str, v: &Value, complete: bool) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "string" => v.is_string(),
        "integer" if !complete => {
            v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        other => panic!("unknown type {other}"),
    }
}

/// Every way `value` breaks `schema`, as `path: reason`.
/// `complete`: every declared field must be written (answers, which write every field); a
/// request body may leave optional fields out.
fn check(
    doc: &Value,
    schema: &Value,
    value: &Value,
    path: &str,
    complete: bool,
    errors: &mut Vec<String>,
) {
    let schema = resolve(doc, schema);
    if let Some(one_of) = schema["oneOf"].as_array() {
        let matching = one_of
            .iter()
            .filter(|s| {
                let mut e = Vec::new();
                check(doc, s, value, path, complete, &mut e);
                e.is_empty()
            })
            .count();
        if matching != 1 {
            // Report the closest branch's reasons to say why.
            let mut best: Option<Vec<String>> = None;
            for s in one_of {
                let mut e = Vec::new();
                check(doc, s, value, path, complete, &mut e);
                if best.as_ref().is_none_or(|b| e.len() < b.len()) {
                    best = Some(e);
                }
            }
            errors.push(format!(
                "{path}: matches {matching} oneOf branches: {:?}",
                best.unwrap_or_default()
            ));
        }
    }
    if let Some(any_of) = schema["anyOf"].as_array() {
        let matches = |s: &Value| {
            let mut e = Vec::new();
            check(doc, s, value, path, complete, &mut e);
            e.is_empty()
        };
        if !any_of.iter().any(matches) {
            errors.push(format!("{path}: matches no anyOf branch"));
        }
    }
    if let Some(not) = schema.get("not") {
        let mut e = Vec::new();
        check(doc, not, value, path, complete, &mut e);
        if e.is_empty() {
            errors.push(format!("{path}: matches what `not` refuses"));
        }
    }
    for part in schema["allOf"].as_array().into_iter().flatten() {
        check(doc, part, value, path, complete, errors);
    }
    match &schema["type"] {
        Value::String(t) if !type_matches(t, value, complete) => {
            errors.push(format!("{path}: {value} is not {t}"));
            return;
        }
        Value::Array(ts)
            if !ts
                .iter()
                .any(|t| type_matches(t.as_str().unwrap(), value, complete)) =>
        {
            errors.push(format!("{path}: {value} is none of {ts:?}"));
            return;
        }
        _ => {}
    }
    if let Some(values) = schema["enum"].as_array() {
        if !values.contains(value) {
            errors.push(format!("{path}: {value} is not one of {values:?}"));
        }
    }
    if let (Some(n), Some(m)) = (value.as_f64(), schema["exclusiveMinimum"].as_f64()) {
        if n <= m {
            errors.push(format!("{path}: {n} is not above {m}"));
        }
    }
    if let (Some(text), Some(pattern)) = (value.as_str(), schema["pattern"].as_str()) {
        if !regex::Regex::new(pattern).unwrap().is_match(text) {
            errors.push(format!("{path}: {text:?} does not match {pattern}"));
        }
    }
    if let (Some(text), Some(max)) = (value.as_str(), schema["maxLength"].as_u64()) {
        if text.chars().count() as u64 > max {
            errors.push(format!("{path}: longer than {max}"));
        }
    }
    if let (Some(text), Some(min)) = (value.as_str(), schema["minLength"].as_u64()) {
        if (text.chars().count() as u64) < min {
            errors.push(format!("{path}: shorter than {min}"));
        }
    }
    if let (Value::Number(n), Some(step)) = (value, schema.get("multipleOf")) {
        // The document's steps are powers of ten (`1e-28`): count the decimal places.
        let places = |text: &str| -> i64 {
            let (mantissa, exponent) = text
                .to_ascii_lowercase()
                .split_once('e')
                .map(|(m, e)| (m.to_owned(), e.parse::<i64>().unwrap()))
                .unwrap_or((text.to_owned(), 0));
            let fraction = mantissa.split_once('.').map_or("", |(_, f)| f);
            i64::try_from(fraction.trim_end_matches('0').len()).unwrap() - exponent
        };
        let step = step.to_string();
        assert!(
            step.starts_with("1e-"),
            "multipleOf {step} is not a power of ten"
        );
        if places(&n.to_string()) > places(&step) {
            errors.push(format!("{path}: {n} is not a multiple of {step}"));
        }
    }
    if let Some(n) = value.as_f64() {
        if schema["minimum"].as_f64().is_some_and(|m| n < m) {
            errors.push(format!("{path}: {n} is under the minimum"));
        }
        if schema["maximum"].as_f64().is_some_and(|m| n > m) {
            errors.push(format!("{path}: {n} is over the maximum"));
        }
    }
    if let Some(items) = value.as_array() {
        if schema["minItems"]
            .as_u64()
            .is_some_and(|m| (items.len() as u64) < m)
            || schema["maxItems"]
                .as_u64()
                .is_some_and(|m| (items.len() as u64) > m)
        {
            errors.push(format!("{path}: {} items is out of range", items.len()));
        }
        if let Some(item_schema) = schema.get("items") {
            for (i, item) in items.iter().enumerate() {
                check(
                    doc,
                    item_schema,
                    item,
                    &format!("{path}[{i}]"),
                    complete,
                    errors,
                );
            }
        }
    }
    // Only an object schema speaks about fields (a bare `oneOf` leaves that to its branches).
    let speaks_of_fields = schema.get("properties").is_some()
        || schema.get("additionalProperties").is_some()
        || schema["type"] == "object";
    if let Some(object) = value.as_object().filter(|_| speaks_of_fields) {
        let declared = schema["properties"].as_object();
        if let Some(declared) = declared {
            for (name, sub) in declared {
                match object.get(name) {
                    Some(v) => check(doc, sub, v, &format!("{path}.{name}"), complete, errors),
                    None if !complete || OMITTABLE.contains(&name.as_str()) => {}
                    None => errors.push(format!("{path}.{name}: declared but not written")),
                }
            }
        }
        for name in schema["required"].as_array().into_iter().flatten() {
            let name = name.as_str().unwrap();
            if !object.contains_key(name) {
                errors.push(format!("{path}.{name}: required but missing"));
            }
        }
        let extra_allowed = schema.get("additionalProperties");
        for (name, v) in object {
            if declared.is_some_and(|d| d.contains_key(name)) {
                continue;
            }
            match extra_allowed {
                Some(Value::Object(_)) => check(
                    doc,
                    &schema["additionalProperties"],
                    v,
                    &format!("{path}.{name}"),
                    complete,
                    errors,
                ),
                // Declared free-form (a mapping, the rule grammar).
                Some(Value::Bool(true)) => {}
                // A bare `{"type": "object"}` is what this document must not answer with.
                _ => errors.push(format!("{path}.{name}: written but not declared")),
            }
        }
    }
}

/// Checks an answer: every declared field written.
fn assert_valid(schema_name: &str, value: &Value, what: &str) {
    let schema = json!({"$ref": format!("#/components/schemas/{schema_name}")});
    let errors = answer_violations(&schema, value);
    assert!(
        errors.is_empty(),
        "{what} does not match {schema_name}:\n{}",
        errors.join("\n")
    );
}

/// Checks a request body: optional fields may be left out.
fn assert_body_valid(schema_name: &str, value: &Value, what: &str) {
    let errors = violations(&reference(schema_name), value);
    assert!(
        errors.is_empty(),
        "{what} does not match {schema_name}:\n{}",
        errors.join("\n")
    );
}

/// How a request body breaks `schema`.
fn violations(schema: &Value, value: &Value) -> Vec<String> {
    let doc = sos_adapters_http::openapi::document();
    let mut errors = Vec::new();
    check(doc, schema, value, "$", false, &mut errors);
    errors
}

/// How an answer breaks `schema`.
fn answer_violations(schema: &Value, value: &Value) -> Vec<String> {
    let doc = sos_adapters_http::openapi::document();
    let mut errors = Vec::new();
    check(doc, schema, value, "$", true, &mut errors);
    errors
}

/// The answer schema the document gives an operation's 200.
fn answer_schema(method: &str, path: &str) -> Value {
    let doc = sos_adapters_http::openapi::document();
    doc["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"].clone()
}

#[test]
fn every_golden_domain_result_matches_score_view() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../sos-domain/tests/golden");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let value: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_valid("ScoreView", &value, &path.display().to_string());
        // A round trip through the domain type writes the same shape.
        let result: sos_domain::ScoreResult = serde_json::from_value(value).unwrap();
        let view = serde_json::to_value(sos_adapters_http::dto::scores::ScoreView::of_result(
            &result,
        ))
        .unwrap();
        assert_valid("ScoreView", &view, &path.display().to_string());
        seen += 1;
    }
    assert!(seen >= 5, "golden results missing from {}", dir.display());
}

#[actix_web::test]
async fn stored_results_runs_and_previews_match_their_documented_schemas() {
    let app = TestApp::seeded().await;
    let run = app
        .post("/api/sos/monthly/calculate", &json!({"period": "2026-02"}))
        .await;
    run.assert_status(200);
    assert_eq!(
        answer_schema("post", "/api/sos/monthly/calculate")["$ref"],
        "#/components/schemas/RunView"
    );
    assert_valid("RunView", &run.json(), "the calculate answer");
    let runs = app.get("/api/sos/runs").await.json();
    for r in runs.as_array().unwrap() {
        assert_valid("RunView", r, "a run row");
    }

    let summary = app.get("/api/sos/monthly/2026-02/summary").await;
    summary.assert_status(200);
    assert_valid("PeriodSummary", &summary.json(), "the period summary");
    let am = app.get("/api/sos/am/1/scores/2026-02").await;
    am.assert_status(200);
    assert_valid("AmScore", &am.json(), "the AM score");
    assert!(!am.json()["sellers"].as_array().unwrap().is_empty());

    let stored = app.get("/api/sos/sellers/SEL001/scores/2026-02").await;
    stored.assert_status(200);
    assert_valid("ScoreView", &stored.json(), "the stored result");
    let page = app.get("/api/sos/monthly/2026-02/scores").await.json();
    assert_valid("ScorePage", &page, "the period's results");

    let previews = [
        preview_example(),
        json!({"period": "2026-02", "orders": {"total_orders": 100, "orders_late": 0}}),
        json!({"period": "2026-02", "tickets": {"total_tickets": 4, "avg_response_time_hours": 9}}),
        json!({"period": "2026-02", "orders": {"total_orders": 0}}),
        json!({"period": "2026-02"}),
    ];
    for body in previews {
        let r = app.post("/api/sos/preview", &body).await;
        r.assert_status(200);
        assert_eq!(
            answer_schema("post", "/api/sos/preview")["$ref"],
            "#/components/schemas/ScoreView"
        );
        assert_valid("ScoreView", &r.json(), &format!("the preview of {body}"));
    }
}

#[test]
fn the_validator_rejects_what_the_schema_does_not_say() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../sos-domain/tests/golden");
    let good: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("seed_example.json")).unwrap())
            .unwrap();
    let doc = sos_adapters_http::openapi::document();
    let schema = json!({"$ref": "#/components/schemas/ScoreView"});
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        edit(&mut v);
        let mut errors = Vec::new();
        check(doc, &schema, &v, "$", true, &mut errors);
        errors
    };
    assert!(broken(&|_| {}).is_empty());
    let cases: [&dyn Fn(&mut Value); 5] = [
        &|v| v["components"]["o_score"]["explanation"]["extra"] = json!(1),
        &|v| {
            v["components"]["o_score"]["explanation"]
                .as_object_mut()
                .unwrap()
                .remove("late_pct");
        },
        &|v| v["status"] = json!("maybe"),
        &|v| v["components"]["t_score"]["explanation"]["buckets"][0]["bucket"] = json!("1h"),
        &|v| v["grace"]["applied"] = json!("yes"),
    ];
    for (i, case) in cases.iter().enumerate() {
        assert!(!broken(case).is_empty(), "case {i} was not caught");
    }
}

/// The request body schema the document gives a sync path.
fn sync_body_schema(path: &str) -> Value {
    let doc = sos_adapters_http::openapi::document();
    doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"].clone()
}

fn raw_orders_example() -> Value {
    json!({"seller_code": "SEL001", "orders": [
        {"order_id": "O-1", "created_at": "2026-03-02T10:00:00Z", "pushed_at": "2026-03-02T10:10:00Z", "status": "pushed"},
        {"order_id": "O-2", "created_at": "2026-03-02T10:00:00Z", "pushed_at": null, "status": "pending"}
    ]})
}

#[actix_web::test]
async fn every_sync_form_the_document_states_is_accepted_and_its_answer_matches() {
    let app = TestApp::new().await;
    app.seed_master().await;
    let mut bodies: Vec<(&str, Value)> = Vec::new();
    for (path, one) in seed_examples() {
        bodies.push((path, one.clone()));
        bodies.push((path, json!([one])));
    }
    bodies.push(("/api/sync/payments", payments_format_b_example()));
    // Formats may be mixed in one batch (one record per seller and period).
    let mut january = payments_format_b_example();
    january["period"] = json!("2026-01");
    bodies.push(("/api/sync/payments", json!([payments_example(), january])));
    // A period with no invoices.
    bodies.push((
        "/api/sync/payments",
        json!({"seller_code": "SEL001", "period": "2026-03", "invoices": []}),
    ));
    bodies.push(("/api/sync/orders", raw_orders_example()));
    bodies.push(("/api/sync/orders", json!([raw_orders_example()])));
    for (path, body) in bodies {
        let errors = violations(&sync_body_schema(path), &body);
        assert!(errors.is_empty(), "{path} {body}: {errors:?}");
        let r = app.post(path, &body).await;
        r.assert_status(200);
        assert_valid("SyncAccepted", &r.json(), path);
        if body.is_array() {
            assert_eq!(
                r.json()["count"],
                json!(body.as_array().unwrap().len()),
                "{path}"
            );
        }
    }
}

#[actix_web::test]
async fn sync_bodies_the_document_refuses_the_server_refuses() {
    let app = TestApp::new().await;
    app.seed_master().await;
    let mut both = payments_example();
    both["invoices"] = payments_format_b_example()["invoices"].clone();
    let mut neither = payments_example();
    neither.as_object_mut().unwrap().remove("total_invoices");
    let mut mixed = orders_example();
    mixed["orders"] = raw_orders_example()["orders"].clone();
    let mut format_b_with_a_figure = payments_format_b_example();
    format_b_with_a_figure["invoices_late_1_7"] = json!(1);
    let cases = [
        ("/api/sync/payments", both),
        ("/api/sync/payments", neither),
        ("/api/sync/orders", mixed),
        ("/api/sync/tickets", json!([])),
        (
            "/api/sync/revenue",
            Value::Array(vec![revenue_example(); 1001]),
        ),
        ("/api/sync/payments", format_b_with_a_figure),
    ];
    for (path, body) in cases {
        let shown: String = body.to_string().chars().take(120).collect();
        assert!(
            !violations(&sync_body_schema(path), &body).is_empty(),
            "the document accepts {path} {shown}"
        );
        let r = app.post(path, &body).await;
        r.assert_status(400);
        assert_valid("ErrorBody", &r.json(), path);
    }
    // A batch error names the record by index.
    let mut bad = tickets_example();
    bad["period"] = json!("2026-13");
    let r = app
        .post("/api/sync/tickets", &json!([tickets_example(), bad]))
        .await;
    r.assert_status(400);
    assert_eq!(r.json()["details"][0]["field"], "[1].period");
}

/// The request body schema the document gives `method path`.
fn request_body_schema(method: &str, path: &str) -> Value {
    let doc = sos_adapters_http::openapi::document();
    doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"].clone()
}

/// `body` with `field` set to `value` (a `/`-separated pointer; `null` removes the field).
fn with(body: Value, field: &str, value: Value) -> Value {
    let mut body = body;
    let (parent, name) = field.rsplit_once('/').unwrap_or(("", field));
    let target = if parent.is_empty() {
        &mut body
    } else {
        body.pointer_mut(&format!("/{parent}")).unwrap()
    };
    match (target, value) {
        (Value::Object(m), Value::Null) => {
            m.remove(name);
        }
        (Value::Object(m), v) => {
            m.insert(name.to_owned(), v);
        }
        (Value::Array(items), v) => items[name.parse::<usize>().unwrap()] = v,
        (other, _) => panic!("{field} is not in {other}"),
    }
    body
}

/// The master data and sync rules the document states are the server's: what the document
/// refuses the server refuses, and what it accepts (numbers spelled any way JSON allows, an AM
/// without an id, the longest order id) the server accepts.
#[actix_web::test]
async fn master_and_sync_rules_the_document_states_are_the_servers() {
    let app = TestApp::new().await;
    app.seed_master().await;
    let seller = || seller_body("SEL002");
    let am = |email: &str| json!({"name": "X", "email": email});
    let big: Value = serde_json::from_str("79228162514264330000000000000").unwrap();
    let max_money = || json!(sos_domain::inputs::MAX_MONEY);
    // (method, path, body with `field` set to `value`; null removes it)
    let refused: Vec<(&str, &str, Value, &str, Value)> = vec![
        ("post", "/api/sellers", seller(), "seller_code", Value::Null),
        (
            "post",
            "/api/sellers",
            seller(),
            "seller_code",
            json!("SEL 2 "),
        ),
        (
            "post",
            "/api/sellers",
            seller(),
            "seller_code",
            json!("A/B"),
        ),
        (
            "post",
            "/api/sellers",
            seller(),
            "company_name",
            json!("  "),
        ),
        (
            "post",
            "/api/sellers",
            seller(),
            "company_name",
            json!("x".repeat(201)),
        ),
        ("post", "/api/sellers", seller(), "contract_type", json!("")),
        (
            "post",
            "/api/sellers",
            seller(),
            "country_code",
            json!("vn"),
        ),
        (
            "post",
            "/api/sellers",
            seller(),
            "warehouse_id",
            json!("WH\u{1}"),
        ),
        ("post", "/api/sellers", seller(), "am_id", json!(0)),
        (
            "put",
            "/api/sellers/SEL001",
            seller(),
            "company_name",
            json!(""),
        ),
        (
            "post",
            "/api/campaigns",
            campaign_body(),
            "campaign_code",
            Value::Null,
        ),
        (
            "post",
            "/api/campaigns",
            campaign_body(),
            "name",
            json!("\t"),
        ),
        (
            "post",
            "/api/account-managers",
            am("a@b"),
            "id",
            Value::Null,
        ),
        (
            "post",
            "/api/account-managers",
            am("a@.b.c"),
            "id",
            Value::Null,
        ),
        (
            "post",
            "/api/account-managers",
            am("@b.c"),
            "id",
            Value::Null,
        ),
        (
            "post",
            "/api/account-managers",
            am("a b@c.d"),
            "id",
            Value::Null,
        ),
        ("post", "/api/account-managers", am("a@b.c"), "id", json!(0)),
        (
            "post",
            "/api/account-managers",
            am("a@b.c"),
            "name",
            json!(""),
        ),
        (
            "post",
            "/api/sync/orders",
            orders_example(),
            "period",
            json!("1999-12"),
        ),
        (
            "post",
            "/api/sync/orders",
            orders_example(),
            "seller_code",
            json!(""),
        ),
        (
            "post",
            "/api/sync/orders",
            orders_example(),
            "total_orders",
            json!(1.5),
        ),
        (
            "post",
            "/api/sync/orders",
            raw_orders_example(),
            "orders",
            json!([]),
        ),
        (
            "post",
            "/api/sync/orders",
            raw_orders_example(),
            "orders/0/order_id",
            json!(" "),
        ),
        (
            "post",
            "/api/sync/orders",
            raw_orders_example(),
            "orders/0/order_id",
            json!("é".repeat(129)),
        ),
        (
            "post",
            "/api/sync/orders",
            raw_orders_example(),
            "orders/0/status",
            json!("lost"),
        ),
        (
            "post",
            "/api/sync/forecasts",
            forecast_example(),
            "notes",
            json!("a\u{1}b"),
        ),
        (
            "post",
            "/api/sync/forecasts",
            forecast_example(),
            "campaign_code",
            json!(" CAMP"),
        ),
        (
            "post",
            "/api/sync/tickets",
            tickets_example(),
            "breakdown/under_4h",
            json!(-1),
        ),
        (
            "post",
            "/api/sync/payments",
            payments_example(),
            "currency",
            json!("vnd"),
        ),
        (
            "post",
            "/api/sync/payments",
            payments_example(),
            "worst_days_late",
            json!(1u64 << 31),
        ),
        (
            "post",
            "/api/sync/payments",
            payments_format_b_example(),
            "invoices/0/invoice_id",
            json!(""),
        ),
        (
            "post",
            "/api/sync/payments",
            payments_format_b_example(),
            "invoices/0/amount",
            json!(1e-29),
        ),
        (
            "post",
            "/api/sync/payments",
            payments_format_b_example(),
            "invoices/1/amount",
            json!(2e15),
        ),
        (
            "post",
            "/api/sync/inventory",
            inventory_example(),
            "snapshot_date",
            json!("1999-12-31"),
        ),
        (
            "post",
            "/api/sync/inventory",
            inventory_example(),
            "total_cbm",
            json!(1e29),
        ),
        (
            "post",
            "/api/sync/revenue",
            revenue_example(),
            "am_id",
            json!(0),
        ),
        (
            "post",
            "/api/sync/revenue",
            revenue_example(),
            "revenue_target",
            json!(1.5e15),
        ),
        (
            "post",
            "/api/sos/preview",
            preview_example(),
            "previous_tier",
            json!(""),
        ),
        (
            "post",
            "/api/sos/preview",
            preview_example(),
            "payments/total_invoices",
            json!(1),
        ),
    ];
    for (method, path, body, field, value) in refused {
        let body = with(body, field, value);
        let template = path.replace("SEL001", "{seller_code}");
        let what = format!(
            "{method} {path} with {field} = {}",
            body.pointer(&format!("/{field}")).unwrap_or(&Value::Null)
        );
        assert!(
            !violations(&request_body_schema(method, &template), &body).is_empty(),
            "the document accepts {what}"
        );
        let m = actix_web::http::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let r = app.request(m, path, Some(ADMIN_KEY), Some(&body)).await;
        assert_eq!(r.status.as_u16(), 400, "{what}: {}", r.text());
    }

    let accepted: Vec<(&str, Value, &str, Value, u16)> = vec![
        ("/api/account-managers", am("x@y.z"), "id", Value::Null, 201),
        (
            "/api/account-managers",
            am("a@b@c.d"),
            "id",
            Value::Null,
            201,
        ),
        ("/api/sellers", seller(), "am_id", json!(1.0), 201),
        (
            "/api/sync/orders",
            orders_example(),
            "total_orders",
            json!(150.0),
            200,
        ),
        (
            "/api/sync/orders",
            orders_example(),
            "orders_late",
            json!(1e1),
            200,
        ),
        (
            "/api/sync/orders",
            raw_orders_example(),
            "orders/0/order_id",
            json!("é".repeat(128)),
            200,
        ),
        (
            "/api/sync/tickets",
            tickets_example(),
            "breakdown/under_4h",
            json!(18.0),
            200,
        ),
        (
            "/api/sync/inventory",
            inventory_example(),
            "total_sku_qty",
            big,
            200,
        ),
        (
            "/api/sync/payments",
            payments_example(),
            "total_outstanding_amount",
            max_money(),
            200,
        ),
        (
            "/api/sync/payments",
            payments_format_b_example(),
            "invoices/0/amount",
            json!(1e-28),
            200,
        ),
        (
            "/api/sync/revenue",
            revenue_example(),
            "revenue_actual",
            max_money(),
            200,
        ),
        (
            "/api/sync/revenue",
            revenue_example(),
            "revenue_target",
            json!(0.1),
            200,
        ),
        (
            "/api/sync/forecasts",
            forecast_example(),
            "notes",
            json!("line one\nline two"),
            200,
        ),
    ];
    for (path, body, field, value, status) in accepted {
        let body = with(body, field, value);
        let what = format!(
            "{path} with {field} = {}",
            body.pointer(&format!("/{field}")).unwrap_or(&Value::Null)
        );
        let errors = violations(&request_body_schema("post", path), &body);
        assert!(errors.is_empty(), "the document refuses {what}: {errors:?}");
        let r = app.post(path, &body).await;
        assert_eq!(r.status.as_u16(), status, "{what}: {}", r.text());
    }
}

/// The schema name of a config type's body (`score-weights` -> `ScoreWeightsConfig`).
fn config_schema_name(config_type: &str) -> String {
    let name: String = config_type
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    format!("{name}Config")
}

fn config_answer_schema(method: &str, path: &str, status: &str) -> Value {
    let doc = sos_adapters_http::openapi::document();
    doc["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"].clone()
}

#[actix_web::test]
async fn every_config_type_has_typed_body_and_row_schemas_the_server_agrees_with() {
    let app = TestApp::new().await;
    let body_schema = {
        let doc = sos_adapters_http::openapi::document();
        doc["paths"]["/api/config/{config_type}"]["post"]["requestBody"]["content"]
            ["application/json"]["schema"]
            .clone()
    };
    assert_eq!(body_schema["anyOf"].as_array().unwrap().len(), 12);
    for (config_type, body, field, new_value) in config_examples() {
        let name = config_schema_name(config_type);
        assert_body_valid(&name, &body, config_type);
        assert!(violations(&body_schema, &body).is_empty());
        let r = app.post(&format!("/api/config/{config_type}"), &body).await;
        r.assert_status(201);
        let row = r.json();
        assert_valid(&format!("{name}Row"), &row, config_type);
        assert!(answer_violations(
            &config_answer_schema("post", "/api/config/{config_type}", "201"),
            &row
        )
        .is_empty());
        // The update body is the full row as written, one field changed.
        let mut update = body.clone();
        update[field] = new_value;
        assert_body_valid(&name, &update, config_type);
        let id = row["id"].as_i64().unwrap();
        let r = app
            .put(&format!("/api/config/{config_type}/{id}"), &update)
            .await;
        r.assert_status(200);
        assert_valid(&format!("{name}Row"), &r.json(), config_type);
        // Every stored row of the type, defaults seeded at start included, matches the row schema.
        let list = app.get(&format!("/api/config/{config_type}")).await.json();
        for row in list.as_array().unwrap() {
            assert_valid(&format!("{name}Row"), row, config_type);
        }
        // An unknown field and an out-of-range figure: refused by the schema and by the server.
        let mut unknown = body.clone();
        unknown["colour"] = json!("red");
        assert!(!violations(&reference(&name), &unknown).is_empty());
        app.post(&format!("/api/config/{config_type}"), &unknown)
            .await
            .assert_status(400);
    }
    let out_of_range = [
        ("score-weights", "weight_pct", json!(101)),
        ("tiers", "tier_order", json!(0)),
        ("p-score", "required_lead_days", json!(366)),
        ("o-score", "max_delay_minutes", json!(0)),
        ("t-score", "response_hours_min", json!(-1)),
        ("f-score", "days_late_min", json!(36_501)),
        ("i-score", "calculation_basis", json!("volume")),
        ("am-bonus-penalty", "currency", json!("vnd")),
        ("am-kpi-weight", "component", json!("margin")),
        ("grace-period", "apply_to_components", json!([])),
        ("helpdesk", "country_code", json!("VNM")),
        ("surcharge", "surcharge_type", json!(" ")),
    ];
    let examples = config_examples();
    for (config_type, field, value) in out_of_range {
        let mut body = examples
            .iter()
            .find(|e| e.0 == config_type)
            .unwrap()
            .1
            .clone();
        body[field] = value;
        let name = config_schema_name(config_type);
        assert!(
            !violations(&reference(&name), &body).is_empty(),
            "{name} accepts {field} = {}",
            body[field]
        );
        app.post(&format!("/api/config/{config_type}"), &body)
            .await
            .assert_status(400);
    }
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}
