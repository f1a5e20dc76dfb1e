//! The bet ledger panel: the stake and cash-out of the player's bet (kept between rounds),
//! recorded on the last round with one key (B in the empty round field) or the button, and
//! the session clock and net position always in view, each next to what the fair law
//! expects for the same stakes.

use crate::api::{self, error_text};
use crate::views::{BetRequest, LedgerView};
use crate::DataVersion;
use leptos::prelude::*;
use models::ledger::Position;

/// The bet the player is placing, as typed: stake and cash-out target.
#[derive(Clone, Copy)]
pub(super) struct BetSlip {
    pub stake: RwSignal<String>,
    pub target: RwSignal<String>,
}

impl BetSlip {
    pub fn new() -> Self {
        Self {
            stake: RwSignal::new("1".into()),
            target: RwSignal::new("2".into()),
        }
    }

    /// The bet on the newest round, or what is wrong with the slip.
    pub fn request(&self) -> Result<BetRequest, String> {
        let number = |s: RwSignal<String>, what: &str| {
            let t = s.get_untracked();
            t.trim()
                .replace(',', ".")
                .trim_end_matches(['x', 'X'])
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| format!("bet {what}: \"{t}\" is not a number"))
        };
        Ok(BetRequest {
            round_id: None,
            stake: number(self.stake, "stake")?,
            target: Some(number(self.target, "cash-out")?),
            cashed_out: None,
            lost: false,
        })
    }
}

/// Seconds since the Unix epoch on this machine's clock.
fn now_s() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        (js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    }
}

/// The player's clock, minutes east of UTC.
fn offset_minutes() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        -(js_sys::Date::new_0().get_timezone_offset() as i64)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0
    }
}

fn signed(x: f64) -> String {
    if x.abs() < 0.005 {
        "0.00".into()
    } else {
        format!("{x:+.2}")
    }
}

fn clock(seconds: i64) -> String {
    let s = seconds.max(0);
    format!("{}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
}

fn expected_text(p: &Position) -> String {
    format!(
        "{} (95% range {} to {})",
        signed(p.expected),
        signed(p.expected_low),
        signed(p.expected_high)
    )
}

#[component]
pub(super) fn BetLedger(
    slip: BetSlip,
    message: RwSignal<Option<Result<String, String>>>,
) -> impl IntoView {
    let version = expect_context::<DataVersion>();
    let ledger = Resource::new(
        move || version.0.get(),
        |_| api::get_ledger(offset_minutes()),
    );
    let now = RwSignal::new(now_s());
    #[cfg(feature = "hydrate")]
    {
        let _ =
            set_interval_with_handle(move || now.set(now_s()), std::time::Duration::from_secs(1));
    }
    let record = move |_| {
        let request = match slip.request() {
            Ok(r) => r,
            Err(e) => {
                message.set(Some(Err(e)));
                return;
            }
        };
        leptos::task::spawn_local(async move {
            message.set(Some(super::entry::bet_result(
                api::record_bet(request).await,
            )));
            version.bump();
        });
    };
    view! {
        <section class="panel" id="ledger">
            <h2>"My bets"</h2>
            <div class="form-row">
                <label for="bet-stake">"stake"</label>
                <input id="bet-stake" type="text" inputmode="decimal" prop:value=move || slip.stake.get()
                    on:input=move |ev| slip.stake.set(event_target_value(&ev))/>
                <label for="bet-target">"cash-out"</label>
                <input id="bet-target" type="text" inputmode="decimal" prop:value=move || slip.target.get()
                    on:input=move |ev| slip.target.set(event_target_value(&ev))/>
                <button id="bet-record" class="secondary" on:click=record>"Record bet on the last round"</button>
                <a href="/api/v1/bets/export.csv" download="jetx_bets.csv">"Export CSV"</a>
            </div>
            <p class="muted">"After entering a round, press B in the empty round field to record this bet on it. "
                "The result comes from the recorded round."</p>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || ledger.get().map(|r| match r {
                    Ok(l) => view! { <LedgerBody l now/> }.into_any(),
                    Err(e) => view! { <p class="error">"Could not load the ledger: " {error_text(&e)}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn LedgerBody(l: LedgerView, now: RwSignal<i64>) -> impl IntoView {
    let s = l.summary;
    let session_start = s.starts.session;
    let has_session = s.session.bets > 0;
    let session = s.session;
    let periods = [
        ("this session", s.session),
        ("today", s.day),
        ("this week", s.week),
        ("this month", s.month),
        ("all bets", s.all),
    ]
    .into_iter()
    .map(|(name, p)| {
        let dash = p.bets == 0;
        view! {
            <tr>
                <th scope="row">{name}</th>
                <td>{p.bets}</td>
                <td>{if dash { "–".to_string() } else { format!("{:.2}", p.turnover) }}</td>
                <td>{if dash { "–".to_string() } else { signed(p.net) }}</td>
                <td>{if dash { "–".to_string() } else { expected_text(&p) }}</td>
            </tr>
        }
    })
    .collect_view();
    let edge = l.house_edge;
    let inconsistent = l.inconsistent;
    view! {
        <p id="ledger-session" class="session-line" role="status">
            {move || if has_session {
                format!(
                    "Session {} · {} bets · net {} · the fair law expects {}",
                    clock(now.get() - session_start),
                    session.bets,
                    signed(session.net),
                    expected_text(&session)
                )
            } else {
                "No bets this session.".to_string()
            }}
        </p>
        <table class="rounds" id="ledger-periods">
            <thead><tr><th scope="col">""</th><th scope="col">"bets"</th><th scope="col">"staked"</th>
                <th scope="col">"net"</th><th scope="col">"fair law expects"</th></tr></thead>
            <tbody>{periods}</tbody>
        </table>
        <p class="muted">{format!(
            "Every bet loses {:.1}% of its stake on average under the fair law, whatever its cash-out: the expected net is −{:.1}% × staked; a result outside the 95% range is rare luck, a recording mistake, or a game that is not fair.",
            edge * 100.0, edge * 100.0
        )}</p>
        {(inconsistent > 0).then(|| view! {
            <p class="error">{format!("{inconsistent} bet(s) left out: their round was edited below the recorded cash-out.")}</p>
        })}
    }
}
