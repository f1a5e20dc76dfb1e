//! What every request handler shares (server only): the state (database pool, rules,
//! estimator, training jobs, caches), and the services the server plugs in: the
//! prediction service (the trained ensemble, or the fair law) and the training jobs.
//! Server functions, REST handlers and the use cases in [`crate::service`] read it.

use crate::db::Pool;
pub use crate::errors::ModelError;
use crate::types::ClientSettings;
use models::values::ValueRules;

/// Estimates the next round and manages the trained models. The server plugs in the
/// trained ensemble; without one the fair law answers ([`FairLawEstimator`]).
pub trait Estimator: Send + Sync {
    /// The estimate for the round after `rounds`, with the PLAY/WAIT decision at
    /// `cashout` (the view is built from it by the caller).
    fn estimate(
        &self,
        rounds: &[models::values::Multiplier],
        cashout: f64,
        mode: crate::types::Mode,
    ) -> crate::types::Estimate;

    /// As [`Self::estimate`], with when the rounds and the next one are played (the
    /// pattern scan's clock rules; an estimator without them ignores it).
    fn estimate_at(
        &self,
        rounds: &[models::values::Multiplier],
        _clock: Option<std::sync::Arc<models::patterns::clock::Clock>>,
        cashout: f64,
        mode: crate::types::Mode,
    ) -> crate::types::Estimate {
        self.estimate(rounds, cashout, mode)
    }

    /// Names the model that would answer now (version and a fingerprint of its files),
    /// so a cached prediction is dropped when the model changes.
    fn model_key(&self) -> String {
        "fair".into()
    }

    /// Registered models, and the active model's feature importance (with a note when
    /// there is none).
    fn models(&self) -> Result<ModelsOverview, ModelError> {
        Ok(ModelsOverview::default())
    }

    fn activate(&self, version: &str) -> Result<(), ModelError> {
        Err(ModelError::Unavailable(format!(
            "cannot activate {version}: this server has no model registry"
        )))
    }

    /// A fresh, unfitted forecaster for the backtest page.
    fn forecaster(&self, name: &str) -> Result<Box<dyn models::forecast::Forecaster>, ModelError> {
        basic_forecaster(name, models::generator::DEFAULT_HOUSE_EDGE)
    }

