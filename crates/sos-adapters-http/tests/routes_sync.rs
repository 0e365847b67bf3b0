//! `POST /api/sync/*`: the seven sync kinds, as the seeds define them, and every way a call
//! can go wrong.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use serde_json::{json, Value};

const SYNC_PATHS: [&str; 7] = [
    "/api/sync/orders",
    "/api/sync/forecasts",
    "/api/sync/campaign-actuals",
    "/api/sync/tickets",
    "/api/sync/payments",
    "/api/sync/inventory",
    "/api/sync/revenue",
];

fn fields(r: &Resp) -> Vec<String> {
    r.json()["details"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|x| x["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// SEL001's stored 2026-02 result after a fresh calculation.
async fn result(app: &TestApp) -> Value {
    calculate_and_read(app).await
}

#[actix_web::test]
async fn every_seed_example_is_accepted_and_idempotent() {
    let app = TestApp::seeded().await;
    let first = result(&app).await;
    // The same calls again leave the same state.
    app.seed_sync().await;
    let second = result(&app).await;
    assert_eq!(first["sos_score"], second["sos_score"]);
    assert_eq!(first["components"], second["components"]);
    assert_num(&second["sos_score"], 89.96);
    assert_eq!(second["tier"], "Gold");
}

#[actix_web::test]
async fn stored_inputs_are_the_seed_values() {
    let app = TestApp::seeded().await;
    let r = result(&app).await;
    let c = &r["components"];
    let o = &c["o_score"]["explanation"]["inputs"];
    assert_eq!(o["total_orders"], json!(150));
    assert_eq!(o["orders_within_30min"], json!(140));
    assert_eq!(o["orders_late"], json!(10));
    assert_num(&o["avg_push_time_minutes"], 18.5);
    let t = &c["t_score"]["explanation"]["inputs"];
    assert_eq!(t["total_tickets"], json!(25));
    assert_eq!(
        t["breakdown"],
        json!({"under_4h": 18, "4h_8h": 4, "8h_16h": 2, "over_16h": 1})
    );
    let f = &c["f_score"]["explanation"];
    assert_eq!(f["total_invoices"], json!(10));
    assert_eq!(f["worst_days_late"], json!(12));
    assert_num(&f["total_outstanding_amount"], 15_000_000.0);
    let i = &c["i_score"]["explanation"];
    assert_eq!(i["inputs"]["snapshot_date"], "2026-02-28");
    assert_num(&i["inputs"]["total_cbm"], 150.5);
    // Derived: max(22.3 / 150.5, 1800 / 12000) * 100 = 15.
    assert_num(&i["aging_pct_used"], 15.0);
    let p = &c["p_score"]["explanation"]["campaigns"][0];
    assert_eq!(p["campaign_code"], "CAMP-2026-02");
    assert_eq!(p["first_submitted_at"], "2026-01-28T10:00:00Z");
    assert_eq!(p["judged_forecast"], json!(5000));
    assert_eq!(p["actual"], json!(4800));
    // Revenue: the derived achievement shows on the AM's KPI row.
    let am = app.get("/api/sos/am/1/scores/2026-02").await;
    am.assert_status(200);
    assert_num(&am.json()["revenue_achievement_pct"], 90.0);
    assert_num(&am.json()["revenue_target"], 500_000_000.0);
}

#[actix_web::test]
async fn arrays_answer_with_their_count() {
    let app = TestApp::new().await;
    app.seed_master().await;
    for (path, example) in seed_examples() {
        let r = app.post(path, &json!([example])).await;
        r.assert_status(200);
        assert_eq!(r.json(), json!({"success": true, "count": 1}), "{path}");
    }
    let batch: Vec<Value> = ["2026-01", "2026-02", "2026-03"]
        .iter()
        .map(
            |p| json!({"seller_code": "SEL001", "period": p, "total_orders": 10, "orders_late": 1}),
        )
        .collect();
    let r = app.post("/api/sync/orders", &Value::Array(batch)).await;
    r.assert_status(200);
    assert_eq!(r.json(), json!({"success": true, "count": 3}));
    let tickets: Vec<Value> = ["2026-01", "2026-02"]
        .iter()
        .map(|p| json!({"seller_code": "SEL001", "period": p, "total_tickets": 2, "breakdown": {"under_4h": 2, "4h_8h": 0, "8h_16h": 0, "over_16h": 0}}))
        .collect();
    let r = app.post("/api/sync/tickets", &Value::Array(tickets)).await;
    assert_eq!(r.json(), json!({"success": true, "count": 2}));
}

#[actix_web::test]
async fn unknown_seller_answers_404_with_the_seed_sentence() {
    let app = TestApp::new().await;
    // Campaign and AM exist; the seller does not.
    app.post("/api/account-managers", &am_body())
        .await
        .assert_status(201);
    app.post("/api/campaigns", &campaign_body())
        .await
        .assert_status(201);
    for (path, example) in seed_examples() {
        if path == "/api/sync/revenue" {
            continue;
        }
        let r = app.post(path, &example).await;
        r.assert_status(404);
        assert_eq!(
            r.json(),
            json!({"error": "Seller SEL001 not found"}),
            "{path}"
        );
    }
}

#[actix_web::test]
async fn unknown_account_manager_answers_404() {
    let app = TestApp::new().await;
    let r = app.post("/api/sync/revenue", &revenue_example()).await;
    r.assert_status(404);
    assert_eq!(r.json(), json!({"error": "Account manager 1 not found"}));
}

#[actix_web::test]
async fn unknown_campaign_answers_404_naming_it() {
    let app = TestApp::new().await;
    app.seed_master().await;
    for path in ["/api/sync/forecasts", "/api/sync/campaign-actuals"] {
        let mut body = if path.ends_with("forecasts") {
            forecast_example()
        } else {
            actuals_example()
        };
        body["campaign_code"] = json!("CAMP-X");
        let r = app.post(path, &body).await;
        r.assert_status(404);
        assert_eq!(
            r.json(),
            json!({"error": "Campaign CAMP-X not found"}),
            "{path}"
        );
    }
}

#[actix_web::test]
async fn missing_seller_or_period_answers_the_seed_sentence() {
    let app = TestApp::seeded().await;
    for (path, example) in seed_examples() {
        if ![
            "/api/sync/orders",
            "/api/sync/tickets",
            "/api/sync/payments",
        ]
        .contains(&path)
        {
            continue;
        }
        for missing in ["period", "seller_code"] {
            let mut body = example.clone();
            body.as_object_mut().unwrap().remove(missing);
            let r = app.post(path, &body).await;
            r.assert_status(400);
            assert_eq!(
                r.json(),
                json!({"error": "seller_code and period required"}),
                "{path} without {missing}"
            );
            // null counts as missing too.
            body[missing] = Value::Null;
            let r = app.post(path, &body).await;
            assert_eq!(
                r.json(),
                json!({"error": "seller_code and period required"}),
                "{path} with null {missing}"
            );
        }
    }
}

#[actix_web::test]
async fn other_missing_required_fields_are_named() {
    let app = TestApp::seeded().await;
    let cases = [
        ("/api/sync/forecasts", forecast_example(), "campaign_code"),
        (
            "/api/sync/forecasts",
            forecast_example(),
            "forecasted_order_volume",
        ),
        (
            "/api/sync/campaign-actuals",
            actuals_example(),
            "actual_order_volume",
        ),
        ("/api/sync/inventory", inventory_example(), "snapshot_date"),
        ("/api/sync/revenue", revenue_example(), "period"),
        ("/api/sync/revenue", revenue_example(), "revenue_actual"),
        ("/api/sync/orders", orders_example(), "total_orders"),
    ];
    for (path, mut body, field) in cases {
        body.as_object_mut().unwrap().remove(field);
        let r = app.post(path, &body).await;
        r.assert_status(400);
        assert!(
            r.error().contains(field),
            "{path} without {field}: {}",
            r.text()
        );
        assert!(
            fields(&r).iter().any(|f| f == field),
            "{path}: details do not name {field}: {}",
            r.text()
        );
    }
    // Payments need Format A or Format B.
    let r = app
        .post(
            "/api/sync/payments",
            &json!({"seller_code": "SEL001", "period": "2026-02"}),
        )
        .await;
    r.assert_status(400);
    assert_eq!(fields(&r), vec!["total_invoices"]);
}

#[actix_web::test]
async fn every_absent_or_null_required_field_is_named_at_once() {
    let app = TestApp::seeded().await;
    // The required list is the DTO's schema's, as the document shows it.
    let doc = sos_adapters_http::openapi::document();
    let required = |schema: &str| -> Vec<String> {
        doc["components"]["schemas"][schema]["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_owned())
            .collect()
    };
    assert!(required("ForecastSync").contains(&"forecasted_order_volume".to_owned()));
    let mut body = forecast_example();
    body.as_object_mut().unwrap().remove("campaign_code");
    body["forecasted_order_volume"] = Value::Null;
    let r = app.post("/api/sync/forecasts", &body).await;
    r.assert_status(400);
    assert_eq!(
        r.json(),
        json!({"error": "2 fields are invalid", "details": [
            {"field": "campaign_code", "message": "is required"},
            {"field": "forecasted_order_volume", "message": "is required"},
        ]})
    );
    // A flattened figure counts too, and does not turn into the seed's sentence.
    assert!(required("OrderSync").contains(&"total_orders".to_owned()));
    let mut body = orders_example();
    body["total_orders"] = Value::Null;
    let r = app.post("/api/sync/orders", &body).await;
    r.assert_status(400);
    assert_eq!(fields(&r), vec!["total_orders"]);
    assert_eq!(r.error(), "total_orders: is required");
}

#[actix_web::test]
async fn payments_format_b_is_aggregated_from_the_invoices() {
    let app = TestApp::seeded().await;
    let r = app
        .post("/api/sync/payments", &payments_format_b_example())
        .await;
    r.assert_status(200);
    assert_eq!(r.json(), json!({"success": true}));
    let result = result(&app).await;
    let f = &result["components"]["f_score"];
    let e = &f["explanation"];
    assert_eq!(e["total_invoices"], json!(3));
    assert_eq!(e["worst_days_late"], json!(12));
    assert_num(&e["total_outstanding_amount"], 15_000_000.0);
    let counts: Vec<(String, Value)> = e["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["bucket"].as_str().unwrap().to_owned(), b["count"].clone()))
        .collect();
    assert_eq!(counts[0], ("invoices_on_time".to_owned(), json!(1)));
    assert_eq!(counts[1].1, json!(1), "5 days late is in the 1-7 bucket");
    assert_eq!(counts[2].1, json!(1), "12 days late is in the 8-15 bucket");
    assert_eq!(counts[3].1, json!(0));
    assert_eq!(counts[4].1, json!(0));
    // (100 + 80 + 50) / 3
    assert_num(&f["score"], 76.67);

    // Format B of the preview gives the same F.
    let mut preview = preview_example();
    preview["payments"] = json!({"invoices": payments_format_b_example()["invoices"]});
    let p = app.post("/api/sos/preview", &preview).await;
    p.assert_status(200);
    assert_num(&p.json()["components"]["f_score"]["score"], 76.67);
}

/// Format B with an empty `invoices` list is a period with no invoices: stored with zero
/// counts and F is N/A, exactly as Format A with zero counts.
#[actix_web::test]
async fn payments_format_b_without_invoices_is_a_period_with_none() {
    let f_score_after = |payment: Value| async move {
        let app = TestApp::new().await;
        app.seed_master().await;
        app.post("/api/sync/orders", &orders_example())
            .await
            .assert_status(200);
        let r = app.post("/api/sync/payments", &payment).await;
        r.assert_status(200);
        assert_eq!(r.json(), json!({"success": true}), "{payment}");
        result(&app).await["components"]["f_score"].clone()
    };
    let empty_b = f_score_after(
        json!({"seller_code": "SEL001", "period": "2026-02", "invoices": [], "currency": "VND"}),
    )
    .await;
    assert_eq!(empty_b["status"], "not_applicable", "{empty_b}");
    assert_eq!(empty_b["score"], Value::Null);
    assert_eq!(empty_b["explanation"]["total_invoices"], json!(0));
    // No invoices outstand nothing: the sum of none is 0.
    let zero_a = f_score_after(json!({"seller_code": "SEL001", "period": "2026-02",
        "total_invoices": 0, "total_outstanding_amount": 0, "currency": "VND"}))
    .await;
    assert_eq!(empty_b, zero_a);

    // The preview reads an empty list the same way.
    let mut preview = preview_example();
    preview["payments"] = json!({"invoices": []});
    let p = app_preview(&preview).await;
    assert_eq!(p["components"]["f_score"]["status"], "not_applicable");
    assert_eq!(p["components"]["f_score"]["score"], Value::Null);
}

/// The preview's answer to `body`, on a fresh app.
async fn app_preview(body: &Value) -> Value {
    let app = TestApp::seeded().await;
    let r = app.post("/api/sos/preview", body).await;
    r.assert_status(200);
    r.json()
}

#[actix_web::test]
async fn payments_reject_bad_invoices_and_mixed_formats() {
    let app = TestApp::seeded().await;
    let mut both = payments_format_b_example();
    both["total_invoices"] = json!(3);
    let r = app.post("/api/sync/payments", &both).await;
    r.assert_status(400);
    assert_eq!(fields(&r), vec!["invoices"]);

    let mut dup = payments_format_b_example();
    dup["invoices"][1]["invoice_id"] = json!("INV001");
    let r = app.post("/api/sync/payments", &dup).await;
    r.assert_status(400);
    assert!(
        fields(&r).contains(&"invoices[1].invoice_id".to_owned()),
        "{}",
        r.text()
    );

    let mut negative = payments_format_b_example();
    negative["invoices"][2]["amount"] = json!(-1);
    let r = app.post("/api/sync/payments", &negative).await;
    r.assert_status(400);
    assert!(
        fields(&r).contains(&"invoices[2].amount".to_owned()),
        "{}",
        r.text()
    );

    let mut unknown = payments_format_b_example();
    unknown["invoices"][0]["paid"] = json!(true);
    let r = app.post("/api/sync/payments", &unknown).await;
    r.assert_status(400);
    assert!(r.error().contains("paid"), "{}", r.text());

    let mut too_many = payments_example();
    too_many["invoices_on_time"] = json!(10);
    let r = app.post("/api/sync/payments", &too_many).await;
    r.assert_status(400);
    assert_eq!(fields(&r), vec!["total_invoices"]);

    let mut positional = payments_format_b_example();
    positional["invoices"][1] = json!(["INV002", 5, 3000000]);
    let r = app.post("/api/sync/payments", &positional).await;
    r.assert_status(400);
    assert_eq!(fields(&r), vec!["invoices[1]"], "{}", r.text());

    // Format B carries none of Format A's figures.
    for field in ["invoices_on_time", "invoices_late_1_7", "worst_days_late"] {
        let mut mixed = payments_format_b_example();
        mixed[field] = json!(1);
        let r = app.post("/api/sync/payments", &mixed).await;
        r.assert_status(400);
        assert_eq!(fields(&r), vec!["invoices"], "{field}");
        assert!(r.error().contains("not both"), "{}", r.text());
    }
    let mut null_figures = payments_format_b_example();
    null_figures["invoices_on_time"] = Value::Null;
    app.post("/api/sync/payments", &null_figures)
        .await
        .assert_status(200);

    let mut currency = payments_example();
    currency["currency"] = json!("dong");
    let r = app.post("/api/sync/payments", &currency).await;
    r.assert_status(400);
    assert_eq!(fields(&r), vec!["currency"]);
}

fn raw_orders() -> Value {
    json!({"seller_code": "SEL001", "orders": [
        {"order_id": "O-1", "created_at": "2026-03-02T10:00:00Z", "pushed_at": "2026-03-02T10:10:00Z", "status": "pushed"},
        {"order_id": "O-2", "created_at": "2026-03-02T10:00:00Z", "pushed_at": "2026-03-02T11:00:00Z", "status": "fulfilled"},
        {"order_id": "O-3", "created_at": "2026-03-03T08:00:00Z", "pushed_at": null, "status": "pending"},
        {"order_id": "O-4", "created_at": "2026-03-03T08:00:00Z", "pushed_at": null, "status": "cancelled"}
    ]})
}

async fn march_orders(app: &TestApp) -> Value {
    app.post(
        "/api/sos/monthly/calculate",
        &json!({"period": "2026-03", "seller_codes": ["SEL001"]}),
    )
    .await
    .assert_status(200);
    let r = app.get("/api/sos/sellers/SEL001/scores/2026-03").await;
    r.assert_status(200);
    r.json()["components"]["o_score"]["explanation"]["inputs"].clone()
}

#[actix_web::test]
async fn raw_orders_are_kept_by_id_and_aggregated() {
    let app = TestApp::seeded().await;
    let r = app.post("/api/sync/orders", &raw_orders()).await;
    r.assert_status(200);
    assert_eq!(r.json(), json!({"success": true}));
    let o = march_orders(&app).await;
    // Cancelled left out; O-1 within 30 minutes; O-2 late; O-3 never pushed and long past the limit.
    assert_eq!(o["total_orders"], json!(3));
    assert_eq!(o["orders_within_30min"], json!(1));
    assert_eq!(o["orders_late"], json!(2));

    // The same call again changes nothing (orders are kept by order_id).
    app.post("/api/sync/orders", &raw_orders())
        .await
        .assert_status(200);
    assert_eq!(march_orders(&app).await["total_orders"], json!(3));

    // O-3 pushed in time now, and a new order: the aggregate is recomputed from every stored order.
    let update = json!({"seller_code": "SEL001", "orders": [
        {"order_id": "O-3", "created_at": "2026-03-03T08:00:00Z", "pushed_at": "2026-03-03T08:05:00Z", "status": "pushed"},
        {"order_id": "O-5", "created_at": "2026-03-04T08:00:00Z", "pushed_at": "2026-03-04T08:29:00Z", "status": "pushed"}
    ]});
    let r = app.post("/api/sync/orders", &json!([update])).await;
    assert_eq!(r.json(), json!({"success": true, "count": 1}));
    let o = march_orders(&app).await;
    assert_eq!(o["total_orders"], json!(4));
    assert_eq!(o["orders_within_30min"], json!(3));
    assert_eq!(o["orders_late"], json!(1));
    // February's pre-aggregated figures are untouched.
    let feb = result(&app).await;
    assert_eq!(
        feb["components"]["o_score"]["explanation"]["inputs"]["total_orders"],
        json!(150)
    );
}

#[actix_web::test]
async fn raw_orders_are_validated() {
    let app = TestApp::seeded().await;
    let mut bad_status = raw_orders();
    bad_status["orders"][0]["status"] = json!("shipped");
    let r = app.post("/api/sync/orders", &bad_status).await;
    r.assert_status(400);
    assert!(r.error().contains("shipped"), "{}", r.text());

    let mut dup = raw_orders();
    dup["orders"][1]["order_id"] = json!("O-1");
    let r = app.post("/api/sync/orders", &dup).await;
    r.assert_status(400);
    assert_eq!(fields(&r), vec!["orders[1].order_id"]);

    let mut early = raw_orders();
    early["orders"][0]["pushed_at"] = json!("2026-03-01T00:00:00Z");
    let r = app.post("/api/sync/orders", &early).await;
    r.assert_status(400);
    assert_eq!(fields(&r), vec!["orders[0].pushed_at"]);

    let r = app
        .post(
            "/api/sync/orders",
            &json!({"seller_code": "SEL001", "orders": []}),
        )
        .await;
    r.assert_status(400);
    assert_eq!(fields(&r), vec!["orders"]);

    let r = app
        .post("/api/sync/orders", &json!([raw_orders(), orders_example()]))
        .await;
    r.assert_status(400);
    assert!(r.error().contains("mix"), "{}", r.text());

    // An order's UTC month is its period: periods run from 2000-01 to 9999-12.
    for created in [
        "1999-12-31T23:59:59Z",
        "2000-01-01T00:30:00+01:00",
        "1198-09-21T06:19:34-19:15",
    ] {
        let mut old = raw_orders();
        old["orders"][0]["created_at"] = json!(created);
        old["orders"][0]["pushed_at"] = Value::Null;
        let r = app.post("/api/sync/orders", &old).await;
        r.assert_status(400);
        assert_eq!(
            fields(&r),
            vec!["orders[0].created_at"],
            "{created}: {}",
            r.text()
        );
    }

    let mut unknown = raw_orders();
    unknown["seller_code"] = json!("SEL404");
    let r = app.post("/api/sync/orders", &unknown).await;
    r.assert_status(404);
    assert_eq!(r.json(), json!({"error": "Seller SEL404 not found"}));

    // Nothing of the refused calls was stored: March has no orders.
    app.post(
        "/api/sos/monthly/calculate",
        &json!({"period": "2026-03", "seller_codes": ["SEL001"]}),
    )
    .await
    .assert_status(200);
    let r = app.get("/api/sos/sellers/SEL001/scores/2026-03").await;
    if r.status == 200 {
        assert_ne!(
            r.json()["components"]["o_score"]["status"],
            "scored",
            "{}",
            r.text()
        );
    } else {
        r.assert_status(404);
    }
}

#[actix_web::test]
async fn a_batch_with_one_invalid_item_is_refused_whole() {
    let app = TestApp::seeded().await;
    let good = json!({"seller_code": "SEL001", "period": "2026-02", "total_orders": 999, "orders_late": 0});
    let bad = json!({"seller_code": "SEL001", "period": "2026-13", "total_orders": 1});
    let worse = json!({"seller_code": "SEL001", "total_orders": -4});
    let r = app
        .post("/api/sync/orders", &json!([good, bad, worse]))
        .await;
    r.assert_status(400);
    let f = fields(&r);
    assert!(f.contains(&"[1].period".to_owned()), "{}", r.text());
    assert!(f.iter().any(|x| x.starts_with("[2].")), "{}", r.text());
    assert!(!f.iter().any(|x| x.starts_with("[0]")), "{}", r.text());
    assert!(r.error().contains("nothing was written"), "{}", r.text());
    // A batch never answers with the single-object seed sentence; it names the index.
    let r = app
        .post(
            "/api/sync/tickets",
            &json!([tickets_example(), {"seller_code": "SEL001"}]),
        )
        .await;
    r.assert_status(400);
    assert_eq!(fields(&r), vec!["[1].period"]);
    // Nothing written: February still holds the seed figures.
    let result = result(&app).await;
    assert_eq!(
        result["components"]["o_score"]["explanation"]["inputs"]["total_orders"],
        json!(150)
    );
}

#[actix_web::test]
async fn a_batch_with_an_unknown_seller_is_refused_whole() {
    let app = TestApp::seeded().await;
    let good = json!({"seller_code": "SEL001", "period": "2026-02", "total_orders": 999, "orders_late": 0});
    let unknown = json!({"seller_code": "SEL999", "period": "2026-02", "total_orders": 1});
    let r = app.post("/api/sync/orders", &json!([good, unknown])).await;
    r.assert_status(404);
    assert_eq!(r.error(), "Seller SEL999 not found");
    let r = app
        .post("/api/sync/orders", &json!([good, unknown, {"seller_code": "SEL998", "period": "2026-02", "total_orders": 1}]))
        .await;
    r.assert_status(404);
    assert_eq!(r.error(), "Sellers SEL998, SEL999 not found");
    let result = result(&app).await;
    assert_eq!(
        result["components"]["o_score"]["explanation"]["inputs"]["total_orders"],
        json!(150)
    );
}

#[actix_web::test]
async fn a_batch_repeating_an_upsert_key_is_refused() {
    let app = TestApp::seeded().await;
    let r = app
        .post(
            "/api/sync/orders",
            &json!([orders_example(), orders_example()]),
        )
        .await;
    r.assert_status(400);
    assert_eq!(fields(&r), vec!["[1]"]);
}

#[actix_web::test]
async fn bad_periods_are_refused() {
    let app = TestApp::seeded().await;
    for period in [
        "2026-13", "26-02", "2026-2", "2026-00", "1999-12", "2026/02", "",
    ] {
        for (path, example) in seed_examples() {
            if example.get("period").is_none() {
                continue;
            }
            let mut body = example.clone();
            body["period"] = json!(period);
            let r = app.post(path, &body).await;
            r.assert_status(400);
            assert_eq!(fields(&r), vec!["period"], "{path} {period}: {}", r.text());
            assert!(r.error().starts_with("period"), "{}", r.text());
        }
    }
    let mut inventory = inventory_example();
    inventory["snapshot_date"] = json!("2026-02-30");
    let r = app.post("/api/sync/inventory", &inventory).await;
    r.assert_status(400);
    assert_eq!(fields(&r), vec!["snapshot_date"]);
}

#[actix_web::test]
async fn negative_and_out_of_range_figures_are_refused() {
    let app = TestApp::seeded().await;
    let cases: Vec<(&str, Value, &str, Value)> = vec![
        (
            "/api/sync/orders",
            orders_example(),
            "total_orders",
            json!(-1),
        ),
        (
            "/api/sync/orders",
            orders_example(),
            "orders_late",
            json!(-10),
        ),
        (
            "/api/sync/orders",
            orders_example(),
            "avg_push_time_minutes",
            json!(-0.5),
        ),
        (
            "/api/sync/orders",
            orders_example(),
            "total_orders",
            json!(4_294_967_296_u64),
        ),
        (
            "/api/sync/orders",
            orders_example(),
            "total_orders",
            json!(1.5),
        ),
        (
            "/api/sync/tickets",
            tickets_example(),
            "total_tickets",
            json!(-25),
        ),
        (
            "/api/sync/tickets",
            tickets_example(),
            "avg_response_time_hours",
            json!(-3.5),
        ),
        (
            "/api/sync/payments",
            payments_example(),
            "invoices_late_1_7",
            json!(-2),
        ),
        (
            "/api/sync/payments",
            payments_example(),
            "total_outstanding_amount",
            json!(-1),
        ),
        (
            "/api/sync/inventory",
            inventory_example(),
            "total_sku_qty",
            json!(-1),
        ),
        (
            "/api/sync/inventory",
            inventory_example(),
            "aging_over_180d_pct",
            json!(101),
        ),
        (
            "/api/sync/inventory",
            inventory_example(),
            "aging_over_90d_cbm",
            json!(151),
        ),
        (
            "/api/sync/forecasts",
            forecast_example(),
            "forecasted_order_volume",
            json!(-5000),
        ),
        (
            "/api/sync/campaign-actuals",
            actuals_example(),
            "actual_order_volume",
            json!(-1),
        ),
        (
            "/api/sync/revenue",
            revenue_example(),
            "revenue_target",
            json!(-1),
        ),
        ("/api/sync/revenue", revenue_example(), "am_id", json!(0)),
    ];
    for (path, mut body, field, value) in cases {
        body[field] = value.clone();
        let r = app.post(path, &body).await;
        r.assert_status(400);
        assert_eq!(fields(&r)[0], field, "{path} {field}={value}: {}", r.text());
    }
    // The breakdown's buckets too.
    let mut t = tickets_example();
    t["breakdown"]["over_16h"] = json!(-1);
    let r = app.post("/api/sync/tickets", &t).await;
    r.assert_status(400);
    assert_eq!(fields(&r), vec!["breakdown.over_16h"]);
}

#[actix_web::test]
async fn more_late_orders_than_orders_is_refused() {
    let app = TestApp::seeded().await;
    let body = json!({"seller_code": "SEL001", "period": "2026-02", "total_orders": 10, "orders_late": 11});
    let r = app.post("/api/sync/orders", &body).await;
    r.assert_status(400);
    assert_eq!(fields(&r), vec!["orders_late"]);
    assert!(
        r.error().contains("must not exceed total_orders (10)"),
        "{}",
        r.text()
    );
    let body = json!({"seller_code": "SEL001", "period": "2026-02", "total_orders": 10, "orders_within_30min": 6, "orders_late": 5});
    app.post("/api/sync/orders", &body).await.assert_status(400);
}

#[actix_web::test]
async fn wrong_json_types_are_refused_naming_the_field() {
    let app = TestApp::seeded().await;
    let cases: Vec<(&str, Value, &str, Value)> = vec![
        (
            "/api/sync/orders",
            orders_example(),
            "total_orders",
            json!("150"),
        ),
        (
            "/api/sync/orders",
            orders_example(),
            "seller_code",
            json!(1),
        ),
        (
            "/api/sync/orders",
            orders_example(),
            "period",
            json!(202602),
        ),
        (
            "/api/sync/orders",
            orders_example(),
            "total_orders",
            json!(true),
        ),
        (
            "/api/sync/tickets",
            tickets_example(),
            "breakdown",
            json!("18,4,2,1"),
        ),
        // An array is not an object, even with the fields in order.
        (
            "/api/sync/tickets",
            tickets_example(),
            "breakdown",
            json!([18, 4, 2, 1]),
        ),
        (
            "/api/sync/forecasts",
            forecast_example(),
            "submitted_at",
            json!("yesterday"),
        ),
        (
            "/api/sync/forecasts",
            forecast_example(),
            "notes",
            json!({"text": "x"}),
        ),
        (
            "/api/sync/inventory",
            inventory_example(),
            "total_sku_qty",
            json!([1]),
        ),
        (
            "/api/sync/payments",
            payments_example(),
            "invoices",
            json!("INV001"),
        ),
        ("/api/sync/revenue", revenue_example(), "am_id", json!("1")),
    ];
    for (path, mut body, field, value) in cases {
        body[field] = value.clone();
        let r = app.post(path, &body).await;
        r.assert_status(400);
        assert_eq!(
            fields(&r),
            vec![field.to_owned()],
            "{path} {field}={value}: {}",
            r.text()
        );
    }
}

#[actix_web::test]
async fn unknown_enum_values_and_bucket_names_are_refused() {
    let app = TestApp::seeded().await;
    let mut t = tickets_example();
    t["breakdown"]["over_24h"] = json!(1);
    let r = app.post("/api/sync/tickets", &t).await;
    r.assert_status(400);
    assert!(r.error().contains("over_24h"), "{}", r.text());
    let mut t = tickets_example();
    t["breakdown"].as_object_mut().unwrap().remove("8h_16h");
    let r = app.post("/api/sync/tickets", &t).await;
    r.assert_status(400);
    assert!(r.error().contains("8h_16h"), "{}", r.text());
    let mut raw = raw_orders();
    raw["orders"][2]["status"] = json!("PUSHED");
    app.post("/api/sync/orders", &raw).await.assert_status(400);
}

#[actix_web::test]
async fn too_many_items_are_refused() {
    let app = TestApp::seeded().await;
    let items: Vec<Value> = (0..1001)
        .map(|i| json!({"seller_code": "SEL001", "period": format!("{}-{:02}", 2001 + i / 12, i % 12 + 1), "total_orders": 1}))
        .collect();
    let r = app
        .post("/api/sync/orders", &Value::Array(items.clone()))
        .await;
    r.assert_status(400);
    assert!(r.error().contains("1000"), "{}", r.text());
    // Exactly 1,000 is fine, even past the 1 MiB single-object limit.
    let padded: Vec<Value> = items[..1000]
        .iter()
        .cloned()
        .map(|mut v| {
            v["avg_push_time_minutes"] = json!(1.25);
            v["note_ignored"] = json!("x".repeat(1100));
            v
        })
        .collect();
    let body = Value::Array(padded);
    assert!(serde_json::to_vec(&body).unwrap().len() > 1024 * 1024);
    let r = app.post("/api/sync/orders", &body).await;
    r.assert_status(200);
    assert_eq!(r.json(), json!({"success": true, "count": 1000}));
    let r = app.post("/api/sync/orders", &json!([])).await;
    r.assert_status(400);
}

#[actix_web::test]
async fn bodies_over_the_limits_answer_413() {
    let app = TestApp::seeded().await;
    let mut big = forecast_example();
    big["notes"] = json!("n".repeat(1024 * 1024));
    let r = app.post("/api/sync/forecasts", &big).await;
    r.assert_status(413);
    assert!(r.error().contains("1 MiB"), "{}", r.text());
    // Past the 16 MiB array limit: 413 in the API's error shape.
    let huge = format!("[{}]", vec![orders_example().to_string(); 1].join(","))
        + &" ".repeat(17 * 1024 * 1024);
    let r = app
        .post_raw("/api/sync/orders", Some("application/json"), huge)
        .await;
    r.assert_status(413);
    assert!(r.json()["error"].is_string(), "{}", r.text());
}

#[actix_web::test]
async fn malformed_empty_and_non_json_bodies_are_refused() {
    let app = TestApp::seeded().await;
    for path in SYNC_PATHS {
        let r = app
            .post_raw(
                path,
                Some("application/json"),
                "{\"seller_code\": \"SEL001\",",
            )
            .await;
        r.assert_status(400);
        assert!(r.error().starts_with("Malformed JSON"), "{}", r.text());

        let r = app.post_raw(path, Some("application/json"), "").await;
        r.assert_status(400);
        assert!(r.error().contains("empty"), "{}", r.text());

        let r = app
            .post_raw(path, Some("text/plain"), orders_example().to_string())
            .await;
        r.assert_status(415);
        assert_eq!(r.error(), "Content-Type must be application/json");

        let r = app.post_raw(path, None, orders_example().to_string()).await;
        r.assert_status(415);

        for scalar in ["42", "\"text\"", "null", "true"] {
            let r = app.post_raw(path, Some("application/json"), scalar).await;
            r.assert_status(400);
        }
        let r = app.post_raw(path, Some("application/json"), "[1]").await;
        r.assert_status(400);
        assert_eq!(fields(&r), vec!["[0]"]);
    }
    // A charset parameter is fine.
    let r = app
        .post_raw(
            "/api/sync/orders",
            Some("application/json; charset=utf-8"),
            orders_example().to_string(),
        )
        .await;
    r.assert_status(200);
    // Deep nesting is refused before parsing.
    let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
    let r = app
        .post_raw("/api/sync/orders", Some("application/json"), deep)
        .await;
    r.assert_status(400);
}

#[actix_web::test]
async fn newer_inventory_snapshot_wins() {
    let app = TestApp::seeded().await;
    let mut older = inventory_example();
    older["snapshot_date"] = json!("2026-02-10");
    older["total_cbm"] = json!(10);
    older["aging_over_90d_cbm"] = json!(1);
    older["aging_over_180d_cbm"] = json!(1);
    app.post("/api/sync/inventory", &older)
        .await
        .assert_status(200);
    let r = result(&app).await;
    assert_eq!(
        r["components"]["i_score"]["explanation"]["inputs"]["snapshot_date"],
        "2026-02-28"
    );
    assert_num(
        &r["components"]["i_score"]["explanation"]["inputs"]["total_cbm"],
        150.5,
    );
}

#[actix_web::test]
async fn a_new_forecast_instant_is_a_new_version() {
    let app = TestApp::seeded().await;
    let mut later = forecast_example();
    later["submitted_at"] = json!("2026-02-10T00:00:00Z");
    later["forecasted_order_volume"] = json!(1000);
    app.post("/api/sync/forecasts", &later)
        .await
        .assert_status(200);
    let r = result(&app).await;
    let c = &r["components"]["p_score"]["explanation"]["campaigns"][0];
    // The first submission stays the first; timeliness is judged on it.
    assert_eq!(c["first_submitted_at"], "2026-01-28T10:00:00Z");
    assert_eq!(c["days_late"], json!(0));
    // Without submitted_at the server uses "now", accepted as another version.
    let mut now = forecast_example();
    now.as_object_mut().unwrap().remove("submitted_at");
    app.post("/api/sync/forecasts", &now)
        .await
        .assert_status(200);
}
