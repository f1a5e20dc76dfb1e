//! The model registry: one folder per trained model under a models directory.
//!
//! ```text
//! models/
//!   ACTIVE                       ← the active version's folder name
//!   v0001-20260501T120000Z/
//!     model.json                 ← ModelMeta
//!     stack.json                 ← meta-learners and calibrators
//!     members/00-gbt/gbt.json    ← one folder per member, written by Member::save
//!     members/01-logistic/logistic.json
//! ```
//!
//! Loading checks the format version, the feature-list version, the thresholds, the member
//! list and every file; anything missing, corrupt or mismatched is a [`RegistryError`], so
//! that callers can fall back to the fair baseline.

use crate::compare::ComparisonTable;
use crate::member::MemberLoaders;
use crate::search::SearchReport;
use crate::stack::{MetaModel, StackConfig, StackedEnsemble};
use models::features::{FEATURE_LIST_VERSION, N_FEATURES};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Version of the on-disk layout; bump on incompatible changes (2: the stacking
/// combination replaced the logistic meta-learner).
pub const FORMAT_VERSION: u32 = 2;
/// Name of the active-version pointer file.
pub const ACTIVE_FILE: &str = "ACTIVE";
pub const MODEL_FILE: &str = "model.json";
pub const STACK_FILE: &str = "stack.json";

use crate::persist::io_err;
pub use crate::persist::{read_json, write_json, RegistryError};

/// One saved member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberRecord {
    pub name: String,
    pub kind: String,
    pub params: serde_json::Value,
    /// Folder relative to the version folder.
    pub dir: String,
}

/// The rounds a model was trained on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingRange {
    /// Rounds `[start, end)` of the imported history.
    pub start: usize,
    pub end: usize,
    pub n_rounds: usize,
    /// Optional description of the source (file name, hash…).
    pub source: Option<String>,
}

/// `model.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelMeta {
    pub format_version: u32,
    pub feature_list_version: u32,
    pub n_features: usize,
    pub version: String,
    pub created_at_unix: u64,
    pub created_at: String,
    pub thresholds: Vec<f64>,
    pub training: TrainingRange,
    pub stack: StackConfig,
    pub members: Vec<MemberRecord>,
    /// Free-form hyperparameters / settings of the training run.
    pub hyperparameters: serde_json::Value,
    /// Where it was trained ("cpu", "cuda:0", …).
    pub device: String,
    /// Walk-forward scores (members, ensemble, baselines).
    pub scores: Option<ComparisonTable>,
    pub search: Option<SearchReport>,
}

/// A summary of a saved model, for lists.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub version: String,
    pub path: PathBuf,
    pub active: bool,
    /// `None` when model.json is unreadable; `problem` says why.
    pub meta: Option<ModelMeta>,
    pub problem: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct StackFile {
    thresholds: Vec<f64>,
    meta: Vec<MetaModel>,
}

/// What to record besides the ensemble itself.
#[derive(Debug, Clone, Default)]
pub struct SaveOptions {
    pub training: Option<TrainingRange>,
    pub hyperparameters: serde_json::Value,
    pub device: Option<String>,
    pub scores: Option<ComparisonTable>,
    pub search: Option<SearchReport>,
    /// Make it the active model.
    pub activate: bool,
}

fn parse_version_number(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('v')?;
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() || !rest[digits.len()..].starts_with('-') && digits.len() != rest.len() {
        return None;
    }
    digits.parse().ok()
}

