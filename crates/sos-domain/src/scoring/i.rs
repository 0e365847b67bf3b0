//! I-score: stock aging past the threshold costs points per whole 5-point band over the
//! tolerated share, multiplied when much of the stock is severely aged.

use super::{finish_score, non_negative, Calculated, NotApplicableReason, Outcome};
use crate::{
    config::{AgingBasis, IScoreConfig, Resolved},
    decimal::{compare, floor_div, floor_percent, whole},
    inputs::{AgingPercentages, InventorySnapshot, InventorySnapshotDraft},
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
    #[serde(serialize_with = "crate::json_number::exact_opt")]
    pub by_cbm: Option<Decimal>,
    /// `aging_over_90d_sku_qty / total_sku_qty * 100`, full precision.
    #[serde(serialize_with = "crate::json_number::exact_opt")]
    pub by_qty: Option<Decimal>,
    /// The share the basis picked.
    #[serde(serialize_with = "crate::json_number::exact_opt")]
    pub aging_pct_used: Option<Decimal>,
    /// Whole 5-point bands of `aging_pct_used` over `base_good_pct`.
    #[serde(serialize_with = "crate::json_number::exact_opt")]
    pub steps: Option<Decimal>,
    /// `steps * penalty_per_5pct`.
    #[serde(serialize_with = "crate::json_number::exact_opt")]
    pub penalty_before_multiplier: Option<Decimal>,
    /// The severely aged share: `aging_over_180d_pct`, else derived from volumes, else 0.
    #[serde(serialize_with = "crate::json_number::exact_opt")]
    pub severe_pct: Option<Decimal>,
    /// True when `severe_pct >= severe_aging_pct_threshold` multiplied the penalty.
    pub multiplier_applied: bool,
    /// The penalty after the multiplier.
    #[serde(serialize_with = "crate::json_number::exact_opt")]
    pub penalty: Option<Decimal>,
    /// `base_points - penalty`, before clamping and rounding.
    #[serde(serialize_with = "crate::json_number::exact_opt")]
    pub raw_score: Option<Decimal>,
}

/// The 5-point bands over a whole `base_good_pct` from the shares' whole parts: for a whole
/// `b`, `floor((used - b) / 5)` is `floor((floor(used) - b) / 5)`, and [`floor_percent`] gives
/// `floor(used)` from the snapshot's figures without the 28-digit share. `None`: the decimal
/// path answers.
fn whole_steps(
    rule: &IScoreConfig,
    figures: &InventorySnapshotDraft,
    shares: &AgingPercentages,
) -> Option<i64> {
    let base = whole(rule.base_good_pct)?;
    let floor_of = |present: Option<Decimal>, part: Option<Decimal>, whole: Option<Decimal>| {
        present
            .map(|_| floor_percent(part?, whole?))
            .map(|f| f.ok_or(()))
    };
    let by_cbm = floor_of(shares.by_cbm, figures.aging_over_90d_cbm, figures.total_cbm)
        .transpose()
        .ok()?;
    let by_qty = floor_of(
        shares.by_qty,
        figures.aging_over_90d_sku_qty,
        figures.total_sku_qty,
    )
    .transpose()
    .ok()?;
    let used = match rule.calculation_basis {
        AgingBasis::Cbm => by_cbm,
        AgingBasis::Qty => by_qty,
        AgingBasis::Max => by_cbm.max(by_qty),
    }?;
    Some(used.checked_sub(base)?.max(0) / 5)
}

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
    let steps = whole_steps(rule, inventory.figures(), &shares)
        .map(Decimal::from)
        .unwrap_or_else(|| floor_div(non_negative(used.saturating_sub(rule.base_good_pct)), 5));
    let before = steps.saturating_mul(rule.penalty_per_5pct);
    let multiplier_applied = compare(severe_pct, rule.severe_aging_pct_threshold).is_ge();
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A volume of 0-3 decimals.
    fn volume(max: i64) -> impl Strategy<Value = Decimal> {
        (0..=max, 0u32..4).prop_map(|(m, s)| Decimal::new(m, s))
    }

    fn snapshot() -> impl Strategy<Value = InventorySnapshotDraft> {
        (
            prop::option::of(volume(2_000_000)),
            prop::option::of(volume(2_000_000)),
            0u32..=1000,
            0u32..=1000,
        )
            .prop_map(|(total_cbm, total_qty, cbm_share, qty_share)| {
                // Parts as a share of their whole, so they never exceed it.
                let part = |whole: Decimal, share: u32| {
                    (whole * Decimal::from(share) / Decimal::from(1000)).round_dp(3)
                };
                InventorySnapshotDraft {
                    snapshot_date: chrono::NaiveDate::MIN,
                    total_cbm,
                    total_sku_qty: total_qty,
                    aging_over_90d_cbm: total_cbm.map(|w| part(w, cbm_share)),
                    aging_over_90d_sku_qty: total_qty.map(|w| part(w, qty_share)),
                    aging_over_180d_cbm: None,
                    aging_over_180d_pct: None,
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// The bands from the shares' whole parts are the bands of the 28-digit share.
        #[test]
        fn whole_steps_are_the_decimal_steps(
            draft in snapshot(),
            base in 0i64..60,
            basis in prop_oneof![Just(AgingBasis::Cbm), Just(AgingBasis::Qty), Just(AgingBasis::Max)],
        ) {
            let Ok(snapshot) = InventorySnapshot::new(draft) else {
                return Ok(());
            };
            let mut rule = crate::config::ResolvedConfig::defaults(chrono::NaiveDate::MIN).i_score.value;
            rule.base_good_pct = Decimal::from(base);
            rule.calculation_basis = basis;
            let shares = snapshot.aging_percentages();
            let used = match basis {
                AgingBasis::Cbm => shares.by_cbm,
                AgingBasis::Qty => shares.by_qty,
                AgingBasis::Max => shares.max,
            };
            let whole = whole_steps(&rule, snapshot.figures(), &shares);
            if let Some(used) = used {
                let by_decimals = floor_div(non_negative(used.saturating_sub(rule.base_good_pct)), 5);
                prop_assert_eq!(whole.map(|w| Decimal::from(w).to_string()), Some(by_decimals.to_string()));
            }
        }
    }
}
