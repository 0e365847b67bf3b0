//! Appeals: an AM files, ops review, the AM's manager reviews with an adjustment, and an
//! approval re-scores the seller in its finalized period.

use crate::{audit, errors::AppealError, Sos};
use chrono::{DateTime, Utc};
use serde_json::json;
use sos_domain::{
    appeal::{self, AmDecision, AppealRefusal, AppealStatus, AppealTarget, Evidence, OpsDecision},
    config::resolve_config,
    exception::{ExceptionEffect, ExceptionReason, ScoreException},
    scoring::ScoreStatus,
    webhook::{EventDraft, EventType},
    Component, Decimal, Period, Scorer, SellerCode, ValidationErrors,
};
use sos_ports::{
    AppealApproval, AppealFilter, AppealRecord, AppealStep, AppealStore, AppealTransition,
    AuditStore, CalculationScope, Clock, ConfigStore, ExceptionFilter, ExceptionStore, Page,
    PageRequest, ScoreFilter, ScoreStore, SellerStore, StoreError, StoredScore,
};

/// An appeal as an AM files it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAppeal {
    /// The seller.
    pub seller_code: SellerCode,
    /// The period.
    pub period: Period,
    /// A component or the total.
    pub target: AppealTarget,
    /// Why.
    pub reason_type: ExceptionReason,
    /// What is wrong with the score.
    pub description: String,
    /// Links to evidence.
    pub evidence: Vec<Evidence>,
}

/// The AM review's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmReview {
    /// Approve, partially approve or reject.
    pub decision: AmDecision,
    /// Why.
    pub note: Option<String>,
    /// The component adjusted (required for an appeal on the total).
    pub component: Option<Component>,
    /// The component's new score, required unless rejecting.
    pub score_adjustment: Option<Decimal>,
}

fn audit_view(r: &AppealRecord) -> Option<serde_json::Value> {
    Some(json!({
        "status": r.appeal.status,
        "seller_code": r.appeal.seller_code,
        "period": r.appeal.period,
        "target": r.appeal.target,
        "score_adjustment": r.score_adjustment,
        "exception_id": r.exception_id,
    }))
}

fn decided_event(
    record: &AppealRecord,
    status: AppealStatus,
    at: DateTime<Utc>,
    before: Option<&StoredScore>,
    after: Option<&StoredScore>,
    adjustment: Option<(Component, Decimal)>,
) -> EventDraft {
    EventDraft::new(
        EventType::AppealDecided,
        at,
        json!({
            "appeal_id": record.appeal.id,
            "seller_code": record.appeal.seller_code,
            "period": record.appeal.period,
            "target": record.appeal.target,
            "status": status,
            "component": adjustment.map(|(c, _)| c),
            "score_adjustment": adjustment.map(|(_, v)| v),
            "old_sos_score": before.and_then(|s| s.result.sos_score()),
            "new_sos_score": after.and_then(|s| s.result.sos_score()),
            "old_tier": before.and_then(|s| s.result.tier().cloned()),
            "new_tier": after.and_then(|s| s.result.tier().cloned()),
        }),
    )
}

fn note_of(note: Option<&str>) -> Option<String> {
    note.map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
}

