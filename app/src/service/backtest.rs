//! Walk-forward backtests of the stored rounds as jobs: started (one at a time across
//! every server sharing the database: they can take minutes of both cores), followed
//! (progress stored in the `backtests` row, so any server shows it), cancelled, kept with
//! their result, listed, re-opened and deleted.

use crate::db;
use crate::errors::BacktestError;
use crate::service::leases::{self, KeepAlive};
use crate::state::{Caches, ServerState};
use crate::views::{BacktestJob, BacktestProgress, BacktestRequest, BacktestState, BacktestView};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often a running job stores its progress and looks for a cancel request.
pub const PROGRESS_EVERY: Duration = Duration::from_millis(400);

/// Clears the running flag however the job ends.
struct Running(Arc<Caches>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.backtest_running.store(false, Ordering::SeqCst);
    }
}

fn internal(e: impl std::fmt::Display) -> BacktestError {
    BacktestError::Internal(e.to_string())
}

/// Checks the settings and starts the job in the background, or refuses (400 for bad
/// settings, 409 while another backtest runs here or on another server).
pub async fn start(
    state: &ServerState,
    request: BacktestRequest,
) -> Result<BacktestJob, BacktestError> {
    if state.caches.backtest_running.swap(true, Ordering::SeqCst) {
        return Err(BacktestError::Busy);
    }
    let running = Running(state.caches.clone());
    let snap = state.history().await.map_err(internal)?;
    let config = crate::reports::backtest_config(&request, snap.values.len(), state.house_edge)?;
    for name in &request.models {
        state.estimator.forecaster(name)?;
    }
    let lease = match leases::take(state, leases::BACKTEST, "{}")
        .await
        .map_err(internal)?
    {
        Ok(held) => held.keep_alive(),
        Err(_) => return Err(BacktestError::Busy),
    };
    let now = leases::now();
    let id = db::insert_backtest(&state.pool, &request, snap.values.len(), now)
        .await
        .map_err(internal)?;
    // Holding the lease, no other job can still run: any left running was interrupted.
    db::interrupt_backtests(&state.pool, id, now)
        .await
        .map_err(internal)?;
    let job = read(state, id).await?;
    let points = models::walkforward::fit_points(snap.values.len(), &config.walk);
    let work = Work {
        state: state.clone(),
        id,
        request,
        points,
    };
    tokio::spawn(work.run(snap.values, running, lease));
    Ok(job)
}

/// A started job: what its background task needs.
struct Work {
    state: ServerState,
    id: i64,
    request: BacktestRequest,
    points: Vec<usize>,
}

