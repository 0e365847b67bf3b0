//! The 12 config types, stored generically.

use crate::errors::StoreError;
use sos_domain::config::{ConfigDraft, ConfigId, ConfigRecord, ConfigType};

/// Config rows of every type. Rows are never deleted: deactivating keeps them for the
/// explanations of past results.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait ConfigStore: Send + Sync {
    /// Rows of `config_type`, ordered by id; inactive ones only when asked.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn list_config(
        &self,
        config_type: ConfigType,
        include_inactive: bool,
    ) -> Result<Vec<ConfigRecord>, StoreError>;

    /// One row, active or not.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when `id` is not a row of `config_type`.
    fn get_config(&self, config_type: ConfigType, id: ConfigId)
        -> Result<ConfigRecord, StoreError>;

    /// Stores a validated draft as a new active row.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn create_config(&self, draft: &ConfigDraft, actor: &str) -> Result<ConfigRecord, StoreError>;

    /// Replaces the fields of a row with a validated draft of the same type.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when `id` is not a row of `config_type`.
    fn update_config(
        &self,
        config_type: ConfigType,
        id: ConfigId,
        draft: &ConfigDraft,
        actor: &str,
    ) -> Result<ConfigRecord, StoreError>;

    /// Soft-deletes a row (`is_active = false`).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when `id` is not a row of `config_type`.
    fn deactivate_config(
        &self,
        config_type: ConfigType,
        id: ConfigId,
        actor: &str,
    ) -> Result<ConfigRecord, StoreError>;

    /// Every row of every type, active or not: the input of config resolution.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn all_config(&self) -> Result<Vec<ConfigRecord>, StoreError>;

    /// Inserts the default rows of each type that has no row at all yet, so seeding is
    /// idempotent and never overwrites or duplicates what a user wrote. Returns rows inserted.
    ///
    /// # Errors
    /// Infrastructure errors only.
    fn seed_defaults(&self, drafts: &[ConfigDraft], actor: &str) -> Result<usize, StoreError>;
}
