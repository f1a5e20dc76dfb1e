//! The training budget bounds the whole job: the search stops at its share, the
//! walk-forward comparison stops refitting at its share (every model keeps its last fit,
//! so each forecast stays out of sample), and only fits already under way can overrun it.

use ensemble::compare::{compare, compare_until};
use ensemble::member::MemberFactory;
use models::backtest::BacktestConfig;
use models::forecast::Forecaster;
use models::planted::PlantedGenerator;
use models::values::Multiplier;
use models::walkforward::{Refit, WalkForwardConfig};
use std::time::{Duration, Instant};

fn planted(seed: u64, n: usize) -> Vec<Multiplier> {
    PlantedGenerator::after_two_lows(seed).generate(n)
}

fn frequent_refits() -> BacktestConfig {
    BacktestConfig {
        walk: WalkForwardConfig {
            start: 1000,
            refit: Refit::EveryN(50),
            min_train: 500,
            thresholds: vec![2.0],
            ..WalkForwardConfig::default()
        },
        ..BacktestConfig::default()
    }
}

fn entries() -> Vec<(String, Box<dyn Forecaster>)> {
    [MemberFactory::fair(0.03), MemberFactory::logistic(1.0)]
        .into_iter()
        .map(|f| (f.label.clone(), f.make() as Box<dyn Forecaster>))
        .collect()
}

#[test]
fn a_spent_comparison_budget_keeps_each_models_first_fit() {
    let rounds = planted(3, 2000);
    let config = frequent_refits();
    let scheduled = compare(&rounds, entries(), &config, |_, _, _| {}).unwrap();
    let spent = compare_until(
        &rounds,
        entries(),
        &config,
        Some(Instant::now()),
        |_, _, _| {},
    )
    .unwrap();
    for (full, cut) in scheduled.rows.iter().zip(&spent.rows) {
        assert_eq!(full.summary.fits, 20, "{}", full.name);
        assert_eq!(cut.summary.fits, 1, "{}", cut.name);
        // The same forecast rounds, all scored.
        assert_eq!(full.summary.n_forecasts, cut.summary.n_forecasts);
    }
}

#[test]
fn the_budget_bounds_the_whole_training_job() {
    let rounds = planted(5, 4000);
    let budget = Duration::from_millis(1500);
    let cfg = ensemble::train::TrainConfig {
        budget,
        thresholds: vec![1.5, 2.0],
        refit_every: 25,
        candidates: ensemble::train::filter_kinds(
            ensemble::search::default_candidates(2, 3),
            &["fair", "logistic", "gbt"],
        ),
        ..ensemble::train::TrainConfig::default()
    };
    let started = Instant::now();
    let out = ensemble::train::train(&rounds, &cfg, |_| {}).unwrap();
    let took = started.elapsed();
    // What may overrun: a fit under way when the comparison's time ran out, and the final
    // fit (on all rounds, the longest of them), timed by the run itself.
    let final_fit = Duration::from_secs_f64(out.seconds.final_fit);
    assert!(
        took <= budget + final_fit * 2 + Duration::from_millis(500),
        "{took:?} for a {budget:?} budget ({:?})",
        out.seconds
    );
    // 80 refits were scheduled for each model: the budget cut them short.
    let ensemble_row = out.scores.row("stacked ensemble").unwrap();
    assert!(
        ensemble_row.summary.fits < 80,
        "{}",
        ensemble_row.summary.fits
    );
    assert!(ensemble_row.summary.fits >= 1);
}
