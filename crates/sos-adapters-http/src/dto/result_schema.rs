//! The schema of a score result, mirrored from the domain's `scoring` types so the domain does
//! not depend on utoipa. These types are only named in `#[schema(value_type = ...)]` and
//! `body = ...`; the answer itself is the domain's own serialization. The `result_schema` test
//! validates real domain results against them, so a field added or renamed on either side fails.
//!
//! Decimal figures are JSON numbers written from exact decimals (`rust_decimal`): they carry at
//! most 28 significant digits and are never rounded through binary floating point on the server.

#![allow(dead_code)] // Schema-only types: never constructed.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// A seller's status for the period.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScoreStatus {
    /// At least one component scored: `sos_score` and `tier` are set.
    Scored,
    /// Data exists but no component could be scored.
    InsufficientData,
    /// Scored again in its finalized period after an approved appeal; the original is in
    /// the seller's history.
    Recalculated,
}

/// A component's status.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComponentStatus {
    /// Scored.
    Scored,
    /// Not applicable; its weight is redistributed.
    NotApplicable,
}

/// Why a component is not applicable.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotApplicableReason {
    /// No data for the period.
    NoData,
    /// The total (orders, tickets, invoices, stock) is zero.
    ZeroTotal,
    /// The figures the rule needs are missing.
    MissingFigures,
    /// No campaign was scorable yet.
    NoScoredCampaigns,
    /// An exception left the component out.
    ExcludedByException,
}

/// Why a component is overridden.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionReason {
    /// The synced data was wrong or incomplete.
    SystemSyncError,
    /// Events outside the seller's control.
    ForceMajeure,
    /// The warehouse caused the figures.
    WarehouseFault,
    /// A marketplace changed how it ranks or routes orders.
    MarketplaceAlgorithmChange,
    /// Anything else; the note says what.
    Other,
    /// An approved appeal (set by the appeal only).
    Appeal,
}

/// What an exception does to its component.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ExceptionEffect {
    /// The component scores `value` (0 to its `max_points`, 2 dp at most).
    SetScore {
        /// The score (exact decimal).
        value: f64,
    },
    /// The component is left out, its weight shared among the others.
    Exclude,
}

/// The exception that overrode a component, as its result shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppliedException {
    /// The exception's id.
    pub id: i64,
    /// Why.
    pub reason_type: ExceptionReason,
    /// The author's note.
    pub note: String,
    /// The key that made it.
    pub author: String,
    /// What it did.
    pub effect: ExceptionEffect,
    /// The appeal it came from; absent for exceptions made by hand.
    pub appeal_id: Option<i64>,
    /// The status the rule gave.
    pub original_status: ComponentStatus,
    /// The score the rule gave (exact decimal); null when it was not applicable.
    pub original_score: Option<f64>,
}

/// A component's name, as the keys of `components` and `config_ids.score_weights`.
#[derive(Debug, Serialize, ToSchema)]
pub enum ComponentName {
    /// Planning (forecasts).
    #[serde(rename = "p_score")]
    P,
    /// Order push timeliness.
    #[serde(rename = "o_score")]
    O,
    /// Ticket response.
    #[serde(rename = "t_score")]
    T,
    /// Payment (invoices).
    #[serde(rename = "f_score")]
    F,
    /// Inventory aging.
    #[serde(rename = "i_score")]
    I,
}

/// A campaign type.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CampaignType {
    /// Major campaign.
    MajorCampaign,
    /// Mini campaign.
    MiniCampaign,
}

/// Where a raw order stands (`RawOrderItem.status`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RawOrderStatus {
    /// Created, not yet handed to the warehouse.
    Pending,
    /// Handed to the warehouse.
    Pushed,
    /// Shipped or delivered.
    Fulfilled,
    /// Cancelled: left out of the O-score.
    Cancelled,
}

/// A campaign's state in P.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CampaignStatus {
    /// Scored (timeliness and accuracy).
    Scored,
    /// Actual volume not synced yet: not counted.
    Pending,
    /// Starts outside the period: not counted.
    OutsidePeriod,
}

/// The ticket rule T used.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TMethod {
    /// Weighted over the breakdown buckets.
    Breakdown,
    /// The average response time's band.
    Average,
}

