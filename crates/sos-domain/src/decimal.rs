//! Exact decimal helpers. Scores are never floats: every figure is a [`Decimal`].

use rust_decimal::{Decimal, RoundingStrategy};

/// Rounds to 2 decimal places, half away from zero (`2.345 -> 2.35`, `-2.345 -> -2.35`),
/// the one rounding the scoring rules allow.
pub fn round2(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// `value` limited to `[lo, hi]`. When `hi < lo` (a config that allows no points at all), `lo`.
pub fn clamp(value: Decimal, lo: Decimal, hi: Decimal) -> Decimal {
    if value < lo || hi < lo {
        lo
    } else if value > hi {
        hi
    } else {
        value
    }
}

/// `part / whole * 100`, or `None` when `whole` is zero.
pub fn percent_of(part: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole.is_zero() {
        None
    } else {
        part.checked_div(whole)
            .and_then(|q| q.checked_mul(Decimal::ONE_HUNDRED))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn rounds_half_away_from_zero_at_the_third_place() {
        assert_eq!(round2(dec!(2.345)), dec!(2.35));
        assert_eq!(round2(dec!(2.344999)), dec!(2.34));
        assert_eq!(round2(dec!(-2.345)), dec!(-2.35));
        assert_eq!(round2(dec!(88.8)), dec!(88.80));
    }

    #[test]
    fn decimals_travel_as_exact_json_numbers() {
        let v: Decimal = serde_json::from_str("22.3").unwrap();
        assert_eq!(v, dec!(22.3));
        assert_eq!(serde_json::to_string(&dec!(150.50)).unwrap(), "150.50");
        let big: Decimal = serde_json::from_str("15000000.01").unwrap();
        assert_eq!(big, dec!(15000000.01));
    }

    #[test]
    fn clamp_and_percent_of() {
        assert_eq!(clamp(dec!(-5), dec!(0), dec!(100)), dec!(0));
        assert_eq!(clamp(dec!(105), dec!(0), dec!(100)), dec!(100));
        assert_eq!(percent_of(dec!(1), dec!(0)), None);
        assert_eq!(percent_of(dec!(10), dec!(150)).map(round2), Some(dec!(6.67)));
    }
}
