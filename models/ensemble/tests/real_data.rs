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
        eprintln!("real data absent: skipped");
        return;
    };
    assert!(rounds.len() > 2000);
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
