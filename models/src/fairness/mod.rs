//! Fairness and randomness report: does a history look like a fair, memoryless crash game
//! with house edge h (P(X ≥ x) = (1 − h)/x, rounds independent)?
//!
//! The report speaks in two parts. **The game's own law** ([`fitted`]): the RTP fitted by
//! maximum likelihood with its interval and a likelihood-ratio test of the configured RTP,
//! the instant crashes against that law and the tail exponent — "RTP 99.0% [98.4, 99.6]: not
//! the configured 97%". **Memory**: runs, Ljung–Box, transitions and streak tests, which use
//! only the history's own rates, never the configured law — "no memory found, at this power".
//! The tests of the configured law's shape (RTP per cash-out, the 1.00x share, goodness of
//! fit) are listed in their own group.
//!
//! Every test states its null hypothesis, statistic and p-value; p-values are Holm-corrected
//! within their group, law or memory (family-wise error α in each). Each test also states the SMALLEST EFFECT it
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// `law` (tests of the configured law) or `memory` (tests of independence).
    #[serde(default)]
    pub group: String,
}

/// The two parts of the verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verdicts {
    pub rtp: Verdict,
    pub memory: Verdict,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The game's own law.
    pub fitted: FittedLaw,
    /// Does the history have memory? (Also under `verdicts`; the top-level `rtp` is the
    /// per-cash-out table.)
    pub memory: Verdict,
    pub verdicts: Verdicts,
    /// The values' hash, the method version and the settings, for `jetx verify-report`.
    pub provenance: crate::provenance::Provenance,
}

mod battery;
pub mod fitted;
mod text;

pub use fitted::{FittedLaw, Verdict};

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
    let law_tests = battery.tests.len();
    battery.serial();
    battery.transitions();
    battery.streaks();
    let Battery {
        mut tests, skipped, ..
    } = battery;
    for (i, t) in tests.iter_mut().enumerate() {
        t.group = if i < law_tests { "law" } else { "memory" }.into();
    }
    let rejections = holm_verdicts(&mut tests, cfg.alpha, h);
    let (he, he_lo, he_hi) = match rtp.first() {
        Some(r) => (1.0 - r.rtp, 1.0 - r.high, 1.0 - r.low),
        None => (f64::NAN, f64::NAN, f64::NAN),
    };
    let fitted = fitted::fit(values, 1.0 - h, cfg.alpha);
    let verdicts = Verdicts {
        rtp: fitted::rtp_verdict(&fitted, cfg.alpha),
        memory: memory_verdict(&tests, cfg.alpha, nf),
    };
    let verdict = overall_verdict(&verdicts, &tests, h, cfg.alpha, &skipped);
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
        fitted,
        memory: verdicts.memory.clone(),
        verdicts,
        provenance: crate::provenance::Provenance::new(
            "fairness",
            crate::provenance::FAIRNESS_VERSION,
            values,
            cfg,
        ),
    })
}

/// Holm-adjusts the p-values within each group (law, memory) and writes each line's
/// verdict; returns how many lines reject at `alpha`.
fn holm_verdicts(tests: &mut [TestLine], alpha: f64, h: f64) -> usize {
    let mut rejections = 0;
    for group in ["law", "memory"] {
        let idx: Vec<usize> = (0..tests.len())
            .filter(|&i| tests[i].group == group)
            .collect();
        let p: Vec<f64> = idx.iter().map(|&i| tests[i].p_value).collect();
        let null = if group == "law" {
            format!("the configured law (h = {h})")
        } else {
            "independent rounds".to_string()
        };
        for (&i, a) in idx.iter().zip(stats::holm_adjust(&p)) {
            let t = &mut tests[i];
            t.p_holm = a;
            t.verdict = if a < alpha {
                rejections += 1;
                format!("departure from {null} (Holm p = {a:.2e})")
            } else {
                format!(
                    "consistent with {null}; an effect of {} ≥ {:.4} would likely have been seen",
                    t.effect_measure, t.min_detectable
                )
            };
        }
    }
    rejections
}

