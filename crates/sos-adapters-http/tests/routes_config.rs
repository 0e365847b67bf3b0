//! `/api/config/{type}`: one generic CRUD for the 12 config types.

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

fn ids(list: &Value) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

/// The row's own fields equal what was written.
#[track_caller]
fn assert_row_has(row: &Value, body: &Value) {
    for (k, v) in body.as_object().unwrap() {
        if k == "api_key" || k == "api_secret" {
            assert_eq!(row[k], "********", "{k} must be masked");
            continue;
        }
        let same = match (v, &row[k]) {
            (Value::Number(_), Value::Number(_)) => (num(v) - num(&row[k])).abs() < 1e-9,
            (a, b) => a == b,
        };
        assert!(same, "field {k}: wrote {v}, row has {}", row[k]);
    }
}

#[actix_web::test]
async fn every_type_supports_the_full_crud_cycle() {
    let app = TestApp::new().await;
    let writer = app.key(Scope::ConfigWrite).to_owned();
    let reader = app.key(Scope::ConfigRead).to_owned();
    for (t, body, field, new_value) in config_examples() {
        let base = format!("/api/config/{t}");
        let before = app.request(Method::GET, &base, Some(&reader), None).await;
        before.assert_status(200);
        let before = ids(&before.json());

        // Create: 201 with the row and the server's fields.
        let created = app
            .request(Method::POST, &base, Some(&writer), Some(&body))
            .await;
        created.assert_status(201);
        let row = created.json();
        let id = row["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("{t}: no id in {row}"));
        assert!(id > 0);
        assert_eq!(row["is_active"], json!(true), "{t}");
        assert_eq!(row["created_by"], "key-config-write", "{t}");
        assert_eq!(row["updated_by"], "key-config-write", "{t}");
        assert!(row["created_at"].as_str().unwrap().ends_with('Z'), "{t}");
        assert_eq!(row["created_at"], row["updated_at"], "{t}");
        assert_row_has(&row, &body);
        if t == "p-score" || t == "helpdesk" {
            assert!(
                row.get("effective_from").is_none(),
                "{t} rows have no dates: {row}"
            );
        } else {
            assert_eq!(row["effective_to"], Value::Null, "{t}");
        }

        // Get: the same row.
        let got = app
            .request(Method::GET, &format!("{base}/{id}"), Some(&reader), None)
            .await;
        got.assert_status(200);
        assert_eq!(got.json(), row, "{t}");

        // List: the new row joins the active ones.
        let list = app.request(Method::GET, &base, Some(&reader), None).await;
        list.assert_status(200);
        let after = ids(&list.json());
        assert_eq!(after.len(), before.len() + 1, "{t}");
        assert!(after.contains(&id), "{t}");

        // Update: the full row, with one field changed.
        let mut changed = body.clone();
        changed[field] = new_value.clone();
        let updated = app
            .request(
                Method::PUT,
                &format!("{base}/{id}"),
                Some(&writer),
                Some(&changed),
            )
            .await;
        updated.assert_status(200);
        let updated = updated.json();
        assert_eq!(updated["id"], json!(id));
        assert_row_has(&updated, &changed);
        assert_eq!(updated["created_at"], row["created_at"], "{t}");
        let got = app
            .request(Method::GET, &format!("{base}/{id}"), Some(&reader), None)
            .await;
        assert_row_has(&got.json(), &changed);

        // Soft delete: the row stays, inactive.
        let deleted = app
            .request(Method::DELETE, &format!("{base}/{id}"), Some(&writer), None)
            .await;
        deleted.assert_status(200);
        assert_eq!(deleted.json()["is_active"], json!(false), "{t}");
        assert_eq!(deleted.json()["id"], json!(id));
        let got = app
            .request(Method::GET, &format!("{base}/{id}"), Some(&reader), None)
            .await;
        got.assert_status(200);
        assert_eq!(got.json()["is_active"], json!(false), "{t}");
        assert_row_has(&got.json(), &changed);
        let active = app.request(Method::GET, &base, Some(&reader), None).await;
        assert_eq!(
            ids(&active.json()),
            before,
            "{t}: an inactive row is not listed"
        );
        let all = app
            .request(
                Method::GET,
                &format!("{base}?include_inactive=true"),
                Some(&reader),
                None,
            )
            .await;
        all.assert_status(200);
        let all_rows = all.json();
        let listed = all_rows
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == json!(id))
            .unwrap();
        assert_eq!(listed["is_active"], json!(false));
        let explicit = app
            .request(
                Method::GET,
                &format!("{base}?include_inactive=false"),
                Some(&reader),
                None,
            )
            .await;
        assert_eq!(ids(&explicit.json()), before);
    }
}

