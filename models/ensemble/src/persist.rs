//! Persistence every member and the registry share: JSON files written atomically and the
//! one error type of saving and loading. A leaf: it imports nothing else of this crate.

use serde::de::DeserializeOwned;
use serde::Serialize;
use std::path::Path;

/// Why a model could not be saved or loaded.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("i/o error at {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("missing: {0}")]
    Missing(String),
    #[error("corrupt file {path}: {reason}")]
    Corrupt { path: String, reason: String },
    #[error("model format version {found}, this build reads {expected}")]
    FormatVersion { found: u32, expected: u32 },
    #[error("model built for feature list v{found} ({found_n} features), this build has v{expected} ({expected_n})")]
    FeatureVersion {
        found: u32,
        found_n: usize,
        expected: u32,
        expected_n: usize,
    },
    #[error("model does not match: {0}")]
    Mismatch(String),
    #[error("unknown member kind {0:?} (no loader registered)")]
    UnknownMemberKind(String),
    #[error("member {0} cannot be saved")]
    NotPersistable(String),
    #[error("no models in {0}")]
    NoModels(String),
    #[error("invalid version name {0:?}")]
    BadVersion(String),
    #[error("the ensemble is not fitted")]
    NotFitted,
}

pub(crate) fn io_err(path: &Path, source: std::io::Error) -> RegistryError {
    RegistryError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Writes pretty JSON atomically (temp file + rename).
pub fn write_json<T: Serialize + ?Sized>(path: &Path, value: &T) -> Result<(), RegistryError> {
    let text = serde_json::to_string_pretty(value).map_err(|e| RegistryError::Corrupt {
        path: path.display().to_string(),
        reason: format!("cannot serialise: {e}"),
    })?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).map_err(|e| io_err(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io_err(path, e))
}

/// Reads JSON; a missing file is [`RegistryError::Missing`], bad JSON [`RegistryError::Corrupt`].
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, RegistryError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(RegistryError::Missing(path.display().to_string()))
        }
        Err(e) => return Err(io_err(path, e)),
    };
    serde_json::from_str(&text).map_err(|e| RegistryError::Corrupt {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}
