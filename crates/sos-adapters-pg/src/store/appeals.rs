//! Appeals on PostgreSQL, and the one transaction that applies an approved appeal.

use super::{calc::PgCalculation, db_err, enum_of, enum_text, lookup_seller_ids, PgStore, TxFail};
use crate::schema::{
    appeal, appeal_step, finalized_period, score_exception, seller, seller_score_superseded,
};
use chrono::{DateTime, Utc};
use diesel::{prelude::*, sql_query, sql_types::BigInt, QueryableByName};
use sos_domain::{
    appeal::{Appeal, AppealStatus, AppealTarget},
    AmId, Decimal, Period, ScoreResult, SellerCode,
};
use sos_ports::{
    AppealApproval, AppealFilter, AppealRecord, AppealStep, AppealStore, AppealTransition,
    CalculationStoreError, CalculationTx, NewAppealRow, Page, PageRequest, StoreError, StoredScore,
};
use std::collections::HashMap;

fn bad(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unknown(anyhow::anyhow!("a stored appeal is invalid: {e}"))
}

fn calc_err(e: CalculationStoreError) -> StoreError {
    match e {
        CalculationStoreError::Unavailable(m) => StoreError::Unavailable(m),
        CalculationStoreError::Unknown(e) => StoreError::Unknown(e),
        other => StoreError::Unknown(anyhow::Error::new(other)),
    }
}

#[derive(Queryable)]
struct AppealRow {
    id: i64,
    seller_code: String,
    period: String,
    target: String,
    am_id: Option<i64>,
    reason_type: String,
    description: String,
    evidence: serde_json::Value,
    status: String,
    filed_by: String,
    filed_at: DateTime<Utc>,
    ops_reviewed_by: Option<String>,
    ops_reviewed_at: Option<DateTime<Utc>>,
    am_reviewed_by: Option<String>,
    am_reviewed_at: Option<DateTime<Utc>>,
    score_adjustment: Option<Decimal>,
}

type Columns = (
    appeal::id,
    seller::seller_code,
    appeal::period,
    appeal::target,
    appeal::am_id,
    appeal::reason_type,
    appeal::description,
    appeal::evidence,
    appeal::status,
    appeal::filed_by,
    appeal::filed_at,
    appeal::ops_reviewed_by,
    appeal::ops_reviewed_at,
    appeal::am_reviewed_by,
    appeal::am_reviewed_at,
    appeal::score_adjustment,
);

const COLUMNS: Columns = (
    appeal::id,
    seller::seller_code,
    appeal::period,
    appeal::target,
    appeal::am_id,
    appeal::reason_type,
    appeal::description,
    appeal::evidence,
    appeal::status,
    appeal::filed_by,
    appeal::filed_at,
    appeal::ops_reviewed_by,
    appeal::ops_reviewed_at,
    appeal::am_reviewed_by,
    appeal::am_reviewed_at,
    appeal::score_adjustment,
);

#[derive(Queryable)]
struct StepRow {
    appeal_id: i64,
    at: DateTime<Utc>,
    actor: String,
    from_status: Option<String>,
    to_status: String,
    note: Option<String>,
}

impl AppealRow {
    fn appeal(&self) -> Result<Appeal, StoreError> {
        Ok(Appeal {
            id: self.id,
            seller_code: SellerCode::parse(self.seller_code.clone()).map_err(bad)?,
            period: Period::parse(&self.period).map_err(bad)?,
            target: enum_of::<AppealTarget>(&self.target)?,
            status: enum_of::<AppealStatus>(&self.status)?,
            filed_by: self.filed_by.clone(),
            filed_at: self.filed_at,
            ops_reviewed_by: self.ops_reviewed_by.clone(),
            ops_reviewed_at: self.ops_reviewed_at,
            am_reviewed_by: self.am_reviewed_by.clone(),
            am_reviewed_at: self.am_reviewed_at,
        })
    }
}

