//! Loading a period's inputs set-based, and reading results, runs and summaries.

use super::{
    calc::{lock_key, PgCalculation},
    db_err,
    master::{AmRow, SellerRow},
    num::{count, opt_dec},
    PgStore, TxFail,
};
use crate::schema::{
    account_manager, am_portfolio_period_score, calculation_run, campaign, finalized_period,
    seller, seller_score,
};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::{
    pg::Pg,
    prelude::*,
    sql_query,
    sql_types::{Array, BigInt, Date, Integer, Nullable, Text, Timestamptz},
    Insertable, Queryable, QueryableByName, Selectable,
};
use sos_domain::{
    config::ConfigId,
    decimal::round2,
    inputs::{
        CampaignInput, CampaignType, ForecastVersion, InventorySnapshot, InventorySnapshotDraft,
        OrderStats, PaymentStats, PaymentStatsDraft, RevenueRecord, SellerInputs, TicketBreakdown,
        TicketStats,
    },
    master::SellerStatus,
    AmId, AmPortfolioScore, CampaignCode, Decimal, PerComponent, Period, ScoreResult, SellerCode,
    TierName,
};
use sos_ports::{
    AmInputs, CalculationRun, CalculationScope, CalculationStoreError, CalculationTx,
    FinalizeEvents, Page, PageRequest, PeriodSummary, RunStatus, ScoreFilter, ScoreStore,
    SellerWithInputs, StoreError, StoredScore, TierCount,
};
use std::collections::HashMap;

/// Results read per round trip while finalizing.
const FINALIZE_CHUNK: i64 = 500;

fn bad(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unknown(anyhow::anyhow!("stored data is invalid: {e}"))
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = seller, check_for_backend(Pg))]
struct SellerIdRow {
    id: i64,
    #[diesel(embed)]
    seller: SellerRow,
}

#[derive(QueryableByName)]
struct OrderRow {
    #[diesel(sql_type = BigInt)]
    seller_id: i64,
    #[diesel(sql_type = BigInt)]
    total_orders: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    orders_within_30min: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    orders_late: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    avg_push_time_minutes: Option<String>,
}

#[derive(QueryableByName)]
struct TicketRow {
    #[diesel(sql_type = BigInt)]
    seller_id: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    total_tickets: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    avg_response_time_hours: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    under_4h: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    h4_8h: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    h8_16h: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    over_16h: Option<i64>,
}

#[derive(QueryableByName)]
struct PaymentRow {
    #[diesel(sql_type = BigInt)]
    seller_id: i64,
    #[diesel(sql_type = BigInt)]
    total_invoices: i64,
    #[diesel(sql_type = BigInt)]
    invoices_on_time: i64,
    #[diesel(sql_type = BigInt)]
    invoices_late_1_7: i64,
    #[diesel(sql_type = BigInt)]
    invoices_late_7_15: i64,
    #[diesel(sql_type = BigInt)]
    invoices_late_15_20: i64,
    #[diesel(sql_type = BigInt)]
    invoices_late_over_20: i64,
    #[diesel(sql_type = Nullable<Integer>)]
    worst_days_late: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    total_outstanding_amount: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    currency: Option<String>,
}

#[derive(QueryableByName)]
struct InventoryRow {
    #[diesel(sql_type = BigInt)]
    seller_id: i64,
    #[diesel(sql_type = Date)]
    snapshot_date: NaiveDate,
    #[diesel(sql_type = Nullable<Text>)]
    total_cbm: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    total_sku_qty: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    aging_over_90d_cbm: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    aging_over_90d_sku_qty: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    aging_over_180d_cbm: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    aging_over_180d_pct: Option<String>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = campaign, check_for_backend(Pg))]
struct CampaignRow {
    id: i64,
    campaign_code: String,
    campaign_type: String,
    start_date: NaiveDate,
}

#[derive(QueryableByName)]
struct ForecastRow {
    #[diesel(sql_type = BigInt)]
    seller_id: i64,
    #[diesel(sql_type = BigInt)]
    campaign_id: i64,
    #[diesel(sql_type = Integer)]
    submission_version: i32,
    #[diesel(sql_type = Timestamptz)]
    submitted_at: DateTime<Utc>,
    #[diesel(sql_type = BigInt)]
    forecasted_order_volume: i64,
}