/// Memory: do the independence tests (which use the history's own rates, never the
/// configured law) find any?
fn memory_verdict(tests: &[TestLine], alpha: f64, n: f64) -> Verdict {
    let memory: Vec<&TestLine> = tests.iter().filter(|t| t.group == "memory").collect();
    let found: Vec<&&TestLine> = memory.iter().filter(|t| t.p_holm < alpha).collect();
    let mde = stats::detect_multiplier(stats::ALPHA, stats::POWER) / n.sqrt();
    match found.iter().min_by(|a, b| a.p_holm.total_cmp(&b.p_holm)) {
        Some(t) => Verdict {
            departure: true,
            text: format!(
                "Memory found: {} of {} memory tests find rounds that depend on earlier ones (strongest: {}, Holm p = {:.1e}).",
                found.len(),
                memory.len(),
                t.name,
                t.p_holm
            ),
        },
        None => Verdict {
            departure: false,
            text: format!(
                "No memory found at this power: all {} memory tests are consistent with independent rounds (Holm p ≥ {alpha}); a lag-1 autocorrelation of {mde:.3} or more would likely have been seen.",
                memory.len()
            ),
        },
    }
}

/// The report's closing sentences: the RTP, memory, the configured law's shape tests, and
/// which tests could not be run.
fn overall_verdict(
    verdicts: &Verdicts,
    tests: &[TestLine],
    h: f64,
    alpha: f64,
    skipped: &[String],
) -> String {
    let mut verdict = format!("{} {}", verdicts.rtp.text, verdicts.memory.text);
    let law: Vec<&TestLine> = tests.iter().filter(|t| t.group == "law").collect();
    let law_rejections = law.iter().filter(|t| t.p_holm < alpha).count();
    if law_rejections > 0 {
        let _ = write!(
            verdict,
            " {law_rejections} of {} tests of the configured law (h = {h}) find a departure.",
            law.len()
        );
    }
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
        assert!(text.contains("Ljung–Box") && text.contains("No memory found"));
        assert!(
            !r.verdicts.rtp.departure && !r.memory.departure,
            "{}",
            r.verdict
        );
        assert!(r.verdict.contains("consistent with the configured 97.0%"));
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
            assert!(r.memory.departure, "{}", r.verdict);
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
    fn another_operator_is_measured_not_called_unfair() {
        // RTP 99% and no 1.00x rounds in the export; no memory.
        let v: Vec<Multiplier> = FairGenerator {
            seed: 8,
            house_edge: 0.01,
        }
        .generate(16_829)
        .into_iter()
        .map(|m| Multiplier(m.0.max(101)))
        .collect();
        let r = report(&v, &ReportConfig::default()).unwrap();
        assert!(r.verdicts.rtp.departure, "{}", r.verdict);
        assert!(!r.memory.departure, "{}", r.verdict);
        assert!(
            r.verdict.contains("not the configured 97.0%"),
            "{}",
            r.verdict
        );
        assert!(r.verdict.contains("No memory found"), "{}", r.verdict);
        assert_eq!(r.fitted.instant_crash, "missing");
        assert!(r
            .tests
            .iter()
            .all(|t| t.group == "law" || t.group == "memory"));
        let json = serde_json::to_value(&r).unwrap();
        for key in [
            "house_edge",
            "low",
            "high",
            "rtp",
            "p_claimed",
            "tail_exponent",
            "instant_crash_share",
            "instant_crash_expected",
        ] {
            assert!(json["fitted"][key].is_number(), "fitted.{key}");
        }
        assert_eq!(json["memory"]["departure"], false);
        assert_eq!(json["verdicts"]["rtp"]["departure"], true);
        assert!(json["rtp"].is_array(), "the per-cash-out table stays");
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
