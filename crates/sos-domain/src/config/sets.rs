//! Checks that look at several rows together: rows of a set must not contradict each other.
//!
//! Each row is validated alone by [`ConfigDraft::parse`](super::ConfigDraft::parse); these
//! checks add what only a group can show. What counts as a conflict between two rows of a set:
//! - `tiers`: the same `tier_name` (ignoring case), the same `tier_order`, or an order that
//!   contradicts the scores (a tier ranked higher must not start at a lower `min_sos_score`);
//! - `t-score`: the same `tier_index`, or overlapping `[min, max)` hour bands;
//! - `f-score`: the same `tier_index`, or overlapping `[min, max]` day bands;
//! - `am-bonus-penalty`: overlapping `[min, max)` delta bands;
//! - `am-kpi-weight` and `score-weights`: the same component twice.
//!
//! Two uses:
//! - [`check_set_conflicts`] at write time: the row being written against the active rows
//!   already in its set (same type, same `effective_from`). Only conflicts are checked, not
//!   completeness, because a new set is written one row at a time. Keyed and single types are
//!   not checked: the scoring rules break their ties by highest id, so a newer row for the same
//!   key and date simply supersedes the older one.
//! - `check_*` on a whole, finished set (for example before bulk import): conflicts plus
//!   completeness (a tier at `min_sos_score = 0`; five weights summing to 100). Fields are
//!   reported as `[index].field`, the index into the given slice.
//!
//! Calculation itself ([`resolve_config`](super::resolve_config)) refuses only what the scoring
//! rules name: missing or unbalanced weights and a missing or bottomless tier set.

use super::params::{
    AmBonusPenaltyConfig, AmKpiWeightConfig, FScoreTierConfig, ScoreWeightConfig, TScoreTierConfig,
    TierConfig,
};
use super::resolved::ConfigId;
use super::types::{ConfigBody, ConfigDraft, ConfigKind, ConfigRecord};
use crate::{component::Component, error::ValidationErrors};
use rust_decimal::Decimal;
use std::fmt::Display;

