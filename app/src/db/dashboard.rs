//! The dashboard's statistics of the stored history, from the history snapshot's counts
//! (the same cost at any history length).

use crate::types::{ChartPoint, ClientSettings, Dashboard, DemoInfo, RoundRow, CHART_POINTS};
use models::summary::{
    category_shares_of, log_histogram_of, min_max_points, survival_curve_of, Summary,
};
use models::tally::Tally;
use models::values::Multiplier;

/// Number of recent rounds listed on the dashboard.
pub const RECENT_ROUNDS: i64 = 15;

/// The dashboard of a history and its counts (pure, so it is tested without a database).
pub fn build_dashboard(
    values: &[Multiplier],
    tally: &Tally,
    recent: Vec<RoundRow>,
    demo: Option<DemoInfo>,
    last_n: usize,
    settings: ClientSettings,
) -> Dashboard {
    let h = settings.house_edge;
    let start = values.len().saturating_sub(last_n);
    let last_rounds = min_max_points(&values[start..], CHART_POINTS)
        .into_iter()
        .map(|(i, v)| ChartPoint {
            position: (start + i + 1) as i64,
            value: v.as_f64(),
        })
        .collect();
    Dashboard {
        summary: Summary::of_tally(tally, values, h),
        recent,
        last_rounds,
        histogram: log_histogram_of(tally, 8, h),
        categories: category_shares_of(tally, h),
        survival: survival_curve_of(tally, 40, 5, h),
        demo,
        settings,
    }
}
