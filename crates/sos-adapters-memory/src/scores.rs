//! Results, runs and the calculation lock in memory.

use crate::{enforcement::apply_trigger, master::paginate, MemoryStore};
use sos_domain::{
    decimal::round2,
    enforcement::Trigger,
    inputs::{CampaignInput, ForecastVersion, SellerInputs},
    master::SellerStatus,
    webhook::EventDraft,
    AmId, AmPortfolioScore, Component, Decimal, PerComponent, Period, SellerCode,
};
use sos_ports::{
    AmInputs, BlockVerdict, CalculationRun, CalculationScope, CalculationStoreError, CalculationTx,
    CompletionEvents, FinalizeEvents, Page, PageRequest, PeriodSummary, ScoreFilter, ScoreStore,
    SellerWithInputs, StoreError, StoredScore, TierCount,
};
use std::collections::BTreeMap;

/// An open calculation: writes are buffered and applied at once by `commit`; dropping it
/// discards them and releases the period's lock.
struct MemoryCalculation {
    store: MemoryStore,
    period: Period,
    scope: CalculationScope,
    scores: Vec<StoredScore>,
    am_scores: Vec<AmPortfolioScore>,
    events: Vec<EventDraft>,
    verdicts: Vec<BlockVerdict>,
}

impl Drop for MemoryCalculation {
    fn drop(&mut self) {
        self.store.state().running.remove(&self.period);
    }
}

impl CalculationTx for MemoryCalculation {
    fn write_scores(&mut self, scores: &[StoredScore]) -> Result<(), CalculationStoreError> {
        self.scores.extend_from_slice(scores);
        Ok(())
    }

    fn period_sos_by_am(
        &mut self,
    ) -> Result<Vec<(AmId, SellerCode, Option<Decimal>)>, CalculationStoreError> {
        let state = self.store.state();
        let kept = state
            .scores
            .iter()
            .filter(|((p, seller), _)| *p == self.period && !self.scope.covers(seller))
            .map(|(_, s)| s);
        Ok(kept
            .chain(self.scores.iter())
            .filter_map(|s| {
                s.am_id
                    .map(|am| (am, s.seller_code.clone(), s.result.sos_score()))
            })
            .collect())
    }

    fn write_am_scores(
        &mut self,
        scores: &[AmPortfolioScore],
    ) -> Result<(), CalculationStoreError> {
        self.am_scores.extend_from_slice(scores);
        Ok(())
    }

    fn write_events(&mut self, events: &[EventDraft]) -> Result<(), CalculationStoreError> {
        self.events.extend_from_slice(events);
        Ok(())
    }

    fn write_blocking(&mut self, verdicts: &[BlockVerdict]) -> Result<(), CalculationStoreError> {
        self.verdicts.extend_from_slice(verdicts);
        Ok(())
    }

    fn commit(
        mut self: Box<Self>,
        run: &CalculationRun,
        completion: &dyn CompletionEvents,
    ) -> Result<i64, CalculationStoreError> {
        let period = self.period;
        let scores = std::mem::take(&mut self.scores);
        let am_scores = std::mem::take(&mut self.am_scores);
        let store = self.store.clone();
        let mut state = store.state();
        if state.finalized.contains(&period) {
            return Err(CalculationStoreError::Finalized(period));
        }
        let scope = self.scope.clone();
        state
            .scores
            .retain(|(p, seller), _| *p != period || !scope.covers(seller));
        for s in scores {
            state.scores.insert((period, s.seller_code.clone()), s);
        }
        state.am_scores.retain(|(p, _), _| *p != period);
        for a in am_scores {
            state.am_scores.insert((period, a.am_id), a);
        }
        let (actor, finished_at) = (run.triggered_by.clone(), run.finished_at);
        let mut run = run.clone();
        run.id = i64::try_from(state.runs.len()).unwrap_or(i64::MAX - 1) + 1;
        let id = run.id;
        state.runs.push(run);
        let mut events = std::mem::take(&mut self.events);
        events.extend(completion.events(id));
        state.outbox.publish(&events);
        for v in std::mem::take(&mut self.verdicts) {
            let trigger = Trigger::Calculation {
                period,
                hits: v.hits,
            };
            // A calculation is never refused; only a manual unblock is.
            let _ = apply_trigger(&mut state, &v.seller, trigger, &actor, finished_at);
        }
        Ok(id)
    }
}

