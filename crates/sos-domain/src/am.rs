//! Account manager (AM) KPI: how an AM's sellers score, how that moved since last period, how
//! revenue went, and the bonus or penalty the movement earns.

use crate::{
    codes::{AmId, SellerCode},
    config::{AmBonusPenaltyConfig, AmKpiComponent, ConfigId, Resolved, ResolvedConfig},
    decimal::{clamp, round2, with_two_places},
    inputs::RevenueRecord,
    period::Period,
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One KPI part: its value (when there is data for it) and its weight row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmKpiPart {
    /// The part's 0-100 value; `None` when its data is missing (it is then left out).
    pub value: Option<Decimal>,
    /// Its weight; `None` when the weight set has no row for it (it is then left out).
    pub weight_pct: Option<Decimal>,
    /// The am-kpi-weight row (`None`: built-in default or no row).
    pub config_id: Option<ConfigId>,
}

/// The three KPI parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmKpiParts {
    /// `avg_sos`.
    pub avg_sos: AmKpiPart,
    /// `min(revenue_achievement_pct, 100)`.
    pub revenue: AmKpiPart,
    /// `clamp(50 + 5 * sos_delta, 0, 100)`.
    pub growth: AmKpiPart,
}

/// The bonus (positive) or penalty (negative) band the SOS change fell in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmBonus {
    /// The amount.
    pub amount: Decimal,
    /// Its currency.
    pub currency: String,
    /// The band's lower bound (inclusive).
    pub sos_delta_min: Decimal,
    /// The band's upper bound (exclusive); `None` = unbounded.
    pub sos_delta_max: Option<Decimal>,
    /// The am-bonus-penalty row (`None`: built-in default).
    pub config_id: Option<ConfigId>,
}

/// An AM's KPI for one period, with every figure behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmPortfolioScore {
    /// The AM.
    pub am_id: AmId,
    /// The period.
    pub period: Period,
    /// Sellers of the AM in the calculation, scored or not.
    pub seller_count: u32,
    /// Of those, the ones with a total.
    pub scored_seller_count: u32,
    /// Sum of the scored sellers' SOS.
    pub sum_of_sos: Decimal,
    /// Mean SOS of the scored sellers, 2 dp; `None` without any.
    pub avg_sos: Option<Decimal>,
    /// Last period's mean, when there was one.
    pub previous_avg_sos: Option<Decimal>,
    /// `avg_sos - previous_avg_sos`.
    pub sos_delta: Option<Decimal>,
    /// The revenue target, when known.
    pub revenue_target: Option<Decimal>,
    /// The revenue result, when known.
    pub revenue_actual: Option<Decimal>,
    /// `revenue_actual / revenue_target * 100`, full precision; `None` without revenue data or
    /// with a zero target.
    pub revenue_achievement_pct: Option<Decimal>,
    /// The KPI parts and their weights.
    pub kpi_parts: AmKpiParts,
    /// `sum(weight * value) / sum(weight)` over the parts with both, 2 dp.
    pub kpi: Option<Decimal>,
    /// The bonus or penalty band; `None` without a delta or when no band holds it.
    pub bonus_penalty: Option<AmBonus>,
}

/// Rounded to 2 dp half away from zero and written with two decimals, like every score.
fn two_places(value: Decimal) -> Decimal {
    with_two_places(round2(value))
}

fn part(config: &ResolvedConfig, which: AmKpiComponent, value: Option<Decimal>) -> AmKpiPart {
    let row = config
        .am_kpi_weights
        .iter()
        .find(|w| w.value.component == which);
    AmKpiPart {
        value,
        weight_pct: row.map(|r| r.value.weight_pct),
        config_id: row.and_then(|r| r.id),
    }
}

fn weighted_kpi(parts: &AmKpiParts) -> Option<Decimal> {
    let mut weights = Decimal::ZERO;
    let mut weighted = Decimal::ZERO;
    for p in [parts.avg_sos, parts.revenue, parts.growth] {
        if let (Some(v), Some(w)) = (p.value, p.weight_pct) {
            weights = weights.saturating_add(w);
            weighted = weighted.saturating_add(w.saturating_mul(v));
        }
    }
    if weights <= Decimal::ZERO {
        return None;
    }
    weighted.checked_div(weights).map(two_places)
}

/// The band with `sos_delta_min <= delta < sos_delta_max`; should bands overlap, the one with
/// the highest minimum (the most specific) wins, whatever the row order.
fn band(rows: &[Resolved<AmBonusPenaltyConfig>], delta: Decimal) -> Option<AmBonus> {
    rows.iter()
        .filter(|r| r.value.holds(delta))
        .max_by_key(|r| r.value.sos_delta_min)
        .map(|r| AmBonus {
            amount: r.value.bonus_or_penalty_amount,
            currency: r.value.currency.clone(),
            sos_delta_min: r.value.sos_delta_min,
            sos_delta_max: r.value.sos_delta_max,
            config_id: r.id,
        })
}

/// Scores an AM's portfolio for `period` from the SOS of each of their sellers (`None` for a
/// seller without a total), last period's mean, and the AM's revenue record for the period.
pub fn score_am_portfolio(
    am_id: AmId,
    period: Period,
    seller_sos: &[(SellerCode, Option<Decimal>)],
    previous_avg_sos: Option<Decimal>,
    revenue: Option<&RevenueRecord>,
    config: &ResolvedConfig,
) -> AmPortfolioScore {
    let mut scored = 0u32;
    let mut sum = Decimal::ZERO;
    for sos in seller_sos.iter().filter_map(|(_, s)| *s) {
        scored = scored.saturating_add(1);
        sum = sum.saturating_add(sos);
    }
    let avg_sos = (scored > 0)
        .then(|| sum.checked_div(Decimal::from(scored)))
        .flatten()
        .map(two_places);
    let sos_delta = avg_sos
        .zip(previous_avg_sos)
        .map(|(now, before)| now.saturating_sub(before));
    let achievement = revenue.and_then(RevenueRecord::achievement_pct);
    let growth = sos_delta.map(|d| {
        clamp(
            Decimal::from(50).saturating_add(Decimal::from(5).saturating_mul(d)),
            Decimal::ZERO,
            Decimal::ONE_HUNDRED,
        )
    });
    let kpi_parts = AmKpiParts {
        avg_sos: part(config, AmKpiComponent::AvgSos, avg_sos),
        revenue: part(
            config,
            AmKpiComponent::Revenue,
            achievement.map(|a| a.min(Decimal::ONE_HUNDRED)),
        ),
        growth: part(config, AmKpiComponent::Growth, growth),
    };
    AmPortfolioScore {
        am_id,
        period,
        seller_count: u32::try_from(seller_sos.len()).unwrap_or(u32::MAX),
        scored_seller_count: scored,
        sum_of_sos: sum,
        avg_sos,
        previous_avg_sos,
        sos_delta,
        revenue_target: revenue.map(RevenueRecord::revenue_target),
        revenue_actual: revenue.map(RevenueRecord::revenue_actual),
        revenue_achievement_pct: achievement,
        kpi: weighted_kpi(&kpi_parts),
        kpi_parts,
        bonus_penalty: sos_delta.and_then(|d| band(&config.am_bonus_penalty, d)),
    }
}
