//! Builds the backtest, analysis and live-scoring views from plain data (no web or DB
//! types), so they are tested without a server.

use crate::errors::{BacktestError, ModelError};
use crate::types::Recommendation;
use crate::views::{
    AnalysisView, BacktestModel, BacktestRequest, BacktestView, LiveView, StoredPrediction,
};
use models::backtest::{summarize, BacktestConfig};
use models::forecast::Forecaster;
use models::live::{ScoredPrediction, ScoredSignal};
use models::summary::fair_survival;
use models::values::Multiplier;
use models::walkforward::{self, Refit, WalkForwardConfig};
use std::time::Instant;

/// Most points a chart series gets (the last point is always kept).
pub const MAX_SERIES_POINTS: usize = 600;

/// Keeps at most about `max` points, evenly spaced, always the last.
pub fn thin<T: Copy>(points: &[T], max: usize) -> Vec<T> {
    if points.len() <= max || max == 0 {
        return points.to_vec();
    }
    let step = points.len().div_ceil(max);
    let mut out: Vec<T> = points.iter().step_by(step).copied().collect();
    if !(points.len() - 1).is_multiple_of(step) {
        out.push(points[points.len() - 1]);
    }
    out
}

/// Checks the page's settings and turns them into a walk-forward configuration.
pub fn backtest_config(
    req: &BacktestRequest,
    n_rounds: usize,
    house_edge: f64,
) -> Result<BacktestConfig, BacktestError> {
    let invalid = |m: String| Err(BacktestError::Invalid(m));
    let refit = match req.refit.as_str() {
        "never" => Refit::Never,
        "every" => Refit::EveryN(req.refit_every),
        "rolling" => Refit::Rolling {
            every: req.refit_every,
            window: req.window,
        },
        other => {
            return invalid(format!(
                "unknown refit schedule {other:?}: use never, every or rolling"
            ))
        }
    };
    if req.refit != "never" && req.refit_every == 0 {
        return invalid("the refit interval must be at least 1 round".into());
    }
    if req.thresholds.is_empty() {
        return invalid("choose at least one threshold".into());
    }
    if let Some(t) = req
        .thresholds
        .iter()
        .find(|t| models::decision::check_cashout(**t).is_err())
    {
        return invalid(format!("threshold {t} is outside 1.01–1,000,000"));
    }
    if req.models.is_empty() {
        return invalid("choose at least one model".into());
    }
    if !req
        .thresholds
        .iter()
        .any(|t| (t - req.cashout).abs() < 1e-9)
    {
        return invalid(format!(
            "the cash-out {}x must be one of the thresholds",
            req.cashout
        ));
    }
    let walk = WalkForwardConfig {
        start: req.start,
        gap: req.gap,
        refit,
        thresholds: req.thresholds.clone(),
        ..WalkForwardConfig::default()
    };
    let first = walk.start.max(walk.min_train + walk.gap);
    if first + 3 > n_rounds {
        return invalid(format!(
            "the history has {n_rounds} rounds: a backtest from round {first} needs at least {} \
             (the first forecast needs {} training rounds plus the gap)",
            first + 3,
            walk.min_train
        ));
    }
    Ok(BacktestConfig {
        walk,
        house_edge,
        ..BacktestConfig::default()
    })
}

fn failed(model: &str, e: models::error::EvalError) -> BacktestError {
    if e == models::error::EvalError::Cancelled {
        return BacktestError::Cancelled;
    }
    BacktestError::Failed {
        model: model.to_string(),
        reason: e.to_string(),
    }
}

/// Builds a fresh forecaster by name.
pub type MakeForecaster<'a> = &'a dyn Fn(&str) -> Result<Box<dyn Forecaster>, ModelError>;

