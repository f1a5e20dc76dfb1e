//! What keeps other web sites out of the app, local or hosted:
//! - a `Host` allow-list against DNS rebinding (a page on `evil.example` whose name is
//!   made to resolve to 127.0.0.1 is same-origin with itself, not with us);
//! - no state change from another site, told by `Sec-Fetch-Site` and `Origin` (an HTML
//!   form or a `no-cors` fetch needs no CORS preflight, so CORS alone does not stop it);
//! - REST writes in JSON only (the three form encodings are what a cross-site form sends);
//! - security headers on every response (the pages' nonce-based CSP is set by the shell).
//!
//! The decisions are plain functions over method, path and headers; the middleware only
//! applies them.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Which `Host` names the server answers to.
#[derive(Debug, Clone, Default)]
pub struct HostPolicy {
    /// Names allowed besides IP literals and `localhost` (lower case, no port).
    names: Vec<String>,
}

impl HostPolicy {
    pub fn new(extra_names: &[String]) -> Self {
        Self {
            names: extra_names.iter().map(|n| n.to_ascii_lowercase()).collect(),
        }
    }

    /// IP literals and `localhost` are always allowed: rebinding needs a DNS name, and a
    /// browser sends an IP literal only when the player typed it. Any other name only
    /// when configured (`allowed_hosts`).
    pub fn allows(&self, host_header: &str) -> bool {
        let Some(name) = host_name(host_header) else {
            return false;
        };
        name == "localhost"
            || name.parse::<std::net::IpAddr>().is_ok()
            || self.names.contains(&name)
    }
}

/// The name part of a `Host` value (`name`, `name:port`, `[v6]:port`), lower case,
/// without a trailing dot; `None` when it is not of that shape.
pub fn host_name(host: &str) -> Option<String> {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        if !(after.is_empty() || valid_port(after.strip_prefix(':')?)) {
            return None;
        }
        inside
    } else {
        match host.split_once(':') {
            Some((name, port)) if valid_port(port) => name,
            Some(_) => return None,
            None => host,
        }
    };
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':');
    (!name.is_empty() && name.chars().all(allowed)).then_some(name)
}

fn valid_port(port: &str) -> bool {
    !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit())
}

/// Why a request was refused before it reached a handler.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("this server does not answer to the host name {0:?}; add it to allowed_hosts (config) or JETX_ALLOWED_HOSTS to serve it under that name")]
    Host(String),
    #[error(
        "refused a request from another site ({0}): pages of other sites may not change your data"
    )]
    CrossSite(String),
    #[error("send the request body as application/json (got {0})")]
    NotJson(String),
}

