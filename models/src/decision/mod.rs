//! The recommendation rule, used by the server, the CLI and the browser alike.
//!
//! **PLAY when, and only when, a confirmed edge applies to the next round** at the chosen
//! cash-out: a rule of the pattern scan that is confirmed (Holm across the whole scan and
//! an anytime-valid e-value of "EV > 0", see [`crate::patterns::scan`]) applies now, its
//! situation (see [`crate::patterns::next`]) gives a positive lower bound of the EV per bet
//! at the mode's confidence over enough rounds, and the situation's out-of-sample record
//! (the later half of the history) still shows a positive EV. Everything else — a model's
//! probability above the fair one, a regime test, a streak — is WAIT.

mod tracker;

pub use crate::bet::{check_cashout, CashoutError, Mode, Recommendation, CASHOUT_RANGE};
use crate::patterns::NextEdge;
use serde::{Deserialize, Serialize};
pub use tracker::PatternTracker;

/// Fewest rounds of a situation before it can give PLAY, and of its later half.
pub const MIN_OCCURRENCES: u64 = 30;
pub const MIN_LATER_OCCURRENCES: u64 = 10;

/// The confirmed edge a PLAY rests on, as the panel shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EdgeView {
    pub condition: String,
    pub cashout: f64,
    /// The situation over the whole history.
    pub occurrences: u64,
    pub rate: f64,
    /// Out-of-sample (later part) record of the situation.
    pub later_occurrences: u64,
    pub later_rate: f64,
    pub later_rate_low: f64,
    pub later_ev: f64,
    /// Lower bound of the situation's EV per bet at the mode's confidence.
    pub ev_low: f64,
    pub ev: f64,
    pub fair: f64,
    pub e_value: f64,
    pub e_threshold: f64,
}

/// The decision and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub recommendation: Recommendation,
    pub reason: String,
    /// The confirmed rule that applies now (also when its bound is not above 0).
    pub edge: Option<EdgeView>,
}

fn pct(x: f64) -> String {
    format!("{:+.1}%", x * 100.0)
}

/// PLAY or WAIT at `cashout`, from the confirmed rules that apply to the next round
/// (`edges`, from [`crate::patterns::next::next_round_edges`]); `confirmed_here` is how
/// many rules are confirmed at this cash-out at all, `e_threshold` the e-value they needed.
pub fn decide(
    edges: &[NextEdge],
    confirmed_here: usize,
    e_threshold: f64,
    cashout: f64,
    house_edge: f64,
    mode: Mode,
) -> Decision {
    let z = mode.z();
    let conf = mode.confidence() * 100.0;
    let here = || edges.iter().filter(|e| (e.cashout - cashout).abs() < 1e-9);
    let best = here()
        .filter(|e| e.explained_by.is_none())
        .max_by(|a, b| a.ev_bound(z).total_cmp(&b.ev_bound(z)));
    let Some(e) = best else {
        return no_edge(edges, confirmed_here, cashout);
    };
    let view = edge_view(e, cashout, house_edge, z, e_threshold);
    let (recommendation, reason) = verdict(e, &view, cashout, conf);
    Decision {
        recommendation,
        reason,
        edge: Some(view),
    }
}

/// The WAIT when no confirmed rule with an edge of its own applies at `cashout`, saying
/// why: one applies only as explained by a stronger one, none applies, or none is confirmed.
fn no_edge(edges: &[NextEdge], confirmed_here: usize, cashout: f64) -> Decision {
    let explained = edges
        .iter()
        .filter(|e| (e.cashout - cashout).abs() < 1e-9)
        .find_map(|e| Some((&e.condition, e.explained_by.as_ref()?)));
    let reason = if let Some((rule, by)) = explained {
        format!(
            "Confirmed pattern \"{rule}\" applies, but it has no edge of its own at {cashout}x: its rounds beat the fair rate only where the stronger pattern \"{by}\" holds, and that one does not apply to the next round."
        )
    } else if confirmed_here == 0 {
        format!(
            "No pattern is confirmed at {cashout}x on this history, so the fair law answers: every bet there loses the house edge on average."
        )
    } else {
        format!(
            "{confirmed_here} confirmed pattern(s) at {cashout}x, but none applies to the next round (see the Patterns page)."
        )
    };
    Decision {
        recommendation: Recommendation::Wait,
        reason,
        edge: None,
    }
}

/// The panel's view of edge `e` at `cashout`, its bounds taken at normal quantile `z`.
fn edge_view(e: &NextEdge, cashout: f64, house_edge: f64, z: f64, e_threshold: f64) -> EdgeView {
    EdgeView {
        condition: e.condition.clone(),
        cashout,
        occurrences: e.situation_occurrences,
        rate: e.situation_rate(),
        later_occurrences: e.later_occurrences,
        later_rate: e.later_rate(),
        later_rate_low: e.rate_bound(z),
        later_ev: e.later_ev(),
        ev_low: e.ev_bound(z),
        ev: e.situation_rate() * cashout - 1.0,
        fair: crate::summary::fair_survival(cashout, house_edge),
        e_value: e.ln_e_value.min(690.0).exp(),
        e_threshold,
    }
}

