//! The built-in staking plans, as specs ([`Strategy`], what a user picks and the API
//! carries) and as state machines ([`Staker`], what the engine runs). A plan sees only the
//! past: its bankroll, the results of its own bets and, for the PLAY-based plans, the
//! walk-forward signal of the round about to be played.

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
    fn bets(&mut self, view: &View) -> Result<Bets, String>;
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

/// A staking plan and its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "snake_case")]
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
}

/// A strategy name or parameter the lab does not accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum StrategyError {
    #[error("unknown strategy \"{0}\" (known: {known})", known = Strategy::NAMES.join(", "))]
    UnknownStrategy(String),
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

fn bad(param: &str, message: impl Into<String>) -> StrategyError {
    StrategyError::BadParam {
        param: param.to_string(),
        message: message.into(),
    }
}

fn number(param: &str, v: &str) -> Result<f64, StrategyError> {
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| bad(param, format!("\"{v}\" is not a number")))
}

fn whole(param: &str, v: &str) -> Result<u32, StrategyError> {
    v.trim()
        .parse::<u32>()
        .map_err(|_| bad(param, format!("\"{v}\" is not a whole number ≥ 0")))
}

/// Fibonacci numbers beyond this index are larger than any bankroll the lab accepts.
const FIB_MAX_INDEX: usize = 80;

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
        )
    }

    /// The plan with its default parameters.
    pub fn default_for(name: &str) -> Result<Strategy, StrategyError> {
        Ok(match name {
            "flat" => Strategy::Flat,
            "martingale" => Strategy::Martingale {
                multiplier: 2.0,
                reset_after: 0,
            },
            "payout_martingale" => Strategy::PayoutMartingale {
                multiplier: 2.0,
                max_cashout: 100.0,
            },
            "paroli" | "anti_martingale" => Strategy::Paroli {
                multiplier: 2.0,
                wins: 3,
            },
            "d_alembert" | "dalembert" => Strategy::DAlembert { unit: 1.0 },
            "fibonacci" => Strategy::Fibonacci,
            "labouchere" => Strategy::Labouchere {
                sequence: vec![1.0, 2.0, 3.0, 4.0],
            },
            "oscars_grind" | "oscar" => Strategy::OscarsGrind,
            "fixed_fraction" => Strategy::FixedFraction { fraction: 0.01 },
            "kelly" => Strategy::Kelly { fraction: 0.5 },
            "only_on_play" | "play" => Strategy::OnlyOnPlay,
            "dual_bankroll" => Strategy::DualBankroll {
                split: 0.5,
                second_cashout: 3.0,
            },
            other => return Err(StrategyError::UnknownStrategy(other.to_string())),
        })
    }

    /// The parameter names a plan takes.
    pub fn param_names(&self) -> &'static [&'static str] {
        match self {
            Strategy::Flat | Strategy::Fibonacci | Strategy::OscarsGrind | Strategy::OnlyOnPlay => {
                &[]
            }
            Strategy::Martingale { .. } => &["multiplier", "reset_after"],
            Strategy::PayoutMartingale { .. } => &["multiplier", "max_cashout"],
            Strategy::Paroli { .. } => &["multiplier", "wins"],
            Strategy::DAlembert { .. } => &["unit"],
            Strategy::Labouchere { .. } => &["sequence"],
            Strategy::FixedFraction { .. } | Strategy::Kelly { .. } => &["fraction"],
            Strategy::DualBankroll { .. } => &["split", "second_cashout"],
            Strategy::Script { .. } => &[],
        }
    }

    /// The plan's parameters and their values, as a form shows them.
    pub fn param_values(&self) -> Vec<(&'static str, String)> {
        match self {
            Strategy::Martingale {
                multiplier,
                reset_after,
            } => vec![
                ("multiplier", multiplier.to_string()),
                ("reset_after", reset_after.to_string()),
            ],
            Strategy::PayoutMartingale {
                multiplier,
                max_cashout,
            } => vec![
                ("multiplier", multiplier.to_string()),
                ("max_cashout", max_cashout.to_string()),
            ],
            Strategy::Paroli { multiplier, wins } => vec![
                ("multiplier", multiplier.to_string()),
                ("wins", wins.to_string()),
            ],
            Strategy::DAlembert { unit } => vec![("unit", unit.to_string())],
            Strategy::Labouchere { sequence } => vec![(
                "sequence",
                sequence
                    .iter()
                    .map(f64::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            )],
            Strategy::FixedFraction { fraction } | Strategy::Kelly { fraction } => {
                vec![("fraction", fraction.to_string())]
            }
            Strategy::DualBankroll {
                split,
                second_cashout,
            } => vec![
                ("split", split.to_string()),
                ("second_cashout", second_cashout.to_string()),
            ],
            _ => vec![],
        }
    }

    /// The plan `name` with `params` (`key=value` pairs) applied to its defaults; unknown
    /// names and keys, and values out of range, are errors naming what is accepted.
    pub fn from_params(name: &str, params: &[(String, String)]) -> Result<Strategy, StrategyError> {
        let mut s = Strategy::default_for(name.trim())?;
        for (k, v) in params {
            let k = k.trim();
            let (name, takes) = (s.name(), s.param_names());
            let unknown = || StrategyError::UnknownParam {
                strategy: name.to_string(),
                param: k.to_string(),
                takes: if takes.is_empty() {
                    "no parameters".to_string()
                } else {
                    takes.join(", ")
                },
            };
            match (&mut s, k) {
                (Strategy::Martingale { multiplier, .. }, "multiplier")
                | (Strategy::PayoutMartingale { multiplier, .. }, "multiplier")
                | (Strategy::Paroli { multiplier, .. }, "multiplier") => {
                    *multiplier = number(k, v)?
                }
                (Strategy::Martingale { reset_after, .. }, "reset_after") => {
                    *reset_after = whole(k, v)?
                }
                (Strategy::PayoutMartingale { max_cashout, .. }, "max_cashout") => {
                    *max_cashout = number(k, v)?
                }
                (Strategy::Paroli { wins, .. }, "wins") => *wins = whole(k, v)?,
                (Strategy::DAlembert { unit }, "unit") => *unit = number(k, v)?,
                (Strategy::Labouchere { sequence }, "sequence") => {
                    *sequence = v
                        .split([',', ' ', ';'])
                        .filter(|t| !t.is_empty())
                        .map(|t| number(k, t))
                        .collect::<Result<_, _>>()?
                }
                (Strategy::FixedFraction { fraction }, "fraction")
                | (Strategy::Kelly { fraction }, "fraction") => *fraction = number(k, v)?,
                (Strategy::DualBankroll { split, .. }, "split") => *split = number(k, v)?,
                (Strategy::DualBankroll { second_cashout, .. }, "second_cashout") => {
                    *second_cashout = number(k, v)?
                }
                _ => return Err(unknown()),
            }
        }
        s.validate()?;
        Ok(s)
    }

    /// The one range check of every parameter.
    pub fn validate(&self) -> Result<(), StrategyError> {
        let cashout = |p: &str, c: f64| {
            crate::bet::check_cashout(c)
                .map(|_| ())
                .map_err(|e| bad(p, e.to_string()))
        };
        match self {
            Strategy::Martingale { multiplier, .. } if !(1.0..=10.0).contains(multiplier) => {
                Err(bad("multiplier", "must be between 1 and 10"))
            }
            Strategy::PayoutMartingale { multiplier, .. } if !(1.0..=10.0).contains(multiplier) => {
                Err(bad("multiplier", "must be between 1 and 10"))
            }
            Strategy::PayoutMartingale { max_cashout, .. } => cashout("max_cashout", *max_cashout),
            Strategy::Paroli { multiplier, .. } if !(1.0..=10.0).contains(multiplier) => {
                Err(bad("multiplier", "must be between 1 and 10"))
            }
            Strategy::DAlembert { unit } if !(*unit > 0.0 && *unit <= 1e9) => {
                Err(bad("unit", "must be above 0"))
            }
            Strategy::Labouchere { sequence }
                if sequence.is_empty()
                    || sequence.len() > 100
                    || sequence.iter().any(|x| !(*x > 0.0 && *x <= 1e6)) =>
            {
                Err(bad(
                    "sequence",
                    "must be 1 to 100 numbers above 0 (in base stakes), e.g. 1,2,3,4",
                ))
            }
            Strategy::FixedFraction { fraction } if !(*fraction > 0.0 && *fraction <= 1.0) => {
                Err(bad("fraction", "must be above 0 and at most 1"))
            }
            Strategy::Kelly { fraction } if !(*fraction > 0.0 && *fraction <= 1.0) => Err(bad(
                "fraction",
                "must be above 0 and at most 1 (1 = full Kelly)",
            )),
            Strategy::DualBankroll { split, .. } if !(*split > 0.0 && *split < 1.0) => {
                Err(bad("split", "must be strictly between 0 and 1"))
            }
            Strategy::DualBankroll { second_cashout, .. } => {
                cashout("second_cashout", *second_cashout)
            }
            Strategy::Script { .. } => self.prepare().map(|_| ()),
            _ => Ok(()),
        }
    }

    /// A user script: its source and inputs, checked (compiled, config applied).
    pub fn script(
        source: String,
        inputs: std::collections::BTreeMap<String, String>,
    ) -> Result<Strategy, StrategyError> {
        let s = Strategy::Script { source, inputs };
        s.validate()?;
        Ok(s)
    }

    /// The plan made ready to start many paths: a script is compiled once here.
    pub fn prepare(&self) -> Result<Prepared, StrategyError> {
        match self {
            #[cfg(feature = "script")]
            Strategy::Script { source, inputs } => Ok(Prepared::Script(std::sync::Arc::new(
                super::script::Program::compile(source, inputs)?,
            ))),
            #[cfg(not(feature = "script"))]
            Strategy::Script { .. } => Err(StrategyError::Script(
                "scripts run on the server; this build has no script engine".into(),
            )),
            other => Ok(Prepared::Builtin(other.clone())),
        }
    }

    /// The plan's state machine at the start of a path with `bankroll` (a script that does
    /// not compile fails at its first bet; see [`Strategy::prepare`]).
    pub fn start(&self, base: Base, bankroll: f64) -> Box<dyn Staker + Send> {
        match self.prepare() {
            Ok(p) => p.start(base, bankroll),
            Err(e) => Box::new(Failing(e.to_string())),
        }
    }

    fn start_builtin(&self, base: Base, bankroll: f64) -> Box<dyn Staker + Send> {
        match self.clone() {
            Strategy::Flat => Box::new(Flat(base)),
            Strategy::Martingale {
                multiplier,
                reset_after,
            } => Box::new(Martingale {
                base,
                multiplier,
                reset_after,
                losses: 0,
                stake: base.stake,
            }),
            Strategy::PayoutMartingale {
                multiplier,
                max_cashout,
            } => Box::new(PayoutMartingale {
                base,
                multiplier,
                max_cashout,
                cashout: base.cashout,
            }),
            Strategy::Paroli { multiplier, wins } => Box::new(Paroli {
                base,
                multiplier,
                wins,
                streak: 0,
                stake: base.stake,
            }),
            Strategy::DAlembert { unit } => Box::new(DAlembert {
                base,
                unit: unit * base.stake,
                steps: 0,
            }),
            Strategy::Fibonacci => Box::new(Fibonacci::new(base)),
            Strategy::Labouchere { sequence } => Box::new(Labouchere {
                base,
                line: sequence.clone(),
                start: sequence,
            }),
            Strategy::OscarsGrind => Box::new(OscarsGrind {
                base,
                units: 1.0,
                cycle: 0.0,
            }),
            Strategy::FixedFraction { fraction } => Box::new(FixedFraction { base, fraction }),
            Strategy::Kelly { fraction } => Box::new(Kelly { base, fraction }),
            Strategy::OnlyOnPlay => Box::new(OnlyOnPlay(base)),
            Strategy::DualBankroll {
                split,
                second_cashout,
            } => Box::new(DualBankroll {
                base,
                second_cashout,
                halves: [bankroll * split, bankroll * (1.0 - split)],
            }),
            Strategy::Script { .. } => Box::new(Failing("the script was not prepared".into())),
        }
    }
}

