//! The model commands of the CLI: `train`, `predict`, `models`, and the ensemble side of
//! `backtest`. Every probability is printed next to its base rate.

use ensemble::member::{MemberFactory, MemberLoaders};
use ensemble::registry::{self, RegistryError};
use ensemble::train::{TrainConfig, TrainStage};
use models::forecast::Forecaster;
use models::summary::fair_survival;
use models::values::Multiplier;
use std::path::Path;
use std::time::Duration;

/// Member kinds `train --members` accepts.
pub const MEMBER_KINDS: [&str; 8] = [
    "rules",
    "logistic",
    "gbt",
    "empirical",
    "fair",
    "mlp",
    "gru",
    "tabnet",
];

#[derive(Debug, thiserror::Error)]
pub enum ModelCliError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Train(#[from] ensemble::train::TrainError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Eval(#[from] models::error::EvalError),
    #[error(transparent)]
    Neural(#[from] neural::NeuralError),
}

/// "60s", "2m", "90" (seconds), "500ms".
pub fn parse_duration(text: &str) -> Result<Duration, ModelCliError> {
    let t = text.trim();
    let bad = || {
        ModelCliError::Usage(format!(
            "cannot read the duration {text:?}: use e.g. 60s, 2m or 500ms"
        ))
    };
    let (number, unit) = match t.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => (&t[..i], &t[i..]),
        None => (t, "s"),
    };
    let value: f64 = number.trim().parse().map_err(|_| bad())?;
    if !value.is_finite() || value <= 0.0 {
        return Err(bad());
    }
    let secs = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        _ => return Err(bad()),
    };
    Ok(Duration::from_secs_f64(secs))
}

/// Every loader this build knows: the built-in members and the Burn networks.
pub fn loaders() -> MemberLoaders {
    crate::neural_members::register_loaders(MemberLoaders::builtin())
}

/// The candidates of a training run, limited to the members named in `names` when given
/// (`mlp`, `gru`, `tabnet`, `gbt`, `logistic`, `empirical`, `fair`).
pub fn candidates(
    names: &[String],
    device: neural::DeviceChoice,
    seed: u64,
) -> Result<Vec<MemberFactory>, ModelCliError> {
    candidates_with_hook(names, device, seed, None)
}

/// As [`candidates`], the networks reporting every epoch to `hook`.
pub fn candidates_with_hook(
    names: &[String],
    device: neural::DeviceChoice,
    seed: u64,
    hook: Option<crate::neural_members::EpochHook>,
) -> Result<Vec<MemberFactory>, ModelCliError> {
    let mut kinds: Vec<&'static str> = Vec::new();
    for name in names {
        let kind = match neural::MemberKind::parse(name) {
            Some(k) => k.as_str(),
            None => match MEMBER_KINDS
                .iter()
                .find(|k| k.eq_ignore_ascii_case(name.trim()))
            {
                Some(k) => k,
                None => {
                    return Err(ModelCliError::Usage(format!(
                        "unknown member {name:?}: choose from {}",
                        MEMBER_KINDS.join(", ")
                    )))
                }
            },
        };
        kinds.push(kind);
    }
    let mut all = ensemble::search::default_candidates(6, seed);
    let neural_kinds: Vec<&str> = neural::MemberKind::ALL.iter().map(|k| k.as_str()).collect();
    // The networks are only built when asked for or when no list is given.
    if kinds.is_empty() || kinds.iter().any(|k| neural_kinds.contains(k)) {
        all.extend(crate::neural_members::factories_with_hook(
            device, seed, hook,
        )?);
    }
    if kinds.is_empty() {
        return Ok(all);
    }
    // The rule member is added by the training run itself, never searched.
    kinds.retain(|k| *k != "rules");
    if kinds.is_empty() {
        kinds.push("fair");
    }
    Ok(ensemble::train::filter_kinds(all, &kinds))
}

