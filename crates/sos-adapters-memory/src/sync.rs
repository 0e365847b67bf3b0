//! The seven sync stores in memory. References are checked before anything changes, so a
//! batch is all or nothing.

use crate::{enforcement::apply_trigger, state::ForecastRow, MemoryStore};
use sos_domain::{
    inputs::{OrderStats, PaymentStats, RawInvoice},
    AmId, CampaignCode, Period, SellerCode,
};
use sos_ports::{PaymentInput, SyncBatch, SyncStore, SyncStoreError};
use std::collections::{BTreeMap, BTreeSet, HashMap};

fn references(
    batch: &SyncBatch,
) -> (
    BTreeSet<&SellerCode>,
    BTreeSet<&CampaignCode>,
    BTreeSet<AmId>,
) {
    let mut sellers = BTreeSet::new();
    let mut campaigns = BTreeSet::new();
    let mut ams = BTreeSet::new();
    match batch {
        SyncBatch::Orders(v) => sellers.extend(v.iter().map(|r| &r.seller)),
        SyncBatch::RawOrders { records, .. } => sellers.extend(records.iter().map(|r| &r.seller)),
        SyncBatch::Forecasts(v) => {
            sellers.extend(v.iter().map(|r| &r.seller));
            campaigns.extend(v.iter().map(|r| &r.campaign));
        }
        SyncBatch::CampaignActuals(v) => {
            sellers.extend(v.iter().map(|r| &r.seller));
            campaigns.extend(v.iter().map(|r| &r.campaign));
        }
        SyncBatch::Tickets(v) => sellers.extend(v.iter().map(|r| &r.seller)),
        SyncBatch::Payments { records, .. } => sellers.extend(records.iter().map(|r| &r.seller)),
        SyncBatch::Inventory(v) => sellers.extend(v.iter().map(|r| &r.seller)),
        SyncBatch::Revenue(v) => ams.extend(v.iter().map(|r| r.am_id())),
    }
    (sellers, campaigns, ams)
}

