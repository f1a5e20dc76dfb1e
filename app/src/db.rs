//! SQLite storage of the round history (server only).
//!
//! Every write that takes several values runs in one transaction, and values are parsed
//! before the transaction starts, so a rejected value never changes the database.

use crate::types::ClientSettings;
use crate::types::{ChartPoint, Dashboard, DemoInfo, RoundRow, RoundsPage, Source};
use models::generator::FairGenerator;
use models::import::{ImportReport, ImportRow};
use models::summary::{category_shares, log_histogram, survival_curve, Summary};
use models::values::{parse_multiplier, Multiplier};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("could not create the database folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error("no round with id {0}")]
    NotFound(i64),
    #[error("{0}")]
    Refused(String),
    #[error("not a JetX Predictor database: {0}")]
    NotAnExport(String),
}

/// Opens (creating if needed) the database file, in WAL mode, and runs the migrations.
pub async fn connect(path: &Path) -> Result<SqlitePool, DbError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| DbError::Folder {
            path: dir.display().to_string(),
            source,
        })?;
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

fn row_to_round(row: &sqlx::sqlite::SqliteRow) -> Result<RoundRow, sqlx::Error> {
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
    })
}

const ROUND_COLUMNS_BY_ID: &str = "SELECT id, hundredths, source, synthetic, created_at, updated_at, \
     (SELECT COUNT(*) FROM rounds r2 WHERE r2.id <= rounds.id) AS position FROM rounds WHERE id = ?";

/// Rows per INSERT statement (3 bound values each, far below SQLite's variable limit).
const INSERT_CHUNK: usize = 500;

/// Stores values in order in one transaction; returns their ids.
pub async fn insert_values(
    pool: &SqlitePool,
    values: &[Multiplier],
    source: Source,
) -> Result<Vec<i64>, DbError> {
    let mut tx = pool.begin().await?;
    let synthetic = i64::from(source == Source::Demo);
    if synthetic == 0 {
        // Statistics over a mix of generated and real rounds would describe neither.
        let has_demo: bool =
            sqlx::query_scalar("SELECT EXISTS(SELECT 1 FROM rounds WHERE synthetic = 1)")
                .fetch_one(&mut *tx)
                .await?;
        if has_demo {
            return Err(DbError::Refused(
                "the history holds synthetic demo data: remove it first, so real rounds never mix with generated ones"
                    .into(),
            ));
        }
    }
    let mut ids = Vec::with_capacity(values.len());
    // Multi-row statements: one statement per row costs a round trip to sqlx's worker
    // thread each (~0.1 ms), which dominated a 7,000-row import.
    for chunk in values.chunks(INSERT_CHUNK) {
        let mut insert =
            sqlx::QueryBuilder::new("INSERT INTO rounds (hundredths, source, synthetic) ");
        insert.push_values(chunk, |mut row, v| {
            row.push_bind(i64::from(v.0))
                .push_bind(source.as_str())
                .push_bind(synthetic);
        });
        insert.push(" RETURNING id");
        let mut chunk_ids: Vec<i64> = insert.build_query_scalar().fetch_all(&mut *tx).await?;
        // AUTOINCREMENT ids grow in insertion order; RETURNING's row order is unspecified.
        chunk_ids.sort_unstable();
        ids.extend(chunk_ids);
    }
    tx.commit().await?;
    Ok(ids)
}

pub async fn get_round(pool: &SqlitePool, id: i64) -> Result<RoundRow, DbError> {
    let row = sqlx::query(ROUND_COLUMNS_BY_ID)
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(DbError::NotFound(id))?;
    Ok(row_to_round(&row)?)
}

pub async fn count(pool: &SqlitePool) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM rounds")
        .fetch_one(pool)
        .await?)
}

