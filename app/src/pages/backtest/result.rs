//! The result of a backtest: scores against the fair law, reliability, cumulative score
//! difference, P&L of the betting rule and the fold picture.

use crate::charts::EChart;
use crate::pages::{fmt_pct, ScrollTable};
use crate::report_charts::{folds_chart, lines_chart, reliability_chart};
use crate::views::BacktestView;
use leptos::prelude::*;

/// The reliability, cumulative log-loss difference and P&L charts at the cash-out.
fn result_charts(v: &BacktestView) -> (charming::Chart, charming::Chart, charming::Chart) {
    let c = v.request.cashout;
    let at = |m: &crate::views::BacktestModel| {
        m.summary
            .thresholds
            .iter()
            .find(|s| (s.threshold - c).abs() < 1e-9)
            .cloned()
    };
    let reliability = {
        let scores: Vec<(String, models::backtest::ThresholdScore)> = v
            .models
            .iter()
            .filter_map(|m| at(m).map(|s| (m.name.clone(), s)))
            .collect();
        let series: Vec<(String, &models::scores::Reliability)> = scores
            .iter()
            .map(|(n, s)| (n.clone(), &s.reliability))
            .collect();
        reliability_chart(&format!("Reliability at {c}x"), &series)
    };
    let cumulative = lines_chart(
        &format!("Σ log-loss difference at {c}x (model − fair)"),
        "round",
        "Σ Δ log loss",
        &v.models
            .iter()
            .map(|m| (m.name.clone(), m.cumulative_log_loss_diff.clone()))
            .collect::<Vec<_>>(),
        Some((0.0, "fair law")),
    );
    let pnl = lines_chart(
        &format!("P&L of 1-unit bets at {c}x"),
        "round",
        "units",
        &v.models
            .iter()
            .map(|m| (m.name.clone(), m.pnl.clone()))
            .collect::<Vec<_>>(),
        Some((0.0, "break-even")),
    );
    (reliability, cumulative, pnl)
}

#[component]
pub fn BacktestResult(v: BacktestView) -> impl IntoView {
    let (reliability, cumulative, pnl) = result_charts(&v);
    let folds = folds_chart(&v.folds);
    let fold_height = (80 + 22 * v.folds.len().min(40)) as u32;
    let rows = v
        .models
        .iter()
        .flat_map(|m| {
            m.summary.thresholds.iter().map(move |s| {
                let ev = crate::pages::bets_text(&s.pnl);
                view! {
                    <tr>
                        <td>{m.name.clone()}</td>
                        <td>{format!("{}x", s.threshold)}</td>
                        <td>{if s.edge_found { "yes" } else { "no" }}</td>
                        <td>{format!("{:+.4} [{:+.4}, {:+.4}]", s.skill.bss, s.skill.low, s.skill.high)}</td>
                        <td>{crate::pages::dm_text(s)}</td>
                        <td>{format!("{:+.5}", s.model_log_loss - s.reference_log_loss)}</td>
                        <td>{s.auc.map_or("—".into(), |a| format!("{a:.3}"))}</td>
                        <td>{format!("{} ({})", fmt_pct(s.base_rate), fmt_pct(s.fair_probability))}</td>
                        <td>{ev}</td>
                    </tr>
                }
            })
        })
        .collect_view();
    let verdicts = v
        .models
        .iter()
        .map(|m| view! { <li>{m.summary.verdict.clone()} {format!(" ({:.1} s)", m.seconds)}</li> })
        .collect_view();
    let first = v.models.first().map(|m| {
        (
            m.summary.n_forecasts,
            m.summary.fits,
            m.summary.first_forecast,
        )
    });
    view! {
        <section class="panel" id="bt-result">
            <h2>"Scores against the fair law"</h2>
            {first.map(|(n, fits, from)| view! {
                <p class="muted">{format!("{n} forecasts from round {} of {}, {fits} fits, {:.1} s in all.", from + 1, v.n_rounds, v.seconds)}</p>
            })}
            <ul id="bt-verdicts">{verdicts}</ul>
            <ScrollTable label="backtest scores">
                <table class="rounds" id="bt-table">
                    <thead><tr><th>"model"</th><th>"t"</th><th title="yes only when the Holm-corrected DM p is below α, the BSS interval is above 0, and at least 30 bets paid with an EV interval above 0">"edge?"</th><th title="Brier skill score against the fair law: 0 = as good as the fair law, above 0 better, below 0 worse; 95% interval">"BSS [95%]"</th><th title="Diebold–Mariano test, one-sided: the chance of a loss difference this favourable if the model were no better than the fair law; Holm: corrected for every model × threshold in this run">"DM p (Holm)"</th><th>"Δ log loss"</th><th>"AUC"</th><th>"observed (fair)"</th><th>"EV per bet"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </ScrollTable>
        </section>
        <section class="grid-2">
            <div class="panel"><EChart id="chart-bt-reliability" chart=Signal::derive(move || Some(reliability.clone())) height=340/></div>
            <div class="panel"><EChart id="chart-bt-cumulative" chart=Signal::derive(move || Some(cumulative.clone())) height=340/></div>
        </section>
        <section class="grid-2">
            <div class="panel"><EChart id="chart-bt-pnl" chart=Signal::derive(move || Some(pnl.clone())) height=340/></div>
            <div class="panel"><EChart id="chart-bt-folds" chart=Signal::derive(move || Some(folds.clone())) height=fold_height.max(220)/></div>
        </section>
    }
}
