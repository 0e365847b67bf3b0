//! The rules of the master data, sync, preview and unblock bodies, written into their schemas where a
//! JSON Schema can state them: codes, periods and dates as the domain parses them, text as
//! `sos_domain::text::check_text` and the e-mail check accept it, list sizes, enums, and decimals
//! as [`crate::dto::number`] reads them. What stays in prose is a rule between fields (a sum
//! bounded by a total, `end_date` on or after `start_date`), between items (unique `order_id`s,
//! a batch repeating an upsert key), a field that must equal a path parameter, a reference to a
//! stored record (an existing seller or campaign), and the free-form SKU breakdowns (no NUL and
//! exact numbers at any depth: a recursive schema the generated client cannot read).
//! `.ci/schemathesis.toml` lists the same rules, per operation.
//!
//! Create and update bodies of sellers and campaigns get their own schemas: the code is required
//! on create (`SellerBody`, `CampaignBody`) and optional on update (`SellerUpdate`,
//! `CampaignUpdate`, where it must equal the path).

use crate::openapi::{CODE_PATTERN, NAME_PATTERN, PERIOD_PATTERN};
use serde_json::{json, Map, Value};

/// The request schemas written from DTOs whose fields this module constrains.
const REQUEST_SCHEMAS: [&str; 22] = [
    "SellerBody",
    "CampaignBody",
    "AmBody",
    "OrderSync",
    "OrderFigures",
    "RawOrderSync",
    "RawOrderItem",
    "ForecastSync",
    "CampaignActualSync",
    "TicketSync",
    "TicketFigures",
    "BreakdownDto",
    "PaymentSync",
    "PaymentFigures",
    "InvoiceDto",
    "InventorySync",
    "InventoryFigures",
    "RevenueSync",
    "PreviewBody",
    "PreviewCampaign",
    "PreviewForecast",
    "UnblockBody",
];

/// The control characters `check_text` refuses (all but tab, line feed and carriage return).
const TEXT_CONTROLS: &str = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f";

/// Required free text (`check_text(.., true)`): not blank, no control characters but tab and
/// line breaks.
fn text_pattern() -> String {
    format!("^[^{TEXT_CONTROLS}]*[^{TEXT_CONTROLS}\\s][^{TEXT_CONTROLS}]*$")
}

/// Optional free text (`check_text(.., false)`): blank allowed.
fn prose_pattern() -> String {
    format!("^[^{TEXT_CONTROLS}]*$")
}

/// What `AccountManager::validate` takes for an e-mail: no whitespace or control characters, a
/// non-empty part before the first `@`, and after it a part that does not start with `.` and
/// holds one.
pub const EMAIL_PATTERN: &str = r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^.\s\x00-\x1f\x7f-\x9f][^\s\x00-\x1f\x7f-\x9f]*\.[^\s\x00-\x1f\x7f-\x9f]*$";

/// A date whose year a period can hold (2000-9999), with `format: date`.
pub const PERIOD_DATE_PATTERN: &str = "^[2-9][0-9]{3}-[0-9]{2}-[0-9]{2}$";

/// An instant whose year, as written, a period can hold (with `format: date-time`). The server
/// reads the year in UTC, which an offset can move across a year's first or last hour.
pub const PERIOD_INSTANT_PATTERN: &str = "^[2-9][0-9]{3}-";

/// The largest decimal a field takes (`rust_decimal::Decimal::MAX`).
const DECIMAL_MAX: &str = "79228162514264337593543950335";

/// The smallest step of a decimal: 28 decimal places.
const DECIMAL_STEP: &str = "1e-28";

/// `multipleOf` of an exact decimal: at most 28 decimal places.
pub fn decimal_step() -> Value {
    exact(DECIMAL_STEP)
}

/// A JSON number as written, kept exactly (the document is built with `arbitrary_precision`).
fn exact(text: &str) -> Value {
    text.parse().unwrap_or(Value::Null)
}

