//! Decimals written as exact JSON numbers, cheaply.
//!
//! A stored result carries about sixty decimals, and every calculation writes one result per
//! seller. rust_decimal's own arbitrary-precision `Serialize` formats each decimal into a
//! `String`, parses that string again into a `serde_json::Number` (a second `String`) and only
//! then writes it. That was half the time it took to write a result. Here the digits are
//! formatted once, on the stack, and handed to serde_json the way `serde_json::Number` hands
//! over its own digits. The JSON is the same byte for byte (`85.00` stays `85.00`, `-0.5` stays
//! `-0.5`).
//!
//! Serializable structs opt in per field with
//! `#[serde(serialize_with = "crate::json_number::exact")]` (`exact_opt` for
//! `Option<Decimal>`). Reading back is unchanged: rust_decimal's `Deserialize` reads the number
//! exactly.
//!
//! The handover relies on one serde_json convention: with its `arbitrary_precision` feature, a
//! one-field struct named `$serde_json::private::Number` is written as the bare number its
//! field holds. That is how `serde_json::Number` serializes itself. The tests below compare
//! the output with rust_decimal's own, through both `to_string` and `to_value`, so a serde_json
//! release that changed the convention fails them instead of writing different JSON.

use rust_decimal::Decimal;
use serde::{ser::SerializeStruct, Serialize, Serializer};

/// The struct name serde_json (with `arbitrary_precision`) writes as a raw number.
const JSON_NUMBER: &str = "$serde_json::private::Number";

/// Room for the longest decimal text: a sign, `0.`, and 28 decimals, or a sign, 29 digits and
/// a point.
const TEXT_LEN: usize = 40;

/// `10^19`, the largest power of ten below `u64::MAX`: a mantissa is cut into two `u64` halves
/// at it, so the digits come from cheap 64-bit divisions.
const TEN_POW_19: u128 = 10_000_000_000_000_000_000;

/// `value` as `Decimal::to_string` writes it, into the end of `buf`; returns the text.
fn write_decimal<'b>(value: &Decimal, buf: &'b mut [u8; TEXT_LEN]) -> &'b str {
    let mantissa = value.mantissa().unsigned_abs();
    let (high, low) = if mantissa > u128::from(u64::MAX) {
        (
            (mantissa / TEN_POW_19) as u64,
            (mantissa % TEN_POW_19) as u64,
        )
    } else {
        (0, mantissa as u64)
    };
    let scale = value.scale() as usize;
    let mut pos = TEXT_LEN;
    let mut digits = 0;
    // Digits go in from the last one; the point goes in after exactly `scale` of them.
    let mut push_digit = |digit: u64| {
        if digits == scale && scale > 0 {
            pos -= 1;
            buf[pos] = b'.';
        }
        pos -= 1;
        buf[pos] = b'0' + digit as u8;
        digits += 1;
        digits
    };
    let mut rest = low;
    // `low` is padded to all 19 of its digits when `high` comes before it.
    let low_digits = if high > 0 { 19 } else { 0 };
    let mut written = 0;
    while rest > 0 || written < low_digits {
        written = push_digit(rest % 10);
        rest /= 10;
    }
    rest = high;
    while rest > 0 {
        written = push_digit(rest % 10);
        rest /= 10;
    }
    // Zeros up to the point and one whole digit: `0.05`, `0`.
    while written <= scale {
        written = push_digit(0);
    }
    if value.is_sign_negative() {
        pos -= 1;
        buf[pos] = b'-';
    }
    // Only ASCII digits, `.` and `-` were written.
    std::str::from_utf8(&buf[pos..]).unwrap_or("0")
}

/// Writes `value` as an exact JSON number. For `#[serde(serialize_with = ...)]`.
///
/// # Errors
/// Whatever the serializer reports.
pub(crate) fn exact<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; TEXT_LEN];
    let text = write_decimal(value, &mut buf);
    let mut number = serializer.serialize_struct(JSON_NUMBER, 1)?;
    number.serialize_field(JSON_NUMBER, text)?;
    number.end()
}

