//! From a [`TrainView`] (or one row and its history) to the arrays the networks read.

use models::features::{feature_names, N_FEATURES};
use models::forecast::{threshold_hundredths, TrainView};
use models::values::Multiplier;
use serde::{Deserialize, Serialize};

/// Column of `last1_logx` (then `last2_logx` … `last5_logx`) in the version-1 feature list.
fn last_logx_column() -> Option<usize> {
    feature_names().iter().position(|n| n == "last1_logx")
}

/// Mean and scale of each input column, fitted on the training window only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
    /// Mean and scale of ln X over the training outcomes (for the raw sequence).
    pub seq_mean: f64,
    pub seq_scale: f64,
}

impl Standardizer {
    pub fn fit(features: &[f64], n_cols: usize, outcomes: &[Multiplier]) -> Self {
        let n = features.len().checked_div(n_cols).unwrap_or(0);
        let nf = n.max(1) as f64;
        let mut mean = vec![0.0; n_cols];
        for row in features.chunks_exact(n_cols.max(1)).take(n) {
            for (m, v) in mean.iter_mut().zip(row) {
                *m += v;
            }
        }
        mean.iter_mut().for_each(|m| *m /= nf);
        let mut var = vec![0.0; n_cols];
        for row in features.chunks_exact(n_cols.max(1)).take(n) {
            for ((s, v), m) in var.iter_mut().zip(row).zip(&mean) {
                *s += (v - m) * (v - m);
            }
        }
        let scale = var
            .iter()
            .map(|s| {
                let sd = (s / nf).sqrt();
                if sd > 1e-12 && sd.is_finite() {
                    sd
                } else {
                    1.0
                }
            })
            .collect();
        let logs: Vec<f64> = outcomes.iter().map(|m| ln_x(*m)).collect();
        let lm = logs.iter().sum::<f64>() / logs.len().max(1) as f64;
        let lv = logs.iter().map(|v| (v - lm) * (v - lm)).sum::<f64>() / logs.len().max(1) as f64;
        let ls = lv.sqrt();
        Self {
            mean,
            scale,
            seq_mean: lm,
            seq_scale: if ls > 1e-12 && ls.is_finite() {
                ls
            } else {
                1.0
            },
        }
    }

    /// One standardised feature row, clamped to ±10 (as f32).
    pub fn features(&self, row: &[f64], out: &mut Vec<f32>) {
        for (j, v) in row.iter().enumerate() {
            let m = self.mean.get(j).copied().unwrap_or(0.0);
            let s = self.scale.get(j).copied().unwrap_or(1.0);
            let z = (v - m) / s;
            out.push(if z.is_finite() {
                z.clamp(-10.0, 10.0)
            } else {
                0.0
            } as f32);
        }
    }

    /// The last `len` ln X values (oldest first, missing ones as ln 1.00 = 0), standardised.
    pub fn sequence(&self, last: impl Iterator<Item = f64>, len: usize, out: &mut Vec<f32>) {
        let start = out.len();
        out.resize(start + len, 0.0);
        // `last` yields newest first.
        let mut filled = 0;
        for (k, v) in last.take(len).enumerate() {
            out[start + len - 1 - k] = ((v - self.seq_mean) / self.seq_scale) as f32;
            filled += 1;
        }
        let pad = ((0.0 - self.seq_mean) / self.seq_scale) as f32;
        for v in &mut out[start..start + len - filled] {
            *v = pad;
        }
    }
}

/// ln X of a round (0.01 at least, so it stays finite).
pub fn ln_x(m: Multiplier) -> f64 {
    Multiplier(m.0.max(1)).as_f64().ln()
}

/// The training arrays: `n` rows of standardised features, sequences, targets and ln X.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub n: usize,
    pub n_features: usize,
    pub seq_len: usize,
    pub n_thresholds: usize,
    pub x: Vec<f32>,
    pub seq: Vec<f32>,
    pub y: Vec<f32>,
    pub lnx: Vec<f32>,
}

impl Prepared {
    /// Rows of the training window, in time order. With a window that does not start at
    /// round 0 (a rolling window), the first `seq_len` rows are left out: their history lies
    /// partly outside the window.
    pub fn from_view(view: &TrainView<'_>, std: &Standardizer, seq_len: usize) -> Self {
        let n_all = view.n_rows();
        let from_start = view.n_cols != N_FEATURES
            || n_all == 0
            || view.row(0).last().copied().unwrap_or(0.0) == 0.0;
        let first = if from_start { 0 } else { seq_len.min(n_all) };
        let k = view.thresholds.len();
        let hs: Vec<u32> = view
            .thresholds
            .iter()
            .map(|&t| threshold_hundredths(t))
            .collect();
        let logs: Vec<f64> = view.outcomes.iter().map(|m| ln_x(*m)).collect();
        let n = n_all - first;
        let mut p = Prepared {
            n,
            n_features: view.n_cols,
            seq_len,
            n_thresholds: k,
            x: Vec::with_capacity(n * view.n_cols),
            seq: Vec::with_capacity(n * seq_len),
            y: Vec::with_capacity(n * k),
            lnx: Vec::with_capacity(n),
        };
        for i in first..n_all {
            std.features(view.row(i), &mut p.x);
            std.sequence(logs[..i].iter().rev().copied(), seq_len, &mut p.seq);
            let o = view.outcomes[i];
            p.y.extend(hs.iter().map(|h| if o.0 >= *h { 1.0f32 } else { 0.0 }));
            p.lnx.push(logs[i] as f32);
        }
        p
    }

    /// Rows `idx` gathered into contiguous arrays (x, seq, y, lnx).
    pub fn gather(&self, idx: &[usize]) -> (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>) {
        let (d, s, k) = (self.n_features, self.seq_len, self.n_thresholds);
        let mut x = Vec::with_capacity(idx.len() * d);
        let mut q = Vec::with_capacity(idx.len() * s);
        let mut y = Vec::with_capacity(idx.len() * k);
        let mut l = Vec::with_capacity(idx.len());
        for &i in idx {
            x.extend_from_slice(&self.x[i * d..(i + 1) * d]);
            q.extend_from_slice(&self.seq[i * s..(i + 1) * s]);
            y.extend_from_slice(&self.y[i * k..(i + 1) * k]);
            l.push(self.lnx[i]);
        }
        (x, q, y, l)
    }
}

/// The raw sequence input of one forecast: from the history when given, else from the
/// `last1_logx` … `last5_logx` features of the row.
pub fn sequence_for_predict(
    std: &Standardizer,
    row: &[f64],
    history: Option<&[Multiplier]>,
    seq_len: usize,
    out: &mut Vec<f32>,
) {
    match history {
        Some(h) => std.sequence(h.iter().rev().map(|m| ln_x(*m)), seq_len, out),
        None => {
            let lasts: Vec<f64> = match last_logx_column() {
                Some(c) if row.len() == N_FEATURES && c + 5 <= row.len() => {
                    let past = (row[N_FEATURES - 1] * 500.0).round() as usize;
                    row[c..c + 5].iter().take(past).copied().collect()
                }
                _ => Vec::new(),
            };
            std.sequence(lasts.into_iter(), seq_len, out)
        }
    }
}
