//! The models page: background training with live progress, the registered versions, their
//! walk-forward scores, reliability, the betting rule's confusion matrices and feature
//! importance.

use crate::api;
use crate::charts::EChart;
use crate::errors::AppError;
use crate::pages::{choice_checkbox, fmt_pct, fmt_stamp, ScrollTable};
use crate::report_charts::{importance_chart, loss_chart, reliability_chart};
use crate::views::{JobState, ModelView, ModelsView, ScoreRow, TrainRequest, TrainStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;
use models::backtest::ThresholdScore;

/// Thresholds every trained model is scored at.
use models::forecast::DEFAULT_THRESHOLDS as THRESHOLDS;

/// The training form's fields; owned by the page so they survive the list's refetch.
#[derive(Clone, Copy)]
struct TrainForm {
    chosen: RwSignal<Vec<String>>,
    budget: RwSignal<String>,
    /// `None`: the first device offered.
    device: RwSignal<Option<String>>,
    activate: RwSignal<bool>,
}

#[component]
pub fn ModelsPage() -> impl IntoView {
    // A quick default: the fast members; the user may tick the slower networks.
    let form = TrainForm {
        chosen: RwSignal::new(vec![
            "logistic".to_string(),
            "gbt".to_string(),
            "mlp".to_string(),
        ]),
        budget: RwSignal::new("30".to_string()),
        device: RwSignal::new(None),
        activate: RwSignal::new(true),
    };
    let refresh = RwSignal::new(0u64);
    let data = Resource::new(move || refresh.get(), |_| api::get_models());
    let status = RwSignal::new(None::<TrainStatus>);
    // Refetch the list when a job finishes.
    Effect::new(move |last: Option<Option<(u64, JobState)>>| {
        let now = status.with(|s| s.as_ref().map(|s| (s.job, s.state)));
        if let (Some(Some((_, JobState::Running))), Some((_, state))) = (last, now) {
            if state != JobState::Running {
                refresh.update(|r| *r += 1);
            }
        }
        now
    });
    #[cfg(feature = "hydrate")]
    crate::browser::follow_training(status);

    view! {
        <leptos_meta::Title text="Models · JetX Predictor"/>
        <h1 class="page-title">"Models"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || data.get().map(|r| match r {
                Err(e) => view! { <p class="error">"Could not load the models: " {e.message}</p> }.into_any(),
                Ok(d) => {
                    if status.get_untracked().is_none() {
                        status.set(Some(d.training.clone()));
                    }
                    view! { <ModelsBody data=d status refresh form/> }.into_any()
                }
            })}
        </Transition>
    }
}

#[component]
fn ModelsBody(
    data: ModelsView,
    status: RwSignal<Option<TrainStatus>>,
    refresh: RwSignal<u64>,
    form: TrainForm,
) -> impl IntoView {
    let selected = RwSignal::new(
        data.models
            .iter()
            .find(|m| m.active)
            .or(data.models.first())
            .map(|m| m.version.clone()),
    );
    let models = StoredValue::new(data.models.clone());
    let detail = move || {
        let v = selected.get()?;
        models.with_value(|ms| ms.iter().find(|m| m.version == v).cloned())
    };
    let importance = data.importance.clone();
    let importance_note = data.importance_note.clone();
    view! {
        // Training is offered on the devices this machine has, not only those of the build.
        <TrainPanel devices={if data.machine_devices.is_empty() { data.devices.clone() } else { data.machine_devices.clone() }}
            kinds=data.member_kinds.clone() status form/>
        <p class="muted" id="devices-line">{format!(
            "This build trains on {}; this machine has {}.",
            data.devices.join(" or "),
            if data.machine_devices.is_empty() { "cpu".to_string() } else { data.machine_devices.join(" and ") }
        )}</p>
        <section class="panel" id="models-list">
            <h2>"Registered models"</h2>
            {if data.models.is_empty() {
                view! { <p class="muted" id="no-models">"No trained model yet: the dashboard uses the fair baseline. Train one above."</p> }.into_any()
            } else {
                view! { <ModelTable models=data.models.clone() selected refresh/> }.into_any()
            }}
        </section>
        {move || detail().map(|m| view! { <ModelDetail model=m/> })}
        <section class="panel" id="importance">
            <h2>"Feature importance (active model)"</h2>
            {importance_note.map(|n| view! { <p class="muted">{n}</p> })}
            {importance.into_iter().enumerate().map(|(i, fi)| {
                let chart = importance_chart(&fi);
                let id: &'static str = ["chart-importance-0", "chart-importance-1", "chart-importance-2", "chart-importance-3"][i.min(3)];
                view! { <EChart id chart=Signal::derive(move || Some(chart.clone())) height=420/> }
            }).collect_view()}
        </section>
    }
}