/// The keywords a field of a request body gets, by schema and field name.
fn field_rule(schema: &str, field: &str) -> Option<Value> {
    let text = |max: u32| json!({"minLength": 1, "maxLength": max, "pattern": text_pattern()});
    Some(match (schema, field) {
        (_, "seller_code" | "campaign_code" | "previous_tier") => {
            json!({"minLength": 1, "maxLength": 64, "pattern": CODE_PATTERN})
        }
        (_, "period") => json!({"pattern": PERIOD_PATTERN}),
        (_, "am_id") => json!({"minimum": 1}),
        ("SellerBody", "company_name") => text(200),
        ("SellerBody", "contract_type") => text(32),
        ("SellerBody", "warehouse_id") => text(64),
        ("SellerBody", "country_code") => json!({"pattern": "^[A-Z]{2}$"}),
        ("CampaignBody" | "AmBody", "name") => text(200),
        ("AmBody", "email") => json!({"maxLength": 254, "pattern": EMAIL_PATTERN}),
        ("ForecastSync", "notes") => json!({"maxLength": 2000, "pattern": prose_pattern()}),
        ("RawOrderSync", "orders") => {
            json!({"minItems": 1, "maxItems": crate::dto::sync::MAX_RAW_ORDERS})
        }
        ("RawOrderItem", "order_id") => {
            json!({"minLength": 1, "maxLength": 128, "pattern": NAME_PATTERN})
        }
        ("InvoiceDto", "invoice_id") => json!({"minLength": 1, "pattern": NAME_PATTERN}),
        (_, "currency") => json!({"pattern": "^[A-Z]{3}$"}),
        (_, "amount" | "total_outstanding_amount" | "revenue_target" | "revenue_actual") => {
            json!({"maximum": sos_domain::inputs::MAX_MONEY})
        }
        (_, "snapshot_date") => json!({"pattern": PERIOD_DATE_PATTERN}),
        ("RawOrderItem", "created_at") => json!({"pattern": PERIOD_INSTANT_PATTERN}),
        ("UnblockBody", "reason") => text(sos_domain::enforcement::MAX_UNBLOCK_REASON_CHARS as u32),
        _ => return None,
    })
}

/// Decimal fields (written as `f64`) take what a decimal holds exactly; signed `i32` fields
/// their range.
fn number_rule(field: &mut Map<String, Value>) {
    match field.get("format").and_then(Value::as_str) {
        Some("double") => {
            field
                .entry("minimum")
                .or_insert_with(|| exact(&format!("-{DECIMAL_MAX}")));
            field.entry("maximum").or_insert_with(|| exact(DECIMAL_MAX));
            field.insert("multipleOf".into(), decimal_step());
            let said = field
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            field.insert(
                "description".into(),
                json!(format!(
                    "{said} An exact decimal: kept as sent, never rounded; at most 28 decimal places and 28 significant digits."
                )
                .trim_start()
                .to_owned()),
            );
        }
        // A signed `i32` (an unsigned field has a minimum and is widened later).
        Some("int32") if !field.contains_key("minimum") => {
            field.insert("minimum".into(), json!(i32::MIN));
            field.insert("maximum".into(), json!(i32::MAX));
        }
        _ => {}
    }
}

/// Writes the rules into the request schemas (after flattened bodies are merged, before the
/// sync bodies are split into their forms).
pub fn tighten(schemas: &mut Map<String, Value>) {
    for name in REQUEST_SCHEMAS {
        let Some(props) = schemas
            .get_mut(name)
            .and_then(|s| s.get_mut("properties"))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        for (field, schema) in props.iter_mut() {
            let Some(schema) = schema.as_object_mut() else {
                continue;
            };
            if let Some(Value::Object(rule)) = field_rule(name, field) {
                schema.extend(rule);
            }
            number_rule(schema);
        }
    }
    split_create_and_update(schemas, "SellerBody", "SellerUpdate", "seller_code");
    split_create_and_update(schemas, "CampaignBody", "CampaignUpdate", "campaign_code");
    payment_figures(schemas);
}

