//! Runs a plan many times under the fair law (Monte Carlo) or once over a history
//! (replay), and sums the paths up: bankroll percentiles over rounds, the final bankroll,
//! ruin and target probabilities, turnover and the closed-form expected loss next to the
//! simulated one — every plan side by side with flat betting on the same rounds.

use super::engine::{run_path, End, Limits, PathSummary, Signal};
use super::staking::{Base, Staker, Strategy, StrategyError};
use crate::bet::Mode;
use crate::generator::{crash_point, uniform_open_closed};
use crate::summary::{wilson_interval, Z_95};
use crate::values::Multiplier;
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;
use serde::{Deserialize, Serialize};

/// Largest Monte Carlo run the lab accepts (paths × rounds).
pub const MAX_PATH_ROUNDS: u64 = 200_000_000;
/// Largest Monte Carlo run of a user script (paths × rounds): a script is interpreted, about
/// a hundred times slower than a built-in plan.
pub const MAX_SCRIPT_PATH_ROUNDS: u64 = 2_000_000;
/// Fan-chart points per path (plus the start).
pub const FAN_POINTS: usize = 100;

/// Everything a run needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulationConfig {
    pub strategy: Strategy,
    /// The base stake (one unit of every plan).
    pub stake: f64,
    pub cashout: f64,
    pub limits: Limits,
    pub house_edge: f64,
    /// Monte Carlo only: how many paths, how many rounds each, and the seed.
    pub paths: usize,
    pub rounds: usize,
    pub seed: u64,
}

impl Default for SimulationConfig {
    fn default() -> Self {
        Self {
            strategy: Strategy::Flat,
            stake: 1.0,
            cashout: 2.0,
            limits: Limits::default(),
            house_edge: crate::generator::DEFAULT_HOUSE_EDGE,
            paths: 10_000,
            rounds: 1_000,
            seed: 42,
        }
    }
}

fn setting(msg: impl Into<String>) -> StrategyError {
    StrategyError::BadSetting(msg.into())
}

fn positive(name: &str, x: f64) -> Result<(), StrategyError> {
    if x > 0.0 && x <= 1e12 {
        Ok(())
    } else {
        Err(setting(format!("{name} must be above 0 (got {x})")))
    }
}

impl SimulationConfig {
    /// The one check of every setting a user gives (CLI, REST, page).
    pub fn validate(&self) -> Result<(), StrategyError> {
        self.strategy.validate()?;
        let l = &self.limits;
        positive("bankroll", l.bankroll)?;
        positive("stake", self.stake)?;
        positive("minimum bet", l.min_bet)?;
        if self.stake < l.min_bet {
            return Err(setting(format!(
                "stake {} is below the minimum bet {}",
                self.stake, l.min_bet
            )));
        }
        if l.bankroll < self.stake {
            return Err(setting(format!(
                "bankroll {} cannot cover one stake of {}",
                l.bankroll, self.stake
            )));
        }
        for (name, v) in [
            ("max stake", l.max_stake),
            ("stop-loss", l.stop_loss),
            ("take-profit", l.take_profit),
        ] {
            if let Some(v) = v {
                positive(name, v)?;
            }
        }
        if l.max_bets == Some(0) {
            return Err(setting("max bets must be at least 1"));
        }
        crate::bet::check_cashout(self.cashout).map_err(|e| setting(e.to_string()))?;
        if !(0.0..0.5).contains(&self.house_edge) {
            return Err(setting("house edge must be in [0, 0.5)"));
        }
        if self.paths == 0 || self.rounds == 0 {
            return Err(setting("paths and rounds must be at least 1"));
        }
        if self.paths as u64 * self.rounds as u64 > MAX_PATH_ROUNDS {
            return Err(setting(format!(
                "{} paths × {} rounds is more than the {MAX_PATH_ROUNDS} path-rounds one run may take",
                self.paths, self.rounds
            )));
        }
        if matches!(self.strategy, Strategy::Script { .. })
            && self.paths as u64 * self.rounds as u64 > MAX_SCRIPT_PATH_ROUNDS
        {
            return Err(setting(format!(
                "{} paths × {} rounds is more than the {MAX_SCRIPT_PATH_ROUNDS} path-rounds a script may run (e.g. 2,000 paths × 1,000 rounds)",
                self.paths, self.rounds
            )));
        }
        Ok(())
    }

    fn base(&self) -> Base {
        Base {
            stake: self.stake,
            cashout: self.cashout,
            house_edge: self.house_edge,
        }
    }
}

