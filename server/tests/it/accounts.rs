//! Attacks on a hosted server (`accounts = true`), one test each, with what must happen.
//!
//! | attack | result |
//! |---|---|
//! | any API route or server function with no session or token | 401 `unauthenticated`; a page: redirect to `/login?next=…` |
//! | a cross-site write that carries a valid session cookie | 403 `cross_site`, nothing stored |
//! | a forged session cookie; a session idle past the timeout; a busy one past its absolute lifetime | 401 |
//! | sign-up when the admin closed it | 403 `signup_closed`, no account |
//! | session fixation: a session id planted before login | login issues a new id; the planted one opens nothing |
//! | brute force on one account, or from one address | 429 with `Retry-After`, even for the right password; other accounts still log in |
//! | another player's round, bet, model version or training job | 404, or the player's own empty view: never the data |
//! | a revoked token; a deleted user's token or session | 401 |
//!
//! The last two rows are tested in `accounts_scoping.rs`, the absolute lifetime and the
//! closed sign-up in `accounts_settings.rs`.

use crate::helpers::*;
use crate::security::REST_WRITES;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;

/// One browser (a cookie jar of one cookie) or script (a bearer token) on the app.
#[derive(Clone, Default)]
pub(crate) struct Client {
    pub(crate) cookie: Option<String>,
    pub(crate) token: Option<String>,
}

pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) body: Value,
    pub(crate) headers: HeaderMap,
}

impl Client {
    pub(crate) async fn call(
        &mut self,
        app: &TestApp,
        method: &str,
        uri: &str,
        body: Option<Value>,
    ) -> Answer {
        self.send(app, method, uri, body, &[]).await
    }

    pub(crate) async fn send(
        &mut self,
        app: &TestApp,
        method: &str,
        uri: &str,
        body: Option<Value>,
        extra: &[(&str, &str)],
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(c) = &self.cookie {
            req = req.header("cookie", format!("jetx_session={c}"));
        }
        if let Some(t) = &self.token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let resp = tower::ServiceExt::oneshot(app.router.clone(), req)
            .await
            .unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        if let Some(set) = headers.get("set-cookie").and_then(|v| v.to_str().ok()) {
            let value = set
                .split(';')
                .next()
                .unwrap()
                .trim_start_matches("jetx_session=");
            self.cookie = (!value.is_empty()).then(|| value.to_string());
        }
        let bytes = http_body_util::BodyExt::collect(resp.into_body())
            .await
            .unwrap()
            .to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Answer {
            status,
            body,
            headers,
        }
    }

    /// A server function called as the browser calls it (URL-encoded form).
    pub(crate) async fn form(&mut self, app: &TestApp, uri: &str, form: &str) -> Answer {
        let mut req = Request::builder()
            .method("POST")
            .uri(uri)
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(c) = &self.cookie {
            req = req.header("cookie", format!("jetx_session={c}"));
        }
        let resp = tower::ServiceExt::oneshot(
            app.router.clone(),
            req.body(Body::from(form.to_string())).unwrap(),
        )
        .await
        .unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = http_body_util::BodyExt::collect(resp.into_body())
            .await
            .unwrap()
            .to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            body,
            headers,
        }
    }

    pub(crate) async fn signup(app: &TestApp, name: &str) -> Client {
        let mut c = Client::default();
        let a = c
            .call(
                app,
                "POST",
                "/api/v1/auth/signup",
                Some(json!({"username": name, "password": PASSWORD})),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
        assert!(c.cookie.is_some(), "a session cookie is set");
        c
    }

    pub(crate) async fn me(&mut self, app: &TestApp) -> (StatusCode, Value) {
        let a = self.call(app, "GET", "/api/v1/auth/me", None).await;
        (a.status, a.body)
    }
}

pub(crate) const PASSWORD: &str = "correct horse battery";

pub(crate) fn refused_401(a: &Answer, what: &str) {
    assert_eq!(a.status, StatusCode::UNAUTHORIZED, "{what}: {}", a.body);
    assert_eq!(
        a.body["error"]["code"], "unauthenticated",
        "{what}: {}",
        a.body
    );
}

