//! Import of a history file, one path for the browser, the REST API and the CLI: detect
//! the format, read every row, report the faults, and store either nothing or the
//! readable rows in one transaction.

use crate::db::Pool;
use crate::db::{self, DbError};
use crate::types::{ImportFault, ImportOptions, ImportOutcome, OnDuplicate, OnFault, Source};
use models::import::{describe_fault, read_csv, read_text, ImportError, ImportReport};
use models::values::Multiplier;
use models::values::ValueRules;
use std::path::Path;

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    #[error(transparent)]
    Read(#[from] ImportError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("could not write a temporary file: {0}")]
    TempFile(std::io::Error),
    #[error("could not read {path}: {source}")]
    ReadFile {
        path: String,
        source: std::io::Error,
    },
    /// Faults were found and the caller asked to store nothing in that case.
    #[error("{} of {} rows cannot be read; nothing was stored (skip the faulty rows to store the rest)", .0.faults.len(), .0.rows)]
    Faults(Box<ImportOutcome>),
    /// Rounds of the file are already stored and the caller asked to store nothing then.
    #[error("{}; nothing was stored (skip them to store only the new rounds, or keep them to store all)", repeated_text(.0))]
    AlreadyStored(Box<ImportOutcome>),
}

/// "30 rounds of this file are already stored (…)": by id, or by the repeated run.
pub fn repeated_text(outcome: &ImportOutcome) -> String {
    match (outcome.repeated_ids, outcome.already_stored) {
        (n, _) if n > 0 => format!(
            "{n} rounds of this file are already stored (their ids in the file are stored rounds' ids)"
        ),
        (_, Some(run)) => format!(
            "{} rounds of this file are already stored (the file's rounds {} to {} are rounds {} to {} of the history)",
            run.len,
            run.file_start + 1,
            run.file_start + run.len,
            run.stored_start + 1,
            run.stored_start + run.len
        ),
        (_, None) => "no round of this file is stored yet".into(),
    }
}

impl ImportFailure {
    /// The HTTP status of each variant: a file over the limits is 413, an unreadable one
    /// 422, the server's own failures 5xx.
    pub fn status_code(&self) -> u16 {
        use models::values::BatchError;
        match self {
            ImportFailure::Read(ImportError::Batch(
                BatchError::TooManyBytes { .. } | BatchError::TooManyValues { .. },
            )) => 413,
            ImportFailure::Read(_) | ImportFailure::Faults(_) => 422,
            ImportFailure::AlreadyStored(_) => 409,
            ImportFailure::Db(e) => e.status_code(),
            ImportFailure::TempFile(_) | ImportFailure::ReadFile { .. } => 500,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ImportFailure::Read(_) => "unreadable_file",
            ImportFailure::Faults(_) => "unreadable_rows",
            ImportFailure::AlreadyStored(_) => "already_stored",
            ImportFailure::Db(e) => e.code(),
            ImportFailure::TempFile(_) | ImportFailure::ReadFile { .. } => "internal",
        }
    }
}

impl crate::errors::HttpStatus for ImportFailure {
    fn status_code(&self) -> u16 {
        ImportFailure::status_code(self)
    }
    fn code(&self) -> &'static str {
        ImportFailure::code(self)
    }
    /// The whole report of a refused import: every unreadable row with its reason.
    fn details(&self) -> serde_json::Value {
        match self {
            ImportFailure::Faults(outcome) | ImportFailure::AlreadyStored(outcome) => {
                serde_json::to_value(outcome).unwrap_or(serde_json::Value::Null)
            }
            _ => serde_json::Value::Null,
        }
    }
}

/// Imports a file sent by the browser or the REST API, with the request limits.
pub async fn import(
    state: &crate::state::ServerState,
    bytes: &[u8],
    file_name: &str,
    options: ImportOptions,
) -> Result<ImportOutcome, ImportFailure> {
    let history = state.history().await?;
    import_bytes(
        &state.pool,
        bytes,
        file_name,
        &state.rules,
        &history.values,
        options,
    )
    .await
}

