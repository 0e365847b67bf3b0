//! The weighted total over the scored components, and the tier it reaches.

use super::ComponentResult;
use crate::{
    component::{Component, PerComponent},
    config::{Resolved, TierConfig},
    decimal::{
        clamp, compare, div_half_away, div_round2, hundredths, weighted_sums, with_two_places,
    },
};
use rust_decimal::Decimal;

/// `score / max_points * 100`: puts components with different maxima on one 0-100 scale.
/// A component that allows no points (`max_points <= 0`, which validation refuses) counts 0.
pub fn normalized(score: Decimal, max_points: Decimal) -> Decimal {
    Normalization::for_max(max_points).apply(score)
}

/// `sum(weight * normalized) / sum(weight)` over the scored components, rounded to 2 dp:
/// the weight of a not-applicable component is shared among the others. `None` when nothing
/// weighted was scored.
pub fn weighted_total(components: &PerComponent<ComponentResult>) -> Option<Decimal> {
    weighted_total_of(&PerComponent::from_fn(|c| {
        let part = components.get(c);
        (part.weight_pct, part.normalized)
    }))
}

/// [`weighted_total`] from each component's weight and normalized score (`None`: not
/// applicable).
pub(crate) fn weighted_total_of(
    parts: &PerComponent<(Decimal, Option<Decimal>)>,
) -> Option<Decimal> {
    let pairs = Component::ALL.map(|c| {
        let (weight, normalized) = *parts.get(c);
        normalized.map_or((Decimal::ZERO, Decimal::ZERO), |norm| (weight, norm))
    });
    let (weights, weighted) = weighted_sums(&pairs);
    if compare(weights, Decimal::ZERO).is_le() {
        return None;
    }
    let total = div_round2(weighted, weights)?;
    Some(with_two_places(clamp(
        total,
        Decimal::ZERO,
        Decimal::ONE_HUNDRED,
    )))
}

/// The tier reached and the next one up, found in one pass over the set.
///
/// Reached: the largest `min_sos_score <= sos` (ties: lowest `tier_order`); `max_sos_score`
/// never excludes. Next: the smallest `min_sos_score > sos` (ties: lowest `tier_order`), so a
/// seller can read how many points they lack.
pub fn tier_and_next(
    sos: Decimal,
    tiers: &[Resolved<TierConfig>],
) -> (Option<&Resolved<TierConfig>>, Option<&Resolved<TierConfig>>) {
    let mut reached: Option<&Resolved<TierConfig>> = None;
    let mut next: Option<&Resolved<TierConfig>> = None;
    for row in tiers {
        let t = &row.value;
        if compare(t.min_sos_score, sos).is_le() {
            let better = reached.is_none_or(|r| {
                compare(t.min_sos_score, r.value.min_sos_score)
                    .then(r.value.tier_order.cmp(&t.tier_order))
                    .is_gt()
            });
            if better {
                reached = Some(row);
            }
        } else {
            let better = next.is_none_or(|n| {
                compare(t.min_sos_score, n.value.min_sos_score)
                    .then(t.tier_order.cmp(&n.value.tier_order))
                    .is_lt()
            });
            if better {
                next = Some(row);
            }
        }
    }
    (reached, next)
}

/// A tier set arranged once for many lookups: one row per distinct minimum (the one ties pick,
/// the lowest `tier_order`), by rising minimum. The tier reached is then the last row at or
/// below the score and the next one up the row after it, found by bisection, with the same
/// answer as [`tier_and_next`].
#[derive(Debug, Clone)]
pub struct TierLadder<'c> {
    rungs: Vec<&'c Resolved<TierConfig>>,
    /// Each rung's minimum in hundredths, when every minimum has at most two decimals (a total
    /// always has two): the bisection then compares integers.
    cents: Option<Vec<i128>>,
}

