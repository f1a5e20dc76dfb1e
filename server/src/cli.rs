//! Command-line interface of the `jetx` binary.

use crate::config::{Config, ConfigError, Overrides};
use app::db::{self, DbError};
use app::importer::{import_file, ImportFailure};
use app::types::{ImportOutcome, OnFault};
use clap::{Parser, Subcommand};
use models::summary::{category_shares, Summary};
use std::io::Write;
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
    /// SQLite database file (default: data/jetx.sqlite; env JETX_DATABASE).
    #[arg(long, global = true, value_name = "FILE")]
    pub db: Option<PathBuf>,
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
    Import {
        file: PathBuf,
        /// Only report what would be imported.
        #[arg(long)]
        dry_run: bool,
        /// Store the readable rows when some rows cannot be read (default: store nothing).
        #[arg(long)]
        skip_faulty: bool,
        /// Print the outcome as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write every round as CSV (oldest first).
    Export {
        /// Output file (default: standard output).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Print statistics of the stored history next to the fair-game values.
    Stats {
        #[arg(long)]
        json: bool,
    },
    /// Load a synthetic demo history into an empty database (or remove it with --remove).
    Demo {
        #[arg(long, default_value_t = 2000)]
        rounds: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long)]
        remove: bool,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Import(#[from] ImportFailure),
    #[error("cannot listen on {0}: {1}")]
    Bind(String, std::io::Error),
    #[error("cannot write {0}: {1}")]
    Write(String, std::io::Error),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
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
    let config = Config::load(&overrides, |k| std::env::var(k).ok())?;
    match cli.command.unwrap_or(Command::Serve { addr: None }) {
        Command::Serve { .. } => {
            crate::web::serve(config).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            file,
            dry_run,
            skip_faulty,
            json,
        } => {
            let pool = db::connect(&config.database).await?;
            let on_fault = if skip_faulty {
                OnFault::SkipFaulty
            } else {
                OnFault::Refuse
            };
            let started = std::time::Instant::now();
            let result = import_file(&pool, &file, &config.rules, dry_run, on_fault).await;
            let elapsed = started.elapsed();
            match result {
                Ok(outcome) => {
                    print_outcome(&outcome, json);
                    if !json {
                        println!("took {:.0} ms", elapsed.as_secs_f64() * 1000.0);
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(ImportFailure::Faults(outcome)) => {
                    print_outcome(&outcome, json);
                    eprintln!(
                        "nothing was stored: {} rows cannot be read. Fix them, or run again with --skip-faulty to store the {} readable rows.",
                        outcome.faults.len(),
                        outcome.valid
                    );
                    Ok(ExitCode::from(1))
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Export { output } => {
            let pool = db::connect(&config.database).await?;
            let rounds = db::all_rounds(&pool).await?;
            let csv = models::import::write_csv(
                rounds
                    .iter()
                    .map(|r| (r.id, r.value, r.synthetic, r.created_at.as_str())),
            );
            match output {
                Some(path) => std::fs::write(&path, csv)
                    .map_err(|e| CliError::Write(path.display().to_string(), e))?,
                None => std::io::stdout()
                    .write_all(csv.as_bytes())
                    .map_err(|e| CliError::Write("standard output".into(), e))?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Stats { json } => {
            let pool = db::connect(&config.database).await?;
            let values = db::all_values(&pool).await?;
            let summary = Summary::compute(&values, config.house_edge);
            let categories = category_shares(&values, config.house_edge);
            if json {
                let out = serde_json::json!({ "summary": summary, "categories": categories });
                println!("{out:#}");
            } else {
                print!("{}", render_stats(&summary, &categories));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            rounds,
            seed,
            remove,
        } => {
            let pool = db::connect(&config.database).await?;
            if remove {
                let n = db::remove_demo(&pool).await?;
                println!("removed {n} synthetic rounds");
            } else {
                let info = db::load_demo(&pool, rounds, seed, config.house_edge).await?;
                println!(
                    "loaded {} synthetic rounds (fair generator, seed {}, house edge {})",
                    info.rounds, info.seed, info.house_edge
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_outcome(outcome: &ImportOutcome, json: bool) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(outcome).unwrap_or_default()
        );
        return;
    }
    println!(
        "read {} rows as {}: {} readable, {} cannot be read{}",
        outcome.rows,
        outcome.format,
        outcome.valid,
        outcome.faults.len(),
        if outcome.dry_run { " (dry run)" } else { "" }
    );
    for f in &outcome.faults {
        println!("  {}", f.message);
    }
    if outcome.stored > 0 {
        println!("stored {} rounds", outcome.stored);
    }
}

/// The `stats` text: each share with its 95% interval and the fair-game value.
pub fn render_stats(s: &Summary, categories: &[models::summary::CategoryShare]) -> String {
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
    let mut out = String::new();
    out.push_str(&format!("rounds            {}\n", s.count));
    for (label, p) in [
        ("share >= 1.5x", &s.at_least_1_5),
        ("share >= 2x", &s.at_least_2),
    ] {
        if p.n > 0 {
            out.push_str(&format!(
                "{label:<17} {} (95% CI {}–{}), fair game {}\n",
                pct(p.share),
                pct(p.low),
                pct(p.high),
                pct(p.fair)
            ));
        }
    }
    if let Some(m) = s.median {
        out.push_str(&format!(
            "median            {m:.2}x (fair game {:.2}x)\n",
            2.0 * (1.0 - s.house_edge)
        ));
    }
    if let Some(m) = s.max {
        out.push_str(&format!("max               {m}x\n"));
    }
    if let Some(st) = s.streak {
        let side = match st.side {
            models::summary::StreakSide::Below => "below",
            models::summary::StreakSide::AtLeast => "at or above",
        };
        out.push_str(&format!(
            "current streak    {} {side} {}x\n",
            st.length, st.threshold
        ));
    }
    for c in categories {
        out.push_str(&format!(
            "{:<17} {} (fair game {})\n",
            c.label,
            pct(c.share),
            pct(c.fair_share)
        ));
    }
    out
}
