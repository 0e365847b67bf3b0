//! Times `SyncStore::apply` for batches of 1,000 on one connection, against a private migrated
//! database (`TestDb`): the adapter's share of `sos-bench --only batch`, without HTTP. `orders`
//! is the bench's batch (one NUMERIC column), `inventory` the most decimal-heavy kind (nine).
//!
//! `cargo run --release -p sos-adapters-pg --example batch_ingest [orders|inventory] [calls] [rounds]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::RunQueryDsl;
use sos_adapters_pg::PgStore;
use sos_domain::{
    inputs::{InventorySnapshot, InventorySnapshotDraft, OrderStats},
    Decimal, Period, SellerCode,
};
use sos_pg_local::testing::TestDb;
use sos_ports::{InventoryRecord, OrderRecord, SyncBatch, SyncStore};
use std::time::Instant;

const SELLERS: u32 = 100_000;
const BATCH: usize = 1_000;
const SETS: usize = 16;

fn main() {
    let mut args = std::env::args().skip(1);
    let inventory = args.next().as_deref() == Some("inventory");
    let calls: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(300);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let db = TestDb::new();
    let store = PgStore::connect(db.url(), 1).expect("pool");
    diesel::sql_query(format!(
        "INSERT INTO seller (seller_code, company_name, created_by, updated_by) \
         SELECT 'S' || lpad(g::text, 6, '0'), 'Company ' || g, 'bench', 'bench' \
         FROM generate_series(1, {SELLERS}) g"
    ))
    .execute(&mut db.connect())
    .expect("sellers");
    let period = Period::parse("2026-10").expect("period");
    // A fixed LCG, so every run sends the same batches.
    let mut state: u64 = 0x5eed;
    let mut next = |below: u32| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        u32::try_from((state >> 33) % u64::from(below)).unwrap_or(0)
    };
    let batches: Vec<SyncBatch> = (0..SETS)
        .map(|_| {
            let mut ids = std::collections::BTreeSet::new();
            while ids.len() < BATCH {
                ids.insert(next(SELLERS) + 1);
            }
            let codes = ids
                .into_iter()
                .map(|id| SellerCode::parse(format!("S{id:06}")).expect("code"));
            if inventory {
                let day = chrono::NaiveDate::from_ymd_opt(2026, 10, 15).expect("date");
                return SyncBatch::Inventory(
                    codes
                        .map(|seller| {
                            let mut fig = || Some(Decimal::new(i64::from(next(1_000_000)), 2));
                            let total = fig();
                            let aged = total.map(|t| t / Decimal::TWO);
                            let snapshot = InventorySnapshot::new(InventorySnapshotDraft {
                                snapshot_date: day,
                                total_cbm: total,
                                total_sku_qty: fig(),
                                aging_over_90d_cbm: aged,
                                aging_over_90d_sku_qty: Some(Decimal::ZERO),
                                aging_over_180d_cbm: aged.map(|a| a / Decimal::TWO),
                                aging_over_180d_pct: Some(Decimal::new(25, 0)),
                            })
                            .expect("snapshot");
                            InventoryRecord { seller, snapshot }
                        })
                        .collect(),
                );
            }
            SyncBatch::Orders(
                codes
                    .map(|seller| {
                        let total = 50 + next(500);
                        let within = next(total);
                        let late = next(total - within + 1);
                        let avg = Decimal::new(i64::from(next(9_000)) + 1, 1);
                        OrderRecord {
                            seller,
                            period,
                            stats: OrderStats::new(total, Some(within), Some(late), Some(avg))
                                .expect("stats"),
                        }
                    })
                    .collect(),
            )
        })
        .collect();
    for batch in &batches {
        store.apply(batch).expect("warm-up");
    }
    let mut best = f64::MAX;
    for round in 0..rounds {
        let start = Instant::now();
        for n in 0..calls {
            store.apply(&batches[n % SETS]).expect("apply");
        }
        let per_call_ms = start.elapsed().as_secs_f64() * 1_000.0 / calls as f64;
        best = best.min(per_call_ms);
        println!(
            "round {round}: {per_call_ms:.2} ms per call, {:.0} records/s",
            BATCH as f64 * 1_000.0 / per_call_ms
        );
    }
    println!(
        "best: {best:.2} ms per call, {:.0} records/s",
        BATCH as f64 * 1_000.0 / best
    );
}