/// A fresh forecaster for `backtest --model NAME`.
pub fn forecaster_for(name: &str) -> Result<Box<dyn Forecaster>, ModelCliError> {
    if let Some(kind) = models::backtest::ModelKind::parse(name) {
        return Ok(match kind {
            models::backtest::ModelKind::FairLaw => Box::new(models::forecast::FairLaw::fixed(
                models::generator::DEFAULT_HOUSE_EDGE,
            )),
            models::backtest::ModelKind::FairLawEstimated => {
                Box::new(models::forecast::FairLaw::estimated())
            }
            models::backtest::ModelKind::Empirical => {
                Box::new(models::forecast::Empirical::default())
            }
            models::backtest::ModelKind::Logistic => {
                Box::new(models::forecast::Logistic::default())
            }
        });
    }
    let lower = name.trim().to_ascii_lowercase();
    if lower == "rules" {
        let f = MemberFactory::rules(models::generator::DEFAULT_HOUSE_EDGE);
        return Ok(f.make());
    }
    if lower == "gbt" {
        let f = ensemble::gbt::GbtForecaster::factory(ensemble::gbt::GbtConfig::default());
        return Ok(f.make());
    }
    if lower == "ensemble" {
        let mut members = vec![
            MemberFactory::logistic(1.0),
            ensemble::gbt::GbtForecaster::factory(ensemble::gbt::GbtConfig::default()),
        ];
        members.extend(
            crate::neural_members::factories(neural::DeviceChoice::Cpu, 1)?
                .into_iter()
                .filter(|f| f.kind == neural::MemberKind::MultiOutputNet.as_str()),
        );
        return Ok(Box::new(ensemble::stack::StackedEnsemble::new(
            members,
            ensemble::stack::StackConfig::default(),
        )));
    }
    if let Some(kind) = neural::MemberKind::parse(&lower) {
        let f = crate::neural_members::factories(neural::DeviceChoice::Cpu, 1)?
            .into_iter()
            .find(|f| f.kind == kind.as_str())
            .ok_or_else(|| ModelCliError::Usage(format!("no factory for {name}")))?;
        return Ok(f.make());
    }
    Err(ModelCliError::Usage(format!(
        "unknown model {name:?}: use baseline, fair-estimated, empirical, logistic, rules, gbt, mlp, gru, tabnet or ensemble"
    )))
}

pub struct TrainArgs<'a> {
    pub budget: Duration,
    pub members: Vec<String>,
    pub device: neural::DeviceChoice,
    pub models_dir: &'a Path,
    pub house_edge: f64,
    pub activate: bool,
    pub source: Option<String>,
    /// Report progress as JSON lines on standard output (for the server's training jobs)
    /// instead of progress bars.
    pub json_progress: bool,
}

/// Trains, scores walk-forward, saves a new version; returns (version, text report).
pub fn train(
    rounds: &[Multiplier],
    args: &TrainArgs<'_>,
) -> Result<(String, ensemble::train::TrainOutcome), ModelCliError> {
    use crate::jobs::ProgressEvent;
    let hook: Option<crate::neural_members::EpochHook> = args.json_progress.then(|| {
        std::sync::Arc::new(|p: &neural::TrainProgress| {
            ProgressEvent::Epoch {
                member: p.stage.clone(),
                epoch: p.epoch,
                epochs: p.epochs,
                train_loss: p.train_loss,
                valid_loss: p.valid_loss.is_finite().then_some(p.valid_loss),
            }
            .emit()
        }) as crate::neural_members::EpochHook
    });
    // The rule member joins unless a member list leaves it out.
    let include_rules = args.members.is_empty()
        || args
            .members
            .iter()
            .any(|m| m.trim().eq_ignore_ascii_case("rules"));
    let config = TrainConfig {
        include_rules,
        budget: args.budget,
        candidates: candidates_with_hook(&args.members, args.device, 1, hook)?,
        house_edge: args.house_edge,
        device: args.device.to_string(),
        source: args.source.clone(),
        ..TrainConfig::default()
    };
    let outcome = if args.json_progress {
        ensemble::train::train(rounds, &config, |stage| {
            match stage {
                TrainStage::Search { done, total, label } => ProgressEvent::Search {
                    done: *done,
                    total: *total,
                    label: label.clone(),
                },
                TrainStage::Compare {
                    model,
                    models,
                    done,
                    total,
                } => ProgressEvent::Compare {
                    model: *model,
                    models: *models,
                    done: *done,
                    total: *total,
                },
                TrainStage::FinalFit => ProgressEvent::FinalFit,
            }
            .emit()
        })?
    } else {
        let mut search_bar = crate::progress::Progress::new("search  ");
        let mut compare_bar = crate::progress::Progress::new("backtest");
        ensemble::train::train(rounds, &config, |stage| match stage {
            TrainStage::Search { done, total, .. } => search_bar.update(*done, *total),
            TrainStage::Compare { done, total, .. } => compare_bar.update(*done, *total),
            TrainStage::FinalFit => tracing::info!("final fit on all {} rounds", rounds.len()),
        })?
    };
    if args.json_progress {
        ProgressEvent::Saving.emit();
    }
    let version = ensemble::train::save(args.models_dir, &outcome, args.activate)?;
    Ok((version, outcome))
}

