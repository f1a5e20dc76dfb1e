//! Walk-forward (historical) forecasting, horizon 1.
//!
//! For each forecast round `t` (from `start`, every `stride` rounds) the model is (re)fitted
//! on training rows `[train_start, t − gap)` — row `i` paired with the outcome of round `i`,
//! so the newest outcome it can see is round `t − gap − 1` — and then predicts round `t` from
//! feature row `t`, which is built from rounds `0..t` only (see [`crate::features`]). The
//! forecaster receives only these slices, never the rounds at or after `t`.

use crate::error::EvalError;
use crate::features::{self, FeatureMatrix, FEATURE_LIST_VERSION};
use crate::forecast::{Forecaster, TrainView};
use crate::values::Multiplier;
use serde::{Deserialize, Serialize};

/// When the model is refitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Refit {
    /// Fitted once, before the first forecast, on everything before it.
    Never,
    /// Refitted every `n` rounds on an expanding window (all rows from 0).
    EveryN(usize),
    /// Refitted every `every` rounds on the last `window` rows only.
    Rolling { every: usize, window: usize },
}

impl std::fmt::Display for Refit {
    /// In words, for people: "every 1000 rounds", "every 500 rounds on the last 2000".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refit::Never => f.write_str("never (fitted once)"),
            Refit::EveryN(n) => write!(f, "every {n} rounds"),
            Refit::Rolling { every, window } => {
                write!(f, "every {every} rounds on the last {window}")
            }
        }
    }
}

/// Settings of a walk-forward run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WalkForwardConfig {
    /// First round forecast.
    pub start: usize,
    /// Forecast every `stride`-th round from `start`.
    pub stride: usize,
    /// Rounds left out between the end of the training rows and the forecast round.
    pub gap: usize,
    pub refit: Refit,
    /// Smallest training set allowed.
    pub min_train: usize,
    pub thresholds: Vec<f64>,
}

impl Default for WalkForwardConfig {
    fn default() -> Self {
        Self {
            start: 1000,
            stride: 1,
            gap: 0,
            refit: Refit::EveryN(500),
            min_train: 200,
            thresholds: crate::forecast::DEFAULT_THRESHOLDS.to_vec(),
        }
    }
}

/// One fit of a walk-forward run: trained on rows `[train_start, train_end)`, then used for
/// the forecasts of rounds `first_forecast..=last_forecast`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fold {
    pub train_start: usize,
    pub train_end: usize,
    pub first_forecast: usize,
    pub last_forecast: usize,
}

/// One forecast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastRow {
    /// Index of the forecast round in the history.
    pub index: usize,
    /// P(X ≥ t) per threshold.
    pub probs: Vec<f64>,
    pub outcome: Multiplier,
}

/// All forecasts of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WalkForward {
    pub model: String,
    pub thresholds: Vec<f64>,
    pub rows: Vec<ForecastRow>,
    /// How many times the model was fitted.
    pub fits: usize,
    /// Each fit: the training rows and the forecasts it made (the fold picture).
    #[serde(default)]
    pub folds: Vec<Fold>,
}

impl WalkForward {
    /// Forecasts for threshold `k`, in round order.
    pub fn probs(&self, k: usize) -> Vec<f64> {
        self.rows.iter().map(|r| r.probs[k]).collect()
    }

    /// Outcomes 1{X ≥ thresholds[k]}, in round order.
    pub fn outcomes(&self, k: usize) -> Vec<bool> {
        let h = crate::forecast::threshold_hundredths(self.thresholds[k]);
        self.rows.iter().map(|r| r.outcome.0 >= h).collect()
    }
}

/// Runs a walk-forward backtest, computing the causal features itself.
pub fn run<F: Forecaster + ?Sized>(
    rounds: &[Multiplier],
    model: &mut F,
    config: &WalkForwardConfig,
    progress: impl FnMut(usize, usize),
) -> Result<WalkForward, EvalError> {
    let feats = features::compute(rounds);
    run_with_features(rounds, &feats, model, config, progress)
}

/// The forecast rounds of a configuration for a history of `n` rounds.
pub fn forecast_indices(n: usize, config: &WalkForwardConfig) -> Vec<usize> {
    (config.start..n).step_by(config.stride.max(1)).collect()
}

/// The rounds a run forecasts: those of [`forecast_indices`] from the first one with
/// enough training rows before it.
fn forecast_rounds(n: usize, config: &WalkForwardConfig) -> Result<Vec<usize>, EvalError> {
    let needed = config.min_train.max(1) + config.gap;
    let first = config.start.max(needed);
    if first >= n {
        return Err(EvalError::too_few("walk-forward history", first + 1, n));
    }
    Ok(forecast_indices(n, config)
        .into_iter()
        .filter(|&t| t >= first)
        .collect())
}

