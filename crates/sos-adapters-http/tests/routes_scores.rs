//! Calculation, finalize, results, summaries, AM scores, runs and preview.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::http::Method;
use common::*;
use serde_json::{json, Value};
use sos_ports::Scope;

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

async fn calculate(app: &TestApp, body: Value) -> Resp {
    app.request(
        Method::POST,
        "/api/sos/monthly/calculate",
        Some(app.key(Scope::ScoresCalculate)),
        Some(&body),
    )
    .await
}

/// Adds SEL002 (AM 2) with weak February data: many late orders and slow tickets.
async fn add_weak_seller(app: &TestApp) {
    app.post(
        "/api/account-managers",
        &json!({"id": 2, "name": "Tran Thi B"}),
    )
    .await
    .assert_status(201);
    let mut seller = seller_body("SEL002");
    seller["am_id"] = json!(2);
    seller["onboarded_at"] = json!("2024-01-01");
    app.post("/api/sellers", &seller).await.assert_status(201);
    app.post("/api/sync/orders", &json!({"seller_code": "SEL002", "period": "2026-02", "total_orders": 100, "orders_within_30min": 70, "orders_late": 30}))
        .await
        .assert_status(200);
    app.post("/api/sync/tickets", &json!({"seller_code": "SEL002", "period": "2026-02", "total_tickets": 10, "breakdown": {"under_4h": 0, "4h_8h": 0, "8h_16h": 2, "over_16h": 8}}))
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn calculate_scores_the_readme_example() {
    let app = TestApp::seeded().await;
    let r = calculate(&app, json!({"period": "2026-02"})).await;
    r.assert_status(200);
    let run = r.json();
    assert_eq!(run["period"], "2026-02");
    assert_eq!(run["status"], "succeeded");
    assert_eq!(run["dry_run"], json!(false));
    assert_eq!(run["sellers_scored"], json!(1));
    assert_eq!(run["sellers_insufficient"], json!(0));
    assert_eq!(run["am_scored"], json!(1));
    assert_eq!(run["tiers"], json!({"Gold": 1}));
    assert_eq!(run["triggered_by"], "key-scores-calculate");
    assert_eq!(run["seller_codes"], Value::Null);
    assert_eq!(run["error"], Value::Null);
    assert!(run["id"].as_i64().unwrap() > 0);
    assert!(!run["config_ids"].as_array().unwrap().is_empty());

    let r = app
        .request(
            Method::GET,
            "/api/sos/sellers/SEL001/scores/2026-02",
            Some(app.key(Scope::ScoresRead)),
            None,
        )
        .await;
    r.assert_status(200);
    let s = r.json();
    assert_eq!(s["seller_code"], "SEL001");
    assert_eq!(s["period"], "2026-02");
    assert_eq!(s["status"], "scored");
    assert_eq!(s["am_id"], json!(1));
    assert_num(&s["sos_score"], 89.96);
    assert_eq!(
        s["sos_score"].to_string(),
        "89.96",
        "two decimals, as a JSON number"
    );
    assert_eq!(s["tier"], "Gold");
    for (component, score, weight) in [
        ("p_score", 100.0, 25.0),
        ("o_score", 85.0, 20.0),
        ("t_score", 88.80, 20.0),
        ("f_score", 91.0, 20.0),
        ("i_score", 80.0, 15.0),
    ] {
        let c = &s["components"][component];
        assert_eq!(c["status"], "scored", "{component}");
        assert_num(&c["score"], score);
        assert_num(&c["score_before_grace"], score);
        assert_num(&c["weight_pct"], weight);
        assert!(
            c["explanation"].is_object() && !c["explanation"].as_object().unwrap().is_empty(),
            "{component} has no explanation"
        );
    }
    assert_eq!(s["components"]["t_score"]["score"].to_string(), "88.80");
    // The explanation shows the intermediate figures and the config rows used.
    let o = &s["components"]["o_score"]["explanation"];
    assert_num(&o["late_pct"], 6.6667);
    assert_num(&o["penalty"], 15.0);
    assert_eq!(o["config"]["id"], s["config_ids"]["o_score"]);
    assert_eq!(
        s["components"]["t_score"]["explanation"]["weighted_points"],
        json!(2220)
    );
    assert_eq!(s["grace"]["applied"], json!(false));
    assert_eq!(s["surcharges"], json!([]));
    assert_eq!(s["next_tier"]["tier"], "Platinum");
    assert_num(&s["next_tier"]["points_needed"], 0.04);
    let weight_ids = &s["config_ids"]["score_weights"];
    for c in ["p_score", "o_score", "t_score", "f_score", "i_score"] {
        assert!(
            weight_ids[c].is_i64(),
            "config id of the {c} weight missing"
        );
    }
}

#[actix_web::test]
async fn dry_run_writes_nothing() {
    let app = TestApp::seeded().await;
    let r = calculate(&app, json!({"period": "2026-02", "dry_run": true})).await;
    r.assert_status(200);
    let run = r.json();
    assert_eq!(run["dry_run"], json!(true));
    assert_eq!(run["status"], "dry_run");
    assert_eq!(run["tiers"], json!({"Gold": 1}));
    assert_eq!(run["sellers_scored"], json!(1));
    let r = app.get("/api/sos/sellers/SEL001/scores/2026-02").await;
    r.assert_status(404);
    assert_eq!(r.error(), "No result for seller SEL001 in 2026-02");
    let page = app.get("/api/sos/monthly/2026-02/scores").await;
    assert_eq!(page.json()["total"], json!(0));
    assert_eq!(
        app.get("/api/sos/sellers/SEL001/scores").await.json(),
        json!([])
    );
    app.get("/api/sos/am/1/scores/2026-02")
        .await
        .assert_status(404);
    let runs = app.get("/api/sos/runs").await.json();
    assert!(
        runs.as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "dry_run"),
        "{runs}"
    );
}

