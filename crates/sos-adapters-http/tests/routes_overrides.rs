//! Exceptions and appeals as ops, AMs and their managers use them over the API, on both
//! stores. The seed seller SEL001 scores 89.96 Gold in February: P 100, O 85, T 88.80, F 91,
//! I 80 at the default weights 25/20/20/20/15.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::http::Method;
use common::*;
use serde_json::{json, Value};
use sos_ports::Scope;

async fn as_key(
    app: &TestApp,
    scope: Scope,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Resp {
    let key = app.key(scope).to_owned();
    app.request(method, path, Some(&key), body).await
}

fn appeal(component: &str) -> Value {
    json!({"seller_code": "SEL001", "period": "2026-02", "component": component,
        "reason_type": "system_sync_error",
        "description": "The OMS pushed February's orders twice; the late share is wrong.",
        "evidence": [{"label": "OMS incident 42", "url": "https://status.example.com/incidents/42"}]})
}

over_both_stores!(an_appeal_approved_at_both_levels_recalculates_the_finalized_score => appeal_flow);

async fn appeal_flow(store: Store) {
    let app = TestApp::seeded_on(store).await;
    app.post("/api/sos/monthly/calculate", &json!({"period": "2026-02"}))
        .await
        .assert_status(200);
    app.post("/api/sos/monthly/2026-02/finalize", &json!({}))
        .await
        .assert_status(200);
    let before = app
        .get("/api/sos/sellers/SEL001/scores/2026-02")
        .await
        .json();
    assert_eq!(before["sos_score"].to_string(), "89.96");
    assert_eq!(before["tier"], "Gold");
    assert_eq!(
        before["components"]["o_score"]["score"].to_string(),
        "85.00"
    );

    let r = as_key(
        &app,
        Scope::AppealsFile,
        Method::POST,
        "/api/sos/appeals",
        Some(&appeal("o_score")),
    )
    .await;
    r.assert_status(201);
    let filed = r.json();
    let id = filed["id"].as_i64().unwrap();
    assert_eq!(filed["status"], "pending");
    assert_eq!(filed["filed_by"], key_name(Scope::AppealsFile));
    assert_eq!(filed["am_id"], json!(1));
    assert!(filed["deadline"].is_string());
    assert_eq!(filed["history"].as_array().unwrap().len(), 1);
    // One open appeal per score.
    let again = as_key(
        &app,
        Scope::AppealsFile,
        Method::POST,
        "/api/sos/appeals",
        Some(&appeal("o_score")),
    )
    .await;
    again.assert_status(409);
    assert!(again.error().contains("still open"), "{}", again.error());
    // The AM level comes second.
    let early = as_key(
        &app,
        Scope::AppealsReviewAm,
        Method::POST,
        &format!("/api/sos/appeals/{id}/review-am"),
        Some(&json!({"decision": "approve", "score_adjustment": 100})),
    )
    .await;
    early.assert_status(409);

    let ops = as_key(
        &app,
        Scope::AppealsReviewOps,
        Method::POST,
        &format!("/api/sos/appeals/{id}/review-ops"),
        Some(&json!({"decision": "approve", "note": "OMS logs confirm the double push"})),
    )
    .await;
    ops.assert_status(200);
    assert_eq!(ops.json()["status"], "under_review");
    // An approval needs its adjustment.
    let bare = as_key(
        &app,
        Scope::AppealsReviewAm,
        Method::POST,
        &format!("/api/sos/appeals/{id}/review-am"),
        Some(&json!({"decision": "approve"})),
    )
    .await;
    bare.assert_status(400);
    assert_eq!(bare.json()["details"][0]["field"], "score_adjustment");

    let am = as_key(
        &app,
        Scope::AppealsReviewAm,
        Method::POST,
        &format!("/api/sos/appeals/{id}/review-am"),
        Some(&json!({"decision": "approve", "note": "corrected figures", "score_adjustment": 100})),
    )
    .await;
    am.assert_status(200);
    let decided = am.json();
    assert_eq!(decided["status"], "approved");
    assert_eq!(decided["score_adjustment"].to_string(), "100");
    assert_eq!(decided["deadline"], Value::Null);
    let steps: Vec<&str> = decided["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["to"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["pending", "under_review", "approved"]);
    let exception_id = decided["exception_id"].as_i64().unwrap();

    // O 100 instead of 85 at weight 20: 89.96 + 20 * 15 / 100 = 92.96, Platinum.
    let after = app
        .get("/api/sos/sellers/SEL001/scores/2026-02")
        .await
        .json();
    assert_eq!(after["status"], "recalculated");
    assert_eq!(after["sos_score"].to_string(), "92.96");
    assert_eq!(after["tier"], "Platinum");
    let o = &after["components"]["o_score"];
    assert_eq!(o["score"].to_string(), "100");
    assert_eq!(o["exception"]["id"], json!(exception_id));
    assert_eq!(o["exception"]["appeal_id"], json!(id));
    assert_eq!(o["exception"]["reason_type"], "appeal");
    assert_eq!(o["exception"]["original_score"].to_string(), "85.00");
    // The history keeps the original after the recalculated result.
    let history = app.get("/api/sos/sellers/SEL001/scores").await.json();
    let feb: Vec<&Value> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["period"] == "2026-02")
        .collect();
    assert_eq!(feb.len(), 2);
    assert_eq!(feb[0]["status"], "recalculated");
    assert_eq!(feb[1]["status"], "scored");
    assert_eq!(feb[1]["sos_score"].to_string(), "89.96");
    // The AM portfolio follows: SEL001 is AM 1's only scored seller in the seed.
    let portfolio = app.get("/api/sos/am/1/scores/2026-02").await.json();
    assert_eq!(portfolio["avg_sos"].to_string(), "92.96");
    // The appeal and the exception are listed.
    let listed = app
        .get("/api/sos/appeals?status=approved&seller_code=SEL001")
        .await
        .json();
    assert_eq!(listed["total"], json!(1));
    let exceptions = app
        .get("/api/sos/exceptions?seller_code=SEL001")
        .await
        .json();
    assert_eq!(exceptions["items"][0]["appeal_id"], json!(id));
    // A finalized period takes no exception by hand.
    let refused = app
        .post(
            "/api/sos/exceptions",
            &json!({"seller_code": "SEL001", "period": "2026-02", "component": "t_score",
                "reason_type": "other", "note": "late", "effect": {"type": "exclude"}}),
        )
        .await;
    refused.assert_status(409);
    assert!(
        refused.error().contains("only through an appeal"),
        "{}",
        refused.error()
    );
}

#[actix_web::test]
async fn separation_of_duties_is_enforced_per_key() {
    let app = TestApp::seeded().await;
    app.post("/api/sos/monthly/calculate", &json!({"period": "2026-02"}))
        .await
        .assert_status(200);
    // The admin key holds every scope, yet it cannot review what it filed...
    let r = app.post("/api/sos/appeals", &appeal("t_score")).await;
    r.assert_status(201);
    let id = r.json()["id"].as_i64().unwrap();
    let own = app
        .post(
            &format!("/api/sos/appeals/{id}/review-ops"),
            &json!({"decision": "approve"}),
        )
        .await;
    own.assert_status(403);
    assert!(
        own.error().contains("another key must review it"),
        "{}",
        own.error()
    );
    // ...nor decide both levels of one filed by another key.
    let key = app.key(Scope::AppealsFile).to_owned();
    let r = app
        .request(
            Method::POST,
            "/api/sos/appeals",
            Some(&key),
            Some(&appeal("i_score")),
        )
        .await;
    r.assert_status(201);
    let other = r.json()["id"].as_i64().unwrap();
    app.post(
        &format!("/api/sos/appeals/{other}/review-ops"),
        &json!({"decision": "approve"}),
    )
    .await
    .assert_status(200);
    let both = app
        .post(
            &format!("/api/sos/appeals/{other}/review-am"),
            &json!({"decision": "approve", "score_adjustment": 90}),
        )
        .await;
    both.assert_status(403);
    assert!(both.error().contains("both levels"), "{}", both.error());
    // Scopes: filing needs appeals:file.
    let r = as_key(
        &app,
        Scope::ScoresRead,
        Method::POST,
        "/api/sos/appeals",
        Some(&appeal("f_score")),
    )
    .await;
    r.assert_status(403);
    // Bad bodies name the field and write nothing.
    let bad = app
        .post(
            "/api/sos/appeals",
            &json!({"seller_code": "SEL001", "period": "2026-02", "component": "o_score",
                "reason_type": "other", "description": " ",
                "evidence": [{"label": "x", "url": "ftp://example.com/x"}]}),
        )
        .await;
    bad.assert_status(400);
    let details = bad.json();
    let fields: Vec<&str> = details["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["description", "evidence[0].url"]);
    let unknown = app.get("/api/sos/appeals/999").await;
    unknown.assert_status(404);
    assert_eq!(unknown.error(), "Appeal 999 not found");
}

over_both_stores!(exceptions_are_created_applied_and_revoked => exception_flow);

async fn exception_flow(store: Store) {
    let app = TestApp::seeded_on(store).await;
    let body = json!({"seller_code": "SEL001", "period": "2026-02", "component": "o_score",
        "reason_type": "warehouse_fault", "note": "the scanner was down for two days",
        "effect": {"type": "exclude"}});
    let denied = as_key(
        &app,
        Scope::ScoresCalculate,
        Method::POST,
        "/api/sos/exceptions",
        Some(&body),
    )
    .await;
    denied.assert_status(403);
    let r = as_key(
        &app,
        Scope::ScoresOverride,
        Method::POST,
        "/api/sos/exceptions",
        Some(&body),
    )
    .await;
    r.assert_status(201);
    let created = r.json();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["is_active"], json!(true));
    assert_eq!(created["created_by"], key_name(Scope::ScoresOverride));
    assert!(created["hint"]
        .as_str()
        .unwrap()
        .contains("recalculate 2026-02"));
    let twice = app.post("/api/sos/exceptions", &body).await;
    twice.assert_status(400);
    assert_eq!(twice.json()["details"][0]["field"], "component");
    let too_high = app
        .post(
            "/api/sos/exceptions",
            &json!({"seller_code": "SEL001", "period": "2026-02", "component": "t_score",
                "reason_type": "other", "note": "x", "effect": {"type": "set_score", "value": 100.5}}),
        )
        .await;
    too_high.assert_status(400);
    assert_eq!(too_high.json()["details"][0]["field"], "effect.value");
    let unknown_seller = app
        .post(
            "/api/sos/exceptions",
            &json!({"seller_code": "NOPE", "period": "2026-02", "component": "t_score",
                "reason_type": "other", "note": "x", "effect": {"type": "exclude"}}),
        )
        .await;
    unknown_seller.assert_status(404);

    // Applied at the next calculation: O out, the others re-weighted:
    // (25 * 100 + 20 * 88.80 + 20 * 91 + 15 * 80) / 80 = 7296 / 80 = 91.20.
    app.post("/api/sos/monthly/calculate", &json!({"period": "2026-02"}))
        .await
        .assert_status(200);
    let score = app
        .get("/api/sos/sellers/SEL001/scores/2026-02")
        .await
        .json();
    assert_eq!(score["components"]["o_score"]["status"], "not_applicable");
    assert_eq!(
        score["components"]["o_score"]["not_applicable_reason"],
        "excluded_by_exception"
    );
    assert_eq!(score["components"]["o_score"]["exception"]["id"], json!(id));
    assert_eq!(score["sos_score"].to_string(), "91.20");

    let got = app.get(&format!("/api/sos/exceptions/{id}")).await;
    got.assert_status(200);
    assert_eq!(got.json()["note"], "the scanner was down for two days");
    let revoked = as_key(
        &app,
        Scope::ScoresOverride,
        Method::DELETE,
        &format!("/api/sos/exceptions/{id}"),
        None,
    )
    .await;
    revoked.assert_status(200);
    assert_eq!(revoked.json()["is_active"], json!(false));
    app.delete(&format!("/api/sos/exceptions/{id}"))
        .await
        .assert_status(409);
    let listed = app.get("/api/sos/exceptions?active_only=true").await.json();
    assert_eq!(listed["total"], json!(0));
    let all = app.get("/api/sos/exceptions").await.json();
    assert_eq!(all["total"], json!(1), "a revoked exception stays listed");
    app.post("/api/sos/monthly/calculate", &json!({"period": "2026-02"}))
        .await
        .assert_status(200);
    let back = app
        .get("/api/sos/sellers/SEL001/scores/2026-02")
        .await
        .json();
    assert_eq!(back["sos_score"].to_string(), "89.96");
    assert!(back["components"]["o_score"].get("exception").is_none());
}
