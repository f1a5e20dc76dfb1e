//! What the admin's account settings do on a hosted server: a session ends at its
//! absolute lifetime however busy it is, and a closed sign-up creates nobody.

use crate::accounts::{refused_401, Client, PASSWORD};
use crate::helpers::*;
use axum::http::StatusCode;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn a_busy_session_still_ends_at_its_absolute_lifetime() {
    let app = hosted_app_settings(|s| {
        s.session_idle_s = 60;
        s.session_absolute_s = 2;
    })
    .await;
    let mut busy = Client::signup(&app, "busy").await;
    let started = std::time::Instant::now();
    // A request every 0.4 s: never idle, yet the session ends 2 s after login.
    let ended = loop {
        let a = busy.call(&app, "GET", "/api/v1/stats", None).await;
        if a.status != StatusCode::OK {
            break a;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the session outlived its 2 s lifetime"
        );
        tokio::time::sleep(Duration::from_millis(400)).await;
    };
    refused_401(&ended, "a session past its absolute lifetime");
    // Lifetimes are counted in whole seconds: more than 1 s passed, less than 3.
    assert!(
        started.elapsed() >= Duration::from_millis(800),
        "{:?}",
        started.elapsed()
    );
    // Logging in again opens a new one.
    let mut again = Client::default();
    let a = again
        .call(
            &app,
            "POST",
            "/api/v1/auth/login",
            Some(json!({"username": "busy", "password": PASSWORD})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(again.me(&app).await.0, StatusCode::OK);
}

#[tokio::test]
async fn with_sign_up_closed_nobody_can_create_an_account() {
    let app = hosted_app_settings(|s| s.signup = false).await;
    let mut c = Client::default();
    let a = c
        .call(
            &app,
            "POST",
            "/api/v1/auth/signup",
            Some(json!({"username": "mallory", "password": PASSWORD})),
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    assert_eq!(a.body["error"]["code"], "signup_closed", "{}", a.body);
    assert!(c.cookie.is_none(), "no session for a refused sign-up");
    let hosted = app.hosted.clone().unwrap();
    assert!(app::db::user_by_name(&hosted.pool, "mallory")
        .await
        .unwrap()
        .is_none());
    refused_401(
        &c.call(&app, "GET", "/api/v1/stats", None).await,
        "no account, no access",
    );
}

/// The session cookie is `Secure` when a trusted proxy says the player came over HTTPS,
/// and only then: the header from anyone else, or `http`, changes nothing.
#[tokio::test]
async fn a_login_over_https_through_a_trusted_proxy_gets_a_secure_cookie() {
    let proxy: std::net::IpAddr = "10.0.0.2".parse().unwrap();
    let app = hosted_app_with(3600, vec![proxy]).await;
    Client::signup(&app, "bob").await;
    let cookie_of = |peer: &str, proto: &str| {
        let mut req = axum::http::Request::builder()
            .method("POST")
            .uri("/api/v1/auth/login")
            .header("content-type", "application/json")
            .header("x-forwarded-proto", proto)
            .body(axum::body::Body::from(
                json!({"username": "bob", "password": PASSWORD}).to_string(),
            ))
            .unwrap();
        let peer = std::net::SocketAddr::new(peer.parse().unwrap(), 40000);
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        let router = app.router.clone();
        async move {
            let response = tower::ServiceExt::oneshot(router, req).await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            response.headers()["set-cookie"]
                .to_str()
                .unwrap()
                .to_string()
        }
    };
    let secure = |c: &str| c.split(';').any(|a| a.trim() == "Secure");
    let over_https = cookie_of("10.0.0.2", "https").await;
    assert!(over_https.starts_with("jetx_session="), "{over_https}");
    assert!(secure(&over_https), "{over_https}");
    assert!(over_https.contains("HttpOnly"), "{over_https}");
    let plain = cookie_of("10.0.0.2", "http").await;
    assert!(!secure(&plain), "{plain}");
    let claimed = cookie_of("198.51.100.9", "https").await;
    assert!(!secure(&claimed), "an untrusted peer's header: {claimed}");
}

#[tokio::test]
async fn metrics_are_read_only_with_the_metrics_token_on_a_hosted_server() {
    const SCRAPER: &str = "scrape-0123456789abcdefghij";
    // Without a configured token, nobody reads them: not a player, not a stranger.
    let closed = hosted_app(3600).await;
    let mut ana = Client::signup(&closed, "ana").await;
    for c in [&mut ana, &mut Client::default()] {
        let a = c.call(&closed, "GET", "/metrics", None).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{}", a.body);
        assert_eq!(a.body["error"]["code"], "not_found");
    }
    let app = hosted_app_settings(|s| s.metrics_token = Some(SCRAPER.into())).await;
    let mut ana = Client::signup(&app, "ana").await;
    let a = ana.call(&app, "GET", "/api/v1/stats", None).await;
    assert_eq!(a.status, StatusCode::OK);
    // A player's session or API token is not the scraper's.
    let token = ana
        .call(&app, "POST", "/api/v1/tokens", Some(json!({"name": "cli"})))
        .await;
    assert_eq!(token.status, StatusCode::CREATED, "{}", token.body);
    let by_token = Client {
        token: token.body["token"].as_str().map(str::to_owned),
        ..Client::default()
    };
    let near_miss = format!("{}x", &SCRAPER[..SCRAPER.len() - 1]);
    for (mut c, what) in [
        (ana.clone(), "a player's session"),
        (by_token, "a player's API token"),
        (Client::default(), "no credentials"),
        (
            Client {
                token: Some(near_miss),
                ..Client::default()
            },
            "a near miss",
        ),
    ] {
        let a = c.call(&app, "GET", "/metrics", None).await;
        refused_401(&a, what);
        assert_eq!(a.headers["www-authenticate"], "Bearer", "{what}");
    }
    let mut scraper = Client {
        token: Some(SCRAPER.into()),
        ..Client::default()
    };
    let a = scraper.call(&app, "GET", "/metrics", None).await;
    assert_eq!(a.status, StatusCode::OK);
    let text = a.body.as_str().unwrap_or_default();
    assert!(text.contains("jetx_http_requests_total"), "{text}");
    // The scraper's token opens nothing else.
    refused_401(
        &scraper.call(&app, "GET", "/api/v1/stats", None).await,
        "the metrics token on the API",
    );
}