/// The next-round estimate as text: every probability beside its base rates, then the
/// recommendation and why.
pub fn render_prediction(p: &app::types::PredictionView) -> String {
    let mut out = String::new();
    match (&p.model, &p.notice) {
        (Some(v), _) => out.push_str(&format!(
            "next round after {} rounds, model {v}\n",
            p.rounds
        )),
        (None, Some(n)) => out.push_str(&format!("next round after {} rounds: {n}\n", p.rounds)),
        (None, None) => {}
    }
    out.push_str("     t   P(X ≥ t)   fair (1−h)/t   history\n");
    for t in &p.thresholds {
        out.push_str(&format!(
            "{:>5}x   {:>7.2}%   {:>12.2}%   {:>6.2}%\n",
            t.threshold,
            t.probability * 100.0,
            t.fair * 100.0,
            t.empirical * 100.0
        ));
        for (name, v) in &t.members {
            out.push_str(&format!("          {:>7.2}%   {name}\n", v * 100.0));
        }
    }
    out.push_str(&format!(
        "EV of 1 unit cashing out at {}x: {:+.4} (fair game {:+.4})\n",
        p.cashout, p.ev, p.fair_ev
    ));
    let word = match p.recommendation {
        app::types::Recommendation::Play => "PLAY",
        app::types::Recommendation::Wait => "WAIT",
    };
    if let Some(e) = &p.pattern {
        out.push_str(&format!(
            "pattern \"{}\" at {}x: {:.1}% of {} rounds in its situation (fair {:.1}%), EV {:+.4}, lower bound {:+.4}; out of sample {:.1}% of {}\n",
            e.condition,
            e.cashout,
            e.rate * 100.0,
            e.occurrences,
            e.fair * 100.0,
            e.ev,
            e.ev_low,
            e.later_rate * 100.0,
            e.later_occurrences
        ));
    }
    out.push_str(&format!(
        "{word} ({:.0}% confidence): {}\n",
        p.mode.confidence() * 100.0,
        p.reason
    ));
    out
}

