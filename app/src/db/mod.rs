//! Storage of the round history (server only), one file per table or concern: a SQLite
//! file by default, or a PostgreSQL database that several servers share.
//!
//! Every write that takes several values runs in one transaction, and values are parsed
//! before the transaction starts, so a rejected value never changes the database.

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Executor};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

mod accounts;
mod backend;
mod backtests;
mod bets;
mod dashboard;
mod demo;
mod history;
mod leases;
mod limits;
mod predictions;
mod python_app;
mod rounds;

pub use accounts::*;
pub use backend::*;
pub use backtests::*;
pub use bets::*;
pub use dashboard::*;
pub use demo::*;
pub use history::*;
pub use leases::*;
pub use limits::*;
pub use predictions::*;
pub use python_app::*;
pub use rounds::*;

/// The SQLite schema (the files directly in `migrations/`).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");
/// The same schema for PostgreSQL (`migrations/postgres/`).
pub static PG_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// The database of the app: SQLite or PostgreSQL behind one pool type, so every query
/// is written once (the few dialect differences are in [`Backend`]).
pub type Pool = sqlx::AnyPool;
/// A transaction on [`Pool`].
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

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

/// Opens the database and runs the migrations: a `postgres://` URL is a PostgreSQL
/// database (several servers may share it), anything else a SQLite file, created with its
/// folder if needed, in WAL mode.
pub async fn connect(location: &Path) -> Result<Pool, DbError> {
    sqlx::any::install_default_drivers();
    let text = location.to_string_lossy();
    if Backend::of_url(&text) == Backend::Postgres {
        let options = AnyConnectOptions::from_str(&text)?;
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(BUSY_TIMEOUT)
            // A prepared statement's generic plan guesses a third of the table for
            // `id > $1`: the history's update scanned all 1,000,000 rounds (170 ms per
            // round stored). Planned with the value, it reads the few new rows.
            .after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("SET plan_cache_mode = force_custom_plan")
                        .await
                        .map(|_| ())
                })
            })
            .connect_with(options)
            .await?;
        PG_MIGRATOR.run(&pool).await?;
        return Ok(pool);
    }
    if let Some(dir) = location.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| DbError::Folder {
            path: dir.display().to_string(),
            source,
        })?;
    }
    let url = SqliteConnectOptions::new()
        .filename(location)
        .create_if_missing(true)
        .to_url_lossy();
    let options = AnyConnectOptions::from_str(url.as_str())?;
    // The driver's own options are not reachable through the URL: set them per connection.
    let pragmas = format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
         PRAGMA busy_timeout = {};",
        BUSY_TIMEOUT.as_millis()
    );
    let pool = AnyPoolOptions::new()
        .max_connections(4)
        .after_connect(move |conn, _| {
            let pragmas = sqlx::AssertSqlSafe(pragmas.clone());
            Box::pin(async move { conn.execute(pragmas).await.map(|_| ()) })
        })
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// Creates the empty database `name` (letters, digits and `_`) on the PostgreSQL server
/// of `server_url`; returns its URL. For tests and benchmarks, which need fresh ones.
pub async fn create_postgres_database(server_url: &str, name: &str) -> Result<String, DbError> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(DbError::Refused(format!(
            "not a plain database name: {name:?}"
        )));
    }
    let Some((base, _)) = server_url.rsplit_once('/') else {
        return Err(DbError::Refused(format!(
            "not a PostgreSQL URL: {}",
            redacted(server_url)
        )));
    };
    sqlx::any::install_default_drivers();
    let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(server_url).await?;
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await?;
    Ok(format!("{base}/{name}"))
}

/// Starts a write transaction that waits for every other writer first, so writes queue
/// instead of failing, and round ids grow in commit order (the history snapshot reads
/// the rounds after the last id it has). SQLite: a deferred transaction that reads first
/// and writes later cannot wait for a busy lock (`SQLITE_BUSY_SNAPSHOT` at once; 2,693 of
/// 5,000 concurrent single-round POSTs failed), `BEGIN IMMEDIATE` takes the write lock
/// at the start. PostgreSQL: a transaction-scoped advisory lock, across every server
/// sharing the database (a sequence alone hands out ids before commit).
pub(crate) async fn begin_write(pool: &Pool) -> Result<Tx, DbError> {
    match Backend::of_pool(pool) {
        Backend::Sqlite => Ok(pool.begin_with("BEGIN IMMEDIATE").await?),
        Backend::Postgres => {
            let mut tx = pool.begin().await?;
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(WRITE_LOCK)
                .execute(&mut *tx)
                .await?;
            Ok(tx)
        }
    }
}

/// A read transaction that sees one state of the database throughout (SQLite's WAL
/// snapshot; PostgreSQL needs REPEATABLE READ for that).
pub(crate) async fn begin_read(pool: &Pool) -> Result<Tx, DbError> {
    match Backend::of_pool(pool) {
        Backend::Sqlite => Ok(pool.begin().await?),
        Backend::Postgres => Ok(pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?),
    }
}

/// The advisory lock key of the writers of the history (any number, the same everywhere).
const WRITE_LOCK: i64 = 0x4a45_5458_0001;

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

/// The pool out of connections for longer than its timeout, `SQLITE_BUSY` and its
/// extended codes (517 = busy snapshot), or PostgreSQL's lock timeout, serialization
/// failure and deadlock (the SQLSTATEs are five characters, SQLite's codes numbers).
fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Database(d) => d.code().is_some_and(|c| match c.len() {
            5 => matches!(&*c, "55P03" | "40001" | "40P01"),
            _ => c.parse::<i32>().is_ok_and(|c| c & 0xff == 5),
        }),
        _ => false,
    }
}

crate::http_status_by_method!(DbError);
