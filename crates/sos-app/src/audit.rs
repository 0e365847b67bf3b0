//! Audit entries for config and master-data writes.

use sos_ports::{AuditEntry, AuditStore, Clock};

/// Appends an audit entry. The write it describes has already happened, so a failure to log
/// is reported in the server log rather than undoing the write.
pub(crate) fn record<R: AuditStore + Clock>(
    ports: &R,
    actor: &str,
    entity: String,
    entity_id: String,
    action: &str,
    old_value: Option<serde_json::Value>,
    new_value: Option<serde_json::Value>,
) {
    let entry = AuditEntry {
        id: 0,
        at: ports.now(),
        actor: actor.to_owned(),
        entity,
        entity_id,
        action: action.to_owned(),
        old_value,
        new_value,
    };
    if let Err(e) = ports.append_audit(&entry) {
        tracing::error!(error = %e, entity = %entry.entity, "could not append audit entry");
    }
}
