//! Types of the models, backtest, analysis and live-scoring pages, shared by the browser, the
//! server functions and the REST API.

use crate::types::{Mode, Recommendation};
use models::backtest::BacktestSummary;
use models::values::Multiplier;
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------------------
// Live scoring

/// A stored next-round prediction and, once the next round is stored, its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPrediction {
    pub id: i64,
    pub created_at: String,
    /// The newest stored round when it was made (0: none); the predicted round follows it.
    pub after_round_id: i64,
    pub rounds_seen: i64,
    /// Model version, or "fair" for the fair baseline.
    pub model: String,
    pub cashout: f64,
    pub mode: Mode,
    pub thresholds: Vec<f64>,
    pub probabilities: Vec<f64>,
    pub fair: Vec<f64>,
    pub ev: f64,
    pub recommendation: Recommendation,
    pub reason: String,
    pub outcome: Option<Multiplier>,
}

/// The live scoreboard: every stored prediction scored on the round that followed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveView {
    pub stored: usize,
    pub pending: usize,
    pub scoreboard: models::live::Scoreboard,
    /// Newest first.
    pub recent: Vec<StoredPrediction>,
}

// ---------------------------------------------------------------------------------------
// Models

/// One model's walk-forward row from its training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreRow {
    pub name: String,
    pub seconds: f64,
    pub summary: BacktestSummary,
}

/// A registered model version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelView {
    pub version: String,
    pub active: bool,
    /// Why the version cannot be used, when it cannot.
    pub problem: Option<String>,
    pub created_at: String,
    pub n_rounds: usize,
    pub device: String,
    pub members: Vec<String>,
    /// Fair law, each member and the stacked ensemble, walk-forward on the rounds the
    /// search never saw.
    pub scores: Vec<ScoreRow>,
}

/// Importance of the features to one member, largest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureImportance {
    pub member: String,
    pub features: Vec<(String, f64)>,
}

/// What the models page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelsPage {
    pub models: Vec<ModelView>,
    /// Feature importance of the active model's members that report one.
    pub importance: Vec<FeatureImportance>,
    pub importance_note: Option<String>,
    /// Devices training may use in this build ("cpu", and "cuda" where available).
    pub devices: Vec<String>,
    /// Member kinds training accepts.
    pub member_kinds: Vec<String>,
    pub training: TrainStatus,
}

// ---------------------------------------------------------------------------------------
// Training jobs

/// What to train.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainRequest {
    /// Member kinds (empty or left out: all).
    #[serde(default)]
    pub members: Vec<String>,
    pub budget_s: f64,
    pub device: String,
    /// Make the finished model the active one.
    pub activate: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    #[default]
    Idle,
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Idle => "idle",
            JobState::Running => "running",
            JobState::Succeeded => "succeeded",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }
}

/// One epoch of a network member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LossPoint {
    pub member: String,
    pub epoch: usize,
    pub train_loss: f64,
    /// NaN-free: `None` without a validation tail.
    pub valid_loss: Option<f64>,
}

/// The state of the (single) training job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TrainStatus {
    /// Counts jobs since the server started (0: none yet).
    pub job: u64,
    /// Bumped on every change, so a client keeps the newest of statuses that arrive out of
    /// order (a command's answer and the event stream).
    #[serde(default)]
    pub seq: u64,
    pub state: JobState,
    pub request: Option<TrainRequest>,
    /// "search", "epoch", "compare", "final fit", "saving", "done".
    pub stage: String,
    pub detail: String,
    /// 0–100.
    pub percent: f64,
    pub elapsed_s: f64,
    pub eta_s: Option<f64>,
    pub losses: Vec<LossPoint>,
    /// The registered version once it succeeded.
    pub version: Option<String>,
    pub error: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Backtest

/// Walk-forward settings of the backtest page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestRequest {
    /// First round forecast (0-based).
    pub start: usize,
    /// "never", "every" or "rolling".
    pub refit: String,
    pub refit_every: usize,
    /// Training window of the rolling refit.
    pub window: usize,
    pub gap: usize,
    // Left out (as a form sends an empty list) they reach the settings check, which
    // names what is missing, instead of failing to deserialise.
    #[serde(default)]
    pub thresholds: Vec<f64>,
    #[serde(default)]
    pub models: Vec<String>,
    /// Cash-out of the P&L and of the cumulative score chart.
    pub cashout: f64,
}

