//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` attributes.

use crate::{dto, error, responses, routes};
use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi,
};

/// Adds every operation, from the one list the app registers its routes from
/// ([`routes::OPERATIONS`]), with the schemas their attributes name.
#[derive(Debug)]
struct Operations;

impl Modify for Operations {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi.merge(routes::OperationsDoc::openapi());
    }
}

/// Declares the bearer scheme every `/api` operation uses.
#[derive(Debug)]
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .bearer_format("sos_<id>_<secret>")
                        .description(Some(
                            "An API key: `Authorization: Bearer <key>`. Each operation lists the scope it needs; `admin` implies all.",
                        ))
                        .build(),
                ),
            );
        }
    }
}

/// OpenAPI requires a description on every response; where a handler gave none, the standard
/// meaning of its status is used, so generated clients accept the document.
#[derive(Debug)]
struct ResponseDescriptions;

/// The common error answers are described once, in [`crate::responses`]; what is left without a
/// description is a success or an operation's own conflict.
fn status_meaning(code: &str) -> &'static str {
    match code {
        "200" => "OK",
        "201" => "Created",
        "409" => "Conflict",
        "422" => "Valid input, but the operation cannot proceed",
        _ => "Response",
    }
}

impl Modify for ResponseDescriptions {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                item.get.as_mut(),
                item.post.as_mut(),
                item.put.as_mut(),
                item.delete.as_mut(),
                item.patch.as_mut(),
            ];
            for op in operations.into_iter().flatten() {
                for (code, response) in op.responses.responses.iter_mut() {
                    if let utoipa::openapi::RefOr::T(r) = response {
                        if r.description.trim().is_empty() {
                            r.description = status_meaning(code).to_owned();
                        }
                    }
                }
            }
        }
    }
}

/// The SOS HTTP API.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "SOS: Seller Operations Score",
        description = "Sync seller data from the order, warehouse, helpdesk and accounting systems, configure the scoring, calculate monthly scores and explain them.",
        version = "0.1.0"
    ),
    components(
        schemas(
            error::ErrorBody, error::ErrorDetail, routes::sync::SyncAccepted,
            dto::sync::RawOrderSync, dto::sync::RawOrderItem,
        ),
        responses(
            responses::BadRequest, responses::Unauthorized, responses::Forbidden, responses::NotFound,
            responses::PayloadTooLarge, responses::UnsupportedMediaType, responses::Unavailable,
            routes::sync::Stored, routes::sync::SeedBadRequest, routes::sync::UnknownSeller,
            routes::sync::UnknownCampaign,
        ),
    ),
    modifiers(&Operations, &BearerScheme, &ResponseDescriptions),
    tags(
        (name = "sync", description = "Idempotent upserts from the OMS, WMS, helpdesk and accounting"),
        (name = "config", description = "The 12 config types, one generic CRUD"),
        (name = "master-data", description = "Sellers, campaigns, account managers"),
        (name = "scores", description = "Calculate, finalize, read and explain scores"),
        (name = "admin", description = "API keys and the audit log"),
        (name = "exceptions", description = "Score overrides by ops: set a component's score or leave it out"),
        (name = "appeals", description = "Appeals on scores through two levels of review"),
        (name = "enforcement", description = "Order blocking: whether the OMS may accept a seller's orders, and the manual unblock"),
        (name = "webhooks", description = "Outbound webhooks: subscriptions, signing secrets, delivery logs and replays"),
        (name = "operations", description = "Health, readiness, metrics, this document"),
    )
)]
pub struct ApiDoc;

/// `YYYY-MM` with a year from 2000 to 9999: what `Period::parse` accepts.
pub const PERIOD_PATTERN: &str = "^[2-9][0-9]{3}-(0[1-9]|1[0-2])$";

/// A seller, campaign or tier code as `SellerCode::parse` accepts it: no control characters,
/// no `/`, no whitespace at either end (with `minLength` 1 and `maxLength` 64).
pub const CODE_PATTERN: &str =
    r"^[^\x00-\x1f\x7f-\x9f/\s]([^\x00-\x1f\x7f-\x9f/]*[^\x00-\x1f\x7f-\x9f/\s])?$";

