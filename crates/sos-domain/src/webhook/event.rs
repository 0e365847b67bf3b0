//! The events and their payloads: `{"type", "timestamp", "data"}`. The event id travels in
//! the `webhook-id` header, so the body of an event never changes between attempts.

use crate::{
    config::ConfigId, enforcement::BlockChange, surcharge::SurchargeAction, Period, ScoreResult,
    SellerCode, TierName,
};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::{fmt, str::FromStr};

/// Every event type SOS publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EventType {
    /// One per seller when its period is finalized, with the result summary.
    #[serde(rename = "seller.score_finalized")]
    ScoreFinalized,
    /// At finalize, when the tier differs from the seller's previous finalized period.
    #[serde(rename = "seller.tier_changed")]
    TierChanged,
    /// Each surcharge rule a committed calculation triggered.
    #[serde(rename = "seller.surcharge_created")]
    SurchargeCreated,
    /// The first finalized period in which a seller that was in grace is not.
    #[serde(rename = "seller.grace_period_ended")]
    GracePeriodEnded,
    /// A calculation committed; the run summary.
    #[serde(rename = "calculation.completed")]
    CalculationCompleted,
    /// An appeal was decided (approved, partially approved, rejected or expired).
    #[serde(rename = "seller.appeal_decided")]
    AppealDecided,
    /// A seller's orders are blocked.
    #[serde(rename = "seller.order_blocked")]
    OrderBlocked,
    /// A seller's orders are no longer blocked.
    #[serde(rename = "seller.order_unblocked")]
    OrderUnblocked,
}

impl EventType {
    /// Every event type, in documentation order.
    pub const ALL: [EventType; 8] = [
        EventType::ScoreFinalized,
        EventType::TierChanged,
        EventType::SurchargeCreated,
        EventType::GracePeriodEnded,
        EventType::CalculationCompleted,
        EventType::AppealDecided,
        EventType::OrderBlocked,
        EventType::OrderUnblocked,
    ];

    /// The name on the wire, e.g. `seller.tier_changed`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::ScoreFinalized => "seller.score_finalized",
            EventType::TierChanged => "seller.tier_changed",
            EventType::SurchargeCreated => "seller.surcharge_created",
            EventType::GracePeriodEnded => "seller.grace_period_ended",
            EventType::CalculationCompleted => "calculation.completed",
            EventType::AppealDecided => "seller.appeal_decided",
            EventType::OrderBlocked => "seller.order_blocked",
            EventType::OrderUnblocked => "seller.order_unblocked",
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EventType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                let known: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
                format!("unknown event type {s:?}; known: {}", known.join(", "))
            })
    }
}

/// An event ready for the outbox: its type, when it happened and the exact body to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDraft {
    event_type: EventType,
    occurred_at: DateTime<Utc>,
    payload: String,
}

impl EventDraft {
    /// The event `event_type` with `data`, at `occurred_at`.
    pub fn new(event_type: EventType, occurred_at: DateTime<Utc>, data: Value) -> Self {
        let payload = json!({
            "type": event_type.as_str(),
            "timestamp": occurred_at.to_rfc3339_opts(SecondsFormat::Millis, true),
            "data": data,
        });
        Self {
            event_type,
            occurred_at,
            payload: payload.to_string(),
        }
    }

    /// A stored event, as read back.
    pub fn from_parts(event_type: EventType, occurred_at: DateTime<Utc>, payload: String) -> Self {
        Self {
            event_type,
            occurred_at,
            payload,
        }
    }

    /// The type.
    pub fn event_type(&self) -> EventType {
        self.event_type
    }

    /// When its cause committed.
    pub fn occurred_at(&self) -> DateTime<Utc> {
        self.occurred_at
    }

    /// The JSON body sent to subscribers, byte for byte.
    pub fn payload(&self) -> &str {
        &self.payload
    }
}

/// What a seller event says of the result.
fn result_summary(result: &ScoreResult) -> Value {
    json!({
        "status": result.status(),
        "sos_score": result.sos_score(),
        "tier": result.tier(),
        "p_score": result.components.p_score.score,
        "o_score": result.components.o_score.score,
        "t_score": result.components.t_score.score,
        "f_score": result.components.f_score.score,
        "i_score": result.components.i_score.score,
        "in_grace": result.grace.applied,
        "surcharges": result.surcharges.len(),
    })
}

