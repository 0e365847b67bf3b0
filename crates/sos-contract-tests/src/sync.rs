//! The sync stores: idempotent upserts, the late-snapshot rule, forecast versions, unknown
//! references and all-or-nothing batches.

use crate::{fixtures::*, Ports};
use rust_decimal_macros::dec;
use sos_app::{IngestError, Sos};
use sos_domain::{
    inputs::{
        CampaignType, OrderStats, PaymentStats, RawOrder, RawOrderStatus, RevenueRecord,
        TicketStats,
    },
    AmId,
};
use sos_ports::{PaymentInput, PaymentRecord, RawOrdersRecord, SyncBatch, SyncStoreError};

/// Orders (seed form): the same batch twice leaves one row per seller and period, holding
/// exactly what was sent; a later batch with other figures replaces them; periods stay apart.
pub fn sync_orders_upsert_is_idempotent<P: Ports>(store: P) {
    let sellers = seed_master(&store, 2);
    let (a, b) = (&sellers[0], &sellers[1]);
    let other = OrderStats::new(40, Some(39), None, None).unwrap();
    let batch = SyncBatch::Orders(vec![
        orders_record(a, feb(), seed_orders()),
        orders_record(b, feb(), other.clone()),
        orders_record(a, period("2026-01"), other.clone()),
    ]);
    apply(&store, &batch);
    apply(&store, &batch);
    assert_eq!(known_inputs(&store, a, feb()).orders, Some(seed_orders()));
    assert_eq!(known_inputs(&store, b, feb()).orders, Some(other.clone()));
    assert_eq!(
        known_inputs(&store, a, period("2026-01")).orders,
        Some(other.clone())
    );
    assert_eq!(known_inputs(&store, a, mar()).orders, None);

    let changed = OrderStats::new(200, Some(190), Some(10), Some(dec!(7.25))).unwrap();
    apply(
        &store,
        &SyncBatch::Orders(vec![orders_record(a, feb(), changed.clone())]),
    );
    assert_eq!(known_inputs(&store, a, feb()).orders, Some(changed));
    assert_eq!(
        known_inputs(&store, a, period("2026-01")).orders,
        Some(other.clone())
    );
    assert_eq!(known_inputs(&store, b, feb()).orders, Some(other));
}

fn raw(id: &str, created: &str, pushed: Option<&str>, status: RawOrderStatus) -> RawOrder {
    RawOrder {
        order_id: id.to_owned(),
        created_at: at(created),
        pushed_at: pushed.map(at),
        status,
    }
}

