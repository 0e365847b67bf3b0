//! Order blocking on PostgreSQL: `seller_enforcement` (the state of each seller ever blocked)
//! and `seller_enforcement_change` (every change between blocked and unblocked).
//!
//! Whoever decides a seller's blocking (a calculation's commit, a payments sync, a manual
//! unblock) first locks the seller's `seller` row (`FOR NO KEY UPDATE`, in id order, so
//! deciders of overlapping sellers never deadlock; foreign-key checks of the sync inserts take
//! `FOR KEY SHARE`, which it does not block), then reads the state, applies
//! [`sos_domain::enforcement::decide`] and writes the state, the history row, the audit entry
//! and the event in the transaction of its cause. The OMS's read is one indexed query and
//! takes no lock.

use super::{db_err, in_tx, lookup_seller_ids, PgStore};
use crate::schema::{
    audit_log, seller, seller_enforcement, seller_enforcement_change, sos_payment_raw,
};
use chrono::{DateTime, SubsecRound, Utc};
use diesel::{
    pg::Pg, prelude::*, result::Error as DieselError, upsert::excluded, Insertable, Queryable,
    Selectable,
};
use sos_domain::{
    enforcement::{
        audit_values, decide, BlockCause, BlockChange, BlockHit, Decision, Enforcement,
        PaymentRules, Trigger, UnblockRefusal,
    },
    webhook::{order_blocking_event, EventDraft},
    Decimal, Period, SellerCode,
};
use sos_ports::{
    BlockRecord, BlockVerdict, EnforcementStore, StoreError, UnblockError, ENFORCEMENT_ENTITY,
};
use std::collections::{BTreeMap, HashMap};

/// Rows per multi-row insert: well under PostgreSQL's 65,535 bind parameters.
const INSERT_CHUNK: usize = 1_000;

/// `at` as `timestamptz` keeps it: to the microsecond, so what a write answers is what a read
/// gives back.
fn stored_instant(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

fn corrupt(what: impl std::fmt::Display) -> DieselError {
    DieselError::DeserializationError(format!("stored enforcement: {what}").into())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = seller_enforcement, check_for_backend(Pg))]
struct StateRow {
    seller_id: i64,
    hits: serde_json::Value,
    since: Option<DateTime<Utc>>,
    payment_period: Option<String>,
    manual_hold: bool,
}

fn state_of(
    hits: serde_json::Value,
    since: Option<DateTime<Utc>>,
    payment_period: Option<String>,
    manual_hold: bool,
) -> Result<Enforcement, DieselError> {
    let hits: Vec<BlockHit> = serde_json::from_value(hits).map_err(corrupt)?;
    let payment_period = payment_period
        .map(|p| Period::parse(&p).map_err(corrupt))
        .transpose()?;
    Ok(Enforcement {
        hits,
        since,
        payment_period,
        manual_hold,
    })
}

#[derive(Insertable)]
#[diesel(table_name = seller_enforcement, check_for_backend(Pg))]
struct NewState {
    seller_id: i64,
    blocked: bool,
    hits: serde_json::Value,
    since: Option<DateTime<Utc>>,
    payment_period: Option<String>,
    manual_hold: bool,
    updated_at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = seller_enforcement_change, check_for_backend(Pg))]
#[diesel(treat_none_as_default_value = false)]
struct NewChange {
    seller_id: i64,
    blocked: bool,
    cause: &'static str,
    period: Option<String>,
    reasons: Vec<String>,
    rule_ids: Vec<i64>,
    note: Option<String>,
    actor: String,
    at: DateTime<Utc>,
}

#[derive(Insertable)]
#[diesel(table_name = audit_log, check_for_backend(Pg))]
#[diesel(treat_none_as_default_value = false)]
struct NewAudit {
    at: DateTime<Utc>,
    actor: String,
    entity: &'static str,
    entity_id: String,
    action: &'static str,
    old_value: Option<serde_json::Value>,
    new_value: Option<serde_json::Value>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = seller_enforcement_change, check_for_backend(Pg))]
struct ChangeRow {
    id: i64,
    blocked: bool,
    cause: String,
    period: Option<String>,
    reasons: Vec<String>,
    rule_ids: Vec<i64>,
    note: Option<String>,
    actor: String,
    at: DateTime<Utc>,
}