#[actix_web::test]
async fn finalize_freezes_the_period() {
    let app = TestApp::seeded().await;
    calculate(&app, json!({"period": "2026-02"}))
        .await
        .assert_status(200);
    let r = app
        .request(
            Method::POST,
            "/api/sos/monthly/2026-02/finalize",
            Some(app.key(Scope::ScoresFinalize)),
            None,
        )
        .await;
    r.assert_status(200);
    assert_eq!(r.json(), json!({"period": "2026-02", "finalized": true}));
    assert_eq!(
        app.get("/api/sos/monthly/2026-02/summary").await.json()["finalized"],
        json!(true)
    );
    for body in [
        json!({"period": "2026-02"}),
        json!({"period": "2026-02", "dry_run": true}),
        json!({"period": "2026-02", "seller_codes": ["SEL001"]}),
    ] {
        let r = calculate(&app, body).await;
        r.assert_status(409);
        assert_eq!(
            r.error(),
            "Period 2026-02 is finalized; its results can no longer change"
        );
    }
    // The results stay readable and unchanged.
    let s = app.get("/api/sos/sellers/SEL001/scores/2026-02").await;
    s.assert_status(200);
    assert_num(&s.json()["sos_score"], 89.96);
    // Other periods are not affected.
    calculate(&app, json!({"period": "2026-03"}))
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn period_scores_list_with_filters() {
    let app = TestApp::seeded().await;
    add_weak_seller(&app).await;
    calculate(&app, json!({"period": "2026-02"}))
        .await
        .assert_status(200);
    let reader = app.key(Scope::ScoresRead).to_owned();
    let page = app
        .request(
            Method::GET,
            "/api/sos/monthly/2026-02/scores",
            Some(&reader),
            None,
        )
        .await;
    page.assert_status(200);
    let page = page.json();
    assert_eq!(page["total"], json!(2));
    assert_eq!(page["page"], json!(1));
    assert_eq!(page["limit"], json!(20));
    let weak = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["seller_code"] == "SEL002")
        .unwrap()
        .clone();
    let weak_tier = weak["tier"].as_str().unwrap().to_owned();
    assert_ne!(weak_tier, "Gold");
    assert!(num(&weak["sos_score"]) < 80.0);

    let gold = app
        .get("/api/sos/monthly/2026-02/scores?tier=Gold")
        .await
        .json();
    assert_eq!(gold["total"], json!(1));
    assert_eq!(gold["items"][0]["seller_code"], "SEL001");
    let by_tier = app
        .get(&format!("/api/sos/monthly/2026-02/scores?tier={weak_tier}"))
        .await
        .json();
    assert_eq!(by_tier["items"][0]["seller_code"], "SEL002");
    let am2 = app
        .get("/api/sos/monthly/2026-02/scores?am_id=2")
        .await
        .json();
    assert_eq!(am2["total"], json!(1));
    assert_eq!(am2["items"][0]["seller_code"], "SEL002");
    assert_eq!(am2["items"][0]["am_id"], json!(2));
    assert_eq!(
        app.get("/api/sos/monthly/2026-02/scores?status=scored")
            .await
            .json()["total"],
        json!(2)
    );
    assert_eq!(
        app.get("/api/sos/monthly/2026-02/scores?status=insufficient_data")
            .await
            .json()["total"],
        json!(0)
    );
    assert_eq!(
        app.get("/api/sos/monthly/2026-02/scores?tier=Platinum")
            .await
            .json()["total"],
        json!(0)
    );
    let one = app
        .get("/api/sos/monthly/2026-02/scores?limit=1&page=2")
        .await
        .json();
    assert_eq!(one["items"].as_array().unwrap().len(), 1);
    assert_eq!(one["total"], json!(2));
    // A period never calculated has no results.
    assert_eq!(
        app.get("/api/sos/monthly/2025-01/scores").await.json()["total"],
        json!(0)
    );
    for bad in [
        "status=great",
        "am_id=0",
        "tier=",
        "page=0",
        "limit=501",
        "colour=red",
    ] {
        let r = app
            .get(&format!("/api/sos/monthly/2026-02/scores?{bad}"))
            .await;
        r.assert_status(400);
    }
}

