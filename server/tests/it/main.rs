//! The server's integration tests in one binary (one link on 2 cores instead of three),
//! sharing [`helpers`].

mod accounts;
mod accounts_scoping;
mod accounts_settings;
mod api;
mod autobet;
mod backtests;
mod bench;
mod bets;
mod cli;
mod helpers;
mod history;
mod import_choices;
mod instances;
mod limits;
mod live;
mod load;
mod one_ensemble;
mod openapi;
mod pages;
mod remote;
mod report_html;
mod reports;
mod security;
mod server_fns;
mod strategy;
mod strategy_law;
mod training;
