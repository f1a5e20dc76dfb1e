//! Use cases of the server side, free of HTTP and Leptos types: server functions, REST
//! handlers and CLI commands parse, call one of these, and format. Each has a typed error
//! whose HTTP status comes from `status_code`.

pub mod backtest;
pub mod ledger;
pub mod patterns;
pub mod play;
pub mod prediction;
pub mod rounds;
pub mod strategy;
pub mod training;

crate::http_status_by_method!(patterns::PatternsError);
