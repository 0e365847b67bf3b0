//! API keys: how they look, how they are checked, and the [`Caller`] extractor.
//!
//! A key is `sos_<8 hex id>_<64 hex secret>`: 256 random bits of secret plus a public id used
//! to find the stored row. Only SHA-256 of the whole key is stored. A fast hash is enough
//! because the secret has full entropy (no dictionary to try); the stored hash is compared in
//! constant time.

use crate::{error::ApiError, AppState};
use actix_web::{dev::Payload, http::StatusCode, web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use sha2::{Digest, Sha256};
use sos_ports::{ApiKeyRecord, ApiKeyStore, Clock, Scope};

/// The `WWW-Authenticate` challenge sent with every 401.
pub const CHALLENGE: &str = "Bearer realm=\"sos\"";

/// A new random key.
///
/// # Errors
/// When the operating system has no randomness to give.
pub fn generate_key() -> Result<String, anyhow::Error> {
    let mut id = [0u8; 4];
    let mut secret = [0u8; 32];
    getrandom::getrandom(&mut id).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    getrandom::getrandom(&mut secret).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(format!("sos_{}_{}", hex(&id), hex(&secret)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of the key, hex.
pub fn hash_key(key: &str) -> String {
    hex(&Sha256::digest(key.as_bytes()))
}

/// The public lookup id of a key: the id part of `sos_<id>_...`, or, for keys of another shape
/// (an operator-chosen `SOS_ADMIN_KEY`), a prefix of its hash.
pub fn key_prefix(key: &str) -> String {
    let parts: Vec<&str> = key.splitn(3, '_').collect();
    match parts.as_slice() {
        ["sos", id, _] if id.len() == 8 && id.chars().all(|c| c.is_ascii_hexdigit()) => {
            (*id).to_owned()
        }
        _ => format!("h{}", &hash_key(key)[..8]),
    }
}

/// Equal in constant time for equal lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Checks a presented key against its stored row.
pub fn verify(record: &ApiKeyRecord, presented: &str) -> bool {
    record.revoked_at.is_none()
        && constant_time_eq(record.key_hash.as_bytes(), hash_key(presented).as_bytes())
}

/// Stores a key (hashed) under `name`.
///
/// # Errors
/// A taken name, or storage errors.
pub fn store_key<S: ApiKeyStore + ?Sized>(
    store: &S,
    name: &str,
    key: &str,
    scopes: &[Scope],
) -> Result<ApiKeyRecord, sos_ports::StoreError> {
    store.create_key(name, &key_prefix(key), &hash_key(key), scopes)
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    name: String,
    scopes: Vec<Scope>,
}

impl Caller {
    /// A caller, for tests and internal use.
    pub fn new(name: impl Into<String>, scopes: Vec<Scope>) -> Self {
        Self {
            name: name.into(),
            scopes,
        }
    }

    /// The key's name: recorded as `created_by`/`updated_by` and in the audit log.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Passes when the key holds `scope` (or `admin`).
    ///
    /// # Errors
    /// 403 naming the missing scope.
    pub fn require(&self, scope: Scope) -> Result<&str, ApiError> {
        if scope.granted_by(&self.scopes) {
            Ok(&self.name)
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                format!("This API key lacks the scope {scope}"),
            ))
        }
    }

    /// Passes when the key holds any of `scopes`.
    ///
    /// # Errors
    /// 403 naming the scopes.
    pub fn require_any(&self, scopes: &[Scope]) -> Result<&str, ApiError> {
        if scopes.iter().any(|s| s.granted_by(&self.scopes)) {
            Ok(&self.name)
        } else {
            let names: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                format!("This API key lacks the scope {}", names.join(" or ")),
            ))
        }
    }
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, message).with_header("WWW-Authenticate", CHALLENGE)
}

/// How often `last_used_at` is written for a busy key, so authentication adds no write per
/// request.
const TOUCH_EVERY_SECONDS: i64 = 60;

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Caller, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::internal(&anyhow::anyhow!("app state missing")))?;
            let header = header.ok_or_else(|| {
                unauthorized("Missing credentials: send Authorization: Bearer <API key>")
            })?;
            let key = header
                .strip_prefix("Bearer ")
                .map(str::trim)
                .filter(|k| !k.is_empty() && k.len() <= 256)
                .ok_or_else(|| unauthorized("Authorization must be: Bearer <API key>"))?
                .to_owned();
            let ports = state.ports.clone();
            let found = web::block(move || -> Result<Option<Caller>, sos_ports::StoreError> {
                let Some(record) = ports.find_key_by_prefix(&key_prefix(&key))? else {
                    return Ok(None);
                };
                if !verify(&record, &key) {
                    return Ok(None);
                }
                let now = ports.now();
                let stale = record
                    .last_used_at
                    .is_none_or(|t| (now - t).num_seconds() >= TOUCH_EVERY_SECONDS);
                if stale {
                    ports.touch_key(record.id, now)?;
                }
                Ok(Some(Caller::new(record.name, record.scopes)))
            })
            .await
            .map_err(|e| ApiError::internal(&anyhow::anyhow!("auth worker failed: {e}")))?
            .map_err(|e| match e {
                sos_ports::StoreError::Unavailable(m) => ApiError::unavailable(&m),
                other => ApiError::internal(&anyhow::Error::new(other)),
            })?;
            found.ok_or_else(|| unauthorized("Invalid or revoked API key"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_have_prefix_and_256_bit_secret() {
        let k = generate_key().unwrap();
        assert!(k.starts_with("sos_"));
        let parts: Vec<_> = k.split('_').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[2].len(), 64);
        assert_eq!(key_prefix(&k), parts[1]);
        assert_ne!(generate_key().unwrap(), k);
    }

    #[test]
    fn foreign_keys_get_a_hash_prefix() {
        assert_eq!(
            key_prefix("my-admin-secret"),
            format!("h{}", &hash_key("my-admin-secret")[..8])
        );
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
