//! `jetx --server URL --token T …` against a real hosted server on a TCP port: the CLI
//! reads and writes the token's player's data, and is refused without a valid token.

use crate::accounts::Client;
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::process::Output;

/// Runs `jetx ARGS…` without a local database or config of the environment.
async fn jetx(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_jetx"))
            .args(args)
            .env("RUST_LOG", "warn")
            .env_remove("JETX_CONFIG")
            .env_remove("JETX_TOKEN")
            .env_remove("JETX_SERVER")
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

/// Serves `app` on a free local port; its URL.
async fn serve(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = app.router.clone();
    tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, service).await
    });
    url
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn the_cli_works_on_a_hosted_servers_data_with_a_token() {
    let app = hosted_app(3600).await;
    let mut ana = Client::signup(&app, "ana").await;
    let created = ana
        .call(&app, "POST", "/api/v1/tokens", Some(json!({"name": "cli"})))
        .await;
    let token = created.body["token"].as_str().unwrap().to_string();
    let token_id = created.body["id"].as_i64().unwrap();
    let url = serve(&app).await;
    let with = |rest: &[&str]| {
        let mut a = args(&["--server", &url, "--token", &token]);
        a.extend(args(rest));
        a
    };

    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("rounds.csv");
    std::fs::write(&csv, "multiplier\n1.50\n2.00\n3.00\n").unwrap();
    let imported = jetx(with(&["import", csv.to_str().unwrap()])).await;
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    let stats = jetx(with(&["stats", "--json"])).await;
    let stats: Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(stats["summary"]["count"], 3, "{stats}");
    let rest = ana.call(&app, "GET", "/api/v1/stats", None).await;
    assert_eq!(rest.body["summary"]["count"], 3, "the CLI wrote as ana");

    let export = jetx(with(&["export"])).await;
    let text = String::from_utf8_lossy(&export.stdout);
    assert_eq!(text.lines().count(), 4, "a header and three rounds: {text}");
    let predicted = jetx(with(&["predict", "--cashout", "2", "--json"])).await;
    let p: Value = serde_json::from_slice(&predicted.stdout).unwrap();
    assert!(p["thresholds"].is_array(), "{p}");
    let faulty = dir.path().join("faulty.csv");
    std::fs::write(&faulty, "multiplier\n1.50\nabc\n").unwrap();
    let refused = jetx(with(&["import", faulty.to_str().unwrap()])).await;
    assert_eq!(refused.status.code(), Some(1), "faulty rows store nothing");
    assert!(String::from_utf8_lossy(&refused.stdout).contains("abc"));

    let local_only = jetx(with(&["demo"])).await;
    assert_eq!(local_only.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&local_only.stderr).contains("this machine only"));
    let no_token = jetx(args(&["--server", &url, "stats"])).await;
    assert_eq!(no_token.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_token.stderr).contains("401 unauthenticated"));
    let revoked = ana
        .call(&app, "DELETE", &format!("/api/v1/tokens/{token_id}"), None)
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    let after = jetx(with(&["stats"])).await;
    assert!(
        String::from_utf8_lossy(&after.stderr).contains("401"),
        "a revoked token"
    );
}

/// A token of `name`'s, created through the API.
async fn token_of(app: &TestApp, player: &mut Client) -> String {
    let created = player
        .call(app, "POST", "/api/v1/tokens", Some(json!({"name": "cli"})))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.body["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn train_backtest_and_simulate_run_as_the_servers_jobs_on_the_tokens_player() {
    let app = hosted_app(3600).await;
    let mut ana = Client::signup(&app, "ana").await;
    let mut bob = Client::signup(&app, "bob").await;
    crate::accounts_scoping::load_demo_for(&app, "ana", 1500).await;
    let token = token_of(&app, &mut ana).await;
    let url = serve(&app).await;
    let with = |rest: &[&str]| {
        let mut a = args(&["--server", &url, "--token", &token]);
        a.extend(args(rest));
        a
    };
    let ok = |out: &Output| {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };

    // The backtest reads ana's 1,500 rounds on the server: 500 forecasts from round 1,000.
    let backtest = jetx(with(&[
        "backtest",
        "--model",
        "logistic",
        "--refit-every",
        "0",
        "--thresholds",
        "2",
        "--json",
    ]))
    .await;
    let summary = ok(&backtest);
    assert_eq!(summary["n_rounds"], 1500, "{summary}");
    assert_eq!(summary["n_forecasts"], 500, "{summary}");
    let jobs = ana.call(&app, "GET", "/api/v1/backtests", None).await;
    assert_eq!(
        jobs.body.as_array().map(Vec::len),
        Some(1),
        "ran as ana's job"
    );
    assert_eq!(jobs.body[0]["state"], "done");
    let text = jetx(with(&[
        "backtest",
        "--model",
        "fair-estimated",
        "--refit-every",
        "0",
    ]))
    .await;
    assert!(
        text.status.success(),
        "{}",
        String::from_utf8_lossy(&text.stderr)
    );
    assert!(String::from_utf8_lossy(&text.stdout).contains("fair"));

    // A replay plays ana's stored rounds; Monte Carlo runs as asked.
    let replay = ok(&jetx(with(&[
        "simulate",
        "--replay",
        "--strategy",
        "martingale",
        "--json",
    ]))
    .await);
    assert_eq!(replay["rounds"], 1500, "{replay}");
    assert_eq!(replay["mode"], "replay");
    let mc = ok(&jetx(with(&[
        "simulate", "--paths", "200", "--rounds", "50", "--json",
    ]))
    .await);
    assert_eq!(
        (mc["paths"].as_u64(), mc["rounds"].as_u64()),
        (Some(200), Some(50))
    );

    // Training saves a model in ana's registry, and only hers.
    let trained = ok(&jetx(with(&[
        "train",
        "--members",
        "logistic",
        "--budget",
        "20s",
        "--json",
    ]))
    .await);
    assert_eq!(trained["state"], "succeeded", "{trained}");
    let version = trained["version"].as_str().unwrap().to_string();
    let models = ana.call(&app, "GET", "/api/v1/models", None).await;
    assert!(
        models.body.to_string().contains(&version),
        "{}",
        models.body
    );
    let theirs = bob.call(&app, "GET", "/api/v1/models", None).await;
    assert!(
        !theirs.body.to_string().contains(&version),
        "bob sees none of it"
    );
    // The registry from the command line: listed, activated again, as the local command.
    let listed = jetx(with(&["models"])).await;
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(text.contains(&format!("* {version}")), "{text}");
    assert!(text.contains("members: logistic"), "{text}");
    let activated = ok(&jetx(with(&["models", "--activate", &version, "--json"])).await);
    assert_eq!(activated[0]["version"], version.as_str(), "{activated}");
    assert_eq!(activated[0]["active"], true, "{activated}");
    let unknown = jetx(with(&["models", "--activate", "v9999-20260101T000000Z"])).await;
    refused(&unknown, "404");

    // Settings the server refuses come back as its error; a local file is refused here.
    refused(
        &jetx(with(&["backtest", "--model", "no-such-model"])).await,
        "400",
    );
    refused(
        &jetx(with(&["simulate", "/tmp/rounds.csv"])).await,
        "stored there",
    );
}

/// A command that failed (exit 2) and said `says` on standard error.
fn refused(out: &Output, says: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(says), "expected {says:?}: {stderr}");
}
