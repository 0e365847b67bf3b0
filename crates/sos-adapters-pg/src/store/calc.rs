//! The atomic calculation write: one transaction on one connection, holding the period's
//! advisory lock from the first statement to commit or rollback.

use super::{db_err, lookup_seller_ids, num::opt_txt, prepared::Prepared, PgConn, SellerIds};
use crate::schema::{am_portfolio_period_score, seller, seller_score, surcharge_event};
use diesel::{
    connection::{AnsiTransactionManager, TransactionManager},
    prelude::*,
    sql_query,
    sql_types::{Array, BigInt, Bool, Integer, Jsonb, Nullable, Text, Timestamptz},
    QueryableByName,
};
use sos_domain::webhook::EventDraft;
use sos_domain::{AmId, AmPortfolioScore, Component, Decimal, Period, ScoreResult, SellerCode};
use sos_ports::{
    BlockVerdict, CalculationRun, CalculationScope, CalculationStoreError, CalculationTx,
    CompletionEvents, StoredScore,
};

/// The advisory-lock key of a period's calculation. `finalize_period` takes the same key, so
/// a period is never finalized in the middle of a calculation.
pub(crate) fn lock_key(period: Period) -> String {
    format!("sos-calculation:{period}")
}

fn store_err(e: diesel::result::Error) -> CalculationStoreError {
    CalculationStoreError::from(db_err(e))
}

/// The connection back from a background write, with the write's outcome.
type Pending = std::thread::JoinHandle<(PgConn, Result<(), CalculationStoreError>)>;

/// An open calculation on PostgreSQL. Dropping it without commit rolls back.
///
/// [`CalculationTx::write_scores`] turns a chunk into bind arrays (mostly JSON serialization)
/// and hands the insert to a background thread, so the caller prepares the next chunk while
/// PostgreSQL stores this one. Every other call first waits for that write and reports its
/// error, so statements still run one at a time, in order, on the one connection.
pub(crate) struct PgCalculation {
    /// The connection, while no write is in flight.
    conn: Option<PgConn>,
    /// The write in flight, which holds the connection.
    pending: Option<Pending>,
    period: Period,
    open: bool,
    /// The store's seller-id cache: results are written by seller id, with no join on codes.
    seller_ids: SellerIds,
    /// The sellers scored and the blocking rules each triggered, decided at commit.
    verdicts: Vec<BlockVerdict>,
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = Bool)]
    flag: bool,
}

impl PgCalculation {
    pub(crate) fn begin(
        mut conn: PgConn,
        period: Period,
        scope: &CalculationScope,
        seller_ids: SellerIds,
    ) -> Result<Self, CalculationStoreError> {
        AnsiTransactionManager::begin_transaction(&mut *conn).map_err(store_err)?;
        let mut tx = Self {
            conn: Some(conn),
            pending: None,
            period,
            open: true,
            seller_ids,
            verdicts: Vec::new(),
        };
        // Raw SQL: diesel has no advisory-lock functions.
        let locked: Flag =
            sql_query("SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS flag")
                .bind::<Text, _>(lock_key(period))
                .get_result(tx.conn()?)
                .map_err(store_err)?;
        if !locked.flag {
            return Err(CalculationStoreError::AlreadyRunning(period));
        }
        if super::scores::is_finalized(tx.conn()?, period).map_err(store_err)? {
            return Err(CalculationStoreError::Finalized(period));
        }
        // Results carry their explanation (several kB of JSON per seller), so compressing them
        // is most of the write's cost: lz4 is several times faster than the default pglz, and
        // reads decompress either transparently. Skipped where the server lacks lz4. Raw SQL:
        // diesel has neither set_config nor pg_settings.
        sql_query(
            "SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings \
             WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)",
        )
        .execute(tx.conn()?)
        .map_err(store_err)?;
        let codes: Option<Vec<String>> = match scope {
            CalculationScope::All => None,
            CalculationScope::Sellers(codes) => {
                Some(codes.iter().map(|c| c.as_str().to_owned()).collect())
            }
        };
        let in_scope = |codes: Vec<String>| {
            seller::table
                .filter(seller::seller_code.eq_any(codes))
                .select(seller::id)
        };
        let mut events = diesel::delete(surcharge_event::table)
            .filter(surcharge_event::period.eq(period.to_string()))
            .into_boxed();
        let mut results = diesel::delete(seller_score::table)
            .filter(seller_score::period.eq(period.to_string()))
            .into_boxed();
        if let Some(codes) = codes {
            events = events.filter(surcharge_event::seller_id.eq_any(in_scope(codes.clone())));
            results = results.filter(seller_score::seller_id.eq_any(in_scope(codes)));
        }
        events.execute(tx.conn()?).map_err(store_err)?;
        results.execute(tx.conn()?).map_err(store_err)?;
        Ok(tx)
    }
}

