//! What a staking plan is made of: the bets it places, what it sees before a round and
//! after it, the [`Staker`] state machine the engine runs, and the [`Strategy`] spec a
//! user picks and the API carries. A leaf: the plans, the catalogue, scripts and the
//! engine all build on it.

use serde::{Deserialize, Serialize};

/// One bet: the stake and the cash-out target, both fixed before the round.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bet {
    pub stake: f64,
    pub cashout: f64,
}

/// What a plan places on one round: JetX has two bet panels, so up to two bets.
pub type Bets = [Option<Bet>; 2];

/// The validated evidence for the round about to be played: PLAY at `cashout` with a
/// conservative win probability `p_low` (the lower bound of the confirmed edge's rate).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    pub cashout: f64,
    pub p_low: f64,
}

/// What a plan knows before it bets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    /// Rounds of this path already played (bet on or not).
    pub round: usize,
    pub bankroll: f64,
    /// Bankroll minus the starting bankroll.
    pub net: f64,
    pub signal: Option<Signal>,
}

/// The settled round, given back to the plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub crash: f64,
    /// The bets as actually placed (after the engine's stake limits).
    pub bets: Bets,
    pub won: [bool; 2],
    /// Net result of the round's bets.
    pub profit: f64,
    pub bankroll: f64,
}

/// A staking plan in motion.
pub trait Staker {
    /// The bets for the next round, or why the plan cannot go on (a user script's error).
    fn bets(&mut self, view: &View) -> Result<Bets, PlanError>;
    fn settle(&mut self, outcome: &Outcome);
    /// True once the plan has ended its session by itself (a script's `stop()`).
    fn stopped(&self) -> bool {
        false
    }
}

/// What every plan starts from: the base stake (one unit), its cash-out and the house edge
/// of the fair law (the probability a plan assumes when there is no validated signal).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Base {
    pub stake: f64,
    pub cashout: f64,
    pub house_edge: f64,
}

/// Why a plan cannot place its next bets (a user script's error, a plan that never
/// started).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PlanError(pub String);

/// A staking plan and its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Strategy {
    /// The base stake at the base cash-out, every round.
    Flat,
    /// Multiply the stake by `multiplier` after each loss; back to the base stake after a
    /// win, or after `reset_after` losses in a row (0 = never).
    Martingale { multiplier: f64, reset_after: u32 },
    /// Keep the stake, multiply the cash-out target by `multiplier` after each loss (up to
    /// `max_cashout`); back to the base cash-out after a win.
    PayoutMartingale { multiplier: f64, max_cashout: f64 },
    /// Anti-martingale: multiply the stake after a win, back to base after a loss or after
    /// `wins` wins in a row.
    Paroli { multiplier: f64, wins: u32 },
    /// One `unit` more after a loss, one less after a win (never below the base stake).
    DAlembert { unit: f64 },
    /// Stakes follow 1, 1, 2, 3, 5, … base stakes: one step up after a loss, two down after
    /// a win.
    Fibonacci,
    /// Cancellation: stake the first plus the last number of `sequence` (in base stakes);
    /// a win crosses both out, a loss appends the stake; a finished line starts again.
    Labouchere { sequence: Vec<f64> },
    /// Aim for one base stake of profit per cycle: raise the stake one unit after a win
    /// (never beyond what finishes the cycle), keep it after a loss.
    OscarsGrind,
    /// Stake `fraction` of the current bankroll.
    FixedFraction { fraction: f64 },
    /// `fraction` of the Kelly stake, on the validated probability of the PLAY signal; no
    /// bet when there is no signal (the fair law's Kelly stake is negative).
    Kelly { fraction: f64 },
    /// The base stake, only when the app says PLAY (a confirmed edge applies).
    OnlyOnPlay,
    /// The reference app's dual bankroll: the bankroll split in two (`split` to the first),
    /// each half betting the base stake every round, the first at the base cash-out, the
    /// second at `second_cashout`; a half that cannot cover the stake stops.
    DualBankroll { split: f64, second_cashout: f64 },
    /// The player's own rhai script (see [`super::script`]) with its `config` inputs
    /// overridden by `inputs`.
    Script {
        source: String,
        #[serde(default)]
        inputs: std::collections::BTreeMap<String, String>,
    },
    /// The player's bustabit autobet script (JavaScript, see [`super::autobet`]), unchanged,
    /// with its config inputs set from `inputs` (balances in bits).
    Autobet {
        source: String,
        #[serde(default)]
        inputs: std::collections::BTreeMap<String, String>,
    },
}

