//! The bet ledger for `POST/GET /api/v1/bets`: record a real bet on a stored round, list
//! the bets with the net position of the session, day, week and month next to what the
//! fair law expects, export them as CSV.

use crate::db::{self, BetStoreError, DbError};
use crate::state::ServerState;
use crate::views::{BetRequest, BetRow, BetsView};
use models::bets::BetError;

/// Why a bet was not recorded or the ledger not read.
#[derive(Debug, thiserror::Error)]
pub enum BetsError {
    /// A stake or cash-out that is not one, or a request naming no exit or two.
    #[error("{0}")]
    Invalid(String),
    /// A bet that contradicts its round (cashed out above the crash), a round that has
    /// both its bets, or no round yet.
    #[error("{0}")]
    Refused(String),
    #[error("no round with id {0}")]
    RoundNotFound(i64),
    #[error("no bet with id {0}")]
    BetNotFound(i64),
    #[error(transparent)]
    Db(DbError),
}

impl BetsError {
    pub fn status_code(&self) -> u16 {
        match self {
            BetsError::Invalid(_) => 400,
            BetsError::Refused(_) => 422,
            BetsError::RoundNotFound(_) | BetsError::BetNotFound(_) => 404,
            BetsError::Db(e) => e.status_code(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            BetsError::Invalid(_) => "bad_bet",
            BetsError::Refused(_) => "refused",
            BetsError::RoundNotFound(_) | BetsError::BetNotFound(_) => "not_found",
            BetsError::Db(e) => e.code(),
        }
    }
}

crate::http_status_by_method!(BetsError);

impl From<BetStoreError> for BetsError {
    fn from(e: BetStoreError) -> Self {
        match e {
            BetStoreError::Bet(e @ (BetError::Stake(_) | BetError::Cashout(_))) => {
                BetsError::Invalid(e.to_string())
            }
            e @ (BetStoreError::Bet(BetError::AboveCrash { .. })
            | BetStoreError::NoRound
            | BetStoreError::Full(_)) => BetsError::Refused(e.to_string()),
            BetStoreError::Db(DbError::NotFound(id)) => BetsError::RoundNotFound(id),
            BetStoreError::Db(e) => BetsError::Db(e),
        }
    }
}

impl From<DbError> for BetsError {
    fn from(e: DbError) -> Self {
        BetsError::Db(e)
    }
}

pub async fn record(state: &ServerState, request: &BetRequest) -> Result<BetRow, BetsError> {
    let exit = request.exit().map_err(BetsError::Invalid)?;
    Ok(db::insert_bet(
        &state.pool,
        request.round_id,
        request.stake,
        exit,
        state.house_edge,
    )
    .await?)
}

/// The bets at `now` (Unix seconds) on a clock `offset_minutes` east of UTC.
pub async fn view(
    state: &ServerState,
    now: i64,
    offset_minutes: i64,
) -> Result<BetsView, BetsError> {
    super::limits::check_offset(offset_minutes).map_err(|e| BetsError::Invalid(e.to_string()))?;
    let (bets, inconsistent) = db::list_bets(&state.pool, state.house_edge).await?;
    let activity = super::limits::activity(state, now).await?;
    let timed: Vec<_> = bets.iter().map(BetRow::timed).collect();
    let summary = models::bets::summarize(&timed, &activity, now, offset_minutes * 60);
    let limits = super::limits::view_with(state, &bets, &activity, now).await?;
    Ok(BetsView {
        house_edge: state.house_edge,
        bets,
        summary,
        inconsistent,
        limits,
    })
}

pub async fn export_csv(state: &ServerState) -> Result<String, BetsError> {
    let (bets, _) = db::list_bets(&state.pool, state.house_edge).await?;
    let timed: Vec<_> = bets.iter().map(BetRow::timed).collect();
    Ok(models::bets::to_csv(&timed))
}

pub async fn delete(state: &ServerState, id: i64) -> Result<(), BetsError> {
    if db::delete_bet(&state.pool, id).await? {
        Ok(())
    } else {
        Err(BetsError::BetNotFound(id))
    }
}