#[tokio::test]
async fn sign_up_log_in_log_out() {
    let app = hosted_app(3600).await;
    let mut c = Client::default();
    let a = c
        .call(
            &app,
            "POST",
            "/api/v1/auth/signup",
            Some(json!({"username": "Ana", "password": PASSWORD})),
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    assert_eq!(a.body, json!({"username": "ana"}));
    let cookie = a.headers["set-cookie"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for attribute in ["httponly", "samesite=lax", "path=/", "max-age=3600"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(
        !cookie.contains("secure"),
        "no Secure flag on plain http: {cookie}"
    );
    assert_eq!(
        c.me(&app).await,
        (StatusCode::OK, json!({"username": "ana"}))
    );

    let mut other = Client::default();
    let taken = other
        .call(
            &app,
            "POST",
            "/api/v1/auth/signup",
            Some(json!({"username": "ANA", "password": PASSWORD})),
        )
        .await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.body);
    let weak = other
        .call(
            &app,
            "POST",
            "/api/v1/auth/signup",
            Some(json!({"username": "bob", "password": "short"})),
        )
        .await;
    assert_eq!(
        weak.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        weak.body
    );
    let bad = other
        .call(
            &app,
            "POST",
            "/api/v1/auth/signup",
            Some(json!({"username": "bob"})),
        )
        .await;
    assert!(bad.status.is_client_error(), "{}", bad.body);

    let out = c.call(&app, "POST", "/api/v1/auth/logout", None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(c.cookie.is_none(), "the cookie is cleared");
    assert_eq!(c.me(&app).await.0, StatusCode::UNAUTHORIZED);

    let wrong = c
        .call(
            &app,
            "POST",
            "/api/v1/auth/login",
            Some(json!({"username": "ana", "password": "wrong password"})),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body["error"]["code"], "wrong_password");
    let unknown = c
        .call(
            &app,
            "POST",
            "/api/v1/auth/login",
            Some(json!({"username": "nobody", "password": PASSWORD})),
        )
        .await;
    assert_eq!(
        unknown.body["error"], wrong.body["error"],
        "an unknown name reads like a wrong password"
    );
    let right = c
        .call(
            &app,
            "POST",
            "/api/v1/auth/login",
            Some(json!({"username": "ANA", "password": PASSWORD})),
        )
        .await;
    assert_eq!(right.status, StatusCode::OK, "{}", right.body);
    assert_eq!(
        c.me(&app).await,
        (StatusCode::OK, json!({"username": "ana"}))
    );
}

#[tokio::test]
async fn without_a_session_every_route_is_refused_and_pages_send_to_login() {
    let app = hosted_app(3600).await;
    let mut nobody = Client::default();
    for (method, path, body) in REST_WRITES {
        let body = (!body.is_empty() && !path.contains("import"))
            .then(|| serde_json::from_str(body).unwrap());
        refused_401(&nobody.call(&app, method, path, body).await, path);
    }
    for path in [
        "/api/v1/stats",
        "/api/v1/rounds",
        "/api/v1/bets",
        "/api/v1/models",
        "/api/v1/train",
        "/api/v1/train/events",
        "/api/v1/predictions",
        "/api/v1/patterns",
        "/api/v1/analysis",
        "/api/v1/limits",
        "/api/v1/rounds/export.csv",
        "/api/v1/tokens",
    ] {
        refused_401(&nobody.call(&app, "GET", path, None).await, path);
    }
    let server_fn = nobody
        .send(
            &app,
            "POST",
            "/api/add_round",
            None,
            &[("content-type", "application/x-www-form-urlencoded")],
        )
        .await;
    // A server function's error is the error object itself (what its client decodes).
    assert_eq!(server_fn.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        server_fn.body["code"], "unauthenticated",
        "{}",
        server_fn.body
    );
    assert_eq!(server_fn.body["status"], 401);
    for (page, next) in [("/", "/"), ("/rounds?offset=5", "/rounds%3Foffset%3D5")] {
        let a = nobody.call(&app, "GET", page, None).await;
        assert!(a.status.is_redirection(), "{page}: {}", a.status);
        assert_eq!(
            a.headers["location"],
            format!("/login?next={next}").as_str()
        );
    }
    // The site's files are served without a session (the login page needs them).
    for file in [
        "/session.js",
        "/autobet.js",
        "/api-docs/init.js",
        "/pkg/jetx.js",
    ] {
        let a = nobody.call(&app, "GET", file, None).await;
        assert!(
            !a.status.is_redirection() && a.status != StatusCode::UNAUTHORIZED,
            "{file}: {}",
            a.status
        );
    }
    // What a player needs before signing in still answers.
    assert_eq!(
        nobody.call(&app, "GET", "/healthz", None).await.status,
        StatusCode::OK
    );
    assert_eq!(nobody.me(&app).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_cross_site_write_with_a_valid_session_is_refused() {
    let app = hosted_app(3600).await;
    let mut ana = Client::signup(&app, "ana").await;
    let cross = [
        ("origin", "http://evil.example"),
        ("sec-fetch-site", "cross-site"),
        ("host", "127.0.0.1:3000"),
    ];
    let a = ana
        .send(
            &app,
            "POST",
            "/api/v1/rounds",
            Some(json!({"value": "2.00"})),
            &cross,
        )
        .await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.body);
    assert_eq!(a.body["error"]["code"], "cross_site");
    let stats = ana.call(&app, "GET", "/api/v1/stats", None).await;
    assert_eq!(
        stats.body["summary"]["count"], 0,
        "nothing stored: {}",
        stats.body
    );
}

#[tokio::test]
async fn forged_and_idle_sessions_open_nothing_and_activity_keeps_one_alive() {
    let app = hosted_app(2).await;
    let mut forged = Client {
        cookie: Some("AAAAAAAAAAAAAAAAAAAAAA".into()),
        token: None,
    };
    refused_401(
        &forged.call(&app, "GET", "/api/v1/stats", None).await,
        "forged id",
    );
    let mut junk = Client {
        cookie: Some("not-an-id".into()),
        token: None,
    };
    refused_401(
        &junk.call(&app, "GET", "/api/v1/stats", None).await,
        "malformed id",
    );

    let mut busy = Client::signup(&app, "busy").await;
    let mut idle = Client::signup(&app, "idle").await;
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(
            busy.me(&app).await.0,
            StatusCode::OK,
            "a request restarts the idle clock"
        );
    }
    // `idle` made no request for 3.2 s > 2 s.
    let mut stale = idle.clone();
    refused_401(
        &stale.call(&app, "GET", "/api/v1/stats", None).await,
        "an idle session",
    );
    assert_eq!(idle.me(&app).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_session_id_planted_before_login_is_replaced() {
    let app = hosted_app(3600).await;
    let mallory = Client::signup(&app, "mallory").await;
    Client::signup(&app, "victim").await;
    // The victim's browser carries mallory's session id, then logs in.
    let planted = mallory.cookie.clone().unwrap();
    let mut victim = Client {
        cookie: Some(planted.clone()),
        token: None,
    };
    let a = victim
        .call(
            &app,
            "POST",
            "/api/v1/auth/login",
            Some(json!({"username": "victim", "password": PASSWORD})),
        )
        .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    let fresh = victim.cookie.clone().unwrap();
    assert_ne!(fresh, planted, "login rotates the session id");
    assert_eq!(victim.me(&app).await.1, json!({"username": "victim"}));
    let mut planted_client = Client {
        cookie: Some(planted),
        token: None,
    };
    assert_ne!(
        planted_client.me(&app).await.1,
        json!({"username": "victim"}),
        "the planted id is not the victim's"
    );
}

#[tokio::test]
async fn brute_force_is_slowed_per_account_and_per_address() {
    let app = hosted_app(3600).await;
    Client::signup(&app, "ana").await;
    Client::signup(&app, "bob").await;
    let mut guesser = Client::default();
    let login = |name: &str, password: &str| json!({"username": name, "password": password});
    for i in 0..5 {
        let a = guesser
            .call(
                &app,
                "POST",
                "/api/v1/auth/login",
                Some(login("ana", &format!("guess {i}"))),
            )
            .await;
        assert_eq!(a.status, StatusCode::UNAUTHORIZED, "try {i}");
    }
    let a = guesser
        .call(
            &app,
            "POST",
            "/api/v1/auth/login",
            Some(login("ana", PASSWORD)),
        )
        .await;
    assert_eq!(
        a.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits: {}",
        a.body
    );
    let retry: i64 = a.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    assert_eq!(a.body["error"]["details"]["retry_after_s"], retry);
    // Another account is not locked by ana's guesser…
    let mut bob = Client::default();
    assert_eq!(
        bob.call(
            &app,
            "POST",
            "/api/v1/auth/login",
            Some(login("bob", PASSWORD))
        )
        .await
        .status,
        StatusCode::OK
    );
    // …until the address has failed 20 times in the window.
    for i in 0..15 {
        guesser
            .call(
                &app,
                "POST",
                "/api/v1/auth/login",
                Some(login(&format!("user{i}"), "nope nope")),
            )
            .await;
    }
    let a = bob
        .call(
            &app,
            "POST",
            "/api/v1/auth/login",
            Some(login("bob", PASSWORD)),
        )
        .await;
    assert_eq!(a.status, StatusCode::TOO_MANY_REQUESTS, "{}", a.body);
}

#[tokio::test]
async fn the_local_app_has_no_login_and_sets_no_cookie() {
    let app = test_app().await;
    let mut player = Client::default();
    let stored = player
        .call(
            &app,
            "POST",
            "/api/v1/rounds",
            Some(json!({"value": "2.00"})),
        )
        .await;
    assert_eq!(stored.status, StatusCode::CREATED, "no sign-in needed");
    assert!(stored.headers.get("set-cookie").is_none());
    let login = player
        .call(
            &app,
            "POST",
            "/api/v1/auth/login",
            Some(json!({"username": "ana", "password": PASSWORD})),
        )
        .await;
    assert_eq!(login.status, StatusCode::NOT_FOUND, "{}", login.body);
    for page in ["/login", "/signup", "/account"] {
        let a = player.call(&app, "GET", page, None).await;
        assert!(a.status.is_redirection(), "{page}: {}", a.status);
        assert_eq!(a.headers["location"], "/");
    }
}

/// Behind a trusted reverse proxy the per-address limit counts each client, not the
/// proxy: one guesser does not lock out everyone else, and cannot dodge the limit by
/// writing its own `X-Forwarded-For`.
#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_address_limit() {
    let proxy: std::net::IpAddr = "10.0.0.2".parse().unwrap();
    let app = hosted_app_with(3600, vec![proxy]).await;
    Client::signup(&app, "bob").await;
    let login = |client: &str, name: &str, password: &str| {
        let mut req = Request::builder()
            .method("POST")
            .uri("/api/v1/auth/login")
            .header("content-type", "application/json")
            .header("x-forwarded-for", client)
            .body(Body::from(
                json!({"username": name, "password": password}).to_string(),
            ))
            .unwrap();
        let peer = std::net::SocketAddr::new(proxy, 40000);
        req.extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        let router = app.router.clone();
        async move {
            tower::ServiceExt::oneshot(router, req)
                .await
                .unwrap()
                .status()
        }
    };
    for i in 0..20 {
        // A fake left-most entry does not make a new address.
        let client = format!("192.0.2.{i}, 203.0.113.7");
        assert_eq!(
            login(&client, &format!("user{i}"), "nope nope").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login("203.0.113.7", "bob", PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        login("203.0.113.8", "bob", PASSWORD).await,
        StatusCode::OK,
        "another client"
    );
}
