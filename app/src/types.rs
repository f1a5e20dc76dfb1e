//! Types shared by the browser and the server (server functions, REST API, CLI).

use models::summary::{Bin, CategoryShare, Summary, SurvivalPoint};
use models::values::{Multiplier, ValueRules};
use serde::{Deserialize, Serialize};

/// How a round got into the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoundRow {
    pub id: i64,
    /// 1-based position in the history (oldest is 1).
    pub position: i64,
    pub value: Multiplier,
    pub source: Source,
    pub synthetic: bool,
    pub created_at: String,
    pub updated_at: Option<String>,
    /// The round's id in the file it was imported from (the game's round number…).
    #[serde(default)]
    pub source_id: Option<String>,
}

/// A page of rounds, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RoundsPage {
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
    pub rounds: Vec<RoundRow>,
    /// `?before=` of the next (older) page; none on the last page.
    #[serde(default)]
    pub next_before: Option<i64>,
}

/// How the current synthetic demo history was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
/// Most points the last-rounds chart gets; a longer stretch is drawn as the lowest and
/// highest round of each part of it.
pub const CHART_POINTS: usize = 2_000;

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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportOutcome {
    /// `csv`, `text` or `sqlite`.
    pub format: String,
    pub rows: usize,
    pub valid: usize,
    pub faults: Vec<ImportFault>,
    /// How many rounds were stored (0 on a dry run or when refused).
    pub stored: usize,
    pub dry_run: bool,
    /// The longest run of the file's readable rounds that is already stored, in the same
    /// order (at least 8 rounds; positions from 0): the same file imported twice, or a
    /// newer export repeating the rounds stored last time.
    #[serde(default)]
    pub already_stored: Option<models::overlap::Overlap>,
    /// Rounds of that run left out of the import (`duplicates = skip`).
    #[serde(default)]
    pub skipped_duplicates: usize,
    /// Faulty fields that hold several readable values (`2.29⟨U+2028⟩1.29`): what
    /// `split` would turn into rounds.
    #[serde(default)]
    pub splittable: usize,
    /// Fields split into their values (`split = true`): counted in `valid`, not in `faults`.
    #[serde(default)]
    pub split: usize,
    /// Where the stored rounds went: after the newest round, or before the oldest.
    #[serde(default)]
    pub place: Place,
    /// The file's own ids were kept with its rounds (it has an id column).
    #[serde(default)]
    pub source_ids: bool,
    /// Readable rounds whose id in the file is already a stored round's source id: how
    /// a re-import is recognised when the file has ids (when none is, or the file has no
    /// ids, by `already_stored`).
    #[serde(default)]
    pub repeated_ids: usize,
}

impl ImportOutcome {
    /// The rounds of the file already stored: by id, else by the repeated run.
    pub fn repeated(&self) -> usize {
        if self.repeated_ids > 0 {
            self.repeated_ids
        } else {
            self.already_stored.map_or(0, |run| run.len)
        }
    }
}

/// What to do with a file's rounds that are already stored (see
/// [`ImportOutcome::already_stored`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OnDuplicate {
    /// Store every readable round, the repeated ones too (the outcome still names them).
    #[default]
    Keep,
    /// Store only the rounds outside the repeated run.
    Skip,
    /// Store nothing when a run is repeated (409).
    Refuse,
}

/// Where imported rounds go in the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Place {
    /// After the newest round (new rounds).
    #[default]
    After,
    /// Before the oldest round (an older history): ids below every stored id, so every
    /// round, prediction and bet keeps its id.
    Before,
}

impl Place {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "after" => Some(Place::After),
            "before" => Some(Place::Before),
            _ => None,
        }
    }
}

/// How an import treats faulty rows and repeated rounds, and whether it stores at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportOptions {
    pub dry_run: bool,
    pub on_fault: OnFault,
    pub duplicates: OnDuplicate,
    /// Split fields that hold several values into their rounds.
    pub split: bool,
    /// Before or after the stored rounds.
    pub place: Place,
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

/// The PLAY/WAIT rule and its types live in the pure core (`models::decision`).
pub use models::decision::{Decision, EdgeView, Mode, Recommendation};

/// P(X ≥ t) for one threshold, with its base rates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ThresholdView {
    pub threshold: f64,
    pub probability: f64,
    /// (1 − h)/t.
    pub fair: f64,
    /// Share of the stored history at or above t.
    pub empirical: f64,
    pub members: Vec<(String, f64)>,
}

