//! The Limits page (responsible play): loss, stake and time limits per 24 hours, 7 days and
//! 30 days with what was used of each; lowering applies at once, raising or removing after
//! 24 hours. Reality checks at a chosen interval, a cool-off that cannot be cut short, and
//! where to find help.

use super::ScrollTable;
use crate::api;
use crate::errors::AppError;
use crate::pages::Notice;
use crate::views::{LimitRequest, LimitsView};
use leptos::prelude::*;
use models::limits::{LimitKind, LimitPeriod, LimitStatus, PlayGate, COOL_OFF_HOURS};

/// Reality-check intervals offered, in minutes.
const REALITY_CHOICES: [i64; 6] = [15, 30, 45, 60, 90, 120];

/// Help services for players (UK and international).
pub const HELP_LINKS: [(&str, &str); 4] = [
    (
        "GamCare — National Gambling Helpline 0808 8020 133 (UK, free, 24/7)",
        "https://www.gamcare.org.uk/",
    ),
    (
        "GambleAware — advice and support",
        "https://www.gambleaware.org/",
    ),
    (
        "GAMSTOP — exclude yourself from UK gambling sites",
        "https://www.gamstop.co.uk/",
    ),
    (
        "Gamblers Anonymous — meetings worldwide",
        "https://www.gamblersanonymous.org/",
    ),
];

/// A moment as the player's clock shows it. The server renders UTC; the browser swaps in
/// its local time once mounted (so hydration sees the server's text first).
#[component]
pub fn LocalTime(t: i64) -> impl IntoView {
    let text = RwSignal::new(format!(
        "{} UTC",
        models::bets::rfc3339(t).replace('T', " ")
    ));
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            let date =
                js_sys::Date::new(&leptos::wasm_bindgen::JsValue::from_f64(t as f64 * 1000.0));
            let options = js_sys::Object::new();
            for (k, v) in [
                ("weekday", "short"),
                ("day", "numeric"),
                ("month", "short"),
                ("hour", "2-digit"),
                ("minute", "2-digit"),
            ] {
                let _ = js_sys::Reflect::set(&options, &k.into(), &v.into());
            }
            text.set(String::from(date.to_locale_string("en-GB", &options)));
        }
    });
    view! { <time datetime=models::bets::rfc3339(t)>{move || text.get()}</time> }
}

fn kind_label(kind: LimitKind) -> &'static str {
    match kind {
        LimitKind::Loss => "Net loss",
        LimitKind::Stake => "Total staked",
        LimitKind::Time => "Time played",
    }
}

#[component]
pub fn LimitsPage() -> impl IntoView {
    let changed = RwSignal::new(0u32);
    let play = Resource::new(move || changed.get(), |_| api::get_limits());
    let message = RwSignal::new(None::<Notice>);
    // A request's answer: the new view on success (the page refetches), the error kept.
    let done = move |r: Result<LimitsView, AppError>, ok: String| {
        message.set(Some(match r {
            Ok(_) => Notice::Done(ok),
            Err(e) => Notice::Refused(e.message),
        }));
        changed.update(|n| *n += 1);
    };
    view! {
        <leptos_meta::Title text="Limits and breaks · JetX Predictor"/>
        <h1 class="page-title">"Limits and breaks"</h1>
        <p class="muted">"JetX behaves like a fair random game with a house edge: over time every bet loses about 3% of its stake, whatever the strategy. "
            "Limits here stop this app's PLAY recommendations once reached; they cannot stop bets in the game itself. "
            "Lowering a limit applies at once; raising or removing one applies 24 hours after you ask."</p>
        <p id="limits-message" class="message" role="status" aria-live="polite"
            class:error=move || matches!(message.get(), Some(Notice::Refused(_)))>
            {move || message.get().map(|n| n.text().to_string()).unwrap_or_default()}
        </p>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || play.get().map(|r| match r {
                Ok(p) => view! { <LimitsBody p done/> }.into_any(),
                Err(e) => view! { <p class="error">"Could not load the limits: " {e.message}</p> }.into_any(),
            })}
        </Transition>
        <HelpPanel/>
    }
}

#[component]
pub fn HelpPanel() -> impl IntoView {
    view! {
        <section class="panel" id="help-services">
            <h2>"If gambling is no longer fun"</h2>
            <p>"Talking to someone helps. These services are free and confidential:"</p>
            <ul>
                {HELP_LINKS.iter().map(|(name, url)| view! {
                    <li><a href=*url rel="noopener noreferrer" target="_blank">{*name}</a></li>
                }).collect_view()}
            </ul>
        </section>
    }
}