/// Locks the `seller` rows of `ids`, in id order.
fn lock_sellers(conn: &mut PgConnection, ids: &[i64]) -> QueryResult<()> {
    let mut sorted = ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    for chunk in sorted.chunks(10 * INSERT_CHUNK) {
        seller::table
            .filter(seller::id.eq_any(chunk))
            .order(seller::id)
            .select(seller::id)
            .for_no_key_update()
            .load::<i64>(conn)?;
    }
    Ok(())
}

/// The stored states of `ids` (sellers never blocked are absent).
fn load_states(conn: &mut PgConnection, ids: &[i64]) -> QueryResult<HashMap<i64, Enforcement>> {
    let rows: Vec<StateRow> = seller_enforcement::table
        .filter(seller_enforcement::seller_id.eq_any(ids))
        .select(StateRow::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|r| {
            Ok((
                r.seller_id,
                state_of(r.hits, r.since, r.payment_period, r.manual_hold)?,
            ))
        })
        .collect()
}

/// One seller's decision, ready to write.
struct Decided {
    seller_id: i64,
    seller: SellerCode,
    before: Enforcement,
    decision: Decision,
}

/// Writes decisions: the new states, and for each change its history row, audit entry and
/// event.
fn write_decisions(
    conn: &mut PgConnection,
    decided: &[Decided],
    at: DateTime<Utc>,
) -> QueryResult<()> {
    let mut states = Vec::with_capacity(decided.len());
    let mut changes = Vec::new();
    let mut audits = Vec::new();
    let mut events: Vec<EventDraft> = Vec::new();
    for d in decided {
        let next = &d.decision.next;
        states.push(NewState {
            seller_id: d.seller_id,
            blocked: next.is_blocked(),
            hits: serde_json::to_value(&next.hits).map_err(corrupt)?,
            since: next.since,
            payment_period: next.payment_period.map(|p| p.to_string()),
            manual_hold: next.manual_hold,
            updated_at: at,
        });
        if let Some(change) = &d.decision.change {
            changes.push(NewChange {
                seller_id: d.seller_id,
                blocked: change.blocked,
                cause: change.cause.as_str(),
                period: change.period.map(|p| p.to_string()),
                reasons: change.reasons.clone(),
                rule_ids: change.rule_ids.iter().map(|r| r.0).collect(),
                note: change.note.clone(),
                actor: change.actor.clone(),
                at: change.at,
            });
            let (old_value, new_value) = audit_values(&d.before, change, next);
            audits.push(NewAudit {
                at: change.at,
                actor: change.actor.clone(),
                entity: ENFORCEMENT_ENTITY,
                entity_id: d.seller.to_string(),
                action: change.action(),
                old_value: Some(old_value),
                new_value: Some(new_value),
            });
            events.push(order_blocking_event(&d.seller, change));
        }
    }
    states.sort_by_key(|s| s.seller_id);
    for chunk in states.chunks(INSERT_CHUNK) {
        use seller_enforcement as e;
        diesel::insert_into(e::table)
            .values(chunk)
            .on_conflict(e::seller_id)
            .do_update()
            .set((
                e::blocked.eq(excluded(e::blocked)),
                e::hits.eq(excluded(e::hits)),
                e::since.eq(excluded(e::since)),
                e::payment_period.eq(excluded(e::payment_period)),
                e::manual_hold.eq(excluded(e::manual_hold)),
                e::updated_at.eq(excluded(e::updated_at)),
            ))
            .execute(conn)?;
    }
    for chunk in changes.chunks(INSERT_CHUNK) {
        diesel::insert_into(seller_enforcement_change::table)
            .values(chunk)
            .execute(conn)?;
    }
    for chunk in audits.chunks(INSERT_CHUNK) {
        diesel::insert_into(audit_log::table)
            .values(chunk)
            .execute(conn)?;
    }
    super::webhooks::insert_events(conn, &events)
}

/// Decides `triggers` (seller id, code, trigger), none of them a manual unblock, for sellers
/// already locked, and writes what changes.
fn decide_all(
    conn: &mut PgConnection,
    triggers: Vec<(i64, SellerCode, Trigger)>,
    actor: &str,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    let at = stored_instant(at);
    let ids: Vec<i64> = triggers.iter().map(|t| t.0).collect();
    let mut states = load_states(conn, &ids)?;
    let mut decided = Vec::new();
    for (seller_id, seller, trigger) in triggers {
        let before = states.remove(&seller_id).unwrap_or_default();
        match decide(&before, trigger, actor, at) {
            Ok(Some(decision)) => decided.push(Decided {
                seller_id,
                seller,
                before,
                decision,
            }),
            Ok(None) => {}
            // Only a manual unblock is ever refused.
            Err(UnblockRefusal::NotBlocked) => {}
        }
    }
    write_decisions(conn, &decided, at)
}

