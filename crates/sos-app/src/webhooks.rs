//! Webhook subscriptions and the delivery worker's round.

use crate::{audit, errors::WebhookError, Sos};
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{json, Value};
use sos_domain::{
    webhook::{
        next_step, signature_header, AttemptOutcome, NextStep, SubscriptionDraft,
        SubscriptionPatch, WebhookSecret,
    },
    ValidationErrors,
};
use sos_ports::{
    Attempt, AuditStore, Clock, Delivery, DueDelivery, OutboundRequest, Page, PageRequest, Random,
    Resolution, StoreError, Subscription, WebhookGateway, WebhookStats, WebhookStore,
};
use std::time::Duration;

/// How long the secret replaced by a rotation keeps signing.
pub const SECRET_OVERLAP: TimeDelta = TimeDelta::hours(24);

/// What a lease adds to a subscription's timeout, so a slow answer is recorded before
/// another worker may take the delivery.
pub const LEASE_MARGIN: TimeDelta = TimeDelta::seconds(5);

/// A subscription with its signing secret, shown once: in the answer to create and rotate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionWithSecret {
    /// The subscription.
    pub subscription: Subscription,
    /// `whsec_` + base64 of the 32-byte key.
    pub secret: String,
}

/// What one round of the delivery worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryRound {
    /// Deliveries leased and attempted.
    pub attempted: u32,
    /// Answered 2xx.
    pub delivered: u32,
    /// To be tried again.
    pub retrying: u32,
    /// Given up (attempts exhausted or 410).
    pub failed: u32,
}

fn audit_view(s: &Subscription) -> Value {
    json!({
        "subscriber": s.settings.subscriber(),
        "endpoint_url": s.settings.endpoint_url().as_str(),
        "event_types": s.settings.event_types().names(),
        "is_active": s.settings.is_active(),
        "timeout_seconds": s.settings.timeout_seconds(),
        "max_attempts": s.settings.max_attempts(),
    })
}

fn endpoint_refused(message: String) -> WebhookError {
    WebhookError::Invalid(ValidationErrors::single("endpoint_url", message))
}

impl<R: WebhookStore + AuditStore + Random + Clock> Sos<R> {
    fn new_secret(&self) -> Result<WebhookSecret, WebhookError> {
        Ok(WebhookSecret::from_bytes(self.ports.bytes32()?))
    }

    /// Subscribes an endpoint. The answer carries the signing secret, which is never shown
    /// again.
    ///
    /// # Errors
    /// [`WebhookError::Invalid`] naming each bad field, including an endpoint that resolves to
    /// a non-public address.
    pub fn create_subscription(
        &self,
        gateway: &dyn WebhookGateway,
        input: &SubscriptionPatch,
        actor: &str,
    ) -> Result<SubscriptionWithSecret, WebhookError> {
        let settings =
            SubscriptionDraft::create(input, gateway.policy()).map_err(WebhookError::Invalid)?;
        gateway
            .check_endpoint(settings.endpoint_url())
            .map_err(endpoint_refused)?;
        let secret = self.new_secret()?;
        let subscription = self.ports.create_subscription(&settings, &secret, actor)?;
        self.audit(actor, &subscription, "create", None);
        Ok(SubscriptionWithSecret {
            subscription,
            secret: secret.expose(),
        })
    }

    /// One subscription.
    ///
    /// # Errors
    /// [`WebhookError::NotFound`].
    pub fn get_subscription(&self, id: i64) -> Result<Subscription, WebhookError> {
        Ok(self.ports.get_subscription(id)?)
    }

    /// Subscriptions by id.
    ///
    /// # Errors
    /// Infrastructure errors only.
    pub fn list_subscriptions(
        &self,
        page: PageRequest,
    ) -> Result<Page<Subscription>, WebhookError> {
        Ok(self.ports.list_subscriptions(page)?)
    }

