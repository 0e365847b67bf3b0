//! Reading JSON bodies: content type, size limits, malformed JSON, and turning JSON values
//! into typed DTOs with every bad field named.

use crate::error::{ApiError, ErrorDetail};
use actix_web::{http::StatusCode, HttpRequest};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sos_domain::ValidationErrors;

/// Largest single-object body.
pub const MAX_OBJECT_BYTES: usize = 1024 * 1024;
/// Largest array body (batches).
pub const MAX_ARRAY_BYTES: usize = 16 * 1024 * 1024;
/// Deepest JSON nesting accepted; deeper input is refused before it is parsed further.
pub const MAX_DEPTH: usize = 64;

/// A body of one object or an array of them.
#[derive(Debug)]
pub enum OneOrMany {
    /// A single object.
    One(Value),
    /// An array.
    Many(Vec<Value>),
}

fn nesting_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                max = max.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Parses a JSON body: requires a JSON content type, refuses bodies over the limits (413),
/// deep nesting and malformed JSON (400).
///
/// # Errors
/// 415 for another content type, 413 past the size limits, 400 for bad JSON.
pub fn parse_json(req: &HttpRequest, bytes: &[u8]) -> Result<Value, ApiError> {
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence != "application/json" && !essence.ends_with("+json") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json",
        ));
    }
    if bytes.len() > MAX_ARRAY_BYTES {
        return Err(too_large(MAX_ARRAY_BYTES));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "Request body is empty; send a JSON object",
        ));
    }
    if nesting_depth(bytes) > MAX_DEPTH {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("JSON nests deeper than {MAX_DEPTH} levels"),
        ));
    }
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("Malformed JSON: {e}")))?;
    // `Value` keeps the last of two equal keys; another reader of the same bytes may keep the
    // first. Ambiguous input is refused instead.
    serde_json::from_slice::<NoDuplicateKeys>(bytes)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("Malformed JSON: {e}")))?;
    if !value.is_array() && bytes.len() > MAX_OBJECT_BYTES {
        return Err(too_large(MAX_OBJECT_BYTES));
    }
    Ok(value)
}

/// A JSON document in which no object repeats a key (`"\u0061"` and `"a"` are the same key).
/// Deserializing it only checks; nothing is kept.
struct NoDuplicateKeys;

impl<'de> serde::Deserialize<'de> for NoDuplicateKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicateKeysVisitor)
    }
}

struct NoDuplicateKeysVisitor;

impl<'de> serde::de::Visitor<'de> for NoDuplicateKeysVisitor {
    type Value = NoDuplicateKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(NoDuplicateKeys)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<NoDuplicateKeys>()?.is_some() {}
        Ok(NoDuplicateKeys)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // Under `arbitrary_precision` a number arrives as a one-key map too: no harm done.
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!(
                    "duplicate key `{key}` in an object"
                )));
            }
            map.next_value::<NoDuplicateKeys>()?;
        }
        Ok(NoDuplicateKeys)
    }
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("Request body is larger than {} MiB", limit / (1024 * 1024)),
    )
}

/// Splits a parsed body into one object or many.
///
/// # Errors
/// 400 when the body is neither an object nor an array of objects.
pub fn one_or_many(value: Value) -> Result<OneOrMany, ApiError> {
    match value {
        Value::Object(_) => Ok(OneOrMany::One(value)),
        Value::Array(items) => Ok(OneOrMany::Many(items)),
        _ => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "Request body must be a JSON object or an array of objects",
        )),
    }
}

/// Parses a body that must be one JSON object into `T`.
///
/// # Errors
/// As [`parse_json`], plus 400 naming the field that does not fit `T`.
pub fn parse_object<T: DeserializeOwned>(req: &HttpRequest, bytes: &[u8]) -> Result<T, ApiError> {
    let value = parse_json(req, bytes)?;
    if !value.is_object() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "Request body must be a JSON object",
        ));
    }
    from_value(value, "").map_err(|e| ApiError::from_validation(&e))
}

