//! Webhook subscriptions, their secrets, deliveries and replays.

use crate::{
    auth::Caller,
    body::parse_object,
    dto::webhooks::{
        NewWebhookSubscription, PageQuery, ReplaySinceQuery, WebhookDelivery, WebhookDeliveryPage,
        WebhookReplayed, WebhookSubscription, WebhookSubscriptionPage, WebhookSubscriptionPatch,
        WebhookSubscriptionWithSecret,
    },
    error::ApiError,
    responses::{BadInput, Guarded, JsonBody, Missing},
    routes::{blocking, page_request, path_id},
    AppState,
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use sos_app::WebhookError;
use sos_domain::{webhook::SubscriptionPatch, ValidationErrors};
use sos_ports::Scope;

/// `NotFound` named: `Webhook subscription 5 not found`.
fn not_found(what: &'static str, id: i64) -> impl Fn(WebhookError) -> ApiError {
    move |e| match e {
        WebhookError::NotFound => ApiError::not_found(format!("{what} {id} not found")),
        other => other.into(),
    }
}

const SUBSCRIPTION: &str = "Webhook subscription";
const DELIVERY: &str = "Webhook delivery";

/// Subscribe an endpoint to events. The answer holds the signing secret, shown once.
#[utoipa::path(post, path = "/api/webhooks", tag = "webhooks", request_body = NewWebhookSubscription,
    responses((status = 201, body = WebhookSubscriptionWithSecret), BadInput, JsonBody, Guarded),
    security(("bearer" = ["webhooks:manage"])))]
pub async fn create_webhook(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::WebhooksManage)?.to_owned();
    let input = SubscriptionPatch::from(parse_object::<NewWebhookSubscription>(&req, &body)?);
    let created = blocking(move || {
        state
            .sos
            .create_subscription(&*state.webhooks, &input, &actor)
    })
    .await??;
    Ok(HttpResponse::Created().json(WebhookSubscriptionWithSecret::from(created)))
}

/// List webhook subscriptions, by id.
#[utoipa::path(get, path = "/api/webhooks", tag = "webhooks", params(PageQuery),
    responses((status = 200, body = WebhookSubscriptionPage), BadInput, Guarded),
    security(("bearer" = ["webhooks:manage"])))]
pub async fn list_webhooks(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::WebhooksManage)?;
    let page = page_request(query.page, query.limit)?;
    let found = blocking(move || state.sos.list_subscriptions(page)).await??;
    Ok(HttpResponse::Ok().json(WebhookSubscriptionPage::from(found)))
}

/// One webhook subscription.
#[utoipa::path(get, path = "/api/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = WebhookSubscription), BadInput, Missing, Guarded),
    security(("bearer" = ["webhooks:manage"])))]
pub async fn get_webhook(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::WebhooksManage)?;
    let id = path_id(path.into_inner())?;
    let found = blocking(move || state.sos.get_subscription(id))
        .await?
        .map_err(not_found(SUBSCRIPTION, id))?;
    Ok(HttpResponse::Ok().json(WebhookSubscription::from(found)))
}

/// Change the fields the body names; the others keep their values.
#[utoipa::path(patch, path = "/api/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path, minimum = 1)),
    request_body = WebhookSubscriptionPatch,
    responses((status = 200, body = WebhookSubscription), BadInput, JsonBody, Missing, Guarded),
    security(("bearer" = ["webhooks:manage"])))]
pub async fn update_webhook(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::WebhooksManage)?.to_owned();
    let id = path_id(path.into_inner())?;
    let patch = SubscriptionPatch::from(parse_object::<WebhookSubscriptionPatch>(&req, &body)?);
    let updated = blocking(move || {
        state
            .sos
            .update_subscription(&*state.webhooks, id, &patch, &actor)
    })
    .await?
    .map_err(not_found(SUBSCRIPTION, id))?;
    Ok(HttpResponse::Ok().json(WebhookSubscription::from(updated)))
}

/// Delete a subscription with its deliveries and their logs.
#[utoipa::path(delete, path = "/api/webhooks/{id}", tag = "webhooks", params(("id" = i64, Path, minimum = 1)),
    responses((status = 204, description = "Deleted"), BadInput, Missing, Guarded),
    security(("bearer" = ["webhooks:manage"])))]
