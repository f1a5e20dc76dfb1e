//! Training jobs and the model registry over REST, against a real temporary SQLite file
//! and the real `jetx` binary.

use crate::helpers::{test_app, TestApp};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tower::ServiceExt;

impl TestApp {
    pub(crate) async fn train_status(&self) -> Value {
        let (s, body) = self.json("GET", "/api/v1/train", None).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        body
    }

    /// Polls GET /train until the job is no longer running.
    pub(crate) async fn wait_for_end(&self, timeout: Duration) -> Value {
        let start = Instant::now();
        loop {
            let status = self.train_status().await;
            if status["state"] != "running" {
                return status;
            }
            assert!(
                start.elapsed() < timeout,
                "the training job still runs after {timeout:?}: {status}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn models(&self) -> Vec<Value> {
        let (s, body) = self.json("GET", "/api/v1/models", None).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        body["models"].as_array().unwrap().clone()
    }

    /// Loads demo rounds, trains a logistic-only model that becomes active, returns its
    /// version.
    pub(crate) async fn train_logistic(&self) -> String {
        app::db::load_demo(&self.state.pool, 1500, 7, 0.03)
            .await
            .unwrap();
        self.train_logistic_on_stored().await
    }

    /// Trains a logistic-only model on the stored rounds; returns its version.
    pub(crate) async fn train_logistic_on_stored(&self) -> String {
        let (s, started) = self
            .json(
                "POST",
                "/api/v1/train",
                Some(json!({"members": ["logistic"], "budget_s": 2, "device": "cpu", "activate": true})),
            )
            .await;
        assert_eq!(s, StatusCode::ACCEPTED, "{started}");
        assert_eq!(started["state"], "running", "{started}");
        let job = started["job"].as_u64().unwrap();
        let done = self.wait_for_end(Duration::from_secs(120)).await;
        assert_eq!(done["state"], "succeeded", "{done}");
        assert_eq!(done["job"].as_u64().unwrap(), job);
        assert_eq!(done["percent"].as_f64().unwrap(), 100.0, "{done}");
        assert!(done["error"].is_null(), "{done}");
        let version = done["version"].as_str().expect("a version").to_string();
        assert!(
            self.models_dir.join(&version).join("model.json").is_file(),
            "{version}"
        );
        version
    }
}

#[tokio::test]
async fn training_over_rest_registers_and_activates_a_model() {
    let t = test_app().await;
    assert_eq!(t.train_status().await["state"], "idle");
    let before = t.predict(2.0).await;
    let version = t.train_logistic().await;
    let models = t.models().await;
    assert_eq!(models.len(), 1, "{models:?}");
    assert_eq!(models[0]["version"], version.as_str());
    assert_eq!(models[0]["active"], true);
    assert!(models[0]["problem"].is_null(), "{}", models[0]["problem"]);
    let members = &models[0]["members"];
    assert_eq!(members.as_array().unwrap().len(), 1, "{members}");
    assert!(
        members[0].as_str().unwrap().starts_with("logistic"),
        "{members}"
    );
    // Same history revision, new model: the cached fair answer is not reused.
    assert!(before["model"].is_null());
    let after = t.predict(2.0).await;
    assert_eq!(after["model"], version.as_str(), "{after}");
    assert!(after["notice"].is_null(), "{after}");
    assert_eq!(after["rounds"], 1500);
    let (total, list) = t.predictions().await;
    // The fair prediction made on the empty history went when the demo rounds came.
    assert_eq!(total, 1, "the model's prediction only: {list:?}");
    assert_eq!(list[0]["model"], version.as_str());
    let (s, body) = t
        .json("POST", &format!("/api/v1/models/{version}/activate"), None)
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["active"], version.as_str());
}

#[tokio::test]
async fn a_second_job_is_refused_and_a_cancelled_one_registers_nothing() {
    let t = test_app().await;
    app::db::load_demo(&t.state.pool, 1500, 7, 0.03)
        .await
        .unwrap();
    let models_before = t.models().await.len();
    let slow = json!({"members": ["gru"], "budget_s": 60, "device": "cpu", "activate": true});
    let (s, started) = t.json("POST", "/api/v1/train", Some(slow.clone())).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{started}");
    let (s, body) = t.json("POST", "/api/v1/train", Some(slow.clone())).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "job_running");

