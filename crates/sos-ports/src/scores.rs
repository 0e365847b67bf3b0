//! Score results, calculation runs, surcharge events and AM portfolio scores.

use crate::{
    enforcement::BlockVerdict,
    errors::{CalculationStoreError, StoreError},
    master::{Page, PageRequest},
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sos_domain::{
    config::ConfigId,
    inputs::{RevenueRecord, SellerInputs},
    master::{AccountManager, Seller},
    webhook::EventDraft,
    AmId, AmPortfolioScore, Decimal, Period, ScoreResult, SellerCode, TierName,
};

/// A seller and everything known about it for a period, as the calculation needs it.
/// `inputs.previous_tier` and `inputs.onboarded_at` are filled in by the store.
#[derive(Debug, Clone, PartialEq)]
pub struct SellerWithInputs {
    /// The seller.
    pub seller: Seller,
    /// Its data for the period.
    pub inputs: SellerInputs,
}

/// An AM and what its KPI needs besides its sellers' scores.
#[derive(Debug, Clone, PartialEq)]
pub struct AmInputs {
    /// The AM.
    pub am: AccountManager,
    /// Its revenue figures for the period, if synced.
    pub revenue: Option<RevenueRecord>,
    /// Its `avg_sos` of the previous period, if scored.
    pub previous_avg_sos: Option<Decimal>,
}

/// A stored seller result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredScore {
    /// The seller.
    pub seller_code: SellerCode,
    /// The period.
    pub period: Period,
    /// The seller's AM when it was scored.
    pub am_id: Option<AmId>,
    /// The result with its explanation.
    pub result: ScoreResult,
    /// When it was calculated.
    pub calculated_at: DateTime<Utc>,
}

/// Which sellers a calculation covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CalculationScope {
    /// Every active seller with data; the period's previous results are replaced.
    All,
    /// Only these sellers; other sellers' results stay.
    Sellers(Vec<SellerCode>),
}

impl CalculationScope {
    /// True when the calculation scores `seller` (and so replaces its previous result).
    pub fn covers(&self, seller: &SellerCode) -> bool {
        match self {
            CalculationScope::All => true,
            CalculationScope::Sellers(codes) => codes.contains(seller),
        }
    }
}

/// How a calculation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Results were written.
    Succeeded,
    /// Nothing was written; `error` says why.
    Failed,
    /// Computed but not written.
    DryRun,
}

/// The record of one calculation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalculationRun {
    /// Row id (0 before it is stored).
    pub id: i64,
    /// The period.
    pub period: Period,
    /// The sellers asked for, when not all.
    pub seller_codes: Option<Vec<SellerCode>>,
    /// How it ended.
    pub status: RunStatus,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub finished_at: DateTime<Utc>,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
    /// Sellers with a total.
    pub sellers_scored: u32,
    /// Sellers with data but no scorable component.
    pub sellers_insufficient: u32,
    /// AM portfolios scored.
    pub am_scored: u32,
    /// Surcharge rules triggered, over all sellers.
    pub surcharges_triggered: u32,
    /// Every config row used, so the run can be explained and reproduced.
    pub config_ids: Vec<ConfigId>,
    /// Why it failed.
    pub error: Option<String>,
    /// The API key name (or `cli`) that started it.
    pub triggered_by: String,
}

/// Filters of a period's result listing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScoreFilter {
    /// Only this tier.
    pub tier: Option<TierName>,
    /// Only this AM's sellers.
    pub am_id: Option<AmId>,
    /// Only `scored` or only `insufficient_data`.
    pub status: Option<String>,
}

/// Counts and averages of one period's stored results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodSummary {
    /// The period.
    pub period: Period,
    /// True once finalized.
    pub finalized: bool,
    /// Stored results.
    pub sellers: u64,
    /// Results with a total.
    pub scored: u64,
    /// Results without one.
    pub insufficient_data: u64,
    /// Sellers per tier, by tier name.
    pub tiers: Vec<TierCount>,
    /// Mean total SOS, 2 dp.
    pub avg_sos_score: Option<Decimal>,
    /// Mean of each component over sellers where it was scored, 2 dp.
    pub avg_components: sos_domain::PerComponent<Option<Decimal>>,
}

/// One tier's count in a [`PeriodSummary`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierCount {
    /// The tier.
    pub tier: TierName,
    /// Sellers in it.
    pub sellers: u64,
}

/// Builds the events of a committed calculation from its run id, inside the store's
/// transaction.
pub trait CompletionEvents {
    /// The events of the run `run_id`.
    fn events(&self, run_id: i64) -> Vec<EventDraft>;
}

/// Builds the events of finalizing one seller's result, inside the store's transaction.
pub trait FinalizeEvents {
    /// The events of finalizing `score`, given the seller's result in its latest finalized
    /// period before this one.
    fn events(&self, score: &StoredScore, previous: Option<&StoredScore>) -> Vec<EventDraft>;
}

