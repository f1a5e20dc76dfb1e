//! Statistical building blocks: distribution tails, tests of randomness, power (smallest
//! detectable effect), multiple-testing correction and the Diebold–Mariano test.
//!
//! Every p-value here is for the stated null hypothesis; every "smallest detectable effect"
//! is at power 80% and two-sided α = 0.05 unless a function says otherwise.
//!
//! The tests of randomness (autocorrelation, Ljung–Box, runs, chi-square) are kept in a
//! submodule of their own and re-exported here.

use crate::error::EvalError;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal, StudentsT};

mod randomness;

pub use randomness::{
    acf, chi_square_gof, chi_square_independence, ljung_box, runs_test, ChiSquareGof, RunsTest,
    TestResult,
};

/// Two-sided α used for the smallest-detectable-effect numbers.
pub const ALPHA: f64 = 0.05;
/// Power used for the smallest-detectable-effect numbers.
pub const POWER: f64 = 0.80;

/// Standard normal CDF.
pub fn normal_cdf(z: f64) -> f64 {
    Normal::standard().cdf(z)
}

/// Standard normal quantile (p in (0, 1)).
pub fn normal_quantile(p: f64) -> f64 {
    Normal::standard().inverse_cdf(p)
}

/// Two-sided p-value of a standard normal statistic.
pub fn normal_two_sided_p(z: f64) -> f64 {
    if !z.is_finite() {
        return if z.is_nan() { 1.0 } else { 0.0 };
    }
    (2.0 * Normal::standard().sf(z.abs())).min(1.0)
}

/// Upper tail P(χ²(df) ≥ x).
pub fn chi2_sf(x: f64, df: f64) -> f64 {
    if x.is_nan() || df <= 0.0 {
        return 1.0;
    }
    if x <= 0.0 {
        return 1.0;
    }
    ChiSquared::new(df).map(|d| d.sf(x)).unwrap_or(1.0)
}

/// Upper quantile: the x with P(χ²(df) ≥ x) = alpha.
pub fn chi2_isf(alpha: f64, df: f64) -> f64 {
    ChiSquared::new(df)
        .map(|d| d.inverse_cdf(1.0 - alpha))
        .unwrap_or(f64::NAN)
}

/// Upper tail P(T(df) ≥ t) of Student's t.
pub fn student_t_sf(t: f64, df: f64) -> f64 {
    if t.is_nan() || df <= 0.0 {
        return 1.0;
    }
    StudentsT::new(0.0, 1.0, df).map(|d| d.sf(t)).unwrap_or(1.0)
}

/// z_{1−α/2} + z_{power}: the multiplier of a standard error that a two-sided z-test at α
/// detects with the given power (ignoring the far tail). 2.8016 for α = 0.05, power 0.8.
pub fn detect_multiplier(alpha: f64, power: f64) -> f64 {
    normal_quantile(1.0 - alpha / 2.0) + normal_quantile(power)
}

/// P(χ'²(df, λ) ≤ x), the non-central chi-square CDF, as the Poisson mixture
/// Σ_j e^{−λ/2}(λ/2)^j/j! · P(χ²(df+2j) ≤ x).
pub fn noncentral_chi2_cdf(x: f64, df: f64, lambda: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if lambda <= 0.0 {
        return 1.0 - chi2_sf(x, df);
    }
    let half = lambda / 2.0;
    // Sum outward from the Poisson mode for numerical stability.
    let mode = half.floor();
    let log_w = |j: f64| -half + j * half.ln() - ln_factorial(j);
    let mut total = 0.0;
    let spread = (10.0 * half.sqrt()).max(20.0) + 10.0;
    let lo = (mode - spread).max(0.0) as u64;
    let hi = (mode + spread) as u64;
    for j in lo..=hi {
        let jf = j as f64;
        let w = log_w(jf).exp();
        if w == 0.0 {
            continue;
        }
        total += w * (1.0 - chi2_sf(x, df + 2.0 * jf));
    }
    total.clamp(0.0, 1.0)
}

fn ln_factorial(j: f64) -> f64 {
    statrs::function::gamma::ln_gamma(j + 1.0)
}