fn mean(values: impl Iterator<Item = Decimal>) -> Option<Decimal> {
    let (sum, n) = values.fold((Decimal::ZERO, 0u32), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| round2(sum / Decimal::from(n)))
}

impl ScoreStore for MemoryStore {
    fn load_seller_inputs(
        &self,
        period: Period,
        scope: &CalculationScope,
        after: Option<SellerCode>,
        limit: usize,
    ) -> Result<Vec<SellerWithInputs>, StoreError> {
        let state = self.state();
        let campaigns: Vec<_> = state
            .campaigns
            .values()
            .filter(|c| c.is_active && c.campaign.period() == period)
            .collect();
        let out = state
            .sellers
            .values()
            .filter(|r| after.as_ref().is_none_or(|a| &r.seller.seller_code > a))
            .filter(|r| {
                r.seller.status == SellerStatus::Active && scope.covers(&r.seller.seller_code)
            })
            .take(limit)
            .map(|r| {
                let code = &r.seller.seller_code;
                let key = (code.clone(), period);
                let campaign_inputs = campaigns
                    .iter()
                    .filter_map(|c| {
                        let ck = (code.clone(), c.campaign.code().clone());
                        let forecasts: Vec<ForecastVersion> = state
                            .forecasts
                            .get(&ck)
                            .map(|v| {
                                v.iter()
                                    .map(|f| ForecastVersion {
                                        submission_version: f.version,
                                        submitted_at: f.submitted_at,
                                        forecasted_order_volume: f.volume,
                                    })
                                    .collect()
                            })
                            .unwrap_or_default();
                        let actual = state.actuals.get(&ck).copied();
                        (!forecasts.is_empty() || actual.is_some()).then(|| CampaignInput {
                            campaign_code: Some(c.campaign.code().clone()),
                            campaign_type: c.campaign.campaign_type(),
                            start_date: c.campaign.start_date(),
                            forecasts,
                            actual_order_volume: actual,
                        })
                    })
                    .collect();
                SellerWithInputs {
                    seller: r.seller.clone(),
                    inputs: SellerInputs {
                        period,
                        onboarded_at: r.seller.onboarded_at,
                        previous_tier: state
                            .scores
                            .get(&(period.previous(), code.clone()))
                            .and_then(|s| s.result.tier().cloned()),
                        orders: state.orders.get(&key).cloned(),
                        tickets: state.tickets.get(&key).cloned(),
                        payments: state.payments.get(&key).cloned(),
                        inventory: state.inventory.get(&key).cloned(),
                        campaigns: campaign_inputs,
                        // The calculation attaches the period's exceptions itself.
                        exceptions: Vec::new(),
                    },
                }
            })
            .collect();
        Ok(out)
    }

    fn load_am_inputs(&self, period: Period) -> Result<Vec<AmInputs>, StoreError> {
        let state = self.state();
        Ok(state
            .ams
            .values()
            .filter(|a| a.is_active)
            .map(|am| AmInputs {
                am: am.clone(),
                revenue: state.revenue.get(&(am.id, period)).cloned(),
                previous_avg_sos: state
                    .am_scores
                    .get(&(period.previous(), am.id))
                    .and_then(|a| a.avg_sos),
            })
            .collect())
    }

    fn begin_calculation(
        &self,
        period: Period,
        scope: &CalculationScope,
    ) -> Result<Box<dyn CalculationTx>, CalculationStoreError> {
        let mut state = self.state();
        if state.finalized.contains(&period) {
            return Err(CalculationStoreError::Finalized(period));
        }
        if !state.running.insert(period) {
            return Err(CalculationStoreError::AlreadyRunning(period));
        }
        drop(state);
        Ok(Box::new(MemoryCalculation {
            store: self.clone(),
            period,
            scope: scope.clone(),
            scores: Vec::new(),
            am_scores: Vec::new(),
            events: Vec::new(),
            verdicts: Vec::new(),
        }))
    }

    fn record_run(&self, run: &CalculationRun) -> Result<i64, StoreError> {
        let mut state = self.state();
        let mut run = run.clone();
        run.id = i64::try_from(state.runs.len()).unwrap_or(i64::MAX - 1) + 1;
        let id = run.id;
        state.runs.push(run);
        Ok(id)
    }