#[actix_web::test]
async fn summary_counts_tiers_and_averages_components() {
    let app = TestApp::seeded().await;
    add_weak_seller(&app).await;
    calculate(&app, json!({"period": "2026-02"}))
        .await
        .assert_status(200);
    let r = app
        .request(
            Method::GET,
            "/api/sos/monthly/2026-02/summary",
            Some(app.key(Scope::ScoresRead)),
            None,
        )
        .await;
    r.assert_status(200);
    let s = r.json();
    assert_eq!(s["period"], "2026-02");
    assert_eq!(s["finalized"], json!(false));
    assert_eq!(s["sellers"], json!(2));
    assert_eq!(s["scored"], json!(2));
    assert_eq!(s["insufficient_data"], json!(0));
    let tiers = s["tiers"].as_array().unwrap();
    let total: u64 = tiers.iter().map(|t| t["sellers"].as_u64().unwrap()).sum();
    assert_eq!(total, 2);
    assert!(tiers
        .iter()
        .any(|t| t["tier"] == "Gold" && t["sellers"] == json!(1)));
    let scores = app.get("/api/sos/monthly/2026-02/scores").await.json();
    let mean: f64 = scores["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| num(&i["sos_score"]))
        .sum::<f64>()
        / 2.0;
    assert!((num(&s["avg_sos_score"]) - mean).abs() < 0.01, "{s}");
    // SEL002 has no P, F or I: those averages are SEL001's alone.
    assert_num(&s["avg_components"]["p_score"], 100.0);
    assert_num(&s["avg_components"]["f_score"], 91.0);
    assert!(num(&s["avg_components"]["o_score"]) < 85.0);
    // A period with nothing: zero counts.
    let empty = app.get("/api/sos/monthly/2025-01/summary").await;
    empty.assert_status(200);
    assert_eq!(empty.json()["sellers"], json!(0));
}

#[actix_web::test]
async fn seller_history_newest_first() {
    let app = TestApp::seeded().await;
    let mut jan = orders_example();
    jan["period"] = json!("2026-01");
    app.post("/api/sync/orders", &jan).await.assert_status(200);
    calculate(&app, json!({"period": "2026-01"}))
        .await
        .assert_status(200);
    calculate(&app, json!({"period": "2026-02"}))
        .await
        .assert_status(200);
    let r = app
        .request(
            Method::GET,
            "/api/sos/sellers/SEL001/scores",
            Some(app.key(Scope::ScoresRead)),
            None,
        )
        .await;
    r.assert_status(200);
    let history = r.json();
    let periods: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["period"].as_str().unwrap())
        .collect();
    assert_eq!(periods, vec!["2026-02", "2026-01"]);
    assert_num(&history[0]["sos_score"], 89.96);
    assert!(history[0]["components"]["o_score"]["explanation"].is_object());
    let r = app.get("/api/sos/sellers/SEL404/scores").await;
    r.assert_status(404);
    assert_eq!(r.error(), "Seller SEL404 not found");
    let r = app.get("/api/sos/sellers/SEL404/scores/2026-02").await;
    r.assert_status(404);
    let r = app.get("/api/sos/sellers/SEL001/scores/2025-12").await;
    r.assert_status(404);
    assert_eq!(r.error(), "No result for seller SEL001 in 2025-12");
}

