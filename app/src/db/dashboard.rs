//! The dashboard's statistics of the stored history.

use super::{all_values, demo_info, list_page, DbError};
use crate::types::{ChartPoint, ClientSettings, Dashboard, DemoInfo, RoundRow};
use models::summary::{category_shares, log_histogram, survival_curve, Summary};
use models::values::Multiplier;
use sqlx::SqlitePool;

/// Number of recent rounds listed on the dashboard.
pub const RECENT_ROUNDS: i64 = 15;

pub async fn dashboard(
    pool: &SqlitePool,
    last_n: usize,
    settings: ClientSettings,
) -> Result<Dashboard, DbError> {
    let values = all_values(pool).await?;
    let recent = list_page(pool, 0, RECENT_ROUNDS).await?.rounds;
    let demo = demo_info(pool).await?;
    Ok(build_dashboard(&values, recent, demo, last_n, settings))
}

/// The dashboard's statistics of a history (pure, so it is tested without a database).
pub fn build_dashboard(
    values: &[Multiplier],
    recent: Vec<RoundRow>,
    demo: Option<DemoInfo>,
    last_n: usize,
    settings: ClientSettings,
) -> Dashboard {
    let h = settings.house_edge;
    let start = values.len().saturating_sub(last_n);
    let last_rounds = values[start..]
        .iter()
        .enumerate()
        .map(|(i, v)| ChartPoint {
            position: (start + i + 1) as i64,
            value: v.as_f64(),
        })
        .collect();
    Dashboard {
        summary: Summary::compute(values, h),
        recent,
        last_rounds,
        histogram: log_histogram(values, 8, h),
        categories: category_shares(values, h),
        survival: survival_curve(values, 40, 5, h),
        demo,
        settings,
    }
}
