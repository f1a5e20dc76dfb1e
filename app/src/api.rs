//! Server functions: the browser's calls into the server. Each validates with the same
//! parser as every other entry point and leaves the database unchanged on bad input.

use crate::types::{ClientSettings, Dashboard, DemoInfo, PredictionView, RoundRow, RoundsPage};
use crate::views::{
    AnalysisView, BacktestRequest, BacktestView, LiveView, ModelsPage, TrainRequest, TrainStatus,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::types::ClientSettings;
    use leptos::prelude::*;
    use models::values::ValueRules;
    use sqlx::SqlitePool;

    /// Estimates the next round and manages the trained models. The server plugs in the
    /// trained ensemble; without one the fair law answers ([`FairPredictions`]).
    pub trait PredictionService: Send + Sync {
        fn predict(
            &self,
            rounds: &[models::values::Multiplier],
            cashout: f64,
            mode: crate::types::Mode,
        ) -> crate::types::PredictionView;

        /// Names the model that would answer now (version and a fingerprint of its files),
        /// so a cached prediction is dropped when the model changes.
        fn model_key(&self) -> String {
            "fair".into()
        }

        /// Registered models, and the active model's feature importance (with a note when
        /// there is none).
        fn models(&self) -> Result<ModelsOverview, String> {
            Ok(ModelsOverview::default())
        }

        fn activate(&self, version: &str) -> Result<(), String> {
            Err(format!(
                "cannot activate {version}: this server has no model registry"
            ))
        }

        /// A fresh, unfitted forecaster for the backtest page.
        fn forecaster(&self, name: &str) -> Result<Box<dyn models::forecast::Forecaster>, String> {
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
    ) -> Result<Box<dyn models::forecast::Forecaster>, String> {
        use models::backtest::ModelKind;
        match ModelKind::parse(name) {
            Some(ModelKind::FairLaw) => Ok(Box::new(models::forecast::FairLaw::fixed(house_edge))),
            Some(ModelKind::FairLawEstimated) => {
                Ok(Box::new(models::forecast::FairLaw::estimated()))
            }
            Some(ModelKind::Empirical) => Ok(Box::new(models::forecast::Empirical::default())),
            Some(ModelKind::Logistic) => Ok(Box::new(models::forecast::Logistic::default())),
            None => Err(format!("unknown model {name:?}")),
        }
    }

    /// Runs training jobs in the background, one at a time.
    pub trait TrainingService: Send + Sync {
        fn start(
            &self,
            request: crate::views::TrainRequest,
        ) -> Result<crate::views::TrainStatus, crate::service::training::TrainingError>;
        fn status(&self) -> crate::views::TrainStatus;
        fn cancel(
            &self,
        ) -> Result<crate::views::TrainStatus, crate::service::training::TrainingError>;
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
        ) -> Result<crate::views::TrainStatus, crate::service::training::TrainingError> {
            Err(crate::service::training::TrainingError::Unavailable)
        }
        fn status(&self) -> crate::views::TrainStatus {
            self.sender.borrow().clone()
        }
        fn cancel(
            &self,
        ) -> Result<crate::views::TrainStatus, crate::service::training::TrainingError> {
            Err(crate::service::training::TrainingError::NotRunning)
        }
        fn subscribe(&self) -> tokio::sync::watch::Receiver<crate::views::TrainStatus> {
            self.sender.subscribe()
        }
    }

    /// The fair law (1 − h)/t with the history's rates beside it, and a notice saying so.
    pub struct FairPredictions {
        pub house_edge: f64,
        pub notice: String,
    }

    impl PredictionService for FairPredictions {
        fn predict(
            &self,
            rounds: &[models::values::Multiplier],
            cashout: f64,
            mode: crate::types::Mode,
        ) -> crate::types::PredictionView {
            let thresholds = crate::types::fair_thresholds(
                rounds,
                &models::forecast::DEFAULT_THRESHOLDS,
                self.house_edge,
            );
            crate::types::prediction_view(
                None,
                Some(self.notice.clone()),
                rounds.len(),
                cashout,
                mode,
                thresholds,
                None,
                self.house_edge,
                crate::types::pattern_decision(rounds, cashout, mode, self.house_edge),
            )
        }
    }

    type PredictionKey = (i64, String, u64, crate::types::Mode);

    /// The loaded history and the latest predictions, keyed on the history's revision.
    #[derive(Default)]
    pub struct Caches {
        /// Set while a backtest runs: they can take minutes of both cores, so one at a time.
        pub backtest_running: std::sync::atomic::AtomicBool,
        history: std::sync::Mutex<Option<crate::db::HistorySnapshot>>,
        predictions: std::sync::Mutex<
            std::collections::HashMap<PredictionKey, crate::types::PredictionView>,
        >,
        patterns: std::sync::Mutex<Option<PatternEntry>>,
    }

    type PatternEntry = (
        i64,
        models::patterns::PatternConfig,
        std::sync::Arc<models::patterns::PatternReport>,
    );

    impl Caches {
        /// The pattern report of `revision` with `config`, if it was made already.
        pub fn cached_patterns(
            &self,
            revision: i64,
            config: &models::patterns::PatternConfig,
        ) -> Option<std::sync::Arc<models::patterns::PatternReport>> {
            let guard = self.patterns.lock().ok()?;
            let (r, c, report) = guard.as_ref()?;
            (*r == revision && c == config).then(|| report.clone())
        }

        pub fn store_patterns(
            &self,
            revision: i64,
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
        pub pool: SqlitePool,
        pub rules: ValueRules,
        pub house_edge: f64,
        pub predictor: std::sync::Arc<dyn PredictionService>,
        pub training: std::sync::Arc<dyn TrainingService>,
        pub caches: std::sync::Arc<Caches>,
    }

    impl ServerState {
        pub fn new(
            pool: SqlitePool,
            rules: ValueRules,
            house_edge: f64,
            predictor: std::sync::Arc<dyn PredictionService>,
            training: std::sync::Arc<dyn TrainingService>,
        ) -> Self {
            Self {
                pool,
                rules,
                house_edge,
                predictor,
                training,
                caches: std::sync::Arc::new(Caches::default()),
            }
        }

        /// The stored history, read again only when its revision changed (and then only the
        /// new rows, unless rounds were edited or deleted).
        pub async fn history(&self) -> Result<crate::db::HistorySnapshot, crate::db::DbError> {
            let revision = crate::db::history_revision(&self.pool).await?;
            let previous = match self.caches.history.lock() {
                Ok(guard) => guard.clone(),
                Err(_) => None,
            };
            if let Some(snap) = previous.as_ref().filter(|s| s.revision == revision) {
                return Ok(snap.clone());
            }
            let snap = crate::db::history_snapshot(&self.pool, previous.as_ref()).await?;
            if let Ok(mut guard) = self.caches.history.lock() {
                *guard = Some(snap.clone());
            }
            Ok(snap)
        }

        /// The next round's estimate: computed once per history revision, model, cash-out
        /// and mode, stored for live scoring the first time, then served from memory.
        pub async fn predict_next(
            &self,
            cashout: f64,
            mode: crate::types::Mode,
        ) -> Result<crate::types::PredictionView, String> {
            models::decision::check_cashout(cashout).map_err(|e| e.to_string())?;
            let started = std::time::Instant::now();
            let snap = self.history().await.map_err(|e| e.to_string())?;
            let history_ms = started.elapsed().as_secs_f64() * 1e3;
            let predictor = self.predictor.clone();
            // The model key reads the registry (a file and the model's folder): blocking work.
            let keyed = predictor.clone();
            let model_key = tokio::task::spawn_blocking(move || keyed.model_key())
                .await
                .map_err(|e| e.to_string())?;
            let key = (snap.revision, model_key, cashout.to_bits(), mode);
            if let Ok(cache) = self.caches.predictions.lock() {
                if let Some(view) = cache.get(&key) {
                    return Ok(view.clone());
                }
            }
            let values = snap.values.clone();
            // Loading a model reads files and runs the networks: keep it off the async workers.
            let view =
                tokio::task::spawn_blocking(move || predictor.predict(&values, cashout, mode))
                    .await
                    .map_err(|e| e.to_string())?;
            let computed_ms = started.elapsed().as_secs_f64() * 1e3;
            if let Err(e) = crate::db::store_prediction(&self.pool, snap.last_id, &view).await {
                tracing::warn!(error = %e, "could not store the prediction for live scoring");
            }
            if let Ok(mut cache) = self.caches.predictions.lock() {
                cache.retain(|k, _| k.0 == snap.revision);
                cache.insert(key, view.clone());
            }
            tracing::debug!(
                rounds = snap.values.len(),
                history_ms,
                computed_ms,
                total_ms = started.elapsed().as_secs_f64() * 1e3,
                "fresh prediction"
            );
            Ok(view)
        }

        pub fn settings(&self) -> ClientSettings {
            ClientSettings {
                rules: self.rules,
                house_edge: self.house_edge,
            }
        }
    }

    pub fn state() -> Result<ServerState, ServerFnError> {
        use_context::<ServerState>().ok_or_else(|| ServerFnError::new("server state is missing"))
    }

    /// Logs the full error and hands the user its message.
    pub fn fail(e: impl std::fmt::Display) -> ServerFnError {
        tracing::warn!(error = %e, "request refused");
        ServerFnError::new(e.to_string())
    }
}

/// The message of a server function error, without the framework's prefix.
pub fn error_text(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(m) => m.clone(),
        other => other.to_string(),
    }
}

