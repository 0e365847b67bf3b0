//! The seven sync stores on PostgreSQL: one transaction per batch (or, where one statement
//! writes the whole batch, that statement alone, which is atomic by itself), one set-based upsert
//! per kind, rows sorted by key so concurrent batches take row locks in the same order.
//!
//! Lookups, re-reads and the forecast insert use diesel's DSL on `schema.rs`. The batch upserts
//! stay SQL: each binds one array per column and inserts `unnest` of them in one statement,
//! which diesel's DSL cannot write (its multi-row insert binds every value, so its text varies
//! with the row count and diesel never prepares it). The hot ones are prepared once per
//! connection ([`Prepared`]). Decimals are bound as `numeric[]` through the driver.

use super::{db_err, in_tx, lookup_seller_ids, prepared::Prepared, PgStore};
use crate::schema::{
    account_manager, campaign, seller_forecast_submission, sos_order_raw, sos_payment_invoice_raw,
};
use chrono::{DateTime, Utc};
use diesel::{
    pg::Pg,
    prelude::*,
    result::Error as DieselError,
    sql_query,
    sql_types::{Array, BigInt, Date, Integer, Jsonb, Nullable, Numeric, Text, Timestamptz},
    Queryable, Selectable,
};
use sos_domain::{
    inputs::{OrderStats, PaymentStats, RawInvoice, RawOrder, RawOrderStatus},
    AmId, CampaignCode, Decimal, Period, SellerCode,
};
use sos_ports::{ForecastRecord, PaymentInput, SyncBatch, SyncStore, SyncStoreError};
use std::collections::{BTreeSet, HashMap};

/// What can go wrong inside the sync transaction.
enum TxError {
    Sync(SyncStoreError),
    Db(DieselError),
}

impl From<DieselError> for TxError {
    fn from(e: DieselError) -> Self {
        TxError::Db(e)
    }
}

impl From<SyncStoreError> for TxError {
    fn from(e: SyncStoreError) -> Self {
        TxError::Sync(e)
    }
}

fn to_i64(v: u32) -> i64 {
    i64::from(v)
}

impl PgStore {
    /// Seller ids for `codes`, from the cache or one query; unknown codes are an error.
    fn seller_ids(
        &self,
        conn: &mut PgConnection,
        codes: &BTreeSet<&SellerCode>,
    ) -> Result<HashMap<SellerCode, i64>, TxError> {
        let found = lookup_seller_ids(&self.seller_ids, conn, codes.iter().copied())?;
        let unknown: Vec<SellerCode> = codes
            .iter()
            .filter(|c| !found.contains_key(**c))
            .map(|c| (*c).clone())
            .collect();
        if unknown.is_empty() {
            Ok(found)
        } else {
            Err(SyncStoreError::UnknownSellers(unknown).into())
        }
    }
}

fn campaign_ids(
    conn: &mut PgConnection,
    codes: &BTreeSet<&CampaignCode>,
) -> Result<HashMap<CampaignCode, i64>, TxError> {
    let wanted: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
    let rows: Vec<(String, i64)> = campaign::table
        .filter(campaign::campaign_code.eq_any(&wanted))
        .select((campaign::campaign_code, campaign::id))
        .load(conn)?;
    let found: HashMap<CampaignCode, i64> = rows
        .into_iter()
        .filter_map(|(code, id)| Some((CampaignCode::parse(code).ok()?, id)))
        .collect();
    let unknown: Vec<CampaignCode> = codes
        .iter()
        .filter(|c| !found.contains_key(**c))
        .map(|c| (*c).clone())
        .collect();
    if unknown.is_empty() {
        Ok(found)
    } else {
        Err(SyncStoreError::UnknownCampaigns(unknown).into())
    }
}

fn check_ams(conn: &mut PgConnection, ams: &BTreeSet<AmId>) -> Result<(), TxError> {
    let wanted: Vec<i64> = ams.iter().map(|a| a.get()).collect();
    let found: BTreeSet<i64> = account_manager::table
        .filter(account_manager::id.eq_any(&wanted))
        .select(account_manager::id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    let unknown: Vec<AmId> = ams
        .iter()
        .filter(|a| !found.contains(&a.get()))
        .copied()
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(SyncStoreError::UnknownAccountManagers(unknown).into())
    }
}

