//! The `jetx` subcommands, one function per subcommand: parse the arguments (clap did),
//! call the use case, print text or JSON. `cli` parses and dispatches; nothing here
//! depends on it.

pub mod analysis;
pub mod bench;
pub mod data;
pub mod forecasting;
pub mod remote;
pub mod remote_jobs;
pub mod render;
pub mod strategy;
pub mod users;
pub mod verify;

use crate::config::{Config, ConfigError};
use app::api::ssr::{FairLawEstimator, NoTraining, ServerState};
use app::db::DbError;
use app::service::import::ImportFailure;
use app::service::rounds::RoundsError;
use models::patterns::clock::Clock;
use std::path::PathBuf;

/// Why a command failed (exit code 2, the message on standard error).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Import(#[from] ImportFailure),
    #[error(transparent)]
    Rounds(#[from] RoundsError),
    #[error(transparent)]
    Serve(#[from] crate::web::ServeError),
    #[error("cannot write {0}: {1}")]
    Write(String, std::io::Error),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error(transparent)]
    Eval(#[from] models::error::EvalError),
    #[error(transparent)]
    Model(#[from] crate::trainer::TrainerError),
    #[error(transparent)]
    Models(#[from] app::errors::ModelError),
    #[error(transparent)]
    Accounts(#[from] app::service::accounts::AccountError),
    #[error("the server answered {} {}: {}", .0.status, .0.code, .0.message)]
    Remote(app::errors::AppError),
    #[error("{0}")]
    Usage(String),
}

/// Where a history comes from: a file, or the database when no file is given.
#[derive(Debug, clap::Args)]
pub struct HistoryInput {
    /// CSV / text / Python-app .db file (default: the stored rounds).
    pub file: Option<PathBuf>,
    /// Analyse a synthetic fair history of N rounds instead (seeded; for comparison).
    #[arg(long, value_name = "N", conflicts_with = "file")]
    pub synthetic: Option<usize>,
    #[arg(long, default_value_t = 42, requires = "synthetic")]
    pub seed: u64,
}

/// Reads the history to analyse. Unreadable rows of a file are listed on stderr, never
/// silently dropped; the analysis runs on the readable ones, in order.
pub async fn load_history(
    input: &HistoryInput,
    config: &Config,
) -> Result<Vec<models::values::Multiplier>, CliError> {
    if let Some(n) = input.synthetic {
        return Ok(models::generator::FairGenerator {
            seed: input.seed,
            house_edge: config.house_edge,
        }
        .generate(n));
    }
    match &input.file {
        Some(path) => {
            let rules = app::service::import::file_rules(&config.rules);
            let (_, report) = app::service::import::read_file(path, &rules).await?;
            let faults = app::service::import::fault_list(&report);
            if !faults.is_empty() {
                eprintln!(
                    "note: {} of {} rows cannot be read and are left out:",
                    faults.len(),
                    report.row_count
                );
                for f in &faults {
                    eprintln!("  {}", f.message);
                }
            }
            Ok(report.values)
        }
        None => {
            let state = local_state(config).await?;
            Ok(app::service::rounds::values(&state).await?)
        }
    }
}

/// As [`load_history`], with the clock of the rounds typed live when the history is the
/// stored one (a file or a synthetic history carries no times), the next round placed at
/// `next_ms` (now when `None`).
pub async fn load_history_with_clock(
    input: &HistoryInput,
    config: &Config,
    next_ms: Option<i64>,
) -> Result<
    (
        Vec<models::values::Multiplier>,
        Option<std::sync::Arc<Clock>>,
    ),
    CliError,
> {
    if input.file.is_some() || input.synthetic.is_some() {
        return Ok((load_history(input, config).await?, None));
    }
    let snap = local_state(config).await?.history().await?;
    let clock = match next_ms {
        Some(ms) => snap.clock(ms),
        None => snap.clock_now(),
    };
    Ok((snap.values.as_ref().clone(), clock))
}

/// The state the commands that read or write the stored rounds use: the same services as
/// the web server, with the fair law as the estimator and no training jobs.
pub async fn local_state(config: &Config) -> Result<ServerState, CliError> {
    let pool = app::db::connect(&config.database).await?;
    let estimator = std::sync::Arc::new(FairLawEstimator {
        house_edge: config.house_edge,
        notice: String::new(),
    });
    let training = std::sync::Arc::new(NoTraining::default());
    Ok(ServerState::new(
        pool,
        config.rules,
        config.house_edge,
        estimator,
        training,
    ))
}

/// Prints `value` as pretty JSON; a value that cannot be serialised is an error, never
/// an empty line.
pub fn print_json<T: serde::Serialize>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Usage(format!("cannot write the result as JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

/// Prints `value` as JSON when `json` is set, else the text `render` makes of it.
pub fn print<T: serde::Serialize>(
    value: &T,
    json: bool,
    render: impl FnOnce(&T) -> String,
) -> Result<(), CliError> {
    if json {
        print_json(value)
    } else {
        print!("{}", render(value));
        Ok(())
    }
}
