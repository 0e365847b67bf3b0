//! The monthly calculation through `Sos`, and the calculation write of the store: atomic,
//! locked per period, refused once the period is finalized.

use crate::{fixtures::*, Ports};
use chrono::Utc;
use rust_decimal_macros::dec;
use sos_app::{CalculateError, CalculateRequest, CalculationSummary, Sos};
use sos_domain::{
    decimal::round2,
    inputs::{
        CampaignInput, CampaignType, ForecastVersion, OrderStats, PaymentStats, SellerInputs,
        TicketStats,
    },
    master::SellerStatus,
    score_am_portfolio, score_seller, AmPortfolioScore, Component, Decimal, Period, ScoreResult,
    SellerCode, TierName,
};
use sos_ports::{
    CalculationRun, CalculationScope, CalculationStoreError, PageRequest, RunStatus, ScoreFilter,
    StoreError, StoredScore, SyncBatch,
};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The sellers of [`seed_world`] that have data and are active: they get results.
const SCORED: [&str; 3] = ["SEL001", "SEL002", "SEL004"];

/// AM 1 and 2, `CAMP-2026-02`, the default config, AM 1's February revenue, and sellers:
/// - `SEL001` (AM 1): every seed input for February;
/// - `SEL002` (AM 1): orders only;
/// - `SEL003` (AM 2): no data, so no result;
/// - `SEL004` (no AM): tickets only;
/// - `SEL005` (AM 2): orders, but suspended, so never loaded.
pub(crate) fn seed_world<P: Ports>(store: &P) {
    seed_master(store, 3);
    store.create_am(&am(2), ACTOR).unwrap();
    store.create_seller(&seller("SEL004", None), ACTOR).unwrap();
    store
        .create_seller(
            &sos_domain::master::Seller {
                status: SellerStatus::Suspended,
                ..seller("SEL005", Some(2))
            },
            ACTOR,
        )
        .unwrap();
    let mut sel003 = seller("SEL003", Some(2));
    sel003.company_name = "Company SEL003".to_owned();
    store.update_seller(&sel003, ACTOR).unwrap();
    seed_config(store);
    seed_full_inputs(store, &code("SEL001"));
    apply(
        store,
        &SyncBatch::Orders(vec![
            orders_record(
                &code("SEL002"),
                feb(),
                OrderStats::new(40, Some(39), Some(1), None).unwrap(),
            ),
            orders_record(&code("SEL005"), feb(), seed_orders()),
        ]),
    );
    apply(
        store,
        &SyncBatch::Tickets(vec![tickets_record(
            &code("SEL004"),
            feb(),
            TicketStats::new(Some(8), Some(dec!(5)), None).unwrap(),
        )]),
    );
    apply(store, &SyncBatch::Revenue(vec![seed_revenue()]));
}

pub(crate) fn request(period: Period, scope: CalculationScope, dry_run: bool) -> CalculateRequest {
    CalculateRequest {
        period,
        scope,
        dry_run,
        actor: ACTOR.to_owned(),
    }
}

pub(crate) fn calculate<P: Ports>(
    store: &P,
    period: Period,
    scope: CalculationScope,
    dry_run: bool,
) -> CalculationSummary {
    Sos::new(store.clone())
        .calculate(&request(period, scope, dry_run), &mut |_| {})
        .unwrap()
}

/// What the domain computes for each seller from the inputs the store hands out.
fn expected_results<P: Ports>(
    store: &P,
    period: Period,
    sellers: &[&str],
) -> BTreeMap<SellerCode, ScoreResult> {
    let config = Sos::new(store.clone()).resolve_config(period).unwrap();
    sellers
        .iter()
        .map(|s| {
            let c = code(s);
            let result = score_seller(Some(&c), &known_inputs(store, &c, period), &config);
            (c, result)
        })
        .collect()
}

fn all_scores<P: Ports>(store: &P, period: Period) -> Vec<StoredScore> {
    let page = store
        .list_scores(
            period,
            &ScoreFilter::default(),
            PageRequest {
                page: 1,
                limit: 100,
            },
        )
        .unwrap();
    assert_eq!(page.total as usize, page.items.len());
    page.items
}

fn result_of<P: Ports>(store: &P, seller: &str, period: Period) -> ScoreResult {
    store.get_score(&code(seller), period).unwrap().result
}

fn listed_codes(scores: &[StoredScore]) -> Vec<SellerCode> {
    scores.iter().map(|s| s.seller_code.clone()).collect()
}