#[actix_web::test]
async fn am_score_with_its_sellers() {
    let app = TestApp::seeded().await;
    calculate(&app, json!({"period": "2026-02"}))
        .await
        .assert_status(200);
    let r = app
        .request(
            Method::GET,
            "/api/sos/am/1/scores/2026-02",
            Some(app.key(Scope::ScoresRead)),
            None,
        )
        .await;
    r.assert_status(200);
    let am = r.json();
    assert_eq!(am["am_id"], json!(1));
    assert_eq!(am["period"], "2026-02");
    assert_num(&am["avg_sos"], 89.96);
    assert_eq!(am["seller_count"], json!(1));
    assert_eq!(am["scored_seller_count"], json!(1));
    assert_num(&am["revenue_achievement_pct"], 90.0);
    // 89.96 * 50% + 90 * 30% over the 80% of weights with a value.
    assert_num(&am["kpi"], 89.98);
    assert_num(&am["kpi_parts"]["avg_sos"]["weight_pct"], 50.0);
    let sellers = am["sellers"].as_array().unwrap();
    assert_eq!(sellers.len(), 1);
    assert_eq!(sellers[0]["seller_code"], "SEL001");
    assert_eq!(sellers[0]["tier"], "Gold");
    let r = app.get("/api/sos/am/2/scores/2026-02").await;
    r.assert_status(404);
    assert_eq!(r.error(), "No AM score for account manager 2 in 2026-02");
    app.get("/api/sos/am/1/scores/2026-01")
        .await
        .assert_status(404);
    for bad in [
        "/api/sos/am/0/scores/2026-02",
        "/api/sos/am/x/scores/2026-02",
        "/api/sos/am/1/scores/2026-13",
    ] {
        app.get(bad).await.assert_status(400);
    }
}

