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

/// Settings of the logistic regression.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LogisticConfig {
    /// λ in mean log loss + (λ/2)·‖w‖² (intercept not penalised). The default 1.0 was
    /// chosen on synthetic data (a planted edge vs fair seeds): weaker penalties overfit the
    /// 90 features and lose to the fair law even on fair data.
    pub l2: f64,
    pub max_iter: usize,
    /// Stop when the largest gradient component is below this.
    pub tol: f64,
}

impl Default for LogisticConfig {
    fn default() -> Self {
        Self {
            l2: 1.0,
            max_iter: 50,
            tol: 1e-7,
        }
    }
}

/// L2-regularised logistic regression, one model per threshold, on features standardised
/// with the mean and standard deviation of the training window. Deterministic (Newton's
/// method with a Cholesky solve and backtracking, warm-started from the previous fit).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Logistic {
    pub config: LogisticConfig,
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
    /// Per threshold: intercept then one weight per feature.
    pub weights: Vec<Vec<f64>>,
    pub iterations: Vec<usize>,
}

impl Logistic {
    pub fn new(config: LogisticConfig) -> Self {
        Self {
            config,
            ..Self::default()
        }
    }
}

#[inline]
fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// log(1 + e^z) without overflow.
#[inline]
fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

/// Cholesky solve of the symmetric positive-definite `a` (dim×dim, upper triangle filled)
/// for `b`. Returns None if not positive definite.
fn cholesky_solve(a: &[f64], b: &[f64], dim: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; dim * dim];
    for i in 0..dim {
        for j in 0..=i {
            let mut s = a[j * dim + i]; // upper triangle: (j, i) with j ≤ i
            for k in 0..j {
                s -= l[i * dim + k] * l[j * dim + k];
            }
            if i == j {
                if s <= 0.0 || !s.is_finite() {
                    return None;
                }
                l[i * dim + i] = s.sqrt();
            } else {
                l[i * dim + j] = s / l[j * dim + j];
            }
        }
    }
    let mut y = vec![0.0; dim];
    for i in 0..dim {
        let mut s = b[i];
        for k in 0..i {
            s -= l[i * dim + k] * y[k];
        }
        y[i] = s / l[i * dim + i];
    }
    let mut x = vec![0.0; dim];
    for i in (0..dim).rev() {
        let mut s = y[i];
        for k in i + 1..dim {
            s -= l[k * dim + i] * x[k];
        }
        x[i] = s / l[i * dim + i];
    }
    Some(x)
}

/// Fits one regularised logistic model on the design `x` (rows of `dim`, first column 1).
fn fit_logistic(
    x: &[f64],
    y: &[bool],
    dim: usize,
    cfg: &LogisticConfig,
    init: Option<&[f64]>,
) -> (Vec<f64>, usize) {
    let n = y.len();
    let nf = n as f64;
    let k = y.iter().filter(|b| **b).count() as f64;
    let mut w = match init {
        Some(w0) if w0.len() == dim => w0.to_vec(),
        _ => {
            let mut w = vec![0.0; dim];
            let p = (k + 0.5) / (nf + 1.0);
            w[0] = (p / (1.0 - p)).ln();
            w
        }
    };
    let lam = cfg.l2.max(0.0);
    let lam0 = 1e-6; // keeps the intercept finite when a threshold never (or always) occurs
    let objective = |w: &[f64]| -> f64 {
        let mut s = 0.0;
        for (i, yi) in y.iter().enumerate() {
            let row = &x[i * dim..(i + 1) * dim];
            let z: f64 = row.iter().zip(w).map(|(a, b)| a * b).sum();
            s += softplus(z) - if *yi { z } else { 0.0 };
        }
        s / nf + 0.5 * lam * w[1..].iter().map(|v| v * v).sum::<f64>() + 0.5 * lam0 * w[0] * w[0]
    };
    let mut iters = 0;
    let mut f = objective(&w);
    let mut grad = vec![0.0; dim];
    let mut hess = vec![0.0; dim * dim];
    while iters < cfg.max_iter {
        iters += 1;
        grad.iter_mut().for_each(|g| *g = 0.0);
        hess.iter_mut().for_each(|h| *h = 0.0);
        for (i, yi) in y.iter().enumerate() {
            let row = &x[i * dim..(i + 1) * dim];
            let z: f64 = row.iter().zip(&w).map(|(a, b)| a * b).sum();
            let p = sigmoid(z);
            let r = p - if *yi { 1.0 } else { 0.0 };
            let q = p * (1.0 - p);
            for a in 0..dim {
                grad[a] += r * row[a];
                let qa = q * row[a];
                let hrow = &mut hess[a * dim + a..(a + 1) * dim];
                for (h, xb) in hrow.iter_mut().zip(&row[a..]) {
                    *h += qa * xb;
                }
            }
        }
        for a in 0..dim {
            grad[a] = grad[a] / nf + if a == 0 { lam0 * w[0] } else { lam * w[a] };
            for b in a..dim {
                hess[a * dim + b] /= nf;
            }
            hess[a * dim + a] += if a == 0 { lam0 } else { lam };
        }
        let gmax = grad.iter().fold(0.0f64, |m, g| m.max(g.abs()));
        if gmax < cfg.tol {
            break;
        }
        let Some(step) = cholesky_solve(&hess, &grad, dim) else {
            break;
        };
        let mut t = 1.0;
        let mut accepted = false;
        for _ in 0..30 {
            let cand: Vec<f64> = w.iter().zip(&step).map(|(a, s)| a - t * s).collect();
            let fc = objective(&cand);
            if fc <= f {
                w = cand;
                f = fc;
                accepted = true;
                break;
            }
            t *= 0.5;
        }
        if !accepted {
            break;
        }
    }
    (w, iters)
}

