//! Config rows on PostgreSQL: one generic table; the body is JSONB the domain validates.

use super::{db_err, PgStore};
use crate::schema::sos_config;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::{
    dsl::now, pg::Pg, prelude::*, sql_query, AsChangeset, Insertable, Queryable, Selectable,
};
use sos_domain::config::{ConfigBody, ConfigDraft, ConfigId, ConfigRecord, ConfigType};
use sos_ports::{ConfigStore, StoreError};
use std::collections::HashSet;

#[derive(Queryable, Selectable)]
#[diesel(table_name = sos_config, check_for_backend(Pg))]
struct ConfigRow {
    id: i64,
    config_type: String,
    is_active: bool,
    effective_from: Option<NaiveDate>,
    effective_to: Option<NaiveDate>,
    body: serde_json::Value,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    created_by: String,
    updated_by: String,
}

/// The columns a config row's create and update write (`None` writes NULL).
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = sos_config, check_for_backend(Pg))]
#[diesel(treat_none_as_default_value = false, treat_none_as_null = true)]
struct ConfigWrite<'a> {
    effective_from: Option<NaiveDate>,
    effective_to: Option<NaiveDate>,
    body: serde_json::Value,
    updated_by: &'a str,
}

impl<'a> ConfigWrite<'a> {
    fn new(draft: &ConfigDraft, body: serde_json::Value, actor: &'a str) -> Self {
        Self {
            effective_from: draft.effective_from,
            effective_to: draft.effective_to,
            body,
            updated_by: actor,
        }
    }
}

/// A new config row: its type and creator, then what updates write too.
#[derive(Insertable)]
#[diesel(table_name = sos_config, check_for_backend(Pg))]
struct NewConfig<'a> {
    config_type: &'a str,
    created_by: &'a str,
    #[diesel(embed)]
    write: ConfigWrite<'a>,
}

fn new_row<'a>(draft: &'a ConfigDraft, body: serde_json::Value, actor: &'a str) -> NewConfig<'a> {
    NewConfig {
        config_type: draft.config_type().as_str(),
        created_by: actor,
        write: ConfigWrite::new(draft, body, actor),
    }
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
        let mut query = sos_config::table
            .filter(sos_config::config_type.eq(config_type.as_str()))
            .into_boxed();
        if !include_inactive {
            query = query.filter(sos_config::is_active);
        }
        let rows = query
            .order(sos_config::id)
            .select(ConfigRow::as_select())
            .load(&mut *conn)
            .map_err(db_err)?;
        self.records(rows)
    }

    fn get_config(
        &self,
        config_type: ConfigType,
        id: ConfigId,
    ) -> Result<ConfigRecord, StoreError> {
        let mut conn = self.conn()?;
        let row = sos_config::table
            .filter(sos_config::config_type.eq(config_type.as_str()))
            .filter(sos_config::id.eq(id.0))
            .select(ConfigRow::as_select())
            .get_result(&mut *conn)
            .map_err(db_err)?;
        self.record(row)
    }

    fn create_config(&self, draft: &ConfigDraft, actor: &str) -> Result<ConfigRecord, StoreError> {
        let body = self.stored_body(draft)?;
        let mut conn = self.conn()?;
        let row = diesel::insert_into(sos_config::table)
            .values(new_row(draft, body, actor))
            .returning(ConfigRow::as_returning())
            .get_result(&mut *conn)
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
        let body = self.stored_body(draft)?;
        let mut conn = self.conn()?;
        let row = diesel::update(sos_config::table)
            .filter(sos_config::config_type.eq(config_type.as_str()))
            .filter(sos_config::id.eq(id.0))
            .set((
                ConfigWrite::new(draft, body, actor),
                sos_config::updated_at.eq(now),
            ))
            .returning(ConfigRow::as_returning())
            .get_result(&mut *conn)
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
        let row = diesel::update(sos_config::table)
            .filter(sos_config::config_type.eq(config_type.as_str()))
            .filter(sos_config::id.eq(id.0))
            .set((
                sos_config::is_active.eq(false),
                sos_config::updated_by.eq(actor),
                sos_config::updated_at.eq(now),
            ))
            .returning(ConfigRow::as_returning())
            .get_result(&mut *conn)
            .map_err(db_err)?;
        self.record(row)
    }

    fn all_config(&self) -> Result<Vec<ConfigRecord>, StoreError> {
        let mut conn = self.conn()?;
        let rows = sos_config::table
            .order(sos_config::id)
            .select(ConfigRow::as_select())
            .load(&mut *conn)
            .map_err(db_err)?;
        self.records(rows)
    }

    fn seed_defaults(&self, drafts: &[ConfigDraft], actor: &str) -> Result<usize, StoreError> {
        let bodies = drafts
            .iter()
            .map(|d| self.stored_body(d))
            .collect::<Result<Vec<_>, _>>()?;
        let mut conn = self.conn()?;
        conn.transaction(|conn| {
            // One seeder at a time, so two servers starting together seed once. Raw SQL:
            // diesel has no advisory-lock functions.
            sql_query("SELECT pg_advisory_xact_lock(hashtextextended('sos-config-seed', 0))")
                .execute(conn)?;
            let present: HashSet<String> = sos_config::table
                .select(sos_config::config_type)
                .distinct()
                .load::<String>(conn)?
                .into_iter()
                .collect();
            let mut inserted = 0;
            for (draft, body) in drafts
                .iter()
                .zip(bodies)
                .filter(|(d, _)| !present.contains(d.config_type().as_str()))
            {
                diesel::insert_into(sos_config::table)
                    .values(new_row(draft, body, actor))
                    .execute(conn)?;
                inserted += 1;
            }
            Ok(inserted)
        })
        .map_err(db_err)
    }
}
