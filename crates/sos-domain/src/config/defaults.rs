//! The built-in configuration of scoring-rules.md ("Default configuration"): used when no row
//! of a type applies, and seeded into a new database so a calculation works out of the box.

use super::params::{
    default_tiers, AmBonusPenaltyConfig, AmKpiWeightConfig, FScoreTierConfig, GracePeriodConfig,
    IScoreConfig, OScoreConfig, PScoreConfig, ScoreWeightConfig, SurchargeConfig, TScoreTierConfig,
};
use super::resolved::{Resolved, ResolvedConfig};
use super::types::{ConfigBody, ConfigDraft, ConfigRecord, ConfigType};
use crate::{
    component::{Component, PerComponent},
    inputs::CampaignType,
    surcharge::{CompareOp, Condition, ConditionValue, Metric, SurchargeAction, SurchargeRule},
};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// The `effective_from` of every seeded row (2000-01-01), early enough to cover any period.
pub const DEFAULT_EFFECTIVE_FROM: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// The default weights: p 25, o 20, t 20, f 20, i 15, each out of 100 points.
pub fn default_score_weights() -> PerComponent<ScoreWeightConfig> {
    PerComponent::from_fn(|c| ScoreWeightConfig {
        score_component: c,
        weight_pct: Decimal::from(match c {
            Component::P => 25,
            Component::O | Component::T | Component::F => 20,
            Component::I => 15,
        }),
        max_points: Decimal::ONE_HUNDRED,
    })
}

/// The default surcharge rules: severe aging (`aging_over_180d_pct >= 30`) multiplies the
/// storage fee by 1.5; two Warning months in a row add 5% to the fulfillment fee; an invoice
/// more than 30 days late (`worst_days_late > 30`) blocks the seller's orders
/// (scoring-rules.md, "Order blocking").
pub fn default_surcharge_rules() -> Vec<SurchargeConfig> {
    let tier_is = |metric: Metric| Condition::Compare {
        metric,
        op: CompareOp::Eq,
        value: ConditionValue::Text("Warning".to_owned()),
    };
    vec![
        SurchargeConfig {
            surcharge_type: "storage".to_owned(),
            trigger_condition: Condition::Compare {
                metric: Metric::AgingOver180dPct,
                op: CompareOp::Ge,
                value: ConditionValue::Number(Decimal::from(30)),
            },
            action: SurchargeAction::FeeMultiplier {
                fee: "storage".to_owned(),
                value: Decimal::new(15, 1),
            },
            description: Some(
                "Severe aging: 30% or more of stock older than 180 days multiplies the storage \
                 fee by 1.5"
                    .to_owned(),
            ),
        },
        SurchargeConfig {
            surcharge_type: "fulfillment".to_owned(),
            trigger_condition: Condition::All(vec![
                tier_is(Metric::Tier),
                tier_is(Metric::PreviousTier),
            ]),
            action: SurchargeAction::PercentFee {
                fee: "fulfillment".to_owned(),
                pct: Decimal::from(5),
            },
            description: Some(
                "Two Warning months in a row add 5% to the fulfillment fee".to_owned(),
            ),
        },
        SurchargeConfig {
            surcharge_type: "orders".to_owned(),
            trigger_condition: Condition::Compare {
                metric: Metric::WorstDaysLate,
                op: CompareOp::Gt,
                value: ConditionValue::Number(Decimal::from(30)),
            },
            action: SurchargeAction::BlockOrders {
                reason: "An invoice is more than 30 days late".to_owned(),
            },
            description: Some(
                "An invoice more than 30 days late blocks the seller's orders until payments \
                 show none"
                    .to_owned(),
            ),
        },
    ]
}