fn mean(values: impl Iterator<Item = Decimal>) -> Option<Decimal> {
    let v: Vec<Decimal> = values.collect();
    (!v.is_empty()).then(|| round2(v.iter().copied().sum::<Decimal>() / Decimal::from(v.len())))
}

fn expected_am_score<P: Ports>(
    store: &P,
    period: Period,
    sellers: &[(&str, Option<Decimal>)],
    previous_avg_sos: Option<Decimal>,
) -> AmPortfolioScore {
    let config = Sos::new(store.clone()).resolve_config(period).unwrap();
    let sellers: Vec<(SellerCode, Option<Decimal>)> =
        sellers.iter().map(|(s, sos)| (code(s), *sos)).collect();
    let revenue = (period == feb()).then(seed_revenue);
    score_am_portfolio(
        am_id(1),
        period,
        &sellers,
        previous_avg_sos,
        revenue.as_ref(),
        &config,
    )
}

fn empty_run(period: Period) -> CalculationRun {
    let now = Utc::now();
    CalculationRun {
        id: 0,
        period,
        seller_codes: None,
        status: RunStatus::Succeeded,
        started_at: now,
        finished_at: now,
        duration_ms: 0,
        sellers_scored: 0,
        sellers_insufficient: 0,
        am_scored: 0,
        surcharges_triggered: 0,
        config_ids: Vec::new(),
        error: None,
        triggered_by: ACTOR.to_owned(),
    }
}

