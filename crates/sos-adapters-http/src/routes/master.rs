//! Sellers, campaigns and account managers.

use crate::{
    auth::Caller,
    body::parse_object,
    dto::master::{
        AmBody, AmPage, AmView, CampaignBody, CampaignPage, CampaignView, ListQuery, SellerBody,
        SellerPage, SellerQuery, SellerView,
    },
    error::{ApiError, ErrorBody},
    responses::{BadInput, Guarded, JsonBody, Missing},
    routes::{blocking, page_request, text_param},
    AppState,
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use sos_app::MasterError;
use sos_domain::{master::SellerStatus, AmId, CampaignCode, SellerCode};
use sos_ports::{Scope, SellerFilter};

fn seller_code(raw: &str) -> Result<SellerCode, ApiError> {
    SellerCode::parse(raw).map_err(|m| ApiError::new(StatusCode::BAD_REQUEST, m))
}

fn not_found_seller(code: &str) -> impl Fn(MasterError) -> ApiError + '_ {
    move |e| match e {
        MasterError::NotFound => ApiError::not_found(format!("Seller {code} not found")),
        other => other.into(),
    }
}

/// List sellers.
#[utoipa::path(get, path = "/api/sellers", tag = "master-data", params(SellerQuery),
    responses((status = 200, body = SellerPage), BadInput, Guarded),
    security(("bearer" = ["master:read"])))]
pub async fn list_sellers(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<SellerQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::MasterRead)?;
    let q = query.into_inner();
    let page = page_request(q.page, q.limit)?;
    let status = match q.status.as_deref() {
        None => Some(SellerStatus::Active),
        Some("all") => None,
        Some(s) => Some(
            s.parse::<SellerStatus>()
                .map_err(|m| ApiError::new(StatusCode::BAD_REQUEST, m))?,
        ),
    };
    let am_id = q
        .am_id
        .map(AmId::new)
        .transpose()
        .map_err(|m| ApiError::new(StatusCode::BAD_REQUEST, m))?;
    text_param("warehouse_id", q.warehouse_id.as_deref().unwrap_or(""))?;
    text_param("search", q.search.as_deref().unwrap_or(""))?;
    let filter = SellerFilter {
        status,
        am_id,
        warehouse_id: q.warehouse_id,
        search: q.search.filter(|s| !s.is_empty()),
    };
    let found = blocking(move || state.sos.list_sellers(&filter, page)).await??;
    Ok(HttpResponse::Ok().json(SellerPage::from(found)))
}

/// Register a seller.
#[utoipa::path(post, path = "/api/sellers", tag = "master-data", request_body = SellerBody,
    responses(
        (status = 201, body = SellerView),
        (status = 409, description = "Code taken or unknown AM", body = ErrorBody),
        BadInput, JsonBody, Guarded,
    ),
    security(("bearer" = ["master:write"])))]
pub async fn create_seller(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::MasterWrite)?.to_owned();
    let seller = parse_object::<SellerBody>(&req, &body)?
        .into_seller(None)
        .map_err(|e| ApiError::from_validation(&e))?;
    let row = blocking(move || state.sos.create_seller(&seller, &actor)).await??;
    Ok(HttpResponse::Created().json(SellerView::from(row)))
}

/// One seller.
#[utoipa::path(get, path = "/api/sellers/{seller_code}", tag = "master-data", params(("seller_code" = String, Path)),
    responses((status = 200, body = SellerView), BadInput, Missing, Guarded),
    security(("bearer" = ["master:read"])))]
pub async fn get_seller(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::MasterRead)?;
    let raw = path.into_inner();
    let code = seller_code(&raw)?;
    let row = blocking(move || state.sos.get_seller(&code))
        .await?
        .map_err(not_found_seller(&raw))?;
    Ok(HttpResponse::Ok().json(SellerView::from(row)))
}

/// Replace a seller's fields.
#[utoipa::path(put, path = "/api/sellers/{seller_code}", tag = "master-data", params(("seller_code" = String, Path)),
    request_body = SellerBody,
    responses(
        (status = 200, body = SellerView),
        (status = 409, body = ErrorBody),
        BadInput, JsonBody, Missing, Guarded,
    ),
    security(("bearer" = ["master:write"])))]
