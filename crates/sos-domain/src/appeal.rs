//! Appeals: an AM asks for a seller's finalized score to be looked at again, through two
//! levels of review (ops, then the AM's manager). The rules of who may file, who may decide,
//! and when a review is late are here; storing and re-scoring are the use cases' business.

use crate::{Component, Decimal, Period, SellerCode, ValidationErrors};
use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// Where an appeal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealStatus {
    /// Filed; waiting for ops.
    Pending,
    /// Ops approved it; waiting for the AM review.
    UnderReview,
    /// Approved with the adjustment asked.
    Approved,
    /// Approved with a different adjustment.
    PartiallyApproved,
    /// Rejected at either level.
    Rejected,
    /// A level did not decide by its deadline.
    Expired,
}

impl AppealStatus {
    /// True while a review is due.
    pub fn is_open(self) -> bool {
        matches!(self, AppealStatus::Pending | AppealStatus::UnderReview)
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            AppealStatus::Pending => "pending",
            AppealStatus::UnderReview => "under_review",
            AppealStatus::Approved => "approved",
            AppealStatus::PartiallyApproved => "partially_approved",
            AppealStatus::Rejected => "rejected",
            AppealStatus::Expired => "expired",
        }
    }
}

/// What an appeal is about: one component, or the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppealTarget {
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
    /// The total: the AM review names the component it adjusts.
    Total,
}

impl AppealTarget {
    /// The component, unless the appeal is about the total.
    pub fn component(self) -> Option<Component> {
        match self {
            AppealTarget::PScore => Some(Component::P),
            AppealTarget::OScore => Some(Component::O),
            AppealTarget::TScore => Some(Component::T),
            AppealTarget::FScore => Some(Component::F),
            AppealTarget::IScore => Some(Component::I),
            AppealTarget::Total => None,
        }
    }
}

/// Ops' decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpsDecision {
    /// Send it on to the AM review.
    Approve,
    /// Close it.
    Reject,
}

/// The AM review's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmDecision {
    /// Adjust as asked.
    Approve,
    /// Adjust, but not all the way.
    PartiallyApprove,
    /// Close it.
    Reject,
}

/// A link to evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// What it shows.
    pub label: String,
    /// Where it is (`http(s)://`).
    pub url: String,
}

/// The settings of appeals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppealRules {
    /// How long after a period's finalize an appeal may be filed.
    pub filing_window: TimeDelta,
    /// How long ops have from filing.
    pub ops_deadline: TimeDelta,
    /// How long the AM review has from ops' approval.
    pub am_deadline: TimeDelta,
    /// Appeals per seller, period and target.
    pub max_per_target: usize,
}

impl Default for AppealRules {
    fn default() -> Self {
        Self {
            filing_window: TimeDelta::days(30),
            ops_deadline: TimeDelta::days(5),
            am_deadline: TimeDelta::days(5),
            max_per_target: 2,
        }
    }
}

/// An appeal as its rules need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appeal {
    /// Row id.
    pub id: i64,
    /// The seller.
    pub seller_code: SellerCode,
    /// The period.
    pub period: Period,
    /// A component or the total.
    pub target: AppealTarget,
    /// Where it stands.
    pub status: AppealStatus,
    /// The key that filed it.
    pub filed_by: String,
    /// When.
    pub filed_at: DateTime<Utc>,
    /// The key that decided at the ops level.
    pub ops_reviewed_by: Option<String>,
    /// When ops decided.
    pub ops_reviewed_at: Option<DateTime<Utc>>,
    /// The key that decided at the AM level.
    pub am_reviewed_by: Option<String>,
    /// When the AM review decided.
    pub am_reviewed_at: Option<DateTime<Utc>>,
}

