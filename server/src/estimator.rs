//! The dashboard's prediction service: the active trained ensemble (loaded once, kept
//! until its files change) with its walk-forward evidence, the pattern scan's PLAY / WAIT,
//! and the models page's registry view.

use crate::trainer::{forecaster_for, loaders, MEMBER_KINDS};
use app::errors::ModelError;
use ensemble::registry::{self, RegistryError};
use models::forecast::Forecaster;
use models::patterns::clock::Clock;
use models::summary::fair_survival;
use models::values::Multiplier;
use std::path::Path;
use std::sync::Arc;

/// The dashboard's predictions: the active trained ensemble with its walk-forward evidence,
/// or the fair law (with a notice) when no model can be loaded. The loaded model is kept
/// until the active version or its files change.
pub struct EnsembleEstimator {
    pub models_dir: std::path::PathBuf,
    pub house_edge: f64,
    /// A fixed version; `None` follows the active one.
    pub version: Option<String>,
    loaded: std::sync::Mutex<Option<(String, registry::LoadedModel)>>,
    /// The pattern scan of the history, kept in step round by round (PLAY / WAIT).
    patterns: std::sync::Mutex<models::decision::PatternTracker>,
}

impl EnsembleEstimator {
    pub fn new(models_dir: std::path::PathBuf, house_edge: f64, version: Option<String>) -> Self {
        Self {
            models_dir,
            house_edge,
            version,
            loaded: std::sync::Mutex::new(None),
            patterns: std::sync::Mutex::new(models::decision::PatternTracker::new(
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
        clock: Option<Arc<Clock>>,
        cashout: f64,
        mode: app::types::Mode,
    ) -> app::types::Decision {
        match self.patterns.lock() {
            Ok(mut tracker) => tracker.decide_with_clock(rounds, clock, cashout, mode),
            Err(_) => app::types::pattern_decision(rounds, clock, cashout, mode, self.house_edge),
        }
    }

    /// The loaded model's estimate with its members' and the walk-forward evidence.
    fn model_estimate(
        &self,
        model: &registry::LoadedModel,
        rounds: &[Multiplier],
        clock: Option<Arc<Clock>>,
        cashout: f64,
        mode: app::types::Mode,
    ) -> app::types::Estimate {
        let th = model.meta.thresholds.clone();
        let row = ensemble::next::next_row(rounds);
        let p = model.ensemble.predict_with_history(&row, rounds, &th);
        let members = model
            .ensemble
            .predict_members_with_history(&row, rounds, &th);
        let thresholds = th
            .iter()
            .enumerate()
            .map(|(i, &t)| app::types::ThresholdEstimate {
                threshold: t,
                probability: p
                    .get(i)
                    .copied()
                    .unwrap_or_else(|| fair_survival(t, self.house_edge)),
                members: members
                    .iter()
                    .filter_map(|(name, ps)| ps.get(i).map(|v| (name.clone(), *v)))
                    .collect(),
            })
            .collect();
        app::types::Estimate {
            model: Some(model.meta.version.clone()),
            notice: None,
            thresholds,
            evidence: evidence_of(&model.meta, cashout),
            decision: self.decision(rounds, clock, cashout, mode),
        }
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

impl app::api::ssr::Estimator for EnsembleEstimator {
    fn estimate(
        &self,
        rounds: &[Multiplier],
        cashout: f64,
        mode: app::types::Mode,
    ) -> app::types::Estimate {
        self.estimate_at(rounds, None, cashout, mode)
    }

    fn estimate_at(
        &self,
        rounds: &[Multiplier],
        clock: Option<Arc<Clock>>,
        cashout: f64,
        mode: app::types::Mode,
    ) -> app::types::Estimate {
        let fair = |notice: String| {
            app::types::Estimate::fair(
                &models::forecast::DEFAULT_THRESHOLDS,
                self.house_edge,
                notice,
                self.decision(rounds, clock.clone(), cashout, mode),
            )
        };
        if rounds.is_empty() {
            return fair("No rounds yet: the fair baseline answers.".into());
        }
        let no_model = || {
            fair("No trained model yet (train one on the Models page or with the command jetx train): the fair baseline answers."
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
            self.model_estimate(model, rounds, clock.clone(), cashout, mode)
        }) {
            Ok(estimate) => estimate,
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

    fn models(&self) -> Result<app::api::ssr::ModelsOverview, ModelError> {
        let infos =
            registry::list(&self.models_dir).map_err(|e| ModelError::Internal(e.to_string()))?;
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

    fn activate(&self, version: &str) -> Result<(), ModelError> {
        // A version is a folder name inside the registry, nothing else.
        if version.is_empty()
            || version.starts_with('.')
            || version.contains(['/', '\\'])
            || version.contains("..")
        {
            return Err(ModelError::NotAVersion(version.to_string()));
        }
        if !self.models_dir.join(version).is_dir() {
            return Err(ModelError::NoSuchVersion(version.to_string()));
        }
        // Only a version that loads may answer the dashboard.
        let cannot = |e: RegistryError| ModelError::CannotLoad {
            version: version.to_string(),
            reason: e.to_string(),
        };
        registry::load(&self.models_dir, version, &loaders()).map_err(cannot)?;
        registry::set_active(&self.models_dir, version).map_err(cannot)
    }

    fn forecaster(&self, name: &str) -> Result<Box<dyn Forecaster>, ModelError> {
        forecaster_for(name, self.house_edge)
    }

    fn forecaster_names(&self) -> Vec<String> {
        crate::trainer::BACKTEST_MODELS
            .iter()
            .filter(|m| **m != "baseline")
            .map(|s| s.to_string())
            .collect()
    }

    fn devices(&self) -> Vec<String> {
        neural::devices().build
    }

    fn machine_devices(&self) -> Vec<String> {
        neural::devices().machine
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
    fn no_model_means_the_fair_baseline_with_a_notice() {
        use app::api::ssr::Estimator;
        let dir = tempfile::tempdir().unwrap();
        let rounds = models::generator::FairGenerator::default().generate(300);
        let service = EnsembleEstimator::new(dir.path().to_path_buf(), 0.03, None);
        let estimate = service.estimate(&rounds, 2.0, app::types::Mode::Normal);
        let p =
            app::types::PredictionView::of(estimate, &rounds, 2.0, app::types::Mode::Normal, 0.03);
        assert!(p.model.is_none());
        assert!(p
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("fair baseline")));
        let two = p.thresholds.iter().find(|t| t.threshold == 2.0).unwrap();
        assert!((two.probability - 0.485).abs() < 1e-12);
        assert!((p.ev + 0.03).abs() < 1e-12);
        assert_eq!(p.recommendation, app::types::Recommendation::Wait);
    }
}