#[server(endpoint = "dashboard")]
pub async fn get_dashboard(last_n: usize) -> Result<Dashboard, ServerFnError> {
    let st = ssr::state()?;
    crate::db::dashboard(&st.pool, last_n.clamp(1, 1_000_000), st.settings())
        .await
        .map_err(ssr::fail)
}

#[server(endpoint = "settings")]
pub async fn get_settings() -> Result<ClientSettings, ServerFnError> {
    Ok(ssr::state()?.settings())
}

#[server(endpoint = "add_round")]
pub async fn add_round(text: String) -> Result<RoundRow, ServerFnError> {
    let st = ssr::state()?;
    let value = models::values::parse_multiplier(&text, &st.rules).map_err(ssr::fail)?;
    let ids = crate::db::insert_values(&st.pool, &[value], crate::types::Source::Entry)
        .await
        .map_err(ssr::fail)?;
    let id = ids
        .first()
        .copied()
        .ok_or_else(|| ssr::fail("nothing stored"))?;
    crate::db::get_round(&st.pool, id).await.map_err(ssr::fail)
}

/// Stores a pasted text. With bad tokens it stores nothing unless `skip_invalid` is set.
#[server(endpoint = "add_pasted")]
pub async fn add_pasted(text: String, skip_invalid: bool) -> Result<usize, ServerFnError> {
    let st = ssr::state()?;
    let parse = models::values::parse_paste(&text, &st.rules).map_err(ssr::fail)?;
    let values = if skip_invalid {
        parse.valid_values()
    } else {
        parse.all_or_first_error().map_err(ssr::fail)?
    };
    if values.is_empty() {
        return Err(ssr::fail("the text holds no valid values"));
    }
    crate::db::insert_values(&st.pool, &values, crate::types::Source::Paste)
        .await
        .map_err(ssr::fail)?;
    Ok(values.len())
}

