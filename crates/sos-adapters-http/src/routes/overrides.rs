//! Score exceptions and appeals.

use crate::{
    auth::Caller,
    body::parse_object,
    dto::overrides::{
        AmReviewBody, AppealPage, AppealQuery, AppealView, CreatedExceptionView, ExceptionList,
        ExceptionQuery, ExceptionView, NewAppealBody, NewExceptionBody, OpsReviewBody,
    },
    error::{ApiError, ErrorBody},
    responses::{BadInput, Guarded, JsonBody, Missing},
    routes::{blocking, page_request, path_id},
    AppState,
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use sos_app::{AmReview, AppealError, ExceptionError, NewAppeal, NewException};
use sos_domain::{appeal::Evidence, AmId, Period, SellerCode, ValidationErrors};
use sos_ports::{AppealFilter, ExceptionFilter, Scope};

/// The seller code and period of a body or query, each problem named.
fn seller_and_period(
    seller: Option<&str>,
    period: Option<&str>,
) -> Result<(Option<SellerCode>, Option<Period>), ApiError> {
    let mut errors = ValidationErrors::new();
    let seller = seller.and_then(|s| {
        SellerCode::parse(s)
            .map_err(|m| errors.push("seller_code", m))
            .ok()
    });
    let period = period.and_then(|p| {
        Period::parse(p)
            .map_err(|e| errors.push("period", e.to_string()))
            .ok()
    });
    if errors.is_empty() {
        Ok((seller, period))
    } else {
        Err(ApiError::from_validation(&errors))
    }
}

fn exception_not_found(id: i64) -> impl Fn(ExceptionError) -> ApiError {
    move |e| match e {
        ExceptionError::NotFound => ApiError::not_found(format!("Exception {id} not found")),
        other => other.into(),
    }
}

fn appeal_not_found(id: i64) -> impl Fn(AppealError) -> ApiError {
    move |e| match e {
        AppealError::NotFound => ApiError::not_found(format!("Appeal {id} not found")),
        other => other.into(),
    }
}

/// Override one component of one seller's period: `set_score` or `exclude`. The period must
/// not be finalized (a finalized score changes only through an appeal); recalculate the period
/// to apply it. One active exception per component.
#[utoipa::path(post, path = "/api/sos/exceptions", tag = "exceptions", request_body = NewExceptionBody,
    responses((status = 201, body = CreatedExceptionView), BadInput, JsonBody, Missing,
        (status = 409, description = "The period is finalized", body = ErrorBody),
        (status = 422, description = "The configuration effective for the period is unusable", body = ErrorBody),
        Guarded),
    security(("bearer" = ["scores:override"])))]
pub async fn create_exception(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::ScoresOverride)?.to_owned();
    let b = parse_object::<NewExceptionBody>(&req, &body)?;
    let (Some(seller_code), Some(period)) =
        seller_and_period(Some(&b.seller_code), Some(&b.period))?
    else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "seller_code and period are required",
        ));
    };
    let input = NewException {
        seller_code,
        period,
        component: b.component,
        reason_type: b.reason_type.into(),
        note: b.note,
        effect: b.effect.into(),
    };
    let created = blocking(move || state.sos.create_exception(&input, &actor)).await??;
    Ok(HttpResponse::Created().json(CreatedExceptionView {
        exception: created.record.into(),
        hint: created.hint,
    }))
}

/// Exceptions, newest first.
#[utoipa::path(get, path = "/api/sos/exceptions", tag = "exceptions", params(ExceptionQuery),
    responses((status = 200, body = ExceptionList), BadInput, Guarded),
    security(("bearer" = ["scores:read"])))]
pub async fn list_exceptions(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<ExceptionQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::ScoresRead)?;
    let q = query.into_inner();
    let (seller_code, period) = seller_and_period(q.seller_code.as_deref(), q.period.as_deref())?;
    let filter = ExceptionFilter {
        seller_code,
        period,
        active_only: q.active_only.unwrap_or(false),
    };
    let found = blocking(move || state.sos.list_exceptions(&filter)).await??;
    Ok(HttpResponse::Ok().json(ExceptionList {
        total: u64::try_from(found.len()).unwrap_or(u64::MAX),
        items: found.into_iter().map(Into::into).collect(),
    }))
}

