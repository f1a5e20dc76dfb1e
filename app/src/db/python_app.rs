//! Import from the Python JetX Predictor's SQLite file.

use super::DbError;
use models::import::{ImportReport, ImportRow};
use models::values::parse_multiplier;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::Row;
use std::path::Path;
use std::str::FromStr;

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
    let mut report = ImportReport {
        value_column: Some("value".into()),
        ..ImportReport::default()
    };
    for (i, r) in rows.iter().enumerate() {
        let id: Option<String> = r.try_get("id").ok().flatten();
        let raw: Option<String> = r.try_get("value").ok().flatten();
        let raw = raw.unwrap_or_default();
        report.push(ImportRow {
            row: i + 1,
            line: 0,
            id,
            value: parse_multiplier(&raw, rules).map_err(|e| e.problem),
            raw,
        });
    }
    Ok(report)
}

// ---------------------------------------------------------------------------------------
// Predictions and live scoring