pub fn render_models(infos: &[registry::ModelInfo]) -> String {
    if infos.is_empty() {
        return "no trained models yet: run `jetx train`\n".into();
    }
    let mut out = String::new();
    for info in infos {
        let mark = if info.active { "*" } else { " " };
        match (&info.meta, &info.problem) {
            (Some(m), _) => out.push_str(&format!(
                "{mark} {}  {}  {} rounds  members: {}  device {}\n",
                info.version,
                m.created_at,
                m.training.n_rounds,
                m.members
                    .iter()
                    .map(|r| r.kind.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                m.device
            )),
            (None, problem) => out.push_str(&format!(
                "{mark} {}  unreadable: {}\n",
                info.version,
                problem.as_deref().unwrap_or("unknown problem")
            )),
        }
    }
    out.push_str("* = active\n");
    out
}

/// The dashboard's predictions: the active trained ensemble with its walk-forward evidence,
/// or the fair law (with a notice) when no model can be loaded. The loaded model is kept
/// until the active version or its files change.
pub struct EnsemblePredictions {
    pub models_dir: std::path::PathBuf,
    pub house_edge: f64,
    /// A fixed version; `None` follows the active one.
    pub version: Option<String>,
    loaded: std::sync::Mutex<Option<(String, registry::LoadedModel)>>,
    /// The pattern scan of the history, kept in step round by round (PLAY / WAIT).
    patterns: std::sync::Mutex<models::patterns::PatternTracker>,
}

impl EnsemblePredictions {
    pub fn new(models_dir: std::path::PathBuf, house_edge: f64, version: Option<String>) -> Self {
        Self {
            models_dir,
            house_edge,
            version,
            loaded: std::sync::Mutex::new(None),
            patterns: std::sync::Mutex::new(models::patterns::PatternTracker::new(
                models::patterns::PatternConfig {
                    house_edge,
                    ..Default::default()
                },
            )),
        }
    }

    /// PLAY / WAIT from the pattern scan of `rounds`.
    fn decision(
        &self,
        rounds: &[Multiplier],
        cashout: f64,
        mode: app::types::Mode,
    ) -> app::types::Decision {
        match self.patterns.lock() {
            Ok(mut tracker) => tracker.decide(rounds, cashout, mode),
            Err(_) => app::types::pattern_decision(rounds, cashout, mode, self.house_edge),
        }
    }

    /// The loaded model's estimate with the history's rates and the walk-forward evidence.
    fn estimate(
        &self,
        model: &registry::LoadedModel,
        rounds: &[Multiplier],
        cashout: f64,
        mode: app::types::Mode,
    ) -> app::types::PredictionView {
        let th = model.meta.thresholds.clone();
        let row = ensemble::next::next_row(rounds);
        let p = model.ensemble.predict_with_history(&row, rounds, &th);
        let members = model
            .ensemble
            .predict_members_with_history(&row, rounds, &th);
        let thresholds = th
            .iter()
            .enumerate()
            .map(|(i, &t)| app::types::ThresholdView {
                threshold: t,
                probability: p
                    .get(i)
                    .copied()
                    .unwrap_or_else(|| fair_survival(t, self.house_edge)),
                fair: fair_survival(t, self.house_edge),
                empirical: app::types::empirical_share(rounds, t),
                members: members
                    .iter()
                    .filter_map(|(name, ps)| ps.get(i).map(|v| (name.clone(), *v)))
                    .collect(),
            })
            .collect();
        app::types::prediction_view(
            Some(model.meta.version.clone()),
            None,
            rounds.len(),
            cashout,
            mode,
            thresholds,
            evidence_of(&model.meta, cashout),
            self.house_edge,
            self.decision(rounds, cashout, mode),
        )
    }

    /// Runs `f` on `version`, loaded once and kept until its files change.
    fn with_loaded<T>(
        &self,
        version: &str,
        f: impl FnOnce(&registry::LoadedModel) -> T,
    ) -> Result<T, RegistryError> {
        let key = format!(
            "{version}#{:x}",
            fingerprint(&self.models_dir.join(version))
        );
        let mut slot = self
            .loaded
            .lock()
            .map_err(|_| RegistryError::Mismatch("the model cache failed earlier".into()))?;
        if slot.as_ref().is_none_or(|(k, _)| *k != key) {
            *slot = None;
            *slot = Some((key, registry::load(&self.models_dir, version, &loaders())?));
        }
        match slot.as_ref() {
            Some((_, model)) => Ok(f(model)),
            None => Err(RegistryError::Mismatch("the model cache is empty".into())),
        }
    }

    /// The version that answers now, if any (`Err` when the registry cannot be read).
    fn current_version(&self) -> Result<Option<String>, RegistryError> {
        match &self.version {
            Some(v) => Ok(Some(v.clone())),
            None => registry::active(&self.models_dir),
        }
    }
}

/// The 15 most important features of each member that measures importance.
fn importance_of(model: &registry::LoadedModel) -> Vec<app::views::FeatureImportance> {
    model
        .ensemble
        .members()
        .iter()
        .filter_map(|member| {
            let mut features = member.feature_importance();
            features.truncate(15);
            (!features.is_empty()).then(|| app::views::FeatureImportance {
                member: member.name(),
                features,
            })
        })
        .collect()
}

/// Sizes and modification times of every file of a version: a changed, replaced or
/// damaged file changes it.
fn fingerprint(dir: &Path) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let mut stack = vec![dir.to_path_buf()];
    let mut entries = Vec::new();
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let Ok(md) = e.metadata() else { continue };
            if md.is_dir() {
                stack.push(e.path());
            } else {
                let modified = md
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                entries.push((e.path(), md.len(), modified));
            }
        }
    }
    entries.sort();
    entries.hash(&mut hasher);
    hasher.finish()
}

