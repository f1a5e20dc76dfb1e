//! Fairness and randomness report: does a history look like a fair, memoryless crash game
//! with house edge h (P(X ≥ x) = (1 − h)/x, rounds independent)?
//!
//! Every test states its null hypothesis, statistic and p-value; p-values are Holm-corrected
//! across the whole report (family-wise error α). Each test also states the SMALLEST EFFECT it
//! could have detected at this n (power 80%, two-sided α = 0.05), so "no evidence" is never
//! read as "proven fair" beyond what the sample can show:
//!
//! * RTP(x) = x·P(X ≥ x): binomial z-test of p = p₀ = (1 − h)/x;
//!   smallest detectable |ΔRTP| = x·(z₀.₉₇₅ + z₀.₈)·sqrt(p₀(1 − p₀)/n).
//! * Chi-square tests (goodness of fit, independence, streak lengths): Cohen's effect size
//!   w = sqrt(Σ(p₁ − p₀)²/p₀) detectable is sqrt(λ/n), where λ is the non-centrality at which
//!   χ²(df) at level α has power 80% (non-central chi-square, computed exactly).
//! * Ljung–Box with L lags: an autocorrelation ρ at one lag adds ≈ n·ρ² to Q, so the smallest
//!   detectable single-lag |ρ| = sqrt(λ(L)/n).
//! * Runs test on 1{X ≥ t}: the run count's z is ≈ −sqrt(n)·ρ₁ (ρ₁ the lag-1 autocorrelation
//!   of the indicator), so the smallest detectable |ρ₁| ≈ (z₀.₉₇₅ + z₀.₈)/sqrt(n).

use crate::error::EvalError;
use crate::forecast::threshold_hundredths;
use crate::stats::{self, ALPHA, POWER};
use crate::summary::{fair_survival, wilson_interval, Z_95};
use crate::values::Multiplier;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// Settings of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportConfig {
    /// The house edge of the null hypothesis.
    pub house_edge: f64,
    /// Where RTP(x) is estimated and tested.
    pub rtp_points: Vec<f64>,
    /// Bin edges of the goodness-of-fit test (the last bin is open-ended).
    pub gof_edges: Vec<f64>,
    /// Thresholds t of the runs tests and indicator Ljung–Box tests.
    pub indicator_thresholds: Vec<f64>,
    pub ljung_box_lags: usize,
    /// Thresholds whose streak lengths (below and at-or-above) are compared with geometric.
    pub streak_threshold: f64,
    /// Family-wise significance level of the verdicts (after Holm).
    pub alpha: f64,
}

impl Default for ReportConfig {
    fn default() -> Self {
        Self {
            house_edge: crate::generator::DEFAULT_HOUSE_EDGE,
            rtp_points: vec![1.5, 2.0, 3.0, 5.0, 10.0, 20.0, 50.0, 100.0],
            gof_edges: vec![
                1.0, 1.1, 1.2, 1.35, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0, 5.0, 7.5, 10.0, 20.0, 50.0,
                100.0,
            ],
            indicator_thresholds: vec![1.5, 2.0, 10.0],
            ljung_box_lags: 10,
            streak_threshold: 1.5,
            alpha: 0.05,
        }
    }
}

