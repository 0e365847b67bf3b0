#![doc = include_str!("../README.md")]

mod appeals;
mod audit;
mod calculate;
mod configure;
mod enforcement;
mod errors;
mod exceptions;
mod ingest;
mod master;
mod queries;
mod webhooks;

pub use appeals::{AmReview, NewAppeal};
pub use calculate::{CalculateRequest, CalculationSummary, CALCULATION_CHUNK};
pub use errors::{
    AppealError, CalculateError, ConfigError, EnforcementError, ExceptionError, IngestError,
    MasterError, QueryError, WebhookError,
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
    appeal_rules: sos_domain::appeal::AppealRules,
}

impl<R> Sos<R> {
    /// Wraps the ports, with the default appeal settings.
    pub fn new(ports: R) -> Self {
        Self {
            ports,
            appeal_rules: sos_domain::appeal::AppealRules::default(),
        }
    }

    /// The same, with other appeal deadlines and window.
    pub fn with_appeal_rules(mut self, rules: sos_domain::appeal::AppealRules) -> Self {
        self.appeal_rules = rules;
        self
    }

    /// The appeal deadlines and window in force.
    pub fn appeal_rules(&self) -> &sos_domain::appeal::AppealRules {
        &self.appeal_rules
    }

    /// The ports, for adapters that need direct access (health checks, key bootstrap).
    pub fn ports(&self) -> &R {
        &self.ports
    }
}