/// A committed calculation of `period` decides the blocking of the sellers it scored, inside
/// its transaction. `ids` are the sellers' ids by code.
pub(crate) fn after_calculation(
    conn: &mut PgConnection,
    period: Period,
    verdicts: Vec<BlockVerdict>,
    ids: &HashMap<SellerCode, i64>,
    actor: &str,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    if verdicts.is_empty() {
        return Ok(());
    }
    let all: Vec<i64> = verdicts
        .iter()
        .filter_map(|v| ids.get(&v.seller).copied())
        .collect();
    // Only sellers with a state, or blocked by this run, can change: the others (nearly all)
    // stay without a row.
    let mut stored: Vec<i64> = Vec::new();
    for chunk in all.chunks(10 * INSERT_CHUNK) {
        stored.extend(
            seller_enforcement::table
                .filter(seller_enforcement::seller_id.eq_any(chunk))
                .select(seller_enforcement::seller_id)
                .load::<i64>(conn)?,
        );
    }
    let stored: std::collections::HashSet<i64> = stored.into_iter().collect();
    let triggers: Vec<(i64, SellerCode, Trigger)> = verdicts
        .into_iter()
        .filter_map(|v| {
            let id = *ids.get(&v.seller)?;
            (stored.contains(&id) || !v.hits.is_empty()).then_some((
                id,
                v.seller,
                Trigger::Calculation {
                    period,
                    hits: v.hits,
                },
            ))
        })
        .collect();
    if triggers.is_empty() {
        return Ok(());
    }
    lock_sellers(conn, &triggers.iter().map(|t| t.0).collect::<Vec<_>>())?;
    decide_all(conn, triggers, actor, at)
}

/// A payments sync decides the blocking of the sellers it touched (`ids`, by code) on each
/// one's most recent payment month, inside its transaction, after the payments are written.
pub(crate) fn after_payments(
    conn: &mut PgConnection,
    ids: &HashMap<SellerCode, i64>,
    rules: &PaymentRules,
    actor: &str,
    at: DateTime<Utc>,
) -> QueryResult<()> {
    if rules.rules().is_empty() {
        // Nothing to evaluate: a sync then changes no seller's blocking.
        return Ok(());
    }
    let wanted: Vec<i64> = ids.values().copied().collect();
    // Locked before the payments are read, so a sync that commits while this one waits is
    // seen: the last sync to decide reads the newest month.
    lock_sellers(conn, &wanted)?;
    use sos_payment_raw as p;
    let latest: Vec<(i64, String, Option<i32>, Option<Decimal>)> = p::table
        .filter(p::seller_id.eq_any(&wanted))
        .distinct_on(p::seller_id)
        .order((p::seller_id, p::period.desc()))
        .select((
            p::seller_id,
            p::period,
            p::worst_days_late,
            p::total_outstanding_amount,
        ))
        .load(conn)?;
    let codes: BTreeMap<i64, &SellerCode> = ids.iter().map(|(c, i)| (*i, c)).collect();
    let mut triggers = Vec::with_capacity(latest.len());
    for (seller_id, period, worst, outstanding) in latest {
        let Some(code) = codes.get(&seller_id) else {
            continue;
        };
        let period = Period::parse(&period).map_err(corrupt)?;
        triggers.push((
            seller_id,
            (*code).clone(),
            rules.trigger(period, worst, outstanding),
        ));
    }
    decide_all(conn, triggers, actor, at)
}

fn cause_of(name: &str) -> Result<BlockCause, StoreError> {
    BlockCause::parse(name)
        .ok_or_else(|| StoreError::Unknown(anyhow::anyhow!("stored cause {name:?} is unknown")))
}

impl PgStore {
    /// The seller's id, or `NotFound`.
    fn enforcement_seller_id(
        &self,
        conn: &mut PgConnection,
        code: &SellerCode,
    ) -> Result<i64, StoreError> {
        lookup_seller_ids(&self.seller_ids, conn, [code])
            .map_err(db_err)?
            .get(code)
            .copied()
            .ok_or(StoreError::NotFound)
    }
}

