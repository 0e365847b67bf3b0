//! Config rows on the wire: the body fields of the type plus the server's fields.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

/// Filters of `GET /api/config/{type}`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConfigQuery {
    /// Include soft-deleted rows.
    pub include_inactive: Option<bool>,
    /// Only rows effective on this day, picked by each type's rule.
    pub effective_on: Option<NaiveDate>,
}

/// The config types, for the path parameter's enum.
pub const CONFIG_TYPES: [&str; 12] = [
    "score-weights",
    "tiers",
    "p-score",
    "o-score",
    "t-score",
    "f-score",
    "i-score",
    "surcharge",
    "am-bonus-penalty",
    "am-kpi-weight",
    "grace-period",
    "helpdesk",
];