/// The training run's walk-forward scores of the stacked ensemble at `cashout`.
pub fn evidence_of(meta: &ensemble::ModelMeta, cashout: f64) -> Option<app::types::Evidence> {
    let row = meta.scores.as_ref()?.row("stacked ensemble")?;
    let ts = row
        .summary
        .thresholds
        .iter()
        .find(|t| (t.threshold - cashout).abs() < 1e-9)?;
    Some(app::types::Evidence {
        model: row.name.clone(),
        forecasts: ts.n,
        bss: ts.skill.bss,
        bss_low: ts.skill.low,
        bss_high: ts.skill.high,
        dm_p: ts.dm.p_a_better,
        edge_found: ts.edge_found,
        bets: ts.pnl.bets,
        ev_per_bet: ts.pnl.ev_per_bet,
        ev_low: ts.pnl.ev_low,
        ev_high: ts.pnl.ev_high,
    })
}

impl app::api::ssr::PredictionService for EnsemblePredictions {
    fn predict(
        &self,
        rounds: &[Multiplier],
        cashout: f64,
        mode: app::types::Mode,
    ) -> app::types::PredictionView {
        let fair = |notice: String| {
            app::types::prediction_view(
                None,
                Some(notice),
                rounds.len(),
                cashout,
                mode,
                app::types::fair_thresholds(
                    rounds,
                    &models::forecast::DEFAULT_THRESHOLDS,
                    self.house_edge,
                ),
                None,
                self.house_edge,
                self.decision(rounds, cashout, mode),
            )
        };
        if rounds.is_empty() {
            return fair("No rounds yet: the fair baseline answers.".into());
        }
        let no_model = || {
            fair("No trained model yet (train one on the Models page or with `jetx train`): the fair baseline answers."
                .into())
        };
        let version = match self.current_version() {
            Ok(Some(v)) => v,
            Ok(None) => return no_model(),
            Err(e) => {
                return fair(format!(
                    "The model registry cannot be read ({e}): the fair baseline answers."
                ))
            }
        };
        match self.with_loaded(&version, |model| {
            self.estimate(model, rounds, cashout, mode)
        }) {
            Ok(view) => view,
            Err(RegistryError::NoModels(_)) => no_model(),
            Err(e) => {
                tracing::warn!(error = %e, "cannot load the active model");
                fair(format!(
                    "The trained model cannot be used ({e}): the fair baseline answers."
                ))
            }
        }
    }

    fn model_key(&self) -> String {
        match self.current_version() {
            Ok(Some(v)) => format!("{v}#{:x}", fingerprint(&self.models_dir.join(&v))),
            Ok(None) => "fair".into(),
            Err(e) => format!("unreadable: {e}"),
        }
    }

