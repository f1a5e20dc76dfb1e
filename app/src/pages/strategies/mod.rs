//! The Strategies page: pick a staking plan and its limits, run it under the fair law
//! (Monte Carlo) or on the stored rounds (replay), and see it next to flat betting —
//! ruin first for the plans that chase losses.

mod autobet;
mod download;
mod result;
#[cfg(test)]
mod tests;

use crate::api;
use crate::views::{browser_refusal, LawChoice, ParamValue, ScriptLanguage, SimulationRequest};
use leptos::prelude::*;
use leptos::task::spawn_local;
use models::strategy::{SimulationResult, Strategy};
pub(crate) use result::StrategyResult;

/// The form: text fields as typed, read into a request on Run. `strategy` is a built-in
/// plan, `"script"` (rhai) or `"autobet"` (a bustabit script).
#[derive(Clone, Copy)]
struct Form {
    strategy: RwSignal<String>,
    params: RwSignal<Vec<(String, String)>>,
    stake: RwSignal<String>,
    cashout: RwSignal<String>,
    bankroll: RwSignal<String>,
    stop_loss: RwSignal<String>,
    take_profit: RwSignal<String>,
    max_stake: RwSignal<String>,
    paths: RwSignal<String>,
    rounds: RwSignal<String>,
    replay: RwSignal<bool>,
    /// Monte Carlo's law: the fair law or the patterns confirmed on the stored rounds.
    law: RwSignal<LawChoice>,
    script: RwSignal<String>,
    /// Run Monte Carlo in this browser (a Web Worker) rather than on the server.
    in_browser: RwSignal<bool>,
}

/// Milliseconds since some fixed moment (the browser's clock; the server never runs it).
fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

/// What the script box starts with: a martingale that gives up after a few losses, written
/// the way the lab's scripts work (the same API as `jetx simulate --script`).
pub const EXAMPLE_SCRIPT: &str = r#"// Inputs: change them here (or with --param on the command line).
let config = #{ base: 1.0, cashout: 2.0, multiplier: 2.0, give_up_after: 5 };

// Before each round: return bet(stake, cashout), [bet(..), bet(..)] for both
// panels, or () for no bet. `this` is your memory, kept between rounds.
fn on_round(game) {
    bet(this.stake ?? game.config.base, game.config.cashout)
}

// After each round you bet on.
fn on_result(game, result) {
    if result.won || (this.losses ?? 0) + 1 >= game.config.give_up_after {
        this.stake = game.config.base;
        this.losses = 0;
    } else {
        this.stake = (this.stake ?? game.config.base) * game.config.multiplier;
        this.losses = (this.losses ?? 0) + 1;
    }
}
"#;

/// Largest path count the form keeps when switching to a script (scripts are interpreted).
const SCRIPT_PATHS: usize = 1_000;

fn defaults_of(name: &str) -> Vec<(String, String)> {
    Strategy::default_for(name)
        .map(|s| {
            s.param_values()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect()
        })
        .unwrap_or_default()
}