/// A plan ready to start paths (see [`Strategy::prepare`]); shared by the worker threads.
pub enum Prepared {
    Builtin(Strategy),
    #[cfg(feature = "script")]
    Script(std::sync::Arc<super::script::Program>),
}

impl Prepared {
    pub fn start(&self, base: Base, bankroll: f64) -> Box<dyn Staker + Send> {
        match self {
            Prepared::Builtin(s) => s.start_builtin(base, bankroll),
            #[cfg(feature = "script")]
            Prepared::Script(p) => p.start(base),
        }
    }
}

/// A plan that could not start: fails at its first bet with the reason.
struct Failing(String);
impl Staker for Failing {
    fn bets(&mut self, _: &View) -> Result<Bets, String> {
        Err(self.0.clone())
    }
    fn settle(&mut self, _: &Outcome) {}
}

fn one(stake: f64, cashout: f64) -> Result<Bets, String> {
    Ok([Some(Bet { stake, cashout }), None])
}

fn won(o: &Outcome) -> bool {
    o.won[0]
}

struct Flat(Base);
impl Staker for Flat {
    fn bets(&mut self, _: &View) -> Result<Bets, String> {
        one(self.0.stake, self.0.cashout)
    }
    fn settle(&mut self, _: &Outcome) {}
}

