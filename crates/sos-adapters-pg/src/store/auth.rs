//! API keys and the append-only audit log on PostgreSQL.

use super::{db_err, prepared::Prepared, PgStore};
use chrono::{DateTime, Utc};
use diesel::{
    sql_query,
    sql_types::{Array, BigInt, Integer, Jsonb, Nullable, Text, Timestamptz},
    QueryableByName, RunQueryDsl,
};
use sos_ports::{ApiKeyRecord, ApiKeyStore, AuditEntry, AuditStore, Scope, StoreError};

const KEY_COLUMNS: &str =
    "id, name, prefix, key_hash, scopes, created_at, last_used_at, revoked_at";

#[derive(QueryableByName)]
struct KeyRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    prefix: String,
    #[diesel(sql_type = Text)]
    key_hash: String,
    #[diesel(sql_type = Array<Text>)]
    scopes: Vec<String>,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    last_used_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    revoked_at: Option<DateTime<Utc>>,
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
        let scopes: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
        let row: KeyRow = sql_query(format!(
            "INSERT INTO api_key (name, prefix, key_hash, scopes) VALUES ($1, $2, $3, $4) RETURNING {KEY_COLUMNS}"
        ))
        .bind::<Text, _>(name)
        .bind::<Text, _>(prefix)
        .bind::<Text, _>(key_hash)
        .bind::<Array<Text>, _>(&scopes)
        .get_result(&mut conn)
        .map_err(|e| match db_err(e) {
            StoreError::Conflict(_) => StoreError::Conflict(format!("an API key named {name} already exists")),
            other => other,
        })?;
        row.into_record()
    }

    fn find_key_by_prefix(&self, prefix: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        let mut conn = self.conn()?;
        // Every authenticated request runs this: prepared once per connection.
        let rows: Vec<KeyRow> = Prepared::new(format!(
            "SELECT {KEY_COLUMNS} FROM api_key WHERE prefix = $1"
        ))
        .bind::<Text, _>(prefix)
        .load(&mut conn)
        .map_err(db_err)?;
        rows.into_iter().next().map(KeyRow::into_record).transpose()
    }

    fn list_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let mut conn = self.conn()?;
        let rows: Vec<KeyRow> =
            sql_query(format!("SELECT {KEY_COLUMNS} FROM api_key ORDER BY name"))
                .load(&mut conn)
                .map_err(db_err)?;
        rows.into_iter().map(KeyRow::into_record).collect()
    }

    fn revoke_key(&self, name: &str) -> Result<ApiKeyRecord, StoreError> {
        let mut conn = self.conn()?;
        let row: KeyRow = sql_query(format!(
            "UPDATE api_key SET revoked_at = coalesce(revoked_at, now()) WHERE name = $1 RETURNING {KEY_COLUMNS}"
        ))
        .bind::<Text, _>(name)
        .get_result(&mut conn)
        .map_err(db_err)?;
        row.into_record()
    }

    fn touch_key(&self, id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        sql_query("UPDATE api_key SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $2)")
            .bind::<BigInt, _>(id)
            .bind::<Timestamptz, _>(at)
            .execute(&mut conn)
            .map_err(db_err)?;
        Ok(())
    }

    fn count_keys(&self) -> Result<u64, StoreError> {
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let mut conn = self.conn()?;
        let n: N = sql_query("SELECT count(*) AS n FROM api_key")
            .get_result(&mut conn)
            .map_err(db_err)?;
        Ok(u64::try_from(n.n).unwrap_or(0))
    }
}

#[derive(QueryableByName)]
struct AuditRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Timestamptz)]
    at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    actor: String,
    #[diesel(sql_type = Text)]
    entity: String,
    #[diesel(sql_type = Text)]
    entity_id: String,
    #[diesel(sql_type = Text)]
    action: String,
    #[diesel(sql_type = Nullable<Jsonb>)]
    old_value: Option<serde_json::Value>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    new_value: Option<serde_json::Value>,
}

impl AuditStore for PgStore {
    fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        sql_query(
            "INSERT INTO audit_log (at, actor, entity, entity_id, action, old_value, new_value) VALUES ($1,$2,$3,$4,$5,$6,$7)",
        )
        .bind::<Timestamptz, _>(entry.at)
        .bind::<Text, _>(&entry.actor)
        .bind::<Text, _>(&entry.entity)
        .bind::<Text, _>(&entry.entity_id)
        .bind::<Text, _>(&entry.action)
        .bind::<Nullable<Jsonb>, _>(entry.old_value.clone())
        .bind::<Nullable<Jsonb>, _>(entry.new_value.clone())
        .execute(&mut conn)
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
        let rows: Vec<AuditRow> = sql_query(
            "SELECT id, at, actor, entity, entity_id, action, old_value, new_value FROM audit_log \
             WHERE ($1::text IS NULL OR entity = $1) AND ($2::text IS NULL OR entity_id = $2) ORDER BY id DESC LIMIT $3",
        )
        .bind::<Nullable<Text>, _>(entity)
        .bind::<Nullable<Text>, _>(entity_id)
        .bind::<Integer, _>(i32::try_from(limit).unwrap_or(i32::MAX))
        .load(&mut conn)
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
