//! The weighted total over the scored components, and the tier it reaches.

use super::ComponentResult;
use crate::{
    component::{Component, PerComponent},
    config::{Resolved, TierConfig},
    decimal::{clamp, compare, div_round2, weighted_sums, with_two_places},
};
use rust_decimal::Decimal;

/// `score / max_points * 100`: puts components with different maxima on one 0-100 scale.
/// A component that allows no points (`max_points <= 0`, which validation refuses) counts 0.
pub fn normalized(score: Decimal, max_points: Decimal) -> Decimal {
    if compare(max_points, Decimal::ONE_HUNDRED).is_eq() {
        score
    } else if compare(max_points, Decimal::ZERO).is_gt() {
        score
            .checked_div(max_points)
            .map_or(Decimal::ZERO, |q| q.saturating_mul(Decimal::ONE_HUNDRED))
    } else {
        Decimal::ZERO
    }
}

/// `sum(weight * normalized) / sum(weight)` over the scored components, rounded to 2 dp:
/// the weight of a not-applicable component is shared among the others. `None` when nothing
/// weighted was scored.
pub fn weighted_total(components: &PerComponent<ComponentResult>) -> Option<Decimal> {
    let pairs = Component::ALL.map(|c| {
        let part = components.get(c);
        part.normalized
            .map_or((Decimal::ZERO, Decimal::ZERO), |norm| {
                (part.weight_pct, norm)
            })
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