fn upsert_orders(
    conn: &mut PgConnection,
    rows: &[(i64, Period, &OrderStats)],
) -> Result<(), DieselError> {
    let mut rows = rows.to_vec();
    rows.sort_by_key(|(id, p, _)| (*id, *p));
    // Raw SQL: an `unnest` set upsert (see the module doc).
    Prepared::new(
        "INSERT INTO sos_order_operation_raw (seller_id, period, total_orders, orders_within_30min, orders_late, avg_push_time_minutes) \
         SELECT s, p, t, w, l, a FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::numeric[]) \
           AS u(s, p, t, w, l, a) ORDER BY s, p \
         ON CONFLICT (seller_id, period) DO UPDATE SET total_orders = EXCLUDED.total_orders, \
           orders_within_30min = EXCLUDED.orders_within_30min, orders_late = EXCLUDED.orders_late, \
           avg_push_time_minutes = EXCLUDED.avg_push_time_minutes, updated_at = now()",
    )
    .bind::<Array<BigInt>, _>(rows.iter().map(|r| r.0).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(rows.iter().map(|r| r.1.to_string()).collect::<Vec<_>>())
    .bind::<Array<BigInt>, _>(rows.iter().map(|r| to_i64(r.2.total_orders())).collect::<Vec<_>>())
    .bind::<Array<Nullable<BigInt>>, _>(rows.iter().map(|r| r.2.orders_within_30min().map(to_i64)).collect::<Vec<_>>())
    .bind::<Array<Nullable<BigInt>>, _>(rows.iter().map(|r| r.2.orders_late().map(to_i64)).collect::<Vec<_>>())
    .bind::<Array<Nullable<Numeric>>, _>(rows.iter().map(|r| r.2.avg_push_time_minutes()).collect::<Vec<_>>())
    .execute(conn)?;
    Ok(())
}

// diesel has no COALESCE; this one numbers a seller's first forecast of a campaign 1.
define_sql_function!(fn coalesce(x: Nullable<Integer>, y: Integer) -> Integer);

/// Inserts a forecast as the next version of its seller and campaign, or updates the one
/// submitted at the same instant (which keeps its version). One `INSERT ... SELECT`.
fn insert_forecast(
    conn: &mut PgConnection,
    seller_id: i64,
    campaign_id: i64,
    r: &ForecastRecord,
) -> Result<(), DieselError> {
    use diesel::{dsl::max, upsert::excluded};
    use seller_forecast_submission as f;
    let next = coalesce(max(f::submission_version), 0) + 1;
    let row = f::table
        .filter(f::seller_id.eq(seller_id))
        .filter(f::campaign_id.eq(campaign_id))
        .select((
            seller_id.into_sql::<BigInt>(),
            campaign_id.into_sql::<BigInt>(),
            next,
            next.eq(1),
            r.submitted_at.into_sql::<Timestamptz>(),
            to_i64(r.forecasted_order_volume).into_sql::<BigInt>(),
            r.forecasted_sku_breakdown
                .clone()
                .into_sql::<Nullable<Jsonb>>(),
            r.notes.clone().into_sql::<Nullable<Text>>(),
        ));
    diesel::insert_into(f::table)
        .values(row)
        .into_columns((
            f::seller_id,
            f::campaign_id,
            f::submission_version,
            f::is_first_submission,
            f::submitted_at,
            f::forecasted_order_volume,
            f::forecasted_sku_breakdown,
            f::notes,
        ))
        .on_conflict((f::seller_id, f::campaign_id, f::submitted_at))
        .do_update()
        .set((
            f::forecasted_order_volume.eq(excluded(f::forecasted_order_volume)),
            f::forecasted_sku_breakdown.eq(excluded(f::forecasted_sku_breakdown)),
            f::notes.eq(excluded(f::notes)),
            f::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = sos_order_raw, check_for_backend(Pg))]
struct RawOrderRow {
    order_id: String,
    created_at: DateTime<Utc>,
    pushed_at: Option<DateTime<Utc>>,
    status: String,
}

fn status_name(s: RawOrderStatus) -> &'static str {
    match s {
        RawOrderStatus::Pending => "pending",
        RawOrderStatus::Pushed => "pushed",
        RawOrderStatus::Fulfilled => "fulfilled",
        RawOrderStatus::Cancelled => "cancelled",
    }
}

fn parse_status(s: &str) -> RawOrderStatus {
    match s {
        "pushed" => RawOrderStatus::Pushed,
        "fulfilled" => RawOrderStatus::Fulfilled,
        "cancelled" => RawOrderStatus::Cancelled,
        _ => RawOrderStatus::Pending,
    }
}

fn upsert_raw_orders(
    conn: &mut PgConnection,
    seller_id: i64,
    orders: &[RawOrder],
    max_delay_minutes: u32,
    now: DateTime<Utc>,
) -> Result<Vec<(Period, OrderStats)>, DieselError> {
    let mut sorted: Vec<&RawOrder> = orders.iter().collect();
    sorted.sort_by(|a, b| a.order_id.cmp(&b.order_id));
    // Raw SQL: an `unnest` set upsert (see the module doc).
    sql_query(
        "INSERT INTO sos_order_raw (seller_id, order_id, period, created_at, pushed_at, status) \
         SELECT $1, o, to_char(c AT TIME ZONE 'UTC', 'YYYY-MM'), c, p, s \
           FROM unnest($2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[]) AS u(o, c, p, s) ORDER BY o \
         ON CONFLICT (seller_id, order_id) DO UPDATE SET period = EXCLUDED.period, created_at = EXCLUDED.created_at, \
           pushed_at = EXCLUDED.pushed_at, status = EXCLUDED.status",
    )
    .bind::<BigInt, _>(seller_id)
    .bind::<Array<Text>, _>(sorted.iter().map(|o| o.order_id.as_str()).collect::<Vec<_>>())
    .bind::<Array<Timestamptz>, _>(sorted.iter().map(|o| o.created_at).collect::<Vec<_>>())
    .bind::<Array<Nullable<Timestamptz>>, _>(sorted.iter().map(|o| o.pushed_at).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(sorted.iter().map(|o| status_name(o.status)).collect::<Vec<_>>())
    .execute(conn)?;
    let periods: BTreeSet<Period> = orders
        .iter()
        .map(|o| Period::of_date(o.created_at.date_naive()))
        .collect();
    let mut aggregates = Vec::with_capacity(periods.len());
    for period in periods {
        let stored = sos_order_raw::table
            .filter(sos_order_raw::seller_id.eq(seller_id))
            .filter(sos_order_raw::period.eq(period.to_string()))
            .select(RawOrderRow::as_select())
            .load(conn)?;
        let raw: Vec<RawOrder> = stored
            .into_iter()
            .map(|r| RawOrder {
                status: parse_status(&r.status),
                order_id: r.order_id,
                created_at: r.created_at,
                pushed_at: r.pushed_at,
            })
            .collect();
        aggregates.push((
            period,
            OrderStats::from_raw_orders(&raw, max_delay_minutes, now),
        ));
    }
    Ok(aggregates)
}

fn upsert_payments(
    conn: &mut PgConnection,
    rows: &[(i64, Period, PaymentStats)],
) -> Result<(), DieselError> {
    let mut rows = rows.to_vec();
    rows.sort_by_key(|(id, p, _)| (*id, *p));
    let col =
        |f: fn(&PaymentStats) -> u32| rows.iter().map(|r| to_i64(f(&r.2))).collect::<Vec<_>>();
    // Raw SQL: an `unnest` set upsert (see the module doc).
    sql_query(
        "INSERT INTO sos_payment_raw (seller_id, period, total_invoices, invoices_on_time, invoices_late_1_7, \
           invoices_late_7_15, invoices_late_15_20, invoices_late_over_20, worst_days_late, total_outstanding_amount, currency) \
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], \
           $7::bigint[], $8::bigint[], $9::int[], $10::numeric[], $11::text[]) AS u ORDER BY 1, 2 \
         ON CONFLICT (seller_id, period) DO UPDATE SET total_invoices = EXCLUDED.total_invoices, \
           invoices_on_time = EXCLUDED.invoices_on_time, invoices_late_1_7 = EXCLUDED.invoices_late_1_7, \
           invoices_late_7_15 = EXCLUDED.invoices_late_7_15, invoices_late_15_20 = EXCLUDED.invoices_late_15_20, \
           invoices_late_over_20 = EXCLUDED.invoices_late_over_20, worst_days_late = EXCLUDED.worst_days_late, \
           total_outstanding_amount = EXCLUDED.total_outstanding_amount, currency = EXCLUDED.currency, updated_at = now()",
    )
    .bind::<Array<BigInt>, _>(rows.iter().map(|r| r.0).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(rows.iter().map(|r| r.1.to_string()).collect::<Vec<_>>())
    .bind::<Array<BigInt>, _>(col(PaymentStats::total_invoices))
    .bind::<Array<BigInt>, _>(col(PaymentStats::invoices_on_time))
    .bind::<Array<BigInt>, _>(col(PaymentStats::invoices_late_1_7))
    .bind::<Array<BigInt>, _>(col(PaymentStats::invoices_late_7_15))
    .bind::<Array<BigInt>, _>(col(PaymentStats::invoices_late_15_20))
    .bind::<Array<BigInt>, _>(col(PaymentStats::invoices_late_over_20))
    .bind::<Array<Nullable<Integer>>, _>(rows.iter().map(|r| r.2.worst_days_late()).collect::<Vec<_>>())
    .bind::<Array<Nullable<Numeric>>, _>(rows.iter().map(|r| r.2.total_outstanding_amount()).collect::<Vec<_>>())
    .bind::<Array<Nullable<Text>>, _>(rows.iter().map(|r| r.2.currency().map(str::to_owned)).collect::<Vec<_>>())
    .execute(conn)?;
    Ok(())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = sos_payment_invoice_raw, check_for_backend(Pg))]
struct InvoiceRow {
    invoice_id: String,
    days_late: i32,
    amount: Decimal,
}

fn upsert_invoices(
    conn: &mut PgConnection,
    seller_id: i64,
    period: Period,
    invoices: &[RawInvoice],
    currency: Option<String>,
) -> Result<PaymentStats, TxError> {
    let mut sorted: Vec<&RawInvoice> = invoices.iter().collect();
    sorted.sort_by(|a, b| a.invoice_id.cmp(&b.invoice_id));
    // Raw SQL: an `unnest` set upsert (see the module doc).
    sql_query(
        "INSERT INTO sos_payment_invoice_raw (seller_id, period, invoice_id, days_late, amount) \
         SELECT $1, $2, i, d, a FROM unnest($3::text[], $4::int[], $5::numeric[]) AS u(i, d, a) ORDER BY i \
         ON CONFLICT (seller_id, period, invoice_id) DO UPDATE SET days_late = EXCLUDED.days_late, \
           amount = EXCLUDED.amount, updated_at = now()",
    )
    .bind::<BigInt, _>(seller_id)
    .bind::<Text, _>(period.to_string())
    .bind::<Array<Text>, _>(sorted.iter().map(|i| i.invoice_id.as_str()).collect::<Vec<_>>())
    .bind::<Array<Integer>, _>(sorted.iter().map(|i| i.days_late).collect::<Vec<_>>())
    .bind::<Array<Numeric>, _>(sorted.iter().map(|i| i.amount).collect::<Vec<_>>())
    .execute(conn)?;
    let all: Vec<RawInvoice> = sos_payment_invoice_raw::table
        .filter(sos_payment_invoice_raw::seller_id.eq(seller_id))
        .filter(sos_payment_invoice_raw::period.eq(period.to_string()))
        .order(sos_payment_invoice_raw::invoice_id)
        .select(InvoiceRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|r| RawInvoice {
            invoice_id: r.invoice_id,
            days_late: r.days_late,
            amount: r.amount,
        })
        .collect();
    PaymentStats::from_invoices(&all, currency).map_err(|e| {
        TxError::Sync(SyncStoreError::Unknown(anyhow::anyhow!(
            "stored invoices no longer aggregate: {e}"
        )))
    })
}

impl PgStore {
    fn apply_on(&self, conn: &mut PgConnection, batch: &SyncBatch) -> Result<(), TxError> {
        match batch {
            SyncBatch::Orders(v) => {
                let ids = self.seller_ids(conn, &v.iter().map(|r| &r.seller).collect())?;
                let rows: Vec<_> = v
                    .iter()
                    .map(|r| (ids[&r.seller], r.period, &r.stats))
                    .collect();
                upsert_orders(conn, &rows)?;
            }
            SyncBatch::RawOrders {
                records,
                max_delay_minutes,
                now,
            } => {
                let ids = self.seller_ids(conn, &records.iter().map(|r| &r.seller).collect())?;
                let mut aggregates = Vec::new();
                for r in records {
                    let id = ids[&r.seller];
                    for (period, stats) in
                        upsert_raw_orders(conn, id, &r.orders, *max_delay_minutes, *now)?
                    {
                        aggregates.push((id, period, stats));
                    }
                }
                let rows: Vec<_> = aggregates.iter().map(|(id, p, s)| (*id, *p, s)).collect();
                if !rows.is_empty() {
                    upsert_orders(conn, &rows)?;
                }
            }
            SyncBatch::Forecasts(v) => {
                let ids = self.seller_ids(conn, &v.iter().map(|r| &r.seller).collect())?;
                let campaigns = campaign_ids(conn, &v.iter().map(|r| &r.campaign).collect())?;
                let mut sorted: Vec<_> = v.iter().collect();
                sorted.sort_by_key(|r| (ids[&r.seller], campaigns[&r.campaign], r.submitted_at));
                for r in sorted {
                    let (seller_id, campaign_id) = (ids[&r.seller], campaigns[&r.campaign]);
                    // Versions are numbered per seller and campaign; the lock keeps two
                    // concurrent submissions from taking the same number. Raw SQL: diesel
                    // has no advisory-lock functions.
                    sql_query("SELECT pg_advisory_xact_lock(hashtextextended('forecast:' || $1 || ':' || $2, 0))")
                        .bind::<BigInt, _>(seller_id)
                        .bind::<BigInt, _>(campaign_id)
                        .execute(conn)?;
                    insert_forecast(conn, seller_id, campaign_id, r)?;
                }
            }
            SyncBatch::CampaignActuals(v) => {
                let ids = self.seller_ids(conn, &v.iter().map(|r| &r.seller).collect())?;
                let campaigns = campaign_ids(conn, &v.iter().map(|r| &r.campaign).collect())?;
                let mut rows: Vec<_> = v
                    .iter()
                    .map(|r| (ids[&r.seller], campaigns[&r.campaign], r))
                    .collect();
                rows.sort_by_key(|(s, c, _)| (*s, *c));
                // Raw SQL: an `unnest` set upsert (see the module doc).
                Prepared::new(
                    "INSERT INTO campaign_actual_result (seller_id, campaign_id, actual_order_volume, actual_sku_breakdown) \
                     SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::jsonb[]) AS u ORDER BY 1, 2 \
                     ON CONFLICT (seller_id, campaign_id) DO UPDATE SET actual_order_volume = EXCLUDED.actual_order_volume, \
                       actual_sku_breakdown = EXCLUDED.actual_sku_breakdown, updated_at = now()",
                )
                .bind::<Array<BigInt>, _>(rows.iter().map(|r| r.0).collect::<Vec<_>>())
                .bind::<Array<BigInt>, _>(rows.iter().map(|r| r.1).collect::<Vec<_>>())
                .bind::<Array<BigInt>, _>(rows.iter().map(|r| to_i64(r.2.actual_order_volume)).collect::<Vec<_>>())
                .bind::<Array<Nullable<Jsonb>>, _>(rows.iter().map(|r| r.2.actual_sku_breakdown.clone()).collect::<Vec<_>>())
                .execute(conn)?;
            }
            SyncBatch::Tickets(v) => {
                let ids = self.seller_ids(conn, &v.iter().map(|r| &r.seller).collect())?;
                let mut rows: Vec<_> = v.iter().map(|r| (ids[&r.seller], r)).collect();
                rows.sort_by_key(|(s, r)| (*s, r.period));
                let bucket = |f: fn(&sos_domain::inputs::TicketBreakdown) -> u32| {
                    rows.iter()
                        .map(|(_, r)| r.stats.breakdown().map(|b| to_i64(f(b))))
                        .collect::<Vec<_>>()
                };
                // Raw SQL: an `unnest` set upsert (see the module doc).
                Prepared::new(
                    "INSERT INTO sos_ticket_sla_raw (seller_id, period, total_tickets, avg_response_time_hours, \
                       under_4h, h4_8h, h8_16h, over_16h) \
                     SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::numeric[], $5::bigint[], \
                       $6::bigint[], $7::bigint[], $8::bigint[]) AS u ORDER BY 1, 2 \
                     ON CONFLICT (seller_id, period) DO UPDATE SET total_tickets = EXCLUDED.total_tickets, \
                       avg_response_time_hours = EXCLUDED.avg_response_time_hours, under_4h = EXCLUDED.under_4h, \
                       h4_8h = EXCLUDED.h4_8h, h8_16h = EXCLUDED.h8_16h, over_16h = EXCLUDED.over_16h, updated_at = now()",
                )
                .bind::<Array<BigInt>, _>(rows.iter().map(|r| r.0).collect::<Vec<_>>())
                .bind::<Array<Text>, _>(rows.iter().map(|r| r.1.period.to_string()).collect::<Vec<_>>())
                .bind::<Array<Nullable<BigInt>>, _>(rows.iter().map(|r| r.1.stats.total_tickets().map(to_i64)).collect::<Vec<_>>())
                .bind::<Array<Nullable<Numeric>>, _>(
                    rows.iter().map(|r| r.1.stats.avg_response_time_hours()).collect::<Vec<_>>(),
                )
                .bind::<Array<Nullable<BigInt>>, _>(bucket(|b| b.under_4h))
                .bind::<Array<Nullable<BigInt>>, _>(bucket(|b| b.from_4h_to_8h))
                .bind::<Array<Nullable<BigInt>>, _>(bucket(|b| b.from_8h_to_16h))
                .bind::<Array<Nullable<BigInt>>, _>(bucket(|b| b.over_16h))
                .execute(conn)?;
            }
            SyncBatch::Payments {
                records: v,
                blocking,
            } => {
                let ids = self.seller_ids(conn, &v.iter().map(|r| &r.seller).collect())?;
                let mut rows = Vec::with_capacity(v.len());
                let mut sorted: Vec<_> = v.iter().collect();
                sorted.sort_by_key(|r| (ids[&r.seller], r.period));
                for r in sorted {
                    let id = ids[&r.seller];
                    let stats = match &r.input {
                        PaymentInput::Aggregate(stats) => stats.clone(),
                        PaymentInput::Invoices { invoices, currency } => {
                            upsert_invoices(conn, id, r.period, invoices, currency.clone())?
                        }
                    };
                    rows.push((id, r.period, stats));
                }
                upsert_payments(conn, &rows)?;
                super::enforcement::after_payments(
                    conn,
                    &ids,
                    &blocking.rules,
                    &blocking.actor,
                    blocking.at,
                )?;
            }
            SyncBatch::Inventory(v) => {
                let ids = self.seller_ids(conn, &v.iter().map(|r| &r.seller).collect())?;
                let mut rows: Vec<_> = v.iter().map(|r| (ids[&r.seller], r)).collect();
                rows.sort_by_key(|(s, r)| (*s, r.snapshot.period()));
                let fig = |f: fn(
                    &sos_domain::inputs::InventorySnapshotDraft,
                ) -> Option<sos_domain::Decimal>| {
                    rows.iter()
                        .map(|(_, r)| f(r.snapshot.figures()))
                        .collect::<Vec<_>>()
                };
                let pct = |f: fn(
                    &sos_domain::inputs::AgingPercentages,
                ) -> Option<sos_domain::Decimal>| {
                    rows.iter()
                        .map(|(_, r)| f(&r.snapshot.aging_percentages()))
                        .collect::<Vec<_>>()
                };
                // A newer snapshot replaces an older one; an older one arriving late does not.
                // Raw SQL: an `unnest` set upsert (see the module doc).
                Prepared::new(
                    "INSERT INTO sos_inventory_health_raw (seller_id, period, snapshot_date, total_cbm, total_sku_qty, \
                       aging_over_90d_cbm, aging_over_90d_sku_qty, aging_over_180d_cbm, aging_over_180d_pct, \
                       aging_pct_by_cbm, aging_pct_by_qty, aging_pct_used) \
                     SELECT * FROM unnest($1::bigint[], $2::text[], $3::date[], $4::numeric[], $5::numeric[], $6::numeric[], \
                       $7::numeric[], $8::numeric[], $9::numeric[], $10::numeric[], $11::numeric[], $12::numeric[]) AS u ORDER BY 1, 2 \
                     ON CONFLICT (seller_id, period) DO UPDATE SET snapshot_date = EXCLUDED.snapshot_date, \
                       total_cbm = EXCLUDED.total_cbm, total_sku_qty = EXCLUDED.total_sku_qty, \
                       aging_over_90d_cbm = EXCLUDED.aging_over_90d_cbm, aging_over_90d_sku_qty = EXCLUDED.aging_over_90d_sku_qty, \
                       aging_over_180d_cbm = EXCLUDED.aging_over_180d_cbm, aging_over_180d_pct = EXCLUDED.aging_over_180d_pct, \
                       aging_pct_by_cbm = EXCLUDED.aging_pct_by_cbm, aging_pct_by_qty = EXCLUDED.aging_pct_by_qty, \
                       aging_pct_used = EXCLUDED.aging_pct_used, updated_at = now() \
                     WHERE sos_inventory_health_raw.snapshot_date <= EXCLUDED.snapshot_date",
                )
                .bind::<Array<BigInt>, _>(rows.iter().map(|r| r.0).collect::<Vec<_>>())
                .bind::<Array<Text>, _>(rows.iter().map(|r| r.1.snapshot.period().to_string()).collect::<Vec<_>>())
                .bind::<Array<Date>, _>(rows.iter().map(|r| r.1.snapshot.snapshot_date()).collect::<Vec<_>>())
                .bind::<Array<Nullable<Numeric>>, _>(fig(|f| f.total_cbm))
                .bind::<Array<Nullable<Numeric>>, _>(fig(|f| f.total_sku_qty))
                .bind::<Array<Nullable<Numeric>>, _>(fig(|f| f.aging_over_90d_cbm))
                .bind::<Array<Nullable<Numeric>>, _>(fig(|f| f.aging_over_90d_sku_qty))
                .bind::<Array<Nullable<Numeric>>, _>(fig(|f| f.aging_over_180d_cbm))
                .bind::<Array<Nullable<Numeric>>, _>(fig(|f| f.aging_over_180d_pct))
                .bind::<Array<Nullable<Numeric>>, _>(pct(|a| a.by_cbm))
                .bind::<Array<Nullable<Numeric>>, _>(pct(|a| a.by_qty))
                .bind::<Array<Nullable<Numeric>>, _>(pct(|a| a.max))
                .execute(conn)?;
            }
            SyncBatch::Revenue(v) => {
                check_ams(conn, &v.iter().map(|r| r.am_id()).collect())?;
                let mut rows: Vec<_> = v.iter().collect();
                rows.sort_by_key(|r| (r.am_id(), r.period()));
                // Raw SQL: an `unnest` set upsert (see the module doc).
                Prepared::new(
                    "INSERT INTO am_portfolio_period_score (am_id, period, revenue_target, revenue_actual, revenue_achievement_pct) \
                     SELECT * FROM unnest($1::bigint[], $2::text[], $3::numeric[], $4::numeric[], $5::numeric[]) AS u ORDER BY 1, 2 \
                     ON CONFLICT (am_id, period) DO UPDATE SET revenue_target = EXCLUDED.revenue_target, \
                       revenue_actual = EXCLUDED.revenue_actual, revenue_achievement_pct = EXCLUDED.revenue_achievement_pct, \
                       updated_at = now()",
                )
                .bind::<Array<BigInt>, _>(rows.iter().map(|r| r.am_id().get()).collect::<Vec<_>>())
                .bind::<Array<Text>, _>(rows.iter().map(|r| r.period().to_string()).collect::<Vec<_>>())
                .bind::<Array<Numeric>, _>(rows.iter().map(|r| r.revenue_target()).collect::<Vec<_>>())
                .bind::<Array<Numeric>, _>(rows.iter().map(|r| r.revenue_actual()).collect::<Vec<_>>())
                .bind::<Array<Nullable<Numeric>>, _>(rows.iter().map(|r| r.achievement_pct()).collect::<Vec<_>>())
                .execute(conn)?;
            }
        }
        Ok(())
    }
}

/// Whether `apply_on` writes `batch` with exactly one statement (after read-only lookups of
/// sellers, campaigns or account managers). One statement is atomic on its own, so these kinds
/// need no explicit transaction, which saves the BEGIN and COMMIT round trips of every call.
fn single_statement(batch: &SyncBatch) -> bool {
    matches!(
        batch,
        SyncBatch::Orders(_)
            | SyncBatch::CampaignActuals(_)
            | SyncBatch::Tickets(_)
            | SyncBatch::Inventory(_)
            | SyncBatch::Revenue(_)
    )
}

impl SyncStore for PgStore {
    fn apply(&self, batch: &SyncBatch) -> Result<usize, SyncStoreError> {
        let mut conn = self.conn()?;
        let outcome = if single_statement(batch) {
            self.apply_on(&mut conn, batch)
        } else {
            in_tx(&mut conn, |conn| self.apply_on(conn, batch))
        };
        outcome.map_err(|e| match e {
            TxError::Sync(e) => e,
            TxError::Db(e) => SyncStoreError::from(db_err(e)),
        })?;
        Ok(batch.len())
    }
}
