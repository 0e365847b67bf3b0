//! The 12 config types' bodies and rows, as schemas: the rules `sos_domain::config::validate`
//! applies, written where a JSON Schema can state them (types, required fields, ranges, enums,
//! lengths, patterns). Rules between fields (a band's max above its min) stay in prose. Every
//! field may be null, which the server reads as absent; a required field may not.

use crate::openapi::{CODE_PATTERN, NAME_PATTERN};
use serde_json::{json, Map, Value};

/// Points and amounts: the domain's bounds (`validate::MAX_POINTS`, `validate::MAX_AMOUNT`).
const MAX_POINTS: i64 = 1_000_000;
const MAX_AMOUNT: i64 = 1_000_000_000_000_000;

/// Free text: at most 2,000 characters; line breaks and tabs allowed, other control characters not.
const PROSE_PATTERN: &str = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$";

/// A field of a body: its name, schema and whether it is required.
struct Field(&'static str, Value, bool);

fn number(lo: i64, hi: i64, description: &str) -> Value {
    json!({"type": "number", "minimum": lo, "maximum": hi,
        "description": format!("{description} An exact decimal (at most 28 significant digits).")})
}
fn percent(description: &str) -> Value {
    number(0, 100, description)
}
fn points(description: &str) -> Value {
    number(0, MAX_POINTS, description)
}
fn integer(lo: i64, hi: i64, description: &str) -> Value {
    json!({"type": "integer", "minimum": lo, "maximum": hi, "description": description})
}
fn line(description: &str) -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": 64, "pattern": NAME_PATTERN, "description": description})
}
fn prose(description: &str) -> Value {
    json!({"type": "string", "maxLength": 2000, "pattern": PROSE_PATTERN, "description": description})
}
fn choice(values: &[&str], description: &str) -> Value {
    json!({"type": "string", "enum": values, "description": description})
}
fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// The 12 types: path segment, schema name, description, fields.
fn types() -> Vec<(&'static str, &'static str, &'static str, Vec<Field>)> {
    vec![
        ("score-weights", "ScoreWeightsConfig", "The weight and maximum points of one component.", vec![
            Field("score_component", reference("ComponentName"), true),
            Field("weight_pct", percent("Weight, %; the five active weights sum to 100."), true),
            Field("max_points", json!({"type": "number", "exclusiveMinimum": 0, "maximum": MAX_POINTS,
                "description": "Maximum points, > 0 (default 100). An exact decimal."}), false),
        ]),
        ("tiers", "TiersConfig", "One tier of the ladder.", vec![
            Field("tier_name", json!({"type": "string", "minLength": 1, "maxLength": 64, "pattern": CODE_PATTERN,
                "description": "The name results show (`Gold`)."}), true),
            Field("tier_order", integer(1, 1000, "Position, 1 = lowest."), true),
            Field("min_sos_score", percent("Lowest total of the tier."), true),
            Field("max_sos_score", percent("Highest total; at least min_sos_score."), true),
            Field("color_code", json!({"type": "string", "pattern": "^#[0-9A-Fa-f]{6}$", "description": "`#RRGGBB`."}), false),
            Field("benefits", prose("What the tier grants."), false),
            Field("restrictions", prose("What the tier restricts."), false),
        ]),
        ("p-score", "PScoreConfig", "The planning rule of one campaign type (no effective dates).", vec![
            Field("campaign_type", reference("CampaignType"), true),
            Field("required_lead_days", integer(0, 365, "Days before the start the first forecast is due."), true),
            Field("on_time_points", points("Points for an on-time forecast (default by type)."), false),
            Field("late_penalty_per_day", points("Points lost per day late."), false),
            Field("accuracy_base_points", points("Accuracy points at no deviation."), false),
            Field("accuracy_good_range_min", number(-100, 100, "Lower bound of the good range, %."), false),
            Field("accuracy_good_range_max", number(-100, 100, "Upper bound, at least the lower."), false),
            Field("accuracy_penalty_per_10pct", points("Points lost per 10 % outside the range."), false),
        ]),
        ("o-score", "OScoreConfig", "The order push rule.", vec![
            Field("max_delay_minutes", integer(1, 10_080, "Minutes within which a push is on time (default 30)."), false),
            Field("acceptable_late_pct", percent("Late share tolerated, % (default 3)."), false),
            Field("penalty_per_1pct_over", points("Points lost per whole % over (default 5)."), false),
            Field("base_points", points("Points at no penalty (default 100)."), false),
        ]),
        ("t-score", "TScoreConfig", "One response-time band of T: [min, max) hours.", vec![
            Field("tier_index", integer(1, 1000, "Band index."), true),
            Field("response_hours_min", json!({"type": "number", "minimum": 0, "description": "Lowest hours, inclusive. An exact decimal."}), true),
            Field("response_hours_max", json!({"type": "number", "minimum": 0, "description": "Highest hours, exclusive, above the min; null = open-ended. An exact decimal."}), false),
            Field("points", points("Points of the band."), true),
        ]),
        ("f-score", "FScoreConfig", "One lateness band of F: [min, max] days.", vec![
            Field("tier_index", integer(1, 1000, "Band index."), true),
            Field("days_late_min", integer(0, 36_500, "Fewest days late."), true),
            Field("days_late_max", integer(0, 36_500, "Most days late, at least the min; null = open-ended."), false),
            Field("points", points("Points of the band."), true),
        ]),
        ("i-score", "IScoreConfig", "The inventory aging rule.", vec![
            Field("aging_threshold_days", integer(1, 3650, "Days after which stock is aged (default 90)."), false),
            Field("base_good_pct", percent("Aged share tolerated, %."), false),
            Field("penalty_per_5pct", points("Points lost per 5 % over."), false),
            Field("base_points", points("Points at no penalty."), false),
            Field("severe_aging_days", integer(1, 3650, "Days after which aging is severe; at least aging_threshold_days."), false),
            Field("severe_aging_pct_threshold", percent("Severe share that triggers the multiplier, %."), false),
            Field("severe_storage_multiplier", number(1, 100, "Multiplier on the penalty when severe."), false),
            Field("calculation_basis", reference("AgingBasis"), false),
        ]),
        ("surcharge", "SurchargeConfig", "A surcharge rule: when the condition holds, the action applies.", vec![
            Field("surcharge_type", line("The rule's kind (`storage`)."), true),
            Field("trigger_condition", json!({"type": "object", "additionalProperties": true,
                "description": "The rule grammar: `{\"metric\": \"severe_aging_pct\", \"op\": \">\", \"value\": 10}` or `{\"all\": [...]}` / `{\"any\": [...]}` of conditions (see the configuration reference)."}), true),
            Field("action", reference("SurchargeAction"), true),
            Field("description", prose("Why the rule exists."), false),
        ]),
        ("am-bonus-penalty", "AmBonusPenaltyConfig", "One band of the AM bonus or penalty: [min, max) SOS change.", vec![
            Field("sos_delta_min", number(-100, 100, "Lowest SOS change, inclusive."), true),
            Field("sos_delta_max", number(-100, 100, "Highest, exclusive, above the min; null = open-ended."), false),
            Field("bonus_or_penalty_amount", number(-MAX_AMOUNT, MAX_AMOUNT, "Amount; negative is a penalty."), true),
            Field("currency", json!({"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 (default VND)."}), false),
            Field("description", prose("Note."), false),
        ]),
        ("am-kpi-weight", "AmKpiWeightConfig", "The weight of one AM KPI.", vec![
            Field("component", choice(&["avg_sos", "revenue", "growth"], "The KPI."), true),
            Field("weight_pct", percent("Weight, %."), true),
        ]),
        ("grace-period", "GracePeriodConfig", "The grace rule for new and low-volume sellers.", vec![
            Field("grace_period_months", integer(0, 120, "Months after onboarding (default 3)."), false),
            Field("min_score_floor", percent("The floor raised scores reach."), false),
            Field("min_orders_threshold", integer(0, 1_000_000, "Fewer orders than this is low volume."), false),
            Field("apply_to_components", json!({"type": "array", "minItems": 1, "uniqueItems": true,
                "items": reference("ComponentName"),
                "description": "Components grace raises; null = all five."}), false),
        ]),
        ("helpdesk", "HelpdeskConfig", "A country's helpdesk connection (no effective dates; secrets are write-only and read back as `********`).", vec![
            Field("country_code", json!({"type": "string", "pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2."}), true),
            Field("helpdesk_url", json!({"type": "string", "minLength": 1, "maxLength": 2048,
                "pattern": r"^[hH][tT][tT][pP][sS]?://[^\s\x00-\x1f\x7f-\x9f]+$", "description": "An http(s) URL with a host."}), true),
            Field("api_key", json!({"type": "string", "minLength": 1, "maxLength": 512, "pattern": NAME_PATTERN, "description": "Write-only."}), true),
            Field("api_secret", json!({"type": "string", "minLength": 1, "maxLength": 512, "pattern": NAME_PATTERN, "description": "Write-only."}), true),
            Field("sync_method", choice(&["pull", "push"], "How tickets arrive."), false),
            Field("pull_cron", json!({"type": "string", "maxLength": 128, "description": "A 5-field cron schedule (`0 * * * *`)."}), false),
            Field("seller_field_mapping", json!({"type": "object", "additionalProperties": true, "description": "Helpdesk field names per SOS field."}), false),
            Field("business_hours_start", json!({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9](:([0-5][0-9]|60))?$", "description": "`HH:MM` or `HH:MM:SS`."}), false),
            Field("business_hours_end", json!({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9](:([0-5][0-9]|60))?$", "description": "Later than the start."}), false),
            Field("timezone", json!({"type": "string", "minLength": 1, "maxLength": 64, "pattern": "^[A-Za-z][A-Za-z0-9/_+-]*$", "description": "IANA name (default Asia/Ho_Chi_Minh)."}), false),
        ]),
    ]
}

/// `schema` that also takes null (the server reads null as absent).
fn nullable(schema: Value) -> Value {
    match schema {
        Value::Object(mut map) if map.get("type").is_some_and(Value::is_string) => {
            let t = map.remove("type").unwrap_or_default();
            map.insert("type".into(), json!([t, "null"]));
            Value::Object(map)
        }
        other => json!({"oneOf": [other, {"type": "null"}]}),
    }
}

/// The date schema of `effective_from` and `effective_to`.
fn date(description: &str) -> Value {
    json!({"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": description})
}

/// Adds `<Type>Config` (the create and update body) and `<Type>ConfigRow` (a stored row) of
/// each type to `schemas`, and answers the names in the order of
/// [`crate::dto::config::CONFIG_TYPES`].
pub fn add_schemas(schemas: &mut Map<String, Value>) -> Vec<(&'static str, String, String)> {
    let mut names = Vec::new();
    for (path, name, description, fields) in types() {
        let dated = !matches!(path, "p-score" | "helpdesk");
        let (mut props, mut required) = (Map::new(), Vec::new());
        for Field(field, mut schema, is_required) in fields {
            if schema["type"] == "number" {
                // What an exact decimal holds: 28 decimal places at most.
                schema["multipleOf"] = crate::request_schema::decimal_step();
            }
            if is_required {
                required.push(json!(field));
                props.insert(field.into(), schema);
            } else {
                props.insert(field.into(), nullable(schema));
            }
        }
        if dated {
            props.insert("effective_from".into(), date("First day the row applies."));
            props.insert(
                "effective_to".into(),
                nullable(date(
                    "Last day (inclusive), on or after effective_from; null = open-ended.",
                )),
            );
            required.push(json!("effective_from"));
        }
        let body = json!({
            "type": "object",
            "description": format!("`{path}`: {description} Unknown fields are refused."),
            "properties": props,
            "required": required,
            "additionalProperties": false,
        });
        // A row: every body field as stored (null where unset), plus the server's fields.
        let mut row_props: Map<String, Value> = props
            .iter()
            .map(|(k, v)| {
                let mut v = v.clone();
                if k == "api_key" || k == "api_secret" {
                    v = json!({"type": "string", "description": "Masked: `********`."});
                }
                (k.clone(), v)
            })
            .collect();
        row_props.insert(
            "id".into(),
            json!({"type": "integer", "format": "int64", "minimum": 1}),
        );
        row_props.insert(
            "is_active".into(),
            json!({"type": "boolean", "description": "False once deleted."}),
        );
        for at in ["created_at", "updated_at"] {
            row_props.insert(at.into(), json!({"type": "string", "format": "date-time"}));
        }
        for by in ["created_by", "updated_by"] {
            row_props.insert(
                by.into(),
                json!({"type": "string", "description": "The API key name."}),
            );
        }
        // A row carries every field (defaults filled in), which also tells the types apart.
        let row_required: Vec<Value> = row_props.keys().map(|k| json!(k)).collect();
        let row = json!({
            "type": "object",
            "description": format!("A stored `{path}` row."),
            "properties": row_props,
            "required": row_required,
        });
        schemas.insert(name.into(), body);
        schemas.insert(format!("{name}Row"), row);
        names.push((path, name.to_owned(), format!("{name}Row")));
    }
    names
}
