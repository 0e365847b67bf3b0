//! One error enum per operation. The HTTP layer maps each variant to a status; the domain's
//! [`ValidationErrors`] travel inside `Invalid` so every field problem reaches the caller.

use sos_domain::{config::ResolveError, AmId, CampaignCode, Period, SellerCode, ValidationErrors};
use sos_ports::{CalculationStoreError, StoreError, SyncStoreError};

/// Ingesting a sync batch.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The batch breaks a rule; nothing was written.
    #[error("invalid sync data: {0}")]
    Invalid(ValidationErrors),
    /// Sellers that do not exist; nothing was written.
    #[error("unknown sellers")]
    UnknownSellers(Vec<SellerCode>),
    /// Campaigns that do not exist; nothing was written.
    #[error("unknown campaigns")]
    UnknownCampaigns(Vec<CampaignCode>),
    /// Account managers that do not exist; nothing was written.
    #[error("unknown account managers")]
    UnknownAccountManagers(Vec<AmId>),
    /// The database cannot be reached; retry.
    #[error("database unavailable")]
    Unavailable(String),
    /// A real fault.
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

impl From<SyncStoreError> for IngestError {
    fn from(e: SyncStoreError) -> Self {
        match e {
            SyncStoreError::UnknownSellers(v) => IngestError::UnknownSellers(v),
            SyncStoreError::UnknownCampaigns(v) => IngestError::UnknownCampaigns(v),
            SyncStoreError::UnknownAccountManagers(v) => IngestError::UnknownAccountManagers(v),
            SyncStoreError::Unavailable(m) => IngestError::Unavailable(m),
            SyncStoreError::Unknown(e) => IngestError::Unknown(e),
        }
    }
}

impl From<StoreError> for IngestError {
    fn from(e: StoreError) -> Self {
        SyncStoreError::from(e).into()
    }
}

/// Config CRUD.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The row breaks a rule; nothing was written.
    #[error("invalid config: {0}")]
    Invalid(ValidationErrors),
    /// No such row of that type.
    #[error("config row not found")]
    NotFound,
    /// The database cannot be reached; retry.
    #[error("database unavailable")]
    Unavailable(String),
    /// A real fault.
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

impl From<StoreError> for ConfigError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ConfigError::NotFound,
            StoreError::Unavailable(m) => ConfigError::Unavailable(m),
            StoreError::Conflict(m) => ConfigError::Unknown(anyhow::anyhow!(m)),
            StoreError::Unknown(e) => ConfigError::Unknown(e),
        }
    }
}

/// Master-data CRUD.
#[derive(Debug, thiserror::Error)]
pub enum MasterError {
    /// The record breaks a rule; nothing was written.
    #[error("invalid record: {0}")]
    Invalid(ValidationErrors),
    /// No such record.
    #[error("not found")]
    NotFound,
    /// A duplicate code or id, or a reference to a missing AM.
    #[error("{0}")]
    Conflict(String),
    /// The database cannot be reached; retry.
    #[error("database unavailable")]
    Unavailable(String),
    /// A real fault.
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

impl From<StoreError> for MasterError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => MasterError::NotFound,
            StoreError::Conflict(m) => MasterError::Conflict(m),
            StoreError::Unavailable(m) => MasterError::Unavailable(m),
            StoreError::Unknown(e) => MasterError::Unknown(e),
        }
    }
}

/// A monthly calculation or a preview.
#[derive(Debug, thiserror::Error)]
pub enum CalculateError {
    /// The configuration effective for the period cannot be used (422).
    #[error(transparent)]
    InvalidConfig(#[from] ResolveError),
    /// The request itself is bad (a seller listed twice, an empty list).
    #[error("invalid request: {0}")]
    Invalid(ValidationErrors),
    /// Sellers asked for that do not exist.
    #[error("unknown sellers")]
    UnknownSellers(Vec<SellerCode>),
    /// Another calculation of the period is running (409).
    #[error("a calculation of {0} is already running")]
    AlreadyRunning(Period),
    /// The period is finalized (409).
    #[error("period {0} is finalized; its results can no longer change")]
    Finalized(Period),
    /// The database cannot be reached; retry.
    #[error("database unavailable")]
    Unavailable(String),
    /// A real fault.
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

impl From<CalculationStoreError> for CalculateError {
    fn from(e: CalculationStoreError) -> Self {
        match e {
            CalculationStoreError::AlreadyRunning(p) => CalculateError::AlreadyRunning(p),
            CalculationStoreError::Finalized(p) => CalculateError::Finalized(p),
            CalculationStoreError::Unavailable(m) => CalculateError::Unavailable(m),
            CalculationStoreError::Unknown(e) => CalculateError::Unknown(e),
        }
    }
}

impl From<StoreError> for CalculateError {
    fn from(e: StoreError) -> Self {
        CalculationStoreError::from(e).into()
    }
}

/// Reading results, runs and summaries.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// Nothing stored under that key.
    #[error("not found")]
    NotFound,
    /// The database cannot be reached; retry.
    #[error("database unavailable")]
    Unavailable(String),
    /// A real fault.
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

impl From<StoreError> for QueryError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => QueryError::NotFound,
            StoreError::Unavailable(m) => QueryError::Unavailable(m),
            StoreError::Conflict(m) => QueryError::Unknown(anyhow::anyhow!(m)),
            StoreError::Unknown(e) => QueryError::Unknown(e),
        }
    }
}

