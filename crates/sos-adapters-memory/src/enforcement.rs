//! Sellers' blocking states and their history in memory. Every change is applied under the
//! store's one lock, with its history row, audit entry and event, so it is atomic like the
//! transactions of the PostgreSQL store.

use crate::{state::State, MemoryStore};
use chrono::{DateTime, Utc};
use sos_domain::{
    enforcement::{audit_values, decide, Decision, Enforcement, Trigger, UnblockRefusal},
    webhook::order_blocking_event,
    SellerCode,
};
use sos_ports::{
    AuditEntry, BlockRecord, EnforcementStore, StoreError, UnblockError, ENFORCEMENT_ENTITY,
};

/// Decides `trigger` for `seller` and writes what it changes: the state, and for a change
/// between blocked and unblocked its history row, audit entry and event.
pub(crate) fn apply_trigger(
    state: &mut State,
    seller: &SellerCode,
    trigger: Trigger,
    actor: &str,
    at: DateTime<Utc>,
) -> Result<Option<Decision>, UnblockRefusal> {
    let current = state.enforcement.get(seller).cloned().unwrap_or_default();
    let Some(decision) = decide(&current, trigger, actor, at)? else {
        return Ok(None);
    };
    state
        .enforcement
        .insert(seller.clone(), decision.next.clone());
    if let Some(change) = &decision.change {
        let id = i64::try_from(state.block_history.len()).unwrap_or(i64::MAX - 1) + 1;
        state.block_history.push(BlockRecord {
            id,
            seller_code: seller.clone(),
            change: change.clone(),
        });
        let (old_value, new_value) = audit_values(&current, change, &decision.next);
        let audit_id = i64::try_from(state.audit.len()).unwrap_or(i64::MAX - 1) + 1;
        state.audit.push(AuditEntry {
            id: audit_id,
            at,
            actor: actor.to_owned(),
            entity: ENFORCEMENT_ENTITY.to_owned(),
            entity_id: seller.to_string(),
            action: change.action().to_owned(),
            old_value: Some(old_value),
            new_value: Some(new_value),
        });
        state
            .outbox
            .publish(&[order_blocking_event(seller, change)]);
    }
    Ok(Some(decision))
}

impl EnforcementStore for MemoryStore {
    fn get_enforcement(&self, seller: &SellerCode) -> Result<Enforcement, StoreError> {
        let state = self.state();
        if !state.sellers.contains_key(seller) {
            return Err(StoreError::NotFound);
        }
        Ok(state.enforcement.get(seller).cloned().unwrap_or_default())
    }

    fn enforcement_history(&self, seller: &SellerCode) -> Result<Vec<BlockRecord>, StoreError> {
        let state = self.state();
        if !state.sellers.contains_key(seller) {
            return Err(StoreError::NotFound);
        }
        Ok(state
            .block_history
            .iter()
            .rev()
            .filter(|r| &r.seller_code == seller)
            .cloned()
            .collect())
    }

    fn unblock_seller(
        &self,
        seller: &SellerCode,
        reason: &str,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<Enforcement, UnblockError> {
        let mut state = self.state();
        if !state.sellers.contains_key(seller) {
            return Err(UnblockError::UnknownSeller);
        }
        let trigger = Trigger::ManualUnblock {
            reason: reason.to_owned(),
        };
        match apply_trigger(&mut state, seller, trigger, actor, at) {
            Ok(Some(decision)) => Ok(decision.next),
            // A manual unblock of a blocked seller always changes its state.
            Ok(None) => Ok(state.enforcement.get(seller).cloned().unwrap_or_default()),
            Err(UnblockRefusal::NotBlocked) => Err(UnblockError::NotBlocked),
        }
    }
}
