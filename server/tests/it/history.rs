//! The history snapshot every page reads: brought up to date with only the rows that
//! changed, it equals a snapshot read from scratch after any mix of appends, edits,
//! deletions and undos; and the rounds list pages through it by offset or by id.

use crate::helpers::test_app;
use app::db::history_snapshot;
use axum::http::StatusCode;
use models::tally::Tally;
use serde_json::{json, Value};

#[tokio::test]
async fn an_updated_snapshot_equals_a_fresh_read_after_every_kind_of_change() {
    let app = test_app().await;
    let pool = &app.state.pool;
    let mut snap = history_snapshot(pool, None).await.unwrap();
    let mut seed = 7u64;
    let mut kinds = [0usize; 5];
    for step in 0..150 {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let r = (seed >> 33) as usize;
        // Picked from the stored rounds: the snapshot may be a few changes behind.
        let ids = history_snapshot(pool, None).await.unwrap().ids;
        let pick = || ids[(r / 7) % ids.len()];
        let value = format!("{}.{:02}", 1 + r % 9, r % 100);
        let kind = if ids.is_empty() { 0 } else { r % 5 };
        kinds[kind] += 1;
        let status = match kind {
            // Typed on the dashboard: a round with its time.
            1 => app.server_fn("add_round", &format!("text={value}")).await.0,
            0 => {
                let values: Vec<String> = (0..1 + r % 4).map(|k| format!("{}.5", 1 + k)).collect();
                app.json("POST", "/api/v1/rounds", Some(json!({ "values": values })))
                    .await
                    .0
            }
            2 => {
                let uri = format!("/api/v1/rounds/{}", pick());
                app.json("PUT", &uri, Some(json!({ "value": value })))
                    .await
                    .0
            }
            3 => {
                let uri = format!("/api/v1/rounds/{}", pick());
                app.json("DELETE", &uri, None).await.0
            }
            _ => app.json("POST", "/api/v1/rounds/undo", None).await.0,
        };
        assert!(status.is_success(), "step {step}: {status}");
        // Now and then several changes (edits and deletions mixed) are taken in at once.
        if (r >> 20).is_multiple_of(3) && step + 1 < 150 {
            continue;
        }
        snap = history_snapshot(pool, Some(snap)).await.unwrap();
        let fresh = history_snapshot(pool, None).await.unwrap();
        assert_eq!(snap.values, fresh.values, "step {step}");
        assert_eq!(snap.ids, fresh.ids, "step {step}");
        assert_eq!(*snap.tally, Tally::of(&fresh.values), "step {step}");
        assert_eq!(snap.clock, fresh.clock, "step {step}");
        assert!(snap.clock.timed() <= snap.ids.len());
        assert_eq!(
            (snap.last_id, snap.revision, snap.rewrites),
            (fresh.last_id, fresh.revision, fresh.rewrites)
        );
    }
    assert!(
        kinds.iter().all(|&k| k > 5),
        "every kind of change ran: {kinds:?}"
    );
}

/// (status, ids, positions, next_before) of one `GET /api/v1/rounds` page.
async fn page(
    app: &crate::helpers::TestApp,
    query: &str,
) -> (StatusCode, Vec<i64>, Vec<i64>, Option<i64>) {
    let (s, body) = app
        .json("GET", &format!("/api/v1/rounds?{query}"), None)
        .await;
    let col = |k: &str| -> Vec<i64> {
        body["rounds"]
            .as_array()
            .map(|a| a.iter().filter_map(|r| r[k].as_i64()).collect())
            .unwrap_or_default()
    };
    (s, col("id"), col("position"), body["next_before"].as_i64())
}

#[tokio::test]
async fn pages_by_id_and_by_offset_list_every_round_once_with_its_position() {
    let app = test_app().await;
    let values: Vec<String> = (0..230)
        .map(|i| format!("{}.{:02}", 1 + i % 7, i % 100))
        .collect();
    let (s, body) = app
        .json("POST", "/api/v1/rounds", Some(json!({ "values": values })))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let ids: Vec<i64> = body["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    // Gaps in the ids: positions must still count rounds, not ids.
    for id in [ids[3], ids[100], ids[101], ids[229]] {
        assert_eq!(
            app.json("DELETE", &format!("/api/v1/rounds/{id}"), None)
                .await
                .0,
            StatusCode::OK
        );
    }
    let kept: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| ![ids[3], ids[100], ids[101], ids[229]].contains(id))
        .collect();
    let mut by_id = Vec::new();
    let mut positions = Vec::new();
    let (s, first, pos, mut next) = page(&app, "limit=40").await;
    assert_eq!(s, StatusCode::OK);
    by_id.extend(first);
    positions.extend(pos);
    while let Some(before) = next {
        let (s, more, pos, n) = page(&app, &format!("before={before}&limit=40")).await;
        assert_eq!(s, StatusCode::OK);
        by_id.extend(more);
        positions.extend(pos);
        next = n;
    }
    let newest_first: Vec<i64> = kept.iter().rev().copied().collect();
    assert_eq!(by_id, newest_first);
    let expected: Vec<i64> = (1..=kept.len() as i64).rev().collect();
    assert_eq!(positions, expected);
    let mut by_offset = Vec::new();
    for offset in (0..kept.len()).step_by(40) {
        by_offset.extend(page(&app, &format!("offset={offset}&limit=40")).await.1);
    }
    assert_eq!(by_offset, newest_first);
    // Past the end: an empty page, not an error; both ways at once: a clear 400.
    let (s, rest, _, next) = page(&app, "offset=5000&limit=10").await;
    assert_eq!((s, rest.len(), next), (StatusCode::OK, 0, None));
    let (s, body): (StatusCode, Value) = app
        .json("GET", "/api/v1/rounds?offset=0&before=9", None)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["code"], "bad_query");
    // One round read by id carries its position too.
    let (s, one) = app
        .json("GET", &format!("/api/v1/rounds/{}", kept[10]), None)
        .await;
    assert_eq!((s, one["position"].as_i64()), (StatusCode::OK, Some(11)));
}

