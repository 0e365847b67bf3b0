//! Generic CRUD for the 12 config types: one implementation serves every type.

use crate::{
    auth::Caller,
    body::parse_json,
    dto::config::ConfigQuery,
    error::{ApiError, ErrorBody},
    responses::{BadInput, Guarded, JsonBody, Missing},
    routes::blocking,
    AppState,
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use serde_json::Value;
use sos_app::ConfigError;
use sos_domain::config::{select_rows, ConfigId, ConfigRecord, ConfigType};
use sos_ports::Scope;

fn config_type(raw: &str) -> Result<ConfigType, ApiError> {
    raw.parse::<ConfigType>()
        .map_err(|e| ApiError::not_found(crate::error::capitalize(&e.to_string())))
}

fn not_found(t: ConfigType, id: i64) -> impl Fn(ConfigError) -> ApiError {
    move |e| match e {
        ConfigError::NotFound => ApiError::not_found(format!("No {} row with id {id}", t.as_str())),
        other => other.into(),
    }
}

fn rows(list: &[ConfigRecord]) -> Value {
    Value::Array(list.iter().map(ConfigRecord::to_json).collect())
}

fn object_body(req: &HttpRequest, body: &[u8]) -> Result<Value, ApiError> {
    let value = parse_json(req, body)?;
    if value.is_object() {
        Ok(value)
    } else {
        Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "Request body must be a JSON object",
        ))
    }
}

/// Active rows of a type.
#[utoipa::path(get, path = "/api/config/{config_type}", tag = "config",
    params(("config_type" = String, Path, description = "One of the 12 config types"), ConfigQuery),
    responses(
        (status = 200, description = "Rows: the type's fields plus id, is_active, effective dates, created/updated at/by", body = [Object]),
        (status = 404, description = "Unknown config type", body = ErrorBody),
        BadInput, Guarded,
    ),
    security(("bearer" = ["config:read"])))]
pub async fn list_config(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ConfigQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::ConfigRead)?;
    let t = config_type(&path)?;
    let q = query.into_inner();
    let include_inactive = q.include_inactive.unwrap_or(false);
    let list = blocking(move || -> Result<Vec<ConfigRecord>, ConfigError> {
        match q.effective_on {
            // The rows a calculation on that day would use, by each type's rule.
            Some(date) => {
                let all = state.sos.list_config(t, true, None)?;
                Ok(select_rows(&all, t, date).into_iter().cloned().collect())
            }
            None => state.sos.list_config(t, include_inactive, None),
        }
    })
    .await??;
    Ok(HttpResponse::Ok().json(rows(&list)))
}

/// One row, active or not.
#[utoipa::path(get, path = "/api/config/{config_type}/{id}", tag = "config",
    params(("config_type" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = Object), BadInput, Missing, Guarded),
    security(("bearer" = ["config:read"])))]
pub async fn get_config(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::ConfigRead)?;
    let (raw, id) = path.into_inner();
    let t = config_type(&raw)?;
    let row = blocking(move || state.sos.get_config(t, ConfigId(id)))
        .await?
        .map_err(not_found(t, id))?;
    Ok(HttpResponse::Ok().json(row.to_json()))
}

/// Create a row (validated per type; unknown fields are refused).
#[utoipa::path(post, path = "/api/config/{config_type}", tag = "config",
    params(("config_type" = String, Path)),
    request_body(content = Object, description = "The type's fields, e.g. score-weights: {\"score_component\": \"p_score\", \"weight_pct\": 25, \"max_points\": 100, \"effective_from\": \"2026-01-01\"}"),
    responses((status = 201, body = Object), BadInput, JsonBody, Missing, Guarded),
    security(("bearer" = ["config:write"])))]
pub async fn create_config(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::ConfigWrite)?.to_owned();
    let t = config_type(&path)?;
    let value = object_body(&req, &body)?;
    let row = blocking(move || state.sos.create_config(t, &value, &actor)).await??;
    Ok(HttpResponse::Created().json(row.to_json()))
}

/// Replace a row (the full row).
#[utoipa::path(put, path = "/api/config/{config_type}/{id}", tag = "config",
    params(("config_type" = String, Path), ("id" = i64, Path)),
    request_body(content = Object, description = "The type's fields, as for create"),
    responses((status = 200, body = Object), BadInput, JsonBody, Missing, Guarded),
    security(("bearer" = ["config:write"])))]
pub async fn update_config(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::ConfigWrite)?.to_owned();
    let (raw, id) = path.into_inner();
    let t = config_type(&raw)?;
    let value = object_body(&req, &body)?;
    let row = blocking(move || state.sos.update_config(t, ConfigId(id), &value, &actor))
        .await?
        .map_err(not_found(t, id))?;
    Ok(HttpResponse::Ok().json(row.to_json()))
}

/// Soft-delete a row (`is_active = false`).
#[utoipa::path(delete, path = "/api/config/{config_type}/{id}", tag = "config",
    params(("config_type" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = Object), BadInput, Missing, Guarded),
    security(("bearer" = ["config:write"])))]
pub async fn delete_config(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let actor = caller.require(Scope::ConfigWrite)?.to_owned();
    let (raw, id) = path.into_inner();
    let t = config_type(&raw)?;
    let row = blocking(move || state.sos.deactivate_config(t, ConfigId(id), &actor))
        .await?
        .map_err(not_found(t, id))?;
    Ok(HttpResponse::Ok().json(row.to_json()))
}
