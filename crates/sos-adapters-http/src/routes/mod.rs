//! Route registration, shared handler helpers and the fallbacks (404, 405).

pub mod config;
pub mod keys;
pub mod master;
pub mod ops;
pub mod scores;
pub mod sync;

use crate::{error::ApiError, openapi::ApiDoc};
use actix_web::{
    http::{header, StatusCode},
    web, HttpRequest, HttpResponse,
};
use sos_ports::PageRequest;
use std::sync::OnceLock;
use utoipa::OpenApi;

/// Runs blocking work (diesel, the scoring) off the async workers.
///
/// # Errors
/// 500 when the worker panicked or the pool is gone.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    web::block(f)
        .await
        .map_err(|e| ApiError::internal(&anyhow::anyhow!("blocking worker failed: {e}")))
}

/// Validates paging: page from 1, limit 1-500, default 20.
///
/// # Errors
/// 400 naming the bad parameter.
pub(crate) fn page_request(page: Option<u32>, limit: Option<u32>) -> Result<PageRequest, ApiError> {
    let page = page.unwrap_or(1);
    let limit = limit.unwrap_or(20);
    if page == 0 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "page must be 1 or more",
        ));
    }
    if !(1..=500).contains(&limit) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "limit must be between 1 and 500",
        ));
    }
    Ok(PageRequest { page, limit })
}

/// Checks free text that arrives in a query string or path and reaches storage as is (search
/// terms, audit filters, key names): PostgreSQL refuses NUL in text, so control characters are
/// a 400 here rather than a 500 there.
///
/// # Errors
/// 400 naming the parameter.
pub(crate) fn text_param(name: &str, value: &str) -> Result<(), ApiError> {
    if value.chars().any(char::is_control) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("{name} must not contain control characters"),
        ));
    }
    Ok(())
}

/// Every documented path template and its methods, from the OpenAPI document.
fn route_table() -> &'static Vec<(Vec<String>, Vec<&'static str>)> {
    static TABLE: OnceLock<Vec<(Vec<String>, Vec<&'static str>)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let doc = ApiDoc::openapi();
        doc.paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path
                    .trim_matches('/')
                    .split('/')
                    .map(str::to_owned)
                    .collect();
                let mut methods = Vec::new();
                for (name, present) in [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("PATCH", item.patch.is_some()),
                ] {
                    if present {
                        methods.push(name);
                    }
                }
                (segments, methods)
            })
            .collect()
    })
}

/// The methods the API has for `path`, if it knows the path at all.
fn allowed_methods(path: &str) -> Option<Vec<&'static str>> {
    // Only the leading slash goes: `/api/sellers/` is not `/api/sellers` (actix does not route
    // it there), so it must not answer 405 "use GET" to a GET.
    let parts: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
    let mut found: Option<Vec<&'static str>> = None;
    for (template, methods) in route_table() {
        let matches = template.len() == parts.len()
            && template
                .iter()
                .zip(&parts)
                .all(|(t, p)| (t.starts_with('{') && !p.is_empty()) || t == p);
        if matches {
            let list = found.get_or_insert_with(Vec::new);
            for m in methods {
                if !list.contains(m) {
                    list.push(m);
                }
            }
        }
    }
    found
}

/// Unknown paths get a JSON 404; known paths with another method get 405 with `Allow`.
async fn fallback(req: HttpRequest) -> HttpResponse {
    use actix_web::ResponseError;
    let error = match allowed_methods(req.path()) {
        Some(methods) => ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!(
                "{} is not allowed here; use {}",
                req.method(),
                methods.join(", ")
            ),
        )
        .with_header("Allow", methods.join(", ")),
        None => ApiError::not_found(format!("No route for {}", req.path())),
    };
    error.error_response()
}

/// Bad query strings and path segments answer 400 in the API's error shape.
fn extractor_error(message: String) -> actix_web::Error {
    ApiError::new(StatusCode::BAD_REQUEST, message).into()
}

/// Registers every route, the Swagger UI and the fallbacks.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::QueryConfig::default()
            .error_handler(|e, _| extractor_error(format!("Invalid query string: {e}"))),
    )
    .app_data(
        web::PathConfig::default()
            .error_handler(|e, _| extractor_error(format!("Invalid path: {e}"))),
    )
    .app_data(web::PayloadConfig::new(crate::body::MAX_ARRAY_BYTES + 1))
    .service(sync::sync_orders)
    .service(sync::sync_forecasts)
    .service(sync::sync_campaign_actuals)
    .service(sync::sync_tickets)
    .service(sync::sync_payments)
    .service(sync::sync_inventory)
    .service(sync::sync_revenue)
    .service(config::list_config)
    .service(config::get_config)
    .service(config::create_config)
    .service(config::update_config)
    .service(config::delete_config)
    .service(master::list_sellers)
    .service(master::create_seller)
    .service(master::get_seller)
    .service(master::update_seller)
    .service(master::deactivate_seller)
    .service(master::list_campaigns)
    .service(master::create_campaign)
    .service(master::get_campaign)
    .service(master::update_campaign)
    .service(master::deactivate_campaign)
    .service(master::list_ams)
    .service(master::create_am)
    .service(master::get_am)
    .service(master::update_am)
    .service(master::deactivate_am)
    .service(scores::calculate)
    .service(scores::finalize)
    .service(scores::period_scores)
    .service(scores::period_summary)
    .service(scores::seller_history)
    .service(scores::seller_score)
    .service(scores::am_score)
    .service(scores::runs)
    .service(scores::preview)
    .service(keys::list_keys)
    .service(keys::create_key)
    .service(keys::revoke_key)
    .service(keys::audit)
    .service(ops::healthz)
    .service(ops::readyz)
    .service(ops::metrics)
    .service(ops::openapi_json)
    .route(
        "/docs",
        web::get().to(|| async {
            HttpResponse::PermanentRedirect()
                .insert_header((header::LOCATION, "/docs/"))
                .finish()
        }),
    )
    // No validator badge: by default Swagger UI loads it from validator.swagger.io, sending
    // it the document's URL. The page must not reach any outside host.
    .service(
        utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}")
            .config(utoipa_swagger_ui::Config::from("/openapi.json").validator_url("none")),
    )
    .default_service(web::to(fallback));
}
