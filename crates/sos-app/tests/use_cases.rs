//! Use-case rules that hold whatever the storage: checked with mocks (nothing reaches a store
//! when a batch is refused) and with the in-memory fake (the calculation's bookkeeping).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use rust_decimal_macros::dec;
use sos_adapters_memory::MemoryStore;
use sos_app::{CalculateError, CalculateRequest, IngestError, Sos, MAX_BATCH};
use sos_domain::{
    inputs::{Campaign, CampaignType, OrderStats},
    master::{AccountManager, Seller, SellerStatus},
    AmId, CampaignCode, Period, SellerCode,
};
use sos_ports::{
    CalculationScope, ConfigStore, MockSyncStore, OrderRecord, RunStatus, ScoreStore, SellerStore,
    SyncBatch, SyncStoreError,
};

fn order(seller: &str, period: &str, total: u32) -> OrderRecord {
    OrderRecord {
        seller: SellerCode::parse(seller).unwrap(),
        period: Period::parse(period).unwrap(),
        stats: OrderStats::new(total, Some(total), Some(0), None).unwrap(),
    }
}

#[test]
fn a_batch_repeating_an_upsert_key_is_refused_before_the_store_is_touched() {
    let mut store = MockSyncStore::new();
    store.expect_apply().never();
    let sos = Sos::new(store);
    let batch = SyncBatch::Orders(vec![
        order("A", "2026-02", 1),
        order("B", "2026-02", 1),
        order("A", "2026-02", 2),
    ]);
    let Err(IngestError::Invalid(errors)) = sos.ingest(&batch) else {
        panic!("expected Invalid")
    };
    assert_eq!(errors.errors()[0].field, "[2]");
    assert!(errors.errors()[0].message.contains("item [0]"));
}

#[test]
fn empty_and_oversized_batches_are_refused_before_the_store_is_touched() {
    let mut store = MockSyncStore::new();
    store.expect_apply().never();
    let sos = Sos::new(store);
    assert!(matches!(
        sos.ingest(&SyncBatch::Orders(vec![])),
        Err(IngestError::Invalid(_))
    ));
    let many = (0..=MAX_BATCH)
        .map(|i| order(&format!("S{i}"), "2026-02", 1))
        .collect();
    let Err(IngestError::Invalid(e)) = sos.ingest(&SyncBatch::Orders(many)) else {
        panic!("expected Invalid")
    };
    assert!(e.errors()[0].message.contains("at most 1000"));
}

#[test]
fn store_errors_keep_their_meaning() {
    let mut store = MockSyncStore::new();
    store.expect_apply().times(1).returning(|_| {
        Err(SyncStoreError::UnknownSellers(vec![SellerCode::parse(
            "SEL001",
        )
        .unwrap()]))
    });
    let sos = Sos::new(store);
    let Err(IngestError::UnknownSellers(list)) =
        sos.ingest(&SyncBatch::Orders(vec![order("SEL001", "2026-02", 1)]))
    else {
        panic!("expected UnknownSellers")
    };
    assert_eq!(list[0].as_str(), "SEL001");
}

fn seeded() -> Sos<MemoryStore> {
    let store = MemoryStore::new();
    let sos = Sos::new(store.clone());
    sos.seed_default_config().unwrap();
    sos.create_am(
        AccountManager {
            id: AmId::new(1).unwrap(),
            name: "AM".into(),
            email: None,
            is_active: true,
        }
        .into(),
        "test",
    )
    .unwrap();
    for code in ["SEL001", "SEL002"] {
        sos.create_seller(
            &Seller {
                seller_code: SellerCode::parse(code).unwrap(),
                company_name: format!("{code} Co"),
                contract_type: None,
                country_code: Some("VN".into()),
                warehouse_id: None,
                status: SellerStatus::Active,
                onboarded_at: Some(
                    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
                        .unwrap()
                        .date_naive(),
                ),
                am_id: Some(AmId::new(1).unwrap()),
            },
            "test",
        )
        .unwrap();
    }
    sos.create_campaign(
        &Campaign::new(
            CampaignCode::parse("CAMP").unwrap(),
            "Camp".into(),
            CampaignType::MajorCampaign,
            chrono::NaiveDate::from_ymd_opt(2026, 2, 14).unwrap(),
            chrono::NaiveDate::from_ymd_opt(2026, 2, 15).unwrap(),
        )
        .unwrap(),
        "test",
    )
    .unwrap();
    sos.ingest(&SyncBatch::Orders(vec![order("SEL001", "2026-02", 150)]))
        .unwrap();
    sos
}

