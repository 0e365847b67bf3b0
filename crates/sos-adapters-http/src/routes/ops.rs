//! Health, readiness, metrics and the API document.

use crate::{routes::blocking, AppState};
use actix_web::{web, HttpResponse};
use serde::Serialize;
use sos_ports::{DeliveryStatus, WebhookStats};
use std::sync::atomic::{AtomicU64, Ordering};
use utoipa::ToSchema;

/// Requests answered, by status class, for `/metrics`.
pub static RESPONSES: [AtomicU64; 5] = [
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
    AtomicU64::new(0),
];

/// Counts an answer with `status` for `/metrics`.
pub fn count_response(status: u16) {
    let class = usize::from(status / 100).clamp(1, 5) - 1;
    RESPONSES[class].fetch_add(1, Ordering::Relaxed);
}

/// A health answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `unavailable` when the database cannot be used.
    pub status: String,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
    })
}

/// The database answers and every migration is applied.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, body = Health), (status = 503, description = "Database down or not migrated", body = Health)))]
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let ready = blocking(move || (state.ready)()).await.unwrap_or(false);
    if ready {
        HttpResponse::Ok().json(Health {
            status: "ok".into(),
        })
    } else {
        HttpResponse::ServiceUnavailable().json(Health {
            status: "unavailable".into(),
        })
    }
}

/// Prometheus metrics.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")))]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let mut text = String::from(
        "# HELP sos_http_responses_total HTTP responses by status class.\n# TYPE sos_http_responses_total counter\n",
    );
    for (i, counter) in RESPONSES.iter().enumerate() {
        text.push_str(&format!(
            "sos_http_responses_total{{class=\"{}xx\"}} {}\n",
            i + 1,
            counter.load(Ordering::Relaxed)
        ));
    }
    // Without the database the webhook figures are left out (the log says why); the
    // counters above still answer.
    let stats = blocking(move || state.sos.webhook_stats().map_err(|e| e.to_string()))
        .await
        .map_err(|e| e.to_string())
        .and_then(|stats| stats);
    match stats {
        Ok(stats) => text.push_str(&webhook_metrics(&stats)),
        Err(e) => tracing::warn!(error = %e, "webhook figures left out of /metrics"),
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(text)
}

/// The webhook lines of `/metrics`.
fn webhook_metrics(stats: &WebhookStats) -> String {
    let mut text = String::from(
        "# HELP sos_webhook_deliveries Webhook deliveries by status.\n# TYPE sos_webhook_deliveries gauge\n",
    );
    for (status, count) in [
        (DeliveryStatus::Pending, stats.pending),
        (DeliveryStatus::Delivered, stats.delivered),
        (DeliveryStatus::Failed, stats.failed),
    ] {
        text.push_str(&format!(
            "sos_webhook_deliveries{{status=\"{}\"}} {count}\n",
            status.as_str()
        ));
    }
    text.push_str(&format!(
        "# HELP sos_webhook_oldest_pending_seconds Age of the oldest event with a pending delivery (0 when none is pending).\n# TYPE sos_webhook_oldest_pending_seconds gauge\nsos_webhook_oldest_pending_seconds {}\n",
        stats.oldest_pending_age_seconds.unwrap_or(0.0)
    ));
    text
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)))]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(crate::openapi::document())
}
