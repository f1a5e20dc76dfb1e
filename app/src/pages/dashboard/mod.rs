//! The dashboard: keyboard entry, paste, the next round's estimate, how past estimates
//! turned out, statistics and charts. One file per panel.

mod bets;
mod entry;
mod last_rounds;
mod live;
mod next_round;
mod overview;
mod paste;

use crate::api;
use crate::charts::{categories_chart, histogram_chart, last_rounds_chart, survival_chart, EChart};
use crate::pages::Notice;
use crate::types::{ChartPoint, Dashboard, RoundRow};
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
    // Each answer carries the data version it was asked at (see `typed_rounds`).
    let dashboard = Resource::new(
        move || (version.0.get(), last_n.get()),
        |(v, n)| async move { (v, api::get_dashboard(n).await) },
    );
    let data = Signal::derive(move || dashboard.get().and_then(|(_, r)| r.ok()));
    let (points, stored) = typed_rounds(dashboard, last_n, version);
    let settings = Signal::derive(move || data.with(|d| d.as_ref().map(|d| d.settings)));
    let slip = BetSlip::new();
    let next = NextRound::new();
    let message = RwSignal::new(None::<Notice>);

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
                <RoundEntry settings slip message stored/>
                <PasteRounds settings/>
            </section>
            <PredictionPanel next/>
        </div>
        <BetsPanel slip message/>
        <LivePanel predicted=next.answered()/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || dashboard.get().map(|(_, r)| match r {
                Ok(d) => view! { <DemoBanner dashboard=d.clone()/> <Overview dashboard=d/> }.into_any(),
                Err(e) => view! { <p class="error">"Could not load the dashboard: " {e.message}</p> }.into_any(),
            })}
        </Transition>
        <LastRounds last_n points/>
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

/// The last N rounds on a chart, with the choice of N and a zoom reset.
#[component]
fn LastRounds(last_n: RwSignal<usize>, points: Memo<Option<Vec<ChartPoint>>>) -> impl IntoView {
    // Every redraw (new rounds, another N, the reset button) sets the zoom back to the
    // whole window: the option carries start 0 / end 100.
    let zoom_resets = RwSignal::new(0u32);
    let last_chart = Signal::derive(move || {
        zoom_resets.track();
        points.with(|p| p.as_ref().map(|p| last_rounds_chart(p)))
    });
    view! {
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
    }
}

/// The answers of the dashboard, tagged with the data version they were asked at.
type DashboardAnswer = Resource<(u64, Result<Dashboard, crate::errors::AppError>)>;

/// The last-rounds chart's points: the dashboard's, with each round typed since appended as
/// soon as it is stored (`last_rounds::appended`), and the callback the entry field calls
/// (after bumping the data version for it). An answer asked at an older version does not
/// hold the round and is passed over; a later one replaces the local points (equal points
/// draw nothing).
fn typed_rounds(
    dashboard: DashboardAnswer,
    last_n: RwSignal<usize>,
    version: DataVersion,
) -> (Memo<Option<Vec<ChartPoint>>>, Callback<RoundRow>) {
    let typed = RwSignal::new(None::<Vec<ChartPoint>>);
    let typed_at = StoredValue::new(None::<u64>);
    let points = Memo::new(move |_| {
        typed.get().or_else(|| {
            dashboard.with(|a| match a {
                Some((_, Ok(d))) => Some(d.last_rounds.clone()),
                _ => None,
            })
        })
    });
    Effect::new(move |_| {
        dashboard.with(|a| {
            if let Some((v, Ok(d))) = a {
                if typed_at.get_value().is_none_or(|t| *v >= t) {
                    typed.set(Some(d.last_rounds.clone()));
                }
            }
        });
    });
    let stored = Callback::new(move |row: RoundRow| {
        let next = points.with_untracked(|p| {
            last_rounds::appended(
                p.as_deref().unwrap_or_default(),
                last_n.get_untracked(),
                row.position,
                row.value.as_f64(),
            )
        });
        if let Some(next) = next {
            typed_at.set_value(Some(version.0.get_untracked()));
            typed.set(Some(next));
        }
    });
    (points, stored)
}