/// A full calculation: the stored results are what the domain computes from the stored inputs,
/// the run is recorded with the config ids used, and every read agrees.
pub fn calculation_scores_and_records_the_run<P: Ports>(store: P) {
    seed_world(&store);
    let sos = Sos::new(store.clone());
    let config = sos.resolve_config(feb()).unwrap();

    // The store hands out exactly what was synced.
    let want = SellerInputs {
        period: feb(),
        onboarded_at: Some(date("2025-06-01")),
        previous_tier: None,
        orders: Some(seed_orders()),
        tickets: Some(seed_tickets()),
        payments: Some(PaymentStats::from_invoices(&seed_invoices(), Some("VND".into())).unwrap()),
        inventory: Some(seed_inventory("2026-02-28")),
        campaigns: vec![CampaignInput {
            campaign_code: Some(campaign_code(CAMPAIGN)),
            campaign_type: CampaignType::MajorCampaign,
            start_date: date("2026-02-14"),
            forecasts: vec![ForecastVersion {
                submission_version: 1,
                submitted_at: at("2026-01-28T10:00:00Z"),
                forecasted_order_volume: 5000,
            }],
            actual_order_volume: Some(4800),
        }],
        exceptions: Vec::new(),
    };
    assert_eq!(known_inputs(&store, &code("SEL001"), feb()), want);
    assert!(
        inputs_of(&store, &code("SEL005"), feb()).is_none(),
        "suspended sellers are not loaded"
    );
    assert!(!known_inputs(&store, &code("SEL003"), feb()).has_any_data());

    // Paging through the active sellers of the scope, with or without data, in code order.
    let page = |after: Option<&str>, limit| {
        store
            .load_seller_inputs(feb(), &CalculationScope::All, after.map(code), limit)
            .unwrap()
            .into_iter()
            .map(|s| s.seller.seller_code)
            .collect::<Vec<_>>()
    };
    assert_eq!(page(None, 2), codes(&["SEL001", "SEL002"]));
    assert_eq!(page(Some("SEL002"), 2), codes(&["SEL003", "SEL004"]));
    assert_eq!(page(Some("SEL004"), 2), Vec::<SellerCode>::new());
    let some = CalculationScope::Sellers(codes(&["SEL004", "SEL001", "SEL005"]));
    let loaded = store.load_seller_inputs(feb(), &some, None, 10).unwrap();
    assert_eq!(
        loaded
            .iter()
            .map(|s| s.seller.seller_code.clone())
            .collect::<Vec<_>>(),
        codes(&["SEL001", "SEL004"])
    );

    let expected = expected_results(&store, feb(), &SCORED);
    let sel001 = &expected[&code("SEL001")];
    // The seed example: P 100, O 85, T 88.80, F 76.67, I 80 -> 87.09, Gold.
    assert_eq!(sel001.sos_score(), Some(dec!(87.09)));
    assert_eq!(sel001.tier().map(TierName::as_str), Some("Gold"));

    let mut progress = Vec::new();
    let summary = sos
        .calculate(&request(feb(), CalculationScope::All, false), &mut |n| {
            progress.push(n)
        })
        .unwrap();
    assert_eq!(progress.last(), Some(&3));
    assert!(!summary.dry_run);
    assert!(summary.run.id > 0);
    assert_eq!(summary.run.status, RunStatus::Succeeded);
    assert_eq!(
        (
            summary.run.sellers_scored,
            summary.run.sellers_insufficient,
            summary.run.am_scored
        ),
        (3, 0, 1)
    );
    let surcharges: usize = expected.values().map(|r| r.surcharges.len()).sum();
    assert_eq!(summary.run.surcharges_triggered as usize, surcharges);
    assert_eq!(summary.run.config_ids, config.config_ids());
    let mut tiers: BTreeMap<String, u32> = BTreeMap::new();
    for r in expected.values() {
        *tiers.entry(r.tier().unwrap().to_string()).or_default() += 1;
    }
    assert_eq!(summary.tiers, tiers);

    // Each result.
    for (c, want) in &expected {
        let stored = store.get_score(c, feb()).unwrap();
        assert_eq!(&stored.result, want, "result of {c}");
        assert_eq!((&stored.seller_code, stored.period), (c, feb()));
        let seller_am = store.get_seller(c).unwrap().seller.am_id;
        assert_eq!(stored.am_id, seller_am, "the AM of {c} is recorded");
    }
    for missing in ["SEL003", "SEL005"] {
        assert!(
            matches!(
                store.get_score(&code(missing), feb()),
                Err(StoreError::NotFound)
            ),
            "{missing}"
        );
    }
    assert!(matches!(
        store.get_score(&code("SEL001"), mar()),
        Err(StoreError::NotFound)
    ));

    // The run.
    let runs = store.list_runs(Some(feb()), 10).unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run.id, summary.run.id);
    assert_eq!(run.status, RunStatus::Succeeded);
    assert_eq!(run.config_ids, config.config_ids());
    assert!(!run.config_ids.is_empty());
    assert_eq!(
        (run.sellers_scored, run.sellers_insufficient, run.am_scored),
        (3, 0, 1)
    );
    assert_eq!(
        (run.seller_codes.as_ref(), run.error.as_ref()),
        (None, None)
    );
    assert_eq!(run.triggered_by, ACTOR);
    assert_eq!(run.duration_ms, summary.run.duration_ms);
    assert!(store.list_runs(Some(mar()), 10).unwrap().is_empty());
    assert_eq!(store.list_runs(None, 10).unwrap().len(), 1);

    // Listings.
    let listed = all_scores(&store, feb());
    assert_eq!(listed_codes(&listed), codes(&SCORED));
    for s in &listed {
        assert_eq!(&s.result, &expected[&s.seller_code]);
    }
    let page = store
        .list_scores(
            feb(),
            &ScoreFilter::default(),
            PageRequest { page: 2, limit: 2 },
        )
        .unwrap();
    assert_eq!((page.total, page.page, page.limit), (3, 2, 2));
    assert_eq!(listed_codes(&page.items), codes(&["SEL004"]));
    let by = |filter: ScoreFilter| {
        let page = store
            .list_scores(feb(), &filter, PageRequest { page: 1, limit: 10 })
            .unwrap();
        assert_eq!(page.total as usize, page.items.len());
        listed_codes(&page.items)
    };
    assert_eq!(
        by(ScoreFilter {
            am_id: Some(am_id(1)),
            ..ScoreFilter::default()
        }),
        codes(&["SEL001", "SEL002"])
    );
    let gold: Vec<SellerCode> = expected
        .iter()
        .filter(|(_, r)| r.tier().map(TierName::as_str) == Some("Gold"))
        .map(|(c, _)| c.clone())
        .collect();
    assert_eq!(
        by(ScoreFilter {
            tier: Some(TierName::parse("Gold").unwrap()),
            ..ScoreFilter::default()
        }),
        gold
    );
    assert_eq!(
        by(ScoreFilter {
            status: Some("scored".into()),
            ..ScoreFilter::default()
        })
        .len(),
        3
    );
    assert!(by(ScoreFilter {
        status: Some("insufficient_data".into()),
        ..ScoreFilter::default()
    })
    .is_empty());

    // Summary.
    let summary = store.period_summary(feb()).unwrap();
    assert_eq!(summary.period, feb());
    assert!(!summary.finalized);
    assert_eq!(
        (summary.sellers, summary.scored, summary.insufficient_data),
        (3, 3, 0)
    );
    let tier_counts: Vec<(String, u64)> = summary
        .tiers
        .iter()
        .map(|t| (t.tier.to_string(), t.sellers))
        .collect();
    let want_tiers: Vec<(String, u64)> =
        tiers.into_iter().map(|(t, n)| (t, u64::from(n))).collect();
    assert_eq!(tier_counts, want_tiers);
    assert_eq!(
        summary.avg_sos_score,
        mean(expected.values().filter_map(ScoreResult::sos_score))
    );
    for c in Component::ALL {
        assert_eq!(
            *summary.avg_components.get(c),
            mean(expected.values().filter_map(|r| r.component_score(c))),
            "average {c:?}"
        );
    }
    let empty = store.period_summary(mar()).unwrap();
    assert_eq!((empty.sellers, empty.avg_sos_score), (0, None));

    // History and the AM portfolio.
    let history = store.seller_history(&code("SEL001")).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(&history[0].result, sel001);
    let sos_of = |s: &str| expected[&code(s)].sos_score();
    let am1 = store.get_am_score(am_id(1), feb()).unwrap();
    assert_eq!(
        am1,
        expected_am_score(
            &store,
            feb(),
            &[("SEL001", sos_of("SEL001")), ("SEL002", sos_of("SEL002"))],
            None
        )
    );
    assert_eq!(am1.seller_count, 2);
    assert_eq!(am1.revenue_achievement_pct, Some(dec!(90)));
    assert!(matches!(
        store.get_am_score(am_id(2), feb()),
        Err(StoreError::NotFound)
    ));
    let (am_score, am_sellers) = sos.am_score(am_id(1), feb()).unwrap();
    assert_eq!(am_score, am1);
    assert_eq!(listed_codes(&am_sellers), codes(&["SEL001", "SEL002"]));

    // March: the previous tier and the previous AM average come from February's results.
    apply(
        &store,
        &SyncBatch::Orders(vec![orders_record(&code("SEL001"), mar(), seed_orders())]),
    );
    let march_inputs = known_inputs(&store, &code("SEL001"), mar());
    assert_eq!(march_inputs.previous_tier.as_ref(), sel001.tier());
    assert_eq!(
        known_inputs(&store, &code("SEL002"), mar())
            .previous_tier
            .as_ref(),
        expected[&code("SEL002")].tier()
    );
    let am_inputs = store.load_am_inputs(mar()).unwrap();
    let am1_inputs = am_inputs.iter().find(|a| a.am.id == am_id(1)).unwrap();
    assert_eq!(am1_inputs.previous_avg_sos, am1.avg_sos);
    assert_eq!(am1_inputs.revenue, None);
    let march = calculate(&store, mar(), CalculationScope::All, false);
    assert_eq!((march.run.sellers_scored, march.run.am_scored), (1, 1));
    let march_expected = expected_results(&store, mar(), &["SEL001"]);
    let history = store.seller_history(&code("SEL001")).unwrap();
    assert_eq!(
        history.iter().map(|s| s.period).collect::<Vec<_>>(),
        [mar(), feb()],
        "newest first"
    );
    assert_eq!(&history[0].result, &march_expected[&code("SEL001")]);
    assert_eq!(&history[1].result, sel001);
    let march_sos = march_expected[&code("SEL001")].sos_score();
    assert_eq!(
        store.get_am_score(am_id(1), mar()).unwrap(),
        expected_am_score(&store, mar(), &[("SEL001", march_sos)], am1.avg_sos)
    );
    assert_eq!(
        store
            .list_runs(None, 10)
            .unwrap()
            .iter()
            .map(|r| r.period)
            .collect::<Vec<_>>(),
        [mar(), feb()]
    );
    assert_eq!(store.list_runs(None, 1).unwrap().len(), 1);
}