/// An estimate with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// Percentiles of a per-path quantity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
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
pub struct Histogram {
    pub edges: Vec<f64>,
    pub counts: Vec<u64>,
}

/// One plan over all paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SimulationMode {
    MonteCarlo,
    Replay,
}

/// A run: the chosen plan, flat betting on the same rounds, and what it means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

fn histogram(x: &[f64], bins: usize) -> Histogram {
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
fn checkpoints(rounds: usize) -> Vec<usize> {
    let step = rounds.div_ceil(FAN_POINTS).max(1);
    let mut c: Vec<usize> = (0..rounds).step_by(step).collect();
    c.push(rounds);
    c
}

struct Paths {
    summaries: Vec<PathSummary>,
    /// Row-major: path p's bankroll at checkpoint k is `traces[p * points + k]`.
    traces: Vec<f64>,
    points: usize,
}

fn summarize(
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

fn failed(strategy: &Strategy, (round, message): (usize, String)) -> StrategyError {
    StrategyError::BadSetting(format!(
        "{} stopped at round {}: {message}",
        strategy.label(),
        round + 1
    ))
}

/// Fair-law rounds of path `path`: its own ChaCha stream, so every plan (and every thread
/// split) sees the same rounds on the same path.
fn path_rng(seed: u64, path: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(path as u64);
    rng
}

/// Runs `strategy` on paths `range` (fair law) into `summaries` / `traces`.
fn run_range(
    make: &(dyn Fn() -> Box<dyn Staker + Send> + Sync),
    config: &SimulationConfig,
    cps: &[usize],
    range: std::ops::Range<usize>,
    summaries: &mut [PathSummary],
    traces: &mut [f64],
) -> Result<(), (usize, String)> {
    let base = config.base();
    let points = cps.len();
    for (k, path) in range.enumerate() {
        let mut rng = path_rng(config.seed, path);
        let mut staker = make();
        let h = config.house_edge;
        summaries[k] = run_path(
            staker.as_mut(),
            &base,
            &config.limits,
            config.rounds,
            |_| (crash_point(uniform_open_closed(&mut rng), h), None),
            cps,
            &mut traces[k * points..(k + 1) * points],
        )?;
    }
    Ok(())
}

/// Paths done so far and in all (both plans of a run), told to a [`Progress`] observer.
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize);

/// How many blocks a single-thread run is cut into to report progress.
const PROGRESS_STEPS: usize = 50;

/// All paths of one plan; `threads` > 1 splits them in contiguous blocks (same result).
/// Single-threaded, `progress` hears `(offset + paths done, total)` after each block.
fn monte_carlo_paths(
    strategy: &Strategy,
    config: &SimulationConfig,
    threads: usize,
    (progress, offset, total): (Progress<'_>, usize, usize),
) -> Result<Paths, StrategyError> {
    let cps = checkpoints(config.rounds);
    let points = cps.len();
    let n = config.paths;
    let mut summaries = vec![PathSummary::untouched(config.limits.bankroll); n];
    let mut traces = vec![0.0; n * points];
    let base = config.base();
    let bankroll = config.limits.bankroll;
    let prepared = strategy.prepare()?;
    let make = move || prepared.start(base, bankroll);
    let threads = threads.clamp(1, n);
    let block = n.div_ceil(threads);
    let outcome: Result<(), (usize, String)> = if threads == 1 {
        // Same paths, same streams as one block: the cut changes nothing but the reports.
        let step = n.div_ceil(PROGRESS_STEPS);
        summaries
            .chunks_mut(step)
            .zip(traces.chunks_mut(step * points))
            .enumerate()
            .try_for_each(|(b, (s, t))| {
                let range = b * step..(b * step + s.len());
                let end = range.end;
                run_range(&make, config, &cps, range, s, t)?;
                progress(offset + end, total);
                Ok(())
            })
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = summaries
                .chunks_mut(block)
                .zip(traces.chunks_mut(block * points))
                .enumerate()
                .map(|(b, (s, t))| {
                    let (cps, make) = (&cps, &make);
                    let range = b * block..(b * block + s.len());
                    scope.spawn(move || run_range(make, config, cps, range, s, t))
                })
                .collect();
            handles.into_iter().try_for_each(|h| {
                h.join()
                    .unwrap_or_else(|_| Err((0, "a worker panicked".into())))
            })
        })
    };
    outcome.map_err(|e| failed(strategy, e))?;
    Ok(Paths {
        summaries,
        traces,
        points,
    })
}