/// Why a filing or a review is refused (409, or 403 for separation of duties).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppealRefusal {
    /// No stored result for the seller and period.
    #[error("{seller} has no result for {period}; an appeal needs a stored score")]
    NoResult {
        /// The seller.
        seller: SellerCode,
        /// The period.
        period: Period,
    },
    /// Filed more than the window after finalize.
    #[error("{period} was finalized on {finalized_at}; appeals close {days} days after that")]
    WindowClosed {
        /// The period.
        period: Period,
        /// When it was finalized.
        finalized_at: DateTime<Utc>,
        /// The window in days.
        days: i64,
    },
    /// Another appeal on the same target is open.
    #[error("appeal {0} on the same score is still open; wait for its decision")]
    AlreadyOpen(i64),
    /// The appeals allowed on the target are used up.
    #[error("this score was appealed {0} times already; no further appeal is possible")]
    TooMany(usize),
    /// The second appeal comes only after the first was rejected.
    #[error("appeal {0} on the same score was not rejected; only a rejected appeal may be appealed again")]
    PreviousNotRejected(i64),
    /// The review is not the one due.
    #[error("appeal {id} is {status}; it cannot be reviewed at the {level} level now")]
    WrongLevel {
        /// The appeal.
        id: i64,
        /// Its status.
        status: &'static str,
        /// The level asked.
        level: &'static str,
    },
    /// The deadline passed.
    #[error("the {level} review of appeal {id} was due by {deadline}; it has expired")]
    Late {
        /// The appeal.
        id: i64,
        /// The level.
        level: &'static str,
        /// Its deadline.
        deadline: DateTime<Utc>,
    },
    /// Separation of duties.
    #[error("{0}")]
    SameReviewer(String),
}

impl AppealRefusal {
    /// True when the refusal is about who asks (403), not about the appeal's state (409).
    pub fn is_forbidden(&self) -> bool {
        matches!(self, AppealRefusal::SameReviewer(_))
    }
}

