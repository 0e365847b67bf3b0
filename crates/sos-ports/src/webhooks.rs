//! The outbox and webhook subscriptions (storage), and the webhook gateway (outbound HTTP).

use crate::{
    errors::StoreError,
    master::{Page, PageRequest},
};
use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use sos_domain::webhook::{
    EndpointPolicy, EndpointUrl, EventDraft, EventType, SubscriptionDraft, WebhookSecret,
};
use std::time::Duration;

/// The longest response body kept in a delivery's log, in bytes.
pub const MAX_LOGGED_BODY: usize = 1_024;

/// A stored subscription. Its signing secrets are never part of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// Row id.
    pub id: i64,
    /// Its settings.
    pub settings: SubscriptionDraft,
    /// Why SOS disabled it (a 410 from the receiver), while it stays disabled.
    pub disabled_reason: Option<String>,
    /// Until when the secret replaced by the last rotation still signs.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its next attempt.
    Pending,
    /// A 2xx was received.
    Delivered,
    /// Every attempt failed, or the receiver answered 410; replayable.
    Failed,
}

impl DeliveryStatus {
    /// The name as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }
}

/// One attempt of one delivery, as logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    /// 1 for the first attempt (counting restarts after a replay).
    pub attempt: u32,
    /// When it was made.
    pub attempted_at: DateTime<Utc>,
    /// The answer's status; `None` for a timeout or a connection error.
    pub status_code: Option<u16>,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// What went wrong, when something did.
    pub error: Option<String>,
    /// The start of the answer's body, at most [`MAX_LOGGED_BODY`] bytes.
    pub response_body: String,
}

/// One event on its way to one subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Row id.
    pub id: i64,
    /// The subscription.
    pub subscription_id: i64,
    /// The event's id: the `webhook-id` header, the receiver's dedupe key.
    pub event_id: String,
    /// The event's type.
    pub event_type: EventType,
    /// When the event happened.
    pub occurred_at: DateTime<Utc>,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts made since it was created or last replayed.
    pub attempts: u32,
    /// When the next attempt is due, while pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Every attempt, oldest first.
    pub log: Vec<Attempt>,
}

/// The secrets that sign a subscription's messages now: the current one, and during the 24
/// hours after a rotation, the previous one too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningSecrets {
    /// The newest secret.
    pub current: WebhookSecret,
    /// The secret it replaced, while it still signs.
    pub previous: Option<WebhookSecret>,
}

/// A delivery a worker has leased: everything needed to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    /// The delivery's id.
    pub delivery_id: i64,
    /// The lease's token: the outcome is recorded only while the lease is still this one.
    pub lease: i64,
    /// The event's id.
    pub event_id: String,
    /// The event.
    pub event: EventDraft,
    /// The subscription's id.
    pub subscription_id: i64,
    /// Where to send.
    pub endpoint_url: EndpointUrl,
    /// Per attempt.
    pub timeout_seconds: u32,
    /// Attempts before it fails.
    pub max_attempts: u32,
    /// Attempts made before this one.
    pub attempts_made: u32,
    /// What signs it.
    pub secrets: SigningSecrets,
}

/// What the outbox does with a delivery after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Done.
    Delivered,
    /// Try again then.
    RetryAt(DateTime<Utc>),
    /// Give up; replayable.
    Failed,
    /// Give up and disable the subscription (the receiver answered 410).
    DisableSubscription,
}

/// Delivery counts for `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WebhookStats {
    /// Deliveries waiting.
    pub pending: u64,
    /// Deliveries done.
    pub delivered: u64,
    /// Deliveries given up.
    pub failed: u64,
    /// Age in seconds of the oldest event with a pending delivery.
    pub oldest_pending_age_seconds: Option<f64>,
}