impl Default for BacktestRequest {
    fn default() -> Self {
        Self {
            start: 1000,
            refit: "every".into(),
            refit_every: 500,
            window: 1000,
            gap: 0,
            thresholds: models::forecast::DEFAULT_THRESHOLDS.to_vec(),
            models: vec!["logistic".into()],
            cashout: 2.0,
        }
    }
}

/// One model's walk-forward result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestModel {
    pub name: String,
    pub seconds: f64,
    pub summary: BacktestSummary,
    /// (round, Σ log loss of the model − Σ log loss of the fair law) at the cash-out
    /// threshold; below 0 means the model was better so far.
    pub cumulative_log_loss_diff: Vec<(usize, f64)>,
    /// (round, cumulative profit of 1-unit bets placed when the signal fired).
    pub pnl: Vec<(usize, f64)>,
}

/// What the backtest page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestView {
    pub n_rounds: usize,
    pub request: BacktestRequest,
    pub models: Vec<BacktestModel>,
    /// The fits of the first model (the schedule is the same for every model).
    pub folds: Vec<models::walkforward::Fold>,
    pub seconds: f64,
}

// ---------------------------------------------------------------------------------------
// Analysis

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

impl TrainStatus {
    /// Whether `self` should replace `current` (a newer job, or a newer state of the job).
    pub fn is_newer_than(&self, current: Option<&TrainStatus>) -> bool {
        current.is_none_or(|c| (self.job, self.seq) >= (c.job, c.seq))
    }
}

// ---------------------------------------------------------------------------------------
// Strategy lab

/// A strategy parameter as JSON carries it: a number, or text (a Labouchère line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Number(f64),
    Text(String),
}

impl ParamValue {
    fn text(&self) -> String {
        match self {
            ParamValue::Number(x) => x.to_string(),
            ParamValue::Text(t) => t.clone(),
        }
    }
}

fn default_paths() -> usize {
    10_000
}
fn default_rounds() -> usize {
    1_000
}
fn default_seed() -> u64 {
    42
}
fn default_min_bet() -> f64 {
    0.1
}

/// What the Strategies page, `POST /api/v1/simulate` and `jetx simulate` ask for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulationRequest {
    /// One of [`models::strategy::Strategy::NAMES`].
    pub strategy: String,
    /// The plan's parameters by name (its defaults for the rest).
    #[serde(default)]
    pub params: std::collections::BTreeMap<String, ParamValue>,
    pub stake: f64,
    pub cashout: f64,
    pub bankroll: f64,
    #[serde(default = "default_min_bet")]
    pub min_bet: f64,
    #[serde(default)]
    pub max_stake: Option<f64>,
    #[serde(default)]
    pub stop_loss: Option<f64>,
    #[serde(default)]
    pub take_profit: Option<f64>,
    #[serde(default)]
    pub max_bets: Option<usize>,
    #[serde(default = "default_paths")]
    pub paths: usize,
    #[serde(default = "default_rounds")]
    pub rounds: usize,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Replay the stored history (in order, with the walk-forward PLAY signal) instead of
    /// Monte Carlo under the fair law.
    #[serde(default)]
    pub replay: bool,
    /// The source of a user script (strategy `"script"`); `params` then set its `config`
    /// inputs.
    #[serde(default)]
    pub script: Option<String>,
}

impl Default for SimulationRequest {
    fn default() -> Self {
        Self {
            strategy: "martingale".into(),
            params: Default::default(),
            stake: 1.0,
            cashout: 2.0,
            bankroll: 100.0,
            min_bet: default_min_bet(),
            max_stake: None,
            stop_loss: None,
            take_profit: None,
            max_bets: None,
            paths: default_paths(),
            rounds: default_rounds(),
            seed: default_seed(),
            replay: false,
            script: None,
        }
    }
}

