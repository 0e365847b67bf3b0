//! The outbox, subscriptions and deliveries in memory.

use crate::{master::paginate, MemoryStore};
use chrono::{DateTime, TimeDelta, Utc};
use sos_domain::webhook::{EventDraft, SubscriptionDraft, WebhookSecret};
use sos_ports::{
    Attempt, Clock, Delivery, DeliveryStatus, DueDelivery, OsRandom, Page, PageRequest, Random,
    Resolution, SigningSecrets, StoreError, Subscription, WebhookStats, WebhookStore,
};
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub(crate) struct StoredSubscription {
    pub record: Subscription,
    pub secret: WebhookSecret,
    pub previous_secret: Option<WebhookSecret>,
}

#[derive(Debug, Clone)]
pub(crate) struct StoredEvent {
    pub event_id: String,
    pub event: EventDraft,
}

#[derive(Debug, Clone)]
pub(crate) struct StoredDelivery {
    pub event: usize,
    pub subscription_id: i64,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub lease: Option<(i64, DateTime<Utc>)>,
    pub log: Vec<Attempt>,
}

/// Everything webhooks keep.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    pub subscriptions: BTreeMap<i64, StoredSubscription>,
    pub next_subscription_id: i64,
    pub events: Vec<StoredEvent>,
    pub deliveries: BTreeMap<i64, StoredDelivery>,
    pub next_delivery_id: i64,
    pub next_lease: i64,
}

impl Outbox {
    /// Stores `events` with one pending delivery per matching active subscription, as the
    /// transaction of their cause commits.
    pub(crate) fn publish(&mut self, events: &[EventDraft]) {
        for event in events {
            let index = self.events.len();
            self.events.push(StoredEvent {
                event_id: format!("evt_{:032x}", index + 1),
                event: event.clone(),
            });
            let matching: Vec<i64> = self
                .subscriptions
                .values()
                .filter(|s| {
                    s.record.settings.is_active()
                        && s.record.settings.event_types().matches(event.event_type())
                })
                .map(|s| s.record.id)
                .collect();
            for subscription_id in matching {
                self.add_delivery(index, subscription_id, event.occurred_at());
            }
        }
    }

    fn add_delivery(&mut self, event: usize, subscription_id: i64, due: DateTime<Utc>) -> i64 {
        self.next_delivery_id += 1;
        self.deliveries.insert(
            self.next_delivery_id,
            StoredDelivery {
                event,
                subscription_id,
                status: DeliveryStatus::Pending,
                attempts: 0,
                next_attempt_at: Some(due),
                lease: None,
                log: Vec::new(),
            },
        );
        self.next_delivery_id
    }

    fn view(&self, id: i64, d: &StoredDelivery) -> Delivery {
        let e = &self.events[d.event];
        Delivery {
            id,
            subscription_id: d.subscription_id,
            event_id: e.event_id.clone(),
            event_type: e.event.event_type(),
            occurred_at: e.event.occurred_at(),
            status: d.status,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            log: d.log.clone(),
        }
    }

    fn subscription(&mut self, id: i64) -> Result<&mut StoredSubscription, StoreError> {
        self.subscriptions.get_mut(&id).ok_or(StoreError::NotFound)
    }
}

fn replay(d: &mut StoredDelivery, now: DateTime<Utc>) {
    d.status = DeliveryStatus::Pending;
    d.attempts = 0;
    d.next_attempt_at = Some(now);
    d.lease = None;
}

impl Random for MemoryStore {
    fn bytes32(&self) -> Result<[u8; 32], anyhow::Error> {
        OsRandom.bytes32()
    }
}

impl WebhookStore for MemoryStore {
    fn create_subscription(
        &self,
        settings: &SubscriptionDraft,
        secret: &WebhookSecret,
        _actor: &str,
    ) -> Result<Subscription, StoreError> {
        let now = self.now();
        let mut state = self.state();
        let outbox = &mut state.outbox;
        outbox.next_subscription_id += 1;
        let record = Subscription {
            id: outbox.next_subscription_id,
            settings: settings.clone(),
            disabled_reason: None,
            previous_secret_expires_at: None,
            created_at: now,
            updated_at: now,
        };
        outbox.subscriptions.insert(
            record.id,
            StoredSubscription {
                record: record.clone(),
                secret: secret.clone(),
                previous_secret: None,
            },
        );
        Ok(record)
    }

