//! The `play_limits` and `play_settings` tables (responsible play), and when the player
//! was active: the times rounds were recorded live, which make the sessions.

use super::DbError;
use super::Pool;
use models::limits::{Limit, LimitKind, LimitPeriod, Pending};
use sqlx::Row;

/// The reality-check and cool-off settings.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LimitSettings {
    pub reality_check_s: Option<i64>,
    pub reality_ack_at: Option<i64>,
    pub cool_off_until: Option<i64>,
}

fn row_to_limit(row: &sqlx::any::AnyRow) -> Result<Option<Limit>, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    let period: String = row.try_get("period")?;
    let (Some(kind), Some(period)) = (LimitKind::parse(&kind), LimitPeriod::parse(&period)) else {
        return Ok(None);
    };
    let pending_at: Option<i64> = row.try_get("pending_at")?;
    Ok(Some(Limit {
        kind,
        period,
        amount: row.try_get("amount")?,
        pending: pending_at.map(|effective_at| Pending {
            amount: row.try_get("pending_amount").ok().flatten(),
            effective_at,
        }),
    }))
}

async fn limits_in<'e>(
    executor: impl sqlx::Executor<'e, Database = sqlx::Any>,
) -> Result<Vec<Limit>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT kind, period, amount, pending_amount, pending_at FROM play_limits")
            .fetch_all(executor)
            .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.extend(row_to_limit(row)?);
    }
    Ok(out)
}

/// Every limit the player has set (or asked to change).
pub async fn load_limits(pool: &Pool) -> Result<Vec<Limit>, DbError> {
    Ok(limits_in(pool).await?)
}

/// Applies the player's request for the `kind`/`period` limit at `now` (read and written
/// in one write transaction, so two tabs cannot both loosen from the same old value).
pub async fn request_limit(
    pool: &Pool,
    kind: LimitKind,
    period: LimitPeriod,
    amount: Option<f64>,
    now: i64,
) -> Result<Result<Limit, models::limits::LimitError>, DbError> {
    let mut tx = super::begin_write(pool).await?;
    let current = limits_in(&mut *tx)
        .await?
        .into_iter()
        .find(|l| l.kind == kind && l.period == period)
        .unwrap_or(Limit::none(kind, period));
    let next = match current.request(amount, now) {
        Ok(l) => l,
        Err(e) => return Ok(Err(e)),
    };
    sqlx::query(
        "INSERT INTO play_limits (kind, period, amount, pending_amount, pending_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind, period) DO UPDATE SET \
         amount = excluded.amount, pending_amount = excluded.pending_amount, \
         pending_at = excluded.pending_at",
    )
    .bind(kind.as_str())
    .bind(period.as_str())
    .bind(super::NullableF64(next.amount))
    .bind(super::NullableF64(next.pending.and_then(|p| p.amount)))
    .bind(next.pending.map(|p| p.effective_at))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok(next))
}

pub async fn load_settings(pool: &Pool) -> Result<LimitSettings, DbError> {
    let row = sqlx::query(
        "SELECT reality_check_s, reality_ack_at, cool_off_until FROM play_settings WHERE id = 1",
    )
    .fetch_optional(pool)
    .await?;
    Ok(match row {
        Some(r) => LimitSettings {
            reality_check_s: r.try_get("reality_check_s")?,
            reality_ack_at: r.try_get("reality_ack_at")?,
            cool_off_until: r.try_get("cool_off_until")?,
        },
        None => LimitSettings::default(),
    })
}

pub async fn set_reality_check(pool: &Pool, interval_s: Option<i64>) -> Result<(), DbError> {
    sqlx::query("UPDATE play_settings SET reality_check_s = $1 WHERE id = 1")
        .bind(interval_s)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn answer_reality_check(pool: &Pool, at: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE play_settings SET reality_ack_at = $1 WHERE id = 1")
        .bind(at)
        .execute(pool)
        .await?;
    Ok(())
}

/// Sets the cool-off to end at `until`, or later if one in force already does (the
/// comparison runs in SQL, so two tabs cannot shorten each other's).
pub async fn extend_cool_off(pool: &Pool, until: i64) -> Result<i64, DbError> {
    let end: i64 = sqlx::query_scalar(
        "UPDATE play_settings SET cool_off_until = \
         CASE WHEN COALESCE(cool_off_until, 0) > $1 THEN cool_off_until ELSE $1 END \
         WHERE id = 1 RETURNING cool_off_until",
    )
    .bind(until)
    .fetch_one(pool)
    .await?;
    Ok(end)
}

/// Unix seconds at which rounds were recorded live (typed or sent one by one) since
/// `since`; pastes, imports and demo data are not play.
pub async fn activity_since(pool: &Pool, since: i64) -> Result<Vec<i64>, DbError> {
    let since = models::bets::rfc3339(since);
    let sql = format!(
        "SELECT {} FROM rounds \
         WHERE created_at >= $1 AND source IN ('entry', 'api') ORDER BY created_at",
        super::Backend::of_pool(pool).epoch_of("created_at")
    );
    let times: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(since)
        .fetch_all(pool)
        .await?;
    Ok(times)
}
