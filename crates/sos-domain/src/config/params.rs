//! The bodies of the 12 config types, with the fields the seeds name.
//!
//! Each `Default` is the spec's default, so the domain can score with no database at all.
//! Validation lives in [`super::validate`]; these are plain data so they serialize as-is.

use crate::{
    codes::TierName,
    component::Component,
    inputs::CampaignType,
    surcharge::{Condition, SurchargeAction},
};
use chrono::NaiveTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

fn d(v: i64) -> Decimal {
    Decimal::from(v)
}

/// `score-weights`: the weight of one component in the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoreWeightConfig {
    /// Which component.
    pub score_component: Component,
    /// Its share of the total, in percent; the five must sum to 100.
    pub weight_pct: Decimal,
    /// The most points the component can score (default 100).
    #[serde(default = "default_max_points")]
    pub max_points: Decimal,
}

fn default_max_points() -> Decimal {
    Decimal::ONE_HUNDRED
}

/// `tiers`: one tier of the ladder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierConfig {
    /// Its name (`Platinum`, ...).
    pub tier_name: TierName,
    /// Its rank, 1 = highest.
    pub tier_order: u32,
    /// The lowest SOS that reaches it.
    pub min_sos_score: Decimal,
    /// The highest SOS it covers; validated and shown, never used to exclude.
    pub max_sos_score: Decimal,
    /// A hex colour for dashboards (`#E5E4E2`).
    #[serde(default)]
    pub color_code: Option<String>,
    /// What sellers in the tier get.
    #[serde(default)]
    pub benefits: Option<String>,
    /// What sellers in the tier may not do.
    #[serde(default)]
    pub restrictions: Option<String>,
}

/// `p-score`: planning rules for one campaign type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PScoreConfig {
    /// The campaign type the row applies to.
    pub campaign_type: CampaignType,
    /// Days before the start date a forecast is due.
    pub required_lead_days: u32,
    /// Points for a forecast on time.
    #[serde(default = "p_on_time")]
    pub on_time_points: Decimal,
    /// Points lost per day late.
    #[serde(default = "p_late_penalty")]
    pub late_penalty_per_day: Decimal,
    /// Points for an accurate forecast.
    #[serde(default = "p_accuracy_base")]
    pub accuracy_base_points: Decimal,
    /// Lowest deviation (percent, signed) still counted accurate.
    #[serde(default = "p_range_min")]
    pub accuracy_good_range_min: Decimal,
    /// Highest deviation (percent, signed) still counted accurate.
    #[serde(default = "p_range_max")]
    pub accuracy_good_range_max: Decimal,
    /// Points lost per whole 10 points of deviation beyond the range.
    #[serde(default = "p_accuracy_penalty")]
    pub accuracy_penalty_per_10pct: Decimal,
}

fn p_on_time() -> Decimal {
    d(50)
}
fn p_late_penalty() -> Decimal {
    d(10)
}
fn p_accuracy_base() -> Decimal {
    d(50)
}
fn p_range_min() -> Decimal {
    d(-10)
}
fn p_range_max() -> Decimal {
    d(10)
}
fn p_accuracy_penalty() -> Decimal {
    d(10)
}

impl PScoreConfig {
    /// The spec's defaults for `campaign_type` (lead time 14 days major, 7 mini).
    pub fn default_for(campaign_type: CampaignType) -> Self {
        Self {
            campaign_type,
            required_lead_days: match campaign_type {
                CampaignType::MajorCampaign => 14,
                CampaignType::MiniCampaign => 7,
            },
            on_time_points: p_on_time(),
            late_penalty_per_day: p_late_penalty(),
            accuracy_base_points: p_accuracy_base(),
            accuracy_good_range_min: p_range_min(),
            accuracy_good_range_max: p_range_max(),
            accuracy_penalty_per_10pct: p_accuracy_penalty(),
        }
    }
}