/// RTP at one cash-out point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RtpPoint {
    pub x: f64,
    pub n: u64,
    pub count: u64,
    /// x · P̂(X ≥ x), with the Wilson 95% interval scaled by x.
    pub rtp: f64,
    pub low: f64,
    pub high: f64,
    pub fair_rtp: f64,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestLine {
    pub name: String,
    pub null_hypothesis: String,
    pub statistic: f64,
    pub df: Option<f64>,
    pub p_value: f64,
    /// Holm-adjusted across all lines of the report.
    pub p_holm: f64,
    /// The smallest effect detectable at this n (power 80%, α = 0.05).
    pub min_detectable: f64,
    /// What `min_detectable` measures.
    pub effect_measure: String,
    /// Where the evidence comes from (e.g. the cell contributing most to a chi-square).
    pub detail: String,
    pub verdict: String,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FairnessReport {
    pub n: usize,
    pub house_edge: f64,
    /// 1 − RTP at the first RTP point, with its interval (high edge ↔ low RTP).
    pub house_edge_estimate: f64,
    pub house_edge_low: f64,
    pub house_edge_high: f64,
    /// Share of rounds at exactly 1.00x, next to the fair law's 1 − (1 − h)/1.01.
    pub share_at_one: f64,
    pub fair_share_at_one: f64,
    pub rtp: Vec<RtpPoint>,
    pub tests: Vec<TestLine>,
    pub alpha: f64,
    /// Lines whose Holm-adjusted p is below α.
    pub rejections: usize,
    pub verdict: String,
}

mod battery;
mod text;

#[cfg(test)]
use battery::run_lengths;
use battery::Battery;
pub use text::render_text;

/// Builds the report. Needs at least 30 rounds; tests the data cannot support (e.g. a
/// threshold never reached) are left out and named in the verdict.
pub fn report(values: &[Multiplier], cfg: &ReportConfig) -> Result<FairnessReport, EvalError> {
    let n = values.len();
    if n < 30 {
        return Err(EvalError::too_few("fairness report", 30, n));
    }
    if !(0.0..1.0).contains(&cfg.house_edge) {
        return Err(EvalError::InvalidConfig(
            "house edge must be in [0, 1)".into(),
        ));
    }
    let h = cfg.house_edge;
    let nf = n as f64;
    let mut battery = Battery {
        values,
        cfg,
        h,
        nf,
        k_detect: stats::detect_multiplier(ALPHA, POWER),
        tests: Vec::new(),
        skipped: Vec::new(),
    };
    let rtp = battery.rtp();
    battery.share_at_one();
    battery.goodness_of_fit();
    battery.serial();
    battery.transitions();
    battery.streaks();
    let Battery {
        mut tests, skipped, ..
    } = battery;

    let rejections = holm_verdicts(&mut tests, cfg.alpha);
    let (he, he_lo, he_hi) = match rtp.first() {
        Some(r) => (1.0 - r.rtp, 1.0 - r.high, 1.0 - r.low),
        None => (f64::NAN, f64::NAN, f64::NAN),
    };
    let verdict = overall_verdict(rejections, tests.len(), h, cfg.alpha, &skipped);
    Ok(FairnessReport {
        n,
        house_edge: h,
        house_edge_estimate: he,
        house_edge_low: he_lo,
        house_edge_high: he_hi,
        share_at_one: values.iter().filter(|m| m.0 == 100).count() as f64 / nf,
        fair_share_at_one: 1.0 - fair_survival(1.01, h),
        rtp,
        tests,
        alpha: cfg.alpha,
        rejections,
        verdict,
    })
}

/// Holm-adjusts the p-values across the report and writes each line's verdict; returns
/// how many lines reject at `alpha`.
fn holm_verdicts(tests: &mut [TestLine], alpha: f64) -> usize {
    let p: Vec<f64> = tests.iter().map(|t| t.p_value).collect();
    let adj = stats::holm_adjust(&p);
    let mut rejections = 0;
    for (t, a) in tests.iter_mut().zip(adj) {
        t.p_holm = a;
        t.verdict = if a < alpha {
            rejections += 1;
            format!("departure from a fair memoryless game (Holm p = {a:.2e})")
        } else {
            format!(
                "consistent with a fair memoryless game; an effect of {} ≥ {:.4} would likely have been seen",
                t.effect_measure, t.min_detectable
            )
        };
    }
    rejections
}

/// The report's closing sentence: how many of the `n_tests` tests find a departure, and
/// which tests could not be run.
fn overall_verdict(
    rejections: usize,
    n_tests: usize,
    h: f64,
    alpha: f64,
    skipped: &[String],
) -> String {
    let mut verdict = if rejections == 0 {
        format!(
            "No test finds a departure from a fair, memoryless game with house edge {h} (all {n_tests} Holm-adjusted p ≥ {alpha})."
        )
    } else {
        format!(
            "{rejections} of {n_tests} tests find a departure from a fair, memoryless game with house edge {h} (Holm-adjusted p < {alpha})."
        )
    };
    if !skipped.is_empty() {
        let _ = write!(verdict, " Not run: {}.", skipped.join("; "));
    }
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::FairGenerator;
    use crate::planted::{Planted, PlantedGenerator};

    #[test]
    fn fair_data_passes_and_reports_detectable_effects() {
        let v = FairGenerator {
            seed: 11,
            house_edge: 0.03,
        }
        .generate(10_000);
        let r = report(&v, &ReportConfig::default()).unwrap();
        assert_eq!(r.rejections, 0, "{}", render_text(&r));
        assert!(r.tests.len() >= 19, "{}", r.tests.len());
        // Minimum detectable lag-1 autocorrelation ≈ 2.8/√n = 0.028.
        let runs = r
            .tests
            .iter()
            .find(|t| t.name.starts_with("Runs test"))
            .unwrap();
        assert!((runs.min_detectable - 0.028).abs() < 0.001);
        assert!((r.house_edge_estimate - 0.03).abs() < 0.03);
        let text = render_text(&r);
        assert!(text.contains("Ljung–Box") && text.contains("No test finds"));
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains("p_holm"));
    }

    #[test]
    fn planted_dependence_is_found() {
        let planted = |planted| {
            PlantedGenerator {
                seed: 4,
                house_edge: 0.03,
                planted,
            }
            .generate(10_000)
        };
        for p in [
            Planted::Regimes {
                edges: [0.25, -0.25],
                switch_prob: 0.01,
            },
            Planted::AfterLowRun {
                k: 2,
                low: 1.5,
                target: 2.0,
                shift: 0.25,
            },
        ] {
            let r = report(&planted(p), &ReportConfig::default()).unwrap();
            assert!(r.rejections > 0, "{}", render_text(&r));
        }
        let v = planted(Planted::Periodic {
            period: 7,
            target: 2.0,
            amplitude: 0.15,
        });
        let r = report(&v, &ReportConfig::default()).unwrap();
        let lb = r
            .tests
            .iter()
            .find(|t| t.name.starts_with("Ljung–Box 1{X ≥ 2}"))
            .unwrap();
        assert!(lb.p_holm < 0.01, "{}", render_text(&r));
    }

    #[test]
    fn small_or_odd_input_is_an_error_not_a_panic() {
        assert!(report(&[], &ReportConfig::default()).is_err());
        let ones = vec![Multiplier(100); 100];
        let r = report(&ones, &ReportConfig::default()).unwrap();
        assert!(r.verdict.contains("Not run"));
        assert!(r.rejections > 0);
        assert!(report(
            &ones,
            &ReportConfig {
                house_edge: 1.5,
                ..ReportConfig::default()
            }
        )
        .is_err());
    }

    #[test]
    fn streak_runs_drop_the_censored_ends() {
        let x = [true, true, false, true, false, false, true];
        assert_eq!(run_lengths(&x, true), [1]);
        assert_eq!(run_lengths(&x, false), [1, 2]);
    }
}
