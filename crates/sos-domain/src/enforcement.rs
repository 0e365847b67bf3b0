//! Order blocking (scoring-rules.md, "Order blocking"): which surcharge rules block a seller's
//! orders, and what a committed calculation, a payments sync or a manual unblock does to the
//! seller's blocking state. Pure: the stores call [`decide`] inside the transaction of the
//! cause and write what it answers.
//!
//! - A **calculation** of period `P` evaluates every `block_orders` rule on the seller's result
//!   and its blocking rules become the ones that held, except that the rules on payment metrics
//!   only keep what a payments sync found on a later payment month than `P` (see below). It
//!   also ends a manual hold.
//! - A **payments sync** evaluates the `block_orders` rules in effect whose every metric is a
//!   payment metric (`worst_days_late`, `total_outstanding_amount`: [`PAYMENT_METRICS`]) on the
//!   seller's most recent payment month after the sync, with the figures that month's aggregate
//!   gives. Their hits replace their own earlier hits; the hits of rules on other metrics (or
//!   on a mix), which a sync cannot know, and of rules no longer in effect stay as the last
//!   calculation left them. During a manual hold a sync changes nothing.
//! - A **manual unblock** lifts every hit and holds the seller unblocked until the next
//!   calculation.
//!
//! A seller is blocked exactly while at least one rule holds; each change between blocked and
//! unblocked is a [`BlockChange`], kept as history, audited and sent to webhook subscribers.
//! A seller no rule ever blocked has no state to keep ([`decide`] answers `None` for it), so
//! calculations and syncs write nothing for the sellers who pay on time.

use crate::{
    config::ConfigId,
    inputs::PaymentStats,
    surcharge::{Condition, Metric, MetricValues, SurchargeRule, TriggeredSurcharge},
    Decimal, Period, ValidationErrors,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::fmt;

/// The longest reason a manual unblock takes, in characters.
pub const MAX_UNBLOCK_REASON_CHARS: usize = 500;

/// The metrics a payments sync knows: the figures of the seller's payment aggregate.
pub const PAYMENT_METRICS: [Metric; 2] = [Metric::WorstDaysLate, Metric::TotalOutstandingAmount];

/// True when every metric `condition` tests is a payment metric, so that a payments sync can
/// evaluate it with the figures of a payment aggregate alone.
pub fn is_payment_only(condition: &Condition) -> bool {
    condition
        .metrics()
        .iter()
        .all(|m| PAYMENT_METRICS.contains(m))
}

/// The metrics a payment aggregate gives: `worst_days_late` and `total_outstanding_amount`;
/// every other metric is N/A (so comparisons on it are false).
pub fn payment_metrics(payment: &PaymentStats) -> MetricValues {
    MetricValues {
        worst_days_late: payment.worst_days_late().map(Decimal::from),
        total_outstanding_amount: payment.total_outstanding_amount(),
        ..MetricValues::default()
    }
}

/// One `block_orders` rule that holds for a seller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockHit {
    /// The rule's config row; `None` for a built-in default.
    pub rule_id: Option<ConfigId>,
    /// The action's reason.
    pub reason: String,
    /// True when the rule tests payment metrics only, so payments syncs re-evaluate it.
    pub payment_only: bool,
}

/// The `block_orders` rules a result triggered, as hits. `rules` are the surcharge rules the
/// result was scored with; each hit is classified by the rule (same id and action) that made it.
pub fn calculation_hits(
    rules: &[SurchargeRule],
    triggered: &[TriggeredSurcharge],
) -> Vec<BlockHit> {
    triggered
        .iter()
        .filter_map(|t| {
            let reason = t.action.block_reason()?;
            let payment_only = rules
                .iter()
                .find(|r| r.id == t.rule_id && r.action == t.action)
                .is_some_and(|r| is_payment_only(&r.condition));
            Some(BlockHit {
                rule_id: t.rule_id,
                reason: reason.to_owned(),
                payment_only,
            })
        })
        .collect()
}

/// The `block_orders` rules a payments sync evaluates: the payment-only ones.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PaymentRules {
    rules: Vec<SurchargeRule>,
}

impl PaymentRules {
    /// The payment-only `block_orders` rules among `rules` (the surcharge rules in effect), in
    /// their order.
    pub fn from_rules(rules: &[SurchargeRule]) -> Self {
        Self {
            rules: rules
                .iter()
                .filter(|r| r.action.block_reason().is_some() && is_payment_only(&r.condition))
                .cloned()
                .collect(),
        }
    }

    /// The rules.
    pub fn rules(&self) -> &[SurchargeRule] {
        &self.rules
    }