impl<'c> TierLadder<'c> {
    /// Arranges `tiers`.
    pub fn new(tiers: &'c [Resolved<TierConfig>]) -> Self {
        let mut rungs: Vec<&Resolved<TierConfig>> = tiers.iter().collect();
        rungs.sort_by(|a, b| {
            compare(a.value.min_sos_score, b.value.min_sos_score)
                .then(a.value.tier_order.cmp(&b.value.tier_order))
        });
        rungs.dedup_by(|later, kept| {
            compare(later.value.min_sos_score, kept.value.min_sos_score).is_eq()
        });
        let cents = rungs
            .iter()
            .map(|r| hundredths(r.value.min_sos_score))
            .collect();
        Self { rungs, cents }
    }

    /// The tier `sos` reaches and the next one up, as [`tier_and_next`] finds them.
    pub fn tier_and_next(
        &self,
        sos: Decimal,
    ) -> (
        Option<&'c Resolved<TierConfig>>,
        Option<&'c Resolved<TierConfig>>,
    ) {
        let above = match (&self.cents, hundredths(sos)) {
            (Some(mins), Some(sos)) => mins.partition_point(|&min| min <= sos),
            _ => self
                .rungs
                .partition_point(|r| compare(r.value.min_sos_score, sos).is_le()),
        };
        let reached = above.checked_sub(1).and_then(|i| self.rungs.get(i));
        (reached.copied(), self.rungs.get(above).copied())
    }
}

/// [`weighted_total`] summed as the components are normalized, in whole hundredths: with
/// weights `a` and normalized scores `b` in hundredths, the total in hundredths is
/// `sum(a * b) / sum(a)`, rounded half away from zero. Any figure with more than two decimals,
/// or sums past `i128`, leave the answer to [`weighted_total`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct HundredthsTotal {
    /// `(sum(a), sum(a * b))`, or `None` once off the integer path.
    sums: Option<(i128, i128)>,
}

impl Default for HundredthsTotal {
    fn default() -> Self {
        Self { sums: Some((0, 0)) }
    }
}

impl HundredthsTotal {
    /// Counts one scored component: its weight in hundredths (`None` when it has more decimals)
    /// and its normalized score.
    pub(crate) fn add(&mut self, weight: Option<i128>, normalized: Decimal) {
        self.sums = self.sums.and_then(|(weights, weighted)| {
            let (a, b) = (weight?, hundredths(normalized)?);
            Some((
                weights.checked_add(a)?,
                weighted.checked_add(a.checked_mul(b)?)?,
            ))
        });
    }

    /// The total, exactly as [`weighted_total`] gives it: `Some(None)` when no weight was
    /// scored, `None` when [`weighted_total`] must answer.
    pub(crate) fn finish(self) -> Option<Option<Decimal>> {
        let (weights, weighted) = self.sums?;
        if weights <= 0 {
            return Some(None);
        }
        let held = div_half_away(weighted, weights).clamp(0, 10_000);
        Decimal::try_from_i128_with_scale(held, 2).ok().map(Some)
    }
}

/// How a component's score becomes its 0-100 figure, worked out once from its `max_points`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Normalization {
    /// Out of 100 already: the score is the figure.
    AsIs,
    /// Out of another positive maximum: `score / max_points * 100`.
    Scaled(Decimal),
    /// A maximum of 0 or less: every score counts 0.
    Zero,
}

impl Normalization {
    pub(crate) fn for_max(max_points: Decimal) -> Self {
        if compare(max_points, Decimal::ONE_HUNDRED).is_eq() {
            Self::AsIs
        } else if compare(max_points, Decimal::ZERO).is_gt() {
            Self::Scaled(max_points)
        } else {
            Self::Zero
        }
    }

    pub(crate) fn apply(self, score: Decimal) -> Decimal {
        match self {
            Self::AsIs => score,
            Self::Scaled(max_points) => score
                .checked_div(max_points)
                .map_or(Decimal::ZERO, |q| q.saturating_mul(Decimal::ONE_HUNDRED)),
            Self::Zero => Decimal::ZERO,
        }
    }
}
