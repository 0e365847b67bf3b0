//! Route registration, shared handler helpers and the fallbacks (404, 405).

pub mod config;
pub mod enforcement;
pub mod keys;
pub mod master;
pub mod ops;
pub mod overrides;
pub mod scores;
pub mod sync;
pub mod webhooks;

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
/// A row id from the path: 1 or more.
pub(crate) fn path_id(raw: i64) -> Result<i64, ApiError> {
    if raw < 1 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "id must be 1 or more",
        ));
    }
    Ok(raw)
}

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

/// One operation of the API as it is served: method, path template (actix's syntax, which is
/// also OpenAPI's for these paths) and handler. [`OPERATIONS`] lists them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path template, e.g. `/api/sellers/{seller_code}`.
    pub path: &'static str,
    /// The handler, `module::function` under `routes`.
    pub handler: &'static str,
}

/// The one list of operations. From it come the routes `configure` registers, [`OPERATIONS`]
/// and the `paths(...)` of [`OperationsDoc`], which the OpenAPI document is built from; so a
/// handler cannot be served without its `#[utoipa::path]`, and a test compares the two.
macro_rules! operations {
    ($($method:ident $path:literal => $module:ident :: $handler:ident,)*) => {
        /// Every operation served, in registration order.
        pub const OPERATIONS: &[Operation] = &[$(Operation {
            method: stringify!($method),
            path: $path,
            handler: concat!(stringify!($module), "::", stringify!($handler)),
        },)*];

        fn register_operations(cfg: &mut web::ServiceConfig) {
            $(cfg.route($path, web::method(actix_web::http::Method::$method).to($module::$handler));)*
        }

        /// The documented side of [`OPERATIONS`]: each handler's `#[utoipa::path]`.
        #[derive(Debug, utoipa::OpenApi)]
        #[openapi(paths($($module::$handler),*))]
        pub struct OperationsDoc;
    };
}

operations! {
        POST "/api/sync/orders" => sync::sync_orders,
        POST "/api/sync/forecasts" => sync::sync_forecasts,
        POST "/api/sync/campaign-actuals" => sync::sync_campaign_actuals,
        POST "/api/sync/tickets" => sync::sync_tickets,
        POST "/api/sync/payments" => sync::sync_payments,
        POST "/api/sync/inventory" => sync::sync_inventory,
        POST "/api/sync/revenue" => sync::sync_revenue,
        GET "/api/config/{config_type}" => config::list_config,
        GET "/api/config/{config_type}/{id}" => config::get_config,
        POST "/api/config/{config_type}" => config::create_config,
        PUT "/api/config/{config_type}/{id}" => config::update_config,
        DELETE "/api/config/{config_type}/{id}" => config::delete_config,
        GET "/api/sellers" => master::list_sellers,
        POST "/api/sellers" => master::create_seller,
        GET "/api/sellers/{seller_code}" => master::get_seller,
        PUT "/api/sellers/{seller_code}" => master::update_seller,
        DELETE "/api/sellers/{seller_code}" => master::deactivate_seller,
        GET "/api/sellers/{seller_code}/enforcement" => enforcement::get_enforcement,
        POST "/api/sellers/{seller_code}/unblock" => enforcement::unblock_seller,
        GET "/api/campaigns" => master::list_campaigns,
        POST "/api/campaigns" => master::create_campaign,
        GET "/api/campaigns/{campaign_code}" => master::get_campaign,
        PUT "/api/campaigns/{campaign_code}" => master::update_campaign,
        DELETE "/api/campaigns/{campaign_code}" => master::deactivate_campaign,
        GET "/api/account-managers" => master::list_ams,
        POST "/api/account-managers" => master::create_am,
        GET "/api/account-managers/{am_id}" => master::get_am,
        PUT "/api/account-managers/{am_id}" => master::update_am,
        DELETE "/api/account-managers/{am_id}" => master::deactivate_am,
        POST "/api/sos/monthly/calculate" => scores::calculate,
        POST "/api/sos/monthly/{period}/finalize" => scores::finalize,
        GET "/api/sos/monthly/{period}/scores" => scores::period_scores,
        GET "/api/sos/monthly/{period}/summary" => scores::period_summary,
        GET "/api/sos/sellers/{seller_code}/scores" => scores::seller_history,
        GET "/api/sos/sellers/{seller_code}/scores/{period}" => scores::seller_score,
        GET "/api/sos/am/{am_id}/scores/{period}" => scores::am_score,
        GET "/api/sos/runs" => scores::runs,
        POST "/api/sos/preview" => scores::preview,
        POST "/api/sos/exceptions" => overrides::create_exception,
        GET "/api/sos/exceptions" => overrides::list_exceptions,
        GET "/api/sos/exceptions/{id}" => overrides::get_exception,
        DELETE "/api/sos/exceptions/{id}" => overrides::revoke_exception,
        POST "/api/sos/appeals" => overrides::file_appeal,
        GET "/api/sos/appeals" => overrides::list_appeals,
        GET "/api/sos/appeals/{id}" => overrides::get_appeal,
        POST "/api/sos/appeals/{id}/review-ops" => overrides::review_appeal_ops,
        POST "/api/sos/appeals/{id}/review-am" => overrides::review_appeal_am,
        GET "/api/keys" => keys::list_keys,
        POST "/api/keys" => keys::create_key,
        DELETE "/api/keys/{name}" => keys::revoke_key,
        GET "/api/audit" => keys::audit,
        POST "/api/webhooks" => webhooks::create_webhook,
        GET "/api/webhooks" => webhooks::list_webhooks,
        GET "/api/webhooks/{id}" => webhooks::get_webhook,
        PATCH "/api/webhooks/{id}" => webhooks::update_webhook,
        DELETE "/api/webhooks/{id}" => webhooks::delete_webhook,
        POST "/api/webhooks/{id}/rotate-secret" => webhooks::rotate_webhook_secret,
        GET "/api/webhooks/{id}/deliveries" => webhooks::list_webhook_deliveries,
        POST "/api/webhooks/{id}/replay" => webhooks::replay_webhook_since,
        POST "/api/webhooks/deliveries/{id}/replay" => webhooks::replay_webhook_delivery,
        GET "/healthz" => ops::healthz,
        GET "/readyz" => ops::readyz,
        GET "/metrics" => ops::metrics,
        GET "/openapi.json" => ops::openapi_json,
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
    .configure(register_operations)
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
