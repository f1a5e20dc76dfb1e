//! Strategy lab: staking plans (martingale, Fibonacci, Kelly, …) run on a history
//! (**replay**) or on many simulated ones under the fair law (**Monte Carlo**).
//!
//! The arithmetic every result here illustrates: each bet's stake and cash-out are fixed
//! before the round, and under the fair law every bet of stake s loses h·s on average
//! whatever its cash-out, so a plan's expected loss is h × its expected turnover (Wald's
//! identity). No staking plan turns a negative-EV game positive; it only reshapes the
//! distribution (many small wins against a rare ruin, or the reverse).
//!
//! Layers, one way: [`plan`] (what a plan is: bets, views, the `Staker` machine, the
//! `Strategy` spec) ← [`params`], [`plans`] (the built-in machines), [`script`] (user
//! scripts) ← [`staking`] (the catalogue: a spec made ready to run) ← [`engine`] (one path:
//! limits, ruin, settlement) ← [`report`] (Monte Carlo, replay, percentiles). [`exact`]
//! holds the closed forms the tests check the simulation against.

#[cfg(feature = "script")]
pub mod autobet;
pub mod bench;
pub mod config;
pub mod engine;
pub mod exact;
pub mod examples;
pub mod inputs;
pub mod law;
pub mod params;
pub mod plan;
pub mod plans;
pub mod report;
#[cfg(feature = "script")]
pub mod script;
pub mod staking;
pub mod summary;
pub mod verdict;

pub use engine::{Limits, PathSummary, Signal};
pub use plan::{Strategy, StrategyError};
pub use report::{
    monte_carlo, monte_carlo_external, monte_carlo_observed, monte_carlo_under, play_signals,
    replay, SimulationConfig, SimulationResult,
};
