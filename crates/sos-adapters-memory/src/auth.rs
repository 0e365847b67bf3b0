//! API keys and the audit log in memory.

use crate::MemoryStore;
use chrono::{DateTime, Utc};
use sos_ports::{ApiKeyRecord, ApiKeyStore, AuditEntry, AuditStore, Clock, Scope, StoreError};

impl ApiKeyStore for MemoryStore {
    fn create_key(
        &self,
        name: &str,
        prefix: &str,
        key_hash: &str,
        scopes: &[Scope],
    ) -> Result<ApiKeyRecord, StoreError> {
        let now = self.now();
        let mut state = self.state();
        if state
            .keys
            .iter()
            .any(|k| k.name == name || k.prefix == prefix)
        {
            return Err(StoreError::Conflict(format!(
                "an API key named {name} already exists"
            )));
        }
        let record = ApiKeyRecord {
            id: i64::try_from(state.keys.len()).unwrap_or(i64::MAX - 1) + 1,
            name: name.to_owned(),
            prefix: prefix.to_owned(),
            key_hash: key_hash.to_owned(),
            scopes: scopes.to_vec(),
            created_at: now,
            last_used_at: None,
            revoked_at: None,
        };
        state.keys.push(record.clone());
        Ok(record)
    }

    fn find_key_by_prefix(&self, prefix: &str) -> Result<Option<ApiKeyRecord>, StoreError> {
        Ok(self
            .state()
            .keys
            .iter()
            .find(|k| k.prefix == prefix)
            .cloned())
    }

    fn list_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let mut keys = self.state().keys.clone();
        keys.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(keys)
    }

    fn revoke_key(&self, name: &str) -> Result<ApiKeyRecord, StoreError> {
        let now = self.now();
        let mut state = self.state();
        let key = state
            .keys
            .iter_mut()
            .find(|k| k.name == name)
            .ok_or(StoreError::NotFound)?;
        key.revoked_at.get_or_insert(now);
        Ok(key.clone())
    }

    fn touch_key(&self, id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
        // Uses are recorded concurrently: an older one arriving late never moves it back.
        if let Some(key) = self.state().keys.iter_mut().find(|k| k.id == id) {
            if key.last_used_at.is_none_or(|last| last < at) {
                key.last_used_at = Some(at);
            }
        }
        Ok(())
    }

    fn count_keys(&self) -> Result<u64, StoreError> {
        Ok(self.state().keys.len() as u64)
    }
}

impl AuditStore for MemoryStore {
    fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let mut state = self.state();
        let mut entry = entry.clone();
        entry.id = i64::try_from(state.audit.len()).unwrap_or(i64::MAX - 1) + 1;
        state.audit.push(entry);
        Ok(())
    }

    fn list_audit(
        &self,
        entity: Option<String>,
        entity_id: Option<String>,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        Ok(self
            .state()
            .audit
            .iter()
            .rev()
            .filter(|e| entity.as_ref().is_none_or(|x| &e.entity == x))
            .filter(|e| entity_id.as_ref().is_none_or(|x| &e.entity_id == x))
            .take(limit as usize)
            .cloned()
            .collect())
    }
}
