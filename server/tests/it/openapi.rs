//! The OpenAPI document (`/api/v1/openapi.json`) describes every route of the REST API,
//! and every route it describes answers on the real router.

use crate::accounts::Client;
use crate::helpers::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;

const METHODS: [&str; 4] = ["get", "put", "post", "delete"];

/// Each documented operation as (method, path), from the served document.
async fn operations(app: &TestApp) -> (Value, Vec<(String, String)>) {
    let (status, doc) = app.json("GET", "/api/v1/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK, "{doc}");
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            if item.get(method).is_some() {
                ops.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    (doc, ops)
}

#[tokio::test]
async fn every_documented_route_answers_on_the_hosted_router() {
    let app = hosted_app(3600).await;
    let player = Client::signup(&app, "ana").await;
    let cookie = format!("jetx_session={}", player.cookie.clone().unwrap());
    let (doc, mut ops) = operations(&app).await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["info"]["title"], "JetX Predictor API");
    // Logout last: it ends the session the other calls use.
    ops.sort_by_key(|(_, path)| path.ends_with("/logout"));
    assert!(ops.len() >= 37, "{} operations: {ops:?}", ops.len());
    for (method, path) in &ops {
        let uri = path.replace("{id}", "1").replace("{version}", "v1");
        let (content_type, body) = match (method.as_str(), path.as_str()) {
            ("POST", "/api/v1/import") => ("application/octet-stream", "multiplier\n2.00\n"),
            ("POST" | "PUT", _) => ("application/json", "{}"),
            _ => ("application/json", ""),
        };
        let req = Request::builder()
            .method(method.as_str())
            .uri(&uri)
            .header("cookie", &cookie)
            .header("content-type", content_type)
            .body(Body::from(body))
            .unwrap();
        let resp = tower::ServiceExt::oneshot(app.router.clone(), req)
            .await
            .unwrap();
        let status = resp.status();
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
        assert_ne!(
            status,
            StatusCode::UNAUTHORIZED,
            "{method} {uri} with a session"
        );
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok());
        if content_type.is_some_and(|t| t.starts_with("text/event-stream")) {
            continue; // the event stream never ends: its status is the answer
        }
        let bytes = http_body_util::BodyExt::collect(resp.into_body())
            .await
            .unwrap()
            .to_bytes();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(server::rest::NO_SUCH_ENDPOINT),
            "{method} {uri} is documented but not routed: {status} {text}"
        );
    }
}

#[tokio::test]
async fn every_operation_says_what_it_answers_and_how_it_fails() {
    let app = test_app().await;
    let (doc, ops) = operations(&app).await;
    for (method, path) in &ops {
        let op = &doc["paths"][path][method.to_lowercase()];
        let what = format!("{method} {path}");
        assert!(
            op["summary"].is_string() || op["description"].is_string(),
            "{what} has no text"
        );
        let responses = op["responses"].as_object().unwrap();
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{what}: no success response"
        );
        assert!(
            responses.keys().any(|s| s.starts_with('4')),
            "{what}: no error response"
        );
        let public = server::rest::openapi::PUBLIC.contains(&path.as_str());
        assert_eq!(op["security"].is_array(), !public, "{what}: security");
        if method != "GET" {
            assert!(responses.contains_key("403"), "{what}: cross-site refusal");
        }
    }
    let schemas = &doc["components"]["schemas"];
    assert!(
        schemas["ErrorBody"].is_object(),
        "the error body is a schema"
    );
    assert!(
        schemas["AddRounds"].is_object(),
        "request bodies are schemas"
    );
}

