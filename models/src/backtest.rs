//! Backtest summary: a model's walk-forward forecasts scored against the fair-game law.
//!
//! Entry points: [`evaluate`] (a named model), [`evaluate_forecaster`] (any
//! [`Forecaster`]), [`summarize`] (an existing walk-forward run) and [`render_text`].

use crate::error::EvalError;
use crate::forecast::{Empirical, FairLaw, Forecaster, Logistic, LogisticConfig};
use crate::scores::{self, BettingPnl, Binning, HitRate, Reliability, SkillScore};
use crate::stats::{diebold_mariano, DieboldMariano};
use crate::summary::fair_survival;
use crate::values::Multiplier;
use crate::walkforward::{self, Refit, WalkForward, WalkForwardConfig};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// The models the CLI can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModelKind {
    /// (1 − h)/t with the configured h.
    FairLaw,
    /// (1 − ĥ)/t with ĥ estimated on each training window.
    FairLawEstimated,
    /// Base rate of the training window.
    Empirical,
    /// L2 logistic regression on the feature matrix.
    Logistic,
}

impl ModelKind {
    /// Parses `baseline`/`fair`, `fair-estimated`, `empirical`, `logistic`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "baseline" | "fair" | "fair-law" => Some(Self::FairLaw),
            "fair-estimated" | "estimated" => Some(Self::FairLawEstimated),
            "empirical" => Some(Self::Empirical),
            "logistic" => Some(Self::Logistic),
            _ => None,
        }
    }
}

/// Settings of a backtest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestConfig {
    pub walk: WalkForwardConfig,
    /// House edge of the fair-law reference (and of the `FairLaw` model).
    pub house_edge: f64,
    pub logistic: LogisticConfig,
    /// The betting rule fires when the model's P(X ≥ t) exceeds the fair value by this much.
    pub signal_margin: f64,
    pub reliability_bins: usize,
    /// Significance level of the verdicts (one-sided DM, "model better").
    pub alpha: f64,
}

impl Default for BacktestConfig {
    fn default() -> Self {
        Self {
            walk: WalkForwardConfig::default(),
            house_edge: crate::generator::DEFAULT_HOUSE_EDGE,
            logistic: LogisticConfig::default(),
            signal_margin: 0.02,
            reliability_bins: 10,
            alpha: 0.05,
        }
    }
}

/// Scores at one threshold, model vs the fair-law reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThresholdScore {
    pub threshold: f64,
    pub n: usize,
    pub base_rate: f64,
    pub fair_probability: f64,
    pub model_brier: f64,
    pub reference_brier: f64,
    pub model_log_loss: f64,
    pub reference_log_loss: f64,
    /// Brier skill score vs the fair law, with its 95% delta-method interval.
    pub skill: SkillScore,
    /// 95% moving-block bootstrap interval of the BSS (block ⌈n^(1/3)⌉, 999 resamples,
    /// fixed seed).
    pub skill_bootstrap: (f64, f64),
    /// Diebold–Mariano (HLN) on the Brier losses, model minus reference.
    pub dm: DieboldMariano,
    /// Diebold–Mariano (HLN) on the log losses.
    pub dm_log_loss: DieboldMariano,
    pub auc: Option<f64>,
    pub reliability: Reliability,
    /// Rounds where P_model > fair + margin, and how often they reached the threshold.
    pub signal: HitRate,
    /// Betting 1 unit with a cash-out at the threshold whenever the signal fires.
    pub pnl: BettingPnl,
    /// The one-sided DM p after Holm's correction across every model × threshold compared
    /// in the same run (see [`correct_for_comparisons`]).
    #[serde(default = "one")]
    pub dm_p_adjusted: f64,
    /// True when the model beats the fair law and its bets paid: Holm-adjusted DM p < α,
    /// BSS interval above 0, and at least [`MIN_BETS`] bets whose EV interval is above 0.
    pub edge_found: bool,
}

fn one() -> f64 {
    1.0
}

/// Fewest bets before a backtest can say "edge": "+233 % over 3 bets" is luck, not an edge.
pub const MIN_BETS: u64 = 30;

/// The result of a backtest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BacktestSummary {
    pub model: String,
    pub reference: String,
    pub n_rounds: usize,
    pub n_forecasts: usize,
    pub first_forecast: usize,
    pub fits: usize,
    pub refit: Refit,
    pub gap: usize,
    pub feature_list_version: u32,
    pub alpha: f64,
    pub thresholds: Vec<ThresholdScore>,
    pub verdict: String,
    /// The values' hash and the settings (`{"config", "model"}`), for `jetx verify-report`.
    #[serde(default)]
    pub provenance: Option<crate::provenance::Provenance>,
}

