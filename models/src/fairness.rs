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

fn line(
    name: String,
    h0: &str,
    stat: f64,
    df: Option<f64>,
    p: f64,
    mde: f64,
    measure: &str,
) -> TestLine {
    TestLine {
        name,
        null_hypothesis: h0.to_string(),
        statistic: stat,
        df,
        p_value: p,
        p_holm: p,
        min_detectable: mde,
        effect_measure: measure.to_string(),
        detail: String::new(),
        verdict: String::new(),
    }
}

/// Lengths of maximal runs of `side` in `x`, without the first and last run (censored by the
/// ends of the history).
fn run_lengths(x: &[bool], side: bool) -> Vec<usize> {
    let mut runs: Vec<(bool, usize)> = Vec::new();
    for &b in x {
        match runs.last_mut() {
            Some((s, l)) if *s == b => *l += 1,
            _ => runs.push((b, 1)),
        }
    }
    if runs.len() <= 2 {
        return Vec::new();
    }
    runs[1..runs.len() - 1]
        .iter()
        .filter(|r| r.0 == side)
        .map(|r| r.1)
        .collect()
}

/// "cell [a, b): observed o, expected e" for the cell contributing most to a chi-square.
fn largest_cell(g: &stats::ChiSquareGof, name: impl Fn(usize) -> String) -> String {
    g.cells
        .iter()
        .max_by(|a, b| ((a.2 - a.3).powi(2) / a.3).total_cmp(&((b.2 - b.3).powi(2) / b.3)))
        .map(|c| {
            let label = if c.0 == c.1 {
                name(c.0)
            } else {
                format!("{} … {}", name(c.0), name(c.1))
            };
            format!(
                "largest contribution: {label}: observed {}, expected {:.1}",
                c.2, c.3
            )
        })
        .unwrap_or_default()
}