fn version_dirs(dir: &Path) -> Result<Vec<(u32, String)>, RegistryError> {
    let rd = match std::fs::read_dir(dir) {
        Ok(r) => r,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(dir, e)),
    };
    let mut out = Vec::new();
    for e in rd.flatten() {
        if !e.path().is_dir() {
            continue;
        }
        if let Some(name) = e.file_name().to_str() {
            if let Some(n) = parse_version_number(name) {
                out.push((n, name.to_string()));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Saves a fitted ensemble as a new version; returns its folder name.
pub fn save(
    dir: &Path,
    ensemble: &StackedEnsemble,
    options: SaveOptions,
) -> Result<String, RegistryError> {
    if !ensemble.is_fitted() {
        return Err(RegistryError::NotFitted);
    }
    std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    let next = version_dirs(dir)?.last().map_or(1, |(n, _)| n + 1);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let stamp = crate::util::utc_stamp(now);
    let version = format!("v{next:04}-{stamp}");
    let final_dir = dir.join(&version);
    let tmp_dir = dir.join(format!(".tmp-{version}"));
    if tmp_dir.exists() {
        std::fs::remove_dir_all(&tmp_dir).map_err(|e| io_err(&tmp_dir, e))?;
    }
    let result = (|| {
        std::fs::create_dir_all(tmp_dir.join("members")).map_err(|e| io_err(&tmp_dir, e))?;
        let factories = ensemble.factories();
        let mut records = Vec::new();
        for (i, m) in ensemble.members().iter().enumerate() {
            let kind = m.kind();
            let rel = format!("members/{i:02}-{}", sanitize(&kind));
            let mdir = tmp_dir.join(&rel);
            std::fs::create_dir_all(&mdir).map_err(|e| io_err(&mdir, e))?;
            m.save(&mdir)?;
            records.push(MemberRecord {
                name: m.name(),
                kind,
                params: factories
                    .get(i)
                    .map_or(serde_json::Value::Null, |f| f.params.clone()),
                dir: rel,
            });
        }
        write_json(
            &tmp_dir.join(STACK_FILE),
            &StackFile {
                thresholds: ensemble.thresholds().to_vec(),
                meta: ensemble.meta().to_vec(),
            },
        )?;
        let meta = ModelMeta {
            format_version: FORMAT_VERSION,
            feature_list_version: FEATURE_LIST_VERSION,
            n_features: N_FEATURES,
            version: version.clone(),
            created_at_unix: now,
            created_at: stamp.clone(),
            thresholds: ensemble.thresholds().to_vec(),
            training: options.training.clone().unwrap_or(TrainingRange {
                start: 0,
                end: 0,
                n_rounds: 0,
                source: None,
            }),
            stack: ensemble.config,
            members: records,
            hyperparameters: options.hyperparameters.clone(),
            device: options.device.clone().unwrap_or_else(|| "cpu".into()),
            scores: options.scores.clone(),
            search: options.search.clone(),
        };
        write_json(&tmp_dir.join(MODEL_FILE), &meta)?;
        std::fs::rename(&tmp_dir, &final_dir).map_err(|e| io_err(&final_dir, e))
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp_dir);
        return Err(e);
    }
    if options.activate {
        set_active(dir, &version)?;
    }
    Ok(version)
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn check_version_name(version: &str) -> Result<(), RegistryError> {
    if parse_version_number(version).is_none()
        || version.contains(['/', '\\'])
        || version.contains("..")
    {
        return Err(RegistryError::BadVersion(version.to_string()));
    }
    Ok(())
}

/// Reads and checks `model.json` of a version.
pub fn read_meta(dir: &Path, version: &str) -> Result<ModelMeta, RegistryError> {
    check_version_name(version)?;
    let vdir = dir.join(version);
    if !vdir.is_dir() {
        return Err(RegistryError::Missing(vdir.display().to_string()));
    }
    let path = vdir.join(MODEL_FILE);
    // Check the versions before the full structure, so an old format reports its version.
    let raw: serde_json::Value = read_json(&path)?;
    let fv = raw.get("format_version").and_then(|v| v.as_u64());
    match fv {
        Some(v) if v == FORMAT_VERSION as u64 => {}
        Some(v) => {
            return Err(RegistryError::FormatVersion {
                found: v.min(u32::MAX as u64) as u32,
                expected: FORMAT_VERSION,
            })
        }
        None => {
            return Err(RegistryError::Corrupt {
                path: path.display().to_string(),
                reason: "no format_version".into(),
            })
        }
    }
    let meta: ModelMeta = serde_json::from_value(raw).map_err(|e| RegistryError::Corrupt {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    if meta.feature_list_version != FEATURE_LIST_VERSION || meta.n_features != N_FEATURES {
        return Err(RegistryError::FeatureVersion {
            found: meta.feature_list_version,
            found_n: meta.n_features,
            expected: FEATURE_LIST_VERSION,
            expected_n: N_FEATURES,
        });
    }
    if meta.version != version {
        return Err(RegistryError::Mismatch(format!(
            "model.json names version {} but lives in {version}",
            meta.version
        )));
    }
    if meta.thresholds.is_empty()
        || meta.thresholds.iter().any(|t| !t.is_finite() || *t < 1.0)
        || meta.thresholds.windows(2).any(|w| w[0] >= w[1])
    {
        return Err(RegistryError::Mismatch(
            "thresholds must be finite, ≥ 1 and increasing".into(),
        ));
    }
    if meta.members.is_empty() {
        return Err(RegistryError::Mismatch("no members".into()));
    }
    Ok(meta)
}

/// A loaded model.
pub struct LoadedModel {
    pub meta: ModelMeta,
    pub ensemble: StackedEnsemble,
}

/// Loads and checks a version; members are read by `loaders` (kind → loader).
pub fn load(
    dir: &Path,
    version: &str,
    loaders: &MemberLoaders,
) -> Result<LoadedModel, RegistryError> {
    let meta = read_meta(dir, version)?;
    let vdir = dir.join(version);
    let stack: StackFile = read_json(&vdir.join(STACK_FILE))?;
    if stack.thresholds != meta.thresholds {
        return Err(RegistryError::Mismatch(
            "stack.json thresholds differ from model.json".into(),
        ));
    }
    for (m, t) in stack.meta.iter().zip(&meta.thresholds) {
        if m.threshold != *t {
            return Err(RegistryError::Mismatch(
                "meta-learner thresholds differ from model.json".into(),
            ));
        }
    }
    let mut members = Vec::with_capacity(meta.members.len());
    for rec in &meta.members {
        if rec.dir.contains("..") || Path::new(&rec.dir).is_absolute() {
            return Err(RegistryError::Mismatch(format!(
                "member folder {:?} is outside the model",
                rec.dir
            )));
        }
        let mdir = vdir.join(&rec.dir);
        if !mdir.is_dir() {
            return Err(RegistryError::Missing(mdir.display().to_string()));
        }
        members.push(loaders.load(&rec.kind, &mdir)?);
    }
    let ensemble = StackedEnsemble::from_parts(
        meta.stack,
        Vec::new(),
        members,
        stack.meta,
        stack.thresholds,
    )
    .map_err(|e| RegistryError::Mismatch(e.to_string()))?;
    Ok(LoadedModel { meta, ensemble })
}

/// Every version folder, oldest first, with its metadata or why it is unreadable.
pub fn list(dir: &Path) -> Result<Vec<ModelInfo>, RegistryError> {
    let active = active(dir).ok().flatten();
    Ok(version_dirs(dir)?
        .into_iter()
        .map(|(_, name)| {
            let (meta, problem) = match read_meta(dir, &name) {
                Ok(m) => (Some(m), None),
                Err(e) => (None, Some(e.to_string())),
            };
            ModelInfo {
                active: active.as_deref() == Some(name.as_str()),
                path: dir.join(&name),
                version: name,
                meta,
                problem,
            }
        })
        .collect())
}

/// The newest version whose model.json passes the checks.
pub fn latest(dir: &Path) -> Result<String, RegistryError> {
    list(dir)?
        .into_iter()
        .rev()
        .find(|i| i.meta.is_some())
        .map(|i| i.version)
        .ok_or_else(|| RegistryError::NoModels(dir.display().to_string()))
}

/// The active version, if the pointer file exists.
pub fn active(dir: &Path) -> Result<Option<String>, RegistryError> {
    let p = dir.join(ACTIVE_FILE);
    match std::fs::read_to_string(&p) {
        Ok(s) => {
            let v = s.trim().to_string();
            check_version_name(&v)?;
            Ok(Some(v))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(&p, e)),
    }
}

/// Points ACTIVE at `version` (which must load its metadata cleanly).
pub fn set_active(dir: &Path, version: &str) -> Result<(), RegistryError> {
    read_meta(dir, version)?;
    let p = dir.join(ACTIVE_FILE);
    let tmp = dir.join(format!("{ACTIVE_FILE}.tmp"));
    std::fs::write(&tmp, format!("{version}\n")).map_err(|e| io_err(&tmp, e))?;
    std::fs::rename(&tmp, &p).map_err(|e| io_err(&p, e))
}

/// Loads the active model, or the latest one when no pointer exists.
pub fn load_active(dir: &Path, loaders: &MemberLoaders) -> Result<LoadedModel, RegistryError> {
    let v = match active(dir)? {
        Some(v) => v,
        None => latest(dir)?,
    };
    load(dir, &v, loaders)
}
