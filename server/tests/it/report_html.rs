//! The shareable report over REST (`/api/v1/report.html`): one self-contained HTML file
//! that carries the stored values' SHA-256 (computed here independently), the pattern
//! scan's settings, and a strategy lab run whose numbers are the ones `POST /simulate` gives.

use crate::helpers::{test_app, TestApp};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use models::generator::FairGenerator;
use serde_json::{json, Value};
use tower::ServiceExt;

/// The answer's status, its headers of interest and its body as text.
async fn fetch(app: &TestApp, req: Request<Body>) -> (StatusCode, [String; 3], String) {
    let resp = app.router.clone().oneshot(req).await.unwrap();
    let h = |name: header::HeaderName| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let heads = [
        h(header::CONTENT_TYPE),
        h(header::CONTENT_DISPOSITION),
        h(header::CONTENT_SECURITY_POLICY),
    ];
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, heads, String::from_utf8_lossy(&bytes).into_owned())
}

async fn stored(app: &TestApp, n: usize) -> Vec<models::values::Multiplier> {
    let rounds = FairGenerator {
        seed: 5,
        house_edge: 0.03,
    }
    .generate(n);
    let values: Vec<String> = rounds.iter().map(|m| m.to_string()).collect();
    let (status, body) = app
        .json("POST", "/api/v1/rounds", Some(json!({ "values": values })))
        .await;
    assert!(status.is_success(), "{body}");
    rounds
}

fn html_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[tokio::test]
async fn the_report_downloads_as_one_html_file_naming_the_values_it_read() {
    let app = test_app().await;
    let rounds = stored(&app, 2_000).await;
    let get = Request::get("/api/v1/report.html?cashouts=2")
        .body(Body::empty())
        .unwrap();
    let (status, [kind, disposition, csp], html) = fetch(&app, get).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert_eq!(kind, "text/html; charset=utf-8");
    assert!(
        disposition.starts_with("attachment; filename=\"jetx-report-")
            && disposition.ends_with(".html\""),
        "{disposition}"
    );
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    let hash = models::provenance::values_sha256(&rounds);
    assert!(html.contains(&format!("<code id=\"report-sha256\">{hash}</code>")));
    assert!(html.contains("2,000 stored rounds"));
    assert!(!html.contains("<script") && html.contains("<svg "));
    // The scan's settings as asked, and only the two parts asked for.
    assert!(
        html.contains("\"cashouts\": [\n    2.0\n  ]")
            || html.contains("&quot;cashouts&quot;: [\n    2.0\n  ]"),
        "the scan's settings"
    );
    assert!(html.contains("id=\"report-patterns\"") && !html.contains("id=\"report-strategy\""));
    // The fairness verdict the analysis endpoint gives, word for word.
    let (_, analysis) = app.json("GET", "/api/v1/analysis", None).await;
    let verdict = analysis["verdicts"]["rtp"]["text"].as_str().unwrap();
    assert!(html.contains(&html_text(verdict)), "{verdict}");
}

#[tokio::test]
async fn a_strategy_run_in_the_report_is_the_run_the_lab_gives() {
    let app = test_app().await;
    stored(&app, 1_000).await;
    let run = json!({"strategy": "martingale", "stake": 1, "cashout": 2, "bankroll": 100,
        "paths": 300, "rounds": 200, "seed": 9});
    let (status, lab) = app
        .json("POST", "/api/v1/simulate", Some(run.clone()))
        .await;
    assert_eq!(status, StatusCode::OK, "{lab}");
    let post = Request::post("/api/v1/report.html")
        .header("content-type", "application/json")
        .body(Body::from(json!({ "strategy": run }).to_string()))
        .unwrap();
    let (status, _, html) = fetch(&app, post).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"report-strategy\""));
    for line in lab["verdict"].as_array().unwrap() {
        let line = line.as_str().unwrap();
        assert!(html.contains(&html_text(line)), "{line}");
    }
    assert!(html.contains("&quot;seed&quot;: 9") || html.contains("\"seed\": 9"));
}

#[tokio::test]
async fn bad_report_requests_get_a_clear_4xx() {
    let app = test_app().await;
    stored(&app, 300).await;
    let (status, body) = app
        .json("GET", "/api/v1/report.html?cashouts=abc", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let bad_plan = json!({"strategy": {"strategy": "no-such-plan", "stake": 1, "cashout": 2, "bankroll": 100}});
    let (status, body) = app
        .json("POST", "/api/v1/report.html", Some(bad_plan))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["error"]["message"].as_str().is_some(), "{body}");
    // A write that is not JSON.
    let form = Request::post("/api/v1/report.html")
        .header("content-type", "text/plain")
        .body(Body::from("{}"))
        .unwrap();
    let (status, _, body) = fetch(&app, form).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    let _: Value = serde_json::from_str(&body).unwrap();
}
