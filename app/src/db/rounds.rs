//! The `rounds` table: append, page, edit, delete, undo. Values are parsed before a
//! transaction starts, so a rejected value never changes the table.

use super::DbError;
use super::{Backend, Pool, Tx};
use crate::types::{Place, RoundRow, Source};
use models::values::Multiplier;
use sqlx::Row;

fn row_to_round(row: &sqlx::any::AnyRow) -> Result<RoundRow, sqlx::Error> {
    let hundredths: i64 = row.try_get("hundredths")?;
    let source: String = row.try_get("source")?;
    Ok(RoundRow {
        id: row.try_get("id")?,
        position: row.try_get("position")?,
        value: Multiplier(u32::try_from(hundredths).unwrap_or(u32::MAX)),
        source: Source::parse(&source).unwrap_or(Source::Api),
        synthetic: row.try_get::<i64, _>("synthetic")? != 0,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        source_id: row.try_get("source_id")?,
    })
}

/// One round by id; its position is left at 0 for the service to fill in from the history
/// snapshot (counting the rows before it took 10 ms at 1,000,000 rounds).
const ROUND_COLUMNS_BY_ID: &str =
    "SELECT id, hundredths, source, synthetic, created_at, updated_at, source_id, \
     0 AS position FROM rounds WHERE id = $1";

/// Rounds stored at once from which PostgreSQL's statistics are renewed right away.
const ANALYZE_AFTER: usize = 10_000;

/// Values per INSERT statement (one JSON text of at most ~0.5 MB).
const INSERT_CHUNK: usize = 50_000;

/// Removes the predictions still waiting for their round (live scoring counts only rounds
/// entered one at a time after the prediction).
pub(crate) async fn drop_pending_predictions(tx: &mut Tx) -> Result<u64, DbError> {
    let done = sqlx::query("DELETE FROM predictions WHERE outcome_round_id IS NULL")
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

/// Stores values in order in one transaction; returns their ids. More than one value is a
/// bulk store: predictions waiting for their round are dropped, not scored by it.
#[tracing::instrument(level = "debug", skip_all, fields(rounds = values.len()))]
pub async fn insert_values(
    pool: &Pool,
    values: &[Multiplier],
    source: Source,
) -> Result<Vec<i64>, DbError> {
    insert_values_at(pool, values, None, source, Place::After).await
}

/// One INSERT's JSON array: the values, or `[value, "source id"]` pairs.
fn chunk_json(values: &[Multiplier], ids: Option<&[String]>) -> Result<String, DbError> {
    let text = match ids {
        None => serde_json::to_string(&values.iter().map(|v| v.0).collect::<Vec<u32>>()),
        Some(ids) => serde_json::to_string(
            &values
                .iter()
                .zip(ids)
                .map(|(v, id)| (v.0, id.as_str()))
                .collect::<Vec<(u32, &str)>>(),
        ),
    };
    text.map_err(|e| DbError::Sqlx(sqlx::Error::Encode(Box::new(e))))
}

/// The source ids of chunk `k` of [`INSERT_CHUNK`] values.
fn chunk_ids(ids: Option<&[String]>, k: usize, len: usize) -> Option<&[String]> {
    ids.map(|ids| &ids[k * INSERT_CHUNK..k * INSERT_CHUNK + len])
}

/// As [`insert_values`], before or after the stored rounds, with the id each value had in
/// its file (`source_ids`, as many as `values`).
#[tracing::instrument(level = "debug", skip_all, fields(rounds = values.len(), place = ?place))]
pub async fn insert_values_at(
    pool: &Pool,
    values: &[Multiplier],
    source_ids: Option<&[String]>,
    source: Source,
    place: Place,
) -> Result<Vec<i64>, DbError> {
    if source_ids.is_some_and(|ids| ids.len() != values.len()) {
        return Err(DbError::Refused(
            "every value needs its source id, or none has one".into(),
        ));
    }
    let mut tx = super::begin_write(pool).await?;
    if source != Source::Demo {
        // Statistics over a mix of generated and real rounds would describe neither.
        // (A count, not EXISTS: that is a boolean in PostgreSQL and a number in SQLite.)
        let has_demo: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT 1 FROM rounds WHERE synthetic = 1 LIMIT 1) AS d",
        )
        .fetch_one(&mut *tx)
        .await?;
        if has_demo > 0 {
            return Err(DbError::Refused(
                "the history holds synthetic demo data: remove it first, so real rounds never mix with generated ones"
                    .into(),
            ));
        }
    }
    // Read by the killed-import test: it kills the process after this line, so the kill
    // lands inside the transaction.
    tracing::debug!("write transaction open");
    if values.len() > 1 || place == Place::Before {
        // Rounds stored in bulk (a paste, an import, an API batch) were not played right
        // after the prediction waiting for its round: scoring it with the first of them
        // would score it on a round it never saw coming. An older history changes what
        // the prediction was made from.
        drop_pending_predictions(&mut tx).await?;
    }
    let (ids, scored) = match place {
        Place::After => append(&mut tx, values, source_ids, source).await?,
        Place::Before => (prepend(&mut tx, values, source_ids, source).await?, 0),
    };
    tx.commit().await?;
    if values.len() >= ANALYZE_AFTER && Backend::of_pool(pool) == Backend::Postgres {
        // Fresh statistics at once (autovacuum gets there later): until then the planner
        // takes the table for empty or tiny and reads it whole.
        sqlx::query("ANALYZE rounds").execute(pool).await?;
    }
    metrics::counter!("jetx_rounds_stored_total", "source" => source.as_str())
        .increment(ids.len() as u64);
    metrics::counter!("jetx_predictions_scored_total").increment(scored);
    Ok(ids)
}

