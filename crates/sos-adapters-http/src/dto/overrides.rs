//! Score exceptions and appeals on the wire.

use super::{number, result_schema};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sos_domain::{
    appeal::{self, AmDecision, AppealRules, AppealStatus, AppealTarget, Evidence, OpsDecision},
    exception::{ExceptionEffect, ExceptionReason},
    Component, Decimal,
};
use sos_ports::{AppealRecord, AppealStep, ExceptionRecord};
use utoipa::{IntoParams, ToSchema};

/// The reasons a person may give (an approved appeal sets `appeal` itself).
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReasonType {
    /// The synced data was wrong or incomplete.
    SystemSyncError,
    /// Events outside the seller's control.
    ForceMajeure,
    /// The warehouse caused the figures.
    WarehouseFault,
    /// A marketplace changed how it ranks or routes orders.
    MarketplaceAlgorithmChange,
    /// Anything else; the note says what.
    Other,
}

impl From<ReasonType> for ExceptionReason {
    fn from(r: ReasonType) -> Self {
        match r {
            ReasonType::SystemSyncError => ExceptionReason::SystemSyncError,
            ReasonType::ForceMajeure => ExceptionReason::ForceMajeure,
            ReasonType::WarehouseFault => ExceptionReason::WarehouseFault,
            ReasonType::MarketplaceAlgorithmChange => ExceptionReason::MarketplaceAlgorithmChange,
            ReasonType::Other => ExceptionReason::Other,
        }
    }
}

/// What an exception does.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum EffectBody {
    /// The component scores `value`, from 0 to its `max_points` (100 by default), 2 dp at most.
    SetScore {
        /// The score (exact decimal).
        #[serde(deserialize_with = "number::decimal")]
        #[schema(value_type = f64, minimum = 0)]
        value: Decimal,
    },
    /// The component is left out; its weight is shared among the others, as for missing data.
    Exclude,
}

impl From<EffectBody> for ExceptionEffect {
    fn from(e: EffectBody) -> Self {
        match e {
            EffectBody::SetScore { value } => ExceptionEffect::SetScore { value },
            EffectBody::Exclude => ExceptionEffect::Exclude,
        }
    }
}

/// `POST /api/sos/exceptions`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"seller_code": "SEL001", "period": "2026-02", "component": "o_score", "reason_type": "system_sync_error", "note": "The OMS lost two days of pushes", "effect": {"type": "set_score", "value": 95}}))]
pub struct NewExceptionBody {
    /// The seller.
    pub seller_code: String,
    /// The period, `YYYY-MM`; it must not be finalized.
    pub period: String,
    /// The component overridden.
    #[schema(value_type = result_schema::ComponentName)]
    pub component: Component,
    /// Why.
    pub reason_type: ReasonType,
    /// What happened, for the seller and the auditors.
    #[schema(min_length = 1, max_length = 2000)]
    pub note: String,
    /// The one effect.
    pub effect: EffectBody,
}

/// A stored exception.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExceptionView {
    /// Its id, shown in the explanation of the results it changes.
    pub id: i64,
    /// The seller.
    pub seller_code: String,
    /// The period.
    pub period: String,
    /// The component.
    #[schema(value_type = result_schema::ComponentName)]
    pub component: Component,
    /// Why.
    #[schema(value_type = result_schema::ExceptionReason)]
    pub reason_type: ExceptionReason,
    /// The author's note.
    pub note: String,
    /// What it does.
    #[schema(value_type = result_schema::ExceptionEffect)]
    pub effect: ExceptionEffect,
    /// The key that made it.
    pub created_by: String,
    /// When.
    pub created_at: DateTime<Utc>,
    /// True until revoked.
    pub is_active: bool,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Who revoked it.
    pub revoked_by: Option<String>,
    /// The appeal it came from.
    pub appeal_id: Option<i64>,
}

impl From<ExceptionRecord> for ExceptionView {
    fn from(r: ExceptionRecord) -> Self {
        let active = r.is_active();
        let e = r.exception;
        Self {
            id: e.id,
            seller_code: e.seller_code.to_string(),
            period: e.period.to_string(),
            component: e.component,
            reason_type: e.reason_type,
            note: e.note,
            effect: e.effect,
            created_by: e.created_by,
            created_at: r.created_at,
            is_active: active,
            revoked_at: r.revoked_at,
            revoked_by: r.revoked_by,
            appeal_id: e.appeal_id,
        }
    }
}

