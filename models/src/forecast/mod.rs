//! Targets and forecasters: P(X ≥ t) for a list of cash-out thresholds t.
//!
//! A [`Forecaster`] is fitted on a [`TrainView`] (feature rows of past rounds and the
//! outcomes of those same rounds) and predicts from one feature row. It never receives the
//! round history itself, only these slices, which the walk-forward engine cuts from the past.
//!
//! Baselines: [`FairLaw`] ((1−h)/t, h fixed or estimated on the training window),
//! [`Empirical`] (base rate of the training window) and [`Logistic`] (L2-regularised
//! logistic regression on standardised features, one model per threshold, Newton's method).

use crate::error::EvalError;
use crate::summary::fair_survival;
use crate::values::Multiplier;
use serde::{Deserialize, Serialize};

mod logistic;

pub use logistic::{Logistic, LogisticConfig};

/// The default cash-out thresholds.
pub const DEFAULT_THRESHOLDS: [f64; 5] = [1.5, 2.0, 3.0, 5.0, 10.0];

/// A threshold in hundredths (2.0 → 200), so that `X ≥ t` is an exact integer comparison.
pub fn threshold_hundredths(t: f64) -> u32 {
    (t * 100.0).round().max(0.0) as u32
}

/// 1{X ≥ t} for one threshold.
pub fn indicator(rounds: &[Multiplier], t: f64) -> Vec<bool> {
    let h = threshold_hundredths(t);
    rounds.iter().map(|m| m.0 >= h).collect()
}

/// Targets for every threshold: `out[k][i]` = 1{X_i ≥ thresholds[k]}.
pub fn indicator_targets(rounds: &[Multiplier], thresholds: &[f64]) -> Vec<Vec<bool>> {
    thresholds.iter().map(|&t| indicator(rounds, t)).collect()
}

/// ln X of every round.
pub fn log_targets(rounds: &[Multiplier]) -> Vec<f64> {
    rounds.iter().map(|m| m.as_f64().ln()).collect()
}

/// The training data a forecaster sees: feature rows of past rounds and their outcomes.
#[derive(Debug, Clone, Copy)]
pub struct TrainView<'a> {
    /// Row-major, `outcomes.len()` rows of `n_cols`.
    pub features: &'a [f64],
    pub n_cols: usize,
    pub outcomes: &'a [Multiplier],
    pub thresholds: &'a [f64],
}

impl<'a> TrainView<'a> {
    pub fn n_rows(&self) -> usize {
        self.outcomes.len()
    }

    pub fn row(&self, i: usize) -> &'a [f64] {
        &self.features[i * self.n_cols..(i + 1) * self.n_cols]
    }
}

/// A model of P(X ≥ t) for each threshold.
pub trait Forecaster {
    fn name(&self) -> String;
    /// Fits on past data only. Called again at each refit with the new training window.
    fn fit(&mut self, train: &TrainView<'_>) -> Result<(), EvalError>;
    /// P(X ≥ t) for each threshold, from the feature row of the round to predict.
    fn predict(&self, row: &[f64], thresholds: &[f64]) -> Vec<f64>;
    /// As [`Forecaster::predict`], also given the rounds before the forecast round
    /// (`history` = rounds `0..t`, oldest first; never round `t` itself), for models that
    /// read the raw sequence. The walk-forward engine calls this one. Default: ignores it.
    fn predict_with_history(
        &self,
        row: &[f64],
        history: &[Multiplier],
        thresholds: &[f64],
    ) -> Vec<f64> {
        let _ = history;
        self.predict(row, thresholds)
    }
}

/// A boxed forecaster (`Box<dyn Forecaster + Send>` as members and the CLI hold them) is
/// a forecaster: every method goes to the box's content, the defaults included.
impl<F: Forecaster + ?Sized> Forecaster for Box<F> {
    fn name(&self) -> String {
        (**self).name()
    }
    fn fit(&mut self, train: &TrainView<'_>) -> Result<(), EvalError> {
        (**self).fit(train)
    }
    fn predict(&self, row: &[f64], thresholds: &[f64]) -> Vec<f64> {
        (**self).predict(row, thresholds)
    }
    fn predict_with_history(
        &self,
        row: &[f64],
        history: &[Multiplier],
        thresholds: &[f64],
    ) -> Vec<f64> {
        (**self).predict_with_history(row, history, thresholds)
    }
}

/// Implements [`Forecaster`] for a wrapper by handing every method to one of its fields:
/// `delegate_forecaster!(impl[A: Arch] Wrapper<A> => 0);` (one list of every method, so a
/// new trait method is delegated everywhere at once).
#[macro_export]
macro_rules! delegate_forecaster {
    (impl[$($generics:tt)*] $ty:ty => $field:tt) => {
        impl<$($generics)*> $crate::forecast::Forecaster for $ty {
            fn name(&self) -> String {
                $crate::forecast::Forecaster::name(&self.$field)
            }
            fn fit(
                &mut self,
                train: &$crate::forecast::TrainView<'_>,
            ) -> Result<(), $crate::error::EvalError> {
                $crate::forecast::Forecaster::fit(&mut self.$field, train)
            }
            fn predict(&self, row: &[f64], thresholds: &[f64]) -> Vec<f64> {
                $crate::forecast::Forecaster::predict(&self.$field, row, thresholds)
            }
            fn predict_with_history(
                &self,
                row: &[f64],
                history: &[$crate::values::Multiplier],
                thresholds: &[f64],
            ) -> Vec<f64> {
                $crate::forecast::Forecaster::predict_with_history(
                    &self.$field,
                    row,
                    history,
                    thresholds,
                )
            }
        }
    };
}

/// The fair-game law P(X ≥ t) = (1 − h)/t.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FairLaw {
    /// `Some(h)`: fixed house edge. `None`: estimated on each training window as
    /// 1 − ĥ = mean over the thresholds of t·p̂_t, clamped to [0.5, 1.0].
    pub house_edge: Option<f64>,
    pub fitted_edge: f64,
}

