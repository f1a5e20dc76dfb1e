//! The history revision counter and the snapshot the estimator reads.

use super::DbError;
use models::values::Multiplier;
use sqlx::SqlitePool;

/// The counter every change of `rounds` bumps (see the migration's triggers).
pub async fn history_revision(pool: &SqlitePool) -> Result<i64, DbError> {
    Ok(
        sqlx::query_scalar("SELECT revision FROM history_revision WHERE id = 1")
            .fetch_one(pool)
            .await?,
    )
}

/// The history as the estimator needs it.
#[derive(Debug, Clone)]
pub struct HistorySnapshot {
    pub revision: i64,
    /// Edits and deletions so far (see the migration).
    pub rewrites: i64,
    pub values: std::sync::Arc<Vec<Multiplier>>,
    /// Id of the newest round (0 when empty).
    pub last_id: i64,
}

/// Reads the history with the revision it belongs to, in one read transaction. With a
/// `previous` snapshot and no edit or deletion since, only the appended rows are read.
pub async fn history_snapshot(
    pool: &SqlitePool,
    previous: Option<&HistorySnapshot>,
) -> Result<HistorySnapshot, DbError> {
    let mut tx = pool.begin().await?;
    let (revision, rewrites): (i64, i64) =
        sqlx::query_as("SELECT revision, rewrites FROM history_revision WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
    let base = previous.filter(|p| p.rewrites == rewrites);
    let after = base.map_or(0, |p| p.last_id);
    let rows: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, hundredths FROM rounds WHERE id > ? ORDER BY id")
            .bind(after)
            .fetch_all(&mut *tx)
            .await?;
    tx.commit().await?;
    let last_id = rows.last().map_or(after, |r| r.0);
    let mut values = base.map_or_else(Vec::new, |p| p.values.as_ref().clone());
    values.extend(
        rows.into_iter()
            .map(|(_, h)| Multiplier(u32::try_from(h).unwrap_or(u32::MAX))),
    );
    Ok(HistorySnapshot {
        revision,
        rewrites,
        values: std::sync::Arc::new(values),
        last_id,
    })
}