/// A ticket response-time bucket.
#[derive(Debug, Serialize, ToSchema)]
pub enum TicketBucket {
    /// Under 4 h.
    #[serde(rename = "under_4h")]
    Under4h,
    /// 4 to 8 h.
    #[serde(rename = "4h_8h")]
    From4hTo8h,
    /// 8 to 16 h.
    #[serde(rename = "8h_16h")]
    From8hTo16h,
    /// Over 16 h.
    #[serde(rename = "over_16h")]
    Over16h,
}

/// An invoice lateness bucket.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceBucket {
    /// On time.
    InvoicesOnTime,
    /// 1-7 days late.
    #[serde(rename = "invoices_late_1_7")]
    InvoicesLate1To7,
    /// 7-15 days late.
    #[serde(rename = "invoices_late_7_15")]
    InvoicesLate7To15,
    /// 15-20 days late.
    #[serde(rename = "invoices_late_15_20")]
    InvoicesLate15To20,
    /// Over 20 days late.
    #[serde(rename = "invoices_late_over_20")]
    InvoicesLateOver20,
}

/// Which inventory figure I reads.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgingBasis {
    /// Aged share by volume.
    Cbm,
    /// Aged share by quantity.
    Qty,
    /// The larger of the two.
    Max,
}

/// Why grace applied.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GraceReason {
    /// Within the grace months after onboarding.
    NewSeller,
    /// Fewer orders than the threshold.
    LowVolume,
}

/// The P rule of one campaign type, with the config row it came from.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResolvedPScoreConfig {
    /// Config row id; null for the built-in default.
    pub id: Option<i64>,
    /// The rule.
    pub value: PScoreRule,
}

/// A P rule.
#[derive(Debug, Serialize, ToSchema)]
pub struct PScoreRule {
    /// Campaign type.
    pub campaign_type: CampaignType,
    /// Days before the start the first forecast is due.
    pub required_lead_days: u32,
    /// Points for an on-time forecast (exact decimal).
    pub on_time_points: f64,
    /// Points lost per day late (exact decimal).
    pub late_penalty_per_day: f64,
    /// Accuracy points at no deviation (exact decimal).
    pub accuracy_base_points: f64,
    /// Lower bound of the good range, % (exact decimal).
    pub accuracy_good_range_min: f64,
    /// Upper bound of the good range, % (exact decimal).
    pub accuracy_good_range_max: f64,
    /// Points lost per 10 % outside the range (exact decimal).
    pub accuracy_penalty_per_10pct: f64,
}

/// One campaign in P's explanation.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignExplanation {
    /// Campaign code; null in a preview.
    pub campaign_code: Option<String>,
    /// Campaign type.
    pub campaign_type: CampaignType,
    /// First day.
    pub start_date: NaiveDate,
    /// Scored, pending or outside the period.
    pub status: CampaignStatus,
    /// The P config row used.
    pub config_id: Option<i64>,
    /// The day the first forecast was due.
    pub deadline: Option<NaiveDate>,
    /// When the first forecast arrived.
    pub first_submitted_at: Option<DateTime<Utc>>,
    /// Days after the deadline (0 when on time).
    pub days_late: Option<i64>,
    /// Timeliness points (exact decimal).
    pub timeliness: Option<f64>,
    /// The forecast version judged for accuracy.
    pub judged_version: Option<u32>,
    /// Its volume.
    pub judged_forecast: Option<u32>,
    /// Actual volume; null while pending.
    pub actual: Option<u32>,
    /// Actual / forecast, % (exact decimal).
    pub deviation: Option<f64>,
    /// Distance outside the good range, % (exact decimal).
    pub distance: Option<f64>,
    /// Accuracy points (exact decimal).
    pub accuracy: Option<f64>,
    /// Timeliness plus accuracy (exact decimal).
    pub campaign_score: Option<f64>,
}

/// How P was computed.
#[derive(Debug, Serialize, ToSchema)]
pub struct PExplanation {
    /// Every campaign of the period.
    pub campaigns: Vec<CampaignExplanation>,
    /// The major-campaign rule, when a major campaign was seen.
    pub major_campaign_config: Option<ResolvedPScoreConfig>,
    /// The mini-campaign rule, when a mini campaign was seen.
    pub mini_campaign_config: Option<ResolvedPScoreConfig>,
    /// Campaigns scored.
    pub scored_campaigns: u32,
    /// Campaigns pending.
    pub pending_campaigns: u32,
    /// Sum of the scored campaigns' scores (exact decimal).
    pub sum_of_scores: f64,
}