/// Raw orders: kept by `order_id`, so re-sending them changes nothing; each touched period's
/// aggregate is recomputed from every stored order of the period (cancelled left out).
pub fn sync_raw_orders_are_kept_by_order_id<P: Ports>(store: P) {
    let sellers = seed_master(&store, 1);
    let s = &sellers[0];
    let now = at("2026-03-01T00:00:00Z");
    let first = vec![
        raw(
            "O1",
            "2026-02-01T10:00:00Z",
            Some("2026-02-01T10:30:00Z"),
            RawOrderStatus::Pushed,
        ),
        raw(
            "O2",
            "2026-02-01T10:00:00Z",
            Some("2026-02-01T10:31:00Z"),
            RawOrderStatus::Pushed,
        ),
        raw("O3", "2026-02-01T10:00:00Z", None, RawOrderStatus::Pending),
        raw("O4", "2026-02-28T23:50:00Z", None, RawOrderStatus::Pending),
        raw(
            "O5",
            "2026-02-01T10:00:00Z",
            None,
            RawOrderStatus::Cancelled,
        ),
        raw(
            "M1",
            "2026-03-02T08:00:00Z",
            Some("2026-03-02T08:05:00Z"),
            RawOrderStatus::Fulfilled,
        ),
    ];
    let batch = |orders: Vec<RawOrder>| SyncBatch::RawOrders {
        records: vec![RawOrdersRecord {
            seller: s.clone(),
            orders,
        }],
        max_delay_minutes: 30,
        now,
    };
    apply(&store, &batch(first.clone()));
    apply(&store, &batch(first.clone()));
    let feb_orders = known_inputs(&store, s, feb()).orders.unwrap();
    assert_eq!(
        feb_orders.total_orders(),
        4,
        "O1-O4; the cancelled O5 is left out"
    );
    assert_eq!(feb_orders.orders_within_30min(), Some(1));
    assert_eq!(
        feb_orders.orders_late(),
        Some(2),
        "O2 pushed late, O3 never pushed and overdue"
    );
    assert_eq!(
        feb_orders,
        OrderStats::from_raw_orders(&first[..5], 30, now)
    );
    let mar_orders = known_inputs(&store, s, mar()).orders.unwrap();
    assert_eq!(
        (mar_orders.total_orders(), mar_orders.orders_within_30min()),
        (1, Some(1))
    );

    // O3 is pushed late now and O6 arrives: only February is recomputed, from all its orders.
    let update = vec![
        raw(
            "O3",
            "2026-02-01T10:00:00Z",
            Some("2026-02-01T10:45:00Z"),
            RawOrderStatus::Pushed,
        ),
        raw(
            "O6",
            "2026-02-10T09:00:00Z",
            Some("2026-02-10T09:10:00Z"),
            RawOrderStatus::Pushed,
        ),
    ];
    apply(&store, &batch(update.clone()));
    let all_feb = vec![
        first[0].clone(),
        first[1].clone(),
        update[0].clone(),
        first[3].clone(),
        first[4].clone(),
        update[1].clone(),
    ];
    let feb_orders = known_inputs(&store, s, feb()).orders.unwrap();
    assert_eq!(feb_orders.total_orders(), 5);
    assert_eq!(feb_orders.orders_within_30min(), Some(2));
    assert_eq!(feb_orders.orders_late(), Some(2));
    assert_eq!(feb_orders, OrderStats::from_raw_orders(&all_feb, 30, now));
    assert_eq!(known_inputs(&store, s, mar()).orders, Some(mar_orders));
}

/// Campaign actuals: one row per seller and campaign; re-sending changes nothing, a new
/// volume replaces the old.
pub fn sync_campaign_actuals_upsert_is_idempotent<P: Ports>(store: P) {
    let sellers = seed_master(&store, 2);
    let (a, b) = (&sellers[0], &sellers[1]);
    let batch = SyncBatch::CampaignActuals(vec![actual(a, 4800), actual(b, 0)]);
    apply(&store, &batch);
    apply(&store, &batch);
    let campaigns = known_inputs(&store, a, feb()).campaigns;
    assert_eq!(campaigns.len(), 1);
    assert_eq!(campaigns[0].campaign_code, Some(campaign_code(CAMPAIGN)));
    assert_eq!(campaigns[0].campaign_type, CampaignType::MajorCampaign);
    assert_eq!(campaigns[0].start_date, date("2026-02-14"));
    assert_eq!(campaigns[0].actual_order_volume, Some(4800));
    assert!(campaigns[0].forecasts.is_empty());
    assert_eq!(
        known_inputs(&store, b, feb()).campaigns[0].actual_order_volume,
        Some(0)
    );
    assert!(
        known_inputs(&store, a, mar()).campaigns.is_empty(),
        "the campaign belongs to February"
    );

    apply(&store, &SyncBatch::CampaignActuals(vec![actual(a, 5100)]));
    assert_eq!(
        known_inputs(&store, a, feb()).campaigns[0].actual_order_volume,
        Some(5100)
    );
    assert_eq!(
        known_inputs(&store, b, feb()).campaigns[0].actual_order_volume,
        Some(0)
    );
}

/// Tickets: one row per seller and period holding what was sent, the breakdown included; a
/// record without a breakdown replaces one with it.
pub fn sync_tickets_upsert_is_idempotent<P: Ports>(store: P) {
    let sellers = seed_master(&store, 1);
    let s = &sellers[0];
    let batch = SyncBatch::Tickets(vec![tickets_record(s, feb(), seed_tickets())]);
    apply(&store, &batch);
    apply(&store, &batch);
    let stored = known_inputs(&store, s, feb()).tickets.unwrap();
    assert_eq!(stored, seed_tickets());
    let b = stored.breakdown().unwrap();
    assert_eq!(
        (b.under_4h, b.from_4h_to_8h, b.from_8h_to_16h, b.over_16h),
        (18, 4, 2, 1)
    );

    let average_only = TicketStats::new(Some(12), Some(dec!(9.75)), None).unwrap();
    apply(
        &store,
        &SyncBatch::Tickets(vec![tickets_record(s, feb(), average_only.clone())]),
    );
    let stored = known_inputs(&store, s, feb()).tickets.unwrap();
    assert_eq!(stored, average_only);
    assert!(stored.breakdown().is_none());
}