/// Shows a training job's status (unless a newer one is shown already) or the error.
fn show_answer(
    answer: Result<TrainStatus, AppError>,
    status: RwSignal<Option<TrainStatus>>,
    message: RwSignal<Option<String>>,
) {
    match answer {
        Ok(s) => status.update(|cur| {
            if s.is_newer_than(cur.as_ref()) {
                *cur = Some(s);
            }
        }),
        Err(e) => message.set(Some(e.message)),
    }
}

/// Reads the training form and starts a job, or says what is wrong with the form.
fn start_training(
    form: TrainForm,
    first_device: &str,
    status: RwSignal<Option<TrainStatus>>,
    message: RwSignal<Option<String>>,
) {
    let TrainForm {
        chosen,
        budget,
        device,
        activate,
    } = form;
    let budget_s = match budget.get_untracked().trim().parse::<f64>() {
        Ok(b) if b.is_finite() && b >= 1.0 => b,
        _ => {
            message.set(Some(
                "The time budget must be a number of seconds, at least 1.".into(),
            ));
            return;
        }
    };
    if chosen.with_untracked(Vec::is_empty) {
        message.set(Some("Tick at least one member to train.".into()));
        return;
    }
    let request = TrainRequest {
        members: chosen.get_untracked(),
        budget_s,
        device: device
            .get_untracked()
            .unwrap_or_else(|| first_device.to_string()),
        activate: activate.get_untracked(),
    };
    message.set(None);
    spawn_local(async move {
        show_answer(api::start_training(request).await, status, message);
    });
}

/// The device choices, the chosen one (or none yet) selected.
fn device_options(devices: &[String], device: RwSignal<Option<String>>) -> impl IntoView {
    devices.iter().map(|d| {
        let d2 = d.clone();
        view! { <option value=d.clone() selected=move || device.get().as_deref() == Some(d2.as_str())>{d.clone()}</option> }
    }).collect_view()
}

#[component]
fn TrainPanel(
    devices: Vec<String>,
    kinds: Vec<String>,
    status: RwSignal<Option<TrainStatus>>,
    form: TrainForm,
) -> impl IntoView {
    let TrainForm {
        chosen,
        budget,
        device,
        activate,
    } = form;
    let first_device = devices.first().cloned().unwrap_or_else(|| "cpu".into());
    let message = RwSignal::new(None::<String>);
    let running = move || status.with(|s| s.as_ref().is_some_and(|s| s.state == JobState::Running));

    let start = move |_| start_training(form, &first_device, status, message);
    let cancel = move |_| {
        spawn_local(async move {
            show_answer(api::cancel_training().await, status, message);
        });
    };
    let loss = Signal::derive(move || {
        status.with(|s| {
            s.as_ref()
                .filter(|s| !s.losses.is_empty())
                .map(|s| loss_chart(&s.losses))
        })
    });
    // A memo, so the chart is mounted once when the first loss arrives, not on every event.
    let has_losses =
        Memo::new(move |_| status.with(|s| s.as_ref().is_some_and(|s| !s.losses.is_empty())));
    let multi_device = devices.len() > 1;
    view! {
        <section class="panel" id="train-panel">
            <h2>"Train a model"</h2>
            <p class="muted">"Training searches each member's settings on the first half of the stored rounds, "
            "then scores every member and the stacked ensemble walk-forward on the second half against the fair law, "
            "and finally fits the ensemble on all rounds. The time budget bounds the whole job: half for the search, "
            "the comparison refits while its share lasts, then the final fit (only a single fit longer than what is left overruns it, and the job says so). "
            "It runs in the background; one job at a time."</p>
            <div class="form-row" id="train-members">
                <span>"Members:"</span>
                {kinds.into_iter().map(|k| choice_checkbox(k, chosen)).collect_view()}
            </div>
            <p class="muted" id="train-cap">"The search keeps the best setting of each ticked kind and at most 3 of the searched members (the best by inner walk-forward log loss); "
            "the rule member (confirmed patterns) joins when ticked. The result lists the members kept."</p>
            <div class="form-row">
                <label for="train-budget">"Time budget (s)"</label>
                <input id="train-budget" type="number" min="1" max="3600" step="1"
                    prop:value=move || budget.get()
                    on:input=move |ev| budget.set(event_target_value(&ev))/>
                <label for="train-device">"Device"</label>
                <select id="train-device" disabled=!multi_device
                    on:change=move |ev| device.set(Some(event_target_value(&ev)))>
                    {device_options(&devices, device)}
                </select>
                <label class="check">
                    <input id="train-activate" type="checkbox" prop:checked=move || activate.get()
                        on:change=move |ev| activate.set(event_target_checked(&ev))/>
                    "make it the active model"
                </label>
                <button id="train-start" disabled=running on:click=start>"Start training"</button>
                <button id="train-cancel" class="secondary" disabled={move || !running()} on:click=cancel>"Cancel"</button>
            </div>
            {move || message.get().map(|m| view! { <p class="error" id="train-message">{m}</p> })}
            {move || status.get().filter(|s| s.job > 0).map(|s| view! { <JobView s/> })}
            {move || has_losses.get().then(|| view! { <EChart id="chart-loss" chart=loss height=300/> })}
        </section>
    }
}

