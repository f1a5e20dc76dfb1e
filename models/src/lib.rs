//! Quantitative core of JetX Predictor.
//!
//! Pure functions and plain data only (no web, DB or async types), so the same code runs in
//! the server, the CLI and the browser (wasm32).

pub mod analysis;
pub mod backtest;
pub mod bench;
pub mod bet;
pub mod bets;
pub mod decision;
pub mod error;
pub mod fairness;
pub mod features;
pub mod forecast;
pub mod generator;
pub mod hashchain;
pub mod import;
pub mod limits;
pub mod live;
pub mod overlap;
pub mod patterns;
pub mod planted;
pub mod provenance;
pub mod scores;
pub mod sessions;
pub mod stats;
pub mod strategy;
pub mod summary;
pub mod tally;
pub mod values;
pub mod walkforward;
