//! Config CRUD: one implementation for all 12 types.

use crate::{audit, errors::ConfigError, Sos};
use chrono::NaiveDate;
use sos_domain::config::{ConfigDraft, ConfigId, ConfigRecord, ConfigType};
use sos_ports::{AuditEntry, AuditStore, Clock, ConfigStore};

fn entity(config_type: ConfigType) -> String {
    format!("config:{}", config_type.as_str())
}

impl<R: ConfigStore + AuditStore + Clock> Sos<R> {
    /// Active rows of a type (all rows with `include_inactive`), optionally only those
    /// effective on `effective_on`.
    ///
    /// # Errors
    /// Infrastructure errors only.
    pub fn list_config(
        &self,
        config_type: ConfigType,
        include_inactive: bool,
        effective_on: Option<NaiveDate>,
    ) -> Result<Vec<ConfigRecord>, ConfigError> {
        let rows = self.ports.list_config(config_type, include_inactive)?;
        Ok(match effective_on {
            Some(date) => rows
                .into_iter()
                .filter(|r| r.is_effective_on(date))
                .collect(),
            None => rows,
        })
    }

    /// One row.
    ///
    /// # Errors
    /// [`ConfigError::NotFound`] when `id` is not a row of the type.
    pub fn get_config(
        &self,
        config_type: ConfigType,
        id: ConfigId,
    ) -> Result<ConfigRecord, ConfigError> {
        Ok(self.ports.get_config(config_type, id)?)
    }

    /// Validates and stores a new row from the JSON a user sent.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] listing every problem; nothing is written.
    pub fn create_config(
        &self,
        config_type: ConfigType,
        body: &serde_json::Value,
        actor: &str,
    ) -> Result<ConfigRecord, ConfigError> {
        let draft = ConfigDraft::parse(config_type, body).map_err(ConfigError::Invalid)?;
        let row = self.ports.create_config(&draft, actor)?;
        audit::record(
            &self.ports,
            actor,
            entity(config_type),
            row.id.to_string(),
            "create",
            None,
            Some(row.to_json()),
        );
        Ok(row)
    }

    /// Validates and stores a full replacement of a row.
    ///
    /// # Errors
    /// [`ConfigError::Invalid`] listing every problem; [`ConfigError::NotFound`].
    pub fn update_config(
        &self,
        config_type: ConfigType,
        id: ConfigId,
        body: &serde_json::Value,
        actor: &str,
    ) -> Result<ConfigRecord, ConfigError> {
        let draft = ConfigDraft::parse(config_type, body).map_err(ConfigError::Invalid)?;
        let old = self.ports.get_config(config_type, id)?;
        let row = self.ports.update_config(config_type, id, &draft, actor)?;
        audit::record(
            &self.ports,
            actor,
            entity(config_type),
            id.to_string(),
            "update",
            Some(old.to_json()),
            Some(row.to_json()),
        );
        Ok(row)
    }

    /// Soft-deletes a row.
    ///
    /// # Errors
    /// [`ConfigError::NotFound`].
    pub fn deactivate_config(
        &self,
        config_type: ConfigType,
        id: ConfigId,
        actor: &str,
    ) -> Result<ConfigRecord, ConfigError> {
        let old = self.ports.get_config(config_type, id)?;
        let row = self.ports.deactivate_config(config_type, id, actor)?;
        audit::record(
            &self.ports,
            actor,
            entity(config_type),
            id.to_string(),
            "deactivate",
            Some(old.to_json()),
            Some(row.to_json()),
        );
        Ok(row)
    }

    /// Seeds the default configuration into types that have no row yet. Safe to run at every
    /// start.
    ///
    /// # Errors
    /// Infrastructure errors only.
    pub fn seed_default_config(&self) -> Result<usize, ConfigError> {
        Ok(self
            .ports
            .seed_defaults(&sos_domain::config::default_config_drafts(), "system")?)
    }

    /// The audit trail of an entity, newest first.
    ///
    /// # Errors
    /// Infrastructure errors only.
    pub fn audit_log(
        &self,
        entity: Option<String>,
        entity_id: Option<String>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, ConfigError> {
        Ok(self.ports.list_audit(entity, entity_id, limit)?)
    }
}