    /// Model names the backtest page offers.
    fn forecaster_names(&self) -> Vec<String> {
        ["fair-estimated", "empirical", "logistic"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    /// Training devices of this build.
    fn devices(&self) -> Vec<String> {
        vec!["cpu".into()]
    }

    /// Devices this machine has (a CUDA build on a machine without a GPU has only the CPU).
    fn machine_devices(&self) -> Vec<String> {
        vec!["cpu".into()]
    }

    /// Member kinds a training run accepts.
    fn member_kinds(&self) -> Vec<String> {
        Vec::new()
    }
}

#[derive(Debug, Clone, Default)]
pub struct ModelsOverview {
    pub models: Vec<crate::views::ModelView>,
    pub importance: Vec<crate::views::FeatureImportance>,
    pub importance_note: Option<String>,
}

/// The forecasters of the `models` crate by name.
pub fn basic_forecaster(
    name: &str,
    house_edge: f64,
) -> Result<Box<dyn models::forecast::Forecaster>, ModelError> {
    use models::backtest::ModelKind;
    match ModelKind::parse(name) {
        Some(ModelKind::FairLaw) => Ok(Box::new(models::forecast::FairLaw::fixed(house_edge))),
        Some(ModelKind::FairLawEstimated) => Ok(Box::new(models::forecast::FairLaw::estimated())),
        Some(ModelKind::Empirical) => Ok(Box::new(models::forecast::Empirical::default())),
        Some(ModelKind::Logistic) => Ok(Box::new(models::forecast::Logistic::default())),
        None => Err(ModelError::UnknownModel {
            name: name.to_string(),
            choices: "baseline, fair-estimated, empirical or logistic".into(),
        }),
    }
}

/// Runs training jobs in the background, one at a time.
pub trait TrainingService: Send + Sync {
    /// Starts job number `job` (from the lease: numbers grow across every server).
    fn start(
        &self,
        request: crate::views::TrainRequest,
        job: u64,
    ) -> Result<crate::views::TrainStatus, crate::errors::TrainingError>;
    /// Refuses a request [`Self::start`] would refuse for its settings, before a job
    /// number is taken for it.
    fn check(
        &self,
        _request: &crate::views::TrainRequest,
    ) -> Result<(), crate::errors::TrainingError> {
        Ok(())
    }
    fn status(&self) -> crate::views::TrainStatus;
    fn cancel(&self) -> Result<crate::views::TrainStatus, crate::errors::TrainingError>;
    /// Every change of the status, for streaming.
    fn subscribe(&self) -> tokio::sync::watch::Receiver<crate::views::TrainStatus>;
}

/// Where training is not available (tests of the other endpoints).
pub struct NoTraining {
    sender: tokio::sync::watch::Sender<crate::views::TrainStatus>,
}

impl Default for NoTraining {
    fn default() -> Self {
        Self {
            sender: tokio::sync::watch::channel(crate::views::TrainStatus::default()).0,
        }
    }
}

impl TrainingService for NoTraining {
    fn start(
        &self,
        _: crate::views::TrainRequest,
        _: u64,
    ) -> Result<crate::views::TrainStatus, crate::errors::TrainingError> {
        Err(crate::errors::TrainingError::Unavailable)
    }
    fn status(&self) -> crate::views::TrainStatus {
        self.sender.borrow().clone()
    }
    fn cancel(&self) -> Result<crate::views::TrainStatus, crate::errors::TrainingError> {
        Err(crate::errors::TrainingError::NotRunning)
    }
    fn subscribe(&self) -> tokio::sync::watch::Receiver<crate::views::TrainStatus> {
        self.sender.subscribe()
    }
}

/// The fair law (1 − h)/t with the history's rates beside it, and a notice saying so.
pub struct FairLawEstimator {
    pub house_edge: f64,
    pub notice: String,
}

impl Estimator for FairLawEstimator {
    fn estimate(
        &self,
        rounds: &[models::values::Multiplier],
        cashout: f64,
        mode: crate::types::Mode,
    ) -> crate::types::Estimate {
        self.estimate_at(rounds, None, cashout, mode)
    }

    fn estimate_at(
        &self,
        rounds: &[models::values::Multiplier],
        clock: Option<std::sync::Arc<models::patterns::clock::Clock>>,
        cashout: f64,
        mode: crate::types::Mode,
    ) -> crate::types::Estimate {
        crate::types::Estimate::fair(
            &models::forecast::DEFAULT_THRESHOLDS,
            self.house_edge,
            self.notice.clone(),
            crate::types::pattern_decision(rounds, clock, cashout, mode, self.house_edge),
        )
    }
}

/// History revision, model key, cash-out bits, mode, the next round's clock slot.
pub type PredictionKey = (i64, String, u64, crate::types::Mode, Option<(usize, usize)>);

/// The loaded history and the latest predictions, keyed on the history's revision.
#[derive(Default)]
pub struct Caches {
    /// Set while a backtest runs: they can take minutes of both cores, so one at a time.
    pub backtest_running: std::sync::atomic::AtomicBool,
    /// Held while a training job is started (see `service::training::start`).
    pub training_start: tokio::sync::Mutex<()>,
    /// An async lock: one request brings the snapshot up to date while the others wait
    /// for it, instead of each reading the same rows.
    history: tokio::sync::Mutex<Option<crate::db::HistorySnapshot>>,
    /// Each prediction, and whether it was recorded for live scoring yet.
    predictions: std::sync::Mutex<
        std::collections::HashMap<PredictionKey, (crate::types::PredictionView, bool)>,
    >,
    patterns: std::sync::Mutex<Option<PatternEntry>>,
}

/// History revision and the next round's clock slot ([`models::patterns::clock::Clock::next_slot`]).
pub type PatternKey = (i64, Option<(usize, usize)>);

type PatternEntry = (
    PatternKey,
    models::patterns::PatternConfig,
    std::sync::Arc<models::patterns::PatternReport>,
);

impl Caches {
    /// The prediction of `key` (history revision, model, cash-out, mode), if made already.
    pub fn cached_prediction(&self, key: &PredictionKey) -> Option<crate::types::PredictionView> {
        self.predictions
            .lock()
            .ok()?
            .get(key)
            .map(|(v, _)| v.clone())
    }

    /// Keeps `view` for `key`, dropping the predictions of older revisions.
    pub fn store_prediction(&self, key: PredictionKey, view: crate::types::PredictionView) {
        if let Ok(mut cache) = self.predictions.lock() {
            cache.retain(|k, _| k.0 == key.0);
            cache.entry(key).or_insert((view, false));
        }
    }

    /// True when the prediction of `key` was recorded for live scoring already.
    pub fn prediction_recorded(&self, key: &PredictionKey) -> bool {
        self.predictions
            .lock()
            .ok()
            .and_then(|c| c.get(key).map(|(_, recorded)| *recorded))
            .unwrap_or(false)
    }

    pub fn mark_prediction_recorded(&self, key: &PredictionKey) {
        if let Ok(mut cache) = self.predictions.lock() {
            if let Some((_, recorded)) = cache.get_mut(key) {
                *recorded = true;
            }
        }
    }

    /// The pattern report of `revision` with `config`, if it was made already.
    pub fn cached_patterns(
        &self,
        revision: PatternKey,
        config: &models::patterns::PatternConfig,
    ) -> Option<std::sync::Arc<models::patterns::PatternReport>> {
        let guard = self.patterns.lock().ok()?;
        let (r, c, report) = guard.as_ref()?;
        (*r == revision && c == config).then(|| report.clone())
    }

    pub fn store_patterns(
        &self,
        revision: PatternKey,
        config: models::patterns::PatternConfig,
        report: std::sync::Arc<models::patterns::PatternReport>,
    ) {
        if let Ok(mut guard) = self.patterns.lock() {
            *guard = Some((revision, config, report));
        }
    }
}

/// What every request handler needs; provided as Leptos context and axum state.
#[derive(Clone)]
pub struct ServerState {
    pub pool: Pool,
    pub rules: ValueRules,
    pub house_edge: f64,
    pub estimator: std::sync::Arc<dyn Estimator>,
    pub training: std::sync::Arc<dyn TrainingService>,
    pub caches: std::sync::Arc<Caches>,
    /// The shortest reality-check interval a player may choose (seconds; tests shorten it).
    pub reality_check_min_s: i64,
    /// This server among those sharing the database (the holder of its job leases).
    pub instance: std::sync::Arc<str>,
}

impl ServerState {
    pub fn new(
        pool: Pool,
        rules: ValueRules,
        house_edge: f64,
        estimator: std::sync::Arc<dyn Estimator>,
        training: std::sync::Arc<dyn TrainingService>,
    ) -> Self {
        Self {
            pool,
            rules,
            house_edge,
            estimator,
            training,
            caches: std::sync::Arc::new(Caches::default()),
            reality_check_min_s: models::limits::DEFAULT_MIN_REALITY_CHECK_S,
            instance: new_instance_id().into(),
        }
    }

    /// The stored history, read again only when its revision changed, and then only the
    /// new rows and those from the lowest edited or deleted one on.
    pub async fn history(&self) -> Result<crate::db::HistorySnapshot, crate::db::DbError> {
        let revision = crate::db::history_revision(&self.pool).await?;
        let mut slot = self.caches.history.lock().await;
        if let Some(snap) = slot.as_ref().filter(|s| s.revision == revision) {
            return Ok(snap.clone());
        }
        // Taken out of the slot, an unshared snapshot grows in place (no copy of a
        // million values per round); after an error the next call reads it all again.
        let snap = crate::db::history_snapshot(&self.pool, slot.take()).await?;
        *slot = Some(snap.clone());
        Ok(snap)
    }

    pub fn settings(&self) -> ClientSettings {
        ClientSettings {
            rules: self.rules,
            house_edge: self.house_edge,
        }
    }
}

/// A name for a server among those sharing the database (the holder of its job leases):
/// process id, start time and a count (tests run two servers in one process).
fn new_instance_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}-{nanos:x}-{n}", std::process::id())
}

#[cfg(test)]
mod tests;
