//! Webhook subscriptions, their deliveries and replays on the wire.
//!
//! A subscription never shows its signing secret: only the answers to create and to rotate
//! carry it, once, as `secret` ([`WebhookSubscriptionWithSecret`]).

use super::master::page_type;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sos_app::SubscriptionWithSecret;
use sos_domain::webhook::{EventType, SubscriptionPatch, ALL_EVENTS};
use sos_ports::{Attempt, Delivery, DeliveryStatus, Subscription};
use utoipa::{
    openapi::{schema::Type, ObjectBuilder, OneOfBuilder, Ref, RefOr, Schema},
    IntoParams, PartialSchema, ToSchema,
};

/// The schema of an event type: its values are the domain's [`EventType::ALL`].
#[derive(Debug)]
pub struct WebhookEventType;

impl PartialSchema for WebhookEventType {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(EventType::ALL.iter().map(|t| t.as_str())))
            .description(Some("An event SOS publishes."))
            .into()
    }
}

impl ToSchema for WebhookEventType {}

/// The schema of an `event_types` entry: an event type, or `*` (alone) for every type.
#[derive(Debug)]
pub struct WebhookEventSelector;

impl PartialSchema for WebhookEventSelector {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(Ref::from_schema_name(WebhookEventType::name()))
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some([ALL_EVENTS]))
                    .description(Some(
                        "Every event type, present and future; listed alone (`[\"*\"]`).",
                    )),
            )
            .description(Some("An event type, or `*` for all."))
            .into()
    }
}

impl ToSchema for WebhookEventSelector {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((WebhookEventType::name().into(), WebhookEventType::schema()));
    }
}

/// `POST /api/webhooks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"subscriber": "oms", "endpoint_url": "https://oms.example.com/hooks/sos", "event_types": ["seller.score_finalized", "seller.tier_changed"], "timeout_seconds": 15, "max_attempts": 8}))]
pub struct NewWebhookSubscription {
    /// The receiving system's name (one line).
    pub subscriber: String,
    /// Where events are POSTed: `https://` (plain `http://` only when the server allows it)
    /// on a host that resolves to public addresses only (unless the server allows private
    /// ones). No credentials, no fragment; redirects are not followed.
    pub endpoint_url: String,
    /// The event types to receive, each once, or `["*"]` for every type (the default).
    #[serde(default)]
    #[schema(value_type = Option<Vec<WebhookEventSelector>>)]
    pub event_types: Option<Vec<String>>,
    /// Whether events are sent (default true).
    #[serde(default)]
    pub is_active: Option<bool>,
    /// The time limit of one attempt, in seconds.
    #[serde(default)]
    pub timeout_seconds: Option<i64>,
    /// Attempts before a delivery is `failed` (it stays replayable).
    #[serde(default)]
    pub max_attempts: Option<i64>,
}

impl From<NewWebhookSubscription> for SubscriptionPatch {
    fn from(b: NewWebhookSubscription) -> Self {
        SubscriptionPatch {
            subscriber: Some(b.subscriber),
            endpoint_url: Some(b.endpoint_url),
            event_types: b.event_types,
            is_active: b.is_active,
            timeout_seconds: b.timeout_seconds,
            max_attempts: b.max_attempts,
        }
    }
}

/// `PATCH /api/webhooks/{id}`: the fields to change; the others keep their values.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"event_types": ["*"], "is_active": true}))]
pub struct WebhookSubscriptionPatch {
    /// The receiving system's name (one line).
    #[serde(default)]
    pub subscriber: Option<String>,
    /// Where events are POSTed; the same rules as on create.
    #[serde(default)]
    pub endpoint_url: Option<String>,
    /// The event types to receive, each once, or `["*"]` for every type.
    #[serde(default)]
    #[schema(value_type = Option<Vec<WebhookEventSelector>>)]
    pub event_types: Option<Vec<String>>,
    /// Whether events are sent; true again clears `disabled_reason`.
    #[serde(default)]
    pub is_active: Option<bool>,
    /// The time limit of one attempt, in seconds.
    #[serde(default)]
    pub timeout_seconds: Option<i64>,
    /// Attempts before a delivery is `failed`.
    #[serde(default)]
    pub max_attempts: Option<i64>,
}

impl From<WebhookSubscriptionPatch> for SubscriptionPatch {
    fn from(b: WebhookSubscriptionPatch) -> Self {
        SubscriptionPatch {
            subscriber: b.subscriber,
            endpoint_url: b.endpoint_url,
            event_types: b.event_types,
            is_active: b.is_active,
            timeout_seconds: b.timeout_seconds,
            max_attempts: b.max_attempts,
        }
    }
}