/// An API key name: not blank, one line, no control characters.
pub const NAME_PATTERN: &str =
    r"^[^\x00-\x1f\x7f-\x9f]*[^\x00-\x1f\x7f-\x9f\s][^\x00-\x1f\x7f-\x9f]*$";

/// Free text in a query string: no control characters.
pub const QUERY_TEXT_PATTERN: &str = r"^[^\x00-\x1f\x7f-\x9f]*$";

/// utoipa writes a struct with a flattened field as `allOf: [{$ref: Figures}, {its own fields}]`.
/// The figures refuse unknown fields where they stand alone (the preview's parts), and that
/// `additionalProperties: false` inside `allOf` would refuse the host's own fields too. So each
/// such schema becomes the one object the handler reads: the parts' fields and required lists.
fn merge_flattened(doc: &mut serde_json::Value) {
    use serde_json::{Map, Value};
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let named = schemas.clone();
    for schema in schemas.values_mut() {
        let Some(Value::Array(parts)) = schema.as_object_mut().and_then(|s| s.remove("allOf"))
        else {
            continue;
        };
        let (mut properties, mut required) = (Map::new(), Vec::new());
        // The host's own fields first, as its `required` list read before.
        let (refs, own): (Vec<&Value>, Vec<&Value>) =
            parts.iter().partition(|p| p.get("$ref").is_some());
        for part in own.into_iter().chain(refs) {
            let part = part["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .and_then(|name| named.get(name))
                .unwrap_or(part);
            if let Some(p) = part["properties"].as_object() {
                properties.extend(p.clone());
            }
            if let Some(r) = part["required"].as_array() {
                required.extend(r.iter().cloned());
            }
        }
        if let Some(map) = schema.as_object_mut() {
            map.insert("type".into(), "object".into());
            map.insert("properties".into(), Value::Object(properties));
            map.insert("required".into(), Value::Array(required));
        }
    }
}

/// The document, with the constraints utoipa cannot derive filled in (see [`tighten`]).
pub fn document() -> &'static serde_json::Value {
    static DOC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        tighten(&mut doc);
        doc
    })
}

/// The document as pretty JSON, as committed in `openapi/openapi.json`.
pub fn document_json() -> String {
    serde_json::to_string_pretty(document()).unwrap_or_default()
}

