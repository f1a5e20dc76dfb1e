//! Walk-forward backtests of the stored rounds for the backtest page: one at a time (they
//! can take minutes of both cores), off the async workers.

use crate::errors::BacktestError;
use crate::state::{Caches, ServerState};
use crate::views::{BacktestRequest, BacktestView};
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Clears the running flag however the request ends.
struct Running(Arc<Caches>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.backtest_running.store(false, Ordering::SeqCst);
    }
}

/// Runs the requested backtest, or refuses while another one runs.
pub async fn run(
    state: &ServerState,
    request: BacktestRequest,
) -> Result<BacktestView, BacktestError> {
    if state.caches.backtest_running.swap(true, Ordering::SeqCst) {
        return Err(BacktestError::Busy);
    }
    let running = Running(state.caches.clone());
    // One at a time across every server sharing the database too.
    let lease = match crate::service::leases::take(state, crate::service::leases::BACKTEST, "{}")
        .await
        .map_err(|e| BacktestError::Internal(e.to_string()))?
    {
        Ok(held) => held.keep_alive(),
        Err(_) => return Err(BacktestError::Busy),
    };
    let snap = state
        .history()
        .await
        .map_err(|e| BacktestError::Internal(e.to_string()))?;
    let estimator = state.estimator.clone();
    let house_edge = state.house_edge;
    let started = std::time::Instant::now();
    let result = tokio::task::spawn_blocking(move || {
        let _running = running;
        let make = |name: &str| estimator.forecaster(name);
        crate::reports::build_backtest(&snap.values, &request, house_edge, &make, &mut |_, _, _| {})
    })
    .await
    .map_err(|e| BacktestError::Internal(e.to_string()));
    lease.finish().await;
    let result = result?;
    let outcome = if result.is_ok() { "done" } else { "failed" };
    metrics::counter!("jetx_backtests_total", "outcome" => outcome).increment(1);
    metrics::histogram!("jetx_backtest_seconds").record(started.elapsed().as_secs_f64());
    result
}
