//! Reading results, runs and summaries.

use crate::{errors::QueryError, Sos};
use sos_domain::{scoring::ScoreStatus, AmId, AmPortfolioScore, Period, SellerCode};
use sos_ports::{
    AppealStore, CalculationRun, Page, PageRequest, PeriodSummary, ScoreFilter, ScoreStore,
    SellerStore, StoreError, StoredScore,
};

impl<R: ScoreStore + SellerStore> Sos<R> {
    /// A period's results.
    ///
    /// # Errors
    /// Infrastructure errors only.
    pub fn list_scores(
        &self,
        period: Period,
        filter: &ScoreFilter,
        page: PageRequest,
    ) -> Result<Page<StoredScore>, QueryError> {
        Ok(self.ports.list_scores(period, filter, page)?)
    }

    /// One result with its explanation.
    ///
    /// # Errors
    /// [`QueryError::NotFound`] when the seller or its result does not exist.
    pub fn explain(&self, seller: &SellerCode, period: Period) -> Result<StoredScore, QueryError> {
        Ok(self.ports.get_score(seller, period)?)
    }

    /// Counts per tier and averages per component.
    ///
    /// # Errors
    /// Infrastructure errors only.
    pub fn period_summary(&self, period: Period) -> Result<PeriodSummary, QueryError> {
        Ok(self.ports.period_summary(period)?)
    }

    /// An AM's portfolio score with its sellers' results.
    ///
    /// # Errors
    /// [`QueryError::NotFound`] when the AM has no score for the period.
    pub fn am_score(
        &self,
        am: AmId,
        period: Period,
    ) -> Result<(AmPortfolioScore, Vec<StoredScore>), QueryError> {
        let score = self.ports.get_am_score(am, period)?;
        let filter = ScoreFilter {
            am_id: Some(am),
            ..ScoreFilter::default()
        };
        let sellers = self
            .ports
            .list_scores(
                period,
                &filter,
                PageRequest {
                    page: 1,
                    limit: 10_000,
                },
            )?
            .items;
        Ok((score, sellers))
    }

    /// Calculation runs, newest first.
    ///
    /// # Errors
    /// Infrastructure errors only.
    pub fn list_runs(
        &self,
        period: Option<Period>,
        limit: u32,
    ) -> Result<Vec<CalculationRun>, QueryError> {
        self.ports.list_runs(period, limit).map_err(|e| match e {
            StoreError::NotFound => QueryError::NotFound,
            other => other.into(),
        })
    }
}

impl<R: ScoreStore + SellerStore + AppealStore> Sos<R> {
    /// A seller's results, newest period first. A period's results that approved appeals
    /// replaced follow its current one, newest first, so the original is never lost.
    ///
    /// # Errors
    /// [`QueryError::NotFound`] when the seller does not exist.
    pub fn seller_history(&self, seller: &SellerCode) -> Result<Vec<StoredScore>, QueryError> {
        self.ports.get_seller(seller)?;
        let mut history = Vec::new();
        for current in self.ports.seller_history(seller)? {
            let replaced = if current.result.status() == ScoreStatus::Recalculated {
                self.ports.superseded_scores(seller, current.period)?
            } else {
                Vec::new()
            };
            history.push(current);
            history.extend(replaced);
        }
        Ok(history)
    }
}