struct Martingale {
    base: Base,
    multiplier: f64,
    reset_after: u32,
    losses: u32,
    stake: f64,
}
impl Staker for Martingale {
    fn bets(&mut self, _: &View) -> Result<Bets, String> {
        one(self.stake, self.base.cashout)
    }
    fn settle(&mut self, o: &Outcome) {
        if o.bets[0].is_none() {
            return;
        }
        if won(o) {
            self.losses = 0;
            self.stake = self.base.stake;
        } else {
            self.losses += 1;
            if self.reset_after > 0 && self.losses >= self.reset_after {
                self.losses = 0;
                self.stake = self.base.stake;
            } else {
                self.stake *= self.multiplier;
            }
        }
    }
}

struct PayoutMartingale {
    base: Base,
    multiplier: f64,
    max_cashout: f64,
    cashout: f64,
}
impl Staker for PayoutMartingale {
    fn bets(&mut self, _: &View) -> Result<Bets, String> {
        one(self.base.stake, self.cashout)
    }
    fn settle(&mut self, o: &Outcome) {
        if o.bets[0].is_none() {
            return;
        }
        self.cashout = if won(o) {
            self.base.cashout
        } else {
            (self.cashout * self.multiplier).min(self.max_cashout)
        };
    }
}

struct Paroli {
    base: Base,
    multiplier: f64,
    wins: u32,
    streak: u32,
    stake: f64,
}
impl Staker for Paroli {
    fn bets(&mut self, _: &View) -> Result<Bets, String> {
        one(self.stake, self.base.cashout)
    }
    fn settle(&mut self, o: &Outcome) {
        if o.bets[0].is_none() {
            return;
        }
        if won(o) {
            self.streak += 1;
            if self.wins > 0 && self.streak >= self.wins {
                self.streak = 0;
                self.stake = self.base.stake;
            } else {
                self.stake *= self.multiplier;
            }
        } else {
            self.streak = 0;
            self.stake = self.base.stake;
        }
    }
}