/// Where a run on `n` rounds fits its model: the number of forecasts made before each fit
/// (so a progress report can say "fold k of n" from the forecasts done).
pub fn fit_points(n: usize, config: &WalkForwardConfig) -> Vec<usize> {
    let mut last_fit = None;
    let mut points = Vec::new();
    for (done, t) in forecast_rounds(n, config)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        if refit_due(config.refit, last_fit, t) {
            points.push(done);
            last_fit = Some(t);
        }
    }
    points
}

/// As [`run`], with a feature matrix already computed by [`features::compute`] on the same
/// rounds (checked: same row count and feature-list version).
pub fn run_with_features<F: Forecaster + ?Sized>(
    rounds: &[Multiplier],
    feats: &FeatureMatrix,
    model: &mut F,
    config: &WalkForwardConfig,
    mut progress: impl FnMut(usize, usize),
) -> Result<WalkForward, EvalError> {
    run_while(rounds, feats, model, config, |done, total| {
        progress(done, total);
        true
    })
}

/// As [`run_with_features`], stopping with [`EvalError::Cancelled`] as soon as `progress`
/// (called after each forecast with forecasts done and their total) answers false.
pub fn run_while<F: Forecaster + ?Sized>(
    rounds: &[Multiplier],
    feats: &FeatureMatrix,
    model: &mut F,
    config: &WalkForwardConfig,
    progress: impl FnMut(usize, usize) -> bool,
) -> Result<WalkForward, EvalError> {
    run_gated(rounds, feats, model, config, progress, || true)
}

/// As [`run_while`], refitting on the schedule only while `may_refit` answers true (a
/// time budget): the first fit always happens, and a skipped refit leaves the last fit in
/// use, so every forecast stays out of sample. `WalkForward::fits` counts the fits made.
pub fn run_gated<F: Forecaster + ?Sized>(
    rounds: &[Multiplier],
    feats: &FeatureMatrix,
    model: &mut F,
    config: &WalkForwardConfig,
    mut progress: impl FnMut(usize, usize) -> bool,
    mut may_refit: impl FnMut() -> bool,
) -> Result<WalkForward, EvalError> {
    validate(rounds, feats, config)?;
    let indices = forecast_rounds(rounds.len(), config)?;
    let total = indices.len();
    let mut rows = Vec::with_capacity(total);
    let mut last_fit: Option<usize> = None;
    let mut fits = 0;
    let mut folds: Vec<Fold> = Vec::new();
    for (done, &t) in indices.iter().enumerate() {
        if refit_due(config.refit, last_fit, t) && (last_fit.is_none() || may_refit()) {
            folds.push(fit_fold(rounds, feats, model, config, t)?);
            fits += 1;
            last_fit = Some(t);
        }
        if let Some(f) = folds.last_mut() {
            f.last_forecast = t;
        }
        let probs = model.predict_with_history(feats.row(t), &rounds[..t], &config.thresholds);
        rows.push(ForecastRow {
            index: t,
            probs,
            outcome: rounds[t],
        });
        if !progress(done + 1, total) {
            return Err(EvalError::Cancelled);
        }
    }
    Ok(WalkForward {
        model: model.name(),
        thresholds: config.thresholds.clone(),
        rows,
        fits,
        folds,
    })
}

/// Rejects a configuration that cannot run (zero stride or refit interval, no thresholds,
/// a rolling window below `min_train`) and a feature matrix that is not of `rounds`.
fn validate(
    rounds: &[Multiplier],
    feats: &FeatureMatrix,
    config: &WalkForwardConfig,
) -> Result<(), EvalError> {
    if config.stride == 0 {
        return Err(EvalError::InvalidConfig("stride must be at least 1".into()));
    }
    if config.thresholds.is_empty() {
        return Err(EvalError::InvalidConfig("no thresholds".into()));
    }
    match config.refit {
        Refit::EveryN(0) | Refit::Rolling { every: 0, .. } => {
            return Err(EvalError::InvalidConfig(
                "refit interval must be at least 1".into(),
            ))
        }
        Refit::Rolling { window, .. } if window < config.min_train.max(1) => {
            return Err(EvalError::InvalidConfig(format!(
                "rolling window {window} is shorter than min_train {}",
                config.min_train
            )))
        }
        _ => {}
    }
    if feats.n_rows < rounds.len() || feats.version != FEATURE_LIST_VERSION {
        return Err(EvalError::LengthMismatch(format!(
            "feature matrix has {} rows (version {}), history has {} rounds",
            feats.n_rows,
            feats.version,
            rounds.len()
        )));
    }
    Ok(())
}

