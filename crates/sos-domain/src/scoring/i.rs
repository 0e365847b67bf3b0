//! I-score: stock aging past the threshold costs points per whole 5-point band over the
//! tolerated share, multiplied when much of the stock is severely aged.

use super::{finish_score, Calculated, NotApplicableReason, Outcome};
use crate::{
    config::{AgingBasis, IScoreConfig, Resolved},
    decimal::non_negative,
    inputs::{InventorySnapshot, InventorySnapshotDraft},
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Every figure behind an I-score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IExplanation {
    /// The i-score row used and its values (the basis included).
    pub config: Resolved<IScoreConfig>,
    /// The snapshot as received.
    pub inputs: Option<InventorySnapshotDraft>,
    /// `aging_over_90d_cbm / total_cbm * 100`, full precision.
    pub by_cbm: Option<Decimal>,
    /// `aging_over_90d_sku_qty / total_sku_qty * 100`, full precision.
    pub by_qty: Option<Decimal>,
    /// The share the basis picked.
    pub aging_pct_used: Option<Decimal>,
    /// Whole 5-point bands of `aging_pct_used` over `base_good_pct`.
    pub steps: Option<Decimal>,
    /// `steps * penalty_per_5pct`.
    pub penalty_before_multiplier: Option<Decimal>,
    /// The severely aged share: `aging_over_180d_pct`, else derived from volumes, else 0.
    pub severe_pct: Option<Decimal>,
    /// True when `severe_pct >= severe_aging_pct_threshold` multiplied the penalty.
    pub multiplier_applied: bool,
    /// The penalty after the multiplier.
    pub penalty: Option<Decimal>,
    /// `base_points - penalty`, before clamping and rounding.
    pub raw_score: Option<Decimal>,
}

/// The width of one aging band, in percentage points.
const FIVE_POINTS: Decimal = Decimal::from_parts(5, 0, 0, false, 0);

/// Scores stock health per the I-score rule; N/A when the basis has no share to use.
pub fn score_i(
    inventory: Option<&InventorySnapshot>,
    config: &Resolved<IScoreConfig>,
    max_points: Decimal,
) -> Calculated<IExplanation> {
    let mut explanation = IExplanation {
        config: config.clone(),
        inputs: inventory.map(|s| s.figures().clone()),
        by_cbm: None,
        by_qty: None,
        aging_pct_used: None,
        steps: None,
        penalty_before_multiplier: None,
        severe_pct: None,
        multiplier_applied: false,
        penalty: None,
        raw_score: None,
    };
    let Some(inventory) = inventory else {
        return Calculated {
            outcome: Outcome::NotApplicable(NotApplicableReason::NoData),
            explanation,
        };
    };
    let rule = &config.value;
    let shares = inventory.aging_percentages();
    let severe_pct = inventory.severe_aging_pct();
    explanation.by_cbm = shares.by_cbm;
    explanation.by_qty = shares.by_qty;
    explanation.severe_pct = Some(severe_pct);
    let used = match rule.calculation_basis {
        AgingBasis::Cbm => shares.by_cbm,
        AgingBasis::Qty => shares.by_qty,
        AgingBasis::Max => shares.max,
    };
    let Some(used) = used else {
        return Calculated {
            outcome: Outcome::NotApplicable(NotApplicableReason::MissingFigures),
            explanation,
        };
    };
    // Whole 5-point bands over the tolerance; none at or below it.
    let steps = (non_negative(used.saturating_sub(rule.base_good_pct)) / FIVE_POINTS).floor();
    let before = steps.saturating_mul(rule.penalty_per_5pct);
    let multiplier_applied = severe_pct >= rule.severe_aging_pct_threshold;
    let penalty = if multiplier_applied {
        before.saturating_mul(rule.severe_storage_multiplier)
    } else {
        before
    };
    let raw = rule.base_points.saturating_sub(penalty);
    explanation.aging_pct_used = Some(used);
    explanation.steps = Some(steps);
    explanation.penalty_before_multiplier = Some(before);
    explanation.multiplier_applied = multiplier_applied;
    explanation.penalty = Some(penalty);
    explanation.raw_score = Some(raw);
    Calculated {
        outcome: Outcome::Scored(finish_score(raw, max_points)),
        explanation,
    }
}