pub async fn update_seller(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::MasterWrite)?.to_owned();
    let raw = path.into_inner();
    seller_code(&raw)?;
    let seller = parse_object::<SellerBody>(&req, &body)?
        .into_seller(Some(&raw))
        .map_err(|e| ApiError::from_validation(&e))?;
    let row = blocking(move || state.sos.update_seller(&seller, &actor))
        .await?
        .map_err(not_found_seller(&raw))?;
    Ok(HttpResponse::Ok().json(SellerView::from(row)))
}

/// Mark a seller terminated; its history stays.
#[utoipa::path(delete, path = "/api/sellers/{seller_code}", tag = "master-data", params(("seller_code" = String, Path)),
    responses((status = 200, body = SellerView), BadInput, Missing, Guarded),
    security(("bearer" = ["master:write"])))]
pub async fn deactivate_seller(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::MasterWrite)?.to_owned();
    let raw = path.into_inner();
    let code = seller_code(&raw)?;
    let row = blocking(move || state.sos.deactivate_seller(&code, &actor))
        .await?
        .map_err(not_found_seller(&raw))?;
    Ok(HttpResponse::Ok().json(SellerView::from(row)))
}

fn campaign_code(raw: &str) -> Result<CampaignCode, ApiError> {
    CampaignCode::parse(raw).map_err(|m| ApiError::new(StatusCode::BAD_REQUEST, m))
}

fn not_found_campaign(code: &str) -> impl Fn(MasterError) -> ApiError + '_ {
    move |e| match e {
        MasterError::NotFound => ApiError::not_found(format!("Campaign {code} not found")),
        other => other.into(),
    }
}

/// List campaigns, newest first.
#[utoipa::path(get, path = "/api/campaigns", tag = "master-data", params(ListQuery),
    responses((status = 200, body = CampaignPage), BadInput, Guarded),
    security(("bearer" = ["master:read"])))]
pub async fn list_campaigns(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::MasterRead)?;
    let q = query.into_inner();
    let page = page_request(q.page, q.limit)?;
    let all = q.include_inactive.unwrap_or(false);
    let found = blocking(move || state.sos.list_campaigns(all, page)).await??;
    Ok(HttpResponse::Ok().json(CampaignPage::from(found)))
}

/// Register a campaign.
#[utoipa::path(post, path = "/api/campaigns", tag = "master-data", request_body = CampaignBody,
    responses(
        (status = 201, body = CampaignView),
        (status = 409, body = ErrorBody),
        BadInput, JsonBody, Guarded,
    ),
    security(("bearer" = ["master:write"])))]
pub async fn create_campaign(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::MasterWrite)?.to_owned();
    let campaign = parse_object::<CampaignBody>(&req, &body)?
        .into_campaign(None)
        .map_err(|e| ApiError::from_validation(&e))?;
    let row = blocking(move || state.sos.create_campaign(&campaign, &actor)).await??;
    Ok(HttpResponse::Created().json(CampaignView::from(row)))
}

/// One campaign.
#[utoipa::path(get, path = "/api/campaigns/{campaign_code}", tag = "master-data", params(("campaign_code" = String, Path)),
    responses((status = 200, body = CampaignView), BadInput, Missing, Guarded),
    security(("bearer" = ["master:read"])))]
pub async fn get_campaign(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::MasterRead)?;
    let raw = path.into_inner();
    let code = campaign_code(&raw)?;
    let row = blocking(move || state.sos.get_campaign(&code))
        .await?
        .map_err(not_found_campaign(&raw))?;
    Ok(HttpResponse::Ok().json(CampaignView::from(row)))
}

/// Replace a campaign's fields.
#[utoipa::path(put, path = "/api/campaigns/{campaign_code}", tag = "master-data", params(("campaign_code" = String, Path)),
    request_body = CampaignBody,
    responses((status = 200, body = CampaignView), BadInput, JsonBody, Missing, Guarded),
    security(("bearer" = ["master:write"])))]
pub async fn update_campaign(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::MasterWrite)?.to_owned();
    let raw = path.into_inner();
    campaign_code(&raw)?;
    let campaign = parse_object::<CampaignBody>(&req, &body)?
        .into_campaign(Some(&raw))
        .map_err(|e| ApiError::from_validation(&e))?;
    let row = blocking(move || state.sos.update_campaign(&campaign, &actor))
        .await?
        .map_err(not_found_campaign(&raw))?;
    Ok(HttpResponse::Ok().json(CampaignView::from(row)))
}

