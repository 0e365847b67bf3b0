//! Order blocking on the wire.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sos_domain::enforcement::Enforcement;
use utoipa::ToSchema;

/// Whether a seller's orders are blocked: what the OMS asks before it accepts an order.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"blocked": true, "reasons": ["An invoice is more than 30 days late"],
    "since": "2026-03-02T08:00:00.000Z", "rule_ids": [35]}))]
pub struct SellerEnforcement {
    /// True while at least one `block_orders` rule blocks the seller: refuse its new orders.
    pub blocked: bool,
    /// Why: the reason of each rule that blocks, in rule order (empty when not blocked).
    pub reasons: Vec<String>,
    /// When the seller was last blocked or unblocked; null when it never was.
    #[schema(format = DateTime, required = true)]
    pub since: Option<String>,
    /// The surcharge config rows of the rules that block.
    pub rule_ids: Vec<i64>,
}

fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl From<Enforcement> for SellerEnforcement {
    fn from(e: Enforcement) -> Self {
        Self {
            blocked: e.is_blocked(),
            reasons: e.reasons(),
            since: e.since.map(instant),
            rule_ids: e.rule_ids().into_iter().map(|r| r.0).collect(),
        }
    }
}

/// `POST /api/sellers/{seller_code}/unblock`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Paid at the counter, receipt 8812"}))]
pub struct UnblockBody {
    /// Why the seller is unblocked by hand: kept in the history, the audit log and the
    /// `seller.order_unblocked` event. Not blank, at most 500 characters, no control
    /// characters but tab and line breaks.
    pub reason: String,
}
