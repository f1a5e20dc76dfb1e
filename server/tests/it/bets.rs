//! The bet ledger over REST: bets settled by their round, sums next to the fair law, CSV,
//! and every bad bet refused with a 4xx and nothing stored.

use crate::helpers::test_app;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};

async fn bets_stored(app: &crate::helpers::TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM bets")
        .fetch_one(&app.state.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn bets_are_settled_by_their_round_and_summed_next_to_the_fair_law() {
    let app = test_app().await;
    let (s, body) = app
        .json(
            "POST",
            "/api/v1/bets",
            Some(json!({"stake": 1, "target": 2})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("record the round first"));

    let (s, rounds) = app
        .json(
            "POST",
            "/api/v1/rounds",
            Some(json!({"values": ["2.50", "1.20", "3.00"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{rounds}");
    let first: i64 = sqlx::query_scalar("SELECT MIN(id) FROM rounds")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    // 2 at 2x on 2.50: +2; 1 at 2x on 1.20: −1; on the newest (3.00): cashed out at 2.5
    // with 4 (+6), and a manual bet of 1 lost.
    for (request, profit) in [
        (json!({"round_id": first, "stake": 2, "target": 2}), 2.0),
        (
            json!({"round_id": first + 1, "stake": 1, "target": 2.0}),
            -1.0,
        ),
        (json!({"stake": 4, "cashed_out": 2.5}), 6.0),
        (json!({"stake": 1, "lost": true}), -1.0),
    ] {
        let (s, bet) = app
            .json("POST", "/api/v1/bets", Some(request.clone()))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{request} → {bet}");
        assert_eq!(bet["profit"].as_f64(), Some(profit), "{request} → {bet}");
        assert!(
            (bet["expected"].as_f64().unwrap() + 0.03 * request["stake"].as_f64().unwrap()).abs()
                < 1e-9
        );
    }
    let (s, ledger) = app
        .json("GET", "/api/v1/bets?offset_minutes=60", None)
        .await;
    assert_eq!(s, StatusCode::OK, "{ledger}");
    assert_eq!(ledger["bets"].as_array().map(Vec::len), Some(4));
    let session = &ledger["summary"]["session"];
    assert_eq!(session["bets"], 4);
    assert_eq!(session["net"].as_f64(), Some(6.0));
    assert!((session["turnover"].as_f64().unwrap() - 8.0).abs() < 1e-9);
    assert!((session["expected"].as_f64().unwrap() + 0.24).abs() < 1e-9);
    assert!(session["expected_low"].as_f64() < session["expected"].as_f64());
    // All four are today, this week and month too.
    for period in ["day", "week", "month", "all"] {
        assert_eq!(
            ledger["summary"][period]["net"].as_f64(),
            Some(6.0),
            "{period}"
        );
    }

    // Editing a round re-settles its bets: the 2.50 round becomes 1.50, the bet on it lost.
    let (s, _) = app
        .json(
            "PUT",
            &format!("/api/v1/rounds/{first}"),
            Some(json!({"value": "1.50"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, ledger) = app.json("GET", "/api/v1/bets", None).await;
    assert_eq!(ledger["summary"]["all"]["net"].as_f64(), Some(2.0));

    let req = Request::builder()
        .uri("/api/v1/bets/export.csv")
        .body(Body::empty())
        .unwrap();
    let (s, csv) = app.send(req).await;
    assert_eq!(s, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    assert_eq!(csv.lines().count(), 5, "{csv}");
    assert!(
        csv.lines()
            .nth(3)
            .unwrap()
            .contains(",4,cashed_out,2.50,3.00,true,6.00,"),
        "{csv}"
    );

    // Deleting a bet, then its round, takes what belongs to them.
    let id = ledger["bets"][0]["id"].as_i64().unwrap();
    let (s, _) = app
        .json("DELETE", &format!("/api/v1/bets/{id}"), None)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, body) = app
        .json("DELETE", &format!("/api/v1/bets/{id}"), None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(bets_stored(&app).await, 3);
    let (s, _) = app.json("POST", "/api/v1/rounds/undo", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(bets_stored(&app).await, 1);
}

#[tokio::test]
async fn bad_bets_get_a_4xx_and_store_nothing() {
    let app = test_app().await;
    let (s, _) = app
        .json("POST", "/api/v1/rounds", Some(json!({"values": ["3.00"]})))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    for (request, status, needle) in [
        (
            json!({"stake": 0, "target": 2}),
            400,
            "stake must be a positive",
        ),
        (
            json!({"stake": -5, "target": 2}),
            400,
            "stake must be a positive",
        ),
        (json!({"stake": 1, "target": 0.5}), 400, "outside"),
        (json!({"stake": 1}), 400, "exactly one of"),
        (
            json!({"stake": 1, "target": 2, "lost": true}),
            400,
            "exactly one of",
        ),
        (
            json!({"stake": 1, "cashed_out": 3.5}),
            422,
            "cannot be above the crash",
        ),
        (
            json!({"round_id": 999, "stake": 1, "target": 2}),
            404,
            "no round with id 999",
        ),
        (json!({"stake": "one", "target": 2}), 400, "stake"),
    ] {
        let (got, body) = app
            .json("POST", "/api/v1/bets", Some(request.clone()))
            .await;
        assert_eq!(got.as_u16(), status, "{request} → {body}");
        let message = body["error"]["message"].as_str().unwrap_or("");
        assert!(message.contains(needle), "{request} → {message}");
    }
    assert_eq!(bets_stored(&app).await, 0);
    // Two panels: two bets on a round, not three.
    for _ in 0..2 {
        let (s, _) = app
            .json(
                "POST",
                "/api/v1/bets",
                Some(json!({"stake": 1, "target": 2})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let (s, body) = app
        .json(
            "POST",
            "/api/v1/bets",
            Some(json!({"stake": 1, "target": 2})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(bets_stored(&app).await, 2);
    let (s, body): (StatusCode, Value) = app
        .json("GET", "/api/v1/bets?offset_minutes=100000", None)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    let (s, body) = app.json("DELETE", "/api/v1/bets/abc", None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
}

/// One connection stores a lost bet (no exit multiplier: NULL) and then bets with one, in
/// turn, and each is settled right: a cached statement must take both (see `NullableF64`).
#[tokio::test]
async fn lost_bets_and_cash_outs_alternate_on_one_connection() {
    use models::bets::Exit;
    let app = test_app().await;
    // Used one request at a time, a pool opens a single connection.
    let pool = app::db::connect(&app.database).await.unwrap();
    for step in 0..4 {
        let (s, body) = app
            .json("POST", "/api/v1/rounds", Some(json!({"value": "3.00"})))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        let lost = app::db::insert_bet(&pool, None, 1.0, Exit::Lost, 0.03)
            .await
            .unwrap();
        assert_eq!(lost.settled.profit, -1.0);
        let exit = if step % 2 == 0 {
            Exit::Target(2.0)
        } else {
            Exit::CashedOut(2.5)
        };
        let won = app::db::insert_bet(&pool, None, 2.0, exit, 0.03)
            .await
            .unwrap();
        assert!(won.settled.profit > 0.0, "{exit:?}: {:?}", won.settled);
    }
    assert_eq!(bets_stored(&app).await, 8);
}
