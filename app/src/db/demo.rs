//! The synthetic demo history: loaded into an empty database, flagged, removed as one.

use super::DbError;
use super::Pool;
use crate::types::{DemoInfo, Source};
use models::generator::FairGenerator;
use sqlx::Row;

pub async fn demo_info(pool: &Pool) -> Result<Option<DemoInfo>, DbError> {
    let rounds: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rounds WHERE synthetic = 1")
        .fetch_one(pool)
        .await?;
    if rounds == 0 {
        return Ok(None);
    }
    let run = sqlx::query("SELECT seed, house_edge FROM demo_runs ORDER BY id DESC LIMIT 1")
        .fetch_optional(pool)
        .await?;
    let (seed, house_edge) = match run {
        Some(r) => (r.try_get("seed")?, r.try_get("house_edge")?),
        None => (0, f64::NAN),
    };
    Ok(Some(DemoInfo {
        rounds,
        seed,
        house_edge,
    }))
}

/// Fills an empty history with synthetic rounds from the seeded fair generator.
pub async fn load_demo(
    pool: &Pool,
    rounds: usize,
    seed: u64,
    house_edge: f64,
) -> Result<DemoInfo, DbError> {
    if !(0.0..0.5).contains(&house_edge) {
        return Err(DbError::Refused(format!(
            "house edge {house_edge} is outside [0, 0.5)"
        )));
    }
    if rounds == 0 || rounds > 100_000 {
        return Err(DbError::Refused(format!(
            "demo size {rounds} is outside 1..=100000"
        )));
    }
    let values = FairGenerator { seed, house_edge }.generate(rounds);
    let mut tx = super::begin_write(pool).await?;
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rounds")
        .fetch_one(&mut *tx)
        .await?;
    if existing > 0 {
        return Err(DbError::Refused(
            "demo data can only be loaded into an empty history, so it never mixes with real rounds"
                .into(),
        ));
    }
    // Generated rounds never score a prediction.
    super::rounds::drop_pending_predictions(&mut tx).await?;
    // Seeds above i64::MAX are stored as their bit pattern.
    let seed_i64 = seed as i64;
    sqlx::query("INSERT INTO demo_runs (seed, house_edge, rounds) VALUES ($1, $2, $3)")
        .bind(seed_i64)
        .bind(house_edge)
        .bind(rounds as i64)
        .execute(&mut *tx)
        .await?;
    super::rounds::append(&mut tx, &values, None, Source::Demo).await?;
    tx.commit().await?;
    metrics::counter!("jetx_rounds_stored_total", "source" => "demo").increment(rounds as u64);
    Ok(DemoInfo {
        rounds: rounds as i64,
        seed: seed_i64,
        house_edge,
    })
}

/// Removes every synthetic round; returns how many.
pub async fn remove_demo(pool: &Pool) -> Result<u64, DbError> {
    let mut tx = super::begin_write(pool).await?;
    let removed = sqlx::query("DELETE FROM rounds WHERE synthetic = 1")
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query("DELETE FROM demo_runs")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(removed)
}
