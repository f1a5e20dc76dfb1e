//! The `train` pipeline: nested search → honest walk-forward comparison → final fit → save.
//!
//! 1. [`crate::search::search`] on `rounds[..eval_start]` only (`eval_start =
//!    eval_start_fraction · n`), within the budget.
//! 2. The best candidate of each kind (up to `max_members`) become the ensemble's members.
//! 3. Walk-forward comparison from `eval_start` on (fair law, each member, the ensemble): the
//!    hyperparameters were chosen without seeing these rounds.
//! 4. The ensemble is fitted on all rounds; [`save`] stores it with the scores.

use crate::compare::{compare_until, ComparisonTable};
use crate::member::MemberFactory;
use crate::registry::{self, RegistryError, SaveOptions, TrainingRange};
use crate::search::{search, SearchConfig, SearchError, SearchReport, SearchResult};
use crate::stack::{StackConfig, StackedEnsemble};
use models::backtest::BacktestConfig;
use models::error::EvalError;
use models::features;
use models::forecast::{FairLaw, Forecaster, TrainView};
use models::values::Multiplier;
use models::walkforward::{Refit, WalkForwardConfig};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::{Duration, Instant};

/// Shares of the budget: the search stops at the first, the walk-forward comparison stops
/// refitting at the first two together, and the final fit has the rest. The budget bounds
/// the whole job; only a single fit that takes longer than what is left can overrun it
/// (every model is fitted at least once), and the outcome says by how much.
pub const SEARCH_SHARE: f64 = 0.5;
pub const COMPARE_SHARE: f64 = 0.35;

/// Settings of a training run.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    pub budget: Duration,
    pub thresholds: Vec<f64>,
    /// The search sees rounds before this share of the history; the comparison forecasts
    /// from there on.
    pub eval_start_fraction: f64,
    /// Refit interval of the walk-forward comparison.
    pub refit_every: usize,
    pub candidates: Vec<MemberFactory>,
    pub max_members: usize,
    /// Add the rule member (confirmed patterns, [`crate::rules`]) to the chosen members,
    /// outside `max_members`: it has nothing to search and is the fair law where no
    /// pattern is confirmed.
    pub include_rules: bool,
    pub stack: StackConfig,
    pub house_edge: f64,
    pub device: String,
    /// Free text recorded in the metadata (file name…).
    pub source: Option<String>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            budget: Duration::from_secs(60),
            thresholds: models::forecast::DEFAULT_THRESHOLDS.to_vec(),
            eval_start_fraction: 0.5,
            refit_every: 1000,
            candidates: crate::search::default_candidates(8, 1),
            max_members: 3,
            include_rules: true,
            stack: StackConfig::default(),
            house_edge: models::generator::DEFAULT_HOUSE_EDGE,
            device: "cpu".into(),
            source: None,
        }
    }
}

/// Keeps the candidates whose kind is listed (e.g. `--members gbt,logistic`).
pub fn filter_kinds(candidates: Vec<MemberFactory>, kinds: &[&str]) -> Vec<MemberFactory> {
    candidates
        .into_iter()
        .filter(|c| kinds.iter().any(|k| k.eq_ignore_ascii_case(&c.kind)))
        .collect()
}

/// Stages reported to the progress callback.
#[derive(Debug, Clone, PartialEq)]
pub enum TrainStage {
    Search {
        done: usize,
        total: usize,
        label: String,
    },
    Compare {
        model: usize,
        /// How many models the comparison runs (fair law, members, ensemble).
        models: usize,
        done: usize,
        total: usize,
    },
    FinalFit,
}

/// What a training run produced.
pub struct TrainOutcome {
    pub ensemble: StackedEnsemble,
    pub search: SearchReport,
    pub scores: ComparisonTable,
    pub training: TrainingRange,
    pub hyperparameters: serde_json::Value,
    pub device: String,
    /// Wall time of each stage.
    pub seconds: StageSeconds,
}

/// Seconds each stage of a training run took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct StageSeconds {
    pub search: f64,
    pub compare: f64,
    pub final_fit: f64,
}

