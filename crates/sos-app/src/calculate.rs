//! The monthly calculation, finalize and preview.

use crate::{errors::CalculateError, Sos};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sos_domain::{
    config::{resolve_config, ResolvedConfig},
    enforcement,
    exception::ScoreException,
    inputs::SellerInputs,
    score_am_portfolio, score_seller,
    webhook::{self, EventDraft},
    AmId, AmPortfolioScore, Decimal, Period, ScoreResult, Scorer, SellerCode, ValidationErrors,
};
use sos_ports::{
    BlockVerdict, CalculationRun, CalculationScope, CalculationTx, Clock, CompletionEvents,
    ConfigStore, ExceptionFilter, ExceptionStore, FinalizeEvents, RunStatus, ScoreStore,
    SellerStore, StoreError, StoredScore,
};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Sellers loaded, scored and written per round trip. Bounds memory whatever the seller count.
pub const CALCULATION_CHUNK: usize = 500;

/// What to calculate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalculateRequest {
    /// The period.
    pub period: Period,
    /// All sellers, or only some.
    pub scope: CalculationScope,
    /// Compute and report without writing.
    pub dry_run: bool,
    /// Who asked (API key name or `cli`).
    pub actor: String,
}

/// The outcome of a calculation, as the API and CLI report it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalculationSummary {
    /// The run record (id 0 for a dry run that could not be recorded).
    #[serde(flatten)]
    pub run: CalculationRun,
    /// True when nothing was written.
    pub dry_run: bool,
    /// Sellers per tier.
    pub tiers: BTreeMap<String, u32>,
}

#[derive(Default)]
struct Tally {
    scored: u32,
    insufficient: u32,
    surcharges: u32,
    tiers: BTreeMap<String, u32>,
    sos_by_am: Vec<(AmId, SellerCode, Option<Decimal>)>,
}

impl Tally {
    fn add(&mut self, stored: &StoredScore) {
        let r = &stored.result;
        match r.sos_score() {
            Some(_) => self.scored += 1,
            None => self.insufficient += 1,
        }
        if let Some(t) = r.tier() {
            *self.tiers.entry(t.to_string()).or_default() += 1;
        }
        self.surcharges += u32::try_from(r.surcharges.len()).unwrap_or(u32::MAX);
        if let Some(am) = stored.am_id {
            self.sos_by_am
                .push((am, stored.seller_code.clone(), r.sos_score()));
        }
    }
}

fn check_scope(scope: &CalculationScope) -> Result<(), CalculateError> {
    if let CalculationScope::Sellers(codes) = scope {
        let mut errors = ValidationErrors::new();
        if codes.is_empty() {
            errors.push(
                "seller_codes",
                "must list at least one seller, or be left out to calculate all",
            );
        }
        let mut seen = HashSet::new();
        for (i, c) in codes.iter().enumerate() {
            if !seen.insert(c) {
                errors.push(format!("seller_codes[{i}]"), format!("{c} is listed twice"));
            }
        }
        if !errors.is_empty() {
            return Err(CalculateError::Invalid(errors));
        }
    }
    Ok(())
}

impl<R: ConfigStore + ScoreStore + SellerStore + ExceptionStore + Clock> Sos<R> {
    /// The configuration effective for `period`.
    ///
    /// # Errors
    /// [`CalculateError::InvalidConfig`] when the weights or tiers cannot be used.
    pub fn resolve_config(&self, period: Period) -> Result<ResolvedConfig, CalculateError> {
        let rows = self.ports.all_config()?;
        Ok(resolve_config(&rows, period)?)
    }