#[actix_web::test]
async fn runs_list_with_config_ids() {
    let app = TestApp::seeded().await;
    calculate(&app, json!({"period": "2026-01"}))
        .await
        .assert_status(200);
    calculate(
        &app,
        json!({"period": "2026-02", "seller_codes": ["SEL001"]}),
    )
    .await
    .assert_status(200);
    let r = app
        .request(
            Method::GET,
            "/api/sos/runs",
            Some(app.key(Scope::ScoresRead)),
            None,
        )
        .await;
    r.assert_status(200);
    let runs = r.json();
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["period"], "2026-02", "newest first");
    assert_eq!(runs[0]["seller_codes"], json!(["SEL001"]));
    assert_eq!(runs[0]["status"], "succeeded");
    assert_eq!(runs[0]["triggered_by"], "key-scores-calculate");
    assert!(
        runs[0].get("tiers").is_none(),
        "tiers are in calculate answers only"
    );
    // The config ids used are the active default rows.
    let ids: Vec<i64> = runs[0]["config_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    let weights = app.get("/api/config/score-weights").await.json();
    for w in weights.as_array().unwrap() {
        assert!(
            ids.contains(&w["id"].as_i64().unwrap()),
            "weight row {} not in {ids:?}",
            w["id"]
        );
    }
    let only_jan = app.get("/api/sos/runs?period=2026-01").await.json();
    assert_eq!(only_jan.as_array().unwrap().len(), 1);
    assert_eq!(only_jan[0]["period"], "2026-01");
    assert_eq!(
        app.get("/api/sos/runs?limit=1")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    for bad in ["period=2026-13", "limit=0", "limit=501", "since=2026-01"] {
        app.get(&format!("/api/sos/runs?{bad}"))
            .await
            .assert_status(400);
    }
}

#[actix_web::test]
async fn preview_scores_the_api_md_body_and_stores_nothing() {
    let app = TestApp::seeded().await;
    let r = app
        .request(
            Method::POST,
            "/api/sos/preview",
            Some(app.key(Scope::ScoresCalculate)),
            Some(&preview_example()),
        )
        .await;
    r.assert_status(200);
    let p = r.json();
    assert_eq!(p["seller_code"], Value::Null);
    assert_eq!(p["period"], "2026-02");
    assert_eq!(p["status"], "scored");
    assert!(p.get("calculated_at").is_none());
    // Same O, T, P and I as the stored example; F is one invoice paid on time.
    assert_num(&p["components"]["o_score"]["score"], 85.0);
    assert_num(&p["components"]["t_score"]["score"], 88.80);
    assert_num(&p["components"]["p_score"]["score"], 100.0);
    assert_num(&p["components"]["i_score"]["score"], 80.0);
    assert_num(&p["components"]["f_score"]["score"], 100.0);
    // 25 + 17 + 17.76 + 20 + 12 = 91.76
    assert_num(&p["sos_score"], 91.76);
    assert_eq!(p["tier"], "Platinum");
    assert!(p["config_ids"]["score_weights"].is_object());
    // Nothing stored.
    assert_eq!(app.get("/api/sos/runs").await.json(), json!([]));
    assert_eq!(
        app.get("/api/sos/monthly/2026-02/scores").await.json()["total"],
        json!(0)
    );

    // Every part is optional.
    let r = app
        .post(
            "/api/sos/preview",
            &json!({"period": "2026-02", "orders": {"total_orders": 100, "orders_late": 0}}),
        )
        .await;
    r.assert_status(200);
    assert_num(&r.json()["components"]["o_score"]["score"], 100.0);
    assert_ne!(r.json()["components"]["p_score"]["status"], "scored");
    let r = app
        .post("/api/sos/preview", &json!({"period": "2026-02"}))
        .await;
    r.assert_status(200);
    assert_eq!(r.json()["status"], "insufficient_data");
    assert_eq!(r.json()["sos_score"], Value::Null);
    assert_eq!(r.json()["tier"], Value::Null);
}

#[actix_web::test]
async fn preview_validates_its_body() {
    let app = TestApp::seeded().await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({"period": "2026-13"}), "period"),
        (json!({}), "period"),
        (
            json!({"period": "2026-02", "previous_tier": ""}),
            "previous_tier",
        ),
        (
            json!({"period": "2026-02", "orders": {"total_orders": 1, "orders_late": 2}}),
            "orders.orders_late",
        ),
        (
            json!({"period": "2026-02", "orders": {"total_orders": -1}}),
            "orders.total_orders",
        ),
        (
            json!({"period": "2026-02", "tickets": {"breakdown": {"under_4h": 1}}}),
            "tickets.breakdown.4h_8h",
        ),
        (
            json!({"period": "2026-02", "payments": {"invoices": [{"invoice_id": "A", "days_late": 0, "amount": -5}]}}),
            "payments.invoices[0].amount",
        ),
        (
            json!({"period": "2026-02", "inventory": {"snapshot_date": "2026-02-28", "total_cbm": 1, "aging_over_90d_cbm": 2}}),
            "inventory.aging_over_90d_cbm",
        ),
        (
            json!({"period": "2026-02", "campaigns": [{"campaign_type": "flash", "start_date": "2026-02-14"}]}),
            "campaigns[0].campaign_type",
        ),
        (
            json!({"period": "2026-02", "seller_code": "SEL001"}),
            "seller_code",
        ),
    ];
    for (body, field) in cases {
        let r = app.post("/api/sos/preview", &body).await;
        r.assert_status(400);
        let f = fields(&r);
        assert!(
            f.iter().any(|x| x == field) || r.error().contains(field),
            "{body}: expected {field} in {}",
            r.text()
        );
    }
}