#[component]
fn JobView(s: TrainStatus) -> impl IntoView {
    let pct = s.percent.clamp(0.0, 100.0);
    let eta = s
        .eta_s
        .filter(|_| s.state == JobState::Running)
        .map(|e| format!(" · about {e:.0} s left in this stage"))
        .unwrap_or_default();
    view! {
        <div class="job" id="train-status" data-state=s.state.as_str() data-percent=format!("{pct:.0}")>
            <div class="progress"><div class="bar" style=format!("width:{pct:.1}%")></div></div>
            <p>
                <strong id="train-percent">{format!("{pct:.0}%")}</strong>
                {format!(" · job {} {} · {} · {:.1} s elapsed{eta}", s.job, s.state.as_str(), s.stage, s.elapsed_s)}
            </p>
            <p class="muted" id="train-detail">{s.detail.clone()}</p>
            {s.version.clone().map(|v| view! { <p id="train-version">"Registered " <strong>{v}</strong></p> })}
            {s.error.clone().map(|e| view! { <p class="error" id="train-error">{e}</p> })}
        </div>
    }
}

/// The stacked ensemble's row of a model's walk-forward table.
fn ensemble_row(m: &ModelView) -> Option<&ScoreRow> {
    m.scores.iter().find(|r| r.name == "stacked ensemble")
}

fn at(row: &ScoreRow, t: f64) -> Option<&ThresholdScore> {
    row.summary
        .thresholds
        .iter()
        .find(|s| (s.threshold - t).abs() < 1e-9)
}