/// `config.paths` paths of `config.rounds` fair-law rounds each, for the plan and for flat
/// betting on the same rounds.
pub fn monte_carlo(
    config: &SimulationConfig,
    threads: usize,
) -> Result<SimulationResult, StrategyError> {
    monte_carlo_observed(config, threads, &mut |_, _| {})
}

/// [`monte_carlo`] telling `progress` how far it is (for the browser's Web Worker, which
/// runs it on one thread: with `threads` > 1 it hears only the end of each plan).
pub fn monte_carlo_observed(
    config: &SimulationConfig,
    threads: usize,
    progress: Progress<'_>,
) -> Result<SimulationResult, StrategyError> {
    config.validate()?;
    let cps = checkpoints(config.rounds);
    let total = 2 * config.paths;
    let paths = monte_carlo_paths(
        &config.strategy,
        config,
        threads,
        (&mut *progress, 0, total),
    )?;
    if threads > 1 {
        progress(config.paths, total);
    }
    let report = summarize(&config.strategy, config, config.rounds, &cps, &paths);
    let flat_paths = monte_carlo_paths(
        &Strategy::Flat,
        config,
        threads,
        (&mut *progress, config.paths, total),
    )?;
    if threads > 1 {
        progress(total, total);
    }
    let flat = summarize(&Strategy::Flat, config, config.rounds, &cps, &flat_paths);
    Ok(finish(SimulationMode::MonteCarlo, config, report, flat))
}

/// The walk-forward PLAY signal of every round of `rounds`: round i's signal is what the
/// app would have said before it, from rounds 0..i only (the pattern scan kept in step).
pub fn play_signals(
    rounds: &[Multiplier],
    cashout: f64,
    mode: Mode,
    config: crate::patterns::scan::PatternConfig,
) -> Vec<Option<Signal>> {
    let mut tracker = crate::decision::PatternTracker::new(config);
    (0..rounds.len())
        .map(|i| {
            let d = tracker.decide(&rounds[..i], cashout, mode);
            match (d.recommendation, d.edge) {
                (crate::bet::Recommendation::Play, Some(e)) => Some(Signal {
                    cashout,
                    p_low: ((e.ev_low + 1.0) / cashout).clamp(0.0, 1.0),
                }),
                _ => None,
            }
        })
        .collect()
}

fn replay_one(
    strategy: &Strategy,
    config: &SimulationConfig,
    rounds: &[Multiplier],
    signals: &[Option<Signal>],
    cps: &[usize],
) -> Result<Paths, StrategyError> {
    let mut trace = vec![0.0; cps.len()];
    let mut staker = strategy
        .prepare()?
        .start(config.base(), config.limits.bankroll);
    let s = run_path(
        staker.as_mut(),
        &config.base(),
        &config.limits,
        rounds.len(),
        |i| (rounds[i], signals.get(i).copied().flatten()),
        cps,
        &mut trace,
    )
    .map_err(|e| failed(strategy, e))?;
    Ok(Paths {
        summaries: vec![s],
        points: cps.len(),
        traces: trace,
    })
}

/// The plan (and flat betting) played once over `rounds`, in order, with the walk-forward
/// `signals` (see [`play_signals`]; empty = never PLAY).
pub fn replay(
    config: &SimulationConfig,
    rounds: &[Multiplier],
    signals: &[Option<Signal>],
) -> Result<SimulationResult, StrategyError> {
    let mut config = config.clone();
    config.paths = 1;
    config.rounds = rounds.len().max(1);
    config.validate()?;
    if rounds.is_empty() {
        return Err(setting("there are no rounds to replay"));
    }
    let cps = checkpoints(rounds.len());
    let paths = replay_one(&config.strategy, &config, rounds, signals, &cps)?;
    let report = summarize(&config.strategy, &config, rounds.len(), &cps, &paths);
    let flat_paths = replay_one(&Strategy::Flat, &config, rounds, signals, &cps)?;
    let flat = summarize(&Strategy::Flat, &config, rounds.len(), &cps, &flat_paths);
    Ok(finish(SimulationMode::Replay, &config, report, flat))
}

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

