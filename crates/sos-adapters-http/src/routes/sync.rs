//! `POST /api/sync/*`: the seven sync kinds, one object or an array of them.

use crate::{
    auth::Caller,
    body::{from_value, one_or_many, parse_json, required_fields, OneOrMany},
    dto::sync::{
        CampaignActualSync, ForecastSync, InventorySync, OrderSync, PaymentSync, RawOrderSync,
        RevenueSync, TicketSync,
    },
    error::{ApiError, ErrorBody},
    responses::{BadInput, Guarded, JsonBody},
    routes::blocking,
    AppState,
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;
use sos_app::MAX_BATCH;
use sos_domain::ValidationErrors;
use sos_ports::{Clock, Scope, SyncBatch};
use utoipa::{ToResponse, ToSchema};

/// The answer to a successful sync call.
#[derive(Debug, Serialize, ToSchema)]
pub struct SyncAccepted {
    /// Always true.
    pub success: bool,
    /// Records written, for array bodies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
}

/// 200 of every sync kind.
#[derive(Debug, ToResponse)]
#[response(description = "Stored", example = json!({"success": true}))]
pub struct Stored(pub SyncAccepted);

/// 400 of the period-keyed kinds, which answer the seed's sentence when the key is missing.
#[derive(Debug, ToResponse)]
#[response(description = "Invalid input; nothing written", example = json!({"error": "seller_code and period required"}))]
pub struct SeedBadRequest(pub ErrorBody);

/// 404 of the seller-keyed kinds.
#[derive(Debug, ToResponse)]
#[response(description = "Unknown seller", example = json!({"error": "Seller SEL001 not found"}))]
pub struct UnknownSeller(pub ErrorBody);

/// 404 of the campaign-keyed kinds.
#[derive(Debug, ToResponse)]
#[response(description = "Unknown seller or campaign", example = json!({"error": "Campaign CAMP-X not found"}))]
pub struct UnknownCampaign(pub ErrorBody);

/// The seed's answer to a single period-keyed record without its key, and the fields it names.
#[derive(Debug)]
struct SeedMissing {
    message: &'static str,
    fields: [&'static str; 2],
}

const SEED_MISSING: SeedMissing = SeedMissing {
    message: "seller_code and period required",
    fields: ["seller_code", "period"],
};

/// Turns a body into items, converting each and collecting every problem by index. A field
/// `D`'s schema requires that is absent or null is named "is required", all of them at once.
fn convert_items<D: DeserializeOwned + ToSchema, R>(
    items: Vec<Value>,
    is_batch: bool,
    seed: Option<&SeedMissing>,
    convert: impl Fn(D) -> Result<R, ValidationErrors>,
) -> Result<Vec<R>, ApiError> {
    if is_batch && items.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "The array is empty; send at least one record",
        ));
    }
    if items.len() > MAX_BATCH {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!(
                "The array holds {} records; at most {MAX_BATCH} are accepted per call",
                items.len()
            ),
        ));
    }
    let required = required_fields::<D>();
    let mut errors = ValidationErrors::new();
    let mut records = Vec::with_capacity(items.len());
    let mut bad_items = 0usize;
    for (i, item) in items.into_iter().enumerate() {
        let prefix = if is_batch {
            format!("[{i}]")
        } else {
            String::new()
        };
        let Value::Object(map) = &item else {
            errors.push(
                if is_batch { prefix } else { "body".into() },
                "must be a JSON object",
            );
            bad_items += 1;
            continue;
        };
        let missing: Vec<&str> = required
            .iter()
            .map(String::as_str)
            .filter(|k| map.get(*k).is_none_or(Value::is_null))
            .collect();
        if !missing.is_empty() {
            if let (Some(seed), false) = (seed, is_batch) {
                if missing.iter().any(|f| seed.fields.contains(f)) {
                    // The seed's exact answer, which integrators already handle.
                    return Err(ApiError::new(StatusCode::BAD_REQUEST, seed.message));
                }
            }
            for field in missing {
                let f = if is_batch {
                    format!("{prefix}.{field}")
                } else {
                    field.to_owned()
                };
                errors.push(f, "is required");
            }
            bad_items += 1;
            continue;
        }
        match from_value::<D>(item, "").and_then(&convert) {
            Ok(r) => records.push(r),
            Err(e) => {
                bad_items += 1;
                errors.extend_prefixed(&prefix, e);
            }
        }
    }
    if errors.is_empty() {
        Ok(records)
    } else if is_batch {
        Err(ApiError::invalid(
            format!("{bad_items} of the records are invalid; nothing was written"),
            &errors,
        ))
    } else {
        Err(ApiError::from_validation(&errors))
    }
}

fn split(req: &HttpRequest, body: &[u8]) -> Result<(Vec<Value>, bool), ApiError> {
    Ok(match one_or_many(parse_json(req, body)?)? {
        OneOrMany::One(v) => (vec![v], false),
        OneOrMany::Many(items) => (items, true),
    })
}

async fn write(
    state: web::Data<AppState>,
    batch: SyncBatch,
    is_batch: bool,
) -> Result<HttpResponse, ApiError> {
    let count = blocking(move || state.sos.ingest(&batch)).await??;
    Ok(HttpResponse::Ok().json(SyncAccepted {
        success: true,
        count: is_batch.then_some(count),
    }))
}

