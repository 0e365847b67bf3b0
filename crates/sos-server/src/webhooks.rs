//! The `webhooks` commands: subscriptions, delivery logs and replays on the configured
//! database.

use crate::cli::{ReplayArgs, WebhooksCommand};
use chrono::{DateTime, SecondsFormat, Utc};
use sos_adapters_http::dto::webhooks::{WebhookDelivery, WebhookSubscription};
use sos_adapters_pg::PgStore;
use sos_app::{Sos, WebhookError};
use sos_ports::{Delivery, PageRequest};

/// What the CLI records as the actor in the audit log.
const ACTOR: &str = "cli";

fn named(what: &'static str, id: i64) -> impl Fn(WebhookError) -> anyhow::Error {
    move |e| match e {
        WebhookError::NotFound => anyhow::anyhow!("no webhook {what} {id}"),
        other => other.into(),
    }
}

/// Runs a `webhooks` command on `store`.
///
/// # Errors
/// Unknown ids, storage errors.
pub fn run(store: &PgStore, cmd: &WebhooksCommand) -> anyhow::Result<()> {
    let sos = Sos::new(store.clone());
    match cmd {
        WebhooksCommand::List { json } => {
            let mut all = Vec::new();
            for page in 1.. {
                let found = sos.list_subscriptions(PageRequest { page, limit: 500 })?;
                let done = found.items.len() < 500;
                all.extend(found.items.into_iter().map(WebhookSubscription::from));
                if done {
                    break;
                }
            }
            if *json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else {
                print_subscriptions(&all);
            }
        }
        WebhooksCommand::Deliveries {
            subscription,
            limit,
            json,
        } => {
            let page = PageRequest {
                page: 1,
                limit: *limit,
            };
            let found = sos
                .list_deliveries(*subscription, page)
                .map_err(named("subscription", *subscription))?;
            if *json {
                let deliveries: Vec<WebhookDelivery> =
                    found.items.into_iter().map(Into::into).collect();
                println!("{}", serde_json::to_string_pretty(&deliveries)?);
            } else {
                print_deliveries(&found.items, found.total);
            }
        }
        WebhooksCommand::Replay(ReplayArgs {
            delivery: Some(id), ..
        }) => {
            let d = sos
                .replay_delivery(*id, ACTOR)
                .map_err(named("delivery", *id))?;
            println!(
                "Replayed delivery {id} ({}, event {}): due now",
                d.event_type, d.event_id
            );
        }
        WebhooksCommand::Replay(ReplayArgs {
            subscription: Some(id),
            since: Some(since),
            ..
        }) => {
            let n = sos
                .replay_since(*id, *since, ACTOR)
                .map_err(named("subscription", *id))?;
            println!(
                "Replayed {n} deliveries of subscription {id} since {}: due now",
                instant(*since)
            );
        }
        WebhooksCommand::Replay(_) => {
            anyhow::bail!("say what to replay: --delivery ID, or SUBSCRIPTION --since RFC3339")
        }
    }
    Ok(())
}

/// To the second, in UTC: `2026-03-01T08:00:00Z`.
fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn or_dash<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

fn print_subscriptions(all: &[WebhookSubscription]) {
    println!(
        "{:<6} {:<20} {:<44} {:<40} {:<7} {:>7} {:>8}  disabled",
        "id", "subscriber", "endpoint", "events", "active", "timeout", "attempts"
    );
    for s in all {
        println!(
            "{:<6} {:<20} {:<44} {:<40} {:<7} {:>6}s {:>8}  {}",
            s.id,
            s.subscriber,
            s.endpoint_url,
            s.event_types.join(","),
            if s.is_active { "yes" } else { "no" },
            s.timeout_seconds,
            s.max_attempts,
            or_dash(s.disabled_reason.as_deref()),
        );
    }
}

fn print_deliveries(deliveries: &[Delivery], total: u64) {
    println!(
        "{:<8} {:<26} {:<9} {:>8} {:<20} {:<20} last attempt",
        "id", "event", "status", "attempts", "occurred", "next attempt"
    );
    for d in deliveries {
        let last = d.log.last().map(|a| match (&a.status_code, &a.error) {
            (Some(code), _) => format!("{code} in {} ms", a.duration_ms),
            (None, Some(error)) => error.chars().take(60).collect(),
            (None, None) => "no answer".to_owned(),
        });
        println!(
            "{:<8} {:<26} {:<9} {:>8} {:<20} {:<20} {}",
            d.id,
            d.event_type.as_str(),
            d.status.as_str(),
            d.attempts,
            instant(d.occurred_at),
            or_dash(d.next_attempt_at.map(instant)),
            or_dash(last),
        );
    }
    if total > deliveries.len() as u64 {
        println!(
            "({} of {total} deliveries shown; --limit shows more)",
            deliveries.len()
        );
    }
}