#[actix_web::test]
async fn default_config_is_seeded_for_every_type_but_helpdesk() {
    let app = TestApp::new().await;
    let expected = [
        ("score-weights", 5),
        ("tiers", 5),
        ("p-score", 2),
        ("o-score", 1),
        ("t-score", 4),
        ("f-score", 5),
        ("i-score", 1),
        ("surcharge", 3),
        ("am-bonus-penalty", 5),
        ("am-kpi-weight", 3),
        ("grace-period", 1),
        ("helpdesk", 0),
    ];
    for (t, n) in expected {
        let r = app.get(&format!("/api/config/{t}")).await;
        r.assert_status(200);
        let rows = r.json();
        assert_eq!(rows.as_array().unwrap().len(), n, "{t}: {rows}");
        for row in rows.as_array().unwrap() {
            assert_eq!(row["created_by"], "system");
            assert_eq!(row["is_active"], json!(true));
        }
    }
    let weights = app.get("/api/config/score-weights").await.json();
    let by_component: Vec<(String, f64)> = weights
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["score_component"].as_str().unwrap().to_owned(),
                num(&r["weight_pct"]),
            )
        })
        .collect();
    assert_eq!(
        by_component,
        vec![
            ("p_score".to_owned(), 25.0),
            ("o_score".to_owned(), 20.0),
            ("t_score".to_owned(), 20.0),
            ("f_score".to_owned(), 20.0),
            ("i_score".to_owned(), 15.0)
        ]
    );
}

#[actix_web::test]
async fn effective_on_picks_the_rows_a_calculation_would_use() {
    let app = TestApp::new().await;
    let r = app
        .post("/api/config/score-weights", &json!({"score_component": "p_score", "weight_pct": 30, "effective_from": "2026-03-01"}))
        .await;
    r.assert_status(201);
    let new_id = r.json()["id"].as_i64().unwrap();
    let feb = app
        .get("/api/config/score-weights?effective_on=2026-02-15")
        .await;
    feb.assert_status(200);
    let feb_ids = ids(&feb.json());
    assert_eq!(feb_ids.len(), 5);
    assert!(!feb_ids.contains(&new_id));
    let mar = app
        .get("/api/config/score-weights?effective_on=2026-03-01")
        .await;
    let mar = mar.json();
    assert_eq!(ids(&mar).len(), 5, "one row per component: {mar}");
    assert!(ids(&mar).contains(&new_id));
    let p = mar
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["score_component"] == "p_score")
        .unwrap();
    assert_num(&p["weight_pct"], 30.0);
    // Before any row applies: nothing.
    let r = app
        .get("/api/config/score-weights?effective_on=1999-12-31")
        .await;
    assert_eq!(r.json(), json!([]));
    // An inactive row never applies, even with effective_on.
    app.delete(&format!("/api/config/score-weights/{new_id}"))
        .await
        .assert_status(200);
    let mar = app
        .get("/api/config/score-weights?effective_on=2026-03-01")
        .await
        .json();
    assert!(!ids(&mar).contains(&new_id));
    // effective_to bounds a row.
    let r = app
        .post("/api/config/o-score", &json!({"effective_from": "2026-03-01", "effective_to": "2026-03-31", "max_delay_minutes": 20}))
        .await;
    let o_id = r.json()["id"].as_i64().unwrap();
    assert_eq!(
        ids(&app
            .get("/api/config/o-score?effective_on=2026-03-31")
            .await
            .json()),
        vec![o_id]
    );
    assert_ne!(
        ids(&app
            .get("/api/config/o-score?effective_on=2026-04-01")
            .await
            .json()),
        vec![o_id]
    );
}

