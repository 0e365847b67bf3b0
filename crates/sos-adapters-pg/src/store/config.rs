//! Config rows on PostgreSQL: one generic table; the body is JSONB the domain validates.

use super::{db_err, PgStore};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::{
    sql_query,
    sql_types::{BigInt, Bool, Date, Jsonb, Nullable, Text, Timestamptz},
    QueryableByName, RunQueryDsl,
};
use sos_domain::config::{ConfigBody, ConfigDraft, ConfigId, ConfigRecord, ConfigType};
use sos_ports::{ConfigStore, StoreError};
use std::collections::HashSet;

const COLUMNS: &str = "id, config_type, is_active, effective_from, effective_to, body, created_at, updated_at, created_by, updated_by";

#[derive(QueryableByName)]
struct ConfigRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    config_type: String,
    #[diesel(sql_type = Bool)]
    is_active: bool,
    #[diesel(sql_type = Nullable<Date>)]
    effective_from: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    effective_to: Option<NaiveDate>,
    #[diesel(sql_type = Jsonb)]
    body: serde_json::Value,
    #[diesel(sql_type = Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    updated_at: DateTime<Utc>,
    #[diesel(sql_type = Text)]
    created_by: String,
    #[diesel(sql_type = Text)]
    updated_by: String,
}

impl PgStore {
    /// The body as stored: secrets sealed when a key is configured.
    fn stored_body(&self, draft: &ConfigDraft) -> Result<serde_json::Value, StoreError> {
        let mut body = draft.body.to_json();
        if let Some(secrets) = &self.secrets {
            secrets
                .seal_fields(&mut body)
                .map_err(StoreError::Unknown)?;
        }
        Ok(body)
    }

    fn record(&self, mut row: ConfigRow) -> Result<ConfigRecord, StoreError> {
        match &self.secrets {
            Some(secrets) => secrets
                .open_fields(&mut row.body)
                .map_err(StoreError::Unknown)?,
            None if crate::secrets::is_sealed(&row.body) => {
                return Err(StoreError::Unknown(anyhow::anyhow!(
                    "config row {} holds encrypted secrets but no secret key is configured",
                    row.id
                )))
            }
            None => {}
        }
        row.into_record()
    }

    fn records(&self, rows: Vec<ConfigRow>) -> Result<Vec<ConfigRecord>, StoreError> {
        rows.into_iter().map(|r| self.record(r)).collect()
    }
}

impl ConfigRow {
    fn into_record(self) -> Result<ConfigRecord, StoreError> {
        let config_type: ConfigType = self.config_type.parse().map_err(|e| {
            StoreError::Unknown(anyhow::anyhow!("stored config row {}: {e}", self.id))
        })?;
        let body = ConfigBody::parse(config_type, &self.body).map_err(|e| {
            StoreError::Unknown(anyhow::anyhow!(
                "stored config row {} is invalid: {e}",
                self.id
            ))
        })?;
        Ok(ConfigRecord {
            id: ConfigId(self.id),
            config_type,
            is_active: self.is_active,
            effective_from: self.effective_from,
            effective_to: self.effective_to,
            body,
            created_at: self.created_at,
            updated_at: self.updated_at,
            created_by: self.created_by,
            updated_by: self.updated_by,
        })
    }
}

impl ConfigStore for PgStore {
    fn list_config(
        &self,
        config_type: ConfigType,
        include_inactive: bool,
    ) -> Result<Vec<ConfigRecord>, StoreError> {
        let mut conn = self.conn()?;
        let rows: Vec<ConfigRow> = sql_query(format!(
            "SELECT {COLUMNS} FROM sos_config WHERE config_type = $1 AND ($2 OR is_active) ORDER BY id"
        ))
        .bind::<Text, _>(config_type.as_str())
        .bind::<Bool, _>(include_inactive)
        .load(&mut conn)
        .map_err(db_err)?;
        self.records(rows)
    }

    fn get_config(
        &self,
        config_type: ConfigType,
        id: ConfigId,
    ) -> Result<ConfigRecord, StoreError> {
        let mut conn = self.conn()?;
        let row: ConfigRow = sql_query(format!(
            "SELECT {COLUMNS} FROM sos_config WHERE config_type = $1 AND id = $2"
        ))
        .bind::<Text, _>(config_type.as_str())
        .bind::<BigInt, _>(id.0)
        .get_result(&mut conn)
        .map_err(db_err)?;
        self.record(row)
    }

