//! P-score: forecasts for the period's campaigns, scored for being sent on time and for being
//! close to the actual volume.

use super::{finish_score, Calculated, NotApplicableReason, Outcome};
use crate::{
    codes::CampaignCode,
    config::{ConfigId, PScoreConfig, Resolved, ResolvedConfig},
    decimal::{clamp, compare, div_parts, div_round2, floor_div, max, whole},
    inputs::{CampaignInput, CampaignType},
    period::Period,
};
use chrono::{DateTime, Days, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Whether a campaign counted in the P-score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    /// It has an actual volume: scored and counted.
    Scored,
    /// No actual volume yet: shown, not counted.
    Pending,
    /// Its start date is in another month: it belongs to another period, so it is ignored.
    OutsidePeriod,
}

/// One campaign's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignExplanation {
    /// The campaign (`None` in a preview of a hypothetical campaign).
    pub campaign_code: Option<CampaignCode>,
    /// Its kind, which picked the p-score row.
    pub campaign_type: CampaignType,
    /// Its first day.
    pub start_date: NaiveDate,
    /// Whether it counted.
    pub status: CampaignStatus,
    /// The p-score row used (`None`: built-in default).
    pub config_id: Option<ConfigId>,
    /// `start_date - required_lead_days`.
    pub deadline: Option<NaiveDate>,
    /// When the first version was sent; `None` without any forecast.
    pub first_submitted_at: Option<DateTime<Utc>>,
    /// `max(0, date(first_submitted_at) - deadline)` in days.
    pub days_late: Option<i64>,
    /// `max(0, on_time_points - days_late * late_penalty_per_day)`.
    #[serde(serialize_with = "crate::json_number::exact_opt")]
    pub timeliness: Option<Decimal>,
    /// The version judged for accuracy: the latest sent before the start date, else the first.
    pub judged_version: Option<u32>,
    /// That version's volume.
    pub judged_forecast: Option<u32>,
    /// The actual volume; `None` while pending.
    pub actual: Option<u32>,
    /// `(forecast - actual) / actual * 100`, signed, full precision; `None` when actual is 0.
    #[serde(serialize_with = "crate::json_number::exact_opt")]
    pub deviation: Option<Decimal>,
    /// How far the deviation lies outside the good range (0 inside it).
    #[serde(serialize_with = "crate::json_number::exact_opt")]
    pub distance: Option<Decimal>,
    /// `accuracy_base_points`, less the penalty for each whole 10 points of distance.
    #[serde(serialize_with = "crate::json_number::exact_opt")]
    pub accuracy: Option<Decimal>,
    /// `clamp(timeliness + accuracy, 0, max_points)`; 0 without a forecast.
    #[serde(serialize_with = "crate::json_number::exact_opt")]
    pub campaign_score: Option<Decimal>,
}

/// Every figure behind a P-score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PExplanation {
    /// Each campaign given, scored, pending or ignored.
    pub campaigns: Vec<CampaignExplanation>,
    /// The p-score row for major campaigns, when one was used.
    pub major_campaign_config: Option<Resolved<PScoreConfig>>,
    /// The p-score row for mini campaigns, when one was used.
    pub mini_campaign_config: Option<Resolved<PScoreConfig>>,
    /// Campaigns counted.
    pub scored_campaigns: u32,
    /// Campaigns waiting for an actual.
    pub pending_campaigns: u32,
    /// `sum(campaign_score)` over counted campaigns.
    #[serde(serialize_with = "crate::json_number::exact")]
    pub sum_of_scores: Decimal,
}

/// A p-score rule whose figures, and the component's `max_points`, are all whole numbers (as
/// every configured rule so far): each campaign's points are then integer sums, and a decimal
/// is built only to be shown. The answers are the same as the decimal path's, written the same
/// way (whole numbers, no decimals).
#[derive(Debug, Clone, Copy)]
pub(crate) struct WholeRule {
    on_time_points: i64,
    late_penalty_per_day: i64,
    accuracy_base_points: i64,
    accuracy_good_range_min: i64,
    accuracy_good_range_max: i64,
    accuracy_penalty_per_10pct: i64,
    max_points: i64,
}

impl WholeRule {
    /// The rule in whole numbers, when it has no decimals and fits (`None`: the decimal path).
    pub(crate) fn of(rule: &PScoreConfig, max_points: Decimal) -> Option<Self> {
        Some(Self {
            on_time_points: whole(rule.on_time_points)?,
            late_penalty_per_day: whole(rule.late_penalty_per_day)?,
            accuracy_base_points: whole(rule.accuracy_base_points)?,
            accuracy_good_range_min: whole(rule.accuracy_good_range_min)?,
            accuracy_good_range_max: whole(rule.accuracy_good_range_max)?,
            accuracy_penalty_per_10pct: whole(rule.accuracy_penalty_per_10pct)?,
            max_points: whole(max_points)?,
        })
    }

