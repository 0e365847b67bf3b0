//! P-score: forecasts for the period's campaigns, scored for being sent on time and for being
//! close to the actual volume.

use super::{finish_score, Calculated, NotApplicableReason, Outcome};
use crate::{
    codes::CampaignCode,
    config::{ConfigId, PScoreConfig, Resolved, ResolvedConfig},
    decimal::{clamp, percent_of},
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
    pub timeliness: Option<Decimal>,
    /// The version judged for accuracy: the latest sent before the start date, else the first.
    pub judged_version: Option<u32>,
    /// That version's volume.
    pub judged_forecast: Option<u32>,
    /// The actual volume; `None` while pending.
    pub actual: Option<u32>,
    /// `(forecast - actual) / actual * 100`, signed, full precision; `None` when actual is 0.
    pub deviation: Option<Decimal>,
    /// How far the deviation lies outside the good range (0 inside it).
    pub distance: Option<Decimal>,
    /// `accuracy_base_points`, less the penalty for each whole 10 points of distance.
    pub accuracy: Option<Decimal>,
    /// `clamp(timeliness + accuracy, 0, max_points)`; 0 without a forecast.
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
    pub sum_of_scores: Decimal,
}

/// The timeliness part: `deadline = start_date - required_lead_days`, `days_late` of the first
/// submission (its UTC date) past it, and `max(0, on_time_points - days_late *
/// late_penalty_per_day)`.
fn timeliness(campaign: &CampaignInput, rule: &PScoreConfig, out: &mut CampaignExplanation) {
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
    let lost = Decimal::from(days_late).saturating_mul(rule.late_penalty_per_day);
    out.first_submitted_at = Some(first.submitted_at);
    out.days_late = Some(days_late);
    out.timeliness = Some(rule.on_time_points.saturating_sub(lost).max(Decimal::ZERO));
}

/// The accuracy part, for a judged forecast and a known actual.
fn accuracy(
    forecast: u32,
    actual: u32,
    rule: &PScoreConfig,
    out: &mut CampaignExplanation,
) -> Decimal {
    if actual == 0 {
        return if forecast == 0 {
            rule.accuracy_base_points
        } else {
            Decimal::ZERO
        };
    }
    // deviation = (forecast - actual) / actual * 100, signed.
    let gap = Decimal::from(i64::from(forecast) - i64::from(actual));
    let deviation = percent_of(gap, Decimal::from(actual)).unwrap_or(Decimal::ZERO);
    // Inside the good range the full base; outside, the distance to the nearer bound.
    let distance = if deviation < rule.accuracy_good_range_min {
        rule.accuracy_good_range_min.saturating_sub(deviation)
    } else if deviation > rule.accuracy_good_range_max {
        deviation.saturating_sub(rule.accuracy_good_range_max)
    } else {
        Decimal::ZERO
    };
    out.deviation = Some(deviation);
    out.distance = Some(distance);
    // Whole 10-point bands beyond the bound.
    let bands = (distance / TEN_POINTS).floor();
    rule.accuracy_base_points
        .saturating_sub(bands.saturating_mul(rule.accuracy_penalty_per_10pct))
        .max(Decimal::ZERO)
}

/// The width of one accuracy band, in percentage points.
const TEN_POINTS: Decimal = Decimal::TEN;

/// One campaign's explanation; its score is set only when it counts.
fn explain_campaign(
    campaign: &CampaignInput,
    period: Period,
    config: &Resolved<PScoreConfig>,
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
    timeliness(campaign, rule, &mut out);
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
            let accuracy = accuracy(forecast.forecasted_order_volume, actual, rule, &mut out);
            out.accuracy = Some(accuracy);
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
        let one = explain_campaign(campaign, period, rule, max_points);
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
        n => explanation
            .sum_of_scores
            .checked_div(Decimal::from(n))
            .unwrap_or(Decimal::ZERO),
    };
    Calculated {
        outcome: Outcome::Scored(finish_score(raw, max_points)),
        explanation,
    }
}