/// Managing webhook subscriptions, deliveries and replays.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The body breaks a rule; nothing was written.
    #[error("invalid subscription: {0}")]
    Invalid(ValidationErrors),
    /// No such subscription or delivery.
    #[error("not found")]
    NotFound,
    /// The database cannot be reached; retry.
    #[error("database unavailable")]
    Unavailable(String),
    /// A real fault.
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

impl From<StoreError> for WebhookError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => WebhookError::NotFound,
            StoreError::Unavailable(m) => WebhookError::Unavailable(m),
            StoreError::Conflict(m) => WebhookError::Unknown(anyhow::anyhow!(m)),
            StoreError::Unknown(e) => WebhookError::Unknown(e),
        }
    }
}

/// Creating, reading and revoking score exceptions.
#[derive(Debug, thiserror::Error)]
pub enum ExceptionError {
    /// A bad field, or an active exception on the same component; nothing was written.
    #[error("invalid exception: {0}")]
    Invalid(ValidationErrors),
    /// The seller does not exist.
    #[error("seller {0} not found")]
    UnknownSeller(SellerCode),
    /// The period is finalized: only an appeal changes it (409).
    #[error("period {0} is finalized; a finalized score changes only through an appeal")]
    Finalized(Period),
    /// No such exception.
    #[error("not found")]
    NotFound,
    /// The exception was revoked already (409).
    #[error("exception {0} is already revoked")]
    AlreadyRevoked(i64),
    /// The configuration effective for the period cannot be used (422).
    #[error(transparent)]
    InvalidConfig(#[from] ResolveError),
    /// The database cannot be reached; retry.
    #[error("database unavailable")]
    Unavailable(String),
    /// A real fault.
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

impl From<StoreError> for ExceptionError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ExceptionError::NotFound,
            StoreError::Unavailable(m) => ExceptionError::Unavailable(m),
            StoreError::Conflict(m) => ExceptionError::Unknown(anyhow::anyhow!(m)),
            StoreError::Unknown(e) => ExceptionError::Unknown(e),
        }
    }
}

/// Filing, reviewing and expiring appeals.
#[derive(Debug, thiserror::Error)]
pub enum AppealError {
    /// A bad field; nothing was written.
    #[error("invalid appeal: {0}")]
    Invalid(ValidationErrors),
    /// The seller does not exist.
    #[error("seller {0} not found")]
    UnknownSeller(SellerCode),
    /// No such appeal.
    #[error("not found")]
    NotFound,
    /// The appeal's state or the filing rules refuse it (409).
    #[error(transparent)]
    Refused(sos_domain::appeal::AppealRefusal),
    /// Separation of duties: this key may not take this step (403).
    #[error("{0}")]
    Forbidden(String),
    /// The configuration effective for the period cannot be used (422).
    #[error(transparent)]
    InvalidConfig(#[from] ResolveError),
    /// The database cannot be reached; retry.
    #[error("database unavailable")]
    Unavailable(String),
    /// A real fault.
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

impl From<sos_domain::appeal::AppealRefusal> for AppealError {
    fn from(r: sos_domain::appeal::AppealRefusal) -> Self {
        if r.is_forbidden() {
            AppealError::Forbidden(r.to_string())
        } else {
            AppealError::Refused(r)
        }
    }
}

impl From<StoreError> for AppealError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppealError::NotFound,
            StoreError::Unavailable(m) => AppealError::Unavailable(m),
            StoreError::Conflict(m) => AppealError::Unknown(anyhow::anyhow!(m)),
            StoreError::Unknown(e) => AppealError::Unknown(e),
        }
    }
}

/// Reading a seller's order blocking, and unblocking it by hand.
#[derive(Debug, thiserror::Error)]
pub enum EnforcementError {
    /// A bad field; nothing was written.
    #[error("invalid unblock: {0}")]
    Invalid(ValidationErrors),
    /// The seller does not exist.
    #[error("Seller {0} not found")]
    UnknownSeller(SellerCode),
    /// No rule blocks the seller, so there is nothing to unblock (409).
    #[error("Seller {0} is not blocked; there is nothing to unblock")]
    NotBlocked(SellerCode),
    /// The database cannot be reached; retry.
    #[error("database unavailable")]
    Unavailable(String),
    /// A real fault.
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

impl From<StoreError> for EnforcementError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(m) => EnforcementError::Unavailable(m),
            StoreError::NotFound => {
                EnforcementError::Unknown(anyhow::anyhow!("a record was not found"))
            }
            StoreError::Conflict(m) => EnforcementError::Unknown(anyhow::anyhow!(m)),
            StoreError::Unknown(e) => EnforcementError::Unknown(e),
        }
    }
}