/// A dry run computes the same summary as the real run and writes nothing but its run record.
pub fn dry_run_writes_nothing_but_counts_the_same<P: Ports>(store: P) {
    seed_world(&store);
    let dry = calculate(&store, feb(), CalculationScope::All, true);
    assert!(dry.dry_run);
    assert_eq!(dry.run.status, RunStatus::DryRun);
    assert_eq!(
        (
            dry.run.sellers_scored,
            dry.run.sellers_insufficient,
            dry.run.am_scored
        ),
        (3, 0, 1)
    );
    for s in SCORED {
        assert!(
            matches!(store.get_score(&code(s), feb()), Err(StoreError::NotFound)),
            "{s}"
        );
    }
    assert!(all_scores(&store, feb()).is_empty());
    assert_eq!(store.period_summary(feb()).unwrap().sellers, 0);
    assert!(matches!(
        store.get_am_score(am_id(1), feb()),
        Err(StoreError::NotFound)
    ));
    let runs = store.list_runs(Some(feb()), 10).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(
        (runs[0].id, runs[0].status),
        (dry.run.id, RunStatus::DryRun)
    );

    let real = calculate(&store, feb(), CalculationScope::All, false);
    assert!(!real.dry_run);
    assert_eq!(
        (
            real.run.sellers_scored,
            real.run.sellers_insufficient,
            real.run.am_scored,
            real.run.surcharges_triggered
        ),
        (
            dry.run.sellers_scored,
            dry.run.sellers_insufficient,
            dry.run.am_scored,
            dry.run.surcharges_triggered
        )
    );
    assert_eq!(real.tiers, dry.tiers);
    assert_eq!(real.run.config_ids, dry.run.config_ids);
    assert_eq!(listed_codes(&all_scores(&store, feb())), codes(&SCORED));
    let runs = store.list_runs(Some(feb()), 10).unwrap();
    assert_eq!(
        runs.iter().map(|r| r.status).collect::<Vec<_>>(),
        [RunStatus::Succeeded, RunStatus::DryRun]
    );

    // A dry run after results exist leaves them as they are.
    let before = all_scores(&store, feb());
    apply(
        &store,
        &SyncBatch::Orders(vec![orders_record(
            &code("SEL002"),
            feb(),
            OrderStats::new(40, Some(0), None, None).unwrap(),
        )]),
    );
    calculate(&store, feb(), CalculationScope::All, true);
    assert_eq!(all_scores(&store, feb()), before);
}

