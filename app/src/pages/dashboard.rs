//! The dashboard: keyboard entry, paste, recent rounds, statistics and charts.

use crate::api::{self, error_text};
use crate::charts::{categories_chart, histogram_chart, last_rounds_chart, survival_chart, EChart};
use crate::pages::{fmt_pct, fmt_x, value_class};
use crate::types::{ClientSettings, Dashboard, Mode, PredictionView, Recommendation, RoundRow};
use crate::views::LiveView;
use crate::DataVersion;
use leptos::prelude::*;
use leptos::task::spawn_local;
use models::summary::{Proportion, StreakSide};
use models::values::{describe_token_error, parse_multiplier, parse_paste};

/// Choices for how many recent rounds the chart shows.
const LAST_N_CHOICES: [usize; 6] = [50, 100, 200, 500, 1000, 10_000];
const DEMO_ROUNDS: usize = 2000;
const DEMO_SEED: u64 = 42;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let version = expect_context::<DataVersion>();
    let last_n = RwSignal::new(200usize);
    let dashboard = Resource::new(
        move || (version.0.get(), last_n.get()),
        |(_, n)| api::get_dashboard(n),
    );
    let data = Signal::derive(move || dashboard.get().and_then(Result::ok));
    let settings = Signal::derive(move || data.with(|d| d.as_ref().map(|d| d.settings)));

    let last_chart = Signal::derive(move || {
        data.with(|d| d.as_ref().map(|d| last_rounds_chart(&d.last_rounds)))
    });
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
        <section class="panel entry-panel">
            <RoundEntry settings/>
            <PasteRounds settings/>
        </section>
        <PredictionPanel/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || dashboard.get().map(|r| match r {
                Ok(d) => view! { <DemoBanner dashboard=d.clone()/> <Overview dashboard=d/> }.into_any(),
                Err(e) => view! { <p class="error">"Could not load the dashboard: " {error_text(&e)}</p> }.into_any(),
            })}
        </Transition>
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
            </div>
            <EChart id="chart-last" chart=last_chart height=340/>
        </section>
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

/// Type a multiplier, press Enter. Ctrl+Z in the empty field undoes the last round.
#[component]
fn RoundEntry(settings: Signal<Option<ClientSettings>>) -> impl IntoView {
    let version = expect_context::<DataVersion>();
    let input = NodeRef::<leptos::html::Input>::new();
    let message = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);

    let rules = move || settings.get().map(|s| s.rules).unwrap_or_default();

    let submit = move || {
        let Some(el) = input.get() else { return };
        let text = el.value();
        if text.trim().is_empty() || busy.get_untracked() {
            return;
        }
        // Same parser as the server: errors show at once, without a round trip.
        if let Err(e) = parse_multiplier(&text, &rules()) {
            message.set(Some(Err(e.to_string())));
            return;
        }
        busy.set(true);
        spawn_local(async move {
            match api::add_round(text).await {
                Ok(row) => {
                    if let Some(el) = input.get_untracked() {
                        el.set_value("");
                        let _ = el.focus();
                    }
                    message.set(Some(Ok(format!(
                        "Round #{} recorded: {}x",
                        row.position, row.value
                    ))));
                    version.bump();
                }
                Err(e) => message.set(Some(Err(error_text(&e)))),
            }
            busy.set(false);
        });
    };

    let undo = move || {
        spawn_local(async move {
            match api::undo_last().await {
                Ok(Some(row)) => {
                    message.set(Some(Ok(format!(
                        "Removed round #{} ({}x)",
                        row.position, row.value
                    ))));
                    version.bump();
                }
                Ok(None) => message.set(Some(Err("Nothing to undo: no rounds yet".into()))),
                Err(e) => message.set(Some(Err(error_text(&e)))),
            }
            if let Some(el) = input.get_untracked() {
                let _ = el.focus();
            }
        });
    };

    view! {
        <div class="entry">
            <label for="round-input">"Last round's multiplier"</label>
            <div class="entry-row">
                <input
                    id="round-input"
                    node_ref=input
                    type="text"
                    inputmode="decimal"
                    autocomplete="off"
                    autofocus
                    placeholder="1.57 ⏎"
                    aria-describedby="entry-message"
                    on:input=move |_| message.set(None)
                    on:keydown=move |ev| {
                        let empty = input.get_untracked().map(|el| el.value().is_empty()).unwrap_or(true);
                        if ev.key() == "Enter" {
                            ev.prevent_default();
                            submit();
                        } else if (ev.ctrl_key() || ev.meta_key()) && ev.key().eq_ignore_ascii_case("z") && empty {
                            ev.prevent_default();
                            undo();
                        }
                    }
                />
                <button id="add-round" on:click=move |_| submit() disabled=move || busy.get()>"Add"</button>
                <button id="undo-last" class="secondary" title="Undo the last round (Ctrl+Z in the empty field)" on:click=move |_| undo()>
                    "Undo last"
                </button>
            </div>
            <p id="entry-message" class=move || match message.get() {
                Some(Err(_)) => "message error",
                _ => "message ok",
            } role="status">
                {move || match message.get() {
                    Some(Ok(m)) | Some(Err(m)) => m,
                    None => "Accepts 1.57, 1,57, 1.57x or x1.57.".into(),
                }}
            </p>
        </div>
    }
}