/// Payments, Format A: the aggregate is stored as sent and re-sending changes nothing.
pub fn sync_payment_aggregate_upsert_is_idempotent<P: Ports>(store: P) {
    let sellers = seed_master(&store, 1);
    let s = &sellers[0];
    let record = PaymentRecord {
        seller: s.clone(),
        period: feb(),
        input: PaymentInput::Aggregate(seed_payment_aggregate()),
    };
    let batch = payments_batch(vec![record]);
    apply(&store, &batch);
    apply(&store, &batch);
    let stored = known_inputs(&store, s, feb()).payments.unwrap();
    assert_eq!(stored, seed_payment_aggregate());
    assert_eq!(stored.total_invoices(), 10);
    assert_eq!(stored.worst_days_late(), Some(12));
    assert_eq!(stored.total_outstanding_amount(), Some(dec!(15000000)));
    assert_eq!(stored.currency(), Some("VND"));
}

/// Payments, Format B: invoices are kept by `invoice_id`; the aggregate is recomputed from all
/// stored invoices of the seller and period, so re-sending an invoice never double-counts.
pub fn sync_payment_invoices_are_kept_by_invoice_id<P: Ports>(store: P) {
    let sellers = seed_master(&store, 2);
    let (s, other) = (&sellers[0], &sellers[1]);
    let batch = payments_batch(vec![invoices_record(s, feb(), seed_invoices())]);
    apply(&store, &batch);
    apply(&store, &batch);
    let stored = known_inputs(&store, s, feb()).payments.unwrap();
    assert_eq!(stored.total_invoices(), 3);
    assert_eq!(stored.total_outstanding_amount(), Some(dec!(15000000)));
    assert_eq!(stored.worst_days_late(), Some(12));
    assert_eq!(
        [
            stored.invoices_on_time(),
            stored.invoices_late_1_7(),
            stored.invoices_late_7_15()
        ],
        [1, 1, 1]
    );
    assert_eq!(
        stored,
        PaymentStats::from_invoices(&seed_invoices(), Some("VND".into())).unwrap()
    );

    // Re-sending INV001 alone does not count it twice.
    let inv001 = seed_invoices()[0].clone();
    apply(
        &store,
        &payments_batch(vec![invoices_record(s, feb(), vec![inv001])]),
    );
    let stored = known_inputs(&store, s, feb()).payments.unwrap();
    assert_eq!(stored.total_invoices(), 3);
    assert_eq!(stored.total_outstanding_amount(), Some(dec!(15000000)));

    // A new invoice adds to the aggregate.
    let inv004 = invoice("INV004", 25, dec!(1000000));
    apply(
        &store,
        &payments_batch(vec![invoices_record(s, feb(), vec![inv004.clone()])]),
    );
    let stored = known_inputs(&store, s, feb()).payments.unwrap();
    assert_eq!(stored.total_invoices(), 4);
    assert_eq!(stored.total_outstanding_amount(), Some(dec!(16000000)));
    assert_eq!(stored.worst_days_late(), Some(25));
    assert_eq!(stored.invoices_late_over_20(), 1);

    // A changed invoice replaces its old figures.
    let inv003_paid = invoice("INV003", 0, dec!(7000000.50));
    apply(
        &store,
        &payments_batch(vec![invoices_record(s, feb(), vec![inv003_paid.clone()])]),
    );
    let mut all = seed_invoices();
    all[2] = inv003_paid;
    all.push(inv004);
    let stored = known_inputs(&store, s, feb()).payments.unwrap();
    assert_eq!(
        stored,
        PaymentStats::from_invoices(&all, Some("VND".into())).unwrap()
    );
    assert_eq!(stored.invoices_on_time(), 2);
    assert_eq!(stored.invoices_late_7_15(), 0);
    assert_eq!(stored.total_outstanding_amount(), Some(dec!(16000000.50)));

    // Invoices are kept per seller and period: the same ids elsewhere are other invoices.
    apply(
        &store,
        &payments_batch(vec![invoices_record(other, feb(), seed_invoices())]),
    );
    apply(
        &store,
        &payments_batch(vec![invoices_record(
            s,
            mar(),
            vec![invoice("INV001", 3, dec!(10))],
        )]),
    );
    assert_eq!(
        known_inputs(&store, other, feb())
            .payments
            .unwrap()
            .total_invoices(),
        3
    );
    let march = known_inputs(&store, s, mar()).payments.unwrap();
    assert_eq!((march.total_invoices(), march.invoices_late_1_7()), (1, 1));
    assert_eq!(
        known_inputs(&store, s, feb())
            .payments
            .unwrap()
            .total_invoices(),
        4
    );
}