/// A calculation write dropped without commit (a failure half-way) leaves the previous
/// results, AM scores and runs as they were; the next calculation succeeds.
pub fn calculation_is_atomic_when_abandoned<P: Ports>(store: P) {
    seed_world(&store);
    calculate(&store, feb(), CalculationScope::All, false);
    let old = all_scores(&store, feb());
    let old_am = store.get_am_score(am_id(1), feb()).unwrap();
    let sos1 = result_of(&store, "SEL001", feb()).sos_score();

    let mut forged = old[0].clone();
    assert_eq!(forged.seller_code, code("SEL001"));
    forged.result.sos_score = Some(dec!(1));
    forged.result.tier = Some(TierName::parse("Warning").unwrap());
    let mut forged_am = old_am.clone();
    forged_am.avg_sos = Some(dec!(1));
    forged_am.seller_count = 99;

    let mut tx = store
        .begin_calculation(feb(), &CalculationScope::All)
        .unwrap();
    tx.write_scores(std::slice::from_ref(&forged)).unwrap();
    assert_eq!(
        tx.period_sos_by_am().unwrap(),
        [(am_id(1), code("SEL001"), Some(dec!(1)))],
        "the transaction sees its own writes, and an All calculation replaces the rest"
    );
    tx.write_am_scores(&[forged_am]).unwrap();
    drop(tx);
    assert_eq!(all_scores(&store, feb()), old);
    assert_eq!(store.get_am_score(am_id(1), feb()).unwrap(), old_am);
    assert_eq!(store.list_runs(Some(feb()), 10).unwrap().len(), 1);

    // A subset write sees the results it does not replace; abandoned, it changes nothing.
    let mut tx = store
        .begin_calculation(feb(), &CalculationScope::Sellers(vec![code("SEL002")]))
        .unwrap();
    assert_eq!(
        tx.period_sos_by_am().unwrap(),
        [(am_id(1), code("SEL001"), sos1)]
    );
    drop(tx);
    assert_eq!(all_scores(&store, feb()), old);

    let again = calculate(&store, feb(), CalculationScope::All, false);
    assert_eq!(again.run.sellers_scored, 3);
    let now = all_scores(&store, feb());
    assert_eq!(listed_codes(&now), listed_codes(&old));
    for (a, b) in now.iter().zip(&old) {
        assert_eq!(a.result, b.result);
    }
    assert_eq!(store.get_am_score(am_id(1), feb()).unwrap(), old_am);
    assert_eq!(store.list_runs(Some(feb()), 10).unwrap().len(), 2);
}