/// The O rule, with its config row.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResolvedOScoreConfig {
    /// Config row id; null for the built-in default.
    pub id: Option<i64>,
    /// The rule.
    pub value: OScoreRule,
}

/// An O rule.
#[derive(Debug, Serialize, ToSchema)]
pub struct OScoreRule {
    /// Minutes within which an order counts as pushed on time.
    pub max_delay_minutes: u32,
    /// Late share tolerated, % (exact decimal).
    pub acceptable_late_pct: f64,
    /// Points lost per whole % over (exact decimal).
    pub penalty_per_1pct_over: f64,
    /// Points at no penalty (exact decimal).
    pub base_points: f64,
}

/// The order figures O read.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderInputs {
    /// Orders.
    pub total_orders: u32,
    /// Pushed within the limit.
    pub orders_within_30min: Option<u32>,
    /// Pushed late.
    pub orders_late: Option<u32>,
    /// Average push time (exact decimal).
    pub avg_push_time_minutes: Option<f64>,
}

/// How O was computed.
#[derive(Debug, Serialize, ToSchema)]
pub struct OExplanation {
    /// The rule used.
    pub config: ResolvedOScoreConfig,
    /// The figures; null when no order data.
    pub inputs: Option<OrderInputs>,
    /// Late orders counted.
    pub late: Option<u32>,
    /// Late share, % (exact decimal).
    pub late_pct: Option<f64>,
    /// Points over the tolerated share (exact decimal).
    pub over: Option<f64>,
    /// Whole points over (exact decimal).
    pub whole_points_over: Option<f64>,
    /// Points lost (exact decimal).
    pub penalty: Option<f64>,
    /// Score before scaling to the component's maximum (exact decimal).
    pub raw_score: Option<f64>,
}

/// A ticket breakdown by response time.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketBreakdown {
    /// Under 4 h.
    pub under_4h: u32,
    /// 4 to 8 h.
    #[serde(rename = "4h_8h")]
    pub from_4h_to_8h: u32,
    /// 8 to 16 h.
    #[serde(rename = "8h_16h")]
    pub from_8h_to_16h: u32,
    /// Over 16 h.
    pub over_16h: u32,
}

/// The ticket figures T read.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketInputs {
    /// Tickets.
    pub total_tickets: Option<u32>,
    /// Average response time, hours (exact decimal).
    pub avg_response_time_hours: Option<f64>,
    /// Tickets per bucket.
    pub breakdown: Option<TicketBreakdown>,
}

/// The T band a figure fell in.
#[derive(Debug, Serialize, ToSchema)]
pub struct TBand {
    /// The T tier config row.
    pub tier_id: Option<i64>,
    /// Its index.
    pub tier_index: Option<u32>,
    /// Its points (exact decimal).
    pub points: f64,
}

/// One bucket of the breakdown method.
#[derive(Debug, Serialize, ToSchema)]
pub struct TBucket {
    /// Bucket.
    pub bucket: TicketBucket,
    /// The hours it stands for (exact decimal).
    pub hours: f64,
    /// Tickets in it.
    pub count: u32,
    /// The band those hours fall in.
    pub band: TBand,
}

/// How T was computed.
#[derive(Debug, Serialize, ToSchema)]
pub struct TExplanation {
    /// The figures; null when no ticket data.
    pub inputs: Option<TicketInputs>,
    /// The method used.
    pub method: Option<TMethod>,
    /// The four buckets (breakdown method).
    #[schema(min_items = 4, max_items = 4)]
    pub buckets: Option<Vec<TBucket>>,
    /// Tickets counted.
    pub counted_tickets: Option<u64>,
    /// Weighted points (exact decimal).
    pub weighted_points: Option<f64>,
    /// The average's band (average method).
    pub average_band: Option<TBand>,
}

/// One invoice bucket of F.
#[derive(Debug, Serialize, ToSchema)]
pub struct FBucket {
    /// Bucket.
    pub bucket: InvoiceBucket,
    /// The days late it stands for.
    pub days: i32,
    /// Invoices in it.
    pub count: u32,
    /// The F tier config row.
    pub tier_id: Option<i64>,
    /// Its index.
    pub tier_index: Option<u32>,
    /// Its points (exact decimal).
    pub points: f64,
}