#[server(endpoint = "undo_last")]
pub async fn undo_last() -> Result<Option<RoundRow>, ServerFnError> {
    let st = ssr::state()?;
    crate::db::undo_last(&st.pool).await.map_err(ssr::fail)
}

#[server(endpoint = "list_rounds")]
pub async fn list_rounds(offset: i64, limit: i64) -> Result<RoundsPage, ServerFnError> {
    let st = ssr::state()?;
    crate::db::list_page(&st.pool, offset.max(0), limit.clamp(1, 1000))
        .await
        .map_err(ssr::fail)
}

#[server(endpoint = "update_round")]
pub async fn update_round(id: i64, text: String) -> Result<RoundRow, ServerFnError> {
    let st = ssr::state()?;
    let value = models::values::parse_multiplier(&text, &st.rules).map_err(ssr::fail)?;
    crate::db::update_value(&st.pool, id, value)
        .await
        .map_err(ssr::fail)
}

#[server(endpoint = "delete_round")]
pub async fn delete_round(id: i64) -> Result<RoundRow, ServerFnError> {
    let st = ssr::state()?;
    crate::db::delete_round(&st.pool, id)
        .await
        .map_err(ssr::fail)
}

#[server(endpoint = "load_demo")]
pub async fn load_demo(rounds: usize, seed: u64) -> Result<DemoInfo, ServerFnError> {
    let st = ssr::state()?;
    crate::db::load_demo(&st.pool, rounds, seed, st.house_edge)
        .await
        .map_err(ssr::fail)
}

#[server(endpoint = "remove_demo")]
pub async fn remove_demo() -> Result<u64, ServerFnError> {
    let st = ssr::state()?;
    crate::db::remove_demo(&st.pool).await.map_err(ssr::fail)
}

/// The next round's estimate at a cash-out target, with PLAY/WAIT and the reason. Stored
/// for live scoring the first time it is shown.
#[server(endpoint = "prediction")]
pub async fn get_prediction(
    cashout: f64,
    mode: crate::types::Mode,
) -> Result<PredictionView, ServerFnError> {
    let st = ssr::state()?;
    st.predict_next(cashout, mode).await.map_err(ssr::fail)
}