/// One exception.
#[utoipa::path(get, path = "/api/sos/exceptions/{id}", tag = "exceptions", params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = ExceptionView), BadInput, Missing, Guarded),
    security(("bearer" = ["scores:read"])))]
pub async fn get_exception(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::ScoresRead)?;
    let id = path_id(path.into_inner())?;
    let found = blocking(move || state.sos.get_exception(id))
        .await?
        .map_err(exception_not_found(id))?;
    Ok(HttpResponse::Ok().json(ExceptionView::from(found)))
}

/// Revoke an exception; the row stays, with who revoked it. Refused on a finalized period.
#[utoipa::path(delete, path = "/api/sos/exceptions/{id}", tag = "exceptions", params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = ExceptionView), BadInput, Missing,
        (status = 409, description = "Already revoked, or the period is finalized", body = ErrorBody),
        Guarded),
    security(("bearer" = ["scores:override"])))]
pub async fn revoke_exception(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::ScoresOverride)?.to_owned();
    let id = path_id(path.into_inner())?;
    let revoked = blocking(move || state.sos.revoke_exception(id, &actor))
        .await?
        .map_err(exception_not_found(id))?;
    Ok(HttpResponse::Ok().json(ExceptionView::from(revoked)))
}

/// File an appeal on a seller's stored score: a component or the total. Allowed before the
/// period is finalized and within 30 days after; at most two per score (the second after the
/// first was rejected), one open at a time.
#[utoipa::path(post, path = "/api/sos/appeals", tag = "appeals", request_body = NewAppealBody,
    responses((status = 201, body = AppealView), BadInput, JsonBody, Missing,
        (status = 409, description = "No stored result, the window closed, or an appeal is open or used up", body = ErrorBody),
        Guarded),
    security(("bearer" = ["appeals:file"])))]
pub async fn file_appeal(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::AppealsFile)?.to_owned();
    let b = parse_object::<NewAppealBody>(&req, &body)?;
    let (Some(seller_code), Some(period)) =
        seller_and_period(Some(&b.seller_code), Some(&b.period))?
    else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "seller_code and period are required",
        ));
    };
    let input = NewAppeal {
        seller_code,
        period,
        target: b.component,
        reason_type: b.reason_type.into(),
        description: b.description,
        evidence: b
            .evidence
            .into_iter()
            .map(|e| Evidence {
                label: e.label,
                url: e.url,
            })
            .collect(),
    };
    let st = state.clone();
    let filed = blocking(move || st.sos.file_appeal(&input, &actor)).await??;
    Ok(HttpResponse::Created().json(AppealView::new(filed, state.sos.appeal_rules())))
}

/// Appeals, newest first, with their history.
#[utoipa::path(get, path = "/api/sos/appeals", tag = "appeals", params(AppealQuery),
    responses((status = 200, body = AppealPage), BadInput, Guarded),
    security(("bearer" = ["scores:read"]), ("bearer" = ["appeals:file"]), ("bearer" = ["appeals:review_ops"]), ("bearer" = ["appeals:review_am"])))]
pub async fn list_appeals(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<AppealQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(&[
        Scope::ScoresRead,
        Scope::AppealsFile,
        Scope::AppealsReviewOps,
        Scope::AppealsReviewAm,
    ])?;
    let q = query.into_inner();
    let page = page_request(q.page, q.limit)?;
    let (seller_code, period) = seller_and_period(q.seller_code.as_deref(), q.period.as_deref())?;
    let am_id = q
        .am_id
        .map(AmId::new)
        .transpose()
        .map_err(|m| ApiError::from_validation(&ValidationErrors::single("am_id", m)))?;
    let filter = AppealFilter {
        status: q.status,
        seller_code,
        period,
        am_id,
    };
    let st = state.clone();
    let found = blocking(move || st.sos.list_appeals(&filter, page)).await??;
    let rules = state.sos.appeal_rules();
    Ok(HttpResponse::Ok().json(AppealPage {
        page: found.page,
        limit: found.limit,
        total: found.total,
        items: found
            .items
            .into_iter()
            .map(|r| AppealView::new(r, rules))
            .collect(),
    }))
}

