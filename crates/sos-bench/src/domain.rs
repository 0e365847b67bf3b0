//! The domain phase: `score_seller` on one thread, for generated sellers with all five
//! components (the generator mirrors `crates/sos-domain/benches/score_sellers.rs`).

use anyhow::{anyhow, Result};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use sos_domain::{
    config::ResolvedConfig,
    inputs::{
        CampaignInput, CampaignType, ForecastVersion, InventorySnapshot, InventorySnapshotDraft,
        OrderStats, PaymentStats, PaymentStatsDraft, SellerInputs, TicketBreakdown, TicketStats,
    },
    Decimal, Period, Scorer, SellerCode, TierName,
};
use std::{hint::black_box, time::Instant};

/// A deterministic 64-bit linear congruential generator (Knuth's MMIX constants).
#[derive(Debug)]
pub struct Lcg(pub u64);

impl Lcg {
    /// The next 31 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u32) -> u32 {
        u32::try_from(self.next() % u64::from(n.max(1))).unwrap_or(0)
    }
}

fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| anyhow!("bad date {y}-{m}-{d}"))
}

fn bad(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("generated input rejected: {e}")
}

fn seller(rng: &mut Lcg, period: Period, tiers: &[TierName]) -> Result<SellerInputs> {
    let mut inputs = SellerInputs::empty(period);
    inputs.onboarded_at = Some(date(2024, 1, 1)? + Duration::days(i64::from(rng.below(780))));
    let tier_count = u32::try_from(tiers.len()).unwrap_or(1);
    inputs.previous_tier = tiers.get(rng.below(tier_count) as usize).cloned();
    let total = 10 + rng.below(2000);
    let late = rng.below(total / 5 + 1);
    inputs.orders =
        Some(OrderStats::new(total, Some(total - late), Some(late), None).map_err(bad)?);
    let buckets = [1 + rng.below(40), rng.below(10), rng.below(5), rng.below(3)];
    inputs.tickets = Some(
        TicketStats::new(
            Some(buckets.iter().sum()),
            None,
            Some(TicketBreakdown {
                under_4h: buckets[0],
                from_4h_to_8h: buckets[1],
                from_8h_to_16h: buckets[2],
                over_16h: buckets[3],
            }),
        )
        .map_err(bad)?,
    );
    let pay = [
        1 + rng.below(20),
        rng.below(5),
        rng.below(3),
        rng.below(2),
        rng.below(2),
    ];
    inputs.payments = Some(
        PaymentStats::new(PaymentStatsDraft {
            total_invoices: pay.iter().sum(),
            invoices_on_time: Some(pay[0]),
            invoices_late_1_7: pay[1],
            invoices_late_7_15: pay[2],
            invoices_late_15_20: pay[3],
            invoices_late_over_20: pay[4],
            worst_days_late: Some(12),
            total_outstanding_amount: Some(Decimal::from(15_000_000)),
            currency: Some("VND".into()),
        })
        .map_err(bad)?,
    );
    let total_cbm = 10 + rng.below(500);
    let total_qty = 100 + rng.below(20_000);
    inputs.inventory = Some(
        InventorySnapshot::new(InventorySnapshotDraft {
            snapshot_date: date(2026, 2, 28)?,
            total_cbm: Some(Decimal::new(i64::from(total_cbm) * 10, 1)),
            total_sku_qty: Some(Decimal::from(total_qty)),
            aging_over_90d_cbm: Some(Decimal::new(i64::from(rng.below(total_cbm * 3)), 1)),
            aging_over_90d_sku_qty: Some(Decimal::from(rng.below(total_qty / 3))),
            aging_over_180d_cbm: Some(Decimal::new(i64::from(rng.below(total_cbm * 2)), 1)),
            aging_over_180d_pct: Some(Decimal::new(i64::from(rng.below(4000)), 2)),
        })
        .map_err(bad)?,
    );
    let campaign = |rng: &mut Lcg, day: u32, campaign_type| -> Result<CampaignInput> {
        let actual = 100 + rng.below(10_000);
        let submitted = Utc
            .with_ymd_and_hms(2026, 1, 10 + rng.below(20), 10, 0, 0)
            .single()
            .ok_or_else(|| anyhow!("bad timestamp"))?;
        Ok(CampaignInput {
            campaign_code: None,
            campaign_type,
            start_date: date(2026, 2, day)?,
            forecasts: vec![ForecastVersion {
                submission_version: 1,
                submitted_at: submitted,
                forecasted_order_volume: actual * (80 + rng.below(40)) / 100,
            }],
            actual_order_volume: Some(actual),
        })
    };
    inputs.campaigns = vec![campaign(rng, 14, CampaignType::MajorCampaign)?];
    if rng.below(2) == 0 {
        inputs
            .campaigns
            .push(campaign(rng, 25, CampaignType::MiniCampaign)?);
    }
    Ok(inputs)
}

/// What the domain phase measured.
#[derive(Debug, Clone, Copy)]
pub struct DomainResult {
    /// Sellers per pass.
    pub sellers: usize,
    /// Passes run.
    pub passes: usize,
    /// Scores per second of the fastest pass.
    pub best_per_sec: f64,
    /// Scores per second over all passes.
    pub mean_per_sec: f64,
}

/// Scores `sellers` generated sellers over and over on this thread for about `seconds`.
///
/// # Errors
/// When the generator builds an input the domain rejects (a bug in the generator).
pub fn run(sellers: usize, seconds: f64) -> Result<DomainResult> {
    let period = Period::parse("2026-02")?;
    let config = ResolvedConfig::defaults(period.last_day());
    let tiers: Vec<TierName> = config
        .tiers
        .iter()
        .map(|t| t.value.tier_name.clone())
        .collect();
    let mut rng = Lcg(42);
    let data: Vec<(SellerCode, SellerInputs)> = (0..sellers)
        .map(|i| {
            Ok((
                SellerCode::parse(format!("SEL{i:06}")).map_err(bad)?,
                seller(&mut rng, period, &tiers)?,
            ))
        })
        .collect::<Result<_>>()?;
    // One untimed pass warms caches and the allocator.
    let scorer = Scorer::new(&config);
    for (code, inputs) in &data {
        black_box(&scorer.score(Some(code), black_box(inputs)));
    }
    let started = Instant::now();
    let mut passes = 0usize;
    let mut best = f64::INFINITY;
    while passes == 0 || started.elapsed().as_secs_f64() < seconds {
        let pass = Instant::now();
        let scorer = Scorer::new(&config);
        for (code, inputs) in &data {
            black_box(&scorer.score(Some(code), black_box(inputs)));
        }
        best = best.min(pass.elapsed().as_secs_f64());
        passes += 1;
    }
    let total = started.elapsed().as_secs_f64();
    let n = sellers as f64;
    Ok(DomainResult {
        sellers,
        passes,
        best_per_sec: n / best,
        mean_per_sec: n * passes as f64 / total,
    })
}