#[actix_web::test]
async fn per_type_validation_names_the_fields() {
    let app = TestApp::new().await;
    let cases: Vec<(&str, Value, Vec<&str>)> = vec![
        (
            "score-weights",
            json!({"score_component": "p_score", "weight_pct": 101, "effective_from": "2027-01-01"}),
            vec!["weight_pct"],
        ),
        (
            "score-weights",
            json!({"score_component": "x_score", "weight_pct": 20, "effective_from": "2027-01-01"}),
            vec!["score_component"],
        ),
        (
            "score-weights",
            json!({"score_component": "p_score", "weight_pct": "25", "effective_from": "2027-01-01"}),
            vec!["weight_pct"],
        ),
        (
            "score-weights",
            json!({"score_component": "p_score", "weight_pct": 25}),
            vec!["effective_from"],
        ),
        (
            "score-weights",
            json!({"score_component": "p_score", "weight_pct": 25, "effective_from": "2027-02-30"}),
            vec!["effective_from"],
        ),
        (
            "score-weights",
            json!({"score_component": "p_score", "weight_pct": 25, "effective_from": "2027-01-01", "effective_to": "2026-12-31"}),
            vec!["effective_to"],
        ),
        (
            "score-weights",
            json!({"weight_pct": -1, "effective_from": "2027-01-01"}),
            vec!["score_component", "weight_pct"],
        ),
        (
            "tiers",
            json!({"tier_name": "Gold", "tier_order": 2, "min_sos_score": 90, "max_sos_score": 80, "effective_from": "2027-01-01"}),
            vec!["max_sos_score"],
        ),
        (
            "tiers",
            json!({"tier_name": "Gold", "tier_order": 2, "min_sos_score": 80, "max_sos_score": 89.99, "color_code": "gold", "effective_from": "2027-01-01"}),
            vec!["color_code"],
        ),
        (
            "tiers",
            json!({"tier_name": "", "tier_order": 0, "min_sos_score": 80, "max_sos_score": 89.99, "effective_from": "2027-01-01"}),
            vec!["tier_name", "tier_order"],
        ),
        (
            "p-score",
            json!({"campaign_type": "flash_sale", "required_lead_days": 7}),
            vec!["campaign_type"],
        ),
        (
            "p-score",
            json!({"campaign_type": "major_campaign"}),
            vec!["required_lead_days"],
        ),
        (
            "p-score",
            json!({"campaign_type": "major_campaign", "required_lead_days": 7, "accuracy_good_range_min": 20, "accuracy_good_range_max": 10}),
            vec!["accuracy_good_range_max"],
        ),
        (
            "o-score",
            json!({"effective_from": "2027-01-01", "max_delay_minutes": 0}),
            vec!["max_delay_minutes"],
        ),
        (
            "o-score",
            json!({"effective_from": "2027-01-01", "acceptable_late_pct": 120}),
            vec!["acceptable_late_pct"],
        ),
        (
            "t-score",
            json!({"tier_index": 1, "response_hours_min": 4, "response_hours_max": 4, "points": 100, "effective_from": "2027-01-01"}),
            vec!["response_hours_max"],
        ),
        (
            "t-score",
            json!({"tier_index": 1, "response_hours_min": 0, "effective_from": "2027-01-01"}),
            vec!["points"],
        ),
        (
            "f-score",
            json!({"tier_index": 1, "days_late_min": 5, "days_late_max": 1, "points": 100, "effective_from": "2027-01-01"}),
            vec!["days_late_max"],
        ),
        (
            "f-score",
            json!({"tier_index": 1, "days_late_min": 1.5, "points": 100, "effective_from": "2027-01-01"}),
            vec!["days_late_min"],
        ),
        (
            "i-score",
            json!({"effective_from": "2027-01-01", "calculation_basis": "avg"}),
            vec!["calculation_basis"],
        ),
        (
            "i-score",
            json!({"effective_from": "2027-01-01", "aging_threshold_days": 200, "severe_aging_days": 180}),
            vec!["severe_aging_days"],
        ),
        (
            "surcharge",
            json!({"surcharge_type": "storage", "trigger_condition": {"metric": "mood", "op": ">=", "value": 1}, "action": {"type": "fixed_fee", "amount": 1, "currency": "VND"}, "effective_from": "2027-01-01"}),
            vec!["trigger_condition"],
        ),
        (
            "surcharge",
            json!({"surcharge_type": "storage", "trigger_condition": {"metric": "sos_score", "op": "<", "value": 60}, "action": {"type": "refund"}, "effective_from": "2027-01-01"}),
            vec!["action.type"],
        ),
        (
            "surcharge",
            json!({"surcharge_type": "storage", "effective_from": "2027-01-01"}),
            vec!["trigger_condition", "action"],
        ),
        (
            "am-bonus-penalty",
            json!({"sos_delta_min": 5, "sos_delta_max": 2, "bonus_or_penalty_amount": 1, "effective_from": "2027-01-01"}),
            vec!["sos_delta_max"],
        ),
        (
            "am-bonus-penalty",
            json!({"sos_delta_min": 5, "bonus_or_penalty_amount": 1, "currency": "dong", "effective_from": "2027-01-01"}),
            vec!["currency"],
        ),
        (
            "am-kpi-weight",
            json!({"component": "happiness", "weight_pct": 10, "effective_from": "2027-01-01"}),
            vec!["component"],
        ),
        (
            "grace-period",
            json!({"effective_from": "2027-01-01", "apply_to_components": ["z_score"]}),
            vec!["apply_to_components[0]"],
        ),
        (
            "grace-period",
            json!({"effective_from": "2027-01-01", "min_score_floor": 101}),
            vec!["min_score_floor"],
        ),
        (
            "helpdesk",
            json!({"country_code": "Vietnam", "helpdesk_url": "ftp://help", "api_key": "k", "api_secret": "s"}),
            vec!["country_code", "helpdesk_url"],
        ),
        (
            "helpdesk",
            json!({"country_code": "VN", "helpdesk_url": "https://help.example.vn"}),
            vec!["api_key", "api_secret"],
        ),
        (
            "helpdesk",
            json!({"country_code": "VN", "helpdesk_url": "https://help.example.vn", "api_key": "k", "api_secret": "********"}),
            vec!["api_secret"],
        ),
        (
            "helpdesk",
            json!({"country_code": "VN", "helpdesk_url": "https://help.example.vn", "api_key": "k", "api_secret": "s", "sync_method": "carrier_pigeon", "pull_cron": "hourly", "business_hours_start": "25:00"}),
            vec!["sync_method", "pull_cron", "business_hours_start"],
        ),
    ];
    for (t, body, expected) in cases {
        let r = app.post(&format!("/api/config/{t}"), &body).await;
        r.assert_status(400);
        let got = fields(&r);
        for f in &expected {
            assert!(
                got.iter()
                    .any(|g| g == f || g.starts_with(&format!("{f}."))),
                "{t} {body}: {f} not named in {}",
                r.text()
            );
        }
        if expected.len() == 1 && got.len() == 1 {
            assert!(r.error().starts_with(expected[0]), "{}", r.text());
        }
    }
    // Nothing was stored by the refused calls.
    let r = app.get("/api/config/helpdesk?include_inactive=true").await;
    assert_eq!(r.json(), json!([]));
    let r = app
        .get("/api/config/score-weights?include_inactive=true")
        .await;
    assert_eq!(r.json().as_array().unwrap().len(), 5);
}

