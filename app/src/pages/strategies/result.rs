//! A run's result: what ran and under which law, the verdict, the plan next to flat
//! betting, the fan and final-bankroll charts; a script's own account of a replay.

use crate::charts::EChart;
use crate::pages::ScrollTable;
use crate::report_charts::{fan_chart, final_bankroll_chart};
use leptos::prelude::*;
use models::strategy::report::{comparison_rows, SimulationMode};
use models::strategy::SimulationResult;

/// Help services, shown with every result.
const HELP: [(&str, &str); 3] = [
    ("BeGambleAware", "https://www.begambleaware.org/"),
    ("GamCare", "https://www.gamcare.org.uk/"),
    ("Gamblers Anonymous", "https://www.gamblersanonymous.org/"),
];

#[component]
pub(crate) fn StrategyResult(r: SimulationResult) -> impl IntoView {
    let fan = fan_chart(&r);
    let finals = final_bankroll_chart(&r);
    let rows = comparison_rows(&r)
        .into_iter()
        .map(|row| view! { <tr><th scope="row">{row.what}</th><td>{row.plan}</td><td>{row.flat}</td></tr> })
        .collect_view();
    let verdict = r
        .verdict
        .iter()
        .map(|v| view! { <li>{v.clone()}</li> })
        .collect_view();
    let what = match r.mode {
        SimulationMode::MonteCarlo => format!(
            "Monte Carlo under {} (house edge {:.1}%): {} paths × {} rounds, seed {}.",
            if r.law.is_some() {
                "the patterns confirmed on your rounds"
            } else {
                "the fair law"
            },
            r.house_edge * 100.0,
            r.report.paths,
            r.report.rounds,
            r.seed
        ),
        SimulationMode::Replay => format!(
            "Replay of the {} stored rounds, in order; PLAY signals walk-forward (each from the rounds before it only).",
            r.report.rounds
        ),
    };
    let many = r.report.paths > 1;
    let script_run = r.autobet.clone().map(|a| view! { <ScriptRun a/> });
    view! {
        <section class="panel" id="st-result">
            <h2>{format!("{} vs flat betting", r.report.label)}</h2>
            <p class="muted">{what}</p>
            {script_run}
            <ul id="st-verdict">{verdict}</ul>
            <ScrollTable label="strategy vs flat betting">
                <table class="rounds" id="st-table">
                    <thead><tr><th scope="col">""</th><th scope="col">{r.report.label.clone()}</th><th scope="col">"Flat betting"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </ScrollTable>
            <p class="muted">"If gambling stops being fun: "
                {HELP.iter().map(|(name, url)| view! { <a href=*url rel="noopener" target="_blank">{*name}</a>" " }).collect_view()}
            </p>
        </section>
        <section class="grid-2">
            <div class="panel"><EChart id="chart-st-fan" chart=Signal::derive(move || Some(fan.clone())) height=360/></div>
            {many.then(|| view! {
                <div class="panel"><EChart id="chart-st-final" chart=Signal::derive(move || Some(finals.clone())) height=360/></div>
            })}
        </section>
    }
}

/// An autobet script's own account of a replay, as the bustabit simulators give it.
#[component]
fn ScriptRun(a: models::strategy::summary::AutobetRun) -> impl IntoView {
    let stopped = a
        .stopped
        .as_ref()
        .map(|s| format!(" It stopped: {s}."))
        .unwrap_or_else(|| " It played every round.".into());
    let more =
        (a.log_total > a.log.len()).then(|| format!("… {} more lines", a.log_total - a.log.len()));
    let lines = a
        .log
        .into_iter()
        .map(|l| view! { <li>{l}</li> })
        .collect_view();
    view! {
        <p id="st-autobet">{format!(
            "The script: final balance {:.2} bits after {} bets over {} games ({:.2} bits wagered).{stopped}",
            a.final_balance, a.bets, a.games, a.wagered
        )}</p>
        <details class="paste" id="st-log">
            <summary>{format!("The script's log ({} lines)", a.log_total)}</summary>
            <ul class="muted">{lines}</ul>
            {more.map(|m| view! { <p class="muted">{m}</p> })}
        </details>
    }
}
