//! What the paths of one plan add up to: bankroll percentiles over rounds (the fan), the
//! final bankroll, ruin and target probabilities with intervals, turnover and the
//! closed-form expected loss next to the simulated one.

use super::config::{SimulationConfig, FAN_POINTS};
use super::engine::{End, PathSummary};
use super::plan::Strategy;
use crate::summary::{wilson_interval, Z_95};
use serde::{Deserialize, Serialize};

/// An estimate with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Interval {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// Percentiles of a per-path quantity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Quantiles {
    pub p5: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
    pub max: f64,
}

/// Bankroll percentiles after each of `rounds` rounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fan {
    pub rounds: Vec<usize>,
    pub p5: Vec<f64>,
    pub p25: Vec<f64>,
    pub p50: Vec<f64>,
    pub p75: Vec<f64>,
    pub p95: Vec<f64>,
    pub mean: Vec<f64>,
}

/// Counts of the final bankroll in equal bins between `edges[i]` and `edges[i + 1]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Histogram {
    pub edges: Vec<f64>,
    pub counts: Vec<u64>,
}

/// One plan over all paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StrategyReport {
    pub strategy: Strategy,
    pub label: String,
    pub paths: usize,
    pub rounds: usize,
    pub mean_final_bankroll: Interval,
    pub final_bankroll: Quantiles,
    /// Share of paths that ended above the starting bankroll.
    pub p_profit: Interval,
    pub p_ruin: Interval,
    /// Share of paths that reached the take-profit target (when one is set).
    pub p_target: Option<Interval>,
    pub p_stop_loss: Option<Interval>,
    pub mean_turnover: f64,
    pub mean_bets: f64,
    /// House edge × mean turnover: what the fair law says the plan loses on average.
    pub expected_loss_closed_form: f64,
    /// Starting bankroll minus the mean final bankroll, with its interval.
    pub simulated_loss: Interval,
    /// Simulated minus closed-form loss, path by path (loss − h × turnover), with its
    /// interval: zero up to noise under the fair law, whatever the plan.
    pub loss_minus_closed_form: Interval,
    pub max_drawdown: Quantiles,
    pub longest_losing_streak: Quantiles,
    pub largest_stake: Quantiles,
    pub fan: Fan,
    pub final_histogram: Histogram,
    /// Replay: the final bankroll the fair law expects for the bets actually placed, with
    /// its 95% range (mean − h × turnover ± 1.96 sd).
    pub fair_final_bankroll: Option<Interval>,
}

/// What a replay of a script gives, in the player's units (bits), beside the lab's report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AutobetRun {
    pub final_balance: f64,
    pub bets: usize,
    pub wagered: f64,
    /// Why the run stopped before the last round: `stop(reason)` or a refused bet
    /// (`BET_TOO_BIG`, `INVALID_BET`, `PAYOUT_TOO_LOW`, …); null when every round was played.
    pub stopped: Option<String>,
    /// The script's `log()` lines (the first 200).
    pub log: Vec<String>,
    /// How many lines it logged in all.
    pub log_total: usize,
    /// Games played.
    pub games: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SimulationMode {
    MonteCarlo,
    Replay,
}

/// A run: the chosen plan, flat betting on the same rounds, and what it means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SimulationResult {
    pub mode: SimulationMode,
    pub house_edge: f64,
    pub bankroll: f64,
    pub stake: f64,
    pub cashout: f64,
    pub seed: u64,
    #[serde(flatten)]
    pub report: StrategyReport,
    /// Flat betting (base stake, base cash-out) on the very same rounds.
    pub flat: StrategyReport,
    /// Plain-language reading, the probability of ruin first for loss-chasing plans.
    pub verdict: Vec<String>,
    /// A replay of an autobet script: its own balance, bets, wagers, stop and log, in bits
    /// (at the top level of the JSON).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub autobet: Option<AutobetRun>,
    /// A Monte Carlo run's law when it is not the fair law (the patterns it was tilted by).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub law: Option<super::law::RoundLaw>,
}

