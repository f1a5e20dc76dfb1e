//! Timing of the Monte Carlo lab against the single-thread naive loop, in the same run.
//! The library has no clock on wasm32, so the caller passes one (seconds since any origin).

use super::plan::Strategy;
use super::report::{monte_carlo, SimulationConfig};
use crate::generator::FairGenerator;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategyBench {
    pub paths: usize,
    pub rounds: usize,
    pub threads: usize,
    /// The baseline: per path a vector of rounds, plain martingale and flat-betting loops
    /// storing every round's bankroll, then a sort per round for the percentiles (the same
    /// two plans the lab reports).
    pub naive_s: f64,
    /// The lab (martingale and flat betting on the same rounds, full report), one thread.
    pub single_thread_s: f64,
    /// The same on `threads` threads.
    pub parallel_s: f64,
    /// The same martingale written as a user script, on `threads` threads, over
    /// `script_paths` paths (scripts are capped in size).
    pub script_paths: usize,
    pub script_s: Option<f64>,
    /// The martingale as a bustabit autobet script (JavaScript in QuickJS): a replay of
    /// [`AUTOBET_REPLAY_ROUNDS`] rounds, the same replay stepped one game per call with the
    /// job queue drained after each (the plain host loop, the baseline), and a Monte Carlo
    /// of [`AUTOBET_PATHS`] × `rounds` on `threads` threads.
    pub autobet_replay_s: Option<f64>,
    pub autobet_replay_stepped_s: Option<f64>,
    pub autobet_mc_s: Option<f64>,
}

/// Rounds of the autobet replay timed.
pub const AUTOBET_REPLAY_ROUNDS: usize = 10_000;
/// Paths of the autobet Monte Carlo timed.
pub const AUTOBET_PATHS: usize = 1_000;

impl StrategyBench {
    pub fn single_vs_naive(&self) -> f64 {
        self.naive_s / self.single_thread_s.max(1e-12)
    }
    pub fn parallel_vs_naive(&self) -> f64 {
        self.naive_s / self.parallel_s.max(1e-12)
    }
    /// How many times slower a scripted martingale is than the built-in one, per path.
    pub fn script_vs_built_in(&self) -> Option<f64> {
        self.script_s.map(|s| {
            (s / self.script_paths.max(1) as f64)
                / (self.parallel_s / self.paths.max(1) as f64).max(1e-12)
        })
    }
}

/// The naive loop: what one writes first.
fn naive(paths: usize, rounds: usize, bankroll: f64) -> f64 {
    let mut martingale = vec![0.0; paths * rounds];
    let mut flat = vec![0.0; paths * rounds];
    for p in 0..paths {
        let xs = FairGenerator {
            seed: p as u64,
            house_edge: crate::generator::DEFAULT_HOUSE_EDGE,
        }
        .generate(rounds);
        let (mut b, mut stake, mut f) = (bankroll, 1.0f64, bankroll);
        for (i, x) in xs.iter().enumerate() {
            let win = x.as_f64() >= 2.0;
            if b >= 0.1 {
                let s = stake.min(b);
                if win {
                    b += s;
                    stake = 1.0;
                } else {
                    b -= s;
                    stake *= 2.0;
                }
            }
            if f >= 1.0 {
                f += if win { 1.0 } else { -1.0 };
            }
            martingale[p * rounds + i] = b;
            flat[p * rounds + i] = f;
        }
    }
    let mut median_sum = 0.0;
    let mut column = vec![0.0; paths];
    for matrix in [&martingale, &flat] {
        for i in 0..rounds {
            for p in 0..paths {
                column[p] = matrix[p * rounds + i];
            }
            column.sort_by(f64::total_cmp);
            median_sum += column[paths / 2];
        }
    }
    median_sum
}

