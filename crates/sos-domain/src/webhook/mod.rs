//! Outbound webhooks: the events SOS publishes, the Standard Webhooks signature, the retry
//! schedule and the rules of a subscription. Sending and storing are the adapters' business.

mod event;
mod retry;
mod signature;
mod subscription;

pub use event::{
    calculation_completed, finalize_events, order_blocking_event, surcharge_events, EventDraft,
    EventType, RunFigures,
};
pub use retry::{next_step, AttemptOutcome, NextStep, RETRY_SCHEDULE};
pub use signature::{sign, signature_header, WebhookSecret, SECRET_PREFIX};
pub use subscription::{
    is_public_address, private_refusal, EndpointPolicy, EndpointUrl, EventFilter,
    SubscriptionDraft, SubscriptionPatch, ALL_EVENTS, DEFAULT_MAX_ATTEMPTS,
    DEFAULT_TIMEOUT_SECONDS, MAX_MAX_ATTEMPTS, MAX_SUBSCRIBER_LEN, MAX_TIMEOUT_SECONDS,
    MAX_URL_LEN,
};