/// A finalized period refuses calculation (through `Sos` and at the store) and keeps its
/// results; finalizing twice is harmless; other periods are unaffected.
pub fn finalized_period_refuses_calculation<P: Ports>(store: P) {
    seed_world(&store);
    let sos = Sos::new(store.clone());
    calculate(&store, feb(), CalculationScope::All, false);
    let before = all_scores(&store, feb());
    assert!(!store.is_finalized(feb()).unwrap());

    sos.finalize(feb(), ACTOR).unwrap();
    assert!(store.is_finalized(feb()).unwrap());
    assert!(store.period_summary(feb()).unwrap().finalized);
    match sos.calculate(&request(feb(), CalculationScope::All, false), &mut |_| {}) {
        Err(CalculateError::Finalized(p)) => assert_eq!(p, feb()),
        other => panic!("expected Finalized, got {other:?}"),
    }
    match sos.calculate(
        &request(
            feb(),
            CalculationScope::Sellers(vec![code("SEL001")]),
            false,
        ),
        &mut |_| {},
    ) {
        Err(CalculateError::Finalized(p)) => assert_eq!(p, feb()),
        other => panic!("expected Finalized, got {other:?}"),
    }
    match store.begin_calculation(feb(), &CalculationScope::All) {
        Err(CalculationStoreError::Finalized(p)) => assert_eq!(p, feb()),
        Err(other) => panic!("expected Finalized, got {other:?}"),
        Ok(_) => panic!("a finalized period opened a calculation"),
    }
    store.finalize_period(feb(), ACTOR, &NoEvents).unwrap();
    assert!(store.is_finalized(feb()).unwrap());
    assert_eq!(all_scores(&store, feb()), before);
    assert_eq!(store.list_runs(Some(feb()), 10).unwrap().len(), 1);

    assert!(!store.is_finalized(mar()).unwrap());
    assert!(!store.period_summary(mar()).unwrap().finalized);
    let march = calculate(&store, mar(), CalculationScope::All, false);
    assert_eq!(march.run.status, RunStatus::Succeeded);
}

/// What a store does when its period is finalized while a calculation of the period is open.
/// Either keeps the contract (never half a calculation frozen); each adapter states which one it
/// does, and the check holds it to that.
pub enum FinalizeDuringCalculation {
    /// `finalize_period` waits for the calculation to end, then freezes its results. The probe
    /// says, as the store's engine shows it, that a `finalize_period` call is blocked waiting
    /// now (`Some(how)`), or `None`.
    WaitsForTheCommit(Box<dyn FnMut() -> Option<String>>),
    /// `finalize_period` returns at once; the open calculation's commit is then refused.
    RefusesTheCommit,
}

impl std::fmt::Debug for FinalizeDuringCalculation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::WaitsForTheCommit(_) => "WaitsForTheCommit",
            Self::RefusesTheCommit => "RefusesTheCommit",
        })
    }
}