/// A webhook subscription. Its signing secret is never part of it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "subscriber": "oms", "endpoint_url": "https://oms.example.com/hooks/sos", "event_types": ["seller.score_finalized", "seller.tier_changed"], "is_active": true, "timeout_seconds": 15, "max_attempts": 8, "disabled_reason": null, "previous_secret_expires_at": null, "created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-01T08:00:00Z"}))]
pub struct WebhookSubscription {
    /// Id.
    pub id: i64,
    /// The receiving system's name.
    pub subscriber: String,
    /// Where events are POSTed (normalized).
    pub endpoint_url: String,
    /// The event types it receives; `["*"]` for every type.
    #[schema(value_type = Vec<WebhookEventSelector>)]
    pub event_types: Vec<String>,
    /// Whether events are sent.
    pub is_active: bool,
    /// The time limit of one attempt, in seconds.
    pub timeout_seconds: u32,
    /// Attempts before a delivery is `failed`.
    pub max_attempts: u32,
    /// Why SOS disabled it (the endpoint answered 410 Gone), while it stays disabled.
    pub disabled_reason: Option<String>,
    /// Until when the secret replaced by the last rotation still signs.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<Subscription> for WebhookSubscription {
    fn from(s: Subscription) -> Self {
        Self {
            id: s.id,
            subscriber: s.settings.subscriber().to_owned(),
            endpoint_url: s.settings.endpoint_url().as_str().to_owned(),
            event_types: s.settings.event_types().names(),
            is_active: s.settings.is_active(),
            timeout_seconds: s.settings.timeout_seconds(),
            max_attempts: s.settings.max_attempts(),
            disabled_reason: s.disabled_reason,
            previous_secret_expires_at: s.previous_secret_expires_at,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A subscription with its signing secret: the answer to create and to rotate, the only
/// times the secret is shown.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw0/NNcmvTu7E=", "id": 1, "subscriber": "oms", "endpoint_url": "https://oms.example.com/hooks/sos", "event_types": ["*"], "is_active": true, "timeout_seconds": 15, "max_attempts": 8, "disabled_reason": null, "previous_secret_expires_at": null, "created_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-01T08:00:00Z"}))]
pub struct WebhookSubscriptionWithSecret {
    /// The signing secret, `whsec_` + base64 of 32 random bytes: verify each message's
    /// `webhook-signature` with it (Standard Webhooks). Store it now: it is not shown again.
    pub secret: String,
    /// The subscription.
    #[serde(flatten)]
    pub subscription: WebhookSubscription,
}

impl From<SubscriptionWithSecret> for WebhookSubscriptionWithSecret {
    fn from(s: SubscriptionWithSecret) -> Self {
        Self {
            secret: s.secret,
            subscription: s.subscription.into(),
        }
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookDeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Every attempt failed, or the endpoint answered 410; replayable.
    Failed,
}

impl From<DeliveryStatus> for WebhookDeliveryStatus {
    fn from(s: DeliveryStatus) -> Self {
        match s {
            DeliveryStatus::Pending => Self::Pending,
            DeliveryStatus::Delivered => Self::Delivered,
            DeliveryStatus::Failed => Self::Failed,
        }
    }
}

/// One attempt of a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookAttempt {
    /// 1 for the first attempt (counting again from 1 after a replay).
    pub attempt: u32,
    /// When it was made.
    pub attempted_at: DateTime<Utc>,
    /// The endpoint's status; null for a timeout, a connection error or a refused address.
    pub status_code: Option<u16>,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// What went wrong, when something did.
    pub error: Option<String>,
    /// The start of the endpoint's answer, at most 1 kB.
    pub response_body: String,
}

impl From<Attempt> for WebhookAttempt {
    fn from(a: Attempt) -> Self {
        Self {
            attempt: a.attempt,
            attempted_at: a.attempted_at,
            status_code: a.status_code,
            duration_ms: a.duration_ms,
            error: a.error,
            response_body: a.response_body,
        }
    }
}

/// One event on its way to one subscription, with its attempts.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 7, "subscription_id": 1, "event_id": "evt_3f9c2a61d04b4e8f9a51c2d7e6b8f013", "event_type": "seller.score_finalized", "occurred_at": "2026-03-02T09:00:00Z", "status": "pending", "attempts": 1, "next_attempt_at": "2026-03-02T09:05:05Z", "log": [{"attempt": 1, "attempted_at": "2026-03-02T09:00:05Z", "status_code": 503, "duration_ms": 212, "error": null, "response_body": "upstream unavailable"}]}))]
pub struct WebhookDelivery {
    /// Id (for `POST /api/webhooks/deliveries/{id}/replay`).
    pub id: i64,
    /// The subscription.
    pub subscription_id: i64,
    /// The event's id: the `webhook-id` header, the receiver's dedupe key; a replay keeps it.
    pub event_id: String,
    /// The event's type.
    #[schema(value_type = WebhookEventType)]
    pub event_type: String,
    /// When the event happened.
    pub occurred_at: DateTime<Utc>,
    /// Where it stands.
    pub status: WebhookDeliveryStatus,
    /// Attempts made since it was created or last replayed.
    pub attempts: u32,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Every attempt, oldest first.
    pub log: Vec<WebhookAttempt>,
}

impl From<Delivery> for WebhookDelivery {
    fn from(d: Delivery) -> Self {
        Self {
            id: d.id,
            subscription_id: d.subscription_id,
            event_id: d.event_id,
            event_type: d.event_type.as_str().to_owned(),
            occurred_at: d.occurred_at,
            status: d.status.into(),
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            log: d.log.into_iter().map(Into::into).collect(),
        }
    }
}

page_type!(WebhookSubscriptionPage, WebhookSubscription);
page_type!(WebhookDeliveryPage, WebhookDelivery);

/// Paging of the webhook listings.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page, from 1.
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Rows per page, 1-500 (default 20).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// The query of `POST /api/webhooks/{id}/replay`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReplaySinceQuery {
    /// Replay every matching event that happened at or after this instant (RFC 3339, e.g.
    /// `2026-03-01T00:00:00Z`; percent-encode a `+` offset as `%2B`).
    #[param(required = true, value_type = String, format = DateTime, example = "2026-03-01T00:00:00Z")]
    pub since: Option<String>,
}

/// The answer to a replay since an instant.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"deliveries": 3}))]
pub struct WebhookReplayed {
    /// Deliveries now due: the subscription's matching events since the instant, including
    /// those it never had a delivery for.
    pub deliveries: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_statuses_are_named_as_stored() {
        for s in [
            DeliveryStatus::Pending,
            DeliveryStatus::Delivered,
            DeliveryStatus::Failed,
        ] {
            assert_eq!(
                serde_json::to_value(WebhookDeliveryStatus::from(s)).ok(),
                Some(serde_json::Value::from(s.as_str()))
            );
        }
    }
}
