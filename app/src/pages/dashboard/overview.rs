//! The stored history at a glance: demo banner, statistics cards, recent rounds.
use crate::api;
use crate::pages::{fmt_pct, fmt_x, value_class};
use crate::types::{Dashboard, RoundRow};
use crate::DataVersion;
use leptos::prelude::*;
use models::summary::{Proportion, StreakSide};

const DEMO_ROUNDS: usize = 2000;
const DEMO_SEED: u64 = 42;

#[component]
pub(super) fn DemoBanner(dashboard: Dashboard) -> impl IntoView {
    let version = expect_context::<DataVersion>();
    let load = ServerAction::<api::LoadDemo>::new();
    let remove = ServerAction::<api::RemoveDemo>::new();
    // A finished action changes the history: every panel reads it again, once.
    Effect::new(move |_| {
        let loaded = load.value().with(|v| matches!(v, Some(Ok(_))));
        let removed = remove.value().with(|v| matches!(v, Some(Ok(_))));
        if loaded || removed {
            version.bump();
        }
    });
    let error = move || {
        let load_error = load.value().with(|v| match v {
            Some(Err(e)) => Some(e.message.clone()),
            _ => None,
        });
        load_error.or_else(|| {
            remove.value().with(|v| match v {
                Some(Err(e)) => Some(e.message.clone()),
                _ => None,
            })
        })
    };
    let load = move |_| {
        load.dispatch(api::LoadDemo {
            rounds: DEMO_ROUNDS,
            seed: DEMO_SEED,
        });
    };
    let remove = move |_| {
        remove.dispatch(api::RemoveDemo {});
    };
    let body = match (&dashboard.demo, dashboard.summary.count) {
        (Some(demo), _) => view! {
            <div class="banner synthetic" id="demo-banner">
                <strong>"Synthetic demo data. "</strong>
                {format!(
                    "{} rounds come from a seeded fair crash generator (seed {}, house edge {:.1}%), not from the game. Remove them before recording real rounds.",
                    demo.rounds, demo.seed, demo.house_edge * 100.0
                )}
                <button id="remove-demo" class="secondary" on:click=remove>"Remove demo data"</button>
            </div>
        }
        .into_any(),
        (None, 0) => view! {
            <div class="banner empty" id="empty-banner">
                "No rounds yet. Type the multiplier of the round you just saw, paste a history, import a file on the Rounds page, or "
                <button id="load-demo" on:click=load>{format!("load a synthetic demo history ({DEMO_ROUNDS} rounds)")}</button>
            </div>
        }
        .into_any(),
        _ => ().into_any(),
    };
    view! {
        {body}
        {move || error().map(|e| view! { <p class="message error">{e}</p> })}
    }
}

fn proportion_card(id: &'static str, label: &'static str, p: Proportion) -> impl IntoView {
    view! {
        <div class="card" id=id>
            <div class="label">{label}</div>
            <div class="value">{if p.n == 0 { "–".to_string() } else { fmt_pct(p.share) }}</div>
            <div class="sub">
                {if p.n == 0 { String::new() } else { format!("95% CI {}–{}", fmt_pct(p.low), fmt_pct(p.high)) }}
            </div>
            <div class="base">"fair game: " {fmt_pct(p.fair)}</div>
        </div>
    }
}

#[component]
pub(super) fn Overview(dashboard: Dashboard) -> impl IntoView {
    let s = &dashboard.summary;
    let streak = s.streak.map(|st| {
        let side = match st.side {
            StreakSide::Below => "below",
            StreakSide::AtLeast => "at or above",
        };
        format!("{} {side} {}x", st.length, st.threshold)
    });
    let edge = dashboard.settings.house_edge;
    view! {
        <section class="cards" id="stats">
            <div class="card" id="stat-count">
                <div class="label">"Rounds"</div>
                <div class="value">{s.count}</div>
                <div class="sub">{dashboard.demo.as_ref().map(|_| "synthetic demo")}</div>
            </div>
            {proportion_card("stat-share-1-5", "Share ≥ 1.5x", s.at_least_1_5)}
            {proportion_card("stat-share-2", "Share ≥ 2x", s.at_least_2)}
            <div class="card" id="stat-median">
                <div class="label">"Median"</div>
                <div class="value">{s.median.map(fmt_x).unwrap_or_else(|| "–".into())}</div>
                // P(X ≥ m) = (1 − h)/m = 1/2 gives the fair median m = 2(1 − h).
                <div class="base">{format!("fair game: {}", fmt_x(2.0 * (1.0 - edge)))}</div>
            </div>
            <div class="card" id="stat-max">
                <div class="label">"Max"</div>
                <div class="value">{s.max.map(|m| format!("{m}x")).unwrap_or_else(|| "–".into())}</div>
            </div>
            <div class="card" id="stat-streak">
                <div class="label">"Current streak"</div>
                <div class="value small">{streak.unwrap_or_else(|| "–".into())}</div>
                <div class="base">"streaks do not change the next round in a fair game"</div>
            </div>
        </section>
        <section class="panel">
            <h2>"Recent rounds"</h2>
            <ol class="recent" id="recent-rounds">
                {dashboard.recent.iter().map(|r: &RoundRow| view! {
                    <li class=value_class(r.value)>
                        <span class="pos">"#"{r.position}</span>
                        <span class="val">{format!("{}x", r.value)}</span>
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}
