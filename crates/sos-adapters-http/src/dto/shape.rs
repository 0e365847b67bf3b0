//! Nested objects on the wire must be JSON objects.
//!
//! serde's derived `Deserialize` for a struct also takes a JSON array, filling the fields by
//! position (`"breakdown": [18, 4, 2, 1]`), which the document does not allow and no client
//! means. Nested struct fields therefore go through these helpers, which refuse anything but an
//! object (or, for lists, an array of objects) and keep the failing field's full path: a nested
//! error carries its sub-path between two [`SUBPATH`] marks at the start of its message, which
//! [`crate::body::from_value`] folds back into the field name (`orders[1].order_id`).
//!
//! [`split`] does the same for a body with a flattened struct: the figures a sync body shares
//! with the preview.

use serde::{
    de::{DeserializeOwned, Visitor},
    Deserialize, Deserializer,
};
use serde_json::Value;

/// Delimits the sub-path at the start of a nested error message.
pub(crate) const SUBPATH: char = '\u{1}';

/// Splits a message made by this module into its sub-path and the message proper.
pub(crate) fn split_subpath(message: &str) -> Option<(&str, &str)> {
    message.strip_prefix(SUBPATH)?.split_once(SUBPATH)
}

/// `outer` followed by `inner` (`breakdown` + `4h_8h`, `orders` + `[1].status`).
pub(crate) fn join_path(outer: &str, inner: &str) -> String {
    match (outer.is_empty(), inner.starts_with('[')) {
        (true, _) => inner.to_owned(),
        (false, true) => format!("{outer}{inner}"),
        (false, false) => format!("{outer}.{inner}"),
    }
}

fn with_subpath(path: &str, message: &str) -> String {
    // A deeper helper's error already names its own sub-path: append it to ours.
    let (path, message) = match split_subpath(message) {
        Some((deeper, rest)) if path == "." => (deeper.to_owned(), rest),
        Some((deeper, rest)) => (join_path(path, deeper), rest),
        None => (path.to_owned(), message),
    };
    if path == "." || path.is_empty() {
        message.to_owned()
    } else {
        format!("{SUBPATH}{path}{SUBPATH}{message}")
    }
}

fn nested<T: DeserializeOwned, E: serde::de::Error>(value: Value) -> Result<T, E> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        E::custom(with_subpath(&path, &e.into_inner().to_string()))
    })
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn object_value<E: serde::de::Error>(v: Value) -> Result<Value, E> {
    if v.is_object() {
        Ok(v)
    } else {
        Err(E::custom(format!(
            "must be a JSON object, got {}",
            kind(&v)
        )))
    }
}

fn objects_value<E: serde::de::Error>(v: Value) -> Result<Value, E> {
    let Value::Array(items) = &v else {
        return Err(E::custom(format!(
            "must be an array of JSON objects, got {}",
            kind(&v)
        )));
    };
    if let Some((i, item)) = items.iter().enumerate().find(|(_, item)| !item.is_object()) {
        return Err(E::custom(with_subpath(
            &format!("[{i}]"),
            &format!("must be a JSON object, got {}", kind(item)),
        )));
    }
    Ok(v)
}

/// A required nested object.
///
/// # Errors
/// Anything but an object, or an object that does not fit `T`.
pub fn object<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<T, D::Error> {
    nested(object_value(Value::deserialize(d)?)?)
}

/// An optional nested object (null or absent is `None`).
///
/// # Errors
/// As [`object`].
pub fn opt_object<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> Result<Option<T>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        v => nested(object_value(v)?).map(Some),
    }
}

/// A required list of nested objects.
///
/// # Errors
/// Anything but an array of objects that each fit `T`.
pub fn objects<'de, D: Deserializer<'de>, T: DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    nested(objects_value(Value::deserialize(d)?)?)
}

/// An optional list of nested objects (null or absent is `None`).
///
/// # Errors
/// As [`objects`].
pub fn opt_objects<'de, D: Deserializer<'de>, T: DeserializeOwned>(
    d: D,
) -> Result<Option<Vec<T>>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        v => nested(objects_value(v)?).map(Some),
    }
}