    /// `max(0, on_time_points - days_late * late_penalty_per_day)`.
    fn timeliness(&self, days_late: i64) -> Option<i64> {
        let lost = days_late.checked_mul(self.late_penalty_per_day)?;
        Some(self.on_time_points.checked_sub(lost)?.max(0))
    }

    /// `max(0, accuracy_base_points - bands * accuracy_penalty_per_10pct)`.
    fn accuracy(&self, bands: i64) -> Option<i64> {
        let lost = bands.checked_mul(self.accuracy_penalty_per_10pct)?;
        Some(self.accuracy_base_points.checked_sub(lost)?.max(0))
    }

    /// `clamp(timeliness + accuracy, 0, max_points)`.
    fn campaign_score(&self, timeliness: i64, accuracy: i64) -> i64 {
        let total = timeliness.saturating_add(accuracy);
        if total < 0 || self.max_points < 0 {
            0
        } else {
            total.min(self.max_points)
        }
    }
}

/// The p-score rules of both campaign kinds in whole numbers, where they are.
#[derive(Debug, Clone, Copy)]
pub(crate) struct WholeRules {
    major_campaign: Option<WholeRule>,
    mini_campaign: Option<WholeRule>,
}

impl WholeRules {
    pub(crate) fn of(config: &ResolvedConfig, max_points: Decimal) -> Self {
        Self {
            major_campaign: WholeRule::of(&config.p_score_major.value, max_points),
            mini_campaign: WholeRule::of(&config.p_score_mini.value, max_points),
        }
    }

    fn get(&self, campaign_type: CampaignType) -> Option<&WholeRule> {
        match campaign_type {
            CampaignType::MajorCampaign => self.major_campaign.as_ref(),
            CampaignType::MiniCampaign => self.mini_campaign.as_ref(),
        }
    }
}

/// The timeliness part: days late against the deadline and the points they leave.
fn timeliness(
    campaign: &CampaignInput,
    rule: &PScoreConfig,
    whole: Option<&WholeRule>,
    out: &mut CampaignExplanation,
) {
    let deadline = campaign
        .start_date
        .checked_sub_days(Days::new(u64::from(rule.required_lead_days)))
        .unwrap_or(NaiveDate::MIN);
    out.deadline = Some(deadline);
    let Some(first) = campaign.first_forecast() else {
        return;
    };
    let days_late = (first.submitted_at.date_naive() - deadline)
        .num_days()
        .max(0);
    out.first_submitted_at = Some(first.submitted_at);
    out.days_late = Some(days_late);
    out.timeliness = Some(match whole.and_then(|w| w.timeliness(days_late)) {
        Some(points) => Decimal::from(points),
        None => {
            let lost = Decimal::from(days_late).saturating_mul(rule.late_penalty_per_day);
            max(rule.on_time_points.saturating_sub(lost), Decimal::ZERO)
        }
    });
}

/// The accuracy part, for a judged forecast and a known actual.
fn accuracy(
    forecast: u32,
    actual: u32,
    rule: &PScoreConfig,
    whole: Option<&WholeRule>,
    out: &mut CampaignExplanation,
) -> Decimal {
    if actual == 0 {
        return if forecast == 0 {
            rule.accuracy_base_points
        } else {
            Decimal::ZERO
        };
    }
    // deviation = gap / actual with gap = (forecast - actual) * 100. As actual > 0, the range
    // tests compare gap with bound * actual: exact and cheap, where the 28-decimal deviation
    // would need rescaling.
    let gap_units = (i64::from(forecast) - i64::from(actual)) * 100;
    let actual_units = i64::from(actual);
    let gap = Decimal::from(gap_units);
    let actual = Decimal::from(actual);
    let deviation =
        div_parts(gap_units.unsigned_abs(), 0, gap_units < 0, actual).unwrap_or(Decimal::ZERO);
    let outside = |bound: Decimal, whole_bound: Option<i64>| match whole_bound {
        // `gap` and `actual` are below 2^40 and the bound below 2^40: exact in `i128`.
        Some(bound) => i128::from(gap_units).cmp(&(i128::from(bound) * i128::from(actual_units))),
        None => compare(gap, bound.saturating_mul(actual)),
    };
    // The distance, and with a whole rule its whole part: `floor(min - deviation)` is
    // `min + floor(-gap / actual)`, `floor(deviation - max)` is `floor(gap / actual) - max`
    // (the 28-digit deviation floors as the exact fraction does, see `floor_percent`).
    let (distance, whole_distance) = if outside(
        rule.accuracy_good_range_min,
        whole.map(|w| w.accuracy_good_range_min),
    )
    .is_lt()
    {
        (
            rule.accuracy_good_range_min.saturating_sub(deviation),
            whole.map(|w| w.accuracy_good_range_min + (-gap_units).div_euclid(actual_units)),
        )
    } else if outside(
        rule.accuracy_good_range_max,
        whole.map(|w| w.accuracy_good_range_max),
    )
    .is_gt()
    {
        (
            deviation.saturating_sub(rule.accuracy_good_range_max),
            whole.map(|w| gap_units.div_euclid(actual_units) - w.accuracy_good_range_max),
        )
    } else {
        (Decimal::ZERO, Some(0))
    };
    out.deviation = Some(deviation);
    out.distance = Some(distance);
    let whole_points = whole
        .zip(whole_distance)
        .and_then(|(w, d)| w.accuracy(d.div_euclid(10)));
    if let Some(points) = whole_points {
        return Decimal::from(points);
    }
    let bands = floor_div(distance, 10);
    max(
        rule.accuracy_base_points
            .saturating_sub(bands.saturating_mul(rule.accuracy_penalty_per_10pct)),
        Decimal::ZERO,
    )
}