/// Paste many values: a preview marks each bad token; nothing is stored before confirming.
#[component]
fn PasteRounds(settings: Signal<Option<ClientSettings>>) -> impl IntoView {
    let version = expect_context::<DataVersion>();
    let text = RwSignal::new(String::new());
    let status = RwSignal::new(None::<Result<String, String>>);
    let rules = move || settings.get().map(|s| s.rules).unwrap_or_default();
    let preview = Memo::new(move |_| {
        let t = text.get();
        if t.trim().is_empty() {
            None
        } else {
            Some(parse_paste(&t, &rules()).map_err(|e| e.to_string()))
        }
    });
    let counts = move || {
        preview.with(|p| match p {
            Some(Ok(p)) => (p.tokens.len() - p.error_count(), p.error_count()),
            _ => (0, 0),
        })
    };

    let store = move |skip_invalid: bool| {
        let body = text.get_untracked();
        spawn_local(async move {
            match api::add_pasted(body, skip_invalid).await {
                Ok(n) => {
                    text.set(String::new());
                    status.set(Some(Ok(format!("Stored {n} rounds, in order."))));
                    version.bump();
                }
                Err(e) => status.set(Some(Err(error_text(&e)))),
            }
        });
    };

    view! {
        <details class="paste" id="paste-panel">
            <summary>"Paste many rounds"</summary>
            <p class="muted">"Values may be separated by spaces, new lines, semicolons or Unicode line separators; "
            "a comma is a decimal comma. Oldest first."</p>
            <textarea
                id="paste-input"
                rows="4"
                placeholder="1.57 2.10 1.00&#10;3,45; 12.5x"
                prop:value=move || text.get()
                on:input=move |ev| { status.set(None); text.set(event_target_value(&ev)); }
            ></textarea>
            {move || preview.get().map(|p| match p {
                Err(e) => view! { <p class="message error" id="paste-error">{e}</p> }.into_any(),
                Ok(p) => {
                    let (valid, bad) = (p.tokens.len() - p.error_count(), p.error_count());
                    let problems: Vec<String> = p.errors().take(50).map(describe_token_error).collect();
                    let chips = p.tokens.iter().take(400).map(|t| {
                        let (class, title) = match &t.value {
                            Ok(_) => ("chip ok", String::new()),
                            Err(e) => ("chip bad", e.to_string()),
                        };
                        view! { <span class=class title=title>{t.token.text.clone()}</span> }
                    }).collect_view();
                    view! {
                        <div class="paste-preview" id="paste-preview">
                            <p>
                                <strong id="paste-valid-count">{valid}</strong>" valid"
                                {(bad > 0).then(|| view! { ", " <strong class="bad-count" id="paste-bad-count">{bad}</strong>" with problems" })}
                            </p>
                            <div class="chips">{chips}</div>
                            <ul class="problems" id="paste-problems">
                                {problems.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                            </ul>
                        </div>
                    }.into_any()
                }
            })}
            <div class="buttons">
                <button id="paste-confirm" disabled=move || { let (v, b) = counts(); v == 0 || b > 0 }
                    on:click=move |_| store(false)>
                    {move || format!("Store {} rounds", counts().0)}
                </button>
                {move || { let (v, b) = counts(); (b > 0 && v > 0).then(|| view! {
                    <button id="paste-skip" class="secondary" on:click=move |_| store(true)>
                        {format!("Skip {b} bad, store {v}")}
                    </button>
                })}}
                <button class="secondary" on:click=move |_| { text.set(String::new()); status.set(None); }>"Clear"</button>
            </div>
            {move || status.get().map(|s| match s {
                Ok(m) => view! { <p class="message ok" id="paste-status">{m}</p> }.into_any(),
                Err(m) => view! { <p class="message error" id="paste-status">{m}</p> }.into_any(),
            })}
        </details>
    }
}

#[component]
fn DemoBanner(dashboard: Dashboard) -> impl IntoView {
    let version = expect_context::<DataVersion>();
    let error = RwSignal::new(None::<String>);
    let load = move |_| {
        spawn_local(async move {
            match api::load_demo(DEMO_ROUNDS, DEMO_SEED).await {
                Ok(_) => version.bump(),
                Err(e) => error.set(Some(error_text(&e))),
            }
        });
    };
    let remove = move |_| {
        spawn_local(async move {
            match api::remove_demo().await {
                Ok(_) => version.bump(),
                Err(e) => error.set(Some(error_text(&e))),
            }
        });
    };
    let body = match (&dashboard.demo, dashboard.summary.count) {
        (Some(demo), _) => view! {
            <div class="banner synthetic" id="demo-banner">
                <strong>"Synthetic demo data. "</strong>
                {format!(
                    "{} rounds come from a seeded fair crash generator (seed {}, house edge {:.1}%), not from the game. Remove them before recording real rounds.",
                    demo.rounds, demo.seed, demo.house_edge * 100.0
                )}
                <button id="remove-demo" class="secondary" on:click=remove>"Remove demo data"</button>
            </div>
        }
        .into_any(),
        (None, 0) => view! {
            <div class="banner empty" id="empty-banner">
                "No rounds yet. Type the multiplier of the round you just saw, paste a history, import a file on the Rounds page, or "
                <button id="load-demo" on:click=load>{format!("load a synthetic demo history ({DEMO_ROUNDS} rounds)")}</button>
            </div>
        }
        .into_any(),
        _ => ().into_any(),
    };
    view! {
        {body}
        {move || error.get().map(|e| view! { <p class="message error">{e}</p> })}
    }
}

fn proportion_card(id: &'static str, label: &'static str, p: Proportion) -> impl IntoView {
    view! {
        <div class="card" id=id>
            <div class="label">{label}</div>
            <div class="value">{if p.n == 0 { "–".to_string() } else { fmt_pct(p.share) }}</div>
            <div class="sub">
                {if p.n == 0 { String::new() } else { format!("95% CI {}–{}", fmt_pct(p.low), fmt_pct(p.high)) }}
            </div>
            <div class="base">"fair game: " {fmt_pct(p.fair)}</div>
        </div>
    }
}

#[component]
fn Overview(dashboard: Dashboard) -> impl IntoView {
    let s = &dashboard.summary;
    let streak = s.streak.map(|st| {
        let side = match st.side {
            StreakSide::Below => "below",
            StreakSide::AtLeast => "at or above",
        };
        format!("{} {side} {}x", st.length, st.threshold)
    });
    let edge = dashboard.settings.house_edge;
    view! {
        <section class="cards" id="stats">
            <div class="card" id="stat-count">
                <div class="label">"Rounds"</div>
                <div class="value">{s.count}</div>
                <div class="sub">{dashboard.demo.as_ref().map(|_| "synthetic demo")}</div>
            </div>
            {proportion_card("stat-share-1-5", "Share ≥ 1.5x", s.at_least_1_5)}
            {proportion_card("stat-share-2", "Share ≥ 2x", s.at_least_2)}
            <div class="card" id="stat-median">
                <div class="label">"Median"</div>
                <div class="value">{s.median.map(fmt_x).unwrap_or_else(|| "–".into())}</div>
                // P(X ≥ m) = (1 − h)/m = 1/2 gives the fair median m = 2(1 − h).
                <div class="base">{format!("fair game: {}", fmt_x(2.0 * (1.0 - edge)))}</div>
            </div>
            <div class="card" id="stat-max">
                <div class="label">"Max"</div>
                <div class="value">{s.max.map(|m| format!("{m}x")).unwrap_or_else(|| "–".into())}</div>
            </div>
            <div class="card" id="stat-streak">
                <div class="label">"Current streak"</div>
                <div class="value small">{streak.unwrap_or_else(|| "–".into())}</div>
                <div class="base">"streaks do not change the next round in a fair game"</div>
            </div>
        </section>
        <section class="panel">
            <h2>"Recent rounds"</h2>
            <ol class="recent" id="recent-rounds">
                {dashboard.recent.iter().map(|r: &RoundRow| view! {
                    <li class=value_class(r.value)>
                        <span class="pos">"#"{r.position}</span>
                        <span class="val">{format!("{}x", r.value)}</span>
                    </li>
                }).collect_view()}
            </ol>
        </section>
    }
}

/// Cash-out targets offered (the thresholds models are trained on).
const CASHOUTS: [f64; 5] = [1.5, 2.0, 3.0, 5.0, 10.0];

/// The next round: P(X ≥ t) next to the base rates, EV at the cash-out, PLAY or WAIT.
#[component]
fn PredictionPanel() -> impl IntoView {
    let version = expect_context::<DataVersion>();
    let cashout = RwSignal::new(2.0f64);
    let mode = RwSignal::new(Mode::Normal);
    let prediction = Resource::new(
        move || (version.0.get(), cashout.get().to_bits(), mode.get()),
        |(_, c, m)| api::get_prediction(f64::from_bits(c), m),
    );
    // The scoreboard reloads once the new prediction is stored (not merely requested).
    let predicted = Signal::derive(move || {
        prediction
            .get()
            .and_then(Result::ok)
            .map(|p| (p.rounds, p.cashout.to_bits(), p.mode))
    });
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
                <label for="mode">"confidence"</label>
                <select id="mode" on:change=move |ev| {
                    if let Some(m) = Mode::parse(&event_target_value(&ev)) { mode.set(m); }
                }>
                    <option value="normal">"Normal (85%)"</option>
                    <option value="rolling">"Rolling (95%)"</option>
                </select>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Estimating…"</p> }>
                {move || prediction.get().map(|r| match r {
                    Ok(p) => view! { <PredictionBody p/> }.into_any(),
                    Err(e) => view! { <p class="error">"No estimate: " {error_text(&e)}</p> }.into_any(),
                })}
            </Transition>
        </section>
        <LivePanel predicted/>
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
    // One EV per source, so the numbers on screen never contradict each other.
    let ev_line = match &p.pattern {
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
    };
    let rows = p
        .thresholds
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
                    <td>{fmt_pct(t.empirical)}</td>
                    <td class="members">{members}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="prediction" id="prediction-body" data-rounds=p.rounds.to_string()>
            <div class=class id="recommendation">{word}</div>
            <div class="rec-text">
                <p id="rec-reason">{p.reason.clone()}</p>
                <p class="muted" id="prediction-source">{source}</p>
                {pattern.map(|e| view! { <p class="muted" id="prediction-pattern">{e}</p> })}
                {evidence.map(|e| view! { <p class="muted" id="prediction-evidence">{e}</p> })}
                <p id="prediction-ev">{ev_line}</p>
            </div>
        </div>
        <table class="rounds" id="prediction-table">
            <thead><tr><th></th><th>"P(X ≥ t)"</th><th>"fair (1−h)/t"</th><th>"history"</th><th>"members"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// How every stored prediction turned out once its round was entered.
#[component]
fn LivePanel(predicted: Signal<Option<(usize, u64, Mode)>>) -> impl IntoView {
    let version = expect_context::<DataVersion>();
    let live = Resource::new(
        move || (version.0.get(), predicted.get()),
        |_| api::get_live(),
    );
    view! {
        <section class="panel" id="live-panel">
            <h2>"How the predictions turned out"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || live.get().map(|r| match r {
                    Ok(l) => view! { <LiveBody l/> }.into_any(),
                    Err(e) => view! { <p class="error">{error_text(&e)}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn LiveBody(l: LiveView) -> impl IntoView {
    let b = &l.scoreboard;
    let summary = format!(
        "{} predictions stored; {} scored on the round that followed (one estimate per round and model), {} waiting for their round.",
        l.stored, b.predictions, l.pending
    );
    let plays: Vec<_> = b.plays.iter().filter(|p| p.signals > 0).cloned().collect();
    let play_text = if plays.is_empty() {
        format!(
            "PLAY was not shown for any scored round: all {} scored recommendations were WAIT.",
            b.signals
        )
    } else {
        String::new()
    };
    let play_rows = plays
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
        .collect_view();
    let brier_rows = b
        .thresholds
        .iter()
        .map(|t| {
            view! {
                <tr>
                    <td>{format!("≥ {}x", t.threshold)}</td>
                    <td>{t.n}</td>
                    <td>{fmt_pct(t.observed_rate)}</td>
                    <td>{format!("{:.4}", t.model_brier)}</td>
                    <td>{format!("{:.4}", t.baseline_brier)}</td>
                    <td>{format!("{:+.4}", t.bss)}</td>
                </tr>
            }
        })
        .collect_view();
    let series: Vec<(String, Vec<(usize, f64)>)> = b
        .thresholds
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
        .collect();
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
                <thead><tr><th></th><th>"scored"</th><th>"observed"</th><th>"Brier (model)"</th><th>"Brier (fair law)"</th><th>"skill"</th></tr></thead>
                <tbody>{brier_rows}</tbody>
            </table>
        })}
        {has_scores.then(|| view! { <EChart id="chart-live" chart height=300/> })}
        <p class="muted">"Below 0 the stored predictions did better than the fair law (1−h)/t on the rounds that followed; "
        "a model without an edge drifts above 0."</p>
    }
}
