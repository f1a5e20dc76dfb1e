//! How the stored predictions turned out: the live scoreboard.
use crate::api;
use crate::charts::EChart;
use crate::pages::{fmt_pct, plural, ScrollTable};
use crate::types::Mode;
use crate::views::{LiveView, StoredPrediction};
use leptos::prelude::*;
use models::live::{PlayStats, ThresholdLive};

/// Which answer the next-round panel shows: the data version it was asked for, and the
/// cash-out bits and mode of the prediction (none when it failed).
pub(super) type Answered = (u64, Option<(u64, Mode)>);

/// How every stored prediction turned out once its round was entered.
#[component]
pub(super) fn LivePanel(predicted: Signal<Option<Answered>>) -> impl IntoView {
    let live = Resource::new(move || predicted.get(), |_| api::get_live());
    view! {
        <section class="panel" id="live-panel">
            <h2>"How the predictions turned out"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || live.get().map(|r| match r {
                    Ok(l) => view! { <LiveBody l/> }.into_any(),
                    Err(e) => view! { <p class="error">{e.message}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn LiveBody(l: LiveView) -> impl IntoView {
    let b = &l.scoreboard;
    let summary = summary_text(&l);
    let plays: Vec<_> = b.plays.iter().filter(|p| p.signals > 0).cloned().collect();
    let play_text = no_play_text(plays.is_empty(), b.signals);
    let play_rows = play_rows(&plays);
    let brier_rows = brier_rows(&b.thresholds);
    let series = log_loss_series(&b.thresholds);
    let log_rows = log_rows(&l.recent);
    let has_log = l.recent.iter().any(|p| p.outcome.is_some());
    let has_scores = b.predictions > 0;
    let chart = Signal::derive(move || {
        has_scores.then(|| {
            crate::report_charts::lines_chart(
                "Σ log-loss difference vs the fair law",
                "scored prediction",
                "Σ Δ log loss",
                &series,
                Some((0.0, "fair law")),
            )
        })
    });
    view! {
        <p id="live-summary">{summary}</p>
        {(!play_text.is_empty()).then(|| view! { <p id="live-play">{play_text}</p> })}
        {(!plays.is_empty()).then(|| view! {
            <table class="rounds" id="live-play-table">
                <thead><tr><th>"cash-out"</th><th>"PLAY signals"</th><th>"hits = rate [95%]"</th><th>"base rate (fair)"</th><th>"profit (units)"</th></tr></thead>
                <tbody>{play_rows}</tbody>
            </table>
        })}
        {has_scores.then(|| view! {
            <table class="rounds" id="live-brier-table">
                <thead><tr><th></th><th>"scored"</th><th>"observed [95%]"</th><th>"Brier (model)"</th><th>"Brier (fair law)"</th><th>"skill vs fair [95%]"</th></tr></thead>
                <tbody>{brier_rows}</tbody>
            </table>
        })}
        {has_scores.then(|| view! { <EChart id="chart-live" chart height=300/> })}
        {has_log.then(|| view! {
            <h3>"Per-round log (newest first)"</h3>
            <ScrollTable label="per-round log">
                <table class="rounds" id="live-log">
                    <thead><tr><th>"round"</th><th>"cash-out"</th><th>"mode"</th><th>"P(reach) (fair)"</th><th>"advice"</th><th>"outcome"</th></tr></thead>
                    <tbody>{log_rows}</tbody>
                </table>
            </ScrollTable>
        })}
        <p class="muted">"Below 0 the stored predictions did better than the fair law (1−h)/t on the rounds that followed; "
        "a model without an edge drifts above 0."</p>
    }
}

/// How many predictions are stored, scored and waiting.
fn summary_text(l: &LiveView) -> String {
    let b = &l.scoreboard;
    format!(
        "{} stored (one per round, model, cash-out and mode): {} scored on the round that followed, {} waiting for {}. \
         The probability scores count each round and model once: {}. Rounds stored in bulk (import, paste, demo) score nothing.",
        plural(l.stored, "prediction"),
        b.signals,
        l.pending,
        if l.pending == 1 { "its round" } else { "their rounds" },
        plural(b.predictions, "estimate")
    )
}

/// The line saying PLAY was never shown, when that is so and something was scored.
fn no_play_text(no_plays: bool, signals: usize) -> String {
    match (no_plays, signals) {
        (false, _) | (true, 0) => String::new(),
        (true, 1) => {
            "PLAY was not shown for any scored round: the 1 scored recommendation was WAIT."
                .to_string()
        }
        (true, n) => format!(
            "PLAY was not shown for any scored round: all {n} scored recommendations were WAIT."
        ),
    }
}

/// The PLAY signals per cash-out: hits, rate, base rate and profit.
fn play_rows(plays: &[PlayStats]) -> impl IntoView {
    plays
        .iter()
        .map(|p| {
            view! {
                <tr>
                    <td>{format!("{}x", p.cashout)}</td>
                    <td>{p.signals}</td>
                    <td>{format!("{} = {} [{}, {}]", p.hits, p.rate.map_or("—".into(), fmt_pct), fmt_pct(p.low), fmt_pct(p.high))}</td>
                    <td>{fmt_pct(p.base_rate)}</td>
                    <td>{format!("{:+.2}", p.profit)}</td>
                </tr>
            }
        })
        .collect_view()
}

/// The Brier scores per threshold, the model's next to the fair law's.
fn brier_rows(thresholds: &[ThresholdLive]) -> impl IntoView {
    thresholds
        .iter()
        .map(|t| {
            view! {
                <tr>
                    <td>{format!("≥ {}x", t.threshold)}</td>
                    <td>{t.n}</td>
                    <td>{format!("{} [{}, {}]", fmt_pct(t.observed_rate), fmt_pct(t.observed_interval.0), fmt_pct(t.observed_interval.1))}</td>
                    <td>{format!("{:.4}", t.model_brier)}</td>
                    <td>{format!("{:.4}", t.baseline_brier)}</td>
                    <td>{t.bss_interval.map_or_else(
                        || format!("{:+.4} (too few for an interval)", t.bss),
                        |(lo, hi)| format!("{:+.4} [{lo:+.4}, {hi:+.4}]", t.bss),
                    )}</td>
                </tr>
            }
        })
        .collect_view()
}

/// The cumulative log-loss difference per threshold, thinned for the chart.
fn log_loss_series(thresholds: &[ThresholdLive]) -> Vec<(String, Vec<(usize, f64)>)> {
    thresholds
        .iter()
        .map(|t| {
            let points: Vec<(usize, f64)> = t
                .cumulative_log_loss_diff
                .iter()
                .enumerate()
                .map(|(i, v)| (i + 1, *v))
                .collect();
            (
                format!("≥ {}x", t.threshold),
                crate::reports::thin(&points, 600),
            )
        })
        .collect()
}

/// The last 20 scored predictions: estimate, advice and how the round turned out.
fn log_rows(recent: &[StoredPrediction]) -> impl IntoView {
    recent
        .iter()
        .filter_map(|p| p.outcome.map(|o| (p, o)))
        .take(20)
        .map(|(p, o)| {
            let k = p.thresholds.iter().position(|t| (t - p.cashout).abs() < 1e-9);
            // `get`: stored arrays are aligned, but a damaged row must not panic the page.
            let est = k
                .and_then(|k| Some((*p.probabilities.get(k)?, *p.fair.get(k)?)))
                .map_or("—".to_string(), |(m, f)| format!("{} (fair {})", fmt_pct(m), fmt_pct(f)));
            let hit = o.as_f64() >= p.cashout - 1e-9;
            view! {
                <tr>
                    <td>{format!("#{}", p.rounds_seen + 1)}</td>
                    <td>{format!("{}x", p.cashout)}</td>
                    <td>{if p.mode == Mode::Normal { "Normal (85%)" } else { "Rolling (95%)" }}</td>
                    <td>{est}</td>
                    <td>{if p.recommendation == crate::types::Recommendation::Play { "PLAY" } else { "WAIT" }}</td>
                    <td>{format!("{} — {}", crate::pages::fmt_x(o.as_f64()), if hit { "reached" } else { "missed" })}</td>
                </tr>
            }
        })
        .collect_view()
}
