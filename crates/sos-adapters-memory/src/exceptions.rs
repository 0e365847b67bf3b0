//! Score exceptions in memory.

use crate::MemoryStore;
use chrono::{DateTime, Utc};
use sos_domain::exception::{ExceptionDraft, ScoreException};
use sos_ports::{Clock, ExceptionFilter, ExceptionRecord, ExceptionStore, StoreError};

impl ExceptionStore for MemoryStore {
    fn create_exception(
        &self,
        draft: &ExceptionDraft,
        actor: &str,
    ) -> Result<ExceptionRecord, StoreError> {
        let now = self.now();
        let mut state = self.state();
        if !state.sellers.contains_key(draft.seller_code()) {
            return Err(StoreError::NotFound);
        }
        if state.exceptions.iter().any(|r| {
            r.is_active()
                && r.exception.seller_code == *draft.seller_code()
                && r.exception.period == draft.period()
                && r.exception.component == draft.component()
        }) {
            return Err(StoreError::Conflict("score_exception_one_active".into()));
        }
        let record = ExceptionRecord {
            exception: ScoreException {
                id: {
                    state.next_exception_id += 1;
                    state.next_exception_id
                },
                seller_code: draft.seller_code().clone(),
                period: draft.period(),
                component: draft.component(),
                reason_type: draft.reason_type(),
                note: draft.note().to_string(),
                effect: draft.effect(),
                created_by: actor.to_string(),
                appeal_id: draft.appeal_id(),
            },
            created_at: now,
            revoked_at: None,
            revoked_by: None,
        };
        state.exceptions.push(record.clone());
        Ok(record)
    }

    fn get_exception(&self, id: i64) -> Result<ExceptionRecord, StoreError> {
        self.state()
            .exceptions
            .iter()
            .find(|r| r.exception.id == id)
            .cloned()
            .ok_or(StoreError::NotFound)
    }

    fn list_exceptions(
        &self,
        filter: &ExceptionFilter,
    ) -> Result<Vec<ExceptionRecord>, StoreError> {
        Ok(self
            .state()
            .exceptions
            .iter()
            .rev()
            .filter(|r| {
                filter
                    .seller_code
                    .as_ref()
                    .is_none_or(|s| *s == r.exception.seller_code)
                    && filter.period.is_none_or(|p| p == r.exception.period)
                    && (!filter.active_only || r.is_active())
            })
            .cloned()
            .collect())
    }

    fn revoke_exception(
        &self,
        id: i64,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<ExceptionRecord, StoreError> {
        let mut state = self.state();
        let record = state
            .exceptions
            .iter_mut()
            .find(|r| r.exception.id == id)
            .ok_or(StoreError::NotFound)?;
        if !record.is_active() {
            return Err(StoreError::Conflict("already revoked".into()));
        }
        record.revoked_at = Some(at);
        record.revoked_by = Some(actor.to_string());
        Ok(record.clone())
    }
}