/// Makes the document say exactly what the server accepts, where the derived schema is looser
/// or stricter than the handlers:
///
/// - `u32` fields: utoipa writes `format: int32` with a minimum of 0 or more, which clients (and fuzzers) read
///   as "at most 2^31-1"; the server takes up to 4294967295, so they become `int64` with that
///   maximum.
/// - path and query parameters the handlers parse: periods get [`PERIOD_PATTERN`], codes
///   [`CODE_PATTERN`], ids `minimum: 1`, config types and status filters their values, free
///   text no control characters.
/// - flattened bodies become one object (see [`merge_flattened`]).
/// - the fields of master data, sync and preview bodies get the rules the server applies, and
///   sellers and campaigns separate create and update bodies (see [`crate::request_schema`]).
fn tighten(doc: &mut serde_json::Value) {
    use serde_json::{json, Value};
    merge_flattened(doc);
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        crate::request_schema::tighten(schemas);
    }
    update_bodies(doc);
    sync_bodies(doc);
    config_bodies(doc);
    fn widen_u32(v: &mut Value) {
        match v {
            Value::Object(map) => {
                // utoipa gives unsigned fields a minimum (0, or the field's own); i32 has none.
                let is_u32 = map.get("format").and_then(Value::as_str) == Some("int32")
                    && map
                        .get("minimum")
                        .and_then(Value::as_i64)
                        .is_some_and(|m| m >= 0);
                if is_u32 {
                    map.insert("format".into(), json!("int64"));
                    map.entry("maximum").or_insert(json!(4_294_967_295u64));
                }
                map.values_mut().for_each(widen_u32);
            }
            Value::Array(items) => items.iter_mut().for_each(widen_u32),
            _ => {}
        }
    }
    widen_u32(doc);
    webhook_bodies(doc);
    let mut merge = |pointer: &str, extra: Value| {
        if let (Some(Value::Object(target)), Value::Object(extra)) =
            (doc.pointer_mut(pointer), extra)
        {
            target.extend(extra);
        }
    };
    let scopes: Vec<&str> = sos_ports::Scope::ALL.iter().map(|s| s.as_str()).collect();
    merge(
        "/components/schemas/NewKey/properties/name",
        json!({"minLength": 1, "maxLength": 64, "pattern": NAME_PATTERN}),
    );
    merge(
        "/components/schemas/NewKey/properties/scopes",
        json!({"minItems": 1, "uniqueItems": true}),
    );
    merge(
        "/components/schemas/NewKey/properties/scopes/items",
        json!({"enum": scopes}),
    );
    merge(
        "/components/schemas/CalculateBody/properties/period",
        json!({"pattern": PERIOD_PATTERN}),
    );
    for body in ["NewExceptionBody", "NewAppealBody"] {
        merge(
            &format!("/components/schemas/{body}/properties/period"),
            json!({"pattern": PERIOD_PATTERN}),
        );
        merge(
            &format!("/components/schemas/{body}/properties/seller_code"),
            json!({"minLength": 1, "maxLength": 64, "pattern": CODE_PATTERN}),
        );
    }
    merge(
        "/components/schemas/CalculateBody/properties/seller_codes",
        json!({"minItems": 1, "uniqueItems": true}),
    );
    merge(
        "/components/schemas/CalculateBody/properties/seller_codes/items",
        json!({"minLength": 1, "maxLength": 64, "pattern": CODE_PATTERN}),
    );
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for op in item.values_mut() {
            let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
                continue;
            };
            for param in params {
                let name = param
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                let Some(schema) = param.get_mut("schema").and_then(Value::as_object_mut) else {
                    continue;
                };
                match name.as_str() {
                    "period" => {
                        schema.insert("pattern".into(), json!(PERIOD_PATTERN));
                    }
                    "config_type" => {
                        schema.insert("enum".into(), json!(crate::dto::config::CONFIG_TYPES));
                    }
                    "seller_code" | "campaign_code" | "tier" => {
                        schema.insert("pattern".into(), json!(CODE_PATTERN));
                        schema.insert("minLength".into(), json!(1));
                        schema.insert("maxLength".into(), json!(64));
                    }
                    "am_id" => {
                        schema.insert("minimum".into(), json!(1));
                    }
                    "status" if path == "/api/sellers" => {
                        schema.insert(
                            "enum".into(),
                            json!(["active", "suspended", "terminated", "all"]),
                        );
                    }
                    "status" if path == "/api/sos/monthly/{period}/scores" => {
                        schema.insert(
                            "enum".into(),
                            json!(["scored", "insufficient_data", "recalculated"]),
                        );
                    }
                    "search" | "warehouse_id" | "entity" | "id" | "name"
                        if matches!(
                            path.as_str(),
                            "/api/sellers" | "/api/audit" | "/api/keys/{name}"
                        ) =>
                    {
                        schema.insert("pattern".into(), json!(QUERY_TEXT_PATTERN));
                    }
                    _ => {}
                }
            }
        }
    }
}

