//! The weighted total over the scored components, and the tier it reaches.

use super::{with_two_places, ComponentResult};
use crate::{
    component::PerComponent,
    config::{Resolved, TierConfig},
    decimal::{clamp, round2},
};
use rust_decimal::Decimal;
use std::cmp::Ordering;

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
    let mut weights = Decimal::ZERO;
    let mut weighted = Decimal::ZERO;
    for (_, part) in components.iter() {
        if let Some(norm) = part.normalized {
            weights = weights.saturating_add(part.weight_pct);
            weighted = weighted.saturating_add(part.weight_pct.saturating_mul(norm));
        }
    }
    if weights <= Decimal::ZERO {
        return None;
    }
    let total = weighted.checked_div(weights)?;
    Some(with_two_places(round2(clamp(
        total,
        Decimal::ZERO,
        Decimal::ONE_HUNDRED,
    ))))
}

/// Orders tiers for picking: a higher minimum first, then the lower `tier_order` (ties).
fn rank(a: &TierConfig, b: &TierConfig) -> Ordering {
    b.min_sos_score
        .cmp(&a.min_sos_score)
        .then(a.tier_order.cmp(&b.tier_order))
}

/// The tier reached: the largest `min_sos_score <= sos` (ties: lowest `tier_order`).
/// `max_sos_score` never excludes.
pub fn tier_for(sos: Decimal, tiers: &[Resolved<TierConfig>]) -> Option<&Resolved<TierConfig>> {
    tiers
        .iter()
        .filter(|t| t.value.min_sos_score <= sos)
        .min_by(|a, b| rank(&a.value, &b.value))
}

/// The next tier up: the smallest `min_sos_score > sos` (ties: lowest `tier_order`), so a
/// seller can read how many points they lack.
pub fn next_tier_above(sos: Decimal, tiers: &[Resolved<TierConfig>]) -> Option<&Resolved<TierConfig>> {
    tiers
        .iter()
        .filter(|t| t.value.min_sos_score > sos)
        .min_by(|a, b| {
            (a.value.min_sos_score, a.value.tier_order).cmp(&(b.value.min_sos_score, b.value.tier_order))
        })
}