/// Inventory: the same snapshot twice is one snapshot, stored with every figure.
pub fn sync_inventory_upsert_is_idempotent<P: Ports>(store: P) {
    let sellers = seed_master(&store, 1);
    let s = &sellers[0];
    let batch = SyncBatch::Inventory(vec![
        inventory_record(s, seed_inventory("2026-02-28")),
        inventory_record(s, seed_inventory("2026-03-31")),
    ]);
    apply(&store, &batch);
    apply(&store, &batch);
    let stored = known_inputs(&store, s, feb()).inventory.unwrap();
    assert_eq!(stored, seed_inventory("2026-02-28"));
    assert_eq!(stored.aging_percentages().max, Some(dec!(15)));
    assert_eq!(
        known_inputs(&store, s, mar()).inventory,
        Some(seed_inventory("2026-03-31"))
    );
}

/// Revenue: one row per AM and period; re-sending changes nothing, new figures replace.
pub fn sync_revenue_upsert_is_idempotent<P: Ports>(store: P) {
    seed_master(&store, 0);
    store.create_am(&am(2), ACTOR).unwrap();
    let batch = SyncBatch::Revenue(vec![seed_revenue()]);
    apply(&store, &batch);
    apply(&store, &batch);
    let revenue_of = |id: i64, p| {
        let inputs = store.load_am_inputs(p).unwrap();
        assert_eq!(
            inputs.iter().map(|a| a.am.id.get()).collect::<Vec<_>>(),
            [1, 2],
            "every active AM is loaded"
        );
        inputs
            .into_iter()
            .find(|a| a.am.id.get() == id)
            .unwrap()
            .revenue
    };
    let stored = revenue_of(1, feb()).unwrap();
    assert_eq!(stored, seed_revenue());
    assert_eq!(stored.achievement_pct(), Some(dec!(90)));
    assert_eq!(revenue_of(2, feb()), None);
    assert_eq!(revenue_of(1, mar()), None);

    let changed = RevenueRecord::new(am_id(1), feb(), dec!(500000000), dec!(510000000.75)).unwrap();
    apply(&store, &SyncBatch::Revenue(vec![changed.clone()]));
    assert_eq!(revenue_of(1, feb()), Some(changed));
}

/// The late-inventory-snapshot rule: an older snapshot of the same month arriving late does
/// not replace a newer one; one of the same date does.
pub fn inventory_late_older_snapshot_does_not_replace_newer<P: Ports>(store: P) {
    let sellers = seed_master(&store, 1);
    let s = &sellers[0];
    apply(
        &store,
        &SyncBatch::Inventory(vec![inventory_record(s, seed_inventory("2026-02-28"))]),
    );

    let mut older = seed_inventory("2026-02-15").figures().clone();
    older.total_cbm = Some(dec!(99));
    let older = sos_domain::inputs::InventorySnapshot::new(older).unwrap();
    apply(
        &store,
        &SyncBatch::Inventory(vec![inventory_record(s, older)]),
    );
    let stored = known_inputs(&store, s, feb()).inventory.unwrap();
    assert_eq!(stored.snapshot_date(), date("2026-02-28"));
    assert_eq!(stored, seed_inventory("2026-02-28"));

    let mut same_day = seed_inventory("2026-02-28").figures().clone();
    same_day.total_cbm = Some(dec!(200));
    same_day.aging_over_90d_cbm = Some(dec!(10));
    let same_day = sos_domain::inputs::InventorySnapshot::new(same_day).unwrap();
    apply(
        &store,
        &SyncBatch::Inventory(vec![inventory_record(s, same_day.clone())]),
    );
    let stored = known_inputs(&store, s, feb()).inventory.unwrap();
    assert_eq!(stored, same_day);
    assert_eq!(stored.figures().total_cbm, Some(dec!(200)));

    // An older one of the same month still does not.
    let mut day_before = seed_inventory("2026-02-28").figures().clone();
    day_before.snapshot_date = date("2026-02-27");
    apply(
        &store,
        &SyncBatch::Inventory(vec![inventory_record(
            s,
            sos_domain::inputs::InventorySnapshot::new(day_before).unwrap(),
        )]),
    );
    assert_eq!(known_inputs(&store, s, feb()).inventory, Some(same_day));
}