/// A strategy name or parameter the lab does not accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum StrategyError {
    #[error("unknown strategy \"{name}\" (known: {known})")]
    UnknownStrategy { name: String, known: String },
    #[error("strategy {strategy} has no parameter \"{param}\" (it takes: {takes})")]
    UnknownParam {
        strategy: String,
        param: String,
        takes: String,
    },
    #[error("parameter {param}: {message}")]
    BadParam { param: String, message: String },
    #[error("{0}")]
    BadSetting(String),
    #[error("script: {0}")]
    Script(String),
}

impl Strategy {
    pub const NAMES: [&'static str; 12] = [
        "flat",
        "martingale",
        "payout_martingale",
        "paroli",
        "d_alembert",
        "fibonacci",
        "labouchere",
        "oscars_grind",
        "fixed_fraction",
        "kelly",
        "only_on_play",
        "dual_bankroll",
    ];

    pub fn name(&self) -> &'static str {
        match self {
            Strategy::Flat => "flat",
            Strategy::Martingale { .. } => "martingale",
            Strategy::PayoutMartingale { .. } => "payout_martingale",
            Strategy::Paroli { .. } => "paroli",
            Strategy::DAlembert { .. } => "d_alembert",
            Strategy::Fibonacci => "fibonacci",
            Strategy::Labouchere { .. } => "labouchere",
            Strategy::OscarsGrind => "oscars_grind",
            Strategy::FixedFraction { .. } => "fixed_fraction",
            Strategy::Kelly { .. } => "kelly",
            Strategy::OnlyOnPlay => "only_on_play",
            Strategy::DualBankroll { .. } => "dual_bankroll",
            Strategy::Script { .. } => "script",
            Strategy::Autobet { .. } => "autobet",
        }
    }

    /// Human name for pages and text output.
    pub fn label(&self) -> &'static str {
        match self {
            Strategy::Flat => "Flat betting",
            Strategy::Martingale { .. } => "Martingale",
            Strategy::PayoutMartingale { .. } => "Payout martingale",
            Strategy::Paroli { .. } => "Paroli (anti-martingale)",
            Strategy::DAlembert { .. } => "d'Alembert",
            Strategy::Fibonacci => "Fibonacci",
            Strategy::Labouchere { .. } => "Labouchère",
            Strategy::OscarsGrind => "Oscar's Grind",
            Strategy::FixedFraction { .. } => "Fixed fraction",
            Strategy::Kelly { .. } => "Fractional Kelly",
            Strategy::OnlyOnPlay => "Only on PLAY",
            Strategy::DualBankroll { .. } => "Dual bankroll",
            Strategy::Script { .. } => "Your script",
            Strategy::Autobet { .. } => "Your autobet script",
        }
    }

    /// True for the plans that raise the stake after losses: their results lead with the
    /// probability of ruin (a script may, so it counts as one).
    pub fn chases_losses(&self) -> bool {
        matches!(
            self,
            Strategy::Martingale { .. }
                | Strategy::Fibonacci
                | Strategy::DAlembert { .. }
                | Strategy::Labouchere { .. }
                | Strategy::PayoutMartingale { .. }
                | Strategy::OscarsGrind
                | Strategy::Script { .. }
                | Strategy::Autobet { .. }
        )
    }
}
