//! Every player's data is their own on a hosted server: another player's round, bet,
//! model version, training job or token is out of reach (404, or the caller's own empty
//! view), and a token dies with its revocation or its user. (The attacks on signing in
//! are in `accounts.rs`.)

use crate::accounts::{refused_401, Client};
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

#[tokio::test]
async fn another_players_rounds_and_bets_answer_404_and_lists_stay_apart() {
    let app = hosted_app(3600).await;
    let mut ana = Client::signup(&app, "ana").await;
    let mut bob = Client::signup(&app, "bob").await;
    let round = ana
        .call(
            &app,
            "POST",
            "/api/v1/rounds",
            Some(json!({"value": "2.50"})),
        )
        .await;
    assert_eq!(round.status, StatusCode::CREATED, "{}", round.body);
    let id = round.body["ids"][0].as_i64().unwrap();
    let bet = ana
        .call(
            &app,
            "POST",
            "/api/v1/bets",
            Some(json!({"stake": 1, "target": 2})),
        )
        .await;
    assert_eq!(bet.status, StatusCode::CREATED, "{}", bet.body);
    let bet_id = bet.body["id"].as_i64().unwrap();

    let round_uri = format!("/api/v1/rounds/{id}");
    for (method, body) in [
        ("GET", None),
        ("PUT", Some(json!({"value": "9.99"}))),
        ("DELETE", None),
    ] {
        let a = bob.call(&app, method, &round_uri, body).await;
        assert_eq!(
            a.status,
            StatusCode::NOT_FOUND,
            "{method} {round_uri}: {}",
            a.body
        );
    }
    let a = bob
        .call(&app, "DELETE", &format!("/api/v1/bets/{bet_id}"), None)
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.body);
    assert_eq!(
        bob.call(&app, "POST", "/api/v1/rounds/undo", None)
            .await
            .body,
        Value::Null,
        "bob has nothing to undo"
    );
    assert_eq!(
        bob.call(&app, "GET", "/api/v1/stats", None).await.body["summary"]["count"],
        0
    );
    assert_eq!(
        bob.call(&app, "GET", "/api/v1/rounds", None).await.body["rounds"],
        json!([])
    );
    assert_eq!(
        bob.call(&app, "GET", "/api/v1/bets", None).await.body["bets"],
        json!([])
    );
    // Server functions work on the caller's data too.
    let listed = bob
        .form(&app, "/api/list_rounds", "offset=0&limit=10")
        .await;
    assert_eq!(listed.body["rounds"], json!([]), "{}", listed.body);

    // Ana's data is untouched.
    let mine = ana.call(&app, "GET", &round_uri, None).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert_eq!(mine.body["value"], 250, "{}", mine.body);
    assert_eq!(
        ana.call(&app, "GET", "/api/v1/bets", None).await.body["bets"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn another_players_model_version_and_training_job_are_out_of_reach() {
    let app = hosted_app(3600).await;
    let mut ana = Client::signup(&app, "ana").await;
    let mut bob = Client::signup(&app, "bob").await;
    load_demo_for(&app, "ana", 1500).await;

    let started = ana
        .call(
            &app,
            "POST",
            "/api/v1/train",
            Some(
                json!({"members": ["logistic"], "budget_s": 2, "device": "cpu", "activate": true}),
            ),
        )
        .await;
    assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
    // Bob sees no job of his, and cannot cancel ana's.
    assert_ne!(
        bob.call(&app, "GET", "/api/v1/train", None).await.body["state"],
        "running"
    );
    let cancel = bob.call(&app, "POST", "/api/v1/train/cancel", None).await;
    assert!(cancel.status.is_client_error(), "{}", cancel.body);
    let done = loop {
        let s = ana.call(&app, "GET", "/api/v1/train", None).await.body;
        if s["state"] != "running" {
            break s;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(
        done["state"], "succeeded",
        "bob's cancel did not reach ana's job: {done}"
    );
    let version = done["version"].as_str().unwrap().to_string();

    assert_eq!(
        bob.call(&app, "GET", "/api/v1/models", None).await.body["models"],
        json!([])
    );
    let a = bob
        .call(
            &app,
            "POST",
            &format!("/api/v1/models/{version}/activate"),
            None,
        )
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.body);
    let models = ana.call(&app, "GET", "/api/v1/models", None).await.body;
    assert_eq!(models["models"].as_array().unwrap().len(), 1, "{models}");
    assert_eq!(
        bob.call(&app, "GET", "/api/v1/stats", None).await.body["summary"]["count"],
        0,
        "bob's history is empty"
    );
}

#[tokio::test]
async fn tokens_are_shown_once_scoped_to_their_user_and_die_with_revocation_or_the_user() {
    let app = hosted_app(3600).await;
    let mut ana = Client::signup(&app, "ana").await;
    let mut bob = Client::signup(&app, "bob").await;
    let created = ana
        .call(
            &app,
            "POST",
            "/api/v1/tokens",
            Some(json!({"name": "my script"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let token = created.body["token"].as_str().unwrap().to_string();
    let token_id = created.body["id"].as_i64().unwrap();
    assert!(token.starts_with("jetx_") && token.len() > 60, "{token}");

    let mut script = Client {
        cookie: None,
        token: Some(token.clone()),
    };
    let added = script
        .call(
            &app,
            "POST",
            "/api/v1/rounds",
            Some(json!({"value": "1.50"})),
        )
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    assert_eq!(
        ana.call(&app, "GET", "/api/v1/stats", None).await.body["summary"]["count"],
        1,
        "the token writes as ana"
    );
    assert_eq!(script.me(&app).await.1, json!({"username": "ana"}));
    let listed = ana.call(&app, "GET", "/api/v1/tokens", None).await.body;
    assert_eq!(listed[0]["name"], "my script");
    assert!(listed[0]["last_used_s"].is_i64(), "{listed}");
    assert!(
        !listed.to_string().contains(&token[5..]),
        "the secret is never listed: {listed}"
    );

    assert_eq!(
        bob.call(&app, "DELETE", &format!("/api/v1/tokens/{token_id}"), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        bob.call(&app, "GET", "/api/v1/tokens", None).await.body,
        json!([])
    );
    assert_eq!(
        ana.call(&app, "DELETE", &format!("/api/v1/tokens/{token_id}"), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    refused_401(
        &script.call(&app, "GET", "/api/v1/stats", None).await,
        "a revoked token",
    );
    let mut forged = Client {
        cookie: None,
        token: Some(format!("jetx_{}", "0".repeat(64))),
    };
    refused_401(
        &forged.call(&app, "GET", "/api/v1/stats", None).await,
        "a made-up token",
    );

    // A deleted user's token and session open nothing.
    let carl_token = {
        let mut carl = Client::signup(&app, "carl").await;
        let t = carl
            .call(&app, "POST", "/api/v1/tokens", Some(json!({"name": "t"})))
            .await;
        let pool = &app.hosted.as_ref().unwrap().pool;
        app::service::accounts::delete_user(pool, "carl")
            .await
            .unwrap();
        refused_401(
            &carl.call(&app, "GET", "/api/v1/stats", None).await,
            "a deleted user's session",
        );
        t.body["token"].as_str().unwrap().to_string()
    };
    let mut carl_script = Client {
        cookie: None,
        token: Some(carl_token),
    };
    refused_401(
        &carl_script.call(&app, "GET", "/api/v1/stats", None).await,
        "a deleted user's token",
    );
}

#[tokio::test]
async fn the_admin_adds_and_deletes_players_from_the_command_line() {
    use std::io::Write;
    let app = hosted_app(3600).await;
    let jetx = |args: &[&str], stdin: &str| {
        let mut child = crate::cli::jetx_command(&app.database, args)
            .env("JETX_MODELS_DIR", &app.models_dir)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let added = jetx(&["user", "add", "Ana"], "correct horse battery\n");
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let weak = jetx(&["user", "add", "bob"], "short\n");
    assert_eq!(weak.status.code(), Some(2), "a weak password is refused");
    let listed = jetx(&["user", "list"], "");
    assert_eq!(String::from_utf8_lossy(&listed.stdout), "ana\n");

    let mut ana = Client::default();
    let login = json!({"username": "ana", "password": crate::accounts::PASSWORD});
    assert_eq!(
        ana.call(&app, "POST", "/api/v1/auth/login", Some(login.clone()))
            .await
            .status,
        StatusCode::OK
    );
    let stored = ana
        .call(
            &app,
            "POST",
            "/api/v1/rounds",
            Some(json!({"value": "2.00"})),
        )
        .await;
    assert_eq!(stored.status, StatusCode::CREATED, "{}", stored.body);
    let hosted = app.hosted.clone().unwrap();
    let id = app::db::user_by_name(&hosted.pool, "ana")
        .await
        .unwrap()
        .unwrap()
        .id;
    let location = hosted.tenants.factory.location(id);

    let deleted = jetx(&["user", "delete", "ana"], "");
    assert!(
        deleted.status.success(),
        "{}",
        String::from_utf8_lossy(&deleted.stderr)
    );
    refused_401(
        &ana.call(&app, "GET", "/api/v1/stats", None).await,
        "a deleted player's session",
    );
    let again = Client::default()
        .call(&app, "POST", "/api/v1/auth/login", Some(login))
        .await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    if app::db::Backend::of_url(&location.to_string_lossy()) == app::db::Backend::Sqlite {
        assert!(
            !location.exists(),
            "the player's database is gone: {}",
            location.display()
        );
    } else {
        let schemas: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM pg_namespace WHERE nspname = $1")
                .bind(server::accounts::tenants::schema_of(id))
                .fetch_one(&hosted.pool)
                .await
                .unwrap();
        assert_eq!(schemas, 0, "the player's schema is dropped");
    }
    let gone = jetx(&["user", "delete", "ana"], "");
    assert_eq!(gone.status.code(), Some(2), "no such user");
}

/// The rest of a player's data: a backtest job (its result, events and cancel), limits,
/// a cool-off, stored predictions and the fairness report are each the player's own.
#[tokio::test]
async fn another_players_backtest_limits_cool_off_and_predictions_are_out_of_reach() {
    let app = hosted_app(3600).await;
    let mut ana = Client::signup(&app, "ana").await;
    let mut bob = Client::signup(&app, "bob").await;
    load_demo_for(&app, "ana", 2500).await;
    let backtest = json!({"start": 1500, "refit": "every", "refit_every": 500, "window": 1000,
        "gap": 0, "thresholds": [2.0], "models": ["empirical"], "cashout": 2.0});
    let job = ana
        .call(&app, "POST", "/api/v1/backtests", Some(backtest))
        .await;
    assert_eq!(job.status, StatusCode::ACCEPTED, "{}", job.body);
    let id = job.body["id"].as_i64().unwrap();
    let limit = json!({"kind": "loss", "period": "day", "amount": 50});
    let set = ana.call(&app, "PUT", "/api/v1/limits", Some(limit)).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    let off = ana
        .call(&app, "POST", "/api/v1/cool-off", Some(json!({"hours": 24})))
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    let p = ana
        .call(
            &app,
            "POST",
            "/api/v1/predict",
            Some(json!({"cashout": 2.0})),
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);

    for (method, uri) in [
        ("GET", format!("/api/v1/backtests/{id}")),
        ("GET", format!("/api/v1/backtests/{id}/events")),
        ("POST", format!("/api/v1/backtests/{id}/cancel")),
        ("DELETE", format!("/api/v1/backtests/{id}")),
    ] {
        let a = bob.call(&app, method, &uri, None).await;
        assert_eq!(
            a.status,
            StatusCode::NOT_FOUND,
            "{method} {uri}: {}",
            a.body
        );
    }
    let listed = bob.call(&app, "GET", "/api/v1/backtests", None).await;
    assert_eq!(listed.body, json!([]), "{}", listed.body);
    let limits = bob.call(&app, "GET", "/api/v1/limits", None).await.body;
    assert_eq!(limits["limits"], json!([]), "{limits}");
    assert_eq!(
        limits["gate"]["open"], true,
        "ana's cool-off is not bob's: {limits}"
    );
    let predictions = bob.call(&app, "GET", "/api/v1/predictions", None).await;
    assert_eq!(predictions.status, StatusCode::OK, "{}", predictions.body);
    assert_eq!(predictions.body["total"], 0, "{}", predictions.body);
    // Bob's history is empty: too few rounds for a fairness report (ana has 2,500).
    let fairness = bob.call(&app, "GET", "/api/v1/analysis", None).await;
    assert_eq!(
        fairness.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        fairness.body
    );

    // Ana's are all there.
    let hers = ana
        .call(&app, "GET", &format!("/api/v1/backtests/{id}"), None)
        .await;
    assert_eq!(hers.status, StatusCode::OK, "{}", hers.body);
    let limits = ana.call(&app, "GET", "/api/v1/limits", None).await.body;
    assert_eq!(
        limits["limits"].as_array().map(Vec::len),
        Some(1),
        "{limits}"
    );
    assert_eq!(limits["gate"]["open"], false, "{limits}");
    let predictions = ana
        .call(&app, "GET", "/api/v1/predictions", None)
        .await
        .body;
    assert!(predictions["total"].as_i64().unwrap() >= 1, "{predictions}");
}

/// `rounds` demo rounds stored straight into player `name`'s own data.
pub(crate) async fn load_demo_for(app: &TestApp, name: &str, rounds: usize) {
    let hosted = app.hosted.clone().unwrap();
    let id = app::db::user_by_name(&hosted.pool, name)
        .await
        .unwrap()
        .unwrap()
        .id;
    let state = hosted.tenants.get(id).await.unwrap();
    app::db::load_demo(&state.pool, rounds, 7, 0.03)
        .await
        .unwrap();
}
