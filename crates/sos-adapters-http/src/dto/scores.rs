//! Calculation requests, results and the preview body.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sos_app::CalculateRequest;
use sos_domain::{
    inputs::{CampaignInput, CampaignType, ForecastVersion, PaymentStats, SellerInputs},
    Decimal, Period, SellerCode, TierName, ValidationErrors,
};
use sos_ports::{CalculationScope, PaymentInput, StoredScore};
use utoipa::{IntoParams, ToSchema};

use super::sync::{InventoryFigures, OrderFigures, PaymentFigures, TicketFigures};

/// `POST /api/sos/monthly/calculate`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"period": "2026-02", "dry_run": false}))]
pub struct CalculateBody {
    /// `YYYY-MM`.
    pub period: String,
    /// Only these sellers (default: every active seller with data).
    #[serde(default)]
    pub seller_codes: Option<Vec<String>>,
    /// Compute and report without writing.
    #[serde(default)]
    pub dry_run: Option<bool>,
}

impl CalculateBody {
    /// The use case's request, made by `actor`.
    ///
    /// # Errors
    /// Every broken rule, by field.
    pub fn into_request(self, actor: String) -> Result<CalculateRequest, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let period = Period::parse(&self.period)
            .map_err(|e| errors.push("period", e.to_string()))
            .ok();
        let scope = match self.seller_codes {
            None => CalculationScope::All,
            Some(codes) => CalculationScope::Sellers(
                codes
                    .into_iter()
                    .enumerate()
                    .filter_map(|(i, c)| {
                        SellerCode::parse(c)
                            .map_err(|m| errors.push(format!("seller_codes[{i}]"), m))
                            .ok()
                    })
                    .collect(),
            ),
        };
        match period {
            Some(period) if errors.is_empty() => Ok(CalculateRequest {
                period,
                scope,
                dry_run: self.dry_run.unwrap_or(false),
                actor,
            }),
            _ => Err(errors),
        }
    }
}

/// The record of a calculation (and the answer to calculate).
#[derive(Debug, Serialize, ToSchema)]
pub struct RunView {
    /// Run id (0 when a dry run could not be recorded).
    pub id: i64,
    /// Period.
    pub period: String,
    /// Sellers asked for, when not all.
    pub seller_codes: Option<Vec<String>>,
    /// `succeeded`, `failed` or `dry_run`.
    #[schema(value_type = super::result_schema::RunStatus)]
    pub status: String,
    /// Start.
    pub started_at: DateTime<Utc>,
    /// End.
    pub finished_at: DateTime<Utc>,
    /// Wall time.
    pub duration_ms: u64,
    /// Sellers with a total.
    pub sellers_scored: u32,
    /// Sellers with data but nothing scorable.
    pub sellers_insufficient: u32,
    /// AM portfolios scored.
    pub am_scored: u32,
    /// Surcharge rules triggered.
    pub surcharges_triggered: u32,
    /// Every config row used.
    pub config_ids: Vec<i64>,
    /// Why it failed.
    pub error: Option<String>,
    /// Who started it.
    pub triggered_by: String,
    /// Sellers per tier (calculate answers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tiers: Option<std::collections::BTreeMap<String, u32>>,
    /// True when nothing was written (calculate answers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
}

impl From<sos_ports::CalculationRun> for RunView {
    fn from(r: sos_ports::CalculationRun) -> Self {
        Self {
            id: r.id,
            period: r.period.to_string(),
            seller_codes: r
                .seller_codes
                .map(|c| c.into_iter().map(|s| s.into_inner()).collect()),
            status: match r.status {
                sos_ports::RunStatus::Succeeded => "succeeded",
                sos_ports::RunStatus::Failed => "failed",
                sos_ports::RunStatus::DryRun => "dry_run",
            }
            .to_owned(),
            started_at: r.started_at,
            finished_at: r.finished_at,
            duration_ms: r.duration_ms,
            sellers_scored: r.sellers_scored,
            sellers_insufficient: r.sellers_insufficient,
            am_scored: r.am_scored,
            surcharges_triggered: r.surcharges_triggered,
            config_ids: r.config_ids.into_iter().map(|c| c.0).collect(),
            error: r.error,
            triggered_by: r.triggered_by,
            tiers: None,
            dry_run: None,
        }
    }
}

impl From<sos_app::CalculationSummary> for RunView {
    fn from(s: sos_app::CalculationSummary) -> Self {
        let mut view = RunView::from(s.run);
        view.tiers = Some(s.tiers);
        view.dry_run = Some(s.dry_run);
        view
    }
}

