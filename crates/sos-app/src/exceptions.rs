//! Score exceptions: create, read, revoke. A calculation applies the active ones of its period.

use crate::{audit, errors::ExceptionError, Sos};
use sos_domain::{
    config::resolve_config,
    exception::{ExceptionDraft, ExceptionEffect, ExceptionReason},
    Component, Period, SellerCode, ValidationErrors,
};
use sos_ports::{
    AuditStore, Clock, ConfigStore, ExceptionFilter, ExceptionRecord, ExceptionStore, ScoreStore,
    SellerStore, StoreError,
};

/// An exception as asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewException {
    /// The seller.
    pub seller_code: SellerCode,
    /// The period.
    pub period: Period,
    /// The component overridden.
    pub component: Component,
    /// Why.
    pub reason_type: ExceptionReason,
    /// What happened.
    pub note: String,
    /// What it does.
    pub effect: ExceptionEffect,
}

/// A new exception and what to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedException {
    /// The stored exception.
    pub record: ExceptionRecord,
    /// A sentence for the caller: recalculate the period to apply it.
    pub hint: String,
}

fn json<T: serde::Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

fn audit_view(r: &ExceptionRecord) -> Option<serde_json::Value> {
    json(&serde_json::json!({
        "exception": r.exception,
        "revoked_at": r.revoked_at,
        "revoked_by": r.revoked_by,
    }))
}

impl<R: ExceptionStore + ScoreStore + SellerStore + ConfigStore + AuditStore + Clock> Sos<R> {
    /// Overrides one component of one seller's period. The period must not be finalized (a
    /// finalized period changes only through an appeal); it takes effect at the next
    /// calculation of the period.
    ///
    /// # Errors
    /// [`ExceptionError::Invalid`] (bad fields, or an active exception on the same component),
    /// [`ExceptionError::UnknownSeller`], [`ExceptionError::Finalized`].
    pub fn create_exception(
        &self,
        input: &NewException,
        actor: &str,
    ) -> Result<CreatedException, ExceptionError> {
        match self.ports.get_seller(&input.seller_code) {
            Err(StoreError::NotFound) => {
                return Err(ExceptionError::UnknownSeller(input.seller_code.clone()))
            }
            other => {
                other?;
            }
        }
        if self.ports.is_finalized(input.period)? {
            return Err(ExceptionError::Finalized(input.period));
        }
        let rows = self.ports.all_config()?;
        let config = resolve_config(&rows, input.period)?;
        let max_points = config.weights.get(input.component).value.max_points;
        let draft = ExceptionDraft::new(
            input.seller_code.clone(),
            input.period,
            input.component,
            input.reason_type,
            &input.note,
            input.effect,
            max_points,
            None,
        )
        .map_err(ExceptionError::Invalid)?;
        let record = match self.ports.create_exception(&draft, actor) {
            Err(StoreError::Conflict(_)) => {
                let active = self
                    .ports
                    .list_exceptions(&ExceptionFilter {
                        seller_code: Some(input.seller_code.clone()),
                        period: Some(input.period),
                        active_only: true,
                    })?
                    .into_iter()
                    .find(|r| r.exception.component == input.component);
                let which = active.map_or(String::new(), |r| format!(" (id {})", r.exception.id));
                return Err(ExceptionError::Invalid(ValidationErrors::single(
                    "component",
                    format!(
                        "an active exception{which} already overrides {} of {} in {}; revoke it \
                         first",
                        input.component.as_str(),
                        input.seller_code,
                        input.period
                    ),
                )));
            }
            other => other?,
        };
        audit::record(
            &self.ports,
            actor,
            "score_exception".into(),
            record.exception.id.to_string(),
            "create",
            None,
            audit_view(&record),
        );
        Ok(CreatedException {
            hint: format!(
                "recalculate {} (POST /api/sos/monthly/calculate) to apply it",
                input.period
            ),
            record,
        })
    }

    /// One exception.
    ///
    /// # Errors
    /// [`ExceptionError::NotFound`].
    pub fn get_exception(&self, id: i64) -> Result<ExceptionRecord, ExceptionError> {
        Ok(self.ports.get_exception(id)?)
    }

    /// Exceptions, newest first.
    ///
    /// # Errors
    /// Infrastructure errors only.
    pub fn list_exceptions(
        &self,
        filter: &ExceptionFilter,
    ) -> Result<Vec<ExceptionRecord>, ExceptionError> {
        Ok(self.ports.list_exceptions(filter)?)
    }

    /// Revokes an exception (the row stays). Refused on a finalized period.
    ///
    /// # Errors
    /// [`ExceptionError::NotFound`], [`ExceptionError::Finalized`],
    /// [`ExceptionError::AlreadyRevoked`].
    pub fn revoke_exception(
        &self,
        id: i64,
        actor: &str,
    ) -> Result<ExceptionRecord, ExceptionError> {
        let old = self.ports.get_exception(id)?;
        if self.ports.is_finalized(old.exception.period)? {
            return Err(ExceptionError::Finalized(old.exception.period));
        }
        let new = match self.ports.revoke_exception(id, actor, self.ports.now()) {
            Err(StoreError::Conflict(_)) => return Err(ExceptionError::AlreadyRevoked(id)),
            other => other?,
        };
        audit::record(
            &self.ports,
            actor,
            "score_exception".into(),
            id.to_string(),
            "revoke",
            audit_view(&old),
            audit_view(&new),
        );
        Ok(new)
    }
}