pub async fn delete_webhook(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::WebhooksManage)?.to_owned();
    let id = path_id(path.into_inner())?;
    blocking(move || state.sos.delete_subscription(id, &actor))
        .await?
        .map_err(not_found(SUBSCRIPTION, id))?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replace the signing secret. The answer holds the new secret, shown once. For 24 hours
/// (until `previous_secret_expires_at`) messages carry a signature by each secret, so a
/// receiver can switch to the new one without losing any message.
#[utoipa::path(post, path = "/api/webhooks/{id}/rotate-secret", tag = "webhooks", params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = WebhookSubscriptionWithSecret), BadInput, Missing, Guarded),
    security(("bearer" = ["webhooks:manage"])))]
pub async fn rotate_webhook_secret(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::WebhooksManage)?.to_owned();
    let id = path_id(path.into_inner())?;
    let rotated = blocking(move || state.sos.rotate_secret(id, &actor))
        .await?
        .map_err(not_found(SUBSCRIPTION, id))?;
    Ok(HttpResponse::Ok().json(WebhookSubscriptionWithSecret::from(rotated)))
}

/// A subscription's deliveries, newest event first, each with its attempt log.
#[utoipa::path(get, path = "/api/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = i64, Path, minimum = 1), PageQuery),
    responses((status = 200, body = WebhookDeliveryPage), BadInput, Missing, Guarded),
    security(("bearer" = ["webhooks:manage"])))]
pub async fn list_webhook_deliveries(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::WebhooksManage)?;
    let id = path_id(path.into_inner())?;
    let page = page_request(query.page, query.limit)?;
    let found = blocking(move || state.sos.list_deliveries(id, page))
        .await?
        .map_err(not_found(SUBSCRIPTION, id))?;
    Ok(HttpResponse::Ok().json(WebhookDeliveryPage::from(found)))
}

/// Send one delivery again from its first attempt, now, with the same event id (the
/// receiver's dedupe key).
#[utoipa::path(post, path = "/api/webhooks/deliveries/{id}/replay", tag = "webhooks",
    params(("id" = i64, Path, minimum = 1, description = "The delivery's id")),
    responses((status = 202, description = "Due now", body = WebhookDelivery), BadInput, Missing, Guarded),
    security(("bearer" = ["webhooks:manage"])))]
pub async fn replay_webhook_delivery(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::WebhooksManage)?.to_owned();
    let id = path_id(path.into_inner())?;
    let replayed = blocking(move || state.sos.replay_delivery(id, &actor))
        .await?
        .map_err(not_found(DELIVERY, id))?;
    Ok(HttpResponse::Accepted().json(WebhookDelivery::from(replayed)))
}

/// `since` from the query string.
fn since(req: &HttpRequest) -> Result<DateTime<Utc>, ApiError> {
    let query = web::Query::<ReplaySinceQuery>::from_query(req.query_string()).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("Invalid query string: {e}"),
        )
    })?;
    let invalid =
        |message: &str| ApiError::from_validation(&ValidationErrors::single("since", message));
    let raw = query
        .into_inner()
        .since
        .ok_or_else(|| invalid("is required: an RFC 3339 instant, e.g. 2026-03-01T00:00:00Z"))?;
    DateTime::parse_from_rfc3339(&raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            invalid(&format!(
                "must be an RFC 3339 instant, e.g. 2026-03-01T00:00:00Z ({e})"
            ))
        })
}

/// Send again every event since an instant that the subscription's filter matches, including
/// those it never had a delivery for (it did not exist yet, or did not match then).
#[utoipa::path(post, path = "/api/webhooks/{id}/replay", tag = "webhooks",
    params(("id" = i64, Path, minimum = 1), ReplaySinceQuery),
    responses((status = 202, description = "Due now", body = WebhookReplayed), BadInput, Missing, Guarded),
    security(("bearer" = ["webhooks:manage"])))]
pub async fn replay_webhook_since(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::WebhooksManage)?.to_owned();
    let id = path_id(path.into_inner())?;
    let since = since(&req)?;
    let deliveries = blocking(move || state.sos.replay_since(id, since, &actor))
        .await?
        .map_err(not_found(SUBSCRIPTION, id))?;
    Ok(HttpResponse::Accepted().json(WebhookReplayed { deliveries }))
}
