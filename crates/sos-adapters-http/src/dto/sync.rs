//! Sync payloads as the seeds define them, and their conversion into domain records.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::Value;
use sos_domain::{
    inputs::{
        InventorySnapshot, InventorySnapshotDraft, OrderStats, PaymentStats, PaymentStatsDraft,
        RawInvoice, RawOrder, RawOrderStatus, RevenueRecord, TicketBreakdown, TicketStats,
    },
    AmId, CampaignCode, Decimal, Period, SellerCode, ValidationErrors,
};
use sos_ports::{
    CampaignActualRecord, ForecastRecord, InventoryRecord, OrderRecord, PaymentInput,
    PaymentRecord, RawOrdersRecord, TicketRecord,
};
use utoipa::ToSchema;

/// Checks the seller code and period every period-keyed payload carries.
pub(crate) fn seller_and_period(
    errors: &mut ValidationErrors,
    seller_code: &str,
    period: &str,
) -> (Option<SellerCode>, Option<Period>) {
    let seller = SellerCode::parse(seller_code)
        .map_err(|m| errors.push("seller_code", m))
        .ok();
    let period = Period::parse(period)
        .map_err(|e| errors.push("period", e.to_string()))
        .ok();
    (seller, period)
}

fn seller(errors: &mut ValidationErrors, code: &str) -> Option<SellerCode> {
    SellerCode::parse(code)
        .map_err(|m| errors.push("seller_code", m))
        .ok()
}

fn campaign(errors: &mut ValidationErrors, code: &str) -> Option<CampaignCode> {
    CampaignCode::parse(code)
        .map_err(|m| errors.push("campaign_code", m))
        .ok()
}

/// Checks a free-form JSON field (per-SKU volumes): an object or null, as documented, with no
/// NUL character (PostgreSQL cannot store one) and only numbers a decimal holds exactly (jsonb
/// refuses numbers past NUMERIC's range).
fn check_json_text(errors: &mut ValidationErrors, field: &str, value: &Option<Value>) {
    fn has_nul(v: &Value) -> bool {
        match v {
            Value::String(s) => s.contains('\0'),
            Value::Array(items) => items.iter().any(has_nul),
            Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
            _ => false,
        }
    }
    fn bad_number(v: &Value) -> bool {
        match v {
            Value::Number(n) => super::number::decimal(Value::Number(n.clone())).is_err(),
            Value::Array(items) => items.iter().any(bad_number),
            Value::Object(map) => map.values().any(bad_number),
            _ => false,
        }
    }
    match value {
        None | Some(Value::Null) => {}
        Some(Value::Object(_)) => {}
        Some(_) => errors.push(field, "must be a JSON object"),
    }
    if value.as_ref().is_some_and(has_nul) {
        errors.push(field, "must not contain NUL characters");
    }
    if value.as_ref().is_some_and(bad_number) {
        errors.push(
            field,
            "holds a number no decimal can keep exactly (at most 28 significant digits)",
        );
    }
}

/// The key of a period-keyed sync body (its other fields are its figures).
#[derive(Debug, Deserialize)]
struct SellerPeriod {
    seller_code: String,
    period: String,
}

/// The key of the inventory sync body.
#[derive(Debug, Deserialize)]
struct SellerKey {
    seller_code: String,
}

/// `POST /api/sync/orders`, pre-aggregated form (seed).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(try_from = "Value")]
#[schema(example = json!({"seller_code": "SEL001", "period": "2026-02", "total_orders": 150, "orders_within_30min": 140, "orders_late": 10, "avg_push_time_minutes": 18.5}))]
pub struct OrderSync {
    /// The seller.
    pub seller_code: String,
    /// `YYYY-MM`.
    pub period: String,
    /// The figures.
    #[serde(flatten)]
    pub figures: OrderFigures,
}