    let start = Instant::now();
    loop {
        let st = t.train_status().await;
        assert_eq!(st["state"], "running", "{st}");
        if st["stage"] != "starting" || start.elapsed() > Duration::from_secs(2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (s, body) = t.json("POST", "/api/v1/train/cancel", None).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let end = t.wait_for_end(Duration::from_secs(30)).await;
    assert_eq!(end["state"], "cancelled", "{end}");
    assert!(end["version"].is_null(), "{end}");
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "a cancel is a kill"
    );
    assert_eq!(t.models().await.len(), models_before);
    assert!(t.predict(2.0).await["model"].is_null());

    // The slot is free again: a new job starts (and is cancelled at once).
    let mut restarted = None;
    for _ in 0..20 {
        let (s, body) = t.json("POST", "/api/v1/train", Some(slow.clone())).await;
        if s == StatusCode::ACCEPTED {
            restarted = Some(body);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let restarted = restarted.expect("a new job starts after the cancelled one ended");
    assert_eq!(
        restarted["job"].as_u64().unwrap(),
        started["job"].as_u64().unwrap() + 1
    );
    let (s, _) = t.json("POST", "/api/v1/train/cancel", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        t.wait_for_end(Duration::from_secs(30)).await["state"],
        "cancelled"
    );
}

#[tokio::test]
async fn bad_training_requests_are_refused() {
    let t = test_app().await;
    let body = |members: Value, budget: Value, device: &str| json!({"members": members, "budget_s": budget, "device": device, "activate": true});
    for (bad, hint) in [
        (body(json!(["logistic"]), json!(0), "cpu"), "budget"),
        (body(json!(["logistic"]), json!(-5), "cpu"), "budget"),
        (body(json!(["logistic"]), json!(1e9), "cpu"), "budget"),
        (body(json!(["logistic"]), json!(2), "tpu"), "tpu"),
        (body(json!(["xyz"]), json!(2), "cpu"), "xyz"),
    ] {
        let (s, resp) = t.json("POST", "/api/v1/train", Some(bad.clone())).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad} → {resp}");
        assert_eq!(resp["error"]["code"], "bad_training_request", "{resp}");
        assert!(
            resp["error"]["message"].as_str().unwrap().contains(hint),
            "{resp}"
        );
    }
    let (s, resp) = t
        .json(
            "POST",
            "/api/v1/train",
            Some(json!({"members": ["logistic"]})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{resp}");
    assert_eq!(resp["error"]["code"], "bad_json");
    let (s, resp) = t.json("POST", "/api/v1/train/cancel", None).await;
    assert_eq!(s, StatusCode::CONFLICT, "{resp}");
    assert_eq!(resp["error"]["code"], "no_job");
    let status = t.train_status().await;
    assert_eq!(status["state"], "idle", "{status}");
    assert_eq!(status["job"], 0, "{status}");
    // The refused requests took no job number: the first job started is job 1.
    let good = body(json!(["logistic"]), json!(2), "cpu");
    let (s, started) = t.json("POST", "/api/v1/train", Some(good)).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{started}");
    assert_eq!(started["job"], 1, "{started}");
    t.wait_for_end(Duration::from_secs(60)).await;
}

/// A training form with no member ticked sends no `members` field at all: it is read as
/// "every member", not refused; on an empty history the job then fails with its reason.
#[tokio::test]
async fn a_training_form_with_no_member_ticked_trains_every_member() {
    let t = test_app().await;
    let req = Request::builder()
        .method("POST")
        .uri("/api/start_training")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(
            "request[budget_s]=3&request[device]=cpu&request[activate]=false",
        ))
        .unwrap();
    let (s, body) = t.send(req).await;
    let started: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(s, StatusCode::OK, "{started}");
    assert_eq!(started["state"], "running", "{started}");
    assert_eq!(started["request"]["members"], json!([]), "{started}");
    let done = t.wait_for_end(Duration::from_secs(60)).await;
    assert_eq!(done["state"], "failed", "{done}");
    assert!(
        done["error"].as_str().is_some_and(|e| e.contains("round")),
        "{done}"
    );
}

#[tokio::test]
async fn training_events_stream_starts_with_the_current_status() {
    let t = test_app().await;
    let req = Request::builder()
        .uri("/api/v1/train/events")
        .body(Body::empty())
        .unwrap();
    let resp = t.router.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let ct = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .expect("a content type")
        .to_str()
        .unwrap()
        .to_string();
    assert!(ct.starts_with("text/event-stream"), "{ct}");
    let mut body = resp.into_body();
    let frame = tokio::time::timeout(Duration::from_secs(5), body.frame())
        .await
        .expect("the first event comes at once")
        .expect("a frame")
        .unwrap();
    let bytes = frame.into_data().expect("a data frame");
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("event: status"), "{text}");
    assert!(text.contains("\"state\":\"idle\""), "{text}");
}

#[tokio::test]
async fn a_damaged_model_falls_back_to_the_fair_law_and_cannot_be_activated() {
    let t = test_app().await;
    let version = t.train_logistic().await;
    assert_eq!(t.predict(2.0).await["model"], version.as_str());

    std::fs::write(t.models_dir.join(&version).join("model.json"), "{not json").unwrap();
    let view = t.predict(2.0).await;
    assert!(view["model"].is_null(), "{view}");
    let notice = view["notice"].as_str().expect("a notice");
    assert!(notice.contains("cannot be used"), "{notice}");
    assert!(notice.contains("fair baseline"), "{notice}");

    let models = t.models().await;
    let listed = models
        .iter()
        .find(|m| m["version"] == version.as_str())
        .expect("still listed");
    assert!(listed["problem"].is_string(), "{listed}");

    let (s, body) = t
        .json("POST", &format!("/api/v1/models/{version}/activate"), None)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "cannot_activate");
    let (s, body) = t
        .json("POST", "/api/v1/models/v9999-nothing/activate", None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test]
async fn a_cancel_that_comes_after_the_model_was_saved_does_not_misreport() {
    let t = test_app().await;
    app::db::load_demo(&t.state.pool, 1500, 7, 0.03)
        .await
        .unwrap();
    let mut rx = t.state.training.subscribe();
    let (s, body) = t
        .json(
            "POST",
            "/api/v1/train",
            Some(
                json!({"members": ["logistic"], "budget_s": 2, "device": "cpu", "activate": true}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{body}");
    // Wait for the moment the child reports the saved version.
    tokio::time::timeout(Duration::from_secs(120), async {
        loop {
            {
                let st = rx.borrow_and_update();
                if st.version.is_some() || st.state != app::views::JobState::Running {
                    break;
                }
            }
            rx.changed().await.unwrap();
        }
    })
    .await
    .expect("training ends within 120 s");
    let saved = t.state.training.status();
    assert_eq!(
        saved.state,
        app::views::JobState::Running,
        "the job ended before the cancel could be sent: {:?}",
        saved.error
    );
    let version = saved.version.clone().expect("saved");
    let (cancel, _) = t.json("POST", "/api/v1/train/cancel", None).await;
    let end = t.wait_for_end(Duration::from_secs(30)).await;
    let models = t.models().await;
    let registered: Vec<&Value> = models
        .iter()
        .filter(|m| m["version"] == version.as_str())
        .collect();
    if end["state"] == "cancelled" {
        assert!(
            registered.is_empty(),
            "cancel answered {cancel}, the job reports {} / {}, yet {version} is registered \
             (active: {}) and answers predictions ({})",
            end["state"],
            end["error"],
            registered[0]["active"],
            t.predict(2.0).await["model"]
        );
    } else {
        assert_eq!(end["state"], "succeeded", "{}", end["error"]);
        assert_eq!(registered.len(), 1);
    }
}

#[tokio::test]
async fn only_a_registry_folder_name_can_be_activated() {
    let app = test_app().await;
    for bad in [".tmp-v0001", "..%2F..%2Fetc", "v0001%2F..%2F.."] {
        let (status, body) = app
            .json("POST", &format!("/api/v1/models/{bad}/activate"), None)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert_eq!(body["error"]["code"], "cannot_activate");
    }
    // A plain name that is no version here is not found (as another player's would be).
    let (status, body) = app
        .json("POST", "/api/v1/models/nothing/activate", None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(body["error"]["code"], "not_found");
}
