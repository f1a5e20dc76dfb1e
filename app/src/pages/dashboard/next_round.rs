//! The next round: P(X ≥ t) beside the base rates, EV at the cash-out, PLAY or WAIT.
use super::live::Answered;
use crate::api;
use crate::errors::AppError;
use crate::pages::fmt_pct;
use crate::types::{Mode, PredictionView, Recommendation};
use crate::DataVersion;
use leptos::prelude::*;

// Cash-out targets offered: the thresholds models are trained on.
use models::forecast::DEFAULT_THRESHOLDS as CASHOUTS;

/// The next round's estimate at the chosen cash-out and mode, asked again whenever the
/// data changes. Shared by the panel beside the entry field and the scoreboard further
/// down, which reloads once per answer.
#[derive(Clone, Copy)]
pub(super) struct NextRound {
    cashout: RwSignal<f64>,
    mode: RwSignal<Mode>,
    answer: Resource<(u64, Result<PredictionView, AppError>)>,
}

impl NextRound {
    pub(super) fn new() -> Self {
        let version = expect_context::<DataVersion>();
        let cashout = RwSignal::new(2.0f64);
        let mode = RwSignal::new(Mode::Normal);
        // Each answer carries the data version it was asked for.
        let answer = Resource::new(
            move || (version.0.get(), cashout.get().to_bits(), mode.get()),
            |(v, c, m)| async move { (v, api::get_prediction(f64::from_bits(c), m).await) },
        );
        Self {
            cashout,
            mode,
            answer,
        }
    }

    /// Which answer is shown: the scoreboard reloads once per answer, after the new
    /// prediction is recorded (not when the history changes: that would read it twice
    /// per round).
    pub(super) fn answered(self) -> Signal<Option<Answered>> {
        let answer = self.answer;
        Memo::new(move |_| {
            answer.with(|a| {
                a.as_ref().map(|(v, r)| {
                    let shown = r.as_ref().ok().map(|p| (p.cashout.to_bits(), p.mode));
                    (*v, shown)
                })
            })
        })
        .into()
    }
}

