//! Config rows in memory.

use crate::MemoryStore;
use sos_domain::config::{ConfigDraft, ConfigId, ConfigRecord, ConfigType};
use sos_ports::{Clock, ConfigStore, StoreError};
use std::collections::HashSet;

impl ConfigStore for MemoryStore {
    fn list_config(
        &self,
        config_type: ConfigType,
        include_inactive: bool,
    ) -> Result<Vec<ConfigRecord>, StoreError> {
        Ok(self
            .state()
            .config
            .iter()
            .filter(|r| r.config_type == config_type && (include_inactive || r.is_active))
            .cloned()
            .collect())
    }

    fn get_config(
        &self,
        config_type: ConfigType,
        id: ConfigId,
    ) -> Result<ConfigRecord, StoreError> {
        self.state()
            .config
            .iter()
            .find(|r| r.id == id && r.config_type == config_type)
            .cloned()
            .ok_or(StoreError::NotFound)
    }

    fn create_config(&self, draft: &ConfigDraft, actor: &str) -> Result<ConfigRecord, StoreError> {
        let now = self.now();
        let mut state = self.state();
        state.next_config_id += 1;
        let record = ConfigRecord {
            id: ConfigId(state.next_config_id),
            config_type: draft.body.config_type(),
            is_active: true,
            effective_from: draft.effective_from,
            effective_to: draft.effective_to,
            body: draft.body.clone(),
            created_at: now,
            updated_at: now,
            created_by: actor.to_owned(),
            updated_by: actor.to_owned(),
        };
        state.config.push(record.clone());
        Ok(record)
    }

    fn update_config(
        &self,
        config_type: ConfigType,
        id: ConfigId,
        draft: &ConfigDraft,
        actor: &str,
    ) -> Result<ConfigRecord, StoreError> {
        let now = self.now();
        let mut state = self.state();
        let row = state
            .config
            .iter_mut()
            .find(|r| r.id == id && r.config_type == config_type)
            .ok_or(StoreError::NotFound)?;
        row.effective_from = draft.effective_from;
        row.effective_to = draft.effective_to;
        row.body = draft.body.clone();
        row.updated_at = now;
        row.updated_by = actor.to_owned();
        Ok(row.clone())
    }

    fn deactivate_config(
        &self,
        config_type: ConfigType,
        id: ConfigId,
        actor: &str,
    ) -> Result<ConfigRecord, StoreError> {
        let now = self.now();
        let mut state = self.state();
        let row = state
            .config
            .iter_mut()
            .find(|r| r.id == id && r.config_type == config_type)
            .ok_or(StoreError::NotFound)?;
        row.is_active = false;
        row.updated_at = now;
        row.updated_by = actor.to_owned();
        Ok(row.clone())
    }

    fn all_config(&self) -> Result<Vec<ConfigRecord>, StoreError> {
        Ok(self.state().config.clone())
    }

    fn seed_defaults(&self, drafts: &[ConfigDraft], actor: &str) -> Result<usize, StoreError> {
        let seeded: HashSet<ConfigType> =
            self.state().config.iter().map(|r| r.config_type).collect();
        let mut inserted = 0;
        for draft in drafts
            .iter()
            .filter(|d| !seeded.contains(&d.body.config_type()))
        {
            self.create_config(draft, actor)?;
            inserted += 1;
        }
        Ok(inserted)
    }
}
