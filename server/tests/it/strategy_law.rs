//! Monte Carlo under the patterns confirmed on the stored rounds, over REST and from the
//! CLI: a planted edge is played at its measured rate and a plan betting on PLAY gains
//! from it; a fair history's law is the fair law; contradictory or empty asks are 4xx.

use crate::cli::jetx_command;
use crate::helpers::test_app;
use axum::http::StatusCode;
use models::planted::PlantedGenerator;
use serde_json::{json, Value};

/// The tests' standard planted edge: after two rounds below 1.5x, 2x comes 20 points
/// more often than fair.
fn planted() -> Vec<String> {
    PlantedGenerator::after_two_lows(2024)
        .generate(8_000)
        .iter()
        .map(|m| format!("{:.2}", m.as_f64()))
        .collect()
}

fn on_play(law: &str) -> Value {
    json!({"strategy": "only_on_play", "stake": 1, "cashout": 2, "bankroll": 500,
           "paths": 300, "rounds": 1000, "law": law})
}

#[tokio::test]
async fn monte_carlo_under_the_confirmed_patterns_plays_the_planted_edge() {
    let app = test_app().await;
    let (s, body) = app
        .json("POST", "/api/v1/simulate", Some(on_play("confirmed")))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "no_rounds", "{body}");
    let (s, body) = app
        .json("POST", "/api/v1/rounds", Some(json!({"values": planted()})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");

    let (s, r) = app
        .json("POST", "/api/v1/simulate", Some(on_play("confirmed")))
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["law"]["kind"], "confirmed", "{}", r["law"]);
    assert_eq!(r["law"]["rounds"], 8000);
    let rules = r["law"]["rules"].as_array().unwrap();
    // The same rules as the Patterns page confirms, strongest first.
    let (_, patterns) = app.json("GET", "/api/v1/patterns", None).await;
    assert_eq!(
        rules.len() as u64,
        patterns["confirmed"].as_u64().unwrap() + patterns["unfavourable"].as_u64().unwrap(),
        "{}",
        r["law"]
    );
    assert_eq!(rules[0]["cashout"], 2.0, "{}", r["law"]);
    let verdict = r["verdict"][0].as_str().unwrap();
    assert!(
        verdict.contains("patterns confirmed on your 8000 rounds"),
        "{verdict}"
    );
    let mean = &r["mean_final_bankroll"];
    assert!(mean["low"].as_f64().unwrap() > 500.0, "{mean}");
    assert!(r["mean_turnover"].as_f64().unwrap() > 100.0, "{r}");

    // The fair law gives no PLAY: the plan never bets.
    let (s, fair) = app
        .json("POST", "/api/v1/simulate", Some(on_play("fair")))
        .await;
    assert_eq!(s, StatusCode::OK, "{fair}");
    assert!(fair["law"].is_null(), "{}", fair["law"]);
    assert_eq!(fair["mean_turnover"], 0.0);

    let mut replay = on_play("confirmed");
    replay["replay"] = json!(true);
    for (bad, says) in [
        (replay, "the law applies to Monte Carlo"),
        (on_play("rigged"), "law: unknown variant"),
    ] {
        let (s, body) = app
            .json("POST", "/api/v1/simulate", Some(bad.clone()))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{message}");
    }
}

#[test]
fn jetx_simulate_reads_the_law_from_a_file_and_a_fair_one_confirms_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite");
    let file = dir.path().join("planted.csv");
    std::fs::write(&file, planted().join("\n")).unwrap();
    let run = |file: &std::path::Path| {
        let out = jetx_command(
            &db,
            &[
                "simulate",
                file.to_str().unwrap(),
                "--law",
                "confirmed",
                "--strategy",
                "only_on_play",
                "--paths",
                "200",
                "--bankroll",
                "500",
                "--json",
            ],
        )
        .output()
        .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let planted = run(&file);
    assert_eq!(
        planted["mode"], "monte_carlo",
        "FILE is where the law is read"
    );
    assert!(!planted["law"]["rules"].as_array().unwrap().is_empty());
    assert!(planted["mean_final_bankroll"]["low"].as_f64().unwrap() > 500.0);
    let fair_file = dir.path().join("fair.csv");
    let fair: Vec<String> = models::generator::FairGenerator {
        seed: 11,
        house_edge: 0.03,
    }
    .generate(8_000)
    .iter()
    .map(|m| format!("{:.2}", m.as_f64()))
    .collect();
    std::fs::write(&fair_file, fair.join("\n")).unwrap();
    let fair = run(&fair_file);
    assert_eq!(fair["law"]["rules"], json!([]));
    let verdict = fair["verdict"][0].as_str().unwrap();
    assert!(
        verdict.starts_with("No pattern is confirmed on your 8000 rounds"),
        "{verdict}"
    );
    assert_eq!(fair["mean_turnover"], 0.0);
}
