//! Two servers on one database (two PostgreSQL-backed instances in hosting; two
//! processes on one SQLite file locally): one history, one prediction, one training job
//! and one backtest at a time.

use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn stats(t: &TestApp) -> Value {
    let (s, body) = t.json("GET", "/api/v1/stats", None).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn two_servers_write_at_once_and_read_one_history() {
    let a = Arc::new(test_app().await);
    let b = Arc::new(test_app_on(&a.database).await);
    // 40 writers, half on each server, each storing 5 rounds one by one.
    let mut writers = Vec::new();
    for w in 0..40 {
        let t = if w % 2 == 0 { a.clone() } else { b.clone() };
        writers.push(tokio::spawn(async move {
            for k in 0..5 {
                let value = format!("{}.{:02}", 1 + (w + k) % 7, (w * 5 + k) % 100);
                let (s, body) = t
                    .json("POST", "/api/v1/rounds", Some(json!({ "value": value })))
                    .await;
                assert_eq!(s, StatusCode::CREATED, "{body}");
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    let (sa, sb) = (stats(&a).await, stats(&b).await);
    assert_eq!(sa["summary"]["count"], 200);
    assert_eq!(sa["summary"], sb["summary"]);
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM rounds ORDER BY id")
        .fetch_all(&b.state.pool)
        .await
        .unwrap();
    assert_eq!(ids.len(), 200);
    assert!(ids.windows(2).all(|w| w[0] < w[1]));

    let max_before = sa["summary"]["max"].clone();
    // An edit on one server and an undo on the other: both see both.
    let first = ids[0];
    let (s, body) = a
        .json(
            "PUT",
            &format!("/api/v1/rounds/{first}"),
            Some(json!({"value": "500"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, _) = b.json("POST", "/api/v1/rounds/undo", None).await;
    assert_eq!(s, StatusCode::OK);
    let (sa, sb) = (stats(&a).await, stats(&b).await);
    assert_eq!(sa["summary"]["count"], 199);
    assert_eq!(sa["summary"], sb["summary"]);
    assert_ne!(sb["summary"]["max"], max_before, "{sb}");

    // The same next-round estimate from both.
    let (_, pa) = a
        .json("POST", "/api/v1/predict", Some(json!({"cashout": 2.0})))
        .await;
    let (_, pb) = b
        .json("POST", "/api/v1/predict", Some(json!({"cashout": 2.0})))
        .await;
    assert_eq!(pa["thresholds"], pb["thresholds"]);
    assert_eq!(pa["rounds"], 199);
}

fn now() -> i64 {
    app::service::leases::now()
}

fn running_elsewhere() -> String {
    serde_json::to_string(&app::views::TrainStatus {
        state: app::views::JobState::Running,
        stage: "search".into(),
        detail: "candidate 3 of 9".into(),
        ..Default::default()
    })
    .unwrap()
}

const QUICK: &str =
    r#"{"members": ["logistic"], "budget_s": 2, "device": "cpu", "activate": false}"#;

#[tokio::test]
async fn a_job_of_another_server_is_shown_refused_until_its_lease_ends_and_cancelled_from_here() {
    let t = test_app().await;
    app::db::load_demo(&t.state.pool, 1500, 7, 0.03)
        .await
        .unwrap();
    let pool = &t.state.pool;
    let taken = app::db::acquire_lease(
        pool,
        "training",
        "other#1",
        "other#",
        &running_elsewhere(),
        now(),
    )
    .await
    .unwrap();
    assert!(taken.is_ok(), "{taken:?}");
    let quick: Value = serde_json::from_str(QUICK).unwrap();
    let (s, body) = t.json("POST", "/api/v1/train", Some(quick.clone())).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "job_running");
    // Numbered by the lease: the first training job on this database.
    assert!(
        body["error"]["message"].as_str().unwrap().contains("job 1"),
        "{body}"
    );
    let status = t.train_status().await;
    assert_eq!(
        (status["job"].as_u64(), status["state"].as_str()),
        (Some(1), Some("running"))
    );
    assert_eq!(status["detail"], "candidate 3 of 9");

    // A cancel here reaches the other server through the lease.
    let (s, body) = t.json("POST", "/api/v1/train/cancel", None).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(
        app::db::read_lease(pool, "training")
            .await
            .unwrap()
            .unwrap()
            .cancel
    );

    // The other server stops renewing (it crashed): once the lease ran out, this one trains.
    sqlx::query("UPDATE job_leases SET expires_at = $1")
        .bind(now() - 1)
        .execute(pool)
        .await
        .unwrap();
    let (s, body) = t.json("POST", "/api/v1/train", Some(quick)).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{body}");
    let end = t.wait_for_end(Duration::from_secs(120)).await;
    assert_eq!(end["state"], "succeeded", "{end}");
    // Released with the final status, for the other servers to show.
    let lease = wait_for_release(pool).await;
    let last: Value = serde_json::from_str(&lease.status).unwrap();
    assert_eq!(last["state"], "succeeded");
}

async fn wait_for_release(pool: &app::db::Pool) -> app::db::LeaseRow {
    let start = Instant::now();
    loop {
        let lease = app::db::read_lease(pool, "training")
            .await
            .unwrap()
            .unwrap();
        if !lease.live(now()) {
            return lease;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "lease still held"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_training_job_runs_once_across_two_servers_and_either_can_cancel_it() {
    let a = test_app().await;
    let b = test_app_on(&a.database).await;
    app::db::load_demo(&a.state.pool, 1500, 7, 0.03)
        .await
        .unwrap();
    // A browser following training on the other server.
    let mut events = b.event_stream("/api/v1/train/events").await;
    assert!(events.next_event().await.contains("\"state\":\"idle\""));
    let slow = json!({"members": ["gru"], "budget_s": 60, "device": "cpu", "activate": true});
    let (s, body) = a.json("POST", "/api/v1/train", Some(slow.clone())).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{body}");
    let (s, body) = b.json("POST", "/api/v1/train", Some(slow)).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(b.train_status().await["state"], "running");
    assert!(events.next_event().await.contains("\"state\":\"running\""));
    let started = Instant::now();
    let (s, body) = b.json("POST", "/api/v1/train/cancel", None).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let end = a.wait_for_end(Duration::from_secs(30)).await;
    assert_eq!(end["state"], "cancelled", "{end}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // Both show the ended job; either may start the next.
    wait_for_release(&a.state.pool).await;
    assert_eq!(b.train_status().await["state"], "idle");
}

/// Job numbers are shared by the servers: a job started on the other server after two
/// jobs here is job 3 (its own count would say 1), so a browser that followed job 2 here
/// takes up the other server's job as the newer one.
#[tokio::test]
async fn a_job_on_the_other_server_is_numbered_after_every_earlier_job() {
    let a = test_app().await;
    let b = test_app_on(&a.database).await;
    app::db::load_demo(&a.state.pool, 1500, 7, 0.03)
        .await
        .unwrap();
    let quick: Value = serde_json::from_str(QUICK).unwrap();
    for n in 1..=2 {
        let (s, body) = a.json("POST", "/api/v1/train", Some(quick.clone())).await;
        assert_eq!(s, StatusCode::ACCEPTED, "{body}");
        assert_eq!(body["job"], n, "{body}");
        assert_eq!(
            a.wait_for_end(Duration::from_secs(60)).await["state"],
            "succeeded"
        );
        wait_for_release(&a.state.pool).await;
    }
    let seen: app::views::TrainStatus = serde_json::from_value(a.train_status().await).unwrap();
    assert_eq!(seen.job, 2);
    let mut events = a.event_stream("/api/v1/train/events").await;
    assert!(events.next_event().await.contains("\"job\":2"));
    let slow = json!({"members": ["gru"], "budget_s": 60, "device": "cpu", "activate": false});
    let (s, body) = b.json("POST", "/api/v1/train", Some(slow)).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["job"], 3, "{body}");
    // The browser on `a` gets the other server's job, and it reads as newer than job 2.
    let event = events.next_event().await;
    let data = event
        .lines()
        .find_map(|l| l.strip_prefix("data: "))
        .unwrap_or_else(|| panic!("no data in {event}"));
    let running: app::views::TrainStatus = serde_json::from_str(data).unwrap();
    assert_eq!(
        (running.job, running.state),
        (3, app::views::JobState::Running)
    );
    assert!(running.is_newer_than(Some(&seen)));
    let (s, body) = a.json("POST", "/api/v1/train/cancel", None).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(
        b.wait_for_end(Duration::from_secs(30)).await["state"],
        "cancelled"
    );
}

#[tokio::test]
async fn one_backtest_at_a_time_across_servers() {
    let t = test_app().await;
    app::db::load_demo(&t.state.pool, 2500, 7, 0.03)
        .await
        .unwrap();
    let form = "request[start]=1500&request[refit]=every&request[refit_every]=500&request[window]=1000&request[gap]=0&request[thresholds][0]=2&request[models][0]=empirical&request[cashout]=2";
    let taken = app::db::acquire_lease(&t.state.pool, "backtest", "other#1", "other#", "{}", now())
        .await
        .unwrap();
    assert!(taken.is_ok(), "{taken:?}");
    let (s, body) = t.server_fn("backtest", form).await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    app::db::release_lease(&t.state.pool, "backtest", "other#1", "{}", now())
        .await
        .unwrap();
    let (s, body) = t.server_fn("backtest", form).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let job: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(job["state"], "running");
    crate::backtests::wait_until_ended(&t, job["id"].as_i64().unwrap()).await;
    crate::backtests::wait_for_lease_release(&t).await;
    // Released when done: the other server may run one now.
    let again = app::db::acquire_lease(&t.state.pool, "backtest", "other#1", "other#", "{}", now())
        .await
        .unwrap();
    assert!(again.is_ok(), "{again:?}");
}

/// The data of a server-sent events response, one event at a time.
pub(crate) struct Events(axum::body::Body);

impl Events {
    pub(crate) async fn next_event(&mut self) -> String {
        use http_body_util::BodyExt;
        let frame = tokio::time::timeout(Duration::from_secs(5), self.0.frame())
            .await
            .expect("an event within 5 s")
            .expect("a frame")
            .unwrap();
        String::from_utf8_lossy(&frame.into_data().expect("a data frame")).into_owned()
    }
}

impl TestApp {
    pub(crate) async fn event_stream(&self, uri: &str) -> Events {
        use tower::ServiceExt;
        let req = axum::http::Request::builder()
            .uri(uri)
            .body(axum::body::Body::empty())
            .unwrap();
        let resp = self.router.clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        Events(resp.into_body())
    }
}

#[tokio::test]
async fn a_model_trained_on_one_server_is_served_by_the_other_and_activations_follow() {
    use server::registry_sync::RegistrySync;
    let a = test_app().await;
    let b = test_app_on(&a.database).await;
    let mut sync_a = RegistrySync::new(a.state.pool.clone(), a.models_dir.clone());
    let mut sync_b = RegistrySync::new(b.state.pool.clone(), b.models_dir.clone());
    let first = a.train_logistic().await;
    let pass = sync_a.pass().await.unwrap();
    assert_eq!(pass.uploaded, [first.as_str()]);
    assert_eq!(pass.active.as_deref(), Some(first.as_str()));
    let pass = sync_b.pass().await.unwrap();
    assert_eq!(pass.downloaded, [first.as_str()]);
    assert_eq!(pass.active.as_deref(), Some(first.as_str()));
    assert_eq!(model_of(&b).await, first);
    // The first server's job has ended; once its lease is released the other may train.
    wait_for_release(&a.state.pool).await;

    // A newer model trained and activated on the second server becomes the first's too.
    let second = b.train_logistic_on_stored().await;
    assert_ne!(second, first);
    assert_eq!(sync_b.pass().await.unwrap().uploaded, [second.as_str()]);
    let pass = sync_a.pass().await.unwrap();
    assert_eq!(pass.downloaded, [second.as_str()]);
    assert_eq!(pass.active.as_deref(), Some(second.as_str()));
    assert_eq!(model_of(&a).await, second);
    // Nothing left to copy.
    assert_eq!(sync_a.pass().await.unwrap(), sync_a_pass_idle(&second));
}

fn sync_a_pass_idle(active: &str) -> server::registry_sync::SyncPass {
    server::registry_sync::SyncPass {
        active: Some(active.to_string()),
        ..Default::default()
    }
}

/// The model version behind a server's next-round estimate.
async fn model_of(t: &TestApp) -> String {
    let (s, p) = t
        .json("POST", "/api/v1/predict", Some(json!({"cashout": 2.0})))
        .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    p["model"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_server_starts_its_next_job_before_its_last_lease_is_released_but_only_one() {
    let t = Arc::new(test_app().await);
    app::db::load_demo(&t.state.pool, 1500, 7, 0.03)
        .await
        .unwrap();
    // This server's previous job ended, and its lease is still live (not released yet).
    let mine = format!("{}#", t.state.instance);
    let old = format!("{mine}999");
    let taken = app::db::acquire_lease(&t.state.pool, "training", &old, &mine, "{}", now())
        .await
        .unwrap();
    assert!(taken.is_ok(), "{taken:?}");
    // Two starts at once: exactly one runs, the other is told a job runs.
    let quick: Value = serde_json::from_str(QUICK).unwrap();
    let starts: Vec<_> = (0..2)
        .map(|_| {
            let (t, body) = (t.clone(), quick.clone());
            tokio::spawn(async move { t.json("POST", "/api/v1/train", Some(body)).await })
        })
        .collect();
    let mut codes = Vec::new();
    for s in starts {
        codes.push(s.await.unwrap().0);
    }
    codes.sort();
    assert_eq!(codes, [StatusCode::ACCEPTED, StatusCode::CONFLICT]);
    // The late release of the old job does not end the new job's lease.
    app::db::release_lease(&t.state.pool, "training", &old, "{}", now())
        .await
        .unwrap();
    let lease = app::db::read_lease(&t.state.pool, "training")
        .await
        .unwrap()
        .unwrap();
    assert!(
        lease.holder.starts_with(&mine) && lease.holder != old,
        "{lease:?}"
    );
    assert_eq!(
        t.wait_for_end(Duration::from_secs(120)).await["state"],
        "succeeded"
    );
}