impl BacktestSummary {
    /// Names the model as the one who asked for it named it (`logistic`, `ensemble`, …), so
    /// the run can be made again from the report alone.
    pub fn with_model_setting(mut self, model: &str) -> Self {
        if let Some(p) = self.provenance.as_mut() {
            p.settings["model"] = serde_json::Value::from(model);
        }
        self
    }
}

/// Backtests a named model.
pub fn evaluate(
    rounds: &[Multiplier],
    kind: ModelKind,
    config: &BacktestConfig,
) -> Result<BacktestSummary, EvalError> {
    evaluate_with_progress(rounds, kind, config, |_, _| {})
}

pub fn evaluate_with_progress(
    rounds: &[Multiplier],
    kind: ModelKind,
    config: &BacktestConfig,
    progress: impl FnMut(usize, usize),
) -> Result<BacktestSummary, EvalError> {
    let mut model: Box<dyn Forecaster> = match kind {
        ModelKind::FairLaw => Box::new(FairLaw::fixed(config.house_edge)),
        ModelKind::FairLawEstimated => Box::new(FairLaw::estimated()),
        ModelKind::Empirical => Box::new(Empirical::default()),
        ModelKind::Logistic => Box::new(Logistic::new(config.logistic)),
    };
    evaluate_forecaster(rounds, model.as_mut(), config, progress)
}

/// Backtests any forecaster.
pub fn evaluate_forecaster(
    rounds: &[Multiplier],
    model: &mut dyn Forecaster,
    config: &BacktestConfig,
    progress: impl FnMut(usize, usize),
) -> Result<BacktestSummary, EvalError> {
    let wf = walkforward::run(rounds, model, &config.walk, progress)?;
    let mut s = summarize(&wf, rounds.len(), config)?;
    s.provenance = Some(crate::provenance::Provenance::new(
        "backtest",
        crate::provenance::BACKTEST_VERSION,
        rounds,
        &serde_json::json!({ "config": config, "model": wf.model }),
    ));
    Ok(s)
}

/// Scores a walk-forward run against the fair law (1 − h)/t.
pub fn summarize(
    wf: &WalkForward,
    n_rounds: usize,
    config: &BacktestConfig,
) -> Result<BacktestSummary, EvalError> {
    if wf.rows.len() < 3 {
        return Err(EvalError::too_few("backtest forecasts", 3, wf.rows.len()));
    }
    let xs: Vec<f64> = wf.rows.iter().map(|r| r.outcome.as_f64()).collect();
    let mut out = Vec::new();
    for (k, &t) in wf.thresholds.iter().enumerate() {
        let p = wf.probs(k);
        let y = wf.outcomes(k);
        let fair = fair_survival(t, config.house_edge);
        let pref = vec![fair; p.len()];
        let lm = scores::brier_losses(&p, &y);
        let lr = scores::brier_losses(&pref, &y);
        let skill = scores::skill_from_losses(&lm, &lr)?;
        let dm = diebold_mariano(&lm, &lr)?;
        let dm_log_loss =
            diebold_mariano(&scores::log_losses(&p, &y), &scores::log_losses(&pref, &y))?;
        let skill_bootstrap = scores::skill_block_bootstrap(&lm, &lr, 0, 999, 0x5eed + k as u64)
            .unwrap_or((f64::NAN, f64::NAN));
        let fired: Vec<bool> = p.iter().map(|v| *v > fair + config.signal_margin).collect();
        out.push(ThresholdScore {
            threshold: t,
            n: p.len(),
            base_rate: y.iter().filter(|b| **b).count() as f64 / y.len() as f64,
            fair_probability: fair,
            model_brier: skill.model_brier,
            reference_brier: skill.reference_brier,
            model_log_loss: scores::log_loss(&p, &y)?,
            reference_log_loss: scores::log_loss(&pref, &y)?,
            skill,
            skill_bootstrap,
            dm,
            dm_log_loss,
            auc: scores::roc_auc(&p, &y),
            reliability: scores::reliability(
                &p,
                &y,
                Binning::Uniform(config.reliability_bins.max(1)),
            )?,
            signal: scores::hit_rate(&fired, &y),
            pnl: scores::betting_pnl(&fired, &xs, t, config.house_edge),
            dm_p_adjusted: 1.0,
            edge_found: false,
        });
    }
    Ok(BacktestSummary {
        model: wf.model.clone(),
        reference: format!("fair law (h = {})", config.house_edge),
        n_rounds,
        n_forecasts: wf.rows.len(),
        first_forecast: wf.rows.first().map_or(0, |r| r.index),
        fits: wf.fits,
        refit: config.walk.refit,
        gap: config.walk.gap,
        feature_list_version: crate::features::FEATURE_LIST_VERSION,
        alpha: config.alpha,
        thresholds: out,
        verdict: String::new(),
        provenance: None,
    })
    .map(|mut s| {
        correct_for_comparisons(std::slice::from_mut(&mut s));
        s
    })
}