    /// The sync's trigger for a seller whose most recent payment month is `period`, with that
    /// month's figures.
    pub fn trigger(
        &self,
        period: Period,
        worst_days_late: Option<i32>,
        total_outstanding_amount: Option<Decimal>,
    ) -> Trigger {
        Trigger::Sync {
            period,
            evaluated: self.rules.iter().map(|r| r.id).collect(),
            hits: self.hits_on(worst_days_late, total_outstanding_amount),
        }
    }

    /// The rules that hold on `payment`, as hits.
    pub fn hits(&self, payment: &PaymentStats) -> Vec<BlockHit> {
        self.hits_on(
            payment.worst_days_late(),
            payment.total_outstanding_amount(),
        )
    }

    /// The rules that hold on a payment aggregate's figures, as hits.
    pub fn hits_on(
        &self,
        worst_days_late: Option<i32>,
        total_outstanding_amount: Option<Decimal>,
    ) -> Vec<BlockHit> {
        let metrics = MetricValues {
            worst_days_late: worst_days_late.map(Decimal::from),
            total_outstanding_amount,
            ..MetricValues::default()
        };
        self.rules
            .iter()
            .filter(|r| r.condition.evaluate(&metrics))
            .filter_map(|r| {
                Some(BlockHit {
                    rule_id: r.id,
                    reason: r.action.block_reason()?.to_owned(),
                    payment_only: true,
                })
            })
            .collect()
    }
}

/// What changed a seller's blocking state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BlockCause {
    /// A committed calculation.
    Calculation,
    /// A payments sync.
    Sync,
    /// Ops, by hand.
    Manual,
}

impl BlockCause {
    /// Every cause.
    pub const ALL: [BlockCause; 3] = [
        BlockCause::Calculation,
        BlockCause::Sync,
        BlockCause::Manual,
    ];

    /// The wire name: `calculation`, `sync` or `manual`.
    pub fn as_str(self) -> &'static str {
        match self {
            BlockCause::Calculation => "calculation",
            BlockCause::Sync => "sync",
            BlockCause::Manual => "manual",
        }
    }

    /// The cause named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl fmt::Display for BlockCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A seller's blocking state. A seller never blocked has the default (unblocked, no hits).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enforcement {
    /// The rules that block the seller now; blocked exactly when there is one.
    pub hits: Vec<BlockHit>,
    /// When the seller was last blocked or unblocked; `None` when it never was.
    pub since: Option<DateTime<Utc>>,
    /// The payment month the payment-only hits were last evaluated on.
    pub payment_period: Option<Period>,
    /// Unblocked by hand: payments syncs leave the seller unblocked until the next calculation.
    pub manual_hold: bool,
}

impl Enforcement {
    /// True while at least one rule blocks the seller.
    pub fn is_blocked(&self) -> bool {
        !self.hits.is_empty()
    }

    /// The reasons of the rules that block, each once, in rule order.
    pub fn reasons(&self) -> Vec<String> {
        reasons(&self.hits)
    }

    /// The config rows of the rules that block, each once, in rule order (built-in defaults
    /// have none).
    pub fn rule_ids(&self) -> Vec<ConfigId> {
        rule_ids(&self.hits)
    }

    /// The state as the audit log records it.
    pub fn to_json(&self) -> Value {
        json!({
            "blocked": self.is_blocked(),
            "reasons": self.reasons(),
            "rule_ids": self.rule_ids(),
            "since": self.since,
            "payment_period": self.payment_period,
            "manual_hold": self.manual_hold,
        })
    }
}

fn reasons(hits: &[BlockHit]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for h in hits {
        if !out.contains(&h.reason) {
            out.push(h.reason.clone());
        }
    }
    out
}

fn rule_ids(hits: &[BlockHit]) -> Vec<ConfigId> {
    let mut out = Vec::new();
    for id in hits.iter().filter_map(|h| h.rule_id) {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// What may change a seller's blocking state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// A committed calculation of `period` scored the seller; `hits` are the `block_orders`
    /// rules its result triggered ([`calculation_hits`]).
    Calculation {
        /// The period calculated.
        period: Period,
        /// The rules that held.
        hits: Vec<BlockHit>,
    },
    /// A payments sync touched the seller: `period` is its most recent payment month after the
    /// sync, `evaluated` the rules the sync evaluated on it and `hits` those that hold
    /// ([`PaymentRules::trigger`]).
    Sync {
        /// The seller's most recent payment month.
        period: Period,
        /// The rules evaluated: their earlier hits are replaced; the others stay.
        evaluated: Vec<Option<ConfigId>>,
        /// The rules that hold on it.
        hits: Vec<BlockHit>,
    },
    /// Ops unblock the seller by hand.
    ManualUnblock {
        /// Why, checked with [`check_unblock_reason`].
        reason: String,
    },
}

/// A change between blocked and unblocked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockChange {
    /// The state after: true for a block, false for an unblock.
    pub blocked: bool,
    /// What caused it.
    pub cause: BlockCause,
    /// The period whose data decided it (the calculated period or the payment month synced);
    /// `None` for a manual unblock.
    pub period: Option<Period>,
    /// For a block, the reasons blocking; for an unblock, the reasons lifted.
    pub reasons: Vec<String>,
    /// The rules of `reasons`.
    pub rule_ids: Vec<ConfigId>,
    /// The reason given for a manual unblock.
    pub note: Option<String>,
    /// Who: the API key that synced, calculated or unblocked (or `cli`).
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
}