/// Push order statistics (pre-aggregated), or raw orders (`{"seller_code", "orders": [...]}`).
#[utoipa::path(
    post, path = "/api/sync/orders", tag = "sync",
    request_body(content = OrderSync, description = "One object or an array of up to 1,000. The raw form `RawOrderSync` is accepted too."),
    responses(
        (status = 200, response = Stored),
        (status = 400, response = SeedBadRequest),
        (status = 404, response = UnknownSeller),
        JsonBody,
        Guarded,
    ),
    security(("bearer" = ["sync:write"]))
)]
pub async fn sync_orders(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::SyncWrite)?;
    let (items, is_batch) = split(&req, &body)?;
    let raw = items.iter().any(|v| v.get("orders").is_some());
    if raw {
        if items.iter().any(|v| v.get("orders").is_none()) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "Do not mix the raw form (orders) and the aggregate form in one call",
            ));
        }
        let records = convert_items(items, is_batch, None, RawOrderSync::into_record)?;
        let count = blocking(move || state.sos.ingest_raw_orders(records)).await??;
        return Ok(HttpResponse::Ok().json(SyncAccepted {
            success: true,
            count: is_batch.then_some(count),
        }));
    }
    let records = convert_items(items, is_batch, Some(&SEED_MISSING), OrderSync::into_record)?;
    write(state, SyncBatch::Orders(records), is_batch).await
}

/// Push forecast submissions; a new `submitted_at` is a new version.
#[utoipa::path(
    post, path = "/api/sync/forecasts", tag = "sync",
    request_body(content = ForecastSync, description = "One object or an array of up to 1,000."),
    responses(
        (status = 200, response = Stored),
        BadInput,
        (status = 404, response = UnknownCampaign),
        JsonBody,
        Guarded,
    ),
    security(("bearer" = ["sync:write"]))
)]
pub async fn sync_forecasts(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::SyncWrite)?;
    let (items, is_batch) = split(&req, &body)?;
    let now = state.ports.now();
    let records = convert_items(items, is_batch, None, |d: ForecastSync| d.into_record(now))?;
    write(state, SyncBatch::Forecasts(records), is_batch).await
}

/// Push campaign results.
#[utoipa::path(
    post, path = "/api/sync/campaign-actuals", tag = "sync",
    request_body(content = CampaignActualSync, description = "One object or an array of up to 1,000."),
    responses(
        (status = 200, response = Stored),
        BadInput,
        (status = 404, response = UnknownCampaign),
        JsonBody,
        Guarded,
    ),
    security(("bearer" = ["sync:write"]))
)]
pub async fn sync_campaign_actuals(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::SyncWrite)?;
    let (items, is_batch) = split(&req, &body)?;
    let records = convert_items(items, is_batch, None, CampaignActualSync::into_record)?;
    write(state, SyncBatch::CampaignActuals(records), is_batch).await
}

/// Push ticket first-answer statistics.
#[utoipa::path(
    post, path = "/api/sync/tickets", tag = "sync",
    request_body(content = TicketSync, description = "One object or an array of up to 1,000."),
    responses(
        (status = 200, response = Stored),
        (status = 400, response = SeedBadRequest),
        (status = 404, response = UnknownSeller),
        JsonBody,
        Guarded,
    ),
    security(("bearer" = ["sync:write"]))
)]
pub async fn sync_tickets(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::SyncWrite)?;
    let (items, is_batch) = split(&req, &body)?;
    let records = convert_items(
        items,
        is_batch,
        Some(&SEED_MISSING),
        TicketSync::into_record,
    )?;
    write(state, SyncBatch::Tickets(records), is_batch).await
}

/// Push payments: Format A (aggregate) or Format B (`invoices`). In the same transaction, each
/// seller's order blocking is decided again on its latest payment month with the
/// `block_orders` rules on payment figures (by default, an invoice more than 30 days late).
#[utoipa::path(
    post, path = "/api/sync/payments", tag = "sync",
    request_body(content = PaymentSync, description = "One object or an array of up to 1,000."),
    responses(
        (status = 200, response = Stored),
        (status = 400, response = SeedBadRequest),
        (status = 404, response = UnknownSeller),
        JsonBody,
        Guarded,
    ),
    security(("bearer" = ["sync:write"]))
)]
pub async fn sync_payments(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::SyncWrite)?.to_owned();
    let (items, is_batch) = split(&req, &body)?;
    let records = convert_items(
        items,
        is_batch,
        Some(&SEED_MISSING),
        PaymentSync::into_record,
    )?;
    let count = blocking(move || state.sos.ingest_payments(records, &actor)).await??;
    Ok(HttpResponse::Ok().json(SyncAccepted {
        success: true,
        count: is_batch.then_some(count),
    }))
}

/// Push an inventory snapshot; a newer snapshot of the month wins.
#[utoipa::path(
    post, path = "/api/sync/inventory", tag = "sync",
    request_body(content = InventorySync, description = "One object or an array of up to 1,000."),
    responses(
        (status = 200, response = Stored),
        BadInput,
        (status = 404, response = UnknownSeller),
        JsonBody,
        Guarded,
    ),
    security(("bearer" = ["sync:write"]))
)]
pub async fn sync_inventory(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::SyncWrite)?;
    let (items, is_batch) = split(&req, &body)?;
    let records = convert_items(items, is_batch, None, InventorySync::into_record)?;
    write(state, SyncBatch::Inventory(records), is_batch).await
}

/// Push AM revenue figures.
#[utoipa::path(
    post, path = "/api/sync/revenue", tag = "sync",
    request_body(content = RevenueSync, description = "One object or an array of up to 1,000."),
    responses(
        (status = 200, response = Stored),
        BadInput,
        (status = 404, description = "Unknown account manager", body = ErrorBody),
        JsonBody,
        Guarded,
    ),
    security(("bearer" = ["sync:write"]))
)]
pub async fn sync_revenue(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::SyncWrite)?;
    let (items, is_batch) = split(&req, &body)?;
    let records = convert_items(items, is_batch, None, RevenueSync::into_record)?;
    write(state, SyncBatch::Revenue(records), is_batch).await
}
