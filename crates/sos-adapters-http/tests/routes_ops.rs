//! Health, readiness, metrics, the API document, Swagger UI, request ids and the fallbacks.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::http::Method;
use common::*;
use serde_json::{json, Value};

#[actix_web::test]
async fn healthz_and_readyz() {
    let app = TestApp::new().await;
    let r = app.request(Method::GET, "/healthz", None, None).await;
    r.assert_status(200);
    assert_eq!(r.json(), json!({"status": "ok"}));
    let r = app.request(Method::GET, "/readyz", None, None).await;
    r.assert_status(200);
    assert_eq!(r.json(), json!({"status": "ok"}));

    let down = TestApp::with_ready(false).await;
    let r = down.request(Method::GET, "/readyz", None, None).await;
    r.assert_status(503);
    assert_eq!(r.json(), json!({"status": "unavailable"}));
    // The process itself is still up.
    down.request(Method::GET, "/healthz", None, None)
        .await
        .assert_status(200);
}

fn counter(text: &str, class: &str) -> u64 {
    let prefix = format!("sos_http_responses_total{{class=\"{class}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {class} counter in {text}"))
        .parse()
        .unwrap()
}

#[actix_web::test]
async fn metrics_count_answers_by_class() {
    let app = TestApp::new().await;
    let r = app.request(Method::GET, "/metrics", None, None).await;
    r.assert_status(200);
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    let text = r.text();
    assert!(text.contains("# TYPE sos_http_responses_total counter"));
    for class in ["1xx", "2xx", "3xx", "4xx", "5xx"] {
        counter(&text, class);
    }
    let before_4xx = counter(&text, "4xx");
    app.request(Method::GET, "/api/sellers", None, None)
        .await
        .assert_status(401);
    app.request(Method::GET, "/nowhere", None, None)
        .await
        .assert_status(404);
    let after = app
        .request(Method::GET, "/metrics", None, None)
        .await
        .text();
    // Counters are process-wide (other tests run in parallel): they only grow.
    assert!(counter(&after, "4xx") >= before_4xx + 2, "{after}");
    assert!(counter(&after, "2xx") >= 1);
}

#[actix_web::test]
async fn openapi_json_is_the_document() {
    let app = TestApp::new().await;
    let r = app.request(Method::GET, "/openapi.json", None, None).await;
    r.assert_status(200);
    assert!(r
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    let served = r.json();
    let expected: Value =
        serde_json::from_str(&sos_adapters_http::openapi::document_json()).unwrap();
    assert_eq!(served, expected);
    assert!(served["paths"]["/api/sync/orders"]["post"].is_object());
}

/// Script and style sources that would load from another host.
fn remote_sources(text: &str) -> Vec<String> {
    let patterns = [
        "src=\"http",
        "src='http",
        "src=http",
        "href=\"http",
        "href='http",
        "url(http",
        "url(\"http",
        "url('http",
        "@import \"http",
        "@import 'http",
        "@import url",
        "importScripts(\"http",
        "import(\"http",
        ".src=\"http",
    ];
    patterns
        .iter()
        .filter(|p| text.contains(*p))
        .map(|p| {
            let at = text.find(*p).unwrap();
            text[at..(at + 80).min(text.len())].to_owned()
        })
        .collect()
}

#[actix_web::test]
async fn swagger_ui_is_served_from_the_binary() {
    let app = TestApp::new().await;
    let r = app.request(Method::GET, "/docs", None, None).await;
    r.assert_status(308);
    assert_eq!(r.header("location").as_deref(), Some("/docs/"));
    let r = app.request(Method::GET, "/docs/", None, None).await;
    r.assert_status(200);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    let html = r.text();
    assert!(html.contains("<div id=\"swagger-ui\">"), "{html}");
    assert!(
        !html.contains("https://") && !html.contains("http://"),
        "the page names another host: {html}"
    );
    // Every script and stylesheet it links is served here, and none loads from elsewhere.
    let mut linked = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for (at, _) in html.match_indices(attr) {
            let rest = &html[at + attr.len()..];
            let target = &rest[..rest.find('"').unwrap()];
            if target.ends_with(".js") || target.ends_with(".css") {
                linked.push(target.trim_start_matches("./").to_owned());
            }
        }
    }
    linked.sort();
    assert_eq!(
        linked,
        vec![
            "index.css",
            "swagger-initializer.js",
            "swagger-ui-bundle.js",
            "swagger-ui-standalone-preset.js",
            "swagger-ui.css"
        ]
    );
    for file in &linked {
        let r = app
            .request(Method::GET, &format!("/docs/{file}"), None, None)
            .await;
        r.assert_status(200);
        let text = r.text();
        assert!(text.len() > 100, "{file} is empty");
        let remote = remote_sources(&text);
        assert!(
            remote.is_empty(),
            "{file} loads from another host: {remote:?}"
        );
    }
    let init = app
        .request(Method::GET, "/docs/swagger-initializer.js", None, None)
        .await
        .text();
    assert!(init.contains("\"/openapi.json\""), "{init}");
    assert!(
        !init.contains("http://") && !init.contains("https://"),
        "{init}"
    );
    // No validator badge: Swagger UI would otherwise fetch it from validator.swagger.io.
    assert!(init.contains("\"validatorUrl\": \"none\""), "{init}");
}

