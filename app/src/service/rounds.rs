//! Recording rounds from the dashboard and the rounds page: parse with the one value
//! parser, then store; a bad value stores nothing.

use crate::db::{self, DbError};
use crate::state::ServerState;
use crate::types::{RoundRow, Source};
use models::values::{BatchError, ValueError};

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
            RoundsError::Page(e) => e.status_code(),
            RoundsError::Db(e) => e.status_code(),
        }
    }
}

crate::http_status_by_method!(RoundsError);

/// Stores one typed value; returns the stored row.
pub async fn add_one(state: &ServerState, text: &str) -> Result<RoundRow, RoundsError> {
    let value = models::values::parse_multiplier(text, &state.rules)?;
    let ids = db::insert_values(&state.pool, &[value], Source::Entry).await?;
    // One value in, one id out; anything else is the database failing (500).
    let id = ids
        .first()
        .copied()
        .ok_or(RoundsError::Db(DbError::Sqlx(sqlx::Error::RowNotFound)))?;
    Ok(db::get_round(&state.pool, id).await?)
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

/// Replaces a stored round's value.
pub async fn update(state: &ServerState, id: i64, text: &str) -> Result<RoundRow, RoundsError> {
    let value = models::values::parse_multiplier(text, &state.rules)?;
    Ok(db::update_value(&state.pool, id, value).await?)
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

/// One page of the stored rounds, newest first.
pub async fn page(
    state: &ServerState,
    offset: i64,
    limit: i64,
) -> Result<crate::types::RoundsPage, RoundsError> {
    let (offset, limit) = check_page(offset, limit)?;
    Ok(db::list_page(&state.pool, offset, limit).await?)
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