#[actix_web::test]
async fn unknown_and_server_fields_are_refused() {
    let app = TestApp::new().await;
    for (t, body, _, _) in config_examples() {
        let mut extra = body.clone();
        extra["colour"] = json!("blue");
        let r = app.post(&format!("/api/config/{t}"), &extra).await;
        r.assert_status(400);
        assert_eq!(fields(&r), vec!["colour"], "{t}");
        assert!(r.error().contains("unknown field"), "{}", r.text());
        for server in ["id", "is_active", "created_by"] {
            let mut extra = body.clone();
            extra[server] = json!(1);
            let r = app.post(&format!("/api/config/{t}"), &extra).await;
            r.assert_status(400);
            assert_eq!(fields(&r), vec![server], "{t}");
            assert!(r.error().contains("set by the server"), "{}", r.text());
        }
    }
    // Types without dates refuse them.
    let r = app.post("/api/config/p-score", &json!({"campaign_type": "major_campaign", "required_lead_days": 7, "effective_from": "2027-01-01"})).await;
    r.assert_status(400);
    assert_eq!(fields(&r), vec!["effective_from"]);
    // Not an object.
    let r = app
        .post("/api/config/tiers", &json!([{"tier_name": "Gold"}]))
        .await;
    r.assert_status(400);
    let r = app
        .post_raw("/api/config/tiers", Some("application/json"), "{")
        .await;
    r.assert_status(400);
    let r = app
        .post_raw("/api/config/tiers", Some("text/csv"), "a,b")
        .await;
    r.assert_status(415);
}

