//! SQLite storage of the round history (server only), one file per table or concern.
//!
//! Every write that takes several values runs in one transaction, and values are parsed
//! before the transaction starts, so a rejected value never changes the database.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::path::Path;
use std::time::Duration;

mod dashboard;
mod demo;
mod history;
mod predictions;
mod python_app;
mod rounds;

pub use dashboard::*;
pub use demo::*;
pub use history::*;
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
        .busy_timeout(Duration::from_secs(5));
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

impl DbError {
    /// The HTTP status of each variant.
    pub fn status_code(&self) -> u16 {
        match self {
            DbError::NotFound(_) => 404,
            DbError::Refused(_) | DbError::NotAnExport(_) => 422,
            DbError::Sqlx(_) | DbError::Migrate(_) | DbError::Folder { .. } => 500,
        }
    }
}

crate::http_status_by_method!(DbError);
