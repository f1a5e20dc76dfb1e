//! Probability calibration, fitted out of sample: isotonic regression (pool-adjacent-
//! violators) and Platt scaling (logistic regression on the logit).

use crate::util::{logit, sigmoid};
use serde::{Deserialize, Serialize};

/// Which calibration the stacked ensemble fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CalibrationMethod {
    None,
    Platt,
    Isotonic,
}

/// Calibrated probabilities are kept in [CAL_EPS, 1 − CAL_EPS].
pub const CAL_EPS: f64 = 1e-4;

/// A fitted calibration map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Calibrator {
    Identity,
    /// p' = σ(a·logit(p) + b).
    Platt {
        a: f64,
        b: f64,
    },
    /// Piecewise-linear interpolation through (xs, ys), constant outside (as scikit-learn's
    /// `IsotonicRegression(out_of_bounds="clip")`).
    Isotonic {
        xs: Vec<f64>,
        ys: Vec<f64>,
    },
}

impl Calibrator {
    pub fn fit(method: CalibrationMethod, p: &[f64], y: &[bool]) -> Self {
        match method {
            CalibrationMethod::None => Self::Identity,
            CalibrationMethod::Platt => {
                let (a, b) = platt_fit(p, y);
                Self::Platt { a, b }
            }
            CalibrationMethod::Isotonic => {
                let yf: Vec<f64> = y.iter().map(|b| if *b { 1.0 } else { 0.0 }).collect();
                let (xs, ys) = isotonic_fit(p, &yf, None);
                if xs.is_empty() {
                    Self::Identity
                } else {
                    Self::Isotonic { xs, ys }
                }
            }
        }
    }

    pub fn apply(&self, p: f64) -> f64 {
        let out = match self {
            Self::Identity => {
                return if p.is_finite() {
                    p.clamp(0.0, 1.0)
                } else {
                    0.5
                }
            }
            Self::Platt { a, b } => sigmoid(a * logit(p) + b),
            Self::Isotonic { xs, ys } => interpolate(xs, ys, p),
        };
        if out.is_finite() {
            out.clamp(CAL_EPS, 1.0 - CAL_EPS)
        } else {
            0.5
        }
    }
}

/// Pool-adjacent-violators: the non-decreasing sequence closest to `y` in weighted least
/// squares (`y` already ordered). Returns one fitted value per input.
pub fn pav(y: &[f64], w: Option<&[f64]>) -> Vec<f64> {
    // Blocks: (weighted mean, weight, count).
    let mut blocks: Vec<(f64, f64, usize)> = Vec::with_capacity(y.len());
    for (i, &v) in y.iter().enumerate() {
        let wi = w.and_then(|w| w.get(i)).copied().unwrap_or(1.0).max(0.0);
        blocks.push((v, wi, 1));
        while blocks.len() >= 2 {
            let (m2, w2, c2) = blocks[blocks.len() - 1];
            let (m1, w1, c1) = blocks[blocks.len() - 2];
            if m1 <= m2 {
                break;
            }
            let wsum = w1 + w2;
            let m = if wsum > 0.0 {
                (m1 * w1 + m2 * w2) / wsum
            } else {
                (m1 + m2) / 2.0
            };
            blocks.pop();
            if let Some(last) = blocks.last_mut() {
                *last = (m, wsum, c1 + c2);
            }
        }
    }
    let mut out = Vec::with_capacity(y.len());
    for (m, _, c) in blocks {
        out.extend(std::iter::repeat_n(m, c));
    }
    out
}

