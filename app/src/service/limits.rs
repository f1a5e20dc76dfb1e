//! Responsible play for `GET/PUT /api/v1/limits`, the reality check and the cool-off, and
//! the gate the next round's estimate passes: a limit reached or a cool-off in force
//! withholds PLAY (recording rounds and bets always goes on).

use crate::db::{self, DbError, LimitSettings};
use crate::state::ServerState;
use crate::views::{BetRow, LimitRequest, LimitsView, RealityAnswer};
use models::bets::{Position, TimedBet};
use models::limits::{self, Limit, LimitError, PlayGate};

/// Why a setting was not changed or the limits not read.
#[derive(Debug, thiserror::Error)]
pub enum LimitsError {
    #[error(transparent)]
    Invalid(#[from] LimitError),
    #[error("{0}")]
    Offset(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl LimitsError {
    pub fn status_code(&self) -> u16 {
        match self {
            LimitsError::Invalid(_) | LimitsError::Offset(_) => 400,
            LimitsError::Db(e) => e.status_code(),
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            LimitsError::Invalid(_) | LimitsError::Offset(_) => "bad_setting",
            LimitsError::Db(e) => e.code(),
        }
    }
}

crate::http_status_by_method!(LimitsError);

/// Largest clock offset accepted (UTC−14 … UTC+14), in minutes.
pub const MAX_OFFSET_MINUTES: i64 = 14 * 60;

pub fn check_offset(offset_minutes: i64) -> Result<(), LimitsError> {
    if offset_minutes.abs() > MAX_OFFSET_MINUTES {
        Err(LimitsError::Offset(format!(
            "offset_minutes must be within ±{MAX_OFFSET_MINUTES} (got {offset_minutes})"
        )))
    } else {
        Ok(())
    }
}

/// How far back activity matters: the longest window, and the session that may straddle
/// its start.
const ACTIVITY_LOOKBACK_S: i64 = 31 * 86_400;

/// Rounds recorded live since the lookback, oldest first.
pub async fn activity(state: &ServerState, now: i64) -> Result<Vec<i64>, DbError> {
    db::activity_since(&state.pool, now - ACTIVITY_LOOKBACK_S).await
}

/// The play view of `bets` and `activity` (rounds recorded live) with the stored
/// settings, at `now`.
pub fn view_of(
    bets: &[TimedBet],
    activity: &[i64],
    limits: &[Limit],
    settings: LimitSettings,
    reality_check_min_s: i64,
    now: i64,
) -> LimitsView {
    let times = models::bets::activity_with_bets(bets, activity);
    let statuses = limits::statuses(limits, bets, &times, now);
    let gate = limits::gate(&statuses, settings.cool_off_until, now);
    let session = models::sessions::current_session(&times, now);
    let session_bets = session.map_or(Position::default(), |(start, _)| {
        Position::of(
            bets.iter()
                .filter(|b| b.at >= start && b.at <= now)
                .map(|b| &b.bet),
        )
    });
    LimitsView {
        limits: statuses,
        gate,
        reality_check_s: settings.reality_check_s,
        reality_check_min_s,
        reality_answered_at: settings.reality_ack_at,
        session_start: session.map(|s| s.0),
        last_activity: session.map(|s| s.1),
        session: session_bets,
        now,
    }
}

/// The play view from `bets` already read (the ledger passes its own, so both agree).
pub async fn view_with(
    state: &ServerState,
    bets: &[BetRow],
    activity: &[i64],
    now: i64,
) -> Result<LimitsView, DbError> {
    let limits = db::load_limits(&state.pool).await?;
    let settings = db::load_settings(&state.pool).await?;
    let timed: Vec<TimedBet> = bets.iter().map(BetRow::timed).collect();
    Ok(view_of(
        &timed,
        activity,
        &limits,
        settings,
        state.reality_check_min_s,
        now,
    ))
}

pub async fn view(state: &ServerState, now: i64) -> Result<LimitsView, LimitsError> {
    let (bets, _) = db::list_bets(&state.pool, state.house_edge).await?;
    let activity = activity(state, now).await?;
    Ok(view_with(state, &bets, &activity, now).await?)
}

/// Whether PLAY may be recommended at `now`.
pub async fn gate(state: &ServerState, now: i64) -> Result<PlayGate, DbError> {
    let (bets, _) = db::list_bets(&state.pool, state.house_edge).await?;
    let activity = activity(state, now).await?;
    Ok(view_with(state, &bets, &activity, now).await?.gate)
}

pub async fn set_limit(
    state: &ServerState,
    request: &LimitRequest,
    now: i64,
) -> Result<LimitsView, LimitsError> {
    let limit = db::request_limit(
        &state.pool,
        request.kind,
        request.period,
        request.amount,
        now,
    )
    .await??;
    tracing::info!(kind = ?limit.kind, period = ?limit.period, amount = ?limit.amount,
        pending = ?limit.pending, "play limit changed");
    view(state, now).await
}

/// Turns reality checks on at `interval_s` (`None` turns them off).
pub async fn set_reality_check(
    state: &ServerState,
    interval_s: Option<i64>,
    now: i64,
) -> Result<LimitsView, LimitsError> {
    if let Some(i) = interval_s {
        limits::check_interval(i, state.reality_check_min_s)?;
    }
    db::set_reality_check(&state.pool, interval_s).await?;
    view(state, now).await
}

/// The player answered a reality check: the next one comes an interval from now; "stop
/// for today" also starts a cool-off until midnight on their clock.
pub async fn answer_reality_check(
    state: &ServerState,
    answer: RealityAnswer,
    now: i64,
) -> Result<LimitsView, LimitsError> {
    check_offset(answer.offset_minutes)?;
    db::answer_reality_check(&state.pool, now).await?;
    if answer.stop_for_today {
        let until = limits::stop_for_today(None, now, answer.offset_minutes * 60);
        db::extend_cool_off(&state.pool, until).await?;
    }
    view(state, now).await
}

/// A cool-off of `hours` (24, 168 or 720); one in force is never shortened.
pub async fn cool_off(
    state: &ServerState,
    hours: i64,
    now: i64,
) -> Result<LimitsView, LimitsError> {
    let until = limits::cool_off_end(None, hours, now)?;
    let until = db::extend_cool_off(&state.pool, until).await?;
    tracing::info!(until, "cool-off");
    view(state, now).await
}