/// The webhook schemas' bounds, from the domain's rules (`sos_domain::webhook`).
fn webhook_bodies(doc: &mut serde_json::Value) {
    use serde_json::{json, Value};
    use sos_domain::webhook::{
        DEFAULT_MAX_ATTEMPTS, DEFAULT_TIMEOUT_SECONDS, MAX_MAX_ATTEMPTS, MAX_SUBSCRIBER_LEN,
        MAX_TIMEOUT_SECONDS, MAX_URL_LEN, SECRET_PREFIX,
    };
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let mut merge = |schema: &str, field: &str, extra: Value| {
        if let (Some(Value::Object(target)), Value::Object(extra)) = (
            schemas
                .get_mut(schema)
                .and_then(|s| s.pointer_mut(&format!("/properties/{field}"))),
            extra,
        ) {
            target.extend(extra);
        }
    };
    let timeout = json!({"minimum": 1, "maximum": MAX_TIMEOUT_SECONDS});
    let attempts = json!({"minimum": 1, "maximum": MAX_MAX_ATTEMPTS});
    for body in ["NewWebhookSubscription", "WebhookSubscriptionPatch"] {
        merge(
            body,
            "subscriber",
            json!({"minLength": 1, "maxLength": MAX_SUBSCRIBER_LEN, "pattern": NAME_PATTERN}),
        );
        merge(
            body,
            "endpoint_url",
            json!({"format": "uri", "maxLength": MAX_URL_LEN}),
        );
        merge(
            body,
            "event_types",
            json!({"minItems": 1, "uniqueItems": true}),
        );
        merge(body, "timeout_seconds", timeout.clone());
        merge(body, "max_attempts", attempts.clone());
    }
    merge(
        "NewWebhookSubscription",
        "timeout_seconds",
        json!({"default": DEFAULT_TIMEOUT_SECONDS}),
    );
    merge(
        "NewWebhookSubscription",
        "max_attempts",
        json!({"default": DEFAULT_MAX_ATTEMPTS}),
    );
    merge(
        "NewWebhookSubscription",
        "event_types",
        json!({"default": [sos_domain::webhook::ALL_EVENTS]}),
    );
    merge(
        "NewWebhookSubscription",
        "is_active",
        json!({"default": true}),
    );
    for view in ["WebhookSubscription", "WebhookSubscriptionWithSecret"] {
        merge(view, "timeout_seconds", timeout.clone());
        merge(view, "max_attempts", attempts.clone());
        merge(view, "event_types", json!({"minItems": 1}));
    }
    merge(
        "WebhookSubscriptionWithSecret",
        "secret",
        json!({"pattern": format!("^{SECRET_PREFIX}[A-Za-z0-9+/]{{43}}=$")}),
    );
    merge(
        "WebhookAttempt",
        "status_code",
        json!({"minimum": 100, "maximum": 999}),
    );
    merge("WebhookAttempt", "attempt", json!({"minimum": 1}));
    merge(
        "WebhookAttempt",
        "response_body",
        json!({"maxLength": sos_ports::MAX_LOGGED_BODY}),
    );
}

/// The update operations of sellers and campaigns take their update schemas (the code optional;
/// see [`crate::request_schema`]).
fn update_bodies(doc: &mut serde_json::Value) {
    use serde_json::json;
    for (path, schema) in [
        ("~1api~1sellers~1{seller_code}", "SellerUpdate"),
        ("~1api~1campaigns~1{campaign_code}", "CampaignUpdate"),
    ] {
        let pointer = format!("/paths/{path}/put/requestBody/content/application~1json/schema");
        if let Some(target) = doc.pointer_mut(&pointer) {
            *target = json!({"$ref": format!("#/components/schemas/{schema}")});
        }
    }
}

/// The seven sync paths and the schema of one record of each.
const SYNC_KINDS: [(&str, &str); 7] = [
    ("/api/sync/orders", "OrderSync"),
    ("/api/sync/forecasts", "ForecastSync"),
    ("/api/sync/campaign-actuals", "CampaignActualSync"),
    ("/api/sync/tickets", "TicketSync"),
    ("/api/sync/payments", "PaymentSync"),
    ("/api/sync/inventory", "InventorySync"),
    ("/api/sync/revenue", "RevenueSync"),
];

