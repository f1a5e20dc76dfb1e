//! Hosted mode (`accounts = true` or `JETX_ACCOUNTS=1`): players sign up or are added by
//! the admin, sign in with a session cookie (server-side sessions, 1 hour idle) or an
//! API token, and each sees only their own data. Without it the local app runs as
//! before, with no login.
//!
//! Every request passes [`scope`]: it decides whose data the request works on and puts
//! that player's [`ServerState`] (their own database, models and jobs; see [`tenants`])
//! into the request, where server functions and REST handlers take it from. A request
//! that names no player is refused before any handler runs.

use app::api::ssr::ServerState;
use app::db::Pool;
use app::errors::AppError;
use app::service::accounts::{self as service, User};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::sync::Arc;
use tower_sessions::Session;

pub mod address;
pub mod rest;
pub mod session_store;
pub mod tenants;

pub use tenants::{TenantFactory, Tenants};

pub const DEFAULT_SESSION_IDLE_S: i64 = 3600;
pub const DEFAULT_SESSION_ABSOLUTE_S: i64 = 12 * 3600;
/// The session cookie's name.
pub const COOKIE: &str = "jetx_session";

/// The hosted mode's keys of the config file.
#[derive(Debug, Default)]
pub struct FileAccounts {
    pub accounts: Option<bool>,
    pub signup: Option<bool>,
    pub session_idle_s: Option<i64>,
    pub session_absolute_s: Option<i64>,
    pub secure_cookies: Option<bool>,
    pub trusted_proxies: Option<Vec<String>>,
    pub metrics_token: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AccountSettings {
    pub signup: bool,
    pub session_idle_s: i64,
    pub session_absolute_s: i64,
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` names the client (see [`address`]).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The bearer token a metrics scraper sends for `/metrics` (see [`metrics_for`]);
    /// `None`: not served.
    pub metrics_token: Option<String>,
}

/// A setting that cannot be used (the config reports it with its name and value).
#[derive(Debug, Clone, PartialEq)]
pub struct InvalidSetting {
    pub name: String,
    pub value: String,
    pub reason: String,
}

fn invalid(name: &str, value: &str, reason: impl ToString) -> InvalidSetting {
    InvalidSetting {
        name: name.into(),
        value: value.into(),
        reason: reason.to_string(),
    }
}

fn env_bool(
    env: &impl Fn(&str) -> Option<String>,
    name: &str,
) -> Result<Option<bool>, InvalidSetting> {
    env(name)
        .map(|t| match t.trim().to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" | "" => Ok(false),
            _ => Err(invalid(name, &t, "write 1 or 0 (true or false)")),
        })
        .transpose()
}

fn env_seconds(
    env: &impl Fn(&str) -> Option<String>,
    name: &str,
    from_file: Option<i64>,
    default: i64,
) -> Result<i64, InvalidSetting> {
    let s = match env(name) {
        Some(t) => t.trim().parse::<i64>().map_err(|e| invalid(name, &t, e))?,
        None => from_file.unwrap_or(default),
    };
    if !(1..=30 * 86_400).contains(&s) {
        return Err(invalid(name, &s.to_string(), "must be 1 s to 30 days"));
    }
    Ok(s)
}

fn trusted_proxies(
    env: &impl Fn(&str) -> Option<String>,
    from_file: Option<Vec<String>>,
) -> Result<Vec<std::net::IpAddr>, InvalidSetting> {
    let (list, text) = match env("JETX_TRUSTED_PROXIES") {
        Some(t) => (t.split(',').map(str::to_owned).collect(), t),
        None => {
            let list = from_file.unwrap_or_default();
            let text = list.join(",");
            (list, text)
        }
    };
    address::parse_trusted(&list).map_err(|reason| invalid("trusted_proxies", &text, reason))
}

/// Shortest accepted metrics token: a guessable one would open every player's request
/// counts to anyone.
const MIN_METRICS_TOKEN_CHARS: usize = 24;

fn metrics_token(
    env: &impl Fn(&str) -> Option<String>,
    from_file: Option<String>,
) -> Result<Option<String>, InvalidSetting> {
    let Some(token) = env("JETX_METRICS_TOKEN").or(from_file) else {
        return Ok(None);
    };
    let token = token.trim().to_owned();
    if token.chars().count() < MIN_METRICS_TOKEN_CHARS || token.contains(char::is_whitespace) {
        let reason = format!("{MIN_METRICS_TOKEN_CHARS} characters or more, no spaces");
        return Err(invalid("metrics_token", "(hidden)", reason));
    }
    Ok(Some(token))
}

impl AccountSettings {
    /// `None` unless hosted mode is switched on.
    pub fn load(
        env: &impl Fn(&str) -> Option<String>,
        file: FileAccounts,
    ) -> Result<Option<Self>, InvalidSetting> {
        if !env_bool(env, "JETX_ACCOUNTS")?
            .or(file.accounts)
            .unwrap_or(false)
        {
            return Ok(None);
        }
        let idle = env_seconds(
            env,
            "JETX_SESSION_IDLE_S",
            file.session_idle_s,
            DEFAULT_SESSION_IDLE_S,
        )?;
        let absolute = env_seconds(
            env,
            "JETX_SESSION_ABSOLUTE_S",
            file.session_absolute_s,
            DEFAULT_SESSION_ABSOLUTE_S,
        )?;
        Ok(Some(Self {
            signup: env_bool(env, "JETX_SIGNUP")?
                .or(file.signup)
                .unwrap_or(true),
            session_idle_s: idle,
            session_absolute_s: absolute.max(idle),
            secure_cookies: env_bool(env, "JETX_SECURE_COOKIES")?
                .or(file.secure_cookies)
                .unwrap_or(false),
            trusted_proxies: trusted_proxies(env, file.trusted_proxies)?,
            metrics_token: metrics_token(env, file.metrics_token)?,
        }))
    }

    /// A session is written back (its idle clock restarted) at most this often, so a
    /// busy player does not cost a write per request; the idle timeout is kept to within
    /// this many seconds.
    pub fn touch_every_s(&self) -> i64 {
        (self.session_idle_s / 60).min(60)
    }
}

/// What the hosted server shares between requests.
pub struct Hosted {
    /// The configured database: users, sessions, tokens.
    pub pool: Pool,
    pub settings: AccountSettings,
    pub tenants: Tenants,
}

/// The session layer: server-side records in the database, an `HttpOnly`, `SameSite=Lax`
/// cookie that lives as long as the idle timeout.
pub fn session_layer(
    hosted: &Hosted,
) -> tower_sessions::SessionManagerLayer<session_store::DbSessionStore> {
    use tower_sessions::cookie::time::Duration;
    tower_sessions::SessionManagerLayer::new(session_store::DbSessionStore::new(
        hosted.pool.clone(),
    ))
    .with_name(COOKIE)
    .with_http_only(true)
    .with_same_site(tower_sessions::cookie::SameSite::Lax)
    .with_secure(hosted.settings.secure_cookies)
    .with_path("/")
    .with_expiry(tower_sessions::Expiry::OnInactivity(Duration::seconds(
        hosted.settings.session_idle_s,
    )))
}

/// Marks the session cookie `Secure` when the player reached the server over TLS through
/// a trusted proxy (`X-Forwarded-Proto: https`), as `secure_cookies` does for every
/// response: a cookie set over HTTPS is then never sent back over plain HTTP.
pub async fn secure_over_tls(
    axum::extract::State(hosted): axum::extract::State<Arc<Hosted>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let peer = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let proto = request
        .headers()
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok());
    let tls = !hosted.settings.secure_cookies
        && peer.is_some_and(|ip| address::over_tls(ip, proto, &hosted.settings.trusted_proxies));
    let mut response = next.run(request).await;
    if tls {
        let headers = response.headers_mut();
        let cookies: Vec<_> = headers
            .get_all(axum::http::header::SET_COOKIE)
            .iter()
            .cloned()
            .collect();
        headers.remove(axum::http::header::SET_COOKIE);
        for cookie in cookies {
            let secure = cookie
                .to_str()
                .ok()
                .filter(|c| c.starts_with(&format!("{COOKIE}=")) && !c.contains("; Secure"))
                .and_then(|c| axum::http::HeaderValue::from_str(&format!("{c}; Secure")).ok());
            headers.append(axum::http::header::SET_COOKIE, secure.unwrap_or(cookie));
        }
    }
    response
}

/// Who a request works for: the one local player, or the players of a hosted server.
pub enum Scope {
    Local(ServerState),
    Hosted(Arc<Hosted>),
}

/// What a session remembers of its login.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Login {
    pub user_id: i64,
    pub login_s: i64,
    /// When the session was last written back (see [`AccountSettings::touch_every_s`]).
    pub seen_s: i64,
}

pub const LOGIN_KEY: &str = "login";

/// Paths that answer without a player: the sign-in pages and calls, static files, health.
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login" | "/signup" | "/healthz" | "/api/v1/openapi.json" | "/api/current_user"
    ) || path.starts_with("/api/v1/auth/")
        || is_static(path)
}

/// Files of the site: no session is read for them.
fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path.starts_with("/api-docs")
        || matches!(
            path,
            "/favicon.svg"
                | "/echarts.min.js"
                | "/mc-worker.js"
                | "/script-worker.js"
                | "/autobet.js"
                | "/session.js"
        )
}

/// Puts the request's player state (and, hosted, the [`User`]) into its extensions, or
/// refuses it: 401 for the API and server functions, a redirect to the login page (with
/// the page to come back to) for pages.
pub async fn scope(State(scope): State<Arc<Scope>>, mut req: Request, next: Next) -> Response {
    let hosted = match scope.as_ref() {
        Scope::Local(state) => {
            // The local app has no accounts: their pages lead to the dashboard.
            if matches!(req.uri().path(), "/login" | "/signup" | "/account") {
                return Redirect::to("/").into_response();
            }
            req.extensions_mut().insert(state.clone());
            return next.run(req).await;
        }
        Scope::Hosted(h) => h,
    };
    let path = req.uri().path().to_owned();
    if is_static(&path) {
        return next.run(req).await;
    }
    if path == "/metrics" {
        return metrics_for(&hosted.settings, req.headers()).await;
    }
    let token = bearer(req.headers()).map(str::to_owned);
    let session = req.extensions().get::<Session>().cloned();
    let user = match signed_in(hosted, token, session).await {
        Ok(user) => user,
        Err(e) => return refusal(&path, e),
    };
    match user {
        Some(user) => match hosted.tenants.get(user.id).await {
            Ok(state) => {
                req.extensions_mut().insert(state);
                req.extensions_mut().insert(user);
                req.extensions_mut()
                    .insert(service::Accounts(hosted.pool.clone()));
            }
            Err(e) => return refusal(&path, e.into()),
        },
        None if is_public(&path) => {}
        None => return refuse(&req),
    }
    next.run(req).await
}

fn refuse(req: &Request) -> Response {
    let path = req.uri().path();
    if path.starts_with("/api/") || req.method() != Method::GET {
        return refusal(path, service::AccountError::Unauthenticated.into());
    }
    let back = req.uri().path_and_query().map_or("/", |p| p.as_str());
    Redirect::to(&format!("/login?next={}", percent_encode(back))).into_response()
}

/// An error in the shape the caller reads: REST wraps it as `{"error": …}`, a server
/// function answers the error itself (its client decodes that, and sees the status).
fn refusal(path: &str, error: AppError) -> Response {
    if path.starts_with("/api/") && !path.starts_with("/api/v1/") {
        error.record();
        return (error.http_status(), axum::Json(error)).into_response();
    }
    error.into_response()
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `/metrics` on a hosted server. It counts and times every player's requests, so only a
/// scraper with the configured `metrics_token` reads it (404 when none is configured, 401
/// for any other request, a player's session or token included).
async fn metrics_for(settings: &AccountSettings, headers: &HeaderMap) -> Response {
    let Some(expected) = settings.metrics_token.as_deref() else {
        let off = "metrics are not served on a hosted server without `metrics_token`";
        return AppError::new(404, "not_found", off).into_response();
    };
    match bearer(headers) {
        Some(given) if same_secret(given.as_bytes(), expected.as_bytes()) => {
            crate::metrics::render().await
        }
        _ => {
            let error = AppError::new(401, "unauthenticated", "send the metrics token");
            let mut response = error.into_response();
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
            response
        }
    }
}

/// Compares without stopping at the first differing byte, so the time taken does not
/// tell how much of a guess was right.
fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

/// The bearer token's value, if the request has an `Authorization: Bearer` header.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The player of the request's token or session: `None` when there is none, or it is
/// unknown, revoked, expired, or its user was deleted. A token wins over a cookie.
async fn signed_in(
    hosted: &Hosted,
    token: Option<String>,
    session: Option<Session>,
) -> Result<Option<User>, AppError> {
    if let Some(token) = token {
        return Ok(service::user_of_token(&hosted.pool, &token).await?);
    }
    let Some(session) = session else {
        return Ok(None);
    };
    let login: Option<Login> = session.get(LOGIN_KEY).await.map_err(session_error)?;
    let Some(mut login) = login else {
        return Ok(None);
    };
    let now = service::now_s();
    if now - login.login_s >= hosted.settings.session_absolute_s {
        session.flush().await.map_err(session_error)?;
        return Ok(None);
    }
    let Some(user) = service::user_by_id(&hosted.pool, login.user_id).await? else {
        session.flush().await.map_err(session_error)?;
        return Ok(None);
    };
    if now - login.seen_s >= hosted.settings.touch_every_s() {
        login.seen_s = now;
        session
            .insert(LOGIN_KEY, login)
            .await
            .map_err(session_error)?;
    }
    Ok(Some(user))
}

pub fn session_error(e: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %e, "session store failed");
    AppError::new(503, "busy", "sessions are unavailable; try again")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(pairs: &[(&str, &str)]) -> Result<Option<AccountSettings>, InvalidSetting> {
        let env = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        };
        AccountSettings::load(&env, FileAccounts::default())
    }

    #[test]
    fn hosted_mode_is_off_unless_asked_for_and_its_settings_are_checked() {
        assert_eq!(load(&[]).unwrap(), None);
        assert_eq!(load(&[("JETX_ACCOUNTS", "0")]).unwrap(), None);
        let on = load(&[("JETX_ACCOUNTS", "1")]).unwrap().unwrap();
        assert_eq!(on.session_idle_s, 3600);
        assert_eq!(on.session_absolute_s, 12 * 3600);
        assert!(on.signup && !on.secure_cookies && on.trusted_proxies.is_empty());
        assert_eq!(on.metrics_token, None, "no metrics unless a token is set");
        assert_eq!(on.touch_every_s(), 60);
        let short = load(&[("JETX_ACCOUNTS", "1"), ("JETX_SESSION_IDLE_S", "3")])
            .unwrap()
            .unwrap();
        assert_eq!(
            short.touch_every_s(),
            0,
            "a short idle timeout is kept to the second"
        );
        for (name, bad) in [
            ("JETX_ACCOUNTS", "maybe"),
            ("JETX_SESSION_IDLE_S", "0"),
            ("JETX_TRUSTED_PROXIES", "10.0.0.2,proxy.example"),
        ] {
            // The first pair named wins: the bad value is read.
            let e = load(&[(name, bad), ("JETX_ACCOUNTS", "1")]).unwrap_err();
            assert_eq!(e.value, bad, "{name}");
        }
    }

    #[test]
    fn a_metrics_token_is_long_and_never_echoed_and_compared_whole() {
        let long = "k".repeat(MIN_METRICS_TOKEN_CHARS);
        let on = load(&[("JETX_ACCOUNTS", "1"), ("JETX_METRICS_TOKEN", &long)]);
        assert_eq!(on.unwrap().unwrap().metrics_token.as_deref(), Some(&*long));
        for bad in ["k".repeat(MIN_METRICS_TOKEN_CHARS - 1), format!("{long} x")] {
            let e = load(&[("JETX_ACCOUNTS", "1"), ("JETX_METRICS_TOKEN", &bad)]).unwrap_err();
            assert_eq!(e.name, "metrics_token");
            assert!(
                !e.value.contains('k'),
                "the secret is not written back: {e:?}"
            );
        }
        assert!(same_secret(b"abc", b"abc"));
        for other in [&b"abd"[..], b"ab", b"abcd", b""] {
            assert!(!same_secret(other, b"abc"), "{other:?}");
        }
    }
}
