#![doc = include_str!("../README.md")]

mod appeals;
mod auth;
mod clock;
mod config;
mod enforcement;
mod errors;
mod exceptions;
mod master;
mod scores;
mod shared;
mod sync;
mod webhooks;

pub use appeals::{
    AppealApproval, AppealFilter, AppealRecord, AppealStep, AppealStore, AppealTransition,
    NewAppealRow,
};
pub use auth::{ApiKeyRecord, ApiKeyStore, AuditEntry, AuditStore, Scope};
pub use clock::{Clock, SystemClock};
pub use config::ConfigStore;
pub use enforcement::{
    BlockRecord, BlockVerdict, EnforcementStore, PaymentBlocking, UnblockError, ENFORCEMENT_ENTITY,
};
pub use errors::{CalculationStoreError, StoreError, SyncStoreError};
pub use exceptions::{ExceptionFilter, ExceptionRecord, ExceptionStore};
pub use master::{
    AccountManagerStore, CampaignRecord, CampaignStore, Page, PageRequest, SellerFilter,
    SellerRecord, SellerStore,
};
pub use scores::{
    AmInputs, CalculationRun, CalculationScope, CalculationTx, CompletionEvents, FinalizeEvents,
    PeriodSummary, RunStatus, ScoreFilter, ScoreStore, SellerWithInputs, StoredScore, TierCount,
};
pub use shared::AllPorts;
pub use sync::{
    CampaignActualRecord, ForecastRecord, InventoryRecord, OrderRecord, PaymentInput,
    PaymentRecord, RawOrdersRecord, SyncBatch, SyncStore, TicketRecord,
};
pub use webhooks::{
    Attempt, Delivery, DeliveryStatus, DueDelivery, OsRandom, OutboundRequest, Random, Resolution,
    SendReport, SigningSecrets, Subscription, WebhookGateway, WebhookStats, WebhookStore,
    MAX_LOGGED_BODY,
};

#[cfg(feature = "mock")]
pub use appeals::MockAppealStore;
#[cfg(feature = "mock")]
pub use auth::{MockApiKeyStore, MockAuditStore};
#[cfg(feature = "mock")]
pub use clock::MockClock;
#[cfg(feature = "mock")]
pub use config::MockConfigStore;
#[cfg(feature = "mock")]
pub use enforcement::MockEnforcementStore;
#[cfg(feature = "mock")]
pub use exceptions::MockExceptionStore;
#[cfg(feature = "mock")]
pub use master::{MockAccountManagerStore, MockCampaignStore, MockSellerStore};
#[cfg(feature = "mock")]
pub use scores::{MockCalculationTx, MockScoreStore};
#[cfg(feature = "mock")]
pub use sync::MockSyncStore;
#[cfg(feature = "mock")]
pub use webhooks::{MockRandom, MockWebhookGateway, MockWebhookStore};
