#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;
use common::*;
use serde_json::json;

#[actix_web::test]
async fn explore() {
    let app = TestApp::seeded().await;
    let calc = app.post("/api/sos/monthly/calculate", &json!({"period": "2026-02"})).await;
    println!("CALC {} {}", calc.status, calc.text());
    let r = app.get("/api/sos/sellers/SEL001/scores/2026-02").await;
    println!("SCORE {} {}", r.status, serde_json::to_string_pretty(&r.json()).unwrap());
    let r = app.get("/api/sos/am/1/scores/2026-02").await;
    println!("AM {} {}", r.status, r.text().chars().take(1500).collect::<String>());
    let r = app.get("/api/sos/monthly/2026-02/summary").await;
    println!("SUMMARY {} {}", r.status, r.text());
    let r = app.get("/api/sos/runs").await;
    println!("RUNS {} {}", r.status, r.text());
    let r = app.post("/api/sos/preview", &preview_example()).await;
    println!("PREVIEW {} {}", r.status, r.text().chars().take(800).collect::<String>());
    let r = app.get("/api/config/score-weights").await;
    println!("CFG {} {}", r.status, r.text());
    let r = app.get("/api/audit?entity=seller&id=SEL001").await;
    println!("AUDIT {} {}", r.status, r.text());
    let r = app.get("/docs/").await;
    println!("DOCS {} {:?} {}", r.status, r.headers, r.text());
}