/// The next round: P(X ≥ t) next to the base rates, EV at the cash-out, PLAY or WAIT.
#[component]
pub(super) fn PredictionPanel(next: NextRound) -> impl IntoView {
    let NextRound {
        cashout,
        mode,
        answer,
    } = next;
    let prediction = Signal::derive(move || answer.get().map(|(_, r)| r));
    view! {
        <section class="panel" id="prediction-panel">
            <div class="chart-head">
                <h2>"Next round"</h2>
                <label for="cashout">"cash-out at"</label>
                <select id="cashout" on:change=move |ev| {
                    if let Ok(c) = event_target_value(&ev).parse::<f64>() { cashout.set(c); }
                }>
                    {CASHOUTS.iter().map(|&c| view! {
                        <option value=c.to_string() selected=move || cashout.get() == c>{format!("{c}x")}</option>
                    }).collect_view()}
                </select>
                <label for="mode" title="How sure the lower bound of a confirmed pattern's EV must be before PLAY: Normal uses a one-sided 85% bound, Rolling a stricter 95% bound (fewer PLAYs, fewer false ones). The probabilities do not change.">"confidence"</label>
                <select id="mode" aria-describedby="mode-help" on:change=move |ev| {
                    if let Some(m) = Mode::parse(&event_target_value(&ev)) { mode.set(m); }
                }>
                    <option value="normal">"Normal (85%)"</option>
                    <option value="rolling">"Rolling (95%)"</option>
                </select>
            </div>
            <p class="muted" id="mode-help">"Normal / Rolling: the confidence the EV lower bound of a confirmed pattern needs before PLAY (85% or 95%, one-sided); the probabilities are the same in both."</p>
            <Transition fallback=|| view! { <p class="muted">"Estimating…"</p> }>
                {move || prediction.get().map(|r| match r {
                    Ok(p) => view! { <PredictionBody p/> }.into_any(),
                    Err(e) => view! { <p class="error">"No estimate: " {e.message}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn PredictionBody(p: PredictionView) -> impl IntoView {
    let (class, word) = match p.recommendation {
        Recommendation::Play => ("rec play", "PLAY"),
        Recommendation::Wait => ("rec wait", "WAIT"),
    };
    let source = match (&p.model, &p.notice) {
        (Some(v), _) => format!("Model {v}"),
        (None, Some(n)) => n.clone(),
        (None, None) => "Fair baseline".into(),
    };
    let evidence = p.evidence.as_ref().map(|e| {
        format!(
            "Walk-forward at {}x ({} forecasts): BSS vs fair {:+.4} [{:+.4}, {:+.4}], DM p = {:.3}.",
            p.cashout, e.forecasts, e.bss, e.bss_low, e.bss_high, e.dm_p
        )
    });
    // The reason already names the rule and its record; this line adds the evidence.
    let pattern = p.pattern.as_ref().map(|e| {
        format!(
            "Evidence for \"{}\": anytime-valid e-value {:.1e} (confirmation needs {:.0}); its situation seen {} times, {} of them in the later half (out of sample: {:.1}%).",
            e.condition, e.e_value, e.e_threshold, e.occurrences, e.later_occurrences, e.later_rate * 100.0
        )
    });
    let ev_line = ev_text(&p);
    let rows = threshold_rows(&p);
    view! {
        <div class="prediction" id="prediction-body" data-rounds=p.rounds.to_string()>
            <div class=class id="recommendation">{word}</div>
            <div class="rec-text">
                {p.withheld.clone().map(|w| view! {
                    <p id="rec-withheld" class="error">{w} " " <a href="/limits">"Limits and breaks"</a></p>
                })}
                <p id="rec-reason">{p.reason.clone()}</p>
                <p class="muted" id="prediction-source">{source}</p>
                {pattern.map(|e| view! { <p class="muted" id="prediction-pattern">{e}</p> })}
                {evidence.map(|e| view! { <p class="muted" id="prediction-evidence">{e}</p> })}
                <p id="prediction-ev">{ev_line}</p>
            </div>
        </div>
        <table class="rounds" id="prediction-table">
            <thead><tr><th></th><th title="The active model's probability that the next round reaches t">"P(X ≥ t)"</th><th title="A fair game with house edge h: the rate every honest estimate starts from">"fair (1−h)/t"</th><th title="Share of the stored rounds that reached t">"history"</th><th title="Each ensemble member's own estimate; spread = highest minus lowest, in percentage points (how much the members disagree)">"members"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// The EV line. One EV per source, so the numbers on screen never contradict each other.
fn ev_text(p: &PredictionView) -> String {
    match &p.pattern {
        Some(e) => format!(
            "EV of a 1-unit bet cashing out at {}x: {:+.1}% in the confirmed pattern's situation (lower {:.0}% bound {:+.1}%), {:+.1}% by the estimate in the table, {:+.1}% in a fair game.",
            p.cashout,
            e.ev * 100.0,
            p.mode.confidence() * 100.0,
            e.ev_low * 100.0,
            p.ev * 100.0,
            p.fair_ev * 100.0
        ),
        None => format!(
            "EV of a 1-unit bet cashing out at {}x: {:+.1}% (fair game {:+.1}%).",
            p.cashout,
            p.ev * 100.0,
            p.fair_ev * 100.0
        ),
    }
}

/// One row per threshold: the estimate, the fair rate, the history's and the members'.
fn threshold_rows(p: &PredictionView) -> impl IntoView {
    let empty = p.rounds == 0;
    p.thresholds
        .iter()
        .map(|t| {
            let mut members = t
                .members
                .iter()
                .map(|(name, v)| {
                    format!(
                        "{}: {}",
                        name.split(" (").next().unwrap_or(name),
                        fmt_pct(*v)
                    )
                })
                .collect::<Vec<_>>()
                .join(" · ");
            // Agreement: how far apart the members are, in percentage points.
            if t.members.len() > 1 {
                let (lo, hi) = t
                    .members
                    .iter()
                    .fold((f64::MAX, f64::MIN), |(lo, hi), (_, v)| {
                        (lo.min(*v), hi.max(*v))
                    });
                members.push_str(&format!(" · spread {:.1} pp", (hi - lo) * 100.0));
            }
            view! {
                <tr>
                    <td>{format!("≥ {}x", t.threshold)}</td>
                    <td class="prob">{fmt_pct(t.probability)}</td>
                    <td>{fmt_pct(t.fair)}</td>
                    <td>{if empty { "–".to_string() } else { fmt_pct(t.empirical) }}</td>
                    <td class="members">{members}</td>
                </tr>
            }
        })
        .collect_view()
}