impl PgCalculation {
    /// Opens the re-scoring of one seller in a finalized period (an approved appeal): waits for
    /// the period's lock, keeps the current result in `seller_score_superseded`, and removes
    /// it and its surcharges so [`CalculationTx::write_scores`] writes the new ones.
    pub(crate) fn begin_rescore(
        mut conn: PgConn,
        period: Period,
        seller_id: i64,
        at: chrono::DateTime<chrono::Utc>,
        seller_ids: SellerIds,
    ) -> Result<Self, CalculationStoreError> {
        AnsiTransactionManager::begin_transaction(&mut *conn).map_err(store_err)?;
        let mut tx = Self {
            conn: Some(conn),
            pending: None,
            period,
            open: true,
            seller_ids,
            verdicts: Vec::new(),
        };
        // Raw SQL: diesel has no advisory-lock functions.
        sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind::<Text, _>(lock_key(period))
            .execute(tx.conn()?)
            .map_err(store_err)?;
        // Raw SQL: an INSERT ... SELECT copying the row as it is.
        let kept = sql_query(
            "INSERT INTO seller_score_superseded (seller_id, period, am_id, result, calculated_at, \
               superseded_at) \
             SELECT seller_id, period, am_id, result, calculated_at, $3 FROM seller_score \
             WHERE seller_id = $1 AND period = $2",
        )
        .bind::<BigInt, _>(seller_id)
        .bind::<Text, _>(period.to_string())
        .bind::<Timestamptz, _>(at)
        .execute(tx.conn()?)
        .map_err(store_err)?;
        if kept == 0 {
            return Err(CalculationStoreError::Unknown(anyhow::anyhow!(
                "the seller has no result for {period} to re-score"
            )));
        }
        diesel::delete(surcharge_event::table)
            .filter(surcharge_event::period.eq(period.to_string()))
            .filter(surcharge_event::seller_id.eq(seller_id))
            .execute(tx.conn()?)
            .map_err(store_err)?;
        diesel::delete(seller_score::table)
            .filter(seller_score::period.eq(period.to_string()))
            .filter(seller_score::seller_id.eq(seller_id))
            .execute(tx.conn()?)
            .map_err(store_err)?;
        Ok(tx)
    }

    /// Commits a re-scoring, which records no run.
    pub(crate) fn commit_rescore(mut self) -> Result<(), CalculationStoreError> {
        AnsiTransactionManager::commit_transaction(&mut **self.conn()?).map_err(store_err)?;
        self.open = false;
        Ok(())
    }

    /// The connection, once the write in flight (if any) has finished; its error, if it failed.
    pub(crate) fn conn(&mut self) -> Result<&mut PgConn, CalculationStoreError> {
        if let Some(pending) = self.pending.take() {
            let (conn, outcome) = pending.join().map_err(|_| {
                CalculationStoreError::Unknown(anyhow::anyhow!(
                    "the calculation's writer thread panicked"
                ))
            })?;
            self.conn = Some(conn);
            outcome?;
        }
        self.conn.as_mut().ok_or_else(|| {
            CalculationStoreError::Unknown(anyhow::anyhow!("the calculation lost its connection"))
        })
    }
}

impl Drop for PgCalculation {
    fn drop(&mut self) {
        if self.open {
            // A failed write is rolled back below with everything else.
            let conn = match self.conn() {
                Ok(conn) => Some(conn),
                Err(_) => self.conn.as_mut(),
            };
            let Some(conn) = conn else {
                // The writer thread panicked holding the connection: the pool discards a
                // connection returned inside a transaction.
                return;
            };
            if let Err(e) = AnsiTransactionManager::rollback_transaction(&mut **conn) {
                tracing::warn!(error = %e, "rollback of an abandoned calculation failed; the connection is discarded");
            }
        }
    }
}

fn json<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, CalculationStoreError> {
    serde_json::to_value(value).map_err(|e| CalculationStoreError::Unknown(anyhow::Error::new(e)))
}

/// Room for a typical result's JSON (4-5 kB): written into a buffer this size, the text never
/// has to be regrown and copied while it is written.
const RESULT_JSON_CAPACITY: usize = 8 * 1024;

