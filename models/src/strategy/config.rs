//! What a strategy-lab run needs (plan, stakes, limits, paths, rounds, seed) and the one
//! check of it.

use super::engine::Limits;
use super::plan::{Base, Strategy, StrategyError};
use serde::{Deserialize, Serialize};

/// Largest Monte Carlo run the lab accepts (paths × rounds).
pub const MAX_PATH_ROUNDS: u64 = 200_000_000;
/// Largest Monte Carlo run of a user script (paths × rounds): a script is interpreted, about
/// a hundred times slower than a built-in plan.
pub const MAX_SCRIPT_PATH_ROUNDS: u64 = 2_000_000;
/// Fan-chart points per path (plus the start).
pub const FAN_POINTS: usize = 100;

/// Everything a run needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulationConfig {
    pub strategy: Strategy,
    /// The base stake (one unit of every plan).
    pub stake: f64,
    pub cashout: f64,
    pub limits: Limits,
    pub house_edge: f64,
    /// Monte Carlo only: how many paths, how many rounds each, and the seed.
    pub paths: usize,
    pub rounds: usize,
    pub seed: u64,
}

impl Default for SimulationConfig {
    fn default() -> Self {
        Self {
            strategy: Strategy::Flat,
            stake: 1.0,
            cashout: 2.0,
            limits: Limits::default(),
            house_edge: crate::generator::DEFAULT_HOUSE_EDGE,
            paths: 10_000,
            rounds: 1_000,
            seed: 42,
        }
    }
}

pub(super) fn setting(msg: impl Into<String>) -> StrategyError {
    StrategyError::BadSetting(msg.into())
}

fn positive(name: &str, x: f64) -> Result<(), StrategyError> {
    if x > 0.0 && x <= 1e12 {
        Ok(())
    } else {
        Err(setting(format!("{name} must be above 0 (got {x})")))
    }
}

impl SimulationConfig {
    /// The one check of every setting a user gives (CLI, REST, page).
    pub fn validate(&self) -> Result<(), StrategyError> {
        self.strategy.validate()?;
        self.validate_settings()
    }

    /// Every setting but the plan itself (a plan run from outside the crate, such as the
    /// browser's JavaScript script, is checked where it runs).
    pub fn validate_settings(&self) -> Result<(), StrategyError> {
        let l = &self.limits;
        positive("bankroll", l.bankroll)?;
        positive("stake", self.stake)?;
        positive("minimum bet", l.min_bet)?;
        if self.stake < l.min_bet {
            return Err(setting(format!(
                "stake {} is below the minimum bet {}",
                self.stake, l.min_bet
            )));
        }
        if l.bankroll < self.stake {
            return Err(setting(format!(
                "bankroll {} cannot cover one stake of {}",
                l.bankroll, self.stake
            )));
        }
        for (name, v) in [
            ("max stake", l.max_stake),
            ("stop-loss", l.stop_loss),
            ("take-profit", l.take_profit),
        ] {
            if let Some(v) = v {
                positive(name, v)?;
            }
        }
        if l.max_bets == Some(0) {
            return Err(setting("max bets must be at least 1"));
        }
        crate::bet::check_cashout(self.cashout).map_err(|e| setting(e.to_string()))?;
        if !(0.0..0.5).contains(&self.house_edge) {
            return Err(setting("house edge must be in [0, 0.5)"));
        }
        if self.paths == 0 || self.rounds == 0 {
            return Err(setting("paths and rounds must be at least 1"));
        }
        if self.paths as u64 * self.rounds as u64 > MAX_PATH_ROUNDS {
            return Err(setting(format!(
                "{} paths × {} rounds is more than the {MAX_PATH_ROUNDS} path-rounds one run may take",
                self.paths, self.rounds
            )));
        }
        if matches!(self.strategy, Strategy::Autobet { .. }) && self.limits.max_stake.is_some() {
            return Err(setting(
                "a max stake does not apply to an autobet script: the script sets its own wagers",
            ));
        }
        if matches!(
            self.strategy,
            Strategy::Script { .. } | Strategy::Autobet { .. }
        ) && self.paths as u64 * self.rounds as u64 > MAX_SCRIPT_PATH_ROUNDS
        {
            return Err(setting(format!(
                "{} paths × {} rounds is more than the {MAX_SCRIPT_PATH_ROUNDS} path-rounds a script may run (e.g. 2,000 paths × 1,000 rounds)",
                self.paths, self.rounds
            )));
        }
        Ok(())
    }

    pub(super) fn base(&self) -> Base {
        Base {
            stake: self.stake,
            cashout: self.cashout,
            house_edge: self.house_edge,
        }
    }
}
