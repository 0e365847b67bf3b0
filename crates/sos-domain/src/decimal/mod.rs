//! Exact decimal helpers. Scores are never floats: every figure is a [`Decimal`], and these are
//! the few steps the scoring rules share.

use rust_decimal::{Decimal, RoundingStrategy};

/// Rounds to 2 decimal places, half away from zero (`2.345 -> 2.35`, `-2.345 -> -2.35`), the
/// one rounding the scoring rules allow. A figure with fewer decimals is left as it is.
pub fn round2(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// `value` written with exactly two decimals (`85` -> `85.00`), so stored scores always read
/// the same way.
pub fn with_two_places(mut value: Decimal) -> Decimal {
    value.rescale(2);
    value
}

/// `part / whole * 100` at full precision, or `None` when `whole` is zero.
pub fn percent_of(part: Decimal, whole: Decimal) -> Option<Decimal> {
    // Multiplying first keeps the product exact, so one division makes the only rounding.
    match part.checked_mul(Decimal::ONE_HUNDRED) {
        Some(hundredfold) => hundredfold.checked_div(whole),
        None => part
            .checked_div(whole)
            .and_then(|q| q.checked_mul(Decimal::ONE_HUNDRED)),
    }
}

/// `clamp(value, lo, hi)` of the spec. When `hi < lo` (a config that allows no points at all),
/// `lo`.
pub fn clamp(value: Decimal, lo: Decimal, hi: Decimal) -> Decimal {
    if value < lo || hi < lo {
        lo
    } else if value > hi {
        hi
    } else {
        value
    }
}

/// `max(0, value)`, keeping the value's own scale when it is not negative (`0.0` stays `0.0`).
pub fn non_negative(value: Decimal) -> Decimal {
    if value.is_sign_negative() {
        Decimal::ZERO
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn text(value: Decimal) -> String {
        value.to_string()
    }

    #[test]
    fn rounds_half_away_from_zero_at_the_third_place() {
        assert_eq!(text(round2(dec!(2.345))), "2.35");
        assert_eq!(text(round2(dec!(2.344999))), "2.34");
        assert_eq!(text(round2(dec!(-2.345))), "-2.35");
        assert_eq!(text(round2(dec!(-0.005))), "-0.01");
        assert_eq!(text(round2(dec!(88.8))), "88.8");
        assert_eq!(text(round2(dec!(99.125))), "99.13");
        assert_eq!(text(round2(dec!(5))), "5");
    }

    #[test]
    fn decimals_travel_as_exact_json_numbers() {
        let v: Decimal = serde_json::from_str("22.3").unwrap();
        assert_eq!(text(v), "22.3");
        let big: Decimal = serde_json::from_str("15000000.01").unwrap();
        assert_eq!(text(big), "15000000.01");
        // The JSON text of a decimal is its own text, scale and sign included.
        for (value, json) in [
            (dec!(150.50), "150.50"),
            (dec!(85.00), "85.00"),
            (dec!(0.05), "0.05"),
            (dec!(-0.5), "-0.5"),
            (dec!(15000000), "15000000"),
            (
                dec!(3.3333333333333333333333333333),
                "3.3333333333333333333333333333",
            ),
            (Decimal::MAX, "79228162514264337593543950335"),
        ] {
            assert_eq!(serde_json::to_string(&value).unwrap(), json);
            assert_eq!(serde_json::to_value(value).unwrap().to_string(), json);
            assert_eq!(serde_json::to_string(&Some(value)).unwrap(), json);
        }
        assert_eq!(serde_json::to_string(&None::<Decimal>).unwrap(), "null");
    }

    #[test]
    fn two_places_clamp_and_percent_of() {
        assert_eq!(text(with_two_places(dec!(85))), "85.00");
        assert_eq!(text(with_two_places(dec!(8.8))), "8.80");
        assert_eq!(text(clamp(dec!(-5), dec!(0), dec!(100))), "0");
        assert_eq!(text(clamp(dec!(105), dec!(0), dec!(100))), "100");
        assert_eq!(text(clamp(dec!(5), dec!(10), dec!(0))), "10");
        assert_eq!(percent_of(dec!(1), dec!(0)), None);
        assert_eq!(
            percent_of(dec!(10), dec!(150)).map(text).as_deref(),
            Some("6.6666666666666666666666666667")
        );
        assert_eq!(
            percent_of(dec!(22.3), dec!(150.5)).map(round2),
            Some(dec!(14.82))
        );
        assert!(percent_of(Decimal::MAX, dec!(200)).is_some());
        assert_eq!(text(non_negative(dec!(0.0))), "0.0");
        assert_eq!(text(non_negative(dec!(-0.5))), "0");
    }
}