fn quantile_sorted(x: &[f64], q: f64) -> f64 {
    if x.is_empty() {
        return f64::NAN;
    }
    let pos = q * (x.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    x[lo] + (x[hi] - x[lo]) * (pos - lo as f64)
}

/// Percentiles of `x` (any order).
pub fn quantiles(x: &[f64]) -> Quantiles {
    let mut v = x.to_vec();
    v.sort_by(f64::total_cmp);
    Quantiles {
        p5: quantile_sorted(&v, 0.05),
        p25: quantile_sorted(&v, 0.25),
        p50: quantile_sorted(&v, 0.50),
        p75: quantile_sorted(&v, 0.75),
        p95: quantile_sorted(&v, 0.95),
        max: v.last().copied().unwrap_or(f64::NAN),
    }
}

fn share(k: usize, n: usize) -> Interval {
    let (low, high) = wilson_interval(k as u64, n as u64, Z_95);
    Interval {
        value: k as f64 / n.max(1) as f64,
        low,
        high,
    }
}

fn mean_interval(x: &[f64]) -> Interval {
    match crate::stats::mean_with_interval(x) {
        Some((value, low, high)) if x.len() >= 2 => Interval { value, low, high },
        Some((value, ..)) => Interval {
            value,
            low: value,
            high: value,
        },
        None => Interval {
            value: f64::NAN,
            low: f64::NAN,
            high: f64::NAN,
        },
    }
}

pub(super) fn histogram(x: &[f64], bins: usize) -> Histogram {
    let lo = x.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() || !hi.is_finite() {
        return Histogram {
            edges: vec![],
            counts: vec![],
        };
    }
    let width = if hi > lo {
        (hi - lo) / bins as f64
    } else {
        1.0
    };
    let n = if hi > lo { bins } else { 1 };
    let mut counts = vec![0u64; n];
    for &v in x {
        let i = (((v - lo) / width) as usize).min(n - 1);
        counts[i] += 1;
    }
    Histogram {
        edges: (0..=n).map(|i| lo + width * i as f64).collect(),
        counts,
    }
}

/// Fan-chart rounds: the start, then up to [`FAN_POINTS`] evenly spaced rounds to the end.
pub(super) fn checkpoints(rounds: usize) -> Vec<usize> {
    let step = rounds.div_ceil(FAN_POINTS).max(1);
    let mut c: Vec<usize> = (0..rounds).step_by(step).collect();
    c.push(rounds);
    c
}

pub(super) struct Paths {
    pub(super) summaries: Vec<PathSummary>,
    /// Row-major: path p's bankroll at checkpoint k is `traces[p * points + k]`.
    pub(super) traces: Vec<f64>,
    pub(super) points: usize,
}

/// The fan chart: the bankroll percentiles and mean over the paths at each checkpoint.
fn fan_chart(cps: &[usize], paths: &Paths) -> Fan {
    let n = paths.summaries.len();
    let mut fan = Fan {
        rounds: cps.to_vec(),
        p5: vec![],
        p25: vec![],
        p50: vec![],
        p75: vec![],
        p95: vec![],
        mean: vec![],
    };
    let mut column = vec![0.0; n];
    for k in 0..paths.points {
        for (p, c) in column.iter_mut().enumerate() {
            *c = paths.traces[p * paths.points + k];
        }
        let q = quantiles(&column);
        fan.p5.push(q.p5);
        fan.p25.push(q.p25);
        fan.p50.push(q.p50);
        fan.p75.push(q.p75);
        fan.p95.push(q.p95);
        fan.mean.push(column.iter().sum::<f64>() / n as f64);
    }
    fan
}

pub(super) fn summarize(
    strategy: &Strategy,
    config: &SimulationConfig,
    rounds: usize,
    cps: &[usize],
    paths: &Paths,
) -> StrategyReport {
    let n = paths.summaries.len();
    let start = config.limits.bankroll;
    let finals: Vec<f64> = paths.summaries.iter().map(|s| s.final_bankroll).collect();
    let count = |f: &dyn Fn(&PathSummary) -> bool| paths.summaries.iter().filter(|s| f(s)).count();
    let per =
        |f: &dyn Fn(&PathSummary) -> f64| -> Vec<f64> { paths.summaries.iter().map(f).collect() };
    let mean_turnover = per(&|s| s.turnover).iter().sum::<f64>() / n as f64;
    let mean_final = mean_interval(&finals);
    let fan = fan_chart(cps, paths);
    let fair_final_bankroll = (n == 1).then(|| {
        let s = &paths.summaries[0];
        let centre = start + s.fair_expected;
        let half = Z_95 * s.fair_variance.sqrt();
        Interval {
            value: centre,
            low: centre - half,
            high: centre + half,
        }
    });
    StrategyReport {
        strategy: strategy.clone(),
        label: strategy.label().to_string(),
        paths: n,
        rounds,
        mean_final_bankroll: mean_final,
        final_bankroll: quantiles(&finals),
        p_profit: share(count(&|s| s.final_bankroll > start), n),
        p_ruin: share(count(&|s| s.end == End::Ruin), n),
        p_target: config
            .limits
            .take_profit
            .map(|_| share(count(&|s| s.end == End::TakeProfit), n)),
        p_stop_loss: config
            .limits
            .stop_loss
            .map(|_| share(count(&|s| s.end == End::StopLoss), n)),
        mean_turnover,
        mean_bets: per(&|s| s.bets as f64).iter().sum::<f64>() / n as f64,
        expected_loss_closed_form: config.house_edge * mean_turnover,
        simulated_loss: Interval {
            value: start - mean_final.value,
            low: start - mean_final.high,
            high: start - mean_final.low,
        },
        loss_minus_closed_form: mean_interval(&per(&|s| {
            start - s.final_bankroll - config.house_edge * s.turnover
        })),
        max_drawdown: quantiles(&per(&|s| s.max_drawdown)),
        longest_losing_streak: quantiles(&per(&|s| s.longest_losing_streak as f64)),
        largest_stake: quantiles(&per(&|s| s.largest_stake)),
        fan,
        final_histogram: histogram(&finals, 40),
        fair_final_bankroll,
    }
}
