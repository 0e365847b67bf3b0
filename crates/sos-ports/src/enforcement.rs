//! Order blocking: each seller's blocking state, the history of its changes, and the manual
//! unblock. Calculations and payments syncs change the state inside their own transactions
//! ([`crate::CalculationTx::write_blocking`], [`crate::SyncBatch::Payments`]).
//!
//! Every store applies [`sos_domain::enforcement::decide`] while it holds the seller's state
//! (a row lock on PostgreSQL), and for each change between blocked and unblocked it writes, in
//! the same transaction: the new state, a history row, an audit entry (entity `enforcement`,
//! action `block` or `unblock`, the seller code as id) and the `seller.order_blocked` or
//! `seller.order_unblocked` event in the outbox.

use crate::errors::StoreError;
use chrono::{DateTime, Utc};
use serde::Serialize;
use sos_domain::{
    enforcement::{BlockChange, BlockHit, Enforcement, PaymentRules},
    SellerCode,
};

/// The audit log's entity of blocking changes.
pub const ENFORCEMENT_ENTITY: &str = "enforcement";

/// What a payments sync needs to re-evaluate order blocking: the payment-only `block_orders`
/// rules in effect, and who syncs when.
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentBlocking {
    /// The rules a sync evaluates (none: the sync blocks and unblocks nothing).
    pub rules: PaymentRules,
    /// The API key that syncs.
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A seller a calculation scored, with the `block_orders` rules its result triggered (none
/// for most): what the calculation's commit decides blocking from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockVerdict {
    /// The seller.
    pub seller: SellerCode,
    /// The rules that held ([`sos_domain::enforcement::calculation_hits`]).
    pub hits: Vec<BlockHit>,
}

/// A stored change of a seller's blocking state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlockRecord {
    /// Row id, increasing with time.
    pub id: i64,
    /// The seller.
    pub seller_code: SellerCode,
    /// The change.
    #[serde(flatten)]
    pub change: BlockChange,
}

/// Why a manual unblock was not done.
#[derive(Debug, thiserror::Error)]
pub enum UnblockError {
    /// No such seller.
    #[error("seller not found")]
    UnknownSeller,
    /// No rule blocks the seller.
    #[error("the seller is not blocked")]
    NotBlocked,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Sellers' blocking states and their history.
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait EnforcementStore: Send + Sync {
    /// The seller's state: the default (unblocked, no reasons) for a seller never blocked.
    /// The OMS asks this before accepting each order: it must be one cheap read.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the seller does not exist.
    fn get_enforcement(&self, seller: &SellerCode) -> Result<Enforcement, StoreError>;

    /// The seller's changes between blocked and unblocked, newest first.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the seller does not exist.
    fn enforcement_history(&self, seller: &SellerCode) -> Result<Vec<BlockRecord>, StoreError>;

    /// Unblocks the seller by hand (a [`sos_domain::enforcement::Trigger::ManualUnblock`]),
    /// with its history row, audit entry and `seller.order_unblocked` event, in one
    /// transaction. Returns the new state.
    ///
    /// # Errors
    /// [`UnblockError::UnknownSeller`], [`UnblockError::NotBlocked`] (nothing written), or a
    /// store failure.
    fn unblock_seller(
        &self,
        seller: &SellerCode,
        reason: &str,
        actor: &str,
        at: DateTime<Utc>,
    ) -> Result<Enforcement, UnblockError>;
}
