//! The routes the app serves are the operations the OpenAPI document describes, both taken
//! from the one registry, `routes::OPERATIONS`; and the running app answers each of them from
//! its handler, not from the 404/405 fallback.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use actix_web::http::Method;
use common::*;
use serde_json::Value;
use sos_adapters_http::routes::OPERATIONS;
use std::collections::BTreeSet;

/// The document's operations, as (METHOD, path template).
fn documented() -> BTreeSet<(String, String)> {
    let doc = sos_adapters_http::openapi::document();
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            out.insert((method.to_ascii_uppercase(), path.clone()));
        }
    }
    out
}

#[test]
fn every_served_route_is_documented_and_every_documented_one_is_served() {
    let served: BTreeSet<(String, String)> = OPERATIONS
        .iter()
        .map(|op| (op.method.to_owned(), op.path.to_owned()))
        .collect();
    assert_eq!(
        served.len(),
        OPERATIONS.len(),
        "routes::OPERATIONS lists a route twice"
    );
    let documented = documented();
    let undocumented: Vec<String> = served
        .difference(&documented)
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    let unserved: Vec<String> = documented
        .difference(&served)
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(
        undocumented.is_empty(),
        "served but not in the OpenAPI document (its handler's #[utoipa::path] names another method or path): {undocumented:?}"
    );
    assert!(
        unserved.is_empty(),
        "in the OpenAPI document but not served by routes::OPERATIONS: {unserved:?}"
    );
}

#[actix_web::test]
async fn the_running_app_answers_every_operation_from_its_handler() {
    let app = TestApp::seeded().await;
    for op in OPERATIONS {
        let path = example_path(op.path, "nobody");
        let method = Method::from_bytes(op.method.as_bytes()).unwrap();
        // Without credentials: an API handler answers 401 before reading anything; the
        // operations endpoints answer 200. The fallback would say 404 "No route" or 405.
        let r = app.request(method, &path, None, None).await;
        let expected = if op.path.starts_with("/api/") {
            401
        } else {
            200
        };
        assert_eq!(
            r.status.as_u16(),
            expected,
            "{} {path} ({}) was not answered by its handler: {}",
            op.method,
            op.handler,
            r.text()
        );
    }
    // A path no operation has reaches the fallback.
    let r = app
        .request(Method::GET, "/api/nothing-here", None, None)
        .await;
    r.assert_status(404);
    assert_eq!(
        r.json()["error"],
        Value::from("No route for /api/nothing-here")
    );
}

/// The path patterns the running app has resources for, read from its resource map (the
/// `Debug` text of `ServiceRequest::resource_map()`: actix has no public way to list them).
async fn served_patterns() -> BTreeSet<String> {
    use actix_web::{dev::Service, test, web};
    use std::{cell::RefCell, rc::Rc, sync::Arc};
    let ports: sos_adapters_http::Ports = Arc::new(sos_adapters_memory::MemoryStore::new());
    let state = web::Data::new(sos_adapters_http::AppState::new(
        ports,
        Arc::new(common::TestGateway::default()),
        Arc::new(|| true),
    ));
    let seen = Rc::new(RefCell::new(String::new()));
    let sink = seen.clone();
    let service = test::init_service(sos_adapters_http::app(state).wrap_fn(move |req, srv| {
        *sink.borrow_mut() = format!("{:?}", req.resource_map());
        srv.call(req)
    }))
    .await;
    test::call_service(
        &service,
        test::TestRequest::get().uri("/healthz").to_request(),
    )
    .await;
    let text = seen.borrow().clone();
    let mut patterns = BTreeSet::new();
    for (i, _) in text.match_indices("patterns: Single(\"") {
        let rest = &text[i + "patterns: Single(\"".len()..];
        let end = rest.find("\")").unwrap();
        patterns.insert(rest[..end].to_owned());
    }
    assert!(
        !text.contains("patterns: List("),
        "a resource with several patterns; read them too: {text:.400}"
    );
    patterns
}

#[actix_web::test]
async fn the_running_app_has_no_resource_outside_the_registry() {
    let served = served_patterns().await;
    assert!(
        served.contains("/api/sellers"),
        "the resource map could not be read: {served:?}"
    );
    let registry: BTreeSet<String> = OPERATIONS.iter().map(|op| op.path.to_owned()).collect();
    // The root of the map, and Swagger UI with its redirect: documentation, not operations.
    let extras: BTreeSet<String> = ["", "/docs", "/docs/{_:.*}"]
        .into_iter()
        .map(str::to_owned)
        .collect();
    let outside: Vec<&String> = served
        .iter()
        .filter(|p| !registry.contains(*p) && !extras.contains(*p))
        .collect();
    assert!(
        outside.is_empty(),
        "the app serves paths that are not in routes::OPERATIONS, so the OpenAPI document does not describe them: {outside:?}"
    );
    let missing: Vec<&String> = registry.difference(&served).collect();
    assert!(
        missing.is_empty(),
        "registered but not in the app: {missing:?}"
    );
}