impl BlockChange {
    /// `block` or `unblock`: the audit action.
    pub fn action(&self) -> &'static str {
        if self.blocked {
            "block"
        } else {
            "unblock"
        }
    }
}

/// The state after a trigger, and the change between blocked and unblocked it made, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The new state, to store.
    pub next: Enforcement,
    /// The transition, when the seller went from blocked to unblocked or back.
    pub change: Option<BlockChange>,
}

/// Why a manual unblock is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UnblockRefusal {
    /// No rule blocks the seller.
    #[error("is not blocked")]
    NotBlocked,
}

/// Checks the reason of a manual unblock: required, at most [`MAX_UNBLOCK_REASON_CHARS`]
/// characters, no control characters but tab and newline.
///
/// # Errors
/// Each problem, on the field `reason`.
pub fn check_unblock_reason(reason: &str) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    crate::text::check_text(
        &mut errors,
        "reason",
        reason,
        MAX_UNBLOCK_REASON_CHARS,
        true,
    );
    errors.into_result(())
}

/// What `trigger`, by `actor` at `at`, does to `current`. `Ok(None)` when the state stays as it
/// is (nothing to write).
///
/// # Errors
/// [`UnblockRefusal::NotBlocked`] for a manual unblock of a seller no rule blocks.
pub fn decide(
    current: &Enforcement,
    trigger: Trigger,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<Option<Decision>, UnblockRefusal> {
    let (next, cause, period, note) = match trigger {
        Trigger::Calculation { period, hits } => {
            // Payment-only rules keep what a sync found on a later payment month.
            let payment_is_current = current.payment_period.is_none_or(|q| period >= q);
            let hits = if payment_is_current {
                hits
            } else {
                current
                    .hits
                    .iter()
                    .filter(|h| h.payment_only)
                    .cloned()
                    .chain(hits.into_iter().filter(|h| !h.payment_only))
                    .collect()
            };
            let next = Enforcement {
                hits,
                since: current.since,
                payment_period: if payment_is_current {
                    Some(period)
                } else {
                    current.payment_period
                },
                manual_hold: false,
            };
            (next, BlockCause::Calculation, Some(period), None)
        }
        Trigger::Sync {
            period,
            evaluated,
            hits,
        } => {
            if current.manual_hold || evaluated.is_empty() {
                return Ok(None);
            }
            let next = Enforcement {
                hits: current
                    .hits
                    .iter()
                    .filter(|h| !evaluated.contains(&h.rule_id))
                    .cloned()
                    .chain(hits)
                    .collect(),
                since: current.since,
                payment_period: Some(period),
                manual_hold: false,
            };
            (next, BlockCause::Sync, Some(period), None)
        }
        Trigger::ManualUnblock { reason } => {
            if !current.is_blocked() {
                return Err(UnblockRefusal::NotBlocked);
            }
            let next = Enforcement {
                hits: Vec::new(),
                since: current.since,
                payment_period: current.payment_period,
                manual_hold: true,
            };
            (next, BlockCause::Manual, None, Some(reason))
        }
    };
    let mut next = next;
    let change = (next.is_blocked() != current.is_blocked()).then(|| {
        let lifted_or_held = if next.is_blocked() {
            &next.hits
        } else {
            &current.hits
        };
        BlockChange {
            blocked: next.is_blocked(),
            cause,
            period,
            reasons: reasons(lifted_or_held),
            rule_ids: rule_ids(lifted_or_held),
            note,
            actor: actor.to_owned(),
            at,
        }
    });
    if change.is_some() {
        next.since = Some(at);
    }
    // A seller never blocked keeps no state: nothing to write until a rule first blocks it.
    if next == *current || (!next.is_blocked() && *current == Enforcement::default()) {
        return Ok(None);
    }
    Ok(Some(Decision { next, change }))
}

/// The audit entry's old and new values of a change: the state before, and the state after
/// with the cause, period and note of the change.
pub fn audit_values(
    before: &Enforcement,
    change: &BlockChange,
    after: &Enforcement,
) -> (Value, Value) {
    let mut new = after.to_json();
    if let Value::Object(map) = &mut new {
        map.insert("cause".into(), json!(change.cause));
        map.insert("period".into(), json!(change.period));
        map.insert("note".into(), json!(change.note));
    }
    (before.to_json(), new)
}
