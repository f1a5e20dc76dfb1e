//! Causal features of a round history, computed for every round in one pass.
//!
//! # The rule
//! Row `t` of a [`FeatureMatrix`] describes the situation *before* round `t` is played: it
//! is computed from rounds `0..t` only (strictly the past) and is the input for predicting
//! round `t`. Row 0 has no past at all. [`compute`] gives rows `0..n` for `n` rounds;
//! [`compute_with_next`] adds row `n`, the input for predicting the round not yet played.
//!
//! # Arithmetic
//! Every statistic works on ℓ = ln X quantised to 2⁻³² (`ℓq = round(ln X · 2³²)`, an `i64`).
//! Sums, sums of squares, lagged products and index-weighted sums of ℓq are kept as exact
//! integers (`i64`/`i128`), so the rolling one-pass computation and the naive from-scratch
//! recomputation ([`compute_naive`]) produce bit-identical features. The quantisation step
//! (2.3·10⁻¹⁰ in ln X) is far below the 0.01 resolution of the game.
//!
//! # Partial windows and defaults
//! A window of `w` rounds at row `t` holds the last `min(t, w)` rounds (a partial window
//! early in the history). With an empty window (row 0) every window statistic is 0 (ln of
//! 1.00x, and share 0); `since_*` is the number of past rounds when no such round exists yet
//! (censored: "at least this many"); lags that do not exist are 0; the category one-hot is
//! all zeros. `past_rounds_500` = min(t, 500)/500 tells a model how full the windows are.
//!
//! # The list (version [`FEATURE_LIST_VERSION`], [`N_FEATURES`] features)
//! For each window w in 20, 50, 100, 200, 500 (13 × 5 = 65):
//! `logx_mean_w`, `logx_std_w` (population), `logx_min_w`, `logx_q10_w`, `logx_q25_w`,
//! `logx_median_w`, `logx_q75_w`, `logx_q90_w`, `logx_max_w` (quantiles: linear
//! interpolation between order statistics, numpy's default "type 7"), `share_ge_1_5_w`,
//! `share_ge_2_w`, `share_ge_3_w`, `share_ge_10_w`.
//! Then: `since_ge_2`, `since_ge_5`, `since_ge_10`, `since_ge_50`, `since_ge_100` (rounds
//! since the last round at or above; 0 = the previous round was), `streak_below_1_5`,
//! `streak_atleast_1_5`, `streak_below_2`, `streak_atleast_2` (length of the current run on
//! that side; 0 if the last round is on the other side), `volatility_20` (mean |Δ ln X| of
//! consecutive rounds in the last 20), `momentum_20_100` (`logx_mean_20 − logx_mean_100`),
//! `trend_50` (least-squares slope of ln X per round over the last 50), `acf1_100`,
//! `acf2_100`, `acf3_100` (sample autocorrelation of ln X in the last 100, statsmodels
//! convention; 0 when undefined), `last1_logx` … `last5_logx`, the one-hot category of the
//! last round `last_cat_lt_1_5`, `last_cat_1_5_to_3`, `last_cat_3_to_10`, `last_cat_ge_10`,
//! and `past_rounds_500`.

use crate::values::Multiplier;
use serde::{Deserialize, Serialize};

/// Bump when the list, the order or a definition changes.
pub const FEATURE_LIST_VERSION: u32 = 1;
/// Window lengths of the window statistics.
pub const WINDOWS: [usize; 5] = [20, 50, 100, 200, 500];
const SHARE_THRESHOLDS: [(u32, &str); 4] = [(150, "1_5"), (200, "2"), (300, "3"), (1000, "10")];
const SINCE_THRESHOLDS: [(u32, &str); 5] = [
    (200, "2"),
    (500, "5"),
    (1000, "10"),
    (5000, "50"),
    (10000, "100"),
];
const QUANTILES: [(f64, &str); 5] = [
    (0.1, "q10"),
    (0.25, "q25"),
    (0.5, "median"),
    (0.75, "q75"),
    (0.9, "q90"),
];
const PER_WINDOW: usize = 13;
const ACF_WINDOW: usize = 100;
const ACF_LAGS: usize = 3;
const TREND_WINDOW_INDEX: usize = 1; // 50
const VOL_WINDOW: usize = 20;
const N_LAST: usize = 5;
/// Number of features in version 1.
pub const N_FEATURES: usize = PER_WINDOW * WINDOWS.len() + 5 + 4 + 3 + ACF_LAGS + N_LAST + 4 + 1;