#[actix_web::test]
async fn request_ids_are_echoed_or_generated() {
    let app = TestApp::new().await;
    let r = app
        .send(Method::GET, "/healthz", |req| {
            req.insert_header(("x-request-id", "trace-abc-123"))
        })
        .await;
    assert_eq!(r.header("x-request-id").as_deref(), Some("trace-abc-123"));
    // On errors too.
    let r = app
        .send(Method::GET, "/api/sellers", |req| {
            req.insert_header(("x-request-id", "trace-401"))
        })
        .await;
    r.assert_status(401);
    assert_eq!(r.header("x-request-id").as_deref(), Some("trace-401"));
    let a = app
        .request(Method::GET, "/healthz", None, None)
        .await
        .header("x-request-id")
        .unwrap();
    let b = app
        .request(Method::GET, "/nowhere", None, None)
        .await
        .header("x-request-id")
        .unwrap();
    assert_eq!(a.len(), 16);
    assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
    assert_ne!(a, b);
    // Unusable ids (too long, not printable ASCII) are replaced, not echoed.
    let long = "x".repeat(200);
    let r = app
        .send(Method::GET, "/healthz", |req| {
            req.insert_header(("x-request-id", long.as_str()))
        })
        .await;
    assert_ne!(r.header("x-request-id").unwrap(), long);
    let r = app
        .send(Method::GET, "/healthz", |req| {
            req.insert_header(("x-request-id", "has space"))
        })
        .await;
    assert_eq!(r.header("x-request-id").unwrap().len(), 16);
}

#[actix_web::test]
async fn unknown_paths_answer_404_json() {
    let app = TestApp::new().await;
    for path in [
        "/nowhere",
        "/api/nowhere",
        "/api/sync",
        "/api/sync/orders/extra",
        "/api/sos/monthly",
        "/api/sellers/",
        "/api/sellers/SEL001/",
        "/healthz/",
    ] {
        for method in [Method::GET, Method::POST] {
            let r = app
                .request(method.clone(), path, Some(ADMIN_KEY), None)
                .await;
            r.assert_status(404);
            assert_eq!(
                r.json(),
                json!({"error": format!("No route for {path}")}),
                "{method} {path}"
            );
        }
    }
}

#[actix_web::test]
async fn unknown_swagger_ui_files_answer_404_json() {
    let app = TestApp::new().await;
    let r = app.request(Method::GET, "/docs/nope.js", None, None).await;
    r.assert_status(404);
    assert_eq!(r.json(), json!({"error": "No route for /docs/nope.js"}));
    assert!(r.header("x-request-id").is_some());
}

#[actix_web::test]
async fn known_paths_with_another_method_answer_405_with_allow() {
    let app = TestApp::new().await;
    let cases = [
        (Method::DELETE, "/api/sync/orders", "POST"),
        (Method::GET, "/api/sync/orders", "POST"),
        (Method::PATCH, "/api/sellers/SEL001", "GET, PUT, DELETE"),
        (Method::POST, "/api/sellers/SEL001", "GET, PUT, DELETE"),
        (Method::DELETE, "/api/sellers", "GET, POST"),
        (Method::PUT, "/api/config/tiers", "GET, POST"),
        (Method::POST, "/api/config/tiers/1", "GET, PUT, DELETE"),
        (Method::GET, "/api/sos/monthly/calculate", "POST"),
        (Method::GET, "/api/sos/monthly/2026-02/finalize", "POST"),
        (Method::POST, "/healthz", "GET"),
        (Method::DELETE, "/api/keys", "GET, POST"),
    ];
    for (method, path, allow) in cases {
        for key in [Some(ADMIN_KEY), None] {
            let r = app.request(method.clone(), path, key, None).await;
            r.assert_status(405);
            assert_eq!(r.header("allow").as_deref(), Some(allow), "{method} {path}");
            assert!(r.error().contains(allow), "{method} {path}: {}", r.text());
        }
    }
}

#[actix_web::test]
async fn error_bodies_never_leak_internals() {
    let app = TestApp::new().await;
    // A body past the 16 MiB transport limit is refused by the framework; the answer keeps the
    // API's error shape.
    let huge = vec![b' '; 17 * 1024 * 1024];
    let r = app
        .post_raw("/api/sync/orders", Some("application/json"), huge)
        .await;
    r.assert_status(413);
    assert_eq!(
        r.json(),
        json!({"error": "Request body is larger than 16 MiB"})
    );
}
