//! The tests of the fairness report, each with its p-value and smallest detectable
//! effect; the report runs them in turn.

use super::*;

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
        group: String::new(),
    }
}

/// Lengths of maximal runs of `side` in `x`, without the first and last run (censored by the
/// ends of the history).
pub(super) fn run_lengths(x: &[bool], side: bool) -> Vec<usize> {
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

/// The tests of a report as they are run, and those the data could not support.
pub(super) struct Battery<'a> {
    pub(super) values: &'a [Multiplier],
    pub(super) cfg: &'a ReportConfig,
    pub(super) h: f64,
    pub(super) nf: f64,
    /// Standard errors to a detectable effect at [`ALPHA`] with [`POWER`].
    pub(super) k_detect: f64,
    pub(super) tests: Vec<TestLine>,
    pub(super) skipped: Vec<String>,
}

impl Battery<'_> {
    /// RTP points at each configured x (returned for the report), each with its test.
    pub(super) fn rtp(&mut self) -> Vec<RtpPoint> {
        let (values, cfg, h, nf, k_detect) =
            (self.values, self.cfg, self.h, self.nf, self.k_detect);
        let n = self.values.len();
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
                self.tests.push(line(
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
        rtp
    }

    /// The point mass at exactly 1.00x: the fair law with its floor to hundredths puts
    /// 1 − (1 − h)/1.01 there.
    pub(super) fn share_at_one(&mut self) {
        let (values, h, nf, k_detect) = (self.values, self.h, self.nf, self.k_detect);
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
            self.tests.push(l);
        }
    }

    /// Goodness of fit to the fair law.
    pub(super) fn goodness_of_fit(&mut self) {
        let (values, cfg, h, nf) = (self.values, self.cfg, self.h, self.nf);
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
        push_test(&mut self.tests, &mut self.skipped, "goodness of fit", r);
    }

    /// Runs tests and Ljung–Box on indicators, and Ljung–Box on ln X.
    pub(super) fn serial(&mut self) {
        let (values, cfg, nf, k_detect) = (self.values, self.cfg, self.nf, self.k_detect);
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
            push_test(
                &mut self.tests,
                &mut self.skipped,
                &format!("runs test at {t}"),
                r,
            );
            let xs: Vec<f64> = ind.iter().map(|b| if *b { 1.0 } else { 0.0 }).collect();
            if xs.iter().all(|v| *v == xs[0]) {
                self.skipped
                    .push(format!("Ljung–Box at {t}: indicator is constant"));
                continue;
            }
            self.ljung_box(
                &xs,
                &format!("1{{X ≥ {t}}}"),
                &format!("Ljung–Box at {t}"),
                lb_lambda,
            );
        }
        let lx: Vec<f64> = values.iter().map(|m| m.as_f64().ln()).collect();
        self.ljung_box(&lx, "ln X", "Ljung–Box ln X", lb_lambda);
    }

    /// Ljung–Box on `xs` up to the configured lag; `lb_lambda` is the non-centrality at
    /// 80% power, for the smallest detectable autocorrelation.
    fn ljung_box(&mut self, xs: &[f64], series: &str, name: &str, lb_lambda: f64) {
        let lags = self.cfg.ljung_box_lags;
        let nf = self.nf;
        let r = stats::ljung_box(xs, lags).map(|r| {
            line(
                format!("Ljung–Box {series}, {lags} lags"),
                "no autocorrelation up to the lag",
                r.statistic,
                r.df,
                r.p_value,
                (lb_lambda / nf).sqrt(),
                "|single-lag autocorrelation|",
            )
        });
        push_test(&mut self.tests, &mut self.skipped, name, r);
    }

    /// Independence of consecutive categories.
    pub(super) fn transitions(&mut self) {
        let (values, nf) = (self.values, self.nf);
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
        push_test(
            &mut self.tests,
            &mut self.skipped,
            "consecutive categories",
            r,
        );
    }

    /// Streak lengths vs geometric.
    pub(super) fn streaks(&mut self) {
        let (values, cfg, nf) = (self.values, self.cfg, self.nf);
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
                self.skipped.push(format!(
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
            push_test(
                &mut self.tests,
                &mut self.skipped,
                &format!("streaks {label}"),
                r,
            );
        }
    }
}
