//! Calculation, finalize, results, summaries, AM scores, runs and preview.

use crate::{
    auth::Caller,
    body::parse_object,
    dto::scores::{
        CalculateBody, PreviewBody, RunQuery, RunView, ScorePage, ScoreQuery, ScoreView,
    },
    error::{ApiError, ErrorBody},
    responses::{BadInput, Guarded, JsonBody, Missing},
    routes::{blocking, page_request},
    AppState,
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use serde::Serialize;
use sos_app::QueryError;
use sos_domain::{AmId, Period, SellerCode, TierName, ValidationErrors};
use sos_ports::{PeriodSummary, Scope, ScoreFilter};
use utoipa::ToSchema;

fn period(raw: &str) -> Result<Period, ApiError> {
    Period::parse(raw).map_err(|e| {
        ApiError::invalid(
            crate::error::capitalize(&e.to_string()),
            &ValidationErrors::single("period", e.to_string()),
        )
    })
}

fn seller(raw: &str) -> Result<SellerCode, ApiError> {
    SellerCode::parse(raw).map_err(|m| ApiError::new(StatusCode::BAD_REQUEST, m))
}

/// Score every active seller with data (or the sellers listed) and every AM portfolio, in one
/// transaction.
#[utoipa::path(post, path = "/api/sos/monthly/calculate", tag = "scores", request_body = CalculateBody,
    responses(
        (status = 200, description = "Run summary", body = RunView),
        (status = 404, description = "Unknown sellers listed", body = ErrorBody),
        (status = 409, description = "Period finalized, or a calculation of it is running", body = ErrorBody),
        (status = 422, description = "The configuration effective for the period cannot be used", body = ErrorBody),
        BadInput, JsonBody, Guarded,
    ),
    security(("bearer" = ["scores:calculate"])))]
pub async fn calculate(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::ScoresCalculate)?.to_owned();
    let request = parse_object::<CalculateBody>(&req, &body)?
        .into_request(actor)
        .map_err(|e| ApiError::from_validation(&e))?;
    let summary = blocking(move || state.sos.calculate(&request, &mut |_| {})).await??;
    Ok(HttpResponse::Ok().json(RunView::from(summary)))
}

/// The answer to finalize.
#[derive(Debug, Serialize, ToSchema)]
pub struct Finalized {
    /// The period.
    pub period: String,
    /// Always true.
    pub finalized: bool,
}

/// Freeze a period: later calculations answer 409.
#[utoipa::path(post, path = "/api/sos/monthly/{period}/finalize", tag = "scores", params(("period" = String, Path, example = "2026-02")),
    responses((status = 200, body = Finalized), BadInput, Guarded),
    security(("bearer" = ["scores:finalize"])))]
pub async fn finalize(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::ScoresFinalize)?.to_owned();
    let p = period(&path)?;
    blocking(move || state.sos.finalize(p, &actor)).await??;
    Ok(HttpResponse::Ok().json(Finalized {
        period: p.to_string(),
        finalized: true,
    }))
}

/// A period's results.
#[utoipa::path(get, path = "/api/sos/monthly/{period}/scores", tag = "scores",
    params(("period" = String, Path, example = "2026-02"), ScoreQuery),
    responses((status = 200, body = ScorePage), BadInput, Guarded),
    security(("bearer" = ["scores:read"])))]
pub async fn period_scores(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ScoreQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::ScoresRead)?;
    let p = period(&path)?;
    let q = query.into_inner();
    let page = page_request(q.page, q.limit)?;
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, m);
    let status = match q.status.as_deref() {
        None => None,
        Some(s @ ("scored" | "insufficient_data" | "recalculated")) => Some(s.to_owned()),
        Some(other) => {
            return Err(bad(format!(
                "status must be scored, insufficient_data or recalculated, got `{other}`"
            )))
        }
    };
    let filter = ScoreFilter {
        tier: q.tier.map(TierName::parse).transpose().map_err(bad)?,
        am_id: q.am_id.map(AmId::new).transpose().map_err(bad)?,
        status,
    };
    let found = blocking(move || state.sos.list_scores(p, &filter, page)).await??;
    Ok(HttpResponse::Ok().json(ScorePage::from(found)))
}

/// Counts per tier and averages per component.
#[utoipa::path(get, path = "/api/sos/monthly/{period}/summary", tag = "scores", params(("period" = String, Path, example = "2026-02")),
    responses((status = 200, body = crate::dto::result_schema::PeriodSummary), BadInput, Guarded),
    security(("bearer" = ["scores:read"])))]