    /// Changes the fields `patch` names.
    ///
    /// # Errors
    /// [`WebhookError::NotFound`], [`WebhookError::Invalid`].
    pub fn update_subscription(
        &self,
        gateway: &dyn WebhookGateway,
        id: i64,
        patch: &SubscriptionPatch,
        actor: &str,
    ) -> Result<Subscription, WebhookError> {
        let old = self.ports.get_subscription(id)?;
        let settings = old
            .settings
            .apply(patch, gateway.policy())
            .map_err(WebhookError::Invalid)?;
        if patch.endpoint_url.is_some() {
            gateway
                .check_endpoint(settings.endpoint_url())
                .map_err(endpoint_refused)?;
        }
        let new = self.ports.update_subscription(id, &settings, actor)?;
        self.audit(actor, &new, "update", Some(audit_view(&old)));
        Ok(new)
    }

    /// Deletes a subscription and its delivery log.
    ///
    /// # Errors
    /// [`WebhookError::NotFound`].
    pub fn delete_subscription(&self, id: i64, actor: &str) -> Result<(), WebhookError> {
        let old = self.ports.get_subscription(id)?;
        self.ports.delete_subscription(id, actor)?;
        audit::record(
            &self.ports,
            actor,
            "webhook_subscription".into(),
            id.to_string(),
            "delete",
            Some(audit_view(&old)),
            None,
        );
        Ok(())
    }

    /// Replaces the signing secret; the old one keeps signing for [`SECRET_OVERLAP`].
    ///
    /// # Errors
    /// [`WebhookError::NotFound`].
    pub fn rotate_secret(
        &self,
        id: i64,
        actor: &str,
    ) -> Result<SubscriptionWithSecret, WebhookError> {
        let secret = self.new_secret()?;
        let until = self.ports.now() + SECRET_OVERLAP;
        let subscription = self.ports.rotate_secret(id, &secret, until, actor)?;
        self.audit(actor, &subscription, "rotate_secret", None);
        Ok(SubscriptionWithSecret {
            subscription,
            secret: secret.expose(),
        })
    }

    /// A subscription's deliveries, newest first.
    ///
    /// # Errors
    /// [`WebhookError::NotFound`].
    pub fn list_deliveries(
        &self,
        subscription_id: i64,
        page: PageRequest,
    ) -> Result<Page<Delivery>, WebhookError> {
        Ok(self.ports.list_deliveries(subscription_id, page)?)
    }

    /// Sends one delivery again, with the same event id, from its first attempt.
    ///
    /// # Errors
    /// [`WebhookError::NotFound`].
    pub fn replay_delivery(&self, delivery_id: i64, actor: &str) -> Result<Delivery, WebhookError> {
        let delivery = self.ports.replay_delivery(delivery_id, self.ports.now())?;
        audit::record(
            &self.ports,
            actor,
            "webhook_delivery".into(),
            delivery_id.to_string(),
            "replay",
            None,
            Some(json!({"event_id": delivery.event_id})),
        );
        Ok(delivery)
    }

    /// Sends again every matching event since `since`. Returns the deliveries now due.
    ///
    /// # Errors
    /// [`WebhookError::NotFound`].
    pub fn replay_since(
        &self,
        subscription_id: i64,
        since: DateTime<Utc>,
        actor: &str,
    ) -> Result<u64, WebhookError> {
        let count = self
            .ports
            .replay_since(subscription_id, since, self.ports.now())?;
        audit::record(
            &self.ports,
            actor,
            "webhook_subscription".into(),
            subscription_id.to_string(),
            "replay",
            None,
            Some(json!({"since": since, "deliveries": count})),
        );
        Ok(count)
    }

    /// Delivery counts for `/metrics`.
    ///
    /// # Errors
    /// Infrastructure errors only.
    pub fn webhook_stats(&self) -> Result<WebhookStats, WebhookError> {
        Ok(self.ports.webhook_stats(self.ports.now())?)
    }