/// The live scoreboard of stored predictions.
#[server(endpoint = "live")]
pub async fn get_live() -> Result<LiveView, ServerFnError> {
    let st = ssr::state()?;
    let (scored, pending) = crate::db::scored_predictions(&st.pool)
        .await
        .map_err(ssr::fail)?;
    let (stored, recent) = crate::db::list_predictions(&st.pool, 0, 12)
        .await
        .map_err(ssr::fail)?;
    Ok(crate::reports::build_live(
        &scored,
        pending as usize,
        stored as usize,
        recent,
    ))
}

/// Registered models, the active model's feature importance and the training job.
#[server(endpoint = "models")]
pub async fn get_models() -> Result<ModelsPage, ServerFnError> {
    let st = ssr::state()?;
    let predictor = st.predictor.clone();
    let overview = tokio::task::spawn_blocking(move || predictor.models())
        .await
        .map_err(ssr::fail)?
        .map_err(ssr::fail)?;
    Ok(ModelsPage {
        models: overview.models,
        importance: overview.importance,
        importance_note: overview.importance_note,
        devices: st.predictor.devices(),
        member_kinds: st.predictor.member_kinds(),
        training: st.training.status(),
    })
}

#[server(endpoint = "activate_model")]
pub async fn activate_model(version: String) -> Result<(), ServerFnError> {
    let st = ssr::state()?;
    // Activation loads the whole model: off the async workers, as the REST route does.
    let predictor = st.predictor.clone();
    tokio::task::spawn_blocking(move || predictor.activate(&version))
        .await
        .map_err(ssr::fail)?
        .map_err(ssr::fail)
}

#[server(endpoint = "start_training")]
pub async fn start_training(request: TrainRequest) -> Result<TrainStatus, ServerFnError> {
    let st = ssr::state()?;
    st.training.start(request).map_err(ssr::fail)
}

#[server(endpoint = "cancel_training")]
pub async fn cancel_training() -> Result<TrainStatus, ServerFnError> {
    let st = ssr::state()?;
    st.training.cancel().map_err(ssr::fail)
}

#[server(endpoint = "training_status")]
pub async fn training_status() -> Result<TrainStatus, ServerFnError> {
    Ok(ssr::state()?.training.status())
}

/// Model names the backtest page offers.
#[server(endpoint = "backtest_models")]
pub async fn backtest_models() -> Result<Vec<String>, ServerFnError> {
    Ok(ssr::state()?.predictor.forecaster_names())
}

/// Walk-forward backtest of the stored rounds.
#[server(endpoint = "backtest")]
pub async fn run_backtest(request: BacktestRequest) -> Result<BacktestView, ServerFnError> {
    use std::sync::atomic::Ordering;
    let st = ssr::state()?;
    if st.caches.backtest_running.swap(true, Ordering::SeqCst) {
        return Err(ssr::fail(
            "another backtest is running: wait for it to finish",
        ));
    }
    /// Clears the flag however the request ends.
    struct Running(std::sync::Arc<ssr::Caches>);
    impl Drop for Running {
        fn drop(&mut self) {
            self.0.backtest_running.store(false, Ordering::SeqCst);
        }
    }
    let running = Running(st.caches.clone());
    let snap = st.history().await.map_err(ssr::fail)?;
    let predictor = st.predictor.clone();
    let house_edge = st.house_edge;
    tokio::task::spawn_blocking(move || {
        let _running = running;
        let make = |name: &str| predictor.forecaster(name);
        crate::reports::build_backtest(&snap.values, &request, house_edge, &make, &mut |_, _, _| {})
    })
    .await
    .map_err(ssr::fail)?
    .map_err(ssr::fail)
}

/// The patterns page: the pattern scan of the stored rounds (cached per revision).
#[server(endpoint = "patterns")]
pub async fn get_patterns() -> Result<models::patterns::PatternReport, ServerFnError> {
    let st = ssr::state()?;
    let report = crate::service::patterns::report(&st, &Default::default())
        .await
        .map_err(ssr::fail)?;
    Ok((*report).clone())
}

/// The analysis page: fairness report and charts of the stored rounds.
#[server(endpoint = "analysis")]
pub async fn get_analysis() -> Result<AnalysisView, ServerFnError> {
    let st = ssr::state()?;
    let snap = st.history().await.map_err(ssr::fail)?;
    let house_edge = st.house_edge;
    tokio::task::spawn_blocking(move || crate::reports::build_analysis(&snap.values, house_edge))
        .await
        .map_err(ssr::fail)
}