impl SimulationRequest {
    /// The run's settings, checked (every entry point goes through here).
    pub fn config(
        &self,
        house_edge: f64,
    ) -> Result<models::strategy::SimulationConfig, models::strategy::StrategyError> {
        let params: Vec<(String, String)> = self
            .params
            .iter()
            .map(|(k, v)| (k.clone(), v.text()))
            .collect();
        use models::strategy::{Strategy, StrategyError};
        let strategy = match (self.strategy.trim(), &self.script) {
            ("script", Some(source)) => {
                Strategy::script(source.clone(), params.into_iter().collect())?
            }
            ("script", None) => {
                return Err(StrategyError::Script(
                    "strategy \"script\" needs the script's source".into(),
                ))
            }
            (_, Some(_)) => {
                return Err(StrategyError::BadSetting(
                    "a script is only run with strategy \"script\"".into(),
                ))
            }
            (name, None) => Strategy::from_params(name, &params)?,
        };
        let config = models::strategy::SimulationConfig {
            strategy,
            stake: self.stake,
            cashout: self.cashout,
            limits: models::strategy::Limits {
                bankroll: self.bankroll,
                min_bet: self.min_bet,
                max_stake: self.max_stake,
                stop_loss: self.stop_loss,
                take_profit: self.take_profit,
                max_bets: self.max_bets,
            },
            house_edge,
            // A replay plays the history once: the Monte Carlo size does not apply.
            paths: if self.replay { 1 } else { self.paths },
            rounds: if self.replay { 1 } else { self.rounds },
            seed: self.seed,
        };
        config.validate()?;
        Ok(config)
    }
}

/// Why a request cannot run in the browser (a replay needs the stored rounds, a script the
/// server's sandbox), or `None` when it can.
pub fn browser_refusal(request: &SimulationRequest) -> Option<&'static str> {
    if request.replay {
        Some("a replay reads the stored rounds: it runs on the server")
    } else if request.strategy.trim() == "script" {
        Some("scripts run in the server's sandbox")
    } else {
        None
    }
}

/// Monte Carlo of `request` on this thread, for the browser's Web Worker: the same
/// settings, checks and result as the server's run; `progress(done, total)` after each
/// block of paths.
pub fn simulate_here(
    request: &SimulationRequest,
    house_edge: f64,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<models::strategy::SimulationResult, String> {
    if let Some(why) = browser_refusal(request) {
        return Err(why.to_string());
    }
    let config = request.config(house_edge).map_err(|e| e.to_string())?;
    models::strategy::monte_carlo_observed(&config, 1, progress).map_err(|e| e.to_string())
}

/// A plan that bets on the app's PLAY signal needs it computed walk-forward on a replay.
pub fn needs_play_signal(strategy: &models::strategy::Strategy) -> bool {
    matches!(
        strategy,
        models::strategy::Strategy::OnlyOnPlay | models::strategy::Strategy::Kelly { .. }
    )
}

/// A bet the player records (`POST /api/v1/bets`): on `round_id`, or the newest round,
/// with exactly one of a cash-out `target`, a manual `cashed_out` point, or `lost`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BetRequest {
    #[serde(default)]
    pub round_id: Option<i64>,
    pub stake: f64,
    #[serde(default)]
    pub target: Option<f64>,
    #[serde(default)]
    pub cashed_out: Option<f64>,
    #[serde(default)]
    pub lost: bool,
}

impl BetRequest {
    pub fn exit(&self) -> Result<models::ledger::Exit, String> {
        use models::ledger::Exit;
        match (self.target, self.cashed_out, self.lost) {
            (Some(c), None, false) => Ok(Exit::Target(c)),
            (None, Some(c), false) => Ok(Exit::CashedOut(c)),
            (None, None, true) => Ok(Exit::Lost),
            _ => Err("give exactly one of target (a cash-out set before the round), cashed_out (where you cashed out) or lost: true".into()),
        }
    }
}

/// A stored bet with its settlement (from its round's crash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BetRow {
    pub id: i64,
    pub round_id: i64,
    /// Unix seconds, UTC.
    pub placed_at: i64,
    #[serde(flatten)]
    pub settled: models::ledger::Settled,
}

impl BetRow {
    pub fn timed(&self) -> models::ledger::TimedBet {
        models::ledger::TimedBet {
            at: self.placed_at,
            bet: self.settled,
        }
    }
}

/// The ledger: every bet and the net positions next to the fair law's expectation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerView {
    pub house_edge: f64,
    pub bets: Vec<BetRow>,
    pub summary: models::ledger::LedgerSummary,
    /// Bets whose round was edited below their manual cash-out: left out of the sums.
    pub inconsistent: usize,
    /// Limits, cool-off and reality checks, from the same bets.
    pub play: PlayView,
}