pub async fn period_summary(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::ScoresRead)?;
    let p = period(&path)?;
    let summary: PeriodSummary = blocking(move || state.sos.period_summary(p)).await??;
    Ok(HttpResponse::Ok().json(summary))
}

/// A seller's results, newest first.
#[utoipa::path(get, path = "/api/sos/sellers/{seller_code}/scores", tag = "scores", params(("seller_code" = String, Path)),
    responses((status = 200, body = [ScoreView]), BadInput, Missing, Guarded),
    security(("bearer" = ["scores:read"])))]
pub async fn seller_history(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::ScoresRead)?;
    let raw = path.into_inner();
    let code = seller(&raw)?;
    let rows = blocking(move || state.sos.seller_history(&code))
        .await?
        .map_err(|e| match e {
            QueryError::NotFound => ApiError::not_found(format!("Seller {raw} not found")),
            other => other.into(),
        })?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(ScoreView::from).collect::<Vec<_>>()))
}

/// One result with its explanation.
#[utoipa::path(get, path = "/api/sos/sellers/{seller_code}/scores/{period}", tag = "scores",
    params(("seller_code" = String, Path), ("period" = String, Path, example = "2026-02")),
    responses((status = 200, body = ScoreView), BadInput, Missing, Guarded),
    security(("bearer" = ["scores:read"])))]
pub async fn seller_score(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::ScoresRead)?;
    let (raw, raw_period) = path.into_inner();
    let code = seller(&raw)?;
    let p = period(&raw_period)?;
    let row = blocking(move || state.sos.explain(&code, p))
        .await?
        .map_err(|e| match e {
            QueryError::NotFound => {
                ApiError::not_found(format!("No result for seller {raw} in {p}"))
            }
            other => other.into(),
        })?;
    Ok(HttpResponse::Ok().json(ScoreView::from(row)))
}

/// An AM's KPI row with its sellers.
#[utoipa::path(get, path = "/api/sos/am/{am_id}/scores/{period}", tag = "scores",
    params(("am_id" = i64, Path, minimum = 1), ("period" = String, Path, example = "2026-02")),
    responses((status = 200, body = crate::dto::result_schema::AmScore), BadInput, Missing, Guarded),
    security(("bearer" = ["scores:read"])))]
pub async fn am_score(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::ScoresRead)?;
    let (raw_am, raw_period) = path.into_inner();
    let am = AmId::new(raw_am).map_err(|m| ApiError::new(StatusCode::BAD_REQUEST, m))?;
    let p = period(&raw_period)?;
    let (score, sellers) =
        blocking(move || state.sos.am_score(am, p))
            .await?
            .map_err(|e| match e {
                QueryError::NotFound => {
                    ApiError::not_found(format!("No AM score for account manager {raw_am} in {p}"))
                }
                other => other.into(),
            })?;
    let mut body = serde_json::to_value(&score).map_err(|e| ApiError::internal(&e.into()))?;
    if let serde_json::Value::Object(map) = &mut body {
        let sellers: Vec<ScoreView> = sellers.into_iter().map(ScoreView::from).collect();
        map.insert(
            "sellers".into(),
            serde_json::to_value(sellers).map_err(|e| ApiError::internal(&e.into()))?,
        );
    }
    Ok(HttpResponse::Ok().json(body))
}

/// Calculation runs, newest first, with the config ids they used.
#[utoipa::path(get, path = "/api/sos/runs", tag = "scores", params(RunQuery),
    responses((status = 200, body = [RunView]), BadInput, Guarded),
    security(("bearer" = ["scores:read"])))]
pub async fn runs(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<RunQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::ScoresRead)?;
    let q = query.into_inner();
    let p = q.period.as_deref().map(period).transpose()?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "limit must be between 1 and 500",
        ));
    }
    let list = blocking(move || state.sos.list_runs(p, limit)).await??;
    Ok(HttpResponse::Ok().json(list.into_iter().map(RunView::from).collect::<Vec<_>>()))
}

/// Score the inputs in the body with the config effective for its period; stores nothing.
#[utoipa::path(post, path = "/api/sos/preview", tag = "scores", request_body = PreviewBody,
    responses(
        (status = 200, body = ScoreView),
        (status = 422, body = ErrorBody),
        BadInput, JsonBody, Guarded,
    ),
    security(("bearer" = ["scores:calculate"])))]
pub async fn preview(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::ScoresCalculate)?;
    let inputs = parse_object::<PreviewBody>(&req, &body)?
        .into_inputs()
        .map_err(|e| ApiError::from_validation(&e))?;
    let result = blocking(move || state.sos.preview(&inputs)).await??;
    Ok(HttpResponse::Ok().json(ScoreView::of_result(&result)))
}