impl ResolvedConfig {
    /// The spec's defaults resolved for `resolution_date`, every id `None`: what a calculation
    /// uses with no database, and what resolving the seeded rows gives (ids aside).
    pub fn defaults(resolution_date: NaiveDate) -> Self {
        let weights = default_score_weights();
        Self {
            resolution_date,
            weights: PerComponent::from_fn(|c| Resolved::default_value(weights.get(c).clone())),
            tiers: default_tiers()
                .into_iter()
                .map(Resolved::default_value)
                .collect(),
            p_score_major: Resolved::default_value(PScoreConfig::default_for(
                CampaignType::MajorCampaign,
            )),
            p_score_mini: Resolved::default_value(PScoreConfig::default_for(
                CampaignType::MiniCampaign,
            )),
            o_score: Resolved::default_value(OScoreConfig::default()),
            t_score: TScoreTierConfig::defaults()
                .into_iter()
                .map(Resolved::default_value)
                .collect(),
            f_score: FScoreTierConfig::defaults()
                .into_iter()
                .map(Resolved::default_value)
                .collect(),
            i_score: Resolved::default_value(IScoreConfig::default()),
            grace: Resolved::default_value(GracePeriodConfig::default()),
            surcharges: default_surcharge_rules()
                .into_iter()
                .map(|s| SurchargeRule {
                    id: None,
                    surcharge_type: s.surcharge_type,
                    condition: s.trigger_condition,
                    action: s.action,
                })
                .collect(),
            am_kpi_weights: AmKpiWeightConfig::defaults()
                .into_iter()
                .map(Resolved::default_value)
                .collect(),
            am_bonus_penalty: AmBonusPenaltyConfig::defaults()
                .into_iter()
                .map(Resolved::default_value)
                .collect(),
        }
    }
}

/// Every default row as a draft to seed a new database: dated rows from
/// [`DEFAULT_EFFECTIVE_FROM`], p-score rows without dates. Helpdesk has no default (its
/// secrets are per installation). Grouped by type in [`ConfigType::ALL`] order.
pub fn default_config_drafts() -> Vec<ConfigDraft> {
    ConfigType::ALL
        .into_iter()
        .flat_map(default_drafts_for)
        .collect()
}

/// The default rows of one type as drafts (none for `helpdesk`).
pub fn default_drafts_for(config_type: ConfigType) -> Vec<ConfigDraft> {
    let bodies: Vec<ConfigBody> = match config_type {
        ConfigType::ScoreWeights => {
            let w = default_score_weights();
            Component::ALL
                .into_iter()
                .map(|c| ConfigBody::ScoreWeights(w.get(c).clone()))
                .collect()
        }
        ConfigType::Tiers => default_tiers().into_iter().map(ConfigBody::Tier).collect(),
        ConfigType::PScore => CampaignType::ALL
            .into_iter()
            .map(|t| ConfigBody::PScore(PScoreConfig::default_for(t)))
            .collect(),
        ConfigType::OScore => vec![ConfigBody::OScore(OScoreConfig::default())],
        ConfigType::TScore => TScoreTierConfig::defaults()
            .into_iter()
            .map(ConfigBody::TScore)
            .collect(),
        ConfigType::FScore => FScoreTierConfig::defaults()
            .into_iter()
            .map(ConfigBody::FScore)
            .collect(),
        ConfigType::IScore => vec![ConfigBody::IScore(IScoreConfig::default())],
        ConfigType::Surcharge => default_surcharge_rules()
            .into_iter()
            .map(ConfigBody::Surcharge)
            .collect(),
        ConfigType::AmBonusPenalty => AmBonusPenaltyConfig::defaults()
            .into_iter()
            .map(ConfigBody::AmBonusPenalty)
            .collect(),
        ConfigType::AmKpiWeight => AmKpiWeightConfig::defaults()
            .into_iter()
            .map(ConfigBody::AmKpiWeight)
            .collect(),
        ConfigType::GracePeriod => vec![ConfigBody::GracePeriod(GracePeriodConfig::default())],
        ConfigType::Helpdesk => Vec::new(),
    };
    let from = config_type
        .has_effective_dates()
        .then_some(DEFAULT_EFFECTIVE_FROM);
    bodies
        .into_iter()
        .map(|body| ConfigDraft {
            effective_from: from,
            effective_to: None,
            body,
        })
        .collect()
}

/// The default drafts still to seed given the rows already stored: those of every type that
/// has no row at all, active or not. Seeding is thus idempotent and never overwrites or
/// revives what a user wrote or deleted.
pub fn default_drafts_to_seed(existing: &[ConfigRecord]) -> Vec<ConfigDraft> {
    ConfigType::ALL
        .into_iter()
        .filter(|t| !existing.iter().any(|r| r.config_type == *t))
        .flat_map(default_drafts_for)
        .collect()
}
