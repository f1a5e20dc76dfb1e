//! Pages of the app and small formatting helpers they share.

pub mod account;
pub mod analysis;
pub mod backtest;
pub mod dashboard;
pub mod limits;
pub mod models;
pub mod patterns;
pub mod rounds;
pub mod strategies;

use ::models::values::Multiplier;
use leptos::prelude::*;

/// A line of feedback under a form or field: what was done, or why it was not.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    Done(String),
    Refused(String),
}

impl Notice {
    pub fn text(&self) -> &str {
        match self {
            Notice::Done(t) | Notice::Refused(t) => t,
        }
    }

    pub fn is_refusal(&self) -> bool {
        matches!(self, Notice::Refused(_))
    }

    /// The message's CSS classes.
    pub fn class(&self) -> &'static str {
        if self.is_refusal() {
            "message error"
        } else {
            "message ok"
        }
    }
}

/// 0.6467 → "64.7%".
pub fn fmt_pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A registry stamp `20261201T200729Z` as `2026-12-01 20:07 UTC`; anything else as it is.
pub fn fmt_stamp(stamp: &str) -> String {
    let b = stamp.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() == 16 && b[8] == b'T' && b[15] == b'Z' && digits(0..8) && digits(9..15) {
        format!(
            "{}-{}-{} {}:{} UTC",
            &stamp[0..4],
            &stamp[4..6],
            &stamp[6..8],
            &stamp[9..11],
            &stamp[11..13]
        )
    } else {
        stamp.to_string()
    }
}

pub use crate::format::{fmt_duration, fmt_int, fmt_unix};

/// A p-value: four decimals, or scientific below 1e-4.
pub fn format_p(p: f64) -> String {
    if p < 1e-4 {
        format!("{p:.1e}")
    } else {
        format!("{p:.4}")
    }
}

/// The one-sided DM p of a backtest row and its Holm-adjusted value (what "edge?" uses).
pub fn dm_text(s: &::models::backtest::ThresholdScore) -> String {
    format!("{:.3} (Holm {:.3})", s.dm.p_a_better, s.dm_p_adjusted)
}

/// The bets a backtest's signal placed: EV per bet with its 95% interval and the exact
/// p of "EV > 0", or why there is no number (no bets, or too few to mean anything).
pub fn bets_text(pnl: &::models::scores::BettingPnl) -> String {
    use ::models::backtest::MIN_BETS;
    match (pnl.ev_per_bet, pnl.ev_low, pnl.ev_high) {
        (Some(e), Some(l), Some(h)) if pnl.bets >= MIN_BETS => format!(
            "{:+.1}% [{:+.1}, {:+.1}] over {} bets, p(EV > 0) {:.3}",
            e * 100.0,
            l * 100.0,
            h * 100.0,
            pnl.bets,
            pnl.p_positive.unwrap_or(1.0)
        ),
        (Some(e), ..) => format!(
            "{} {} ({:+.0}%): too few to judge, {MIN_BETS} needed",
            pnl.bets,
            if pnl.bets == 1 { "bet" } else { "bets" },
            e * 100.0
        ),
        _ => "no bets".to_string(),
    }
}

/// A table that scrolls sideways on narrow screens, as a named region the keyboard can
/// reach (axe-core: scrollable-region-focusable).
/// Where a report came from, so anyone can recompute it (`jetx verify-report`): the
/// values' SHA-256, the method and its version, the settings.
#[component]
pub fn ProvenanceLine(p: ::models::provenance::Provenance) -> impl IntoView {
    let settings = p.settings.to_string();
    view! {
        <div class="muted provenance" data-sha256=p.values_sha256.clone()>
            {format!(
                "Reproducible: {} rounds, SHA-256 {}…, method {} v{}. ",
                p.rounds,
                p.values_sha256.get(..16).unwrap_or_default(),
                p.method,
                p.method_version
            )}
            <details><summary>"settings"</summary><code>{settings}</code></details>
        </div>
    }
}

#[component]
pub fn ScrollTable(label: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=format!("{label} (scrolls sideways)")>
            {children()}
        </div>
    }
}

/// The link to the shareable report of the stored rounds (`GET /api/v1/report.html`).
#[component]
pub fn ReportLink() -> impl IntoView {
    view! {
        <p class="report-link">
            <a class="button" id="report-download" href="/api/v1/report.html" download="">"Download report (HTML)"</a>
            <span class="muted">" The fairness report and the pattern scan in one file that opens anywhere, no script needed, with the values' SHA-256 and every setting."</span>
        </p>
    }
}

/// "1 round", "2 rounds", "0 rounds".
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// 1.5 → "1.50x".
pub fn fmt_x(x: f64) -> String {
    format!("{x:.2}x")
}

/// CSS class of a value's category (< 1.5, 1.5–3, 3–10, ≥ 10).
pub fn value_class(v: Multiplier) -> &'static str {
    match v.0 {
        0..150 => "cat-low",
        150..300 => "cat-mid",
        300..1000 => "cat-high",
        _ => "cat-top",
    }
}

/// A checkbox for one of several choices (models, members), kept in step with `chosen`.
pub(crate) fn choice_checkbox(name: String, chosen: RwSignal<Vec<String>>) -> impl IntoView {
    let n2 = name.clone();
    let n3 = name.clone();
    view! {
        <label class="check">
            <input type="checkbox" value=name.clone() prop:checked=move || chosen.with(|c| c.contains(&n2))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    chosen.update(|c| { c.retain(|x| x != &n3); if on { c.push(n3.clone()); } });
                }/>
            {name}
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_categories() {
        assert_eq!(fmt_pct(0.64666), "64.7%");
        assert_eq!(fmt_x(1.94), "1.94x");
        assert_eq!(value_class(Multiplier(149)), "cat-low");
        assert_eq!(value_class(Multiplier(150)), "cat-mid");
        assert_eq!(value_class(Multiplier(300)), "cat-high");
        assert_eq!(value_class(Multiplier(1000)), "cat-top");
        assert_eq!(fmt_stamp("20261201T200729Z"), "2026-12-01 20:07 UTC");
        assert_eq!(fmt_stamp("2026-12-01"), "2026-12-01");
        assert_eq!(fmt_stamp("2026120xT200729Z"), "2026120xT200729Z");
        assert_eq!(fmt_stamp(""), "");
    }
}