impl Work {
    /// Runs the backtest off the async workers, storing its progress every
    /// [`PROGRESS_EVERY`] and stopping it when a cancel request is seen; then stores the
    /// outcome and releases the lease.
    async fn run(
        self,
        values: Arc<Vec<models::values::Multiplier>>,
        running: Running,
        lease: KeepAlive,
    ) {
        let started = Instant::now();
        let progress = Arc::new(Mutex::new(BacktestProgress::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let task = {
            let (progress, stop) = (progress.clone(), stop.clone());
            let (request, points) = (self.request.clone(), self.points.clone());
            let estimator = self.state.estimator.clone();
            let house_edge = self.state.house_edge;
            tokio::task::spawn_blocking(move || {
                let _running = running;
                let make = |name: &str| estimator.forecaster(name);
                let mut report = |i: usize, done: usize, total: usize| {
                    let now = BacktestProgress::at(
                        &request,
                        i,
                        done,
                        total,
                        &points,
                        started.elapsed().as_secs_f64(),
                    );
                    if let Ok(mut p) = progress.lock() {
                        *p = now;
                    }
                    !stop.load(Ordering::SeqCst)
                };
                crate::reports::build_backtest(&values, &request, house_edge, &make, &mut report)
            })
        };
        tokio::pin!(task);
        let mut stored = Stored::default();
        let outcome = loop {
            tokio::select! {
                joined = &mut task => break joined.map_err(internal).and_then(|r| r),
                _ = tokio::time::sleep(PROGRESS_EVERY) => {
                    let now = progress.lock().map(|p| p.clone()).unwrap_or_default();
                    match stored.step(&self.state.pool, self.id, &now).await {
                        Ok(true) => stop.store(true, Ordering::SeqCst),
                        Ok(false) => {}
                        Err(e) => tracing::warn!(error = %e, "could not store a backtest's progress"),
                    }
                }
            }
        };
        let last = progress.lock().map(|p| p.clone()).unwrap_or_default();
        self.finish(outcome, last, started).await;
        lease.finish().await;
    }

    async fn finish(
        &self,
        outcome: Result<BacktestView, BacktestError>,
        mut last: BacktestProgress,
        started: Instant,
    ) {
        last.elapsed_s = started.elapsed().as_secs_f64();
        let message;
        let (state, stored) = match &outcome {
            Ok(view) => {
                last.percent = 100.0;
                last.eta_s = Some(0.0);
                (BacktestState::Done, Ok(view))
            }
            Err(e) => {
                message = e.to_string();
                let state = match e {
                    BacktestError::Cancelled => BacktestState::Cancelled,
                    _ => BacktestState::Failed,
                };
                (state, Err(message.as_str()))
            }
        };
        let now = leases::now();
        if let Err(e) =
            db::finish_backtest(&self.state.pool, self.id, state, &last, stored, now).await
        {
            tracing::error!(error = %e, id = self.id, "could not store a backtest's outcome");
        }
        metrics::counter!("jetx_backtests_total", "outcome" => state.as_str()).increment(1);
        metrics::histogram!("jetx_backtest_seconds").record(last.elapsed_s);
    }
}

/// True while some server holds the backtest lease (a running row without one was
/// interrupted: its server stopped).
/// The progress last written: a step writes only when the job moved on (or every
/// [`HEARTBEAT`], so the elapsed time others see stays current), and otherwise only reads
/// whether a cancel was asked.
#[derive(Default)]
struct Stored {
    at: Option<(usize, usize)>,
    written: Option<Instant>,
}

/// Longest a running job's row goes unwritten.
const HEARTBEAT: Duration = Duration::from_secs(2);

impl Stored {
    /// Whether a cancel was asked.
    async fn step(
        &mut self,
        pool: &crate::db::Pool,
        id: i64,
        now: &BacktestProgress,
    ) -> Result<bool, crate::db::DbError> {
        let at = Some((now.model, now.done));
        let fresh = self.written.is_some_and(|t| t.elapsed() < HEARTBEAT);
        if at == self.at && fresh {
            return db::backtest_cancel_requested(pool, id).await;
        }
        let cancel = db::store_backtest_progress(pool, id, now, leases::now()).await?;
        (self.at, self.written) = (at, Some(Instant::now()));
        Ok(cancel)
    }
}

async fn lease_live(state: &ServerState) -> Result<bool, BacktestError> {
    Ok(db::read_lease(&state.pool, leases::BACKTEST)
        .await
        .map_err(internal)?
        .is_some_and(|l| l.live(leases::now())))
}

/// Job `id` with its result.
pub async fn read(state: &ServerState, id: i64) -> Result<BacktestJob, BacktestError> {
    let mut job = db::read_backtest(&state.pool, id)
        .await
        .map_err(internal)?
        .ok_or(BacktestError::NotFound(id))?;
    if job.state == BacktestState::Running && !lease_live(state).await? {
        db::interrupt_backtest(&state.pool, id, leases::now())
            .await
            .map_err(internal)?;
        job.state = BacktestState::Interrupted;
    }
    Ok(job)
}

/// Past and running jobs, newest first, without their results.
pub async fn list(state: &ServerState) -> Result<Vec<BacktestJob>, BacktestError> {
    let mut jobs = db::list_backtests(&state.pool).await.map_err(internal)?;
    if jobs.iter().any(|j| j.state == BacktestState::Running) && !lease_live(state).await? {
        for job in jobs
            .iter_mut()
            .filter(|j| j.state == BacktestState::Running)
        {
            db::interrupt_backtest(&state.pool, job.id, leases::now())
                .await
                .map_err(internal)?;
            job.state = BacktestState::Interrupted;
        }
    }
    Ok(jobs)
}

/// Asks the server running job `id` to stop it (it stops within a fraction of a second,
/// or after the model fit under way); the job as it is now.
pub async fn cancel(state: &ServerState, id: i64) -> Result<BacktestJob, BacktestError> {
    if db::request_backtest_cancel(&state.pool, id)
        .await
        .map_err(internal)?
    {
        return read(state, id).await;
    }
    read(state, id).await?;
    Err(BacktestError::NotRunning(id))
}

/// Deletes an ended job and its result.
pub async fn delete(state: &ServerState, id: i64) -> Result<(), BacktestError> {
    if db::delete_backtest(&state.pool, id)
        .await
        .map_err(internal)?
    {
        return Ok(());
    }
    match read(state, id).await?.state {
        BacktestState::Running => Err(BacktestError::StillRunning(id)),
        // Ended between the two reads (interrupted just now): delete it.
        _ => db::delete_backtest(&state.pool, id)
            .await
            .map(|_| ())
            .map_err(internal),
    }
}
