//! The outbox, subscriptions and deliveries on PostgreSQL.

use super::{db_err, PgStore};
use crate::schema::{webhook_attempt, webhook_delivery, webhook_event, webhook_subscription};
use chrono::{DateTime, TimeDelta, Utc};
use diesel::{
    prelude::*,
    sql_query,
    sql_types::{Array, BigInt, Double, Integer, Nullable, Text, Timestamptz},
    PgConnection, QueryableByName,
};
use sos_domain::webhook::{
    EndpointUrl, EventDraft, EventFilter, EventType, SubscriptionDraft, WebhookSecret,
};
use sos_ports::{
    Attempt, Clock, Delivery, DeliveryStatus, DueDelivery, OsRandom, Page, PageRequest, Random,
    Resolution, SigningSecrets, StoreError, Subscription, WebhookStats, WebhookStore,
};
use std::collections::HashMap;

fn bad(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unknown(anyhow::anyhow!("a stored webhook row is invalid: {e}"))
}

/// Puts `events` in the outbox on `conn`, inside the caller's transaction, with one pending
/// delivery per active subscription whose filter matches. Raw SQL: an `unnest` insert whose
/// rows feed the fan-out in the same statement.
pub(crate) fn insert_events(conn: &mut PgConnection, events: &[EventDraft]) -> QueryResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let types: Vec<&str> = events.iter().map(|e| e.event_type().as_str()).collect();
    let times: Vec<DateTime<Utc>> = events.iter().map(EventDraft::occurred_at).collect();
    let payloads: Vec<&str> = events.iter().map(EventDraft::payload).collect();
    sql_query(
        "WITH ev AS ( \
             INSERT INTO webhook_event (event_type, occurred_at, payload) \
             SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[]) \
             RETURNING id, event_type, occurred_at) \
         INSERT INTO webhook_delivery (event_id, subscription_id, next_attempt_at) \
         SELECT ev.id, s.id, ev.occurred_at FROM ev JOIN webhook_subscription s \
           ON s.is_active AND (s.event_types IS NULL OR ev.event_type = ANY (s.event_types))",
    )
    .bind::<Array<Text>, _>(types)
    .bind::<Array<Timestamptz>, _>(times)
    .bind::<Array<Text>, _>(payloads)
    .execute(conn)?;
    Ok(())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_subscription, check_for_backend(diesel::pg::Pg))]