/// Deactivate a campaign; its forecasts and actuals stay.
#[utoipa::path(delete, path = "/api/campaigns/{campaign_code}", tag = "master-data", params(("campaign_code" = String, Path)),
    responses((status = 200, body = CampaignView), BadInput, Missing, Guarded),
    security(("bearer" = ["master:write"])))]
pub async fn deactivate_campaign(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::MasterWrite)?.to_owned();
    let raw = path.into_inner();
    let code = campaign_code(&raw)?;
    let row = blocking(move || state.sos.deactivate_campaign(&code, &actor))
        .await?
        .map_err(not_found_campaign(&raw))?;
    Ok(HttpResponse::Ok().json(CampaignView::from(row)))
}

fn am_id(raw: i64) -> Result<AmId, ApiError> {
    AmId::new(raw).map_err(|m| ApiError::new(StatusCode::BAD_REQUEST, m))
}

fn not_found_am(id: i64) -> impl Fn(MasterError) -> ApiError {
    move |e| match e {
        MasterError::NotFound => ApiError::not_found(format!("Account manager {id} not found")),
        other => other.into(),
    }
}

/// List account managers.
#[utoipa::path(get, path = "/api/account-managers", tag = "master-data", params(ListQuery),
    responses((status = 200, body = AmPage), BadInput, Guarded),
    security(("bearer" = ["master:read"])))]
pub async fn list_ams(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::MasterRead)?;
    let q = query.into_inner();
    let page = page_request(q.page, q.limit)?;
    let all = q.include_inactive.unwrap_or(false);
    let found = blocking(move || state.sos.list_ams(all, page)).await??;
    Ok(HttpResponse::Ok().json(AmPage::from(found)))
}

/// Register an account manager, under the body's `id` or, without one, the next free id.
#[utoipa::path(post, path = "/api/account-managers", tag = "master-data", request_body = AmBody,
    responses(
        (status = 201, body = AmView),
        (status = 409, body = ErrorBody),
        BadInput, JsonBody, Guarded,
    ),
    security(("bearer" = ["master:write"])))]
pub async fn create_am(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::MasterWrite)?.to_owned();
    let am = parse_object::<AmBody>(&req, &body)?
        .into_new_am()
        .map_err(|e| ApiError::from_validation(&e))?;
    let row = blocking(move || state.sos.create_am(am, &actor)).await??;
    Ok(HttpResponse::Created().json(AmView::from(row)))
}

/// One account manager.
#[utoipa::path(get, path = "/api/account-managers/{am_id}", tag = "master-data", params(("am_id" = i64, Path, minimum = 1)),
    responses((status = 200, body = AmView), BadInput, Missing, Guarded),
    security(("bearer" = ["master:read"])))]
pub async fn get_am(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::MasterRead)?;
    let raw = path.into_inner();
    let id = am_id(raw)?;
    let row = blocking(move || state.sos.get_am(id))
        .await?
        .map_err(not_found_am(raw))?;
    Ok(HttpResponse::Ok().json(AmView::from(row)))
}

/// Replace an account manager's fields.
#[utoipa::path(put, path = "/api/account-managers/{am_id}", tag = "master-data", params(("am_id" = i64, Path, minimum = 1)),
    request_body = AmBody,
    responses((status = 200, body = AmView), BadInput, JsonBody, Missing, Guarded),
    security(("bearer" = ["master:write"])))]
pub async fn update_am(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::MasterWrite)?.to_owned();
    let raw = path.into_inner();
    am_id(raw)?;
    let am = parse_object::<AmBody>(&req, &body)?
        .into_am(raw)
        .map_err(|e| ApiError::from_validation(&e))?;
    let row = blocking(move || state.sos.update_am(&am, &actor))
        .await?
        .map_err(not_found_am(raw))?;
    Ok(HttpResponse::Ok().json(AmView::from(row)))
}

/// Deactivate an account manager; its history stays.
#[utoipa::path(delete, path = "/api/account-managers/{am_id}", tag = "master-data", params(("am_id" = i64, Path, minimum = 1)),
    responses((status = 200, body = AmView), BadInput, Missing, Guarded),
    security(("bearer" = ["master:write"])))]
pub async fn deactivate_am(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::MasterWrite)?.to_owned();
    let raw = path.into_inner();
    let id = am_id(raw)?;
    let row = blocking(move || state.sos.deactivate_am(id, &actor))
        .await?
        .map_err(not_found_am(raw))?;
    Ok(HttpResponse::Ok().json(AmView::from(row)))
}
