//! Errors the ports report.
//!
//! Layering: adapters return these; `sos-app` turns them into one error enum per use case;
//! `sos-adapters-http` turns those into statuses. `Unavailable` always means "the database
//! cannot be reached right now" (503, retry); `Unknown` is a real fault (500).

use sos_domain::{AmId, CampaignCode, Period, SellerCode};

/// What a store operation can report beyond its success value.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist.
    #[error("not found")]
    NotFound,
    /// The write clashes with existing data (a duplicate code, say).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database cannot be reached.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else.
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

/// What a sync write can report. Nothing is written when any of these is returned.
#[derive(Debug, thiserror::Error)]
pub enum SyncStoreError {
    /// Sellers named in the batch that do not exist.
    #[error("unknown sellers: {0:?}")]
    UnknownSellers(Vec<SellerCode>),
    /// Campaigns named in the batch that do not exist.
    #[error("unknown campaigns: {0:?}")]
    UnknownCampaigns(Vec<CampaignCode>),
    /// Account managers named in the batch that do not exist.
    #[error("unknown account managers: {0:?}")]
    UnknownAccountManagers(Vec<AmId>),
    /// The database cannot be reached.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else.
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

/// What starting or committing a calculation can report.
#[derive(Debug, thiserror::Error)]
pub enum CalculationStoreError {
    /// Another calculation of the period holds the lock.
    #[error("a calculation of {0} is already running")]
    AlreadyRunning(Period),
    /// The period is finalized: its results are frozen.
    #[error("period {0} is finalized")]
    Finalized(Period),
    /// The database cannot be reached.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else.
    #[error(transparent)]
    Unknown(#[from] anyhow::Error),
}

impl From<StoreError> for CalculationStoreError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(m) => CalculationStoreError::Unavailable(m),
            other => CalculationStoreError::Unknown(anyhow::Error::new(other)),
        }
    }
}

impl From<StoreError> for SyncStoreError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(m) => SyncStoreError::Unavailable(m),
            other => SyncStoreError::Unknown(anyhow::Error::new(other)),
        }
    }
}
