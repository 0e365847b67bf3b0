//! The committed `openapi/openapi.json` is the served document, and the document describes
//! every route with its security and error statuses.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::{collections::BTreeSet, path::PathBuf};

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../openapi/openapi.json")
}

fn document() -> Value {
    serde_json::from_str(&sos_adapters_http::openapi::document_json()).unwrap()
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in METHODS {
            if let Some(op) = item.get(m) {
                ops.push((m.to_owned(), path.clone(), op.clone()));
            }
        }
    }
    ops
}

#[test]
fn committed_document_matches_the_served_one() {
    let generated = sos_adapters_http::openapi::document_json();
    assert!(generated.len() > 1000, "the document is suspiciously small");
    let path = committed_path();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, format!("{generated}\n")).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed.trim_end_matches('\n') == generated.trim_end_matches('\n'),
        "{} is out of date with the code; run `UPDATE_OPENAPI=1 cargo test -p sos-adapters-http --test openapi_snapshot` and commit the result",
        path.display()
    );
    // The committed file ends with exactly one newline.
    assert!(
        committed.ends_with("}\n"),
        "openapi.json must end with a single newline"
    );
}

#[test]
fn document_is_openapi_3_with_the_bearer_scheme() {
    let doc = document();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(doc["info"]["title"], "SOS: Seller Operations Score");
    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    for name in ["ErrorBody", "ErrorDetail", "SyncAccepted"] {
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "schema {name} missing"
        );
    }
}

const SCOPES: [&str; 16] = [
    "sync:write",
    "config:read",
    "config:write",
    "master:read",
    "master:write",
    "scores:read",
    "scores:calculate",
    "scores:finalize",
    "scores:override",
    "appeals:file",
    "appeals:review_ops",
    "appeals:review_am",
    "webhooks:manage",
    "enforcement:read",
    "enforcement:write",
    "admin",
];

#[test]
fn every_api_operation_declares_bearer_security_with_a_scope() {
    let doc = document();
    for (method, path, op) in operations(&doc) {
        let security = op.get("security").and_then(Value::as_array);
        if !path.starts_with("/api/") {
            assert!(
                security.is_none_or(Vec::is_empty),
                "{method} {path} must be public"
            );
            continue;
        }
        let security = security.unwrap_or_else(|| panic!("{method} {path} declares no security"));
        assert!(!security.is_empty(), "{method} {path} declares no security");
        for requirement in security {
            let scopes = requirement["bearer"].as_array().unwrap_or_else(|| {
                panic!("{method} {path}: requirement without bearer: {requirement}")
            });
            assert!(!scopes.is_empty(), "{method} {path} names no scope");
            for s in scopes {
                assert!(
                    SCOPES.contains(&s.as_str().unwrap()),
                    "{method} {path}: unknown scope {s}"
                );
            }
        }
    }
}

fn statuses(op: &Value) -> BTreeSet<String> {
    op["responses"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect()
}

/// A response as written, or the shared one in `components/responses` it refers to.
fn shared_response<'a>(doc: &'a Value, response: &'a Value) -> &'a Value {
    match response["$ref"].as_str() {
        Some(r) => {
            let name = r
                .strip_prefix("#/components/responses/")
                .unwrap_or_else(|| panic!("{r} is not a shared response"));
            doc["components"]["responses"]
                .get(name)
                .unwrap_or_else(|| panic!("{r} is not in components/responses"))
        }
        None => response,
    }
}

#[test]
fn every_operation_documents_its_error_statuses() {
    let doc = document();
    for (method, path, op) in operations(&doc) {
        let st = statuses(&op);
        let success: Vec<_> = st.iter().filter(|s| s.starts_with('2')).collect();
        assert!(
            !success.is_empty(),
            "{method} {path} documents no success answer"
        );
        let has_body = op.get("requestBody").is_some();
        let params = op
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        // Input that can be malformed: a body, a query string, or a path parameter that is not
        // free text (numbers, periods, codes with rules).
        let parsed_params = params.iter().any(|p| {
            p["in"] == "query"
                || p["schema"]["type"] != "string"
                || p["name"] == "period"
                || p["name"] == "seller_code"
                || p["name"] == "campaign_code"
        });
        if path.starts_with("/api/") {
            for code in ["401", "403"] {
                assert!(
                    st.contains(code),
                    "{method} {path} does not document {code}"
                );
            }
            assert!(st.contains("503"), "{method} {path} does not document 503");
        }
        if has_body || parsed_params {
            assert!(
                st.contains("400"),
                "{method} {path} takes input but does not document 400"
            );
        }
        if has_body {
            for code in ["413", "415"] {
                assert!(
                    st.contains(code),
                    "{method} {path} takes a JSON body but does not document {code}"
                );
            }
        }
        if params.iter().any(|p| p["in"] == "path") && path.starts_with("/api/") && method != "post"
        {
            // Anything addressed by a path names something that may not exist.
            let addressable = !path.starts_with("/api/sos/monthly/");
            if addressable {
                assert!(st.contains("404"), "{method} {path} does not document 404");
            }
        }
        for (code, response) in op["responses"].as_object().unwrap() {
            let response = shared_response(&doc, response);
            if code.starts_with('4') || code.starts_with('5') {
                let schema = &response["content"]["application/json"]["schema"];
                let is_error_body = schema["$ref"]
                    .as_str()
                    .is_some_and(|r| r.ends_with("/ErrorBody"))
                    || schema["$ref"]
                        .as_str()
                        .is_some_and(|r| r.ends_with("/Health"));
                assert!(
                    is_error_body,
                    "{method} {path} {code} does not use the ErrorBody schema: {response}"
                );
            }
        }
    }
}
