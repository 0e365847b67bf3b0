//! The config rows a result was computed with.

use crate::{component::PerComponent, config::ConfigId};
use serde::{Deserialize, Serialize};

/// The p-score rows of both campaign types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PScoreIds {
    /// The major-campaign row.
    pub major_campaign: Option<ConfigId>,
    /// The mini-campaign row.
    pub mini_campaign: Option<ConfigId>,
}

/// Every config row a calculation consulted, so the result can be reproduced after the
/// config changed. `None` (or an empty list) means the built-in default was used.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ConfigIds {
    /// The score-weights row of each component.
    pub score_weights: PerComponent<Option<ConfigId>>,
    /// The tier set the tier was picked from.
    pub tiers: Vec<ConfigId>,
    /// The p-score rows.
    pub p_score: PScoreIds,
    /// The o-score row.
    pub o_score: Option<ConfigId>,
    /// The t-score band set.
    pub t_score: Vec<ConfigId>,
    /// The f-score band set.
    pub f_score: Vec<ConfigId>,
    /// The i-score row.
    pub i_score: Option<ConfigId>,
    /// The grace-period row.
    pub grace_period: Option<ConfigId>,
    /// Every surcharge rule evaluated.
    pub surcharges: Vec<ConfigId>,
}