    /// One round of the delivery worker: leases up to `limit` due deliveries, sends each
    /// signed, and records the outcome. A receiver's failure is an outcome, not an error.
    ///
    /// Every lease starts at the claim and covers one send ([`LEASE_MARGIN`] past the
    /// subscription's timeout), while the deliveries are sent one after another: a worker
    /// running against other workers takes `limit` 1, so no delivery waits behind another past
    /// its lease and gets taken, and sent, by a second worker at the same time.
    ///
    /// # Errors
    /// Infrastructure errors of the store.
    pub fn deliver_due(
        &self,
        gateway: &dyn WebhookGateway,
        limit: u32,
    ) -> Result<DeliveryRound, StoreError> {
        let mut round = DeliveryRound::default();
        let mut gone = Vec::new();
        for due in self
            .ports
            .claim_due(self.ports.now(), limit, LEASE_MARGIN)?
        {
            // A 410 earlier in this round: the receiver asked to stop, so send it nothing more.
            if gone.contains(&due.subscription_id) {
                continue;
            }
            round.attempted += 1;
            match self.deliver_one(gateway, &due)? {
                Resolution::Delivered => round.delivered += 1,
                Resolution::RetryAt(_) => round.retrying += 1,
                Resolution::Failed => round.failed += 1,
                Resolution::DisableSubscription => {
                    round.failed += 1;
                    gone.push(due.subscription_id);
                }
            }
        }
        Ok(round)
    }

    fn deliver_one(
        &self,
        gateway: &dyn WebhookGateway,
        due: &DueDelivery,
    ) -> Result<Resolution, StoreError> {
        let started = self.ports.now();
        let timestamp = started.timestamp();
        let body = due.event.payload();
        let mut secrets = vec![&due.secrets.current];
        secrets.extend(due.secrets.previous.as_ref());
        let headers = vec![
            ("content-type".to_string(), "application/json".to_string()),
            ("user-agent".to_string(), "sos-webhooks/1".to_string()),
            ("webhook-id".to_string(), due.event_id.clone()),
            ("webhook-timestamp".to_string(), timestamp.to_string()),
            (
                "webhook-signature".to_string(),
                signature_header(&secrets, &due.event_id, timestamp, body),
            ),
            (
                "x-sos-event".to_string(),
                due.event.event_type().as_str().to_string(),
            ),
        ];
        let report = gateway.send(&OutboundRequest {
            url: due.endpoint_url.clone(),
            headers,
            body: body.to_string(),
            timeout: Duration::from_secs(u64::from(due.timeout_seconds)),
        });
        let attempt_number = due.attempts_made + 1;
        let jitter = self
            .ports
            .bytes32()
            .map_or(32_768, |b| u16::from_le_bytes([b[0], b[1]]));
        let step = next_step(
            AttemptOutcome {
                status: report.status,
                retry_after: report.retry_after,
            },
            attempt_number,
            due.max_attempts,
            self.ports.now(),
            jitter,
        );
        let resolution = match step {
            NextStep::Delivered => Resolution::Delivered,
            NextStep::RetryAt(at) => Resolution::RetryAt(at),
            NextStep::Failed => Resolution::Failed,
            NextStep::Disable => Resolution::DisableSubscription,
        };
        let attempt = Attempt {
            attempt: attempt_number,
            attempted_at: started,
            status_code: report.status,
            duration_ms: u64::try_from(report.duration.as_millis()).unwrap_or(u64::MAX),
            error: report.error.clone(),
            response_body: report.body.clone(),
        };
        if !self
            .ports
            .record_attempt(due.delivery_id, due.lease, &attempt, resolution)?
        {
            tracing::warn!(
                delivery = due.delivery_id,
                "the delivery's lease ran out before its outcome was recorded; it will be sent again"
            );
        }
        if resolution == Resolution::DisableSubscription {
            tracing::warn!(
                subscription = due.subscription_id,
                "the endpoint answered 410 Gone; the subscription is disabled"
            );
        }
        Ok(resolution)
    }

    fn audit(&self, actor: &str, s: &Subscription, action: &str, old: Option<Value>) {
        audit::record(
            &self.ports,
            actor,
            "webhook_subscription".into(),
            s.id.to_string(),
            action,
            old,
            Some(audit_view(s)),
        );
    }
}
