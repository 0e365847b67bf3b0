#![doc = include_str!("../README.md")]

mod audit;
mod calculate;
mod configure;
mod errors;
mod exceptions;
mod ingest;
mod master;
mod queries;
mod webhooks;

pub use calculate::{CalculateRequest, CalculationSummary, CALCULATION_CHUNK};
pub use errors::{
    CalculateError, ConfigError, ExceptionError, IngestError, MasterError, QueryError, WebhookError,
};
pub use exceptions::{CreatedException, NewException};
pub use ingest::MAX_BATCH;
pub use webhooks::{DeliveryRound, SubscriptionWithSecret, LEASE_MARGIN, SECRET_OVERLAP};

/// The SOS application: every use case, over one value `R` that implements the ports.
///
/// Each method is available when `R` implements the ports that method needs.
#[derive(Debug, Clone)]
pub struct Sos<R> {
    ports: R,
}

impl<R> Sos<R> {
    /// Wraps the ports.
    pub fn new(ports: R) -> Self {
        Self { ports }
    }

    /// The ports, for adapters that need direct access (health checks, key bootstrap).
    pub fn ports(&self) -> &R {
        &self.ports
    }
}