impl<R> Sos<R>
where
    R: AppealStore + ExceptionStore + ScoreStore + SellerStore + ConfigStore + AuditStore + Clock,
{
    /// Files an appeal on a seller's stored score.
    ///
    /// # Errors
    /// [`AppealError::Invalid`], [`AppealError::UnknownSeller`], [`AppealError::Refused`] (no
    /// result, window closed, one still open, too many).
    pub fn file_appeal(&self, input: &NewAppeal, actor: &str) -> Result<AppealRecord, AppealError> {
        let mut errors = ValidationErrors::new();
        if let Err(e) = appeal::check_filing_fields(&input.description, &input.evidence) {
            errors.extend_prefixed("", e);
        }
        if input.reason_type == ExceptionReason::Appeal {
            errors.push(
                "reason_type",
                "appeal is not a reason to appeal; say what went wrong",
            );
        }
        if !errors.is_empty() {
            return Err(AppealError::Invalid(errors));
        }
        let seller = match self.ports.get_seller(&input.seller_code) {
            Err(StoreError::NotFound) => {
                return Err(AppealError::UnknownSeller(input.seller_code.clone()))
            }
            other => other?,
        };
        let has_result = match self.ports.get_score(&input.seller_code, input.period) {
            Ok(_) => true,
            Err(StoreError::NotFound) => false,
            Err(e) => return Err(e.into()),
        };
        let now = self.ports.now();
        let earlier = self
            .ports
            .appeals_on(&input.seller_code, input.period, input.target)?;
        appeal::check_filing(
            &input.seller_code,
            input.period,
            has_result,
            self.ports.finalized_at(input.period)?,
            &earlier,
            now,
            &self.appeal_rules,
        )?;
        let row = sos_ports::NewAppealRow {
            seller_code: input.seller_code.clone(),
            period: input.period,
            target: input.target,
            am_id: seller.seller.am_id,
            reason_type: input.reason_type,
            description: input.description.trim().to_owned(),
            evidence: input.evidence.clone(),
            filed_at: now,
        };
        let record = match self.ports.create_appeal(&row, actor) {
            // Another filing won the race for the one open appeal.
            Err(StoreError::Conflict(_)) => {
                let open = self
                    .ports
                    .appeals_on(&input.seller_code, input.period, input.target)?
                    .into_iter()
                    .find(|a| a.status.is_open())
                    .map_or(0, |a| a.id);
                return Err(AppealError::Refused(AppealRefusal::AlreadyOpen(open)));
            }
            other => other?,
        };
        audit::record(
            &self.ports,
            actor,
            "appeal".into(),
            record.appeal.id.to_string(),
            "file",
            None,
            audit_view(&record),
        );
        Ok(record)
    }

    /// One appeal with its history.
    ///
    /// # Errors
    /// [`AppealError::NotFound`].
    pub fn get_appeal(&self, id: i64) -> Result<AppealRecord, AppealError> {
        Ok(self.ports.get_appeal(id)?)
    }

    /// Appeals, newest first.
    ///
    /// # Errors
    /// Infrastructure errors only.
    pub fn list_appeals(
        &self,
        filter: &AppealFilter,
        page: PageRequest,
    ) -> Result<Page<AppealRecord>, AppealError> {
        Ok(self.ports.list_appeals(filter, page)?)
    }

    /// The ops review: approve (on to the AM review) or reject.
    ///
    /// # Errors
    /// [`AppealError::NotFound`], [`AppealError::Refused`] (not pending, late),
    /// [`AppealError::Forbidden`] (the filing key).
    pub fn review_appeal_ops(
        &self,
        id: i64,
        decision: OpsDecision,
        note: Option<&str>,
        actor: &str,
    ) -> Result<AppealRecord, AppealError> {
        appeal::check_note(note).map_err(AppealError::Invalid)?;
        let old = self.ports.get_appeal(id)?;
        let now = self.ports.now();
        let status = appeal::review_ops(&old.appeal, decision, actor, now, &self.appeal_rules)?;
        let events = if status == AppealStatus::Rejected {
            vec![decided_event(&old, status, now, None, None, None)]
        } else {
            Vec::new()
        };
        self.step(&old, status, Some("ops"), note, actor, now, events)
    }

    /// The AM review: approve or partially approve with the component's new score, which
    /// re-scores the seller in its finalized period, or reject.
    ///
    /// # Errors
    /// [`AppealError::NotFound`], [`AppealError::Invalid`] (the adjustment),
    /// [`AppealError::Refused`] (not under review, late), [`AppealError::Forbidden`] (the
    /// filing key, or the key that decided at the ops level).
    pub fn review_appeal_am(
        &self,
        id: i64,
        review: &AmReview,
        actor: &str,
    ) -> Result<AppealRecord, AppealError> {
        appeal::check_note(review.note.as_deref()).map_err(AppealError::Invalid)?;
        let old = self.ports.get_appeal(id)?;
        let now = self.ports.now();
        let a = &old.appeal;
        let status = appeal::review_am(a, review.decision, actor, now, &self.appeal_rules)?;
        let rows = self.ports.all_config()?;
        let config = resolve_config(&rows, a.period)?;
        let adjustment = appeal::check_adjustment(
            a.target,
            review.decision,
            review.component,
            review.score_adjustment,
            |c| config.weights.get(c).value.max_points,
        )
        .map_err(AppealError::Invalid)?;
        let Some((component, value)) = adjustment else {
            let events = vec![decided_event(&old, status, now, None, None, None)];
            return self.step(
                &old,
                status,
                Some("am"),
                review.note.as_deref(),
                actor,
                now,
                events,
            );
        };

        // The approval: the exception it becomes, and the seller scored again with it.
        let before = self.ports.get_score(&a.seller_code, a.period)?;
        let exception = ScoreException {
            id: self.ports.reserve_exception_id()?,
            seller_code: a.seller_code.clone(),
            period: a.period,
            component,
            reason_type: ExceptionReason::Appeal,
            note: note_of(review.note.as_deref())
                .unwrap_or_else(|| format!("appeal {}: {}", a.id, old.description)),
            effect: ExceptionEffect::SetScore { value },
            created_by: actor.to_owned(),
            appeal_id: Some(a.id),
        };
        let mut inputs = self
            .ports
            .load_seller_inputs(
                a.period,
                &CalculationScope::Sellers(vec![a.seller_code.clone()]),
                None,
                1,
            )?
            .pop()
            .map(|s| s.inputs)
            .ok_or_else(|| {
                AppealError::Unknown(anyhow::anyhow!(
                    "{} is no longer active, so its score cannot be recalculated",
                    a.seller_code
                ))
            })?;
        // Its other active exceptions still hold; the appeal's replaces one on the same
        // component.
        inputs.exceptions = self
            .ports
            .list_exceptions(&ExceptionFilter {
                seller_code: Some(a.seller_code.clone()),
                period: Some(a.period),
                active_only: true,
            })?
            .into_iter()
            .map(|r| r.exception)
            .filter(|e| e.component != component)
            .collect();
        inputs.exceptions.push(exception.clone());
        let mut result = Scorer::new(&config).score(Some(&a.seller_code), &inputs);
        if result.sos_score().is_some() {
            result.status = ScoreStatus::Recalculated;
        }
        let rescored = StoredScore {
            seller_code: a.seller_code.clone(),
            period: a.period,
            am_id: before.am_id,
            result,
            calculated_at: now,
        };
        let am_scores = self.portfolios_with(&rescored, &config)?;
        let mut events = vec![decided_event(
            &old,
            status,
            now,
            Some(&before),
            Some(&rescored),
            Some((component, value)),
        )];
        if before.result.tier() != rescored.result.tier() {
            events.push(EventDraft::new(
                EventType::TierChanged,
                now,
                json!({
                    "seller_code": a.seller_code,
                    "period": a.period,
                    "previous_period": a.period,
                    "old_tier": before.result.tier(),
                    "new_tier": rescored.result.tier(),
                    "sos_score": rescored.result.sos_score(),
                    "appeal_id": a.id,
                }),
            ));
        }
        let approval = AppealApproval {
            transition: AppealTransition {
                appeal_id: a.id,
                from: a.status,
                step: AppealStep {
                    at: now,
                    actor: actor.to_owned(),
                    from: Some(a.status),
                    to: status,
                    note: note_of(review.note.as_deref()),
                },
                level: Some("am"),
                events,
            },
            score_adjustment: value,
            exception,
            rescored,
            am_scores,
        };
        let new = match self.ports.apply_approval(&approval) {
            // Another reviewer decided first.
            Err(StoreError::Conflict(_)) => {
                return Err(AppealError::Refused(AppealRefusal::WrongLevel {
                    id: a.id,
                    status: "changed",
                    level: "am",
                }))
            }
            other => other?,
        };
        audit::record(
            &self.ports,
            actor,
            "appeal".into(),
            a.id.to_string(),
            "review_am",
            audit_view(&old),
            audit_view(&new),
        );
        audit::record(
            &self.ports,
            actor,
            "seller_score".into(),
            format!("{}/{}", a.seller_code, a.period),
            "recalculate",
            Some(json!({"sos_score": before.result.sos_score(), "tier": before.result.tier()})),
            Some(json!({
                "sos_score": approval.rescored.result.sos_score(),
                "tier": approval.rescored.result.tier(),
                "appeal_id": a.id,
            })),
        );
        Ok(new)
    }

    /// Moves every open appeal whose level is past its deadline at `now` to `expired`.
    ///
    /// # Errors
    /// Infrastructure errors only.
    pub fn expire_appeals(&self, actor: &str) -> Result<Vec<AppealRecord>, AppealError> {
        let now = self.ports.now();
        let mut expired = Vec::new();
        for a in self.ports.open_appeals()? {
            if !appeal::is_late(&a, &self.appeal_rules, now) {
                continue;
            }
            let old = self.ports.get_appeal(a.id)?;
            let events = vec![decided_event(
                &old,
                AppealStatus::Expired,
                now,
                None,
                None,
                None,
            )];
            match self.step(&old, AppealStatus::Expired, None, None, actor, now, events) {
                Ok(r) => expired.push(r),
                // Decided in the meantime: nothing to expire.
                Err(AppealError::Refused(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(expired)
    }

    #[allow(clippy::too_many_arguments)]
    fn step(
        &self,
        old: &AppealRecord,
        to: AppealStatus,
        level: Option<&'static str>,
        note: Option<&str>,
        actor: &str,
        at: DateTime<Utc>,
        events: Vec<EventDraft>,
    ) -> Result<AppealRecord, AppealError> {
        let transition = AppealTransition {
            appeal_id: old.appeal.id,
            from: old.appeal.status,
            step: AppealStep {
                at,
                actor: actor.to_owned(),
                from: Some(old.appeal.status),
                to,
                note: note_of(note),
            },
            level,
            events,
        };
        let new = match self.ports.record_transition(&transition) {
            Err(StoreError::Conflict(_)) => {
                return Err(AppealError::Refused(AppealRefusal::WrongLevel {
                    id: old.appeal.id,
                    status: "changed",
                    level: level.unwrap_or("expiry"),
                }))
            }
            other => other?,
        };
        audit::record(
            &self.ports,
            actor,
            "appeal".into(),
            old.appeal.id.to_string(),
            level.map_or("expire", |l| {
                if l == "ops" {
                    "review_ops"
                } else {
                    "review_am"
                }
            }),
            audit_view(old),
            audit_view(&new),
        );
        Ok(new)
    }

    /// Every AM portfolio of the period, with `rescored` in place of the seller's result.
    fn portfolios_with(
        &self,
        rescored: &StoredScore,
        config: &sos_domain::config::ResolvedConfig,
    ) -> Result<Vec<sos_domain::AmPortfolioScore>, AppealError> {
        let mut sos_by_am = Vec::new();
        let mut page = 1;
        loop {
            let scores = self.ports.list_scores(
                rescored.period,
                &ScoreFilter::default(),
                PageRequest { page, limit: 500 },
            )?;
            for s in &scores.items {
                let s = if s.seller_code == rescored.seller_code {
                    rescored
                } else {
                    s
                };
                if let Some(am) = s.am_id {
                    sos_by_am.push((am, s.seller_code.clone(), s.result.sos_score()));
                }
            }
            if u64::from(page) * 500 >= scores.total {
                break;
            }
            page += 1;
        }
        self.score_portfolios(rescored.period, &sos_by_am, config)
            .map_err(|e| AppealError::Unknown(anyhow::anyhow!(e.to_string())))
    }
}