    fn get_subscription(&self, id: i64) -> Result<Subscription, StoreError> {
        let mut state = self.state();
        Ok(state.outbox.subscription(id)?.record.clone())
    }

    fn list_subscriptions(&self, page: PageRequest) -> Result<Page<Subscription>, StoreError> {
        let state = self.state();
        let all: Vec<Subscription> = state
            .outbox
            .subscriptions
            .values()
            .map(|s| s.record.clone())
            .collect();
        Ok(paginate(all, page))
    }

    fn update_subscription(
        &self,
        id: i64,
        settings: &SubscriptionDraft,
        _actor: &str,
    ) -> Result<Subscription, StoreError> {
        let now = self.now();
        let mut state = self.state();
        let s = state.outbox.subscription(id)?;
        if settings.is_active() {
            s.record.disabled_reason = None;
        }
        s.record.settings = settings.clone();
        s.record.updated_at = now;
        Ok(s.record.clone())
    }

    fn delete_subscription(&self, id: i64, _actor: &str) -> Result<(), StoreError> {
        let mut state = self.state();
        let outbox = &mut state.outbox;
        outbox
            .subscriptions
            .remove(&id)
            .ok_or(StoreError::NotFound)?;
        outbox.deliveries.retain(|_, d| d.subscription_id != id);
        Ok(())
    }

    fn rotate_secret(
        &self,
        id: i64,
        secret: &WebhookSecret,
        previous_until: DateTime<Utc>,
        _actor: &str,
    ) -> Result<Subscription, StoreError> {
        let now = self.now();
        let mut state = self.state();
        let s = state.outbox.subscription(id)?;
        s.previous_secret = Some(std::mem::replace(&mut s.secret, secret.clone()));
        s.record.previous_secret_expires_at = Some(previous_until);
        s.record.updated_at = now;
        Ok(s.record.clone())
    }

    fn list_deliveries(
        &self,
        subscription_id: i64,
        page: PageRequest,
    ) -> Result<Page<Delivery>, StoreError> {
        let state = self.state();
        let outbox = &state.outbox;
        if !outbox.subscriptions.contains_key(&subscription_id) {
            return Err(StoreError::NotFound);
        }
        let all: Vec<Delivery> = outbox
            .deliveries
            .iter()
            .rev()
            .filter(|(_, d)| d.subscription_id == subscription_id)
            .map(|(id, d)| outbox.view(*id, d))
            .collect();
        Ok(paginate(all, page))
    }

