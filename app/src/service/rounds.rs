//! The rounds: record (typed, pasted, sent in a batch), edit, delete, undo, list, export,
//! and the statistics of the stored history. Every entry point (dashboard, rounds page,
//! REST, CLI) parses with the one value parser and stores through here; a bad value
//! stores nothing.

use crate::db::{self, DbError};
use crate::state::ServerState;
use crate::types::{Dashboard, DemoInfo, RoundRow, RoundsPage, Source};
use models::values::{BatchError, ValueError};
use serde::{Deserialize, Serialize};

/// Why a round (or a pasted batch) was not stored.
#[derive(Debug, thiserror::Error)]
pub enum RoundsError {
    #[error(transparent)]
    Value(#[from] ValueError),
    #[error(transparent)]
    Batch(#[from] BatchError),
    /// A pasted text with a bad token (its message names the token and its position).
    #[error("{0}")]
    BadToken(String),
    #[error("the text holds no valid values")]
    NothingValid,
    /// A batch with invalid values: each is named in the details; nothing was stored.
    #[error("{}", invalid_message(.invalid, *.total))]
    InvalidValues {
        invalid: Vec<InvalidValue>,
        total: usize,
    },
    #[error("no values were sent")]
    NoValues,
    #[error("{count} values; the limit is {limit} per request")]
    TooManyValues { count: usize, limit: usize },
    #[error(transparent)]
    Page(#[from] PageError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl RoundsError {
    /// The HTTP status of each variant.
    pub fn status_code(&self) -> u16 {
        use crate::errors::HttpStatus;
        match self {
            RoundsError::Value(e) => e.status_code(),
            RoundsError::Batch(e) => e.status_code(),
            RoundsError::BadToken(_) | RoundsError::NothingValid => 422,
            RoundsError::InvalidValues { .. } => 422,
            RoundsError::NoValues => 400,
            RoundsError::TooManyValues { .. } => 413,
            RoundsError::Page(e) => e.status_code(),
            RoundsError::Db(e) => e.status_code(),
        }
    }

    /// A stable machine-readable code of each variant.
    pub fn code(&self) -> &'static str {
        use crate::errors::HttpStatus;
        match self {
            RoundsError::Value(e) => e.code(),
            RoundsError::Batch(e) => e.code(),
            RoundsError::BadToken(_) => "invalid_value",
            RoundsError::NothingValid => "no_valid_values",
            RoundsError::InvalidValues { .. } => "invalid_value",
            RoundsError::NoValues => "no_values",
            RoundsError::TooManyValues { .. } => "too_many_values",
            RoundsError::Page(e) => e.code(),
            RoundsError::Db(e) => e.code(),
        }
    }

    fn details(&self) -> serde_json::Value {
        use crate::errors::HttpStatus;
        match self {
            RoundsError::InvalidValues { invalid, .. } => serde_json::json!({ "invalid": invalid }),
            RoundsError::Value(e) => e.details(),
            _ => serde_json::Value::Null,
        }
    }
}

impl crate::errors::HttpStatus for RoundsError {
    fn status_code(&self) -> u16 {
        RoundsError::status_code(self)
    }
    fn code(&self) -> &'static str {
        RoundsError::code(self)
    }
    fn details(&self) -> serde_json::Value {
        RoundsError::details(self)
    }
}

fn invalid_message(invalid: &[InvalidValue], total: usize) -> String {
    let first = invalid
        .first()
        .map(|v| format!(" (first: \"{}\": {})", v.token, v.reason))
        .unwrap_or_default();
    format!(
        "{} of {total} values are invalid{first}; nothing was stored",
        invalid.len()
    )
}

/// One invalid value of a batch: its position, the text and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvalidValue {
    pub index: usize,
    pub token: String,
    pub reason: String,
}

/// Stores one typed value; returns the stored row.
pub async fn add_one(state: &ServerState, text: &str) -> Result<RoundRow, RoundsError> {
    let value = models::values::parse_multiplier(text, &state.rules)?;
    let ids = db::insert_values(&state.pool, &[value], Source::Entry).await?;
    // One value in, one id out; anything else is the database failing (500).
    let id = ids
        .first()
        .copied()
        .ok_or(RoundsError::Db(DbError::Sqlx(sqlx::Error::RowNotFound)))?;
    positioned(state, db::get_round(&state.pool, id).await?).await
}

/// The round with its position in the history, from the history snapshot. A deleted
/// round gets the position it had.
async fn positioned(state: &ServerState, mut row: RoundRow) -> Result<RoundRow, RoundsError> {
    row.position = state.history().await?.position(row.id);
    Ok(row)
}