/// `o-score`: order push rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OScoreConfig {
    /// Minutes within which an order counts as pushed on time.
    pub max_delay_minutes: u32,
    /// Late share (percent) tolerated before penalties start.
    pub acceptable_late_pct: Decimal,
    /// Points lost per whole percentage point over the tolerance.
    pub penalty_per_1pct_over: Decimal,
    /// Points before penalties.
    pub base_points: Decimal,
}

impl Default for OScoreConfig {
    fn default() -> Self {
        Self {
            max_delay_minutes: 30,
            acceptable_late_pct: d(3),
            penalty_per_1pct_over: d(5),
            base_points: d(100),
        }
    }
}

/// `t-score`: one band of first-answer hours and its points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TScoreTierConfig {
    /// Rank, 1 = best.
    pub tier_index: u32,
    /// Lowest hours in the band (inclusive).
    pub response_hours_min: Decimal,
    /// Hours the band stops at (exclusive); `None` = no upper bound.
    #[serde(default)]
    pub response_hours_max: Option<Decimal>,
    /// Points for tickets in the band.
    pub points: Decimal,
}

impl TScoreTierConfig {
    /// The spec's default bands: [0,4) 100, [4,8) 80, [8,16) 50, [16,-) 0.
    pub fn defaults() -> Vec<Self> {
        [
            (1, 0, Some(4), 100),
            (2, 4, Some(8), 80),
            (3, 8, Some(16), 50),
            (4, 16, None, 0),
        ]
        .into_iter()
        .map(|(tier_index, min, max, points)| Self {
            tier_index,
            response_hours_min: d(min),
            response_hours_max: max.map(d),
            points: d(points),
        })
        .collect()
    }

    /// True when `hours` falls in the band: `min <= hours < max`.
    pub fn holds(&self, hours: Decimal) -> bool {
        self.response_hours_min <= hours && self.response_hours_max.is_none_or(|max| hours < max)
    }
}

/// `f-score`: one band of days late and its points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FScoreTierConfig {
    /// Rank, 1 = best.
    pub tier_index: u32,
    /// Fewest days late in the band (inclusive).
    pub days_late_min: i32,
    /// Most days late in the band (inclusive); `None` = no upper bound.
    #[serde(default)]
    pub days_late_max: Option<i32>,
    /// Points for invoices in the band.
    pub points: Decimal,
}

impl FScoreTierConfig {
    /// The spec's default bands: [0,0] 100, [1,7] 80, [8,15] 50, [16,20] 20, [21,-) 0.
    pub fn defaults() -> Vec<Self> {
        [
            (1, 0, Some(0), 100),
            (2, 1, Some(7), 80),
            (3, 8, Some(15), 50),
            (4, 16, Some(20), 20),
            (5, 21, None, 0),
        ]
        .into_iter()
        .map(|(tier_index, min, max, points)| Self {
            tier_index,
            days_late_min: min,
            days_late_max: max,
            points: d(points),
        })
        .collect()
    }

    /// True when `days` falls in the band: `min <= days <= max`.
    pub fn holds(&self, days: i32) -> bool {
        self.days_late_min <= days && self.days_late_max.is_none_or(|max| days <= max)
    }
}

/// Which aging share the I-score uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgingBasis {
    /// Volume (cubic metres).
    Cbm,
    /// Units.
    Qty,
    /// The larger of the two.
    #[default]
    Max,
}

/// `i-score`: inventory health rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IScoreConfig {
    /// Days after which stock counts as aging.
    pub aging_threshold_days: u32,
    /// Aging share (percent) tolerated before penalties start.
    pub base_good_pct: Decimal,
    /// Points lost per whole 5 points of aging share over the tolerance.
    pub penalty_per_5pct: Decimal,
    /// Points before penalties.
    pub base_points: Decimal,
    /// Days after which stock counts as severely aged.
    pub severe_aging_days: u32,
    /// Severe share (percent) from which the penalty is multiplied.
    pub severe_aging_pct_threshold: Decimal,
    /// The multiplier.
    pub severe_storage_multiplier: Decimal,
    /// Which aging share counts.
    pub calculation_basis: AgingBasis,
}