#[component]
fn ModelTable(
    models: Vec<ModelView>,
    selected: RwSignal<Option<String>>,
    refresh: RwSignal<u64>,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let rows = models
        .into_iter()
        .map(|m| {
            let version = m.version.clone();
            let v_select = version.clone();
            let v_activate = version.clone();
            let v_row = version.clone();
            let skill = ensemble_row(&m).and_then(|r| at(r, 2.0)).map_or("—".to_string(), |s| {
                format!("{:+.4} (DM p {:.2})", s.skill.bss, s.dm.p_a_better)
            });
            let active = m.active;
            view! {
                <tr class:selected=move || selected.get().as_deref() == Some(v_row.as_str()) data-version=version.clone()>
                    <td><button class="link" on:click=move |_| selected.set(Some(v_select.clone()))>{version.clone()}</button></td>
                    <td>
                        {if active {
                            view! { <span class="chip active-chip">"active"</span> }.into_any()
                        } else if let Some(p) = m.problem.clone() {
                            view! { <span class="error">{p}</span> }.into_any()
                        } else {
                            view! {
                                <button class="secondary activate" on:click=move |_| {
                                    let v = v_activate.clone();
                                    spawn_local(async move {
                                        match api::activate_model(v).await {
                                            Ok(()) => { error.set(None); refresh.update(|r| *r += 1); }
                                            Err(e) => error.set(Some(e.message)),
                                        }
                                    });
                                }>"Activate"</button>
                            }.into_any()
                        }}
                    </td>
                    <td title=m.created_at.clone()>{fmt_stamp(&m.created_at)}</td>
                    <td>{m.n_rounds}</td>
                    <td>{m.device.clone()}</td>
                    <td class="members">{m.members.iter().map(|n| n.split(" (").next().unwrap_or(n).to_string()).collect::<Vec<_>>().join(", ")}</td>
                    <td>{skill}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <ScrollTable label="trained models">
            <table class="rounds" id="models-table">
                <thead><tr><th>"version"</th><th><span class="sr-only">"state"</span></th><th>"created (UTC)"</th><th>"rounds"</th><th>"device"</th><th>"members"</th><th>"ensemble BSS at 2x"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </ScrollTable>
        {move || error.get().map(|e| view! { <p class="error">{e}</p> })}
    }
}

#[component]
fn ModelDetail(model: ModelView) -> impl IntoView {
    let threshold = RwSignal::new(2.0f64);
    let scores = StoredValue::new(model.scores.clone());
    let reliability = Signal::derive(move || {
        let t = threshold.get();
        scores.with_value(|rows| {
            let series: Vec<(String, &models::scores::Reliability)> = rows
                .iter()
                .filter(|r| !r.name.starts_with("fair law"))
                .filter_map(|r| at(r, t).map(|s| (short(&r.name), &s.reliability)))
                .collect();
            (!series.is_empty())
                .then(|| reliability_chart(&format!("Reliability at {t}x (walk-forward)"), &series))
        })
    });
    let first = model.scores.first().map(|r| &r.summary);
    let setup = first.map(|s| {
        format!(
            "Walk-forward on rounds {}–{} ({} forecasts, {} fits, refitted {}); the search never saw these rounds.",
            s.first_forecast + 1,
            s.n_rounds,
            s.n_forecasts,
            s.fits,
            s.refit
        )
    });
    view! {
        <section class="panel" id="model-detail">
            <div class="chart-head">
                <h2>{format!("Model {}", model.version)}</h2>
                <label for="detail-threshold">"threshold"</label>
                <select id="detail-threshold" on:change=move |ev| {
                    if let Ok(t) = event_target_value(&ev).parse::<f64>() { threshold.set(t); }
                }>
                    {THRESHOLDS.iter().map(|&t| view! { <option value=t.to_string() selected=t == 2.0>{format!("{t}x")}</option> }).collect_view()}
                </select>
            </div>
            {setup.map(|s| view! { <p class="muted">{s}</p> })}
            {if model.scores.is_empty() {
                view! { <p class="muted">"This version has no walk-forward scores."</p> }.into_any()
            } else {
                view! {
                    <ScrollTable label="walk-forward comparison">
                        <table class="rounds" id="comparison-table">
                            <thead><tr>
                                <th>"model"</th><th title="yes only when the Holm-corrected DM p is below α, the BSS interval is above 0, and at least 30 bets paid with an EV interval above 0">"edge?"</th><th title="Brier skill score against the fair law: 0 = as good as the fair law, above 0 better, below 0 worse; 95% interval">"BSS vs fair [95%]"</th><th title="Diebold–Mariano test, one-sided: the chance of a loss difference this favourable if the model were no better than the fair law; Holm: corrected for every member × threshold compared">"DM p (Holm)"</th><th>"Brier (fair)"</th>
                                <th>"log loss (fair)"</th><th>"AUC"</th><th>"signal hit rate (fair)"</th><th>"EV per bet [95%]"</th>
                            </tr></thead>
                            <tbody>
                                {move || {
                                    let t = threshold.get();
                                    scores.with_value(|rows| rows.iter().filter_map(|r| at(r, t).map(|s| score_line(&r.name, s))).collect_view())
                                }}
                            </tbody>
                        </table>
                    </ScrollTable>
                }.into_any()
            }}
            <EChart id="chart-reliability" chart=reliability height=340/>
            <h3>"Confusion matrices of the betting rule"</h3>
            <p class="muted">"The rule bets when the model's P(X ≥ t) exceeds the fair (1−h)/t by 2 points; "
            "rows: bet or not, columns: the round reached t or not (walk-forward rounds)."</p>
            <div class="confusions" id="confusions">
                {move || {
                    let t = threshold.get();
                    scores.with_value(|rows| rows.iter().filter(|r| !r.name.starts_with("fair law")).filter_map(|r| at(r, t).map(|s| confusion(&r.name, s))).collect_view())
                }}
            </div>
        </section>
    }
}

fn short(name: &str) -> String {
    name.split(" (").next().unwrap_or(name).to_string()
}

fn score_line(name: &str, s: &ThresholdScore) -> impl IntoView {
    let hit = if s.signal.fired == 0 {
        format!("never fired ({})", fmt_pct(s.fair_probability))
    } else {
        format!(
            "{} of {} = {} ({})",
            s.signal.hits,
            s.signal.fired,
            fmt_pct(s.signal.rate),
            fmt_pct(s.fair_probability)
        )
    };
    let ev = super::bets_text(&s.pnl);
    view! {
        <tr>
            <td>{name.to_string()}</td>
            <td>{if s.edge_found { "yes" } else { "no" }}</td>
            <td>{format!("{:+.4} [{:+.4}, {:+.4}]", s.skill.bss, s.skill.low, s.skill.high)}</td>
            <td>{super::dm_text(s)}</td>
            <td>{format!("{:.4} ({:.4})", s.model_brier, s.reference_brier)}</td>
            <td>{format!("{:.4} ({:.4})", s.model_log_loss, s.reference_log_loss)}</td>
            <td>{s.auc.map_or("—".to_string(), |a| format!("{a:.3}"))}</td>
            <td>{hit}</td>
            <td>{ev}</td>
        </tr>
    }
}

/// 2×2 table of the betting signal against the outcome, from the walk-forward counts.
pub fn confusion_counts(s: &ThresholdScore) -> [[u64; 2]; 2] {
    let n = s.n as u64;
    let positives = (s.base_rate * s.n as f64).round() as u64;
    let tp = s.signal.hits.min(positives);
    let fp = s.signal.fired.saturating_sub(s.signal.hits);
    let fn_ = positives.saturating_sub(tp);
    let tn = n.saturating_sub(tp + fp + fn_);
    [[tp, fp], [fn_, tn]]
}

fn confusion(name: &str, s: &ThresholdScore) -> impl IntoView {
    let [[tp, fp], [fn_, tn]] = confusion_counts(s);
    view! {
        <table class="confusion">
            <caption>{short(name)}</caption>
            <thead><tr><th></th><th>{format!("≥ {}x", s.threshold)}</th><th>{format!("< {}x", s.threshold)}</th></tr></thead>
            <tbody>
                <tr><th>"bet"</th><td class="good">{tp}</td><td class="bad">{fp}</td></tr>
                <tr><th>"no bet"</th><td>{fn_}</td><td>{tn}</td></tr>
            </tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use models::backtest::{evaluate_with_progress, BacktestConfig, ModelKind};

    /// The confusion matrices on the page add up to the walk-forward counts beside them:
    /// every forecast once, the bets as many as the signal fired, the hits as counted.
    #[test]
    fn confusion_matrices_add_up_to_the_walk_forward_counts() {
        let rounds = models::planted::PlantedGenerator::after_two_lows(7).generate(3_000);
        let summary = evaluate_with_progress(
            &rounds,
            ModelKind::Logistic,
            &BacktestConfig::default(),
            |_, _| {},
        )
        .unwrap();
        let mut fired = 0;
        for s in &summary.thresholds {
            let [[tp, fp], [fn_, tn]] = confusion_counts(s);
            assert_eq!(tp + fp + fn_ + tn, s.n as u64, "{}", s.threshold);
            assert_eq!(tp + fp, s.signal.fired, "{}", s.threshold);
            assert_eq!(tp, s.signal.hits, "{}", s.threshold);
            let reached = (s.base_rate * s.n as f64).round() as u64;
            assert_eq!(tp + fn_, reached, "{}", s.threshold);
            fired += s.signal.fired;
        }
        assert!(fired > 0, "the planted edge makes the rule bet");
        assert_eq!(short("logistic (C = 1)"), "logistic");
    }
}
