//! The surcharge rule language: JSON conditions over a seller's result, and the actions they
//! trigger.
//!
//! Rules are parsed and checked when they are written (see [`Condition::parse`] and
//! [`SurchargeAction::parse`]), so a stored rule can always be evaluated: unknown metrics,
//! operators and action types never reach a calculation.

mod action;
mod condition;
mod metrics;

pub use action::SurchargeAction;
pub use condition::{CompareOp, Condition, ConditionValue, Metric};
pub use metrics::MetricValues;

use crate::config::ConfigId;
use serde::{Deserialize, Serialize};

/// Deepest nesting of `all`/`any`/`not` accepted, so hostile input cannot exhaust the stack.
pub const MAX_CONDITION_DEPTH: usize = 16;

/// A stored surcharge rule ready to evaluate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurchargeRule {
    /// The config row it came from; `None` for a built-in default.
    pub id: Option<ConfigId>,
    /// The fee family (`storage`, `fulfillment`, ...).
    pub surcharge_type: String,
    /// When it triggers.
    pub condition: Condition,
    /// What it does.
    pub action: SurchargeAction,
}

/// A rule that triggered for a seller: what the engine records. It does not bill.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TriggeredSurcharge {
    /// The rule's config row id.
    pub rule_id: Option<ConfigId>,
    /// The fee family.
    pub surcharge_type: String,
    /// What the rule does.
    pub action: SurchargeAction,
}

/// The rules of `rules` whose condition holds for `metrics`, in rule order.
pub fn evaluate_rules(rules: &[SurchargeRule], metrics: &MetricValues) -> Vec<TriggeredSurcharge> {
    rules
        .iter()
        .filter(|r| r.condition.evaluate(metrics))
        .map(|r| TriggeredSurcharge {
            rule_id: r.id,
            surcharge_type: r.surcharge_type.clone(),
            action: r.action.clone(),
        })
        .collect()
}