/// A result as JSON text, written straight from the typed value: no intermediate
/// `serde_json::Value` tree (which costs several times the text in allocations).
fn result_text(result: &ScoreResult) -> Result<String, CalculationStoreError> {
    let mut text = Vec::with_capacity(RESULT_JSON_CAPACITY);
    serde_json::to_writer(&mut text, result)
        .map_err(|e| CalculationStoreError::Unknown(anyhow::Error::new(e)))?;
    String::from_utf8(text).map_err(|e| CalculationStoreError::Unknown(anyhow::Error::new(e)))
}

impl CalculationTx for PgCalculation {
    fn write_scores(&mut self, scores: &[StoredScore]) -> Result<(), CalculationStoreError> {
        if scores.is_empty() {
            return Ok(());
        }
        // Everything the inserts bind, owned, so they can run on the writer thread.
        let period = self.period.to_string();
        let codes: Vec<SellerCode> = scores.iter().map(|s| s.seller_code.clone()).collect();
        let cache = self.seller_ids.clone();
        let ams: Vec<Option<i64>> = scores.iter().map(|s| s.am_id.map(AmId::get)).collect();
        let statuses: Vec<&'static str> =
            scores.iter().map(|s| s.result.status().as_str()).collect();
        // Scores go as text, unlike the sync batches: the calculation bench (100,000 sellers)
        // was not rerun against the driver's binary numeric.
        let sos: Vec<Option<String>> = scores
            .iter()
            .map(|s| opt_txt(s.result.sos_score()))
            .collect();
        let tiers: Vec<Option<String>> = scores
            .iter()
            .map(|s| s.result.tier().map(|t| t.as_str().to_owned()))
            .collect();
        let component = |c: Component| {
            scores
                .iter()
                .map(|s| opt_txt(s.result.component_score(c)))
                .collect::<Vec<_>>()
        };
        let [p, o, t, f, i] = [
            Component::P,
            Component::O,
            Component::T,
            Component::F,
            Component::I,
        ]
        .map(component);
        let results = scores
            .iter()
            .map(|s| result_text(&s.result))
            .collect::<Result<Vec<_>, _>>()?;
        let at: Vec<chrono::DateTime<chrono::Utc>> =
            scores.iter().map(|s| s.calculated_at).collect();
        let mut ev_sellers: Vec<usize> = Vec::new();
        let mut ev_rules = Vec::new();
        let mut ev_types: Vec<String> = Vec::new();
        let mut ev_actions = Vec::new();
        for (n, s) in scores.iter().enumerate() {
            for t in &s.result.surcharges {
                ev_sellers.push(n);
                ev_rules.push(t.rule_id.map(|r| r.0));
                ev_types.push(t.surcharge_type.as_str().to_owned());
                ev_actions.push(t.action.to_json());
            }
        }
        // Wait for the previous chunk's insert (and report its error) before sending this one.
        self.conn()?;
        let mut conn = self.conn.take().ok_or_else(|| {
            CalculationStoreError::Unknown(anyhow::anyhow!("the calculation lost its connection"))
        })?;
        let write = move |conn: &mut PgConn| -> Result<(), CalculationStoreError> {
            let found = lookup_seller_ids(&cache, conn, &codes).map_err(store_err)?;
            let ids = codes
                .iter()
                .map(|code| {
                    found.get(code).copied().ok_or_else(|| {
                        CalculationStoreError::Unknown(anyhow::anyhow!(
                            "seller {code} is not in the database"
                        ))
                    })
                })
                .collect::<Result<Vec<i64>, _>>()?;
            // - `unnest` in the select list streams the rows. In FROM it would be a function
            //   scan, which first copies every row into a tuplestore: with ~2.5 MB of result
            //   text per chunk that spilled past `work_mem` into a temporary file (5 GB of them
            //   per 100,000 sellers).
            // - `ON CONFLICT` keeps the port's promise that a write replaces an earlier result
            //   of the same seller and period (one outside the scope, or written twice).
            // - Prepared once per connection: planned once, not once per chunk.
            // - Raw SQL: diesel's DSL has no `unnest` and no INSERT ... SELECT of bind arrays.
            Prepared::new(
                "INSERT INTO seller_score (seller_id, period, am_id, status, sos_score, tier, p_score, o_score, t_score, \
                   f_score, i_score, result, calculated_at) \
                 SELECT unnest($1::bigint[]), $2, unnest($3::bigint[]), unnest($4::text[]), unnest($5::numeric[]), \
                   unnest($6::text[]), unnest($7::numeric[]), unnest($8::numeric[]), unnest($9::numeric[]), \
                   unnest($10::numeric[]), unnest($11::numeric[]), unnest($12::text[]), unnest($13::timestamptz[]) \
                 ON CONFLICT (seller_id, period) DO UPDATE SET am_id = EXCLUDED.am_id, status = EXCLUDED.status, \
                   sos_score = EXCLUDED.sos_score, tier = EXCLUDED.tier, p_score = EXCLUDED.p_score, o_score = EXCLUDED.o_score, \
                   t_score = EXCLUDED.t_score, f_score = EXCLUDED.f_score, i_score = EXCLUDED.i_score, \
                   result = EXCLUDED.result, calculated_at = EXCLUDED.calculated_at",
            )
            .bind::<Array<BigInt>, _>(&ids)
            .bind::<Text, _>(&period)
            .bind::<Array<Nullable<BigInt>>, _>(&ams)
            .bind::<Array<Text>, _>(&statuses)
            .bind::<Array<Nullable<Text>>, _>(&sos)
            .bind::<Array<Nullable<Text>>, _>(&tiers)
            .bind::<Array<Nullable<Text>>, _>(&p)
            .bind::<Array<Nullable<Text>>, _>(&o)
            .bind::<Array<Nullable<Text>>, _>(&t)
            .bind::<Array<Nullable<Text>>, _>(&f)
            .bind::<Array<Nullable<Text>>, _>(&i)
            .bind::<Array<Text>, _>(&results)
            .bind::<Array<Timestamptz>, _>(&at)
            .execute(&mut **conn)
            .map_err(store_err)?;
            if !ev_sellers.is_empty() {
                let ev_ids: Vec<i64> = ev_sellers
                    .iter()
                    .filter_map(|n| ids.get(*n).copied())
                    .collect();
                // Raw SQL, prepared: the same `unnest` set insert as the results'.
                Prepared::new(
                    "INSERT INTO surcharge_event (seller_id, period, rule_id, surcharge_type, action) \
                     SELECT unnest($1::bigint[]), $2, unnest($3::bigint[]), unnest($4::text[]), unnest($5::jsonb[])",
                )
                .bind::<Array<BigInt>, _>(&ev_ids)
                .bind::<Text, _>(&period)
                .bind::<Array<Nullable<BigInt>>, _>(&ev_rules)
                .bind::<Array<Text>, _>(&ev_types)
                .bind::<Array<Jsonb>, _>(&ev_actions)
                .execute(&mut **conn)
                .map_err(store_err)?;
            }
            Ok(())
        };
        let spawned = std::thread::Builder::new()
            .name("sos-calc-writer".into())
            .spawn(move || {
                let outcome = write(&mut conn);
                (conn, outcome)
            });
        match spawned {
            Ok(handle) => {
                self.pending = Some(handle);
                Ok(())
            }
            Err(e) => Err(CalculationStoreError::Unknown(anyhow::anyhow!(
                "could not start the calculation's writer thread: {e}"
            ))),
        }
    }

