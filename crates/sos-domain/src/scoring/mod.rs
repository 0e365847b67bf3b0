//! The five component calculators, the total, the tier and grace.
//!
//! [`score_seller`] is the entry point. Each calculator (`o`, `t`, `f`, `i`, `p`) is public on
//! its own too, so a rule can be tested or previewed in isolation. Everything here is exact
//! decimal arithmetic that never panics: config figures enter through saturating operations and
//! checked divisions, so an odd config gives an odd score, never a crash.

pub mod f;
pub mod grace;
pub mod i;
mod ids;
pub mod o;
pub mod p;
mod result;
mod seller;
pub mod t;
pub mod total;

pub use ids::{ConfigIds, IdList, PScoreIds};
pub use result::{
    ComponentExplanation, ComponentResult, ComponentStatus, NextTier, NotApplicableReason,
    ScoreResult, ScoreStatus,
};
pub use seller::{score_seller, Scorer};

use crate::decimal::{compare, hundredths, round2, with_two_places};
use rust_decimal::Decimal;

/// What a component calculator found, before weights and grace: a score, or why there is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The component was scored (rounded to 2 dp, within `[0, max_points]`).
    Scored(Decimal),
    /// The component has no data for the period and is left out of the total.
    NotApplicable(NotApplicableReason),
}

impl Outcome {
    /// The score, when there is one.
    pub fn score(self) -> Option<Decimal> {
        match self {
            Outcome::Scored(s) => Some(s),
            Outcome::NotApplicable(_) => None,
        }
    }
}

/// A calculator's answer: the outcome and the figures that explain it.
#[derive(Debug, Clone, PartialEq)]
pub struct Calculated<E> {
    /// The score or the reason for none.
    pub outcome: Outcome,
    /// Every input, config value and intermediate figure the rule names.
    pub explanation: E,
}

/// `max(value, 0)` by its sign: cheaper than a comparison for the 28-decimal figures
/// (percentages, deviations) the rules hold at zero.
pub(crate) fn non_negative(value: Decimal) -> Decimal {
    if value.is_sign_negative() {
        Decimal::ZERO
    } else {
        value
    }
}

/// The one place a raw component figure becomes a score: rounded once to 2 dp half away from
/// zero, held within `[0, max_points]`, always written with two decimals (`85.00`). Rounding
/// before clamping gives the same score for any 2-dp `max_points` and can never leave the range.
///
/// Always inlined: as a call, its answer comes back through memory in pieces and is read back
/// whole into the outcome, a stall each calculator paid (3-4% of a seller's time, measured).
#[inline(always)]
pub(crate) fn finish_score(raw: Decimal, max_points: Decimal) -> Decimal {
    if let (Some(raw), Some(max)) = (hundredths(raw), hundredths(max_points)) {
        // Already at most two decimals: no rounding, and the clamp is on whole hundredths.
        let held = if raw < 0 || max_points.is_sign_negative() {
            0
        } else {
            raw.min(max)
        };
        if let Ok(score) = Decimal::try_from_i128_with_scale(held, 2) {
            return score;
        }
    }
    finish_by_rounding(raw, max_points)
}

/// [`finish_score`] for any figure: round, then clamp, then write with two decimals.
fn finish_by_rounding(raw: Decimal, max_points: Decimal) -> Decimal {
    let rounded = round2(raw);
    let held = if rounded.is_sign_negative() || max_points.is_sign_negative() {
        Decimal::ZERO
    } else if compare(rounded, max_points).is_gt() {
        max_points
    } else {
        rounded
    };
    with_two_places(held)
}

/// The row of a band set (t-score, f-score) that holds a value; when bands overlap, the best
/// ranked (lowest `tier_index`) wins so the answer never depends on row order.
pub(crate) fn band_for<T>(
    rows: &[crate::config::Resolved<T>],
    holds: impl Fn(&T) -> bool,
    rank: impl Fn(&T) -> u32,
) -> Option<&crate::config::Resolved<T>> {
    rows.iter()
        .filter(|r| holds(&r.value))
        .min_by_key(|r| rank(&r.value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn figure(scales: std::ops::Range<u32>) -> impl Strategy<Value = Decimal> {
        (-20_000i64..20_000, scales, any::<bool>()).prop_map(|(m, s, negative_zero)| {
            let mut d = Decimal::new(m, s);
            if m == 0 && negative_zero {
                d.set_sign_negative(true);
            }
            d
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// Whole hundredths finish a score exactly as rounding and clamping do.
        #[test]
        fn finishing_in_hundredths_matches_rounding(raw in figure(0..5), max in figure(0..4)) {
            let fast = finish_score(raw, max);
            let slow = finish_by_rounding(raw, max);
            prop_assert_eq!((fast, fast.to_string()), (slow, slow.to_string()));
        }
    }
}