/// The wire names of `T`'s fields, as its derived `Deserialize` hands them to
/// `deserialize_struct` (renames included). Asking costs no allocation.
fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Probe<'a>(&'a mut &'static [&'static str]);
    impl<'de> Deserializer<'de> for Probe<'_> {
        type Error = serde::de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(serde::de::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(serde::de::Error::custom("probed"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    // The probe always fails; it only records the names.
    let _ = T::deserialize(Probe(&mut fields));
    fields
}

/// A body made of a key `K` (its own fields) and figures `F` that stand alone elsewhere (the
/// preview's parts): the host of a `#[serde(flatten)]` field reads itself through this, with
/// `#[serde(try_from = "serde_json::Value")]`.
///
/// serde's own flattening buffers the host's entries, and the buffer loses numbers: an integer
/// past `u64` cannot be buffered at all, `arbitrary_precision` text is lost, and a failing
/// field loses its path. Here the entries `F` names are read as a nested object is, with their
/// paths, and the rest (the key, and unknown entries, which the host ignores) as `K`; so `F` may
/// refuse unknown fields where it stands alone while its host ignores them.
///
/// # Errors
/// Anything but an object, or entries that do not fit `K` or `F`.
pub fn split<K: DeserializeOwned, F: DeserializeOwned>(
    value: Value,
) -> Result<(K, F), serde::de::value::Error> {
    let Value::Object(entries) = value else {
        return Err(serde::de::Error::custom("must be a JSON object"));
    };
    let names = field_names::<F>();
    let (figures, key): (
        serde_json::Map<String, Value>,
        serde_json::Map<String, Value>,
    ) = entries
        .into_iter()
        .partition(|(k, _)| names.contains(&k.as_str()));
    let key = nested(Value::Object(key))?;
    let figures = nested(Value::Object(figures))?;
    Ok((key, figures))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        a: u32,
    }

    #[derive(Debug, Deserialize)]
    struct Outer {
        #[serde(default, deserialize_with = "opt_object")]
        one: Option<Inner>,
        #[serde(default, deserialize_with = "objects")]
        many: Vec<Inner>,
    }

    fn error(v: Value) -> (String, String) {
        let e = serde_path_to_error::deserialize::<_, Outer>(v).unwrap_err();
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        match split_subpath(&message) {
            Some((sub, rest)) => (join_path(&path, sub), rest.to_owned()),
            None => (path, message),
        }
    }

    #[derive(Debug, Deserialize)]
    struct Key {
        key: String,
    }

    #[test]
    fn split_bodies_keep_numbers_and_paths_and_ignore_the_hosts_extras() {
        let host = |v: Value| split::<Key, Inner>(v).map_err(|e| e.to_string());
        let (key, inner) = host(json!({"key": "k", "a": 4_294_967_295u32, "extra": 1})).unwrap();
        assert_eq!((key.key.as_str(), inner.a), ("k", 4_294_967_295));
        let big: Value =
            serde_json::from_str(r#"{"key": "k", "a": 79228162514264330000000000000}"#).unwrap();
        let message = host(big).unwrap_err();
        assert_eq!(split_subpath(&message).map(|(p, _)| p), Some("a"));
        let message = host(json!({"key": "k", "a": "x"})).unwrap_err();
        assert_eq!(split_subpath(&message).map(|(p, _)| p), Some("a"));
        assert_eq!(host(json!({"key": "k"})).unwrap_err(), "missing field `a`");
        assert_eq!(host(json!([1])).unwrap_err(), "must be a JSON object");
        assert_eq!(field_names::<Inner>(), ["a"]);
    }

    #[test]
    fn arrays_are_not_objects_and_paths_survive() {
        let ok: Outer =
            serde_json::from_value(json!({"one": {"a": 1}, "many": [{"a": 2}]})).unwrap();
        let many: Vec<u32> = ok.many.iter().map(|i| i.a).collect();
        assert_eq!((ok.one.map(|i| i.a), many), (Some(1), vec![2]));
        assert_eq!(
            error(json!({"one": [1]})),
            ("one".into(), "must be a JSON object, got an array".into())
        );
        assert_eq!(
            error(json!({"many": [{"a": 1}, [2]]})),
            (
                "many[1]".into(),
                "must be a JSON object, got an array".into()
            )
        );
        assert_eq!(error(json!({"one": {"a": "x"}})).0, "one.a");
        assert_eq!(error(json!({"many": [{"a": 1}, {"a": -1}]})).0, "many[1].a");
        assert_eq!(
            error(json!({"one": {}})),
            ("one".into(), "missing field `a`".into())
        );
    }
}