/// Rounds typed one by one carry their time into the pattern scan's clock family; a batch
/// does not, and the next round is placed at the present hour.
#[tokio::test]
async fn live_rounds_feed_the_clock_family_and_imports_do_not() {
    let app = test_app().await;
    let pool = &app.state.pool;
    // An API batch and an import: stored at once, so their times say nothing.
    let batch: Vec<String> = (0..600)
        .map(|k| format!("{}.{:02}", 1 + k % 7, k % 100))
        .collect();
    let (s, _) = app
        .json("POST", "/api/v1/rounds", Some(json!({ "values": batch })))
        .await;
    assert!(s.is_success());
    let (s, body) = app.json("GET", "/api/v1/patterns", None).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["timed_rounds"], 0);
    let clock_rules = |body: &Value| -> Vec<Value> {
        body["rules"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["family"] == "clock")
            .cloned()
            .collect()
    };
    assert!(clock_rules(&body).is_empty(), "no clock rule met a round");
    for k in 0..40 {
        let v = format!("{}.{:02}", 1 + k % 4, k);
        // Typed on the dashboard, one by one.
        let (s, body) = app.server_fn("add_round", &format!("text={v}")).await;
        assert!(s.is_success(), "{s}: {body}");
    }
    // Played 20 s apart, the last a minute ago: the next round is in the same session.
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let snap = history_snapshot(pool, None).await.unwrap();
    let live = &snap.ids[600..];
    for (k, id) in live.iter().enumerate() {
        let at = now_ms - 60_000 - 20_000 * (live.len() - 1 - k) as i64;
        let secs = at.div_euclid(1000);
        let text = format!("{}.{:03}Z", stamp(secs), at.rem_euclid(1000));
        sqlx::query("UPDATE rounds SET created_at = $1 WHERE id = $2")
            .bind(text)
            .bind(*id)
            .execute(pool)
            .await
            .unwrap();
    }
    let (s, body) = app.json("GET", "/api/v1/patterns?all=true", None).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["timed_rounds"], 40);
    let rules = clock_rules(&body);
    let block = (now_ms / 3_600_000 % 24 / 4 * 4) as u8;
    let here = format!("played between {block:02}:00");
    let next: Vec<&Value> = rules.iter().filter(|r| r["applies_next"] == true).collect();
    assert!(
        next.iter()
            .any(|r| r["condition"].as_str().unwrap().starts_with(&here)),
        "the next round is in the {here} block: {next:?}"
    );
    // 40 rounds over 13 minutes, each in one of the first catalogue's session buckets.
    let buckets = [
        "0 to 5 ",
        "5 to 15 ",
        "15 to 30 ",
        "30 to 60 ",
        "60 to 120 ",
        "120 minutes or",
    ];
    let session: u64 = rules
        .iter()
        .filter(|r| {
            buckets
                .iter()
                .any(|b| r["condition"].as_str().unwrap().starts_with(b))
        })
        .filter(|r| r["cashout"] == 2.0)
        .map(|r| r["occurrences"].as_u64().unwrap())
        .sum();
    assert_eq!(session, 40);
    assert_eq!(body["provenance"]["clock"]["timed_rounds"], 40);
    clock_reports_are_reproduced_from_the_database(&app);
}

/// `jetx patterns` on the stored rounds reads their clock as the page does, and
/// `verify-report` makes such a report again from the database, never from a file of
/// values (which has no times), and catches other times.
fn clock_reports_are_reproduced_from_the_database(app: &crate::helpers::TestApp) {
    let run = |args: &[&str]| {
        let out = crate::cli::jetx_command(&app.database, args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, json) = run(&["patterns", "--json"]);
    assert_eq!(code, Some(0), "{json}");
    let report: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["timed_rounds"], 40);
    let clock = &report["provenance"]["clock"];
    assert_eq!(clock["timed_rounds"], 40);
    assert!(clock["next_round_ms"].as_i64().is_some(), "{clock}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("patterns.json");
    std::fs::write(&path, &json).unwrap();
    let report_arg = path.to_str().unwrap();
    let (code, out) = run(&["verify-report", "--report", report_arg]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.starts_with("REPRODUCED"), "{out}");
    // The same values in a file: the times are not there.
    let (_, csv) = run(&["export"]);
    let values = dir.path().join("values.csv");
    std::fs::write(&values, csv).unwrap();
    let (code, out) = run(&[
        "verify-report",
        values.to_str().unwrap(),
        "--report",
        report_arg,
    ]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("40 rounds typed live"), "{out}");
    // Other times than the report read.
    let mut forged = report.clone();
    forged["provenance"]["clock"]["times_sha256"] = "00".repeat(32).into();
    std::fs::write(&path, forged.to_string()).unwrap();
    let (code, out) = run(&["verify-report", "--report", report_arg]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("not the times the report read"), "{out}");
}

/// `YYYY-MM-DDTHH:MM:SS` of Unix seconds `secs` (UTC).
fn stamp(secs: i64) -> String {
    let out = std::process::Command::new("date")
        .args(["-u", "-d", &format!("@{secs}"), "+%Y-%m-%dT%H:%M:%S"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}