#[derive(QueryableByName)]
struct ActualRow {
    #[diesel(sql_type = BigInt)]
    seller_id: i64,
    #[diesel(sql_type = BigInt)]
    campaign_id: i64,
    #[diesel(sql_type = BigInt)]
    actual_order_volume: i64,
}

#[derive(QueryableByName)]
struct TierRow {
    #[diesel(sql_type = BigInt)]
    seller_id: i64,
    #[diesel(sql_type = Text)]
    tier: String,
}

fn orders(row: OrderRow) -> Result<OrderStats, StoreError> {
    OrderStats::new(
        count(row.total_orders).map_err(bad)?,
        row.orders_within_30min
            .map(count)
            .transpose()
            .map_err(bad)?,
        row.orders_late.map(count).transpose().map_err(bad)?,
        opt_dec(row.avg_push_time_minutes).map_err(bad)?,
    )
    .map_err(bad)
}

fn tickets(row: TicketRow) -> Result<TicketStats, StoreError> {
    let breakdown = match (row.under_4h, row.h4_8h, row.h8_16h, row.over_16h) {
        (Some(a), Some(b), Some(c), Some(d)) => Some(TicketBreakdown {
            under_4h: count(a).map_err(bad)?,
            from_4h_to_8h: count(b).map_err(bad)?,
            from_8h_to_16h: count(c).map_err(bad)?,
            over_16h: count(d).map_err(bad)?,
        }),
        _ => None,
    };
    TicketStats::new(
        row.total_tickets.map(count).transpose().map_err(bad)?,
        opt_dec(row.avg_response_time_hours).map_err(bad)?,
        breakdown,
    )
    .map_err(bad)
}

fn payments(row: PaymentRow) -> Result<PaymentStats, StoreError> {
    PaymentStats::new(PaymentStatsDraft {
        total_invoices: count(row.total_invoices).map_err(bad)?,
        invoices_on_time: Some(count(row.invoices_on_time).map_err(bad)?),
        invoices_late_1_7: count(row.invoices_late_1_7).map_err(bad)?,
        invoices_late_7_15: count(row.invoices_late_7_15).map_err(bad)?,
        invoices_late_15_20: count(row.invoices_late_15_20).map_err(bad)?,
        invoices_late_over_20: count(row.invoices_late_over_20).map_err(bad)?,
        worst_days_late: row.worst_days_late,
        total_outstanding_amount: opt_dec(row.total_outstanding_amount).map_err(bad)?,
        currency: row.currency,
    })
    .map_err(bad)
}

fn inventory(row: InventoryRow) -> Result<InventorySnapshot, StoreError> {
    InventorySnapshot::new(InventorySnapshotDraft {
        snapshot_date: row.snapshot_date,
        total_cbm: opt_dec(row.total_cbm).map_err(bad)?,
        total_sku_qty: opt_dec(row.total_sku_qty).map_err(bad)?,
        aging_over_90d_cbm: opt_dec(row.aging_over_90d_cbm).map_err(bad)?,
        aging_over_90d_sku_qty: opt_dec(row.aging_over_90d_sku_qty).map_err(bad)?,
        aging_over_180d_cbm: opt_dec(row.aging_over_180d_cbm).map_err(bad)?,
        aging_over_180d_pct: opt_dec(row.aging_over_180d_pct).map_err(bad)?,
    })
    .map_err(bad)
}

/// Loads one kind of per-seller rows of the period for `ids`, keyed by seller id.
///
/// The queries join `unnest(ids)` rather than test `seller_id = ANY(ids)`: with a thousand ids
/// and a second `ANY` the planner chose a parallel sequential scan of the whole table for each
/// chunk (17 ms against 3 ms), and the join keeps it on the per-seller index.
///
/// Raw SQL: diesel's DSL cannot join `unnest` of a bind array. Decimals stay `::text` casts
/// here: the calculation bench was not rerun against rust_decimal's binary decoding.
fn by_seller<R: QueryableByName<diesel::pg::Pg> + 'static, T>(
    conn: &mut PgConnection,
    sql: &str,
    period: Period,
    ids: &[i64],
    seller_of: fn(&R) -> i64,
    convert: fn(R) -> Result<T, StoreError>,
) -> Result<HashMap<i64, T>, StoreError> {
    let rows: Vec<R> = sql_query(sql)
        .bind::<Text, _>(period.to_string())
        .bind::<Array<BigInt>, _>(ids)
        .load(conn)
        .map_err(db_err)?;
    rows.into_iter()
        .map(|r| Ok((seller_of(&r), convert(r)?)))
        .collect()
}