impl TryFrom<Value> for OrderSync {
    type Error = serde::de::value::Error;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        let (key, figures) = crate::dto::shape::split::<SellerPeriod, OrderFigures>(value)?;
        Ok(Self {
            seller_code: key.seller_code,
            period: key.period,
            figures,
        })
    }
}

/// A period's order figures: the order sync without its key, and the preview's `orders`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderFigures {
    /// Orders in the period.
    #[serde(deserialize_with = "crate::dto::number::whole")]
    pub total_orders: u32,
    /// Orders pushed within the allowed delay.
    #[serde(default, deserialize_with = "crate::dto::number::opt_whole")]
    pub orders_within_30min: Option<u32>,
    /// Orders pushed late.
    #[serde(default, deserialize_with = "crate::dto::number::opt_whole")]
    pub orders_late: Option<u32>,
    /// Average push time in minutes.
    #[serde(default, deserialize_with = "crate::dto::number::opt_decimal")]
    #[schema(value_type = Option<f64>, minimum = 0)]
    pub avg_push_time_minutes: Option<Decimal>,
}

impl OrderFigures {
    /// The domain figures.
    ///
    /// # Errors
    /// Every broken rule.
    pub fn into_stats(self) -> Result<OrderStats, ValidationErrors> {
        OrderStats::new(
            self.total_orders,
            self.orders_within_30min,
            self.orders_late,
            self.avg_push_time_minutes,
        )
    }
}

impl OrderSync {
    /// The domain record.
    ///
    /// # Errors
    /// Every broken rule.
    pub fn into_record(self) -> Result<OrderRecord, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let (seller, period) = seller_and_period(&mut errors, &self.seller_code, &self.period);
        let stats = errors.collect(self.figures.into_stats());
        match (seller, period, stats) {
            (Some(seller), Some(period), Some(stats)) if errors.is_empty() => Ok(OrderRecord {
                seller,
                period,
                stats,
            }),
            _ => Err(errors),
        }
    }
}

/// One raw order.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RawOrderItem {
    /// The OMS's order id.
    pub order_id: String,
    /// When the order was created (RFC 3339). Its month in UTC is the order's period, so its
    /// UTC year is 2000-9999.
    pub created_at: DateTime<Utc>,
    /// When it was pushed to the warehouse; null while it has not been.
    #[serde(default)]
    pub pushed_at: Option<DateTime<Utc>>,
    /// `pending`, `pushed`, `fulfilled` or `cancelled`.
    #[schema(value_type = super::result_schema::RawOrderStatus, example = "pushed")]
    pub status: RawOrderStatus,
}

/// `POST /api/sync/orders`, raw form: orders are kept by `order_id` and aggregated per period.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RawOrderSync {
    /// The seller.
    pub seller_code: String,
    /// The orders (at most 10,000 per seller and call).
    #[serde(deserialize_with = "crate::dto::shape::objects")]
    pub orders: Vec<RawOrderItem>,
}

/// Most raw orders accepted for one seller in one call.
pub const MAX_RAW_ORDERS: usize = 10_000;

impl RawOrderSync {
    /// The domain record.
    ///
    /// # Errors
    /// Every broken rule.
    pub fn into_record(self) -> Result<RawOrdersRecord, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let seller = seller(&mut errors, &self.seller_code);
        if self.orders.is_empty() {
            errors.push("orders", "must hold at least one order");
        }
        if self.orders.len() > MAX_RAW_ORDERS {
            errors.push(
                "orders",
                format!(
                    "holds {} orders; at most {MAX_RAW_ORDERS} per call",
                    self.orders.len()
                ),
            );
        }
        let mut seen = std::collections::HashSet::new();
        for (i, o) in self.orders.iter().enumerate() {
            let bad_id = o.order_id.trim().is_empty()
                || o.order_id.chars().any(char::is_control)
                || o.order_id.chars().count() > 128;
            if bad_id {
                errors.push(
                    format!("orders[{i}].order_id"),
                    "must be 1-128 characters without control characters",
                );
            } else if !seen.insert(o.order_id.as_str()) {
                errors.push(
                    format!("orders[{i}].order_id"),
                    format!("duplicate order_id {}", o.order_id),
                );
            }
            if Period::new(chrono::Datelike::year(&o.created_at), 1).is_err() {
                errors.push(
                    format!("orders[{i}].created_at"),
                    "must fall in the years 2000-9999 (UTC): its month is the order's period",
                );
            }
            if o.pushed_at.is_some_and(|p| p < o.created_at) {
                errors.push(
                    format!("orders[{i}].pushed_at"),
                    "must not be before created_at",
                );
            }
        }
        match seller {
            Some(seller) if errors.is_empty() => Ok(RawOrdersRecord {
                seller,
                orders: self
                    .orders
                    .into_iter()
                    .map(|o| RawOrder {
                        order_id: o.order_id,
                        created_at: o.created_at,
                        pushed_at: o.pushed_at,
                        status: o.status,
                    })
                    .collect(),
            }),
            _ => Err(errors),
        }
    }
}

