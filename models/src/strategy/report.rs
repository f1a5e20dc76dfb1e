//! Runs a plan many times under the fair law (Monte Carlo) or once over a history
//! (replay), and sums the paths up: bankroll percentiles over rounds, the final bankroll,
//! ruin and target probabilities, turnover and the closed-form expected loss next to the
//! simulated one — every plan side by side with flat betting on the same rounds.

//!
//! Split by concern: [`super::config`] (the settings and their check),
//! [`super::summary`] (what the paths add up to), [`super::verdict`] (the table and the
//! verdict); this module runs the paths.

use super::config::setting;
pub use super::config::{SimulationConfig, FAN_POINTS, MAX_PATH_ROUNDS, MAX_SCRIPT_PATH_ROUNDS};
use super::engine::{run_path, PathSummary, Signal};
use super::law::{PreparedLaw, RoundLaw};
use super::plan::{PlanError, Staker, Strategy, StrategyError};
use super::summary::{checkpoints, summarize, Paths};
pub use super::summary::{
    quantiles, Fan, Histogram, Interval, Quantiles, SimulationMode, SimulationResult,
    StrategyReport,
};
pub use super::verdict::{comparison_rows, ComparisonRow};
use crate::bet::Mode;
use crate::values::Multiplier;
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

fn failed(strategy: &Strategy, (round, message): (usize, PlanError)) -> StrategyError {
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

/// Runs `strategy` on paths `range` (rounds drawn from `law`) into `summaries` / `traces`.
fn run_range(
    make: &(dyn Fn() -> Box<dyn Staker + Send> + Sync),
    (config, law): (&SimulationConfig, &PreparedLaw<'_>),
    cps: &[usize],
    range: std::ops::Range<usize>,
    summaries: &mut [PathSummary],
    traces: &mut [f64],
) -> Result<(), (usize, PlanError)> {
    let base = config.base();
    let points = cps.len();
    for (k, path) in range.enumerate() {
        let mut rng = path_rng(config.seed, path);
        let mut staker = make();
        let mut rounds = law.path();
        summaries[k] = run_path(
            staker.as_mut(),
            &base,
            &config.limits,
            config.rounds,
            |_| rounds.draw(&mut rng),
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
    run: (&SimulationConfig, &PreparedLaw<'_>),
    threads: usize,
    progress: (Progress<'_>, usize, usize),
) -> Result<Paths, StrategyError> {
    let base = run.0.base();
    let bankroll = run.0.limits.bankroll;
    let prepared = strategy.prepare()?;
    let make = move || prepared.start(base, bankroll);
    paths_of(&make, strategy, run, threads, progress)
}

/// The paths of the plans `make` starts (one per path).
fn paths_of(
    make: &(dyn Fn() -> Box<dyn Staker + Send> + Sync),
    strategy: &Strategy,
    (config, law): (&SimulationConfig, &PreparedLaw<'_>),
    threads: usize,
    (progress, offset, total): (Progress<'_>, usize, usize),
) -> Result<Paths, StrategyError> {
    let cps = checkpoints(config.rounds);
    let points = cps.len();
    let n = config.paths;
    let mut summaries = vec![PathSummary::untouched(config.limits.bankroll); n];
    let mut traces = vec![0.0; n * points];
    let threads = threads.clamp(1, n);
    let block = n.div_ceil(threads);
    let outcome: Result<(), (usize, PlanError)> = if threads == 1 {
        // Same paths, same streams as one block: the cut changes nothing but the reports.
        let step = n.div_ceil(PROGRESS_STEPS);
        summaries
            .chunks_mut(step)
            .zip(traces.chunks_mut(step * points))
            .enumerate()
            .try_for_each(|(b, (s, t))| {
                let range = b * step..(b * step + s.len());
                let end = range.end;
                run_range(make, (config, law), &cps, range, s, t)?;
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
                    let cps = &cps;
                    let range = b * block..(b * block + s.len());
                    scope.spawn(move || run_range(make, (config, law), cps, range, s, t))
                })
                .collect();
            handles.into_iter().try_for_each(|h| {
                h.join()
                    .unwrap_or_else(|_| Err((0, PlanError("a worker panicked".into()))))
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
    monte_carlo_under(config, &RoundLaw::Fair, threads, progress)
}

/// [`monte_carlo_observed`] with the rounds drawn from `law` (the plan and flat betting
/// on the same rounds); the result says which law.
pub fn monte_carlo_under(
    config: &SimulationConfig,
    law: &RoundLaw,
    threads: usize,
    progress: Progress<'_>,
) -> Result<SimulationResult, StrategyError> {
    config.validate()?;
    let prepared = law.prepare(config.house_edge);
    let run = (config, &prepared);
    let cps = checkpoints(config.rounds);
    let total = 2 * config.paths;
    let paths = monte_carlo_paths(&config.strategy, run, threads, (&mut *progress, 0, total))?;
    if threads > 1 {
        progress(config.paths, total);
    }
    let report = summarize(&config.strategy, config, config.rounds, &cps, &paths);
    let flat_paths = monte_carlo_paths(
        &Strategy::Flat,
        run,
        threads,
        (&mut *progress, config.paths, total),
    )?;
    if threads > 1 {
        progress(total, total);
    }
    let flat = summarize(&Strategy::Flat, config, config.rounds, &cps, &flat_paths);
    let tilted = matches!(law, RoundLaw::Confirmed { rules, .. } if !rules.is_empty());
    let mut result = finish((SimulationMode::MonteCarlo, tilted), config, report, flat);
    if *law != RoundLaw::Fair {
        result.verdict.insert(0, law.describe(config.house_edge));
        result.law = Some(law.clone());
    }
    Ok(result)
}

/// [`monte_carlo_observed`] on one thread for a plan whose state machines come from
/// outside the crate: `make` starts one per path (the browser runs a player's JavaScript
/// script this way, on the same paths and with the same report as the server).
pub fn monte_carlo_external(
    config: &SimulationConfig,
    make: &(dyn Fn() -> Box<dyn Staker + Send> + Sync),
    progress: Progress<'_>,
) -> Result<SimulationResult, StrategyError> {
    config.validate_settings()?;
    let fair = RoundLaw::Fair.prepare(config.house_edge);
    let cps = checkpoints(config.rounds);
    let total = 2 * config.paths;
    let paths = paths_of(
        make,
        &config.strategy,
        (config, &fair),
        1,
        (&mut *progress, 0, total),
    )?;
    let report = summarize(&config.strategy, config, config.rounds, &cps, &paths);
    let flat_paths = monte_carlo_paths(
        &Strategy::Flat,
        (config, &fair),
        1,
        (&mut *progress, config.paths, total),
    )?;
    let flat = summarize(&Strategy::Flat, config, config.rounds, &cps, &flat_paths);
    Ok(finish(
        (SimulationMode::MonteCarlo, false),
        config,
        report,
        flat,
    ))
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
    let mut result = finish((SimulationMode::Replay, false), &config, report, flat);
    result.autobet = autobet_replay(&config, rounds)?;
    Ok(result)
}

/// An autobet script's own account of a replay (its balance, bets, wagers, stop, log), as
/// the bustabit simulators give it.
#[cfg(feature = "script")]
fn autobet_replay(
    config: &SimulationConfig,
    rounds: &[Multiplier],
) -> Result<Option<super::summary::AutobetRun>, StrategyError> {
    let Strategy::Autobet { source, inputs } = &config.strategy else {
        return Ok(None);
    };
    let program = super::autobet::Program::compile(source, inputs)?;
    let crashes: Vec<f64> = rounds.iter().map(|m| m.as_f64()).collect();
    program
        .replay(&crashes, config.limits.bankroll, config.house_edge)
        .map(Some)
}

#[cfg(not(feature = "script"))]
fn autobet_replay(
    _: &SimulationConfig,
    _: &[Multiplier],
) -> Result<Option<super::summary::AutobetRun>, StrategyError> {
    Ok(None)
}

fn finish(
    (mode, tilted): (SimulationMode, bool),
    config: &SimulationConfig,
    report: StrategyReport,
    flat: StrategyReport,
) -> SimulationResult {
    let verdict = super::verdict::verdict((mode, tilted), config, &report, &flat);
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
        autobet: None,
        law: None,
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
