//! The configuration one calculation uses, after the rows effective for the period were picked.

use super::params::{
    AmBonusPenaltyConfig, AmKpiWeightConfig, FScoreTierConfig, GracePeriodConfig, IScoreConfig,
    OScoreConfig, PScoreConfig, ScoreWeightConfig, TScoreTierConfig, TierConfig,
};
use crate::{component::PerComponent, inputs::CampaignType, surcharge::SurchargeRule};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The id of a stored config row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConfigId(pub i64);

impl fmt::Display for ConfigId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A config value and the row it came from. `id` is `None` when the value is the built-in
/// default because no row was effective, so an explanation can say so.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resolved<T> {
    /// The row's id, or `None` for the built-in default.
    pub id: Option<ConfigId>,
    /// The value.
    pub value: T,
}

impl<T> Resolved<T> {
    /// A value from row `id`.
    pub fn from_row(id: ConfigId, value: T) -> Self {
        Self {
            id: Some(id),
            value,
        }
    }

    /// A built-in default.
    pub fn default_value(value: T) -> Self {
        Self { id: None, value }
    }
}

/// Everything a calculation needs, resolved for one date. Built by
/// [`resolve_config`](super::resolve_config) from stored rows, or by
/// [`ResolvedConfig::defaults`] from the spec's defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResolvedConfig {
    /// The date the rows were resolved for (the period's last day).
    pub resolution_date: NaiveDate,
    /// One weight per component.
    pub weights: PerComponent<Resolved<ScoreWeightConfig>>,
    /// The tier ladder, in any order.
    pub tiers: Vec<Resolved<TierConfig>>,
    /// Planning rules for major campaigns.
    pub p_score_major: Resolved<PScoreConfig>,
    /// Planning rules for mini campaigns.
    pub p_score_mini: Resolved<PScoreConfig>,
    /// Order rules.
    pub o_score: Resolved<OScoreConfig>,
    /// Ticket bands.
    pub t_score: Vec<Resolved<TScoreTierConfig>>,
    /// Payment bands.
    pub f_score: Vec<Resolved<FScoreTierConfig>>,
    /// Inventory rules.
    pub i_score: Resolved<IScoreConfig>,
    /// Grace rules.
    pub grace: Resolved<GracePeriodConfig>,
    /// Every effective surcharge rule.
    pub surcharges: Vec<SurchargeRule>,
    /// AM KPI weights.
    pub am_kpi_weights: Vec<Resolved<AmKpiWeightConfig>>,
    /// AM bonus and penalty bands.
    pub am_bonus_penalty: Vec<Resolved<AmBonusPenaltyConfig>>,
}

impl ResolvedConfig {
    /// The planning rules for `campaign_type`.
    pub fn p_score(&self, campaign_type: CampaignType) -> &Resolved<PScoreConfig> {
        match campaign_type {
            CampaignType::MajorCampaign => &self.p_score_major,
            CampaignType::MiniCampaign => &self.p_score_mini,
        }
    }
}