const SCALE: f64 = 4_294_967_296.0; // 2^32

/// ln X quantised to 2⁻³² (see the module documentation). A hand-built `Multiplier(0)`
/// (never produced by the parser) is read as 0.01 so that the logarithm stays finite.
#[inline]
pub fn quantised_log(m: Multiplier) -> i64 {
    (Multiplier(m.0.max(1)).as_f64().ln() * SCALE).round() as i64
}

/// The names of the features, in column order.
pub fn feature_names() -> Vec<String> {
    let mut names = Vec::with_capacity(N_FEATURES);
    for w in WINDOWS {
        names.push(format!("logx_mean_{w}"));
        names.push(format!("logx_std_{w}"));
        names.push(format!("logx_min_{w}"));
        for (_, q) in QUANTILES {
            names.push(format!("logx_{q}_{w}"));
        }
        names.push(format!("logx_max_{w}"));
        for (_, t) in SHARE_THRESHOLDS {
            names.push(format!("share_ge_{t}_{w}"));
        }
    }
    for (_, t) in SINCE_THRESHOLDS {
        names.push(format!("since_ge_{t}"));
    }
    for s in [
        "streak_below_1_5",
        "streak_atleast_1_5",
        "streak_below_2",
        "streak_atleast_2",
    ] {
        names.push(s.into());
    }
    names.push("volatility_20".into());
    names.push("momentum_20_100".into());
    names.push("trend_50".into());
    for k in 1..=ACF_LAGS {
        names.push(format!("acf{k}_100"));
    }
    for k in 1..=N_LAST {
        names.push(format!("last{k}_logx"));
    }
    for s in [
        "last_cat_lt_1_5",
        "last_cat_1_5_to_3",
        "last_cat_3_to_10",
        "last_cat_ge_10",
    ] {
        names.push(s.into());
    }
    names.push("past_rounds_500".into());
    debug_assert_eq!(names.len(), N_FEATURES);
    names
}

/// A dense row-major matrix of features: row `t` is the input for predicting round `t`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureMatrix {
    pub version: u32,
    pub names: Vec<String>,
    pub n_rows: usize,
    pub n_cols: usize,
    pub data: Vec<f64>,
}

impl FeatureMatrix {
    pub fn row(&self, t: usize) -> &[f64] {
        &self.data[t * self.n_cols..(t + 1) * self.n_cols]
    }

    /// Rows `start..end` as one contiguous slice.
    pub fn rows(&self, start: usize, end: usize) -> &[f64] {
        &self.data[start * self.n_cols..end * self.n_cols]
    }

    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    pub fn column(&self, j: usize) -> Vec<f64> {
        (0..self.n_rows)
            .map(|t| self.data[t * self.n_cols + j])
            .collect()
    }
}

/// Rows `0..n` for `n` rounds (row t uses rounds `0..t`).
pub fn compute(rounds: &[Multiplier]) -> FeatureMatrix {
    compute_rows(rounds, rounds.len())
}

/// Rows `0..=n`: the extra last row is the input for predicting the next, unplayed round.
pub fn compute_with_next(rounds: &[Multiplier]) -> FeatureMatrix {
    compute_rows(rounds, rounds.len() + 1)
}

// ---------------------------------------------------------------------------------------
// Shared finishing arithmetic: both the rolling and the naive path call these with the
// same exact integer aggregates, so their outputs are bit-identical.

#[inline]
fn fin_mean(sum: i64, m: usize) -> f64 {
    if m == 0 {
        0.0
    } else {
        sum as f64 / m as f64 / SCALE
    }
}

#[inline]
fn fin_std(sum: i64, sumsq: i128, m: usize) -> f64 {
    if m == 0 {
        return 0.0;
    }
    let mi = m as i128;
    let num = mi * sumsq - (sum as i128) * (sum as i128);
    (num.max(0) as f64).sqrt() / m as f64 / SCALE
}