    fn period_sos_by_am(
        &mut self,
    ) -> Result<Vec<(AmId, SellerCode, Option<Decimal>)>, CalculationStoreError> {
        let rows: Vec<(i64, String, Option<Decimal>)> = seller_score::table
            .inner_join(seller::table)
            .filter(seller_score::period.eq(self.period.to_string()))
            .filter(seller_score::am_id.is_not_null())
            .order(seller::seller_code)
            .select((
                seller_score::am_id.assume_not_null(),
                seller::seller_code,
                seller_score::sos_score,
            ))
            .load(self.conn()?)
            .map_err(store_err)?;
        rows.into_iter()
            .map(|(am, code, sos)| {
                let bad = |e: String| {
                    CalculationStoreError::Unknown(anyhow::anyhow!("stored score: {e}"))
                };
                Ok((
                    AmId::new(am).map_err(bad)?,
                    SellerCode::parse(code).map_err(bad)?,
                    sos,
                ))
            })
            .collect()
    }

    fn write_am_scores(
        &mut self,
        scores: &[AmPortfolioScore],
    ) -> Result<(), CalculationStoreError> {
        let period = self.period.to_string();
        diesel::update(am_portfolio_period_score::table)
            .filter(am_portfolio_period_score::period.eq(&period))
            .set((
                am_portfolio_period_score::seller_count.eq(None::<i32>),
                am_portfolio_period_score::avg_sos.eq(None::<Decimal>),
                am_portfolio_period_score::sos_delta.eq(None::<Decimal>),
                am_portfolio_period_score::kpi_score.eq(None::<Decimal>),
                am_portfolio_period_score::bonus_or_penalty_amount.eq(None::<Decimal>),
                am_portfolio_period_score::result.eq(None::<serde_json::Value>),
                am_portfolio_period_score::calculated_at.eq(None::<chrono::DateTime<chrono::Utc>>),
            ))
            .execute(self.conn()?)
            .map_err(store_err)?;
        if scores.is_empty() {
            return Ok(());
        }
        let mut sorted: Vec<&AmPortfolioScore> = scores.iter().collect();
        sorted.sort_by_key(|s| s.am_id);
        let results = sorted
            .iter()
            .map(|s| json(*s))
            .collect::<Result<Vec<_>, _>>()?;
        // Raw SQL: one `unnest` set upsert; diesel's multi-row insert binds every value and is
        // never prepared.
        sql_query(
            "INSERT INTO am_portfolio_period_score (am_id, period, seller_count, avg_sos, sos_delta, kpi_score, \
               bonus_or_penalty_amount, result, calculated_at) \
             SELECT a, $1, c, avg, d, k, b, r, now() FROM unnest($2::bigint[], $3::int[], $4::numeric[], $5::numeric[], \
               $6::numeric[], $7::numeric[], $8::jsonb[]) AS u(a, c, avg, d, k, b, r) ORDER BY a \
             ON CONFLICT (am_id, period) DO UPDATE SET seller_count = EXCLUDED.seller_count, avg_sos = EXCLUDED.avg_sos, \
               sos_delta = EXCLUDED.sos_delta, kpi_score = EXCLUDED.kpi_score, \
               bonus_or_penalty_amount = EXCLUDED.bonus_or_penalty_amount, result = EXCLUDED.result, \
               calculated_at = EXCLUDED.calculated_at, updated_at = now()",
        )
        .bind::<Text, _>(&period)
        .bind::<Array<BigInt>, _>(sorted.iter().map(|s| s.am_id.get()).collect::<Vec<_>>())
        .bind::<Array<Integer>, _>(sorted.iter().map(|s| i32::try_from(s.seller_count).unwrap_or(i32::MAX)).collect::<Vec<_>>())
        .bind::<Array<Nullable<Text>>, _>(sorted.iter().map(|s| opt_txt(s.avg_sos)).collect::<Vec<_>>())
        .bind::<Array<Nullable<Text>>, _>(sorted.iter().map(|s| opt_txt(s.sos_delta)).collect::<Vec<_>>())
        .bind::<Array<Nullable<Text>>, _>(sorted.iter().map(|s| opt_txt(s.kpi)).collect::<Vec<_>>())
        .bind::<Array<Nullable<Text>>, _>(
            sorted.iter().map(|s| opt_txt(s.bonus_penalty.as_ref().map(|b| b.amount))).collect::<Vec<_>>(),
        )
        .bind::<Array<Jsonb>, _>(&results)
        .execute(self.conn()?)
        .map_err(store_err)?;
        Ok(())
    }

