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
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = app.router.clone();
    tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, service).await
    });
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

    let local_only = jetx(with(&["train"])).await;
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