/// A page of rounds, newest first.
pub async fn list_page(pool: &SqlitePool, offset: i64, limit: i64) -> Result<RoundsPage, DbError> {
    let total = count(pool).await?;
    let rows = sqlx::query(
        "SELECT id, hundredths, source, synthetic, created_at, updated_at, \
         ROW_NUMBER() OVER (ORDER BY id) AS position \
         FROM rounds ORDER BY id DESC LIMIT ? OFFSET ?",
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    let rounds = rows.iter().map(row_to_round).collect::<Result<_, _>>()?;
    Ok(RoundsPage {
        total,
        offset,
        limit,
        rounds,
    })
}

/// Every value, oldest first.
pub async fn all_values(pool: &SqlitePool) -> Result<Vec<Multiplier>, DbError> {
    let raw: Vec<i64> = sqlx::query_scalar("SELECT hundredths FROM rounds ORDER BY id")
        .fetch_all(pool)
        .await?;
    Ok(raw
        .into_iter()
        .map(|h| Multiplier(u32::try_from(h).unwrap_or(u32::MAX)))
        .collect())
}

/// Every round, oldest first (for the CSV export).
pub async fn all_rounds(pool: &SqlitePool) -> Result<Vec<RoundRow>, DbError> {
    let rows = sqlx::query(
        "SELECT id, hundredths, source, synthetic, created_at, updated_at, \
         ROW_NUMBER() OVER (ORDER BY id) AS position FROM rounds ORDER BY id",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.iter().map(row_to_round).collect::<Result<_, _>>()?)
}

pub async fn update_value(
    pool: &SqlitePool,
    id: i64,
    value: Multiplier,
) -> Result<RoundRow, DbError> {
    let changed = sqlx::query(
        "UPDATE rounds SET hundredths = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
    )
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

pub async fn delete_round(pool: &SqlitePool, id: i64) -> Result<RoundRow, DbError> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query(ROUND_COLUMNS_BY_ID)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(DbError::NotFound(id))?;
    let round = row_to_round(&row)?;
    sqlx::query("DELETE FROM rounds WHERE id = ?")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(round)
}

/// Deletes the most recent round; `None` when the history is empty.
pub async fn undo_last(pool: &SqlitePool) -> Result<Option<RoundRow>, DbError> {
    let last: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM rounds")
        .fetch_one(pool)
        .await?;
    match last {
        Some(id) => delete_round(pool, id).await.map(Some),
        None => Ok(None),
    }
}

pub async fn demo_info(pool: &SqlitePool) -> Result<Option<DemoInfo>, DbError> {
    let rounds: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rounds WHERE synthetic = 1")
        .fetch_one(pool)
        .await?;
    if rounds == 0 {
        return Ok(None);
    }
    let run = sqlx::query("SELECT seed, house_edge FROM demo_runs ORDER BY id DESC LIMIT 1")
        .fetch_optional(pool)
        .await?;
    let (seed, house_edge) = match run {
        Some(r) => (r.try_get("seed")?, r.try_get("house_edge")?),
        None => (0, f64::NAN),
    };
    Ok(Some(DemoInfo {
        rounds,
        seed,
        house_edge,
    }))
}

/// Fills an empty history with synthetic rounds from the seeded fair generator.
pub async fn load_demo(
    pool: &SqlitePool,
    rounds: usize,
    seed: u64,
    house_edge: f64,
) -> Result<DemoInfo, DbError> {
    if !(0.0..0.5).contains(&house_edge) {
        return Err(DbError::Refused(format!(
            "house edge {house_edge} is outside [0, 0.5)"
        )));
    }
    if rounds == 0 || rounds > 100_000 {
        return Err(DbError::Refused(format!(
            "demo size {rounds} is outside 1..=100000"
        )));
    }
    let values = FairGenerator { seed, house_edge }.generate(rounds);
    let mut tx = pool.begin().await?;
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rounds")
        .fetch_one(&mut *tx)
        .await?;
    if existing > 0 {
        return Err(DbError::Refused(
            "demo data can only be loaded into an empty history, so it never mixes with real rounds"
                .into(),
        ));
    }
    // Seeds above i64::MAX are stored as their bit pattern.
    let seed_i64 = seed as i64;
    sqlx::query("INSERT INTO demo_runs (seed, house_edge, rounds) VALUES (?, ?, ?)")
        .bind(seed_i64)
        .bind(house_edge)
        .bind(rounds as i64)
        .execute(&mut *tx)
        .await?;
    for v in &values {
        sqlx::query("INSERT INTO rounds (hundredths, source, synthetic) VALUES (?, 'demo', 1)")
            .bind(i64::from(v.0))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(DemoInfo {
        rounds: rounds as i64,
        seed: seed_i64,
        house_edge,
    })
}

/// Removes every synthetic round; returns how many.
pub async fn remove_demo(pool: &SqlitePool) -> Result<u64, DbError> {
    let mut tx = pool.begin().await?;
    let removed = sqlx::query("DELETE FROM rounds WHERE synthetic = 1")
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query("DELETE FROM demo_runs")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(removed)
}

/// Number of recent rounds listed on the dashboard.
pub const RECENT_ROUNDS: i64 = 15;

pub async fn dashboard(
    pool: &SqlitePool,
    last_n: usize,
    settings: ClientSettings,
) -> Result<Dashboard, DbError> {
    let values = all_values(pool).await?;
    let recent = list_page(pool, 0, RECENT_ROUNDS).await?.rounds;
    let demo = demo_info(pool).await?;
    Ok(build_dashboard(&values, recent, demo, last_n, settings))
}

/// The dashboard's statistics of a history (pure, so it is tested without a database).
pub fn build_dashboard(
    values: &[Multiplier],
    recent: Vec<RoundRow>,
    demo: Option<DemoInfo>,
    last_n: usize,
    settings: ClientSettings,
) -> Dashboard {
    let h = settings.house_edge;
    let start = values.len().saturating_sub(last_n);
    let last_rounds = values[start..]
        .iter()
        .enumerate()
        .map(|(i, v)| ChartPoint {
            position: (start + i + 1) as i64,
            value: v.as_f64(),
        })
        .collect();
    Dashboard {
        summary: Summary::compute(values, h),
        recent,
        last_rounds,
        histogram: log_histogram(values, 8, h),
        categories: category_shares(values, h),
        survival: survival_curve(values, 40, 5, h),
        demo,
        settings,
    }
}

/// Reads the Python JetX Predictor's database (`jetx_results(id, value)`, values REAL or
/// TEXT), in id order, with the same value parser as every other input.
pub async fn read_python_app_db(
    path: &Path,
    rules: &models::values::ValueRules,
) -> Result<ImportReport, DbError> {
    let options = SqliteConnectOptions::from_str("sqlite://")
        .map_err(DbError::Sqlx)?
        .filename(path)
        .read_only(true)
        .create_if_missing(false);
    let mut conn = sqlx::ConnectOptions::connect(&options)
        .await
        .map_err(|e| DbError::NotAnExport(format!("cannot open it as SQLite: {e}")))?;
    let has_table: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'jetx_results'",
    )
    .fetch_one(&mut conn)
    .await
    .map_err(|e| DbError::NotAnExport(format!("cannot read it as SQLite: {e}")))?;
    if has_table == 0 {
        return Err(DbError::NotAnExport(
            "it has no table jetx_results(id, value)".into(),
        ));
    }
    let rows = sqlx::query(
        "SELECT CAST(id AS TEXT) AS id, CAST(value AS TEXT) AS value FROM jetx_results ORDER BY id",
    )
    .fetch_all(&mut conn)
    .await
    .map_err(|e| DbError::NotAnExport(format!("cannot read jetx_results(id, value): {e}")))?;
    if rows.len() > rules.max_values_per_batch {
        return Err(DbError::Refused(format!(
            "the database holds {} rows; the limit is {} per import",
            rows.len(),
            rules.max_values_per_batch
        )));
    }
    let rows = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let id: Option<String> = r.try_get("id").ok().flatten();
            let raw: Option<String> = r.try_get("value").ok().flatten();
            let raw = raw.unwrap_or_default();
            ImportRow {
                row: i + 1,
                line: 0,
                id,
                value: parse_multiplier(&raw, rules).map_err(|e| e.problem),
                raw,
            }
        })
        .collect();
    Ok(ImportReport {
        value_column: Some("value".into()),
        rows,
    })
}

