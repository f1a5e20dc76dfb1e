//! The bet ledger panel: the stake and cash-out of the player's bet (kept between rounds),
//! recorded on the last round with one key (B in the empty round field) or the button, and
//! the session clock and net position always in view, each next to what the fair law
//! expects for the same stakes.

use crate::api;
use crate::pages::Notice;
use crate::views::{BetRequest, BetsView, LimitsView, RealityAnswer};
use crate::DataVersion;
use leptos::prelude::*;
use models::bets::Position;

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

/// The player's clock, minutes east of UTC.
pub(crate) fn offset_minutes() -> i64 {
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
pub(super) fn BetsPanel(slip: BetSlip, message: RwSignal<Option<Notice>>) -> impl IntoView {
    let version = expect_context::<DataVersion>();
    let ledger = Resource::new(
        move || version.0.get(),
        |_| api::list_bets(offset_minutes()),
    );
    let now = RwSignal::new(crate::unix_now());
    #[cfg(feature = "hydrate")]
    if let Ok(ticking) = set_interval_with_handle(
        move || now.set(crate::unix_now()),
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || ticking.clear());
    }
    let record = move |_| {
        let request = match slip.request() {
            Ok(r) => r,
            Err(e) => {
                message.set(Some(Notice::Refused(e)));
                return;
            }
        };
        leptos::task::spawn_local(async move {
            message.set(Some(bet_result(api::record_bet(request).await)));
            version.bump();
        });
    };
    view! {
        <section class="panel" id="bets">
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
                    Ok(l) => view! { <BetsBody l now/> }.into_any(),
                    Err(e) => view! { <p class="error">"Could not load the ledger: " {e.message}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn BetsBody(l: BetsView, now: RwSignal<i64>) -> impl IntoView {
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
    let play = l.limits;
    view! {
        <PlayLine play=play.clone()/>
        <RealityCheck play now/>
        <p id="bets-session" class="session-line" role="status">
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
        <table class="rounds" id="bets-periods">
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

/// The limits in one line under the session clock, or, when one is reached or a cool-off
/// is on, that PLAY is withheld and why.
#[component]
fn PlayLine(play: LimitsView) -> impl IntoView {
    let gate = play.gate;
    if !gate.open {
        return view! {
            <p id="play-limits" class="error" role="status">
                {gate.reason().unwrap_or_default()} " " <a href="/limits">"Limits and breaks"</a>
            </p>
        }
        .into_any();
    }
    let text = if play.limits.is_empty() {
        "No limits set.".to_string()
    } else {
        play.limits
            .iter()
            .map(|s| s.describe())
            .collect::<Vec<_>>()
            .join(" · ")
    };
    view! {
        <p id="play-limits" class="muted">{text} " " <a href="/limits">"Limits and breaks"</a></p>
    }
    .into_any()
}

/// The reality check: at each interval of an open session the dashboard stops to show the
/// time played, the net result and the house edge's expected cost, until the player
/// answers. Its buttons wait a second, so an Enter typed for a round does not answer it.
#[component]
fn RealityCheck(play: LimitsView, now: RwSignal<i64>) -> impl IntoView {
    let version = expect_context::<DataVersion>();
    let answered = RwSignal::new(false);
    let ready = RwSignal::new(false);
    let session = play.session;
    let start = play.session_start;
    let due = {
        let play = play.clone();
        Memo::new(move |_| !answered.get() && play.reality_check_due(now.get()))
    };
    Effect::new(move |_| {
        if due.get() {
            set_timeout(move || ready.set(true), std::time::Duration::from_secs(1));
        }
    });
    let answer = move |stop_for_today: bool| {
        answered.set(true);
        leptos::task::spawn_local(async move {
            let answer = RealityAnswer {
                stop_for_today,
                offset_minutes: offset_minutes(),
            };
            if let Err(e) = api::answer_reality_check(answer).await {
                leptos::logging::warn!("reality check answer not stored: {}", e.message);
            }
            version.bump();
        });
    };
    view! {
        <Show when=move || due.get()>
            <div class="modal-backdrop">
                <div class="modal" id="reality-check" role="alertdialog" aria-modal="true"
                    aria-labelledby="reality-title" aria-describedby="reality-text">
                    <h2 id="reality-title">"Reality check"</h2>
                    <p id="reality-text">{move || format!(
                        "You have played for {}. Net result this session: {} on {:.2} staked. \
                         The house edge is expected to have cost {:.2} so far ({} in a fair game's 95% range).",
                        clock(now.get() - start.unwrap_or(now.get())),
                        signed(session.net),
                        session.turnover,
                        -session.expected,
                        if session.outside_fair_range() { "outside" } else { "inside" },
                    )}</p>
                    <div class="form-row">
                        <button id="reality-continue" type="button" prop:disabled=move || !ready.get()
                            on:click=move |_| answer(false)>"Continue"</button>
                        <button id="reality-stop" class="secondary" type="button" prop:disabled=move || !ready.get()
                            on:click=move |_| answer(true)>"Stop for today"</button>
                        <a href="/limits">"Set limits or take a break"</a>
                    </div>
                </div>
            </div>
        </Show>
    }
}

/// What the entry message says about a recorded bet.
pub(super) fn bet_result(r: Result<crate::views::BetRow, crate::errors::AppError>) -> Notice {
    match r {
        Ok(b) => Notice::Done(format!(
            "Bet {:.2} at {} on the {}x round: {} {:+.2}",
            b.settled.stake,
            match b.settled.exit {
                models::bets::Exit::Target(c) | models::bets::Exit::CashedOut(c) =>
                    format!("{c:.2}x"),
                models::bets::Exit::Lost => "no cash-out".into(),
            },
            b.settled.crash,
            if b.settled.won { "won" } else { "lost" },
            b.settled.profit
        )),
        Err(e) => Notice::Refused(format!("The bet was not recorded: {}", e.message)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slip_reads_what_players_type_and_names_what_it_cannot() {
        let _owner = Owner::new();
        _owner.set();
        let slip = BetSlip::new();
        for (stake, target, expected) in [
            ("1", "2", (1.0, 2.0)),
            (" 2,5 ", "1,5x", (2.5, 1.5)),
            ("0.10", "10X", (0.1, 10.0)),
        ] {
            slip.stake.set(stake.into());
            slip.target.set(target.into());
            let r = slip.request().unwrap();
            assert_eq!((r.stake, r.target), (expected.0, Some(expected.1)));
            assert_eq!((r.round_id, r.cashed_out, r.lost), (None, None, false));
        }
        slip.stake.set("ten".into());
        assert_eq!(
            slip.request().err().as_deref(),
            Some("bet stake: \"ten\" is not a number")
        );
        slip.stake.set("1".into());
        slip.target.set("inf".into());
        assert_eq!(
            slip.request().err().as_deref(),
            Some("bet cash-out: \"inf\" is not a number")
        );
    }

    #[test]
    fn money_and_clock_lines() {
        assert_eq!(signed(0.004), "0.00");
        assert_eq!(signed(-0.004), "0.00");
        assert_eq!(signed(1.5), "+1.50");
        assert_eq!(signed(-0.06), "-0.06");
        assert_eq!(clock(-5), "0:00:00");
        assert_eq!(clock(3 * 3600 + 7 * 60 + 9), "3:07:09");
        let p = Position {
            bets: 2,
            wins: 1,
            turnover: 10.0,
            net: 1.0,
            expected: -0.3,
            expected_low: -14.1,
            expected_high: 13.5,
        };
        assert_eq!(expected_text(&p), "-0.30 (95% range -14.10 to +13.50)");
    }
}