fn load_records(
    conn: &mut PgConnection,
    rows: Vec<AppealRow>,
) -> Result<Vec<AppealRecord>, StoreError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let steps: Vec<StepRow> = appeal_step::table
        .filter(appeal_step::appeal_id.eq_any(&ids))
        .order(appeal_step::id)
        .select((
            appeal_step::appeal_id,
            appeal_step::at,
            appeal_step::actor,
            appeal_step::from_status,
            appeal_step::to_status,
            appeal_step::note,
        ))
        .load(conn)
        .map_err(db_err)?;
    let exceptions: HashMap<i64, i64> = score_exception::table
        .filter(score_exception::appeal_id.eq_any(&ids))
        .select((
            score_exception::appeal_id.assume_not_null(),
            score_exception::id,
        ))
        .load::<(i64, i64)>(conn)
        .map_err(db_err)?
        .into_iter()
        .collect();
    let mut history: HashMap<i64, Vec<AppealStep>> = HashMap::new();
    for s in steps {
        history.entry(s.appeal_id).or_default().push(AppealStep {
            at: s.at,
            actor: s.actor,
            from: s.from_status.as_deref().map(enum_of).transpose()?,
            to: enum_of(&s.to_status)?,
            note: s.note,
        });
    }
    rows.into_iter()
        .map(|r| {
            Ok(AppealRecord {
                appeal: r.appeal()?,
                am_id: r.am_id.map(AmId::new).transpose().map_err(bad)?,
                reason_type: enum_of(&r.reason_type)?,
                description: r.description,
                evidence: serde_json::from_value(r.evidence).map_err(bad)?,
                score_adjustment: r.score_adjustment,
                exception_id: exceptions.get(&r.id).copied(),
                history: history.remove(&r.id).unwrap_or_default(),
            })
        })
        .collect()
}