/// A new exception, and what to do to apply it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedExceptionView {
    /// The exception.
    #[serde(flatten)]
    pub exception: ExceptionView,
    /// What to do next: recalculate the period.
    #[schema(example = "recalculate 2026-02 (POST /api/sos/monthly/calculate) to apply it")]
    pub hint: String,
}

/// Exceptions, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExceptionList {
    /// The exceptions.
    pub items: Vec<ExceptionView>,
    /// How many.
    pub total: u64,
}

/// The filters of `GET /api/sos/exceptions`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExceptionQuery {
    /// Only this seller's.
    pub seller_code: Option<String>,
    /// Only this period's.
    pub period: Option<String>,
    /// Only active ones.
    pub active_only: Option<bool>,
}

/// What an appeal is about: a component, or the total.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppealTargetName {
    /// Planning.
    PScore,
    /// Orders.
    OScore,
    /// Tickets.
    TScore,
    /// Finance.
    FScore,
    /// Inventory.
    IScore,
    /// The total (the AM review names the component it adjusts).
    Total,
}

/// A link to evidence.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceBody {
    /// What it shows.
    #[schema(min_length = 1, max_length = 200)]
    pub label: String,
    /// Where it is.
    #[schema(
        pattern = r"^https?://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,4})?(/[!-~]*)?$",
        max_length = 2000
    )]
    pub url: String,
}

/// `POST /api/sos/appeals`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"seller_code": "SEL001", "period": "2026-02", "component": "o_score", "reason_type": "system_sync_error", "description": "The OMS pushed February's orders twice; the late share is wrong.", "evidence": [{"label": "OMS incident 42", "url": "https://status.example.com/incidents/42"}]}))]
pub struct NewAppealBody {
    /// The seller.
    pub seller_code: String,
    /// The period, `YYYY-MM`, with a stored result.
    pub period: String,
    /// The component appealed, or `total`.
    #[schema(value_type = AppealTargetName)]
    pub component: AppealTarget,
    /// Why.
    pub reason_type: ReasonType,
    /// What is wrong with the score.
    #[schema(min_length = 1, max_length = 5000)]
    pub description: String,
    /// Links to evidence (at most 20).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub evidence: Vec<EvidenceBody>,
}

/// `POST /api/sos/appeals/{id}/review-ops`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decision": "approve", "note": "OMS logs confirm the double push"}))]
pub struct OpsReviewBody {
    /// Approve (on to the AM review) or reject.
    #[schema(value_type = OpsDecisionName)]
    pub decision: OpsDecision,
    /// Why.
    #[serde(default)]
    pub note: Option<String>,
}

/// Ops' decisions.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OpsDecisionName {
    /// On to the AM review.
    Approve,
    /// Close the appeal.
    Reject,
}

/// The AM review's decisions.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AmDecisionName {
    /// Adjust as asked.
    Approve,
    /// Adjust, not all the way.
    PartiallyApprove,
    /// Close the appeal.
    Reject,
}

/// `POST /api/sos/appeals/{id}/review-am`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decision": "approve", "note": "Adjusted to the OMS's corrected figures", "score_adjustment": 95}))]
pub struct AmReviewBody {
    /// Approve, partially approve or reject.
    #[schema(value_type = AmDecisionName)]
    pub decision: AmDecision,
    /// Why.
    #[serde(default)]
    pub note: Option<String>,
    /// The component adjusted: required for an appeal on the total, else the appeal's.
    #[serde(default)]
    #[schema(value_type = Option<result_schema::ComponentName>)]
    pub component: Option<Component>,
    /// The component's new score (0 to its `max_points`, 2 dp), required unless rejecting.
    #[serde(default, deserialize_with = "number::opt_decimal")]
    #[schema(value_type = Option<f64>, minimum = 0)]
    pub score_adjustment: Option<Decimal>,
}

/// An appeal's status.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppealStatusName {
    /// Filed; waiting for ops.
    Pending,
    /// Waiting for the AM review.
    UnderReview,
    /// Approved as asked.
    Approved,
    /// Approved with another adjustment.
    PartiallyApproved,
    /// Rejected at either level.
    Rejected,
    /// A level missed its deadline.
    Expired,
}

