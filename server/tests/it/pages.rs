//! Every page as the server renders it (SSR, before any script runs: what a player sees
//! first, and all a browser without JavaScript gets), checked against the REST API on the
//! same stored data: a number on a page must be the API's number.

use crate::accounts::Client;
use crate::backtests::wait_until_ended;
use crate::helpers::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use models::limits::LimitKind;
use serde_json::{json, Value};

/// A page rendered by the real router; its status must be 200 and its body HTML.
async fn page(app: &TestApp, path: &str) -> String {
    let req = Request::get(path).body(Body::empty()).unwrap();
    let (status, body) = app.send(req).await;
    let html = String::from_utf8(body).unwrap();
    assert_eq!(status, StatusCode::OK, "{path}: {html}");
    assert!(html.starts_with("<!DOCTYPE html>"), "{path}: {html}");
    html
}

/// The visible text: comments (the hydration markers) and scripts dropped, tags read as
/// spaces, entities decoded, whitespace collapsed.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let (end, gap) = if rest.starts_with("<!--") {
            (rest.find("-->").map(|e| e + 3), "")
        } else if rest.starts_with("<script") {
            (rest.find("</script>").map(|e| e + 9), " ")
        } else {
            (rest.find('>').map(|e| e + 1), " ")
        };
        let end = end.unwrap_or(rest.len());
        out.push_str(gap);
        rest = &rest[end..];
    }
    out.push_str(rest);
    let decoded = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first element whose opening tag carries `attr` (`id="x"`), with all it holds.
fn element<'a>(html: &'a str, attr: &str) -> &'a str {
    let at = html
        .find(attr)
        .unwrap_or_else(|| panic!("no element with {attr}"));
    let start = html[..at].rfind('<').unwrap();
    let name: String = html[start + 1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let (open, close) = (format!("<{name}"), format!("</{name}>"));
    let mut depth = 0usize;
    let mut i = start;
    loop {
        let next_open = html[i + 1..].find(&open).map(|p| p + i + 1);
        let next_close = html[i..]
            .find(&close)
            .map(|p| p + i)
            .unwrap_or_else(|| panic!("{attr}: <{name}> is never closed"));
        match next_open {
            Some(o) if o < next_close => {
                depth += 1;
                i = o;
            }
            _ if depth == 0 => return &html[start..next_close + close.len()],
            _ => {
                depth -= 1;
                i = next_close + 1;
            }
        }
    }
}

fn pct(p: &Value) -> String {
    format!("{:.1}%", p.as_f64().unwrap() * 100.0)
}