/// Reads a file's bytes as CSV, plain text or the Python app's SQLite database.
pub async fn read_any(
    bytes: &[u8],
    file_name: &str,
    rules: &ValueRules,
) -> Result<(String, ImportReport), ImportFailure> {
    if bytes.len() > rules.max_input_bytes {
        return Err(
            ImportError::Batch(models::values::BatchError::TooManyBytes {
                bytes: bytes.len(),
                limit: rules.max_input_bytes,
            })
            .into(),
        );
    }
    if bytes.starts_with(SQLITE_MAGIC) {
        let report = read_sqlite_bytes(bytes, rules).await?;
        return Ok(("sqlite".into(), report));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| ImportError::NotText(e.to_string()))?;
    let lower = file_name.to_ascii_lowercase();
    let first_line = text.lines().next().unwrap_or_default();
    let is_text =
        lower.ends_with(".txt") || (!lower.ends_with(".csv") && !first_line.contains(','));
    if is_text {
        Ok(("text".into(), read_text(text, rules)?))
    } else {
        Ok(("csv".into(), read_csv(text, rules)?))
    }
}

async fn read_sqlite_bytes(
    bytes: &[u8],
    rules: &ValueRules,
) -> Result<ImportReport, ImportFailure> {
    // SQLite reads files, not buffers: park the upload in a private temporary file.
    let path = std::env::temp_dir().join(format!(
        "jetx-import-{}-{}.sqlite",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    ));
    tokio::fs::write(&path, bytes)
        .await
        .map_err(ImportFailure::TempFile)?;
    let result = db::read_python_app_db(&path, rules).await;
    let _ = tokio::fs::remove_file(&path).await;
    Ok(result?)
}

pub fn fault_list(report: &ImportReport) -> Vec<ImportFault> {
    report
        .faults()
        .map(|r| ImportFault {
            row: r.row,
            line: r.line,
            id: r.id.clone(),
            raw: r.raw.clone(),
            reason: r
                .value
                .as_ref()
                .err()
                .map(|p| p.to_string())
                .unwrap_or_default(),
            message: describe_fault(r),
        })
        .collect()
}

/// Reads and, unless `dry_run`, stores. With faults and `OnFault::Refuse`, stores nothing
/// and returns `ImportFailure::Faults` carrying the full report; rounds already in
/// `history` are kept, skipped or refused as `options.duplicates` says.
pub async fn import_bytes(
    pool: &Pool,
    bytes: &[u8],
    file_name: &str,
    rules: &ValueRules,
    history: &[Multiplier],
    options: ImportOptions,
) -> Result<ImportOutcome, ImportFailure> {
    let (format, mut report) = read_any(bytes, file_name, rules).await?;
    let split = if options.split {
        models::import::split_several_values(&mut report, rules)
    } else {
        0
    };
    let stored_ids = match report.source_ids() {
        Some(_) => db::stored_source_ids(pool).await?,
        None => Vec::new(),
    };
    let mut outcome = ImportOutcome {
        format,
        rows: report.row_count,
        valid: report.values.len(),
        faults: fault_list(&report),
        stored: 0,
        dry_run: options.dry_run,
        already_stored: None,
        skipped_duplicates: 0,
        splittable: models::import::splittable(&report, rules),
        split,
        place: options.place,
        source_ids: report.source_ids().is_some(),
        repeated_ids: 0,
    };
    let repeated = repeated_marks(&report, history, &stored_ids, &mut outcome);
    if options.dry_run {
        return Ok(outcome);
    }
    if !outcome.faults.is_empty() && options.on_fault == OnFault::Refuse {
        return Err(ImportFailure::Faults(Box::new(outcome)));
    }
    let mut values = report.values;
    let mut ids = report.ids;
    match (repeated, options.duplicates) {
        (Some(_), OnDuplicate::Refuse) => {
            return Err(ImportFailure::AlreadyStored(Box::new(outcome)))
        }
        (Some(marks), OnDuplicate::Skip) => {
            outcome.skipped_duplicates = marks.iter().filter(|&&m| m).count();
            values = keep_unmarked(values, &marks);
            if outcome.source_ids {
                ids = keep_unmarked(ids, &marks);
            }
            if values.is_empty() {
                // Nothing new: the player asked for exactly this.
                return Ok(outcome);
            }
        }
        _ => {}
    }
    if values.is_empty() {
        return Err(ImportError::Batch(models::values::BatchError::NoValues).into());
    }
    let ids = outcome.source_ids.then_some(ids.as_slice());
    db::insert_values_at(pool, &values, ids, Source::Import, options.place).await?;
    outcome.stored = values.len();
    Ok(outcome)
}

