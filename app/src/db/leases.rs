//! The `job_leases` table: one training job and one backtest at a time across every
//! server sharing the database. A server holds a kind's lease while its job runs and
//! renews it; a lease not renewed for [`LEASE_S`] seconds (a crashed server) is free. The
//! row keeps the job's last status, so another server can show it, and a cancel request.

use super::{DbError, Pool};
use sqlx::Row;

/// Seconds a lease lasts without renewal.
pub const LEASE_S: i64 = 30;

/// What another server's lease says.
#[derive(Debug, Clone, PartialEq)]
pub struct LeaseRow {
    pub holder: String,
    /// Unix seconds; in the past once the job ended or its server stopped renewing.
    pub expires_at: i64,
    /// The job's status as JSON (its shape belongs to the job kind).
    pub status: String,
    pub cancel: bool,
    /// How many jobs of this kind were started (the number of the lease's job).
    pub jobs: u64,
}

impl LeaseRow {
    pub fn live(&self, now: i64) -> bool {
        self.expires_at > now
    }
}

/// Takes the lease of `kind` for `holder` unless a lease of another server is live;
/// `Ok(Ok(job))` when taken, with the job's number (one more than the last job of this
/// kind started on any server), `Ok(Err(row))` with the live lease otherwise. A live lease
/// whose holder starts with `mine` is this server's own, ended but not yet released: the
/// caller knows its job stopped, and takes it over.
pub async fn acquire_lease(
    pool: &Pool,
    kind: &str,
    holder: &str,
    mine: &str,
    status: &str,
    now: i64,
) -> Result<Result<u64, LeaseRow>, DbError> {
    let job: Option<i64> = sqlx::query_scalar(
        "INSERT INTO job_leases (kind, holder, expires_at, status, cancel, jobs) \
         VALUES ($1, $2, $3, $4, 0, 1) ON CONFLICT (kind) DO UPDATE SET \
         holder = excluded.holder, expires_at = excluded.expires_at, \
         status = excluded.status, cancel = 0, jobs = job_leases.jobs + 1 \
         WHERE job_leases.expires_at <= $5 \
         OR substr(job_leases.holder, 1, length($6)) = $6 \
         RETURNING jobs",
    )
    .bind(kind)
    .bind(holder)
    .bind(now + LEASE_S)
    .bind(status)
    .bind(now)
    .bind(mine)
    .fetch_optional(pool)
    .await?;
    if let Some(job) = job {
        return Ok(Ok(job.max(1) as u64));
    }
    match read_lease(pool, kind).await? {
        Some(row) => Ok(Err(row)),
        // Rows of job_leases are never deleted: the upsert above either took it or found it.
        None => Err(DbError::Refused(format!(
            "the {kind} lease could not be read"
        ))),
    }
}

/// Extends `holder`'s lease and stores the job's status; `Some(true)` when another server
/// asked to cancel the job, `None` when the lease was lost (taken over after it expired).
pub async fn renew_lease(
    pool: &Pool,
    kind: &str,
    holder: &str,
    status: &str,
    now: i64,
) -> Result<Option<bool>, DbError> {
    let cancel: Option<i64> = sqlx::query_scalar(
        "UPDATE job_leases SET expires_at = $1, status = $2 WHERE kind = $3 AND holder = $4 \
         RETURNING cancel",
    )
    .bind(now + LEASE_S)
    .bind(status)
    .bind(kind)
    .bind(holder)
    .fetch_optional(pool)
    .await?;
    Ok(cancel.map(|c| c != 0))
}

/// Ends `holder`'s lease, keeping the job's final status for the other servers.
pub async fn release_lease(
    pool: &Pool,
    kind: &str,
    holder: &str,
    status: &str,
    now: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE job_leases SET expires_at = $1, status = $2, cancel = 0 \
         WHERE kind = $3 AND holder = $4",
    )
    .bind(now)
    .bind(status)
    .bind(kind)
    .bind(holder)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn read_lease(pool: &Pool, kind: &str) -> Result<Option<LeaseRow>, DbError> {
    let row = sqlx::query(
        "SELECT holder, expires_at, status, cancel, jobs FROM job_leases WHERE kind = $1",
    )
    .bind(kind)
    .fetch_optional(pool)
    .await?;
    Ok(match row {
        Some(r) => Some(LeaseRow {
            holder: r.try_get("holder")?,
            expires_at: r.try_get("expires_at")?,
            status: r.try_get("status")?,
            cancel: r.try_get::<i64, _>("cancel")? != 0,
            jobs: r.try_get::<i64, _>("jobs")?.max(0) as u64,
        }),
        None => None,
    })
}

/// Asks the holder of a live lease to cancel its job; false when none is live.
pub async fn request_cancel(pool: &Pool, kind: &str, now: i64) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE job_leases SET cancel = 1 WHERE kind = $1 AND expires_at > $2")
        .bind(kind)
        .bind(now)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}
