//! REST API integration tests against a real temporary SQLite file.

use crate::helpers::{test_app, test_app_with_rules, TestApp};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use models::values::ValueRules;
use serde_json::{json, Value};

impl TestApp {
    pub(crate) async fn upload(&self, uri: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
        let req = Request::builder()
            .method("POST")
            .uri(uri)
            .header("content-type", "application/octet-stream")
            .body(Body::from(bytes))
            .unwrap();
        let (status, bytes) = self.send(req).await;
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    pub(crate) async fn stored(&self) -> Vec<u32> {
        app::db::all_values(&self.state.pool)
            .await
            .unwrap()
            .iter()
            .map(|m| m.0)
            .collect()
    }
}

fn assert_error(body: &Value, code: &str) {
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
}

#[tokio::test]
async fn add_list_get_update_delete_undo() {
    let t = test_app().await;
    let (s, body) = t
        .json("POST", "/api/v1/rounds", Some(json!({"value": "1.57"})))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(body["stored"], 1);
    let (s, body) = t
        .json(
            "POST",
            "/api/v1/rounds",
            Some(json!({"values": ["2,5", 3.1, "x10", "1.00x"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(body["ids"].as_array().unwrap().len(), 4);
    assert_eq!(t.stored().await, [157, 250, 310, 1000, 100]);

    let (s, page) = t.json("GET", "/api/v1/rounds?offset=1&limit=2", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(page["total"], 5);
    let listed: Vec<(i64, i64)> = page["rounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["position"].as_i64().unwrap(),
                r["value"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(listed, [(4, 1000), (3, 310)]);

    let id = page["rounds"][0]["id"].as_i64().unwrap();
    let (s, round) = t
        .json(
            "PUT",
            &format!("/api/v1/rounds/{id}"),
            Some(json!({"value": "9.99"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{round}");
    assert_eq!(round["value"], 999);
    assert!(round["updated_at"].is_string());
    let (s, body) = t
        .json(
            "PUT",
            &format!("/api/v1/rounds/{id}"),
            Some(json!({"value": "9.999"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&body, "invalid_value");
    assert_eq!(t.stored().await, [157, 250, 310, 999, 100]);

    let (s, _) = t
        .json("DELETE", &format!("/api/v1/rounds/{id}"), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = t.json("GET", &format!("/api/v1/rounds/{id}"), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_error(&body, "not_found");

    let (s, undone) = t.json("POST", "/api/v1/rounds/undo", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(undone["value"], 100);
    assert_eq!(t.stored().await, [157, 250, 310]);
}

#[tokio::test]
async fn a_bad_value_stores_nothing_and_is_named() {
    let t = test_app().await;
    let (s, body) = t
        .json(
            "POST",
            "/api/v1/rounds",
            Some(json!({"values": ["1.5", "abc", "2", "0.5", 1.555]})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error(&body, "invalid_value");
    let invalid = body["error"]["details"]["invalid"].as_array().unwrap();
    assert_eq!(invalid[0]["index"], 1);
    assert_eq!(invalid[0]["token"], "abc");
    assert_eq!(invalid[0]["reason"], "not a number");
    assert_eq!(invalid[1]["index"], 3);
    assert_eq!(invalid.len(), 3);
    assert!(t.stored().await.is_empty());

    for bad in [
        json!({}),
        json!({"values": []}),
        json!({"value": "1", "values": ["2"]}),
        json!({"valu": 1}),
    ] {
        let (s, body) = t.json("POST", "/api/v1/rounds", Some(bad.clone())).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad} → {body}");
        assert!(body["error"]["code"].is_string(), "{body}");
    }
    let req = Request::builder()
        .method("POST")
        .uri("/api/v1/rounds")
        .header("content-type", "application/json")
        .body(Body::from("{not json"))
        .unwrap();
    let (s, bytes) = t.send(req).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_error(&serde_json::from_slice(&bytes).unwrap(), "bad_json");
    let (s, body) = t.json("GET", "/api/v1/rounds?limit=0", None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_error(&body, "bad_query");
    let (s, body) = t.json("GET", "/api/v1/nothing-here", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_error(&body, "not_found");
    assert!(t.stored().await.is_empty());
}

#[tokio::test]
async fn batch_and_size_limits_answer_clearly() {
    let t = test_app_with_rules(ValueRules {
        max_values_per_batch: 3,
        max_input_bytes: 2048,
        ..ValueRules::default()
    })
    .await;
    let (s, body) = t
        .json(
            "POST",
            "/api/v1/rounds",
            Some(json!({"values": ["1", "2", "3", "4"]})),
        )
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert_error(&body, "too_many_values");
    let big = "1.50\n".repeat(100_000).into_bytes();
    let (s, body) = t.upload("/api/v1/import?filename=big.txt", big).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body["error"]["code"].is_string());
    assert!(t.stored().await.is_empty());
}

#[tokio::test]
async fn csv_import_of_the_real_history_reports_row_6281() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/jetx_history.csv"
    );
    let Ok(bytes) = std::fs::read(path) else {
        eprintln!("skipped: {path} not present");
        return;
    };
    let t = test_app().await;
    let (s, dry) = t
        .upload(
            "/api/v1/import?dry_run=true&filename=jetx_history.csv",
            bytes.clone(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{dry}");
    assert_eq!(dry["rows"], 7000);
    assert_eq!(dry["valid"], 6999);
    assert_eq!(dry["faults"][0]["row"], 6281);
    assert_eq!(dry["faults"][0]["id"], "6281");
    assert!(dry["faults"][0]["message"]
        .as_str()
        .unwrap()
        .contains("U+2028"));
    assert!(t.stored().await.is_empty());

    let (s, refused) = t
        .upload("/api/v1/import?filename=jetx_history.csv", bytes.clone())
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_error(&refused, "unreadable_rows");
    assert_eq!(refused["error"]["details"]["faults"][0]["row"], 6281);
    assert!(t.stored().await.is_empty());

    let (s, done) = t
        .upload(
            "/api/v1/import?on_fault=skip_faulty&filename=jetx_history.csv",
            bytes,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["stored"], 6999);
    let stored = t.stored().await;
    assert_eq!(stored.len(), 6999);
    assert_eq!(&stored[..3], [151, 122, 877]);
    assert_eq!(stored[6999 - 1], 291);
}

#[tokio::test]
async fn export_then_import_round_trips() {
    let t = test_app().await;
    t.json(
        "POST",
        "/api/v1/rounds",
        Some(json!({"values": ["1.01", "250.75", "3"]})),
    )
    .await;
    let req = Request::builder()
        .uri("/api/v1/rounds/export.csv")
        .body(Body::empty())
        .unwrap();
    let (s, csv) = t.send(req).await;
    assert_eq!(s, StatusCode::OK);
    let text = String::from_utf8(csv.clone()).unwrap();
    assert!(
        text.starts_with("id,value,synthetic,created_at\n1,1.01,0,"),
        "{text}"
    );
    let other = test_app().await;
    let (s, body) = other
        .upload("/api/v1/import?filename=export.csv", csv)
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(other.stored().await, [101, 25075, 300]);
}

#[tokio::test]
async fn imports_the_python_apps_sqlite_database() {
    use sqlx::ConnectOptions;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jetx_data.db");
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    sqlx::query(
        "CREATE TABLE jetx_results (id INTEGER PRIMARY KEY AUTOINCREMENT, value REAL NOT NULL)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    // REAL values, a TEXT value, and a TEXT field holding two values (as in the real data).
    for v in ["1.5", "2.29", "'3,10'", "'2.29\u{2028}1.29'", "10938.01"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO jetx_results (value) VALUES ({v})"
        )))
        .execute(&mut conn)
        .await
        .unwrap();
    }
    drop(conn);
    let bytes = std::fs::read(&path).unwrap();
    let t = test_app().await;
    let (s, dry) = t
        .upload(
            "/api/v1/import?dry_run=true&filename=jetx_data.db",
            bytes.clone(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{dry}");
    assert_eq!(dry["format"], "sqlite");
    assert_eq!(dry["rows"], 5);
    assert_eq!(dry["valid"], 4);
    assert_eq!(dry["faults"][0]["id"], "4");
    assert_eq!(
        dry["faults"][0]["message"],
        "row 4 (id 4) \"2.29⟨U+2028⟩1.29\": holds 2 values separated by a Unicode line separator (U+2028); split them first"
    );
    let (s, done) = t
        .upload(
            "/api/v1/import?on_fault=skip_faulty&filename=jetx_data.db",
            bytes,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(t.stored().await, [150, 229, 310, 1_093_801]);

    let (s, body) = t
        .upload(
            "/api/v1/import?filename=x.db",
            b"SQLite format 3\0garbage".to_vec(),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (s, body) = t
        .upload("/api/v1/import?filename=x.csv", vec![0xff, 0xfe, 0x00])
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error(&body, "unreadable_file");
}

#[tokio::test]
async fn healthz_stats_and_data_surviving_a_reconnect() {
    let t = test_app().await;
    t.json(
        "POST",
        "/api/v1/rounds",
        Some(json!({"values": ["1.00", "1.50", "2.00", "20"]})),
    )
    .await;
    let (s, health) = t.json("GET", "/healthz", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(health, json!({"status": "ok", "rounds": 4}));
    let (s, stats) = t.json("GET", "/api/v1/stats", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(stats["summary"]["count"], 4);
    assert_eq!(stats["summary"]["at_least_1_5"]["successes"], 3);
    assert!(
        (stats["summary"]["at_least_1_5"]["fair"].as_f64().unwrap() - 0.97 / 1.5).abs() < 1e-12
    );

    // A second connection to the same database (as after a restart) sees the same rounds.
    t.state.pool.close().await;
    let pool = app::db::connect(&t.database).await.unwrap();
    let values: Vec<u32> = app::db::all_values(&pool)
        .await
        .unwrap()
        .iter()
        .map(|m| m.0)
        .collect();
    assert_eq!(values, [100, 150, 200, 2000]);
}

#[tokio::test]
async fn demo_data_only_into_an_empty_history() {
    let t = test_app().await;
    let info = app::db::load_demo(&t.state.pool, 500, 7, 0.03)
        .await
        .unwrap();
    assert_eq!(info.rounds, 500);
    let again = app::db::load_demo(&t.state.pool, 500, 7, 0.03).await;
    assert!(matches!(again, Err(app::db::DbError::Refused(_))));
    let (s, body) = t
        .json("POST", "/api/v1/rounds", Some(json!({"value": "2.00"})))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("remove it first"));
    let stored = t.stored().await;
    let expected: Vec<u32> = models::generator::FairGenerator {
        seed: 7,
        house_edge: 0.03,
    }
    .generate(500)
    .iter()
    .map(|m| m.0)
    .collect();
    assert_eq!(stored, expected);
    assert_eq!(app::db::remove_demo(&t.state.pool).await.unwrap(), 500);
    assert!(t.stored().await.is_empty());
}

#[tokio::test]
async fn patterns_report_the_stored_history_and_refuse_bad_settings() {
    let t = test_app().await;
    app::db::load_demo(&t.state.pool, 3000, 11, 0.03)
        .await
        .unwrap();
    let (s, body) = t.json("GET", "/api/v1/patterns", None).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["rounds"], 3000);
    assert_eq!(body["confirmed"], 0, "a fair demo history confirms nothing");
    let rules = body["rules"].as_array().unwrap();
    assert!(!rules.is_empty());
    for field in [
        "condition",
        "cashout",
        "occurrences",
        "rate",
        "fair",
        "ev",
        "ev_low",
        "p_adjusted",
        "confirmed",
    ] {
        assert!(rules[0].get(field).is_some(), "{field}");
    }
    // The same report as the pure function on the same rounds.
    let values = app::db::all_values(&t.state.pool).await.unwrap();
    let direct = models::patterns::PatternReport::build(
        &values,
        &models::patterns::PatternConfig::default(),
    );
    assert_eq!(body["tests"], direct.tests);
    assert_eq!(
        body["rules"][0]["condition"],
        direct.rules[0].condition.as_str()
    );
    let (s, body) = t.json("GET", "/api/v1/patterns?cashouts=2,3", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["cashouts"], json!([2.0, 3.0]));
    for bad in ["cashouts=abc", "cashouts=0.5", "all=maybe"] {
        let (s, body) = t
            .json("GET", &format!("/api/v1/patterns?{bad}"), None)
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
}

#[tokio::test]
async fn server_functions_answer_bad_input_with_4xx_and_store_nothing() {
    let app = test_app().await;
    let backtest = "request[start]=99999&request[refit]=every&request[refit_every]=500&request[window]=1000&request[gap]=0&request[thresholds][0]=2&request[models][0]=logistic&request[cashout]=2";
    let no_models = "request[start]=1000&request[refit]=every&request[refit_every]=500&request[window]=1000&request[gap]=0&request[thresholds][0]=2&request[cashout]=2";
    for (endpoint, form, status, reason) in [
        ("add_round", "text=abc", 422, "not a number"),
        ("add_pasted", "text=1.5%20abc&skip_invalid=false", 422, "abc"),
        ("update_round", "id=1&text=abc", 422, "not a number"),
        ("update_round", "id=999&text=2.00", 404, "no round with id 999"),
        ("delete_round", "id=999", 404, "no round with id 999"),
        ("delete_round", "id=abc", 400, ""),
        ("list_rounds", "offset=0&limit=5000", 400, "limit"),
        ("prediction", "cashout=0.5&mode=normal", 400, "outside"),
        ("activate_model", "version=..%2Fetc", 400, "not a model version"),
        ("start_training", "request[members][0]=logistic&request[budget_s]=5000&request[device]=cpu&request[activate]=false", 400, "time budget"),
        // A device that does not exist (a form without members is valid: see training.rs).
        ("start_training", "request[members][0]=logistic&request[budget_s]=3&request[device]=quantum&request[activate]=false", 400, "device"),
        ("backtest", backtest, 400, "needs at least"),
        ("backtest", no_models, 400, "model"),
    ] {
        let (got, body) = app.server_fn(endpoint, form).await;
        assert_eq!(got.as_u16(), status, "{endpoint} {form}: {body}");
        assert!(body.contains(reason), "{endpoint}: {body}");
    }
    let (_, page) = app.json("GET", "/api/v1/rounds", None).await;
    assert_eq!(page["total"], 0);
}

/// The value of one Prometheus sample (`name{labels} value`) whose line holds every part.
fn sample(text: &str, parts: &[&str]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#') && parts.iter().all(|p| l.contains(p)))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test]
async fn metrics_count_requests_per_route_and_the_rounds_stored() {
    let app = test_app().await;
    let scrape = || async {
        let req = Request::builder()
            .uri("/metrics")
            .body(Body::empty())
            .unwrap();
        let (s, body) = app.send(req).await;
        assert_eq!(s, StatusCode::OK);
        String::from_utf8(body).unwrap()
    };
    // The recorder is shared by every test in this binary: compare before and after.
    let before = scrape().await;
    let (s, _) = app
        .json(
            "POST",
            "/api/v1/rounds",
            Some(json!({"values": ["1.5", "2", "3"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app.json("GET", "/api/v1/rounds/1", None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app.json("GET", "/api/v1/rounds/99999", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A refused cross-site write is counted too.
    let forged = Request::builder()
        .method("POST")
        .uri("/api/v1/rounds/undo")
        .header("origin", "http://evil.example")
        .body(Body::empty())
        .unwrap();
    assert_eq!(app.send(forged).await.0, StatusCode::FORBIDDEN);
    let after = scrape().await;
    let delta = |parts: &[&str]| sample(&after, parts) - sample(&before, parts);
    assert!(
        delta(&["jetx_rounds_stored_total{", "source=\"api\""]) >= 3.0,
        "{after}"
    );
    // Routes are labelled by their pattern, never by the id in the path.
    let by_id = [
        "jetx_http_requests_total{",
        "route=\"/api/v1/rounds/{id}\"",
        "method=\"GET\"",
    ];
    assert!(
        delta(&[&by_id[..], &["status=\"200\""]].concat()) >= 1.0,
        "{after}"
    );
    assert!(
        delta(&[&by_id[..], &["status=\"404\""]].concat()) >= 1.0,
        "{after}"
    );
    assert!(!after.contains("route=\"/api/v1/rounds/99999\""));
    let refused = [
        "jetx_http_requests_total{",
        "route=\"/api/v1/rounds/undo\"",
        "status=\"403\"",
    ];
    assert!(delta(&refused) >= 1.0, "{after}");
    assert!(
        after.contains("jetx_http_request_duration_seconds_bucket{"),
        "{after}"
    );
    assert!(
        delta(&[
            "jetx_http_request_duration_seconds_count{",
            "route=\"/api/v1/rounds\""
        ]) >= 1.0
    );
}
