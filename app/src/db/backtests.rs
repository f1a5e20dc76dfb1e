//! The `backtests` table: each backtest job's settings, progress, cancel request and
//! result. The server running a job writes its progress here, so every server sharing
//! the database shows it and can ask for its cancellation.

use super::{DbError, Pool};
use crate::views::{BacktestJob, BacktestProgress, BacktestRequest, BacktestState, BacktestView};
use sqlx::Row;

/// Past backtests a list shows at most (the newest).
pub const MAX_LISTED_BACKTESTS: i64 = 200;

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, DbError> {
    serde_json::to_string(value).map_err(|e| DbError::Refused(e.to_string()))
}

/// Stores a new running job; its id.
pub async fn insert_backtest(
    pool: &Pool,
    request: &BacktestRequest,
    n_rounds: usize,
    now: i64,
) -> Result<i64, DbError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO backtests (created_at, updated_at, state, settings, n_rounds, progress) \
         VALUES ($1, $1, 'running', $2, $3, $4) RETURNING id",
    )
    .bind(now)
    .bind(to_json(request)?)
    .bind(n_rounds as i64)
    .bind(to_json(&BacktestProgress::default())?)
    .fetch_one(pool)
    .await?;
    Ok(id)
}

/// Marks running jobs other than `except` interrupted: called by the holder of the
/// backtest lease, so none of them can still run.
pub async fn interrupt_backtests(pool: &Pool, except: i64, now: i64) -> Result<u64, DbError> {
    Ok(sqlx::query(
        "UPDATE backtests SET state = 'interrupted', updated_at = $1 \
         WHERE state = 'running' AND id <> $2",
    )
    .bind(now)
    .bind(except)
    .execute(pool)
    .await?
    .rows_affected())
}

/// Stores a running job's progress; true when a player asked to cancel it.
pub async fn store_backtest_progress(
    pool: &Pool,
    id: i64,
    progress: &BacktestProgress,
    now: i64,
) -> Result<bool, DbError> {
    let cancel: Option<i64> = sqlx::query_scalar(
        "UPDATE backtests SET progress = $1, updated_at = $2 WHERE id = $3 RETURNING cancel",
    )
    .bind(to_json(progress)?)
    .bind(now)
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(cancel.is_some_and(|c| c != 0))
}

/// Whether a cancel was asked for job `id` (a read only: between progress writes).
pub async fn backtest_cancel_requested(pool: &Pool, id: i64) -> Result<bool, DbError> {
    let cancel: Option<i64> = sqlx::query_scalar("SELECT cancel FROM backtests WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await?;
    Ok(cancel.is_some_and(|c| c != 0))
}

/// Ends a job with its final state, progress and result or error.
pub async fn finish_backtest(
    pool: &Pool,
    id: i64,
    state: BacktestState,
    progress: &BacktestProgress,
    outcome: Result<&BacktestView, &str>,
    now: i64,
) -> Result<(), DbError> {
    let (result, error) = match outcome {
        Ok(view) => (Some(to_json(view)?), None),
        Err(e) => (None, Some(e.to_string())),
    };
    sqlx::query(
        "UPDATE backtests SET state = $1, progress = $2, result = $3, error = $4, \
         updated_at = $5 WHERE id = $6",
    )
    .bind(state.as_str())
    .bind(to_json(progress)?)
    .bind(result)
    .bind(error)
    .bind(now)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}

fn job(row: &sqlx::any::AnyRow, result: Option<String>) -> Result<BacktestJob, DbError> {
    let bad = |what: &str, e: &dyn std::fmt::Display| {
        DbError::Refused(format!("a stored backtest's {what} cannot be read: {e}"))
    };
    let state: String = row.try_get("state")?;
    let settings: String = row.try_get("settings")?;
    let progress: String = row.try_get("progress")?;
    Ok(BacktestJob {
        id: row.try_get("id")?,
        created_at: row.try_get("created_at")?,
        state: BacktestState::parse(&state).ok_or_else(|| bad("state", &state))?,
        request: serde_json::from_str(&settings).map_err(|e| bad("settings", &e))?,
        n_rounds: row.try_get::<i64, _>("n_rounds")?.max(0) as usize,
        progress: serde_json::from_str(&progress).map_err(|e| bad("progress", &e))?,
        error: row.try_get("error")?,
        result: match result {
            Some(text) => Some(serde_json::from_str(&text).map_err(|e| bad("result", &e))?),
            None => None,
        },
    })
}

/// One job with its result, if it exists.
pub async fn read_backtest(pool: &Pool, id: i64) -> Result<Option<BacktestJob>, DbError> {
    let row = sqlx::query(
        "SELECT id, created_at, state, settings, n_rounds, progress, error, result \
         FROM backtests WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    match row {
        Some(r) => {
            let result: Option<String> = r.try_get("result")?;
            Ok(Some(job(&r, result)?))
        }
        None => Ok(None),
    }
}

/// The newest jobs first, without their results.
pub async fn list_backtests(pool: &Pool) -> Result<Vec<BacktestJob>, DbError> {
    let rows = sqlx::query(
        "SELECT id, created_at, state, settings, n_rounds, progress, error \
         FROM backtests ORDER BY id DESC LIMIT $1",
    )
    .bind(MAX_LISTED_BACKTESTS)
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| job(r, None)).collect()
}

/// Asks the server running job `id` to cancel it; false when it is not running.
pub async fn request_backtest_cancel(pool: &Pool, id: i64) -> Result<bool, DbError> {
    let done = sqlx::query("UPDATE backtests SET cancel = 1 WHERE id = $1 AND state = 'running'")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a running job interrupted (its server stopped); false when it is not running.
pub async fn interrupt_backtest(pool: &Pool, id: i64, now: i64) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE backtests SET state = 'interrupted', updated_at = $1 \
         WHERE id = $2 AND state = 'running'",
    )
    .bind(now)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes an ended job; false when there is none with `id` that has ended.
pub async fn delete_backtest(pool: &Pool, id: i64) -> Result<bool, DbError> {
    let done = sqlx::query("DELETE FROM backtests WHERE id = $1 AND state <> 'running'")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}