/// `POST /api/sync/forecasts`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"seller_code": "SEL001", "campaign_code": "CAMP-2026-02", "submitted_at": "2026-01-28T10:00:00Z", "forecasted_order_volume": 5000, "forecasted_sku_breakdown": {"SKU001": 2000, "SKU002": 3000}, "notes": "Valentine sale forecast"}))]
pub struct ForecastSync {
    /// The seller.
    pub seller_code: String,
    /// The campaign (must exist).
    pub campaign_code: String,
    /// When the seller sent it (default: now). A new instant is a new version; the same
    /// instant updates its version, so retries are safe.
    #[serde(default)]
    pub submitted_at: Option<DateTime<Utc>>,
    /// The forecast order volume.
    #[serde(deserialize_with = "crate::dto::number::whole")]
    pub forecasted_order_volume: u32,
    /// Per-SKU volumes (`{"SKU001": 2000}`): any JSON object, kept as sent, with no NUL
    /// character in its keys and strings and only numbers a decimal holds exactly.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub forecasted_sku_breakdown: Option<Value>,
    /// A note.
    #[serde(default)]
    pub notes: Option<String>,
}

impl ForecastSync {
    /// The domain record; a missing `submitted_at` is `now`.
    ///
    /// # Errors
    /// Every broken rule.
    pub fn into_record(self, now: DateTime<Utc>) -> Result<ForecastRecord, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let s = seller(&mut errors, &self.seller_code);
        let c = campaign(&mut errors, &self.campaign_code);
        if let Some(n) = &self.notes {
            sos_domain::text::check_text(&mut errors, "notes", n, 2000, false);
        }
        check_json_text(
            &mut errors,
            "forecasted_sku_breakdown",
            &self.forecasted_sku_breakdown,
        );
        match (s, c) {
            (Some(seller), Some(campaign)) if errors.is_empty() => Ok(ForecastRecord {
                seller,
                campaign,
                submitted_at: self.submitted_at.unwrap_or(now),
                forecasted_order_volume: self.forecasted_order_volume,
                forecasted_sku_breakdown: self.forecasted_sku_breakdown,
                notes: self.notes,
            }),
            _ => Err(errors),
        }
    }
}

/// `POST /api/sync/campaign-actuals`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"seller_code": "SEL001", "campaign_code": "CAMP-2026-02", "actual_order_volume": 4800, "actual_sku_breakdown": {"SKU001": 1900, "SKU002": 2900}}))]
pub struct CampaignActualSync {
    /// The seller.
    pub seller_code: String,
    /// The campaign (must exist).
    pub campaign_code: String,
    /// The actual order volume.
    #[serde(deserialize_with = "crate::dto::number::whole")]
    pub actual_order_volume: u32,
    /// Per-SKU volumes (`{"SKU001": 2000}`): any JSON object, kept as sent, with no NUL
    /// character in its keys and strings and only numbers a decimal holds exactly.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub actual_sku_breakdown: Option<Value>,
}

