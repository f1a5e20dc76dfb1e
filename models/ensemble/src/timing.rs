//! Timings for a `bench` command: GBT and stacked-ensemble training time on a history, and
//! the latency of one next-round prediction (features included) of the ensemble next to the
//! fair baseline's, measured in the same run.

use crate::gbt::{GbtConfig, GbtForecaster};
use crate::member::MemberFactory;
use crate::next::next_row;
use crate::stack::{StackConfig, StackedEnsemble};
use models::error::EvalError;
use models::features;
use models::forecast::{FairLaw, Forecaster, TrainView};
use models::values::Multiplier;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// Measured timings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnsembleBench {
    pub rounds: usize,
    pub thresholds: Vec<f64>,
    /// One GBT fit (all thresholds) on every round: seconds.
    pub gbt_fit_s: f64,
    pub gbt_config: GbtConfig,
    /// One stacked-ensemble fit (OOF folds + meta + calibration + final members): seconds.
    pub stack_fit_s: f64,
    pub stack_members: Vec<String>,
    /// Next-round prediction, feature row included: median and 99th percentile, µs.
    pub ensemble_predict_us: (f64, f64),
    /// Same for the fair law.
    pub fair_predict_us: (f64, f64),
    /// The feature row alone (tail computation), median µs.
    pub features_us: f64,
    pub repeats: usize,
}

fn quantiles(mut v: Vec<f64>) -> (f64, f64) {
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    (q(0.5), q(0.99))
}

/// The members used by the benchmark (and a sensible default ensemble): the fair law,
/// logistic (λ = 1) and GBT with `gbt`.
pub fn default_members(gbt: GbtConfig) -> Vec<MemberFactory> {
    vec![
        MemberFactory::fair(models::generator::DEFAULT_HOUSE_EDGE),
        MemberFactory::logistic(1.0),
        GbtForecaster::factory(gbt),
    ]
}

/// Times training and prediction on `rounds` (at least 1,100). `repeats` predictions each.
pub fn measure(
    rounds: &[Multiplier],
    members: Vec<MemberFactory>,
    gbt: GbtConfig,
    stack: StackConfig,
    repeats: usize,
) -> Result<EnsembleBench, EvalError> {
    let n = rounds.len();
    if n < 1_100 {
        return Err(EvalError::TooFew {
            what: "ensemble benchmark history".into(),
            needed: 1_100,
            got: n,
        });
    }
    let thresholds = models::forecast::DEFAULT_THRESHOLDS.to_vec();
    let feats = features::compute(rounds);
    let view = TrainView {
        features: &feats.data,
        n_cols: feats.n_cols,
        outcomes: rounds,
        thresholds: &thresholds,
    };
    let t0 = Instant::now();
    let mut g = GbtForecaster::new(gbt);
    g.fit(&view)?;
    let gbt_fit_s = t0.elapsed().as_secs_f64();
    let t0 = Instant::now();
    let mut e = StackedEnsemble::new(members, stack);
    e.fit(&view)?;
    let stack_fit_s = t0.elapsed().as_secs_f64();
    let mut fair = FairLaw::fixed(models::generator::DEFAULT_HOUSE_EDGE);
    fair.fit(&view)?;
    let reps = repeats.max(1);
    let mut te = Vec::with_capacity(reps);
    let mut tf = Vec::with_capacity(reps);
    let mut tx = Vec::with_capacity(reps);
    for _ in 0..reps {
        let t0 = Instant::now();
        let row = next_row(rounds);
        let p = e.predict_with_history(&row, rounds, &thresholds);
        te.push(t0.elapsed().as_secs_f64() * 1e6);
        std::hint::black_box(p);
        let t0 = Instant::now();
        let row = next_row(rounds);
        let p = fair.predict_with_history(&row, rounds, &thresholds);
        tf.push(t0.elapsed().as_secs_f64() * 1e6);
        std::hint::black_box(p);
        let t0 = Instant::now();
        std::hint::black_box(next_row(rounds));
        tx.push(t0.elapsed().as_secs_f64() * 1e6);
    }
    Ok(EnsembleBench {
        rounds: n,
        thresholds,
        gbt_fit_s,
        gbt_config: gbt,
        stack_fit_s,
        stack_members: e.members().iter().map(|m| m.name()).collect(),
        ensemble_predict_us: quantiles(te),
        fair_predict_us: quantiles(tf),
        features_us: quantiles(tx).0,
        repeats: reps,
    })
}

/// Plain text of a benchmark.
pub fn render_text(b: &EnsembleBench) -> String {
    format!(
        "Ensemble timings on {} rounds ({} repeats)\n\
         GBT fit (depth {}, lr {}, {} rounds × {} thresholds): {:.3} s\n\
         Stacked ensemble fit ({}): {:.3} s\n\
         Next-round prediction incl. features: ensemble median {:.1} µs (p99 {:.1}), fair law median {:.1} µs (p99 {:.1}); feature row alone {:.1} µs\n",
        b.rounds,
        b.repeats,
        b.gbt_config.max_depth,
        b.gbt_config.learning_rate,
        b.gbt_config.iterations,
        b.thresholds.len(),
        b.gbt_fit_s,
        b.stack_members.join(", "),
        b.stack_fit_s,
        b.ensemble_predict_us.0,
        b.ensemble_predict_us.1,
        b.fair_predict_us.0,
        b.fair_predict_us.1,
        b.features_us
    )
}