/// How F was computed.
#[derive(Debug, Serialize, ToSchema)]
pub struct FExplanation {
    /// Invoices.
    pub total_invoices: Option<u32>,
    /// Worst days late.
    pub worst_days_late: Option<i32>,
    /// Outstanding amount (exact decimal).
    pub total_outstanding_amount: Option<f64>,
    /// The five buckets.
    #[schema(min_items = 5, max_items = 5)]
    pub buckets: Option<Vec<FBucket>>,
    /// Invoices counted.
    pub counted_invoices: Option<u64>,
    /// Weighted points (exact decimal).
    pub weighted_points: Option<f64>,
}

/// The I rule, with its config row.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResolvedIScoreConfig {
    /// Config row id; null for the built-in default.
    pub id: Option<i64>,
    /// The rule.
    pub value: IScoreRule,
}

/// An I rule.
#[derive(Debug, Serialize, ToSchema)]
pub struct IScoreRule {
    /// Days after which stock counts as aged.
    pub aging_threshold_days: u32,
    /// Aged share tolerated, % (exact decimal).
    pub base_good_pct: f64,
    /// Points lost per 5 % over (exact decimal).
    pub penalty_per_5pct: f64,
    /// Points at no penalty (exact decimal).
    pub base_points: f64,
    /// Days after which aging is severe.
    pub severe_aging_days: u32,
    /// Severe share that triggers the multiplier, % (exact decimal).
    pub severe_aging_pct_threshold: f64,
    /// Multiplier on the penalty when severe (exact decimal).
    pub severe_storage_multiplier: f64,
    /// Which figure is read.
    pub calculation_basis: AgingBasis,
}

/// The inventory snapshot I read.
#[derive(Debug, Serialize, ToSchema)]
pub struct InventoryInputs {
    /// Snapshot day.
    pub snapshot_date: NaiveDate,
    /// Volume, m³ (exact decimal).
    pub total_cbm: Option<f64>,
    /// Quantity (exact decimal).
    pub total_sku_qty: Option<f64>,
    /// Volume older than 90 days (exact decimal).
    pub aging_over_90d_cbm: Option<f64>,
    /// Quantity older than 90 days (exact decimal).
    pub aging_over_90d_sku_qty: Option<f64>,
    /// Volume older than 180 days (exact decimal).
    pub aging_over_180d_cbm: Option<f64>,
    /// Share older than 180 days, % (exact decimal).
    pub aging_over_180d_pct: Option<f64>,
}

/// How I was computed.
#[derive(Debug, Serialize, ToSchema)]
pub struct IExplanation {
    /// The rule used.
    pub config: ResolvedIScoreConfig,
    /// The snapshot; null when no inventory data.
    pub inputs: Option<InventoryInputs>,
    /// Aged share by volume, % (exact decimal).
    pub by_cbm: Option<f64>,
    /// Aged share by quantity, % (exact decimal).
    pub by_qty: Option<f64>,
    /// The share used, % (exact decimal).
    pub aging_pct_used: Option<f64>,
    /// Whole 5 % steps over (exact decimal).
    pub steps: Option<f64>,
    /// Penalty before the severe multiplier (exact decimal).
    pub penalty_before_multiplier: Option<f64>,
    /// Severe share, % (exact decimal).
    pub severe_pct: Option<f64>,
    /// Whether the severe multiplier applied.
    pub multiplier_applied: bool,
    /// Points lost (exact decimal).
    pub penalty: Option<f64>,
    /// Score before scaling (exact decimal).
    pub raw_score: Option<f64>,
}