#[actix_web::test]
async fn weights_not_summing_to_100_answer_422() {
    let app = TestApp::seeded().await;
    let weights = app.get("/api/config/score-weights").await.json();
    let p_row = weights
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["score_component"] == "p_score")
        .unwrap();
    app.delete(&format!("/api/config/score-weights/{}", p_row["id"]))
        .await
        .assert_status(200);
    let r = calculate(&app, json!({"period": "2026-02"})).await;
    r.assert_status(422);
    let body = r.json();
    assert!(!body["error"].as_str().unwrap().is_empty());
    assert!(
        body["details"].as_array().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    let text = r.text();
    assert!(text.contains("100") || text.contains("weight"), "{text}");
    // Nothing was written, and preview refuses the same way.
    app.get("/api/sos/sellers/SEL001/scores/2026-02")
        .await
        .assert_status(404);
    app.post("/api/sos/preview", &preview_example())
        .await
        .assert_status(422);
    calculate(&app, json!({"period": "2026-02", "dry_run": true}))
        .await
        .assert_status(422);
    // Restoring a p_score weight makes it work again.
    app.post(
        "/api/config/score-weights",
        &json!({"score_component": "p_score", "weight_pct": 25, "effective_from": "2000-01-01"}),
    )
    .await
    .assert_status(201);
    calculate(&app, json!({"period": "2026-02"}))
        .await
        .assert_status(200);
}

#[actix_web::test]
async fn calculate_refuses_bad_requests() {
    let app = TestApp::seeded().await;
    let r = calculate(
        &app,
        json!({"period": "2026-02", "seller_codes": ["SEL001", "SEL404"]}),
    )
    .await;
    r.assert_status(404);
    assert_eq!(r.json(), json!({"error": "Seller SEL404 not found"}));
    let r = calculate(
        &app,
        json!({"period": "2026-02", "seller_codes": ["SEL404", "SEL405"]}),
    )
    .await;
    assert_eq!(r.error(), "Sellers SEL404, SEL405 not found");
    app.get("/api/sos/sellers/SEL001/scores/2026-02")
        .await
        .assert_status(404);
    let cases: Vec<(Value, &str)> = vec![
        (json!({"period": "2026-13"}), "period"),
        (json!({"period": "26-02"}), "period"),
        (json!({}), "period"),
        (json!({"period": 202602}), "period"),
        (
            json!({"period": "2026-02", "seller_codes": [""]}),
            "seller_codes[0]",
        ),
        (
            json!({"period": "2026-02", "seller_codes": "SEL001"}),
            "seller_codes",
        ),
        (json!({"period": "2026-02", "dry_run": "yes"}), "dry_run"),
        (json!({"period": "2026-02", "force": true}), "force"),
    ];
    for (body, field) in cases {
        let r = calculate(&app, body.clone()).await;
        r.assert_status(400);
        assert!(
            fields(&r).contains(&field.to_owned()),
            "{body}: {}",
            r.text()
        );
    }
    for body in [
        json!({"period": "2026-02", "seller_codes": []}),
        json!({"period": "2026-02", "seller_codes": ["SEL001", "SEL001"]}),
    ] {
        calculate(&app, body).await.assert_status(400);
    }
    let r = app
        .post_raw("/api/sos/monthly/calculate", Some("application/json"), "")
        .await;
    r.assert_status(400);
    let r = app
        .post_raw(
            "/api/sos/monthly/calculate",
            Some("text/plain"),
            "period=2026-02",
        )
        .await;
    r.assert_status(415);
}

#[actix_web::test]
async fn bad_periods_in_paths_answer_400() {
    let app = TestApp::seeded().await;
    for bad in ["2026-13", "26-02", "2026-1", "abcd-ef"] {
        let paths = [
            (Method::POST, format!("/api/sos/monthly/{bad}/finalize")),
            (Method::GET, format!("/api/sos/monthly/{bad}/scores")),
            (Method::GET, format!("/api/sos/monthly/{bad}/summary")),
            (Method::GET, format!("/api/sos/sellers/SEL001/scores/{bad}")),
            (Method::GET, format!("/api/sos/am/1/scores/{bad}")),
        ];
        for (method, path) in paths {
            let r = app
                .request(method.clone(), &path, Some(ADMIN_KEY), None)
                .await;
            r.assert_status(400);
            assert!(
                r.error().starts_with("Period"),
                "{method} {path}: {}",
                r.text()
            );
            assert_eq!(fields(&r), vec!["period"]);
        }
    }
    // A finalize with a bad period finalized nothing.
    calculate(&app, json!({"period": "2026-02"}))
        .await
        .assert_status(200);
}