#[actix_web::test]
async fn unknown_type_answers_404_on_every_method() {
    let app = TestApp::new().await;
    let body = json!({"weight_pct": 1});
    for (method, path) in [
        (Method::GET, "/api/config/weights"),
        (Method::POST, "/api/config/weights"),
        (Method::GET, "/api/config/weights/1"),
        (Method::PUT, "/api/config/weights/1"),
        (Method::DELETE, "/api/config/weights/1"),
        (Method::GET, "/api/config/Score-Weights"),
    ] {
        let with_body = (method == Method::POST || method == Method::PUT).then_some(&body);
        let r = app
            .request(method.clone(), path, Some(ADMIN_KEY), with_body)
            .await;
        r.assert_status(404);
        assert!(
            r.error().starts_with("Unknown config type"),
            "{method} {path}: {}",
            r.text()
        );
        assert!(
            r.error().contains("score-weights"),
            "the answer lists the types: {}",
            r.text()
        );
    }
}

#[actix_web::test]
async fn unknown_ids_and_bad_ids() {
    let app = TestApp::new().await;
    let body = config_examples()[0].1.clone();
    for (method, with_body) in [
        (Method::GET, false),
        (Method::PUT, true),
        (Method::DELETE, false),
    ] {
        let r = app
            .request(
                method.clone(),
                "/api/config/score-weights/99999",
                Some(ADMIN_KEY),
                with_body.then_some(&body),
            )
            .await;
        r.assert_status(404);
        assert_eq!(r.error(), "No score-weights row with id 99999", "{method}");
        let r = app
            .request(
                method.clone(),
                "/api/config/score-weights/abc",
                Some(ADMIN_KEY),
                with_body.then_some(&body),
            )
            .await;
        r.assert_status(400);
        assert!(r.error().starts_with("Invalid path"), "{}", r.text());
    }
    // Row 1 is a score-weights row, not a tier.
    let r = app.get("/api/config/tiers/1").await;
    r.assert_status(404);
    let r = app
        .put("/api/config/tiers/1", &config_examples()[1].1)
        .await;
    r.assert_status(404);
    // A PUT with invalid content changes nothing.
    let before = app.get("/api/config/score-weights/1").await.json();
    let r = app.put("/api/config/score-weights/1", &json!({"score_component": "p_score", "weight_pct": 250, "effective_from": "2000-01-01"})).await;
    r.assert_status(400);
    assert_eq!(app.get("/api/config/score-weights/1").await.json(), before);
}

#[actix_web::test]
async fn bad_query_strings_are_400() {
    let app = TestApp::new().await;
    for q in [
        "include_inactive=maybe",
        "effective_on=2026-13-01",
        "effective_on=yesterday",
        "colour=blue",
    ] {
        let r = app.get(&format!("/api/config/tiers?{q}")).await;
        r.assert_status(400);
        assert!(
            r.error().starts_with("Invalid query string"),
            "{q}: {}",
            r.text()
        );
    }
}

#[actix_web::test]
async fn helpdesk_secrets_are_write_only() {
    let app = TestApp::new().await;
    let created = app.post("/api/config/helpdesk", &helpdesk_example()).await;
    created.assert_status(201);
    let row = created.json();
    assert_eq!(row["api_key"], "********");
    assert_eq!(row["api_secret"], "********");
    assert_eq!(row["country_code"], "VN");
    assert_eq!(
        row["seller_field_mapping"],
        json!({"seller_code": "customer"})
    );
    let id = row["id"].as_i64().unwrap();
    let path = format!("/api/config/helpdesk/{id}");
    let mut bodies = vec![created.text()];
    bodies.push(app.get(&path).await.text());
    bodies.push(app.get("/api/config/helpdesk").await.text());
    // Writing the masked value back is refused: it is not the secret.
    let mut masked = helpdesk_example();
    masked["api_key"] = json!("********");
    let r = app.put(&path, &masked).await;
    r.assert_status(400);
    assert_eq!(fields(&r), vec!["api_key"]);
    let mut rotated = helpdesk_example();
    rotated["api_secret"] = json!("rotated-secret-value-991");
    let r = app.put(&path, &rotated).await;
    r.assert_status(200);
    assert_eq!(r.json()["api_secret"], "********");
    bodies.push(r.text());
    bodies.push(app.delete(&path).await.text());
    bodies.push(
        app.get("/api/config/helpdesk?include_inactive=true")
            .await
            .text(),
    );
    for b in bodies {
        for secret in [HELPDESK_KEY, HELPDESK_SECRET, "rotated-secret-value-991"] {
            assert!(!b.contains(secret), "a helpdesk secret leaked: {b}");
        }
        assert!(b.contains("********"));
    }
}