/// Stores a pasted text in order. With a bad token it stores nothing unless
/// `skip_invalid` is set; returns how many rounds were stored.
pub async fn add_pasted(
    state: &ServerState,
    text: &str,
    skip_invalid: bool,
) -> Result<usize, RoundsError> {
    let parse = models::values::parse_paste(text, &state.rules)?;
    let values = if skip_invalid {
        parse.valid_values()
    } else {
        parse.all_or_first_error().map_err(RoundsError::BadToken)?
    };
    if values.is_empty() {
        return Err(RoundsError::NothingValid);
    }
    db::insert_values(&state.pool, &values, Source::Paste).await?;
    Ok(values.len())
}

/// Stores values sent as text (REST, CLI), in order, all or none: any invalid value is
/// named with its position and nothing is stored.
pub async fn add_batch(
    state: &ServerState,
    texts: &[String],
    source: Source,
) -> Result<Vec<i64>, RoundsError> {
    if texts.is_empty() {
        return Err(RoundsError::NoValues);
    }
    let limit = state.rules.max_values_per_batch;
    if texts.len() > limit {
        return Err(RoundsError::TooManyValues {
            count: texts.len(),
            limit,
        });
    }
    let mut values = Vec::with_capacity(texts.len());
    let mut invalid = Vec::new();
    for (index, text) in texts.iter().enumerate() {
        match models::values::parse_multiplier(text, &state.rules) {
            Ok(v) => values.push(v),
            Err(e) => invalid.push(InvalidValue {
                index,
                token: e.token.clone(),
                reason: e.problem.to_string(),
            }),
        }
    }
    if !invalid.is_empty() {
        return Err(RoundsError::InvalidValues {
            invalid,
            total: texts.len(),
        });
    }
    Ok(db::insert_values(&state.pool, &values, source).await?)
}

pub async fn get(state: &ServerState, id: i64) -> Result<RoundRow, RoundsError> {
    positioned(state, db::get_round(&state.pool, id).await?).await
}

pub async fn delete(state: &ServerState, id: i64) -> Result<RoundRow, RoundsError> {
    positioned(state, db::delete_round(&state.pool, id).await?).await
}

/// Removes the newest round, if any.
pub async fn undo(state: &ServerState) -> Result<Option<RoundRow>, RoundsError> {
    match db::undo_last(&state.pool).await? {
        Some(row) => Ok(Some(positioned(state, row).await?)),
        None => Ok(None),
    }
}

/// Every stored value, oldest first.
pub async fn values(state: &ServerState) -> Result<Vec<models::values::Multiplier>, RoundsError> {
    Ok(state.history().await?.values.as_ref().clone())
}

pub async fn count(state: &ServerState) -> Result<i64, RoundsError> {
    Ok(db::count(&state.pool).await?)
}

/// Every stored round as CSV (`id,value,synthetic,created_at`).
pub async fn export_csv(state: &ServerState) -> Result<String, RoundsError> {
    let rounds = db::all_rounds(&state.pool).await?;
    Ok(models::import::write_csv(rounds.iter().map(|r| {
        (r.id, r.value, r.synthetic, r.created_at.as_str())
    })))
}

/// The statistics of the stored history (`GET /api/v1/stats`, `jetx stats`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Stats {
    pub summary: models::summary::Summary,
    pub categories: Vec<models::summary::CategoryShare>,
    pub demo: Option<DemoInfo>,
}

pub async fn stats(state: &ServerState) -> Result<Stats, RoundsError> {
    let snap = state.history().await?;
    Ok(Stats {
        summary: models::summary::Summary::of_tally(&snap.tally, &snap.values, state.house_edge),
        categories: models::summary::category_shares_of(&snap.tally, state.house_edge),
        demo: db::demo_info(&state.pool).await?,
    })
}

/// The dashboard's statistics and charts, with the last `last_n` rounds drawn.
pub async fn dashboard(state: &ServerState, last_n: usize) -> Result<Dashboard, RoundsError> {
    let last_n = last_n.clamp(1, 1_000_000);
    let snap = state.history().await?;
    let recent = page(state, 0, db::RECENT_ROUNDS).await?.rounds;
    let demo = db::demo_info(&state.pool).await?;
    Ok(db::build_dashboard(
        &snap.values,
        &snap.tally,
        recent,
        demo,
        last_n,
        state.settings(),
    ))
}

/// Replaces the demo history with `rounds` synthetic rounds of the fair law.
pub async fn load_demo(
    state: &ServerState,
    rounds: usize,
    seed: u64,
) -> Result<DemoInfo, RoundsError> {
    Ok(db::load_demo(&state.pool, rounds, seed, state.house_edge).await?)
}