struct DAlembert {
    base: Base,
    unit: f64,
    steps: u32,
}
impl Staker for DAlembert {
    fn bets(&mut self, _: &View) -> Result<Bets, String> {
        one(
            self.base.stake + f64::from(self.steps) * self.unit,
            self.base.cashout,
        )
    }
    fn settle(&mut self, o: &Outcome) {
        if o.bets[0].is_none() {
            return;
        }
        if won(o) {
            self.steps = self.steps.saturating_sub(1);
        } else {
            self.steps = self.steps.saturating_add(1);
        }
    }
}

struct Fibonacci {
    base: Base,
    fib: Vec<f64>,
    k: usize,
}
impl Fibonacci {
    fn new(base: Base) -> Self {
        let mut fib = vec![1.0, 1.0];
        while fib.len() <= FIB_MAX_INDEX {
            let n = fib.len();
            fib.push(fib[n - 1] + fib[n - 2]);
        }
        Self { base, fib, k: 0 }
    }
}
impl Staker for Fibonacci {
    fn bets(&mut self, _: &View) -> Result<Bets, String> {
        one(self.base.stake * self.fib[self.k], self.base.cashout)
    }
    fn settle(&mut self, o: &Outcome) {
        if o.bets[0].is_none() {
            return;
        }
        self.k = if won(o) {
            self.k.saturating_sub(2)
        } else {
            (self.k + 1).min(FIB_MAX_INDEX)
        };
    }
}

struct Labouchere {
    base: Base,
    line: Vec<f64>,
    start: Vec<f64>,
}
impl Labouchere {
    fn units(&self) -> f64 {
        match self.line.as_slice() {
            [] => 0.0,
            [only] => *only,
            [first, .., last] => first + last,
        }
    }
}
impl Staker for Labouchere {
    fn bets(&mut self, _: &View) -> Result<Bets, String> {
        if self.line.is_empty() {
            self.line = self.start.clone();
        }
        one(self.base.stake * self.units(), self.base.cashout)
    }
    fn settle(&mut self, o: &Outcome) {
        if o.bets[0].is_none() {
            return;
        }
        if won(o) {
            self.line.remove(0);
            self.line.pop();
        } else if self.line.len() < 1_000 {
            // The line grows by one number per loss; a line this long means the bankroll
            // is long gone, so it stops growing rather than eat memory.
            let units = self.units();
            self.line.push(units);
        }
    }
}