/// An open, atomic calculation write. It holds the period's calculation lock until it is
/// committed or dropped; dropping it without commit rolls everything back, so the previous
/// results stay as they were.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait CalculationTx: Send {
    /// Writes seller results (and their surcharge events), replacing earlier ones of the same
    /// seller and period.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn write_scores(&mut self, scores: &[StoredScore]) -> Result<(), CalculationStoreError>;

    /// Every result of the period as this transaction sees it: `(am, seller, sos)`, for the AM
    /// portfolios.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn period_sos_by_am(
        &mut self,
    ) -> Result<Vec<(AmId, SellerCode, Option<Decimal>)>, CalculationStoreError>;

    /// Writes AM portfolio scores, replacing the period's earlier ones.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn write_am_scores(&mut self, scores: &[AmPortfolioScore])
        -> Result<(), CalculationStoreError>;

    /// Records which sellers this calculation scored and the `block_orders` rules each result
    /// triggered. At commit, in this transaction, each seller's order blocking is decided again
    /// from them (a [`sos_domain::enforcement::Trigger::Calculation`] of the period, by the
    /// run's `triggered_by` at its `finished_at`), with the writes described in
    /// [`crate::EnforcementStore`]. Call it with every chunk of results.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn write_blocking(&mut self, verdicts: &[BlockVerdict]) -> Result<(), CalculationStoreError>;

    /// Puts events in the outbox, in this transaction: they exist only if it commits.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn write_events(&mut self, events: &[EventDraft]) -> Result<(), CalculationStoreError>;

    /// Records the run, decides order blocking from the verdicts written, puts the events
    /// `completion` builds from the run's id in the outbox, and makes every write visible at
    /// once. Returns the run id.
    ///
    /// # Errors
    /// Infrastructure errors; on error nothing is written.
    fn commit(
        self: Box<Self>,
        run: &CalculationRun,
        completion: &dyn CompletionEvents,
    ) -> Result<i64, CalculationStoreError>;
}

/// Results and calculation bookkeeping.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait ScoreStore: Send + Sync {
    /// Up to `limit` active sellers in `scope` with code after `after`, in code order, each with
    /// its period inputs. The calculation pages through these to keep memory bounded.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn load_seller_inputs(
        &self,
        period: Period,
        scope: &CalculationScope,
        after: Option<SellerCode>,
        limit: usize,
    ) -> Result<Vec<SellerWithInputs>, StoreError>;

    /// Every active AM with its revenue for the period and its previous `avg_sos`.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn load_am_inputs(&self, period: Period) -> Result<Vec<AmInputs>, StoreError>;

    /// Takes the period's calculation lock without waiting and opens the write.
    /// For [`CalculationScope::All`] the period's previous results are replaced at commit.
    ///
    /// # Errors
    /// [`CalculationStoreError::AlreadyRunning`] when another calculation holds the lock (in
    /// this or another process); [`CalculationStoreError::Finalized`] when the period is frozen.
    fn begin_calculation(
        &self,
        period: Period,
        scope: &CalculationScope,
    ) -> Result<Box<dyn CalculationTx>, CalculationStoreError>;

    /// Records a run that wrote nothing (failed or dry run). Returns its id.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn record_run(&self, run: &CalculationRun) -> Result<i64, StoreError>;

    /// Freezes a period: later calculations are refused. Waits for a running calculation of
    /// the period to end first. In the same transaction, puts in the outbox the events
    /// `events` builds for each of the period's results, given the seller's result in its
    /// latest finalized period before this one. Returns false, and emits nothing, when the
    /// period was already finalized.
    ///
    /// # Errors
    /// Infrastructure errors only; on error nothing is written.
    fn finalize_period(
        &self,
        period: Period,
        actor: &str,
        events: &dyn FinalizeEvents,
    ) -> Result<bool, StoreError>;

    /// True once the period is finalized.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn is_finalized(&self, period: Period) -> Result<bool, StoreError>;

    /// A period's results, ordered by seller code.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn list_scores(
        &self,
        period: Period,
        filter: &ScoreFilter,
        page: PageRequest,
    ) -> Result<Page<StoredScore>, StoreError>;

    /// One seller's results, newest period first.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn seller_history(&self, seller: &SellerCode) -> Result<Vec<StoredScore>, StoreError>;

    /// One result.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the seller has no result for the period.
    fn get_score(&self, seller: &SellerCode, period: Period) -> Result<StoredScore, StoreError>;

    /// Counts per tier and averages per component.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn period_summary(&self, period: Period) -> Result<PeriodSummary, StoreError>;

    /// One AM's portfolio score.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the AM has none for the period.
    fn get_am_score(&self, am: AmId, period: Period) -> Result<AmPortfolioScore, StoreError>;

    /// Calculation runs, newest first.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn list_runs(
        &self,
        period: Option<Period>,
        limit: u32,
    ) -> Result<Vec<CalculationRun>, StoreError>;
}