/// `create` keeps the name the handlers give and requires `key`; `update` is the body as the
/// handler reads it, `key` optional (it must equal the path).
fn split_create_and_update(
    schemas: &mut Map<String, Value>,
    create: &str,
    update: &str,
    key: &str,
) {
    let Some(mut body) = schemas.get(create).cloned() else {
        return;
    };
    let mut changed = body.clone();
    if let Some(m) = changed.as_object_mut() {
        m.insert(
            "description".into(),
            json!(format!(
                "The update body: `{key}` may be left out and otherwise must equal the code in the path (codes never change)."
            )),
        );
    }
    schemas.insert(update.into(), changed);
    if let Some(Value::Object(field)) = body.pointer_mut(&format!("/properties/{key}")) {
        field.insert("type".into(), json!("string"));
        field.insert("description".into(), json!("Unique code."));
    }
    if let Some(required) = body.get_mut("required").and_then(Value::as_array_mut) {
        required.insert(0, json!(key));
    }
    if let Some(m) = body.as_object_mut() {
        let said = m
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        m.insert(
            "description".into(),
            json!(format!("{said} The create body: `{key}` is required.")),
        );
    }
    schemas.insert(create.into(), body);
}

/// Payment fields only Format A (the aggregate) has.
pub const PAYMENT_FORMAT_A_ONLY: [&str; 8] = [
    "total_invoices",
    "invoices_on_time",
    "invoices_late_1_7",
    "invoices_late_7_15",
    "invoices_late_15_20",
    "invoices_late_over_20",
    "worst_days_late",
    "total_outstanding_amount",
];

/// "`field` is sent and not null", the server's reading of a given field.
fn given(field: &str) -> Value {
    json!({"required": [field], "properties": {field: {"not": {"type": "null"}}}})
}

/// Format A of a payment schema (`total_invoices` required, no `invoices`) and Format B
/// (`invoices` required, none of Format A's fields), from the schema with both.
pub fn payment_formats(payment: &Value) -> (Value, Value) {
    let mut a = payment.clone();
    if let Some(props) = a["properties"].as_object_mut() {
        props.remove("invoices");
        // Format A's key: a null total is no Format A at all.
        if let Some(Value::Object(total)) = props.get_mut("total_invoices") {
            total.insert("type".into(), json!("integer"));
        }
    }
    match a["required"].as_array_mut() {
        Some(req) => req.push(json!("total_invoices")),
        None => a["required"] = json!(["total_invoices"]),
    }
    a["description"] = json!("Format A: the period's aggregate figures.");
    // A schema that takes unknown fields (the sync body, which ignores them) says outright
    // that the other format's fields are refused; a closed one (the preview's) leaves them out.
    let open = payment.get("additionalProperties") != Some(&json!(false));
    if open {
        a["not"] = given("invoices");
    }
    if let Some(m) = a.as_object_mut() {
        m.remove("example");
    }
    let mut b = payment.clone();
    if let Some(props) = b["properties"].as_object_mut() {
        props.retain(|k, _| !PAYMENT_FORMAT_A_ONLY.contains(&k.as_str()));
        if let Some(Value::Object(inv)) = props.get_mut("invoices") {
            inv.insert("type".into(), json!("array"));
            inv.insert(
                "description".into(),
                json!("The invoices, kept by `invoice_id` and aggregated by SOS. An empty list adds none: a period with no invoices stored has zero counts, and F is N/A."),
            );
        }
    }
    match b["required"].as_array_mut() {
        Some(req) => req.push(json!("invoices")),
        None => b["required"] = json!(["invoices"]),
    }
    b["description"] =
        json!("Format B: the period's invoices, aggregated by SOS. Format A's fields are refused.");
    if open {
        b["not"] = json!({"anyOf": PAYMENT_FORMAT_A_ONLY.map(given)});
    }
    if let Some(m) = b.as_object_mut() {
        m.remove("example");
    }
    (a, b)
}

/// The preview's `payments`: Format A or Format B, which the server never mixes.
fn payment_figures(schemas: &mut Map<String, Value>) {
    let Some(figures) = schemas.get("PaymentFigures").cloned() else {
        return;
    };
    let (a, b) = payment_formats(&figures);
    schemas.insert("PaymentFiguresFormatA".into(), a);
    schemas.insert("PaymentFiguresFormatB".into(), b);
    schemas.insert(
        "PaymentFigures".into(),
        json!({
            "description": figures["description"],
            "oneOf": [
                {"$ref": "#/components/schemas/PaymentFiguresFormatA"},
                {"$ref": "#/components/schemas/PaymentFiguresFormatB"},
            ],
        }),
    );
}