impl CampaignActualSync {
    /// The domain record.
    ///
    /// # Errors
    /// Every broken rule.
    pub fn into_record(self) -> Result<CampaignActualRecord, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let s = seller(&mut errors, &self.seller_code);
        let c = campaign(&mut errors, &self.campaign_code);
        check_json_text(
            &mut errors,
            "actual_sku_breakdown",
            &self.actual_sku_breakdown,
        );
        match (s, c) {
            (Some(seller), Some(campaign)) if errors.is_empty() => Ok(CampaignActualRecord {
                seller,
                campaign,
                actual_order_volume: self.actual_order_volume,
                actual_sku_breakdown: self.actual_sku_breakdown,
            }),
            _ => Err(errors),
        }
    }
}

/// Tickets by first-answer time.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakdownDto {
    /// Under 4 hours.
    #[serde(deserialize_with = "crate::dto::number::whole")]
    pub under_4h: u32,
    /// 4 to 8 hours.
    #[serde(rename = "4h_8h")]
    #[serde(deserialize_with = "crate::dto::number::whole")]
    pub from_4h_to_8h: u32,
    /// 8 to 16 hours.
    #[serde(rename = "8h_16h")]
    #[serde(deserialize_with = "crate::dto::number::whole")]
    pub from_8h_to_16h: u32,
    /// 16 hours or more.
    #[serde(deserialize_with = "crate::dto::number::whole")]
    pub over_16h: u32,
}

/// `POST /api/sync/tickets`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(try_from = "Value")]
#[schema(example = json!({"seller_code": "SEL001", "period": "2026-02", "total_tickets": 25, "avg_response_time_hours": 3.5, "breakdown": {"under_4h": 18, "4h_8h": 4, "8h_16h": 2, "over_16h": 1}}))]
pub struct TicketSync {
    /// The seller.
    pub seller_code: String,
    /// `YYYY-MM`.
    pub period: String,
    /// The figures.
    #[serde(flatten)]
    pub figures: TicketFigures,
}

impl TryFrom<Value> for TicketSync {
    type Error = serde::de::value::Error;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        let (key, figures) = crate::dto::shape::split::<SellerPeriod, TicketFigures>(value)?;
        Ok(Self {
            seller_code: key.seller_code,
            period: key.period,
            figures,
        })
    }
}

/// A period's ticket figures: the ticket sync without its key, and the preview's `tickets`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketFigures {
    /// Tickets in the period.
    #[serde(default, deserialize_with = "crate::dto::number::opt_whole")]
    pub total_tickets: Option<u32>,
    /// Average first-answer time in hours.
    #[serde(default, deserialize_with = "crate::dto::number::opt_decimal")]
    #[schema(value_type = Option<f64>, minimum = 0)]
    pub avg_response_time_hours: Option<Decimal>,
    /// Tickets by first-answer bucket.
    #[serde(default, deserialize_with = "crate::dto::shape::opt_object")]
    pub breakdown: Option<BreakdownDto>,
}

impl TicketFigures {
    /// The domain figures.
    ///
    /// # Errors
    /// Every broken rule.
    pub fn into_stats(self) -> Result<TicketStats, ValidationErrors> {
        let breakdown = self.breakdown.map(|b| TicketBreakdown {
            under_4h: b.under_4h,
            from_4h_to_8h: b.from_4h_to_8h,
            from_8h_to_16h: b.from_8h_to_16h,
            over_16h: b.over_16h,
        });
        TicketStats::new(self.total_tickets, self.avg_response_time_hours, breakdown)
    }
}

impl TicketSync {
    /// The domain record.
    ///
    /// # Errors
    /// Every broken rule.
    pub fn into_record(self) -> Result<TicketRecord, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let (seller, period) = seller_and_period(&mut errors, &self.seller_code, &self.period);
        let stats = errors.collect(self.figures.into_stats());
        match (seller, period, stats) {
            (Some(seller), Some(period), Some(stats)) if errors.is_empty() => Ok(TicketRecord {
                seller,
                period,
                stats,
            }),
            _ => Err(errors),
        }
    }
}

