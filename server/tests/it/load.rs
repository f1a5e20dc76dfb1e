//! Concurrent writers over real loopback TCP: the real server on 127.0.0.1, many clients
//! at once, each checking its own answers; then the database is read back. Bounded (a few
//! thousand small requests) so it runs in CI.

use crate::helpers::*;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The real app behind a real listener on a free loopback port.
pub(crate) async fn serve(app: &TestApp) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router.into_make_service()).await;
    });
    addr
}

/// One HTTP/1.1 request on its own connection; the status code and the body.
pub(crate) async fn http(addr: SocketAddr, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_string();
    (status, body)
}

/// Client `c`'s `i`-th value, in hundredths: who sent it and in which order, readable
/// back from the table.
fn tagged(c: u32, i: u32) -> u32 {
    100 + c * 1000 + i
}

/// Each client's values in the order they are stored (by id).
async fn stored_by_client(app: &TestApp) -> std::collections::BTreeMap<u32, Vec<u32>> {
    let mut by_client = std::collections::BTreeMap::<u32, Vec<u32>>::new();
    for v in app::db::all_values(&app.state.pool).await.unwrap() {
        by_client.entry((v.0 - 100) / 1000).or_default().push(v.0);
    }
    by_client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_writers_lose_nothing_and_never_see_a_5xx() {
    const CLIENTS: u32 = 50;
    const EACH: u32 = 100;
    let app = test_app().await;
    let addr = serve(&app).await;
    let started = std::time::Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            tokio::spawn(async move {
                let mut answers = Vec::new();
                for i in 0..EACH {
                    let value = format!("{:.2}", f64::from(tagged(c, i)) / 100.0);
                    let body = format!("{{\"value\":\"{value}\"}}");
                    answers.push(http(addr, "POST", "/api/v1/rounds", &body).await);
                }
                answers
            })
        })
        .collect();
    let mut acknowledged = 0;
    let mut wrong = Vec::new();
    for client in clients {
        for (status, body) in client.await.unwrap() {
            if status == 201 {
                acknowledged += 1;
            } else {
                wrong.push((status, body));
            }
        }
    }
    eprintln!(
        "{} single-round POSTs from {CLIENTS} clients in {:.2} s",
        CLIENTS * EACH,
        started.elapsed().as_secs_f64()
    );
    assert!(
        wrong.is_empty(),
        "{} answers were not 201: {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(5)]
    );
    assert_eq!(acknowledged, CLIENTS * EACH);
    let by_client = stored_by_client(&app).await;
    assert_eq!(by_client.len(), CLIENTS as usize);
    for (c, values) in by_client {
        let sent: Vec<u32> = (0..EACH).map(|i| tagged(c, i)).collect();
        assert_eq!(
            values, sent,
            "client {c}'s rounds are stored in the order it sent them"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_batches_are_all_or_nothing_and_readers_keep_working() {
    const CLIENTS: u32 = 16;
    const BATCHES: u32 = 5;
    const SIZE: u32 = 100;
    let app = test_app().await;
    let addr = serve(&app).await;
    let writers: Vec<_> = (0..CLIENTS)
        .map(|c| {
            tokio::spawn(async move {
                let mut answers = Vec::new();
                for b in 0..BATCHES {
                    let mut values: Vec<String> = (0..SIZE)
                        .map(|i| format!("\"{:.2}\"", f64::from(tagged(c, b * SIZE + i)) / 100.0))
                        .collect();
                    // Odd clients spoil every other batch with one bad token in the middle.
                    let spoiled = c % 2 == 1 && b % 2 == 0;
                    if spoiled {
                        values[SIZE as usize / 2] = "\"1.5.0\"".into();
                    }
                    let body = format!("{{\"values\":[{}]}}", values.join(","));
                    let (status, text) = http(addr, "POST", "/api/v1/rounds", &body).await;
                    answers.push((b, spoiled, status, text));
                }
                answers
            })
        })
        .collect();
    // Readers during the writes: every page and statistic keeps answering.
    let readers: Vec<_> = (0..4)
        .map(|_| {
            tokio::spawn(async move {
                let mut statuses = Vec::new();
                for _ in 0..25 {
                    statuses.push(http(addr, "GET", "/api/v1/stats", "").await.0);
                    statuses.push(http(addr, "GET", "/api/v1/rounds?limit=50", "").await.0);
                }
                statuses
            })
        })
        .collect();
    let mut expected = std::collections::BTreeMap::<u32, Vec<u32>>::new();
    for (c, client) in writers.into_iter().enumerate() {
        let c = c as u32;
        for (b, spoiled, status, text) in client.await.unwrap() {
            if spoiled {
                assert_eq!(status, 422, "a spoiled batch is refused: {text}");
                assert!(text.contains("nothing was stored"), "{text}");
            } else {
                assert_eq!(status, 201, "a good batch is stored: {text}");
                expected
                    .entry(c)
                    .or_default()
                    .extend((0..SIZE).map(|i| tagged(c, b * SIZE + i)));
            }
        }
    }
    for reader in readers {
        for status in reader.await.unwrap() {
            assert_eq!(status, 200, "a read during the writes");
        }
    }
    assert_eq!(stored_by_client(&app).await, expected);
}

/// A body over the limit gets an answer, 413 with the error JSON, on a connection that
/// stays open until the client has sent it all (answering early reset the connection, so
/// the client saw no answer); nothing is stored.
#[tokio::test]
async fn an_oversized_body_is_answered_413_not_reset() {
    let app = test_app().await;
    let addr = serve(&app).await;
    let body = format!(
        "{{\"values\": [{}]}}",
        vec!["\"1.50\""; 3_500_000].join(",")
    );
    assert!(body.len() > 20_000_000);
    let (status, answer) = http(addr, "POST", "/api/v1/rounds", &body).await;
    assert_eq!(status, 413, "{answer}");
    let error: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(error["error"]["code"], "too_large", "{error}");
    assert_eq!(error["error"]["status"], 413);
    let (_, stats) = app.json("GET", "/api/v1/stats", None).await;
    assert_eq!(stats["summary"]["count"], 0);
}
