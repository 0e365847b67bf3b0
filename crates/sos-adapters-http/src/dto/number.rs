//! Decimal fields on the wire: JSON numbers only, kept exactly.
//!
//! `rust_decimal`'s own `Deserialize` also takes strings (`"12.5"`) and rounds numbers with more
//! than 28 decimal places. The document says `number`, and SOS never rounds what it is sent, so
//! every decimal field of a request body goes through these instead: a string is refused, and a
//! number that a decimal cannot hold exactly (past 28 significant digits or 28 decimal places,
//! `1e400`) is refused rather than rounded. `-0` is stored as 0.

use serde::{de::Error as _, Deserialize, Deserializer};
use sos_domain::Decimal;

fn exact(n: &serde_json::Number) -> Result<Decimal, String> {
    // With `arbitrary_precision`, the number's text is exactly what the client sent.
    let text = n.to_string();
    let parsed = if text.contains(['e', 'E']) {
        Decimal::from_scientific(&text)
    } else {
        Decimal::from_str_exact(&text)
    };
    match parsed {
        Ok(d) if d.is_zero() => Ok(Decimal::ZERO),
        Ok(d) => Ok(d),
        Err(_) => Err(format!(
            "{text} is not a number this field accepts (decimals within 28 significant digits)"
        )),
    }
}

/// A required decimal field: `#[serde(deserialize_with = "crate::dto::number::decimal")]`.
///
/// # Errors
/// A value that is not a JSON number, or that a decimal cannot hold exactly.
pub fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    exact(&n).map_err(D::Error::custom)
}

/// An optional decimal field (null or absent is `None`):
/// `#[serde(default, deserialize_with = "crate::dto::number::opt_decimal")]`.
///
/// # Errors
/// As [`decimal`].
pub fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    Option::<serde_json::Number>::deserialize(d)?
        .map(|n| exact(&n))
        .transpose()
        .map_err(D::Error::custom)
}

/// The integer types of the bodies, with their bounds for messages.
pub trait Whole: TryFrom<i128> {
    /// The smallest value.
    const LOW: i128;
    /// The largest value.
    const HIGH: i128;
}

impl Whole for u32 {
    const LOW: i128 = 0;
    const HIGH: i128 = u32::MAX as i128;
}

impl Whole for i32 {
    const LOW: i128 = i32::MIN as i128;
    const HIGH: i128 = i32::MAX as i128;
}

impl Whole for i64 {
    const LOW: i128 = i64::MIN as i128;
    const HIGH: i128 = i64::MAX as i128;
}

/// A whole number in `T`'s range, spelled as JSON allows: `2`, `2.0` and `2e0` are the same
/// integer, as a JSON Schema `integer` says (and as config bodies read them).
fn whole_number<T: Whole>(n: &serde_json::Number) -> Result<T, String> {
    let refused = || format!("{n} is not a whole number from {} to {}", T::LOW, T::HIGH);
    let value = exact(n).map_err(|_| refused())?;
    if !value.fract().is_zero() {
        return Err(refused());
    }
    let whole = i128::try_from(value).map_err(|_| refused())?;
    T::try_from(whole).map_err(|_| refused())
}

/// A required whole-number field: `#[serde(deserialize_with = "crate::dto::number::whole")]`.
///
/// # Errors
/// A value that is not a JSON number, not whole, or out of `T`'s range.
pub fn whole<'de, D: Deserializer<'de>, T: Whole>(d: D) -> Result<T, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    whole_number(&n).map_err(D::Error::custom)
}

/// An optional whole-number field (null or absent is `None`):
/// `#[serde(default, deserialize_with = "crate::dto::number::opt_whole")]`.
///
/// # Errors
/// As [`whole`].
pub fn opt_whole<'de, D: Deserializer<'de>, T: Whole>(d: D) -> Result<Option<T>, D::Error> {
    Option::<serde_json::Number>::deserialize(d)?
        .map(|n| whole_number(&n))
        .transpose()
        .map_err(D::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Deserialize)]
    struct T {
        #[serde(default, deserialize_with = "opt_decimal")]
        v: Option<Decimal>,
    }

    fn parse(text: &str) -> Result<Option<Decimal>, String> {
        serde_json::from_str::<T>(text)
            .map(|t| t.v)
            .map_err(|e| e.to_string())
    }

    #[derive(Debug, Deserialize)]
    struct W {
        #[serde(default, deserialize_with = "opt_whole")]
        n: Option<u32>,
        #[serde(default, deserialize_with = "opt_whole")]
        d: Option<i32>,
    }

    #[test]
    fn whole_numbers_take_any_spelling_of_an_integer_in_range() {
        let parse = |text: &str| serde_json::from_str::<W>(text).map_err(|e| e.to_string());
        for (text, n) in [
            (r#"{"n": 3232}"#, 3232),
            (r#"{"n": 3232.0}"#, 3232),
            (r#"{"n": 3.232e3}"#, 3232),
            (r#"{"n": -0}"#, 0),
            (r#"{"n": 4294967295}"#, u32::MAX),
        ] {
            assert_eq!(parse(text).unwrap().n, Some(n), "{text}");
        }
        assert_eq!(parse(r#"{"d": -12.00}"#).unwrap().d, Some(-12));
        assert_eq!(parse(r#"{"n": null}"#).unwrap().n, None);
        for bad in ["1.5", "-1", "4294967296", "1e400", r#""7""#, "true"] {
            assert!(parse(&format!(r#"{{"n": {bad}}}"#)).is_err(), "{bad}");
        }
        let e = parse(r#"{"n": 2.5}"#).unwrap_err();
        assert!(
            e.contains("2.5 is not a whole number from 0 to 4294967295"),
            "{e}"
        );
    }

    #[test]
    fn numbers_are_exact_and_strings_refused() {
        assert_eq!(
            parse(r#"{"v": 18.5}"#).unwrap().unwrap().to_string(),
            "18.5"
        );
        assert_eq!(
            parse(r#"{"v": 1.5e3}"#).unwrap().unwrap().to_string(),
            "1500"
        );
        assert_eq!(parse(r#"{"v": -0}"#).unwrap().unwrap().to_string(), "0");
        assert_eq!(parse(r#"{"v": null}"#).unwrap(), None);
        assert_eq!(parse("{}").unwrap(), None);
        for bad in [
            r#""12""#,
            "1e400",
            "79228162514264337593543950336",
            "0.1234567890123456789012345678901234567890",
            "true",
        ] {
            assert!(parse(&format!(r#"{{"v": {bad}}}"#)).is_err(), "{bad}");
        }
        assert!(serde_json::from_value::<T>(json!({"v": "3.5"})).is_err());
    }
}
