//! The fairness report and charts of the Analysis page.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisView {
    pub n: usize,
    pub house_edge: f64,
    pub report: Option<models::fairness::FairnessReport>,
    /// Why there is no report (too few rounds…).
    pub report_problem: Option<String>,
    pub survival: Vec<models::summary::SurvivalPoint>,
    pub after_low: models::analysis::StreakContinuation,
    pub after_high: models::analysis::StreakContinuation,
    pub acf_ln: models::analysis::Autocorrelation,
    pub acf_two: models::analysis::Autocorrelation,
    pub moving: Vec<models::analysis::MovingShare>,
}
