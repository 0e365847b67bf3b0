//! Order blocking: the state the OMS reads before accepting an order, its history, and the
//! manual unblock. Calculations and payments syncs block and unblock inside their own
//! transactions (see [`Sos::calculate`] and [`Sos::ingest_payments`]).

use crate::{errors::EnforcementError, Sos};
use sos_domain::{
    enforcement::{check_unblock_reason, Enforcement},
    SellerCode,
};
use sos_ports::{BlockRecord, Clock, EnforcementStore, StoreError, UnblockError};

fn unknown(seller: &SellerCode) -> impl Fn(StoreError) -> EnforcementError + '_ {
    move |e| match e {
        StoreError::NotFound => EnforcementError::UnknownSeller(seller.clone()),
        other => other.into(),
    }
}

impl<R: EnforcementStore> Sos<R> {
    /// Whether the seller's orders are blocked, why and since when: one read.
    ///
    /// # Errors
    /// [`EnforcementError::UnknownSeller`].
    pub fn enforcement(&self, seller: &SellerCode) -> Result<Enforcement, EnforcementError> {
        self.ports.get_enforcement(seller).map_err(unknown(seller))
    }

    /// The seller's changes between blocked and unblocked, newest first.
    ///
    /// # Errors
    /// [`EnforcementError::UnknownSeller`].
    pub fn enforcement_history(
        &self,
        seller: &SellerCode,
    ) -> Result<Vec<BlockRecord>, EnforcementError> {
        self.ports
            .enforcement_history(seller)
            .map_err(unknown(seller))
    }
}

impl<R: EnforcementStore + Clock> Sos<R> {
    /// Unblocks a blocked seller by hand, with `reason`; the seller stays unblocked until the
    /// next calculation, whatever payments syncs find meanwhile. Audited, kept in the history
    /// and sent as `seller.order_unblocked`, in one transaction. Returns the new state.
    ///
    /// # Errors
    /// [`EnforcementError::Invalid`] for a blank or overlong reason,
    /// [`EnforcementError::UnknownSeller`], [`EnforcementError::NotBlocked`] (409).
    pub fn unblock(
        &self,
        seller: &SellerCode,
        reason: &str,
        actor: &str,
    ) -> Result<Enforcement, EnforcementError> {
        check_unblock_reason(reason).map_err(EnforcementError::Invalid)?;
        let at = self.ports.now();
        self.ports
            .unblock_seller(seller, reason, actor, at)
            .map_err(|e| match e {
                UnblockError::UnknownSeller => EnforcementError::UnknownSeller(seller.clone()),
                UnblockError::NotBlocked => EnforcementError::NotBlocked(seller.clone()),
                UnblockError::Store(e) => e.into(),
            })
    }
}
