//! Ingesting the seven sync kinds.

use crate::{errors::IngestError, Sos};
use sos_domain::{
    config::{resolve_surcharges, select_rows, ConfigBody, ConfigType, OScoreConfig},
    enforcement::PaymentRules,
    ValidationErrors,
};
use sos_ports::{
    Clock, ConfigStore, PaymentBlocking, PaymentRecord, RawOrdersRecord, SyncBatch, SyncStore,
};
use std::collections::HashMap;

/// Most records one sync call may carry.
pub const MAX_BATCH: usize = 1000;

/// The upsert key of each record, so a batch naming the same key twice is refused instead of
/// leaving which one wins to chance.
fn keys(batch: &SyncBatch) -> Vec<String> {
    match batch {
        SyncBatch::Orders(v) => v
            .iter()
            .map(|r| format!("{}|{}", r.seller, r.period))
            .collect(),
        SyncBatch::RawOrders { records, .. } => {
            records.iter().map(|r| r.seller.to_string()).collect()
        }
        SyncBatch::Forecasts(v) => v
            .iter()
            .map(|r| {
                format!(
                    "{}|{}|{}",
                    r.seller,
                    r.campaign,
                    r.submitted_at.timestamp_micros()
                )
            })
            .collect(),
        SyncBatch::CampaignActuals(v) => v
            .iter()
            .map(|r| format!("{}|{}", r.seller, r.campaign))
            .collect(),
        SyncBatch::Tickets(v) => v
            .iter()
            .map(|r| format!("{}|{}", r.seller, r.period))
            .collect(),
        SyncBatch::Payments { records: v, .. } => v
            .iter()
            .map(|r| format!("{}|{}", r.seller, r.period))
            .collect(),
        SyncBatch::Inventory(v) => v
            .iter()
            .map(|r| format!("{}|{}", r.seller, r.snapshot.period()))
            .collect(),
        SyncBatch::Revenue(v) => v
            .iter()
            .map(|r| format!("{}|{}", r.am_id(), r.period()))
            .collect(),
    }
}

/// Checks what only the whole batch can show: its size and repeated keys.
///
/// # Errors
/// Every problem, with the index of the offending item.
pub(crate) fn check_batch(batch: &SyncBatch) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if batch.is_empty() {
        errors.push("body", "must hold at least one record");
    }
    if batch.len() > MAX_BATCH {
        errors.push(
            "body",
            format!(
                "holds {} records; at most {MAX_BATCH} are accepted per call",
                batch.len()
            ),
        );
    }
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    for (i, key) in keys(batch).into_iter().enumerate() {
        if let Some(first) = first_seen.get(&key) {
            errors.push(
                format!("[{i}]"),
                format!("repeats the upsert key of item [{first}]; send each key once per call"),
            );
        } else {
            first_seen.insert(key, i);
        }
    }
    errors.into_result(())
}

impl<R: SyncStore> Sos<R> {
    /// Validates `batch` as a whole, then writes it in one transaction. Returns the records
    /// written. The same batch twice leaves the same state as once.
    ///
    /// # Errors
    /// [`IngestError::Invalid`] for an empty, oversized or self-contradicting batch; the
    /// `Unknown*` variants listing every missing reference; nothing is written in those cases.
    pub fn ingest(&self, batch: &SyncBatch) -> Result<usize, IngestError> {
        check_batch(batch).map_err(IngestError::Invalid)?;
        Ok(self.ports.apply(batch)?)
    }
}

impl<R: SyncStore + ConfigStore + Clock> Sos<R> {
    /// Ingests raw orders: they are kept by `order_id`, and each touched period's aggregate is
    /// recomputed with the o-score delay limit effective today.
    ///
    /// # Errors
    /// As [`Sos::ingest`].
    pub fn ingest_raw_orders(&self, records: Vec<RawOrdersRecord>) -> Result<usize, IngestError> {
        let now = self.ports.now();
        let rows = self.ports.all_config()?;
        let max_delay_minutes = select_rows(&rows, ConfigType::OScore, now.date_naive())
            .into_iter()
            .find_map(|r| match &r.body {
                ConfigBody::OScore(o) => Some(o.max_delay_minutes),
                _ => None,
            })
            .unwrap_or_else(|| OScoreConfig::default().max_delay_minutes);
        let batch = SyncBatch::RawOrders {
            records,
            max_delay_minutes,
            now,
        };
        self.ingest(&batch)
    }

    /// Ingests payments and, in the same transaction, decides each seller's order blocking
    /// again on its most recent payment month with the `block_orders` rules on payment metrics
    /// only that are effective today (see `sos_domain::enforcement`). `actor` is the API key
    /// that syncs.
    ///
    /// # Errors
    /// As [`Sos::ingest`].
    pub fn ingest_payments(
        &self,
        records: Vec<PaymentRecord>,
        actor: &str,
    ) -> Result<usize, IngestError> {
        let now = self.ports.now();
        let rows = self.ports.all_config()?;
        let rules = PaymentRules::from_rules(&resolve_surcharges(&rows, now.date_naive()));
        let batch = SyncBatch::Payments {
            records,
            blocking: PaymentBlocking {
                rules,
                actor: actor.to_owned(),
                at: now,
            },
        };
        self.ingest(&batch)
    }
}
