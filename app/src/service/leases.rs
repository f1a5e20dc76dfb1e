//! One training job and one backtest at a time across every server sharing the database
//! (the `job_leases` table; one server alone gets the same rule from it). A server holds
//! a kind's lease while its job runs and renews it; a lease nobody renews (a crashed
//! server) is free again after [`db::LEASE_S`] seconds.

use crate::db::{self, DbError, LeaseRow, Pool};
use crate::state::ServerState;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const TRAINING: &str = "training";
pub const BACKTEST: &str = "backtest";

/// How often a running job renews its lease (and looks for a cancel request).
pub const RENEW_EVERY: Duration = Duration::from_secs(1);

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A lease this server holds. Dropped without [`Held::release`], it is released in the
/// background (a request that was cancelled, a panic).
pub struct Held {
    pool: Pool,
    holder: String,
    kind: &'static str,
    /// The job's number, shared by every server on the database.
    pub job: u64,
    released: bool,
}

/// Takes the lease of `kind` with the job's first status; `Err` carries the live lease of
/// the server that runs one.
pub async fn take(
    state: &ServerState,
    kind: &'static str,
    status: &str,
) -> Result<Result<Held, LeaseRow>, DbError> {
    // Each job its own holder name, so the late release of the previous job of this
    // server cannot end the next one's lease.
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let mine = holder_prefix(state);
    let holder = format!("{mine}{}", NEXT.fetch_add(1, Ordering::Relaxed));
    Ok(
        db::acquire_lease(&state.pool, kind, &holder, &mine, status, now())
            .await?
            .map(|job| Held {
                pool: state.pool.clone(),
                holder,
                kind,
                job,
                released: false,
            }),
    )
}

/// The live lease of `kind` held by another server, if any.
pub async fn held_elsewhere(state: &ServerState, kind: &str) -> Result<Option<LeaseRow>, DbError> {
    Ok(db::read_lease(&state.pool, kind)
        .await?
        .filter(|l| l.live(now()) && !l.holder.starts_with(&holder_prefix(state))))
}

/// What every holder name of this server's leases starts with.
fn holder_prefix(state: &ServerState) -> String {
    format!("{}#", state.instance)
}

impl Held {
    /// Renews the lease with the job's status; true when another server asked to cancel.
    pub async fn renew(&self, status: &str) -> Result<bool, DbError> {
        let renewed = db::renew_lease(&self.pool, self.kind, &self.holder, status, now()).await?;
        if renewed.is_none() {
            // Not renewed for a whole lease (a stalled server): another may run one now.
            tracing::warn!(kind = self.kind, "a job lease expired while its job ran");
        }
        Ok(renewed == Some(true))
    }

    /// Ends the lease, leaving the job's last status for the other servers.
    pub async fn release(mut self, status: &str) -> Result<(), DbError> {
        self.released = true;
        db::release_lease(&self.pool, self.kind, &self.holder, status, now()).await
    }

    /// Renews the lease every [`RENEW_EVERY`] until [`KeepAlive::finish`] (or a drop of
    /// the guard), then releases it: a job without a status of its own (the backtest).
    pub fn keep_alive(self) -> KeepAlive {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            {
                let renewing = async {
                    loop {
                        tokio::time::sleep(RENEW_EVERY).await;
                        if let Err(e) = self.renew("{}").await {
                            tracing::warn!(error = %e, kind = self.kind, "could not renew a job lease");
                        }
                    }
                };
                tokio::select! {
                    _ = stopped => {}
                    _ = renewing => {}
                }
            }
            if let Err(e) = self.release("{}").await {
                tracing::warn!(error = %e, "could not release a job lease");
            }
        });
        KeepAlive {
            stop: Some(stop),
            task,
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if self.released {
            return;
        }
        let (pool, kind, holder) = (self.pool.clone(), self.kind, self.holder.clone());
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                let _ = db::release_lease(&pool, kind, &holder, "{}", now()).await;
            });
        }
    }
}

/// Holds a lease renewed in the background; dropping it releases the lease soon after.
pub struct KeepAlive {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl KeepAlive {
    /// Releases the lease and waits until it is released.
    pub async fn finish(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}
