//! Attacks tried against the app, one test each, with what must happen. Read top to
//! bottom, this is the list of what a hostile web page or network name can and cannot do.
//!
//! | attack | result |
//! |---|---|
//! | a page on another site posts a form / `no-cors` fetch to every state-changing route | 403 `cross_site`, nothing changed |
//! | the same from a sibling subdomain (`Sec-Fetch-Site: same-site`) or a sandboxed frame (`Origin: null`) | 403 |
//! | DNS rebinding: `evil.example` resolving to 127.0.0.1, reading or writing | 400 `host_not_allowed` |
//! | a form-encoded body (what a cross-site form sends) to a REST write, with no Origin | 415 `not_json` |
//! | framing the app, sniffing a download as a script, leaking the URL in Referer | refused by headers |
//! | the player's own pages and scripts (same origin, or no browser headers) | still work |

use crate::helpers::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;

const HOST: &str = "127.0.0.1:3000";
const EVIL: &str = "http://evil.example";

/// Every REST route that changes something (method, path, a valid JSON body).
pub const REST_WRITES: &[(&str, &str, &str)] = &[
    ("POST", "/api/v1/rounds", r#"{"value":"2.00"}"#),
    ("POST", "/api/v1/rounds/undo", ""),
    ("PUT", "/api/v1/rounds/1", r#"{"value":"3.00"}"#),
    ("DELETE", "/api/v1/rounds/1", ""),
    (
        "POST",
        "/api/v1/import?filename=a.csv",
        "multiplier\n2.00\n",
    ),
    ("POST", "/api/v1/predict", r#"{"cashout":2.0}"#),
    ("POST", "/api/v1/models/v1/activate", ""),
    (
        "POST",
        "/api/v1/train",
        r#"{"members":["logistic"],"budget_s":5,"device":"cpu","activate":false}"#,
    ),
    ("POST", "/api/v1/train/cancel", ""),
    ("POST", "/api/v1/bets", r#"{"stake":1,"target":2}"#),
    ("DELETE", "/api/v1/bets/1", ""),
    (
        "PUT",
        "/api/v1/limits",
        r#"{"kind":"loss","period":"day","amount":10}"#,
    ),
    ("PUT", "/api/v1/reality-check", r#"{"interval_s":600}"#),
    (
        "POST",
        "/api/v1/reality-check/answer",
        r#"{"stop_for_today":false}"#,
    ),
    ("POST", "/api/v1/cool-off", r#"{"hours":24}"#),
];

async fn request(
    app: &TestApp,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (StatusCode, Value, axum::http::HeaderMap) {
    let mut req = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = tower::ServiceExt::oneshot(
        app.router.clone(),
        req.body(Body::from(body.to_string())).unwrap(),
    )
    .await
    .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .unwrap()
        .to_bytes();
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, json, headers)
}

/// Five stored rounds, and what the database holds (rounds, predictions).
async fn seeded() -> TestApp {
    let app = test_app().await;
    let (s, _) = app
        .json(
            "POST",
            "/api/v1/rounds",
            Some(serde_json::json!({"values": ["1.50", "2.00", "3.00", "1.20", "7.77"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    app
}

async fn snapshot(app: &TestApp) -> (Vec<u32>, i64) {
    let values = app::db::all_values(&app.state.pool)
        .await
        .unwrap()
        .iter()
        .map(|v| v.0)
        .collect();
    let predictions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM predictions")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    (values, predictions)
}

fn assert_refused(status: StatusCode, body: &Value, code: &str, what: &str) {
    assert_eq!(body["error"]["code"], code, "{what}: {body}");
    let expected = match code {
        "cross_site" => StatusCode::FORBIDDEN,
        "host_not_allowed" => StatusCode::BAD_REQUEST,
        _ => StatusCode::UNSUPPORTED_MEDIA_TYPE,
    };
    assert_eq!(status, expected, "{what}: {body}");
}

#[tokio::test]
async fn another_site_cannot_change_anything_through_any_route() {
    let app = seeded().await;
    let before = snapshot(&app).await;
    let server_fns: Vec<&str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .collect();
    assert!(
        server_fns.len() >= 20,
        "the server functions are registered: {server_fns:?}"
    );
    // As a plain HTML form on evil.example sends them.
    let form = [
        ("host", HOST),
        ("origin", EVIL),
        ("sec-fetch-site", "cross-site"),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    for path in &server_fns {
        let (s, body, _) = request(&app, "POST", path, &form, "id=1&text=9.99").await;
        assert_refused(s, &body, "cross_site", path);
    }
    for (method, path, _) in REST_WRITES {
        let (s, body, _) = request(&app, method, path, &form, "value=9.99").await;
        assert_refused(s, &body, "cross_site", path);
    }
    // A `fetch(…, {mode: "no-cors"})` with a JSON-looking text body, and the variants
    // browsers send from a sandboxed frame, a sibling subdomain, or an older browser
    // without Sec-Fetch-Site.
    for headers in [
        vec![
            ("host", HOST),
            ("origin", EVIL),
            ("content-type", "text/plain"),
        ],
        vec![("host", HOST), ("origin", "null")],
        vec![
            ("host", HOST),
            ("sec-fetch-site", "same-site"),
            ("origin", "http://app.127.0.0.1.nip.io"),
        ],
        vec![("host", HOST), ("origin", "http://127.0.0.1:3001")],
        vec![
            ("host", HOST),
            ("origin", "https://127.0.0.1:3000.evil.example"),
        ],
    ] {
        for (method, path, body) in REST_WRITES {
            let (s, answer, _) = request(&app, method, path, &headers, body).await;
            assert_refused(s, &answer, "cross_site", &format!("{path} {headers:?}"));
        }
        let (s, answer, _) = request(&app, "POST", "/api/undo_last", &headers, "").await;
        assert_refused(s, &answer, "cross_site", &format!("undo_last {headers:?}"));
    }
    assert_eq!(snapshot(&app).await, before, "nothing changed");
    let (_, status) = app.json("GET", "/api/v1/train", None).await;
    assert_eq!(status["state"], "idle", "no training job started: {status}");
}

#[tokio::test]
async fn dns_rebinding_names_can_neither_read_nor_write() {
    let app = seeded().await;
    let before = snapshot(&app).await;
    for host in [
        "evil.example",
        "evil.example:3000",
        "127.0.0.1.evil.example:3000",
    ] {
        // The attacker's page is same-origin with itself: Origin matches Host.
        let origin = format!("http://{host}");
        let headers = [
            ("host", host),
            ("origin", origin.as_str()),
            ("sec-fetch-site", "same-origin"),
        ];
        for (method, path) in [
            ("GET", "/api/v1/stats"),
            ("GET", "/api/v1/rounds/export.csv"),
            ("GET", "/"),
            ("POST", "/api/v1/rounds/undo"),
            ("POST", "/api/undo_last"),
        ] {
            let (s, body, _) = request(&app, method, path, &headers, "").await;
            assert_refused(
                s,
                &body,
                "host_not_allowed",
                &format!("{method} {path} as {host}"),
            );
        }
    }
    assert_eq!(snapshot(&app).await, before);
    // The names the player uses still work: loopback, localhost, a LAN address.
    for host in [HOST, "localhost:3000", "[::1]:3000", "192.168.1.20:3000"] {
        let (s, body, _) = request(&app, "GET", "/api/v1/stats", &[("host", host)], "").await;
        assert_eq!(s, StatusCode::OK, "{host}: {body}");
    }
}

#[tokio::test]
async fn form_bodies_are_refused_by_the_rest_api_even_without_an_origin() {
    let app = seeded().await;
    let before = snapshot(&app).await;
    for kind in [
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/plain",
    ] {
        for (method, path) in [
            ("POST", "/api/v1/rounds/undo"),
            ("DELETE", "/api/v1/rounds/1"),
            ("POST", "/api/v1/train/cancel"),
        ] {
            let (s, body, _) = request(&app, method, path, &[("content-type", kind)], "x").await;
            assert_refused(s, &body, "not_json", &format!("{method} {path} as {kind}"));
        }
    }
    assert_eq!(snapshot(&app).await, before);
}

#[tokio::test]
async fn the_players_own_pages_and_scripts_still_write() {
    let app = seeded().await;
    let browser = [
        ("host", HOST),
        ("origin", "http://127.0.0.1:3000"),
        ("sec-fetch-site", "same-origin"),
        ("content-type", "application/json"),
    ];
    let (s, body, _) = request(
        &app,
        "POST",
        "/api/v1/rounds",
        &browser,
        r#"{"value":"4.00"}"#,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let page = [
        ("host", "localhost:3000"),
        ("origin", "http://localhost:3000"),
        ("sec-fetch-site", "same-origin"),
        ("content-type", "application/x-www-form-urlencoded"),
    ];
    let (s, body, _) = request(&app, "POST", "/api/add_round", &page, "text=5.00").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    // curl or a script: no browser headers at all.
    let (s, body, _) = request(&app, "POST", "/api/v1/rounds/undo", &[("host", HOST)], "").await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(snapshot(&app).await.0, [150, 200, 300, 120, 777, 400]);
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_pages_a_nonce_csp() {
    let app = seeded().await;
    for path in [
        "/",
        "/rounds",
        "/api/v1/stats",
        "/favicon.svg",
        "/no-such-page",
    ] {
        let (_, _, h) = request(&app, "GET", path, &[("host", HOST)], "").await;
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    }
    // The page's inline scripts carry the nonce its policy names; no other inline script
    // may run.
    let (s, html, h) = request(&app, "GET", "/", &[("host", HOST)], "").await;
    assert_eq!(s, StatusCode::OK);
    let csp = h["content-security-policy"].to_str().unwrap().to_string();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("the page policy names a nonce");
    assert!(nonce.len() >= 16, "{csp}");
    assert!(
        !csp.contains("'unsafe-inline' 'wasm")
            && !csp.contains("script-src 'self' 'unsafe-inline'"),
        "{csp}"
    );
    let html = html.as_str().unwrap();
    let inline_scripts: Vec<&str> = html
        .split("<script")
        .skip(1)
        .filter(|tag| !tag.trim_start().starts_with("src="))
        .collect();
    assert!(!inline_scripts.is_empty());
    for tag in inline_scripts {
        assert!(
            tag.contains(&format!("nonce=\"{nonce}\"")),
            "an inline script without the nonce: <script{}",
            &tag[..tag.len().min(120)]
        );
    }
    // A second page view draws a new nonce.
    let (_, _, h2) = request(&app, "GET", "/", &[("host", HOST)], "").await;
    assert_ne!(h2["content-security-policy"].to_str().unwrap(), csp);
}