/// Subscriptions, the outbox's deliveries and their logs.
///
/// Events themselves are written by the transaction of their cause
/// ([`crate::CalculationTx::write_events`], [`crate::ScoreStore::finalize_period`]): each
/// event gets one pending delivery per active subscription whose filter matches it.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait WebhookStore: Send + Sync {
    /// Stores a new subscription with its first secret (sealed at rest).
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn create_subscription(
        &self,
        settings: &SubscriptionDraft,
        secret: &WebhookSecret,
        actor: &str,
    ) -> Result<Subscription, StoreError>;

    /// One subscription.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is none with this id.
    fn get_subscription(&self, id: i64) -> Result<Subscription, StoreError>;

    /// Subscriptions by id.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn list_subscriptions(&self, page: PageRequest) -> Result<Page<Subscription>, StoreError>;

    /// Replaces a subscription's settings. Making it active again clears `disabled_reason`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is none with this id.
    fn update_subscription(
        &self,
        id: i64,
        settings: &SubscriptionDraft,
        actor: &str,
    ) -> Result<Subscription, StoreError>;

    /// Deletes a subscription with its deliveries and their logs.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is none with this id.
    fn delete_subscription(&self, id: i64, actor: &str) -> Result<(), StoreError>;

    /// Makes `secret` the signing secret; the old one keeps signing until `previous_until`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is none with this id.
    fn rotate_secret(
        &self,
        id: i64,
        secret: &WebhookSecret,
        previous_until: DateTime<Utc>,
        actor: &str,
    ) -> Result<Subscription, StoreError>;

    /// A subscription's deliveries, newest event first, with their attempt logs.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such subscription.
    fn list_deliveries(
        &self,
        subscription_id: i64,
        page: PageRequest,
    ) -> Result<Page<Delivery>, StoreError>;

    /// Sends a delivery again from its first attempt, due at `now`, with the same event id.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such delivery.
    fn replay_delivery(&self, delivery_id: i64, now: DateTime<Utc>)
        -> Result<Delivery, StoreError>;

    /// Sends again every event since `since` that the subscription's filter matches, creating
    /// the deliveries it never had. Returns how many deliveries are now due.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such subscription.
    fn replay_since(
        &self,
        subscription_id: i64,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError>;

    /// Leases up to `limit` pending deliveries of active subscriptions that are due at `now`
    /// and not leased by another worker, oldest due first, each until `now` plus its
    /// subscription's timeout plus `lease_margin`. Workers in several processes share the
    /// work: no delivery is leased twice at once, and a lease left by a crashed worker runs out.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
        lease_margin: TimeDelta,
    ) -> Result<Vec<DueDelivery>, StoreError>;

    /// Logs `attempt` and applies `resolution`, if the lease `lease` still holds. Returns false
    /// (and changes nothing) when the lease was lost, e.g. it expired and another worker took it.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn record_attempt(
        &self,
        delivery_id: i64,
        lease: i64,
        attempt: &Attempt,
        resolution: Resolution,
    ) -> Result<bool, StoreError>;

    /// Delivery counts and the oldest pending event's age at `now`.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn webhook_stats(&self, now: DateTime<Utc>) -> Result<WebhookStats, StoreError>;
}

/// One signed message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundRequest {
    /// Where.
    pub url: EndpointUrl,
    /// The headers, signature included.
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    pub body: String,
    /// The whole attempt's time limit.
    pub timeout: Duration,
}

/// How a send ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendReport {
    /// The answer's status; `None` when there was no answer.
    pub status: Option<u16>,
    /// The answer's `Retry-After` (seconds or an HTTP date), as a wait from now.
    pub retry_after: Option<TimeDelta>,
    /// The start of the answer's body, at most [`MAX_LOGGED_BODY`] bytes.
    pub body: String,
    /// Why there was no answer, or why the address was refused.
    pub error: Option<String>,
    /// How long it took.
    pub duration: Duration,
}

/// The outbound side of webhooks: the HTTP client and the address policy.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait WebhookGateway: Send + Sync {
    /// What endpoints may be (`SOS_WEBHOOK_ALLOW_HTTP`, `SOS_WEBHOOK_ALLOW_PRIVATE`).
    fn policy(&self) -> EndpointPolicy;

    /// Resolves the endpoint's host and refuses it when any address is not public (unless
    /// the policy allows private addresses).
    ///
    /// # Errors
    /// A sentence saying why the endpoint is refused or cannot be resolved.
    fn check_endpoint(&self, url: &EndpointUrl) -> Result<(), String>;

    /// Sends one message, without following redirects, connecting only to the public
    /// addresses the host resolves to (unless allowed otherwise). Never panics; every failure
    /// is in the report.
    fn send(&self, request: &OutboundRequest) -> SendReport;
}

/// Random bytes for secrets, lease tokens and retry jitter.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait Random: Send + Sync {
    /// 32 random bytes from a cryptographically secure source.
    ///
    /// # Errors
    /// When the source fails; callers refuse to go on with weak bytes.
    fn bytes32(&self) -> Result<[u8; 32], anyhow::Error>;
}

/// The operating system's random source.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl Random for OsRandom {
    fn bytes32(&self) -> Result<[u8; 32], anyhow::Error> {
        let mut buf = [0u8; 32];
        getrandom::getrandom(&mut buf)
            .map_err(|e| anyhow::anyhow!("the operating system's random source failed: {e}"))?;
        Ok(buf)
    }
}