impl Form {
    fn request(&self) -> Result<SimulationRequest, String> {
        let number = |s: RwSignal<String>, what: &str| -> Result<f64, String> {
            let t = s.get_untracked();
            t.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| format!("{what}: \"{t}\" is not a number"))
        };
        let optional = |s: RwSignal<String>, what: &str| -> Result<Option<f64>, String> {
            if s.get_untracked().trim().is_empty() {
                Ok(None)
            } else {
                number(s, what).map(Some)
            }
        };
        let whole = |s: RwSignal<String>, what: &str| -> Result<usize, String> {
            let t = s.get_untracked();
            t.trim()
                .parse::<usize>()
                .map_err(|_| format!("{what}: \"{t}\" is not a whole number"))
        };
        let chosen = self.strategy.get_untracked();
        let autobet = chosen == "autobet";
        let scripted = autobet || chosen == "script";
        Ok(SimulationRequest {
            strategy: if autobet { "script".into() } else { chosen },
            params: self
                .params
                .get_untracked()
                .into_iter()
                .map(|(k, v)| (k, ParamValue::Text(v)))
                .collect(),
            stake: number(self.stake, "stake")?,
            cashout: number(self.cashout, "cash-out")?,
            bankroll: number(self.bankroll, "bankroll")?,
            stop_loss: optional(self.stop_loss, "stop-loss")?,
            take_profit: optional(self.take_profit, "take-profit")?,
            max_stake: optional(self.max_stake, "max stake")?,
            paths: whole(self.paths, "paths")?,
            rounds: whole(self.rounds, "rounds")?,
            replay: self.replay.get_untracked(),
            // A replay plays the stored rounds themselves: no law to choose.
            law: if self.replay.get_untracked() {
                LawChoice::Fair
            } else {
                self.law.get_untracked()
            },
            script: scripted.then(|| self.script.get_untracked()),
            language: scripted.then_some(if autobet {
                ScriptLanguage::Javascript
            } else {
                ScriptLanguage::Rhai
            }),
            ..SimulationRequest::default()
        })
    }
}

fn field(
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    hint: &'static str,
) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <input id=id type="text" inputmode="decimal" placeholder=hint prop:value=move || value.get()
            on:input=move |ev| value.set(event_target_value(&ev))/>
    }
}

impl Form {
    /// A plan chosen: its default settings, the example script of a script kind, and no
    /// more paths than a script runs in reasonable time.
    fn choose(self, name: String) {
        self.params.set(defaults_of(&name));
        match name.as_str() {
            "autobet" => self
                .script
                .set(models::strategy::examples::ALL[0].source.to_string()),
            "script" => self.script.set(EXAMPLE_SCRIPT.to_string()),
            _ => {}
        }
        let too_many = |p: String| p.trim().parse::<usize>().is_ok_and(|p| p > SCRIPT_PATHS);
        if (name == "script" || name == "autobet") && too_many(self.paths.get_untracked()) {
            self.paths.set(SCRIPT_PATHS.to_string());
        }
        self.strategy.set(name);
    }

    /// The form as the page first shows it: the default request, the example script.
    fn new() -> Self {
        let d = SimulationRequest::default();
        Form {
            strategy: RwSignal::new(d.strategy.clone()),
            params: RwSignal::new(defaults_of(&d.strategy)),
            stake: RwSignal::new(d.stake.to_string()),
            cashout: RwSignal::new(d.cashout.to_string()),
            bankroll: RwSignal::new(d.bankroll.to_string()),
            stop_loss: RwSignal::new(String::new()),
            take_profit: RwSignal::new(String::new()),
            max_stake: RwSignal::new(String::new()),
            paths: RwSignal::new(d.paths.to_string()),
            rounds: RwSignal::new(d.rounds.to_string()),
            replay: RwSignal::new(false),
            law: RwSignal::new(LawChoice::Fair),
            script: RwSignal::new(EXAMPLE_SCRIPT.to_string()),
            in_browser: RwSignal::new(true),
        }
    }
}

/// A run's state: its outcome, whether it runs, how far it got and where it ran.
#[derive(Clone, Copy)]
struct RunState {
    result: RwSignal<Option<Result<SimulationResult, String>>>,
    /// The request of the last run (the report downloads it).
    request: RwSignal<Option<SimulationRequest>>,
    busy: RwSignal<bool>,
    /// Paths done / in all while the browser runs it.
    progress: RwSignal<Option<(f64, f64)>>,
    /// Where and how long the last run took.
    ran: RwSignal<Option<String>>,
    /// The Web Worker of a run in this browser, while it runs.
    #[cfg(feature = "hydrate")]
    job: StoredValue<Option<crate::browser::WorkerRun>, LocalStorage>,
}

/// Seconds since `started` (a [`now_ms`] reading).
fn seconds_since(started: f64) -> f64 {
    (now_ms() - started) / 1000.0
}

