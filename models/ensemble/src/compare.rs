//! One walk-forward backtest per model (members, the ensemble, baselines) on the same
//! rounds and settings, side by side.

use models::backtest::{summarize, BacktestConfig, BacktestSummary};
use models::error::EvalError;
use models::features;
use models::forecast::Forecaster;
use models::values::Multiplier;
use models::walkforward;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::time::Instant;

/// One model's backtest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonRow {
    pub name: String,
    pub summary: BacktestSummary,
    /// Wall time of its walk-forward run (fits + forecasts).
    pub seconds: f64,
}

/// Backtests of several models on the same rounds and settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonTable {
    pub n_rounds: usize,
    pub config: BacktestConfig,
    pub rows: Vec<ComparisonRow>,
}

impl ComparisonTable {
    pub fn row(&self, name: &str) -> Option<&ComparisonRow> {
        self.rows.iter().find(|r| r.name == name)
    }
}

/// Runs [`models::walkforward`] + [`models::backtest::summarize`] for every model (features
/// computed once). `progress(model_index, done, total)`.
pub fn compare(
    rounds: &[Multiplier],
    models: Vec<(String, Box<dyn Forecaster>)>,
    config: &BacktestConfig,
    progress: impl FnMut(usize, usize, usize),
) -> Result<ComparisonTable, EvalError> {
    compare_until(rounds, models, config, None, progress)
}

/// As [`compare`], within a time budget: each model may refit on the schedule while a fold
/// as long as its last one still ends within its share of the time to `until` (an equal
/// share each, from now), then keeps its last fit; every model fits at least once. Each row's `summary.fits` says how many fits
/// it made.
pub fn compare_until(
    rounds: &[Multiplier],
    models: Vec<(String, Box<dyn Forecaster>)>,
    config: &BacktestConfig,
    until: Option<Instant>,
    mut progress: impl FnMut(usize, usize, usize),
) -> Result<ComparisonTable, EvalError> {
    let feats = features::compute(rounds);
    let start = Instant::now();
    let n_models = models.len().max(1) as u32;
    let mut rows = Vec::with_capacity(models.len());
    for (i, (name, mut model)) in models.into_iter().enumerate() {
        let t0 = Instant::now();
        let own_deadline = until.map(|u| {
            let window = u.saturating_duration_since(start);
            start + window * (i as u32 + 1) / n_models
        });
        let mut fold_started = t0;
        let wf = walkforward::run_gated(
            rounds,
            &feats,
            model.as_mut(),
            &config.walk,
            |d, t| {
                progress(i, d, t);
                true
            },
            || {
                // Refit only when a fold like the last one still ends before the deadline.
                let now = Instant::now();
                let fold = now.saturating_duration_since(fold_started);
                let go = own_deadline.is_none_or(|d| now + fold < d);
                if go {
                    fold_started = now;
                }
                go
            },
        )?;
        let seconds = t0.elapsed().as_secs_f64();
        let summary = summarize(&wf, rounds.len(), config)?;
        rows.push(ComparisonRow {
            name,
            summary,
            seconds,
        });
    }
    // One run, one family of comparisons: every member × threshold is corrected together.
    let mut summaries: Vec<_> = rows.iter().map(|r| r.summary.clone()).collect();
    models::backtest::correct_for_comparisons(&mut summaries);
    for (row, s) in rows.iter_mut().zip(summaries) {
        row.summary = s;
    }
    Ok(ComparisonTable {
        n_rounds: rounds.len(),
        config: config.clone(),
        rows,
    })
}

/// A compact table: per threshold, each model's Brier, log loss, BSS vs the fair law with
/// its 95% interval, and the one-sided Diebold–Mariano p-value (Brier and log loss).
pub fn render_text(t: &ComparisonTable) -> String {
    let mut o = String::new();
    let first = t.rows.first();
    let _ = writeln!(
        o,
        "Walk-forward comparison: {} rounds, forecasts from round {}, refit {:?}, reference fair law (h = {})",
        t.n_rounds,
        first.map_or(0, |r| r.summary.first_forecast),
        t.config.walk.refit,
        t.config.house_edge
    );
    let ths: Vec<f64> = first
        .map(|r| r.summary.thresholds.iter().map(|s| s.threshold).collect())
        .unwrap_or_default();
    for (k, th) in ths.iter().enumerate() {
        let Some(f) = first.and_then(|r| r.summary.thresholds.get(k)) else {
            continue;
        };
        let _ = writeln!(
            o,
            "\nP(X ≥ {th}x): n = {}, base rate {:.4}, fair {:.4}, fair Brier {:.6}, fair log loss {:.6}",
            f.n, f.base_rate, f.fair_probability, f.reference_brier, f.reference_log_loss
        );
        let _ = writeln!(
            o,
            "  {:<44} {:>9} {:>9} {:>27} {:>9} {:>9} {:>5}",
            "model", "Brier", "LogLoss", "BSS [95% CI]", "p(DM)", "p(DM-LL)", "edge"
        );
        for r in &t.rows {
            if let Some(s) = r.summary.thresholds.get(k) {
                let _ = writeln!(
                    o,
                    "  {:<44} {:>9.6} {:>9.6} {:>+9.5} [{:+.5},{:+.5}] {:>9.4} {:>9.4} {:>5}",
                    truncate(&r.name, 44),
                    s.model_brier,
                    s.model_log_loss,
                    s.skill.bss,
                    s.skill.low,
                    s.skill.high,
                    s.dm.p_a_better,
                    s.dm_log_loss.p_a_better,
                    if s.edge_found { "YES" } else { "no" }
                );
            }
        }
    }
    let _ = writeln!(o);
    for r in &t.rows {
        let _ = writeln!(
            o,
            "{:<44} {:>8.2}s  {}",
            truncate(&r.name, 44),
            r.seconds,
            r.summary.verdict
        );
    }
    o
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars()
            .take(n.saturating_sub(1))
            .chain(std::iter::once('…'))
            .collect()
    }
}
