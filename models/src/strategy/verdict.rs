//! The lab's words: the side-by-side table of a plan against flat betting, and the
//! verdict that leads with what matters (ruin for the plans that chase losses) and always
//! says that no staking plan makes a negative-EV game positive.

use super::config::SimulationConfig;
use super::plan::Strategy;
use super::summary::{Interval, SimulationMode, SimulationResult, StrategyReport};
use serde::{Deserialize, Serialize};

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn interval_text(i: &Interval) -> String {
    if i.low == i.high {
        money(i.value)
    } else {
        format!("{} ({} to {})", money(i.value), money(i.low), money(i.high))
    }
}

fn share_text(i: &Interval) -> String {
    format!(
        "{:.1}% ({:.1}–{:.1}%)",
        i.value * 100.0,
        i.low * 100.0,
        i.high * 100.0
    )
}

/// One line of the side-by-side table: the plan's value and flat betting's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonRow {
    pub what: String,
    pub plan: String,
    pub flat: String,
}

/// How one line of the table reads a report.
type Cell = dyn Fn(&StrategyReport) -> String;

/// The table the CLI prints and the Strategies page shows, the probability of ruin first.
pub fn comparison_rows(r: &SimulationResult) -> Vec<ComparisonRow> {
    let mut rows = common_cells();
    if r.report.p_target.is_some() {
        rows.push((
            "reached the take-profit",
            Box::new(|s| s.p_target.as_ref().map_or("—".into(), share_text)),
        ));
    }
    if r.report.p_stop_loss.is_some() {
        rows.push((
            "hit the stop-loss",
            Box::new(|s| s.p_stop_loss.as_ref().map_or("—".into(), share_text)),
        ));
    }
    if r.mode == SimulationMode::Replay {
        rows.retain(|(what, _)| !what.starts_with("5% /"));
        rows.push((
            "fair law expects (95% range)",
            Box::new(|s| {
                s.fair_final_bankroll
                    .as_ref()
                    .map_or("—".into(), interval_text)
            }),
        ));
    }
    rows.into_iter()
        .map(|(what, f)| ComparisonRow {
            what: what.to_string(),
            plan: f(&r.report),
            flat: f(&r.flat),
        })
        .collect()
}

/// The lines every comparison has, whatever the limits and the mode, in table order.
fn common_cells() -> Vec<(&'static str, Box<Cell>)> {
    vec![
        ("probability of ruin", Box::new(|s| share_text(&s.p_ruin))),
        (
            "mean final bankroll",
            Box::new(|s| interval_text(&s.mean_final_bankroll)),
        ),
        (
            "median final bankroll",
            Box::new(|s| money(s.final_bankroll.p50)),
        ),
        (
            "5% / 95% final bankroll",
            Box::new(|s| {
                format!(
                    "{} / {}",
                    money(s.final_bankroll.p5),
                    money(s.final_bankroll.p95)
                )
            }),
        ),
        (
            "paths ending in profit",
            Box::new(|s| share_text(&s.p_profit)),
        ),
        ("mean turnover", Box::new(|s| money(s.mean_turnover))),
        (
            "expected loss (closed form)",
            Box::new(|s| money(s.expected_loss_closed_form)),
        ),
        (
            "simulated loss",
            Box::new(|s| interval_text(&s.simulated_loss)),
        ),
        (
            "max drawdown median / 95%",
            Box::new(|s| {
                format!(
                    "{} / {}",
                    money(s.max_drawdown.p50),
                    money(s.max_drawdown.p95)
                )
            }),
        ),
        (
            "longest losing streak median / max",
            Box::new(|s| {
                format!(
                    "{:.0} / {:.0}",
                    s.longest_losing_streak.p50, s.longest_losing_streak.max
                )
            }),
        ),
        (
            "largest stake median / max",
            Box::new(|s| {
                format!(
                    "{} / {}",
                    money(s.largest_stake.p50),
                    money(s.largest_stake.max)
                )
            }),
        ),
        ("mean bets", Box::new(|s| format!("{:.1}", s.mean_bets))),
    ]
}

fn money(x: f64) -> String {
    format!("{x:.2}")
}

/// `tilted`: a Monte Carlo run drew its rounds from confirmed patterns, not the fair law.
fn profit_line(r: &StrategyReport, flat: &StrategyReport) -> String {
    format!(
        "{} of paths end in profit ({} for flat betting); the median final bankroll is {} ({} for flat).",
        pct(r.p_profit.value),
        pct(flat.p_profit.value),
        money(r.final_bankroll.p50),
        money(flat.final_bankroll.p50)
    )
}

pub(super) fn verdict(
    (mode, tilted): (SimulationMode, bool),
    config: &SimulationConfig,
    r: &StrategyReport,
    flat: &StrategyReport,
) -> Vec<String> {
    let h = config.house_edge;
    let mut out = Vec::new();
    let ruin = format!(
        "Probability of ruin: {} (95% interval {}–{}); flat betting on the same rounds: {}.",
        pct(r.p_ruin.value),
        pct(r.p_ruin.low),
        pct(r.p_ruin.high),
        pct(flat.p_ruin.value)
    );
    if r.strategy.chases_losses() {
        out.push(ruin.clone());
    }
    out.push(format!(
        "No staking plan turns a negative-EV game positive: under the fair law every bet loses {} of its stake on average, whatever its size or cash-out, so a plan's expected loss is {} × its turnover.",
        pct(h),
        pct(h)
    ));
    match mode {
        SimulationMode::MonteCarlo => {
            // Under tilted rounds the closed form is still the fair law's: say which is which.
            let (closed, simulated, tail) = if tilted {
                (
                    "of which the fair law would take",
                    "under the confirmed patterns' law the simulated loss over",
                    " — a gain only as far as those edges are real",
                )
            } else {
                ("so the expected loss is", "simulated over", "")
            };
            out.push(format!(
                "{}: mean turnover {}, {closed} {} (closed form); {simulated} {} paths: {} (95% interval {} to {}){tail}.",
                r.label,
                money(r.mean_turnover),
                money(r.expected_loss_closed_form),
                r.paths,
                money(r.simulated_loss.value),
                money(r.simulated_loss.low),
                money(r.simulated_loss.high)
            ));
            out.push(profit_line(r, flat));
        }
        SimulationMode::Replay => {
            if let Some(f) = r.fair_final_bankroll {
                out.push(format!(
                    "{} on this history: {} bets, turnover {}, final bankroll {}. The fair law expects {} for these bets (95% range {} to {}).",
                    r.label,
                    r.mean_bets,
                    money(r.mean_turnover),
                    money(r.mean_final_bankroll.value),
                    money(f.value),
                    money(f.low),
                    money(f.high)
                ));
                if r.mean_final_bankroll.value > f.high {
                    out.push("The result is above the fair law's range: on this history the plan was lucky or found an edge; only a walk-forward PLAY signal is evidence of an edge, a staking plan is not.".to_string());
                }
            }
            if matches!(r.strategy, Strategy::OnlyOnPlay | Strategy::Kelly { .. })
                && r.mean_bets == 0.0
            {
                out.push("The app never said PLAY on this history (no confirmed edge applied), so the plan placed no bet and lost nothing.".to_string());
            }
        }
    }
    if !r.strategy.chases_losses() && r.p_ruin.value > 0.0 {
        out.push(ruin);
    }
    out
}
