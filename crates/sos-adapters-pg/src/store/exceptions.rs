//! Score exceptions on PostgreSQL.

use super::{db_err, enum_of, enum_text, lookup_seller_ids, PgStore};
use crate::schema::{score_exception, seller};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use sos_domain::{
    exception::{ExceptionDraft, ExceptionEffect, ExceptionReason, ScoreException},
    Component, Period, SellerCode,
};
use sos_ports::{Clock, ExceptionFilter, ExceptionRecord, ExceptionStore, StoreError};

fn bad(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unknown(anyhow::anyhow!("a stored exception is invalid: {e}"))
}

#[derive(Queryable)]
struct ExceptionRow {
    id: i64,
    seller_code: String,
    period: String,
    component: String,
    reason_type: String,
    note: String,
    effect: serde_json::Value,
    appeal_id: Option<i64>,
    created_at: DateTime<Utc>,
    created_by: String,
    revoked_at: Option<DateTime<Utc>>,
    revoked_by: Option<String>,
}

type Columns = (
    score_exception::id,
    seller::seller_code,
    score_exception::period,
    score_exception::component,
    score_exception::reason_type,
    score_exception::note,
    score_exception::effect,
    score_exception::appeal_id,
    score_exception::created_at,
    score_exception::created_by,
    score_exception::revoked_at,
    score_exception::revoked_by,
);

const COLUMNS: Columns = (
    score_exception::id,
    seller::seller_code,
    score_exception::period,
    score_exception::component,
    score_exception::reason_type,
    score_exception::note,
    score_exception::effect,
    score_exception::appeal_id,
    score_exception::created_at,
    score_exception::created_by,
    score_exception::revoked_at,
    score_exception::revoked_by,
);

impl ExceptionRow {
    fn into_record(self) -> Result<ExceptionRecord, StoreError> {
        Ok(ExceptionRecord {
            exception: ScoreException {
                id: self.id,
                seller_code: SellerCode::parse(self.seller_code).map_err(bad)?,
                period: Period::parse(&self.period).map_err(bad)?,
                component: enum_of::<Component>(&self.component)?,
                reason_type: enum_of::<ExceptionReason>(&self.reason_type)?,
                note: self.note,
                effect: serde_json::from_value::<ExceptionEffect>(self.effect).map_err(bad)?,
                created_by: self.created_by,
                appeal_id: self.appeal_id,
            },
            created_at: self.created_at,
            revoked_at: self.revoked_at,
            revoked_by: self.revoked_by,
        })
    }
}

fn load_one(conn: &mut PgConnection, id: i64) -> Result<ExceptionRecord, StoreError> {
    score_exception::table
        .inner_join(seller::table)
        .filter(score_exception::id.eq(id))
        .select(COLUMNS)
        .get_result::<ExceptionRow>(conn)
        .map_err(db_err)?
        .into_record()
}

impl ExceptionStore for PgStore {
    fn create_exception(
        &self,
        draft: &ExceptionDraft,
        actor: &str,
    ) -> Result<ExceptionRecord, StoreError> {
        let now = self.now();
        let mut conn = self.conn()?;
        let ids = lookup_seller_ids(&self.seller_ids, &mut conn, [draft.seller_code()])
            .map_err(db_err)?;
        let seller_id = *ids.get(draft.seller_code()).ok_or(StoreError::NotFound)?;
        let id: i64 = diesel::insert_into(score_exception::table)
            .values((
                score_exception::seller_id.eq(seller_id),
                score_exception::period.eq(draft.period().to_string()),
                score_exception::component.eq(enum_text(&draft.component())?),
                score_exception::reason_type.eq(enum_text(&draft.reason_type())?),
                score_exception::note.eq(draft.note()),
                score_exception::effect.eq(serde_json::to_value(draft.effect()).map_err(bad)?),
                score_exception::appeal_id.eq(draft.appeal_id()),
                score_exception::created_at.eq(now),
                score_exception::created_by.eq(actor),
            ))
            .returning(score_exception::id)
            .get_result(&mut *conn)
            .map_err(db_err)?;
        load_one(&mut conn, id)
    }

    fn get_exception(&self, id: i64) -> Result<ExceptionRecord, StoreError> {
        let mut conn = self.conn()?;
        load_one(&mut conn, id)
    }

    fn list_exceptions(
        &self,
        filter: &ExceptionFilter,
    ) -> Result<Vec<ExceptionRecord>, StoreError> {
        let mut conn = self.conn()?;
        let mut query = score_exception::table
            .inner_join(seller::table)
            .select(COLUMNS)
            .order(score_exception::id.desc())
            .into_boxed();
        if let Some(code) = &filter.seller_code {
            query = query.filter(seller::seller_code.eq(code.as_str().to_owned()));
        }
        if let Some(period) = filter.period {
            query = query.filter(score_exception::period.eq(period.to_string()));
        }
        if filter.active_only {
            query = query.filter(score_exception::revoked_at.is_null());
        }
        query
            .load::<ExceptionRow>(&mut *conn)
            .map_err(db_err)?
            .into_iter()
            .map(ExceptionRow::into_record)
            .collect()
    }

    fn revoke_exception(
        &self,
        id: i64,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<ExceptionRecord, StoreError> {
        let mut conn = self.conn()?;
        let n = diesel::update(
            score_exception::table
                .filter(score_exception::id.eq(id))
                .filter(score_exception::revoked_at.is_null()),
        )
        .set((
            score_exception::revoked_at.eq(Some(at)),
            score_exception::revoked_by.eq(Some(actor)),
        ))
        .execute(&mut *conn)
        .map_err(db_err)?;
        let record = load_one(&mut conn, id)?;
        if n == 0 {
            return Err(StoreError::Conflict("already revoked".into()));
        }
        Ok(record)
    }
}