fn load_one(conn: &mut PgConnection, id: i64) -> Result<AppealRecord, StoreError> {
    let row: AppealRow = appeal::table
        .inner_join(seller::table)
        .filter(appeal::id.eq(id))
        .select(COLUMNS)
        .get_result(conn)
        .map_err(db_err)?;
    load_records(conn, vec![row])?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// Moves the appeal from `t.from` to `t.step.to` and logs the step; Conflict when it moved on.
fn transition(conn: &mut PgConnection, t: &AppealTransition) -> Result<(), TxFail> {
    let to = enum_text(&t.step.to)?;
    let from = enum_text(&t.from)?;
    let target = appeal::table
        .filter(appeal::id.eq(t.appeal_id))
        .filter(appeal::status.eq(&from));
    let n = match t.level {
        Some("ops") => diesel::update(target)
            .set((
                appeal::status.eq(&to),
                appeal::ops_reviewed_by.eq(Some(&t.step.actor)),
                appeal::ops_reviewed_at.eq(Some(t.step.at)),
            ))
            .execute(conn)?,
        Some(_) => diesel::update(target)
            .set((
                appeal::status.eq(&to),
                appeal::am_reviewed_by.eq(Some(&t.step.actor)),
                appeal::am_reviewed_at.eq(Some(t.step.at)),
            ))
            .execute(conn)?,
        None => diesel::update(target)
            .set(appeal::status.eq(&to))
            .execute(conn)?,
    };
    if n == 0 {
        let exists: i64 = appeal::table
            .filter(appeal::id.eq(t.appeal_id))
            .count()
            .get_result(conn)?;
        return Err(TxFail(if exists == 0 {
            StoreError::NotFound
        } else {
            StoreError::Conflict(format!("appeal {} is no longer {from}", t.appeal_id))
        }));
    }
    diesel::insert_into(appeal_step::table)
        .values((
            appeal_step::appeal_id.eq(t.appeal_id),
            appeal_step::at.eq(t.step.at),
            appeal_step::actor.eq(&t.step.actor),
            appeal_step::from_status.eq(Some(from)),
            appeal_step::to_status.eq(to),
            appeal_step::note.eq(t.step.note.as_deref()),
        ))
        .execute(conn)?;
    super::webhooks::insert_events(conn, &t.events)?;
    Ok(())
}

#[derive(QueryableByName)]
struct NextId {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

impl AppealStore for PgStore {
    fn create_appeal(&self, row: &NewAppealRow, actor: &str) -> Result<AppealRecord, StoreError> {
        let mut conn = self.conn()?;
        let ids =
            lookup_seller_ids(&self.seller_ids, &mut conn, [&row.seller_code]).map_err(db_err)?;
        let seller_id = *ids.get(&row.seller_code).ok_or(StoreError::NotFound)?;
        let id = conn
            .transaction(|conn| -> Result<i64, TxFail> {
                let id: i64 = diesel::insert_into(appeal::table)
                    .values((
                        appeal::seller_id.eq(seller_id),
                        appeal::period.eq(row.period.to_string()),
                        appeal::target.eq(enum_text(&row.target)?),
                        appeal::am_id.eq(row.am_id.map(AmId::get)),
                        appeal::reason_type.eq(enum_text(&row.reason_type)?),
                        appeal::description.eq(&row.description),
                        appeal::evidence.eq(serde_json::to_value(&row.evidence).map_err(bad)?),
                        appeal::status.eq(AppealStatus::Pending.as_str()),
                        appeal::filed_by.eq(actor),
                        appeal::filed_at.eq(row.filed_at),
                    ))
                    .returning(appeal::id)
                    .get_result(conn)?;
                diesel::insert_into(appeal_step::table)
                    .values((
                        appeal_step::appeal_id.eq(id),
                        appeal_step::at.eq(row.filed_at),
                        appeal_step::actor.eq(actor),
                        appeal_step::to_status.eq(AppealStatus::Pending.as_str()),
                    ))
                    .execute(conn)?;
                Ok(id)
            })
            .map_err(|e| e.0)?;
        load_one(&mut conn, id)
    }

    fn get_appeal(&self, id: i64) -> Result<AppealRecord, StoreError> {
        let mut conn = self.conn()?;
        load_one(&mut conn, id)
    }

    fn list_appeals(
        &self,
        filter: &AppealFilter,
        page: PageRequest,
    ) -> Result<Page<AppealRecord>, StoreError> {
        let mut conn = self.conn()?;
        let query = || {
            let mut q = appeal::table.inner_join(seller::table).into_boxed();
            if let Some(status) = filter.status {
                q = q.filter(appeal::status.eq(status.as_str()));
            }
            if let Some(code) = &filter.seller_code {
                q = q.filter(seller::seller_code.eq(code.as_str().to_owned()));
            }
            if let Some(period) = filter.period {
                q = q.filter(appeal::period.eq(period.to_string()));
            }
            if let Some(am) = filter.am_id {
                q = q.filter(appeal::am_id.eq(am.get()));
            }
            q
        };
        let total: i64 = query().count().get_result(&mut *conn).map_err(db_err)?;
        let rows: Vec<AppealRow> = query()
            .order(appeal::id.desc())
            .limit(i64::from(page.limit))
            .offset(i64::try_from(page.offset()).unwrap_or(i64::MAX))
            .select(COLUMNS)
            .load(&mut *conn)
            .map_err(db_err)?;
        Ok(Page {
            items: load_records(&mut conn, rows)?,
            page: page.page,
            limit: page.limit,
            total: u64::try_from(total).unwrap_or(0),
        })
    }

    fn appeals_on(
        &self,
        seller_code: &SellerCode,
        period: Period,
        target: AppealTarget,
    ) -> Result<Vec<Appeal>, StoreError> {
        let mut conn = self.conn()?;
        let rows: Vec<AppealRow> = appeal::table
            .inner_join(seller::table)
            .filter(seller::seller_code.eq(seller_code.as_str()))
            .filter(appeal::period.eq(period.to_string()))
            .filter(appeal::target.eq(enum_text(&target)?))
            .order(appeal::id)
            .select(COLUMNS)
            .load(&mut *conn)
            .map_err(db_err)?;
        rows.iter().map(AppealRow::appeal).collect()
    }

    fn open_appeals(&self) -> Result<Vec<Appeal>, StoreError> {
        let mut conn = self.conn()?;
        let rows: Vec<AppealRow> = appeal::table
            .inner_join(seller::table)
            .filter(appeal::status.eq_any([
                AppealStatus::Pending.as_str(),
                AppealStatus::UnderReview.as_str(),
            ]))
            .order(appeal::id)
            .select(COLUMNS)
            .load(&mut *conn)
            .map_err(db_err)?;
        rows.iter().map(AppealRow::appeal).collect()
    }

    fn finalized_at(&self, period: Period) -> Result<Option<DateTime<Utc>>, StoreError> {
        let mut conn = self.conn()?;
        finalized_period::table
            .find(period.to_string())
            .select(finalized_period::finalized_at)
            .get_result(&mut *conn)
            .optional()
            .map_err(db_err)
    }

    fn record_transition(&self, t: &AppealTransition) -> Result<AppealRecord, StoreError> {
        let mut conn = self.conn()?;
        conn.transaction(|conn| transition(conn, t))
            .map_err(|e| e.0)?;
        load_one(&mut conn, t.appeal_id)
    }

    fn reserve_exception_id(&self) -> Result<i64, StoreError> {
        let mut conn = self.conn()?;
        // Raw SQL: diesel has no sequence functions.
        let next: NextId =
            sql_query("SELECT nextval(pg_get_serial_sequence('score_exception', 'id')) AS id")
                .get_result(&mut *conn)
                .map_err(db_err)?;
        Ok(next.id)
    }

    fn apply_approval(&self, a: &AppealApproval) -> Result<AppealRecord, StoreError> {
        let t = &a.transition;
        let e = &a.exception;
        let conn = self.conn()?;
        let seller_id = {
            let mut conn = self.conn()?;
            let ids =
                lookup_seller_ids(&self.seller_ids, &mut conn, [&e.seller_code]).map_err(db_err)?;
            *ids.get(&e.seller_code).ok_or(StoreError::NotFound)?
        };
        // The re-scoring runs as a calculation of one seller (the same writes, the same lock)
        // that also records the appeal's step and exception; dropped on any error, it rolls
        // everything back.
        let mut tx = PgCalculation::begin_rescore(
            conn,
            a.rescored.period,
            seller_id,
            t.step.at,
            self.seller_ids.clone(),
        )
        .map_err(calc_err)?;
        {
            let conn: &mut PgConnection = &mut *tx.conn().map_err(calc_err)?;
            transition(conn, t).map_err(|f| f.0)?;
            diesel::update(
                score_exception::table
                    .filter(score_exception::seller_id.eq(seller_id))
                    .filter(score_exception::period.eq(e.period.to_string()))
                    .filter(score_exception::component.eq(enum_text(&e.component)?))
                    .filter(score_exception::revoked_at.is_null()),
            )
            .set((
                score_exception::revoked_at.eq(Some(t.step.at)),
                score_exception::revoked_by.eq(Some(&t.step.actor)),
            ))
            .execute(conn)
            .map_err(db_err)?;
            diesel::insert_into(score_exception::table)
                .values((
                    score_exception::id.eq(e.id),
                    score_exception::seller_id.eq(seller_id),
                    score_exception::period.eq(e.period.to_string()),
                    score_exception::component.eq(enum_text(&e.component)?),
                    score_exception::reason_type.eq(enum_text(&e.reason_type)?),
                    score_exception::note.eq(&e.note),
                    score_exception::effect.eq(serde_json::to_value(e.effect).map_err(bad)?),
                    score_exception::appeal_id.eq(e.appeal_id),
                    score_exception::created_at.eq(t.step.at),
                    score_exception::created_by.eq(&e.created_by),
                ))
                .execute(conn)
                .map_err(db_err)?;
            diesel::update(appeal::table.find(t.appeal_id))
                .set(appeal::score_adjustment.eq(Some(a.score_adjustment)))
                .execute(conn)
                .map_err(db_err)?;
        }
        tx.write_scores(std::slice::from_ref(&a.rescored))
            .map_err(calc_err)?;
        tx.write_am_scores(&a.am_scores).map_err(calc_err)?;
        tx.commit_rescore().map_err(calc_err)?;
        let mut conn = self.conn()?;
        load_one(&mut conn, t.appeal_id)
    }

    fn superseded_scores(
        &self,
        seller_code: &SellerCode,
        period: Period,
    ) -> Result<Vec<StoredScore>, StoreError> {
        let mut conn = self.conn()?;
        let rows: Vec<(Option<i64>, String, DateTime<Utc>)> = seller_score_superseded::table
            .inner_join(seller::table)
            .filter(seller::seller_code.eq(seller_code.as_str()))
            .filter(seller_score_superseded::period.eq(period.to_string()))
            .order(seller_score_superseded::id.desc())
            .select((
                seller_score_superseded::am_id,
                seller_score_superseded::result,
                seller_score_superseded::calculated_at,
            ))
            .load(&mut *conn)
            .map_err(db_err)?;
        rows.into_iter()
            .map(|(am, result, calculated_at)| {
                Ok(StoredScore {
                    seller_code: seller_code.clone(),
                    period,
                    am_id: am.map(AmId::new).transpose().map_err(bad)?,
                    result: serde_json::from_str::<ScoreResult>(&result).map_err(bad)?,
                    calculated_at,
                })
            })
            .collect()
    }
}