struct SubscriptionRow {
    id: i64,
    subscriber: String,
    endpoint_url: String,
    event_types: Option<Vec<String>>,
    is_active: bool,
    timeout_seconds: i32,
    max_attempts: i32,
    previous_secret_expires_at: Option<DateTime<Utc>>,
    disabled_reason: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn event_type_names(filter: &EventFilter) -> Option<Vec<String>> {
    match filter {
        EventFilter::All => None,
        EventFilter::Only(types) => Some(types.iter().map(|t| t.as_str().to_string()).collect()),
    }
}

fn settings_of(
    subscriber: String,
    endpoint_url: &str,
    event_types: Option<Vec<String>>,
    is_active: bool,
    timeout_seconds: i32,
    max_attempts: i32,
) -> Result<SubscriptionDraft, StoreError> {
    let names = event_types.unwrap_or_else(|| vec![sos_domain::webhook::ALL_EVENTS.to_string()]);
    SubscriptionDraft::from_stored(
        subscriber,
        endpoint_url,
        &names,
        is_active,
        u32::try_from(timeout_seconds).map_err(bad)?,
        u32::try_from(max_attempts).map_err(bad)?,
    )
    .map_err(bad)
}

impl SubscriptionRow {
    fn into_record(self) -> Result<Subscription, StoreError> {
        Ok(Subscription {
            id: self.id,
            settings: settings_of(
                self.subscriber,
                &self.endpoint_url,
                self.event_types,
                self.is_active,
                self.timeout_seconds,
                self.max_attempts,
            )?,
            disabled_reason: self.disabled_reason,
            previous_secret_expires_at: self.previous_secret_expires_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

#[derive(Queryable)]
struct DeliveryRow {
    id: i64,
    subscription_id: i64,
    status: String,
    attempts: i32,
    next_attempt_at: Option<DateTime<Utc>>,
    event_id: String,
    event_type: String,
    occurred_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_attempt, check_for_backend(diesel::pg::Pg))]
struct AttemptRow {
    delivery_id: i64,
    attempt: i32,
    attempted_at: DateTime<Utc>,
    status_code: Option<i32>,
    duration_ms: i64,
    error: Option<String>,
    response_body: String,
}

fn status_of(text: &str) -> Result<DeliveryStatus, StoreError> {
    match text {
        "pending" => Ok(DeliveryStatus::Pending),
        "delivered" => Ok(DeliveryStatus::Delivered),
        "failed" => Ok(DeliveryStatus::Failed),
        other => Err(bad(format!("delivery status {other}"))),
    }
}

fn load_deliveries(
    conn: &mut PgConnection,
    rows: Vec<DeliveryRow>,
) -> Result<Vec<Delivery>, StoreError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let attempts: Vec<AttemptRow> = webhook_attempt::table
        .filter(webhook_attempt::delivery_id.eq_any(&ids))
        .order(webhook_attempt::id)
        .select(AttemptRow::as_select())
        .load(conn)
        .map_err(db_err)?;
    let mut logs: HashMap<i64, Vec<Attempt>> = HashMap::new();
    for a in attempts {
        logs.entry(a.delivery_id).or_default().push(Attempt {
            attempt: u32::try_from(a.attempt).map_err(bad)?,
            attempted_at: a.attempted_at,
            status_code: a.status_code.map(u16::try_from).transpose().map_err(bad)?,
            duration_ms: u64::try_from(a.duration_ms).map_err(bad)?,
            error: a.error,
            response_body: a.response_body,
        });
    }
    rows.into_iter()
        .map(|r| {
            Ok(Delivery {
                id: r.id,
                subscription_id: r.subscription_id,
                event_id: r.event_id,
                event_type: r.event_type.parse::<EventType>().map_err(bad)?,
                occurred_at: r.occurred_at,
                status: status_of(&r.status)?,
                attempts: u32::try_from(r.attempts).map_err(bad)?,
                next_attempt_at: r.next_attempt_at,
                log: logs.remove(&r.id).unwrap_or_default(),
            })
        })
        .collect()
}

type DeliveryColumns = (
    webhook_delivery::id,
    webhook_delivery::subscription_id,
    webhook_delivery::status,
    webhook_delivery::attempts,
    webhook_delivery::next_attempt_at,
    webhook_event::event_id,
    webhook_event::event_type,
    webhook_event::occurred_at,
);

const DELIVERY_COLUMNS: DeliveryColumns = (
    webhook_delivery::id,
    webhook_delivery::subscription_id,
    webhook_delivery::status,
    webhook_delivery::attempts,
    webhook_delivery::next_attempt_at,
    webhook_event::event_id,
    webhook_event::event_type,
    webhook_event::occurred_at,
);

#[derive(QueryableByName)]
struct DueRow {
    #[diesel(sql_type = BigInt)]
    delivery_id: i64,
    #[diesel(sql_type = BigInt)]
    lease: i64,
    #[diesel(sql_type = Integer)]
    attempts: i32,
    #[diesel(sql_type = Text)]
    event_id: String,
    #[diesel(sql_type = Text)]
    event_type: String,
    #[diesel(sql_type = Timestamptz)]
    occurred_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    payload: String,
    #[diesel(sql_type = BigInt)]
    subscription_id: i64,
    #[diesel(sql_type = Text)]
    endpoint_url: String,
    #[diesel(sql_type = Integer)]
    timeout_seconds: i32,
    #[diesel(sql_type = Integer)]
    max_attempts: i32,
    #[diesel(sql_type = Text)]
    secret: String,
    #[diesel(sql_type = Nullable<Text>)]
    previous_secret: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    previous_secret_expires_at: Option<DateTime<Utc>>,
}

#[derive(QueryableByName)]
struct Age {
    #[diesel(sql_type = Nullable<Double>)]
    seconds: Option<f64>,
}

impl PgStore {
    /// The secret as stored: sealed when a server key is configured.
    fn seal_secret(&self, secret: &WebhookSecret) -> Result<String, StoreError> {
        match &self.secrets {
            Some(b) => b.seal(&secret.expose()).map_err(StoreError::Unknown),
            None => Ok(secret.expose()),
        }
    }

    fn open_secret(&self, stored: &str) -> Result<WebhookSecret, StoreError> {
        let plain = match &self.secrets {
            Some(b) => b.open(stored).map_err(StoreError::Unknown)?,
            None if stored.starts_with("enc:") => {
                return Err(StoreError::Unknown(anyhow::anyhow!(
                    "a webhook secret is sealed but no secret key is configured"
                )))
            }
            None => stored.to_string(),
        };
        WebhookSecret::parse(&plain).map_err(bad)
    }

    fn subscription_row(conn: &mut PgConnection, id: i64) -> Result<Subscription, StoreError> {
        webhook_subscription::table
            .find(id)
            .select(SubscriptionRow::as_select())
            .get_result(conn)
            .map_err(db_err)?
            .into_record()
    }
}

impl Random for PgStore {
    fn bytes32(&self) -> Result<[u8; 32], anyhow::Error> {
        OsRandom.bytes32()
    }
}

impl WebhookStore for PgStore {
    fn create_subscription(
        &self,
        settings: &SubscriptionDraft,
        secret: &WebhookSecret,
        actor: &str,
    ) -> Result<Subscription, StoreError> {
        let now = self.now();
        let sealed = self.seal_secret(secret)?;
        let mut conn = self.conn()?;
        let row: SubscriptionRow = diesel::insert_into(webhook_subscription::table)
            .values((
                webhook_subscription::subscriber.eq(settings.subscriber()),
                webhook_subscription::endpoint_url.eq(settings.endpoint_url().as_str()),
                webhook_subscription::event_types.eq(event_type_names(settings.event_types())),
                webhook_subscription::is_active.eq(settings.is_active()),
                webhook_subscription::timeout_seconds
                    .eq(i32::try_from(settings.timeout_seconds()).map_err(bad)?),
                webhook_subscription::max_attempts
                    .eq(i32::try_from(settings.max_attempts()).map_err(bad)?),
                webhook_subscription::secret.eq(sealed),
                webhook_subscription::created_at.eq(now),
                webhook_subscription::created_by.eq(actor),
                webhook_subscription::updated_at.eq(now),
                webhook_subscription::updated_by.eq(actor),
            ))
            .returning(SubscriptionRow::as_returning())
            .get_result(&mut *conn)
            .map_err(db_err)?;
        row.into_record()
    }

    fn get_subscription(&self, id: i64) -> Result<Subscription, StoreError> {
        let mut conn = self.conn()?;
        Self::subscription_row(&mut conn, id)
    }

    fn list_subscriptions(&self, page: PageRequest) -> Result<Page<Subscription>, StoreError> {
        let mut conn = self.conn()?;
        let total: i64 = webhook_subscription::table
            .count()
            .get_result(&mut *conn)
            .map_err(db_err)?;
        let rows: Vec<SubscriptionRow> = webhook_subscription::table
            .order(webhook_subscription::id)
            .limit(i64::from(page.limit))
            .offset(i64::try_from(page.offset()).unwrap_or(i64::MAX))
            .select(SubscriptionRow::as_select())
            .load(&mut *conn)
            .map_err(db_err)?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(SubscriptionRow::into_record)
                .collect::<Result<_, _>>()?,
            page: page.page,
            limit: page.limit,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    fn update_subscription(
        &self,
        id: i64,
        settings: &SubscriptionDraft,
        actor: &str,
    ) -> Result<Subscription, StoreError> {
        let now = self.now();
        let mut conn = self.conn()?;
        let row: SubscriptionRow = diesel::update(webhook_subscription::table.find(id))
            .set((
                webhook_subscription::subscriber.eq(settings.subscriber()),
                webhook_subscription::endpoint_url.eq(settings.endpoint_url().as_str()),
                webhook_subscription::event_types.eq(event_type_names(settings.event_types())),
                webhook_subscription::is_active.eq(settings.is_active()),
                webhook_subscription::timeout_seconds
                    .eq(i32::try_from(settings.timeout_seconds()).map_err(bad)?),
                webhook_subscription::max_attempts
                    .eq(i32::try_from(settings.max_attempts()).map_err(bad)?),
                webhook_subscription::updated_at.eq(now),
                webhook_subscription::updated_by.eq(actor),
            ))
            .returning(SubscriptionRow::as_returning())
            .get_result(&mut *conn)
            .map_err(db_err)?;
        if settings.is_active() && row.disabled_reason.is_some() {
            diesel::update(webhook_subscription::table.find(id))
                .set(webhook_subscription::disabled_reason.eq(None::<String>))
                .execute(&mut *conn)
                .map_err(db_err)?;
            return Self::subscription_row(&mut conn, id);
        }
        row.into_record()
    }

    fn delete_subscription(&self, id: i64, _actor: &str) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let n = diesel::delete(webhook_subscription::table.find(id))
            .execute(&mut *conn)
            .map_err(db_err)?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    fn rotate_secret(
        &self,
        id: i64,
        secret: &WebhookSecret,
        previous_until: DateTime<Utc>,
        actor: &str,
    ) -> Result<Subscription, StoreError> {
        let now = self.now();
        let sealed = self.seal_secret(secret)?;
        let mut conn = self.conn()?;
        let row: SubscriptionRow = diesel::update(webhook_subscription::table.find(id))
            .set((
                webhook_subscription::previous_secret.eq(webhook_subscription::secret.nullable()),
                webhook_subscription::previous_secret_expires_at.eq(Some(previous_until)),
                webhook_subscription::secret.eq(sealed),
                webhook_subscription::updated_at.eq(now),
                webhook_subscription::updated_by.eq(actor),
            ))
            .returning(SubscriptionRow::as_returning())
            .get_result(&mut *conn)
            .map_err(db_err)?;
        row.into_record()
    }

    fn list_deliveries(
        &self,
        subscription_id: i64,
        page: PageRequest,
    ) -> Result<Page<Delivery>, StoreError> {
        let mut conn = self.conn()?;
        Self::subscription_row(&mut conn, subscription_id)?;
        let total: i64 = webhook_delivery::table
            .filter(webhook_delivery::subscription_id.eq(subscription_id))
            .count()
            .get_result(&mut *conn)
            .map_err(db_err)?;
        let rows: Vec<DeliveryRow> = webhook_delivery::table
            .inner_join(webhook_event::table)
            .filter(webhook_delivery::subscription_id.eq(subscription_id))
            .order(webhook_delivery::id.desc())
            .limit(i64::from(page.limit))
            .offset(i64::try_from(page.offset()).unwrap_or(i64::MAX))
            .select(DELIVERY_COLUMNS)
            .load(&mut *conn)
            .map_err(db_err)?;
        Ok(Page {
            items: load_deliveries(&mut conn, rows)?,
            page: page.page,
            limit: page.limit,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    fn replay_delivery(
        &self,
        delivery_id: i64,
        now: DateTime<Utc>,
    ) -> Result<Delivery, StoreError> {
        let mut conn = self.conn()?;
        let n = diesel::update(webhook_delivery::table.find(delivery_id))
            .set((
                webhook_delivery::status.eq(DeliveryStatus::Pending.as_str()),
                webhook_delivery::attempts.eq(0),
                webhook_delivery::next_attempt_at.eq(Some(now)),
                webhook_delivery::lease.eq(None::<i64>),
                webhook_delivery::leased_until.eq(None::<DateTime<Utc>>),
            ))
            .execute(&mut *conn)
            .map_err(db_err)?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        let row: DeliveryRow = webhook_delivery::table
            .inner_join(webhook_event::table)
            .filter(webhook_delivery::id.eq(delivery_id))
            .select(DELIVERY_COLUMNS)
            .get_result(&mut *conn)
            .map_err(db_err)?;
        load_deliveries(&mut conn, vec![row])?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    fn replay_since(
        &self,
        subscription_id: i64,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut conn = self.conn()?;
        let subscription = Self::subscription_row(&mut conn, subscription_id)?;
        // Raw SQL: an insert from a select that resets the deliveries that already exist.
        let n = sql_query(
            "INSERT INTO webhook_delivery (event_id, subscription_id, next_attempt_at) \
             SELECT e.id, $1, $2 FROM webhook_event e \
             WHERE e.occurred_at >= $3 AND ($4::text[] IS NULL OR e.event_type = ANY ($4)) \
             ON CONFLICT (event_id, subscription_id) DO UPDATE SET status = 'pending', \
               attempts = 0, next_attempt_at = $2, lease = NULL, leased_until = NULL",
        )
        .bind::<BigInt, _>(subscription_id)
        .bind::<Timestamptz, _>(now)
        .bind::<Timestamptz, _>(since)
        .bind::<Nullable<Array<Text>>, _>(event_type_names(subscription.settings.event_types()))
        .execute(&mut *conn)
        .map_err(db_err)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: u32,
        lease_margin: TimeDelta,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let mut conn = self.conn()?;
        // Raw SQL: `FOR UPDATE SKIP LOCKED` in a CTE feeding an `UPDATE ... FROM`. Rows another
        // worker is leasing right now are skipped, and a lease stops others until it runs out.
        let rows: Vec<DueRow> = sql_query(
            "WITH due AS ( \
                 SELECT d.id FROM webhook_delivery d \
                 JOIN webhook_subscription s ON s.id = d.subscription_id \
                 WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND s.is_active \
                   AND (d.leased_until IS NULL OR d.leased_until <= $1) \
                 ORDER BY d.next_attempt_at, d.id \
                 LIMIT $2 \
                 FOR UPDATE OF d SKIP LOCKED) \
             UPDATE webhook_delivery d \
             SET lease = nextval('webhook_lease_seq'), \
                 leased_until = $1 + make_interval(secs => s.timeout_seconds + $3) \
             FROM due, webhook_subscription s, webhook_event e \
             WHERE d.id = due.id AND s.id = d.subscription_id AND e.id = d.event_id \
             RETURNING d.id AS delivery_id, d.lease AS lease, d.attempts AS attempts, \
               e.event_id AS event_id, e.event_type AS event_type, \
               e.occurred_at AS occurred_at, e.payload AS payload, \
               s.id AS subscription_id, s.endpoint_url AS endpoint_url, \
               s.timeout_seconds AS timeout_seconds, s.max_attempts AS max_attempts, \
               s.secret AS secret, s.previous_secret AS previous_secret, \
               s.previous_secret_expires_at AS previous_secret_expires_at",
        )
        .bind::<Timestamptz, _>(now)
        .bind::<BigInt, _>(i64::from(limit))
        .bind::<Double, _>(lease_margin.num_milliseconds() as f64 / 1_000.0)
        .load(&mut *conn)
        .map_err(db_err)?;
        let mut due: Vec<DueDelivery> = Vec::with_capacity(rows.len());
        for r in rows {
            let previous = match (&r.previous_secret, r.previous_secret_expires_at) {
                (Some(p), Some(until)) if until > now => Some(self.open_secret(p)?),
                _ => None,
            };
            let lenient = sos_domain::webhook::EndpointPolicy {
                allow_http: true,
                allow_private: true,
            };
            due.push(DueDelivery {
                delivery_id: r.delivery_id,
                lease: r.lease,
                event_id: r.event_id,
                event: EventDraft::from_parts(
                    r.event_type.parse().map_err(bad)?,
                    r.occurred_at,
                    r.payload,
                ),
                subscription_id: r.subscription_id,
                // The sender checks the address again; the stored URL passed the policy when
                // it was written.
                endpoint_url: EndpointUrl::parse(&r.endpoint_url, lenient).map_err(bad)?,
                timeout_seconds: u32::try_from(r.timeout_seconds).map_err(bad)?,
                max_attempts: u32::try_from(r.max_attempts).map_err(bad)?,
                attempts_made: u32::try_from(r.attempts).map_err(bad)?,
                secrets: SigningSecrets {
                    current: self.open_secret(&r.secret)?,
                    previous,
                },
            });
        }
        due.sort_by_key(|d| d.delivery_id);
        Ok(due)
    }

    fn record_attempt(
        &self,
        delivery_id: i64,
        lease: i64,
        attempt: &Attempt,
        resolution: Resolution,
    ) -> Result<bool, StoreError> {
        let now = self.now();
        let mut conn = self.conn()?;
        conn.transaction(|conn| {
            let (status, next) = match resolution {
                Resolution::Delivered => (DeliveryStatus::Delivered, None),
                Resolution::RetryAt(at) => (DeliveryStatus::Pending, Some(at)),
                Resolution::Failed | Resolution::DisableSubscription => {
                    (DeliveryStatus::Failed, None)
                }
            };
            let updated: Option<i64> = diesel::update(
                webhook_delivery::table
                    .filter(webhook_delivery::id.eq(delivery_id))
                    .filter(webhook_delivery::lease.eq(lease)),
            )
            .set((
                webhook_delivery::status.eq(status.as_str()),
                webhook_delivery::attempts.eq(webhook_delivery::attempts + 1),
                webhook_delivery::next_attempt_at.eq(next),
                webhook_delivery::lease.eq(None::<i64>),
                webhook_delivery::leased_until.eq(None::<DateTime<Utc>>),
            ))
            .returning(webhook_delivery::subscription_id)
            .get_result(conn)
            .optional()?;
            let Some(subscription_id) = updated else {
                return Ok(false);
            };
            diesel::insert_into(webhook_attempt::table)
                .values((
                    webhook_attempt::delivery_id.eq(delivery_id),
                    webhook_attempt::attempt.eq(i32::try_from(attempt.attempt).unwrap_or(i32::MAX)),
                    webhook_attempt::attempted_at.eq(attempt.attempted_at),
                    webhook_attempt::status_code.eq(attempt.status_code.map(i32::from)),
                    webhook_attempt::duration_ms
                        .eq(i64::try_from(attempt.duration_ms).unwrap_or(i64::MAX)),
                    webhook_attempt::error.eq(attempt.error.as_deref()),
                    webhook_attempt::response_body.eq(&attempt.response_body),
                ))
                .execute(conn)?;
            if resolution == Resolution::DisableSubscription {
                diesel::update(webhook_subscription::table.find(subscription_id))
                    .set((
                        webhook_subscription::is_active.eq(false),
                        webhook_subscription::disabled_reason.eq(Some(format!(
                            "the endpoint answered 410 Gone at {}",
                            attempt.attempted_at.to_rfc3339()
                        ))),
                        webhook_subscription::updated_at.eq(now),
                    ))
                    .execute(conn)?;
            }
            Ok(true)
        })
        .map_err(db_err)
    }

    fn webhook_stats(&self, now: DateTime<Utc>) -> Result<WebhookStats, StoreError> {
        let mut conn = self.conn()?;
        let counts: Vec<(String, i64)> = webhook_delivery::table
            .group_by(webhook_delivery::status)
            .select((webhook_delivery::status, diesel::dsl::count_star()))
            .load(&mut *conn)
            .map_err(db_err)?;
        let mut stats = WebhookStats::default();
        for (status, n) in counts {
            let n = u64::try_from(n).unwrap_or(0);
            match status_of(&status)? {
                DeliveryStatus::Pending => stats.pending = n,
                DeliveryStatus::Delivered => stats.delivered = n,
                DeliveryStatus::Failed => stats.failed = n,
            }
        }
        // Raw SQL: an epoch difference, which diesel's DSL does not express.
        let age: Age = sql_query(
            "SELECT extract(epoch FROM $1 - min(e.occurred_at))::float8 AS seconds \
             FROM webhook_delivery d JOIN webhook_event e ON e.id = d.event_id \
             WHERE d.status = 'pending'",
        )
        .bind::<Timestamptz, _>(now)
        .get_result(&mut *conn)
        .map_err(db_err)?;
        stats.oldest_pending_age_seconds = age.seconds;
        Ok(stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::SecretBox;
    use sos_domain::webhook::{EndpointPolicy, SubscriptionPatch};
    use sos_pg_local::testing::TestDb;

    #[derive(QueryableByName)]
    struct Stored {
        #[diesel(sql_type = Text)]
        secret: String,
        #[diesel(sql_type = Nullable<Text>)]
        previous_secret: Option<String>,
    }

    /// Signing secrets are sealed under the server key at rest and opened for delivery.
    #[test]
    fn secrets_are_sealed_at_rest() {
        let db = TestDb::new();
        let key = SecretBox::generate_hex().unwrap();
        let store = PgStore::connect(db.url(), 2)
            .unwrap()
            .with_secrets(SecretBox::from_hex(&key).unwrap());
        let settings = SubscriptionDraft::create(
            &SubscriptionPatch {
                subscriber: Some("oms".into()),
                endpoint_url: Some("https://oms.example.com/hooks".into()),
                ..SubscriptionPatch::default()
            },
            EndpointPolicy::default(),
        )
        .unwrap();
        let first = WebhookSecret::from_bytes([9; 32]);
        let second = WebhookSecret::from_bytes([10; 32]);
        let sub = store.create_subscription(&settings, &first, "t").unwrap();
        let now = Utc::now();
        store
            .rotate_secret(sub.id, &second, now + TimeDelta::hours(24), "t")
            .unwrap();
        let mut conn = store.conn().unwrap();
        let stored: Stored =
            sql_query("SELECT secret, previous_secret FROM webhook_subscription WHERE id = $1")
                .bind::<BigInt, _>(sub.id)
                .get_result(&mut *conn)
                .unwrap();
        let previous = stored.previous_secret.unwrap();
        for (sealed, plain) in [(&stored.secret, &second), (&previous, &first)] {
            assert!(sealed.starts_with("enc:v1:"), "{sealed}");
            assert!(!sealed.contains(&plain.expose()));
            assert!(!sealed.contains(&plain.expose()["whsec_".len()..]));
        }
        insert_events(
            &mut conn,
            &[EventDraft::new(
                EventType::ScoreFinalized,
                now,
                serde_json::json!({}),
            )],
        )
        .unwrap();
        let due = store.claim_due(now, 10, TimeDelta::seconds(5)).unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].secrets.current, second);
        assert_eq!(due[0].secrets.previous, Some(first));
    }
}