/// A seller's result for a period, with its explanation. See the result shape in the
/// integration guide; `components.*.explanation` lists every input, config value and
/// intermediate figure.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreView {
    /// The seller (null in a preview).
    pub seller_code: Option<String>,
    /// `YYYY-MM`.
    pub period: String,
    /// `scored` or `insufficient_data`.
    #[schema(value_type = super::result_schema::ScoreStatus)]
    pub status: String,
    /// Total SOS, 0-100, 2 dp; null when insufficient_data.
    /// An exact decimal written as a JSON number.
    #[schema(value_type = Option<f64>)]
    pub sos_score: Option<Decimal>,
    /// Tier; null when insufficient_data.
    pub tier: Option<String>,
    /// Per component: status, score, score_before_grace, weight_pct, max_points, explanation.
    #[schema(value_type = super::result_schema::Components)]
    pub components: Value,
    /// What grace did.
    #[schema(value_type = super::result_schema::GraceOutcome)]
    pub grace: Value,
    /// Surcharge rules triggered.
    #[schema(value_type = Vec<super::result_schema::TriggeredSurcharge>)]
    pub surcharges: Value,
    /// The next tier up and the points still needed.
    #[schema(value_type = Option<super::result_schema::NextTier>)]
    pub next_tier: Value,
    /// Every config row id used.
    #[schema(value_type = super::result_schema::ConfigIds)]
    pub config_ids: Value,
    /// The seller's AM when scored (stored results only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub am_id: Option<i64>,
    /// When it was calculated (stored results only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calculated_at: Option<DateTime<Utc>>,
}

impl ScoreView {
    /// The view of a result.
    pub fn of_result(r: &sos_domain::ScoreResult) -> Self {
        let json = |v: &dyn erased::Ser| v.to_value();
        Self {
            seller_code: r.seller_code.as_ref().map(ToString::to_string),
            period: r.period.to_string(),
            status: r.status().as_str().to_owned(),
            sos_score: r.sos_score(),
            tier: r.tier().map(TierName::to_string),
            components: json(&r.components),
            grace: json(&r.grace),
            surcharges: json(&r.surcharges),
            next_tier: json(&r.next_tier),
            config_ids: json(&r.config_ids),
            am_id: None,
            calculated_at: None,
        }
    }
}

mod erased {
    /// Serializes any value into JSON without failing the response: values here are plain
    /// data whose serialization cannot fail.
    pub trait Ser {
        fn to_value(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Ser for T {
        fn to_value(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
        }
    }
}

impl From<StoredScore> for ScoreView {
    fn from(s: StoredScore) -> Self {
        let mut v = ScoreView::of_result(&s.result);
        v.seller_code = Some(s.seller_code.into_inner());
        v.am_id = s.am_id.map(|a| a.get());
        v.calculated_at = Some(s.calculated_at);
        v
    }
}

super::master::page_type!(ScorePage, ScoreView);

/// Filters and paging of a period's results.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ScoreQuery {
    /// Only this tier.
    pub tier: Option<String>,
    /// Only this AM's sellers.
    pub am_id: Option<i64>,
    /// `scored` or `insufficient_data`.
    pub status: Option<String>,
    /// Page, from 1.
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Rows per page, 1-500 (default 20).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// Filters of `GET /api/sos/runs`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RunQuery {
    /// Only this period.
    pub period: Option<String>,
    /// Most runs returned, 1-500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// One forecast version in a preview.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewForecast {
    /// When it was sent.
    pub submitted_at: DateTime<Utc>,
    /// The forecast volume.
    #[serde(deserialize_with = "crate::dto::number::whole")]
    pub forecasted_order_volume: u32,
}

/// One campaign in a preview.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewCampaign {
    /// `major_campaign` or `mini_campaign`.
    #[schema(value_type = super::result_schema::CampaignType, example = "major_campaign")]
    pub campaign_type: CampaignType,
    /// First day.
    pub start_date: NaiveDate,
    /// Versions, first sent first.
    #[serde(default, deserialize_with = "crate::dto::shape::objects")]
    pub forecasts: Vec<PreviewForecast>,
    /// Actual volume; null while pending.
    #[serde(default, deserialize_with = "crate::dto::number::opt_whole")]
    pub actual_order_volume: Option<u32>,
}