/// Routes are registered only through `routes!` on annotated handlers (which puts them
/// in the document): a plain `.route(` in the API's modules would be undocumented, and
/// the document has one operation per annotated handler. Anywhere else in the server, a
/// route under `/api/v1` given by its path (as the document itself is) must be in it.
#[tokio::test]
async fn no_api_route_bypasses_the_document() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let api: Vec<_> = std::fs::read_dir(root.join("rest"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .chain([root.join("accounts/rest.rs")])
        .collect();
    let (doc, ops) = operations(&test_app().await).await;
    let mut annotated = 0;
    for file in rust_files(&root) {
        let text = std::fs::read_to_string(&file).unwrap();
        if api.contains(&file) {
            assert!(
                !text.contains(".route("),
                "{} registers a route outside the document",
                file.display()
            );
            annotated += text.matches("#[utoipa::path(").count();
        }
        for path in routed_api_paths(&text) {
            assert!(
                doc["paths"][&path].is_object(),
                "{} routes {path}, which the document lacks",
                file.display()
            );
        }
    }
    assert_eq!(ops.len(), annotated, "{ops:?}");
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// The `/api/v1` paths a source text routes by name: `.route("/api/v1/…"` and the like
/// (a call may break its line before the path).
fn routed_api_paths(text: &str) -> Vec<String> {
    let flat: String = text.split_whitespace().collect();
    let mut out = Vec::new();
    for call in [".route(\"", ".route_service(\""] {
        for (at, _) in flat.match_indices(call) {
            let rest = &flat[at + call.len()..];
            let path = &rest[..rest.find('"').unwrap_or(0)];
            if path.starts_with("/api/v1") {
                out.push(path.to_string());
            }
        }
    }
    out
}

#[test]
fn routed_paths_are_read_from_any_layout() {
    let text = "x.route(\"/healthz\", get(h))\n .route(\n \"/api/v1/openapi.json\",\n get(d))";
    assert_eq!(routed_api_paths(text), ["/api/v1/openapi.json"]);
}

/// Every `$ref` under `value`, with where it is.
fn refs(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v.as_str()) {
                    ("$ref", Some(r)) => out.push((at.to_string(), r.to_string())),
                    _ => refs(v, &format!("{at}/{k}"), out),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                refs(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Whether a JSON body's schema says what is in it: a named schema, or a list, an
/// optional or a map of one, never a bare `object` that could be anything.
fn described(schema: &Value) -> bool {
    if schema.get("$ref").is_some() {
        return true;
    }
    if let Some(items) = schema.get("items") {
        return described(items);
    }
    if let Some(one_of) = schema.get("oneOf").and_then(Value::as_array) {
        return one_of.iter().all(|s| s["type"] == "null" || described(s));
    }
    schema["type"] != "object" || schema.get("properties").is_some()
}

#[tokio::test]
async fn every_json_body_is_a_schema_and_every_reference_resolves() {
    let (doc, ops) = operations(&test_app().await).await;
    let mut bodies = 0;
    for (method, path) in &ops {
        let op = &doc["paths"][path][method.to_lowercase()];
        let mut contents = vec![("request".to_string(), &op["requestBody"])];
        for (status, response) in op["responses"].as_object().unwrap() {
            contents.push((status.clone(), response));
        }
        for (what, part) in contents {
            let Some(schema) = part.pointer("/content/application~1json/schema") else {
                continue;
            };
            // The document itself is OpenAPI's own format.
            if path == "/api/v1/openapi.json" && what == "200" {
                continue;
            }
            bodies += 1;
            assert!(
                described(schema),
                "{method} {path} {what}: a JSON body without a schema: {schema}"
            );
        }
    }
    assert!(bodies >= 60, "{bodies} JSON bodies");
    let mut found = Vec::new();
    refs(&doc, "#", &mut found);
    for (at, reference) in &found {
        let pointer = reference.trim_start_matches('#');
        assert!(
            doc.pointer(pointer).is_some(),
            "{at} refers to {reference}, which the document lacks"
        );
    }
    // The reports are described down to their fields.
    let schemas = &doc["components"]["schemas"];
    for (schema, field) in [
        ("PredictionView", "thresholds"),
        ("FairnessReport", "fitted"),
        ("PatternReport", "rules"),
        ("SimulationResult", "verdict"),
        ("BacktestJob", "result"),
        ("RuleReport", "direction"),
    ] {
        assert!(
            schemas[schema]["properties"][field].is_object() || schemas[schema]["allOf"].is_array(),
            "{schema}.{field}: {}",
            schemas[schema]
        );
    }
}
