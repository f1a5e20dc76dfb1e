//! Bustabit autobet scripts through every entry point: REST (`language: javascript`, the
//! stored rounds replayed, the script's own balance at the top level), the server function
//! that reads a script's inputs, and `jetx simulate FILE --replay --script S.js`.

use crate::cli::jetx_command;
use crate::helpers::test_app;
use axum::http::StatusCode;
use serde_json::{json, Value};

const MARTINGALE: &str = include_str!("../../../models/src/strategy/examples/martingale.js");

#[tokio::test]
async fn rest_replays_a_javascript_script_on_the_stored_rounds() {
    let app = test_app().await;
    let (status, _) = app
        .json(
            "POST",
            "/api/v1/rounds",
            Some(json!({"values": ["2.5", "1.2", "2.00", "7"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let request = |script: &str, params: Value| {
        json!({"strategy": "script", "language": "javascript", "script": script, "params": params,
               "stake": 1, "cashout": 2, "bankroll": 100, "replay": true})
    };
    let (status, body) = app
        .json(
            "POST",
            "/api/v1/simulate",
            Some(request(MARTINGALE, json!({}))),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Martingale of 1 bit at 2x: +1, −1, +2 (wager 2), +1 → 103 bits, 4 bets, 5 bits wagered;
    // the lab's engine says the same.
    assert_eq!(body["final_balance"], 103.0, "{body}");
    assert_eq!(body["bets"], 4);
    assert_eq!(body["wagered"], 5.0);
    assert!(body["stopped"].is_null());
    assert_eq!(body["mean_final_bankroll"]["value"], 103.0);
    // Inputs in bits: a base wager of 2 bits doubles everything.
    let (status, body) = app
        .json(
            "POST",
            "/api/v1/simulate",
            Some(request(MARTINGALE, json!({"baseBet": "2"}))),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["final_balance"], 106.0);
    // Mistakes are 400 with the reason, never a 500.
    for (script, params, needle) in [
        (
            "engine.on('GAME_STARTING', () => {\n  engine.bet(100, 2;\n});",
            json!({}),
            "line 2",
        ),
        (
            "engine.on('GAME_STARTED', () => engine.cashOut());",
            json!({}),
            "engine.cashOut()",
        ),
        (MARTINGALE, json!({"nope": "1"}), "no input \"nope\""),
        (MARTINGALE, json!({"payout": "two"}), "needs a number"),
    ] {
        let (status, body) = app
            .json("POST", "/api/v1/simulate", Some(request(script, params)))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(needle), "{needle}: {body}");
    }
}

#[tokio::test]
async fn the_inputs_of_a_script_come_from_its_config_block() {
    let app = test_app().await;
    let (status, body) = app
        .form("/api/script_inputs", &[("source", MARTINGALE)])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let inputs: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(inputs[0]["key"], "baseBet");
    assert_eq!(inputs[0]["type"], "balance");
    assert_eq!(inputs[0]["value"], 100);
    assert_eq!(inputs.as_array().map(Vec::len), Some(4));
}

#[test]
fn jetx_simulate_replays_a_file_with_a_javascript_script() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite");
    let script = dir.path().join("martingale.js");
    std::fs::write(&script, MARTINGALE).unwrap();
    let history = dir.path().join("rounds.txt");
    std::fs::write(&history, "2.5\n1.2\n2.00\n7\n").unwrap();
    let args = [
        "simulate",
        history.to_str().unwrap(),
        "--replay",
        "--script",
        script.to_str().unwrap(),
        "--bankroll",
        "100",
        "--param",
        "baseBet=1",
        "--json",
    ];
    let out = jetx_command(&db, &args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["final_balance"], 103.0, "{v}");
    assert_eq!(
        (v["bets"].as_u64(), v["wagered"].as_f64()),
        (Some(4), Some(5.0))
    );
    assert!(v["stopped"].is_null() && v["log"].is_array());
    // Monte Carlo of the same script: the lab's report, next to flat betting.
    let mc = [
        "simulate",
        "--script",
        script.to_str().unwrap(),
        "--paths",
        "50",
        "--rounds",
        "100",
        "--json",
    ];
    let out = jetx_command(&db, &mc).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["paths"], 50);
    assert!(v["p_ruin"]["value"].is_number());
    assert!(v["flat"]["mean_final_bankroll"]["value"].is_number());
}
