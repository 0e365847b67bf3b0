//! Throughput of `score_seller` for sellers with all five components: the goal is at least
//! 500,000 scores per second on one core (the floor the plain rules must keep).
//!
//! A second group measures writing those results as JSON text, as the calculation stores them.
//!
//! Run: `cargo bench -p sos-domain --bench score_sellers -- --warm-up-time 1 --measurement-time 5`

// Test helpers may panic: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use chrono::Duration;
use common::*;
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use rust_decimal::Decimal;
use sos_domain::{
    inputs::{CampaignInput, CampaignType, InventorySnapshotDraft, SellerInputs},
    score_seller, Scorer, SellerCode, TierName,
};

const SELLERS: usize = 100_000;

/// A deterministic 64-bit linear congruential generator (Knuth's MMIX constants): the same
/// sellers on every run, no `rand` needed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n.max(1))) as u32
    }
}

fn seller(rng: &mut Lcg, tiers: &[TierName]) -> SellerInputs {
    let mut inputs = SellerInputs::empty(period("2026-02"));
    inputs.onboarded_at = Some(date(2024, 1, 1) + Duration::days(i64::from(rng.below(780))));
    inputs.previous_tier = Some(tiers[rng.below(tiers.len() as u32) as usize].clone());
    let total = 10 + rng.below(2000);
    inputs.orders = Some(orders(total, rng.below(total / 5 + 1)));
    inputs.tickets = Some(breakdown([
        1 + rng.below(40),
        rng.below(10),
        rng.below(5),
        rng.below(3),
    ]));
    inputs.payments = Some(payments([
        1 + rng.below(20),
        rng.below(5),
        rng.below(3),
        rng.below(2),
        rng.below(2),
    ]));
    let total_cbm = 10 + rng.below(500);
    let total_qty = 100 + rng.below(20_000);
    inputs.inventory = Some(inventory(InventorySnapshotDraft {
        snapshot_date: date(2026, 2, 28),
        total_cbm: Some(Decimal::new(i64::from(total_cbm) * 10, 1)),
        total_sku_qty: Some(Decimal::from(total_qty)),
        aging_over_90d_cbm: Some(Decimal::new(i64::from(rng.below(total_cbm * 3)), 1)),
        aging_over_90d_sku_qty: Some(Decimal::from(rng.below(total_qty / 3))),
        aging_over_180d_cbm: Some(Decimal::new(i64::from(rng.below(total_cbm * 2)), 1)),
        aging_over_180d_pct: Some(Decimal::new(i64::from(rng.below(4000)), 2)),
    }));
    let campaign = |rng: &mut Lcg, day: u32, kind| {
        let actual = 100 + rng.below(10_000);
        let mut c: CampaignInput = major_campaign(
            vec![forecast(
                1,
                &format!("2026-01-{:02}T10:00:00Z", 10 + rng.below(20)),
                actual * (80 + rng.below(40)) / 100,
            )],
            Some(actual),
        );
        c.start_date = date(2026, 2, day);
        c.campaign_type = kind;
        c
    };
    inputs.campaigns = vec![campaign(rng, 14, CampaignType::MajorCampaign)];
    if rng.below(2) == 0 {
        inputs
            .campaigns
            .push(campaign(rng, 25, CampaignType::MiniCampaign));
    }
    inputs
}

fn bench(c: &mut Criterion) {
    let config = config_with_ids();
    let tiers: Vec<TierName> = config
        .tiers
        .iter()
        .map(|t| t.value.tier_name.clone())
        .collect();
    let mut rng = Lcg(42);
    let sellers: Vec<(SellerCode, SellerInputs)> = (0..SELLERS)
        .map(|i| {
            let code = SellerCode::parse(format!("SEL{i:06}")).unwrap();
            (code, seller(&mut rng, &tiers))
        })
        .collect();
    let mut group = c.benchmark_group("score_sellers");
    group.throughput(Throughput::Elements(SELLERS as u64));
    group.sample_size(10);
    // As a calculation does: one `Scorer` for the run's config, then every seller.
    group.bench_function("all_five_components_100k", |b| {
        b.iter(|| {
            let scorer = Scorer::new(&config);
            for (code, inputs) in &sellers {
                // By reference: the result is inspected where it was built, not moved again.
                black_box(&scorer.score(Some(code), black_box(inputs)));
            }
        })
    });
    group.finish();
    // What storing or serving a result costs on top: its JSON text.
    let results: Vec<_> = sellers
        .iter()
        .take(10_000)
        .map(|(code, inputs)| score_seller(Some(code), inputs, &config))
        .collect();
    let mut serialize = c.benchmark_group("serialize_results");
    serialize.throughput(Throughput::Elements(results.len() as u64));
    serialize.sample_size(10);
    serialize.bench_function("json_10k", |b| {
        b.iter(|| {
            for r in &results {
                black_box(serde_json::to_string(r).unwrap());
            }
        })
    });
    serialize.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
