//! Picking the config rows that apply to a period (scoring-rules.md, "Periods and
//! configuration versions"), and refusing a calculation the rows cannot support.
//!
//! With `D` the period's last day and "effective" meaning active with
//! `effective_from <= D <= effective_to` (open end when null):
//! - single (o-score, i-score, grace-period): the effective row with the latest
//!   `effective_from`, ties broken by the highest id; the built-in default (`id: None`) when
//!   none is effective;
//! - keyed: score-weights per component likewise (no default: a missing weight refuses the
//!   calculation); p-score per campaign type and helpdesk per country ignore dates: the latest
//!   active row (latest `created_at`, then highest id), p-score falling back to its default;
//! - sets (tiers, t-score, f-score, am-kpi-weight, am-bonus-penalty): the effective rows
//!   sharing the latest `effective_from` among them; t/f/AM sets fall back to the built-in
//!   defaults when empty, tiers do not;
//! - surcharge: every effective row, in id order.
//!
//! Rows whose `config_type` disagrees with their body are ignored.

use super::params::{
    AmBonusPenaltyConfig, AmKpiWeightConfig, FScoreTierConfig, GracePeriodConfig, IScoreConfig,
    OScoreConfig, PScoreConfig, TScoreTierConfig, TierConfig,
};
use super::resolved::{ConfigId, Resolved, ResolvedConfig};
use super::sets::weight_sum;
use super::types::{ConfigBody, ConfigKind, ConfigRecord, ConfigType};
use crate::{
    component::{Component, PerComponent},
    inputs::CampaignType,
    period::Period,
    surcharge::SurchargeRule,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Why the configuration effective for a period cannot be used to calculate it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveProblem {
    /// Some components have no score-weights row effective on the date.
    #[error("has no score-weights row for {}", join_components(.0))]
    MissingWeights(Vec<Component>),
    /// The five effective weights do not sum to 100 (`None`: the sum overflowed).
    #[error("has score weights summing to {}, not 100", .0.map_or_else(|| "more than a decimal holds".to_owned(), |s| s.to_string()))]
    WeightSum(Option<Decimal>),
    /// No tier row is effective on the date.
    #[error("has no tier set")]
    NoTierSet,
    /// The effective tier set has no tier at `min_sos_score = 0`, so low scores get no tier.
    #[error("has a tier set (effective from {effective_from}) with no tier at min_sos_score = 0")]
    NoZeroTier {
        /// The `effective_from` shared by the set.
        effective_from: NaiveDate,
    },
}

fn join_components(list: &[Component]) -> String {
    list.iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A calculation of `period` was refused: every problem of the configuration effective on
/// `date` (the period's last day), so ops can fix them in one go.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "cannot calculate period {period}: the configuration effective on {date} {}",
    join_problems(.problems)
)]
pub struct ResolveError {
    /// The period asked for.
    pub period: Period,
    /// The resolution date, the period's last day.
    pub date: NaiveDate,
    /// What is wrong, at least one problem.
    pub problems: Vec<ResolveProblem>,
}

fn join_problems(problems: &[ResolveProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; and ")
}

fn of_type(rows: &[ConfigRecord], t: ConfigType) -> impl Iterator<Item = &ConfigRecord> {
    rows.iter()
        .filter(move |r| r.config_type == t && r.body.config_type() == t)
}

/// Ordering for "latest": dated rows by `(effective_from, id)`, undated rows by
/// `(created_at, id)`.
fn latest<'a>(rows: impl Iterator<Item = &'a ConfigRecord>) -> Option<&'a ConfigRecord> {
    rows.max_by(|a, b| {
        if a.config_type.has_effective_dates() {
            (a.effective_from, a.id).cmp(&(b.effective_from, b.id))
        } else {
            (a.created_at, a.id).cmp(&(b.created_at, b.id))
        }
    })
}

/// The rows of `config_type` that apply on `date`, by the rule of its kind (see the module
/// documentation). For keyed types, one row per key; sets and rules in id order. The API's
/// `?effective_on=` listing and [`resolve_config`] both use it.
pub fn select_rows(
    rows: &[ConfigRecord],
    config_type: ConfigType,
    date: NaiveDate,
) -> Vec<&ConfigRecord> {
    let effective = || of_type(rows, config_type).filter(move |r| r.is_effective_on(date));
    let mut picked: Vec<&ConfigRecord> = match config_type.kind() {
        ConfigKind::Single => latest(effective()).into_iter().collect(),
        ConfigKind::Keyed => {
            let mut by_key: BTreeMap<String, Vec<&ConfigRecord>> = BTreeMap::new();
            for r in effective() {
                by_key
                    .entry(r.body.key().unwrap_or_default())
                    .or_default()
                    .push(r);
            }
            by_key
                .into_values()
                .filter_map(|group| latest(group.into_iter()))
                .collect()
        }
        ConfigKind::Set => {
            let newest = effective().filter_map(|r| r.effective_from).max();
            effective()
                .filter(|r| newest.is_some() && r.effective_from == newest)
                .collect()
        }
        ConfigKind::Rules => effective().collect(),
    };
    picked.sort_by_key(|r| r.id);
    picked
}

