//! The weighted total over the scored components, and the tier it reaches.

use super::ComponentResult;
use crate::{
    component::{Component, PerComponent},
    config::{Resolved, TierConfig},
    decimal::{clamp, round2, with_two_places},
};
use rust_decimal::Decimal;
use std::cmp::Reverse;

/// `norm_c = score_c / max_points_c * 100`: puts components with different maxima on one
/// 0-100 scale. A score out of 100 is its own figure; a component that allows no points
/// (`max_points <= 0`, which validation refuses) counts 0.
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

/// `SOS = sum(weight_c * norm_c) / sum(weight_c)` over the components that are not N/A (their
/// weight is shared among the others), rounded to 2 dp. `None` when nothing weighted was
/// scored.
pub fn weighted_total(components: &PerComponent<ComponentResult>) -> Option<Decimal> {
    let mut weights = Decimal::ZERO;
    let mut weighted = Decimal::ZERO;
    for c in Component::ALL {
        let part = components.get(c);
        if let Some(norm) = part.normalized {
            weights = weights.saturating_add(part.weight_pct);
            weighted = weighted.saturating_add(part.weight_pct.saturating_mul(norm));
        }
    }
    if weights <= Decimal::ZERO {
        return None;
    }
    let total = round2(weighted.checked_div(weights)?);
    Some(with_two_places(clamp(
        total,
        Decimal::ZERO,
        Decimal::ONE_HUNDRED,
    )))
}

/// The tier reached and the next one up.
///
/// Reached: the largest `min_sos_score <= sos` (ties: lowest `tier_order`); `max_sos_score`
/// never excludes. Next: the smallest `min_sos_score > sos` (ties: lowest `tier_order`), so a
/// seller can read how many points they lack.
pub fn tier_and_next(
    sos: Decimal,
    tiers: &[Resolved<TierConfig>],
) -> (Option<&Resolved<TierConfig>>, Option<&Resolved<TierConfig>>) {
    let reached = tiers
        .iter()
        .filter(|t| t.value.min_sos_score <= sos)
        .min_by_key(|t| (Reverse(t.value.min_sos_score), t.value.tier_order));
    let next = tiers
        .iter()
        .filter(|t| t.value.min_sos_score > sos)
        .min_by_key(|t| (t.value.min_sos_score, t.value.tier_order));
    (reached, next)
}