/// A history, a trained model, a bet, a loss limit and a finished backtest: every page
/// then has something of its own to show.
async fn furnished_app() -> (TestApp, String, i64) {
    let app = test_app().await;
    app::db::load_demo(&app.state.pool, 3000, 5, 0.03)
        .await
        .unwrap();
    let version = app.train_logistic_on_stored().await;
    let (s, bet) = app
        .json(
            "POST",
            "/api/v1/bets",
            Some(json!({"stake": 2, "target": 2})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{bet}");
    let limit = json!({"kind": "loss", "period": "day", "amount": 50});
    let (s, body) = app.json("PUT", "/api/v1/limits", Some(limit)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let request = json!({"start": 2000, "refit": "every", "refit_every": 500, "window": 1000,
        "gap": 0, "thresholds": [1.5, 2.0], "models": ["empirical", "logistic"], "cashout": 2.0});
    let (s, job) = app.json("POST", "/api/v1/backtests", Some(request)).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{job}");
    let id = job["id"].as_i64().unwrap();
    assert_eq!(wait_until_ended(&app, id).await["state"], "done");
    (app, version, id)
}

#[tokio::test]
async fn every_page_shows_the_numbers_the_api_gives_before_any_script_runs() {
    let (app, version, backtest) = furnished_app().await;
    dashboard(&app, &version).await;
    rounds(&app).await;
    models(&app, &version).await;
    analysis(&app).await;
    patterns(&app).await;
    backtests(&app, backtest).await;
    limits(&app).await;
    let strategies = text(&page(&app, "/strategies").await);
    for plan in [
        "Flat betting",
        "Martingale",
        "Fibonacci",
        "Fractional Kelly",
    ] {
        assert!(strategies.contains(plan), "{plan}: {strategies}");
    }
    assert!(
        strategies.contains("bustabit autobet script"),
        "{strategies}"
    );
}

async fn dashboard(app: &TestApp, version: &str) {
    let html = page(app, "/").await;
    let (_, stats) = app.json("GET", "/api/v1/stats", None).await;
    let s = &stats["summary"];
    let overview = text(&html);
    assert!(
        overview.contains(&format!("Rounds {}", s["count"])),
        "{overview}"
    );
    let two = &s["at_least_2"];
    for part in [
        format!("Share ≥ 2x {}", pct(&two["share"])),
        format!("fair game: {}", pct(&two["fair"])),
    ] {
        assert!(overview.contains(&part), "{part}: {overview}");
    }
    let (s, predicted) = app
        .json("POST", "/api/v1/predict", Some(json!({"cashout": 2.0})))
        .await;
    assert_eq!(s, StatusCode::OK, "{predicted}");
    let source = text(element(&html, "id=\"prediction-source\""));
    assert_eq!(source, format!("Model {version}"));
    let table = text(element(&html, "id=\"prediction-table\""));
    for t in predicted["thresholds"].as_array().unwrap() {
        let row = format!(
            "≥ {}x {} {}",
            t["threshold"].as_f64().unwrap(),
            pct(&t["probability"]),
            pct(&t["fair"])
        );
        assert!(table.contains(&row), "{row}: {table}");
    }
    let (_, ledger) = app.json("GET", "/api/v1/bets", None).await;
    let all = &ledger["summary"]["all"];
    let periods = text(element(&html, "id=\"bets-periods\""));
    let row = format!(
        "all bets {} {:.2}",
        all["bets"],
        all["turnover"].as_f64().unwrap()
    );
    assert!(periods.contains(&row), "{row}: {periods}");
}

async fn rounds(app: &TestApp) {
    let html = page(app, "/rounds").await;
    let (_, listed) = app.json("GET", "/api/v1/rounds?limit=50", None).await;
    let values: Vec<String> = listed["rounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let hundredths = r["value"].as_i64().unwrap();
            format!("{} {:.2}x", r["position"], hundredths as f64 / 100.0)
        })
        .collect();
    assert_eq!(values.len(), 50);
    let shown = text(&html);
    assert!(shown.contains("1–50 of 3000"), "{shown}");
    let mut from = 0;
    for v in &values {
        let at = shown[from..]
            .find(v.as_str())
            .unwrap_or_else(|| panic!("{v} missing or out of order: {shown}"));
        from += at + v.len();
    }
}

async fn models(app: &TestApp, version: &str) {
    let html = page(app, "/models").await;
    let (_, listed) = app.json("GET", "/api/v1/models", None).await;
    let model = &listed["models"][0];
    assert_eq!(model["version"], version);
    let row = text(element(&html, &format!("data-version=\"{version}\"")));
    for part in ["active", &model["n_rounds"].to_string(), "logistic"] {
        assert!(row.contains(part), "{part}: {row}");
    }
    let comparison = text(element(&html, "id=\"comparison-table\""));
    for score in model["scores"].as_array().unwrap() {
        let at_two = score["summary"]["thresholds"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["threshold"] == 2.0)
            .unwrap();
        let skill = &at_two["skill"];
        let line = format!(
            "{} {} {:+.4} [{:+.4}, {:+.4}]",
            score["name"].as_str().unwrap(),
            if at_two["edge_found"] == true {
                "yes"
            } else {
                "no"
            },
            skill["bss"].as_f64().unwrap(),
            skill["low"].as_f64().unwrap(),
            skill["high"].as_f64().unwrap()
        );
        assert!(comparison.contains(&line), "{line}: {comparison}");
    }
    let devices = text(element(&html, "id=\"devices-line\""));
    let build = listed["devices"].as_array().unwrap();
    assert!(build.contains(&json!("cpu")), "{listed}");
    let named = build
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect::<Vec<_>>()
        .join(" or ");
    assert!(
        devices.starts_with(&format!("This build trains on {named};")),
        "{devices}"
    );
}

async fn analysis(app: &TestApp) {
    let shown = text(&page(app, "/analysis").await);
    let (_, a) = app.json("GET", "/api/v1/analysis", None).await;
    let rtp = |h: &str| format!("{:.1}%", (1.0 - a[h].as_f64().unwrap()) * 100.0);
    let law = format!(
        "RTP {} [{}, {}]",
        rtp("house_edge_estimate"),
        rtp("house_edge_high"),
        rtp("house_edge_low")
    );
    assert!(shown.contains(&law), "{law}: {shown}");
    assert!(
        shown.contains(&format!("Fairness report ({} rounds)", a["n"])),
        "{shown}"
    );
}

async fn patterns(app: &TestApp) {
    let shown = text(&page(app, "/patterns").await);
    let (_, p) = app.json("GET", "/api/v1/patterns", None).await;
    assert_eq!(p["confirmed"], 0, "a fair demo history: {}", p["confirmed"]);
    let summary = format!(
        "No rule is confirmed on these {} rounds: {} rules × cash-outs tested, smallest Holm-adjusted p {:.4}",
        p["rounds"],
        p["tests"],
        p["any_edge_p"].as_f64().unwrap()
    );
    assert!(shown.contains(&summary), "{summary}: {shown}");
}

async fn backtests(app: &TestApp, id: i64) {
    let html = page(app, "/backtest").await;
    let row = text(element(&html, &format!("data-id=\"{id}\"")));
    let (_, job) = app
        .json("GET", &format!("/api/v1/backtests/{id}"), None)
        .await;
    let start = format!("{id} ");
    assert!(row.starts_with(&start), "{row}");
    for part in ["empirical, logistic", job["state"].as_str().unwrap()] {
        assert!(row.contains(part), "{part}: {row}");
    }
    // The models offered are the server function's.
    let (s, names) = app.server_fn("backtest_models", "").await;
    assert_eq!(s, StatusCode::OK, "{names}");
    let names: Value = serde_json::from_str(&names).unwrap();
    let offered = text(element(&html, "id=\"bt-models\""));
    assert!(names.as_array().is_some_and(|n| n.len() > 3), "{names}");
    for name in names.as_array().into_iter().flatten() {
        assert!(
            offered.contains(name.as_str().unwrap()),
            "{name}: {offered}"
        );
    }
}

async fn limits(app: &TestApp) {
    let html = page(app, "/limits").await;
    let (_, view) = app.json("GET", "/api/v1/limits", None).await;
    let loss = view["limits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["limit"]["kind"] == "loss")
        .unwrap();
    let row = text(element(&html, "data-kind=\"loss\" data-period=\"day\""));
    let expected = format!(
        "24 hours {} {} within",
        LimitKind::Loss.format(50.0),
        LimitKind::Loss.format(loss["used"].as_f64().unwrap())
    );
    assert!(row.contains(&expected), "{expected}: {row}");
}

#[tokio::test]
async fn the_account_pages_show_the_player_and_their_tokens_never_a_secret() {
    let app = hosted_app(3600).await;
    let mut nobody = Client::default();
    for (path, heading) in [("/login", "Sign in"), ("/signup", "Create an account")] {
        let a = nobody.send(&app, "GET", path, None, &[]).await;
        assert_eq!(a.status, StatusCode::OK, "{path}");
        let shown = text(a.body.as_str().unwrap());
        assert!(shown.contains(heading), "{path}: {shown}");
    }
    let expired = nobody
        .send(&app, "GET", "/login?next=%2Frounds&expired=1", None, &[])
        .await;
    let shown = text(expired.body.as_str().unwrap());
    assert!(shown.contains("Your session ended"), "{shown}");
    let mut ana = Client::signup(&app, "ana").await;
    let created = ana
        .call(
            &app,
            "POST",
            "/api/v1/tokens",
            Some(json!({"name": "my script"})),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let secret = created.body["token"].as_str().unwrap();
    let account = ana.call(&app, "GET", "/account", None).await;
    assert_eq!(account.status, StatusCode::OK);
    let html = account.body.as_str().unwrap();
    let shown = text(html);
    for part in ["ana", "my script", "Revoke my script"] {
        assert!(shown.contains(part), "{part}: {shown}");
    }
    assert!(
        !html.contains(secret),
        "the token is shown once, at creation"
    );
    // Another player's account page lists none of ana's tokens.
    let mut bob = Client::signup(&app, "bob").await;
    let theirs = bob.call(&app, "GET", "/account", None).await;
    let shown = text(theirs.body.as_str().unwrap());
    assert!(
        shown.contains("No tokens.") && !shown.contains("my script"),
        "{shown}"
    );
}
