//! Quantitative core of JetX Predictor.
//!
//! Pure functions and plain data only (no web, DB or async types), so the same code runs in
//! the server, the CLI and the browser (wasm32).

pub mod generator;
pub mod import;
pub mod summary;
pub mod values;
pub mod error;
pub mod stats;
pub mod features;
pub mod forecast;
pub mod walkforward;
pub mod scores;
pub mod backtest;
pub mod hashchain;
pub mod planted;
pub mod fairness;
pub mod bench;