    fn create_config(&self, draft: &ConfigDraft, actor: &str) -> Result<ConfigRecord, StoreError> {
        let mut conn = self.conn()?;
        let row: ConfigRow = sql_query(format!(
            "INSERT INTO sos_config (config_type, effective_from, effective_to, body, created_by, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING {COLUMNS}"
        ))
        .bind::<Text, _>(draft.config_type().as_str())
        .bind::<Nullable<Date>, _>(draft.effective_from)
        .bind::<Nullable<Date>, _>(draft.effective_to)
        .bind::<Jsonb, _>(self.stored_body(draft)?)
        .bind::<Text, _>(actor)
        .get_result(&mut conn)
        .map_err(db_err)?;
        self.record(row)
    }

    fn update_config(
        &self,
        config_type: ConfigType,
        id: ConfigId,
        draft: &ConfigDraft,
        actor: &str,
    ) -> Result<ConfigRecord, StoreError> {
        let mut conn = self.conn()?;
        let row: ConfigRow = sql_query(format!(
            "UPDATE sos_config SET effective_from = $3, effective_to = $4, body = $5, updated_by = $6, updated_at = now() \
             WHERE config_type = $1 AND id = $2 RETURNING {COLUMNS}"
        ))
        .bind::<Text, _>(config_type.as_str())
        .bind::<BigInt, _>(id.0)
        .bind::<Nullable<Date>, _>(draft.effective_from)
        .bind::<Nullable<Date>, _>(draft.effective_to)
        .bind::<Jsonb, _>(self.stored_body(draft)?)
        .bind::<Text, _>(actor)
        .get_result(&mut conn)
        .map_err(db_err)?;
        self.record(row)
    }

    fn deactivate_config(
        &self,
        config_type: ConfigType,
        id: ConfigId,
        actor: &str,
    ) -> Result<ConfigRecord, StoreError> {
        let mut conn = self.conn()?;
        let row: ConfigRow = sql_query(format!(
            "UPDATE sos_config SET is_active = false, updated_by = $3, updated_at = now() \
             WHERE config_type = $1 AND id = $2 RETURNING {COLUMNS}"
        ))
        .bind::<Text, _>(config_type.as_str())
        .bind::<BigInt, _>(id.0)
        .bind::<Text, _>(actor)
        .get_result(&mut conn)
        .map_err(db_err)?;
        self.record(row)
    }

    fn all_config(&self) -> Result<Vec<ConfigRecord>, StoreError> {
        let mut conn = self.conn()?;
        let rows: Vec<ConfigRow> =
            sql_query(format!("SELECT {COLUMNS} FROM sos_config ORDER BY id"))
                .load(&mut conn)
                .map_err(db_err)?;
        self.records(rows)
    }

    fn seed_defaults(&self, drafts: &[ConfigDraft], actor: &str) -> Result<usize, StoreError> {
        use diesel::Connection;
        let bodies = drafts
            .iter()
            .map(|d| self.stored_body(d))
            .collect::<Result<Vec<_>, _>>()?;
        let mut conn = self.conn()?;
        conn.transaction(|conn| {
            // One seeder at a time, so two servers starting together seed once.
            sql_query("SELECT pg_advisory_xact_lock(hashtextextended('sos-config-seed', 0))").execute(conn)?;
            #[derive(QueryableByName)]
            struct TypeRow {
                #[diesel(sql_type = Text)]
                config_type: String,
            }
            let present: Vec<TypeRow> = sql_query("SELECT DISTINCT config_type FROM sos_config").load(conn)?;
            let present: HashSet<String> = present.into_iter().map(|r| r.config_type).collect();
            let mut inserted = 0;
            for (draft, body) in drafts.iter().zip(bodies).filter(|(d, _)| !present.contains(d.config_type().as_str())) {
                sql_query(
                    "INSERT INTO sos_config (config_type, effective_from, effective_to, body, created_by, updated_by) \
                     VALUES ($1, $2, $3, $4, $5, $5)",
                )
                .bind::<Text, _>(draft.config_type().as_str())
                .bind::<Nullable<Date>, _>(draft.effective_from)
                .bind::<Nullable<Date>, _>(draft.effective_to)
                .bind::<Jsonb, _>(body)
                .bind::<Text, _>(actor)
                .execute(conn)?;
                inserted += 1;
            }
            Ok(inserted)
        })
        .map_err(db_err)
    }
}