/// The events of finalizing `period` for one seller: `seller.score_finalized` always,
/// `seller.tier_changed` when the tier differs from `previous` (the seller's result in its latest
/// finalized period before this one), and `seller.grace_period_ended` when `previous` was in
/// grace and this result is not.
pub fn finalize_events(
    seller: &SellerCode,
    result: &ScoreResult,
    previous: Option<&ScoreResult>,
    at: DateTime<Utc>,
) -> Vec<EventDraft> {
    let period = result.period;
    let mut events = vec![EventDraft::new(
        EventType::ScoreFinalized,
        at,
        json!({"seller_code": seller, "period": period, "result": result_summary(result)}),
    )];
    if let Some(prev) = previous {
        let (old, new): (Option<&TierName>, Option<&TierName>) = (prev.tier(), result.tier());
        if old != new {
            events.push(EventDraft::new(
                EventType::TierChanged,
                at,
                json!({
                    "seller_code": seller,
                    "period": period,
                    "previous_period": prev.period,
                    "old_tier": old,
                    "new_tier": new,
                    "sos_score": result.sos_score(),
                }),
            ));
        }
        if prev.grace.applied && !result.grace.applied {
            events.push(EventDraft::new(
                EventType::GracePeriodEnded,
                at,
                json!({
                    "seller_code": seller,
                    "period": period,
                    "grace_period": prev.period,
                    "sos_score": result.sos_score(),
                    "tier": result.tier(),
                }),
            ));
        }
    }
    events
}

/// One `seller.surcharge_created` per surcharge rule `result` triggered in a committed run.
pub fn surcharge_events(
    seller: &SellerCode,
    result: &ScoreResult,
    at: DateTime<Utc>,
) -> Vec<EventDraft> {
    result
        .surcharges
        .iter()
        .map(|s| {
            let action: &SurchargeAction = &s.action;
            EventDraft::new(
                EventType::SurchargeCreated,
                at,
                json!({
                    "seller_code": seller,
                    "period": result.period,
                    "rule_id": s.rule_id,
                    "surcharge_type": s.surcharge_type,
                    "action": action,
                    "sos_score": result.sos_score(),
                    "tier": result.tier(),
                }),
            )
        })
        .collect()
}

/// The `seller.order_blocked` (or, for an unblock, `seller.order_unblocked`) event of a change
/// of the seller's blocking state. `reasons` and `rule_ids` are the rules blocking (or lifted),
/// `note` the reason of a manual unblock, `since` the instant of the change.
pub fn order_blocking_event(seller: &SellerCode, change: &BlockChange) -> EventDraft {
    let event_type = if change.blocked {
        EventType::OrderBlocked
    } else {
        EventType::OrderUnblocked
    };
    EventDraft::new(
        event_type,
        change.at,
        json!({
            "seller_code": seller,
            "cause": change.cause,
            "period": change.period,
            "reasons": change.reasons,
            "rule_ids": change.rule_ids,
            "note": change.note,
            "since": change.at.to_rfc3339_opts(SecondsFormat::Millis, true),
        }),
    )
}

/// What `calculation.completed` reports of a committed run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunFigures {
    /// The run's id.
    pub run_id: i64,
    /// The period.
    pub period: Period,
    /// The sellers asked for, when not all.
    pub seller_codes: Option<Vec<SellerCode>>,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
    /// Sellers with a total.
    pub sellers_scored: u32,
    /// Sellers with data but no scorable component.
    pub sellers_insufficient: u32,
    /// AM portfolios scored.
    pub am_scored: u32,
    /// Surcharge rules triggered.
    pub surcharges_triggered: u32,
    /// Sellers per tier.
    pub tiers: std::collections::BTreeMap<String, u32>,
    /// Every config row used.
    pub config_ids: Vec<ConfigId>,
    /// Who started it.
    pub triggered_by: String,
}

/// The `calculation.completed` event of a committed run.
pub fn calculation_completed(run: &RunFigures, at: DateTime<Utc>) -> EventDraft {
    EventDraft::new(
        EventType::CalculationCompleted,
        at,
        serde_json::to_value(run).unwrap_or(Value::Null),
    )
}
