//! Use cases of the server side, free of HTTP and Leptos types: server functions, REST
//! handlers and CLI commands parse, call one of these, and format; none of them touches
//! the database or the state's services directly. Each has a typed error whose status and
//! code become an [`crate::errors::AppError`].

pub mod accounts;
pub mod analysis;
pub mod backtest;
pub mod bets;
pub mod import;
pub mod leases;
pub mod limits;
pub mod models;
pub mod patterns;
pub mod predictions;
pub mod report_html;
pub mod rounds;
pub mod strategy;
pub mod training;

crate::http_status_by_method!(patterns::PatternsError);