impl FairLaw {
    pub fn fixed(house_edge: f64) -> Self {
        Self {
            house_edge: Some(house_edge),
            fitted_edge: house_edge,
        }
    }

    pub fn estimated() -> Self {
        Self {
            house_edge: None,
            fitted_edge: crate::generator::DEFAULT_HOUSE_EDGE,
        }
    }
}

impl Forecaster for FairLaw {
    fn name(&self) -> String {
        match self.house_edge {
            Some(h) => format!("fair law (h = {h})"),
            None => "fair law (h estimated)".into(),
        }
    }

    fn fit(&mut self, train: &TrainView<'_>) -> Result<(), EvalError> {
        if let Some(h) = self.house_edge {
            self.fitted_edge = h;
            return Ok(());
        }
        let n = train.n_rows();
        if n == 0 || train.thresholds.is_empty() {
            return Err(EvalError::too_few("fair-law edge estimate", 1, n));
        }
        let rtp = train
            .thresholds
            .iter()
            .map(|&t| {
                let h = threshold_hundredths(t);
                t * train.outcomes.iter().filter(|m| m.0 >= h).count() as f64 / n as f64
            })
            .sum::<f64>()
            / train.thresholds.len() as f64;
        self.fitted_edge = 1.0 - rtp.clamp(0.5, 1.0);
        Ok(())
    }

    fn predict(&self, _row: &[f64], thresholds: &[f64]) -> Vec<f64> {
        thresholds
            .iter()
            .map(|&t| fair_survival(t, self.fitted_edge))
            .collect()
    }
}

/// The base rate of the training window, (k + 0.5)/(n + 1) (never exactly 0 or 1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Empirical {
    pub rates: Vec<f64>,
}

impl Forecaster for Empirical {
    fn name(&self) -> String {
        "empirical base rate".into()
    }

    fn fit(&mut self, train: &TrainView<'_>) -> Result<(), EvalError> {
        let n = train.n_rows();
        self.rates = train
            .thresholds
            .iter()
            .map(|&t| {
                let h = threshold_hundredths(t);
                let k = train.outcomes.iter().filter(|m| m.0 >= h).count();
                (k as f64 + 0.5) / (n as f64 + 1.0)
            })
            .collect();
        Ok(())
    }

    fn predict(&self, _row: &[f64], thresholds: &[f64]) -> Vec<f64> {
        (0..thresholds.len())
            .map(|k| self.rates.get(k).copied().unwrap_or(0.5))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::logistic::sigmoid;
    use super::*;

    #[test]
    fn targets_use_exact_hundredths() {
        let r = [Multiplier(149), Multiplier(150), Multiplier(1000)];
        assert_eq!(indicator(&r, 1.5), [false, true, true]);
        assert_eq!(indicator_targets(&r, &[10.0]), [vec![false, false, true]]);
        assert!((log_targets(&r)[2] - 10f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn logistic_recovers_a_known_model() {
        // y ~ Bernoulli(sigmoid(−0.5 + 1.5·x)) with x on a grid; a tiny penalty.
        let n = 4000;
        let mut feats = Vec::new();
        let mut outs = Vec::new();
        let mut state = 12345u64;
        for i in 0..n {
            let x = (i % 100) as f64 / 25.0 - 2.0;
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            let y = u < sigmoid(-0.5 + 1.5 * x);
            feats.push(x);
            outs.push(if y { Multiplier(300) } else { Multiplier(100) });
        }
        let view = TrainView {
            features: &feats,
            n_cols: 1,
            outcomes: &outs,
            thresholds: &[2.0],
        };
        let mut m = Logistic::new(LogisticConfig {
            l2: 1e-6,
            ..LogisticConfig::default()
        });
        m.fit(&view).unwrap();
        // Back on the original scale: slope = w1/scale, intercept = w0 − w1·mean/scale.
        let slope = m.weights[0][1] / m.scale[0];
        let intercept = m.weights[0][0] - m.weights[0][1] * m.mean[0] / m.scale[0];
        assert!((slope - 1.5).abs() < 0.15, "{slope}");
        assert!((intercept + 0.5).abs() < 0.15, "{intercept}");
        let p = m.predict(&[0.0], &[2.0])[0];
        assert!((p - sigmoid(intercept)).abs() < 1e-9);
    }

    #[test]
    fn baselines() {
        let outs: Vec<Multiplier> = [100, 200, 300, 150]
            .iter()
            .map(|&h| Multiplier(h))
            .collect();
        let feats = vec![0.0; 4];
        let view = TrainView {
            features: &feats,
            n_cols: 1,
            outcomes: &outs,
            thresholds: &[2.0],
        };
        let mut e = Empirical::default();
        e.fit(&view).unwrap();
        assert_eq!(e.predict(&[0.0], &[2.0]), [2.5 / 5.0]);
        let mut f = FairLaw::fixed(0.03);
        f.fit(&view).unwrap();
        assert!((f.predict(&[0.0], &[2.0])[0] - 0.485).abs() < 1e-12);
        let mut g = FairLaw::estimated();
        g.fit(&view).unwrap();
        // 2 · 2/4 = 1.0 → h = 0.
        assert!(g.fitted_edge.abs() < 1e-12);
        // Degenerate labels do not blow up.
        let mut l = Logistic::default();
        l.fit(&TrainView {
            thresholds: &[100.0],
            ..view
        })
        .unwrap();
        let p = l.predict(&[0.0], &[100.0])[0];
        assert!(p.is_finite() && p < 0.2, "{p}");
    }
}
