//! Stored score exceptions.

use crate::errors::StoreError;
use chrono::{DateTime, Utc};
use sos_domain::{
    exception::{ExceptionDraft, ScoreException},
    Period, SellerCode,
};

/// An exception with its bookkeeping. Revoked exceptions stay, with who revoked them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionRecord {
    /// The exception.
    pub exception: ScoreException,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Who revoked it.
    pub revoked_by: Option<String>,
}

impl ExceptionRecord {
    /// True while calculations apply it.
    pub fn is_active(&self) -> bool {
        self.revoked_at.is_none()
    }
}

/// Filters of the exception listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExceptionFilter {
    /// Only this seller's.
    pub seller_code: Option<SellerCode>,
    /// Only this period's.
    pub period: Option<Period>,
    /// Only active ones.
    pub active_only: bool,
}

/// Score exceptions.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait ExceptionStore: Send + Sync {
    /// Stores an active exception.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when an active exception already overrides the same seller,
    /// period and component; [`StoreError::NotFound`] when the seller does not exist.
    fn create_exception(
        &self,
        draft: &ExceptionDraft,
        actor: &str,
    ) -> Result<ExceptionRecord, StoreError>;

    /// One exception.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    fn get_exception(&self, id: i64) -> Result<ExceptionRecord, StoreError>;

    /// Exceptions by id, newest first.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn list_exceptions(&self, filter: &ExceptionFilter)
        -> Result<Vec<ExceptionRecord>, StoreError>;

    /// Revokes an active exception; the row stays.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`StoreError::Conflict`] when it is already revoked.
    fn revoke_exception(
        &self,
        id: i64,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<ExceptionRecord, StoreError>;
}