/// Isotonic regression of `y` on `x`: sorts by x (ties pooled), runs PAV and returns the
/// interpolation knots (the first and last x of every block, with the block value).
pub fn isotonic_fit(x: &[f64], y: &[f64], w: Option<&[f64]>) -> (Vec<f64>, Vec<f64>) {
    let mut idx: Vec<usize> = (0..x.len().min(y.len()))
        .filter(|&i| x[i].is_finite() && y[i].is_finite())
        .collect();
    if idx.is_empty() {
        return (Vec::new(), Vec::new());
    }
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    // Pool equal x first.
    let mut ux: Vec<f64> = Vec::new();
    let mut uy: Vec<f64> = Vec::new();
    let mut uw: Vec<f64> = Vec::new();
    for &i in &idx {
        let wi = w.and_then(|w| w.get(i)).copied().unwrap_or(1.0).max(0.0);
        match ux.last() {
            Some(&lx) if lx == x[i] => {
                let k = uy.len() - 1;
                let tot = uw[k] + wi;
                if tot > 0.0 {
                    uy[k] = (uy[k] * uw[k] + y[i] * wi) / tot;
                }
                uw[k] = tot;
            }
            _ => {
                ux.push(x[i]);
                uy.push(y[i]);
                uw.push(wi);
            }
        }
    }
    let fitted = pav(&uy, Some(&uw));
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    let mut i = 0;
    while i < fitted.len() {
        let mut j = i;
        while j + 1 < fitted.len() && fitted[j + 1] == fitted[i] {
            j += 1;
        }
        xs.push(ux[i]);
        ys.push(fitted[i]);
        if j > i {
            xs.push(ux[j]);
            ys.push(fitted[i]);
        }
        i = j + 1;
    }
    (xs, ys)
}

fn interpolate(xs: &[f64], ys: &[f64], p: f64) -> f64 {
    let n = xs.len().min(ys.len());
    if n == 0 || !p.is_finite() {
        return 0.5;
    }
    if p <= xs[0] {
        return ys[0];
    }
    if p >= xs[n - 1] {
        return ys[n - 1];
    }
    let j = xs[..n].partition_point(|v| *v <= p);
    // xs[j-1] ≤ p < xs[j]
    let (x0, x1, y0, y1) = (xs[j - 1], xs[j], ys[j - 1], ys[j]);
    if x1 > x0 {
        y0 + (y1 - y0) * (p - x0) / (x1 - x0)
    } else {
        y1
    }
}

