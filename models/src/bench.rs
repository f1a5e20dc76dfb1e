//! Timings for a `bench` command. The library has no clock on wasm32, so the caller passes
//! one: `now()` returns seconds since any fixed origin (e.g. `Instant::elapsed`).

use crate::error::EvalError;
use crate::features;
use crate::forecast::Logistic;
use crate::values::Multiplier;
use crate::walkforward::{self, Refit, WalkForwardConfig};
use serde::{Deserialize, Serialize};

/// Measured throughput on one history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchReport {
    pub rounds: usize,
    pub features: usize,
    /// One-pass feature matrix: rows per second (best of `repeats`).
    pub feature_rows_per_s: f64,
    /// Naive per-row recomputation: rows per second (one run).
    pub naive_rows_per_s: f64,
    /// Walk-forward of the logistic model from round 1000, refit every 500: seconds.
    pub walk_forward_s: f64,
    pub walk_forward_fits: usize,
}

/// Times the feature matrix (best of `repeats`), the naive recomputation (once) and a
/// logistic walk-forward (once).
pub fn measure(
    rounds: &[Multiplier],
    repeats: usize,
    mut now: impl FnMut() -> f64,
) -> Result<BenchReport, EvalError> {
    let n = rounds.len();
    if n < 1_100 {
        return Err(EvalError::too_few("benchmark history", 1_100, n));
    }
    let mut best = f64::INFINITY;
    for _ in 0..repeats.max(1) {
        let t0 = now();
        let m = features::compute(rounds);
        let dt = now() - t0;
        std::hint::black_box(&m);
        best = best.min(dt);
    }
    let t0 = now();
    let naive = features::compute_naive(rounds);
    let naive_s = now() - t0;
    std::hint::black_box(&naive);
    let cfg = WalkForwardConfig {
        start: 1000,
        refit: Refit::EveryN(500),
        ..WalkForwardConfig::default()
    };
    let t0 = now();
    let wf = walkforward::run(rounds, &mut Logistic::default(), &cfg, |_, _| {})?;
    let wf_s = now() - t0;
    Ok(BenchReport {
        rounds: n,
        features: features::N_FEATURES,
        feature_rows_per_s: n as f64 / best.max(1e-12),
        naive_rows_per_s: n as f64 / naive_s.max(1e-12),
        walk_forward_s: wf_s,
        walk_forward_fits: wf.fits,
    })
}
