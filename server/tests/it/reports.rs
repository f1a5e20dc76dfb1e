//! Reports of the stored history over REST: the game's own law and memory
//! (`GET /api/v1/analysis`), and the provenance every report carries (the values' SHA-256
//! matches the stored rounds, computed here independently).

use crate::helpers::test_app;
use axum::http::StatusCode;
use models::generator::FairGenerator;
use serde_json::json;

#[tokio::test]
async fn the_analysis_endpoint_reports_the_fitted_law_and_memory_of_the_stored_rounds() {
    let app = test_app().await;
    // Too few rounds: a clear 4xx, not a 500.
    let (status, body) = app.json("GET", "/api/v1/analysis", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["status"], 422);
    // A 99% game: the fitted RTP says so, next to the configured 97%.
    let rounds = FairGenerator {
        seed: 21,
        house_edge: 0.01,
    }
    .generate(5_000);
    let values: Vec<String> = rounds.iter().map(|m| m.to_string()).collect();
    let (status, body) = app
        .json("POST", "/api/v1/rounds", Some(json!({ "values": values })))
        .await;
    assert!(status.is_success(), "{body}");
    let (status, r) = app.json("GET", "/api/v1/analysis", None).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let f = &r["fitted"];
    let (low, high) = (
        f["rtp_low"].as_f64().unwrap(),
        f["rtp_high"].as_f64().unwrap(),
    );
    assert!(low < 0.99 && 0.99 < high, "{f}");
    assert_eq!(f["claimed_rtp"], 0.97);
    assert!(r["memory"]["departure"] == false, "{}", r["verdict"]);
    assert_eq!(r["verdicts"]["memory"], r["memory"]);
    // Provenance: the hash of exactly the stored values, the method and its settings.
    let p = &r["provenance"];
    assert_eq!(p["method"], "fairness");
    assert_eq!(p["rounds"], 5_000);
    assert_eq!(
        p["values_sha256"],
        models::provenance::values_sha256(&rounds).as_str()
    );
    assert_eq!(p["settings"]["house_edge"], 0.03);
    // The pattern scan of the same rounds names the same values.
    let (status, scan) = app.json("GET", "/api/v1/patterns", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(scan["provenance"]["values_sha256"], p["values_sha256"]);
    assert_eq!(scan["provenance"]["method"], "patterns");
    for rule in scan["rules"].as_array().unwrap() {
        let d = rule["direction"].as_str().unwrap();
        assert!(d == "favourable" || d == "unfavourable", "{rule}");
    }
}
