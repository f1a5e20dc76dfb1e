//! JetX Predictor server: the web app, the REST API and the command-line tool.
// The page views nest deeply typed Leptos views (see AnalysisPage).
#![recursion_limit = "256"]

pub mod cli;
pub mod commands;
pub mod config;
pub mod jobs;
pub mod metrics;
pub mod modelcli;
pub mod neural_members;
pub mod prediction;
pub mod progress;
pub mod rest;
pub mod security;
pub mod web;