impl Default for IScoreConfig {
    fn default() -> Self {
        Self {
            aging_threshold_days: 90,
            base_good_pct: d(5),
            penalty_per_5pct: d(10),
            base_points: d(100),
            severe_aging_days: 180,
            severe_aging_pct_threshold: d(30),
            severe_storage_multiplier: Decimal::new(15, 1),
            calculation_basis: AgingBasis::Max,
        }
    }
}

/// `surcharge`: one rule that may charge a seller extra.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SurchargeConfig {
    /// The fee family (`storage`, `fulfillment`, ...).
    pub surcharge_type: String,
    /// When it triggers.
    pub trigger_condition: Condition,
    /// What it does.
    pub action: SurchargeAction,
    /// Why it exists.
    #[serde(default)]
    pub description: Option<String>,
}

/// `am-bonus-penalty`: one band of SOS change and the AM's bonus (positive) or penalty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmBonusPenaltyConfig {
    /// Lowest `sos_delta` in the band (inclusive).
    pub sos_delta_min: Decimal,
    /// `sos_delta` the band stops at (exclusive); `None` = no upper bound.
    #[serde(default)]
    pub sos_delta_max: Option<Decimal>,
    /// The amount; negative is a penalty.
    pub bonus_or_penalty_amount: Decimal,
    /// ISO currency (default VND).
    #[serde(default = "default_currency")]
    pub currency: String,
    /// What the band means.
    #[serde(default)]
    pub description: Option<String>,
}

fn default_currency() -> String {
    "VND".to_owned()
}

impl AmBonusPenaltyConfig {
    /// The spec's default bands (VND).
    pub fn defaults() -> Vec<Self> {
        [
            (5, None, 5_000_000, "Strong improvement"),
            (2, Some(5), 2_000_000, "Improvement"),
            (-2, Some(2), 0, "Stable"),
            (-5, Some(-2), -1_000_000, "Decline"),
            (-100, Some(-5), -3_000_000, "Strong decline"),
        ]
        .into_iter()
        .map(|(min, max, amount, description)| Self {
            sos_delta_min: d(min),
            sos_delta_max: max.map(d),
            bonus_or_penalty_amount: d(amount),
            currency: default_currency(),
            description: Some(description.to_owned()),
        })
        .collect()
    }

    /// True when `delta` falls in the band: `min <= delta < max`.
    pub fn holds(&self, delta: Decimal) -> bool {
        self.sos_delta_min <= delta && self.sos_delta_max.is_none_or(|max| delta < max)
    }
}

/// The parts of an AM's KPI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmKpiComponent {
    /// The mean SOS of the AM's scored sellers.
    AvgSos,
    /// Revenue achievement, capped at 100.
    Revenue,
    /// `clamp(50 + 5 * sos_delta, 0, 100)`.
    Growth,
}

impl AmKpiComponent {
    /// All three.
    pub const ALL: [AmKpiComponent; 3] = [
        AmKpiComponent::AvgSos,
        AmKpiComponent::Revenue,
        AmKpiComponent::Growth,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            AmKpiComponent::AvgSos => "avg_sos",
            AmKpiComponent::Revenue => "revenue",
            AmKpiComponent::Growth => "growth",
        }
    }
}

/// `am-kpi-weight`: the weight of one KPI part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmKpiWeightConfig {
    /// Which part.
    pub component: AmKpiComponent,
    /// Its weight in percent.
    pub weight_pct: Decimal,
}

impl AmKpiWeightConfig {
    /// The spec's defaults: avg_sos 50, revenue 30, growth 20.
    pub fn defaults() -> Vec<Self> {
        [
            (AmKpiComponent::AvgSos, 50),
            (AmKpiComponent::Revenue, 30),
            (AmKpiComponent::Growth, 20),
        ]
        .into_iter()
        .map(|(component, w)| Self {
            component,
            weight_pct: d(w),
        })
        .collect()
    }
}