/// One appeal with its history and the deadline of the review due.
#[utoipa::path(get, path = "/api/sos/appeals/{id}", tag = "appeals", params(("id" = i64, Path, minimum = 1)),
    responses((status = 200, body = AppealView), BadInput, Missing, Guarded),
    security(("bearer" = ["scores:read"]), ("bearer" = ["appeals:file"]), ("bearer" = ["appeals:review_ops"]), ("bearer" = ["appeals:review_am"])))]
pub async fn get_appeal(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(&[
        Scope::ScoresRead,
        Scope::AppealsFile,
        Scope::AppealsReviewOps,
        Scope::AppealsReviewAm,
    ])?;
    let id = path_id(path.into_inner())?;
    let st = state.clone();
    let found = blocking(move || st.sos.get_appeal(id))
        .await?
        .map_err(appeal_not_found(id))?;
    Ok(HttpResponse::Ok().json(AppealView::new(found, state.sos.appeal_rules())))
}

/// The ops review: `approve` sends the appeal to the AM review, `reject` closes it. Not by
/// the key that filed it; due 5 days after filing.
#[utoipa::path(post, path = "/api/sos/appeals/{id}/review-ops", tag = "appeals", params(("id" = i64, Path, minimum = 1)),
    request_body = OpsReviewBody,
    responses((status = 200, body = AppealView), BadInput, JsonBody, Missing,
        (status = 409, description = "Not pending, or past its deadline", body = ErrorBody),
        Guarded),
    security(("bearer" = ["appeals:review_ops"])))]
pub async fn review_appeal_ops(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::AppealsReviewOps)?.to_owned();
    let id = path_id(path.into_inner())?;
    let b = parse_object::<OpsReviewBody>(&req, &body)?;
    let st = state.clone();
    let reviewed = blocking(move || {
        st.sos
            .review_appeal_ops(id, b.decision, b.note.as_deref(), &actor)
    })
    .await?
    .map_err(appeal_not_found(id))?;
    Ok(HttpResponse::Ok().json(AppealView::new(reviewed, state.sos.appeal_rules())))
}

/// The AM review: `approve` or `partially_approve` with `score_adjustment` (the component's
/// new score) re-scores the seller in its finalized period (status `recalculated`, the original
/// kept in history); `reject` closes the appeal. Not by the key that filed it or decided at the
/// ops level; due 5 days after the ops approval.
#[utoipa::path(post, path = "/api/sos/appeals/{id}/review-am", tag = "appeals", params(("id" = i64, Path, minimum = 1)),
    request_body = AmReviewBody,
    responses((status = 200, body = AppealView), BadInput, JsonBody, Missing,
        (status = 409, description = "Not under review, or past its deadline", body = ErrorBody),
        (status = 422, description = "The configuration effective for the period is unusable", body = ErrorBody),
        Guarded),
    security(("bearer" = ["appeals:review_am"])))]
pub async fn review_appeal_am(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::AppealsReviewAm)?.to_owned();
    let id = path_id(path.into_inner())?;
    let b = parse_object::<AmReviewBody>(&req, &body)?;
    let review = AmReview {
        decision: b.decision,
        note: b.note,
        component: b.component,
        score_adjustment: b.score_adjustment,
    };
    let st = state.clone();
    let reviewed = blocking(move || st.sos.review_appeal_am(id, &review, &actor))
        .await?
        .map_err(appeal_not_found(id))?;
    Ok(HttpResponse::Ok().json(AppealView::new(reviewed, state.sos.appeal_rules())))
}