/// The non-centrality λ at which a χ²(df) test at level `alpha` has power `power`
/// (bisection on the non-central chi-square).
pub fn noncentrality_for_power(df: f64, alpha: f64, power: f64) -> f64 {
    let crit = chi2_isf(alpha, df);
    let power_at = |l: f64| 1.0 - noncentral_chi2_cdf(crit, df, l);
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while power_at(hi) < power && hi < 1e6 {
        hi *= 2.0;
    }
    for _ in 0..80 {
        let mid = 0.5 * (lo + hi);
        if power_at(mid) < power {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Holm step-down adjusted p-values, in the input order.
pub fn holm_adjust(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut adjusted = vec![0.0; m];
    let mut running = 0.0f64;
    for (rank, &i) in order.iter().enumerate() {
        let v = ((m - rank) as f64 * p[i]).min(1.0);
        running = running.max(v);
        adjusted[i] = running;
    }
    adjusted
}

/// Diebold–Mariano test for equal predictive accuracy at horizon 1, with the
/// Harvey–Leybourne–Newbold (1997) small-sample correction.
///
/// d_t = loss_a,t − loss_b,t; DM = d̄ / sqrt(γ̂₀/n) with γ̂₀ = (1/n)Σ(d_t − d̄)²;
/// HLN: DM* = DM·sqrt((n + 1 − 2h + h(h−1)/n)/n) = DM·sqrt((n−1)/n) for h = 1,
/// p-values from Student t with n − 1 degrees of freedom.
/// Negative statistic: model `a` has the smaller loss.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DieboldMariano {
    pub n: usize,
    pub mean_difference: f64,
    pub statistic: f64,
    /// H1: the losses differ.
    pub p_two_sided: f64,
    /// H1: model `a` has the smaller expected loss.
    pub p_a_better: f64,
}

pub fn diebold_mariano(loss_a: &[f64], loss_b: &[f64]) -> Result<DieboldMariano, EvalError> {
    if loss_a.len() != loss_b.len() {
        return Err(EvalError::LengthMismatch("Diebold–Mariano losses".into()));
    }
    let n = loss_a.len();
    if n < 3 {
        return Err(EvalError::too_few("Diebold–Mariano", 3, n));
    }
    let d: Vec<f64> = loss_a.iter().zip(loss_b).map(|(a, b)| a - b).collect();
    let nf = n as f64;
    let mean = d.iter().sum::<f64>() / nf;
    let gamma0 = d.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / nf;
    let (statistic, p_two, p_better) = if gamma0 <= 0.0 {
        // Identical losses everywhere (e.g. the same model twice): no evidence either way.
        if mean == 0.0 {
            (0.0, 1.0, 0.5)
        } else {
            let s = if mean < 0.0 {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            };
            (s, 0.0, if mean < 0.0 { 0.0 } else { 1.0 })
        }
    } else {
        let dm = mean / (gamma0 / nf).sqrt();
        let hln = dm * ((nf - 1.0) / nf).sqrt();
        let df = nf - 1.0;
        let upper = student_t_sf(hln.abs(), df);
        (hln, (2.0 * upper).min(1.0), 1.0 - student_t_sf(hln, df))
    };
    Ok(DieboldMariano {
        n,
        mean_difference: mean,
        statistic,
        p_two_sided: p_two,
        p_a_better: p_better,
    })
}

/// Mean with a normal-approximation 95% interval (sample standard deviation, n − 1).
pub fn mean_with_interval(x: &[f64]) -> Option<(f64, f64, f64)> {
    let n = x.len();
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let mean = x.iter().sum::<f64>() / nf;
    if n < 2 {
        return Some((mean, f64::NEG_INFINITY, f64::INFINITY));
    }
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (nf - 1.0);
    let half = crate::summary::Z_95 * (var / nf).sqrt();
    Some((mean, mean - half, mean + half))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * (1.0 + b.abs())
    }

    #[test]
    fn distribution_tails_match_scipy() {
        // scipy.stats.chi2.sf(3.84, 1) = 0.05004352124870519
        assert!(close(chi2_sf(3.84, 1.0), 0.050_043_521_248_705_19, 1e-10));
        // chi2.sf(20.0, 10) = 0.02925268807696113
        assert!(close(chi2_sf(20.0, 10.0), 0.029_252_688_076_961_13, 1e-10));
        // t.sf(2.0, 10) = 0.036694017385370196
        assert!(close(
            student_t_sf(2.0, 10.0),
            0.036_694_017_385_370_196,
            1e-10
        ));
        assert!(close(normal_two_sided_p(1.959_963_984_540_054), 0.05, 1e-9));
        assert!(close(
            detect_multiplier(0.05, 0.8),
            2.801_585_218_112_968_3,
            1e-9
        ));
    }

    #[test]
    fn noncentral_chi2_matches_scipy() {
        // scipy.stats.ncx2.cdf(10, 4, 3) = 0.7837631816817809; brentq on ncx2.sf(chi2.isf(0.05, df), df, λ) = 0.8.
        assert!(close(
            noncentral_chi2_cdf(10.0, 4.0, 3.0),
            NCX2_10_4_3,
            1e-8
        ));
        let lambda = noncentrality_for_power(1.0, 0.05, 0.8);
        assert!(close(lambda, 7.848_860_509_326_201, 1e-6), "{lambda}");
        let lambda9 = noncentrality_for_power(9.0, 0.05, 0.8);
        assert!(close(lambda9, NCP_9, 1e-6), "{lambda9}");
    }
    // Reference numbers from scipy 1.17 / statsmodels 0.15.
    const NCX2_10_4_3: f64 = 0.783_763_181_681_780_9;
    const NCP_9: f64 = 15.649_797_895_188_21;

    #[test]
    fn holm_matches_statsmodels() {
        // statsmodels multipletests([0.01, 0.04, 0.03, 0.005], method="holm")[1]
        // = [0.03, 0.06, 0.06, 0.02]
        let adj = holm_adjust(&[0.01, 0.04, 0.03, 0.005]);
        let expected = [0.03, 0.06, 0.06, 0.02];
        for (a, e) in adj.iter().zip(expected) {
            assert!(close(*a, e, 1e-12), "{adj:?}");
        }
        assert!(holm_adjust(&[]).is_empty());
    }

    #[test]
    fn ljung_box_matches_statsmodels() {
        // statsmodels.stats.diagnostic.acorr_ljungbox(x, lags=[3]) on this series:
        // lb_stat = LB_Q, lb_pvalue = LB_P.
        let x = [
            1.2, 0.3, -0.5, 2.1, 0.7, -1.3, 0.4, 0.9, -0.2, 1.6, -0.8, 0.1, 0.5, -1.1, 1.9, 0.0,
            -0.4, 0.8, 1.1, -0.6,
        ];
        let r = ljung_box(&x, 3).unwrap();
        assert!(close(r.statistic, LB_Q, 1e-10), "{}", r.statistic);
        assert!(close(r.p_value, LB_P, 1e-9), "{}", r.p_value);
        assert!(ljung_box(&x[..3], 3).is_err());
    }
    const LB_Q: f64 = 10.231_755_725_034_78;
    const LB_P: f64 = 0.016_695_453_732_699_504;

    #[test]
    fn runs_test_textbook_example() {
        // NIST/SEMATECH-style example computed by hand: sequence with n1 = 10, n2 = 10 and
        // R = 6: μ = 11, σ² = 2·100·(200−20)/(400·19) = 4.7368, z = −5/2.1764 = −2.2973.
        let s = "++++---++++---++----";
        // That has runs: ++++, ---, ++++, ---, ++, ---- = 6 runs; n1 = 10, n2 = 10.
        let x: Vec<bool> = s.chars().map(|c| c == '+').collect();
        let r = runs_test(&x).unwrap();
        assert_eq!((r.runs, r.n_true, r.n_false), (6, 10, 10));
        assert!(close(r.expected_runs, 11.0, 1e-12));
        assert!(close(r.z, -5.0 / (4.736_842_105_263_158f64).sqrt(), 1e-12));
        assert!(close(r.p_value, RUNS_P, 1e-9), "{}", r.p_value);
        assert!(runs_test(&[true, true]).is_err());
    }
    const RUNS_P: f64 = 0.021_599_298_490_998_158;

    #[test]
    fn chi_square_tests_match_scipy() {
        // scipy.stats.chisquare([16, 18, 16, 14, 12, 12], [16, 16, 16, 16, 8, 32])
        // → statistic 3.5 + ... (see constants).
        let g = chi_square_gof(
            &[16.0, 18.0, 16.0, 14.0, 12.0, 12.0],
            &[16.0, 16.0, 16.0, 16.0, 16.0, 8.0],
            5.0,
            0,
        )
        .unwrap();
        assert!(close(g.statistic, 3.5, 1e-12), "{}", g.statistic);
        assert_eq!(g.df, 5.0);
        assert!(close(g.p_value, GOF_P, 1e-9), "{}", g.p_value);
        // Merging: expected [2, 3, 10, 1] → cells [5 (0..1)], [10 (2) + 1 (3)].
        let m = chi_square_gof(&[3.0, 1.0, 9.0, 2.0], &[2.0, 3.0, 10.0, 1.0], 5.0, 0).unwrap();
        assert_eq!(m.cells.len(), 2);
        assert_eq!(m.cells[0], (0, 1, 4.0, 5.0));
        assert_eq!(m.cells[1], (2, 3, 11.0, 11.0));
        // scipy.stats.chi2_contingency([[10, 20, 30], [6, 9, 17]], correction=False)
        let t = chi_square_independence(&[vec![10.0, 20.0, 30.0], vec![6.0, 9.0, 17.0]]).unwrap();
        assert!(close(t.statistic, CONT_STAT, 1e-10), "{}", t.statistic);
        assert_eq!(t.df, Some(2.0));
        assert!(close(t.p_value, CONT_P, 1e-9), "{}", t.p_value);
    }
    const GOF_P: f64 = 0.623_387_627_749_582_2;
    const CONT_STAT: f64 = 0.271_574_651_504_035_04;
    const CONT_P: f64 = 0.873_028_283_380_073;

    #[test]
    fn diebold_mariano_by_hand() {
        let a = [0.1, 0.4, 0.2, 0.3, 0.1, 0.2];
        let b = [0.2, 0.5, 0.2, 0.5, 0.3, 0.2];
        // d = [-0.1, -0.1, 0, -0.2, -0.2, 0]; mean = -0.1; γ0 = (0+0+0.01+0.01+0.01+0.01)/6
        // = 0.04/6; DM = -0.1/sqrt(0.04/36) = -3; HLN = -3·sqrt(5/6).
        let r = diebold_mariano(&a, &b).unwrap();
        assert!(close(r.mean_difference, -0.1, 1e-12));
        let hln = -3.0 * (5.0f64 / 6.0).sqrt();
        assert!(close(r.statistic, hln, 1e-10), "{}", r.statistic);
        // scipy.stats.t.sf(3*sqrt(5/6), 5) * 2
        assert!(close(r.p_two_sided, DM_P2, 1e-9), "{}", r.p_two_sided);
        assert!(close(r.p_a_better, DM_P2 / 2.0, 1e-9));
        let same = diebold_mariano(&a, &a).unwrap();
        assert_eq!(same.p_two_sided, 1.0);
        assert!(diebold_mariano(&a[..2], &b[..2]).is_err());
        assert!(diebold_mariano(&a, &b[..3]).is_err());
    }
    const DM_P2: f64 = 0.040_859_403_859_295_85;
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn holm_is_at_least_raw_and_keeps_order(p in proptest::collection::vec(0.0f64..1.0, 1..30)) {
            let adj = holm_adjust(&p);
            for i in 0..p.len() {
                prop_assert!(adj[i] >= p[i] && adj[i] <= 1.0);
                for j in 0..p.len() {
                    if p[i] < p[j] {
                        prop_assert!(adj[i] <= adj[j]);
                    }
                }
            }
        }

        #[test]
        fn runs_test_is_symmetric_under_relabelling(x in proptest::collection::vec(any::<bool>(), 3..300)) {
            let flipped: Vec<bool> = x.iter().map(|b| !b).collect();
            match (runs_test(&x), runs_test(&flipped)) {
                (Ok(a), Ok(b)) => {
                    prop_assert_eq!(a.runs, b.runs);
                    prop_assert!((a.z - b.z).abs() < 1e-9);
                    prop_assert!((0.0..=1.0).contains(&a.p_value));
                }
                (Err(_), Err(_)) => {}
                _ => prop_assert!(false, "one side failed"),
            }
        }

        #[test]
        fn ljung_box_p_is_a_probability(x in proptest::collection::vec(-5.0f64..5.0, 12..200), lags in 1usize..10) {
            let r = ljung_box(&x, lags).unwrap();
            prop_assert!(r.statistic >= 0.0 && (0.0..=1.0).contains(&r.p_value));
        }
    }
}

