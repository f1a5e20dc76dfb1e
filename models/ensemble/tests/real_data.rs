//! Real-data numbers (skipped when ../shared/data/jetx_history.csv is absent): walk-forward
//! comparison of the fair law, logistic, GBT and the stacked ensemble, and timings.
//! Run with `--nocapture` to see the tables.

use ensemble::timing;
use ensemble::{GbtConfig, GbtForecaster, MemberFactory, StackConfig, StackedEnsemble};
use models::backtest::BacktestConfig;
use models::forecast::{FairLaw, Forecaster, Logistic};
use models::values::{Multiplier, ValueRules};
use models::walkforward::{Refit, WalkForwardConfig};

fn real_rounds() -> Option<Vec<Multiplier>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/jetx_history.csv"
    );
    let text = std::fs::read_to_string(path).ok()?;
    let report = models::import::read_csv(&text, &ValueRules::default()).ok()?;
    Some(report.valid_values())
}

#[test]
fn real_data_walk_forward_and_timings() {
    let Some(rounds) = real_rounds() else {
        eprintln!(
            "SKIPPED real_data_walk_forward_and_timings: ../shared/data/jetx_history.csv not found"
        );
        return;
    };
    assert_eq!(
        rounds.len(),
        6_999,
        "the file's 7,000 rows less the one fault"
    );
    let gbt = GbtConfig::default();
    let members = vec![
        MemberFactory::fair(0.03),
        MemberFactory::logistic(1.0),
        GbtForecaster::factory(gbt),
    ];
    let cfg = BacktestConfig {
        walk: WalkForwardConfig {
            start: 3000,
            refit: Refit::EveryN(2000),
            ..WalkForwardConfig::default()
        },
        ..BacktestConfig::default()
    };
    let models: Vec<(String, Box<dyn Forecaster>)> = vec![
        ("fair law (h = 0.03)".into(), Box::new(FairLaw::fixed(0.03))),
        ("logistic (λ = 1)".into(), Box::new(Logistic::default())),
        ("gbt (default)".into(), Box::new(GbtForecaster::new(gbt))),
        (
            "stacked ensemble".into(),
            Box::new(StackedEnsemble::new(
                members.clone(),
                StackConfig::default(),
            )),
        ),
    ];
    let table = ensemble::compare(&rounds, models, &cfg, |_, _, _| {}).unwrap();
    println!("{}", ensemble::compare::render_text(&table));
    // A fair game: no model finds an edge at any threshold, after the run's correction.
    for row in &table.rows {
        for t in &row.summary.thresholds {
            assert!(
                !t.edge_found,
                "{} claims an edge at {}x",
                row.name, t.threshold
            );
            assert_eq!(t.n, rounds.len() - 3000);
        }
    }
    // The stack is never worse than its best member (0.002 BSS of slack, per threshold).
    let stack = table.row("stacked ensemble").unwrap();
    for (k, t) in stack.summary.thresholds.iter().enumerate() {
        let best = table.rows[..3]
            .iter()
            .map(|r| r.summary.thresholds[k].skill.bss)
            .fold(f64::NEG_INFINITY, f64::max);
        assert!(
            t.skill.bss >= best - 0.002,
            "at {}x the stack's BSS {:+.5} is below its best member's {best:+.5}",
            t.threshold,
            t.skill.bss
        );
    }
    let b = timing::measure(&rounds, members, gbt, StackConfig::default(), 300).unwrap();
    println!("{}", timing::render_text(&b));
    let mut g = GbtForecaster::new(gbt);
    let feats = models::features::compute(&rounds);
    g.fit(&models::forecast::TrainView {
        features: &feats.data,
        n_cols: feats.n_cols,
        outcomes: &rounds,
        thresholds: &models::forecast::DEFAULT_THRESHOLDS,
    })
    .unwrap();
    let top: Vec<String> = g
        .feature_importance()
        .into_iter()
        .take(8)
        .map(|(n, v)| format!("{n} {v:.3}"))
        .collect();
    println!("GBT top features: {}", top.join(", "));
}
