//! The player's choices on an import: rounds that are already stored (the report names
//! the repeated run; keep them, skip them, or refuse the file) and fields that hold
//! several values (split into their rounds, in place, or left as faults).

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

#[tokio::test]
async fn fields_holding_several_values_are_split_in_place_only_when_asked() {
    let app = test_app().await;
    let file = "id,value\n1,1.50\n2,2.29\u{2028}1.29\n3,3.00\n4,4.00\u{2028}bad\n5,5.00\n";
    let (s, report) = app
        .upload("/api/v1/import?dry_run=true&filename=x.csv", file.into())
        .await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(
        (report["valid"].as_u64(), report["splittable"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(report["faults"].as_array().unwrap().len(), 2);

    // Not asked: the faults refuse the file as before.
    let (s, body) = app
        .upload("/api/v1/import?filename=x.csv", file.into())
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(app.stored().await.is_empty());

    // Split: the two values take the row's place; the field with a bad part stays a fault.
    let (s, report) = app
        .upload(
            "/api/v1/import?dry_run=true&split=true&filename=x.csv",
            file.into(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(
        (report["valid"].as_u64(), report["split"].as_u64()),
        (Some(5), Some(1))
    );
    assert_eq!(report["faults"][0]["row"], 4);
    let (s, body) = app
        .upload(
            "/api/v1/import?split=true&on_fault=skip_faulty&filename=x.csv",
            file.into(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(app.stored().await, [150, 229, 129, 300, 500]);
}
