//! Health, readiness, metrics and the API document.

use crate::{routes::blocking, AppState};
use actix_web::{web, HttpResponse};
use serde::Serialize;
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
pub async fn metrics() -> HttpResponse {
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
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(text)
}

/// This document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)))]
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(crate::openapi::document())
}