/// Runs `f` and turns a degenerate-data error into a skipped line.
fn push_test(
    tests: &mut Vec<TestLine>,
    skipped: &mut Vec<String>,
    name: &str,
    r: Result<TestLine, EvalError>,
) {
    match r {
        Ok(l) => tests.push(l),
        Err(e) => skipped.push(format!("{name}: {e}")),
    }
}

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
    let k_detect = stats::detect_multiplier(ALPHA, POWER);
    let mut tests = Vec::new();
    let mut skipped = Vec::new();

    // RTP points.
    let mut rtp = Vec::new();
    for &x in &cfg.rtp_points {
        let th = threshold_hundredths(x);
        let count = values.iter().filter(|m| m.0 >= th).count() as u64;
        let (lo, hi) = wilson_interval(count, n as u64, Z_95);
        let p0 = fair_survival(x, h);
        let phat = count as f64 / nf;
        rtp.push(RtpPoint {
            x,
            n: n as u64,
            count,
            rtp: x * phat,
            low: x * lo,
            high: x * hi,
            fair_rtp: x * p0,
        });
        let se = (p0 * (1.0 - p0) / nf).sqrt();
        if se > 0.0 {
            let z = (phat - p0) / se;
            tests.push(line(
                format!("RTP at {x}x = {:.4}", x * phat),
                "P(X ≥ x) = (1 − h)/x",
                z,
                None,
                stats::normal_two_sided_p(z),
                x * k_detect * se,
                "|ΔRTP|",
            ));
        }
    }

    // The point mass at exactly 1.00x: the fair law with its floor to hundredths puts
    // 1 − (1 − h)/1.01 there.
    {
        let p0 = 1.0 - fair_survival(1.01, h);
        let count = values.iter().filter(|m| m.0 == 100).count() as f64;
        let se = (p0 * (1.0 - p0) / nf).sqrt();
        if se > 0.0 {
            let z = (count / nf - p0) / se;
            let mut l = line(
                format!("Share at exactly 1.00x = {:.4}", count / nf),
                "P(X = 1.00) = 1 − (1 − h)/1.01",
                z,
                None,
                stats::normal_two_sided_p(z),
                k_detect * se,
                "|Δshare|",
            );
            l.detail = format!("observed {count}, expected {:.1}", p0 * nf);
            tests.push(l);
        }
    }

    // Goodness of fit to the fair law.
    {
        let edges = &cfg.gof_edges;
        let mut observed = vec![0.0; edges.len()];
        let mut expected = vec![0.0; edges.len()];
        let eh: Vec<u32> = edges.iter().map(|e| threshold_hundredths(*e)).collect();
        for m in values {
            let idx = eh.partition_point(|&e| e <= m.0).saturating_sub(1);
            observed[idx] += 1.0;
        }
        for i in 0..edges.len() {
            let upper = edges.get(i + 1).map_or(0.0, |e| fair_survival(*e, h));
            expected[i] = nf * (fair_survival(edges[i], h) - upper);
        }
        let r = stats::chi_square_gof(&observed, &expected, 5.0, 0).map(|g| {
            let mut l = line(
                format!("Goodness of fit, {} bins", g.cells.len()),
                "X follows P(X ≥ x) = (1 − h)/x",
                g.statistic,
                Some(g.df),
                g.p_value,
                g.min_detectable_w,
                "Cohen's w",
            );
            l.detail = largest_cell(&g, |i| {
                let hi = edges.get(i + 1).map_or("∞".to_string(), |e| format!("{e}"));
                format!("[{}, {hi})", edges[i])
            });
            l
        });
        push_test(&mut tests, &mut skipped, "goodness of fit", r);
    }

    // Runs tests and Ljung–Box on indicators.
    let lb_lambda = stats::noncentrality_for_power(cfg.ljung_box_lags as f64, ALPHA, POWER);
    for &t in &cfg.indicator_thresholds {
        let th = threshold_hundredths(t);
        let ind: Vec<bool> = values.iter().map(|m| m.0 >= th).collect();
        let r = stats::runs_test(&ind).map(|r| {
            line(
                format!(
                    "Runs test 1{{X ≥ {t}}} ({} runs, {:.1} expected)",
                    r.runs, r.expected_runs
                ),
                "rounds independent (runs of chance length)",
                r.z,
                None,
                r.p_value,
                k_detect / nf.sqrt(),
                "|lag-1 autocorrelation|",
            )
        });
        push_test(&mut tests, &mut skipped, &format!("runs test at {t}"), r);
        let xs: Vec<f64> = ind.iter().map(|b| if *b { 1.0 } else { 0.0 }).collect();
        if xs.iter().all(|v| *v == xs[0]) {
            skipped.push(format!("Ljung–Box at {t}: indicator is constant"));
            continue;
        }
        let r = stats::ljung_box(&xs, cfg.ljung_box_lags).map(|r| {
            line(
                format!("Ljung–Box 1{{X ≥ {t}}}, {} lags", cfg.ljung_box_lags),
                "no autocorrelation up to the lag",
                r.statistic,
                r.df,
                r.p_value,
                (lb_lambda / nf).sqrt(),
                "|single-lag autocorrelation|",
            )
        });
        push_test(&mut tests, &mut skipped, &format!("Ljung–Box at {t}"), r);
    }
    {
        let lx: Vec<f64> = values.iter().map(|m| m.as_f64().ln()).collect();
        let r = stats::ljung_box(&lx, cfg.ljung_box_lags).map(|r| {
            line(
                format!("Ljung–Box ln X, {} lags", cfg.ljung_box_lags),
                "no autocorrelation up to the lag",
                r.statistic,
                r.df,
                r.p_value,
                (lb_lambda / nf).sqrt(),
                "|single-lag autocorrelation|",
            )
        });
        push_test(&mut tests, &mut skipped, "Ljung–Box ln X", r);
    }

    // Independence of consecutive categories.
    {
        let cat = |m: &Multiplier| match m.0 {
            0..=149 => 0,
            150..=299 => 1,
            300..=999 => 2,
            _ => 3,
        };
        let mut table = vec![vec![0.0; 4]; 4];
        for w in values.windows(2) {
            table[cat(&w[0])][cat(&w[1])] += 1.0;
        }
        let r = stats::chi_square_independence(&table).map(|r| {
            let df = r.df.unwrap_or(9.0);
            let lambda = stats::noncentrality_for_power(df, ALPHA, POWER);
            line(
                "Consecutive categories (<1.5, 1.5–3, 3–10, ≥10)".into(),
                "category of a round independent of the previous one",
                r.statistic,
                r.df,
                r.p_value,
                (lambda / (nf - 1.0)).sqrt(),
                "Cohen's w",
            )
        });
        push_test(&mut tests, &mut skipped, "consecutive categories", r);
    }

    // Streak lengths vs geometric.
    {
        let th = threshold_hundredths(cfg.streak_threshold);
        let ind: Vec<bool> = values.iter().map(|m| m.0 < th).collect();
        let q_below = ind.iter().filter(|b| **b).count() as f64 / nf;
        for (side, label, q) in [
            (true, "below", q_below),
            (false, "at or above", 1.0 - q_below),
        ] {
            let lens = run_lengths(&ind, side);
            let runs = lens.len();
            if runs < 10 || q <= 0.0 || q >= 1.0 {
                skipped.push(format!(
                    "streaks {label} {}: too few runs",
                    cfg.streak_threshold
                ));
                continue;
            }
            let kmax = lens.iter().copied().max().unwrap_or(1);
            let mut observed = vec![0.0; kmax];
            for l in &lens {
                observed[l - 1] += 1.0;
            }
            // P(L = k) = q^{k−1}(1 − q); the last cell is the tail P(L ≥ kmax) = q^{kmax−1}.
            let expected: Vec<f64> = (1..=kmax)
                .map(|k| {
                    let pk = if k == kmax {
                        q.powi(k as i32 - 1)
                    } else {
                        q.powi(k as i32 - 1) * (1.0 - q)
                    };
                    pk * runs as f64
                })
                .collect();
            let r = stats::chi_square_gof(&observed, &expected, 5.0, 1).map(|g| {
                let detail = largest_cell(&g, |i| format!("length {}", i + 1));
                let mut l = line(
                    format!(
                        "Streak lengths {label} {}x vs geometric ({runs} runs)",
                        cfg.streak_threshold
                    ),
                    "streak lengths geometric (memoryless)",
                    g.statistic,
                    Some(g.df),
                    g.p_value,
                    g.min_detectable_w,
                    "Cohen's w",
                );
                l.detail = detail;
                l
            });
            push_test(&mut tests, &mut skipped, &format!("streaks {label}"), r);
        }
    }

    // Holm across the report.
    let p: Vec<f64> = tests.iter().map(|t| t.p_value).collect();
    let adj = stats::holm_adjust(&p);
    let mut rejections = 0;
    for (t, a) in tests.iter_mut().zip(adj) {
        t.p_holm = a;
        t.verdict = if a < cfg.alpha {
            rejections += 1;
            format!("departure from a fair memoryless game (Holm p = {a:.2e})")
        } else {
            format!(
                "consistent with a fair memoryless game; an effect of {} ≥ {:.4} would likely have been seen",
                t.effect_measure, t.min_detectable
            )
        };
    }
    let (he, he_lo, he_hi) = match rtp.first() {
        Some(r) => (1.0 - r.rtp, 1.0 - r.high, 1.0 - r.low),
        None => (f64::NAN, f64::NAN, f64::NAN),
    };
    let mut verdict = if rejections == 0 {
        format!(
            "No test finds a departure from a fair, memoryless game with house edge {h} (all {} Holm-adjusted p ≥ {}).",
            tests.len(),
            cfg.alpha
        )
    } else {
        format!(
            "{rejections} of {} tests find a departure from a fair, memoryless game with house edge {h} (Holm-adjusted p < {}).",
            tests.len(),
            cfg.alpha
        )
    };
    if !skipped.is_empty() {
        let _ = write!(verdict, " Not run: {}.", skipped.join("; "));
    }
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