/// One component's result; `explanation` is the component's own schema.
macro_rules! component {
    ($name:ident, $explanation:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            /// Scored or not applicable.
            pub status: ComponentStatus,
            /// Points after grace, 2 dp (exact decimal); null when not applicable.
            pub score: Option<f64>,
            /// Points before grace (exact decimal).
            pub score_before_grace: Option<f64>,
            /// Score on a 0-100 scale (exact decimal).
            pub normalized: Option<f64>,
            /// Weight, % (exact decimal).
            pub weight_pct: f64,
            /// Maximum points (exact decimal).
            pub max_points: f64,
            /// Why not applicable.
            pub not_applicable_reason: Option<NotApplicableReason>,
            /// Every input, config value and intermediate figure.
            pub explanation: $explanation,
            /// The exception that overrode what the rule gave; absent when none did.
            pub exception: Option<AppliedException>,
        }
    };
}
component!(PComponent, PExplanation, "P: planning.");
component!(OComponent, OExplanation, "O: order push timeliness.");
component!(TComponent, TExplanation, "T: ticket response.");
component!(FComponent, FExplanation, "F: payment.");
component!(IComponent, IExplanation, "I: inventory aging.");

/// The five components.
#[derive(Debug, Serialize, ToSchema)]
pub struct Components {
    /// Planning.
    pub p_score: PComponent,
    /// Order push.
    pub o_score: OComponent,
    /// Tickets.
    pub t_score: TComponent,
    /// Payment.
    pub f_score: FComponent,
    /// Inventory.
    pub i_score: IComponent,
}

/// What grace did.
#[derive(Debug, Serialize, ToSchema)]
pub struct GraceOutcome {
    /// Whether grace applied.
    pub applied: bool,
    /// Why.
    pub reasons: Vec<GraceReason>,
    /// Components raised to the floor.
    pub raised_components: Vec<ComponentName>,
    /// Month since onboarding, from 1; null without an onboarding day.
    pub month_index: Option<i32>,
    /// The floor (exact decimal).
    pub min_score_floor: f64,
}

/// A surcharge action.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SurchargeAction {
    /// Multiply a fee.
    FeeMultiplier {
        /// Which fee.
        fee: String,
        /// The multiplier, > 0 (exact decimal).
        value: f64,
    },
    /// Charge a fixed amount.
    FixedFee {
        /// The amount, >= 0 (exact decimal).
        amount: f64,
        /// ISO currency.
        currency: String,
    },
    /// Add a percentage to a fee.
    PercentFee {
        /// Which fee.
        fee: String,
        /// The percentage (exact decimal).
        pct: f64,
    },
    /// Block the seller's orders while the condition holds.
    BlockOrders {
        /// Why, as the OMS and the seller see it: not blank, no control characters.
        #[schema(
            min_length = 1,
            max_length = 200,
            pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\x00-\x1f\x7f-\x9f\s][^\x00-\x1f\x7f-\x9f]*$"
        )]
        reason: String,
    },
}

/// A surcharge rule that triggered.
#[derive(Debug, Serialize, ToSchema)]
pub struct TriggeredSurcharge {
    /// The surcharge rule row.
    pub rule_id: Option<i64>,
    /// The rule's surcharge type.
    pub surcharge_type: String,
    /// What to charge.
    pub action: SurchargeAction,
}

/// The next tier up.
#[derive(Debug, Serialize, ToSchema)]
pub struct NextTier {
    /// Its name.
    pub tier: String,
    /// Its minimum score (exact decimal).
    pub min_sos_score: f64,
    /// Points still needed (exact decimal).
    pub points_needed: f64,
}

/// The weight row used per component.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComponentConfigIds {
    /// P.
    pub p_score: Option<i64>,
    /// O.
    pub o_score: Option<i64>,
    /// T.
    pub t_score: Option<i64>,
    /// F.
    pub f_score: Option<i64>,
    /// I.
    pub i_score: Option<i64>,
}

/// The P rows used per campaign type.
#[derive(Debug, Serialize, ToSchema)]
pub struct PScoreIds {
    /// Major campaigns.
    pub major_campaign: Option<i64>,
    /// Mini campaigns.
    pub mini_campaign: Option<i64>,
}

/// Every config row a result used (null: the built-in default).
#[derive(Debug, Serialize, ToSchema)]
pub struct ConfigIds {
    /// Weights.
    pub score_weights: ComponentConfigIds,
    /// The tier ladder.
    pub tiers: Vec<i64>,
    /// P rules.
    pub p_score: PScoreIds,
    /// O rule.
    pub o_score: Option<i64>,
    /// T tiers.
    pub t_score: Vec<i64>,
    /// F tiers.
    pub f_score: Vec<i64>,
    /// I rule.
    pub i_score: Option<i64>,
    /// Grace rule.
    pub grace_period: Option<i64>,
    /// Surcharge rules evaluated.
    pub surcharges: Vec<i64>,
}

