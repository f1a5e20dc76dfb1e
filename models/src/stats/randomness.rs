//! Tests of randomness: autocorrelation and Ljung–Box, the Wald–Wolfowitz runs test, and
//! Pearson chi-square tests of goodness of fit and of independence. Re-exported from
//! [`crate::stats`].

use super::{chi2_sf, noncentrality_for_power, normal_two_sided_p, ALPHA, POWER};
use crate::error::EvalError;
use serde::{Deserialize, Serialize};

/// Sample autocorrelation at lags 1..=max_lag (statsmodels `acf` convention: autocovariances
/// divided by n, around the full-sample mean).
pub fn acf(x: &[f64], max_lag: usize) -> Vec<f64> {
    let n = x.len();
    if n == 0 {
        return vec![0.0; max_lag];
    }
    let mean = x.iter().sum::<f64>() / n as f64;
    let dev: Vec<f64> = x.iter().map(|v| v - mean).collect();
    let c0: f64 = dev.iter().map(|d| d * d).sum();
    (1..=max_lag)
        .map(|k| {
            if k >= n || c0 == 0.0 {
                return 0.0;
            }
            let ck: f64 = (k..n).map(|i| dev[i] * dev[i - k]).sum();
            ck / c0
        })
        .collect()
}

/// The result of one hypothesis test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestResult {
    pub statistic: f64,
    pub df: Option<f64>,
    pub p_value: f64,
}

/// Ljung–Box Q = n(n+2) Σ_{k=1..h} r_k²/(n−k), p from χ²(h).
pub fn ljung_box(x: &[f64], lags: usize) -> Result<TestResult, EvalError> {
    if lags == 0 {
        return Err(EvalError::InvalidConfig(
            "Ljung–Box needs at least one lag".into(),
        ));
    }
    if x.len() < lags + 2 {
        return Err(EvalError::too_few("Ljung–Box", lags + 2, x.len()));
    }
    let n = x.len() as f64;
    let r = acf(x, lags);
    let q = n
        * (n + 2.0)
        * r.iter()
            .enumerate()
            .map(|(i, rk)| rk * rk / (n - (i + 1) as f64))
            .sum::<f64>();
    Ok(TestResult {
        statistic: q,
        df: Some(lags as f64),
        p_value: chi2_sf(q, lags as f64),
    })
}

/// Wald–Wolfowitz runs test on a two-valued sequence (normal approximation, no continuity
/// correction). Statistic: z = (R − μ)/σ with μ = 2n₁n₂/n + 1,
/// σ² = 2n₁n₂(2n₁n₂ − n)/(n²(n − 1)). Negative z: fewer runs than chance (clustering).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunsTest {
    pub runs: u64,
    pub n_true: u64,
    pub n_false: u64,
    pub expected_runs: f64,
    pub z: f64,
    pub p_value: f64,
}

pub fn runs_test(x: &[bool]) -> Result<RunsTest, EvalError> {
    let n1 = x.iter().filter(|b| **b).count() as u64;
    let n2 = x.len() as u64 - n1;
    if n1 == 0 || n2 == 0 {
        return Err(EvalError::Degenerate(
            "runs test needs both outcomes to occur".into(),
        ));
    }
    let runs = 1 + x.windows(2).filter(|w| w[0] != w[1]).count() as u64;
    let (a, b) = (n1 as f64, n2 as f64);
    let n = a + b;
    let mu = 2.0 * a * b / n + 1.0;
    let var = 2.0 * a * b * (2.0 * a * b - n) / (n * n * (n - 1.0));
    if var <= 0.0 {
        return Err(EvalError::Degenerate("runs test variance is zero".into()));
    }
    let z = (runs as f64 - mu) / var.sqrt();
    Ok(RunsTest {
        runs,
        n_true: n1,
        n_false: n2,
        expected_runs: mu,
        z,
        p_value: normal_two_sided_p(z),
    })
}

/// Pearson chi-square goodness of fit after merging adjacent cells until every expected
/// count is at least `min_expected` (a short last cell is merged into its neighbour).
/// `expected` are counts (summing to the observed total). `fitted_params` reduces df.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChiSquareGof {
    pub statistic: f64,
    pub df: f64,
    pub p_value: f64,
    /// Cells after merging: (first original index, last original index, observed, expected).
    pub cells: Vec<(usize, usize, f64, f64)>,
    /// Cohen's w the test detects with 80% power at α = 0.05: sqrt(λ/n).
    pub min_detectable_w: f64,
}

pub fn chi_square_gof(
    observed: &[f64],
    expected: &[f64],
    min_expected: f64,
    fitted_params: usize,
) -> Result<ChiSquareGof, EvalError> {
    if observed.len() != expected.len() {
        return Err(EvalError::LengthMismatch(
            "observed vs expected cells".into(),
        ));
    }
    let mut cells: Vec<(usize, usize, f64, f64)> = Vec::new();
    let mut cur: Option<(usize, usize, f64, f64)> = None;
    for i in 0..observed.len() {
        let c = match cur.take() {
            Some((s, _, o, e)) => (s, i, o + observed[i], e + expected[i]),
            None => (i, i, observed[i], expected[i]),
        };
        if c.3 >= min_expected {
            cells.push(c);
        } else {
            cur = Some(c);
        }
    }
    if let Some(rest) = cur {
        match cells.last_mut() {
            Some(last) => {
                last.1 = rest.1;
                last.2 += rest.2;
                last.3 += rest.3;
            }
            None => cells.push(rest),
        }
    }
    let k = cells.len();
    if k < 2 + fitted_params {
        return Err(EvalError::too_few(
            "chi-square cells after merging",
            2 + fitted_params,
            k,
        ));
    }
    let stat: f64 = cells.iter().map(|c| (c.2 - c.3).powi(2) / c.3).sum();
    let df = (k - 1 - fitted_params) as f64;
    let n: f64 = cells.iter().map(|c| c.2).sum();
    let lambda = noncentrality_for_power(df, ALPHA, POWER);
    Ok(ChiSquareGof {
        statistic: stat,
        df,
        p_value: chi2_sf(stat, df),
        cells,
        min_detectable_w: (lambda / n.max(1.0)).sqrt(),
    })
}

/// Pearson chi-square test of independence on an r×c table of counts (rows/columns that
/// are entirely empty are dropped). Returns the statistic, df and p.
pub fn chi_square_independence(table: &[Vec<f64>]) -> Result<TestResult, EvalError> {
    let rows: Vec<&Vec<f64>> = table
        .iter()
        .filter(|r| r.iter().sum::<f64>() > 0.0)
        .collect();
    let ncols = rows.first().map_or(0, |r| r.len());
    let col_tot: Vec<f64> = (0..ncols)
        .map(|j| rows.iter().map(|r| r[j]).sum())
        .collect();
    let keep: Vec<usize> = (0..ncols).filter(|&j| col_tot[j] > 0.0).collect();
    if rows.len() < 2 || keep.len() < 2 {
        return Err(EvalError::Degenerate(
            "independence test needs at least two non-empty rows and columns".into(),
        ));
    }
    let total: f64 = col_tot.iter().sum();
    let mut stat = 0.0;
    for r in &rows {
        let rt: f64 = r.iter().sum();
        for &j in &keep {
            let e = rt * col_tot[j] / total;
            stat += (r[j] - e).powi(2) / e;
        }
    }
    let df = ((rows.len() - 1) * (keep.len() - 1)) as f64;
    Ok(TestResult {
        statistic: stat,
        df: Some(df),
        p_value: chi2_sf(stat, df),
    })
}