// ---------------------------------------------------------------------------------------
// Predictions and live scoring

/// The counter every change of `rounds` bumps (see the migration's triggers).
pub async fn history_revision(pool: &SqlitePool) -> Result<i64, DbError> {
    Ok(
        sqlx::query_scalar("SELECT revision FROM history_revision WHERE id = 1")
            .fetch_one(pool)
            .await?,
    )
}

/// The history as the predictor needs it.
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

/// Stores a prediction shown to the user; the same round, model, cash-out and mode is stored
/// once (the first time it is shown).
pub async fn store_prediction(
    pool: &SqlitePool,
    after_round_id: i64,
    view: &crate::types::PredictionView,
) -> Result<(), DbError> {
    let json = |v: Vec<f64>| serde_json::to_string(&v).unwrap_or_else(|_| "[]".into());
    let thresholds: Vec<f64> = view.thresholds.iter().map(|t| t.threshold).collect();
    let probabilities: Vec<f64> = view.thresholds.iter().map(|t| t.probability).collect();
    let fair: Vec<f64> = view.thresholds.iter().map(|t| t.fair).collect();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT OR IGNORE INTO predictions (after_round_id, rounds_seen, model, cashout, mode, \
         thresholds, probabilities, fair, ev, recommendation, reason) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(after_round_id)
    .bind(view.rounds as i64)
    .bind(view.model.clone().unwrap_or_else(|| "fair".into()))
    .bind(view.cashout)
    .bind(view.mode.as_str())
    .bind(json(thresholds))
    .bind(json(probabilities))
    .bind(json(fair))
    .bind(view.ev)
    .bind(match view.recommendation {
        crate::types::Recommendation::Play => "play",
        crate::types::Recommendation::Wait => "wait",
    })
    .bind(&view.reason)
    .execute(&mut *tx)
    .await?;
    // A round stored while the estimate was computed already fired the scoring trigger:
    // score the new row from the rounds that exist.
    sqlx::query(
        "UPDATE predictions SET \
         outcome_round_id = (SELECT r.id FROM rounds r WHERE r.id > predictions.after_round_id ORDER BY r.id LIMIT 1), \
         outcome_hundredths = (SELECT r.hundredths FROM rounds r WHERE r.id > predictions.after_round_id ORDER BY r.id LIMIT 1) \
         WHERE after_round_id = ? AND outcome_round_id IS NULL \
         AND EXISTS (SELECT 1 FROM rounds r WHERE r.id > ?)",
    )
    .bind(after_round_id)
    .bind(after_round_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A literal `SELECT` of every prediction column followed by `$tail` (sqlx wants static SQL).
macro_rules! select_predictions {
    ($tail:literal) => {
        concat!(
            "SELECT id, created_at, after_round_id, rounds_seen, model, cashout, mode, ",
            "thresholds, probabilities, fair, ev, recommendation, reason, outcome_hundredths ",
            "FROM predictions ",
            $tail
        )
    };
}

fn row_to_prediction(
    row: &sqlx::sqlite::SqliteRow,
) -> Result<crate::views::StoredPrediction, sqlx::Error> {
    let floats = |name: &str| -> Result<Vec<f64>, sqlx::Error> {
        let text: String = row.try_get(name)?;
        serde_json::from_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
    };
    let mode: String = row.try_get("mode")?;
    let recommendation: String = row.try_get("recommendation")?;
    let outcome: Option<i64> = row.try_get("outcome_hundredths")?;
    Ok(crate::views::StoredPrediction {
        id: row.try_get("id")?,
        created_at: row.try_get("created_at")?,
        after_round_id: row.try_get("after_round_id")?,
        rounds_seen: row.try_get("rounds_seen")?,
        model: row.try_get("model")?,
        cashout: row.try_get("cashout")?,
        mode: crate::types::Mode::parse(&mode).unwrap_or_default(),
        thresholds: floats("thresholds")?,
        probabilities: floats("probabilities")?,
        fair: floats("fair")?,
        ev: row.try_get("ev")?,
        recommendation: if recommendation == "play" {
            crate::types::Recommendation::Play
        } else {
            crate::types::Recommendation::Wait
        },
        reason: row.try_get("reason")?,
        outcome: outcome.map(|h| Multiplier(u32::try_from(h).unwrap_or(u32::MAX))),
    })
}

/// Stored predictions, newest first, and how many there are in all.
pub async fn list_predictions(
    pool: &SqlitePool,
    offset: i64,
    limit: i64,
) -> Result<(i64, Vec<crate::views::StoredPrediction>), DbError> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM predictions")
        .fetch_one(pool)
        .await?;
    let rows = sqlx::query(select_predictions!("ORDER BY id DESC LIMIT ? OFFSET ?"))
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await?;
    let list = rows
        .iter()
        .map(row_to_prediction)
        .collect::<Result<_, _>>()?;
    Ok((total, list))
}

/// Every scored prediction, oldest first, and the number still waiting for their round.
pub async fn scored_predictions(
    pool: &SqlitePool,
) -> Result<(Vec<crate::views::StoredPrediction>, i64), DbError> {
    let rows = sqlx::query(select_predictions!(
        "WHERE outcome_hundredths IS NOT NULL ORDER BY after_round_id, id"
    ))
    .fetch_all(pool)
    .await?;
    let pending: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM predictions WHERE outcome_hundredths IS NULL")
            .fetch_one(pool)
            .await?;
    let list = rows
        .iter()
        .map(row_to_prediction)
        .collect::<Result<_, _>>()?;
    Ok((list, pending))
}
