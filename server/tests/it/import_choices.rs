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

/// Ids and positions of the stored rounds, oldest first, as the rounds API lists them.
async fn listed(app: &crate::helpers::TestApp) -> Vec<(i64, i64, String)> {
    let (s, page) = app.json("GET", "/api/v1/rounds?limit=1000", None).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let mut rows: Vec<(i64, i64, String)> = page["rounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_i64().unwrap(),
                r["position"].as_i64().unwrap(),
                r["value"].to_string(),
            )
        })
        .collect();
    rows.sort();
    rows
}

#[tokio::test]
async fn an_older_history_goes_before_the_stored_rounds_and_every_id_stays() {
    let app = test_app().await;
    let all: Vec<u32> = (0..260u32).map(|i| 100 + (i * 7919) % 997).collect();
    let (oldest, older, recent) = (&all[..60], &all[60..160], &all[160..]);
    let (s, body) = app
        .upload("/api/v1/import?filename=r.csv", csv(recent))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    // The server's cached history is read before the older rounds arrive.
    let before = listed(&app).await;
    assert_eq!(before.first().map(|r| r.1), Some(1));

    let (s, body) = app
        .upload("/api/v1/import?place=before&filename=o.csv", csv(older))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(
        (body["stored"].as_u64(), body["place"].as_str()),
        (Some(100), Some("before"))
    );
    assert_eq!(app.stored().await, &all[60..]);
    let after = listed(&app).await;
    assert_eq!(after.len(), 200);
    // The recent rounds keep their ids and values, now at positions 101–200.
    for (old, new) in before.iter().zip(&after[100..]) {
        assert_eq!((old.0, &old.2), (new.0, &new.2));
        assert_eq!(new.1, old.1 + 100);
    }
    let (_, stats) = app.json("GET", "/api/v1/stats", None).await;
    assert_eq!(stats["summary"]["count"], 200, "{stats}");

    // A round entered now goes after all of them; an even older file before all.
    let (s, body) = app
        .json(
            "POST",
            "/api/v1/rounds",
            Some(serde_json::json!({"value": "7.77"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    // The oldest file repeats the first 20 rounds stored: skipped, the rest goes first.
    let mut file = oldest.to_vec();
    file.extend_from_slice(&older[..20]);
    let (s, report) = app
        .upload("/api/v1/import?dry_run=true&filename=z.csv", csv(&file))
        .await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(
        report["already_stored"],
        serde_json::json!({"file_start": 60, "stored_start": 0, "len": 20})
    );
    let (s, body) = app
        .upload(
            "/api/v1/import?place=before&duplicates=skip&filename=z.csv",
            csv(&file),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(
        (body["stored"].as_u64(), body["skipped_duplicates"].as_u64()),
        (Some(60), Some(20))
    );
    let mut expected = all.clone();
    expected.push(777);
    assert_eq!(app.stored().await, expected);
    let rows = listed(&app).await;
    assert_eq!(
        rows.iter().map(|r| r.1).collect::<Vec<_>>(),
        (1..=261).collect::<Vec<_>>()
    );

    let (s, body) = app
        .upload("/api/v1/import?place=middle&filename=z.csv", csv(&file))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(app.stored().await.len(), 261);
}

fn csv_with_ids(rows: &[(u32, u32)]) -> Vec<u8> {
    let mut text = String::from("round_id,multiplier\n");
    for (id, v) in rows {
        text.push_str(&format!("{id},{}.{:02}\n", v / 100, v % 100));
    }
    text.into_bytes()
}

#[tokio::test]
async fn the_files_own_ids_are_kept_and_recognise_a_reimport() {
    let app = test_app().await;
    let rows: Vec<(u32, u32)> = (1..=80u32)
        .map(|i| (6200 + i, 100 + (i * 7919) % 997))
        .collect();
    let (s, body) = app
        .upload("/api/v1/import?filename=a.csv", csv_with_ids(&rows[..50]))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["source_ids"], true);
    let (_, page) = app.json("GET", "/api/v1/rounds?limit=1", None).await;
    assert_eq!(page["rounds"][0]["source_id"], "6250", "{page}");

    // Rows 41–80, the first ten of them in another order: no repeated run of 8 values,
    // but the ids say 10 of them are stored.
    let mut again = rows[40..].to_vec();
    again[..10].reverse();
    let (s, report) = app
        .upload(
            "/api/v1/import?dry_run=true&filename=b.csv",
            csv_with_ids(&again),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(
        (
            report["repeated_ids"].as_u64(),
            report["source_ids"].as_bool()
        ),
        (Some(10), Some(true))
    );
    assert!(report["already_stored"].is_null(), "{report}");
    let (s, refused) = app
        .upload(
            "/api/v1/import?duplicates=refuse&filename=b.csv",
            csv_with_ids(&again),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{refused}");
    assert!(refused["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("10 rounds of this file are already stored (their ids"));
    let (s, body) = app
        .upload(
            "/api/v1/import?duplicates=skip&filename=b.csv",
            csv_with_ids(&again),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(
        (body["stored"].as_u64(), body["skipped_duplicates"].as_u64()),
        (Some(30), Some(10))
    );
    let values: Vec<u32> = rows.iter().map(|r| r.1).collect();
    assert_eq!(app.stored().await, values);
    let (_, page) = app.json("GET", "/api/v1/rounds?limit=1000", None).await;
    let mut ids: Vec<String> = page["rounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["source_id"].as_str().unwrap().to_string())
        .collect();
    ids.reverse();
    let expected: Vec<String> = rows.iter().map(|r| r.0.to_string()).collect();
    assert_eq!(ids, expected);

    // The same rounds under other ids (another app's export): no id matches, the run of
    // values still does.
    let renamed: Vec<(u32, u32)> = rows[60..]
        .iter()
        .enumerate()
        .map(|(k, r)| (k as u32 + 1, r.1))
        .collect();
    let (s, report) = app
        .upload(
            "/api/v1/import?dry_run=true&filename=d.csv",
            csv_with_ids(&renamed),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{report}");
    assert_eq!(report["repeated_ids"], 0);
    assert_eq!(
        report["already_stored"],
        serde_json::json!({"file_start": 0, "stored_start": 60, "len": 20})
    );

    // A field holding two values keeps its id on both, numbered; typed rounds have none.
    let file = "id,value\n9001,1.50\n9002,2.29\u{2028}1.29\n";
    let (s, body) = app
        .upload("/api/v1/import?split=true&filename=c.csv", file.into())
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, _) = app
        .json(
            "POST",
            "/api/v1/rounds",
            Some(serde_json::json!({"value": "3.00"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, page) = app.json("GET", "/api/v1/rounds?limit=4", None).await;
    let newest: Vec<serde_json::Value> = page["rounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["source_id"].clone())
        .collect();
    assert_eq!(
        newest,
        [
            serde_json::Value::Null,
            "9002/2".into(),
            "9002/1".into(),
            "9001".into()
        ]
    );
}