    fn finalize_period(
        &self,
        period: Period,
        _actor: &str,
        events: &dyn FinalizeEvents,
    ) -> Result<bool, StoreError> {
        let now = sos_ports::Clock::now(self);
        let mut state = self.state();
        if !state.finalized.insert(period) {
            return Ok(false);
        }
        state.finalized_at.insert(period, now);
        let mut drafts = Vec::new();
        for ((_, seller), score) in state.scores.iter().filter(|((p, _), _)| *p == period) {
            let previous = state
                .scores
                .iter()
                .filter(|((p, s), _)| s == seller && *p < period && state.finalized.contains(p))
                .map(|(_, s)| s)
                .next_back();
            drafts.extend(events.events(score, previous));
        }
        state.outbox.publish(&drafts);
        Ok(true)
    }

    fn is_finalized(&self, period: Period) -> Result<bool, StoreError> {
        Ok(self.state().finalized.contains(&period))
    }

    fn list_scores(
        &self,
        period: Period,
        filter: &ScoreFilter,
        page: PageRequest,
    ) -> Result<Page<StoredScore>, StoreError> {
        let rows: Vec<StoredScore> = self
            .state()
            .scores
            .iter()
            .filter(|((p, _), _)| *p == period)
            .map(|(_, s)| s)
            .filter(|s| {
                filter
                    .tier
                    .as_ref()
                    .is_none_or(|t| s.result.tier() == Some(t))
            })
            .filter(|s| filter.am_id.is_none_or(|a| s.am_id == Some(a)))
            .filter(|s| {
                filter
                    .status
                    .as_ref()
                    .is_none_or(|st| s.result.status().as_str() == st)
            })
            .cloned()
            .collect();
        Ok(paginate(rows, page))
    }

    fn seller_history(&self, seller: &SellerCode) -> Result<Vec<StoredScore>, StoreError> {
        let mut rows: Vec<StoredScore> = self
            .state()
            .scores
            .values()
            .filter(|s| &s.seller_code == seller)
            .cloned()
            .collect();
        rows.sort_by_key(|s| std::cmp::Reverse(s.period));
        Ok(rows)
    }

    fn get_score(&self, seller: &SellerCode, period: Period) -> Result<StoredScore, StoreError> {
        self.state()
            .scores
            .get(&(period, seller.clone()))
            .cloned()
            .ok_or(StoreError::NotFound)
    }

    fn period_summary(&self, period: Period) -> Result<PeriodSummary, StoreError> {
        let state = self.state();
        let rows: Vec<&StoredScore> = state
            .scores
            .iter()
            .filter(|((p, _), _)| *p == period)
            .map(|(_, s)| s)
            .collect();
        let mut tiers: BTreeMap<String, u64> = BTreeMap::new();
        for r in &rows {
            if let Some(t) = r.result.tier() {
                *tiers.entry(t.to_string()).or_default() += 1;
            }
        }
        let scored = rows
            .iter()
            .filter(|r| r.result.sos_score().is_some())
            .count() as u64;
        Ok(PeriodSummary {
            period,
            finalized: state.finalized.contains(&period),
            sellers: rows.len() as u64,
            scored,
            insufficient_data: rows.len() as u64 - scored,
            tiers: tiers
                .into_iter()
                .filter_map(|(tier, sellers)| {
                    Some(TierCount {
                        tier: sos_domain::TierName::parse(tier).ok()?,
                        sellers,
                    })
                })
                .collect(),
            avg_sos_score: mean(rows.iter().filter_map(|r| r.result.sos_score())),
            avg_components: PerComponent::from_fn(|c: Component| {
                mean(rows.iter().filter_map(|r| r.result.component_score(c)))
            }),
        })
    }

    fn get_am_score(&self, am: AmId, period: Period) -> Result<AmPortfolioScore, StoreError> {
        self.state()
            .am_scores
            .get(&(period, am))
            .cloned()
            .ok_or(StoreError::NotFound)
    }

    fn list_runs(
        &self,
        period: Option<Period>,
        limit: u32,
    ) -> Result<Vec<CalculationRun>, StoreError> {
        Ok(self
            .state()
            .runs
            .iter()
            .rev()
            .filter(|r| period.is_none_or(|p| r.period == p))
            .take(limit as usize)
            .cloned()
            .collect())
    }
}