/// The surcharge rules effective on `date`, in id order: every effective row (what
/// [`resolve_config`] puts in `surcharges`, and what a payments sync evaluates blocking with).
pub fn resolve_surcharges(rows: &[ConfigRecord], date: NaiveDate) -> Vec<SurchargeRule> {
    select_rows(rows, ConfigType::Surcharge, date)
        .into_iter()
        .filter_map(|r| match &r.body {
            ConfigBody::Surcharge(s) => Some(SurchargeRule {
                id: Some(r.id),
                surcharge_type: s.surcharge_type.clone(),
                condition: s.trigger_condition.clone(),
                action: s.action.clone(),
            }),
            _ => None,
        })
        .collect()
}

/// The helpdesk row for `country_code` (compared ignoring ASCII case): the latest active
/// one, or `None` when the country has no helpdesk.
pub fn resolve_helpdesk<'a>(
    rows: &'a [ConfigRecord],
    country_code: &str,
) -> Option<&'a ConfigRecord> {
    latest(of_type(rows, ConfigType::Helpdesk).filter(|r| {
        r.is_active
            && matches!(&r.body, ConfigBody::Helpdesk(h) if h.country_code.eq_ignore_ascii_case(country_code))
    }))
}

fn single<T: Clone>(
    rows: &[ConfigRecord],
    t: ConfigType,
    date: NaiveDate,
    pick: impl Fn(&ConfigBody) -> Option<&T>,
    default: T,
) -> Resolved<T> {
    select_rows(rows, t, date)
        .into_iter()
        .find_map(|r| pick(&r.body).map(|v| Resolved::from_row(r.id, v.clone())))
        .unwrap_or_else(|| Resolved::default_value(default))
}

fn set<T: Clone>(
    rows: &[ConfigRecord],
    t: ConfigType,
    date: NaiveDate,
    pick: impl Fn(&ConfigBody) -> Option<&T>,
) -> Vec<Resolved<T>> {
    select_rows(rows, t, date)
        .into_iter()
        .filter_map(|r| pick(&r.body).map(|v| Resolved::from_row(r.id, v.clone())))
        .collect()
}

fn or_defaults<T>(found: Vec<Resolved<T>>, defaults: Vec<T>) -> Vec<Resolved<T>> {
    if found.is_empty() {
        defaults.into_iter().map(Resolved::default_value).collect()
    } else {
        found
    }
}

