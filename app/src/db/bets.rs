//! The `bets` table: a bet is stored against one round and settled from its crash on
//! every read, so an edited round re-settles it.

use super::DbError;
use super::Pool;
pub use crate::views::BetRow;
use models::bets::{settle, BetError, Exit};
use models::values::Multiplier;
use sqlx::Row;

/// At most this many bets per round: JetX has two bet panels.
pub const BETS_PER_ROUND: i64 = 2;

/// Why a bet was not stored.
#[derive(Debug, thiserror::Error)]
pub enum BetStoreError {
    #[error(transparent)]
    Bet(#[from] BetError),
    #[error("there is no stored round to put the bet on: record the round first")]
    NoRound,
    #[error("round {0} already has {BETS_PER_ROUND} bets (JetX has two bet panels)")]
    Full(i64),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<sqlx::Error> for BetStoreError {
    fn from(e: sqlx::Error) -> Self {
        BetStoreError::Db(DbError::Sqlx(e))
    }
}

fn exit_columns(exit: Exit) -> (&'static str, Option<f64>) {
    match exit {
        Exit::Target(c) => ("target", Some(c)),
        Exit::CashedOut(c) => ("cashed_out", Some(c)),
        Exit::Lost => ("lost", None),
    }
}

fn exit_of(kind: &str, at: Option<f64>) -> Exit {
    match (kind, at) {
        ("target", Some(c)) => Exit::Target(c),
        ("cashed_out", Some(c)) => Exit::CashedOut(c),
        _ => Exit::Lost,
    }
}

fn row_to_bet(row: &sqlx::any::AnyRow, house_edge: f64) -> Result<Option<BetRow>, sqlx::Error> {
    let hundredths: i64 = row.try_get("hundredths")?;
    let crash = Multiplier(u32::try_from(hundredths).unwrap_or(u32::MAX));
    let kind: String = row.try_get("exit_kind")?;
    let exit = exit_of(&kind, row.try_get("exit_at")?);
    // A round edited below a manual cash-out no longer settles it: the bet is left out
    // of the sums (and listed by `inconsistent`) rather than counted wrong.
    let Ok(settled) = settle(row.try_get("stake")?, exit, crash, house_edge) else {
        return Ok(None);
    };
    Ok(Some(BetRow {
        id: row.try_get("id")?,
        round_id: row.try_get("round_id")?,
        placed_at: row.try_get("placed_at")?,
        settled,
    }))
}

const LIST_BETS: &str =
    "SELECT b.id, b.round_id, b.stake, b.exit_kind, b.exit_at, b.placed_at, r.hundredths \
     FROM bets b JOIN rounds r ON r.id = b.round_id ORDER BY b.id";

/// Stores a bet on `round_id` (the newest round when `None`), checked against its crash.
pub async fn insert_bet(
    pool: &Pool,
    round_id: Option<i64>,
    stake: f64,
    exit: Exit,
    house_edge: f64,
) -> Result<BetRow, BetStoreError> {
    models::bets::check_bet(stake, exit)?;
    let mut tx = super::begin_write(pool).await?;
    let round: Option<(i64, i64)> = match round_id {
        Some(id) => {
            sqlx::query_as("SELECT id, hundredths FROM rounds WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
        }
        None => {
            sqlx::query_as("SELECT id, hundredths FROM rounds ORDER BY id DESC LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?
        }
    };
    let (round_id, hundredths) = match (round, round_id) {
        (Some(r), _) => r,
        (None, Some(id)) => return Err(BetStoreError::Db(DbError::NotFound(id))),
        (None, None) => return Err(BetStoreError::NoRound),
    };
    let crash = Multiplier(u32::try_from(hundredths).unwrap_or(u32::MAX));
    let settled = settle(stake, exit, crash, house_edge)?;
    let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bets WHERE round_id = $1")
        .bind(round_id)
        .fetch_one(&mut *tx)
        .await?;
    if taken >= BETS_PER_ROUND {
        return Err(BetStoreError::Full(round_id));
    }
    let (kind, at) = exit_columns(exit);
    let (id, placed_at): (i64, i64) = sqlx::query_as(
        "INSERT INTO bets (round_id, stake, exit_kind, exit_at) VALUES ($1, $2, $3, $4) \
         RETURNING id, placed_at",
    )
    .bind(round_id)
    .bind(stake)
    .bind(kind)
    .bind(super::NullableF64(at))
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    metrics::counter!("jetx_bets_recorded_total").increment(1);
    Ok(BetRow {
        id,
        round_id,
        placed_at,
        settled,
    })
}

/// Every stored bet, oldest first, settled; and how many no longer settle (their round
/// was edited below a manual cash-out).
pub async fn list_bets(pool: &Pool, house_edge: f64) -> Result<(Vec<BetRow>, usize), DbError> {
    let rows = sqlx::query(LIST_BETS).fetch_all(pool).await?;
    let mut bets = Vec::with_capacity(rows.len());
    let mut inconsistent = 0;
    for row in &rows {
        match row_to_bet(row, house_edge)? {
            Some(b) => bets.push(b),
            None => inconsistent += 1,
        }
    }
    Ok((bets, inconsistent))
}

/// Deletes bet `id`; false when there is none.
pub async fn delete_bet(pool: &Pool, id: i64) -> Result<bool, DbError> {
    let done = sqlx::query("DELETE FROM bets WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}