fn status_cell(s: &LimitStatus) -> impl IntoView {
    let kind = s.limit.kind;
    let pending = s.limit.pending.map(|p| {
        let what = match p.amount {
            Some(a) => format!("rises to {} from ", kind.format(a)),
            None => "removed from ".to_string(),
        };
        view! { <span class="muted">{what}<LocalTime t=p.effective_at/></span> }
    });
    view! {
        <td>
            {if s.reached {
                view! { <strong class="error">"reached"</strong> }.into_any()
            } else if s.limit.amount.is_some() {
                view! { <span>"within"</span> }.into_any()
            } else {
                view! { <span class="muted">"no limit yet"</span> }.into_any()
            }}
            " "
            {pending}
        </td>
    }
}

/// Asks the server to set a limit (or, with no amount, to remove it) and reports the answer.
fn send_limit(
    amount: Option<f64>,
    kind: LimitKind,
    period: LimitPeriod,
    done: impl Fn(Result<LimitsView, AppError>, String) + 'static,
) {
    let request = LimitRequest {
        kind,
        period,
        amount,
    };
    leptos::task::spawn_local(async move {
        let r = api::set_limit(request.clone()).await;
        let text = match &r {
            Ok(v) => v
                .limits
                .iter()
                .find(|s| s.limit.kind == kind && s.limit.period == period)
                .map_or("Limit removed.".to_string(), |s| match s.limit.pending {
                    Some(_) => format!(
                        "Saved. A looser {} per {} applies 24 hours from now; until then the current one holds.",
                        kind.label(),
                        period.label()
                    ),
                    None => format!("Saved: {}.", s.describe()),
                }),
            Err(_) => String::new(),
        };
        done(r, text);
    });
}