/// The configuration for `period`, resolved on its last day `D` from `rows` (rows of every
/// type, in any order; inactive ones are ignored). Sets are ordered for display: tiers by
/// `tier_order`, bands by `tier_index`, AM weights by component, AM bands from the highest
/// `sos_delta_min` down.
///
/// # Errors
/// Refuses, listing every problem with the period and `D`, when a component has no effective
/// weight, the five weights do not sum to 100, no tier set is effective, or the tier set has no
/// tier with `min_sos_score = 0`.
pub fn resolve_config(
    rows: &[ConfigRecord],
    period: Period,
) -> Result<ResolvedConfig, ResolveError> {
    let date = period.last_day();
    let mut problems = Vec::new();

    let weight_rows = select_rows(rows, ConfigType::ScoreWeights, date);
    let found = PerComponent::from_fn(|c| {
        weight_rows.iter().find_map(|r| match &r.body {
            ConfigBody::ScoreWeights(w) if w.score_component == c => {
                Some(Resolved::from_row(r.id, w.clone()))
            }
            _ => None,
        })
    });
    let missing: Vec<Component> = found
        .iter()
        .filter(|(_, w)| w.is_none())
        .map(|(c, _)| c)
        .collect();
    let weights = match found {
        PerComponent {
            p_score: Some(p_score),
            o_score: Some(o_score),
            t_score: Some(t_score),
            f_score: Some(f_score),
            i_score: Some(i_score),
        } => Some(PerComponent {
            p_score,
            o_score,
            t_score,
            f_score,
            i_score,
        }),
        _ => None,
    };
    if !missing.is_empty() {
        problems.push(ResolveProblem::MissingWeights(missing));
    }
    if let Some(w) = &weights {
        let sum = weight_sum(w.iter().map(|(_, r)| &r.value));
        if sum != Some(Decimal::ONE_HUNDRED) {
            problems.push(ResolveProblem::WeightSum(sum));
        }
    }

    let tier_rows = select_rows(rows, ConfigType::Tiers, date);
    let mut tiers: Vec<(Option<NaiveDate>, Resolved<TierConfig>)> = tier_rows
        .iter()
        .filter_map(|r| match &r.body {
            ConfigBody::Tier(t) => Some((r.effective_from, Resolved::from_row(r.id, t.clone()))),
            _ => None,
        })
        .collect();
    tiers.sort_by_key(|(_, t)| (t.value.tier_order, t.id));
    match tiers.first() {
        None => problems.push(ResolveProblem::NoTierSet),
        Some((from, _)) if !tiers.iter().any(|(_, t)| t.value.min_sos_score.is_zero()) => {
            problems.push(ResolveProblem::NoZeroTier {
                effective_from: from.unwrap_or(date),
            });
        }
        Some(_) => {}
    }

    let Some(weights) = weights.filter(|_| problems.is_empty()) else {
        return Err(ResolveError {
            period,
            date,
            problems,
        });
    };

    let p_rows = select_rows(rows, ConfigType::PScore, date);
    let p_score = |kind: CampaignType| {
        p_rows
            .iter()
            .find_map(|r| match &r.body {
                ConfigBody::PScore(p) if p.campaign_type == kind => {
                    Some(Resolved::from_row(r.id, p.clone()))
                }
                _ => None,
            })
            .unwrap_or_else(|| Resolved::default_value(PScoreConfig::default_for(kind)))
    };

    let mut t_score = or_defaults(
        set(rows, ConfigType::TScore, date, |b| match b {
            ConfigBody::TScore(t) => Some(t),
            _ => None,
        }),
        TScoreTierConfig::defaults(),
    );
    t_score.sort_by_key(|t| (t.value.tier_index, t.id));
    let mut f_score = or_defaults(
        set(rows, ConfigType::FScore, date, |b| match b {
            ConfigBody::FScore(f) => Some(f),
            _ => None,
        }),
        FScoreTierConfig::defaults(),
    );
    f_score.sort_by_key(|f| (f.value.tier_index, f.id));
    let mut am_kpi_weights = or_defaults(
        set(rows, ConfigType::AmKpiWeight, date, |b| match b {
            ConfigBody::AmKpiWeight(w) => Some(w),
            _ => None,
        }),
        AmKpiWeightConfig::defaults(),
    );
    am_kpi_weights.sort_by_key(|w| (w.value.component, w.id));
    let mut am_bonus_penalty = or_defaults(
        set(rows, ConfigType::AmBonusPenalty, date, |b| match b {
            ConfigBody::AmBonusPenalty(a) => Some(a),
            _ => None,
        }),
        AmBonusPenaltyConfig::defaults(),
    );
    am_bonus_penalty.sort_by_key(|b| (std::cmp::Reverse(b.value.sos_delta_min), b.id));

    let surcharges = resolve_surcharges(rows, date);

    Ok(ResolvedConfig {
        resolution_date: date,
        weights,
        tiers: tiers.into_iter().map(|(_, t)| t).collect(),
        p_score_major: p_score(CampaignType::MajorCampaign),
        p_score_mini: p_score(CampaignType::MiniCampaign),
        o_score: single(
            rows,
            ConfigType::OScore,
            date,
            |b| match b {
                ConfigBody::OScore(o) => Some(o),
                _ => None,
            },
            OScoreConfig::default(),
        ),
        t_score,
        f_score,
        i_score: single(
            rows,
            ConfigType::IScore,
            date,
            |b| match b {
                ConfigBody::IScore(i) => Some(i),
                _ => None,
            },
            IScoreConfig::default(),
        ),
        grace: single(
            rows,
            ConfigType::GracePeriod,
            date,
            |b| match b {
                ConfigBody::GracePeriod(g) => Some(g),
                _ => None,
            },
            GracePeriodConfig::default(),
        ),
        surcharges,
        am_kpi_weights,
        am_bonus_penalty,
    })
}

impl ResolvedConfig {
    /// The ids of every stored row this configuration uses, sorted and without duplicates:
    /// what a calculation run records so its results can be explained and reproduced. Built-in
    /// defaults have no id and are left out.
    pub fn config_ids(&self) -> Vec<ConfigId> {
        let mut ids: Vec<ConfigId> = self
            .weights
            .iter()
            .map(|(_, w)| w.id)
            .chain(self.tiers.iter().map(|t| t.id))
            .chain([self.p_score_major.id, self.p_score_mini.id, self.o_score.id])
            .chain(self.t_score.iter().map(|t| t.id))
            .chain(self.f_score.iter().map(|f| f.id))
            .chain([self.i_score.id, self.grace.id])
            .chain(self.surcharges.iter().map(|s| s.id))
            .chain(self.am_kpi_weights.iter().map(|w| w.id))
            .chain(self.am_bonus_penalty.iter().map(|b| b.id))
            .flatten()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}