/// Removes the demo rounds; returns how many.
pub async fn remove_demo(state: &ServerState) -> Result<u64, RoundsError> {
    Ok(db::remove_demo(&state.pool).await?)
}

/// Replaces a stored round's value.
pub async fn update(state: &ServerState, id: i64, text: &str) -> Result<RoundRow, RoundsError> {
    let value = models::values::parse_multiplier(text, &state.rules)?;
    positioned(state, db::update_value(&state.pool, id, value).await?).await
}

/// Most rounds one page lists.
pub const MAX_PAGE: i64 = 1000;

/// A page request outside the limits.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PageError {
    #[error("limit must be between 1 and {MAX_PAGE}")]
    Limit,
    #[error("offset must not be negative")]
    Offset,
}

impl PageError {
    pub fn status_code(&self) -> u16 {
        400
    }

    pub fn code(&self) -> &'static str {
        "bad_query"
    }
}

crate::http_status_by_method!(PageError);

/// The one check of a page request, for the rounds page and `GET /api/v1/rounds`.
pub fn check_page(offset: i64, limit: i64) -> Result<(i64, i64), PageError> {
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(PageError::Limit);
    }
    if offset < 0 {
        return Err(PageError::Offset);
    }
    Ok((offset, limit))
}

/// One page of the stored rounds, newest first, `offset` rounds from the newest.
pub async fn page(state: &ServerState, offset: i64, limit: i64) -> Result<RoundsPage, RoundsError> {
    let (offset, limit) = check_page(offset, limit)?;
    let snap = state.history().await?;
    let newest = usize::try_from(offset)
        .ok()
        .and_then(|o| snap.id_from_newest(o));
    page_from(state, &snap, newest, limit, Some(offset)).await
}

/// The page of rounds older than round `before` (`?before=ID`; the page's `next_before`
/// continues it).
pub async fn page_before(
    state: &ServerState,
    before: i64,
    limit: i64,
) -> Result<RoundsPage, RoundsError> {
    let (_, limit) = check_page(0, limit)?;
    let snap = state.history().await?;
    let older = snap.ids.partition_point(|&id| id < before);
    let newest = older.checked_sub(1).and_then(|k| snap.ids.get(k).copied());
    page_from(state, &snap, newest, limit, None).await
}

async fn page_from(
    state: &ServerState,
    snap: &db::HistorySnapshot,
    newest: Option<i64>,
    limit: i64,
    offset: Option<i64>,
) -> Result<RoundsPage, RoundsError> {
    let total = snap.ids.len() as i64;
    let mut rounds = match newest {
        Some(id) => db::rounds_down_from(&state.pool, id, limit).await?,
        None => Vec::new(),
    };
    for r in &mut rounds {
        r.position = snap.position(r.id);
    }
    let offset = offset.unwrap_or_else(|| rounds.first().map_or(total, |r| total - r.position));
    let next_before = rounds.last().filter(|r| r.position > 1).map(|r| r.id);
    Ok(RoundsPage {
        total,
        offset,
        limit,
        rounds,
        next_before,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_request_is_checked_at_its_bounds() {
        assert_eq!(check_page(0, 1), Ok((0, 1)));
        assert_eq!(check_page(7, MAX_PAGE), Ok((7, MAX_PAGE)));
        assert_eq!(check_page(0, 0), Err(PageError::Limit));
        assert_eq!(check_page(0, MAX_PAGE + 1), Err(PageError::Limit));
        assert_eq!(check_page(0, -5), Err(PageError::Limit));
        assert_eq!(check_page(-1, 10), Err(PageError::Offset));
        assert_eq!(PageError::Limit.status_code(), 400);
    }

    #[test]
    fn each_refusal_has_a_client_status_and_a_failed_database_a_server_status() {
        let bad = models::values::parse_multiplier("abc", &Default::default()).unwrap_err();
        assert_eq!(RoundsError::Value(bad).status_code(), 422);
        assert_eq!(RoundsError::NothingValid.status_code(), 422);
        assert_eq!(
            RoundsError::Batch(BatchError::TooManyValues { count: 9, limit: 1 }).status_code(),
            413
        );
        assert_eq!(RoundsError::Db(DbError::NotFound(3)).status_code(), 404);
        assert_eq!(
            RoundsError::Db(DbError::Refused("demo".into())).status_code(),
            422
        );
        assert_eq!(
            RoundsError::Db(DbError::Sqlx(sqlx::Error::PoolClosed)).status_code(),
            500
        );
    }
}