/// Whether the model is refitted before forecasting round `t`, given the round it was last
/// fitted for (`None`: never fitted yet).
fn refit_due(refit: Refit, last_fit: Option<usize>, t: usize) -> bool {
    match (refit, last_fit) {
        (_, None) => true,
        (Refit::Never, Some(_)) => false,
        (Refit::EveryN(k), Some(f)) | (Refit::Rolling { every: k, .. }, Some(f)) => t - f >= k,
    }
}

/// Fits `model` on the training rows for forecast round `t` (ending `gap` rounds before it;
/// the last `window` of them when rolling) and returns the new fold, forecasting `t` so far.
fn fit_fold<F: Forecaster + ?Sized>(
    rounds: &[Multiplier],
    feats: &FeatureMatrix,
    model: &mut F,
    config: &WalkForwardConfig,
    t: usize,
) -> Result<Fold, EvalError> {
    let nc = feats.n_cols;
    let train_end = t - config.gap;
    let train_start = match config.refit {
        Refit::Rolling { window, .. } => train_end.saturating_sub(window),
        _ => 0,
    };
    let view = TrainView {
        features: &feats.data[train_start * nc..train_end * nc],
        n_cols: nc,
        outcomes: &rounds[train_start..train_end],
        thresholds: &config.thresholds,
    };
    model.fit(&view)?;
    Ok(Fold {
        train_start,
        train_end,
        first_forecast: t,
        last_forecast: t,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refit_schedule_reads_as_words() {
        assert_eq!(Refit::Never.to_string(), "never (fitted once)");
        assert_eq!(Refit::EveryN(1000).to_string(), "every 1000 rounds");
        assert_eq!(
            Refit::Rolling {
                every: 500,
                window: 2000
            }
            .to_string(),
            "every 500 rounds on the last 2000"
        );
    }
    use crate::forecast::{Empirical, FairLaw};
    use crate::generator::FairGenerator;

    /// Records what it was given, to check the engine never hands over the future.
    struct Spy {
        seen_train_ends: Vec<usize>,
        rounds: Vec<Multiplier>,
    }

    impl Forecaster for Spy {
        fn name(&self) -> String {
            "spy".into()
        }
        fn fit(&mut self, train: &TrainView<'_>) -> Result<(), EvalError> {
            // Find where the training outcomes end in the full history (the latest match).
            let len = train.n_rows();
            let end = (0..=self.rounds.len())
                .rev()
                .find(|&e| e >= len && self.rounds[e - len..e] == *train.outcomes)
                .unwrap_or(usize::MAX);
            self.seen_train_ends.push(end);
            Ok(())
        }
        fn predict(&self, _row: &[f64], thresholds: &[f64]) -> Vec<f64> {
            vec![0.5; thresholds.len()]
        }
    }

    #[test]
    fn training_never_reaches_the_forecast_round() {
        let rounds = FairGenerator {
            seed: 9,
            house_edge: 0.03,
        }
        .generate(900);
        let cfg = WalkForwardConfig {
            start: 300,
            stride: 1,
            gap: 5,
            refit: Refit::Rolling {
                every: 100,
                window: 250,
            },
            min_train: 100,
            thresholds: vec![2.0],
        };
        let mut spy = Spy {
            seen_train_ends: vec![],
            rounds: rounds.clone(),
        };
        let mut calls = 0;
        let wf = run(&rounds, &mut spy, &cfg, |d, t| {
            calls += 1;
            assert!(d <= t);
        })
        .unwrap();
        assert_eq!(wf.rows.len(), 600);
        assert_eq!(calls, 600);
        assert_eq!(wf.fits, 6);
        // Fits at 300, 400, ..., 800 with training ends t − 5.
        assert_eq!(spy.seen_train_ends, [295, 395, 495, 595, 695, 795]);
        for r in &wf.rows {
            assert_eq!(r.outcome, rounds[r.index]);
        }
    }

    #[test]
    fn refit_schedules_and_errors() {
        let rounds = FairGenerator {
            seed: 2,
            house_edge: 0.03,
        }
        .generate(1000);
        let mut m = Empirical::default();
        let base = WalkForwardConfig {
            start: 200,
            stride: 10,
            min_train: 100,
            thresholds: vec![1.5, 2.0],
            ..WalkForwardConfig::default()
        };
        let never = run(
            &rounds,
            &mut m,
            &WalkForwardConfig {
                refit: Refit::Never,
                ..base.clone()
            },
            |_, _| {},
        )
        .unwrap();
        assert_eq!(never.fits, 1);
        assert_eq!(never.rows.len(), 80);
        let every = run(
            &rounds,
            &mut m,
            &WalkForwardConfig {
                refit: Refit::EveryN(100),
                ..base.clone()
            },
            |_, _| {},
        )
        .unwrap();
        assert_eq!(every.fits, 8);
        let mut f = FairLaw::fixed(0.03);
        assert!(run(&rounds[..50], &mut f, &base, |_, _| {}).is_err());
        assert!(run(
            &rounds,
            &mut f,
            &WalkForwardConfig {
                stride: 0,
                ..base.clone()
            },
            |_, _| {}
        )
        .is_err());
        assert!(run(&[], &mut f, &base, |_, _| {}).is_err());
    }

    #[test]
    fn fit_points_say_where_each_fold_starts_and_a_false_progress_stops_the_run() {
        let rounds = FairGenerator {
            seed: 5,
            ..FairGenerator::default()
        }
        .generate(1300);
        let feats = features::compute(&rounds);
        for (refit, stride) in [
            (Refit::Never, 1),
            (Refit::EveryN(170), 1),
            (Refit::EveryN(100), 7),
            (
                Refit::Rolling {
                    every: 300,
                    window: 250,
                },
                3,
            ),
        ] {
            let cfg = WalkForwardConfig {
                start: 400,
                gap: 2,
                stride,
                refit,
                ..WalkForwardConfig::default()
            };
            let wf = run(&rounds, &mut Empirical::default(), &cfg, |_, _| {}).unwrap();
            let points = fit_points(rounds.len(), &cfg);
            let firsts: Vec<usize> = wf.folds.iter().map(|f| f.first_forecast).collect();
            let at: Vec<usize> = points.iter().map(|&p| wf.rows[p].index).collect();
            assert_eq!(at, firsts, "{refit}");
            let mut calls = 0;
            let stopped = run_while(&rounds, &feats, &mut Empirical::default(), &cfg, |d, _| {
                calls += 1;
                d < 10
            });
            assert_eq!(stopped.unwrap_err(), EvalError::Cancelled);
            assert_eq!(calls, 10);
        }
        assert!(fit_points(100, &WalkForwardConfig::default()).is_empty());
    }

    #[test]
    fn a_closed_gate_keeps_the_last_fit_for_the_rest_of_the_run() {
        let rounds = FairGenerator {
            seed: 6,
            ..FairGenerator::default()
        }
        .generate(1500);
        let feats = features::compute(&rounds);
        let cfg = WalkForwardConfig {
            start: 500,
            refit: Refit::EveryN(100),
            ..WalkForwardConfig::default()
        };
        let mut asked = 0;
        let wf = run_gated(
            &rounds,
            &feats,
            &mut Empirical::default(),
            &cfg,
            |_, _| true,
            || {
                asked += 1;
                asked <= 3
            },
        )
        .unwrap();
        // The first fit, three refits allowed, then the gate stays shut.
        assert_eq!(wf.fits, 4);
        assert_eq!(wf.rows.len(), 1000);
        let last = wf.folds.last().unwrap();
        assert_eq!((last.first_forecast, last.last_forecast), (800, 1499));
        let open = run_gated(
            &rounds,
            &feats,
            &mut Empirical::default(),
            &cfg,
            |_, _| true,
            || true,
        )
        .unwrap();
        assert_eq!(open.fits, 10);
    }

    #[test]
    fn folds_cover_every_forecast_once_in_order() {
        let rounds = FairGenerator {
            seed: 4,
            ..FairGenerator::default()
        }
        .generate(1300);
        for refit in [
            Refit::Never,
            Refit::EveryN(170),
            Refit::Rolling {
                every: 300,
                window: 250,
            },
        ] {
            let cfg = WalkForwardConfig {
                start: 400,
                gap: 3,
                refit,
                ..WalkForwardConfig::default()
            };
            let wf = run(&rounds, &mut Empirical::default(), &cfg, |_, _| {}).unwrap();
            assert_eq!(wf.folds.len(), wf.fits);
            let covered: usize = wf
                .folds
                .iter()
                .map(|f| f.last_forecast - f.first_forecast + 1)
                .sum();
            assert_eq!(covered, wf.rows.len());
            assert_eq!(wf.folds[0].first_forecast, 400);
            assert_eq!(wf.folds.last().unwrap().last_forecast, 1299);
            for pair in wf.folds.windows(2) {
                assert_eq!(pair[0].last_forecast + 1, pair[1].first_forecast);
            }
            for f in &wf.folds {
                assert_eq!(f.train_end + 3, f.first_forecast);
                if let Refit::Rolling { window, .. } = refit {
                    assert_eq!(f.train_end - f.train_start, window);
                } else {
                    assert_eq!(f.train_start, 0);
                }
            }
        }
    }
}
