//! Trained models shared through the database (PostgreSQL: several servers, each with a
//! `models_dir` of its own): every version folder is copied into `model_files`, every
//! server copies the versions it lacks into its folder, and the active version follows
//! the last activation on any server (`model_registry`). The folder stays the source the
//! estimator loads from; a SQLite server (one machine) keeps using the folder alone.

use app::db::{DbError, Pool};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How often a server looks for new versions and activations of the others.
pub const SYNC_EVERY: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("model folder {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

impl From<sqlx::Error> for SyncError {
    fn from(e: sqlx::Error) -> Self {
        SyncError::Db(DbError::Sqlx(e))
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SyncError + '_ {
    move |source| SyncError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// What one pass did.
#[derive(Debug, Default, PartialEq)]
pub struct SyncPass {
    pub uploaded: Vec<String>,
    pub downloaded: Vec<String>,
    /// The active version this server now has (after pushing or following).
    pub active: Option<String>,
}

/// The registry sync of one server; `last_active` is what the database and the folder
/// agreed on at the last pass, so a change on either side is told apart.
pub struct RegistrySync {
    pub pool: Pool,
    pub models_dir: PathBuf,
    /// `None` before the first pass.
    last_active: Option<Option<String>>,
}

impl RegistrySync {
    pub fn new(pool: Pool, models_dir: PathBuf) -> Self {
        Self {
            pool,
            models_dir,
            last_active: None,
        }
    }

    /// Runs a pass every [`SYNC_EVERY`] for the server's lifetime.
    pub fn spawn(mut self) {
        tokio::spawn(async move {
            loop {
                if let Err(e) = self.pass().await {
                    tracing::warn!(error = %e, "model registry sync failed");
                }
                tokio::time::sleep(SYNC_EVERY).await;
            }
        });
    }

    /// Uploads the versions only this folder has, downloads those only the database has,
    /// then settles the active version.
    pub async fn pass(&mut self) -> Result<SyncPass, SyncError> {
        let local = local_versions(&self.models_dir)?;
        let stored: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT version FROM model_files ORDER BY version")
                .fetch_all(&self.pool)
                .await?;
        let mut pass = SyncPass::default();
        for v in local.iter().filter(|v| !stored.contains(v)) {
            upload(&self.pool, &self.models_dir, v).await?;
            pass.uploaded.push(v.clone());
        }
        for v in stored.iter().filter(|v| !local.contains(v)) {
            download(&self.pool, &self.models_dir, v).await?;
            pass.downloaded.push(v.clone());
        }
        pass.active = self.settle_active().await?;
        Ok(pass)
    }

    /// An activation here since the last pass goes to the database; otherwise the folder
    /// follows the database (the last activation on any server wins).
    async fn settle_active(&mut self) -> Result<Option<String>, SyncError> {
        let local = ensemble::registry::active(&self.models_dir).ok().flatten();
        let shared: Option<String> =
            sqlx::query_scalar("SELECT active FROM model_registry WHERE id = 1")
                .fetch_one(&self.pool)
                .await?;
        // At the first pass the database wins unless it has no active version yet.
        let changed_here = match &self.last_active {
            None => shared.is_none(),
            Some(last) => &local != last,
        };
        let settled = if changed_here && local.is_some() {
            sqlx::query("UPDATE model_registry SET active = $1 WHERE id = 1")
                .bind(local.clone())
                .execute(&self.pool)
                .await?;
            local
        } else if shared != local {
            match &shared {
                Some(v) if ensemble::registry::set_active(&self.models_dir, v).is_ok() => {
                    shared.clone()
                }
                _ => local,
            }
        } else {
            local
        };
        self.last_active = Some(settled.clone());
        Ok(settled)
    }
}

/// Complete version folders (a folder being written is `.tmp-…`, never listed).
fn local_versions(dir: &Path) -> Result<Vec<String>, SyncError> {
    match ensemble::registry::list(dir) {
        Ok(list) => Ok(list.into_iter().map(|i| i.version).collect()),
        Err(_) if !dir.exists() => Ok(Vec::new()),
        Err(e) => Err(SyncError::Io {
            path: dir.display().to_string(),
            source: std::io::Error::other(e.to_string()),
        }),
    }
}

/// Every file under `dir`, as paths relative to it with `/` separators.
fn files_under(dir: &Path) -> Result<Vec<(String, PathBuf)>, SyncError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(io(&d))? {
            let path = entry.map_err(io(&d))?.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                let rel: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push((rel.join("/"), path));
            }
        }
    }
    out.sort();
    Ok(out)
}

async fn upload(pool: &Pool, models_dir: &Path, version: &str) -> Result<(), SyncError> {
    let files = files_under(&models_dir.join(version))?;
    let mut tx = pool.begin().await?;
    for (rel, path) in files {
        let bytes = std::fs::read(&path).map_err(io(&path))?;
        sqlx::query(
            "INSERT INTO model_files (version, path, bytes) VALUES ($1, $2, $3) \
             ON CONFLICT DO NOTHING",
        )
        .bind(version)
        .bind(rel)
        .bind(bytes)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Writes the version into a temporary folder, then renames it into place, so the
/// estimator never sees half a model.
async fn download(pool: &Pool, models_dir: &Path, version: &str) -> Result<(), SyncError> {
    if version.is_empty()
        || version.starts_with('.')
        || !version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Ok(());
    }
    let rows: Vec<(String, Vec<u8>)> =
        sqlx::query_as("SELECT path, bytes FROM model_files WHERE version = $1")
            .bind(version)
            .fetch_all(pool)
            .await?;
    let tmp = models_dir.join(format!(".tmp-sync-{version}"));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
    }
    for (rel, bytes) in rows {
        // Only plain relative names: a stored path never leaves the version's folder.
        if rel
            .split('/')
            .any(|p| p.is_empty() || p == "." || p == "..")
        {
            continue;
        }
        let path = tmp.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&path, bytes).map_err(io(&path))?;
    }
    let target = models_dir.join(version);
    std::fs::rename(&tmp, &target).map_err(io(&target))
}
