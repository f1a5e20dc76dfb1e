//! Training jobs: start one (one at a time), follow it, cancel it. The job runner is the
//! [`crate::state::TrainingService`] the server plugs in; entry points come through here.

pub use crate::errors::TrainingError;
use crate::state::ServerState;
use crate::views::{TrainRequest, TrainStatus};

pub fn start(state: &ServerState, request: TrainRequest) -> Result<TrainStatus, TrainingError> {
    state.training.start(request)
}

pub fn cancel(state: &ServerState) -> Result<TrainStatus, TrainingError> {
    state.training.cancel()
}

pub fn status(state: &ServerState) -> TrainStatus {
    state.training.status()
}

/// Every change of the job's status, the current one first.
pub fn subscribe(state: &ServerState) -> tokio::sync::watch::Receiver<TrainStatus> {
    state.training.subscribe()
}