/// One conflict of row `a` with row `b`: the field of `a` at fault and why.
type Conflict = (&'static str, String);

fn bound<T: Display>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

fn tier_conflicts(a: &TierConfig, b: &TierConfig) -> Vec<Conflict> {
    let mut out = Vec::new();
    if a.tier_name.as_str().to_lowercase() == b.tier_name.as_str().to_lowercase() {
        out.push((
            "tier_name",
            format!("tier `{}` is already in the set", b.tier_name),
        ));
    }
    if a.tier_order == b.tier_order {
        out.push((
            "tier_order",
            format!(
                "tier_order {} is already used by tier `{}`",
                a.tier_order, b.tier_name
            ),
        ));
    } else {
        let a_higher = a.tier_order < b.tier_order;
        let contradicts = if a_higher {
            a.min_sos_score < b.min_sos_score
        } else {
            a.min_sos_score > b.min_sos_score
        };
        if contradicts {
            out.push((
                "tier_order",
                format!(
                    "ranks this tier {} tier `{}` (order {}), but its min_sos_score {} is {} than {}",
                    if a_higher { "above" } else { "below" },
                    b.tier_name,
                    b.tier_order,
                    a.min_sos_score,
                    if a_higher { "lower" } else { "higher" },
                    b.min_sos_score
                ),
            ));
        }
    }
    out
}

fn half_open_overlap(a: (Decimal, Option<Decimal>), b: (Decimal, Option<Decimal>)) -> bool {
    b.1.is_none_or(|b_max| a.0 < b_max) && a.1.is_none_or(|a_max| b.0 < a_max)
}

fn t_conflicts(a: &TScoreTierConfig, b: &TScoreTierConfig) -> Vec<Conflict> {
    let mut out = Vec::new();
    if a.tier_index == b.tier_index {
        out.push((
            "tier_index",
            format!("tier_index {} is already used", a.tier_index),
        ));
    }
    if half_open_overlap(
        (a.response_hours_min, a.response_hours_max),
        (b.response_hours_min, b.response_hours_max),
    ) {
        out.push((
            "response_hours_min",
            format!(
                "hours [{}, {}) overlap the band [{}, {}) of tier_index {}",
                a.response_hours_min,
                bound(a.response_hours_max),
                b.response_hours_min,
                bound(b.response_hours_max),
                b.tier_index
            ),
        ));
    }
    out
}

fn f_conflicts(a: &FScoreTierConfig, b: &FScoreTierConfig) -> Vec<Conflict> {
    let mut out = Vec::new();
    if a.tier_index == b.tier_index {
        out.push((
            "tier_index",
            format!("tier_index {} is already used", a.tier_index),
        ));
    }
    let overlap = b.days_late_max.is_none_or(|b_max| a.days_late_min <= b_max)
        && a.days_late_max.is_none_or(|a_max| b.days_late_min <= a_max);
    if overlap {
        out.push((
            "days_late_min",
            format!(
                "days [{}, {}] overlap the band [{}, {}] of tier_index {}",
                a.days_late_min,
                bound(a.days_late_max),
                b.days_late_min,
                bound(b.days_late_max),
                b.tier_index
            ),
        ));
    }
    out
}

fn am_bonus_conflicts(a: &AmBonusPenaltyConfig, b: &AmBonusPenaltyConfig) -> Vec<Conflict> {
    if half_open_overlap(
        (a.sos_delta_min, a.sos_delta_max),
        (b.sos_delta_min, b.sos_delta_max),
    ) {
        vec![(
            "sos_delta_min",
            format!(
                "sos_delta [{}, {}) overlaps the band [{}, {})",
                a.sos_delta_min,
                bound(a.sos_delta_max),
                b.sos_delta_min,
                bound(b.sos_delta_max)
            ),
        )]
    } else {
        Vec::new()
    }
}

fn am_kpi_conflicts(a: &AmKpiWeightConfig, b: &AmKpiWeightConfig) -> Vec<Conflict> {
    if a.component == b.component {
        vec![(
            "component",
            format!("{} already has a weight", a.component.as_str()),
        )]
    } else {
        Vec::new()
    }
}

fn weight_conflicts(a: &ScoreWeightConfig, b: &ScoreWeightConfig) -> Vec<Conflict> {
    if a.score_component == b.score_component {
        vec![(
            "score_component",
            format!("{} already has a weight", a.score_component),
        )]
    } else {
        Vec::new()
    }
}

/// The conflicts of body `a` with body `b` of the same set (none across types).
fn conflicts(a: &ConfigBody, b: &ConfigBody) -> Vec<Conflict> {
    match (a, b) {
        (ConfigBody::Tier(a), ConfigBody::Tier(b)) => tier_conflicts(a, b),
        (ConfigBody::TScore(a), ConfigBody::TScore(b)) => t_conflicts(a, b),
        (ConfigBody::FScore(a), ConfigBody::FScore(b)) => f_conflicts(a, b),
        (ConfigBody::AmBonusPenalty(a), ConfigBody::AmBonusPenalty(b)) => am_bonus_conflicts(a, b),
        (ConfigBody::AmKpiWeight(a), ConfigBody::AmKpiWeight(b)) => am_kpi_conflicts(a, b),
        (ConfigBody::ScoreWeights(a), ConfigBody::ScoreWeights(b)) => weight_conflicts(a, b),
        _ => Vec::new(),
    }
}

/// Every pairwise conflict in `items`, reported on the later row as `[i].field`.
fn pairwise<T>(items: &[T], check: impl Fn(&T, &T) -> Vec<Conflict>) -> ValidationErrors {
    let mut errors = ValidationErrors::new();
    for (i, a) in items.iter().enumerate() {
        for (j, b) in items[..i].iter().enumerate() {
            for (field, message) in check(a, b) {
                errors.push(format!("[{i}].{field}"), format!("{message} (see [{j}])"));
            }
        }
    }
    errors
}

/// Checks the row `draft` (to be written, replacing row `replacing` on update) against the
/// active rows already in its set: same type, same `effective_from`. Only set types are
/// checked; see the module documentation for what conflicts.
///
/// # Errors
/// Each conflict, on the draft's field, naming the row it conflicts with.
pub fn check_set_conflicts(
    existing: &[ConfigRecord],
    draft: &ConfigDraft,
    replacing: Option<ConfigId>,
) -> Result<(), ValidationErrors> {
    let config_type = draft.config_type();
    let mut errors = ValidationErrors::new();
    if config_type.kind() != ConfigKind::Set {
        return Ok(());
    }
    let group = existing.iter().filter(|r| {
        r.is_active
            && r.config_type == config_type
            && r.effective_from == draft.effective_from
            && Some(r.id) != replacing
    });
    for row in group {
        for (field, message) in conflicts(&draft.body, &row.body) {
            let from = row
                .effective_from
                .map_or_else(String::new, |d| format!(" of the set effective from {d}"));
            errors.push(
                field,
                format!("{message}: conflicts with row {}{from}", row.id),
            );
        }
    }
    errors.into_result(())
}

/// Checks a whole tier set: no conflicting pair, and a tier at `min_sos_score = 0` so every
/// score gets a tier.
///
/// # Errors
/// Every conflict as `[i].field`, and `min_sos_score` when no tier starts at 0.
pub fn check_tier_set(tiers: &[TierConfig]) -> Result<(), ValidationErrors> {
    let mut errors = pairwise(tiers, tier_conflicts);
    if !tiers.iter().any(|t| t.min_sos_score.is_zero()) {
        errors.push(
            "min_sos_score",
            "no tier has min_sos_score = 0, so low scores would get no tier",
        );
    }
    errors.into_result(())
}

/// Checks a whole set of ticket bands: distinct `tier_index`, no overlapping hours.
///
/// # Errors
/// Every conflict as `[i].field`.
pub fn check_t_bands(bands: &[TScoreTierConfig]) -> Result<(), ValidationErrors> {
    pairwise(bands, t_conflicts).into_result(())
}

/// Checks a whole set of payment bands: distinct `tier_index`, no overlapping days.
///
/// # Errors
/// Every conflict as `[i].field`.
pub fn check_f_bands(bands: &[FScoreTierConfig]) -> Result<(), ValidationErrors> {
    pairwise(bands, f_conflicts).into_result(())
}

/// Checks a whole set of AM bonus/penalty bands: no overlapping `sos_delta` ranges, so each
/// delta earns at most one amount.
///
/// # Errors
/// Every conflict as `[i].sos_delta_min`.
pub fn check_am_bonus_bands(bands: &[AmBonusPenaltyConfig]) -> Result<(), ValidationErrors> {
    pairwise(bands, am_bonus_conflicts).into_result(())
}

/// Checks a whole set of AM KPI weights: each component at most once.
///
/// # Errors
/// Every duplicate as `[i].component`.
pub fn check_am_kpi_weights(weights: &[AmKpiWeightConfig]) -> Result<(), ValidationErrors> {
    pairwise(weights, am_kpi_conflicts).into_result(())
}

/// Checks a full set of score weights as a calculation needs it: each of the five components
/// exactly once, summing to 100.
///
/// # Errors
/// Duplicates as `[i].score_component`, missing components on `score_component`, and a wrong
/// sum on `weight_pct` (with the sum).
pub fn check_weights(weights: &[ScoreWeightConfig]) -> Result<(), ValidationErrors> {
    let mut errors = pairwise(weights, weight_conflicts);
    let missing: Vec<&str> = Component::ALL
        .into_iter()
        .filter(|c| !weights.iter().any(|w| w.score_component == *c))
        .map(Component::as_str)
        .collect();
    if !missing.is_empty() {
        errors.push(
            "score_component",
            format!("no weight for {}", missing.join(", ")),
        );
    }
    match weight_sum(weights.iter()) {
        Some(sum) if sum == Decimal::ONE_HUNDRED => {}
        Some(sum) => errors.push("weight_pct", format!("the weights sum to {sum}, not 100")),
        None => errors.push(
            "weight_pct",
            "the weights sum to more than any decimal holds",
        ),
    }
    errors.into_result(())
}

/// The sum of the weights, or `None` on overflow.
pub(crate) fn weight_sum<'a>(
    mut weights: impl Iterator<Item = &'a ScoreWeightConfig>,
) -> Option<Decimal> {
    weights.try_fold(Decimal::ZERO, |acc, w| acc.checked_add(w.weight_pct))
}
