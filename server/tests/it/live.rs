//! Live scoring of stored predictions and the prediction cache over REST, against a real
//! temporary SQLite file. The training jobs are in `training.rs`.

use crate::helpers::{test_app, test_app_with_predictor, TestApp};
use app::api::ssr::Estimator;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;

impl TestApp {
    /// Stores the values; returns their ids.
    pub(crate) async fn add(&self, values: &[&str]) -> Vec<i64> {
        let (s, body) = self
            .json("POST", "/api/v1/rounds", Some(json!({ "values": values })))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        body["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect()
    }

    pub(crate) async fn predict(&self, cashout: f64) -> Value {
        let (s, body) = self
            .json(
                "POST",
                "/api/v1/predict",
                Some(json!({ "cashout": cashout })),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        body
    }

    /// (total, predictions newest first).
    pub(crate) async fn predictions(&self) -> (i64, Vec<Value>) {
        let (s, body) = self.json("GET", "/api/v1/predictions", None).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        (
            body["total"].as_i64().unwrap(),
            body["predictions"].as_array().unwrap().clone(),
        )
    }

    /// The stored prediction made after `after` at `cashout`.
    async fn prediction(&self, after: i64, cashout: f64) -> Option<Value> {
        self.predictions().await.1.into_iter().find(|p| {
            p["after_round_id"] == after && (p["cashout"].as_f64().unwrap() - cashout).abs() < 1e-9
        })
    }

    async fn live(&self) -> Value {
        let (s, body) = self.json("GET", "/api/v1/predictions/live", None).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        body
    }

    async fn revision(&self) -> i64 {
        app::db::history_revision(&self.state.pool).await.unwrap()
    }
}

fn outcome(p: &Value) -> Option<i64> {
    p["outcome"].as_i64()
}

#[tokio::test]
async fn a_prediction_is_stored_once_and_scored_by_the_next_round() {
    let t = test_app().await;
    let ids = t.add(&["1.50", "2.00", "3.00"]).await;
    let last = *ids.last().unwrap();

    let first = t.predict(2.0).await;
    assert_eq!(first["rounds"], 3);
    assert!(first["model"].is_null(), "{first}");
    let again = t.predict(2.0).await;
    assert_eq!(again, first, "the same estimate for the same history");
    let (total, list) = t.predictions().await;
    assert_eq!(total, 1, "{list:?}");
    assert_eq!(list[0]["after_round_id"], last);
    assert_eq!(list[0]["rounds_seen"], 3);
    assert_eq!(list[0]["model"], "fair");
    assert_eq!(list[0]["cashout"], 2.0);
    assert!(list[0]["outcome"].is_null(), "{}", list[0]);

    t.predict(3.0).await;
    let (total, _) = t.predictions().await;
    assert_eq!(total, 2);
    let live = t.live().await;
    assert_eq!(live["stored"], 2, "{live}");
    assert_eq!(live["pending"], 2, "{live}");
    assert_eq!(live["scoreboard"]["predictions"], 0, "{live}");

    let next = t.add(&["4.20"]).await[0];
    let (total, list) = t.predictions().await;
    assert_eq!(total, 2);
    for p in &list {
        assert_eq!(outcome(p), Some(420), "{p}");
        assert_eq!(p["after_round_id"], last, "{p}");
    }
    assert!(next > last);

    let live = t.live().await;
    assert_eq!(live["stored"], 2, "{live}");
    assert_eq!(live["pending"], 0, "{live}");
    // One estimate per round and model, one signal per cash-out.
    assert_eq!(live["scoreboard"]["predictions"], 1, "{live}");
    assert_eq!(live["scoreboard"]["signals"], 2, "{live}");
    assert_eq!(live["recent"].as_array().unwrap().len(), 2, "{live}");
}

#[tokio::test]
async fn rounds_stored_in_bulk_or_generated_never_score_a_prediction() {
    let t = test_app().await;
    t.add(&["1.50", "2.00", "3.00"]).await;
    t.predict(2.0).await;
    assert_eq!(t.live().await["pending"], 1);
    // A batch (an import, a paste) was not played right after the prediction.
    t.add(&["9.00", "1.10"]).await;
    let live = t.live().await;
    assert_eq!(live["stored"], 0, "{live}");
    assert_eq!(live["pending"], 0, "{live}");
    assert_eq!(live["scoreboard"]["signals"], 0, "{live}");
    // A round entered on its own after the next prediction scores it.
    t.predict(2.0).await;
    t.add(&["2.50"]).await;
    let live = t.live().await;
    assert_eq!(live["stored"], 1, "{live}");
    assert_eq!(live["scoreboard"]["signals"], 1, "{live}");

    // Demo data: a prediction made on an empty history is not scored by generated rounds.
    let d = test_app().await;
    d.predict(2.0).await;
    assert_eq!(d.live().await["pending"], 1);
    app::db::load_demo(&d.state.pool, 50, 3, 0.03)
        .await
        .unwrap();
    let live = d.live().await;
    assert_eq!(live["stored"], 0, "{live}");
    assert_eq!(live["scoreboard"]["signals"], 0, "{live}");
}

#[tokio::test]
async fn edits_and_deletes_of_rounds_rescore_the_predictions() {
    let t = test_app().await;
    let r0 = t.revision().await;
    let ids = t.add(&["1.50", "2.00", "3.00"]).await;
    let c = ids[2];
    let r1 = t.revision().await;
    assert!(r1 > r0, "insert bumps the revision: {r0} → {r1}");

    t.predict(2.0).await;
    let d = t.add(&["5.00"]).await[0];
    assert_eq!(outcome(&t.prediction(c, 2.0).await.unwrap()), Some(500));

    // A corrected outcome round corrects the score.
    let r2 = t.revision().await;
    let (s, body) = t
        .json(
            "PUT",
            &format!("/api/v1/rounds/{d}"),
            Some(json!({"value": "7.00"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let r3 = t.revision().await;
    assert!(r3 > r2, "update bumps the revision: {r2} → {r3}");
    assert_eq!(outcome(&t.prediction(c, 2.0).await.unwrap()), Some(700));

    // Undoing the outcome round leaves the prediction waiting; the next round scores it.
    let (s, undone) = t.json("POST", "/api/v1/rounds/undo", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(undone["id"], d);
    let r4 = t.revision().await;
    assert!(r4 > r3, "delete bumps the revision: {r3} → {r4}");
    let p = t.prediction(c, 2.0).await.expect("still stored");
    assert_eq!(outcome(&p), None, "{p}");
    assert_eq!(t.live().await["pending"], 1);
    let e = t.add(&["4.00"]).await[0];
    assert!(e > d);
    assert_eq!(outcome(&t.prediction(c, 2.0).await.unwrap()), Some(400));

    // A prediction made after a round that is deleted goes with it.
    let view = t.predict(2.0).await;
    assert_eq!(view["rounds"], 4);
    assert!(t.prediction(e, 2.0).await.is_some());
    assert_eq!(t.predictions().await.0, 2);
    let (s, _) = t.json("DELETE", &format!("/api/v1/rounds/{e}"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(t.prediction(e, 2.0).await.is_none());
    let (total, _) = t.predictions().await;
    assert_eq!(total, 1);
    // …and the prediction it scored waits again.
    assert_eq!(outcome(&t.prediction(c, 2.0).await.unwrap()), None);

    // A deleted outcome round in the middle hands the score on to the next stored round.
    // (One at a time: a batch would drop the waiting prediction, see below.)
    let later = [t.add(&["1.10"]).await[0], t.add(&["9.90"]).await[0]];
    assert_eq!(outcome(&t.prediction(c, 2.0).await.unwrap()), Some(110));
    let (s, _) = t
        .json("DELETE", &format!("/api/v1/rounds/{}", later[0]), None)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(outcome(&t.prediction(c, 2.0).await.unwrap()), Some(990));
    let live = t.live().await;
    assert_eq!(live["pending"], 0, "{live}");
    assert_eq!(live["scoreboard"]["signals"], 1, "{live}");
}

#[tokio::test]
async fn the_cached_estimate_is_not_reused_after_the_history_changed() {
    let t = test_app().await;
    t.add(&["1.50", "2.00", "3.00"]).await;
    assert_eq!(t.predict(2.0).await["rounds"], 3);
    assert_eq!(t.predict(2.0).await["rounds"], 3);
    t.add(&["1.20"]).await;
    assert_eq!(t.predict(2.0).await["rounds"], 4);
    t.json("POST", "/api/v1/rounds/undo", None).await;
    assert_eq!(t.predict(2.0).await["rounds"], 3);
    // A write that bypasses the REST API (another program on the same file) is seen too.
    app::db::insert_values(
        &t.state.pool,
        &[
            models::values::Multiplier(250),
            models::values::Multiplier(300),
        ],
        app::types::Source::Import,
    )
    .await
    .unwrap();
    assert_eq!(t.predict(2.0).await["rounds"], 5);
    let (s, body) = t
        .json("POST", "/api/v1/predict", Some(json!({"cashout": 1.0})))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "bad_cashout");
}

/// The fair law, but the first estimate waits at a gate: the test changes the history
/// while the estimate is being computed (as a slow model, or a second client, would).
struct GatedFair {
    inner: app::api::ssr::FairLawEstimator,
    gate: std::sync::Barrier,
    armed: std::sync::atomic::AtomicBool,
}

impl Estimator for GatedFair {
    fn estimate(
        &self,
        rounds: &[models::values::Multiplier],
        cashout: f64,
        mode: app::types::Mode,
    ) -> app::types::Estimate {
        if self.armed.swap(false, std::sync::atomic::Ordering::SeqCst) {
            self.gate.wait(); // started: the history snapshot is taken
            self.gate.wait(); // go on
        }
        self.inner.estimate(rounds, cashout, mode)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_round_stored_while_the_estimate_is_computed_scores_it() {
    let gated = std::sync::Arc::new(GatedFair {
        inner: app::api::ssr::FairLawEstimator {
            house_edge: 0.03,
            notice: "fair".into(),
        },
        gate: std::sync::Barrier::new(2),
        armed: std::sync::atomic::AtomicBool::new(true),
    });
    let service = gated.clone();
    let t = test_app_with_predictor(move |_| service).await;
    let x = t.add(&["1.50", "2.00"]).await[1];

    let router = t.router.clone();
    let request = tokio::spawn(async move {
        let req = Request::builder()
            .method("POST")
            .uri("/api/v1/predict")
            .header("content-type", "application/json")
            .body(Body::from(json!({"cashout": 2.0}).to_string()))
            .unwrap();
        router.oneshot(req).await.unwrap().status()
    });
    let g = gated.clone();
    tokio::task::spawn_blocking(move || g.gate.wait())
        .await
        .unwrap();
    // The estimate is made on the history ending at `x`; the round after `x` arrives now.
    let y = t.add(&["3.00"]).await[0];
    let g = gated.clone();
    tokio::task::spawn_blocking(move || g.gate.wait())
        .await
        .unwrap();
    assert_eq!(request.await.unwrap(), StatusCode::OK);

    let z = t.add(&["9.00"]).await[0];
    let (_, list) = t.predictions().await;
    for p in list.iter().filter(|p| p["after_round_id"] == x) {
        assert_eq!(
            outcome(p),
            Some(300),
            "the prediction made after round {x} must be scored on round {y} (3.00), \
             the round that followed {x}, not on round {z} (9.00): {p}"
        );
    }
}

#[tokio::test]
async fn an_appended_history_is_read_incrementally_and_an_edit_reloads_it() {
    let app = test_app().await;
    let pool = &app.state.pool;
    let full = || async { app::db::history_snapshot(pool, None).await.unwrap() };
    app.add(&["1.50", "2.00", "3.10"]).await;
    let first = full().await;
    assert_eq!(first.values.len(), 3);
    let ids = app.add(&["4.20", "1.00"]).await;
    let appended = app::db::history_snapshot(pool, Some(first.clone()))
        .await
        .unwrap();
    let reloaded = full().await;
    assert_eq!(appended.values, reloaded.values);
    assert_eq!(appended.last_id, ids[1]);
    assert_eq!(appended.rewrites, first.rewrites);
    // An edit of an old round changes `rewrites`, so the previous snapshot is not extended.
    let (status, _) = app
        .json(
            "PUT",
            &format!("/api/v1/rounds/{}", ids[0]),
            Some(json!({ "value": "9.99" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let after_edit = app::db::history_snapshot(pool, Some(appended.clone()))
        .await
        .unwrap();
    assert_ne!(after_edit.rewrites, appended.rewrites);
    assert_eq!(after_edit.values, full().await.values);
    assert_eq!(after_edit.values[3], models::values::Multiplier(999));
    // ServerState::history follows the same path and serves the new value.
    let snap = app.state.history().await.unwrap();
    assert_eq!(snap.values[3], models::values::Multiplier(999));
}

#[tokio::test]
async fn a_large_batch_is_stored_in_order_across_insert_chunks() {
    let app = test_app().await;
    // 1,234 values cross the 500-row statements twice.
    let values: Vec<models::values::Multiplier> = (0..1234u32)
        .map(|i| models::values::Multiplier(100 + (i * 7919) % 5000))
        .collect();
    let ids = app::db::insert_values(&app.state.pool, &values, app::types::Source::Import)
        .await
        .unwrap();
    assert_eq!(ids.len(), values.len());
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(app::db::all_values(&app.state.pool).await.unwrap(), values);
    for (k, id) in [(0usize, ids[0]), (500, ids[500]), (1233, ids[1233])] {
        let row = app::service::rounds::get(&app.state, id).await.unwrap();
        assert_eq!(row.value, values[k]);
        assert_eq!(row.position, k as i64 + 1);
    }
}
