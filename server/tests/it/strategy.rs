//! The strategy lab over REST, as a server function and from the CLI.

use crate::cli::jetx_command;
use crate::helpers::test_app;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn simulate_answers_the_lab_result_and_refuses_bad_settings() {
    let app = test_app().await;
    let (status, body) = app
        .json(
            "POST",
            "/api/v1/simulate",
            Some(
                json!({"strategy": "martingale", "params": {"multiplier": 2, "reset_after": 6},
                "stake": 1, "cashout": 2, "bankroll": 50, "paths": 2000, "rounds": 300}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["mode"], "monte_carlo");
    assert_eq!(
        (body["paths"].as_u64(), body["rounds"].as_u64()),
        (Some(2000), Some(300))
    );
    // The exact ruin probability of this capped martingale is 0.7001 (dynamic programming
    // in models::strategy::exact); 2,000 paths put the estimate within ±0.04.
    let ruin = body["p_ruin"]["value"].as_f64().unwrap();
    assert!((ruin - 0.7001).abs() < 0.04, "{ruin}");
    assert!(body["p_ruin"]["low"].as_f64() <= Some(ruin));
    let closed = body["expected_loss_closed_form"].as_f64().unwrap();
    let turnover = body["mean_turnover"].as_f64().unwrap();
    assert!((closed - 0.03 * turnover).abs() < 1e-9);
    assert!(body["max_drawdown"]["p95"].is_number());
    assert_eq!(body["flat"]["label"], "Flat betting");
    assert_eq!(body["fan"]["p50"].as_array().map(Vec::len), Some(101));
    assert!(body["verdict"][0]
        .as_str()
        .unwrap()
        .starts_with("Probability of ruin"));

    for (request, status, needle) in [
        (
            json!({"strategy": "hodl", "stake": 1, "cashout": 2, "bankroll": 100}),
            400,
            "unknown strategy",
        ),
        (
            json!({"strategy": "kelly", "params": {"fraction": 5}, "stake": 1, "cashout": 2, "bankroll": 100}),
            400,
            "at most 1",
        ),
        (
            json!({"strategy": "flat", "params": {"multiplier": 2}, "stake": 1, "cashout": 2, "bankroll": 100}),
            400,
            "no parameters",
        ),
        (
            json!({"strategy": "flat", "stake": 500, "cashout": 2, "bankroll": 100}),
            400,
            "cannot cover",
        ),
        (
            json!({"strategy": "flat", "stake": 1, "cashout": 0.5, "bankroll": 100}),
            400,
            "outside",
        ),
        (
            json!({"strategy": "flat", "stake": 1, "cashout": 2, "bankroll": 100, "paths": 1000000, "rounds": 100000}),
            400,
            "path-rounds",
        ),
        (
            json!({"strategy": "flat", "stake": 1, "cashout": 2, "bankroll": 100, "replay": true}),
            422,
            "no stored rounds",
        ),
        (json!({"strategy": "flat", "stake": "one"}), 400, "stake"),
    ] {
        let (got, body) = app
            .json("POST", "/api/v1/simulate", Some(request.clone()))
            .await;
        assert_eq!(got.as_u16(), status, "{request} → {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap_or("")
                .contains(needle),
            "{body}"
        );
    }
}

#[tokio::test]
async fn replay_plays_the_stored_rounds_in_order() {
    let app = test_app().await;
    // Four rounds: flat 1 at 2x wins, loses, wins, wins: 100 → 102.
    let (status, _) = app
        .json(
            "POST",
            "/api/v1/rounds",
            Some(json!({"values": ["2.5", "1.2", "2.00", "7"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = app
        .json(
            "POST",
            "/api/v1/simulate",
            Some(json!({"strategy": "martingale", "stake": 1, "cashout": 2, "bankroll": 100, "replay": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["mode"], "replay");
    // Martingale: +1, −1, +2 (stake 2), +1 → 103; flat: 102.
    assert_eq!(body["mean_final_bankroll"]["value"], 103.0);
    assert_eq!(body["flat"]["mean_final_bankroll"]["value"], 102.0);
    assert_eq!(
        body["fan"]["p50"],
        json!([100.0, 101.0, 100.0, 102.0, 103.0])
    );
    let fair: &Value = &body["fair_final_bankroll"];
    assert!(fair["value"].as_f64().unwrap() < 100.0, "{fair}");
}

#[tokio::test]
async fn the_page_calls_the_server_function() {
    let app = test_app().await;
    let form = "request[strategy]=fibonacci&request[stake]=1&request[cashout]=2&request[bankroll]=100&request[paths]=500&request[rounds]=200";
    let req = Request::builder()
        .method("POST")
        .uri("/api/simulate")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    let (status, bytes) = app.send(req).await;
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["label"], "Fibonacci");
    let bad = "request[strategy]=fibonacci&request[params][x]=1&request[stake]=1&request[cashout]=2&request[bankroll]=100";
    let req = Request::builder()
        .method("POST")
        .uri("/api/simulate")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(bad))
        .unwrap();
    let (status, bytes) = app.send(req).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
}

#[test]
fn jetx_simulate_prints_json_with_the_closed_form_next_to_the_simulation() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite");
    let out = jetx_command(
        &db,
        &[
            "simulate",
            "--strategy",
            "d_alembert",
            "--param",
            "unit=1",
            "--paths",
            "3000",
            "--rounds",
            "200",
            "--bankroll",
            "200",
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
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "expected_loss_closed_form",
        "mean_final_bankroll",
        "p_ruin",
        "max_drawdown",
        "paths",
        "rounds",
    ] {
        assert!(!v[key].is_null(), "{key} missing");
    }
    let m = &v["mean_final_bankroll"];
    assert!(m["low"].as_f64() < m["high"].as_f64());
    // Loss vs closed form: equal up to noise.
    let gap = &v["loss_minus_closed_form"];
    assert!(
        gap["low"].as_f64().unwrap() < 0.0 && gap["high"].as_f64().unwrap() > 0.0,
        "{gap}"
    );

    let bad = jetx_command(
        &db,
        &[
            "simulate",
            "--strategy",
            "martingale",
            "--param",
            "multiplier",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("KEY=VALUE"));
}

const SCRIPTED_MARTINGALE: &str = "let config = #{ base: 1.0, multiplier: 2.0 };
fn on_round(game) { bet(this.stake ?? game.config.base, game.base_cashout) }
fn on_result(game, result) {
    if result.won { this.stake = game.config.base; }
    else { this.stake = (this.stake ?? game.config.base) * game.config.multiplier; }
}
";

#[tokio::test]
async fn a_user_script_replays_like_the_built_in_plan_and_its_errors_are_400_with_the_line() {
    let app = test_app().await;
    let (status, _) = app
        .json(
            "POST",
            "/api/v1/rounds",
            Some(json!({"values": ["2.5", "1.2", "2.00", "7"]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = app
        .json(
            "POST",
            "/api/v1/simulate",
            Some(json!({"strategy": "script", "script": SCRIPTED_MARTINGALE,
                "stake": 1, "cashout": 2, "bankroll": 100, "replay": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The same 103 as the built-in martingale on these rounds.
    assert_eq!(body["mean_final_bankroll"]["value"], 103.0);
    assert_eq!(body["label"], "Your script");
    // Inputs from `params` set the script's config block.
    let (status, body) = app
        .json(
            "POST",
            "/api/v1/simulate",
            Some(json!({"strategy": "script", "script": SCRIPTED_MARTINGALE, "params": {"multiplier": 3},
                "stake": 1, "cashout": 2, "bankroll": 100, "replay": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // +1, −1, +3 (stake 3), +1 → 104.
    assert_eq!(body["mean_final_bankroll"]["value"], 104.0);

    for (script, needle) in [
        ("fn on_round(game) {\n  bet(1, 2\n}", "line 3"),
        ("fn on_round(game) {\n  loop { }\n}", "endless loop"),
        (
            "fn on_round(game) {\n  let s = \"ab\";\n  loop { s += s; }\n}",
            "sandbox's limit",
        ),
        ("fn on_round(game) {\n  game.nope(1)\n}", "line 2"),
        ("let x = 1;", "must define fn on_round"),
    ] {
        let (got, body) = app
            .json(
                "POST",
                "/api/v1/simulate",
                Some(
                    json!({"strategy": "script", "script": script, "stake": 1, "cashout": 2,
                    "bankroll": 100, "paths": 100, "rounds": 100}),
                ),
            )
            .await;
        assert_eq!(got, StatusCode::BAD_REQUEST, "{script} → {body}");
        let message = body["error"]["message"].as_str().unwrap_or("");
        assert!(message.contains(needle), "{script} → {message}");
    }
    let (got, body) = app
        .json(
            "POST",
            "/api/v1/simulate",
            Some(json!({"strategy": "script", "stake": 1, "cashout": 2, "bankroll": 100})),
        )
        .await;
    assert_eq!(got, StatusCode::BAD_REQUEST, "{body}");
    // The page's defaults (10,000 × 1,000) are more than a script may run.
    let (got, body) = app
        .json(
            "POST",
            "/api/v1/simulate",
            Some(json!({"strategy": "script", "script": SCRIPTED_MARTINGALE, "stake": 1, "cashout": 2, "bankroll": 100})),
        )
        .await;
    assert_eq!(got, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap_or("")
        .contains("a script may run"));
}

#[test]
fn jetx_simulate_runs_a_script_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite");
    let script = dir.path().join("martingale.rhai");
    std::fs::write(&script, SCRIPTED_MARTINGALE).unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["simulate", "--rounds", "200", "--bankroll", "50", "--json"];
        args.extend_from_slice(extra);
        let out = jetx_command(&db, &args).output().unwrap();
        (
            out.status.code(),
            out.stdout,
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, stdout, stderr) = run(&["--script", script.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    let scripted: Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(scripted["paths"], 1000);
    let (code, stdout, stderr) = run(&["--strategy", "martingale", "--paths", "1000"]);
    assert_eq!(code, Some(0), "{stderr}");
    let built_in: Value = serde_json::from_slice(&stdout).unwrap();
    assert_eq!(scripted["p_ruin"], built_in["p_ruin"]);
    assert_eq!(
        scripted["mean_final_bankroll"],
        built_in["mean_final_bankroll"]
    );

    std::fs::write(&script, "fn on_round(game) {\n  bet(1, )\n}").unwrap();
    let (code, _, stderr) = run(&["--script", script.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("line 2"), "{stderr}");
    let (code, _, stderr) = run(&["--script", "/nonexistent/x.rhai"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("cannot read the script"), "{stderr}");
}
