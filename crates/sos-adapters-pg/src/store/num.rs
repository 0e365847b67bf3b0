//! Decimals as text (`::text` out, `::numeric` in), exact both ways, for the calculation's raw
//! SQL loads and writes. Everywhere else `Numeric` maps to `Decimal` through the driver
//! (rust_decimal's `db-diesel2-postgres`).

use sos_domain::Decimal;
use std::str::FromStr;

/// Parses a NUMERIC read as text.
pub(crate) fn dec(text: &str) -> Result<Decimal, anyhow::Error> {
    Decimal::from_str(text)
        .or_else(|_| Decimal::from_scientific(text))
        .map_err(|e| anyhow::anyhow!("stored number {text} is not a decimal: {e}"))
}

/// Parses an optional NUMERIC read as text.
pub(crate) fn opt_dec(text: Option<String>) -> Result<Option<Decimal>, anyhow::Error> {
    text.as_deref().map(dec).transpose()
}

/// A decimal for binding as text.
pub(crate) fn txt(value: Decimal) -> String {
    value.to_string()
}

/// An optional decimal for binding as text.
pub(crate) fn opt_txt(value: Option<Decimal>) -> Option<String> {
    value.map(txt)
}

/// A count read as BIGINT, checked into the domain's `u32`.
pub(crate) fn count(value: i64) -> Result<u32, anyhow::Error> {
    u32::try_from(value).map_err(|_| anyhow::anyhow!("stored count {value} is out of range"))
}