impl Forecaster for Logistic {
    fn name(&self) -> String {
        format!("logistic (L2 λ = {})", self.config.l2)
    }

    fn fit(&mut self, train: &TrainView<'_>) -> Result<(), EvalError> {
        let n = train.n_rows();
        let d = train.n_cols;
        if n < 2 {
            return Err(EvalError::too_few(
                "logistic regression training rows",
                2,
                n,
            ));
        }
        let nf = n as f64;
        let mut mean = vec![0.0; d];
        for i in 0..n {
            for (m, v) in mean.iter_mut().zip(train.row(i)) {
                *m += v;
            }
        }
        mean.iter_mut().for_each(|m| *m /= nf);
        let mut var = vec![0.0; d];
        for i in 0..n {
            for ((s, v), m) in var.iter_mut().zip(train.row(i)).zip(&mean) {
                *s += (v - m) * (v - m);
            }
        }
        // A constant column gets scale 1: after centring it is all zeros and has no effect.
        let scale: Vec<f64> = var
            .iter()
            .map(|s| {
                let sd = (s / nf).sqrt();
                if sd > 1e-12 {
                    sd
                } else {
                    1.0
                }
            })
            .collect();
        let dim = d + 1;
        let mut x = vec![0.0; n * dim];
        for i in 0..n {
            let out = &mut x[i * dim..(i + 1) * dim];
            out[0] = 1.0;
            for (j, v) in train.row(i).iter().enumerate() {
                out[j + 1] = (v - mean[j]) / scale[j];
            }
        }
        let previous = std::mem::take(&mut self.weights);
        self.weights.clear();
        self.iterations.clear();
        for (k, &t) in train.thresholds.iter().enumerate() {
            let h = threshold_hundredths(t);
            let y: Vec<bool> = train.outcomes.iter().map(|m| m.0 >= h).collect();
            let (w, it) = fit_logistic(
                &x,
                &y,
                dim,
                &self.config,
                previous.get(k).map(|v| v.as_slice()),
            );
            self.weights.push(w);
            self.iterations.push(it);
        }
        self.mean = mean;
        self.scale = scale;
        Ok(())
    }

    fn predict(&self, row: &[f64], thresholds: &[f64]) -> Vec<f64> {
        (0..thresholds.len())
            .map(|k| match self.weights.get(k) {
                Some(w) if w.len() == row.len() + 1 => {
                    let mut z = w[0];
                    for (j, v) in row.iter().enumerate() {
                        z += w[j + 1] * (v - self.mean[j]) / self.scale[j];
                    }
                    sigmoid(z)
                }
                _ => 0.5,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
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
