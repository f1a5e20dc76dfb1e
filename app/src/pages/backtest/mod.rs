//! The backtest page: walk-forward settings → a backtest job (progress, cancel) → scores
//! against the fair law, reliability, cumulative score difference, P&L of the betting
//! rule and the fold picture; past backtests kept, re-opened and deleted.

mod jobs;
mod result;
#[cfg(test)]
mod tests;

use crate::api;
use crate::pages::choice_checkbox;
use crate::views::{BacktestJob, BacktestRequest, BacktestState};
use jobs::{BacktestHistory, JobPanel, Jobs};
use leptos::prelude::*;

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

    /// Shows a job's settings, so an opened past backtest can be changed and run again.
    fn fill(&self, r: &BacktestRequest) {
        self.start.set(r.start.to_string());
        self.refit.set(r.refit.clone());
        self.every.set(r.refit_every.to_string());
        self.window.set(r.window.to_string());
        self.gap.set(r.gap.to_string());
        self.thresholds.set(r.thresholds.clone());
        self.chosen.set(r.models.clone());
        self.cashout.set(r.cashout);
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

/// Reads the form and starts the backtest, or shows what is wrong with the form.
fn run_backtest(form: BacktestForm, jobs: Jobs) {
    match form.request() {
        Ok(request) => jobs.start(request),
        Err(e) => jobs.error.set(Some(e)),
    }
}

/// The job to show when the page opens: `?id=N`, else a running one, else the newest.
fn job_to_open(list: &[BacktestJob], asked: Option<i64>) -> Option<i64> {
    asked
        .or_else(|| {
            list.iter()
                .find(|j| j.state == BacktestState::Running)
                .map(|j| j.id)
        })
        .or_else(|| list.first().map(|j| j.id))
}

/// Once the list is read, opens the job the player comes back to (`?id=N`, a running one
/// or the newest); a job opened fills the form with its settings, once per job (its
/// progress updates leave the player's edits alone).
fn open_and_fill(
    form: BacktestForm,
    jobs: Jobs,
    list: Resource<Result<Vec<BacktestJob>, crate::errors::AppError>>,
) {
    let query = leptos_router::hooks::use_query_map();
    let opened = StoredValue::new(false);
    Effect::new(move || {
        if let Some(Ok(all)) = list.get() {
            if !opened.get_value() {
                opened.set_value(true);
                let asked = query.with_untracked(|q| q.get("id").and_then(|v| v.parse().ok()));
                if let Some(id) = job_to_open(&all, asked) {
                    jobs.open(id);
                }
            }
        }
    });
    let filled = StoredValue::new(None::<i64>);
    Effect::new(move || {
        jobs.shown.with(|j| {
            if let Some(j) = j.as_ref().filter(|j| filled.get_value() != Some(j.id)) {
                filled.set_value(Some(j.id));
                form.fill(&j.request);
            }
        })
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
    let jobs = Jobs::new();
    let list = Resource::new(move || jobs.version.get(), |_| api::list_backtests());
    open_and_fill(form, jobs, list);
    let run = move |_| run_backtest(form, jobs);

    view! {
        <leptos_meta::Title text="Backtest · JetX Predictor"/>
        <h1 class="page-title">"Backtest"</h1>
        <section class="panel" id="backtest-form">
            <h2>"Walk-forward backtest"</h2>
            <p class="muted">"Each model is fitted on the rounds before the forecast round only (minus the gap), "
            "refitted on the schedule, and scored on every later round against the fair law (1−h)/t. "
            "Nothing here is in-sample. It runs on the server: leave the page and come back, it is kept."</p>
            <div class="form-row">
                {number_input("bt-start", "first forecast round", start)}
                <label for="bt-refit">"refit"</label>
                <select id="bt-refit" prop:value=move || refit.get() on:change=move |ev| refit.set(event_target_value(&ev))>
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
                <select id="bt-cashout" prop:value=move || cashout.get().to_string() on:change=move |ev| {
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
                <button id="bt-run" disabled=move || jobs.running() on:click=run>
                    {move || if jobs.running() { "Running…" } else { "Run backtest" }}
                </button>
            </div>
        </section>
        {move || jobs.error.get().map(|e| view! { <p class="error panel" id="bt-error" role="alert">{e}</p> })}
        <JobPanel jobs/>
        <BacktestHistory jobs list/>
    }
}