/// Walk-forward evidence of the active model at the cash-out target (from its training run).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Evidence {
    pub model: String,
    pub forecasts: usize,
    pub bss: f64,
    pub bss_low: f64,
    pub bss_high: f64,
    /// One-sided Diebold–Mariano p of "the model beats the fair law".
    pub dm_p: f64,
    pub edge_found: bool,
    /// Betting whenever the model's signal fired: bets and mean profit per 1-unit bet with
    /// its 95% interval.
    pub bets: u64,
    pub ev_per_bet: Option<f64>,
    pub ev_low: Option<f64>,
    pub ev_high: Option<f64>,
}

/// The next-round estimate the dashboard shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PredictionView {
    /// Active model version; `None` when the fair baseline answers.
    pub model: Option<String>,
    /// Why the fair baseline answers, when it does.
    pub notice: Option<String>,
    pub rounds: usize,
    pub cashout: f64,
    pub mode: Mode,
    pub thresholds: Vec<ThresholdView>,
    /// P(X ≥ cash-out)·cash-out − 1 for the shown probability, and for the fair law.
    pub ev: f64,
    pub fair_ev: f64,
    pub evidence: Option<Evidence>,
    pub recommendation: Recommendation,
    pub reason: String,
    /// The confirmed pattern that applies to the next round at the cash-out, if any.
    #[serde(default)]
    pub pattern: Option<EdgeView>,
    /// Set when the player's limits or cool-off withhold PLAY, saying why.
    #[serde(default)]
    pub withheld: Option<String>,
}

/// Share of `rounds` at or above `t`.
pub fn empirical_share(rounds: &[Multiplier], t: f64) -> f64 {
    if rounds.is_empty() {
        return 0.0;
    }
    let h = (t * 100.0).round() as u32;
    rounds.iter().filter(|m| m.0 >= h).count() as f64 / rounds.len() as f64
}

/// P(X ≥ t) at one threshold as an estimator sees it, with each member's estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdEstimate {
    pub threshold: f64,
    pub probability: f64,
    pub members: Vec<(String, f64)>,
}

/// What an estimator says about the round after a history: its numbers and the PLAY/WAIT
/// decision, nothing about how they are shown ([`PredictionView::of`] does that).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Model version; `None` when the fair law answers.
    pub model: Option<String>,
    /// Why the fair law answers, when it does.
    pub notice: Option<String>,
    pub thresholds: Vec<ThresholdEstimate>,
    pub evidence: Option<Evidence>,
    pub decision: Decision,
}

impl Estimate {
    /// The fair law (1 − h)/t at every threshold, saying why it answers.
    pub fn fair(thresholds: &[f64], house_edge: f64, notice: String, decision: Decision) -> Self {
        Estimate {
            model: None,
            notice: Some(notice),
            thresholds: thresholds
                .iter()
                .map(|&t| ThresholdEstimate {
                    threshold: t,
                    probability: models::summary::fair_survival(t, house_edge),
                    members: Vec::new(),
                })
                .collect(),
            evidence: None,
            decision,
        }
    }
}

impl PredictionView {
    /// The view of `estimate` for the round after `rounds`: each probability beside the
    /// fair rate and the history's, and the EV of a bet at `cashout` next to the fair EV.
    pub fn of(
        estimate: Estimate,
        rounds: &[Multiplier],
        cashout: f64,
        mode: Mode,
        house_edge: f64,
    ) -> Self {
        let fair = models::summary::fair_survival(cashout, house_edge);
        // A cash-out between thresholds has no model estimate: the fair law answers there.
        let p = estimate
            .thresholds
            .iter()
            .find(|t| (t.threshold - cashout).abs() < 1e-9)
            .map_or(fair, |t| t.probability);
        let thresholds = estimate
            .thresholds
            .into_iter()
            .map(|t| ThresholdView {
                threshold: t.threshold,
                probability: t.probability,
                fair: models::summary::fair_survival(t.threshold, house_edge),
                empirical: empirical_share(rounds, t.threshold),
                members: t.members,
            })
            .collect();
        PredictionView {
            model: estimate.model,
            notice: estimate.notice,
            rounds: rounds.len(),
            cashout,
            mode,
            thresholds,
            ev: p * cashout - 1.0,
            fair_ev: fair * cashout - 1.0,
            evidence: estimate.evidence,
            recommendation: estimate.decision.recommendation,
            reason: estimate.decision.reason,
            pattern: estimate.decision.edge,
            withheld: None,
        }
    }
}

/// The pattern scan's decision for the round after `rounds` (a fresh scan; long-lived
/// services keep a [`models::decision::PatternTracker`] instead).
pub fn pattern_decision(
    rounds: &[Multiplier],
    clock: Option<std::sync::Arc<models::patterns::clock::Clock>>,
    cashout: f64,
    mode: Mode,
    house_edge: f64,
) -> Decision {
    let config = models::patterns::PatternConfig {
        house_edge,
        ..Default::default()
    };
    models::decision::PatternTracker::new(config).decide_with_clock(rounds, clock, cashout, mode)
}