    fn write_events(&mut self, events: &[EventDraft]) -> Result<(), CalculationStoreError> {
        super::webhooks::insert_events(self.conn()?, events).map_err(store_err)
    }

    fn write_blocking(&mut self, verdicts: &[BlockVerdict]) -> Result<(), CalculationStoreError> {
        self.verdicts.extend_from_slice(verdicts);
        Ok(())
    }

    fn commit(
        mut self: Box<Self>,
        run: &CalculationRun,
        completion: &dyn CompletionEvents,
    ) -> Result<i64, CalculationStoreError> {
        let id =
            super::scores::insert_run(self.conn()?, run).map_err(CalculationStoreError::from)?;
        super::webhooks::insert_events(self.conn()?, &completion.events(id)).map_err(store_err)?;
        let verdicts = std::mem::take(&mut self.verdicts);
        let (period, cache) = (self.period, self.seller_ids.clone());
        let conn = self.conn()?;
        let ids = lookup_seller_ids(&cache, conn, verdicts.iter().map(|v| &v.seller))
            .map_err(store_err)?;
        super::enforcement::after_calculation(
            conn,
            period,
            verdicts,
            &ids,
            &run.triggered_by,
            run.finished_at,
        )
        .map_err(store_err)?;
        AnsiTransactionManager::commit_transaction(&mut **self.conn()?).map_err(store_err)?;
        self.open = false;
        Ok(id)
    }
}