    /// Scores every active seller with data in the period (or the sellers asked for) and every
    /// AM portfolio, and writes it all in one transaction under the period's lock. A dry run
    /// computes the same summary and writes nothing.
    ///
    /// `on_progress` is told how many sellers were scored so far.
    ///
    /// # Errors
    /// [`CalculateError::InvalidConfig`] (422), [`CalculateError::Finalized`] and
    /// [`CalculateError::AlreadyRunning`] (409), [`CalculateError::UnknownSellers`] (404).
    /// On any error the period's previous results are left as they were.
    pub fn calculate(
        &self,
        request: &CalculateRequest,
        on_progress: &mut dyn FnMut(usize),
    ) -> Result<CalculationSummary, CalculateError> {
        let started_at = self.ports.now();
        let period = request.period;
        check_scope(&request.scope)?;
        if self.ports.is_finalized(period)? {
            return Err(CalculateError::Finalized(period));
        }
        if let CalculationScope::Sellers(codes) = &request.scope {
            let missing: Vec<SellerCode> = codes
                .iter()
                .filter(|c| matches!(self.ports.get_seller(c), Err(StoreError::NotFound)))
                .cloned()
                .collect();
            if !missing.is_empty() {
                return Err(CalculateError::UnknownSellers(missing));
            }
        }
        let config = self.resolve_config(period)?;
        let mut tx = if request.dry_run {
            None
        } else {
            Some(self.ports.begin_calculation(period, &request.scope)?)
        };
        let outcome = self.score_all(request, &config, tx.as_deref_mut(), on_progress);
        let finished_at = self.ports.now();
        let mut run = CalculationRun {
            id: 0,
            period,
            seller_codes: match &request.scope {
                CalculationScope::All => None,
                CalculationScope::Sellers(c) => Some(c.clone()),
            },
            status: if request.dry_run {
                RunStatus::DryRun
            } else {
                RunStatus::Succeeded
            },
            started_at,
            finished_at,
            duration_ms: elapsed_ms(started_at, finished_at),
            sellers_scored: 0,
            sellers_insufficient: 0,
            am_scored: 0,
            surcharges_triggered: 0,
            config_ids: config.config_ids(),
            error: None,
            triggered_by: request.actor.clone(),
        };
        let (tally, am_scored) = match outcome {
            Ok(v) => v,
            Err(e) => {
                drop(tx);
                run.status = RunStatus::Failed;
                run.error = Some(e.to_string());
                if let Err(record_err) = self.ports.record_run(&run) {
                    tracing::error!(error = %record_err, "could not record the failed run");
                }
                return Err(e);
            }
        };
        run.sellers_scored = tally.scored;
        run.sellers_insufficient = tally.insufficient;
        run.am_scored = am_scored;
        run.surcharges_triggered = tally.surcharges;
        run.id = match tx {
            Some(tx) => tx.commit(
                &run,
                &RunCompleted {
                    run: &run,
                    tiers: &tally.tiers,
                },
            )?,
            None => self.ports.record_run(&run).unwrap_or(0),
        };
        Ok(CalculationSummary {
            run,
            dry_run: request.dry_run,
            tiers: tally.tiers,
        })
    }