/// Holm's correction of the one-sided DM p-values across every model × threshold of
/// `summaries` (one run's comparison: a p of 0.006 is no edge when 40 were looked at), then
/// each threshold's `edge_found` and each summary's verdict.
pub fn correct_for_comparisons(summaries: &mut [BacktestSummary]) {
    let raw: Vec<f64> = summaries
        .iter()
        .flat_map(|s| s.thresholds.iter().map(|t| t.dm.p_a_better))
        .collect();
    let adjusted = crate::stats::holm_adjust(&raw);
    let comparisons = raw.len();
    let mut next = adjusted.into_iter();
    for s in summaries.iter_mut() {
        for t in &mut s.thresholds {
            t.dm_p_adjusted = next.next().unwrap_or(1.0);
            t.edge_found = t.dm_p_adjusted < s.alpha
                && t.skill.low > 0.0
                && t.pnl.bets >= MIN_BETS
                && t.pnl.ev_low.is_some_and(|l| l > 0.0);
        }
        s.verdict = verdict(s, comparisons);
    }
}

fn verdict(s: &BacktestSummary, comparisons: usize) -> String {
    let found: Vec<String> = s
        .thresholds
        .iter()
        .filter(|t| t.edge_found)
        .map(|t| format!("{}x", t.threshold))
        .collect();
    let rule = format!(
        "one-sided DM at α = {} after Holm across {comparisons} model × threshold comparisons, BSS interval above 0, and at least {MIN_BETS} bets whose EV interval is above 0",
        s.alpha
    );
    if found.is_empty() {
        format!(
            "No evidence that {} beats the fair law (1−h)/t at any threshold ({rule}).",
            s.model
        )
    } else {
        format!(
            "{} beats the fair law at {} ({rule}).",
            s.model,
            found.join(", ")
        )
    }
}

