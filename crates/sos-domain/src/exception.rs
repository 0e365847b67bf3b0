//! Exceptions: ops overriding one component of one seller's period when its data was wrong.
//! The engine applies them after the five components and before grace and the weights, and
//! the result keeps what the rule gave, so the seller sees both.

use crate::{
    scoring::{ComponentResult, ComponentStatus, NotApplicableReason},
    Component, Decimal, PerComponent, Period, SellerCode, ValidationErrors,
};
use serde::{Deserialize, Serialize};

/// The longest note accepted, in characters.
pub const MAX_NOTE_LEN: usize = 2_000;

/// Why a component is overridden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionReason {
    /// The data synced was wrong or incomplete.
    SystemSyncError,
    /// Events outside the seller's control.
    ForceMajeure,
    /// The warehouse, not the seller, caused the figures.
    WarehouseFault,
    /// A marketplace changed how it ranks or routes orders.
    MarketplaceAlgorithmChange,
    /// Anything else; the note says what.
    Other,
    /// An approved appeal (made by the appeal, never by hand).
    Appeal,
}

/// What an exception does to its component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ExceptionEffect {
    /// The component scores `value` (0 to its `max_points`) whatever the rule gave.
    SetScore {
        /// The score, 2 dp at most.
        value: Decimal,
    },
    /// The component is left out, its weight shared among the others, as for missing data.
    Exclude,
}

/// A stored exception, as the calculation applies it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreException {
    /// Row id.
    pub id: i64,
    /// The seller.
    pub seller_code: SellerCode,
    /// The period.
    pub period: Period,
    /// The component overridden.
    pub component: Component,
    /// Why.
    pub reason_type: ExceptionReason,
    /// What happened, in the author's words.
    pub note: String,
    /// What it does.
    pub effect: ExceptionEffect,
    /// The API key name that made it.
    pub created_by: String,
    /// The appeal it came from, if any.
    pub appeal_id: Option<i64>,
}

/// What an exception changed, as the result's component shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedException {
    /// The exception's id.
    pub id: i64,
    /// Why.
    pub reason_type: ExceptionReason,
    /// The author's note.
    pub note: String,
    /// Who made it.
    pub author: String,
    /// What it did.
    pub effect: ExceptionEffect,
    /// The appeal it came from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appeal_id: Option<i64>,
    /// The status the rule gave.
    pub original_status: ComponentStatus,
    /// The score the rule gave (`None` when it was not applicable).
    pub original_score: Option<Decimal>,
}

/// An exception before it is stored: checked against the component's `max_points`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionDraft {
    seller_code: SellerCode,
    period: Period,
    component: Component,
    reason_type: ExceptionReason,
    note: String,
    effect: ExceptionEffect,
    appeal_id: Option<i64>,
}

impl ExceptionDraft {
    /// Checks an exception. `max_points` is the component's maximum in the configuration
    /// effective for the period. `appeal` is allowed only for exceptions made by an appeal.
    ///
    /// # Errors
    /// Every bad field: a blank or overlong note, a score outside `[0, max_points]` or with
    /// more than 2 decimals, the `appeal` reason given by hand.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        seller_code: SellerCode,
        period: Period,
        component: Component,
        reason_type: ExceptionReason,
        note: &str,
        effect: ExceptionEffect,
        max_points: Decimal,
        appeal_id: Option<i64>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let note = note.trim();
        if note.is_empty() {
            errors.push("note", "must say why the component is overridden");
        } else {
            crate::text::check_text(&mut errors, "note", note, MAX_NOTE_LEN, true);
        }
        if reason_type == ExceptionReason::Appeal && appeal_id.is_none() {
            errors.push(
                "reason_type",
                "appeal is set by an approved appeal; choose system_sync_error, force_majeure, \
                 warehouse_fault, marketplace_algorithm_change or other",
            );
        }
        if let ExceptionEffect::SetScore { value } = effect {
            if value < Decimal::ZERO || value > max_points {
                errors.push(
                    "effect.value",
                    format!(
                        "must be between 0 and {max_points}, the {} maximum",
                        component.as_str()
                    ),
                );
            } else if value.normalize().scale() > 2 {
                errors.push("effect.value", "must have at most 2 decimals");
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            seller_code,
            period,
            component,
            reason_type,
            note: note.to_string(),
            effect,
            appeal_id,
        })
    }

    /// The seller.
    pub fn seller_code(&self) -> &SellerCode {
        &self.seller_code
    }
    /// The period.
    pub fn period(&self) -> Period {
        self.period
    }
    /// The component.
    pub fn component(&self) -> Component {
        self.component
    }
    /// Why.
    pub fn reason_type(&self) -> ExceptionReason {
        self.reason_type
    }
    /// The note, trimmed.
    pub fn note(&self) -> &str {
        &self.note
    }
    /// What it does.
    pub fn effect(&self) -> ExceptionEffect {
        self.effect
    }
    /// The appeal it comes from.
    pub fn appeal_id(&self) -> Option<i64> {
        self.appeal_id
    }
}

/// Applies `exceptions` (those of the seller and period, at most one per component) to the
/// components as the rules scored them. Grace and the weights come after.
pub fn apply_exceptions(
    components: &mut PerComponent<ComponentResult>,
    exceptions: &[ScoreException],
) {
    for e in exceptions {
        let part = components.get_mut(e.component);
        let applied = AppliedException {
            id: e.id,
            reason_type: e.reason_type,
            note: e.note.clone(),
            author: e.created_by.clone(),
            effect: e.effect,
            appeal_id: e.appeal_id,
            original_status: part.status,
            original_score: part.score,
        };
        match e.effect {
            ExceptionEffect::SetScore { value } => {
                part.status = ComponentStatus::Scored;
                part.score = Some(value);
                part.score_before_grace = Some(value);
                part.not_applicable_reason = None;
            }
            ExceptionEffect::Exclude => {
                part.status = ComponentStatus::NotApplicable;
                part.score = None;
                part.score_before_grace = None;
                part.not_applicable_reason = Some(NotApplicableReason::ExcludedByException);
            }
        }
        part.exception = Some(applied);
    }
}