/// Polls `probe` until it yields a value; fails naming `what` after `within`.
fn wait_for<T>(within: Duration, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = probe() {
            return v;
        }
        assert!(Instant::now() < deadline, "not within {within:?}: {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Finalizing while a calculation of the period is open never freezes half a calculation,
/// and each store does what it says it does ([`FinalizeDuringCalculation`]): the finalizer is
/// seen blocked until the calculation commits and then freezes its results, or the finalizer
/// returns at once and the commit is refused, leaving the previous results.
pub fn finalize_during_calculation_freezes_whole_results<P: Ports>(
    store: P,
    expected: FinalizeDuringCalculation,
) {
    seed_world(&store);
    calculate(&store, feb(), CalculationScope::All, false);
    let old = all_scores(&store, feb());
    let mut forged = old[0].clone();
    forged.result.sos_score = Some(dec!(1));
    forged.result.tier = Some(TierName::parse("Warning").unwrap());

    let mut tx = store
        .begin_calculation(feb(), &CalculationScope::All)
        .unwrap();
    tx.write_scores(std::slice::from_ref(&forged)).unwrap();
    let finalizer = {
        let store = store.clone();
        std::thread::spawn(move || store.finalize_period(feb(), ACTOR, &NoEvents))
    };
    match expected {
        FinalizeDuringCalculation::WaitsForTheCommit(mut waiting) => {
            let how = wait_for(
                Duration::from_secs(30),
                "finalize_period seen waiting for the open calculation",
                &mut waiting,
            );
            assert!(
                !finalizer.is_finished() && !store.is_finalized(feb()).unwrap(),
                "finalize_period went through while the calculation was open ({how})"
            );
            let committed = tx.commit(&empty_run(feb()), &NoEvents);
            assert!(
                committed.is_ok(),
                "the period was not finalized yet, so the calculation commits: {committed:?}"
            );
            finalizer.join().unwrap().unwrap();
            assert!(
                waiting().is_none(),
                "finalize_period returned, yet a finalizer still waits"
            );
            assert!(store.is_finalized(feb()).unwrap());
            assert_eq!(
                all_scores(&store, feb()),
                vec![forged],
                "the committed calculation is what was frozen"
            );
        }
        FinalizeDuringCalculation::RefusesTheCommit => {
            finalizer.join().unwrap().unwrap();
            assert!(store.is_finalized(feb()).unwrap());
            match tx.commit(&empty_run(feb()), &NoEvents) {
                Err(CalculationStoreError::Finalized(p)) => assert_eq!(p, feb()),
                other => panic!("expected the commit refused as Finalized, got {other:?}"),
            }
            assert_eq!(
                all_scores(&store, feb()),
                old,
                "a refused commit leaves the previous results"
            );
        }
    }
    match store.begin_calculation(feb(), &CalculationScope::All) {
        Err(CalculationStoreError::Finalized(_)) => {}
        Err(other) => panic!("expected Finalized, got {other:?}"),
        Ok(_) => panic!("a finalized period opened a calculation"),
    }
}

/// The period's calculation lock: a second writer of the same period is refused at once, one
/// of another period is not, and the lock is released by drop and by commit.
pub fn calculation_lock_refuses_a_second_writer<P: Ports>(store: P) {
    seed_world(&store);
    let sos = Sos::new(store.clone());
    let expect_running = |scope: CalculationScope| match store.begin_calculation(feb(), &scope) {
        Err(CalculationStoreError::AlreadyRunning(p)) => assert_eq!(p, feb()),
        Err(other) => panic!("expected AlreadyRunning, got {other:?}"),
        Ok(_) => panic!("two calculations of one period were opened"),
    };

    let held = store
        .begin_calculation(feb(), &CalculationScope::All)
        .unwrap();
    expect_running(CalculationScope::All);
    expect_running(CalculationScope::Sellers(vec![code("SEL001")]));
    match sos.calculate(&request(feb(), CalculationScope::All, false), &mut |_| {}) {
        Err(CalculateError::AlreadyRunning(p)) => assert_eq!(p, feb()),
        other => panic!("expected AlreadyRunning, got {other:?}"),
    }
    let other_period = store
        .begin_calculation(mar(), &CalculationScope::All)
        .unwrap();
    drop(other_period);
    drop(held);

    // Released by drop: a new write opens, and commit records its run and releases again.
    let tx = store
        .begin_calculation(feb(), &CalculationScope::All)
        .unwrap();
    let run_id = tx.commit(&empty_run(feb()), &NoEvents).unwrap();
    assert!(run_id > 0);
    let runs = store.list_runs(Some(feb()), 10).unwrap();
    assert_eq!(runs.iter().map(|r| r.id).collect::<Vec<_>>(), [run_id]);
    assert_eq!(runs[0].status, RunStatus::Succeeded);
    let summary = calculate(&store, feb(), CalculationScope::All, false);
    assert_eq!(summary.run.sellers_scored, 3);
    assert!(summary.run.id > run_id);
    drop(
        store
            .begin_calculation(feb(), &CalculationScope::All)
            .unwrap(),
    );
}

/// A calculation of some sellers replaces only their results; the AM portfolios are rescored
/// from every result of the period.
pub fn subset_calculation_replaces_only_those_sellers<P: Ports>(store: P) {
    seed_world(&store);
    calculate(&store, feb(), CalculationScope::All, false);
    let old: BTreeMap<SellerCode, ScoreResult> = all_scores(&store, feb())
        .into_iter()
        .map(|s| (s.seller_code, s.result))
        .collect();

    // Both AM 1 sellers get worse orders; only SEL002 is recalculated.
    apply(
        &store,
        &SyncBatch::Orders(vec![
            orders_record(
                &code("SEL001"),
                feb(),
                OrderStats::new(150, Some(100), Some(50), None).unwrap(),
            ),
            orders_record(
                &code("SEL002"),
                feb(),
                OrderStats::new(40, Some(20), Some(20), None).unwrap(),
            ),
        ]),
    );
    let fresh = expected_results(&store, feb(), &["SEL001", "SEL002"]);
    assert_ne!(
        fresh[&code("SEL002")].sos_score(),
        old[&code("SEL002")].sos_score()
    );
    let summary = calculate(
        &store,
        feb(),
        CalculationScope::Sellers(vec![code("SEL002")]),
        false,
    );
    assert_eq!(summary.run.seller_codes, Some(codes(&["SEL002"])));
    assert_eq!((summary.run.sellers_scored, summary.run.am_scored), (1, 1));

    assert_eq!(
        result_of(&store, "SEL001", feb()),
        old[&code("SEL001")],
        "SEL001 was not recalculated"
    );
    assert_eq!(result_of(&store, "SEL002", feb()), fresh[&code("SEL002")]);
    assert_eq!(result_of(&store, "SEL004", feb()), old[&code("SEL004")]);
    assert_eq!(listed_codes(&all_scores(&store, feb())), codes(&SCORED));
    assert_eq!(
        store.get_am_score(am_id(1), feb()).unwrap(),
        expected_am_score(
            &store,
            feb(),
            &[
                ("SEL001", old[&code("SEL001")].sos_score()),
                ("SEL002", fresh[&code("SEL002")].sos_score())
            ],
            None
        )
    );
    let runs = store.list_runs(Some(feb()), 1).unwrap();
    assert_eq!(runs[0].seller_codes, Some(codes(&["SEL002"])));

    match Sos::new(store.clone()).calculate(
        &request(
            feb(),
            CalculationScope::Sellers(vec![code("SEL404")]),
            false,
        ),
        &mut |_| {},
    ) {
        Err(CalculateError::UnknownSellers(v)) => assert_eq!(v, codes(&["SEL404"])),
        other => panic!("expected UnknownSellers, got {other:?}"),
    }

    // Everyone again: SEL001 catches up.
    calculate(&store, feb(), CalculationScope::All, false);
    assert_eq!(result_of(&store, "SEL001", feb()), fresh[&code("SEL001")]);
    assert_eq!(result_of(&store, "SEL002", feb()), fresh[&code("SEL002")]);
}

/// A result written for a seller the calculation never loaded (`SEL005` is suspended) is
/// stored under that seller and reads back exactly, every figure of its explanation included.
pub fn results_of_sellers_never_loaded_are_written_and_read_back_exactly<P: Ports>(store: P) {
    seed_world(&store);
    calculate(&store, feb(), CalculationScope::All, false);
    let mut forged = store.get_score(&code("SEL001"), feb()).unwrap();
    forged.seller_code = code("SEL005");
    forged.result.seller_code = Some(code("SEL005"));
    forged.am_id = Some(am_id(2));

    let scope = CalculationScope::Sellers(vec![code("SEL005")]);
    let mut tx = store.begin_calculation(feb(), &scope).unwrap();
    tx.write_scores(std::slice::from_ref(&forged)).unwrap();
    tx.commit(&empty_run(feb()), &NoEvents).unwrap();

    let stored = store.get_score(&code("SEL005"), feb()).unwrap();
    assert_eq!(stored, forged);
    assert_eq!(
        serde_json::to_string(&stored.result).unwrap(),
        serde_json::to_string(&forged.result).unwrap()
    );
    assert_eq!(all_scores(&store, feb()).len(), SCORED.len() + 1);
}

/// A write replaces an earlier result of the same seller and period, whether the calculation's
/// scope cleared it or not, and of two writes in one calculation the later one stays.
pub fn a_write_replaces_the_same_sellers_earlier_result<P: Ports>(store: P) {
    seed_world(&store);
    calculate(&store, feb(), CalculationScope::All, false);
    let earlier = store.get_score(&code("SEL001"), feb()).unwrap();
    let mut first = earlier.clone();
    first.am_id = Some(am_id(2));
    let mut second = first.clone();
    second.calculated_at = earlier.calculated_at + chrono::Duration::minutes(1);

    // SEL001 is outside the scope: `begin` leaves its stored result in place.
    let scope = CalculationScope::Sellers(vec![code("SEL005")]);
    let mut tx = store.begin_calculation(feb(), &scope).unwrap();
    tx.write_scores(std::slice::from_ref(&first)).unwrap();
    tx.write_scores(std::slice::from_ref(&second)).unwrap();
    tx.commit(&empty_run(feb()), &NoEvents).unwrap();

    assert_eq!(store.get_score(&code("SEL001"), feb()).unwrap(), second);
    assert_eq!(all_scores(&store, feb()).len(), SCORED.len());
}
