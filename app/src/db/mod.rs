//! SQLite storage of the round history (server only), one file per table or concern.
//!
//! Every write that takes several values runs in one transaction, and values are parsed
//! before the transaction starts, so a rejected value never changes the database.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::path::Path;
use std::time::Duration;

mod bets;
mod dashboard;
mod demo;
mod history;
mod limits;
mod predictions;
mod python_app;
mod rounds;

pub use bets::*;
pub use dashboard::*;
pub use demo::*;
pub use history::*;
pub use limits::*;
pub use predictions::*;
pub use python_app::*;
pub use rounds::*;

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
        .busy_timeout(BUSY_TIMEOUT);
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// Starts a write transaction that takes SQLite's write lock at `BEGIN`. A deferred
/// transaction that reads first and writes later cannot wait for a busy lock (SQLite
/// answers `SQLITE_BUSY` / `SQLITE_BUSY_SNAPSHOT` at once to avoid a deadlock), which
/// failed 2,693 of 5,000 concurrent single-round POSTs; `BEGIN IMMEDIATE` waits (up to
/// the busy timeout) before anything is read, so concurrent writers queue instead.
pub(crate) async fn begin_write(
    pool: &SqlitePool,
) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, DbError> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}

/// How long a write waits for another writer (a large import holds the lock for seconds).
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

impl DbError {
    /// The HTTP status of each variant. A database still busy after the busy timeout, or
    /// no free connection, is a temporary condition (503), not a bug.
    pub fn status_code(&self) -> u16 {
        match self {
            DbError::NotFound(_) => 404,
            DbError::Refused(_) | DbError::NotAnExport(_) => 422,
            DbError::Sqlx(e) if is_busy(e) => 503,
            DbError::Sqlx(_) | DbError::Migrate(_) | DbError::Folder { .. } => 500,
        }
    }

    /// A stable machine-readable code of each variant.
    pub fn code(&self) -> &'static str {
        match self {
            DbError::NotFound(_) => "not_found",
            DbError::Refused(_) | DbError::NotAnExport(_) => "refused",
            DbError::Sqlx(e) if is_busy(e) => "busy",
            DbError::Sqlx(_) | DbError::Migrate(_) | DbError::Folder { .. } => "database",
        }
    }
}

/// `SQLITE_BUSY` and its extended codes (517 = busy snapshot), or the pool out of
/// connections for longer than its timeout.
fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Database(d) => d
            .code()
            .and_then(|c| c.parse::<i32>().ok())
            .is_some_and(|c| c & 0xff == 5),
        _ => false,
    }
}

crate::http_status_by_method!(DbError);