/// The report as plain text.
pub fn render_text(r: &FairnessReport) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Fairness report: {} rounds, null hypothesis house edge h = {}",
        r.n, r.house_edge
    );
    if let Some(first) = r.rtp.first() {
        let _ = writeln!(
            o,
            "House edge estimate (1 − RTP at {}x): {:.4} [{:.4}, {:.4}]",
            first.x, r.house_edge_estimate, r.house_edge_low, r.house_edge_high
        );
    }
    let _ = writeln!(
        o,
        "Rounds at exactly 1.00x: {:.4} (fair law: {:.4})",
        r.share_at_one, r.fair_share_at_one
    );
    let _ = writeln!(
        o,
        "{:>8} {:>8} {:>20} {:>8}",
        "x", "count", "RTP [95% CI]", "fair"
    );
    for p in &r.rtp {
        let _ = writeln!(
            o,
            "{:>7}x {:>8} {:>6.4} [{:.4}, {:.4}] {:>8.4}",
            p.x, p.count, p.rtp, p.low, p.high, p.fair_rtp
        );
    }
    let _ = writeln!(
        o,
        "{:<58} {:>10} {:>5} {:>9} {:>9} {:>9}  verdict",
        "test", "statistic", "df", "p", "Holm p", "min eff."
    );
    for t in &r.tests {
        let _ = writeln!(
            o,
            "{:<58} {:>10.4} {:>5} {:>9.4} {:>9.4} {:>9.4}  {}",
            t.name,
            t.statistic,
            t.df.map_or("-".into(), |d| format!("{d}")),
            t.p_value,
            t.p_holm,
            t.min_detectable,
            t.verdict
        );
        if !t.detail.is_empty() {
            let _ = writeln!(o, "    {}", t.detail);
        }
    }
    let _ = writeln!(o, "{}", r.verdict);
    o
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