#[cfg(test)]
mod calibration {
    use super::*;
    use rand_chacha::ChaCha8Rng;
    use rand_core::SeedableRng;

    /// Two equally good forecasts of fair coin-like outcomes: the DM test must reject at
    /// about its nominal rate.
    #[test]
    fn diebold_mariano_rejects_at_about_the_nominal_rate() {
        let mut rng = ChaCha8Rng::seed_from_u64(99);
        let mut u = move || crate::generator::uniform_open_closed(&mut rng);
        let reps = 400;
        let mut rejections = 0;
        for _ in 0..reps {
            let n = 500;
            let (mut la, mut lb) = (Vec::with_capacity(n), Vec::with_capacity(n));
            for _ in 0..n {
                let y = if u() < 0.485 { 1.0 } else { 0.0 };
                let pa: f64 = 0.485 + 0.1 * (u() - 0.5);
                let pb: f64 = 0.485 + 0.1 * (u() - 0.5);
                la.push((pa - y).powi(2));
                lb.push((pb - y).powi(2));
            }
            if diebold_mariano(&la, &lb).unwrap().p_two_sided < 0.05 {
                rejections += 1;
            }
        }
        let rate = rejections as f64 / reps as f64;
        println!("DM two-sided rejections at 5%: {rejections}/{reps}");
        // Binomial(400, 0.05): sd 0.011.
        assert!((0.02..=0.085).contains(&rate), "{rate}");
    }
}
