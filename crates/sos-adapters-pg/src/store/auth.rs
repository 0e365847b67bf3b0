//! API keys and the append-only audit log on PostgreSQL.

use super::{db_err, PgStore};
use crate::schema::{api_key, audit_log};
use chrono::{DateTime, Utc};
use diesel::{
    dsl::now,
    pg::Pg,
    prelude::*,
    sql_types::{Nullable, Timestamptz},
    Insertable, Queryable, Selectable,
};
use sos_ports::{ApiKeyRecord, ApiKeyStore, AuditEntry, AuditStore, Scope, StoreError};

// diesel has no COALESCE; this one keeps a revocation's first instant.
define_sql_function!(fn coalesce(x: Nullable<Timestamptz>, y: Timestamptz) -> Timestamptz);

#[derive(Queryable, Selectable)]
#[diesel(table_name = api_key, check_for_backend(Pg))]
struct KeyRow {
    id: i64,
    name: String,
    prefix: String,
    key_hash: String,
    scopes: Vec<String>,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

#[derive(Insertable)]
#[diesel(table_name = api_key, check_for_backend(Pg))]
struct NewKey<'a> {
    name: &'a str,
    prefix: &'a str,
    key_hash: &'a str,
    scopes: Vec<&'a str>,
}

impl KeyRow {
    fn into_record(self) -> Result<ApiKeyRecord, StoreError> {
        let scopes = self
            .scopes
            .iter()
            .map(|s| s.parse::<Scope>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| StoreError::Unknown(anyhow::anyhow!("stored key {}: {e}", self.name)))?;
        Ok(ApiKeyRecord {
            id: self.id,
            name: self.name,
            prefix: self.prefix,
            key_hash: self.key_hash,
            scopes,
            created_at: self.created_at,
            last_used_at: self.last_used_at,
            revoked_at: self.revoked_at,
        })
    }
}

impl ApiKeyStore for PgStore {
    fn create_key(
        &self,
        name: &str,
        prefix: &str,
        key_hash: &str,
        scopes: &[Scope],
    ) -> Result<ApiKeyRecord, StoreError> {
        let mut conn = self.conn()?;
        let row = diesel::insert_into(api_key::table)
            .values(NewKey {
                name,
                prefix,
                key_hash,
                scopes: scopes.iter().map(|s| s.as_str()).collect(),
            })
            .returning(KeyRow::as_returning())
            .get_result(&mut *conn)
            .map_err(|e| match db_err(e) {
                StoreError::Conflict(_) => {
                    StoreError::Conflict(format!("an API key named {name} already exists"))
                }
                other => other,
            })?;
        row.into_record()
    }

    fn find_key_by_prefix(&self, prefix: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        let mut conn = self.conn()?;
        // Every authenticated request runs this; diesel prepares it once per connection.
        let row = api_key::table
            .filter(api_key::prefix.eq(prefix))
            .select(KeyRow::as_select())
            .first(&mut *conn)
            .optional()
            .map_err(db_err)?;
        row.map(KeyRow::into_record).transpose()
    }

    fn list_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let mut conn = self.conn()?;
        let rows = api_key::table
            .order(api_key::name)
            .select(KeyRow::as_select())
            .load(&mut *conn)
            .map_err(db_err)?;
        rows.into_iter().map(KeyRow::into_record).collect()
    }

    fn revoke_key(&self, name: &str) -> Result<ApiKeyRecord, StoreError> {
        let mut conn = self.conn()?;
        let row = diesel::update(api_key::table)
            .filter(api_key::name.eq(name))
            .set(api_key::revoked_at.eq(coalesce(api_key::revoked_at, now).nullable()))
            .returning(KeyRow::as_returning())
            .get_result(&mut *conn)
            .map_err(db_err)?;
        row.into_record()
    }

    fn touch_key(&self, id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        diesel::update(api_key::table)
            .filter(api_key::id.eq(id))
            .filter(
                api_key::last_used_at
                    .is_null()
                    .or(api_key::last_used_at.lt(at)),
            )
            .set(api_key::last_used_at.eq(at))
            .execute(&mut *conn)
            .map_err(db_err)?;
        Ok(())
    }

    fn count_keys(&self) -> Result<u64, StoreError> {
        let mut conn = self.conn()?;
        let n: i64 = api_key::table
            .count()
            .get_result(&mut *conn)
            .map_err(db_err)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_log, check_for_backend(Pg))]
struct AuditRow {
    id: i64,
    at: DateTime<Utc>,
    actor: String,
    entity: String,
    entity_id: String,
    action: String,
    old_value: Option<serde_json::Value>,
    new_value: Option<serde_json::Value>,
}

/// An audit entry to append (`None` writes NULL).
#[derive(Insertable)]
#[diesel(table_name = audit_log, check_for_backend(Pg))]
#[diesel(treat_none_as_default_value = false)]
struct NewAudit<'a> {
    at: DateTime<Utc>,
    actor: &'a str,
    entity: &'a str,
    entity_id: &'a str,
    action: &'a str,
    old_value: Option<&'a serde_json::Value>,
    new_value: Option<&'a serde_json::Value>,
}

impl AuditStore for PgStore {
    fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        diesel::insert_into(audit_log::table)
            .values(NewAudit {
                at: entry.at,
                actor: &entry.actor,
                entity: &entry.entity,
                entity_id: &entry.entity_id,
                action: &entry.action,
                old_value: entry.old_value.as_ref(),
                new_value: entry.new_value.as_ref(),
            })
            .execute(&mut *conn)
            .map_err(db_err)?;
        Ok(())
    }

    fn list_audit(
        &self,
        entity: Option<String>,
        entity_id: Option<String>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let mut conn = self.conn()?;
        let mut query = audit_log::table.into_boxed();
        if let Some(entity) = entity {
            query = query.filter(audit_log::entity.eq(entity));
        }
        if let Some(entity_id) = entity_id {
            query = query.filter(audit_log::entity_id.eq(entity_id));
        }
        let rows = query
            .order(audit_log::id.desc())
            .limit(i64::from(limit))
            .select(AuditRow::as_select())
            .load(&mut *conn)
            .map_err(db_err)?;
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                id: r.id,
                at: r.at,
                actor: r.actor,
                entity: r.entity,
                entity_id: r.entity_id,
                action: r.action,
                old_value: r.old_value,
                new_value: r.new_value,
            })
            .collect())
    }
}
