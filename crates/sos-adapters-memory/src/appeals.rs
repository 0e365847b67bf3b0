//! Appeals in memory.

use crate::{master::paginate, MemoryStore};
use chrono::{DateTime, Utc};
use sos_domain::{
    appeal::{Appeal, AppealStatus, AppealTarget},
    Period, SellerCode,
};
use sos_ports::{
    AppealApproval, AppealFilter, AppealRecord, AppealStep, AppealStore, AppealTransition,
    ExceptionRecord, NewAppealRow, Page, PageRequest, StoreError, StoredScore,
};

fn apply_step(record: &mut AppealRecord, t: &AppealTransition) {
    let a = &mut record.appeal;
    a.status = t.step.to;
    match t.level {
        Some("ops") => {
            a.ops_reviewed_by = Some(t.step.actor.clone());
            a.ops_reviewed_at = Some(t.step.at);
        }
        Some(_) => {
            a.am_reviewed_by = Some(t.step.actor.clone());
            a.am_reviewed_at = Some(t.step.at);
        }
        None => {}
    }
    record.history.push(t.step.clone());
}

impl AppealStore for MemoryStore {
    fn create_appeal(&self, row: &NewAppealRow, actor: &str) -> Result<AppealRecord, StoreError> {
        let mut state = self.state();
        if !state.sellers.contains_key(&row.seller_code) {
            return Err(StoreError::NotFound);
        }
        let record = AppealRecord {
            appeal: Appeal {
                id: i64::try_from(state.appeals.len()).unwrap_or(i64::MAX - 1) + 1,
                seller_code: row.seller_code.clone(),
                period: row.period,
                target: row.target,
                status: AppealStatus::Pending,
                filed_by: actor.to_string(),
                filed_at: row.filed_at,
                ops_reviewed_by: None,
                ops_reviewed_at: None,
                am_reviewed_by: None,
                am_reviewed_at: None,
            },
            am_id: row.am_id,
            reason_type: row.reason_type,
            description: row.description.clone(),
            evidence: row.evidence.clone(),
            score_adjustment: None,
            exception_id: None,
            history: vec![AppealStep {
                at: row.filed_at,
                actor: actor.to_string(),
                from: None,
                to: AppealStatus::Pending,
                note: None,
            }],
        };
        state.appeals.push(record.clone());
        Ok(record)
    }

    fn get_appeal(&self, id: i64) -> Result<AppealRecord, StoreError> {
        self.state()
            .appeals
            .iter()
            .find(|r| r.appeal.id == id)
            .cloned()
            .ok_or(StoreError::NotFound)
    }

    fn list_appeals(
        &self,
        filter: &AppealFilter,
        page: PageRequest,
    ) -> Result<Page<AppealRecord>, StoreError> {
        let rows: Vec<AppealRecord> = self
            .state()
            .appeals
            .iter()
            .rev()
            .filter(|r| {
                filter.status.is_none_or(|s| s == r.appeal.status)
                    && filter
                        .seller_code
                        .as_ref()
                        .is_none_or(|s| *s == r.appeal.seller_code)
                    && filter.period.is_none_or(|p| p == r.appeal.period)
                    && filter.am_id.is_none_or(|am| Some(am) == r.am_id)
            })
            .cloned()
            .collect();
        Ok(paginate(rows, page))
    }

    fn appeals_on(
        &self,
        seller: &SellerCode,
        period: Period,
        target: AppealTarget,
    ) -> Result<Vec<Appeal>, StoreError> {
        Ok(self
            .state()
            .appeals
            .iter()
            .filter(|r| {
                r.appeal.seller_code == *seller
                    && r.appeal.period == period
                    && r.appeal.target == target
            })
            .map(|r| r.appeal.clone())
            .collect())
    }

    fn open_appeals(&self) -> Result<Vec<Appeal>, StoreError> {
        Ok(self
            .state()
            .appeals
            .iter()
            .filter(|r| r.appeal.status.is_open())
            .map(|r| r.appeal.clone())
            .collect())
    }

    fn finalized_at(&self, period: Period) -> Result<Option<DateTime<Utc>>, StoreError> {
        Ok(self.state().finalized_at.get(&period).copied())
    }

    fn record_transition(&self, t: &AppealTransition) -> Result<AppealRecord, StoreError> {
        let mut state = self.state();
        let record = state
            .appeals
            .iter_mut()
            .find(|r| r.appeal.id == t.appeal_id)
            .ok_or(StoreError::NotFound)?;
        if record.appeal.status != t.from {
            return Err(StoreError::Conflict(format!(
                "appeal {} is {} now",
                t.appeal_id,
                record.appeal.status.as_str()
            )));
        }
        apply_step(record, t);
        let record = record.clone();
        state.outbox.publish(&t.events);
        Ok(record)
    }

    fn reserve_exception_id(&self) -> Result<i64, StoreError> {
        let mut state = self.state();
        state.next_exception_id += 1;
        Ok(state.next_exception_id)
    }

    fn apply_approval(&self, a: &AppealApproval) -> Result<AppealRecord, StoreError> {
        let mut state = self.state();
        let t = &a.transition;
        let Some(index) = state
            .appeals
            .iter()
            .position(|r| r.appeal.id == t.appeal_id)
        else {
            return Err(StoreError::NotFound);
        };
        if state.appeals[index].appeal.status != t.from {
            return Err(StoreError::Conflict(format!(
                "appeal {} moved on",
                t.appeal_id
            )));
        }
        let e = &a.exception;
        let key = (a.rescored.period, a.rescored.seller_code.clone());
        let Some(old) = state.scores.get(&key).cloned() else {
            return Err(StoreError::NotFound);
        };
        state.superseded.push(old);
        state.scores.insert(key, a.rescored.clone());
        let period = a.rescored.period;
        state.am_scores.retain(|(p, _), _| *p != period);
        for am in &a.am_scores {
            state.am_scores.insert((am.period, am.am_id), am.clone());
        }
        for r in state.exceptions.iter_mut().filter(|r| {
            r.is_active()
                && r.exception.seller_code == e.seller_code
                && r.exception.period == e.period
                && r.exception.component == e.component
        }) {
            r.revoked_at = Some(t.step.at);
            r.revoked_by = Some(t.step.actor.clone());
        }
        state.exceptions.push(ExceptionRecord {
            exception: e.clone(),
            created_at: t.step.at,
            revoked_at: None,
            revoked_by: None,
        });
        let record = &mut state.appeals[index];
        apply_step(record, t);
        record.score_adjustment = Some(a.score_adjustment);
        record.exception_id = Some(e.id);
        let record = record.clone();
        state.outbox.publish(&t.events);
        Ok(record)
    }

    fn superseded_scores(
        &self,
        seller: &SellerCode,
        period: Period,
    ) -> Result<Vec<StoredScore>, StoreError> {
        Ok(self
            .state()
            .superseded
            .iter()
            .rev()
            .filter(|s| s.seller_code == *seller && s.period == period)
            .cloned()
            .collect())
    }
}
