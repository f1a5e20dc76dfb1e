//! The hydrated pages' server functions, called as the browser calls them (URL-encoded
//! forms), through one player's session of work: what each one changes is what the REST
//! API then reads, and what each one reads agrees with the REST API.

use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{json, Value};

/// A server function's JSON answer; it must succeed.
async fn call(app: &TestApp, endpoint: &str, form: &str) -> Value {
    let (s, body) = app.server_fn(endpoint, form).await;
    assert_eq!(s, StatusCode::OK, "{endpoint} {form}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{endpoint}: {e}: {body}"))
}

async fn rest(app: &TestApp, path: &str) -> Value {
    let (s, body) = app.json("GET", path, None).await;
    assert_eq!(s, StatusCode::OK, "{path}: {body}");
    body
}

async fn total(app: &TestApp) -> u64 {
    rest(app, "/api/v1/rounds?limit=1").await["total"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn what_the_page_changes_through_its_server_functions_is_what_the_api_reads() {
    let app = test_app().await;
    let settings = call(&app, "settings", "").await;
    assert_eq!(settings["house_edge"], 0.03);
    assert_eq!(call(&app, "lab_house_edge", "").await, 0.03);

    let demo = call(&app, "load_demo", "rounds=500&seed=3").await;
    assert_eq!(demo["rounds"], 500, "{demo}");
    assert_eq!(total(&app).await, 500);
    let dashboard = call(&app, "dashboard", "last_n=50").await;
    let stats = rest(&app, "/api/v1/stats").await;
    assert_eq!(dashboard["summary"], stats["summary"]);
    assert_eq!(dashboard["last_rounds"].as_array().unwrap().len(), 50);
    assert_eq!(dashboard["demo"]["rounds"], 500);
    // Real rounds never mix with the demo's: it goes first.
    let (s, _) = app.server_fn("add_round", "text=2.00").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(call(&app, "remove_demo", "").await, 500);
    assert_eq!(total(&app).await, 0);

    let added = call(&app, "add_round", "text=2%2C50x").await;
    assert_eq!(added["value"], 250, "a decimal comma and an x: {added}");
    assert_eq!(added["position"], 1);
    let id = added["id"].as_i64().unwrap();
    let edited = call(&app, "update_round", &format!("id={id}&text=3.10")).await;
    assert_eq!(edited["value"], 310);
    let newest = rest(&app, "/api/v1/rounds?limit=1").await;
    assert_eq!(newest["rounds"][0]["value"], 310, "{newest}");
    let undone = call(&app, "undo_last", "").await;
    assert_eq!(undone["id"], id);
    assert_eq!(total(&app).await, 0);

    let pasted = call(&app, "add_pasted", "text=1.5%0A2%3B3.00&skip_invalid=false").await;
    assert_eq!(pasted, 3);
    let listed = call(&app, "list_rounds", "offset=0&limit=5").await;
    let by_rest = rest(&app, "/api/v1/rounds?limit=5").await;
    let ids = |v: &Value| -> Vec<i64> {
        v["rounds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids(&listed), ids(&by_rest), "{listed}");
    assert_eq!(ids(&listed).len(), 3);
    let deleted = call(&app, "delete_round", &format!("id={}", ids(&listed)[0])).await;
    assert_eq!(deleted["value"], 300, "the newest first");
    assert_eq!(total(&app).await, 2);
}

#[tokio::test]
async fn bets_limits_and_breaks_set_on_the_page_are_the_ones_the_api_reports() {
    let app = test_app().await;
    app::db::load_demo(&app.state.pool, 300, 4, 0.03)
        .await
        .unwrap();
    let bet = call(&app, "record_bet", "request[stake]=2&request[target]=2").await;
    assert_eq!(
        (bet["stake"].as_f64(), bet["won"].is_boolean()),
        (Some(2.0), true),
        "{bet}"
    );
    let ledger = call(&app, "bets", "offset_minutes=0").await;
    let by_rest = rest(&app, "/api/v1/bets").await;
    assert_eq!(ledger["summary"]["all"], by_rest["summary"]["all"]);
    assert_eq!(ledger["summary"]["all"]["bets"], 1);

    let form = "request[kind]=loss&request[period]=day&request[amount]=50";
    let limits = call(&app, "set_limit", form).await;
    let loss = |v: &Value| {
        v["limits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["limit"]["kind"] == "loss")
            .cloned()
    };
    assert_eq!(loss(&limits).unwrap()["limit"]["amount"], 50.0);
    let checks = call(&app, "set_reality_check", "interval_s=900").await;
    assert_eq!(checks["reality_check_s"], 900);
    let answered = call(&app, "answer_reality_check", "answer[stop_for_today]=false").await;
    assert!(answered["reality_answered_at"].is_i64(), "{answered}");
    let cooled = call(&app, "cool_off", "hours=24").await;
    assert_eq!(cooled["gate"]["open"], false, "{cooled}");
    let by_rest = rest(&app, "/api/v1/limits").await;
    for key in ["reality_check_s", "reality_answered_at", "gate"] {
        assert_eq!(by_rest[key], cooled[key], "{key}");
    }
    assert_eq!(loss(&by_rest), loss(&call(&app, "limits", "").await));
    // A cool-off withholds PLAY in the prediction the dashboard asks for.
    let predicted = call(&app, "prediction", "cashout=2&mode=normal").await;
    assert_eq!(predicted["recommendation"], "Wait");
    assert!(predicted["withheld"].as_str().is_some(), "{predicted}");
}

#[tokio::test]
async fn the_reading_pages_server_functions_agree_with_the_api() {
    let app = test_app().await;
    app::db::load_demo(&app.state.pool, 2000, 8, 0.03)
        .await
        .unwrap();
    let patterns = call(&app, "patterns", "").await;
    let by_rest = rest(&app, "/api/v1/patterns").await;
    for key in ["rounds", "tests", "confirmed", "any_edge_p"] {
        assert_eq!(patterns[key], by_rest[key], "{key}");
    }
    let analysis = call(&app, "analysis", "").await;
    let by_rest = rest(&app, "/api/v1/analysis").await;
    assert_eq!(analysis["n"], by_rest["n"]);
    assert_eq!(
        analysis["report"]["house_edge_estimate"], by_rest["house_edge_estimate"],
        "{}",
        analysis["report"]
    );
    let models = call(&app, "models", "").await;
    assert_eq!(models["models"], json!([]));
    assert_eq!(
        models["devices"],
        rest(&app, "/api/v1/models").await["devices"]
    );
    let status = call(&app, "training_status", "").await;
    assert_eq!(status, rest(&app, "/api/v1/train").await);
    let live = call(&app, "live", "").await;
    assert!(live.is_object(), "{live}");
    assert_eq!(call(&app, "backtests", "").await, json!([]));
}
