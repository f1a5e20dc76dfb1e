//! The dashboard: keyboard entry, paste, the next round's estimate, how past estimates
//! turned out, statistics and charts. One file per panel.

mod bets;
mod entry;
mod live;
mod next_round;
mod overview;
mod paste;

use crate::api;
use crate::charts::{categories_chart, histogram_chart, last_rounds_chart, survival_chart, EChart};
use crate::pages::Notice;
use crate::DataVersion;
use bets::{BetSlip, BetsPanel};
use entry::RoundEntry;
use leptos::prelude::*;
use live::LivePanel;
use next_round::{NextRound, PredictionPanel};
use overview::{DemoBanner, Overview};
use paste::PasteRounds;

/// Choices for how many recent rounds the chart shows.
const LAST_N_CHOICES: [usize; 6] = [50, 100, 200, 500, 1000, 10_000];

#[component]
pub fn DashboardPage() -> impl IntoView {
    let version = expect_context::<DataVersion>();
    let last_n = RwSignal::new(200usize);
    let dashboard = Resource::new(
        move || (version.0.get(), last_n.get()),
        |(_, n)| api::get_dashboard(n),
    );
    let data = Signal::derive(move || dashboard.get().and_then(Result::ok));
    let settings = Signal::derive(move || data.with(|d| d.as_ref().map(|d| d.settings)));
    let slip = BetSlip::new();
    let next = NextRound::new();
    let message = RwSignal::new(None::<Notice>);

    // Every redraw (new rounds, another N, the reset button) sets the zoom back to the
    // whole window: the option carries start 0 / end 100.
    let zoom_resets = RwSignal::new(0u32);
    let last_chart = Signal::derive(move || {
        zoom_resets.track();
        data.with(|d| d.as_ref().map(|d| last_rounds_chart(&d.last_rounds)))
    });
    let hist_chart =
        Signal::derive(move || data.with(|d| d.as_ref().map(|d| histogram_chart(&d.histogram))));
    let cat_chart =
        Signal::derive(move || data.with(|d| d.as_ref().map(|d| categories_chart(&d.categories))));
    let surv_chart = Signal::derive(move || {
        data.with(|d| {
            d.as_ref()
                .map(|d| survival_chart(&d.survival, d.settings.house_edge))
        })
    });

    view! {
        <leptos_meta::Title text="Dashboard · JetX Predictor"/>
        <h1 class="page-title dashboard-title">"Dashboard"</h1>
        // The estimate beside the entry field (under it on a phone): what the player looks
        // at after every Enter is on screen without scrolling.
        <div class="play-grid">
            <section class="panel entry-panel">
                <RoundEntry settings slip message/>
                <PasteRounds settings/>
            </section>
            <PredictionPanel next/>
        </div>
        <BetsPanel slip message/>
        <LivePanel predicted=next.answered()/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || dashboard.get().map(|r| match r {
                Ok(d) => view! { <DemoBanner dashboard=d.clone()/> <Overview dashboard=d/> }.into_any(),
                Err(e) => view! { <p class="error">"Could not load the dashboard: " {e.message}</p> }.into_any(),
            })}
        </Transition>
        <section class="panel">
            <div class="chart-head">
                <label for="last-n">"Show the last "</label>
                <select id="last-n" on:change=move |ev| {
                    if let Ok(n) = event_target_value(&ev).parse::<usize>() {
                        last_n.set(n);
                    }
                }>
                    {LAST_N_CHOICES.iter().map(|&n| {
                        let label = if n >= 10_000 { "10,000".to_string() } else { n.to_string() };
                        view! { <option value=n.to_string() selected=move || last_n.get() == n>{label}</option> }
                    }).collect_view()}
                </select>
                <span>" rounds (scroll or drag to zoom)"</span>
                <button class="secondary" id="reset-zoom" on:click=move |_| zoom_resets.update(|n| *n += 1)>"Reset zoom"</button>
            </div>
            <EChart id="chart-last" chart=last_chart height=340 urgent=true/>
        </section>
        <section class="grid-2">
            <div class="panel"><EChart id="chart-hist" chart=hist_chart/></div>
            <div class="panel"><EChart id="chart-cat" chart=cat_chart/></div>
        </section>
        <section class="panel">
            <EChart id="chart-survival" chart=surv_chart height=360/>
            <p class="muted">"Observed share of rounds reaching x, against the fair-game law (1 − edge)/x. "
            "Points far out rest on few rounds (at least 5 rounds reach the last point)."</p>
        </section>
    }
}
