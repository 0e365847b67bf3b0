//! Stored appeals and the one transaction that applies an approved one.

use crate::{
    errors::StoreError,
    master::{Page, PageRequest},
    scores::StoredScore,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sos_domain::{
    appeal::{Appeal, AppealStatus, AppealTarget, Evidence},
    exception::{ExceptionReason, ScoreException},
    webhook::EventDraft,
    AmId, AmPortfolioScore, Decimal, Period, SellerCode,
};

/// One step of an appeal's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppealStep {
    /// When.
    pub at: DateTime<Utc>,
    /// The key, or `system` for an expiry.
    pub actor: String,
    /// The status before (`None` when filed).
    pub from: Option<AppealStatus>,
    /// The status after.
    pub to: AppealStatus,
    /// The note given with the step.
    pub note: Option<String>,
}

/// An appeal with everything the API shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppealRecord {
    /// The state the rules judge.
    pub appeal: Appeal,
    /// The seller's AM when filed.
    pub am_id: Option<AmId>,
    /// Why the AM appeals.
    pub reason_type: ExceptionReason,
    /// What is wrong with the score.
    pub description: String,
    /// Links to evidence.
    pub evidence: Vec<Evidence>,
    /// The AM review's adjustment, once approved.
    pub score_adjustment: Option<Decimal>,
    /// The exception an approval created.
    pub exception_id: Option<i64>,
    /// Every step, oldest first.
    pub history: Vec<AppealStep>,
}

/// A new appeal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAppealRow {
    /// The seller.
    pub seller_code: SellerCode,
    /// The period.
    pub period: Period,
    /// A component or the total.
    pub target: AppealTarget,
    /// The seller's AM.
    pub am_id: Option<AmId>,
    /// Why.
    pub reason_type: ExceptionReason,
    /// What is wrong.
    pub description: String,
    /// Links.
    pub evidence: Vec<Evidence>,
    /// When it was filed.
    pub filed_at: DateTime<Utc>,
}

/// Filters of the appeal listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppealFilter {
    /// Only this status.
    pub status: Option<AppealStatus>,
    /// Only this seller's.
    pub seller_code: Option<SellerCode>,
    /// Only this period's.
    pub period: Option<Period>,
    /// Only appeals on this AM's sellers.
    pub am_id: Option<AmId>,
}

/// A review step to record: the appeal moves from `from` to `step.to` only if it is still at
/// `from` (another reviewer may have been quicker).
#[derive(Debug, Clone, PartialEq)]
pub struct AppealTransition {
    /// The appeal.
    pub appeal_id: i64,
    /// The status it must still have.
    pub from: AppealStatus,
    /// The step.
    pub step: AppealStep,
    /// Which level decided: `ops` or `am` (`None` for an expiry).
    pub level: Option<&'static str>,
    /// Events to put in the outbox with the step.
    pub events: Vec<EventDraft>,
}

/// An approved appeal applied to its finalized period, in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct AppealApproval {
    /// The status change.
    pub transition: AppealTransition,
    /// The adjustment granted.
    pub score_adjustment: Decimal,
    /// The exception it becomes (its id reserved with [`AppealStore::reserve_exception_id`]).
    pub exception: ScoreException,
    /// The seller's new result (status `recalculated`); the current one goes to history.
    pub rescored: StoredScore,
    /// Every AM portfolio of the period, scored again with the new result (they replace the
    /// period's portfolio rows, as a calculation's do).
    pub am_scores: Vec<AmPortfolioScore>,
}

/// Appeals.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait AppealStore: Send + Sync {
    /// Stores a new, pending appeal with its first history step.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the seller does not exist.
    fn create_appeal(&self, row: &NewAppealRow, actor: &str) -> Result<AppealRecord, StoreError>;

    /// One appeal with its history.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    fn get_appeal(&self, id: i64) -> Result<AppealRecord, StoreError>;

    /// Appeals, newest first.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn list_appeals(
        &self,
        filter: &AppealFilter,
        page: PageRequest,
    ) -> Result<Page<AppealRecord>, StoreError>;

    /// The appeals filed on one seller, period and target, oldest first.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn appeals_on(
        &self,
        seller: &SellerCode,
        period: Period,
        target: AppealTarget,
    ) -> Result<Vec<Appeal>, StoreError>;

    /// Open appeals (pending or under review), oldest first, for the expiry task.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn open_appeals(&self) -> Result<Vec<Appeal>, StoreError>;

    /// When the period was finalized, if it was.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn finalized_at(&self, period: Period) -> Result<Option<DateTime<Utc>>, StoreError>;

    /// Records a step (a rejection, ops' approval or an expiry) with its events.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the appeal is no longer at `from`; nothing is written.
    fn record_transition(&self, transition: &AppealTransition) -> Result<AppealRecord, StoreError>;

    /// A fresh exception id, so the result that shows the exception can be computed before
    /// the transaction that stores both.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn reserve_exception_id(&self) -> Result<i64, StoreError>;

    /// Applies an approval: the step, the exception, the current result moved to history,
    /// the new result with its surcharges, the AM portfolio rows and the events, all or
    /// nothing.
    ///
    /// # Errors
    /// [`StoreError::Conflict`] when the appeal is no longer at `from`; nothing is written. An
    /// active exception on the same component is revoked by the approval's author: the
    /// appeal's exception replaces it.
    fn apply_approval(&self, approval: &AppealApproval) -> Result<AppealRecord, StoreError>;

    /// The results a seller's period had before appeals replaced them, newest first.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn superseded_scores(
        &self,
        seller: &SellerCode,
        period: Period,
    ) -> Result<Vec<StoredScore>, StoreError>;
}
