//! The `predictions` table: every shown prediction, stored once, scored when its round
//! arrives.

use super::DbError;
use super::Pool;
use models::values::Multiplier;
use sqlx::Row;

/// Stores a prediction shown to the user; the same round, model, cash-out and mode is stored
/// once (the first time it is shown).
pub async fn store_prediction(
    pool: &Pool,
    after_round_id: i64,
    view: &crate::types::PredictionView,
) -> Result<(), DbError> {
    let json = |v: Vec<f64>| serde_json::to_string(&v).unwrap_or_else(|_| "[]".into());
    let thresholds: Vec<f64> = view.thresholds.iter().map(|t| t.threshold).collect();
    let probabilities: Vec<f64> = view.thresholds.iter().map(|t| t.probability).collect();
    let fair: Vec<f64> = view.thresholds.iter().map(|t| t.fair).collect();
    let mut tx = super::begin_write(pool).await?;
    let stored = sqlx::query(
        "INSERT INTO predictions (after_round_id, rounds_seen, model, cashout, mode, \
         thresholds, probabilities, fair, ev, recommendation, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING",
    )
    .bind(after_round_id)
    .bind(view.rounds as i64)
    .bind(view.model.clone().unwrap_or_else(|| "fair".into()))
    .bind(view.cashout)
    .bind(view.mode.as_str())
    .bind(json(thresholds))
    .bind(json(probabilities))
    .bind(json(fair))
    .bind(view.ev)
    .bind(match view.recommendation {
        crate::types::Recommendation::Play => "play",
        crate::types::Recommendation::Wait => "wait",
    })
    .bind(&view.reason)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    // A round stored while the estimate was computed was stored before this row existed:
    // score the new row from the rounds that exist.
    let scored = sqlx::query(
        "UPDATE predictions SET \
         outcome_round_id = (SELECT r.id FROM rounds r WHERE r.id > predictions.after_round_id ORDER BY r.id LIMIT 1), \
         outcome_hundredths = (SELECT r.hundredths FROM rounds r WHERE r.id > predictions.after_round_id ORDER BY r.id LIMIT 1) \
         WHERE after_round_id = $1 AND outcome_round_id IS NULL \
         AND EXISTS (SELECT 1 FROM rounds r WHERE r.id > $2)",
    )
    .bind(after_round_id)
    .bind(after_round_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    metrics::counter!("jetx_predictions_stored_total").increment(stored);
    metrics::counter!("jetx_predictions_scored_total").increment(scored);
    Ok(())
}

/// A literal `SELECT` of every prediction column followed by `$tail` (sqlx wants static SQL).
macro_rules! select_predictions {
    ($tail:literal) => {
        concat!(
            "SELECT id, created_at, after_round_id, rounds_seen, model, cashout, mode, ",
            "thresholds, probabilities, fair, ev, recommendation, reason, outcome_hundredths ",
            "FROM predictions ",
            $tail
        )
    };
}

fn row_to_prediction(
    row: &sqlx::any::AnyRow,
) -> Result<crate::views::StoredPrediction, sqlx::Error> {
    let floats = |name: &str| -> Result<Vec<f64>, sqlx::Error> {
        let text: String = row.try_get(name)?;
        serde_json::from_str(&text).map_err(|e| sqlx::Error::Decode(Box::new(e)))
    };
    let mode: String = row.try_get("mode")?;
    let recommendation: String = row.try_get("recommendation")?;
    let outcome: Option<i64> = row.try_get("outcome_hundredths")?;
    Ok(crate::views::StoredPrediction {
        id: row.try_get("id")?,
        created_at: row.try_get("created_at")?,
        after_round_id: row.try_get("after_round_id")?,
        rounds_seen: row.try_get("rounds_seen")?,
        model: row.try_get("model")?,
        cashout: row.try_get("cashout")?,
        mode: crate::types::Mode::parse(&mode).unwrap_or_default(),
        thresholds: floats("thresholds")?,
        probabilities: floats("probabilities")?,
        fair: floats("fair")?,
        ev: row.try_get("ev")?,
        recommendation: if recommendation == "play" {
            crate::types::Recommendation::Play
        } else {
            crate::types::Recommendation::Wait
        },
        reason: row.try_get("reason")?,
        outcome: outcome.map(|h| Multiplier(u32::try_from(h).unwrap_or(u32::MAX))),
    })
}

/// Stored predictions, newest first, and how many there are in all.
pub async fn list_predictions(
    pool: &Pool,
    offset: i64,
    limit: i64,
) -> Result<(i64, Vec<crate::views::StoredPrediction>), DbError> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM predictions")
        .fetch_one(pool)
        .await?;
    let rows = sqlx::query(select_predictions!("ORDER BY id DESC LIMIT $1 OFFSET $2"))
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await?;
    let list = rows
        .iter()
        .map(row_to_prediction)
        .collect::<Result<_, _>>()?;
    Ok((total, list))
}

/// Every scored prediction, oldest first, and the number still waiting for their round.
pub async fn scored_predictions(
    pool: &Pool,
) -> Result<(Vec<crate::views::StoredPrediction>, i64), DbError> {
    let rows = sqlx::query(select_predictions!(
        "WHERE outcome_hundredths IS NOT NULL ORDER BY after_round_id, id"
    ))
    .fetch_all(pool)
    .await?;
    let pending: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM predictions WHERE outcome_hundredths IS NULL")
            .fetch_one(pool)
            .await?;
    let list = rows
        .iter()
        .map(row_to_prediction)
        .collect::<Result<_, _>>()?;
    Ok((list, pending))
}
