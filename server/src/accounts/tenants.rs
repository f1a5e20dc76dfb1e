//! Each player of a hosted server has their data apart: on SQLite a database file of
//! their own (`<database folder>/users/<id>/<database file name>`), on PostgreSQL a schema
//! of their own (`jetx_user_<id>`, reached through the connection's `search_path`), and a
//! models folder (`<models_dir>/users/<id>`). The same migrations build each one, and the
//! use cases run unchanged on the player's [`ServerState`]: no query can name another
//! player's rows, so a guessed id answers 404 like any id that does not exist, and the
//! pattern scan, fairness report, training and jobs see the player's rounds only.

use app::api::ssr::ServerState;
use app::db::{Backend, DbError, Pool};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How a player's state is built: the server's settings and where data goes.
#[derive(Debug, Clone)]
pub struct TenantFactory {
    /// The configured database (SQLite file or PostgreSQL URL).
    pub database: PathBuf,
    pub models_dir: PathBuf,
    pub rules: models::values::ValueRules,
    pub house_edge: f64,
    pub reality_check_min_s: i64,
    /// The `jetx` binary that runs training jobs.
    pub exe: PathBuf,
}

/// The PostgreSQL schema of player `id`.
pub fn schema_of(id: i64) -> String {
    format!("jetx_user_{id}")
}

impl TenantFactory {
    /// Where player `id`'s data is: their SQLite file, or the PostgreSQL URL whose
    /// connections see their schema only.
    pub fn location(&self, id: i64) -> PathBuf {
        let text = self.database.to_string_lossy();
        if Backend::of_url(&text) == Backend::Postgres {
            let sep = if text.contains('?') { '&' } else { '?' };
            let option = format!("options=-c%20search_path%3D{}", schema_of(id));
            return PathBuf::from(format!("{text}{sep}{option}"));
        }
        let folder = self.database.parent().unwrap_or(Path::new(""));
        let file = self.database.file_name().unwrap_or("jetx.sqlite".as_ref());
        folder.join("users").join(id.to_string()).join(file)
    }

    pub fn models_dir(&self, id: i64) -> PathBuf {
        self.models_dir.join("users").join(id.to_string())
    }

    /// A player's state over `pool` (their data) with their models and training jobs.
    pub fn state(&self, pool: Pool, database: PathBuf, models_dir: PathBuf) -> ServerState {
        let estimator = Arc::new(crate::estimator::EnsembleEstimator::new(
            models_dir.clone(),
            self.house_edge,
            None,
        ));
        if Backend::of_pool(&pool) == Backend::Postgres {
            // Servers on one PostgreSQL database share a player's models through it.
            crate::registry_sync::RegistrySync::new(pool.clone(), models_dir.clone()).spawn();
        }
        let training = Arc::new(crate::jobs::TrainingJobs::new(
            crate::jobs::TrainCommand {
                exe: self.exe.clone(),
                database,
                models_dir,
                house_edge: self.house_edge,
            },
            // What this machine can train on: a CUDA build without a GPU offers the CPU only.
            app::api::ssr::Estimator::machine_devices(estimator.as_ref()),
            crate::trainer::MEMBER_KINDS
                .iter()
                .map(|s| s.to_string())
                .collect(),
        ));
        let mut state = ServerState::new(pool, self.rules, self.house_edge, estimator, training);
        state.reality_check_min_s = self.reality_check_min_s;
        state
    }

    /// Opens (creating and migrating on first use) player `id`'s data.
    pub async fn open(&self, accounts: &Pool, id: i64) -> Result<ServerState, DbError> {
        if Backend::of_pool(accounts) == Backend::Postgres {
            let sql = format!("CREATE SCHEMA IF NOT EXISTS {}", schema_of(id));
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(accounts)
                .await?;
        }
        let location = self.location(id);
        let pool = app::db::connect(&location).await?;
        Ok(self.state(pool, location, self.models_dir(id)))
    }

    /// Deletes player `id`'s data: their database (file or schema) and models.
    pub async fn remove(&self, accounts: &Pool, id: i64) -> Result<(), DbError> {
        if Backend::of_pool(accounts) == Backend::Postgres {
            let sql = format!("DROP SCHEMA IF EXISTS {} CASCADE", schema_of(id));
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(accounts)
                .await?;
        } else if let Some(folder) = self.location(id).parent() {
            remove_folder(folder)?;
        }
        remove_folder(&self.models_dir(id))
    }
}

fn remove_folder(folder: &Path) -> Result<(), DbError> {
    match std::fs::remove_dir_all(folder) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(DbError::Folder {
            path: folder.display().to_string(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// The open players' states, each opened once per server.
pub struct Tenants {
    pub factory: TenantFactory,
    accounts: Pool,
    open: tokio::sync::Mutex<HashMap<i64, ServerState>>,
}

impl Tenants {
    pub fn new(factory: TenantFactory, accounts: Pool) -> Self {
        Self {
            factory,
            accounts,
            open: tokio::sync::Mutex::new(HashMap::new()),
        }
    }

    pub async fn get(&self, id: i64) -> Result<ServerState, DbError> {
        let mut open = self.open.lock().await;
        if let Some(state) = open.get(&id) {
            return Ok(state.clone());
        }
        let state = self.factory.open(&self.accounts, id).await?;
        open.insert(id, state.clone());
        Ok(state)
    }

    /// Every open player's state (to stop their training jobs at shutdown).
    pub async fn states(&self) -> Vec<ServerState> {
        self.open.lock().await.values().cloned().collect()
    }
}