/// `grace-period`: leniency for new and low-volume sellers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GracePeriodConfig {
    /// How many months from onboarding count as new (the onboarding month is month 1).
    pub grace_period_months: u32,
    /// The floor raised components are lifted to.
    pub min_score_floor: Decimal,
    /// Fewer orders than this in the period counts as low volume.
    pub min_orders_threshold: u32,
    /// Components grace applies to; `None` = all five.
    pub apply_to_components: Option<Vec<Component>>,
}

impl Default for GracePeriodConfig {
    fn default() -> Self {
        Self {
            grace_period_months: 2,
            min_score_floor: d(70),
            min_orders_threshold: 30,
            apply_to_components: None,
        }
    }
}

impl GracePeriodConfig {
    /// True when grace may raise `component`.
    pub fn applies_to(&self, component: Component) -> bool {
        self.apply_to_components
            .as_ref()
            .is_none_or(|list| list.contains(&component))
    }
}

/// How tickets reach SOS from a helpdesk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncMethod {
    /// SOS pulls on a schedule.
    Pull,
    /// The helpdesk pushes to `/api/sync/tickets`.
    Push,
}

/// `helpdesk`: the Frappe Helpdesk instance of one country.
///
/// `Debug` masks `api_key` and `api_secret`, so a stray log line cannot leak them.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelpdeskConfig {
    /// ISO 3166-1 alpha-2 country (`VN`).
    pub country_code: String,
    /// Base URL of the instance.
    pub helpdesk_url: String,
    /// API key; write-only, never returned.
    pub api_key: String,
    /// API secret; write-only, never returned.
    pub api_secret: String,
    /// Pull or push.
    #[serde(default)]
    pub sync_method: Option<SyncMethod>,
    /// Cron schedule for pulls (five fields).
    #[serde(default)]
    pub pull_cron: Option<String>,
    /// How helpdesk fields map to seller fields.
    #[serde(default)]
    pub seller_field_mapping: Option<serde_json::Value>,
    /// When SLA hours start counting each day.
    #[serde(default)]
    pub business_hours_start: Option<NaiveTime>,
    /// When SLA hours stop counting each day.
    #[serde(default)]
    pub business_hours_end: Option<NaiveTime>,
    /// IANA time zone (default `Asia/Ho_Chi_Minh`).
    #[serde(default = "default_timezone")]
    pub timezone: String,
}

impl std::fmt::Debug for HelpdeskConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HelpdeskConfig")
            .field("country_code", &self.country_code)
            .field("helpdesk_url", &self.helpdesk_url)
            .field("api_key", &"********")
            .field("api_secret", &"********")
            .field("sync_method", &self.sync_method)
            .field("pull_cron", &self.pull_cron)
            .field("seller_field_mapping", &self.seller_field_mapping)
            .field("business_hours_start", &self.business_hours_start)
            .field("business_hours_end", &self.business_hours_end)
            .field("timezone", &self.timezone)
            .finish()
    }
}

fn default_timezone() -> String {
    "Asia/Ho_Chi_Minh".to_owned()
}

/// The default tier ladder: Platinum 90, Gold 80, Silver 70, Bronze 60, Warning 0.
pub fn default_tiers() -> Vec<TierConfig> {
    [
        ("Platinum", 1, 90, 10000, "#E5E4E2"),
        ("Gold", 2, 80, 8999, "#FFD700"),
        ("Silver", 3, 70, 7999, "#C0C0C0"),
        ("Bronze", 4, 60, 6999, "#CD7F32"),
        ("Warning", 5, 0, 5999, "#FF4D4F"),
    ]
    .into_iter()
    .filter_map(|(name, order, min, max, color)| {
        Some(TierConfig {
            tier_name: TierName::parse(name).ok()?,
            tier_order: order,
            min_sos_score: d(min),
            max_sos_score: Decimal::new(max, 2),
            color_code: Some(color.to_owned()),
            benefits: None,
            restrictions: None,
        })
    })
    .collect()
}
