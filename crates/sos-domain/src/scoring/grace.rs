//! Grace: new and low-volume sellers get a floor under their scored components, so a first
//! month or a quiet month does not sink their tier.

use super::ComponentResult;
use crate::{
    component::{Component, PerComponent},
    config::GracePeriodConfig,
    decimal::with_two_places,
    inputs::SellerInputs,
    period::Period,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Why a seller is in grace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GraceReason {
    /// Within `grace_period_months` of onboarding (the onboarding month is month 1).
    NewSeller,
    /// Fewer orders than `min_orders_threshold` in a period with order data.
    LowVolume,
}

/// What grace did to a result.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GraceOutcome {
    /// True when the seller was in grace (even if no score needed raising).
    pub applied: bool,
    /// Why, in the order new seller, low volume.
    pub reasons: Vec<GraceReason>,
    /// The components grace raised to the floor.
    pub raised_components: Vec<Component>,
    /// Months since onboarding, the onboarding month being 1; `None` without an onboarding date.
    pub month_index: Option<i32>,
    /// The floor raised components were lifted to.
    pub min_score_floor: Decimal,
}

/// Months from the onboarding month to `period`, the onboarding month being 1 (0 or less when
/// the seller joined after the period).
pub fn month_index(period: Period, onboarded_at: Option<NaiveDate>) -> Option<i32> {
    onboarded_at.map(|d| period.months_since(Period::of_date(d)).saturating_add(1))
}

/// The reasons `inputs` puts the seller in grace under `rule`.
pub fn grace_reasons(
    inputs: &SellerInputs,
    rule: &GracePeriodConfig,
    month_index: Option<i32>,
) -> Vec<GraceReason> {
    let mut reasons = Vec::new();
    if month_index.is_some_and(|m| m >= 1 && i64::from(m) <= i64::from(rule.grace_period_months)) {
        reasons.push(GraceReason::NewSeller);
    }
    if inputs
        .orders
        .as_ref()
        .is_some_and(|o| o.total_orders() < rule.min_orders_threshold)
    {
        reasons.push(GraceReason::LowVolume);
    }
    reasons
}

/// Applies grace to the components: in grace, every listed component that was scored becomes
/// `max(score, floor)`, never above its `max_points`. Not-applicable components stay so.
pub fn apply_grace(
    inputs: &SellerInputs,
    rule: &GracePeriodConfig,
    components: &mut PerComponent<ComponentResult>,
) -> GraceOutcome {
    let month_index = month_index(inputs.period, inputs.onboarded_at);
    let reasons = grace_reasons(inputs, rule, month_index);
    let mut raised_components = Vec::new();
    if !reasons.is_empty() {
        for c in Component::ALL {
            let part = components.get_mut(c);
            // Grace never raises a score an exception set: ops chose that value.
            if part.exception.is_some() {
                continue;
            }
            let Some(before) = part.score.filter(|_| rule.applies_to(c)) else {
                continue;
            };
            // The floor, never above the component's maximum.
            let floor = with_two_places(if rule.min_score_floor < part.max_points {
                rule.min_score_floor
            } else {
                part.max_points
            });
            if before < floor {
                part.score = Some(floor);
                raised_components.push(c);
            }
        }
    }
    GraceOutcome {
        applied: !reasons.is_empty(),
        reasons,
        raised_components,
        month_index,
        min_score_floor: rule.min_score_floor,
    }
}