impl SyncStore for MemoryStore {
    fn apply(&self, batch: &SyncBatch) -> Result<usize, SyncStoreError> {
        let mut state = self.state();
        let (sellers, campaigns, ams) = references(batch);
        let unknown: Vec<SellerCode> = sellers
            .into_iter()
            .filter(|s| !state.sellers.contains_key(*s))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(SyncStoreError::UnknownSellers(unknown));
        }
        let unknown: Vec<CampaignCode> = campaigns
            .into_iter()
            .filter(|c| !state.campaigns.contains_key(*c))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(SyncStoreError::UnknownCampaigns(unknown));
        }
        let unknown: Vec<AmId> = ams
            .into_iter()
            .filter(|a| !state.ams.contains_key(a))
            .collect();
        if !unknown.is_empty() {
            return Err(SyncStoreError::UnknownAccountManagers(unknown));
        }
        match batch {
            SyncBatch::Orders(v) => {
                for r in v {
                    state
                        .orders
                        .insert((r.seller.clone(), r.period), r.stats.clone());
                }
            }
            SyncBatch::RawOrders {
                records,
                max_delay_minutes,
                now,
            } => {
                for r in records {
                    let stored = state.raw_orders.entry(r.seller.clone()).or_default();
                    let mut periods = BTreeSet::new();
                    for o in &r.orders {
                        periods.insert(Period::of_date(o.created_at.date_naive()));
                        stored.insert(o.order_id.clone(), o.clone());
                    }
                    let aggregates: Vec<(Period, OrderStats)> = periods
                        .into_iter()
                        .map(|p| {
                            let of_period: Vec<_> = stored
                                .values()
                                .filter(|o| p.contains(o.created_at.date_naive()))
                                .cloned()
                                .collect();
                            (
                                p,
                                OrderStats::from_raw_orders(&of_period, *max_delay_minutes, *now),
                            )
                        })
                        .collect();
                    for (p, stats) in aggregates {
                        state.orders.insert((r.seller.clone(), p), stats);
                    }
                }
            }
            SyncBatch::Forecasts(v) => {
                // New submissions of one batch are numbered in `submitted_at` order, so
                // version 1 is the earliest whatever the order of the batch.
                let mut sorted: Vec<_> = v.iter().collect();
                sorted.sort_by_key(|r| r.submitted_at);
                for r in sorted {
                    let versions = state
                        .forecasts
                        .entry((r.seller.clone(), r.campaign.clone()))
                        .or_default();
                    match versions
                        .iter_mut()
                        .find(|f| f.submitted_at == r.submitted_at)
                    {
                        Some(existing) => {
                            existing.volume = r.forecasted_order_volume;
                            existing.sku_breakdown = r.forecasted_sku_breakdown.clone();
                            existing.notes = r.notes.clone();
                        }
                        None => {
                            let version = u32::try_from(versions.len()).unwrap_or(u32::MAX - 1) + 1;
                            versions.push(ForecastRow {
                                version,
                                submitted_at: r.submitted_at,
                                volume: r.forecasted_order_volume,
                                sku_breakdown: r.forecasted_sku_breakdown.clone(),
                                notes: r.notes.clone(),
                            });
                        }
                    }
                }
            }
            SyncBatch::CampaignActuals(v) => {
                for r in v {
                    state.actuals.insert(
                        (r.seller.clone(), r.campaign.clone()),
                        r.actual_order_volume,
                    );
                }
            }
            SyncBatch::Tickets(v) => {
                for r in v {
                    state
                        .tickets
                        .insert((r.seller.clone(), r.period), r.stats.clone());
                }
            }
            SyncBatch::Payments {
                records: v,
                blocking,
            } => {
                // Every aggregate is computed before anything changes, so a record that cannot
                // be aggregated leaves the whole batch unwritten.
                let mut invoices_after: HashMap<
                    (SellerCode, Period),
                    BTreeMap<String, RawInvoice>,
                > = HashMap::new();
                let mut aggregates: Vec<((SellerCode, Period), PaymentStats)> =
                    Vec::with_capacity(v.len());
                for r in v {
                    let key = (r.seller.clone(), r.period);
                    match &r.input {
                        PaymentInput::Aggregate(stats) => aggregates.push((key, stats.clone())),
                        PaymentInput::Invoices { invoices, currency } => {
                            let stored = invoices_after.entry(key.clone()).or_insert_with(|| {
                                state.invoices.get(&key).cloned().unwrap_or_default()
                            });
                            for inv in invoices {
                                stored.insert(inv.invoice_id.clone(), inv.clone());
                            }
                            let all: Vec<_> = stored.values().cloned().collect();
                            let stats = PaymentStats::from_invoices(&all, currency.clone())
                                .map_err(|e| {
                                    SyncStoreError::Unknown(anyhow::anyhow!(
                                        "stored invoices no longer aggregate: {e}"
                                    ))
                                })?;
                            aggregates.push((key, stats));
                        }
                    }
                }
                state.invoices.extend(invoices_after);
                for (key, stats) in aggregates {
                    state.payments.insert(key, stats);
                }
                // Each seller's blocking, decided again on its most recent payment month.
                let touched: BTreeSet<SellerCode> = v.iter().map(|r| r.seller.clone()).collect();
                for seller in touched {
                    let latest = state
                        .payments
                        .iter()
                        .filter(|((s, _), _)| *s == seller)
                        .max_by_key(|((_, p), _)| *p)
                        .map(|((_, p), stats)| {
                            blocking.rules.trigger(
                                *p,
                                stats.worst_days_late(),
                                stats.total_outstanding_amount(),
                            )
                        });
                    if let Some(trigger) = latest {
                        // A sync is never refused; only a manual unblock is.
                        let _ = apply_trigger(
                            &mut state,
                            &seller,
                            trigger,
                            &blocking.actor,
                            blocking.at,
                        );
                    }
                }
            }
            SyncBatch::Inventory(v) => {
                for r in v {
                    let key = (r.seller.clone(), r.snapshot.period());
                    let newer = state
                        .inventory
                        .get(&key)
                        .is_none_or(|old| r.snapshot.replaces(old));
                    if newer {
                        state.inventory.insert(key, r.snapshot.clone());
                    }
                }
            }
            SyncBatch::Revenue(v) => {
                for r in v {
                    state.revenue.insert((r.am_id(), r.period()), r.clone());
                }
            }
        }
        Ok(batch.len())
    }
}
