//! JetX Predictor web app: shared types, pages, components and server functions.
#![recursion_limit = "256"]

pub mod api;
#[cfg(feature = "hydrate")]
mod browser;
#[cfg(feature = "hydrate")]
mod chart_draw;
pub mod chart_format;
pub mod chart_svg;
pub mod chart_table;
pub mod charts;
#[cfg(feature = "ssr")]
pub mod db;
pub mod errors;
pub mod format;
mod pages;
pub mod report_charts;
#[cfg(feature = "ssr")]
pub mod report_html;
pub mod reports;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod state;
pub mod types;
pub mod views;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes, A},
    path,
};

/// The output name of the browser bundle (`/pkg/jetx.js`, `/pkg/jetx_bg.wasm`, `/pkg/jetx.css`).
pub const OUTPUT_NAME: &str = "jetx";

/// The pages' Content-Security-Policy: scripts only from this origin or carrying this
/// response's nonce (Leptos puts it on its hydration and streaming scripts), WebAssembly
/// compiled by the browser, requests only to this origin, no framing, no plugins. Inline
/// style attributes stay allowed: the views and ECharts set them, and they run no code.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Sends [`page_csp`] with the nonce Leptos drew for this response.
#[cfg(feature = "ssr")]
fn send_page_csp() {
    use axum::http::{header, HeaderValue};
    let nonce = leptos::nonce::use_nonce();
    let response = use_context::<leptos_axum::ResponseOptions>();
    if let (Some(nonce), Some(response)) = (nonce, response) {
        match HeaderValue::from_str(&page_csp(&nonce)) {
            Ok(v) => response.insert_header(header::CONTENT_SECURITY_POLICY, v),
            Err(e) => tracing::error!(error = %e, "the page CSP is not a header value"),
        }
    }
}

/// The HTML document around the app, rendered by the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    send_page_csp();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="description" content="Record JetX rounds and see what the history really says."/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                // ECharts is a classic script so it exists before the wasm draws with it.
                <script src="/echarts.min.js"></script>
                // Hosted mode: an ended session sends the player to login, keeping drafts.
                <script src="/session.js"></script>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Seconds since the Unix epoch on this machine's clock (the browser's in the browser,
/// where `SystemTime` does not exist).
pub fn unix_now() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        (js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    }
}

/// Bumped after every change to the stored rounds, so every view that shows them refetches.
#[derive(Clone, Copy)]
pub struct DataVersion(pub RwSignal<u64>);

impl DataVersion {
    pub fn bump(&self) {
        self.0.update(|v| *v += 1);
    }
}

/// Moves the keyboard focus to the page's content (the router would treat `#main` as a
/// navigation).
fn skip_to_main(ev: leptos::ev::MouseEvent) {
    use leptos::wasm_bindgen::JsCast;
    ev.prevent_default();
    if let Some(main) = document()
        .get_element_by_id("main")
        .and_then(|m| m.dyn_into::<leptos::web_sys::HtmlElement>().ok())
    {
        let _ = main.focus();
    }
}

/// On a phone the navigation is one line that scrolls sideways: after every navigation
/// the current page's link is brought to its middle (where it fits, nothing moves).
#[component]
fn NavFollower() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    Effect::new(move |_| {
        location.pathname.track();
        // After the router has marked the new page's link.
        leptos::leptos_dom::helpers::request_animation_frame(show_current_link);
    });
}

fn show_current_link() {
    use leptos::wasm_bindgen::JsCast;
    use leptos::web_sys::HtmlElement;
    let element = |selector: &str| {
        document()
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    };
    let (Some(nav), Some(link)) = (
        element("header nav"),
        element("header nav a[aria-current=\"page\"]"),
    ) else {
        return;
    };
    let left =
        link.offset_left() - nav.offset_left() - (nav.client_width() - link.offset_width()) / 2;
    nav.set_scroll_left(left.max(0));
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(DataVersion(RwSignal::new(0)));

    // Marks the page as interactive; the browser tests wait for it.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.body())
        {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/jetx.css"/>
        <Title text="JetX Predictor"/>
        <Router>
            <a class="skip-link" href="#main" on:click=skip_to_main>"Skip to the content"</a>
            <header class="top">
                <a class="brand" href="/">"JetX Predictor"</a>
                <nav>
                    <A href="/">"Dashboard"</A>
                    <A href="/rounds">"Rounds"</A>
                    <A href="/models">"Models"</A>
                    <A href="/backtest">"Backtest"</A>
                    <A href="/patterns">"Patterns"</A>
                    <A href="/analysis">"Analysis"</A>
                    <A href="/strategies">"Strategies"</A>
                    <A href="/limits">"Limits"</A>
                </nav>
                <pages::account::UserMenu/>
            </header>
            <NavFollower/>
            <main id="main" tabindex="-1">
                <Routes fallback=|| view! { <p class="error">"Page not found."</p> }>
                    <Route path=path!("/") view=pages::dashboard::DashboardPage/>
                    <Route path=path!("/rounds") view=pages::rounds::RoundsPage/>
                    <Route path=path!("/models") view=pages::models::ModelsPage/>
                    <Route path=path!("/backtest") view=pages::backtest::BacktestPage/>
                    <Route path=path!("/patterns") view=pages::patterns::PatternsPage/>
                    <Route path=path!("/analysis") view=pages::analysis::AnalysisPage/>
                    <Route path=path!("/strategies") view=pages::strategies::StrategiesPage/>
                    <Route path=path!("/limits") view=pages::limits::LimitsPage/>
                    <Route path=path!("/login") view=pages::account::LoginPage/>
                    <Route path=path!("/signup") view=pages::account::SignupPage/>
                    <Route path=path!("/account") view=pages::account::AccountPage/>
                </Routes>
            </main>
            <footer>
                "Measured on 10,456 real rounds, JetX behaves like a fair random game with a ~3% house edge: "
                "P(X ≥ x) ≈ 0.97/x and no round remembers the last. Every number here stands next to that base rate."
            </footer>
        </Router>
    }
}