impl RunState {
    fn new() -> Self {
        RunState {
            result: RwSignal::new(None),
            request: RwSignal::new(None),
            busy: RwSignal::new(false),
            progress: RwSignal::new(None),
            ran: RwSignal::new(None),
            #[cfg(feature = "hydrate")]
            job: StoredValue::new_local(None),
        }
    }

    /// Reads the form and runs it: in a Web Worker when asked and possible, else on the server.
    fn start(self, form: Form) {
        let RunState {
            result,
            busy,
            progress,
            ran,
            ..
        } = self;
        let request = match form.request() {
            Ok(r) => r,
            Err(e) => {
                result.set(Some(Err(e)));
                return;
            }
        };
        self.request.set(Some(request.clone()));
        busy.set(true);
        progress.set(None);
        ran.set(None);
        let started = now_ms();
        #[cfg(feature = "hydrate")]
        if form.in_browser.get_untracked() && browser_refusal(&request).is_none() {
            self.run_in_browser(request, started);
            return;
        }
        spawn_local(async move {
            let outcome = api::simulate(request).await.map_err(|e| e.message);
            ran.set(Some(format!(
                "Ran on the server in {:.2} s.",
                seconds_since(started)
            )));
            result.set(Some(outcome));
            busy.set(false);
        });
    }

    /// Runs the request in a Web Worker, showing its progress as it comes.
    #[cfg(feature = "hydrate")]
    fn run_in_browser(self, request: SimulationRequest, started: f64) {
        use crate::browser::{WorkerNews, WorkerRun};
        let RunState {
            result,
            busy,
            progress,
            ran,
            job,
            ..
        } = self;
        let finish = move |outcome: Result<SimulationResult, String>| {
            ran.set(Some(format!(
                "Ran in this browser (Web Worker) in {:.2} s.",
                seconds_since(started)
            )));
            result.set(Some(outcome));
            progress.set(None);
            busy.set(false);
            // Not from inside the worker's own callback: after it returns.
            spawn_local(async move { job.set_value(None) });
        };
        spawn_local(async move {
            let house_edge = match api::lab_house_edge().await {
                Ok(h) => h,
                Err(e) => return finish(Err(e.message)),
            };
            let Ok(json) = serde_json::to_string(&request) else {
                return finish(Err("the settings could not be sent to the worker".into()));
            };
            let path = match request.script_language() {
                Some(_) => crate::browser::SCRIPT_WORKER_PATH,
                None => crate::browser::MC_WORKER_PATH,
            };
            let started = WorkerRun::start(path, json, house_edge, move |news| match news {
                WorkerNews::Progress { done, total } => progress.set(Some((done, total))),
                WorkerNews::Done(outcome) => {
                    finish(outcome.map_err(|e| e.message).and_then(|text| {
                        serde_json::from_str::<SimulationResult>(&text)
                            .map_err(|e| format!("unexpected result from the worker: {e}"))
                    }))
                }
            });
            match started {
                Ok(w) => job.set_value(Some(w)),
                Err(e) => finish(Err(e.message)),
            }
        });
    }

    /// Stops a run in this browser; nothing of it is kept.
    fn cancel(self) {
        #[cfg(feature = "hydrate")]
        self.job.set_value(None);
        self.busy.set(false);
        self.progress.set(None);
        self.ran.set(Some("Cancelled: nothing was kept.".into()));
    }
}

