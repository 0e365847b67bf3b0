//! Order blocking: the OMS's check before it accepts an order, and the manual unblock.

use crate::{
    auth::Caller,
    body::parse_object,
    dto::enforcement::{SellerEnforcement, UnblockBody},
    error::{ApiError, ErrorBody},
    responses::{BadInput, Guarded, JsonBody, Missing},
    routes::blocking,
    AppState,
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use sos_domain::SellerCode;
use sos_ports::Scope;

fn seller_code(raw: &str) -> Result<SellerCode, ApiError> {
    SellerCode::parse(raw).map_err(|m| ApiError::new(StatusCode::BAD_REQUEST, m))
}

/// Whether the seller's orders are blocked, why (`reasons`, `rule_ids`) and since when: the
/// call the OMS makes before accepting an order. A seller is blocked while a `block_orders`
/// surcharge rule holds: from a committed calculation, or as soon as a payments sync makes a
/// rule on payment figures hold on the seller's latest payment month; it is unblocked when a
/// later sync or calculation no longer triggers it, or by hand.
#[utoipa::path(get, path = "/api/sellers/{seller_code}/enforcement", tag = "enforcement",
    params(("seller_code" = String, Path)),
    responses((status = 200, body = SellerEnforcement), BadInput, Missing, Guarded),
    security(("bearer" = ["sync:write"]), ("bearer" = ["enforcement:read"])))]
pub async fn get_enforcement(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(&[Scope::SyncWrite, Scope::EnforcementRead])?;
    let code = seller_code(&path.into_inner())?;
    let found = blocking(move || state.sos.enforcement(&code)).await??;
    Ok(HttpResponse::Ok().json(SellerEnforcement::from(found)))
}

/// Unblock a blocked seller by hand. The seller stays unblocked until the next calculation,
/// whatever payments syncs find in between; the unblock is kept in the history and the audit
/// log and sent as `seller.order_unblocked`. The answer is the new state.
#[utoipa::path(post, path = "/api/sellers/{seller_code}/unblock", tag = "enforcement",
    params(("seller_code" = String, Path)),
    request_body = UnblockBody,
    responses((status = 200, body = SellerEnforcement), BadInput, JsonBody, Missing,
        (status = 409, description = "The seller is not blocked", body = ErrorBody),
        Guarded),
    security(("bearer" = ["enforcement:write"])))]
pub async fn unblock_seller(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::EnforcementWrite)?.to_owned();
    let code = seller_code(&path.into_inner())?;
    let b = parse_object::<UnblockBody>(&req, &body)?;
    let state = blocking(move || state.sos.unblock(&code, &b.reason, &actor)).await??;
    Ok(HttpResponse::Ok().json(SellerEnforcement::from(state)))
}