/// Stores `values` in order before the oldest round inside `tx`; returns their ids. The
/// history is rewritten from its start: logged as a rewrite of the lowest new id, so a
/// cached snapshot reads it again.
async fn prepend(
    tx: &mut Tx,
    values: &[Multiplier],
    source_ids: Option<&[String]>,
    source: Source,
) -> Result<Vec<i64>, DbError> {
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let oldest: Option<i64> = sqlx::query_scalar("SELECT MIN(id) FROM rounds")
        .fetch_one(&mut **tx)
        .await?;
    let first = oldest.unwrap_or(1) - values.len() as i64;
    let synthetic = i64::from(source == Source::Demo);
    let backend = Backend::of_connection(tx);
    for (k, chunk) in values.chunks(INSERT_CHUNK).enumerate() {
        let json = chunk_json(chunk, chunk_ids(source_ids, k, chunk.len()))?;
        sqlx::query(backend.insert_json_rounds_from(source_ids.is_some()))
            .bind(source.as_str())
            .bind(synthetic)
            .bind(json)
            .bind(first + (k * INSERT_CHUNK) as i64)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query(
        "UPDATE history_revision SET revision = revision + 1, rewrites = rewrites + 1 \
         WHERE id = 1",
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO history_rewrites (rewrite, round_id) \
         SELECT rewrites, $1 FROM history_revision WHERE id = 1",
    )
    .bind(first)
    .execute(&mut **tx)
    .await?;
    Ok((first..first + values.len() as i64).collect())
}

/// Appends `values` in order inside `tx`; returns their ids and how many waiting
/// predictions the round scored. The only INSERT into
/// `rounds`: it bumps the history revision once, and a single round scores the
/// predictions waiting for it (bulk stores drop those first).
pub(crate) async fn append(
    tx: &mut Tx,
    values: &[Multiplier],
    source_ids: Option<&[String]>,
    source: Source,
) -> Result<(Vec<i64>, u64), DbError> {
    let synthetic = i64::from(source == Source::Demo);
    let mut ids = Vec::with_capacity(values.len());
    // One statement per chunk, the values as one JSON array: per-row statements (or binds)
    // made a 1,000,000-row import take 6.5 s.
    for (k, chunk) in values.chunks(INSERT_CHUNK).enumerate() {
        let json = chunk_json(chunk, chunk_ids(source_ids, k, chunk.len()))?;
        let backend = Backend::of_connection(tx);
        let insert = sqlx::query(backend.insert_json_rounds(source_ids.is_some()))
            .bind(source.as_str())
            .bind(synthetic)
            .bind(json);
        let stored = match backend {
            // We hold the write lock and AUTOINCREMENT ids grow in insertion order, so a
            // chunk's ids are the `n` ending at `last_insert_rowid()` (returning a
            // million ids row by row costs more than the insert).
            Backend::Sqlite => {
                let inserted = insert.execute(&mut **tx).await?.rows_affected() as i64;
                let last: i64 = sqlx::query_scalar("SELECT last_insert_rowid()")
                    .fetch_one(&mut **tx)
                    .await?;
                (last - inserted + 1..=last).collect()
            }
            // A sequence may skip numbers: the ids as given.
            Backend::Postgres => {
                let mut got: Vec<i64> = insert
                    .fetch_all(&mut **tx)
                    .await?
                    .iter()
                    .map(|r| r.try_get::<i64, _>(0))
                    .collect::<Result<_, _>>()?;
                got.sort_unstable();
                got
            }
        };
        if stored.len() != chunk.len() {
            return Err(DbError::Sqlx(sqlx::Error::Protocol(format!(
                "stored {} of {} rounds",
                stored.len(),
                chunk.len()
            ))));
        }
        ids.extend(stored);
    }
    if ids.is_empty() {
        return Ok((ids, 0));
    }
    sqlx::query("UPDATE history_revision SET revision = revision + 1 WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    let mut scored = 0;
    if let ([id], [value]) = (ids.as_slice(), values) {
        scored = sqlx::query(
            "UPDATE predictions SET outcome_round_id = $1, outcome_hundredths = $2 \
             WHERE outcome_round_id IS NULL AND after_round_id < $3",
        )
        .bind(id)
        .bind(i64::from(value.0))
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    Ok((ids, scored))
}

pub async fn get_round(pool: &Pool, id: i64) -> Result<RoundRow, DbError> {
    let row = sqlx::query(ROUND_COLUMNS_BY_ID)
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(DbError::NotFound(id))?;
    Ok(row_to_round(&row)?)
}

pub async fn count(pool: &Pool) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM rounds")
        .fetch_one(pool)
        .await?)
}

/// Up to `limit` rounds with an id of at most `newest`, newest first, read by the primary
/// key (the same cost at any depth). Positions are left at 0 for the caller: the history
/// snapshot knows them without counting rows.
pub async fn rounds_down_from(
    pool: &Pool,
    newest: i64,
    limit: i64,
) -> Result<Vec<RoundRow>, DbError> {
    let rows = sqlx::query(
        "SELECT id, hundredths, source, synthetic, created_at, updated_at, source_id, \
         0 AS position \
         FROM rounds WHERE id <= $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(newest)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(row_to_round).collect::<Result<_, _>>()?)
}

/// The source ids of the stored rounds that have one (a re-import is recognised by them).
pub async fn stored_source_ids(pool: &Pool) -> Result<Vec<String>, DbError> {
    Ok(
        sqlx::query_scalar("SELECT source_id FROM rounds WHERE source_id IS NOT NULL")
            .fetch_all(pool)
            .await?,
    )
}

/// Every value, oldest first.
pub async fn all_values(pool: &Pool) -> Result<Vec<Multiplier>, DbError> {
    let raw: Vec<i64> = sqlx::query_scalar("SELECT hundredths FROM rounds ORDER BY id")
        .fetch_all(pool)
        .await?;
    Ok(raw
        .into_iter()
        .map(|h| Multiplier(u32::try_from(h).unwrap_or(u32::MAX)))
        .collect())
}

/// Every round, oldest first (for the CSV export).
pub async fn all_rounds(pool: &Pool) -> Result<Vec<RoundRow>, DbError> {
    let rows = sqlx::query(
        "SELECT id, hundredths, source, synthetic, created_at, updated_at, source_id, \
         ROW_NUMBER() OVER (ORDER BY id) AS position FROM rounds ORDER BY id",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(row_to_round).collect::<Result<_, _>>()?)
}

pub async fn update_value(pool: &Pool, id: i64, value: Multiplier) -> Result<RoundRow, DbError> {
    let sql = format!(
        "UPDATE rounds SET hundredths = $1, updated_at = {} WHERE id = $2",
        Backend::of_pool(pool).now_text()
    );
    let changed = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(i64::from(value.0))
        .bind(id)
        .execute(pool)
        .await?
        .rows_affected();
    if changed == 0 {
        return Err(DbError::NotFound(id));
    }
    get_round(pool, id).await
}

pub async fn delete_round(pool: &Pool, id: i64) -> Result<RoundRow, DbError> {
    let mut tx = super::begin_write(pool).await?;
    let row = sqlx::query(ROUND_COLUMNS_BY_ID)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(DbError::NotFound(id))?;
    let round = row_to_round(&row)?;
    sqlx::query("DELETE FROM rounds WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(round)
}

/// Deletes the most recent round; `None` when the history is empty.
pub async fn undo_last(pool: &Pool) -> Result<Option<RoundRow>, DbError> {
    let last: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM rounds")
        .fetch_one(pool)
        .await?;
    match last {
        Some(id) => delete_round(pool, id).await.map(Some),
        None => Ok(None),
    }
}