/// A calculation run to record.
#[derive(Insertable)]
#[diesel(table_name = calculation_run, check_for_backend(Pg))]
#[diesel(treat_none_as_default_value = false)]
struct NewRun<'a> {
    period: String,
    seller_codes: Option<serde_json::Value>,
    status: &'static str,
    started_at: DateTime<Utc>,
    finished_at: DateTime<Utc>,
    duration_ms: i64,
    sellers_scored: i32,
    sellers_insufficient: i32,
    am_scored: i32,
    surcharges_triggered: i32,
    config_ids: Vec<i64>,
    error: Option<&'a str>,
    triggered_by: &'a str,
}

pub(crate) fn insert_run(conn: &mut PgConnection, run: &CalculationRun) -> Result<i64, StoreError> {
    let seller_codes = run
        .seller_codes
        .as_ref()
        .map(|c| serde_json::to_value(c).map_err(|e| StoreError::Unknown(e.into())))
        .transpose()?;
    let int = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    diesel::insert_into(calculation_run::table)
        .values(NewRun {
            period: run.period.to_string(),
            seller_codes,
            status: match run.status {
                RunStatus::Succeeded => "succeeded",
                RunStatus::Failed => "failed",
                RunStatus::DryRun => "dry_run",
            },
            started_at: run.started_at,
            finished_at: run.finished_at,
            duration_ms: i64::try_from(run.duration_ms).unwrap_or(i64::MAX),
            sellers_scored: int(run.sellers_scored),
            sellers_insufficient: int(run.sellers_insufficient),
            am_scored: int(run.am_scored),
            surcharges_triggered: int(run.surcharges_triggered),
            config_ids: run.config_ids.iter().map(|c| c.0).collect(),
            error: run.error.as_deref(),
            triggered_by: &run.triggered_by,
        })
        .returning(calculation_run::id)
        .get_result(conn)
        .map_err(db_err)
}

/// A stored result with its seller's code (`seller_score` joined to `seller`).
#[derive(Queryable)]
struct ScoreRow {
    seller_code: String,
    period: String,
    am_id: Option<i64>,
    /// JSON text: read straight into the typed result, with no `serde_json::Value` in between.
    result: String,
    calculated_at: DateTime<Utc>,
}

impl ScoreRow {
    fn into_stored(self) -> Result<StoredScore, StoreError> {
        Ok(StoredScore {
            seller_code: SellerCode::parse(self.seller_code).map_err(bad)?,
            period: Period::parse(&self.period).map_err(bad)?,
            am_id: self.am_id.map(AmId::new).transpose().map_err(bad)?,
            result: serde_json::from_str::<ScoreResult>(&self.result).map_err(bad)?,
            calculated_at: self.calculated_at,
        })
    }
}

/// The columns of [`ScoreRow`].
type ScoreColumns = (
    seller::seller_code,
    seller_score::period,
    seller_score::am_id,
    seller_score::result,
    seller_score::calculated_at,
);

const SCORE_COLUMNS: ScoreColumns = (
    seller::seller_code,
    seller_score::period,
    seller_score::am_id,
    seller_score::result,
    seller_score::calculated_at,
);