/// Responsible play as the dashboard, the Limits page and `GET /api/v1/limits` show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlayView {
    /// Every limit set or waiting to change, with what the player used of it.
    pub limits: Vec<models::limits::LimitStatus>,
    /// Whether PLAY may be recommended, and if not, why.
    pub gate: models::limits::PlayGate,
    /// The reality-check interval the player chose (seconds), if any, and the shortest
    /// this server accepts.
    pub reality_check_s: Option<i64>,
    pub reality_check_min_s: i64,
    /// When the player last answered a reality check.
    pub reality_answered_at: Option<i64>,
    /// The open session: its start and last activity (rounds recorded live, bets).
    pub session_start: Option<i64>,
    pub last_activity: Option<i64>,
    /// The session's bets next to the fair law (the reality check's "expected cost").
    pub session: models::ledger::Position,
    /// The server's clock when this was made.
    pub now: i64,
}

impl PlayView {
    /// True when a reality check is due at `now`: the session is still open (activity
    /// within the session gap) and the interval has passed.
    pub fn reality_check_due(&self, now: i64) -> bool {
        let open = self
            .last_activity
            .is_some_and(|t| now - t <= models::ledger::SESSION_GAP_S);
        open && models::limits::reality_check_due(
            self.reality_check_s,
            self.session_start,
            self.reality_answered_at,
            now,
        )
    }
}

/// `PUT /api/v1/limits`: set, lower, raise (after 24 hours) or remove (`amount: null`) one
/// limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitRequest {
    pub kind: models::limits::LimitKind,
    pub period: models::limits::LimitPeriod,
    #[serde(default)]
    pub amount: Option<f64>,
}

/// `POST /api/v1/reality-check/answer`: continue, or stop for today (no PLAY until the
/// next midnight on the player's clock).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RealityAnswer {
    #[serde(default)]
    pub stop_for_today: bool,
    #[serde(default)]
    pub offset_minutes: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_run_is_the_servers_run_and_refuses_what_needs_the_server() {
        let request = SimulationRequest {
            strategy: "d_alembert".into(),
            paths: 300,
            rounds: 120,
            ..SimulationRequest::default()
        };
        let h = 0.03;
        let mut steps = 0;
        let here = simulate_here(&request, h, &mut |_, _| steps += 1).unwrap();
        let config = request.config(h).unwrap();
        assert_eq!(here, models::strategy::monte_carlo(&config, 1).unwrap());
        // The server's two threads draw the same paths; only the order of the sums differs.
        let server = models::strategy::monte_carlo(&config, 2).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(1.0);
        assert!(close(
            here.report.mean_final_bankroll.value,
            server.report.mean_final_bankroll.value
        ));
        assert!(close(
            here.report.mean_turnover,
            server.report.mean_turnover
        ));
        assert_eq!(
            here.report.final_bankroll.p50,
            server.report.final_bankroll.p50
        );
        assert_eq!(here.report.p_ruin, server.report.p_ruin);
        assert!(steps >= 2);
        // The JSON the worker sends back reads as the same result.
        let text = serde_json::to_string(&here).unwrap();
        let back = serde_json::from_str::<models::strategy::SimulationResult>(&text).unwrap();
        // serde_json's default float parser may differ in the last digit; nothing more.
        assert!(close(
            back.report.mean_final_bankroll.value,
            here.report.mean_final_bankroll.value
        ));
        assert_eq!(back.report.final_bankroll, here.report.final_bankroll);
        assert_eq!(back.report.fan.rounds, here.report.fan.rounds);
        assert_eq!(back.flat.label, here.flat.label);
        assert_eq!(back.verdict, here.verdict);

        let replay = SimulationRequest {
            replay: true,
            ..request.clone()
        };
        assert!(simulate_here(&replay, h, &mut |_, _| {})
            .unwrap_err()
            .contains("server"));
        let script = SimulationRequest {
            strategy: "script".into(),
            script: Some("fn on_round(game) { bet(1.0, 2.0) }".into()),
            ..request.clone()
        };
        assert!(simulate_here(&script, h, &mut |_, _| {})
            .unwrap_err()
            .contains("sandbox"));
        let bad = SimulationRequest {
            stake: -1.0,
            ..request
        };
        assert!(simulate_here(&bad, h, &mut |_, _| {})
            .unwrap_err()
            .contains("stake"));
    }
}