/// Times the naive loop, then the lab on one thread and on `threads` threads.
pub fn measure(
    paths: usize,
    rounds: usize,
    threads: usize,
    mut now: impl FnMut() -> f64,
) -> Result<StrategyBench, super::StrategyError> {
    let t0 = now();
    std::hint::black_box(naive(paths, rounds, 100.0));
    let naive_s = now() - t0;
    let config = SimulationConfig {
        strategy: Strategy::default_for("martingale")?,
        paths,
        rounds,
        ..SimulationConfig::default()
    };
    let t0 = now();
    std::hint::black_box(monte_carlo(&config, 1)?);
    let single_thread_s = now() - t0;
    let t0 = now();
    std::hint::black_box(monte_carlo(&config, threads)?);
    let parallel_s = now() - t0;
    let script_paths = (paths / 5).max(1);
    let script_s = scripted(script_paths, rounds, threads, &mut now)?;
    let (autobet_replay_s, autobet_replay_stepped_s, autobet_mc_s) =
        autobet(rounds, threads, &mut now)?;
    Ok(StrategyBench {
        paths,
        rounds,
        threads,
        naive_s,
        single_thread_s,
        parallel_s,
        script_paths,
        script_s,
        autobet_replay_s,
        autobet_replay_stepped_s,
        autobet_mc_s,
    })
}

type Timings = (Option<f64>, Option<f64>, Option<f64>);

#[cfg(feature = "script")]
fn autobet(
    rounds: usize,
    threads: usize,
    now: &mut impl FnMut() -> f64,
) -> Result<Timings, super::StrategyError> {
    let source = super::examples::by_name("martingale").map_or("", |e| e.source);
    let program = super::autobet::Program::compile(source, &Default::default())?;
    let crashes: Vec<f64> = FairGenerator::default()
        .generate(AUTOBET_REPLAY_ROUNDS)
        .iter()
        .map(|m| m.as_f64())
        .collect();
    let t0 = now();
    std::hint::black_box(program.replay(&crashes, 1e6, 0.01)?);
    let replay_s = now() - t0;
    let t0 = now();
    std::hint::black_box(program.stepped().replay(&crashes, 1e6, 0.01)?);
    let stepped_s = now() - t0;
    let config = SimulationConfig {
        strategy: Strategy::autobet(source.into(), Default::default())?,
        paths: AUTOBET_PATHS,
        rounds,
        ..SimulationConfig::default()
    };
    let t0 = now();
    std::hint::black_box(monte_carlo(&config, threads)?);
    Ok((Some(replay_s), Some(stepped_s), Some(now() - t0)))
}

#[cfg(not(feature = "script"))]
fn autobet(
    _: usize,
    _: usize,
    _: &mut impl FnMut() -> f64,
) -> Result<Timings, super::StrategyError> {
    Ok((None, None, None))
}

/// The built-in martingale, as a script (the same one the script tests check against it).
pub const MARTINGALE_SCRIPT: &str = r#"let config = #{ base: 1.0, multiplier: 2.0 };
fn on_round(game) { bet(this.stake ?? game.config.base, game.base_cashout) }
fn on_result(game, result) {
    if result.won { this.stake = game.config.base; }
    else { this.stake = (this.stake ?? game.config.base) * game.config.multiplier; }
}
"#;

#[cfg(feature = "script")]
fn scripted(
    paths: usize,
    rounds: usize,
    threads: usize,
    now: &mut impl FnMut() -> f64,
) -> Result<Option<f64>, super::StrategyError> {
    let config = SimulationConfig {
        strategy: Strategy::script(MARTINGALE_SCRIPT.into(), Default::default())?,
        paths,
        rounds,
        ..SimulationConfig::default()
    };
    let t0 = now();
    std::hint::black_box(monte_carlo(&config, threads)?);
    Ok(Some(now() - t0))
}

#[cfg(not(feature = "script"))]
fn scripted(
    _: usize,
    _: usize,
    _: usize,
    _: &mut impl FnMut() -> f64,
) -> Result<Option<f64>, super::StrategyError> {
    Ok(None)
}
