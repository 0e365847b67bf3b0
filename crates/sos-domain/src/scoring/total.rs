//! The weighted total over the scored components, and the tier it reaches.

use super::{with_two_places, ComponentResult};
use crate::{
    component::{Component, PerComponent},
    config::{Resolved, TierConfig},
    decimal::{clamp, div_round2, weighted_sums},
};
use rust_decimal::Decimal;
use std::cmp::Reverse;

/// `score / max_points * 100`: puts components with different maxima on one 0-100 scale.
/// A component that allows no points (`max_points <= 0`, which validation refuses) counts 0.
pub fn normalized(score: Decimal, max_points: Decimal) -> Decimal {
    if max_points == Decimal::ONE_HUNDRED {
        score
    } else if max_points > Decimal::ZERO {
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
            .map_or((Decimal::ZERO, Decimal::ZERO), |norm| (part.weight_pct, norm))
    });
    let (weights, weighted) = weighted_sums(&pairs);
    if weights <= Decimal::ZERO {
        return None;
    }
    let total = div_round2(weighted, weights)?;
    Some(with_two_places(clamp(total, Decimal::ZERO, Decimal::ONE_HUNDRED)))
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
        if t.min_sos_score <= sos {
            let better = reached.is_none_or(|r| {
                (t.min_sos_score, Reverse(t.tier_order)) > (r.value.min_sos_score, Reverse(r.value.tier_order))
            });
            if better {
                reached = Some(row);
            }
        } else {
            let better = next.is_none_or(|n| {
                (t.min_sos_score, t.tier_order) < (n.value.min_sos_score, n.value.tier_order)
            });
            if better {
                next = Some(row);
            }
        }
    }
    (reached, next)
}