/// The results of `period` that `filter` selects, joined to their sellers.
fn filtered_scores(
    period: Period,
    filter: &ScoreFilter,
) -> diesel::dsl::IntoBoxed<'static, diesel::dsl::InnerJoin<seller_score::table, seller::table>, Pg>
{
    let mut query = seller_score::table
        .inner_join(seller::table)
        .filter(seller_score::period.eq(period.to_string()))
        .into_boxed();
    if let Some(tier) = &filter.tier {
        query = query.filter(seller_score::tier.eq(tier.as_str().to_owned()));
    }
    if let Some(am) = filter.am_id {
        query = query.filter(seller_score::am_id.eq(am.get()));
    }
    if let Some(status) = &filter.status {
        query = query.filter(seller_score::status.eq(status.clone()));
    }
    query
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = calculation_run, check_for_backend(Pg))]
struct RunRow {
    id: i64,
    period: String,
    seller_codes: Option<serde_json::Value>,
    status: String,
    started_at: DateTime<Utc>,
    finished_at: DateTime<Utc>,
    duration_ms: i64,
    sellers_scored: i32,
    sellers_insufficient: i32,
    am_scored: i32,
    surcharges_triggered: i32,
    config_ids: Vec<i64>,
    error: Option<String>,
    triggered_by: String,
}

impl RunRow {
    fn into_run(self) -> Result<CalculationRun, StoreError> {
        let n = |v: i32| u32::try_from(v).map_err(bad);
        Ok(CalculationRun {
            id: self.id,
            period: Period::parse(&self.period).map_err(bad)?,
            seller_codes: self
                .seller_codes
                .map(serde_json::from_value)
                .transpose()
                .map_err(bad)?,
            status: match self.status.as_str() {
                "succeeded" => RunStatus::Succeeded,
                "dry_run" => RunStatus::DryRun,
                _ => RunStatus::Failed,
            },
            started_at: self.started_at,
            finished_at: self.finished_at,
            duration_ms: u64::try_from(self.duration_ms).unwrap_or(0),
            sellers_scored: n(self.sellers_scored)?,
            sellers_insufficient: n(self.sellers_insufficient)?,
            am_scored: n(self.am_scored)?,
            surcharges_triggered: n(self.surcharges_triggered)?,
            config_ids: self.config_ids.into_iter().map(ConfigId).collect(),
            error: self.error,
            triggered_by: self.triggered_by,
        })
    }
}

