//! JetX Predictor server: the web app, the REST API and the command-line tool.
// The page views nest deeply typed Leptos views (see AnalysisPage).
#![recursion_limit = "256"]

pub mod accounts;
pub mod cli;
pub mod commands;
pub mod config;
pub mod estimator;
pub mod jobs;
pub mod metrics;
pub mod neural_members;
pub mod progress;
pub mod registry_sync;
pub mod rest;
pub mod security;
pub mod trainer;
pub mod web;