/// Why training failed.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error(transparent)]
    Eval(#[from] EvalError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

#[derive(Serialize, Deserialize)]
struct Hyper {
    members: Vec<(String, String, serde_json::Value)>,
    stack: StackConfig,
    budget_s: f64,
    eval_start: usize,
    refit_every: usize,
}

impl Hyper {
    /// The hyperparameters recorded with a run: each chosen member (kind, label,
    /// parameters), the stacker's settings and the run's budget and schedule.
    fn new(
        chosen: &[MemberFactory],
        stack: StackConfig,
        eval_start: usize,
        config: &TrainConfig,
    ) -> Self {
        Self {
            members: chosen
                .iter()
                .map(|f| (f.kind.clone(), f.label.clone(), f.params.clone()))
                .collect(),
            stack,
            budget_s: config.budget.as_secs_f64(),
            eval_start,
            refit_every: config.refit_every,
        }
    }
}

/// The walk-forward comparison: the fair law, each chosen member, the stacked ensemble.
fn comparison_entries(
    chosen: &[MemberFactory],
    stack: StackConfig,
    house_edge: f64,
) -> Vec<(String, Box<dyn Forecaster>)> {
    let mut entries: Vec<(String, Box<dyn Forecaster>)> = vec![(
        format!("fair law (h = {house_edge})"),
        Box::new(FairLaw::fixed(house_edge)),
    )];
    for f in chosen {
        // A member is a forecaster (trait upcasting).
        entries.push((f.label.clone(), f.make() as Box<dyn Forecaster>));
    }
    entries.push((
        "stacked ensemble".into(),
        Box::new(StackedEnsemble::new(chosen.to_vec(), stack)),
    ));
    entries
}

/// Searches the members on the first part of `rounds`, compares the chosen ones, the
/// stacked ensemble and the fair law walk-forward on the rest, and fits the ensemble on
/// all rounds.
pub fn train(
    rounds: &[Multiplier],
    config: &TrainConfig,
    mut progress: impl FnMut(&TrainStage),
) -> Result<TrainOutcome, TrainError> {
    let started = Instant::now();
    let n = rounds.len();
    let eval_start = (n as f64 * config.eval_start_fraction.clamp(0.2, 0.9)) as usize;
    let sc = SearchConfig {
        thresholds: config.thresholds.clone(),
        house_edge: config.house_edge,
        ..SearchConfig::default()
    };
    let res = search(
        rounds,
        eval_start,
        config.candidates.clone(),
        config.budget.mul_f64(SEARCH_SHARE),
        &sc,
        |p| {
            progress(&TrainStage::Search {
                done: p.done,
                total: p.total,
                label: p.label.clone(),
            })
        },
    )?;
    let search_s = started.elapsed().as_secs_f64();
    let chosen = choose_members(&res, config);
    let stack = StackConfig {
        house_edge: config.house_edge,
        ..config.stack
    };
    let bt = comparison_config(eval_start, config);
    let entries = comparison_entries(&chosen, stack, config.house_edge);
    let n_models = entries.len();
    // The comparison refits while its share lasts, keeping time for the final fit.
    let until = started + config.budget.mul_f64(SEARCH_SHARE + COMPARE_SHARE);
    let scores = compare_until(rounds, entries, &bt, Some(until), |m, d, t| {
        if d == t || d % 200 == 0 {
            progress(&TrainStage::Compare {
                model: m,
                models: n_models,
                done: d,
                total: t,
            })
        }
    })?;
    let compare_s = started.elapsed().as_secs_f64() - search_s;
    progress(&TrainStage::FinalFit);
    let final_started = Instant::now();
    let feats = features::compute(rounds);
    let mut ensemble = StackedEnsemble::new(chosen.clone(), stack);
    ensemble.fit(&TrainView {
        features: &feats.data,
        n_cols: feats.n_cols,
        outcomes: rounds,
        thresholds: &config.thresholds,
    })?;
    let hyper = Hyper::new(&chosen, stack, eval_start, config);
    Ok(TrainOutcome {
        ensemble,
        search: res.report,
        scores,
        training: TrainingRange {
            start: 0,
            end: n,
            n_rounds: n,
            source: config.source.clone(),
        },
        hyperparameters: serde_json::to_value(hyper).unwrap_or_default(),
        device: config.device.clone(),
        seconds: StageSeconds {
            search: search_s,
            compare: compare_s,
            final_fit: final_started.elapsed().as_secs_f64(),
        },
    })
}

/// The ensemble's members: the best searched candidate of each kind (up to `max_members`,
/// the rule member aside), then the rule member when asked for.
fn choose_members(res: &SearchResult, config: &TrainConfig) -> Vec<MemberFactory> {
    let mut chosen: Vec<MemberFactory> = res
        .best_per_kind()
        .into_iter()
        .filter(|f| f.kind != crate::rules::RULES_KIND)
        .take(config.max_members.max(1))
        .collect();
    if config.include_rules {
        chosen.push(MemberFactory::rules(config.house_edge));
    }
    chosen
}

/// The walk-forward comparison's settings: forecasts from `eval_start` on, refitted every
/// `refit_every` rounds.
fn comparison_config(eval_start: usize, config: &TrainConfig) -> BacktestConfig {
    BacktestConfig {
        walk: WalkForwardConfig {
            start: eval_start,
            refit: Refit::EveryN(config.refit_every.max(1)),
            thresholds: config.thresholds.clone(),
            ..WalkForwardConfig::default()
        },
        house_edge: config.house_edge,
        ..BacktestConfig::default()
    }
}

/// Saves a training run as a new version in `dir`; returns the version name.
pub fn save(dir: &Path, outcome: &TrainOutcome, activate: bool) -> Result<String, RegistryError> {
    registry::save(
        dir,
        &outcome.ensemble,
        SaveOptions {
            training: Some(outcome.training.clone()),
            hyperparameters: outcome.hyperparameters.clone(),
            device: Some(outcome.device.clone()),
            scores: Some(outcome.scores.clone()),
            search: Some(outcome.search.clone()),
            activate,
        },
    )
}