fn request(dry_run: bool) -> CalculateRequest {
    CalculateRequest {
        period: Period::parse("2026-02").unwrap(),
        scope: CalculationScope::All,
        dry_run,
        actor: "test".into(),
    }
}

#[test]
fn calculation_scores_only_sellers_with_data_and_reports_progress() {
    let sos = seeded();
    let mut seen = Vec::new();
    let summary = sos
        .calculate(&request(false), &mut |n| seen.push(n))
        .unwrap();
    assert_eq!(summary.run.sellers_scored, 1, "SEL002 has no data");
    assert_eq!(summary.run.status, RunStatus::Succeeded);
    assert_eq!(summary.run.am_scored, 1);
    assert_eq!(seen.last(), Some(&1));
    assert_eq!(
        summary.tiers.get("Platinum"),
        Some(&1),
        "O 100 alone is 100"
    );
    let stored = sos
        .explain(
            &SellerCode::parse("SEL001").unwrap(),
            Period::parse("2026-02").unwrap(),
        )
        .unwrap();
    assert_eq!(stored.result.sos_score(), Some(dec!(100.00)));
    assert!(!summary.run.config_ids.is_empty());
}

#[test]
fn a_dry_run_writes_no_result() {
    let sos = seeded();
    let summary = sos.calculate(&request(true), &mut |_| {}).unwrap();
    assert_eq!(summary.run.status, RunStatus::DryRun);
    assert_eq!(summary.run.sellers_scored, 1);
    assert!(sos
        .ports()
        .get_score(
            &SellerCode::parse("SEL001").unwrap(),
            Period::parse("2026-02").unwrap()
        )
        .is_err());
}

#[test]
fn a_second_calculation_of_a_running_period_is_refused_not_queued() {
    let sos = seeded();
    let held = sos
        .ports()
        .begin_calculation(Period::parse("2026-02").unwrap(), &CalculationScope::All)
        .unwrap();
    let err = sos.calculate(&request(false), &mut |_| {}).unwrap_err();
    assert!(matches!(err, CalculateError::AlreadyRunning(p) if p.to_string() == "2026-02"));
    drop(held);
    assert!(sos.calculate(&request(false), &mut |_| {}).is_ok());
}

#[test]
fn unusable_config_refuses_with_a_sentence_naming_period_and_date() {
    let sos = seeded();
    let weights = sos
        .ports()
        .list_config(sos_domain::config::ConfigType::ScoreWeights, false)
        .unwrap();
    sos.deactivate_config(
        sos_domain::config::ConfigType::ScoreWeights,
        weights[0].id,
        "test",
    )
    .unwrap();
    let err = sos.calculate(&request(false), &mut |_| {}).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, CalculateError::InvalidConfig(_)));
    assert!(
        text.contains("2026-02") && text.contains("2026-02-28"),
        "{text}"
    );
}

#[test]
fn unknown_sellers_in_a_subset_are_listed() {
    let sos = seeded();
    let mut req = request(false);
    req.scope = CalculationScope::Sellers(vec![
        SellerCode::parse("SEL001").unwrap(),
        SellerCode::parse("NOPE").unwrap(),
    ]);
    let Err(CalculateError::UnknownSellers(list)) = sos.calculate(&req, &mut |_| {}) else {
        panic!("expected UnknownSellers")
    };
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].as_str(), "NOPE");
    assert!(sos
        .ports()
        .get_seller(&SellerCode::parse("SEL002").unwrap())
        .is_ok());
}

#[test]
fn finalized_periods_refuse_calculation() {
    let sos = seeded();
    sos.finalize(Period::parse("2026-02").unwrap(), "test")
        .unwrap();
    assert!(matches!(
        sos.calculate(&request(false), &mut |_| {}),
        Err(CalculateError::Finalized(_))
    ));
}
