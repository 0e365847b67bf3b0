//! The scored result of one seller for one period: what is stored, shown and explained.
//!
//! The JSON form is the result shape of the HTTP contract, and it reads back into the same
//! value (results are stored as JSON text and served later), so every type here both serializes
//! and deserializes, exactly.

use super::{
    f::FExplanation, grace::GraceOutcome, i::IExplanation, ids::ConfigIds, o::OExplanation,
    p::PExplanation, t::TExplanation,
};
use crate::{
    codes::{SellerCode, TierName},
    component::{Component, PerComponent},
    exception::AppliedException,
    period::Period,
    surcharge::TriggeredSurcharge,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};

/// Whether a seller got a total this period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreStatus {
    /// At least one weighted component was scored: there is a total and a tier.
    Scored,
    /// No component could be scored (or only components weighing 0): no total, no tier.
    InsufficientData,
    /// Scored again in its finalized period after an approved appeal; the original is kept
    /// in the seller's score history.
    Recalculated,
}

impl ScoreStatus {
    /// The wire name (`scored`, `insufficient_data`).
    pub fn as_str(self) -> &'static str {
        match self {
            ScoreStatus::Scored => "scored",
            ScoreStatus::InsufficientData => "insufficient_data",
            ScoreStatus::Recalculated => "recalculated",
        }
    }
}

/// Whether a component took part in the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentStatus {
    /// Scored and counted.
    Scored,
    /// No data for the period: left out, its weight shared among the others.
    NotApplicable,
}

/// Why a component is not applicable, so a seller knows what data is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotApplicableReason {
    /// No data of this kind arrived for the period.
    NoData,
    /// The data counts nothing (0 orders, 0 tickets, 0 invoices).
    ZeroTotal,
    /// The data lacks the figure the rule needs (a late count, an aging share, ...).
    MissingFigures,
    /// No campaign of the period has an actual volume yet.
    NoScoredCampaigns,
    /// An exception left the component out.
    ExcludedByException,
}

/// The explanation of one component, whichever it is. Its JSON is the inner explanation alone;
/// which one it is follows from the key it sits under.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ComponentExplanation {
    /// Planning.
    P(PExplanation),
    /// Orders.
    O(OExplanation),
    /// Tickets.
    T(TExplanation),
    /// Finance.
    F(FExplanation),
    /// Inventory.
    I(IExplanation),
}

impl ComponentExplanation {
    /// The P explanation, if this is one.
    pub fn as_p(&self) -> Option<&PExplanation> {
        match self {
            ComponentExplanation::P(e) => Some(e),
            _ => None,
        }
    }
    /// The O explanation, if this is one.
    pub fn as_o(&self) -> Option<&OExplanation> {
        match self {
            ComponentExplanation::O(e) => Some(e),
            _ => None,
        }
    }
    /// The T explanation, if this is one.
    pub fn as_t(&self) -> Option<&TExplanation> {
        match self {
            ComponentExplanation::T(e) => Some(e),
            _ => None,
        }
    }
    /// The F explanation, if this is one.
    pub fn as_f(&self) -> Option<&FExplanation> {
        match self {
            ComponentExplanation::F(e) => Some(e),
            _ => None,
        }
    }
    /// The I explanation, if this is one.
    pub fn as_i(&self) -> Option<&IExplanation> {
        match self {
            ComponentExplanation::I(e) => Some(e),
            _ => None,
        }
    }
}

/// One component of a result: its score after grace, the score before, its weight, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentResult {
    /// Scored or not applicable.
    pub status: ComponentStatus,
    /// The score after grace, 2 dp; `None` when not applicable.
    pub score: Option<Decimal>,
    /// The score the rule gave, before grace raised it.
    pub score_before_grace: Option<Decimal>,
    /// `score / max_points * 100`, full precision: what the total weighs.
    pub normalized: Option<Decimal>,
    /// The component's weight in the total, in percent.
    pub weight_pct: Decimal,
    /// The most points the component can score.
    pub max_points: Decimal,
    /// Why the component is not applicable; `None` when scored.
    pub not_applicable_reason: Option<NotApplicableReason>,
    /// Every input, config value and intermediate figure the rule names.
    pub explanation: ComponentExplanation,
    /// The exception that overrode what the rule gave, if one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<AppliedException>,
}

