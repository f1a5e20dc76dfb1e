//! Importing rounds that are already stored: the report names the repeated run, and the
//! player keeps them, skips them (only the new rounds are stored) or refuses the file.

use crate::helpers::test_app;
use axum::http::StatusCode;

fn csv(values: &[u32]) -> Vec<u8> {
    let mut text = String::from("value\n");
    for v in values {
        text.push_str(&format!("{}.{:02}\n", v / 100, v % 100));
    }
    text.into_bytes()
}

#[tokio::test]
async fn a_repeated_file_is_named_and_kept_skipped_or_refused_as_asked() {
    let app = test_app().await;
    let all: Vec<u32> = (0..130u32).map(|i| 100 + (i * 7919) % 997).collect();
    let (first, newer) = (&all[..100], &all[70..]);
    let (s, body) = app
        .upload("/api/v1/import?filename=a.csv", csv(first))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body["already_stored"].is_null(), "{body}");

    // A newer export: 30 of the stored rounds, then 30 new ones.
    let (s, report) = app
        .upload("/api/v1/import?dry_run=true&filename=b.csv", csv(newer))
        .await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(
        report["already_stored"],
        serde_json::json!({"file_start": 0, "stored_start": 70, "len": 30})
    );

    // Refused: 409 with the same report, nothing stored.
    let (s, refused) = app
        .upload(
            "/api/v1/import?duplicates=refuse&filename=b.csv",
            csv(newer),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{refused}");
    assert_eq!(refused["error"]["code"], "already_stored");
    assert_eq!(refused["error"]["details"]["already_stored"]["len"], 30);
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .contains("rounds 71 to 100 of the history"));
    assert_eq!(app.stored().await, first);

    // Skipped: only the 30 new rounds, in order after the stored ones.
    let (s, body) = app
        .upload("/api/v1/import?duplicates=skip&filename=b.csv", csv(newer))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(
        (body["stored"].as_u64(), body["skipped_duplicates"].as_u64()),
        (Some(30), Some(30))
    );
    assert_eq!(app.stored().await, all);

    // The same file once more, skipped: nothing new, nothing stored, not an error.
    let (s, body) = app
        .upload("/api/v1/import?duplicates=skip&filename=b.csv", csv(newer))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["stored"], 0);
    assert_eq!(app.stored().await, all);

    // Kept (the default): stored again, and still named.
    let (s, body) = app
        .upload("/api/v1/import?filename=b.csv", csv(newer))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["stored"], 60);
    assert_eq!(body["already_stored"]["len"], 60);
    assert_eq!(app.stored().await.len(), 190);

    let (s, body) = app
        .upload("/api/v1/import?duplicates=twice&filename=b.csv", csv(newer))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(app.stored().await.len(), 190);
}