/// Runs each requested model walk-forward on `rounds` and scores it against the fair law.
/// `make` builds a fresh forecaster by name; `progress(model, done, total)` after each
/// forecast, which stops the run ([`BacktestError::Cancelled`]) by answering false.
pub fn build_backtest(
    rounds: &[Multiplier],
    req: &BacktestRequest,
    house_edge: f64,
    make: MakeForecaster<'_>,
    progress: &mut dyn FnMut(usize, usize, usize) -> bool,
) -> Result<BacktestView, BacktestError> {
    let started = Instant::now();
    let config = backtest_config(req, rounds.len(), house_edge)?;
    let feats = models::features::compute(rounds);
    let k = req
        .thresholds
        .iter()
        .position(|t| (t - req.cashout).abs() < 1e-9)
        .unwrap_or(0);
    let fair = fair_survival(req.cashout, house_edge);
    let mut out = Vec::new();
    let mut folds = Vec::new();
    for (i, name) in req.models.iter().enumerate() {
        let mut model = make(name)?;
        let t0 = Instant::now();
        let wf = walkforward::run_while(rounds, &feats, model.as_mut(), &config.walk, |d, t| {
            progress(i, d, t)
        })
        .map_err(|e| failed(name, e))?;
        let seconds = t0.elapsed().as_secs_f64();
        let summary = summarize(&wf, rounds.len(), &config).map_err(|e| failed(name, e))?;
        if folds.is_empty() {
            folds = wf.folds.clone();
        }
        // The summary's own definitions: probabilities, outcomes and losses of the run.
        let p = wf.probs(k);
        let hits = wf.outcomes(k);
        let model_loss = models::scores::log_losses(&p, &hits);
        let fair_loss = models::scores::log_losses(&vec![fair; p.len()], &hits);
        let mut diff = 0.0;
        let mut cum_diff = Vec::with_capacity(wf.rows.len());
        let mut profit = 0.0;
        let mut pnl = Vec::with_capacity(wf.rows.len());
        for (i, row) in wf.rows.iter().enumerate() {
            diff += model_loss[i] - fair_loss[i];
            cum_diff.push((row.index, diff));
            // The same betting rule as the summary's P&L: bet when P exceeds fair + margin.
            if p[i] > fair + config.signal_margin {
                profit += if hits[i] { req.cashout - 1.0 } else { -1.0 };
            }
            pnl.push((row.index, profit));
        }
        out.push(BacktestModel {
            name: name.clone(),
            seconds,
            summary,
            cumulative_log_loss_diff: thin(&cum_diff, MAX_SERIES_POINTS),
            pnl: thin(&pnl, MAX_SERIES_POINTS),
        });
    }
    let mut summaries: Vec<_> = out.iter().map(|m| m.summary.clone()).collect();
    models::backtest::correct_for_comparisons(&mut summaries);
    for (m, s) in out.iter_mut().zip(summaries) {
        m.summary = s;
    }
    Ok(BacktestView {
        n_rounds: rounds.len(),
        request: req.clone(),
        models: out,
        folds,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The analysis page: fairness report, survival, streak continuation, autocorrelation and
/// moving shares.
pub fn build_analysis(values: &[Multiplier], house_edge: f64) -> AnalysisView {
    use models::analysis::{
        autocorrelation_indicator, autocorrelation_ln, moving_share, streak_continuation,
    };
    let cfg = models::fairness::ReportConfig {
        house_edge,
        ..models::fairness::ReportConfig::default()
    };
    let (report, report_problem) = match models::fairness::report(values, &cfg) {
        Ok(r) => (Some(r), None),
        Err(e) => (None, Some(e.to_string())),
    };
    AnalysisView {
        n: values.len(),
        house_edge,
        report,
        report_problem,
        survival: models::summary::survival_curve(values, 40, 10, house_edge),
        after_low: streak_continuation(values, 2.0, true, 10, house_edge),
        after_high: streak_continuation(values, 2.0, false, 10, house_edge),
        acf_ln: autocorrelation_ln(values, 30),
        acf_two: autocorrelation_indicator(values, 2.0, 30),
        moving: [50, 200]
            .iter()
            .map(|&w| moving_share(values, 2.0, w, house_edge, MAX_SERIES_POINTS))
            .collect(),
    }
}

/// The live scoreboard of stored predictions (`scored` oldest first, outcomes known).
/// Probabilities are scored once per predicted round and model (the same estimate may be
/// stored for several cash-outs); every recommendation counts as a signal.
pub fn build_live(
    scored: &[StoredPrediction],
    pending: usize,
    stored: usize,
    recent: Vec<StoredPrediction>,
) -> LiveView {
    let mut seen = std::collections::HashSet::new();
    let mut predictions = Vec::new();
    let mut signals = Vec::new();
    for p in scored {
        let Some(outcome) = p.outcome else { continue };
        if seen.insert((p.after_round_id, p.model.clone())) {
            predictions.push(ScoredPrediction {
                thresholds: p.thresholds.clone(),
                probabilities: p.probabilities.clone(),
                fair: p.fair.clone(),
                outcome,
            });
        }
        let fair_probability = p
            .thresholds
            .iter()
            .position(|t| (t - p.cashout).abs() < 1e-9)
            .and_then(|i| p.fair.get(i).copied())
            .unwrap_or_else(|| fair_survival(p.cashout, models::generator::DEFAULT_HOUSE_EDGE));
        signals.push(ScoredSignal {
            cashout: p.cashout,
            play: p.recommendation == Recommendation::Play,
            outcome,
            fair_probability,
        });
    }
    LiveView {
        stored,
        pending,
        scoreboard: models::live::scoreboard(&predictions, &signals),
        recent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use models::generator::FairGenerator;

    #[test]
    fn thinning_keeps_the_ends_and_the_bound() {
        let xs: Vec<usize> = (0..1000).collect();
        let t = thin(&xs, 100);
        assert!(t.len() <= 101, "{}", t.len());
        assert_eq!(t[0], 0);
        assert_eq!(*t.last().unwrap(), 999);
        assert_eq!(thin(&xs[..50], 100).len(), 50);
    }

    #[test]
    fn backtest_settings_are_checked() {
        let ok = BacktestRequest::default();
        assert!(backtest_config(&ok, 3000, 0.03).is_ok());
        let bad = |f: &dyn Fn(&mut BacktestRequest)| {
            let mut r = BacktestRequest::default();
            f(&mut r);
            backtest_config(&r, 3000, 0.03).unwrap_err().to_string()
        };
        assert!(bad(&|r| r.refit = "sometimes".into()).contains("unknown refit"));
        assert!(bad(&|r| r.refit_every = 0).contains("at least 1"));
        assert!(bad(&|r| r.thresholds.clear()).contains("threshold"));
        assert!(bad(&|r| r.thresholds = vec![0.5]).contains("outside"));
        assert!(bad(&|r| r.models.clear()).contains("model"));
        assert!(bad(&|r| r.cashout = 2.5).contains("cash-out"));
        assert!(bad(&|r| r.start = 2999).contains("needs at least"));
    }

    #[test]
    fn backtest_series_agree_with_the_summary() {
        let rounds = FairGenerator {
            seed: 11,
            ..FairGenerator::default()
        }
        .generate(1500);
        let req = BacktestRequest {
            start: 500,
            refit_every: 400,
            models: vec!["empirical".into(), "fair".into()],
            ..BacktestRequest::default()
        };
        let make = |name: &str| -> Result<Box<dyn Forecaster>, ModelError> {
            match models::backtest::ModelKind::parse(name) {
                Some(models::backtest::ModelKind::Empirical) => {
                    Ok(Box::new(models::forecast::Empirical::default()))
                }
                Some(_) => Ok(Box::new(models::forecast::FairLaw::fixed(0.03))),
                None => Err(ModelError::UnknownModel {
                    name: name.into(),
                    choices: "empirical or fair".into(),
                }),
            }
        };
        let view = build_backtest(&rounds, &req, 0.03, &make, &mut |_, _, _| true).unwrap();
        assert_eq!(view.models.len(), 2);
        assert_eq!(view.folds.len(), 3); // fits at 500, 900, 1300
        let two = |m: &BacktestModel| {
            m.summary
                .thresholds
                .iter()
                .find(|t| t.threshold == 2.0)
                .unwrap()
                .clone()
        };
        for m in &view.models {
            let ts = two(m);
            let last = m.cumulative_log_loss_diff.last().unwrap();
            assert_eq!(last.0, 1499);
            let expected = (ts.model_log_loss - ts.reference_log_loss) * ts.n as f64;
            assert!((last.1 - expected).abs() < 1e-6, "{} vs {expected}", last.1);
            assert!((m.pnl.last().unwrap().1 - ts.pnl.total).abs() < 1e-9);
        }
        // The fair law against itself: no difference, no bets.
        assert!(view.models[1]
            .cumulative_log_loss_diff
            .iter()
            .all(|p| p.1.abs() < 1e-12));
        assert!(make("nope").is_err());
        let unknown = BacktestRequest {
            models: vec!["nope".into()],
            ..req
        };
        assert!(build_backtest(&rounds, &unknown, 0.03, &make, &mut |_, _, _| true).is_err());
    }

    #[test]
    fn analysis_of_a_short_history_explains_the_missing_report() {
        let rounds = FairGenerator::default().generate(5);
        let view = build_analysis(&rounds, 0.03);
        assert_eq!(view.n, 5);
        assert!(view.report.is_none() && view.report_problem.is_some());
        let long = FairGenerator::default().generate(3000);
        let view = build_analysis(&long, 0.03);
        assert!(view.report.is_some());
        assert_eq!(view.acf_ln.bars.len(), 30);
        assert_eq!(view.moving.len(), 2);
    }

    #[test]
    fn live_scores_each_round_once_and_counts_every_signal() {
        let p = |id: i64, after: i64, cashout: f64, play: bool, outcome: u32| StoredPrediction {
            id,
            created_at: String::new(),
            after_round_id: after,
            rounds_seen: after,
            model: "v1".into(),
            cashout,
            mode: crate::types::Mode::Normal,
            thresholds: vec![2.0, 3.0],
            probabilities: vec![0.6, 0.3],
            fair: vec![0.485, 0.97 / 3.0],
            ev: 0.2,
            recommendation: if play {
                Recommendation::Play
            } else {
                Recommendation::Wait
            },
            reason: String::new(),
            outcome: Some(Multiplier(outcome)),
        };
        // Round after id 1: shown at 2x and 3x (one estimate, two signals).
        let scored = vec![
            p(1, 1, 2.0, true, 250),
            p(2, 1, 3.0, true, 250),
            p(3, 2, 2.0, false, 120),
        ];
        let live = build_live(&scored, 1, 4, Vec::new());
        assert_eq!(live.scoreboard.predictions, 2);
        assert_eq!(live.scoreboard.signals, 3);
        let two = live
            .scoreboard
            .plays
            .iter()
            .find(|s| s.cashout == 2.0)
            .unwrap();
        assert_eq!((two.signals, two.hits), (1, 1));
        let three = live
            .scoreboard
            .plays
            .iter()
            .find(|s| s.cashout == 3.0)
            .unwrap();
        assert_eq!((three.signals, three.hits), (1, 0));
        assert_eq!(live.pending, 1);
        assert_eq!(live.stored, 4);
    }
}