/// Checks a new appeal's text fields.
///
/// # Errors
/// Every bad field.
pub fn check_filing_fields(
    description: &str,
    evidence: &[Evidence],
) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let description = description.trim();
    if description.is_empty() {
        errors.push("description", "must say what is wrong with the score");
    } else {
        crate::text::check_text(&mut errors, "description", description, 5_000, true);
    }
    if evidence.len() > 20 {
        errors.push("evidence", "must list at most 20 links");
    }
    for (i, e) in evidence.iter().enumerate() {
        if e.label.trim().is_empty() {
            errors.push(
                format!("evidence[{i}].label"),
                "must be 1 to 200 characters",
            );
        } else {
            let field = format!("evidence[{i}].label");
            crate::text::check_text(&mut errors, &field, &e.label, 200, true);
        }
        let ok = url::Url::parse(&e.url)
            .map(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .unwrap_or(false);
        // The URL parser drops some control characters silently; refuse them first.
        if !ok || e.url.chars().count() > 2_000 || e.url.chars().any(char::is_control) {
            errors.push(
                format!("evidence[{i}].url"),
                "must be an http(s) URL of at most 2000 characters",
            );
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// May an appeal be filed now? `earlier` holds the appeals already filed on the same seller,
/// period and target; `finalized_at` is when the period was finalized, if it was.
///
/// # Errors
/// The rule the filing breaks.
pub fn check_filing(
    seller: &SellerCode,
    period: Period,
    has_result: bool,
    finalized_at: Option<DateTime<Utc>>,
    earlier: &[Appeal],
    now: DateTime<Utc>,
    rules: &AppealRules,
) -> Result<(), AppealRefusal> {
    if !has_result {
        return Err(AppealRefusal::NoResult {
            seller: seller.clone(),
            period,
        });
    }
    if let Some(at) = finalized_at {
        if now > at + rules.filing_window {
            return Err(AppealRefusal::WindowClosed {
                period,
                finalized_at: at,
                days: rules.filing_window.num_days(),
            });
        }
    }
    if let Some(open) = earlier.iter().find(|a| a.status.is_open()) {
        return Err(AppealRefusal::AlreadyOpen(open.id));
    }
    if earlier.len() >= rules.max_per_target {
        return Err(AppealRefusal::TooMany(earlier.len()));
    }
    if let Some(previous) = earlier.iter().find(|a| a.status != AppealStatus::Rejected) {
        return Err(AppealRefusal::PreviousNotRejected(previous.id));
    }
    Ok(())
}

/// When the review due now must be decided by, while the appeal is open.
pub fn deadline(appeal: &Appeal, rules: &AppealRules) -> Option<DateTime<Utc>> {
    match appeal.status {
        AppealStatus::Pending => Some(appeal.filed_at + rules.ops_deadline),
        AppealStatus::UnderReview => appeal.ops_reviewed_at.map(|t| t + rules.am_deadline),
        _ => None,
    }
}

/// True when the appeal is open and its deadline has passed at `now`.
pub fn is_late(appeal: &Appeal, rules: &AppealRules, now: DateTime<Utc>) -> bool {
    deadline(appeal, rules).is_some_and(|d| now > d)
}

/// The status after ops' `decision` by `reviewer` at `now`.
///
/// # Errors
/// Not pending, past its deadline, or reviewed by the key that filed it.
pub fn review_ops(
    appeal: &Appeal,
    decision: OpsDecision,
    reviewer: &str,
    now: DateTime<Utc>,
    rules: &AppealRules,
) -> Result<AppealStatus, AppealRefusal> {
    if appeal.status != AppealStatus::Pending {
        return Err(AppealRefusal::WrongLevel {
            id: appeal.id,
            status: appeal.status.as_str(),
            level: "ops",
        });
    }
    if let Some(d) = deadline(appeal, rules).filter(|d| now > *d) {
        return Err(AppealRefusal::Late {
            id: appeal.id,
            level: "ops",
            deadline: d,
        });
    }
    if appeal.filed_by == reviewer {
        return Err(AppealRefusal::SameReviewer(format!(
            "{reviewer} filed appeal {}; another key must review it",
            appeal.id
        )));
    }
    Ok(match decision {
        OpsDecision::Approve => AppealStatus::UnderReview,
        OpsDecision::Reject => AppealStatus::Rejected,
    })
}

/// The status after the AM review's `decision` by `reviewer` at `now`.
///
/// # Errors
/// Not under review, past its deadline, or reviewed by the key that filed it or decided at
/// the ops level.
pub fn review_am(
    appeal: &Appeal,
    decision: AmDecision,
    reviewer: &str,
    now: DateTime<Utc>,
    rules: &AppealRules,
) -> Result<AppealStatus, AppealRefusal> {
    if appeal.status != AppealStatus::UnderReview {
        return Err(AppealRefusal::WrongLevel {
            id: appeal.id,
            status: appeal.status.as_str(),
            level: "am",
        });
    }
    if let Some(d) = deadline(appeal, rules).filter(|d| now > *d) {
        return Err(AppealRefusal::Late {
            id: appeal.id,
            level: "am",
            deadline: d,
        });
    }
    if appeal.filed_by == reviewer {
        return Err(AppealRefusal::SameReviewer(format!(
            "{reviewer} filed appeal {}; another key must review it",
            appeal.id
        )));
    }
    if appeal.ops_reviewed_by.as_deref() == Some(reviewer) {
        return Err(AppealRefusal::SameReviewer(format!(
            "{reviewer} reviewed appeal {} at the ops level; one key cannot decide both levels",
            appeal.id
        )));
    }
    Ok(match decision {
        AmDecision::Approve => AppealStatus::Approved,
        AmDecision::PartiallyApprove => AppealStatus::PartiallyApproved,
        AmDecision::Reject => AppealStatus::Rejected,
    })
}

/// Checks a reviewer's note: at most 2000 characters, no control characters.
///
/// # Errors
/// When it breaks either rule.
pub fn check_note(note: Option<&str>) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if let Some(n) = note {
        crate::text::check_text(&mut errors, "note", n, 2_000, false);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Checks the AM review's adjustment: required unless rejecting, within `[0, max_points]`, at
/// most 2 decimals; for an appeal on the total, `component` names what it adjusts.
///
/// # Errors
/// Every bad field.
pub fn check_adjustment(
    target: AppealTarget,
    decision: AmDecision,
    component: Option<Component>,
    adjustment: Option<Decimal>,
    max_points: impl Fn(Component) -> Decimal,
) -> Result<Option<(Component, Decimal)>, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if decision == AmDecision::Reject {
        return Ok(None);
    }
    let component = match (target.component(), component) {
        (Some(c), None) => Some(c),
        (Some(c), Some(given)) if c == given => Some(c),
        (Some(c), Some(_)) => {
            errors.push(
                "component",
                format!("the appeal is about {}; adjust that component", c.as_str()),
            );
            None
        }
        (None, Some(given)) => Some(given),
        (None, None) => {
            errors.push(
                "component",
                "is required for an appeal on the total: name the component to adjust",
            );
            None
        }
    };
    let value = match adjustment {
        None => {
            errors.push(
                "score_adjustment",
                "is required unless the decision is reject",
            );
            None
        }
        Some(v) => Some(v),
    };
    if let (Some(c), Some(v)) = (component, value) {
        let max = max_points(c);
        if v < Decimal::ZERO || v > max {
            errors.push(
                "score_adjustment",
                format!("must be between 0 and {max}, the {} maximum", c.as_str()),
            );
        } else if v.normalize().scale() > 2 {
            errors.push("score_adjustment", "must have at most 2 decimals");
        }
    }
    match (component, value) {
        (Some(c), Some(v)) if errors.is_empty() => Ok(Some((c, v))),
        _ => Err(errors),
    }
}