/// Deserializes `value` into `T`, naming the failing field (prefixed by `prefix`).
///
/// # Errors
/// The field and a sentence.
pub fn from_value<T: DeserializeOwned>(value: Value, prefix: &str) -> Result<T, ValidationErrors> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let mut inner = e.into_inner().to_string();
        let mut field = match (prefix.is_empty(), path.as_str()) {
            (_, ".") => prefix.to_owned(),
            (true, p) => p.to_owned(),
            (false, p) if p.starts_with('[') => format!("{prefix}{p}"),
            (false, p) => format!("{prefix}.{p}"),
        };
        // A nested object's error names its own sub-path (see `dto::shape`).
        if let Some((sub, rest)) = crate::dto::shape::split_subpath(&inner) {
            field = crate::dto::shape::join_path(&field, sub);
            inner = rest.to_owned();
        }
        // serde reports a missing field at its parent: name the field itself.
        let missing = inner
            .strip_prefix("missing field `")
            .and_then(|rest| rest.strip_suffix('`'))
            .map(str::to_owned);
        if let Some(name) = missing {
            let field = if field.is_empty() {
                name
            } else {
                format!("{field}.{name}")
            };
            return ValidationErrors::single(field, "is required");
        }
        let field = if field.is_empty() {
            "body".to_owned()
        } else {
            field
        };
        ValidationErrors::single(field, friendly(&inner))
    })
}

/// The fields `T`'s schema marks required, its flattened parts' included: what a body of `T`
/// must carry, named by the same definition the OpenAPI document shows.
pub fn required_fields<T: utoipa::ToSchema>() -> Vec<String> {
    use utoipa::openapi::{RefOr, Schema};
    fn collect(schema: &RefOr<Schema>, named: &[(String, RefOr<Schema>)], out: &mut Vec<String>) {
        match schema {
            RefOr::T(Schema::Object(object)) => out.extend(object.required.iter().cloned()),
            RefOr::T(Schema::AllOf(all)) => {
                for part in &all.items {
                    collect(part, named, out);
                }
            }
            RefOr::Ref(r) => {
                let name = r.ref_location.rsplit('/').next().unwrap_or_default();
                if let Some((_, part)) = named.iter().find(|(n, _)| n == name) {
                    collect(part, named, out);
                }
            }
            _ => {}
        }
    }
    let mut named = Vec::new();
    T::schemas(&mut named);
    let mut required = Vec::new();
    collect(&T::schema(), &named, &mut required);
    required
}

/// Rewrites serde's messages into sentences a caller can act on.
fn friendly(message: &str) -> String {
    let message = message.replace("u32", "a whole number from 0 to 4294967295");
    let message = message.replace("i32", "a whole number");
    let message = message.replace("i64", "a whole number");
    if message == "invalid number" {
        return "is not a number this field accepts (whole numbers 0-4294967295 for counts; decimals within 28 digits)".to_owned();
    }
    if let Some(rest) = message.strip_prefix("unknown field ") {
        return format!(
            "unknown field {}",
            rest.split(", expected").next().unwrap_or(rest)
        );
    }
    message
}

/// Turns detail lists into the API's detail items.
pub fn details(errors: &ValidationErrors) -> Vec<ErrorDetail> {
    errors
        .errors()
        .iter()
        .map(|e| ErrorDetail {
            field: e.field.clone(),
            message: e.message.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_found_at_any_depth_and_however_spelled() {
        let dup = |text: &str| serde_json::from_str::<NoDuplicateKeys>(text).is_err();
        assert!(!dup(
            r#"{"a": 1, "b": {"a": 2}, "c": [{"a": 1}, {"a": 2}], "n": 1.50}"#
        ));
        assert!(dup(r#"{"a": 1, "a": 2}"#));
        assert!(dup(r#"{"a": 1, "\u0061": 2}"#));
        assert!(dup(r#"{"x": [{"b": {"k": 1, "k": 1}}]}"#));
    }

    #[test]
    fn required_fields_include_flattened_parts() {
        use crate::dto::sync::{InventorySync, OrderSync, RawOrderSync, RevenueSync};
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v
        };
        assert_eq!(
            sorted(required_fields::<OrderSync>()),
            ["period", "seller_code", "total_orders"]
        );
        assert_eq!(
            sorted(required_fields::<InventorySync>()),
            ["seller_code", "snapshot_date"]
        );
        assert_eq!(required_fields::<RawOrderSync>(), ["seller_code", "orders"]);
        assert_eq!(
            required_fields::<RevenueSync>(),
            ["am_id", "period", "revenue_target", "revenue_actual"]
        );
    }

    #[test]
    fn depth_counts_brackets_outside_strings() {
        assert_eq!(nesting_depth(br#"{"a": [1, {"b": "[[[["}]}"#), 3);
        assert_eq!(nesting_depth(b"[[[]]]"), 3);
    }
}