#[component]
fn LimitsBody(
    p: LimitsView,
    done: impl Fn(Result<LimitsView, AppError>, String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let LimitsView {
        limits,
        gate,
        reality_check_s,
        reality_check_min_s,
        ..
    } = p;
    view! {
        <GateSection gate/>
        <section class="panel">
            <h2>"Your limits"</h2>
            <LimitForm done/>
            <LimitsTable limits done/>
            <p class="muted">"Net loss counts your recorded bets (losses minus wins) over the last 24 hours, 7 days or 30 days; time played counts the sessions in which you recorded rounds or bets."</p>
        </section>
        <RealityChecks reality=reality_check_s min_s=reality_check_min_s done/>
        <TakeABreak done/>
    }
}

/// Whether PLAY may be shown, and if not, why (and until when a cool-off lasts).
#[component]
fn GateSection(gate: PlayGate) -> impl IntoView {
    view! {
        <section class="panel" id="play-gate" class:closed=!gate.open>
            {if gate.open {
                view! { <p>"No limit is reached: PLAY is shown when validated evidence says a bet has positive expected value."</p> }.into_any()
            } else {
                view! {
                    <p><strong>"PLAY is withheld."</strong></p>
                    <ul>{gate.reasons.iter().map(|r| view! { <li>{r.clone()}</li> }).collect_view()}</ul>
                    {gate.cool_off_until.map(|t| view! { <p>"Cool-off until " <LocalTime t/> "."</p> })}
                }.into_any()
            }}
        </section>
    }
}

/// The form that sets one limit: its kind, its period and the amount.
#[component]
fn LimitForm(
    done: impl Fn(Result<LimitsView, AppError>, String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let kind = RwSignal::new(LimitKind::Loss);
    let period = RwSignal::new(LimitPeriod::Day);
    let amount = RwSignal::new(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = amount.get_untracked();
        match text.trim().replace(',', ".").parse::<f64>() {
            Ok(a) => send_limit(Some(a), kind.get_untracked(), period.get_untracked(), done),
            Err(_) => done(
                Err(AppError::new(
                    400,
                    "bad_setting",
                    format!(
                        "\"{text}\" is not an amount: type a number (minutes for a time limit)"
                    ),
                )),
                String::new(),
            ),
        }
    };
    view! {
        <form class="form-row" on:submit=submit>
            <label for="limit-kind">"limit"</label>
            <select id="limit-kind" on:change=move |ev| {
                if let Some(k) = LimitKind::parse(&event_target_value(&ev)) { kind.set(k); }
            }>
                {LimitKind::ALL.iter().map(|k| view! { <option value=k.as_str()>{kind_label(*k)}</option> }).collect_view()}
            </select>
            <label for="limit-period">"per"</label>
            <select id="limit-period" on:change=move |ev| {
                if let Some(p) = LimitPeriod::parse(&event_target_value(&ev)) { period.set(p); }
            }>
                {LimitPeriod::ALL.iter().map(|p| view! { <option value=p.as_str()>{p.label()}</option> }).collect_view()}
            </select>
            <label for="limit-amount">{move || if kind.get() == LimitKind::Time { "minutes" } else { "amount" }}</label>
            <input id="limit-amount" type="text" inputmode="decimal" prop:value=move || amount.get()
                on:input=move |ev| amount.set(event_target_value(&ev))/>
            <button id="limit-set" type="submit">"Set limit"</button>
        </form>
    }
}

/// Every limit with what was used of it and a Remove button, or a line saying there are none.
#[component]
fn LimitsTable(
    limits: Vec<LimitStatus>,
    done: impl Fn(Result<LimitsView, AppError>, String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let rows = limits
        .iter()
        .map(|s| {
            let (k, per) = (s.limit.kind, s.limit.period);
            view! {
                <tr class:reached=s.reached data-kind=k.as_str() data-period=per.as_str()>
                    <th scope="row">{kind_label(k)}</th>
                    <td>{per.label()}</td>
                    <td>{s.limit.amount.map_or("–".to_string(), |a| k.format(a))}</td>
                    <td>{k.format(s.used)}</td>
                    {status_cell(s)}
                    <td><button class="secondary" type="button" on:click=move |_| send_limit(None, k, per, done)
                        aria-label=format!("Remove the {} per {}", k.label(), per.label())>"Remove"</button></td>
                </tr>
            }
        })
        .collect_view();
    if limits.is_empty() {
        view! { <p class="muted" id="limits-empty">"No limits set."</p> }.into_any()
    } else {
        view! {
            <ScrollTable label="Your limits">
            <table class="rounds" id="limits-table">
                <thead><tr><th scope="col">"limit"</th><th scope="col">"per"</th><th scope="col">"amount"</th>
                    <th scope="col">"used"</th><th scope="col">"status"</th><th scope="col">""</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            </ScrollTable>
        }.into_any()
    }
}

/// The reality-check interval: off, the player's own, or one of [`REALITY_CHOICES`].
#[component]
fn RealityChecks(
    reality: Option<i64>,
    min_s: i64,
    done: impl Fn(Result<LimitsView, AppError>, String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let interval = RwSignal::new(reality.map_or("off".to_string(), |s| s.to_string()));
    let save_interval = move |_| {
        let choice = interval.get_untracked();
        let value = choice.parse::<i64>().ok();
        leptos::task::spawn_local(async move {
            let text = match value {
                Some(s) => format!("Reality checks every {} minutes of a session.", s / 60),
                None => "Reality checks off.".to_string(),
            };
            done(api::set_reality_check(value).await, text);
        });
    };
    view! {
        <section class="panel">
            <h2>"Reality checks"</h2>
            <div class="form-row">
                <label for="reality-interval">"remind me every"</label>
                <select id="reality-interval" on:change=move |ev| interval.set(event_target_value(&ev))>
                    <option value="off" selected=reality.is_none()>"off"</option>
                    {reality.filter(|s| !REALITY_CHOICES.contains(&(s / 60)) || s % 60 != 0).map(|s| view! {
                        <option value=s.to_string() selected=true>{format!("{s} seconds")}</option>
                    })}
                    {REALITY_CHOICES.iter().filter(|m| **m * 60 >= min_s).map(|&m| view! {
                        <option value=(m * 60).to_string() selected=reality == Some(m * 60)>{format!("{m} minutes")}</option>
                    }).collect_view()}
                </select>
                <button id="reality-save" class="secondary" type="button" on:click=save_interval>"Save"</button>
            </div>
            <p class="muted">"While you record, the dashboard stops at each interval to show the time played, your net result and what the house edge is expected to have cost so far, and asks whether to go on."</p>
        </section>
    }
}

/// The cool-off buttons, each confirmed before it starts.
#[component]
fn TakeABreak(
    done: impl Fn(Result<LimitsView, AppError>, String) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let confirm_hours = RwSignal::new(None::<i64>);
    let cool_off = move |hours: i64| {
        leptos::task::spawn_local(async move {
            confirm_hours.set(None);
            done(
                api::start_cool_off(hours).await,
                format!(
                    "Cool-off started: no PLAY recommendations for {}.",
                    hours_label(hours)
                ),
            );
        });
    };
    view! {
        <section class="panel">
            <h2>"Take a break"</h2>
            <p>"A cool-off stops PLAY recommendations until it ends. It cannot be shortened once started."</p>
            <div class="form-row">
                {COOL_OFF_HOURS.iter().map(|&h| view! {
                    <button class="secondary" type="button" id=format!("cool-off-{h}")
                        on:click=move |_| confirm_hours.set(Some(h))>{format!("Cool-off for {}", hours_label(h))}</button>
                }).collect_view()}
            </div>
            {move || confirm_hours.get().map(|h| view! {
                <div class="confirm" role="alertdialog" aria-labelledby="cool-off-question">
                    <p id="cool-off-question">{format!("No PLAY recommendations for {}, with no way to end it early. Start the cool-off?", hours_label(h))}</p>
                    <button id="cool-off-confirm" type="button" on:click=move |_| cool_off(h)>"Start the cool-off"</button>
                    <button class="secondary" type="button" on:click=move |_| confirm_hours.set(None)>"Cancel"</button>
                </div>
            })}
        </section>
    }
}

fn hours_label(hours: i64) -> String {
    match hours {
        24 => "24 hours".into(),
        h if h % 24 == 0 => format!("{} days", h / 24),
        h => format!("{h} hours"),
    }
}