/// [`exact`] for an optional decimal: `null` when absent.
///
/// # Errors
/// Whatever the serializer reports.
pub(crate) fn exact_opt<S: Serializer>(
    value: &Option<Decimal>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.serialize_some(&Exact(value)),
        None => serializer.serialize_none(),
    }
}

/// `value` as an exact JSON number value, for JSON built by hand (`json!`).
pub(crate) fn to_value(value: &Decimal) -> serde_json::Value {
    // Writing a decimal cannot fail; `Null` only keeps this infallible.
    serde_json::to_value(Exact(value)).unwrap_or(serde_json::Value::Null)
}

/// A decimal that serializes through [`exact`].
struct Exact<'a>(&'a Decimal);

impl Serialize for Exact<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        exact(self.0, serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Serialize)]
    struct Figures {
        #[serde(serialize_with = "exact")]
        value: Decimal,
        #[serde(serialize_with = "exact_opt")]
        maybe: Option<Decimal>,
    }

    #[derive(Serialize)]
    struct LibraryFigures {
        value: Decimal,
        maybe: Option<Decimal>,
    }

    fn text(value: Decimal) -> String {
        let mut buf = [0u8; TEXT_LEN];
        write_decimal(&value, &mut buf).to_owned()
    }

    fn assert_same_json(value: Decimal, maybe: Option<Decimal>) {
        let ours = Figures { value, maybe };
        let library = LibraryFigures { value, maybe };
        assert_eq!(
            serde_json::to_string(&ours).unwrap(),
            serde_json::to_string(&library).unwrap(),
            "{value}"
        );
        assert_eq!(
            serde_json::to_value(&ours).unwrap(),
            serde_json::to_value(&library).unwrap(),
            "{value}"
        );
        assert_eq!(to_value(&value), serde_json::to_value(value).unwrap());
    }

    #[test]
    fn writes_what_display_writes() {
        for (value, expected) in [
            (Decimal::new(8500, 2), "85.00"),
            (Decimal::new(5, 2), "0.05"),
            (Decimal::new(-5, 1), "-0.5"),
            (Decimal::new(0, 2), "0.00"),
            (Decimal::new(-0, 0), "0"),
            (Decimal::new(15000000, 0), "15000000"),
            (Decimal::new(1, 28), "0.0000000000000000000000000001"),
            (Decimal::MAX, "79228162514264337593543950335"),
            (Decimal::MIN, "-79228162514264337593543950335"),
            (
                Decimal::from_i128_with_scale(33_333_333_333_333_333_333_333_333_333, 28),
                "3.3333333333333333333333333333",
            ),
            (
                Decimal::from_i128_with_scale(10_000_000_000_000_000_000, 0),
                "10000000000000000000",
            ),
            (
                Decimal::from_i128_with_scale(10_000_000_000_000_000_007, 20),
                "0.10000000000000000007",
            ),
        ] {
            assert_eq!(text(value), expected);
            assert_eq!(text(value), value.to_string());
            assert_same_json(value, Some(value));
        }
        let mut negative_zero = Decimal::new(0, 2);
        negative_zero.set_sign_negative(true);
        assert_eq!(text(negative_zero), negative_zero.to_string());
        assert_same_json(negative_zero, None);
    }

    proptest! {
        #[test]
        fn any_decimal_is_written_as_the_library_writes_it(
            mantissa in any::<i128>(),
            scale in 0u32..=28,
            small in any::<i64>(),
        ) {
            let big = Decimal::try_from_i128_with_scale(mantissa >> 32, scale)
                .unwrap_or(Decimal::MAX);
            let small = Decimal::new(small, scale.min(6));
            prop_assert_eq!(text(big), big.to_string());
            prop_assert_eq!(text(small), small.to_string());
            assert_same_json(big, Some(small));
            let read: Decimal = serde_json::from_str(&text(big)).unwrap();
            prop_assert_eq!(read.to_string(), big.to_string());
        }
    }
}
