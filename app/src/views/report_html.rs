//! What the shareable report holds (drawn by `crate::report_html`, made by
//! `crate::service::report_html`).

use crate::format::fmt_unix;
use crate::views::{AnalysisView, SimulationRequest};
use models::patterns::PatternReport;
use models::strategy::SimulationResult;

/// The scan's settings as asked (`cashouts`, `all`).
pub type PatternSettings = serde_json::Value;

/// What goes into a report; a part left `None` is left out.
pub struct ReportParts {
    pub rounds: usize,
    /// SHA-256 of the stored values, one per line with two decimals.
    pub values_sha256: String,
    /// Unix seconds.
    pub generated_at: i64,
    pub analysis: Option<AnalysisView>,
    pub patterns: Option<(PatternSettings, PatternReport)>,
    pub strategy: Option<(SimulationRequest, SimulationResult)>,
}

impl ReportParts {
    /// `jetx-report-20261206-2215.html`.
    pub fn file_name(&self) -> String {
        let stamp = fmt_unix(self.generated_at)
            .replace(" UTC", "")
            .replace(['-', ':'], "")
            .replace(' ', "-");
        format!("jetx-report-{stamp}.html")
    }
}