/// `POST /api/sos/preview`: the sync payloads without seller and period; every part optional.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"period": "2026-02", "onboarded_at": "2025-06-01", "previous_tier": "Silver",
    "orders": {"total_orders": 150, "orders_within_30min": 140, "orders_late": 10},
    "tickets": {"total_tickets": 25, "avg_response_time_hours": 3.5, "breakdown": {"under_4h": 18, "4h_8h": 4, "8h_16h": 2, "over_16h": 1}},
    "payments": {"invoices": [{"invoice_id": "INV001", "days_late": 0, "amount": 5000000}]},
    "inventory": {"snapshot_date": "2026-02-28", "total_cbm": 150.5, "total_sku_qty": 12000, "aging_over_90d_cbm": 22.3, "aging_over_90d_sku_qty": 1800},
    "campaigns": [{"campaign_type": "major_campaign", "start_date": "2026-02-14", "forecasts": [{"submitted_at": "2026-01-28T10:00:00Z", "forecasted_order_volume": 5000}], "actual_order_volume": 4800}]}))]
pub struct PreviewBody {
    /// `YYYY-MM`: the config effective for it is used.
    pub period: String,
    /// Onboarding day, for grace.
    #[serde(default)]
    pub onboarded_at: Option<NaiveDate>,
    /// Last period's tier, for surcharge rules.
    #[serde(default)]
    pub previous_tier: Option<String>,
    /// Order figures.
    #[serde(default, deserialize_with = "crate::dto::shape::opt_object")]
    pub orders: Option<OrderFigures>,
    /// Ticket figures.
    #[serde(default, deserialize_with = "crate::dto::shape::opt_object")]
    pub tickets: Option<TicketFigures>,
    /// Payment figures.
    #[serde(default, deserialize_with = "crate::dto::shape::opt_object")]
    pub payments: Option<PaymentFigures>,
    /// Inventory snapshot.
    #[serde(default, deserialize_with = "crate::dto::shape::opt_object")]
    pub inventory: Option<InventoryFigures>,
    /// Campaigns.
    #[serde(default, deserialize_with = "crate::dto::shape::objects")]
    pub campaigns: Vec<PreviewCampaign>,
}

impl PreviewBody {
    /// The domain inputs.
    ///
    /// # Errors
    /// Every broken rule, by field.
    pub fn into_inputs(self) -> Result<SellerInputs, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let period = Period::parse(&self.period)
            .map_err(|e| errors.push("period", e.to_string()))
            .ok();
        let previous_tier = self.previous_tier.and_then(|t| {
            TierName::parse(t)
                .map_err(|m| errors.push("previous_tier", m))
                .ok()
        });
        // Each part's errors are named under the part (`orders.total_orders`).
        fn part<T>(
            errors: &mut ValidationErrors,
            name: &str,
            result: Result<T, ValidationErrors>,
        ) -> Option<T> {
            let mut sub = ValidationErrors::new();
            let v = sub.collect(result);
            errors.extend_prefixed(name, sub);
            v
        }
        let orders = self
            .orders
            .and_then(|o| part(&mut errors, "orders", o.into_stats()));
        let tickets = self
            .tickets
            .and_then(|t| part(&mut errors, "tickets", t.into_stats()));
        let payments = self.payments.and_then(|p| {
            let stats = p.into_input().and_then(|input| match input {
                PaymentInput::Aggregate(stats) => Ok(stats),
                PaymentInput::Invoices { invoices, currency } => {
                    PaymentStats::from_invoices(&invoices, currency)
                }
            });
            part(&mut errors, "payments", stats)
        });
        let inventory = self
            .inventory
            .and_then(|i| part(&mut errors, "inventory", i.into_snapshot()));
        let campaigns = self
            .campaigns
            .into_iter()
            .map(|c| {
                let mut forecasts: Vec<_> = c.forecasts.into_iter().collect();
                forecasts.sort_by_key(|f| f.submitted_at);
                CampaignInput {
                    campaign_code: None,
                    campaign_type: c.campaign_type,
                    start_date: c.start_date,
                    forecasts: forecasts
                        .into_iter()
                        .enumerate()
                        .map(|(i, f)| ForecastVersion {
                            submission_version: u32::try_from(i + 1).unwrap_or(u32::MAX),
                            submitted_at: f.submitted_at,
                            forecasted_order_volume: f.forecasted_order_volume,
                        })
                        .collect(),
                    actual_order_volume: c.actual_order_volume,
                }
            })
            .collect();
        match period {
            Some(period) if errors.is_empty() => Ok(SellerInputs {
                period,
                onboarded_at: self.onboarded_at,
                previous_tier,
                orders,
                tickets,
                payments,
                inventory,
                campaigns,
                exceptions: Vec::new(),
            }),
            _ => Err(errors),
        }
    }
}