impl EnforcementStore for PgStore {
    fn get_enforcement(&self, code: &SellerCode) -> Result<Enforcement, StoreError> {
        let mut conn = self.conn()?;
        // One indexed query (the seller's code, then its state by primary key), prepared once
        // per connection by diesel; it also tells an unknown seller from one never blocked.
        type Found = (
            i64,
            Option<serde_json::Value>,
            Option<DateTime<Utc>>,
            Option<String>,
            Option<bool>,
        );
        let found: Option<Found> = seller::table
            .left_join(seller_enforcement::table)
            .filter(seller::seller_code.eq(code.as_str()))
            .select((
                seller::id,
                seller_enforcement::hits.nullable(),
                seller_enforcement::since.nullable(),
                seller_enforcement::payment_period.nullable(),
                seller_enforcement::manual_hold.nullable(),
            ))
            .first(&mut *conn)
            .optional()
            .map_err(db_err)?;
        match found {
            None => Err(StoreError::NotFound),
            Some((_, None, ..)) => Ok(Enforcement::default()),
            Some((_, Some(hits), since, payment_period, hold)) => {
                state_of(hits, since, payment_period, hold.unwrap_or(false)).map_err(db_err)
            }
        }
    }

    fn enforcement_history(&self, code: &SellerCode) -> Result<Vec<BlockRecord>, StoreError> {
        let mut conn = self.conn()?;
        let id = self.enforcement_seller_id(&mut conn, code)?;
        let rows: Vec<ChangeRow> = seller_enforcement_change::table
            .filter(seller_enforcement_change::seller_id.eq(id))
            .order(seller_enforcement_change::id.desc())
            .select(ChangeRow::as_select())
            .load(&mut *conn)
            .map_err(db_err)?;
        rows.into_iter()
            .map(|r| {
                let period = r
                    .period
                    .map(|p| Period::parse(&p))
                    .transpose()
                    .map_err(|e| StoreError::Unknown(anyhow::anyhow!("stored period: {e}")))?;
                Ok(BlockRecord {
                    id: r.id,
                    seller_code: code.clone(),
                    change: BlockChange {
                        blocked: r.blocked,
                        cause: cause_of(&r.cause)?,
                        period,
                        reasons: r.reasons,
                        rule_ids: r
                            .rule_ids
                            .into_iter()
                            .map(sos_domain::config::ConfigId)
                            .collect(),
                        note: r.note,
                        actor: r.actor,
                        at: r.at,
                    },
                })
            })
            .collect()
    }

    fn unblock_seller(
        &self,
        code: &SellerCode,
        reason: &str,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<Enforcement, UnblockError> {
        let at = stored_instant(at);
        let mut conn = self.conn()?;
        let id = match self.enforcement_seller_id(&mut conn, code) {
            Ok(id) => id,
            Err(StoreError::NotFound) => return Err(UnblockError::UnknownSeller),
            Err(e) => return Err(e.into()),
        };
        /// A refusal inside the transaction, which rolls it back.
        enum Fail {
            NotBlocked,
            Store(StoreError),
        }
        impl From<DieselError> for Fail {
            fn from(e: DieselError) -> Self {
                Fail::Store(db_err(e))
            }
        }
        let outcome = in_tx(&mut conn, |conn| -> Result<Enforcement, Fail> {
            lock_sellers(conn, &[id])?;
            let before = load_states(conn, &[id])?.remove(&id).unwrap_or_default();
            let trigger = Trigger::ManualUnblock {
                reason: reason.to_owned(),
            };
            let decision = match decide(&before, trigger, actor, at) {
                Ok(Some(d)) => d,
                Ok(None) => return Ok(before),
                Err(UnblockRefusal::NotBlocked) => return Err(Fail::NotBlocked),
            };
            let next = decision.next.clone();
            write_decisions(
                conn,
                &[Decided {
                    seller_id: id,
                    seller: code.clone(),
                    before,
                    decision,
                }],
                at,
            )?;
            Ok(next)
        });
        match outcome {
            Ok(state) => Ok(state),
            Err(Fail::NotBlocked) => Err(UnblockError::NotBlocked),
            Err(Fail::Store(e)) => Err(e.into()),
        }
    }
}