/// One campaign's explanation; its score is set only when it counts.
fn explain_campaign(
    campaign: &CampaignInput,
    period: Period,
    config: &Resolved<PScoreConfig>,
    whole: Option<&WholeRule>,
    max_points: Decimal,
) -> CampaignExplanation {
    let mut out = CampaignExplanation {
        campaign_code: campaign.campaign_code.clone(),
        campaign_type: campaign.campaign_type,
        start_date: campaign.start_date,
        status: CampaignStatus::OutsidePeriod,
        config_id: config.id,
        deadline: None,
        first_submitted_at: None,
        days_late: None,
        timeliness: None,
        judged_version: None,
        judged_forecast: None,
        actual: campaign.actual_order_volume,
        deviation: None,
        distance: None,
        accuracy: None,
        campaign_score: None,
    };
    if !period.contains(campaign.start_date) {
        return out;
    }
    let rule = &config.value;
    timeliness(campaign, rule, whole, &mut out);
    let judged = campaign.judged_forecast();
    out.judged_version = judged.map(|f| f.submission_version);
    out.judged_forecast = judged.map(|f| f.forecasted_order_volume);
    let Some(actual) = campaign.actual_order_volume else {
        out.status = CampaignStatus::Pending;
        return out;
    };
    out.status = CampaignStatus::Scored;
    let score = match (judged, out.timeliness) {
        (Some(forecast), Some(timeliness)) => {
            let accuracy = accuracy(
                forecast.forecasted_order_volume,
                actual,
                rule,
                whole,
                &mut out,
            );
            out.accuracy = Some(accuracy);
            let whole_score = whole.and_then(|w| {
                let t = i64::try_from(timeliness.mantissa()).ok()?;
                let a = i64::try_from(accuracy.mantissa()).ok()?;
                (timeliness.scale() == 0 && accuracy.scale() == 0).then(|| w.campaign_score(t, a))
            });
            if let Some(points) = whole_score {
                out.campaign_score = Some(Decimal::from(points));
                return out;
            }
            clamp(
                timeliness.saturating_add(accuracy),
                Decimal::ZERO,
                max_points,
            )
        }
        _ => Decimal::ZERO,
    };
    out.campaign_score = Some(score);
    out
}

/// Scores the period's campaigns per the P-score rule: the mean of the counted campaigns'
/// scores; N/A when none counts (pending campaigns never do).
pub fn score_p(
    campaigns: &[CampaignInput],
    period: Period,
    config: &ResolvedConfig,
    max_points: Decimal,
) -> Calculated<PExplanation> {
    score_p_with(
        campaigns,
        period,
        config,
        &WholeRules::of(config, max_points),
        max_points,
    )
}