    fn score_all(
        &self,
        request: &CalculateRequest,
        config: &ResolvedConfig,
        mut tx: Option<&mut (dyn CalculationTx + 'static)>,
        on_progress: &mut dyn FnMut(usize),
    ) -> Result<(Tally, u32), CalculateError> {
        let period = request.period;
        let now = self.ports.now();
        let mut tally = Tally::default();
        // The period's active exceptions, by seller: few, so one read serves every chunk.
        let mut exceptions: HashMap<SellerCode, Vec<ScoreException>> = HashMap::new();
        for record in self.ports.list_exceptions(&ExceptionFilter {
            period: Some(period),
            active_only: true,
            ..ExceptionFilter::default()
        })? {
            exceptions
                .entry(record.exception.seller_code.clone())
                .or_default()
                .push(record.exception);
        }
        let exceptions = &exceptions;
        let mut done = 0usize;
        // A pipeline of two: one thread loads and scores the next chunk while this one writes
        // the current chunk, so the store's read and write round trips and the scoring overlap.
        // The channel holds one chunk, which bounds memory to about three chunks.
        std::thread::scope(|scope| -> Result<(), CalculateError> {
            let (chunks, scored_chunks) =
                std::sync::mpsc::sync_channel::<Result<Vec<StoredScore>, CalculateError>>(1);
            scope.spawn(move || {
                let scorer = Scorer::new(config);
                let mut after: Option<SellerCode> = None;
                loop {
                    let chunk = match self.ports.load_seller_inputs(
                        period,
                        &request.scope,
                        after.clone(),
                        CALCULATION_CHUNK,
                    ) {
                        Ok(chunk) => chunk,
                        Err(e) => {
                            // The receiver may have stopped already; then nobody needs it.
                            let _ = chunks.send(Err(e.into()));
                            return;
                        }
                    };
                    let Some(last) = chunk.last() else { return };
                    after = Some(last.seller.seller_code.clone());
                    let full = chunk.len() == CALCULATION_CHUNK;
                    let scored: Vec<StoredScore> = chunk
                        .into_iter()
                        .filter(|s| s.inputs.has_any_data())
                        .map(|mut s| {
                            if let Some(own) = exceptions.get(&s.seller.seller_code) {
                                s.inputs.exceptions.clone_from(own);
                            }
                            s
                        })
                        .map(|s| StoredScore {
                            result: scorer.score(Some(&s.seller.seller_code), &s.inputs),
                            seller_code: s.seller.seller_code,
                            period,
                            am_id: s.seller.am_id,
                            calculated_at: now,
                        })
                        .collect();
                    // A failed send means the writer stopped on an error: stop too.
                    if chunks.send(Ok(scored)).is_err() || !full {
                        return;
                    }
                }
            });
            for scored in scored_chunks {
                let scored = scored?;
                scored.iter().for_each(|s| tally.add(s));
                if let Some(tx) = tx.as_deref_mut() {
                    tx.write_scores(&scored)?;
                    tx.write_events(&surcharge_events_of(&scored, now))?;
                    tx.write_blocking(&verdicts_of(&scored, config))?;
                }
                done += scored.len();
                on_progress(done);
            }
            Ok(())
        })?;
        let sos_by_am = match (tx.as_deref_mut(), &request.scope) {
            // Only some sellers were rescored: the others' stored results count too.
            (Some(tx), CalculationScope::Sellers(_)) => tx.period_sos_by_am()?,
            // Every seller was scored (and the period's old results dropped): the tally is
            // the whole period, so reading it back would only cost time.
            _ => std::mem::take(&mut tally.sos_by_am),
        };
        let am_scores = self.score_portfolios(period, &sos_by_am, config)?;
        if let Some(tx) = tx {
            tx.write_am_scores(&am_scores)?;
        }
        Ok((tally, u32::try_from(am_scores.len()).unwrap_or(u32::MAX)))
    }

    pub(crate) fn score_portfolios(
        &self,
        period: Period,
        sos_by_am: &[(AmId, SellerCode, Option<Decimal>)],
        config: &ResolvedConfig,
    ) -> Result<Vec<AmPortfolioScore>, CalculateError> {
        let mut by_am: BTreeMap<AmId, Vec<(SellerCode, Option<Decimal>)>> = BTreeMap::new();
        for (am, seller, sos) in sos_by_am {
            by_am.entry(*am).or_default().push((seller.clone(), *sos));
        }
        let inputs = self.ports.load_am_inputs(period)?;
        Ok(inputs
            .iter()
            .filter_map(|am_in| {
                let sellers = by_am.get(&am_in.am.id)?;
                Some(score_am_portfolio(
                    am_in.am.id,
                    period,
                    sellers,
                    am_in.previous_avg_sos,
                    am_in.revenue.as_ref(),
                    config,
                ))
            })
            .collect())
    }

    /// Freezes a period's results and, in the same transaction, puts each seller's
    /// finalize events in the outbox. Finalizing twice is harmless and emits nothing more.
    ///
    /// # Errors
    /// Infrastructure errors only.
    pub fn finalize(&self, period: Period, actor: &str) -> Result<(), CalculateError> {
        let at = self.ports.now();
        self.ports
            .finalize_period(period, actor, &SellerFinalized { at })?;
        Ok(())
    }

    /// Scores `inputs` with the configuration effective for their period; stores nothing.
    ///
    /// # Errors
    /// [`CalculateError::InvalidConfig`] when the configuration cannot be used.
    pub fn preview(&self, inputs: &SellerInputs) -> Result<ScoreResult, CalculateError> {
        let config = self.resolve_config(inputs.period)?;
        Ok(score_seller(None, inputs, &config))
    }
}

/// The `seller.surcharge_created` events of a chunk, written with it in the calculation's
/// transaction.
fn surcharge_events_of(scored: &[StoredScore], at: DateTime<Utc>) -> Vec<EventDraft> {
    scored
        .iter()
        .flat_map(|s| webhook::surcharge_events(&s.seller_code, &s.result, at))
        .collect()
}

/// What order blocking needs of a chunk: every seller scored, with the `block_orders` rules
/// its result triggered.
fn verdicts_of(scored: &[StoredScore], config: &ResolvedConfig) -> Vec<BlockVerdict> {
    scored
        .iter()
        .map(|s| BlockVerdict {
            seller: s.seller_code.clone(),
            hits: enforcement::calculation_hits(&config.surcharges, &s.result.surcharges),
        })
        .collect()
}

/// Builds `calculation.completed` once the store has given the run its id.
struct RunCompleted<'a> {
    run: &'a CalculationRun,
    tiers: &'a BTreeMap<String, u32>,
}

impl CompletionEvents for RunCompleted<'_> {
    fn events(&self, run_id: i64) -> Vec<EventDraft> {
        let r = self.run;
        let figures = webhook::RunFigures {
            run_id,
            period: r.period,
            seller_codes: r.seller_codes.clone(),
            started_at: r.started_at,
            finished_at: r.finished_at,
            sellers_scored: r.sellers_scored,
            sellers_insufficient: r.sellers_insufficient,
            am_scored: r.am_scored,
            surcharges_triggered: r.surcharges_triggered,
            tiers: self.tiers.clone(),
            config_ids: r.config_ids.clone(),
            triggered_by: r.triggered_by.clone(),
        };
        vec![webhook::calculation_completed(&figures, r.finished_at)]
    }
}

/// Builds each seller's finalize events inside the store's finalize transaction.
struct SellerFinalized {
    at: DateTime<Utc>,
}

impl FinalizeEvents for SellerFinalized {
    fn events(&self, score: &StoredScore, previous: Option<&StoredScore>) -> Vec<EventDraft> {
        webhook::finalize_events(
            &score.seller_code,
            &score.result,
            previous.map(|p| &p.result),
            self.at,
        )
    }
}

fn elapsed_ms(from: DateTime<Utc>, to: DateTime<Utc>) -> u64 {
    u64::try_from((to - from).num_milliseconds()).unwrap_or(0)
}
