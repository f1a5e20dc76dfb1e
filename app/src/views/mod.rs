//! Types of the pages past the dashboard, shared by the browser, the server functions and
//! the REST API, one file per resource (the rounds, the dashboard and the next-round
//! estimate are in [`crate::types`]).

mod accounts;
mod analysis;
mod backtest;
mod bets;
mod limits;
mod models;
mod predictions;
mod report_html;
mod strategy;

pub use accounts::*;
pub use analysis::*;
pub use backtest::*;
pub use bets::*;
pub use limits::*;
pub use models::*;
pub use predictions::*;
pub use report_html::*;
pub use strategy::*;
