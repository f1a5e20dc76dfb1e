//! The trained models: the registry's versions with their walk-forward scores, the active
//! model's feature importance, activation. Registry work reads files and loads networks,
//! so it runs off the async workers.

use crate::errors::ModelError;
use crate::state::ServerState;
use crate::views::ModelsView;

/// Why the models could not be listed or a version not activated.
#[derive(Debug, thiserror::Error)]
pub enum ModelsError {
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The blocking worker was lost (a panic in a model's code).
    #[error("the model registry stopped unexpectedly: {0}")]
    Task(String),
}

impl ModelsError {
    pub fn status_code(&self) -> u16 {
        match self {
            ModelsError::Model(e) => e.status_code(),
            ModelsError::Task(_) => 500,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ModelsError::Model(e) => e.code(),
            ModelsError::Task(_) => "internal",
        }
    }
}

crate::http_status_by_method!(ModelsError);

fn task(e: tokio::task::JoinError) -> ModelsError {
    ModelsError::Task(e.to_string())
}

/// Registered versions, importance, the devices and member kinds training offers, and the
/// training job's status.
pub async fn overview(state: &ServerState) -> Result<ModelsView, ModelsError> {
    let estimator = state.estimator.clone();
    let overview = tokio::task::spawn_blocking(move || estimator.models())
        .await
        .map_err(task)??;
    Ok(ModelsView {
        models: overview.models,
        importance: overview.importance,
        importance_note: overview.importance_note,
        devices: state.estimator.devices(),
        machine_devices: state.estimator.machine_devices(),
        member_kinds: state.estimator.member_kinds(),
        training: state.training.status(),
    })
}

/// Makes `version` the active model, once it loads.
pub async fn activate(state: &ServerState, version: String) -> Result<(), ModelsError> {
    let estimator = state.estimator.clone();
    tokio::task::spawn_blocking(move || estimator.activate(&version))
        .await
        .map_err(task)??;
    Ok(())
}

/// Model names the backtest page offers.
pub fn forecaster_names(state: &ServerState) -> Vec<String> {
    state.estimator.forecaster_names()
}