    fn models(&self) -> Result<app::api::ssr::ModelsOverview, String> {
        let infos = registry::list(&self.models_dir).map_err(|e| e.to_string())?;
        let models = infos.iter().rev().map(model_view).collect();
        let mut overview = app::api::ssr::ModelsOverview {
            models,
            ..Default::default()
        };
        match self.current_version() {
            Ok(Some(version)) => match self.with_loaded(&version, importance_of) {
                Ok(importance) => {
                    overview.importance = importance;
                    if overview.importance.is_empty() {
                        overview.importance_note = Some(format!(
                            "None of {version}'s members measures feature importance (the GBT and TabNet-style members do)."
                        ));
                    }
                }
                Err(e) => {
                    overview.importance_note = Some(format!("{version} cannot be loaded: {e}"))
                }
            },
            Ok(None) => overview.importance_note = Some("No active model.".into()),
            Err(e) => overview.importance_note = Some(e.to_string()),
        }
        Ok(overview)
    }

    fn activate(&self, version: &str) -> Result<(), String> {
        // A version is a folder name inside the registry, nothing else.
        if version.is_empty()
            || version.starts_with('.')
            || version.contains(['/', '\\'])
            || version.contains("..")
        {
            return Err(format!("{version:?} is not a model version"));
        }
        // Only a version that loads may answer the dashboard.
        registry::load(&self.models_dir, version, &loaders()).map_err(|e| e.to_string())?;
        registry::set_active(&self.models_dir, version).map_err(|e| e.to_string())
    }

    fn forecaster(&self, name: &str) -> Result<Box<dyn Forecaster>, String> {
        forecaster_for(name).map_err(|e| e.to_string())
    }

    fn forecaster_names(&self) -> Vec<String> {
        [
            "fair-estimated",
            "empirical",
            "logistic",
            "rules",
            "gbt",
            "mlp",
            "gru",
            "tabnet",
            "ensemble",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    fn devices(&self) -> Vec<String> {
        let mut devices = vec!["cpu".to_string()];
        if neural::DeviceChoice::Cuda.resolve(false).is_ok() {
            devices.push("cuda".into());
        }
        devices
    }

    fn member_kinds(&self) -> Vec<String> {
        MEMBER_KINDS.iter().map(|s| s.to_string()).collect()
    }
}

/// A registry entry as the models page shows it.
pub fn model_view(info: &registry::ModelInfo) -> app::views::ModelView {
    let mut view = app::views::ModelView {
        version: info.version.clone(),
        active: info.active,
        problem: info.problem.clone(),
        created_at: String::new(),
        n_rounds: 0,
        device: String::new(),
        members: Vec::new(),
        scores: Vec::new(),
    };
    if let Some(m) = &info.meta {
        view.created_at = m.created_at.clone();
        view.n_rounds = m.training.n_rounds;
        view.device = m.device.clone();
        view.members = m.members.iter().map(|r| r.name.clone()).collect();
        view.scores = m
            .scores
            .as_ref()
            .map(|t| {
                t.rows
                    .iter()
                    .map(|r| app::views::ScoreRow {
                        name: r.name.clone(),
                        seconds: r.seconds,
                        summary: r.summary.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
    }
    view
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("60s").unwrap(), Duration::from_secs(60));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-5s").is_err());
        assert!(parse_duration("5 parsecs").is_err());
    }

    #[test]
    fn no_model_means_the_fair_baseline_with_a_notice() {
        use app::api::ssr::PredictionService;
        let dir = tempfile::tempdir().unwrap();
        let rounds = models::generator::FairGenerator::default().generate(300);
        let service = EnsemblePredictions::new(dir.path().to_path_buf(), 0.03, None);
        let p = service.predict(&rounds, 2.0, app::types::Mode::Normal);
        assert!(p.model.is_none());
        assert!(p
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("fair baseline")));
        let two = p.thresholds.iter().find(|t| t.threshold == 2.0).unwrap();
        assert!((two.probability - 0.485).abs() < 1e-12);
        assert!((p.ev + 0.03).abs() < 1e-12);
        assert_eq!(p.recommendation, app::types::Recommendation::Wait);
        assert!(render_prediction(&p).contains("WAIT (85% confidence)"));
    }
}