/// PLAY or WAIT on the applying edge `e` (viewed as `view`), and why; `conf` is the mode's
/// confidence in percent.
fn verdict(e: &NextEdge, view: &EdgeView, cashout: f64, conf: f64) -> (Recommendation, String) {
    if e.situation_occurrences < MIN_OCCURRENCES || e.later_occurrences < MIN_LATER_OCCURRENCES {
        (
            Recommendation::Wait,
            format!(
                "Confirmed pattern \"{}\" applies, but its situation occurred only {} times ({} in the later half; at least {MIN_OCCURRENCES} and {MIN_LATER_OCCURRENCES} needed).",
                e.condition, e.situation_occurrences, e.later_occurrences
            ),
        )
    } else if view.ev_low <= 0.0 {
        (
            Recommendation::Wait,
            format!(
                "Confirmed pattern \"{}\" applies, but in this situation the rounds paid EV {} per bet with a {conf:.0}% lower bound of {} (not above 0) over {} rounds.",
                e.condition,
                pct(view.ev),
                pct(view.ev_low),
                e.situation_occurrences
            ),
        )
    } else if view.later_ev <= 0.0 {
        (
            Recommendation::Wait,
            format!(
                "Confirmed pattern \"{}\" applies, but out of sample (the later {} rounds of its situation) it paid EV {} per bet: the edge may be gone.",
                e.condition,
                e.later_occurrences,
                pct(view.later_ev)
            ),
        )
    } else {
        (
            Recommendation::Play,
            format!(
                "Confirmed pattern \"{}\" applies: in this situation {cashout}x was reached in {:.1}% of {} rounds (fair {:.1}%), EV {} per bet, {conf:.0}% lower bound {}; out of sample {:.1}% of {} rounds.",
                e.condition,
                view.rate * 100.0,
                e.situation_occurrences,
                view.fair * 100.0,
                pct(view.ev),
                pct(view.ev_low),
                view.later_rate * 100.0,
                e.later_occurrences
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(n: u64, hits: u64) -> NextEdge {
        NextEdge {
            id: 0,
            condition: "after 2 rounds in a row below 1.30x".into(),
            cashout: 2.0,
            occurrences: 2 * n,
            rate: hits as f64 / n as f64,
            ln_e_value: 20.0,
            p_adjusted: 1e-6,
            situation_occurrences: 2 * n,
            situation_hits: 2 * hits,
            later_occurrences: n,
            later_hits: hits,
            split_at: 3500,
            explained_by: None,
        }
    }

    #[test]
    fn play_needs_an_applying_edge_with_a_positive_bound() {
        let none = decide(&[], 0, 2e5, 2.0, 0.03, Mode::Normal);
        assert_eq!(none.recommendation, Recommendation::Wait);
        assert!(none.reason.contains("No pattern is confirmed"));
        let elsewhere = decide(&[], 2, 2e5, 2.0, 0.03, Mode::Normal);
        assert!(elsewhere.reason.contains("none applies"));
        // 150 of 200 at 2x: EV +0.5, lower bound far above 0.
        let strong = decide(&[edge(200, 150)], 1, 2e5, 2.0, 0.03, Mode::Rolling);
        assert_eq!(strong.recommendation, Recommendation::Play);
        assert!(strong.edge.as_ref().unwrap().ev_low > 0.3);
        // A different cash-out: the edge does not speak about 1.5x.
        assert_eq!(
            decide(&[edge(200, 150)], 0, 2e5, 1.5, 0.03, Mode::Normal).recommendation,
            Recommendation::Wait
        );
        // Fair situation (97 of 200 at 2x): WAIT with the numbers.
        let fair = decide(&[edge(200, 97)], 1, 2e5, 2.0, 0.03, Mode::Normal);
        assert_eq!(fair.recommendation, Recommendation::Wait);
        assert!(fair.reason.contains("not above 0"));
        // Too few rounds.
        assert_eq!(
            decide(&[edge(8, 8)], 1, 2e5, 2.0, 0.03, Mode::Normal).recommendation,
            Recommendation::Wait
        );
        // Strong over the whole history but gone in the later half: WAIT.
        let mut dead = edge(200, 150);
        dead.later_hits = 90;
        let d = decide(&[dead], 1, 2e5, 2.0, 0.03, Mode::Normal);
        assert_eq!(d.recommendation, Recommendation::Wait);
        assert!(d.reason.contains("may be gone"), "{}", d.reason);
        // A strong record explained by a stronger rule that does not apply now: WAIT.
        let mut riding = edge(200, 150);
        riding.explained_by = Some("after 3 rounds in a row below 1.30x".into());
        let d = decide(&[riding], 2, 2e5, 2.0, 0.03, Mode::Normal);
        assert_eq!(d.recommendation, Recommendation::Wait);
        assert!(d.reason.contains("no edge of its own"), "{}", d.reason);
    }

    #[test]
    fn cashouts_are_checked_in_one_place() {
        assert_eq!(check_cashout(2.0), Ok(2.0));
        assert_eq!(check_cashout(1.01), Ok(1.01));
        assert_eq!(check_cashout(1_000_000.0), Ok(1_000_000.0));
        for bad in [1.0, 0.5, -2.0, 1_000_000.5, f64::NAN, f64::INFINITY] {
            let e = check_cashout(bad).unwrap_err();
            assert!(e.to_string().contains("outside 1.01–1,000,000"), "{e}");
        }
    }

    #[test]
    fn rolling_is_stricter_than_normal() {
        // 120 of 200 at 2x: the 95% bound is below the 85% one.
        let n = decide(&[edge(100, 60)], 1, 2e5, 2.0, 0.03, Mode::Normal);
        let r = decide(&[edge(100, 60)], 1, 2e5, 2.0, 0.03, Mode::Rolling);
        let (ln, lr) = (n.edge.unwrap().ev_low, r.edge.unwrap().ev_low);
        assert!(ln > lr, "{ln} {lr}");
    }
}