/// One invoice (Format B).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvoiceDto {
    /// Accounting's invoice id.
    pub invoice_id: String,
    /// Days paid after the due date; 0 or less is on time.
    #[serde(deserialize_with = "crate::dto::number::whole")]
    pub days_late: i32,
    /// Amount outstanding.
    #[schema(value_type = f64, minimum = 0)]
    #[serde(deserialize_with = "crate::dto::number::decimal")]
    pub amount: Decimal,
}

/// `POST /api/sync/payments`: Format A (aggregate) or Format B (`invoices`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(try_from = "Value")]
#[schema(example = json!({"seller_code": "SEL001", "period": "2026-02", "total_invoices": 10, "invoices_on_time": 7, "invoices_late_1_7": 2, "invoices_late_7_15": 1, "invoices_late_15_20": 0, "invoices_late_over_20": 0, "worst_days_late": 12, "total_outstanding_amount": 15000000, "currency": "VND"}))]
pub struct PaymentSync {
    /// The seller.
    pub seller_code: String,
    /// `YYYY-MM`.
    pub period: String,
    /// The figures.
    #[serde(flatten)]
    pub figures: PaymentFigures,
}

impl TryFrom<Value> for PaymentSync {
    type Error = serde::de::value::Error;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        let (key, figures) = crate::dto::shape::split::<SellerPeriod, PaymentFigures>(value)?;
        Ok(Self {
            seller_code: key.seller_code,
            period: key.period,
            figures,
        })
    }
}

/// A period's payment figures, Format A (aggregate) or Format B (`invoices`): the payment sync
/// without its key, and the preview's `payments`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentFigures {
    /// Format A: invoices in the period.
    #[serde(default, deserialize_with = "crate::dto::number::opt_whole")]
    pub total_invoices: Option<u32>,
    /// Format A: paid on time (default: total minus the late buckets).
    #[serde(default, deserialize_with = "crate::dto::number::opt_whole")]
    pub invoices_on_time: Option<u32>,
    /// Format A: 1-7 days late.
    #[serde(default, deserialize_with = "crate::dto::number::opt_whole")]
    pub invoices_late_1_7: Option<u32>,
    /// Format A: 8-15 days late.
    #[serde(default, deserialize_with = "crate::dto::number::opt_whole")]
    pub invoices_late_7_15: Option<u32>,
    /// Format A: 16-20 days late.
    #[serde(default, deserialize_with = "crate::dto::number::opt_whole")]
    pub invoices_late_15_20: Option<u32>,
    /// Format A: 21 or more days late.
    #[serde(default, deserialize_with = "crate::dto::number::opt_whole")]
    pub invoices_late_over_20: Option<u32>,
    /// Format A: worst lateness in days.
    #[serde(default, deserialize_with = "crate::dto::number::opt_whole")]
    pub worst_days_late: Option<i32>,
    /// Format A: amount outstanding.
    #[serde(default, deserialize_with = "crate::dto::number::opt_decimal")]
    #[schema(value_type = Option<f64>, minimum = 0)]
    pub total_outstanding_amount: Option<Decimal>,
    /// Format B: the invoices, aggregated by SOS.
    #[serde(default, deserialize_with = "crate::dto::shape::opt_objects")]
    pub invoices: Option<Vec<InvoiceDto>>,
    /// ISO currency (`VND`).
    #[serde(default)]
    pub currency: Option<String>,
}