impl ScoreStore for PgStore {
    fn load_seller_inputs(
        &self,
        period: Period,
        scope: &CalculationScope,
        after: Option<SellerCode>,
        limit: usize,
    ) -> Result<Vec<SellerWithInputs>, StoreError> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let only: Option<Vec<&str>> = match scope {
            CalculationScope::All => None,
            CalculationScope::Sellers(codes) => {
                Some(codes.iter().map(SellerCode::as_str).collect())
            }
        };
        // One repeatable-read snapshot, so every kind of input is read as of the same instant.
        let loaded = conn.build_transaction().read_only().repeatable_read().run(|conn| -> Result<_, TxFail> {
            let mut chunk = seller::table
                .filter(seller::status.eq(SellerStatus::Active.as_str()))
                .into_boxed();
            if let Some(after) = &after {
                chunk = chunk.filter(seller::seller_code.gt(after.as_str().to_owned()));
            }
            if let Some(only) = &only {
                chunk = chunk.filter(seller::seller_code.eq_any(only.clone()));
            }
            let sellers: Vec<SellerIdRow> = chunk
                .order(seller::seller_code)
                .limit(i64::try_from(limit).unwrap_or(i64::MAX))
                .select(SellerIdRow::as_select())
                .load(conn)
                .map_err(db_err)?;
            if sellers.is_empty() {
                return Ok(Vec::new());
            }
            let ids: Vec<i64> = sellers.iter().map(|s| s.id).collect();
            let mut orders = by_seller(
                conn,
                "SELECT seller_id, total_orders, orders_within_30min, orders_late, avg_push_time_minutes::text AS \
                 avg_push_time_minutes FROM unnest($2::bigint[]) AS u(id) JOIN sos_order_operation_raw ON seller_id = u.id AND period = $1",
                period,
                &ids,
                |r: &OrderRow| r.seller_id,
                orders,
            )?;
            let mut tickets = by_seller(
                conn,
                "SELECT seller_id, total_tickets, avg_response_time_hours::text AS avg_response_time_hours, under_4h, \
                 h4_8h, h8_16h, over_16h FROM unnest($2::bigint[]) AS u(id) JOIN sos_ticket_sla_raw ON seller_id = u.id AND period = $1",
                period,
                &ids,
                |r: &TicketRow| r.seller_id,
                tickets,
            )?;
            let mut payments = by_seller(
                conn,
                "SELECT seller_id, total_invoices, invoices_on_time, invoices_late_1_7, invoices_late_7_15, \
                 invoices_late_15_20, invoices_late_over_20, worst_days_late, \
                 total_outstanding_amount::text AS total_outstanding_amount, currency \
                 FROM unnest($2::bigint[]) AS u(id) JOIN sos_payment_raw ON seller_id = u.id AND period = $1",
                period,
                &ids,
                |r: &PaymentRow| r.seller_id,
                payments,
            )?;
            let mut inventory = by_seller(
                conn,
                "SELECT seller_id, snapshot_date, total_cbm::text AS total_cbm, total_sku_qty::text AS total_sku_qty, \
                 aging_over_90d_cbm::text AS aging_over_90d_cbm, aging_over_90d_sku_qty::text AS aging_over_90d_sku_qty, \
                 aging_over_180d_cbm::text AS aging_over_180d_cbm, aging_over_180d_pct::text AS aging_over_180d_pct \
                 FROM unnest($2::bigint[]) AS u(id) JOIN sos_inventory_health_raw ON seller_id = u.id AND period = $1",
                period,
                &ids,
                |r: &InventoryRow| r.seller_id,
                inventory,
            )?;
            // Raw SQL: an `unnest` join, as in `by_seller`.
            let previous: HashMap<i64, String> = sql_query(
                "SELECT seller_id, tier FROM unnest($2::bigint[]) AS u(id) JOIN seller_score ON seller_id = u.id AND period = $1 \
                 WHERE tier IS NOT NULL",
            )
            .bind::<Text, _>(period.previous().to_string())
            .bind::<Array<BigInt>, _>(&ids)
            .load::<TierRow>(conn)
            .map_err(db_err)?
            .into_iter()
            .map(|r| (r.seller_id, r.tier))
            .collect();
            let campaigns: Vec<CampaignRow> = campaign::table
                .filter(campaign::is_active)
                .filter(campaign::start_date.between(period.first_day(), period.last_day()))
                .order((campaign::start_date, campaign::campaign_code))
                .select(CampaignRow::as_select())
                .load(conn)
                .map_err(db_err)?;
            let mut forecasts: HashMap<(i64, i64), Vec<ForecastVersion>> = HashMap::new();
            let mut actuals: HashMap<(i64, i64), u32> = HashMap::new();
            if !campaigns.is_empty() {
                let campaign_ids: Vec<i64> = campaigns.iter().map(|c| c.id).collect();
                // Raw SQL: an `unnest` join, as in `by_seller`.
                let rows: Vec<ForecastRow> = sql_query(
                    "SELECT seller_id, campaign_id, submission_version, submitted_at, forecasted_order_volume \
                     FROM unnest($2::bigint[]) AS u(id) JOIN seller_forecast_submission ON seller_id = u.id \
                     WHERE campaign_id = ANY($1)",
                )
                .bind::<Array<BigInt>, _>(&campaign_ids)
                .bind::<Array<BigInt>, _>(&ids)
                .load(conn)
                .map_err(db_err)?;
                for r in rows {
                    forecasts.entry((r.seller_id, r.campaign_id)).or_default().push(ForecastVersion {
                        submission_version: u32::try_from(r.submission_version).map_err(bad)?,
                        submitted_at: r.submitted_at,
                        forecasted_order_volume: count(r.forecasted_order_volume).map_err(bad)?,
                    });
                }
                // Raw SQL: an `unnest` join, as in `by_seller`.
                let rows: Vec<ActualRow> = sql_query(
                    "SELECT seller_id, campaign_id, actual_order_volume FROM unnest($2::bigint[]) AS u(id) \
                     JOIN campaign_actual_result ON seller_id = u.id WHERE campaign_id = ANY($1)",
                )
                .bind::<Array<BigInt>, _>(&campaign_ids)
                .bind::<Array<BigInt>, _>(&ids)
                .load(conn)
                .map_err(db_err)?;
                for r in rows {
                    actuals.insert((r.seller_id, r.campaign_id), count(r.actual_order_volume).map_err(bad)?);
                }
            }
            let campaign_meta: Vec<(i64, CampaignCode, CampaignType, NaiveDate)> = campaigns
                .into_iter()
                .map(|c| {
                    Ok((
                        c.id,
                        CampaignCode::parse(c.campaign_code).map_err(bad)?,
                        c.campaign_type.parse::<CampaignType>().map_err(bad)?,
                        c.start_date,
                    ))
                })
                .collect::<Result<_, StoreError>>()?;
            sellers
                .into_iter()
                .map(|row| {
                    let id = row.id;
                    let seller = row.seller.into_seller()?;
                    let campaigns = campaign_meta
                        .iter()
                        .filter_map(|(cid, code, ty, start)| {
                            let fc = forecasts.remove(&(id, *cid)).unwrap_or_default();
                            let actual = actuals.get(&(id, *cid)).copied();
                            (!fc.is_empty() || actual.is_some()).then(|| CampaignInput {
                                campaign_code: Some(code.clone()),
                                campaign_type: *ty,
                                start_date: *start,
                                forecasts: fc,
                                actual_order_volume: actual,
                            })
                        })
                        .collect();
                    let inputs = SellerInputs {
                        period,
                        onboarded_at: seller.onboarded_at,
                        previous_tier: previous.get(&id).and_then(|t| TierName::parse(t.as_str()).ok()),
                        orders: orders.remove(&id),
                        tickets: tickets.remove(&id),
                        payments: payments.remove(&id),
                        inventory: inventory.remove(&id),
                        campaigns,
                        // The calculation attaches the period's exceptions itself.
                        exceptions: Vec::new(),
                    };
                    Ok((id, SellerWithInputs { seller, inputs }))
                })
                .collect::<Result<Vec<_>, StoreError>>()
                .map_err(TxFail)
        });
        let loaded = loaded.map_err(|f| f.0)?;
        // The calculation writes these sellers' results next: it finds their ids here.
        self.remember_seller_ids(
            loaded
                .iter()
                .map(|(id, s)| (s.seller.seller_code.clone(), *id)),
        );
        Ok(loaded.into_iter().map(|(_, s)| s).collect())
    }

    fn load_am_inputs(&self, period: Period) -> Result<Vec<AmInputs>, StoreError> {
        use am_portfolio_period_score as score;
        let (cur, prev) = diesel::alias!(score as cur, score as prev);
        let mut conn = self.conn()?;
        #[allow(clippy::type_complexity)]
        let rows: Vec<(AmRow, Option<Decimal>, Option<Decimal>, Option<Decimal>)> =
            account_manager::table
                .left_join(
                    cur.on(cur
                        .field(score::am_id)
                        .eq(account_manager::id)
                        .and(cur.field(score::period).eq(period.to_string()))),
                )
                .left_join(
                    prev.on(prev
                        .field(score::am_id)
                        .eq(account_manager::id)
                        .and(prev.field(score::period).eq(period.previous().to_string()))),
                )
                .filter(account_manager::is_active)
                .order(account_manager::id)
                .select((
                    AmRow::as_select(),
                    cur.field(score::revenue_target).nullable(),
                    cur.field(score::revenue_actual).nullable(),
                    prev.field(score::avg_sos).nullable(),
                ))
                .load(&mut *conn)
                .map_err(db_err)?;
        rows.into_iter()
            .map(|(am, target, actual, previous_avg_sos)| {
                let am = am.into_am()?;
                let revenue = match (target, actual) {
                    (Some(t), Some(a)) => {
                        Some(RevenueRecord::new(am.id, period, t, a).map_err(bad)?)
                    }
                    _ => None,
                };
                Ok(AmInputs {
                    am,
                    revenue,
                    previous_avg_sos,
                })
            })
            .collect()
    }

    fn begin_calculation(
        &self,
        period: Period,
        scope: &CalculationScope,
    ) -> Result<Box<dyn CalculationTx>, CalculationStoreError> {
        let conn = self.conn()?;
        Ok(Box::new(PgCalculation::begin(
            conn,
            period,
            scope,
            self.seller_ids.clone(),
        )?))
    }

    fn record_run(&self, run: &CalculationRun) -> Result<i64, StoreError> {
        let mut conn = self.conn()?;
        insert_run(&mut conn, run)
    }

    fn finalize_period(
        &self,
        period: Period,
        actor: &str,
        events: &dyn FinalizeEvents,
    ) -> Result<bool, StoreError> {
        let now = sos_ports::Clock::now(self);
        let mut conn = self.conn()?;
        conn.transaction(|conn| {
            // Waits for a running calculation of the period to finish first. Raw SQL: diesel
            // has no advisory-lock functions.
            sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
                .bind::<Text, _>(lock_key(period))
                .execute(conn)?;
            let inserted = diesel::insert_into(finalized_period::table)
                .values((
                    finalized_period::period.eq(period.to_string()),
                    finalized_period::finalized_at.eq(now),
                    finalized_period::finalized_by.eq(actor),
                ))
                .on_conflict(finalized_period::period)
                .do_nothing()
                .execute(conn)?;
            if inserted == 0 {
                return Ok(false);
            }
            let mut after = String::new();
            loop {
                let rows: Vec<ScoreRow> = seller_score::table
                    .inner_join(seller::table)
                    .filter(seller_score::period.eq(period.to_string()))
                    .filter(seller::seller_code.gt(&after))
                    .order(seller::seller_code)
                    .limit(FINALIZE_CHUNK)
                    .select(SCORE_COLUMNS)
                    .load(conn)?;
                let Some(last) = rows.last() else { break };
                after = last.seller_code.clone();
                let full = rows.len() == usize::try_from(FINALIZE_CHUNK).unwrap_or(0);
                let codes: Vec<String> = rows.iter().map(|r| r.seller_code.clone()).collect();
                // Each seller's result in its latest finalized period before this one.
                let previous: Vec<ScoreRow> = seller_score::table
                    .inner_join(seller::table)
                    .filter(seller::seller_code.eq_any(&codes))
                    .filter(seller_score::period.lt(period.to_string()))
                    .filter(
                        seller_score::period
                            .eq_any(finalized_period::table.select(finalized_period::period)),
                    )
                    .order((seller_score::seller_id, seller_score::period.desc()))
                    .distinct_on(seller_score::seller_id)
                    .select(SCORE_COLUMNS)
                    .load(conn)?;
                let previous: HashMap<String, StoredScore> = previous
                    .into_iter()
                    .map(|r| Ok((r.seller_code.clone(), r.into_stored()?)))
                    .collect::<Result<_, StoreError>>()
                    .map_err(TxFail)?;
                let mut drafts = Vec::new();
                for row in rows {
                    let prev = previous.get(&row.seller_code);
                    let score = row.into_stored().map_err(TxFail)?;
                    drafts.extend(events.events(&score, prev));
                }
                super::webhooks::insert_events(conn, &drafts)?;
                if !full {
                    break;
                }
            }
            Ok(true)
        })
        .map_err(|e: TxFail| e.0)
    }

    fn is_finalized(&self, period: Period) -> Result<bool, StoreError> {
        let mut conn = self.conn()?;
        is_finalized(&mut conn, period).map_err(db_err)
    }

    fn list_scores(
        &self,
        period: Period,
        filter: &ScoreFilter,
        page: PageRequest,
    ) -> Result<Page<StoredScore>, StoreError> {
        let mut conn = self.conn()?;
        let n: i64 = filtered_scores(period, filter)
            .count()
            .get_result(&mut *conn)
            .map_err(db_err)?;
        let rows: Vec<ScoreRow> = filtered_scores(period, filter)
            .order(seller::seller_code)
            .limit(i64::from(page.limit))
            .offset(i64::try_from(page.offset()).unwrap_or(i64::MAX))
            .select(SCORE_COLUMNS)
            .load(&mut *conn)
            .map_err(db_err)?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(ScoreRow::into_stored)
                .collect::<Result<_, _>>()?,
            page: page.page,
            limit: page.limit,
            total: u64::try_from(n).unwrap_or(0),
        })
    }

    fn seller_history(&self, seller: &SellerCode) -> Result<Vec<StoredScore>, StoreError> {
        let mut conn = self.conn()?;
        let rows: Vec<ScoreRow> = seller_score::table
            .inner_join(seller::table)
            .filter(seller::seller_code.eq(seller.as_str()))
            .order(seller_score::period.desc())
            .select(SCORE_COLUMNS)
            .load(&mut *conn)
            .map_err(db_err)?;
        rows.into_iter().map(ScoreRow::into_stored).collect()
    }

    fn get_score(&self, seller: &SellerCode, period: Period) -> Result<StoredScore, StoreError> {
        let mut conn = self.conn()?;
        let row: ScoreRow = seller_score::table
            .inner_join(seller::table)
            .filter(seller::seller_code.eq(seller.as_str()))
            .filter(seller_score::period.eq(period.to_string()))
            .select(SCORE_COLUMNS)
            .get_result(&mut *conn)
            .map_err(db_err)?;
        row.into_stored()
    }

    fn period_summary(&self, period: Period) -> Result<PeriodSummary, StoreError> {
        use diesel::dsl::{avg, count, count_star};
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let of_period = seller_score::table.filter(seller_score::period.eq(period.to_string()));
        #[allow(clippy::type_complexity)]
        let (sellers, scored, sos, p, o, t, f, i): (
            i64,
            i64,
            Option<Decimal>,
            Option<Decimal>,
            Option<Decimal>,
            Option<Decimal>,
            Option<Decimal>,
            Option<Decimal>,
        ) = of_period
            .clone()
            .select((
                count_star(),
                count(seller_score::sos_score),
                avg(seller_score::sos_score),
                avg(seller_score::p_score),
                avg(seller_score::o_score),
                avg(seller_score::t_score),
                avg(seller_score::f_score),
                avg(seller_score::i_score),
            ))
            .get_result(conn)
            .map_err(db_err)?;
        let finalized = is_finalized(conn, period).map_err(db_err)?;
        let tiers: Vec<(Option<String>, i64)> = of_period
            .filter(seller_score::tier.is_not_null())
            .group_by(seller_score::tier)
            .select((seller_score::tier, count_star()))
            .order(seller_score::tier)
            .load(conn)
            .map_err(db_err)?;
        Ok(PeriodSummary {
            period,
            finalized,
            sellers: u64::try_from(sellers).unwrap_or(0),
            scored: u64::try_from(scored).unwrap_or(0),
            insufficient_data: u64::try_from(sellers - scored).unwrap_or(0),
            tiers: tiers
                .into_iter()
                .map(|(tier, n)| {
                    Ok(TierCount {
                        tier: TierName::parse(tier.unwrap_or_default()).map_err(bad)?,
                        sellers: u64::try_from(n).unwrap_or(0),
                    })
                })
                .collect::<Result<_, StoreError>>()?,
            avg_sos_score: sos.map(round2),
            avg_components: PerComponent {
                p_score: p.map(round2),
                o_score: o.map(round2),
                t_score: t.map(round2),
                f_score: f.map(round2),
                i_score: i.map(round2),
            },
        })
    }

    fn get_am_score(&self, am: AmId, period: Period) -> Result<AmPortfolioScore, StoreError> {
        let mut conn = self.conn()?;
        let result: Option<serde_json::Value> = am_portfolio_period_score::table
            .filter(am_portfolio_period_score::am_id.eq(am.get()))
            .filter(am_portfolio_period_score::period.eq(period.to_string()))
            .filter(am_portfolio_period_score::result.is_not_null())
            .select(am_portfolio_period_score::result)
            .get_result(&mut *conn)
            .map_err(db_err)?;
        serde_json::from_value(result.unwrap_or_default()).map_err(bad)
    }

    fn list_runs(
        &self,
        period: Option<Period>,
        limit: u32,
    ) -> Result<Vec<CalculationRun>, StoreError> {
        let mut conn = self.conn()?;
        let mut query = calculation_run::table.into_boxed();
        if let Some(period) = period {
            query = query.filter(calculation_run::period.eq(period.to_string()));
        }
        let rows = query
            .order(calculation_run::id.desc())
            .limit(i64::from(limit))
            .select(RunRow::as_select())
            .load(&mut *conn)
            .map_err(db_err)?;
        rows.into_iter().map(RunRow::into_run).collect()
    }
}

/// Whether `period` is finalized.
pub(crate) fn is_finalized(conn: &mut PgConnection, period: Period) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        finalized_period::table.filter(finalized_period::period.eq(period.to_string())),
    ))
    .get_result(conn)
}