/// One step of an appeal.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppealStepView {
    /// When.
    pub at: DateTime<Utc>,
    /// The key (`system` for an expiry).
    pub actor: String,
    /// The status before; null when filed.
    #[schema(value_type = Option<AppealStatusName>)]
    pub from: Option<AppealStatus>,
    /// The status after.
    #[schema(value_type = AppealStatusName)]
    pub to: AppealStatus,
    /// The note given.
    pub note: Option<String>,
}

impl From<AppealStep> for AppealStepView {
    fn from(s: AppealStep) -> Self {
        Self {
            at: s.at,
            actor: s.actor,
            from: s.from,
            to: s.to,
            note: s.note,
        }
    }
}

/// An appeal with its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppealView {
    /// Its id.
    pub id: i64,
    /// The seller.
    pub seller_code: String,
    /// The period.
    pub period: String,
    /// The component appealed, or `total`.
    #[schema(value_type = AppealTargetName)]
    pub component: AppealTarget,
    /// Where it stands.
    #[schema(value_type = AppealStatusName)]
    pub status: AppealStatus,
    /// Why.
    #[schema(value_type = result_schema::ExceptionReason)]
    pub reason_type: ExceptionReason,
    /// What is wrong with the score.
    pub description: String,
    /// Links to evidence.
    #[schema(value_type = Vec<EvidenceBody>)]
    pub evidence: Vec<Evidence>,
    /// The seller's AM when filed.
    pub am_id: Option<i64>,
    /// The key that filed it.
    pub filed_by: String,
    /// When.
    pub filed_at: DateTime<Utc>,
    /// The key that decided at the ops level.
    pub ops_reviewed_by: Option<String>,
    /// When.
    pub ops_reviewed_at: Option<DateTime<Utc>>,
    /// The key that decided at the AM level.
    pub am_reviewed_by: Option<String>,
    /// When.
    pub am_reviewed_at: Option<DateTime<Utc>>,
    /// When the review due now must be decided by (while open).
    pub deadline: Option<DateTime<Utc>>,
    /// The adjustment granted (exact decimal).
    #[schema(value_type = Option<f64>)]
    pub score_adjustment: Option<Decimal>,
    /// The exception the approval made.
    pub exception_id: Option<i64>,
    /// Every step, oldest first.
    pub history: Vec<AppealStepView>,
}

impl AppealView {
    /// The view, with the deadline `rules` give.
    pub fn new(r: AppealRecord, rules: &AppealRules) -> Self {
        let deadline = appeal::deadline(&r.appeal, rules);
        let a = r.appeal;
        Self {
            id: a.id,
            seller_code: a.seller_code.to_string(),
            period: a.period.to_string(),
            component: a.target,
            status: a.status,
            reason_type: r.reason_type,
            description: r.description,
            evidence: r.evidence,
            am_id: r.am_id.map(sos_domain::AmId::get),
            filed_by: a.filed_by,
            filed_at: a.filed_at,
            ops_reviewed_by: a.ops_reviewed_by,
            ops_reviewed_at: a.ops_reviewed_at,
            am_reviewed_by: a.am_reviewed_by,
            am_reviewed_at: a.am_reviewed_at,
            deadline,
            score_adjustment: r.score_adjustment,
            exception_id: r.exception_id,
            history: r.history.into_iter().map(Into::into).collect(),
        }
    }
}

/// One page of appeals, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppealPage {
    /// The appeals.
    pub items: Vec<AppealView>,
    /// Page, from 1.
    pub page: u32,
    /// Rows per page.
    pub limit: u32,
    /// Rows across all pages.
    pub total: u64,
}

/// The filters of `GET /api/sos/appeals`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AppealQuery {
    /// Only this status.
    #[param(value_type = Option<AppealStatusName>)]
    pub status: Option<AppealStatus>,
    /// Only this seller's.
    pub seller_code: Option<String>,
    /// Only this period's.
    pub period: Option<String>,
    /// Only appeals on this AM's sellers.
    #[param(minimum = 1)]
    pub am_id: Option<i64>,
    /// Page, from 1.
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Rows per page, 1-500 (default 20).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}
