//! API keys and the audit log.

use crate::errors::StoreError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// What an API key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Scope {
    /// Push data through `/api/sync/*`.
    #[serde(rename = "sync:write")]
    SyncWrite,
    /// Read config.
    #[serde(rename = "config:read")]
    ConfigRead,
    /// Write config.
    #[serde(rename = "config:write")]
    ConfigWrite,
    /// Read sellers, campaigns and AMs.
    #[serde(rename = "master:read")]
    MasterRead,
    /// Write sellers, campaigns and AMs.
    #[serde(rename = "master:write")]
    MasterWrite,
    /// Read scores.
    #[serde(rename = "scores:read")]
    ScoresRead,
    /// Run calculations and previews.
    #[serde(rename = "scores:calculate")]
    ScoresCalculate,
    /// Finalize periods.
    #[serde(rename = "scores:finalize")]
    ScoresFinalize,
    /// File appeals.
    #[serde(rename = "appeals:file")]
    AppealsFile,
    /// Decide appeals at the ops level.
    #[serde(rename = "appeals:review_ops")]
    AppealsReviewOps,
    /// Decide appeals at the AM level.
    #[serde(rename = "appeals:review_am")]
    AppealsReviewAm,
    /// Create and revoke score exceptions.
    #[serde(rename = "scores:override")]
    ScoresOverride,
    /// Manage webhook subscriptions, their secrets, deliveries and replays.
    #[serde(rename = "webhooks:manage")]
    WebhooksManage,
    /// Read whether a seller's orders are blocked (the OMS; `sync:write` may too).
    #[serde(rename = "enforcement:read")]
    EnforcementRead,
    /// Unblock a seller's orders by hand.
    #[serde(rename = "enforcement:write")]
    EnforcementWrite,
    /// Manage keys; implies every other scope.
    #[serde(rename = "admin")]
    Admin,
}

impl Scope {
    /// Every scope.
    pub const ALL: [Scope; 16] = [
        Scope::SyncWrite,
        Scope::ConfigRead,
        Scope::ConfigWrite,
        Scope::MasterRead,
        Scope::MasterWrite,
        Scope::ScoresRead,
        Scope::ScoresCalculate,
        Scope::ScoresFinalize,
        Scope::ScoresOverride,
        Scope::AppealsFile,
        Scope::AppealsReviewOps,
        Scope::AppealsReviewAm,
        Scope::WebhooksManage,
        Scope::EnforcementRead,
        Scope::EnforcementWrite,
        Scope::Admin,
    ];

    /// The wire name (`sync:write`).
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::SyncWrite => "sync:write",
            Scope::ConfigRead => "config:read",
            Scope::ConfigWrite => "config:write",
            Scope::MasterRead => "master:read",
            Scope::MasterWrite => "master:write",
            Scope::ScoresRead => "scores:read",
            Scope::ScoresCalculate => "scores:calculate",
            Scope::ScoresFinalize => "scores:finalize",
            Scope::ScoresOverride => "scores:override",
            Scope::AppealsFile => "appeals:file",
            Scope::AppealsReviewOps => "appeals:review_ops",
            Scope::AppealsReviewAm => "appeals:review_am",
            Scope::WebhooksManage => "webhooks:manage",
            Scope::EnforcementRead => "enforcement:read",
            Scope::EnforcementWrite => "enforcement:write",
            Scope::Admin => "admin",
        }
    }

    /// True when holding `held` grants `self`.
    pub fn granted_by(self, held: &[Scope]) -> bool {
        held.iter().any(|h| *h == self || *h == Scope::Admin)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scope {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scope::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Scope::ALL.iter().map(|v| v.as_str()).collect();
                format!("unknown scope `{s}`: expected one of {}", names.join(", "))
            })
    }
}

/// A stored API key. Only a hash of the secret part is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiKeyRecord {
    /// Row id.
    pub id: i64,
    /// Unique, human name; recorded as `created_by`/`updated_by`.
    pub name: String,
    /// The public lookup part of the key.
    pub prefix: String,
    /// Hash of the whole key; never serialized.
    #[serde(skip)]
    pub key_hash: String,
    /// What it may do.
    pub scopes: Vec<Scope>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was last used.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked; a revoked key stops working at once.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// API keys.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait ApiKeyStore: Send + Sync {
    /// Stores a new key.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the name or prefix is taken.
    fn create_key(
        &self,
        name: &str,
        prefix: &str,
        key_hash: &str,
        scopes: &[Scope],
    ) -> Result<ApiKeyRecord, StoreError>;

    /// The key with this prefix, revoked or not.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn find_key_by_prefix(&self, prefix: &str) -> Result<Option<ApiKeyRecord>, StoreError>;

    /// Every key, ordered by name.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn list_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError>;

    /// Revokes the key named `name`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when no key has the name.
    fn revoke_key(&self, name: &str) -> Result<ApiKeyRecord, StoreError>;

    /// Records a use of key `id`.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn touch_key(&self, id: i64, at: DateTime<Utc>) -> Result<(), StoreError>;

    /// How many keys exist (revoked included): zero means the server must bootstrap one.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn count_keys(&self) -> Result<u64, StoreError>;
}

/// One change to config or master data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// Row id (0 before it is stored).
    pub id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// The API key name.
    pub actor: String,
    /// What kind of thing changed (`seller`, `config:tiers`, ...).
    pub entity: String,
    /// Which one.
    pub entity_id: String,
    /// `create`, `update` or `deactivate`.
    pub action: String,
    /// The value before, secrets masked.
    pub old_value: Option<serde_json::Value>,
    /// The value after, secrets masked.
    pub new_value: Option<serde_json::Value>,
}

/// The append-only audit log.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait AuditStore: Send + Sync {
    /// Appends an entry.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;

    /// Entries for an entity (and id, when given), newest first.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn list_audit(
        &self,
        entity: Option<String>,
        entity_id: Option<String>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError>;
}