impl PaymentFigures {
    /// The domain input: the aggregate, or the invoices with what they aggregate to checked.
    ///
    /// # Errors
    /// Every broken rule, including figures that mix both formats.
    pub fn into_input(self) -> Result<PaymentInput, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let format_a_given = self.total_invoices.is_some()
            || self.invoices_on_time.is_some()
            || self.invoices_late_1_7.is_some()
            || self.invoices_late_7_15.is_some()
            || self.invoices_late_15_20.is_some()
            || self.invoices_late_over_20.is_some()
            || self.worst_days_late.is_some()
            || self.total_outstanding_amount.is_some();
        let input = match (self.invoices, self.total_invoices) {
            (Some(_), _) if format_a_given => {
                errors.push(
                    "invoices",
                    "send either Format A (total_invoices, ...) or Format B (invoices), not both",
                );
                None
            }
            (Some(invoices), _) => {
                // An empty list adds no invoice: a period with none is stored with zero counts.
                let raw: Vec<RawInvoice> = invoices
                    .into_iter()
                    .map(|i| RawInvoice {
                        invoice_id: i.invoice_id,
                        days_late: i.days_late,
                        amount: i.amount,
                    })
                    .collect();
                // Aggregating checks ids, amounts and the currency with field names.
                errors.collect(PaymentStats::from_invoices(&raw, self.currency.clone()));
                Some(PaymentInput::Invoices {
                    invoices: raw,
                    currency: self.currency,
                })
            }
            (None, Some(total)) => errors
                .collect(PaymentStats::new(PaymentStatsDraft {
                    total_invoices: total,
                    invoices_on_time: self.invoices_on_time,
                    invoices_late_1_7: self.invoices_late_1_7.unwrap_or(0),
                    invoices_late_7_15: self.invoices_late_7_15.unwrap_or(0),
                    invoices_late_15_20: self.invoices_late_15_20.unwrap_or(0),
                    invoices_late_over_20: self.invoices_late_over_20.unwrap_or(0),
                    worst_days_late: self.worst_days_late,
                    total_outstanding_amount: self.total_outstanding_amount,
                    currency: self.currency,
                }))
                .map(PaymentInput::Aggregate),
            (None, None) => {
                errors.push(
                    "total_invoices",
                    "is required (Format A), or send invoices (Format B)",
                );
                None
            }
        };
        match input {
            Some(input) if errors.is_empty() => Ok(input),
            _ => Err(errors),
        }
    }
}

impl PaymentSync {
    /// The domain record.
    ///
    /// # Errors
    /// Every broken rule, including a body that mixes both formats.
    pub fn into_record(self) -> Result<PaymentRecord, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let (seller, period) = seller_and_period(&mut errors, &self.seller_code, &self.period);
        let input = errors.collect(self.figures.into_input());
        match (seller, period, input) {
            (Some(seller), Some(period), Some(input)) if errors.is_empty() => Ok(PaymentRecord {
                seller,
                period,
                input,
            }),
            _ => Err(errors),
        }
    }
}

/// `POST /api/sync/inventory`: a snapshot; its period is the month of `snapshot_date`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(try_from = "Value")]
#[schema(example = json!({"seller_code": "SEL001", "snapshot_date": "2026-02-28", "total_cbm": 150.5, "total_sku_qty": 12000, "aging_over_90d_cbm": 22.3, "aging_over_90d_sku_qty": 1800, "aging_over_180d_cbm": 5.1, "aging_over_180d_pct": 3.4}))]
pub struct InventorySync {
    /// The seller.
    pub seller_code: String,
    /// The snapshot.
    #[serde(flatten)]
    pub figures: InventoryFigures,
}

impl TryFrom<Value> for InventorySync {
    type Error = serde::de::value::Error;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        let (key, figures) = crate::dto::shape::split::<SellerKey, InventoryFigures>(value)?;
        Ok(Self {
            seller_code: key.seller_code,
            figures,
        })
    }
}