/// Which of the file's readable rounds are already stored (filling in the outcome's
/// `repeated_ids` or `already_stored`): by the file's ids when it has them and stored
/// rounds have ids too; when that finds none, or there are no ids, by the longest run of
/// values the file shares with the history. `None` when none is.
fn repeated_marks(
    report: &ImportReport,
    history: &[Multiplier],
    stored_ids: &[String],
    outcome: &mut ImportOutcome,
) -> Option<Vec<bool>> {
    match report.source_ids() {
        Some(ids) if !stored_ids.is_empty() => {
            let stored: std::collections::HashSet<&str> =
                stored_ids.iter().map(String::as_str).collect();
            let marks: Vec<bool> = ids.iter().map(|id| stored.contains(id.as_str())).collect();
            outcome.repeated_ids = marks.iter().filter(|&&m| m).count();
            if outcome.repeated_ids > 0 {
                return Some(marks);
            }
            // No id is stored: the same rounds under other ids (another app's export)
            // still show as a repeated run of values.
            run_marks(report, history, outcome)
        }
        _ => run_marks(report, history, outcome),
    }
}

/// The longest run of the file's values the history holds already, as marks.
fn run_marks(
    report: &ImportReport,
    history: &[Multiplier],
    outcome: &mut ImportOutcome,
) -> Option<Vec<bool>> {
    outcome.already_stored = models::overlap::longest_shared_run(history, &report.values);
    outcome.already_stored.map(|run| {
        let mut marks = vec![false; report.values.len()];
        marks[run.file_start..run.file_start + run.len].fill(true);
        marks
    })
}

/// The items whose mark is false, in order.
fn keep_unmarked<T>(items: Vec<T>, marks: &[bool]) -> Vec<T> {
    items
        .into_iter()
        .zip(marks)
        .filter_map(|(item, &m)| (!m).then_some(item))
        .collect()
}

/// Reads a file from disk and returns its bytes and its name (for format detection).
async fn read_path(path: &Path) -> Result<(Vec<u8>, String), ImportFailure> {
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|source| ImportFailure::ReadFile {
            path: path.display().to_string(),
            source,
        })?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    Ok((bytes, name))
}

/// Reads a history file from disk (CSV, text or SQLite) without storing anything.
pub async fn read_file(
    path: &Path,
    rules: &ValueRules,
) -> Result<(String, ImportReport), ImportFailure> {
    let (bytes, name) = read_path(path).await?;
    read_any(&bytes, &name, rules).await
}

/// The rules for a file the player names on the command line: the batch and body limits
/// protect the server from what a request may carry, not a local file from its owner.
pub fn file_rules(rules: &ValueRules) -> ValueRules {
    ValueRules {
        max_values_per_batch: usize::MAX,
        max_input_bytes: usize::MAX,
        ..*rules
    }
}

/// Reads a file from disk and imports it (the CLI's `import FILE`), in one transaction
/// however long it is.
pub async fn import_file(
    state: &crate::state::ServerState,
    path: &Path,
    options: ImportOptions,
) -> Result<ImportOutcome, ImportFailure> {
    let (bytes, name) = read_path(path).await?;
    let rules = file_rules(&state.rules);
    let history = state.history().await?;
    import_bytes(&state.pool, &bytes, &name, &rules, &history.values, options).await
}
