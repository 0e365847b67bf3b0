use crate::{codes::CampaignCode, error::ValidationErrors, period::Period};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// The kind of campaign, which sets how early a forecast is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignType {
    /// A big sales event (default lead time 14 days).
    MajorCampaign,
    /// A smaller event (default lead time 7 days).
    MiniCampaign,
}

impl CampaignType {
    /// Both kinds.
    pub const ALL: [CampaignType; 2] = [CampaignType::MajorCampaign, CampaignType::MiniCampaign];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignType::MajorCampaign => "major_campaign",
            CampaignType::MiniCampaign => "mini_campaign",
        }
    }
}

impl fmt::Display for CampaignType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CampaignType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CampaignType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                format!("unknown campaign_type `{s}`: expected major_campaign or mini_campaign")
            })
    }
}

/// A campaign as master data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    code: CampaignCode,
    name: String,
    campaign_type: CampaignType,
    start_date: NaiveDate,
    end_date: NaiveDate,
}

impl Campaign {
    /// Validates a campaign: a non-blank name of at most 200 characters, `start_date <= end_date`.
    ///
    /// # Errors
    /// Every broken rule, by field.
    pub fn new(
        code: CampaignCode,
        name: String,
        campaign_type: CampaignType,
        start_date: NaiveDate,
        end_date: NaiveDate,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        crate::text::check_text(&mut errors, "name", &name, 200, true);
        if end_date < start_date {
            errors.push(
                "end_date",
                format!("must not be before start_date ({start_date})"),
            );
        }
        errors.into_result(Self {
            code,
            name,
            campaign_type,
            start_date,
            end_date,
        })
    }

    /// The campaign's code.
    pub fn code(&self) -> &CampaignCode {
        &self.code
    }
    /// Its display name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Its kind.
    pub fn campaign_type(&self) -> CampaignType {
        self.campaign_type
    }
    /// Its first day.
    pub fn start_date(&self) -> NaiveDate {
        self.start_date
    }
    /// Its last day.
    pub fn end_date(&self) -> NaiveDate {
        self.end_date
    }
    /// The period the campaign belongs to: the month of its start date.
    pub fn period(&self) -> Period {
        Period::of_date(self.start_date)
    }
}

/// One version of a seller's forecast for a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForecastVersion {
    /// 1 for the first submission, then 2, 3, ...
    pub submission_version: u32,
    /// When the seller sent it; a retry with the same instant updates this version.
    pub submitted_at: DateTime<Utc>,
    /// The forecast order volume.
    pub forecasted_order_volume: u32,
}

/// A seller's part in one campaign: what the P-score needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignInput {
    /// The campaign's code; `None` in a preview of a hypothetical campaign.
    pub campaign_code: Option<CampaignCode>,
    /// Its kind, which picks the p-score config row.
    pub campaign_type: CampaignType,
    /// Its first day: deadlines count back from it.
    pub start_date: NaiveDate,
    /// Every forecast version, in any order.
    #[serde(default)]
    pub forecasts: Vec<ForecastVersion>,
    /// The actual order volume; `None` while the campaign is pending.
    pub actual_order_volume: Option<u32>,
}

impl CampaignInput {
    /// The first version sent (lowest version number, then earliest instant).
    pub fn first_forecast(&self) -> Option<&ForecastVersion> {
        self.forecasts
            .iter()
            .min_by_key(|f| (f.submission_version, f.submitted_at))
    }

    /// The forecast judged for accuracy: the latest version submitted before the start date at
    /// 00:00 UTC, or the first version if none was.
    pub fn judged_forecast(&self) -> Option<&ForecastVersion> {
        let cutoff = self.start_date.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
        self.forecasts
            .iter()
            .filter(|f| cutoff.is_some_and(|c| f.submitted_at < c))
            .max_by_key(|f| (f.submitted_at, f.submission_version))
            .or_else(|| self.first_forecast())
    }
}
