//! Training jobs: start one (one at a time, across every server sharing the database),
//! follow it, cancel it. The job runner is the [`crate::state::TrainingService`] the
//! server plugs in; entry points come through here.

pub use crate::errors::TrainingError;
use crate::service::leases::{self, Held};
use crate::state::ServerState;
use crate::views::{JobState, TrainRequest, TrainStatus};

fn json(status: &TrainStatus) -> String {
    serde_json::to_string(status).unwrap_or_else(|_| "{}".into())
}

fn internal(e: crate::db::DbError) -> TrainingError {
    TrainingError::Internal(e.to_string())
}

/// The status another server stored with its lease, numbered by the lease (the status
/// stored when it was taken does not know its number yet).
fn remote_status(lease: &crate::db::LeaseRow) -> TrainStatus {
    TrainStatus {
        job: lease.jobs,
        ..serde_json::from_str(&lease.status).unwrap_or_default()
    }
}

/// Starts a job, or refuses (409) while one runs here or on another server.
pub async fn start(
    state: &ServerState,
    request: TrainRequest,
) -> Result<TrainStatus, TrainingError> {
    // One start at a time on this server: two could both find no job running here.
    let _one = state.caches.training_start.lock().await;
    let local = state.training.status();
    if local.state == JobState::Running {
        return Err(TrainingError::Busy { job: local.job });
    }
    // Bad settings are refused before the lease counts a job for them.
    state.training.check(&request)?;
    let first = TrainStatus {
        state: JobState::Running,
        request: Some(request.clone()),
        ..TrainStatus::default()
    };
    let held = match leases::take(state, leases::TRAINING, &json(&first))
        .await
        .map_err(internal)?
    {
        Ok(held) => held,
        Err(other) => {
            return Err(TrainingError::Busy {
                job: remote_status(&other).job,
            })
        }
    };
    let status = match state.training.start(request, held.job) {
        Ok(status) => status,
        Err(e) => {
            // Refused here (bad settings): the lease is free again before the answer.
            let _ = held.release(&json(&state.training.status())).await;
            return Err(e);
        }
    };
    tokio::spawn(follow(state.clone(), held));
    Ok(status)
}

/// Keeps the lease while the job runs: renews it with each status (so other servers show
/// it), cancels the job when another server asks, and releases it with the final status.
async fn follow(state: ServerState, held: Held) {
    let mut rx = state.training.subscribe();
    loop {
        let status = rx.borrow_and_update().clone();
        if status.state != JobState::Running {
            if let Err(e) = held.release(&json(&status)).await {
                tracing::warn!(error = %e, "could not release the training lease");
            }
            return;
        }
        match held.renew(&json(&status)).await {
            Ok(true) => {
                let _ = state.training.cancel();
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "could not renew the training lease"),
        }
        tokio::select! {
            changed = rx.changed() => {
                if changed.is_err() {
                    return;
                }
                // A job reports many epochs a second: at most a few writes a second while
                // it runs, and its end at once.
                let _ = tokio::time::timeout(
                    leases::RENEW_EVERY / 4,
                    rx.wait_for(|s| s.state != JobState::Running),
                )
                .await;
            }
            _ = tokio::time::sleep(leases::RENEW_EVERY) => {}
        }
    }
}

/// Cancels the job running here, or asks the server that runs it to.
pub async fn cancel(state: &ServerState) -> Result<TrainStatus, TrainingError> {
    if state.training.status().state == JobState::Running {
        return state.training.cancel();
    }
    let now = leases::now();
    match leases::held_elsewhere(state, leases::TRAINING)
        .await
        .map_err(internal)?
    {
        Some(lease)
            if crate::db::request_cancel(&state.pool, leases::TRAINING, now)
                .await
                .map_err(internal)? =>
        {
            Ok(remote_status(&lease))
        }
        _ => state.training.cancel(),
    }
}

/// The job running here or on another server, else this server's last job.
pub async fn status(state: &ServerState) -> TrainStatus {
    let local = state.training.status();
    if local.state == JobState::Running {
        return local;
    }
    match leases::held_elsewhere(state, leases::TRAINING).await {
        Ok(Some(lease)) => remote_status(&lease),
        _ => local,
    }
}

/// Every change of the job's status, the current one first.
pub fn subscribe(state: &ServerState) -> tokio::sync::watch::Receiver<TrainStatus> {
    state.training.subscribe()
}