/// A plain-text table of a backtest.
pub fn render_text(s: &BacktestSummary) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "Backtest: {} vs {}", s.model, s.reference);
    let _ = writeln!(
        o,
        "{} rounds, {} walk-forward forecasts from round {}, {} fits (refitted {}, gap {}), features v{}",
        s.n_rounds, s.n_forecasts, s.first_forecast, s.fits, s.refit, s.gap, s.feature_list_version
    );
    let _ = writeln!(
        o,
        "{:>6} {:>7} {:>7} {:>9} {:>9} {:>9} {:>9} {:>24} {:>8} {:>9} {:>7} {:>6} {:>6}",
        "t",
        "base",
        "fair",
        "Brier",
        "Brier0",
        "LogL",
        "LogL0",
        "BSS [95% CI]",
        "DM",
        "p(better)",
        "Holm",
        "AUC",
        "edge"
    );
    for t in &s.thresholds {
        let _ = writeln!(
            o,
            "{:>5}x {:>7.4} {:>7.4} {:>9.6} {:>9.6} {:>9.6} {:>9.6} {:>+9.5} [{:+.5},{:+.5}] {:>+8.3} {:>9.4} {:>7.4} {:>6} {:>6}",
            t.threshold,
            t.base_rate,
            t.fair_probability,
            t.model_brier,
            t.reference_brier,
            t.model_log_loss,
            t.reference_log_loss,
            t.skill.bss,
            t.skill.low,
            t.skill.high,
            t.dm.statistic,
            t.dm.p_a_better,
            t.dm_p_adjusted,
            t.auc.map_or("-".into(), |a| format!("{a:.4}")),
            if t.edge_found { "YES" } else { "no" }
        );
    }
    let _ = writeln!(
        o,
        "BSS block-bootstrap 95% interval; Diebold–Mariano on log loss:"
    );
    for t in &s.thresholds {
        let _ = writeln!(
            o,
            "  {:>5}x: BSS [{:+.5}, {:+.5}]; DM(log loss) {:+.3}, p(better) {:.4}",
            t.threshold,
            t.skill_bootstrap.0,
            t.skill_bootstrap.1,
            t.dm_log_loss.statistic,
            t.dm_log_loss.p_a_better
        );
    }
    let _ = writeln!(
        o,
        "Betting rule: bet 1 when P_model > fair + margin, cash out at t"
    );
    for t in &s.thresholds {
        let ev = match (t.pnl.ev_per_bet, t.pnl.ev_low, t.pnl.ev_high) {
            (Some(m), Some(l), Some(h)) => format!("{m:+.4} [{l:+.4}, {h:+.4}]"),
            _ => "no bets".into(),
        };
        let _ = writeln!(
            o,
            "  {:>5}x: {} bets, hit rate {:.4} [{:.4}, {:.4}], EV/bet {} (fair {:+.4})",
            t.threshold, t.pnl.bets, t.signal.rate, t.signal.low, t.signal.high, ev, t.pnl.fair_ev
        );
    }
    let _ = writeln!(o, "{}", s.verdict);
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generator::FairGenerator;

    /// 1,500 fair rounds and a walk-forward from round 500.
    fn fair_history() -> (Vec<Multiplier>, BacktestConfig) {
        let rounds = FairGenerator {
            seed: 5,
            house_edge: 0.03,
        }
        .generate(1500);
        let cfg = BacktestConfig {
            walk: WalkForwardConfig {
                start: 500,
                min_train: 100,
                ..WalkForwardConfig::default()
            },
            ..BacktestConfig::default()
        };
        (rounds, cfg)
    }

    #[test]
    fn fair_law_against_itself_is_neutral() {
        let (rounds, cfg) = fair_history();
        let s = evaluate(&rounds, ModelKind::FairLaw, &cfg).unwrap();
        assert_eq!(s.n_forecasts, 1000);
        for t in &s.thresholds {
            assert!(t.skill.bss.abs() < 1e-12);
            assert!(!t.edge_found);
            assert_eq!(t.pnl.bets, 0);
        }
        let text = render_text(&s);
        assert!(text.contains("No evidence"));
        let json = serde_json::to_string(&s).unwrap();
        assert!(json.contains("\"thresholds\""));
        assert_eq!(ModelKind::parse("baseline"), Some(ModelKind::FairLaw));
        assert_eq!(ModelKind::parse("nope"), None);
        assert!(evaluate(&rounds[..10], ModelKind::Logistic, &cfg).is_err());
    }

    #[test]
    fn an_edge_is_corrected_across_everything_compared_and_needs_enough_bets() {
        let (rounds, cfg) = fair_history();
        let mut s = evaluate(&rounds, ModelKind::FairLaw, &cfg).unwrap();
        let n_thr = s.thresholds.len();
        for t in &mut s.thresholds {
            t.dm.p_a_better = 0.5;
            t.skill.low = 0.01;
            t.pnl.bets = 100;
            t.pnl.ev_low = Some(0.01);
        }
        s.thresholds[0].dm.p_a_better = 0.006;
        // Alone: 0.006 × thresholds is below α.
        let mut alone = vec![s.clone()];
        correct_for_comparisons(&mut alone);
        let t0 = &alone[0].thresholds[0];
        assert!((t0.dm_p_adjusted - 0.006 * n_thr as f64).abs() < 1e-12);
        assert!(t0.edge_found, "{}", alone[0].verdict);
        assert!(alone[0]
            .verdict
            .contains(&format!("across {n_thr} model × threshold")));
        // Among 8 models the same p is no edge (Holm over 8 × thresholds).
        let mut others = s.clone();
        others.thresholds[0].dm.p_a_better = 0.5;
        let mut many = vec![s.clone()];
        many.extend(std::iter::repeat_n(others, 7));
        correct_for_comparisons(&mut many);
        let t0 = &many[0].thresholds[0];
        assert!((t0.dm_p_adjusted - (0.006 * 8.0 * n_thr as f64).min(1.0)).abs() < 1e-12);
        assert!(!t0.edge_found);
        assert!(many[0].verdict.starts_with("No evidence"));
        // Three lucky bets are not an edge, however small the p.
        let mut few = s.clone();
        few.thresholds[0].pnl.bets = 3;
        let mut one = vec![few];
        correct_for_comparisons(&mut one);
        assert!(!one[0].thresholds[0].edge_found);
    }
}