/// [`score_p`] with the rules already in whole numbers ([`WholeRules`]), as a
/// [`Scorer`](super::Scorer) has them once for every seller.
pub(crate) fn score_p_with(
    campaigns: &[CampaignInput],
    period: Period,
    config: &ResolvedConfig,
    whole: &WholeRules,
    max_points: Decimal,
) -> Calculated<PExplanation> {
    let mut explanation = PExplanation {
        campaigns: Vec::with_capacity(campaigns.len()),
        major_campaign_config: None,
        mini_campaign_config: None,
        scored_campaigns: 0,
        pending_campaigns: 0,
        sum_of_scores: Decimal::ZERO,
    };
    for campaign in campaigns {
        let rule = config.p_score(campaign.campaign_type);
        let one = explain_campaign(
            campaign,
            period,
            rule,
            whole.get(campaign.campaign_type),
            max_points,
        );
        match one.status {
            CampaignStatus::Scored => {
                explanation.scored_campaigns += 1;
                explanation.sum_of_scores = explanation
                    .sum_of_scores
                    .saturating_add(one.campaign_score.unwrap_or(Decimal::ZERO));
            }
            CampaignStatus::Pending => explanation.pending_campaigns += 1,
            CampaignStatus::OutsidePeriod => {}
        }
        if one.status != CampaignStatus::OutsidePeriod {
            let slot = match campaign.campaign_type {
                CampaignType::MajorCampaign => &mut explanation.major_campaign_config,
                CampaignType::MiniCampaign => &mut explanation.mini_campaign_config,
            };
            if slot.is_none() {
                *slot = Some(rule.clone());
            }
        }
        explanation.campaigns.push(one);
    }
    let raw = match explanation.scored_campaigns {
        0 => {
            return Calculated {
                outcome: Outcome::NotApplicable(NotApplicableReason::NoScoredCampaigns),
                explanation,
            }
        }
        1 => explanation.sum_of_scores,
        n => div_round2(explanation.sum_of_scores, Decimal::from(n)).unwrap_or(Decimal::ZERO),
    };
    Calculated {
        outcome: Outcome::Scored(finish_score(raw, max_points)),
        explanation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::ForecastVersion;
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;

    fn campaign() -> impl Strategy<Value = CampaignInput> {
        (
            any::<bool>(),
            0i64..40,
            prop::collection::vec((0i64..60, 0u32..3000), 0..3),
            prop::option::of(0u32..3000),
        )
            .prop_map(|(major, start_offset, forecasts, actual)| {
                let start =
                    NaiveDate::from_ymd_opt(2026, 1, 25).unwrap() + Duration::days(start_offset);
                CampaignInput {
                    campaign_code: None,
                    campaign_type: if major {
                        CampaignType::MajorCampaign
                    } else {
                        CampaignType::MiniCampaign
                    },
                    start_date: start,
                    forecasts: forecasts
                        .into_iter()
                        .enumerate()
                        .map(|(i, (days_before, volume))| ForecastVersion {
                            submission_version: i as u32 + 1,
                            submitted_at: Utc.from_utc_datetime(
                                &(start - Duration::days(days_before))
                                    .and_hms_opt(10, 0, 0)
                                    .unwrap_or_default(),
                            ),
                            forecasted_order_volume: volume,
                        })
                        .collect(),
                    actual_order_volume: actual,
                }
            })
    }

    /// Whole-number rule figures, zeros and negatives included (validation would refuse some,
    /// but the two paths must agree on anything).
    fn rule() -> impl Strategy<Value = PScoreConfig> {
        (0u32..20, prop::array::uniform6(-20i64..120)).prop_map(|(lead, f)| PScoreConfig {
            campaign_type: CampaignType::MajorCampaign,
            required_lead_days: lead,
            on_time_points: Decimal::from(f[0]),
            late_penalty_per_day: Decimal::from(f[1] / 4),
            accuracy_base_points: Decimal::from(f[2]),
            accuracy_good_range_min: Decimal::from(-f[3].abs() / 4),
            accuracy_good_range_max: Decimal::from(f[4] / 4),
            accuracy_penalty_per_10pct: Decimal::from(f[5] / 4),
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Whole-number rules scored on integers give the decimal path's result, every figure
        /// written the same way.
        #[test]
        fn whole_rules_score_as_the_decimal_path(
            campaigns in prop::collection::vec(campaign(), 0..4),
            major in rule(),
            mini in rule(),
            max_points in prop_oneof![Just(100i64), Just(50), Just(0), Just(-5)],
        ) {
            let period = Period::parse("2026-02").unwrap();
            let mut config = ResolvedConfig::defaults(period.last_day());
            config.p_score_major.value = major;
            config.p_score_mini.value = PScoreConfig { campaign_type: CampaignType::MiniCampaign, ..mini };
            let max_points = Decimal::from(max_points);
            let decimal_only = WholeRules { major_campaign: None, mini_campaign: None };
            let whole = WholeRules::of(&config, max_points);
            prop_assert!(whole.major_campaign.is_some() && whole.mini_campaign.is_some());
            let fast = score_p_with(&campaigns, period, &config, &whole, max_points);
            let slow = score_p_with(&campaigns, period, &config, &decimal_only, max_points);
            prop_assert_eq!(fast.outcome, slow.outcome);
            let text = |c: &Calculated<PExplanation>| serde_json::to_string(&c.explanation).unwrap();
            prop_assert_eq!(text(&fast), text(&slow));
        }
    }
}
