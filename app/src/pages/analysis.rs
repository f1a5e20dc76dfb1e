//! The analysis page: is the stored history a fair memoryless game? The fairness report
//! with verdicts and detection limits, survival against (1−h)/x, streak continuation,
//! autocorrelation and moving shares.

use crate::api;
use crate::charts::{survival_chart, EChart};
use crate::pages::{fmt_pct, format_p, ProvenanceLine, ScrollTable};
use crate::report_charts::{acf_chart, continuation_chart, moving_chart};
use crate::views::AnalysisView;
use crate::DataVersion;
use leptos::prelude::*;
use models::fairness::FairnessReport;

#[component]
pub fn AnalysisPage() -> impl IntoView {
    let version = expect_context::<DataVersion>();
    let data = Resource::new(move || version.0.get(), |_| api::get_analysis());
    view! {
        <leptos_meta::Title text="Analysis · JetX Predictor"/>
        <h1 class="page-title">"Analysis"</h1>
        <crate::pages::ReportLink/>
        <Transition fallback=|| view! { <p class="muted">"Analysing…"</p> }>
            {move || data.get().map(|r| match r {
                Err(e) => view! { <p class="error">"Could not analyse the history: " {e.message}</p> }.into_any(),
                Ok(a) => view! { <AnalysisBody a/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
pub(crate) fn AnalysisBody(a: AnalysisView) -> impl IntoView {
    let chart = |c: charming::Chart| Signal::derive(move || Some(c.clone()));
    let survival = chart(survival_chart(&a.survival, a.house_edge));
    let low = chart(continuation_chart(
        "After k rounds below 2x: share of next ≥ 2x",
        &a.after_low,
    ));
    let high = chart(continuation_chart(
        "After k rounds ≥ 2x: share of next ≥ 2x",
        &a.after_high,
    ));
    let acf_ln = chart(acf_chart("Autocorrelation of ln X", &a.acf_ln));
    let acf_two = chart(acf_chart("Autocorrelation of 1{X ≥ 2x}", &a.acf_two));
    let moving = chart(moving_chart(&a.moving));
    let report = a.report.clone().map(|r| view! { <FairnessDetails r/> });
    view! {
        <section class="panel" id="fairness">
            <h2>{format!("Fairness report ({} rounds)", a.n)}</h2>
            {a.report_problem.clone().map(|p| view! { <p class="muted">"No report yet: " {p}</p> })}
            {report}
        </section>
        <section class="panel">
            <EChart id="chart-an-survival" chart=survival height=360/>
        </section>
        <section class="grid-2">
            <div class="panel"><EChart id="chart-an-after-low" chart=low height=340/></div>
            <div class="panel"><EChart id="chart-an-after-high" chart=high height=340/></div>
        </section>
        <p class="muted">"Dashed lines: the fair rate (1−h)/2 and the history's own rate. Bars inside their dotted 95% lines are what a memoryless game gives; "
        "streak betting systems assume the bars drift away from the lines as k grows."</p>
        <section class="grid-2">
            <div class="panel"><EChart id="chart-an-acf-ln" chart=acf_ln height=300/></div>
            <div class="panel"><EChart id="chart-an-acf-two" chart=acf_two height=300/></div>
        </section>
        <section class="panel">
            <EChart id="chart-an-moving" chart=moving height=340/>
            <p class="muted">"A fair game's moving share wanders inside the dashed 95% band around the fair rate about 95% of the time."</p>
        </section>
    }
}

/// The fairness report: its verdict, the house edge estimate, RTP per cash-out and the tests.
#[component]
fn FairnessDetails(r: FairnessReport) -> impl IntoView {
    let rtp = r
        .rtp
        .iter()
        .map(|p| {
            view! {
                <tr>
                    <td>{format!("{}x", p.x)}</td>
                    <td>{p.count}</td>
                    <td>{format!("{:.3} [{:.3}, {:.3}]", p.rtp, p.low, p.high)}</td>
                    <td>{format!("{:.3}", p.fair_rtp)}</td>
                </tr>
            }
        })
        .collect_view();
    let tests = r
        .tests
        .iter()
        .map(|t| {
            let rejected = t.p_holm < r.alpha;
            view! {
                <tr class:rejected=rejected>
                    <td>{t.group.clone()}</td>
                    <td>{t.name.clone()}</td>
                    <td>{t.verdict.clone()}</td>
                    <td>{format!("{:.3}{}", t.statistic, t.df.map(|d| format!(" (df {d})")).unwrap_or_default())}</td>
                    <td>{format_p(t.p_value)}</td>
                    <td>{format_p(t.p_holm)}</td>
                    <td>{format!("{:.4} {}", t.min_detectable, t.effect_measure)}</td>
                </tr>
            }
        })
        .collect_view();
    let (rtp_v, memory_v) = (r.verdicts.rtp.clone(), r.verdicts.memory.clone());
    let law: Vec<_> = r.tests.iter().filter(|t| t.group == "law").collect();
    let law_tests = format!(
        "Tests of the configured law (h = {}): {} of {} find a departure (group \"law\" below); memory tests use only the history's own rates.",
        r.house_edge,
        law.iter().filter(|t| t.p_holm < r.alpha).count(),
        law.len()
    );
    view! {
        <div class="verdicts" id="fairness-verdict">
            <p id="fairness-rtp" class:departure=rtp_v.departure><strong>"The game's law: "</strong>{rtp_v.text}</p>
            <p id="fairness-memory" class:departure=memory_v.departure><strong>"Memory: "</strong>{memory_v.text}</p>
        </div>
        <FittedTable f=r.fitted.clone()/>
        <p class="muted" id="law-tests">{law_tests}</p>
        <ProvenanceLine p=r.provenance.clone()/>
        <p>{format!(
            "RTP at the first cash-out as a house edge: {:.4} [{:.4}, {:.4}] (configured {}). Rounds at exactly 1.00x: {} (fair-law formula {}).",
            r.house_edge_estimate, r.house_edge_low, r.house_edge_high, r.house_edge,
            fmt_pct(r.share_at_one), fmt_pct(r.fair_share_at_one)
        )}</p>
        <div class="grid-2">
            <ScrollTable label="return to player by cash-out">
                <table class="rounds" id="rtp-table">
                    <thead><tr><th>"cash-out"</th><th>"rounds reaching it"</th><th>"RTP x·P(X ≥ x) [95%]"</th><th>"fair"</th></tr></thead>
                    <tbody>{rtp}</tbody>
                </table>
            </ScrollTable>
            <p class="muted">"RTP is what a 1-unit bet returns on average when cashing out at x. A fair game with edge h returns 1 − h at every x; "
            "a real edge would show as an interval above that line, consistently."</p>
        </div>
        <ScrollTable label="fairness tests">
            <table class="rounds" id="tests-table">
                <thead><tr><th>"group"</th><th>"test"</th><th>"verdict"</th><th>"statistic"</th><th>"p"</th><th>"p (Holm)"</th><th>"smallest detectable effect"</th></tr></thead>
                <tbody>{tests}</tbody>
            </table>
        </ScrollTable>
    }
}

/// The game's law as fitted: RTP, house edge, instant crashes and tail exponent, each next
/// to the configured law.
#[component]
fn FittedTable(f: models::fairness::FittedLaw) -> impl IntoView {
    let tail = if f.tail_exponent.is_finite() {
        format!(
            "{:.3} [{:.3}, {:.3}]",
            f.tail_exponent, f.tail_low, f.tail_high
        )
    } else {
        "too few rounds".to_string()
    };
    view! {
        <ScrollTable label="the game's law, fitted">
            <table class="rounds" id="fitted-table">
                <thead><tr><th>"quantity"</th><th>"fitted [95%]"</th><th>"configured law"</th><th>"test"</th></tr></thead>
                <tbody>
                    <tr>
                        <td>{format!("return to player (from {}x up)", f.fit_from)}</td>
                        <td>{format!("{} [{}, {}]", fmt_pct(f.rtp), fmt_pct(f.rtp_low), fmt_pct(f.rtp_high))}</td>
                        <td>{fmt_pct(f.claimed_rtp)}</td>
                        <td>{format!("likelihood ratio p = {}", format_p(f.p_claimed))}</td>
                    </tr>
                    <tr>
                        <td>"house edge"</td>
                        <td>{format!("{} [{}, {}]", fmt_pct(f.house_edge), fmt_pct(f.low), fmt_pct(f.high))}</td>
                        <td>{fmt_pct(1.0 - f.claimed_rtp)}</td>
                        <td>"—"</td>
                    </tr>
                    <tr>
                        <td>"rounds at 1.00x (instant crashes)"</td>
                        <td>{fmt_pct(f.instant_crash_share)}</td>
                        <td>{format!("{} by the fitted law", fmt_pct(f.instant_crash_expected))}</td>
                        <td>{format!("{} (p = {})", f.instant_crash.replace('_', " "), format_p(f.p_instant_crash))}</td>
                    </tr>
                    <tr>
                        <td>{format!("tail exponent (from {}x up)", f.tail_from)}</td>
                        <td>{tail}</td>
                        <td>"1"</td>
                        <td>{format!("p = {} for 1", format_p(f.p_tail))}</td>
                    </tr>
                </tbody>
            </table>
        </ScrollTable>
    }
}