impl Refusal {
    pub fn status_code(&self) -> StatusCode {
        match self {
            Refusal::Host(_) => StatusCode::BAD_REQUEST,
            Refusal::CrossSite(_) => StatusCode::FORBIDDEN,
            Refusal::NotJson(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Refusal::Host(_) => "host_not_allowed",
            Refusal::CrossSite(_) => "cross_site",
            Refusal::NotJson(_) => "not_json",
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        tracing::warn!(code = self.code(), reason = %self, "request refused");
        let body = serde_json::json!({
            "error": {
                "status": self.status_code().as_u16(),
                "code": self.code(),
                "message": self.to_string(),
                "details": null
            }
        });
        (self.status_code(), axum::Json(body)).into_response()
    }
}

/// Methods that never change anything here.
fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn text(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).map(|v| v.to_str().unwrap_or("\u{fffd}"))
}

/// The one decision: may this request go on? `host` is the `Host` header (or the URI's
/// authority); requests without one are not browser requests and cannot be rebound.
pub fn check(
    method: &Method,
    path: &str,
    host: Option<&str>,
    headers: &HeaderMap,
    policy: &HostPolicy,
) -> Result<(), Refusal> {
    if let Some(host) = host {
        if !policy.allows(host) {
            return Err(Refusal::Host(host.to_string()));
        }
    }
    if is_safe(method) {
        return Ok(());
    }
    // Browsers send Sec-Fetch-Site on every request (Chromium, Firefox, Safari since
    // 2023); "same-site" is a sibling subdomain, which is still another site's page.
    if let Some(site) = headers.get("sec-fetch-site") {
        if !matches!(site.as_bytes(), b"same-origin" | b"none") {
            return Err(Refusal::CrossSite(format!(
                "Sec-Fetch-Site: {}",
                site.to_str().unwrap_or("?")
            )));
        }
    }
    // Every browser sends Origin on a POST; scripts and the CLI send none.
    if let Some(origin) = text(headers, header::ORIGIN) {
        let same = host.is_some_and(|h| {
            origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"))
                .is_some_and(|authority| authority.eq_ignore_ascii_case(h))
        });
        if !same {
            return Err(Refusal::CrossSite(format!("Origin: {origin}")));
        }
    }
    // The REST API's bodies are JSON (an import is a file upload, checked by its handler).
    let rest_write = path.starts_with("/api/v1/") && path != "/api/v1/import";
    if rest_write {
        match text(headers, header::CONTENT_TYPE) {
            Some(kind) => {
                let essence = kind.split(';').next().unwrap_or("").trim();
                if !essence.eq_ignore_ascii_case("application/json") {
                    return Err(Refusal::NotJson(kind.to_string()));
                }
            }
            // A write without a body (undo, cancel) needs no type; one with a body does.
            None if has_body(headers) => return Err(Refusal::NotJson("no Content-Type".into())),
            None => {}
        }
    }
    Ok(())
}

/// Whether the request carries a body (a length above 0, or a chunked one).
fn has_body(headers: &HeaderMap) -> bool {
    headers.contains_key(header::TRANSFER_ENCODING)
        || text(headers, header::CONTENT_LENGTH)
            .and_then(|n| n.trim().parse::<u64>().ok())
            .is_some_and(|n| n > 0)
}

/// Applies [`check`] to every request.
pub async fn guard(State(policy): State<Arc<HostPolicy>>, req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .map(|h| h.to_str().unwrap_or("\u{fffd}").to_string())
        .or_else(|| req.uri().authority().map(|a| a.to_string()));
    if let Err(refusal) = check(
        req.method(),
        req.uri().path(),
        host.as_deref(),
        req.headers(),
        &policy,
    ) {
        return refusal.into_response();
    }
    next.run(req).await
}

/// For responses that set no policy of their own (everything but the pages): nothing may
/// load, run or frame it.
pub const DEFAULT_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The strategy lab's Web Worker (`public/mc-worker.js`): its own policy, since a worker
/// runs under the policy of its script's response — it imports the app's module and
/// compiles its WebAssembly, and nothing else.
pub const WORKER_PATH: &str = "/mc-worker.js";
pub const WORKER_CSP: &str =
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'";
/// The worker that runs a player's bustabit script (`public/script-worker.js`): the same,
/// plus `eval` for the player's script, which runs in the worker alone (no page, no
/// cookies of its own) after the worker has removed its network functions.
pub const SCRIPT_WORKER_PATH: &str = "/script-worker.js";
pub const SCRIPT_WORKER_CSP: &str =
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'; connect-src 'self'";

/// Adds the security headers a response does not already carry.
pub async fn headers(req: Request, next: Next) -> Response {
    let csp = match req.uri().path() {
        WORKER_PATH => WORKER_CSP,
        SCRIPT_WORKER_PATH => SCRIPT_WORKER_CSP,
        _ => DEFAULT_CSP,
    };
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let defaults = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::CONTENT_SECURITY_POLICY, csp),
    ];
    for (name, value) in defaults {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    for (name, value) in [
        ("cross-origin-opener-policy", "same-origin"),
        ("cross-origin-resource-policy", "same-origin"),
    ] {
        if !h.contains_key(name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[tokio::test]
    async fn the_worker_script_may_load_the_app_module_and_nothing_else_may() {
        use tower::ServiceExt;
        let app = axum::Router::new()
            .route(WORKER_PATH, axum::routing::get(|| async { "// worker" }))
            .route(
                SCRIPT_WORKER_PATH,
                axum::routing::get(|| async { "// script worker" }),
            )
            .route(
                "/echarts.min.js",
                axum::routing::get(|| async { "// echarts" }),
            )
            .layer(axum::middleware::from_fn(super::headers));
        for (path, want) in [
            (WORKER_PATH, WORKER_CSP),
            (SCRIPT_WORKER_PATH, SCRIPT_WORKER_CSP),
            ("/echarts.min.js", DEFAULT_CSP),
        ] {
            let req = axum::http::Request::get(path)
                .body(axum::body::Body::empty())
                .unwrap();
            let res = app.clone().oneshot(req).await.unwrap();
            assert_eq!(
                res.headers()[header::CONTENT_SECURITY_POLICY],
                want,
                "{path}"
            );
        }
        assert!(WORKER_CSP.contains("script-src 'self' 'wasm-unsafe-eval'"));
        assert!(!WORKER_CSP.contains("unsafe-inline") && !WORKER_CSP.contains(" 'unsafe-eval'"));
        // Only the script worker may eval, and no page may.
        assert!(SCRIPT_WORKER_CSP.contains(" 'unsafe-eval'"));
        assert!(!DEFAULT_CSP.contains("eval") && !app::page_csp("n").contains("'unsafe-eval'"));
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn host_names_are_read_with_and_without_ports() {
        assert_eq!(host_name("127.0.0.1:3000").as_deref(), Some("127.0.0.1"));
        assert_eq!(host_name("LOCALHOST.").as_deref(), Some("localhost"));
        assert_eq!(host_name("[::1]:8080").as_deref(), Some("::1"));
        assert_eq!(
            host_name("jetx.example.com").as_deref(),
            Some("jetx.example.com")
        );
        assert_eq!(host_name("a:b"), None);
        assert_eq!(host_name("[::1]x"), None);
        assert_eq!(host_name("evil.example/x"), None);
        assert_eq!(host_name(""), None);
    }

    #[test]
    fn rebinding_names_are_refused_and_ip_literals_pass() {
        let p = HostPolicy::new(&["jetx.example.com".into()]);
        for ok in [
            "127.0.0.1:3000",
            "localhost:3000",
            "[::1]:3000",
            "192.168.1.5",
            "jetx.example.com",
            "JETX.example.com:443",
        ] {
            assert!(p.allows(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:3000",
            "127.0.0.1.nip.io",
            "localhost.evil.example",
            "jetx.example.com.evil.example",
        ] {
            assert!(!p.allows(bad), "{bad}");
        }
    }

    #[test]
    fn writes_from_other_sites_are_refused() {
        let p = HostPolicy::default();
        let post = Method::POST;
        let host = Some("127.0.0.1:3000");
        let same = headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert_eq!(check(&post, "/api/undo_last", host, &same, &p), Ok(()));
        for attack in [
            vec![("origin", "http://evil.example")],
            vec![("origin", "null")],
            vec![("origin", "http://127.0.0.1:3001")],
            vec![("sec-fetch-site", "cross-site")],
            vec![("sec-fetch-site", "same-site")],
            vec![
                ("origin", "http://127.0.0.1:3000"),
                ("sec-fetch-site", "cross-site"),
            ],
        ] {
            let r = check(&post, "/api/undo_last", host, &headers(&attack), &p);
            assert!(matches!(r, Err(Refusal::CrossSite(_))), "{attack:?}: {r:?}");
        }
        // Reading is not refused by origin (CORS keeps the answer from the other page).
        let cross = headers(&[
            ("origin", "http://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ]);
        assert_eq!(
            check(&Method::GET, "/api/v1/stats", host, &cross, &p),
            Ok(())
        );
        // A script or the CLI sends neither header.
        assert_eq!(
            check(&post, "/api/v1/rounds/undo", host, &HeaderMap::new(), &p),
            Ok(())
        );
    }

    #[test]
    fn rest_writes_are_json_only_but_the_import_takes_files() {
        let p = HostPolicy::default();
        let form = headers(&[("content-type", "application/x-www-form-urlencoded")]);
        let r = check(&Method::POST, "/api/v1/rounds/undo", None, &form, &p);
        assert!(matches!(r, Err(Refusal::NotJson(_))), "{r:?}");
        let json = headers(&[("content-type", "application/json; charset=utf-8")]);
        assert_eq!(
            check(&Method::POST, "/api/v1/rounds", None, &json, &p),
            Ok(())
        );
        // A body needs a JSON type; a write without one (undo, cancel) needs none.
        let untyped = headers(&[("content-length", "12")]);
        let r = check(&Method::POST, "/api/v1/rounds", None, &untyped, &p);
        assert!(matches!(r, Err(Refusal::NotJson(_))), "{r:?}");
        let chunked = headers(&[("transfer-encoding", "chunked")]);
        let r = check(&Method::PUT, "/api/v1/limits", None, &chunked, &p);
        assert!(matches!(r, Err(Refusal::NotJson(_))), "{r:?}");
        let empty = headers(&[("content-length", "0")]);
        assert_eq!(
            check(&Method::POST, "/api/v1/rounds/undo", None, &empty, &p),
            Ok(())
        );
        assert_eq!(
            check(
                &Method::POST,
                "/api/v1/rounds/undo",
                None,
                &headers(&[]),
                &p
            ),
            Ok(())
        );
        let multipart = headers(&[("content-type", "multipart/form-data; boundary=x")]);
        assert_eq!(
            check(&Method::POST, "/api/v1/import", None, &multipart, &p),
            Ok(())
        );
        // Server functions post forms by design; only their origin is checked.
        assert_eq!(
            check(&Method::POST, "/api/add_round", None, &form, &p),
            Ok(())
        );
    }

    proptest! {
        /// No name outside the list passes unless it is an IP literal or localhost, and
        /// the port never changes the answer.
        #[test]
        fn host_policy_ignores_ports_and_admits_only_listed_names(
            name in "[a-z][a-z0-9-]{0,12}(\\.[a-z][a-z0-9-]{0,8}){0,3}",
            port in 1u16..,
        ) {
            let p = HostPolicy::new(&["jetx.example.com".into()]);
            let expected = name == "localhost" || name == "jetx.example.com";
            prop_assert_eq!(p.allows(&name), expected);
            prop_assert_eq!(p.allows(&format!("{name}:{port}")), expected);
        }

        /// An Origin that differs from the Host in any way is refused for a write.
        #[test]
        fn any_other_origin_is_refused(host in "[a-z]{1,8}\\.[a-z]{2,4}(:[0-9]{1,5})?", other in "[a-z]{1,8}\\.[a-z]{2,4}(:[0-9]{1,5})?") {
            prop_assume!(!host.eq_ignore_ascii_case(&other));
            let p = HostPolicy::new(&[host_name(&host).unwrap()]);
            let h = headers(&[("origin", &format!("https://{other}"))]);
            let r = check(&Method::POST, "/api/add_round", Some(&host), &h, &p);
            prop_assert!(matches!(r, Err(Refusal::CrossSite(_))));
        }
    }
}
