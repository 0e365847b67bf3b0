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

pub use ids::{ConfigIds, PScoreIds};
pub use result::{
    ComponentExplanation, ComponentResult, ComponentStatus, NextTier, NotApplicableReason,
    ScoreResult, ScoreStatus,
};
pub use seller::{score_seller, Scorer};

use crate::decimal::{round2, with_two_places};
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

/// The one place a raw component figure becomes a score: rounded once to 2 dp half away from
/// zero, held within `[0, max_points]`, written with two decimals (`85.00`). Rounding before
/// clamping can never leave the range for a 2-dp `max_points`.
pub(crate) fn finish_score(raw: Decimal, max_points: Decimal) -> Decimal {
    let rounded = round2(raw);
    let held = if rounded.is_sign_negative() || max_points.is_sign_negative() {
        Decimal::ZERO
    } else {
        rounded.min(max_points)
    };
    with_two_places(held)
}

/// `sum(count * points)` over the buckets of a breakdown (T) or of the invoices (F), written
/// with as many decimals as the most precise band's points, as the exact sum has them.
pub(crate) fn sum_of_count_times_points<const N: usize>(buckets: [(u32, Decimal); N]) -> Decimal {
    let mut sum = buckets.iter().fold(Decimal::ZERO, |sum, (count, points)| {
        sum.saturating_add(Decimal::from(*count).saturating_mul(*points))
    });
    // The library writes a product with zero as a bare `0`, dropping the points' decimals.
    let scale = buckets.iter().map(|(_, p)| p.scale()).max().unwrap_or(0);
    if sum.scale() < scale {
        sum.rescale(scale);
    }
    sum
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
