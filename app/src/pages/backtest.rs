//! The backtest page: walk-forward settings → scores against the fair law, reliability,
//! cumulative score difference, P&L of the betting rule and the fold picture.

use crate::api;
use crate::charts::EChart;
use crate::pages::{choice_checkbox, fmt_pct, ScrollTable};
use crate::report_charts::{folds_chart, lines_chart, reliability_chart};
use crate::views::{BacktestRequest, BacktestView};
use leptos::prelude::*;
use leptos::task::spawn_local;

use models::forecast::DEFAULT_THRESHOLDS as THRESHOLDS;

/// The form's fields, read into a request when the user runs the backtest.
#[derive(Clone, Copy)]
struct BacktestForm {
    start: RwSignal<String>,
    refit: RwSignal<String>,
    every: RwSignal<String>,
    window: RwSignal<String>,
    gap: RwSignal<String>,
    thresholds: RwSignal<Vec<f64>>,
    chosen: RwSignal<Vec<String>>,
    cashout: RwSignal<f64>,
}

impl BacktestForm {
    /// The form as the page first shows it: the default request.
    fn new() -> Self {
        let defaults = BacktestRequest::default();
        BacktestForm {
            start: RwSignal::new(defaults.start.to_string()),
            refit: RwSignal::new(defaults.refit.clone()),
            every: RwSignal::new(defaults.refit_every.to_string()),
            window: RwSignal::new(defaults.window.to_string()),
            gap: RwSignal::new(defaults.gap.to_string()),
            thresholds: RwSignal::new(defaults.thresholds.clone()),
            chosen: RwSignal::new(defaults.models.clone()),
            cashout: RwSignal::new(defaults.cashout),
        }
    }

    fn request(&self) -> Result<BacktestRequest, String> {
        let number = |s: RwSignal<String>, what: &str| -> Result<usize, String> {
            s.get_untracked()
                .trim()
                .parse::<usize>()
                .map_err(|_| format!("{what} must be a whole number"))
        };
        let mut ts = self.thresholds.get_untracked();
        ts.sort_by(f64::total_cmp);
        Ok(BacktestRequest {
            start: number(self.start, "the first forecast round")?,
            refit: self.refit.get_untracked(),
            refit_every: number(self.every, "the refit interval")?,
            window: number(self.window, "the window")?,
            gap: number(self.gap, "the gap")?,
            thresholds: ts,
            models: self.chosen.get_untracked(),
            cashout: self.cashout.get_untracked(),
        })
    }
}

/// The threshold checkboxes, kept in step with `thresholds`.
fn threshold_choices(thresholds: RwSignal<Vec<f64>>) -> impl IntoView {
    THRESHOLDS.iter().map(|&t| view! {
                    <label class="check">
                        <input type="checkbox" prop:checked=move || thresholds.with(|ts| ts.contains(&t))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                thresholds.update(|ts| { ts.retain(|x| *x != t); if on { ts.push(t); } });
                            }/>
                        {format!("{t}x")}
                    </label>
                }).collect_view()
}

/// A whole-number field with its label.
fn number_input(id: &'static str, label: &'static str, value: RwSignal<String>) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <input id=id type="number" min="0" step="1" prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))/>
    }
}

/// Reads the form and runs the backtest on the server, or shows what is wrong with the form.
fn run_backtest(
    form: BacktestForm,
    result: RwSignal<Option<Result<BacktestView, String>>>,
    busy: RwSignal<bool>,
) {
    let request = form.request();
    let request = match request {
        Ok(r) => r,
        Err(e) => {
            result.set(Some(Err(e)));
            return;
        }
    };
    busy.set(true);
    result.set(None);
    spawn_local(async move {
        result.set(Some(
            api::run_backtest(request).await.map_err(|e| e.message),
        ));
        busy.set(false);
    });
}

#[component]
pub fn BacktestPage() -> impl IntoView {
    let names = Resource::new(|| (), |_| api::backtest_models());
    let form = BacktestForm::new();
    let BacktestForm {
        start,
        refit,
        every,
        window,
        gap,
        thresholds,
        chosen,
        cashout,
    } = form;
    let result = RwSignal::new(None::<Result<BacktestView, String>>);
    let busy = RwSignal::new(false);
    let run = move |_| run_backtest(form, result, busy);

    view! {
        <leptos_meta::Title text="Backtest · JetX Predictor"/>
        <h1 class="page-title">"Backtest"</h1>
        <section class="panel" id="backtest-form">
            <h2>"Walk-forward backtest"</h2>
            <p class="muted">"Each model is fitted on the rounds before the forecast round only (minus the gap), "
            "refitted on the schedule, and scored on every later round against the fair law (1−h)/t. "
            "Nothing here is in-sample."</p>
            <div class="form-row">
                {number_input("bt-start", "first forecast round", start)}
                <label for="bt-refit">"refit"</label>
                <select id="bt-refit" on:change=move |ev| refit.set(event_target_value(&ev))>
                    <option value="every" selected=true>"every N rounds (expanding)"</option>
                    <option value="rolling">"every N rounds on a rolling window"</option>
                    <option value="never">"never (fit once)"</option>
                </select>
                {number_input("bt-every", "N", every)}
                {number_input("bt-window", "window", window)}
                {number_input("bt-gap", "gap", gap)}
            </div>
            <div class="form-row" id="bt-thresholds">
                <span>"thresholds:"</span>
                {threshold_choices(thresholds)}
                <label for="bt-cashout">"cash-out of the P&L"</label>
                <select id="bt-cashout" on:change=move |ev| {
                    if let Ok(c) = event_target_value(&ev).parse::<f64>() { cashout.set(c); }
                }>
                    {THRESHOLDS.iter().map(|&t| view! { <option value=t.to_string() selected=t == 2.0>{format!("{t}x")}</option> }).collect_view()}
                </select>
            </div>
            <div class="form-row" id="bt-models">
                <span>"models:"</span>
                <Suspense fallback=|| view! { <span class="muted">"…"</span> }>
                    {move || names.get().map(|r| match r {
                        Err(e) => view! { <span class="error">{e.message}</span> }.into_any(),
                        Ok(list) => list.into_iter().map(|name| choice_checkbox(name, chosen)).collect_view().into_any(),
                    })}
                </Suspense>
                <button id="bt-run" disabled=move || busy.get() on:click=run>
                    {move || if busy.get() { "Running…" } else { "Run backtest" }}
                </button>
            </div>
        </section>
        {move || match result.get() {
            None => None,
            Some(Err(e)) => Some(view! { <p class="error panel" id="bt-error">{e}</p> }.into_any()),
            Some(Ok(v)) => Some(view! { <BacktestResult v/> }.into_any()),
        }}
    }
}

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
fn BacktestResult(v: BacktestView) -> impl IntoView {
    let (reliability, cumulative, pnl) = result_charts(&v);
    let folds = folds_chart(&v.folds);
    let fold_height = (80 + 22 * v.folds.len().min(40)) as u32;
    let rows = v
        .models
        .iter()
        .flat_map(|m| {
            m.summary.thresholds.iter().map(move |s| {
                let ev = super::bets_text(&s.pnl);
                view! {
                    <tr>
                        <td>{m.name.clone()}</td>
                        <td>{format!("{}x", s.threshold)}</td>
                        <td>{if s.edge_found { "yes" } else { "no" }}</td>
                        <td>{format!("{:+.4} [{:+.4}, {:+.4}]", s.skill.bss, s.skill.low, s.skill.high)}</td>
                        <td>{super::dm_text(s)}</td>
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