#[component]
pub fn StrategiesPage() -> impl IntoView {
    let form = Form::new();
    let state = RunState::new();
    let result = state.result;
    view! {
        <leptos_meta::Title text="Strategies · JetX Predictor"/>
        <h1 class="page-title">"Strategies"</h1>
        <section class="panel" id="strategy-form">
            <h2>"A staking plan against the fair law"</h2>
            <p class="muted">"Under the fair law every bet loses the house edge of its stake on average, "
            "whatever its size or cash-out. A staking plan only reshapes the outcomes — many small wins "
            "against a rare ruin, or the reverse — and its expected loss is the house edge × its turnover. "
            "Run one and see it next to flat betting on the very same rounds."</p>
            <StrategyChoice form/>
            <ScriptBox form/>
            <Show when=move || form.strategy.get() == "autobet">
                <autobet::AutobetBox form/>
            </Show>
            <div class="form-row">
                {field("st-bankroll", "bankroll", form.bankroll, "")}
                {field("st-stake", "base stake", form.stake, "")}
                {field("st-cashout", "cash-out", form.cashout, "e.g. 2")}
                {field("st-stop-loss", "stop-loss", form.stop_loss, "none")}
                {field("st-take-profit", "take-profit", form.take_profit, "none")}
                {field("st-max-stake", "max stake", form.max_stake, "none")}
            </div>
            <RunControls form state/>
            <RunProgress state/>
        </section>
        {move || match result.get() {
            None => None,
            Some(Err(e)) => Some(view! { <p class="error panel" id="st-error" role="alert">{e}</p> }.into_any()),
            Some(Ok(r)) => Some(view! {
                <StrategyResult r/>
                {state.request.get_untracked().map(|request| view! { <download::ReportDownload request/> })}
            }.into_any()),
        }}
    }
}

/// The strategy picker and the chosen plan's parameters.
#[component]
fn StrategyChoice(form: Form) -> impl IntoView {
    let options = Strategy::NAMES
        .iter()
        .filter_map(|n| Strategy::default_for(n).ok())
        .map(|s| {
            let name = s.name();
            view! { <option value=name selected=move || form.strategy.get() == name>{s.label()}</option> }
        })
        .collect_view();
    let is_script = move || form.strategy.get() == "script";
    let is_autobet = move || form.strategy.get() == "autobet";
    let param_inputs = move || {
        // An autobet script's inputs are its own form (see `autobet`).
        if is_autobet() {
            return None;
        }
        Some(form.params
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, (k, v))| {
                let id = format!("st-param-{k}");
                view! {
                    <label for=id.clone()>{k.replace('_', " ")}</label>
                    <input id=id type="text" prop:value=v
                        on:input=move |ev| {
                            let text = event_target_value(&ev);
                            form.params.update(|p| if let Some(slot) = p.get_mut(i) { slot.1 = text });
                        }/>
                }
            })
            .collect_view())
    };
    view! {
        <div class="form-row">
            <label for="st-strategy">"strategy"</label>
            <select id="st-strategy" on:change=move |ev| form.choose(event_target_value(&ev))>
                {options}
                <option value="autobet" selected=is_autobet>"Your bustabit autobet script (JavaScript)"</option>
                <option value="script" selected=is_script>"Your script (rhai)"</option>
            </select>
            {param_inputs}
        </div>
    }
}

/// The script editor and how scripts work, shown while the script is the strategy.
#[component]
fn ScriptBox(form: Form) -> impl IntoView {
    let is_script = move || form.strategy.get() == "script";
    view! {
        <Show when=is_script>
            <div class="script-box">
                <label for="st-script">"your strategy script (rhai)"</label>
                <textarea id="st-script" rows="18" spellcheck="false" prop:value=move || form.script.get()
                    on:input=move |ev| form.script.set(event_target_value(&ev))></textarea>
                <details class="paste">
                    <summary>"How scripts work"</summary>
                    <ul class="muted">
                        <li><code>"let config = #{ … };"</code>" at the top: your inputs (the command line sets them with --param name=value)."</li>
                        <li><code>"fn on_round(game)"</code>" runs before each round and returns "<code>"bet(stake, cashout)"</code>", "
                            <code>"[bet(…), bet(…)]"</code>" for both panels, or "<code>"()"</code>" for no bet. "
                            <code>"this"</code>" is your memory between rounds; "<code>"x ?? y"</code>" gives y while x is unset."</li>
                        <li><code>"fn on_result(game, result)"</code>" (optional) runs after each round you bet on: "
                            <code>"result.crash, result.won, result.profit, result.bankroll, result.bets"</code>"."</li>
                        <li><code>"game"</code>" has round, bankroll, net, base_stake, base_cashout, house_edge, config, "
                            "history (the last 100 crashes, oldest first: history[-1] is the last), last, and signal "
                            "(the app's PLAY: #{cashout, p_low}, or ())."</li>
                        <li><code>"fn init(game)"</code>" (optional) returns your starting memory; "<code>"stop(\"why\")"</code>" ends the session."</li>
                        <li>"Scripts run in a sandbox: no files, at most 200,000 operations per call, bounded strings, arrays and maps, "
                            "30 s per run and at most 2,000,000 path-rounds; errors name their line."</li>
                    </ul>
                </details>
            </div>
        </Show>
    }
}

