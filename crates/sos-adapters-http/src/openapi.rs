//! The OpenAPI document, generated from the handlers' `#[utoipa::path]` attributes.

use crate::{dto, error, routes};
use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi,
};

/// Declares the bearer scheme every `/api` operation uses.
#[derive(Debug)]
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .bearer_format("sos_<id>_<secret>")
                        .description(Some(
                            "An API key: `Authorization: Bearer <key>`. Each operation lists the scope it needs; `admin` implies all.",
                        ))
                        .build(),
                ),
            );
        }
    }
}

/// The SOS HTTP API.
#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "SOS: Seller Operations Score",
        description = "Sync seller data from the order, warehouse, helpdesk and accounting systems, configure the scoring, calculate monthly scores and explain them.",
        version = "0.1.0"
    ),
    paths(
        routes::sync::sync_orders, routes::sync::sync_forecasts, routes::sync::sync_campaign_actuals,
        routes::sync::sync_tickets, routes::sync::sync_payments, routes::sync::sync_inventory, routes::sync::sync_revenue,
        routes::config::list_config, routes::config::get_config, routes::config::create_config,
        routes::config::update_config, routes::config::delete_config,
        routes::master::list_sellers, routes::master::create_seller, routes::master::get_seller,
        routes::master::update_seller, routes::master::deactivate_seller,
        routes::master::list_campaigns, routes::master::create_campaign, routes::master::get_campaign,
        routes::master::update_campaign, routes::master::deactivate_campaign,
        routes::master::list_ams, routes::master::create_am, routes::master::get_am,
        routes::master::update_am, routes::master::deactivate_am,
        routes::scores::calculate, routes::scores::finalize, routes::scores::period_scores,
        routes::scores::period_summary, routes::scores::seller_history, routes::scores::seller_score,
        routes::scores::am_score, routes::scores::runs, routes::scores::preview,
        routes::keys::list_keys, routes::keys::create_key, routes::keys::revoke_key, routes::keys::audit,
        routes::ops::healthz, routes::ops::readyz, routes::ops::metrics, routes::ops::openapi_json,
    ),
    components(schemas(
        error::ErrorBody, error::ErrorDetail, routes::sync::SyncAccepted,
        dto::sync::RawOrderSync, dto::sync::RawOrderItem,
    )),
    modifiers(&BearerScheme),
    tags(
        (name = "sync", description = "Idempotent upserts from the OMS, WMS, helpdesk and accounting"),
        (name = "config", description = "The 12 config types, one generic CRUD"),
        (name = "master-data", description = "Sellers, campaigns, account managers"),
        (name = "scores", description = "Calculate, finalize, read and explain scores"),
        (name = "admin", description = "API keys and the audit log"),
        (name = "operations", description = "Health, readiness, metrics, this document"),
    )
)]
pub struct ApiDoc;

/// The document as pretty JSON, as committed in `openapi/openapi.json`.
pub fn document_json() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}
