//! Use cases of the server side, free of HTTP and Leptos types: server functions, REST
//! handlers and CLI commands parse, call one of these, and format. Each has a typed error
//! whose HTTP status comes from `status_code`.

pub mod patterns;
pub mod training;
