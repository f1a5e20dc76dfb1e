//! The bet ledger for `POST/GET /api/v1/bets`: record a real bet on a stored round, list
//! the bets with the net position of the session, day, week and month next to what the
//! fair law expects, export them as CSV.

use crate::db::{self, BetStoreError, DbError};
use crate::state::ServerState;
use crate::views::{BetRequest, BetRow, LedgerView};
use models::ledger::BetError;

/// Why a bet was not recorded or the ledger not read.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
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

impl LedgerError {
    pub fn status_code(&self) -> u16 {
        match self {
            LedgerError::Invalid(_) => 400,
            LedgerError::Refused(_) => 422,
            LedgerError::RoundNotFound(_) | LedgerError::BetNotFound(_) => 404,
            LedgerError::Db(e) => e.status_code(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            LedgerError::Invalid(_) => "bad_bet",
            LedgerError::Refused(_) => "refused",
            LedgerError::RoundNotFound(_) | LedgerError::BetNotFound(_) => "not_found",
            LedgerError::Db(_) => "database",
        }
    }
}

crate::http_status_by_method!(LedgerError);

impl From<BetStoreError> for LedgerError {
    fn from(e: BetStoreError) -> Self {
        match e {
            BetStoreError::Bet(e @ (BetError::Stake(_) | BetError::Cashout(_))) => {
                LedgerError::Invalid(e.to_string())
            }
            e @ (BetStoreError::Bet(BetError::AboveCrash { .. })
            | BetStoreError::NoRound
            | BetStoreError::Full(_)) => LedgerError::Refused(e.to_string()),
            BetStoreError::Db(DbError::NotFound(id)) => LedgerError::RoundNotFound(id),
            BetStoreError::Db(e) => LedgerError::Db(e),
        }
    }
}

impl From<DbError> for LedgerError {
    fn from(e: DbError) -> Self {
        LedgerError::Db(e)
    }
}

pub async fn record(state: &ServerState, request: &BetRequest) -> Result<BetRow, LedgerError> {
    let exit = request.exit().map_err(LedgerError::Invalid)?;
    Ok(db::insert_bet(
        &state.pool,
        request.round_id,
        request.stake,
        exit,
        state.house_edge,
    )
    .await?)
}

/// The ledger at `now` (Unix seconds) on a clock `offset_minutes` east of UTC.
pub async fn ledger(
    state: &ServerState,
    now: i64,
    offset_minutes: i64,
) -> Result<LedgerView, LedgerError> {
    super::play::check_offset(offset_minutes).map_err(LedgerError::Invalid)?;
    let (bets, inconsistent) = db::list_bets(&state.pool, state.house_edge).await?;
    let activity = super::play::activity(state, now).await?;
    let timed: Vec<_> = bets.iter().map(BetRow::timed).collect();
    let summary = models::ledger::summarize(&timed, &activity, now, offset_minutes * 60);
    let play = super::play::view_with(state, &bets, &activity, now).await?;
    Ok(LedgerView {
        house_edge: state.house_edge,
        bets,
        summary,
        inconsistent,
        play,
    })
}

pub async fn export_csv(state: &ServerState) -> Result<String, LedgerError> {
    let (bets, _) = db::list_bets(&state.pool, state.house_edge).await?;
    let timed: Vec<_> = bets.iter().map(BetRow::timed).collect();
    Ok(models::ledger::to_csv(&timed))
}

pub async fn delete(state: &ServerState, id: i64) -> Result<(), LedgerError> {
    if db::delete_bet(&state.pool, id).await? {
        Ok(())
    } else {
        Err(LedgerError::BetNotFound(id))
    }
}
