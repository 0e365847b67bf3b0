//! API key management and the audit log.

use crate::{
    auth::{generate_key, store_key, Caller},
    body::parse_object,
    error::{ApiError, ErrorBody},
    responses::{BadInput, Guarded, JsonBody, Missing},
    routes::blocking,
    AppState,
};
use actix_web::{http::StatusCode, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sos_ports::{ApiKeyRecord, ApiKeyStore, AuditEntry, Scope, StoreError};
use utoipa::{IntoParams, ToSchema};

/// A key as listed: never its secret or hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyView {
    /// Unique name.
    pub name: String,
    /// Public lookup id.
    pub prefix: String,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last used (to the minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// Revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiKeyRecord> for KeyView {
    fn from(k: ApiKeyRecord) -> Self {
        Self {
            name: k.name,
            prefix: k.prefix,
            scopes: k.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            created_at: k.created_at,
            last_used_at: k.last_used_at,
            revoked_at: k.revoked_at,
        }
    }
}

/// `POST /api/keys`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "oms-prod", "scopes": ["sync:write"]}))]
pub struct NewKey {
    /// Unique name (1-64 characters).
    pub name: String,
    /// Scopes: sync:write, config:read, config:write, master:read, master:write, scores:read,
    /// scores:calculate, scores:finalize, scores:override, appeals:file, appeals:review_ops,
    /// appeals:review_am, webhooks:manage, enforcement:read, enforcement:write, admin.
    pub scopes: Vec<String>,
}

impl NewKey {
    /// The name and the scopes, each scope once.
    ///
    /// # Errors
    /// Every broken rule, by field.
    pub fn into_parts(self) -> Result<(String, Vec<Scope>), sos_domain::ValidationErrors> {
        let mut errors = sos_domain::ValidationErrors::new();
        sos_domain::text::check_text(&mut errors, "name", &self.name, 64, true);
        // A name is one line: `DELETE /api/keys/{name}` refuses control characters in the
        // path, so a key named with a tab or a line break could never be revoked over the API.
        if self.name.contains(['\t', '\n', '\r']) {
            errors.push("name", "must be one line (no tab or line break)");
        }
        let mut scopes = Vec::new();
        for (i, s) in self.scopes.iter().enumerate() {
            match s.parse::<Scope>() {
                Ok(scope) if !scopes.contains(&scope) => scopes.push(scope),
                Ok(_) => errors.push(format!("scopes[{i}]"), format!("{s} is listed twice")),
                Err(m) => errors.push(format!("scopes[{i}]"), m),
            }
        }
        if scopes.is_empty() && errors.is_empty() {
            errors.push("scopes", "must list at least one scope");
        }
        if errors.is_empty() {
            Ok((self.name, scopes))
        } else {
            Err(errors)
        }
    }
}

/// A new key: the only time its secret is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedKey {
    /// The key to send as `Authorization: Bearer <key>`. Store it now: it is not shown again.
    pub key: String,
    /// The stored key.
    #[serde(flatten)]
    pub info: KeyView,
}

fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::not_found("No API key with that name"),
        StoreError::Conflict(m) => {
            ApiError::new(StatusCode::CONFLICT, crate::error::capitalize(&m))
        }
        StoreError::Unavailable(m) => ApiError::unavailable(&m),
        StoreError::Unknown(e) => ApiError::internal(&e),
    }
}

/// List API keys.
#[utoipa::path(get, path = "/api/keys", tag = "admin",
    responses((status = 200, body = [KeyView]), Guarded),
    security(("bearer" = ["admin"])))]
pub async fn list_keys(
    caller: Caller,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Admin)?;
    let keys = blocking(move || state.ports.list_keys())
        .await?
        .map_err(store_error)?;
    Ok(HttpResponse::Ok().json(keys.into_iter().map(KeyView::from).collect::<Vec<_>>()))
}

/// Create an API key; the answer holds the key, shown once.
#[utoipa::path(post, path = "/api/keys", tag = "admin", request_body = NewKey,
    responses(
        (status = 201, body = CreatedKey),
        (status = 409, body = ErrorBody),
        BadInput, JsonBody, Guarded,
    ),
    security(("bearer" = ["admin"])))]
pub async fn create_key(
    caller: Caller,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Admin)?;
    let (name, scopes) = parse_object::<NewKey>(&req, &body)?
        .into_parts()
        .map_err(|e| ApiError::from_validation(&e))?;
    let key = generate_key().map_err(|e| ApiError::internal(&e))?;
    let secret = key.clone();
    let record = blocking(move || store_key(&*state.ports, &name, &secret, &scopes))
        .await?
        .map_err(store_error)?;
    Ok(HttpResponse::Created().json(CreatedKey {
        key,
        info: record.into(),
    }))
}

/// Revoke a key; it stops working at once. A key cannot revoke itself (use another admin key),
/// so a call cannot lock the API out of its last administrator.
#[utoipa::path(delete, path = "/api/keys/{name}", tag = "admin", params(("name" = String, Path)),
    responses(
        (status = 200, body = KeyView),
        (status = 409, description = "The key named is the key making the request", body = ErrorBody),
        BadInput, Missing, Guarded,
    ),
    security(("bearer" = ["admin"])))]
pub async fn revoke_key(
    caller: Caller,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Scope::Admin)?;
    let name = path.into_inner();
    crate::routes::text_param("name", &name)?;
    if name == caller.name() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "An API key cannot revoke itself; revoke it with another admin key",
        ));
    }
    let record = blocking(move || state.ports.revoke_key(&name))
        .await?
        .map_err(store_error)?;
    Ok(HttpResponse::Ok().json(KeyView::from(record)))
}

/// Filters of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// `seller`, `campaign`, `account_manager`, `config:<type>`, `enforcement` (a seller's
    /// blocks and unblocks, by seller code), ...
    pub entity: Option<String>,
    /// The entity's id or code.
    pub id: Option<String>,
    /// Most entries, 1-1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// One audit entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditView {
    /// Entry id.
    pub id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// The API key name.
    pub actor: String,
    /// What kind of thing changed.
    pub entity: String,
    /// Which one.
    pub entity_id: String,
    /// `create`, `update` or `deactivate`.
    pub action: String,
    /// Before (secrets masked).
    #[schema(value_type = Option<Object>)]
    pub old_value: Option<serde_json::Value>,
    /// After (secrets masked).
    #[schema(value_type = Option<Object>)]
    pub new_value: Option<serde_json::Value>,
}

impl From<AuditEntry> for AuditView {
    fn from(e: AuditEntry) -> Self {
        Self {
            id: e.id,
            at: e.at,
            actor: e.actor,
            entity: e.entity,
            entity_id: e.entity_id,
            action: e.action,
            old_value: e.old_value,
            new_value: e.new_value,
        }
    }
}

/// Who changed what, newest first.
#[utoipa::path(get, path = "/api/audit", tag = "admin", params(AuditQuery),
    responses((status = 200, body = [AuditView]), BadInput, Guarded),
    security(("bearer" = ["admin"]), ("bearer" = ["config:read"])))]
pub async fn audit(
    caller: Caller,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require_any(&[Scope::Admin, Scope::ConfigRead])?;
    let q = query.into_inner();
    crate::routes::text_param("entity", q.entity.as_deref().unwrap_or(""))?;
    crate::routes::text_param("id", q.id.as_deref().unwrap_or(""))?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "limit must be between 1 and 1000",
        ));
    }
    let entries = blocking(move || state.sos.audit_log(q.entity, q.id, limit)).await??;
    Ok(HttpResponse::Ok().json(entries.into_iter().map(AuditView::from).collect::<Vec<_>>()))
}