/// Each sync body becomes what the handler reads: `oneOf` one record or an array of 1 to
/// [`sos_app::MAX_BATCH`] (`<Kind>Batch`); orders also take the raw form (`RawOrderSync`, alone
/// or in an array), payments are Format A (`PaymentFormatA`) or Format B (`PaymentFormatB`).
/// The branches exclude each other: an object is not an array, the raw form is closed and lacks
/// the aggregate's required `period`, and each payment format refuses the other's fields
/// ([`crate::request_schema::payment_formats`]), so a payment with both matches neither, which
/// the server refuses too.
fn sync_bodies(doc: &mut serde_json::Value) {
    use serde_json::{json, Value};
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    if let Some(payment) = schemas.get("PaymentSync") {
        let (a, mut b) = crate::request_schema::payment_formats(payment);
        b["example"] = json!({"seller_code": "SEL001", "period": "2026-02", "currency": "VND",
            "invoices": [{"invoice_id": "INV001", "days_late": 0, "amount": 5000000},
                         {"invoice_id": "INV002", "days_late": 3, "amount": 2000000}]});
        schemas.insert("PaymentFormatA".into(), a);
        schemas.insert("PaymentFormatB".into(), b);
    }
    let reference = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let batch = |item: Value, what: &str| {
        json!({
            "type": "array",
            "description": format!("Up to {} {what} in one call, all or nothing: when any is invalid nothing is written and the 400's `details` name each problem by index (`[3].period`).", sos_app::MAX_BATCH),
            "items": item,
            "minItems": 1,
            "maxItems": sos_app::MAX_BATCH,
        })
    };
    let mut bodies = Vec::new();
    for (path, kind) in SYNC_KINDS {
        let branches = match kind {
            "OrderSync" => {
                schemas.insert(
                    "OrderSyncBatch".into(),
                    batch(reference("OrderSync"), "aggregate order records"),
                );
                schemas.insert(
                    "RawOrderSyncBatch".into(),
                    batch(reference("RawOrderSync"), "raw order records"),
                );
                [
                    "OrderSync",
                    "OrderSyncBatch",
                    "RawOrderSync",
                    "RawOrderSyncBatch",
                ]
                .map(reference)
                .to_vec()
            }
            "PaymentSync" => {
                schemas.insert(
                    "PaymentSyncBatch".into(),
                    batch(
                        json!({"oneOf": [reference("PaymentFormatA"), reference("PaymentFormatB")]}),
                        "payment records (each Format A or B)",
                    ),
                );
                ["PaymentFormatA", "PaymentFormatB", "PaymentSyncBatch"]
                    .map(reference)
                    .to_vec()
            }
            _ => {
                let name = format!("{kind}Batch");
                schemas.insert(name.clone(), batch(reference(kind), "records"));
                vec![reference(kind), reference(&name)]
            }
        };
        bodies.push((path, branches));
    }
    for (path, branches) in bodies {
        let pointer = format!(
            "/paths/{}/post/requestBody/content/application~1json/schema",
            path.replace('/', "~1")
        );
        if let Some(schema) = doc.pointer_mut(&pointer) {
            *schema = json!({"oneOf": branches});
        }
    }
}

/// The generic config operations take and answer the 12 typed schemas of
/// [`crate::config_schema`]: the body is `anyOf` the 12 bodies (the one of `{config_type}`), an
/// answer `anyOf` the 12 rows, so a generated client has a typed model per type.
fn config_bodies(doc: &mut serde_json::Value) {
    use serde_json::{json, Value};
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let mut names = crate::config_schema::add_schemas(schemas);
    // A parser trying the branches in turn meets the rows with the most required fields first.
    names.sort_by_key(|(_, _, row)| {
        std::cmp::Reverse(
            schemas[row.as_str()]["required"]
                .as_array()
                .map_or(0, Vec::len),
        )
    });
    let refs = |rows: bool| -> Vec<Value> {
        names
            .iter()
            .map(|(_, body, row)| {
                let name = if rows { row } else { body };
                json!({"$ref": format!("#/components/schemas/{name}")})
            })
            .collect()
    };
    let bodies = json!({"anyOf": refs(false)});
    let rows = json!({"anyOf": refs(true)});
    let set = |doc: &mut Value, pointer: &str, value: &Value| {
        if let Some(target) = doc.pointer_mut(pointer) {
            *target = value.clone();
        }
    };
    let json_schema = "content/application~1json/schema";
    let one = "~1api~1config~1{config_type}";
    let by_id = "~1api~1config~1{config_type}~1{id}";
    set(
        doc,
        &format!("/paths/{one}/post/requestBody/{json_schema}"),
        &bodies,
    );
    set(
        doc,
        &format!("/paths/{by_id}/put/requestBody/{json_schema}"),
        &bodies,
    );
    set(
        doc,
        &format!("/paths/{one}/post/responses/201/{json_schema}"),
        &rows,
    );
    for method in ["get", "put", "delete"] {
        set(
            doc,
            &format!("/paths/{by_id}/{method}/responses/200/{json_schema}"),
            &rows,
        );
    }
    set(
        doc,
        &format!("/paths/{one}/get/responses/200/{json_schema}"),
        &json!({"type": "array", "items": rows}),
    );
}