#[inline]
fn fin_quantile(sorted: &[i64], p: f64) -> f64 {
    let m = sorted.len();
    if m == 0 {
        return 0.0;
    }
    let h = (m - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(m - 1);
    let frac = h - lo as f64;
    let a = sorted[lo] as f64;
    let b = sorted[hi] as f64;
    (a + frac * (b - a)) / SCALE
}

#[inline]
fn fin_share(count: u32, m: usize) -> f64 {
    if m == 0 {
        0.0
    } else {
        f64::from(count) / m as f64
    }
}

/// Autocorrelation at lag k from exact aggregates: P = Σ x_i x_{i−k} over pairs in the
/// window, a = Σ of the later elements of the pairs, b = Σ of the earlier ones.
#[inline]
fn fin_acf(m: usize, k: usize, s: i64, q: i128, p: i128, a: i64, b: i64) -> f64 {
    if m <= k {
        return 0.0;
    }
    let (mi, si) = (m as i128, s as i128);
    let den = mi * (mi * q - si * si);
    if den <= 0 {
        return 0.0;
    }
    let num = mi * mi * p - mi * si * (a as i128 + b as i128) + (m - k) as i128 * si * si;
    num as f64 / den as f64
}

/// Least-squares slope of the window values against positions 0..m−1, from T = Σ j·x_j.
#[inline]
fn fin_trend(m: usize, s: i64, t: i128) -> f64 {
    if m < 2 {
        return 0.0;
    }
    let mi = m as i128;
    let sj = mi * (mi - 1) / 2;
    let sjj = (mi - 1) * mi * (2 * mi - 1) / 6;
    let num = mi * t - sj * s as i128;
    let den = mi * sjj - sj * sj;
    num as f64 / den as f64 / SCALE
}

#[inline]
fn fin_vol(v: i64, m: usize) -> f64 {
    if m < 2 {
        0.0
    } else {
        v as f64 / (m - 1) as f64 / SCALE
    }
}

#[inline]
fn category(h: u32) -> usize {
    match h {
        0..=149 => 0,
        150..=299 => 1,
        300..=999 => 2,
        _ => 3,
    }
}

/// Writes the non-window features shared by both paths.
struct Tail {
    since: [f64; 5],
    streaks: [f64; 4],
    vol: f64,
    trend: f64,
    acf: [f64; ACF_LAGS],
}

#[allow(clippy::too_many_arguments)]
#[inline]
fn write_tail(
    out: &mut [f64],
    i: &mut usize,
    tail: &Tail,
    mean20: f64,
    mean100: f64,
    lq: &[i64],
    h: &[u32],
    t: usize,
) {
    let mut put = |v: f64| {
        out[*i] = v;
        *i += 1;
    };
    for v in tail.since {
        put(v);
    }
    for v in tail.streaks {
        put(v);
    }
    put(tail.vol);
    put(mean20 - mean100);
    put(tail.trend);
    for v in tail.acf {
        put(v);
    }
    for k in 1..=N_LAST {
        put(if t >= k {
            lq[t - k] as f64 / SCALE
        } else {
            0.0
        });
    }
    let cat = if t >= 1 {
        Some(category(h[t - 1]))
    } else {
        None
    };
    for c in 0..4 {
        put(if cat == Some(c) { 1.0 } else { 0.0 });
    }
    put(t.min(500) as f64 / 500.0);
}

mod naive;
mod rolling;

pub use naive::compute_naive;
use rolling::compute_rows;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::FairGenerator;
    use proptest::prelude::*;

    fn ms(v: &[u32]) -> Vec<Multiplier> {
        v.iter().map(|&h| Multiplier(h)).collect()
    }

    fn assert_same(a: &FeatureMatrix, b: &FeatureMatrix) {
        assert_eq!((a.n_rows, a.n_cols), (b.n_rows, b.n_cols));
        for t in 0..a.n_rows {
            for j in 0..a.n_cols {
                let (x, y) = (a.row(t)[j], b.row(t)[j]);
                assert!(
                    x == y || (x - y).abs() <= 1e-9,
                    "row {t} {}: {x} vs {y}",
                    a.names[j]
                );
            }
        }
    }

    #[test]
    fn names_are_unique_and_counted() {
        let names = feature_names();
        assert_eq!(names.len(), N_FEATURES);
        let mut s = names.clone();
        s.sort();
        s.dedup();
        assert_eq!(s.len(), N_FEATURES);
    }

    #[test]
    fn fast_equals_naive_on_a_long_fair_history() {
        let rounds = FairGenerator {
            seed: 3,
            house_edge: 0.03,
        }
        .generate(1_300);
        let fast = compute(&rounds);
        let naive = compute_naive(&rounds);
        assert_eq!(fast.data, naive.data, "bit-identical");
    }

    #[test]
    fn hand_checked_values() {
        let r = ms(&[100, 250, 149, 1200, 300]);
        let f = compute_with_next(&r);
        assert_eq!(f.n_rows, 6);
        let col = |name: &str| f.column_index(name).unwrap();
        // Row 0: defaults.
        assert!(f.row(0).iter().all(|v| *v == 0.0));
        // Row 5 (after all five rounds).
        let row = f.row(5);
        let mean = [1.0f64, 2.5, 1.49, 12.0, 3.0]
            .iter()
            .map(|v| v.ln())
            .sum::<f64>()
            / 5.0;
        assert!((row[col("logx_mean_20")] - mean).abs() < 1e-9);
        assert!((row[col("logx_median_20")] - 2.5f64.ln()).abs() < 1e-9);
        assert!((row[col("logx_max_500")] - 12.0f64.ln()).abs() < 1e-9);
        assert_eq!(row[col("share_ge_2_50")], 3.0 / 5.0);
        assert_eq!(row[col("share_ge_10_50")], 1.0 / 5.0);
        assert_eq!(row[col("since_ge_2")], 0.0);
        assert_eq!(row[col("since_ge_10")], 1.0);
        assert_eq!(row[col("since_ge_50")], 5.0); // censored: none yet
        assert_eq!(row[col("streak_atleast_2")], 2.0);
        assert_eq!(row[col("streak_below_1_5")], 0.0);
        assert_eq!(row[col("last_cat_3_to_10")], 1.0);
        assert!((row[col("last2_logx")] - 12.0f64.ln()).abs() < 1e-9);
        assert_eq!(row[col("past_rounds_500")], 0.01);
        // Row 3 predicts round 3 from [1.00, 2.50, 1.49].
        let row3 = f.row(3);
        assert_eq!(row3[col("streak_below_1_5")], 1.0);
        assert_eq!(row3[col("since_ge_2")], 1.0);
        assert!((row3[col("logx_min_20")] - 0.0).abs() < 1e-12);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(40))]
        #[test]
        fn fast_equals_naive(v in proptest::collection::vec(prop_oneof![100u32..110, 100u32..400, 100u32..2_000_000], 0..700)) {
            let r = ms(&v);
            let fast = compute(&r);
            let naive = compute_naive(&r);
            prop_assert_eq!(&fast.data, &naive.data);
        }

        /// Changing rounds at or after t never changes rows 0..=t.
        #[test]
        fn causal(v in proptest::collection::vec(100u32..100_000, 1..650), cut in 0usize..650, noise in proptest::collection::vec(100u32..100_000, 650)) {
            let r = ms(&v);
            let t = cut % r.len();
            let mut changed = r.clone();
            for (j, x) in changed.iter_mut().enumerate().skip(t) {
                *x = Multiplier(noise[j]);
            }
            let a = compute_with_next(&r);
            let b = compute_with_next(&changed);
            prop_assert_eq!(a.rows(0, t + 1), b.rows(0, t + 1));
        }
    }

    #[test]
    fn extreme_values_do_not_overflow() {
        let mut v = vec![Multiplier(0), Multiplier(u32::MAX), Multiplier(100)];
        v.extend(std::iter::repeat_n(Multiplier(u32::MAX), 600));
        let f = compute_with_next(&v);
        assert!(f.data.iter().all(|x| x.is_finite()));
        assert_eq!(f.data[..compute(&v).data.len()], compute_naive(&v).data[..]);
    }

    #[test]
    fn empty_and_tiny_histories() {
        assert_eq!(compute(&[]).n_rows, 0);
        assert_eq!(compute_with_next(&[]).n_rows, 1);
        let one = compute_with_next(&ms(&[150]));
        assert_same(&one, &one.clone());
    }
}
