//! The OpenAPI document: the committed snapshot, what the server serves, the errors every
//! operation declares, and the Swagger UI.

use std::collections::HashSet;

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

const SNAPSHOT: &str = "openapi/openapi.json";
const REGENERATE: &str = "cargo run -- openapi > openapi/openapi.json";

/// The three auth operations that work without a bearer token.
const PUBLIC_AUTH: [&str; 3] = [
    "/api/v1/auth/login",
    "/api/v1/auth/refresh",
    "/api/v1/auth/logout",
];

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The document exactly as `lexcrm openapi` prints it.
fn printed_document() -> String {
    let json = lexcrm::http::openapi()
        .to_pretty_json()
        .expect("the document serialises");
    format!("{json}\n")
}

fn generated() -> Value {
    serde_json::to_value(lexcrm::http::openapi()).expect("the document serialises")
}

/// Every operation as (method, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let paths = doc["paths"].as_object().expect("paths");
    let mut list = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                list.push((method.to_uppercase(), path.clone(), operation.clone()));
            }
        }
    }
    list
}

fn statuses(operation: &Value) -> HashSet<u16> {
    operation["responses"]
        .as_object()
        .map(|r| r.keys().filter_map(|k| k.parse().ok()).collect())
        .unwrap_or_default()
}

/// Whether the operation lists the `bearer` scheme among its security requirements.
fn requires_bearer(operation: &Value) -> bool {
    operation["security"]
        .as_array()
        .is_some_and(|list| list.iter().any(|req| req.get("bearer").is_some()))
}

/// Follows a `#/components/...` reference.
fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    doc.pointer(pointer)
}

/// Every `$ref` anywhere in `value`.
fn references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(target)) => found.push(target.clone()),
                    _ => references(inner, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| references(i, found)),
        _ => {}
    }
}

#[test]
fn the_committed_snapshot_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SNAPSHOT);
    let committed = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{SNAPSHOT} is missing ({e}); run `{REGENERATE}`"));

    let printed = printed_document();

    if committed != printed {
        let line = committed
            .lines()
            .zip(printed.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || committed.lines().count().min(printed.lines().count()) + 1,
                |i| i + 1,
            );
        panic!(
            "{SNAPSHOT} is out of date with the routes (first difference at line {line}): \
             run `{REGENERATE}` and commit the result"
        );
    }
}

#[actix_web::test]
async fn the_server_serves_the_generated_document() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap();

    let served = ok_json(response).await;
    assert!(
        served == generated(),
        "GET /openapi.json differs from http::openapi()"
    );
}

#[test]
fn every_reference_resolves() {
    let doc = generated();
    let mut found = Vec::new();
    references(&doc, &mut found);

    let dangling: Vec<_> = found
        .iter()
        .filter(|r| resolve(&doc, r).is_none())
        .collect();

    assert!(!found.is_empty());
    assert!(dangling.is_empty(), "references to nothing: {dangling:?}");
}

#[test]
fn operation_ids_are_unique() {
    let doc = generated();
    let mut seen = HashSet::new();

    for (method, path, operation) in operations(&doc) {
        let id = operation["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
        assert!(
            seen.insert(id.to_string()),
            "operationId {id} is used twice"
        );
    }
}

#[test]
fn every_operation_documents_its_errors() {
    let doc = generated();
    let scheme = &doc["components"]["securitySchemes"]["bearer"];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    let mut missing = Vec::new();
    let mut check = |ok: bool, what: String| {
        if !ok {
            missing.push(what);
        }
    };

    let list = operations(&doc);
    assert!(list.len() > 30, "only {} operations", list.len());
    for (method, path, operation) in &list {
        let op = format!("{method} {path}");
        let codes = statuses(operation);
        let in_api = path.starts_with("/api/v1/");
        let public = PUBLIC_AUTH.contains(&path.as_str());

        if in_api && !public {
            check(requires_bearer(operation), format!("{op}: security bearer"));
            check(codes.contains(&401), format!("{op}: 401"));
        }
        if public {
            check(!requires_bearer(operation), format!("{op}: needs no token"));
        }
        if operation.get("requestBody").is_some() {
            // Every JSON body can be unreadable, too large or of the wrong type.
            for code in [400, 413, 415] {
                check(codes.contains(&code), format!("{op}: {code} (has a body)"));
            }
            if in_api && !public {
                check(codes.contains(&422), format!("{op}: 422 (has a body)"));
            }
        }
        if path.contains('{') {
            check(codes.contains(&404), format!("{op}: 404 (has a path id)"));
        }
        match path.as_str() {
            // Liveness cannot fail but by not answering; readiness fails with 503 only.
            "/health" => {}
            "/ready" => check(codes.contains(&503), format!("{op}: 503")),
            _ => check(
                codes.iter().any(|c| (400..500).contains(c)),
                format!("{op}: some 4xx"),
            ),
        }
        for code in codes.iter().filter(|c| **c >= 400) {
            let response = &operation["responses"][code.to_string()];
            let response = match response["$ref"].as_str() {
                Some(reference) => resolve(&doc, reference).unwrap_or(&Value::Null),
                None => response,
            };
            check(
                response["content"]
                    .get("application/problem+json")
                    .is_some(),
                format!("{op}: {code} as problem+json"),
            );
        }
    }

    assert!(
        missing.is_empty(),
        "operations missing documented errors:\n  {}",
        missing.join("\n  ")
    );
}

#[actix_web::test]
async fn swagger_ui_is_served_at_docs() {
    let app = spawn_app().await;
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let page = app.client.get(app.url("/docs/")).send().await.unwrap();
    let initializer = app
        .client
        .get(app.url("/docs/swagger-initializer.js"))
        .send()
        .await
        .unwrap();
    let bare = no_redirects.get(app.url("/docs")).send().await.unwrap();

    assert_eq!(page.status(), StatusCode::OK);
    let content_type = page.headers()["content-type"].to_str().unwrap().to_string();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "not the Swagger UI: {html}");
    assert_eq!(initializer.status(), StatusCode::OK);
    let script = initializer.text().await.unwrap();
    assert!(script.contains("/openapi.json"), "{script}");
    assert!(
        bare.status().is_redirection(),
        "GET /docs: {}",
        bare.status()
    );
    assert_eq!(bare.headers()["location"], "/docs/");
}
