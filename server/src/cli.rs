//! Command-line interface of the `jetx` binary: the argument parser and the dispatch to
//! one function per subcommand in [`crate::commands`].

use crate::commands::{self as cmd, CliError};
use crate::config::{Config, Overrides};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "jetx",
    version,
    about = "JetX Predictor: record JetX rounds and see what the history really says"
)]
pub struct Cli {
    /// TOML settings file (default: ./jetx.toml when it exists).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// SQLite database file, or a postgres:// URL (default: data/jetx.sqlite; env JETX_DATABASE).
    #[arg(long, global = true, value_name = "FILE")]
    pub db: Option<PathBuf>,
    /// Work on this server's stored rounds through its REST API instead of a local
    /// database (stats, export, import, analyze, patterns, predict, train, backtest,
    /// simulate, models), e.g.
    /// `https://jetx.example.com` (env JETX_SERVER).
    #[arg(long, global = true, value_name = "URL", env = "JETX_SERVER")]
    pub server: Option<String>,
    /// The API token a hosted server asks for (create one on its account page; env
    /// JETX_TOKEN).
    #[arg(
        long,
        global = true,
        value_name = "TOKEN",
        env = "JETX_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web app (the default).
    Serve {
        /// Address to listen on (default 127.0.0.1:3000; env JETX_ADDR).
        #[arg(long)]
        addr: Option<String>,
    },
    /// Import rounds from a CSV/text file or the Python JetX Predictor's .db file.
    Import(cmd::data::ImportArgs),
    /// Write every round as CSV (oldest first).
    Export(cmd::data::ExportArgs),
    /// Print statistics of the stored history next to the fair-game values.
    Stats {
        #[arg(long)]
        json: bool,
    },
    /// Fairness / randomness report of a history: house edge, goodness of fit, runs,
    /// Ljung–Box, streaks; each with its p-value, Holm correction and detection limit.
    Analyze(cmd::analysis::AnalyzeArgs),
    /// Pattern scan: every folk pattern (runs, big ones, position mod p, transitions, level
    /// of the recent past) as a rule "when CONDITION holds, P(X ≥ c) is …", with Holm / BH
    /// across the whole scan, an anytime-valid e-value, in- vs out-of-sample rates,
    /// detection limits and regime tests.
    Patterns(cmd::analysis::PatternsArgs),
    /// Walk-forward backtest of a model against the fair-game law (train on the past,
    /// score the next round, refit on schedule).
    Backtest(cmd::forecasting::BacktestArgs),
    /// Train the ensemble: a time-budgeted search inside the training period, a walk-forward
    /// comparison of every chosen member, the stacked ensemble and the fair law, then a fit on
    /// all rounds; saved as a new model version (and made active).
    Train(cmd::forecasting::TrainArgs),
    /// Predict the next round: per-member and ensemble P(X ≥ t), each next to its base rate.
    Predict(cmd::forecasting::PredictArgs),
    /// List the trained model versions (* = active), or activate one.
    Models(cmd::forecasting::ModelsArgs),
    /// Time the feature pipeline and a walk-forward run on a history.
    Bench(cmd::bench::BenchArgs),
    /// Strategy lab: a staking plan (martingale, Fibonacci, Kelly, …) run many times under
    /// the fair law (Monte Carlo) or replayed on a history, next to flat betting: ruin,
    /// final bankroll, drawdown, and the closed-form expected loss (house edge × turnover).
    Simulate(cmd::strategy::SimulateArgs),
    /// Recompute a fairness, pattern or backtest report (`--json`) from a history and the
    /// settings the report carries: exit 0 when every number is reproduced, 1 when the
    /// values' SHA-256 or any number differs (listed).
    VerifyReport(cmd::verify::VerifyArgs),
    /// Load a synthetic demo history into an empty database (or remove it with --remove).
    Demo(cmd::data::DemoArgs),
    /// Accounts of a hosted server (`accounts = true`): add, delete, list.
    #[command(subcommand)]
    User(cmd::users::UserCommand),
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return report(CliError::Runtime(e)),
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => report(e),
    }
}

fn report(e: CliError) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(2)
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// A subcommand against a server's REST API (`--server`): those that read or change the
/// stored rounds; the others run on this machine only.
fn run_remote(remote: &cmd::remote::Remote, command: Command) -> Result<ExitCode, CliError> {
    use cmd::remote;
    match command {
        Command::Stats { json } => remote::stats(remote, json),
        Command::Export(args) => remote::export(remote, args),
        Command::Import(args) => remote::import(remote, args),
        Command::Analyze(args) => remote::analyze(remote, args),
        Command::Patterns(args) => remote::patterns(remote, args),
        Command::Predict(args) => remote::predict(remote, args),
        Command::Train(args) => cmd::remote_jobs::train(remote, args),
        Command::Backtest(args) => cmd::remote_jobs::backtest(remote, args),
        Command::Simulate(args) => cmd::remote_jobs::simulate(remote, args),
        Command::Models(args) => cmd::remote_jobs::models(remote, args),
        other => {
            let name = format!("{other:?}");
            let name = name
                .split(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or_default();
            Err(remote::local_only(&name.to_lowercase()))
        }
    }
}

/// Loads the settings and runs the subcommand (`serve` when none is given).
pub async fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let addr = match &cli.command {
        Some(Command::Serve { addr }) => addr.clone(),
        _ => None,
    };
    let overrides = Overrides {
        config_file: cli.config.clone(),
        database: cli.db.clone(),
        addr,
    };
    if let Some(server) = &cli.server {
        let remote = cmd::remote::Remote::new(server, cli.token.clone());
        return run_remote(
            &remote,
            cli.command.unwrap_or(Command::Serve { addr: None }),
        );
    }
    let config: Config = Config::load(&overrides, |k| std::env::var(k).ok())?;
    match cli.command.unwrap_or(Command::Serve { addr: None }) {
        Command::Serve { .. } => {
            crate::web::serve(config).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(args) => cmd::data::import(&config, args).await,
        Command::Export(args) => cmd::data::export(&config, args).await,
        Command::Stats { json } => cmd::data::stats(&config, json).await,
        Command::Demo(args) => cmd::data::demo(&config, args).await,
        Command::Analyze(args) => cmd::analysis::analyze(&config, args).await,
        Command::Patterns(args) => cmd::analysis::patterns(&config, args).await,
        Command::VerifyReport(args) => cmd::verify::verify_report(&config, args).await,
        Command::Backtest(args) => cmd::forecasting::backtest(&config, args).await,
        Command::Train(args) => cmd::forecasting::train(&config, args).await,
        Command::Predict(args) => cmd::forecasting::predict(&config, args).await,
        Command::Models(args) => cmd::forecasting::list(&config, args).await,
        Command::Bench(args) => cmd::bench::run(&config, args).await,
        Command::Simulate(args) => cmd::strategy::simulate(&config, args).await,
        Command::User(command) => cmd::users::run(&config, command).await,
    }
}