/// Monte Carlo or replay, paths and rounds, where it runs, and the Run / Cancel buttons.
#[component]
fn RunControls(form: Form, state: RunState) -> impl IntoView {
    let RunState { busy, progress, .. } = state;
    let run = move |_| state.start(form);
    let cancel = move |_| state.cancel();
    view! {
        <div class="form-row">
            <fieldset class="inline">
                <legend>"run"</legend>
                <label class="check"><input type="radio" name="st-mode" id="st-mode-mc" prop:checked=move || !form.replay.get()
                    on:change=move |_| form.replay.set(false)/>"Monte Carlo under"</label>
                <label for="st-law" class="sr-only">"the law Monte Carlo draws rounds from"</label>
                <select id="st-law" disabled=move || form.replay.get()
                    title="The fair law at the configured house edge, or the fair law tilted wherever a pattern confirmed on your stored rounds applies (at its out-of-sample rate): what a plan would do if those edges are real."
                    on:change=move |ev| form.law.set(if event_target_value(&ev) == "confirmed" { LawChoice::Confirmed } else { LawChoice::Fair })>
                    <option value="fair" selected=move || form.law.get() == LawChoice::Fair>"the fair law"</option>
                    <option value="confirmed" selected=move || form.law.get() == LawChoice::Confirmed>"the patterns confirmed on my rounds"</option>
                </select>
                <label class="check"><input type="radio" name="st-mode" id="st-mode-replay" prop:checked=move || form.replay.get()
                    on:change=move |_| form.replay.set(true)/>"replay the stored rounds"</label>
            </fieldset>
            {field("st-paths", "paths", form.paths, "")}
            {field("st-rounds", "rounds per path", form.rounds, "")}
            <label class="check" title="Monte Carlo of the built-in plans and of bustabit scripts runs in a Web Worker: the page stays responsive and the server is not loaded. Replays and rhai scripts run on the server.">
                <input type="checkbox" id="st-in-browser" prop:checked=move || form.in_browser.get()
                    on:change=move |ev| form.in_browser.set(event_target_checked(&ev))/>"in this browser"</label>
            {move || {
                let shape = SimulationRequest {
                    strategy: form.strategy.get(),
                    replay: form.replay.get(),
                    law: form.law.get(),
                    ..SimulationRequest::default()
                };
                form.in_browser.get().then(|| browser_refusal(&shape)).flatten()
                    .map(|why| view! { <span class="muted" id="st-where">{format!("({why})")}</span> })
            }}
            <button id="st-run" disabled=move || busy.get() on:click=run>
                {move || if busy.get() { "Running…" } else { "Run" }}
            </button>
            <Show when=move || busy.get() && progress.get().is_some()>
                <button id="st-cancel" type="button" on:click=cancel>"Cancel"</button>
            </Show>
        </div>
    }
}

/// The progress bar of a run in this browser, then where and how long the run took.
#[component]
fn RunProgress(state: RunState) -> impl IntoView {
    let RunState { progress, ran, .. } = state;
    view! {
        {move || progress.get().map(|(done, total)| {
            let share = if total > 0.0 { done / total } else { 0.0 };
            view! {
                <p class="muted" id="st-progress-line">
                    <progress id="st-progress" aria-label="simulation progress" max="1" value=share></progress>
                    {format!(" {:.0}% of {} paths (the plan, then flat betting on the same rounds)", share * 100.0, total)}
                </p>
            }
        })}
        {move || ran.get().map(|t| view! { <p class="muted" id="st-ran" role="status">{t}</p> })}
    }
}