/// The table the CLI prints and the Strategies page shows, the probability of ruin first.
pub fn comparison_rows(r: &SimulationResult) -> Vec<ComparisonRow> {
    type Cell = dyn Fn(&StrategyReport) -> String;
    let mut rows: Vec<(&str, Box<Cell>)> = vec![
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
    ];
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

fn money(x: f64) -> String {
    format!("{x:.2}")
}

fn verdict(
    mode: SimulationMode,
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
            out.push(format!(
                "{}: mean turnover {}, so the expected loss is {} (closed form); simulated over {} paths: {} (95% interval {} to {}).",
                r.label,
                money(r.mean_turnover),
                money(r.expected_loss_closed_form),
                r.paths,
                money(r.simulated_loss.value),
                money(r.simulated_loss.low),
                money(r.simulated_loss.high)
            ));
            out.push(format!(
                "{} of paths end in profit ({} for flat betting); the median final bankroll is {} ({} for flat).",
                pct(r.p_profit.value),
                pct(flat.p_profit.value),
                money(r.final_bankroll.p50),
                money(flat.final_bankroll.p50)
            ));
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

fn finish(
    mode: SimulationMode,
    config: &SimulationConfig,
    report: StrategyReport,
    flat: StrategyReport,
) -> SimulationResult {
    let verdict = verdict(mode, config, &report, &flat);
    SimulationResult {
        mode,
        house_edge: config.house_edge,
        bankroll: config.limits.bankroll,
        stake: config.stake,
        cashout: config.cashout,
        seed: config.seed,
        report,
        flat,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        let q = quantiles(&[4.0, 1.0, 3.0, 2.0, 5.0]);
        assert_eq!(
            (q.p5, q.p25, q.p50, q.p75, q.max),
            (1.2, 2.0, 3.0, 4.0, 5.0)
        );
    }

    #[test]
    fn checkpoints_span_the_horizon() {
        assert_eq!(checkpoints(3), [0, 1, 2, 3]);
        let c = checkpoints(1_000);
        assert_eq!((c.len(), c[1], *c.last().unwrap()), (101, 10, 1_000));
        assert_eq!(*checkpoints(1_001).last().unwrap(), 1_001);
    }

    #[test]
    fn threads_do_not_change_the_result() {
        let config = SimulationConfig {
            strategy: Strategy::default_for("martingale").unwrap(),
            paths: 37,
            rounds: 200,
            ..SimulationConfig::default()
        };
        let one = monte_carlo(&config, 1).unwrap();
        let three = monte_carlo(&config, 3).unwrap();
        assert_eq!(one, three);
    }

    #[test]
    fn progress_climbs_to_the_end_without_changing_the_result() {
        let config = SimulationConfig {
            strategy: Strategy::default_for("fibonacci").unwrap(),
            paths: 123,
            rounds: 50,
            ..SimulationConfig::default()
        };
        for threads in [1, 2] {
            let mut seen = Vec::new();
            let r = monte_carlo_observed(&config, threads, &mut |d, t| seen.push((d, t))).unwrap();
            assert_eq!(r, monte_carlo(&config, 1).unwrap());
            assert!(seen.windows(2).all(|w| w[0].0 < w[1].0), "{seen:?}");
            assert!(seen.iter().all(|&(_, t)| t == 246));
            assert_eq!(seen.last(), Some(&(246, 246)));
            if threads == 1 {
                // 123 paths in blocks of 3: 41 reports per plan.
                assert_eq!(seen.len(), 82);
            }
        }
    }

    #[test]
    fn bad_settings_are_refused() {
        let ok = SimulationConfig::default();
        let cases = [
            SimulationConfig {
                stake: 0.0,
                ..ok.clone()
            },
            SimulationConfig {
                stake: f64::NAN,
                ..ok.clone()
            },
            SimulationConfig {
                stake: 500.0,
                ..ok.clone()
            },
            SimulationConfig {
                cashout: 1.0,
                ..ok.clone()
            },
            SimulationConfig {
                paths: 0,
                ..ok.clone()
            },
            SimulationConfig {
                paths: 1_000_000,
                rounds: 1_000,
                ..ok.clone()
            },
            SimulationConfig {
                house_edge: -0.1,
                ..ok.clone()
            },
        ];
        for c in cases {
            assert!(monte_carlo(&c, 1).is_err(), "{c:?}");
        }
    }

    #[test]
    fn replay_without_signals_never_bets_on_play_and_says_so() {
        let rounds = crate::generator::FairGenerator::default().generate(500);
        let config = SimulationConfig {
            strategy: Strategy::OnlyOnPlay,
            ..SimulationConfig::default()
        };
        let r = replay(&config, &rounds, &[]).unwrap();
        assert_eq!(r.report.mean_bets, 0.0);
        assert_eq!(r.report.mean_final_bankroll.value, 100.0);
        assert!(r.verdict.iter().any(|v| v.contains("never said PLAY")));
        // Flat betting replays every round.
        assert_eq!(r.flat.mean_bets, 500.0);
    }
}