struct OscarsGrind {
    base: Base,
    units: f64,
    /// Profit of the current cycle.
    cycle: f64,
}
impl Staker for OscarsGrind {
    fn bets(&mut self, _: &View) -> Result<Bets, String> {
        one(self.base.stake * self.units, self.base.cashout)
    }
    fn settle(&mut self, o: &Outcome) {
        let Some(bet) = o.bets[0] else { return };
        self.cycle += o.profit;
        let goal = self.base.stake;
        if self.cycle >= goal - 1e-9 {
            self.cycle = 0.0;
            self.units = 1.0;
        } else if won(o) {
            // One unit more, but never more than a win needs to finish the cycle.
            let needed = (goal - self.cycle) / (bet.cashout - 1.0) / self.base.stake;
            self.units = (self.units + 1.0).min(needed.max(1.0));
        }
    }
}

struct FixedFraction {
    base: Base,
    fraction: f64,
}
impl Staker for FixedFraction {
    fn bets(&mut self, v: &View) -> Result<Bets, String> {
        one(self.fraction * v.bankroll, self.base.cashout)
    }
    fn settle(&mut self, _: &Outcome) {}
}

/// Kelly stake share for win probability `p` at cash-out `c`: (p·c − 1)/(c − 1).
pub fn kelly_fraction(p: f64, cashout: f64) -> f64 {
    (p * cashout - 1.0) / (cashout - 1.0)
}

struct Kelly {
    base: Base,
    fraction: f64,
}
impl Staker for Kelly {
    fn bets(&mut self, v: &View) -> Result<Bets, String> {
        let (p, c) = match v.signal {
            Some(s) => (s.p_low, s.cashout),
            None => (
                crate::summary::fair_survival(self.base.cashout, self.base.house_edge),
                self.base.cashout,
            ),
        };
        let f = kelly_fraction(p, c);
        if f > 0.0 {
            one(self.fraction * f * v.bankroll, c)
        } else {
            Ok([None, None])
        }
    }
    fn settle(&mut self, _: &Outcome) {}
}

struct OnlyOnPlay(Base);
impl Staker for OnlyOnPlay {
    fn bets(&mut self, v: &View) -> Result<Bets, String> {
        match v.signal {
            Some(s) => one(self.0.stake, s.cashout),
            None => Ok([None, None]),
        }
    }
    fn settle(&mut self, _: &Outcome) {}
}