/// A calculation run's status.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Written.
    Succeeded,
    /// Failed; see `error`.
    Failed,
    /// Computed without writing.
    DryRun,
}

/// A seller's status.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SellerStatus {
    /// Scored.
    Active,
    /// Not scored while suspended.
    Suspended,
    /// Left.
    Terminated,
}

/// One part of an AM's KPI.
#[derive(Debug, Serialize, ToSchema)]
pub struct AmKpiPart {
    /// The part's figure (exact decimal); null without data.
    pub value: Option<f64>,
    /// Its weight, % (exact decimal).
    pub weight_pct: Option<f64>,
    /// The am-kpi-weight row used.
    pub config_id: Option<i64>,
}

/// The three parts of an AM's KPI.
#[derive(Debug, Serialize, ToSchema)]
pub struct AmKpiParts {
    /// Average SOS of the portfolio.
    pub avg_sos: AmKpiPart,
    /// Revenue achievement.
    pub revenue: AmKpiPart,
    /// SOS growth.
    pub growth: AmKpiPart,
}

/// The AM bonus or penalty band that applied.
#[derive(Debug, Serialize, ToSchema)]
pub struct AmBonus {
    /// Amount; negative is a penalty (exact decimal).
    pub amount: f64,
    /// ISO currency.
    pub currency: String,
    /// The band's lowest SOS change (exact decimal).
    pub sos_delta_min: f64,
    /// Its highest, exclusive (exact decimal); null = open-ended.
    pub sos_delta_max: Option<f64>,
    /// The am-bonus-penalty row.
    pub config_id: Option<i64>,
}

/// An AM's portfolio score for a period, with the sellers' results.
#[derive(Debug, Serialize, ToSchema)]
pub struct AmScore {
    /// The AM.
    pub am_id: i64,
    /// `YYYY-MM`.
    pub period: String,
    /// Sellers in the portfolio.
    pub seller_count: u32,
    /// Of them, scored.
    pub scored_seller_count: u32,
    /// Sum of their SOS (exact decimal).
    pub sum_of_sos: f64,
    /// Average SOS (exact decimal).
    pub avg_sos: Option<f64>,
    /// Last period's average (exact decimal).
    pub previous_avg_sos: Option<f64>,
    /// Change from last period (exact decimal).
    pub sos_delta: Option<f64>,
    /// Revenue target (exact decimal).
    pub revenue_target: Option<f64>,
    /// Revenue achieved (exact decimal).
    pub revenue_actual: Option<f64>,
    /// Achievement, % (exact decimal).
    pub revenue_achievement_pct: Option<f64>,
    /// The KPI's parts.
    pub kpi_parts: AmKpiParts,
    /// The weighted KPI (exact decimal).
    pub kpi: Option<f64>,
    /// The band that applied.
    pub bonus_penalty: Option<AmBonus>,
    /// The sellers' results.
    #[schema(value_type = Vec<crate::dto::scores::ScoreView>)]
    pub sellers: Vec<()>,
}

/// Sellers in one tier.
#[derive(Debug, Serialize, ToSchema)]
pub struct TierCount {
    /// Tier.
    pub tier: String,
    /// Sellers in it.
    pub sellers: u64,
}

/// The average score per component (exact decimals); null where none scored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComponentAverages {
    /// P.
    pub p_score: Option<f64>,
    /// O.
    pub o_score: Option<f64>,
    /// T.
    pub t_score: Option<f64>,
    /// F.
    pub f_score: Option<f64>,
    /// I.
    pub i_score: Option<f64>,
}

/// A period's counts and averages.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodSummary {
    /// `YYYY-MM`.
    pub period: String,
    /// Whether the period is finalized.
    pub finalized: bool,
    /// Sellers with a result.
    pub sellers: u64,
    /// Of them, scored.
    pub scored: u64,
    /// Of them, insufficient data.
    pub insufficient_data: u64,
    /// Sellers per tier.
    pub tiers: Vec<TierCount>,
    /// Average SOS (exact decimal).
    pub avg_sos_score: Option<f64>,
    /// Average per component.
    pub avg_components: ComponentAverages,
}
