#![doc = include_str!("../README.md")]

pub mod auth;
pub mod body;
pub mod config_schema;
pub mod dto;
pub mod error;
pub mod openapi;
pub mod request_schema;
pub mod responses;
pub mod routes;

use sos_app::Sos;
use sos_ports::{AllPorts, WebhookGateway};
use std::sync::Arc;

/// The ports every handler works with.
pub type Ports = Arc<dyn AllPorts>;

/// What every handler shares.
pub struct AppState {
    /// The use cases.
    pub sos: Sos<Ports>,
    /// The same ports, for authentication.
    pub ports: Ports,
    /// The outbound side of webhooks: the endpoint policy and the address check applied when
    /// a subscription is written. Whoever builds the app supplies it.
    pub webhooks: Arc<dyn WebhookGateway>,
    /// True when the database answers and migrations are applied (`/readyz`).
    pub ready: Arc<dyn Fn() -> bool + Send + Sync>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

impl AppState {
    /// State over `ports`, checking webhook endpoints with `webhooks`; `ready` answers
    /// `/readyz`.
    pub fn new(
        ports: Ports,
        webhooks: Arc<dyn WebhookGateway>,
        ready: Arc<dyn Fn() -> bool + Send + Sync>,
    ) -> Self {
        Self {
            sos: Sos::new(ports.clone()),
            ports,
            webhooks,
            ready,
        }
    }
}

pub use routes::configure;

use actix_web::{
    body::{BodySize, MessageBody},
    dev::{ServiceFactory, ServiceRequest, ServiceResponse},
    http::header::{HeaderName, HeaderValue},
    web, App,
};

/// The header carrying the request id.
pub const REQUEST_ID: &str = "x-request-id";

/// The whole application: routes, request ids, access logs and metrics. The server and the
/// tests build the same thing.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    use actix_web::dev::Service;
    App::new()
        .app_data(state)
        .configure(configure)
        .wrap_fn(|req, srv| {
            let id = req
                .headers()
                .get(REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .filter(|v| !v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_graphic()))
                .map(str::to_owned)
                .unwrap_or_else(new_request_id);
            let method = req.method().clone();
            let path = req.path().to_owned();
            let started = std::time::Instant::now();
            let fut = srv.call(req);
            async move {
                // Errors raised outside the handlers' own `ApiError`s (reading the body past
                // its limit, Swagger UI's bare 404 for a file it does not have) get the API's
                // JSON error body too.
                let res = fut.await?.map_into_left_body();
                let foreign = res.response().error().is_some_and(|e| e.as_error::<error::ApiError>().is_none());
                let bare = res.status().as_u16() >= 400
                    && matches!(res.response().body().size(), BodySize::None | BodySize::Sized(0));
                let mut res = match res {
                    res if foreign || bare => {
                        let sentence = if res.status() == actix_web::http::StatusCode::NOT_FOUND {
                            format!("No route for {path}")
                        } else {
                            error::foreign_error_sentence(res.status())
                        };
                        let body = error::ApiError::new(res.status(), sentence);
                        let (req, _) = res.into_parts();
                        ServiceResponse::new(req, actix_web::ResponseError::error_response(&body)).map_into_right_body()
                    }
                    res => res,
                };
                let status = res.status().as_u16();
                routes::ops::count_response(status);
                // Method, path, status and time only: never headers, bodies or query strings.
                tracing::info!(%method, %path, status, elapsed_ms = started.elapsed().as_millis() as u64, request_id = %id, "request");
                if let Ok(value) = HeaderValue::from_str(&id) {
                    res.headers_mut().insert(HeaderName::from_static(REQUEST_ID), value);
                }
                Ok(res)
            }
        })
}

fn new_request_id() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::getrandom(&mut bytes).is_err() {
        return "unknown".to_owned();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