struct DualBankroll {
    base: Base,
    second_cashout: f64,
    halves: [f64; 2],
}
impl Staker for DualBankroll {
    fn bets(&mut self, _: &View) -> Result<Bets, String> {
        let s = self.base.stake;
        let bet = |half: f64, cashout| (half >= s).then_some(Bet { stake: s, cashout });
        Ok([
            bet(self.halves[0], self.base.cashout),
            bet(self.halves[1], self.second_cashout),
        ])
    }
    fn settle(&mut self, o: &Outcome) {
        for i in 0..2 {
            if let Some(b) = o.bets[i] {
                self.halves[i] += if o.won[i] {
                    b.stake * (b.cashout - 1.0)
                } else {
                    -b.stake
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Base {
        Base {
            stake: 1.0,
            cashout: 2.0,
            house_edge: 0.03,
        }
    }

    /// Plays `results` (win = true) through a plan and returns the stakes it asked for.
    fn stakes(s: &Strategy, results: &[bool]) -> Vec<f64> {
        let mut st = s.start(base(), 1_000.0);
        let mut out = Vec::new();
        for &w in results {
            let v = View {
                round: out.len(),
                bankroll: 1_000.0,
                net: 0.0,
                signal: None,
            };
            let bets = st.bets(&v).unwrap();
            let b = bets[0].expect("a bet");
            out.push(b.stake);
            let profit = if w {
                b.stake * (b.cashout - 1.0)
            } else {
                -b.stake
            };
            st.settle(&Outcome {
                crash: if w { b.cashout } else { 1.0 },
                bets,
                won: [w, false],
                profit,
                bankroll: 1_000.0 + profit,
            });
        }
        out
    }

    const L: bool = false;
    const W: bool = true;

    #[test]
    fn martingale_doubles_after_losses_and_resets() {
        let m = Strategy::default_for("martingale").unwrap();
        assert_eq!(stakes(&m, &[L, L, L, W, L]), [1.0, 2.0, 4.0, 8.0, 1.0]);
        let capped = Strategy::Martingale {
            multiplier: 2.0,
            reset_after: 2,
        };
        assert_eq!(stakes(&capped, &[L, L, L, L]), [1.0, 2.0, 1.0, 2.0]);
    }

    #[test]
    fn fibonacci_steps_up_one_and_down_two() {
        let f = Strategy::Fibonacci;
        assert_eq!(
            stakes(&f, &[L, L, L, L, W, W, L]),
            [1.0, 1.0, 2.0, 3.0, 5.0, 2.0, 1.0]
        );
    }

    #[test]
    fn labouchere_crosses_out_and_appends() {
        let l = Strategy::Labouchere {
            sequence: vec![1.0, 2.0, 3.0],
        };
        // 1+3 lose → line 1 2 3 4; 1+4 win → 2 3; 2+3 win → empty; restart at 1+3.
        assert_eq!(stakes(&l, &[L, W, W, L]), [4.0, 5.0, 5.0, 4.0]);
    }

    #[test]
    fn d_alembert_and_paroli_and_oscar() {
        let d = Strategy::DAlembert { unit: 1.0 };
        assert_eq!(stakes(&d, &[L, L, W, W, W]), [1.0, 2.0, 3.0, 2.0, 1.0]);
        let p = Strategy::default_for("paroli").unwrap();
        assert_eq!(stakes(&p, &[W, W, W, W, L]), [1.0, 2.0, 4.0, 1.0, 2.0]);
        // Oscar at 2x: −1, −2, a win to −1 raises to 2 (a win of 2 ends the cycle at +1),
        // that win resets to 1.
        let o = Strategy::OscarsGrind;
        assert_eq!(stakes(&o, &[L, L, W, W, W]), [1.0, 1.0, 1.0, 2.0, 1.0]);
    }

    #[test]
    fn params_are_checked_with_clear_errors() {
        let p = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        assert_eq!(
            Strategy::from_params("martingale", &p("multiplier", "3")).unwrap(),
            Strategy::Martingale {
                multiplier: 3.0,
                reset_after: 0
            }
        );
        let e = Strategy::from_params("martingale", &p("fraction", "0.1")).unwrap_err();
        assert!(e.to_string().contains("multiplier, reset_after"), "{e}");
        let e = Strategy::from_params("kelly", &p("fraction", "2")).unwrap_err();
        assert!(e.to_string().contains("at most 1"), "{e}");
        let e = Strategy::from_params("flat", &p("x", "1")).unwrap_err();
        assert!(e.to_string().contains("no parameters"), "{e}");
        let e = Strategy::from_params("hodl", &[]).unwrap_err();
        assert!(e.to_string().contains("martingale"), "{e}");
        let e = Strategy::from_params("labouchere", &p("sequence", "1,x")).unwrap_err();
        assert!(e.to_string().contains("\"x\""), "{e}");
        for name in Strategy::NAMES {
            let s = Strategy::default_for(name).unwrap();
            assert_eq!(s.name(), name);
            s.validate().unwrap();
            // What the form shows reads back as the same plan.
            let shown: Vec<(String, String)> = s
                .param_values()
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            assert_eq!(shown.len(), s.param_names().len());
            assert_eq!(Strategy::from_params(name, &shown).unwrap(), s);
        }
    }

    #[test]
    fn kelly_stakes_only_on_a_positive_edge() {
        assert!(kelly_fraction(0.97 / 2.0, 2.0) < 0.0);
        // p = 0.6 at 2x: f* = 0.2.
        assert!((kelly_fraction(0.6, 2.0) - 0.2).abs() < 1e-12);
        let mut k = Strategy::Kelly { fraction: 0.5 }.start(base(), 100.0);
        let mut v = View {
            round: 0,
            bankroll: 100.0,
            net: 0.0,
            signal: None,
        };
        assert_eq!(k.bets(&v).unwrap(), [None, None]);
        v.signal = Some(Signal {
            cashout: 2.0,
            p_low: 0.6,
        });
        let b = k.bets(&v).unwrap()[0].unwrap();
        assert!((b.stake - 10.0).abs() < 1e-9);
    }
}