/// Platt scaling: maximum-likelihood (a, b) of P(y) = σ(a·logit(p) + b) by Newton's method
/// with a tiny ridge (1e-9) for stability. Falls back to the identity (1, 0) when degenerate.
pub fn platt_fit(p: &[f64], y: &[bool]) -> (f64, f64) {
    let n = p.len().min(y.len());
    if n < 2 {
        return (1.0, 0.0);
    }
    let z: Vec<f64> = p[..n].iter().map(|v| logit(*v)).collect();
    let (mut a, mut b) = (1.0f64, 0.0f64);
    let ridge = 1e-9;
    let loss = |a: f64, b: f64| -> f64 {
        let mut s = 0.0;
        for i in 0..n {
            let s_i = a * z[i] + b;
            let sp = if s_i > 0.0 {
                s_i + (-s_i).exp().ln_1p()
            } else {
                s_i.exp().ln_1p()
            };
            s += sp - if y[i] { s_i } else { 0.0 };
        }
        s / n as f64 + 0.5 * ridge * (a * a + b * b)
    };
    let mut f = loss(a, b);
    for _ in 0..100 {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for i in 0..n {
            let q = sigmoid(a * z[i] + b);
            let r = q - if y[i] { 1.0 } else { 0.0 };
            let w = q * (1.0 - q);
            ga += r * z[i];
            gb += r;
            haa += w * z[i] * z[i];
            hab += w * z[i];
            hbb += w;
        }
        let nf = n as f64;
        ga = ga / nf + ridge * a;
        gb = gb / nf + ridge * b;
        haa = haa / nf + ridge;
        hab /= nf;
        hbb = hbb / nf + ridge;
        if ga.abs().max(gb.abs()) < 1e-10 {
            break;
        }
        let det = haa * hbb - hab * hab;
        if det.is_nan() || det <= 0.0 || !det.is_finite() {
            break;
        }
        let da = (hbb * ga - hab * gb) / det;
        let db = (haa * gb - hab * ga) / det;
        let mut t = 1.0;
        let mut ok = false;
        for _ in 0..30 {
            let (na, nb) = (a - t * da, b - t * db);
            let fc = loss(na, nb);
            if fc <= f {
                a = na;
                b = nb;
                f = fc;
                ok = true;
                break;
            }
            t *= 0.5;
        }
        if !ok {
            break;
        }
    }
    if a.is_finite() && b.is_finite() {
        (a, b)
    } else {
        (1.0, 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pav_hand_worked() {
        // 1, 3, 2, 4, 3, 5 → (3, 2) pooled to 2.5, (4, 3) pooled to 3.5.
        let f = pav(&[1.0, 3.0, 2.0, 4.0, 3.0, 5.0], None);
        assert_eq!(f, [1.0, 2.5, 2.5, 3.5, 3.5, 5.0]);
        // A cascade: 4, 3, 2, 1 → all 2.5; weights: (3·1 + 1·3)/4 = 1.5.
        assert_eq!(pav(&[4.0, 3.0, 2.0, 1.0], None), [2.5; 4]);
        assert_eq!(pav(&[3.0, 1.0], Some(&[1.0, 3.0])), [1.5, 1.5]);
        // 0/1 labels: 0 1 0 0 1 1 → 0, 1/3, 1/3, 1/3, 1, 1.
        let g = pav(&[0.0, 1.0, 0.0, 0.0, 1.0, 1.0], None);
        let third = 1.0 / 3.0;
        for (a, b) in g.iter().zip([0.0, third, third, third, 1.0, 1.0]) {
            assert!((a - b).abs() < 1e-15);
        }
    }

    #[test]
    fn isotonic_knots_and_interpolation() {
        let x = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
        let y = [0.0, 1.0, 0.0, 0.0, 1.0, 1.0];
        let (xs, ys) = isotonic_fit(&x, &y, None);
        assert_eq!(xs, [0.1, 0.2, 0.4, 0.5, 0.6]);
        let third = 1.0 / 3.0;
        assert_eq!(ys, [0.0, third, third, 1.0, 1.0]);
        let c = Calibrator::Isotonic { xs, ys };
        assert!((c.apply(0.15) - (0.5 * third).max(CAL_EPS)).abs() < 1e-12);
        assert!((c.apply(0.3) - third).abs() < 1e-12);
        assert!((c.apply(0.45) - (third + 0.5 * (1.0 - third))).abs() < 1e-12);
        assert_eq!(c.apply(0.0), CAL_EPS);
        assert_eq!(c.apply(0.99), 1.0 - CAL_EPS);
    }

    #[test]
    fn platt_recovers_known_map() {
        // y ~ Bernoulli(σ(2·logit(p) − 0.5)), p on a grid; deterministic uniforms.
        let (a0, b0) = (2.0, -0.5);
        let mut p = Vec::new();
        let mut y = Vec::new();
        let mut s = 99u64;
        for i in 0..40_000 {
            let pi = 0.05 + 0.9 * (i % 181) as f64 / 180.0;
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = (s >> 11) as f64 / (1u64 << 53) as f64;
            p.push(pi);
            y.push(u < sigmoid(a0 * logit(pi) + b0));
        }
        let (a, b) = platt_fit(&p, &y);
        assert!((a - a0).abs() < 0.08, "a = {a}");
        assert!((b - b0).abs() < 0.05, "b = {b}");
        // Already calibrated → close to the identity.
        let y2: Vec<bool> = p
            .iter()
            .enumerate()
            .map(|(i, pi)| ((i * 7919) % 1000) as f64 / 1000.0 < *pi)
            .collect();
        let (a2, b2) = platt_fit(&p, &y2);
        assert!((a2 - 1.0).abs() < 0.1 && b2.abs() < 0.1, "{a2} {b2}");
        assert_eq!(platt_fit(&[], &[]), (1.0, 0.0));
    }
}
