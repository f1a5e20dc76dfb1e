//! Types shared by the browser and the server (server functions, REST API, CLI).

use models::summary::{Bin, CategoryShare, Summary, SurvivalPoint};
use models::values::{Multiplier, ValueRules};
use serde::{Deserialize, Serialize};

/// How a round got into the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Entry,
    Paste,
    Import,
    Api,
    Demo,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Entry => "entry",
            Source::Paste => "paste",
            Source::Import => "import",
            Source::Api => "api",
            Source::Demo => "demo",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "entry" => Source::Entry,
            "paste" => Source::Paste,
            "import" => Source::Import,
            "api" => Source::Api,
            "demo" => Source::Demo,
            _ => return None,
        })
    }
}

/// One stored round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundRow {
    pub id: i64,
    /// 1-based position in the history (oldest is 1).
    pub position: i64,
    pub value: Multiplier,
    pub source: Source,
    pub synthetic: bool,
    pub created_at: String,
    pub updated_at: Option<String>,
}

/// A page of rounds, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundsPage {
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
    pub rounds: Vec<RoundRow>,
}

/// How the current synthetic demo history was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoInfo {
    pub rounds: i64,
    pub seed: i64,
    pub house_edge: f64,
}

/// Settings the browser needs to check input exactly as the server will.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClientSettings {
    pub rules: ValueRules,
    pub house_edge: f64,
}

/// One point of the recent-rounds chart.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChartPoint {
    pub position: i64,
    pub value: f64,
}

/// Everything the dashboard shows, computed from the whole history in one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub summary: Summary,
    /// The latest rounds, newest first.
    pub recent: Vec<RoundRow>,
    /// The last N rounds for the chart, oldest first.
    pub last_rounds: Vec<ChartPoint>,
    pub histogram: Vec<Bin>,
    pub categories: Vec<CategoryShare>,
    pub survival: Vec<SurvivalPoint>,
    pub demo: Option<DemoInfo>,
    pub settings: ClientSettings,
}

/// One unreadable row of an import, for the report shown before anything is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportFault {
    pub row: usize,
    pub line: usize,
    pub id: Option<String>,
    pub raw: String,
    pub reason: String,
    /// The whole sentence: "row 6281 (line 6282, id 6281) "…": …".
    pub message: String,
}

/// What an import found (dry run) or did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportOutcome {
    /// `csv`, `text` or `sqlite`.
    pub format: String,
    pub rows: usize,
    pub valid: usize,
    pub faults: Vec<ImportFault>,
    /// How many rounds were stored (0 on a dry run or when refused).
    pub stored: usize,
    pub dry_run: bool,
}

/// What to do with the readable rows of an import that has faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OnFault {
    /// Store nothing unless every row is readable.
    #[default]
    Refuse,
    /// Store the readable rows, in order, and skip the faulty ones.
    SkipFaulty,
}
