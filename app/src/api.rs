//! Server functions: the browser's calls into the server. Each validates with the same
//! parser as every other entry point and leaves the database unchanged on bad input.

use crate::types::{ClientSettings, Dashboard, DemoInfo, PredictionView, RoundRow, RoundsPage};
use crate::views::{
    AnalysisView, BacktestRequest, BacktestView, LiveView, ModelsPage, TrainRequest, TrainStatus,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub mod ssr {
    pub use crate::errors::ModelError;
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
        fn models(&self) -> Result<ModelsOverview, ModelError> {
            Ok(ModelsOverview::default())
        }

        fn activate(&self, version: &str) -> Result<(), ModelError> {
            Err(ModelError::Unavailable(format!(
                "cannot activate {version}: this server has no model registry"
            )))
        }

        /// A fresh, unfitted forecaster for the backtest page.
        fn forecaster(
            &self,
            name: &str,
        ) -> Result<Box<dyn models::forecast::Forecaster>, ModelError> {
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
    ) -> Result<Box<dyn models::forecast::Forecaster>, ModelError> {
        use models::backtest::ModelKind;
        match ModelKind::parse(name) {
            Some(ModelKind::FairLaw) => Ok(Box::new(models::forecast::FairLaw::fixed(house_edge))),
            Some(ModelKind::FairLawEstimated) => {
                Ok(Box::new(models::forecast::FairLaw::estimated()))
            }
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

    /// History revision, model key, cash-out bits, mode.
    pub type PredictionKey = (i64, String, u64, crate::types::Mode);

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
        /// The prediction of `key` (history revision, model, cash-out, mode), if made already.
        pub fn cached_prediction(
            &self,
            key: &PredictionKey,
        ) -> Option<crate::types::PredictionView> {
            self.predictions.lock().ok()?.get(key).cloned()
        }

        /// Keeps `view` for `key`, dropping the predictions of older revisions.
        pub fn store_prediction(&self, key: PredictionKey, view: crate::types::PredictionView) {
            if let Ok(mut cache) = self.predictions.lock() {
                cache.retain(|k, _| k.0 == key.0);
                cache.insert(key, view);
            }
        }

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

        pub fn settings(&self) -> ClientSettings {
            ClientSettings {
                rules: self.rules,
                house_edge: self.house_edge,
            }
        }
    }

    pub fn state() -> Result<ServerState, ServerFnError> {
        use_context::<ServerState>().ok_or_else(|| internal("server state is missing"))
    }

    /// Answers with the error's HTTP status (4xx: the user can fix the request; 5xx: the
    /// server failed), logs it, and hands the user its message.
    pub fn fail(e: impl crate::errors::HttpStatus) -> ServerFnError {
        let code = e.status_code();
        if code >= 500 {
            tracing::error!(error = %e, status = code, "request failed");
        } else {
            tracing::warn!(error = %e, status = code, "request refused");
        }
        if let (Some(options), Ok(status)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            axum::http::StatusCode::from_u16(code),
        ) {
            options.set_status(status);
        }
        ServerFnError::new(e.to_string())
    }

    /// A failure of the server itself (a lost worker, a missing context): HTTP 500.
    pub fn internal(e: impl std::fmt::Display) -> ServerFnError {
        fail(Internal(e.to_string()))
    }

    /// An unexpected failure, with its message.
    #[derive(Debug)]
    pub struct Internal(pub String);

    impl std::fmt::Display for Internal {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }

    impl crate::errors::HttpStatus for Internal {
        fn status_code(&self) -> u16 {
            500
        }
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
    crate::service::rounds::add_one(&st, &text)
        .await
        .map_err(ssr::fail)
}

/// Stores a pasted text. With bad tokens it stores nothing unless `skip_invalid` is set.
#[server(endpoint = "add_pasted")]
pub async fn add_pasted(text: String, skip_invalid: bool) -> Result<usize, ServerFnError> {
    let st = ssr::state()?;
    crate::service::rounds::add_pasted(&st, &text, skip_invalid)
        .await
        .map_err(ssr::fail)
}

#[server(endpoint = "undo_last")]
pub async fn undo_last() -> Result<Option<RoundRow>, ServerFnError> {
    let st = ssr::state()?;
    crate::db::undo_last(&st.pool).await.map_err(ssr::fail)
}

#[server(endpoint = "list_rounds")]
pub async fn list_rounds(offset: i64, limit: i64) -> Result<RoundsPage, ServerFnError> {
    let st = ssr::state()?;
    crate::service::rounds::page(&st, offset, limit)
        .await
        .map_err(ssr::fail)
}

#[server(endpoint = "update_round")]
pub async fn update_round(id: i64, text: String) -> Result<RoundRow, ServerFnError> {
    let st = ssr::state()?;
    crate::service::rounds::update(&st, id, &text)
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
    crate::service::prediction::predict_next(&st, cashout, mode)
        .await
        .map_err(ssr::fail)
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
        .map_err(ssr::internal)?
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
        .map_err(ssr::internal)?
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
    let st = ssr::state()?;
    crate::service::backtest::run(&st, request)
        .await
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
        .map_err(ssr::internal)
}