/// Forecast versions: a new `submitted_at` is a new version (1, 2, ...); a retry with the same
/// `submitted_at` updates its version instead of adding one.
pub fn forecasts_are_versioned_and_retries_update_their_version<P: Ports>(store: P) {
    let sellers = seed_master(&store, 2);
    let (s, other) = (&sellers[0], &sellers[1]);
    let t1 = "2026-01-28T10:00:00Z";
    let t2 = "2026-02-05T09:30:00Z";
    apply(&store, &SyncBatch::Forecasts(vec![forecast(s, t1, 5000)]));
    apply(&store, &SyncBatch::Forecasts(vec![forecast(s, t2, 5200)]));
    let versions = |seller| {
        let campaigns = known_inputs(&store, seller, feb()).campaigns;
        assert_eq!(campaigns.len(), 1);
        assert_eq!(campaigns[0].actual_order_volume, None);
        campaigns[0]
            .forecasts
            .iter()
            .map(|f| {
                (
                    f.submission_version,
                    f.submitted_at,
                    f.forecasted_order_volume,
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(versions(s), [(1, at(t1), 5000), (2, at(t2), 5200)]);
    let campaign = known_inputs(&store, s, feb()).campaigns.remove(0);
    let first = campaign.first_forecast().unwrap();
    assert_eq!(
        (first.submission_version, first.submitted_at),
        (1, at(t1)),
        "version 1 is the first submission"
    );

    // A retry of t1 with a new volume updates version 1.
    apply(&store, &SyncBatch::Forecasts(vec![forecast(s, t1, 5100)]));
    assert_eq!(versions(s), [(1, at(t1), 5100), (2, at(t2), 5200)]);

    // The whole history again: still two versions.
    let both = SyncBatch::Forecasts(vec![forecast(s, t1, 5100), forecast(s, t2, 5200)]);
    apply(&store, &both);
    apply(&store, &both);
    assert_eq!(versions(s), [(1, at(t1), 5100), (2, at(t2), 5200)]);

    // Versions count per seller.
    apply(&store, &SyncBatch::Forecasts(vec![forecast(other, t2, 10)]));
    assert_eq!(versions(other), [(1, at(t2), 10)]);
    let t3 = "2026-02-10T00:00:00Z";
    apply(&store, &SyncBatch::Forecasts(vec![forecast(s, t3, 5300)]));
    assert_eq!(
        versions(s),
        [(1, at(t1), 5100), (2, at(t2), 5200), (3, at(t3), 5300)]
    );

    // Several new submissions in one batch are numbered in submitted_at order, whatever the
    // order of the batch: version 1 is the earliest, the seller's first submission.
    let fresh = &seed_master_seller(&store, "SEL050");
    apply(
        &store,
        &SyncBatch::Forecasts(vec![
            forecast(fresh, t3, 3),
            forecast(fresh, t1, 1),
            forecast(fresh, t2, 2),
        ]),
    );
    assert_eq!(
        versions(fresh),
        [(1, at(t1), 1), (2, at(t2), 2), (3, at(t3), 3)]
    );
}

fn seed_master_seller<P: Ports>(store: &P, seller_code: &str) -> sos_domain::SellerCode {
    let s = seller(seller_code, Some(1));
    store.create_seller(&s, ACTOR).unwrap();
    s.seller_code
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

/// Unknown sellers, campaigns and AMs are each listed in full, and nothing of the batch is
/// written, not even the records that name known ones.
pub fn unknown_references_are_listed_and_nothing_is_written<P: Ports>(store: P) {
    let sellers = seed_master(&store, 1);
    let s = &sellers[0];

    let batch = SyncBatch::Orders(vec![
        orders_record(&code("SEL404"), feb(), seed_orders()),
        orders_record(s, feb(), seed_orders()),
        orders_record(&code("SEL999"), feb(), seed_orders()),
        orders_record(&code("SEL404"), mar(), seed_orders()),
    ]);
    match store.apply(&batch) {
        Err(SyncStoreError::UnknownSellers(unknown)) => {
            assert_eq!(sorted(unknown), codes(&["SEL404", "SEL999"]))
        }
        other => panic!("expected UnknownSellers, got {other:?}"),
    }
    assert_eq!(
        known_inputs(&store, s, feb()).orders,
        None,
        "the known seller's row is not written"
    );
    assert!(inputs_of(&store, &code("SEL404"), feb()).is_none());

    // The use case reports the same.
    match Sos::new(store.clone()).ingest(&batch) {
        Err(IngestError::UnknownSellers(unknown)) => {
            assert_eq!(sorted(unknown), codes(&["SEL404", "SEL999"]))
        }
        other => panic!("expected IngestError::UnknownSellers, got {other:?}"),
    }

    let batch = SyncBatch::Forecasts(vec![
        forecast(s, "2026-01-28T10:00:00Z", 5000),
        sos_ports::ForecastRecord {
            campaign: campaign_code("CAMP-X"),
            ..forecast(s, "2026-01-29T10:00:00Z", 5000)
        },
    ]);
    match store.apply(&batch) {
        Err(SyncStoreError::UnknownCampaigns(unknown)) => {
            assert_eq!(unknown, [campaign_code("CAMP-X")])
        }
        other => panic!("expected UnknownCampaigns, got {other:?}"),
    }
    let batch = SyncBatch::CampaignActuals(vec![
        actual(s, 10),
        sos_ports::CampaignActualRecord {
            campaign: campaign_code("CAMP-Y"),
            ..actual(s, 10)
        },
        sos_ports::CampaignActualRecord {
            campaign: campaign_code("CAMP-X"),
            ..actual(s, 10)
        },
    ]);
    match store.apply(&batch) {
        Err(SyncStoreError::UnknownCampaigns(unknown)) => {
            assert_eq!(
                sorted(unknown),
                [campaign_code("CAMP-X"), campaign_code("CAMP-Y")]
            );
        }
        other => panic!("expected UnknownCampaigns, got {other:?}"),
    }
    assert!(
        known_inputs(&store, s, feb()).campaigns.is_empty(),
        "no forecast or actual was written"
    );

    let batch = SyncBatch::Revenue(vec![
        seed_revenue(),
        RevenueRecord::new(am_id(77), feb(), dec!(1), dec!(1)).unwrap(),
        RevenueRecord::new(am_id(78), feb(), dec!(1), dec!(1)).unwrap(),
    ]);
    match store.apply(&batch) {
        Err(SyncStoreError::UnknownAccountManagers(unknown)) => {
            assert_eq!(
                sorted(unknown),
                [AmId::new(77).unwrap(), AmId::new(78).unwrap()]
            );
        }
        other => panic!("expected UnknownAccountManagers, got {other:?}"),
    }
    let inputs = store.load_am_inputs(feb()).unwrap();
    assert_eq!(inputs.len(), 1);
    assert_eq!(inputs[0].revenue, None, "AM 1's revenue is not written");
}

/// Every kind of batch is all or nothing at the store: a batch updating a known seller and
/// naming an unknown one leaves the known seller's data exactly as it was.
pub fn batch_with_unknown_seller_writes_nothing_of_any_kind<P: Ports>(store: P) {
    let sellers = seed_master(&store, 1);
    let s = &sellers[0];
    seed_full_inputs(&store, s);
    let before = known_inputs(&store, s, feb());
    // Unknown codes sort before and after the known one, so no write order can slip through.
    let ghosts = [code("SEL000"), code("SEL999")];
    let expect_unknown = |batch: SyncBatch| match store.apply(&batch) {
        Err(SyncStoreError::UnknownSellers(unknown)) => {
            assert_eq!(sorted(unknown), ghosts.to_vec())
        }
        other => panic!("expected UnknownSellers for {batch:?}, got {other:?}"),
    };
    let worse_orders = OrderStats::new(10, Some(0), Some(10), None).unwrap();
    expect_unknown(SyncBatch::Orders(vec![
        orders_record(&ghosts[0], feb(), worse_orders.clone()),
        orders_record(s, feb(), worse_orders.clone()),
        orders_record(&ghosts[1], feb(), worse_orders),
    ]));
    expect_unknown(SyncBatch::RawOrders {
        records: [&ghosts[0], s, &ghosts[1]]
            .into_iter()
            .map(|seller| RawOrdersRecord {
                seller: seller.clone(),
                orders: vec![raw(
                    "X1",
                    "2026-02-03T00:00:00Z",
                    None,
                    RawOrderStatus::Pending,
                )],
            })
            .collect(),
        max_delay_minutes: 30,
        now: at("2026-03-01T00:00:00Z"),
    });
    let worse_tickets = TicketStats::new(Some(1), Some(dec!(40)), None).unwrap();
    expect_unknown(SyncBatch::Tickets(
        [&ghosts[0], s, &ghosts[1]]
            .into_iter()
            .map(|seller| tickets_record(seller, feb(), worse_tickets.clone()))
            .collect(),
    ));
    expect_unknown(payments_batch(
        [&ghosts[0], s, &ghosts[1]]
            .into_iter()
            .map(|seller| invoices_record(seller, feb(), vec![invoice("INV009", 30, dec!(1))]))
            .collect(),
    ));
    let mut newer = seed_inventory("2026-02-28").figures().clone();
    newer.total_cbm = Some(dec!(1000));
    let newer = sos_domain::inputs::InventorySnapshot::new(newer).unwrap();
    expect_unknown(SyncBatch::Inventory(
        [&ghosts[0], s, &ghosts[1]]
            .into_iter()
            .map(|seller| inventory_record(seller, newer.clone()))
            .collect(),
    ));
    expect_unknown(SyncBatch::Forecasts(
        [&ghosts[0], s, &ghosts[1]]
            .into_iter()
            .map(|seller| forecast(seller, "2026-02-01T00:00:00Z", 1))
            .collect(),
    ));
    expect_unknown(SyncBatch::CampaignActuals(
        [&ghosts[0], s, &ghosts[1]]
            .into_iter()
            .map(|seller| actual(seller, 1))
            .collect(),
    ));
    assert_eq!(
        known_inputs(&store, s, feb()),
        before,
        "no batch changed the known seller"
    );
}

/// Any failed sync write leaves nothing behind, also when it fails on a later record after
/// earlier ones were applied: here the second seller's invoices cannot be aggregated (a
/// currency the aggregate refuses).
pub fn failed_batch_writes_nothing<P: Ports>(store: P) {
    let sellers = seed_master(&store, 2);
    let (a, b) = (&sellers[0], &sellers[1]);
    apply(
        &store,
        &payments_batch(vec![invoices_record(a, feb(), seed_invoices())]),
    );
    let before = known_inputs(&store, a, feb()).payments;
    let bad = PaymentRecord {
        seller: b.clone(),
        period: feb(),
        input: PaymentInput::Invoices {
            invoices: seed_invoices(),
            currency: Some("dong".to_owned()),
        },
    };
    let batch = payments_batch(vec![
        invoices_record(a, feb(), vec![invoice("INV004", 30, dec!(1000000))]),
        bad,
    ]);
    match store.apply(&batch) {
        Err(SyncStoreError::Unknown(_)) => {}
        other => panic!("expected an Unknown error, got {other:?}"),
    }
    assert_eq!(
        known_inputs(&store, a, feb()).payments,
        before,
        "the first record was not applied"
    );
    assert_eq!(known_inputs(&store, b, feb()).payments, None);
    // Nor were its invoices kept: sending the seed invoices again gives the seed aggregate.
    apply(
        &store,
        &payments_batch(vec![invoices_record(a, feb(), seed_invoices())]),
    );
    assert_eq!(known_inputs(&store, a, feb()).payments, before);
}