impl ComponentResult {
    /// True when the component counted in the total.
    pub fn is_scored(&self) -> bool {
        self.status == ComponentStatus::Scored
    }
}

/// The tier above the seller's, and how far it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextTier {
    /// The tier.
    pub tier: TierName,
    /// Its minimum SOS.
    pub min_sos_score: Decimal,
    /// `min_sos_score - sos_score`.
    pub points_needed: Decimal,
}

/// One seller's score for one period, with everything needed to explain it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreResult {
    /// The seller; `None` for a preview.
    pub seller_code: Option<SellerCode>,
    /// The period scored.
    pub period: Period,
    /// Scored, or insufficient data.
    pub status: ScoreStatus,
    /// The total, 0-100, 2 dp; `None` when insufficient data.
    pub sos_score: Option<Decimal>,
    /// The tier reached; `None` when insufficient data.
    pub tier: Option<TierName>,
    /// The five components.
    #[serde(deserialize_with = "deserialize_components")]
    pub components: PerComponent<ComponentResult>,
    /// What grace did.
    pub grace: GraceOutcome,
    /// Surcharge rules that triggered.
    pub surcharges: Vec<TriggeredSurcharge>,
    /// The next tier up; `None` at the top tier or when insufficient data.
    pub next_tier: Option<NextTier>,
    /// Every config row used.
    pub config_ids: ConfigIds,
}

impl ScoreResult {
    /// Scored or insufficient data.
    pub fn status(&self) -> ScoreStatus {
        self.status
    }

    /// The total, when there is one.
    pub fn sos_score(&self) -> Option<Decimal> {
        self.sos_score
    }

    /// The tier, when there is one.
    pub fn tier(&self) -> Option<&TierName> {
        self.tier.as_ref()
    }

    /// The component `c`.
    pub fn component(&self, c: Component) -> &ComponentResult {
        self.components.get(c)
    }

    /// The score of `c` after grace; `None` when not applicable.
    pub fn component_score(&self, c: Component) -> Option<Decimal> {
        self.components.get(c).score
    }
}

/// The stored form of one component, typed by the key it sits under.
#[derive(Deserialize)]
struct StoredComponent<E> {
    status: ComponentStatus,
    score: Option<Decimal>,
    score_before_grace: Option<Decimal>,
    #[serde(default)]
    normalized: Option<Decimal>,
    weight_pct: Decimal,
    max_points: Decimal,
    #[serde(default)]
    not_applicable_reason: Option<NotApplicableReason>,
    explanation: E,
    #[serde(default)]
    exception: Option<AppliedException>,
}

impl<E> StoredComponent<E> {
    fn into_result(self, wrap: fn(E) -> ComponentExplanation) -> ComponentResult {
        ComponentResult {
            status: self.status,
            score: self.score,
            score_before_grace: self.score_before_grace,
            normalized: self.normalized,
            weight_pct: self.weight_pct,
            max_points: self.max_points,
            not_applicable_reason: self.not_applicable_reason,
            explanation: wrap(self.explanation),
            exception: self.exception,
        }
    }
}

#[derive(Deserialize)]
struct StoredComponents {
    p_score: StoredComponent<PExplanation>,
    o_score: StoredComponent<OExplanation>,
    t_score: StoredComponent<TExplanation>,
    f_score: StoredComponent<FExplanation>,
    i_score: StoredComponent<IExplanation>,
}

/// Reads the components back: each key says which explanation it holds, so no guessing from
/// the shape is needed.
fn deserialize_components<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<PerComponent<ComponentResult>, D::Error> {
    let stored = StoredComponents::deserialize(d)?;
    Ok(PerComponent {
        p_score: stored.p_score.into_result(ComponentExplanation::P),
        o_score: stored.o_score.into_result(ComponentExplanation::O),
        t_score: stored.t_score.into_result(ComponentExplanation::T),
        f_score: stored.f_score.into_result(ComponentExplanation::F),
        i_score: stored.i_score.into_result(ComponentExplanation::I),
    })
}