    fn replay_delivery(
        &self,
        delivery_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Delivery, StoreError> {
        let mut state = self.state();
        let outbox = &mut state.outbox;
        let d = outbox
            .deliveries
            .get_mut(&delivery_id)
            .ok_or(StoreError::NotFound)?;
        replay(d, now);
        let d = d.clone();
        Ok(outbox.view(delivery_id, &d))
    }

    fn replay_since(
        &self,
        subscription_id: i64,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut state = self.state();
        let outbox = &mut state.outbox;
        let filter = outbox
            .subscription(subscription_id)?
            .record
            .settings
            .clone();
        let wanted: Vec<usize> = outbox
            .events
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.event.occurred_at() >= since && filter.event_types().matches(e.event.event_type())
            })
            .map(|(i, _)| i)
            .collect();
        let mut count = 0;
        for event in wanted {
            let existing = outbox
                .deliveries
                .values_mut()
                .find(|d| d.event == event && d.subscription_id == subscription_id);
            match existing {
                Some(d) => replay(d, now),
                None => {
                    outbox.add_delivery(event, subscription_id, now);
                }
            }
            count += 1;
        }
        Ok(count)
    }

    fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
        lease_margin: TimeDelta,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let mut state = self.state();
        let outbox = &mut state.outbox;
        let mut due: Vec<(DateTime<Utc>, i64)> = outbox
            .deliveries
            .iter()
            .filter(|(_, d)| {
                d.status == DeliveryStatus::Pending
                    && d.next_attempt_at.is_some_and(|t| t <= now)
                    && d.lease.is_none_or(|(_, until)| until <= now)
                    && outbox
                        .subscriptions
                        .get(&d.subscription_id)
                        .is_some_and(|s| s.record.settings.is_active())
            })
            .map(|(id, d)| (d.next_attempt_at.unwrap_or(now), *id))
            .collect();
        due.sort();
        due.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let mut claimed = Vec::new();
        for (_, id) in due {
            outbox.next_lease += 1;
            let lease = outbox.next_lease;
            let Some(d) = outbox.deliveries.get_mut(&id) else {
                continue;
            };
            let Some(s) = outbox.subscriptions.get(&d.subscription_id) else {
                continue;
            };
            let timeout = TimeDelta::seconds(i64::from(s.record.settings.timeout_seconds()));
            d.lease = Some((lease, now + timeout + lease_margin));
            let d = d.clone();
            let previous = s
                .previous_secret
                .clone()
                .filter(|_| s.record.previous_secret_expires_at.is_some_and(|t| t > now));
            let e = &outbox.events[d.event];
            claimed.push(DueDelivery {
                delivery_id: id,
                lease,
                event_id: e.event_id.clone(),
                event: e.event.clone(),
                subscription_id: d.subscription_id,
                endpoint_url: s.record.settings.endpoint_url().clone(),
                timeout_seconds: s.record.settings.timeout_seconds(),
                max_attempts: s.record.settings.max_attempts(),
                attempts_made: d.attempts,
                secrets: SigningSecrets {
                    current: s.secret.clone(),
                    previous,
                },
            });
        }
        Ok(claimed)
    }

    fn record_attempt(
        &self,
        delivery_id: i64,
        lease: i64,
        attempt: &Attempt,
        resolution: Resolution,
    ) -> Result<bool, StoreError> {
        let now = self.now();
        let mut state = self.state();
        let outbox = &mut state.outbox;
        let Some(d) = outbox.deliveries.get_mut(&delivery_id) else {
            return Ok(false);
        };
        if d.lease.map(|(l, _)| l) != Some(lease) {
            return Ok(false);
        }
        d.lease = None;
        d.attempts += 1;
        d.log.push(attempt.clone());
        let subscription_id = d.subscription_id;
        match resolution {
            Resolution::Delivered => {
                d.status = DeliveryStatus::Delivered;
                d.next_attempt_at = None;
            }
            Resolution::RetryAt(at) => d.next_attempt_at = Some(at),
            Resolution::Failed => {
                d.status = DeliveryStatus::Failed;
                d.next_attempt_at = None;
            }
            Resolution::DisableSubscription => {
                d.status = DeliveryStatus::Failed;
                d.next_attempt_at = None;
                if let Some(s) = outbox.subscriptions.get_mut(&subscription_id) {
                    s.record.settings = s.record.settings.deactivated();
                    s.record.disabled_reason = Some(format!(
                        "the endpoint answered 410 Gone at {}",
                        attempt.attempted_at.to_rfc3339()
                    ));
                    s.record.updated_at = now;
                }
            }
        }
        Ok(true)
    }

    fn webhook_stats(&self, now: DateTime<Utc>) -> Result<WebhookStats, StoreError> {
        let state = self.state();
        let outbox = &state.outbox;
        let mut stats = WebhookStats::default();
        let mut oldest: Option<DateTime<Utc>> = None;
        for d in outbox.deliveries.values() {
            match d.status {
                DeliveryStatus::Pending => {
                    stats.pending += 1;
                    let at = outbox.events[d.event].event.occurred_at();
                    oldest = Some(oldest.map_or(at, |o| o.min(at)));
                }
                DeliveryStatus::Delivered => stats.delivered += 1,
                DeliveryStatus::Failed => stats.failed += 1,
            }
        }
        stats.oldest_pending_age_seconds =
            oldest.map(|o| (now - o).num_milliseconds() as f64 / 1_000.0);
        Ok(stats)
    }
}