/// An inventory snapshot: the inventory sync without its seller, and the preview's `inventory`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InventoryFigures {
    /// The snapshot day (`YYYY-MM-DD`).
    pub snapshot_date: NaiveDate,
    /// Stored volume (m³).
    #[serde(default, deserialize_with = "crate::dto::number::opt_decimal")]
    #[schema(value_type = Option<f64>, minimum = 0)]
    pub total_cbm: Option<Decimal>,
    /// Stored units.
    #[serde(default, deserialize_with = "crate::dto::number::opt_decimal")]
    #[schema(value_type = Option<f64>, minimum = 0)]
    pub total_sku_qty: Option<Decimal>,
    /// Volume older than 90 days.
    #[serde(default, deserialize_with = "crate::dto::number::opt_decimal")]
    #[schema(value_type = Option<f64>, minimum = 0)]
    pub aging_over_90d_cbm: Option<Decimal>,
    /// Units older than 90 days.
    #[serde(default, deserialize_with = "crate::dto::number::opt_decimal")]
    #[schema(value_type = Option<f64>, minimum = 0)]
    pub aging_over_90d_sku_qty: Option<Decimal>,
    /// Volume older than 180 days.
    #[serde(default, deserialize_with = "crate::dto::number::opt_decimal")]
    #[schema(value_type = Option<f64>, minimum = 0)]
    pub aging_over_180d_cbm: Option<Decimal>,
    /// Share of stock older than 180 days (percent).
    #[serde(default, deserialize_with = "crate::dto::number::opt_decimal")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 100)]
    pub aging_over_180d_pct: Option<Decimal>,
}

impl InventoryFigures {
    /// The domain snapshot.
    ///
    /// # Errors
    /// Every broken rule.
    pub fn into_snapshot(self) -> Result<InventorySnapshot, ValidationErrors> {
        InventorySnapshot::new(InventorySnapshotDraft {
            snapshot_date: self.snapshot_date,
            total_cbm: self.total_cbm,
            total_sku_qty: self.total_sku_qty,
            aging_over_90d_cbm: self.aging_over_90d_cbm,
            aging_over_90d_sku_qty: self.aging_over_90d_sku_qty,
            aging_over_180d_cbm: self.aging_over_180d_cbm,
            aging_over_180d_pct: self.aging_over_180d_pct,
        })
    }
}

impl InventorySync {
    /// The domain record.
    ///
    /// # Errors
    /// Every broken rule.
    pub fn into_record(self) -> Result<InventoryRecord, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let s = seller(&mut errors, &self.seller_code);
        if Period::new(chrono::Datelike::year(&self.figures.snapshot_date), 1).is_err() {
            errors.push("snapshot_date", "must be in the years 2000-9999");
        }
        let snapshot = errors.collect(self.figures.into_snapshot());
        match (s, snapshot) {
            (Some(seller), Some(snapshot)) if errors.is_empty() => {
                Ok(InventoryRecord { seller, snapshot })
            }
            _ => Err(errors),
        }
    }
}

/// `POST /api/sync/revenue`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"am_id": 1, "period": "2026-02", "revenue_target": 500000000, "revenue_actual": 450000000}))]
pub struct RevenueSync {
    /// The account manager.
    #[serde(deserialize_with = "crate::dto::number::whole")]
    pub am_id: i64,
    /// `YYYY-MM`.
    pub period: String,
    /// Revenue target.
    #[schema(value_type = f64, minimum = 0)]
    #[serde(deserialize_with = "crate::dto::number::decimal")]
    pub revenue_target: Decimal,
    /// Revenue achieved.
    #[schema(value_type = f64, minimum = 0)]
    #[serde(deserialize_with = "crate::dto::number::decimal")]
    pub revenue_actual: Decimal,
}

impl RevenueSync {
    /// The domain record.
    ///
    /// # Errors
    /// Every broken rule.
    pub fn into_record(self) -> Result<RevenueRecord, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let am = AmId::new(self.am_id)
            .map_err(|m| errors.push("am_id", m))
            .ok();
        let period = Period::parse(&self.period)
            .map_err(|e| errors.push("period", e.to_string()))
            .ok();
        match (am, period) {
            (Some(am), Some(period)) if errors.is_empty() => {
                RevenueRecord::new(am, period, self.revenue_target, self.revenue_actual)
            }
            _ => Err(errors),
        }
    }
}
