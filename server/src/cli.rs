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
    /// Fairness / randomness report of a history: house edge, goodness of fit, runs,
    /// Ljung–Box, streaks; each with its p-value, Holm correction and detection limit.
    Analyze {
        #[command(flatten)]
        input: HistoryInput,
        #[arg(long)]
        json: bool,
    },
    /// Pattern scan: every folk pattern (runs, big ones, position mod p, transitions, level
    /// of the recent past) as a rule "when CONDITION holds, P(X ≥ c) is …", with Holm / BH
    /// across the whole scan, an anytime-valid e-value, in- vs out-of-sample rates,
    /// detection limits and regime tests.
    Patterns {
        #[command(flatten)]
        input: HistoryInput,
        /// Cash-outs to test, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1.2,1.5,2,3,5,10")]
        cashouts: Vec<f64>,
        /// List every rule, not only the confirmed ones and the most significant per family.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Walk-forward backtest of a model against the fair-game law (train on the past,
    /// score the next round, refit on schedule).
    Backtest {
        #[command(flatten)]
        input: HistoryInput,
        /// baseline (fair law, fixed edge), fair-estimated, empirical, logistic, gbt, mlp,
        /// gru, tabnet or ensemble (stacked: logistic + gbt + mlp).
        #[arg(long, default_value = "logistic")]
        model: String,
        /// First round forecast (0-based index).
        #[arg(long, default_value_t = 1000)]
        start: usize,
        /// Refit every N rounds on an expanding window (0 = fit once).
        #[arg(long, default_value_t = 500)]
        refit_every: usize,
        /// Train on the last W rounds only (rolling window) instead of all the past.
        #[arg(long)]
        window: Option<usize>,
        /// Rounds left out between the training data and the forecast round.
        #[arg(long, default_value_t = 0)]
        gap: usize,
        /// Thresholds t of P(X ≥ t), comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1.5,2,3,5,10")]
        thresholds: Vec<f64>,
        #[arg(long)]
        json: bool,
    },
    /// Train the ensemble: a time-budgeted search inside the training period, a walk-forward
    /// comparison of every chosen member, the stacked ensemble and the fair law, then a fit on
    /// all rounds; saved as a new model version (and made active).
    Train {
        #[command(flatten)]
        input: HistoryInput,
        /// Time budget of the model search, e.g. 60s or 2m.
        #[arg(long, default_value = "60s")]
        budget: String,
        /// Members to consider: mlp, gru, tabnet, gbt, logistic, empirical, fair (default: all).
        #[arg(long, value_delimiter = ',')]
        members: Vec<String>,
        /// Where the networks train: cpu or cuda (cuda needs a build with --features cuda).
        #[arg(long, default_value = "cpu")]
        device: String,
        /// Save without making it the active model.
        #[arg(long)]
        no_activate: bool,
        #[arg(long)]
        json: bool,
        /// Report progress as JSON lines on standard output (used by the web app's
        /// training jobs).
        #[arg(long)]
        progress_json: bool,
    },
    /// Predict the next round: per-member and ensemble P(X ≥ t), each next to its base rate.
    Predict {
        #[command(flatten)]
        input: HistoryInput,
        /// Model version (default: the active one).
        #[arg(long)]
        version: Option<String>,
        /// Cash-out target the EV and the recommendation are for.
        #[arg(long, default_value_t = 2.0)]
        cashout: f64,
        /// Ask for 95% confidence (Rolling mode) instead of 85% (Normal).
        #[arg(long)]
        rolling: bool,
        #[arg(long)]
        json: bool,
    },
    /// List the trained model versions (* = active), or activate one.
    Models {
        /// Make this version the active one.
        #[arg(long)]
        activate: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Time the feature pipeline and a walk-forward run on a history.
    Bench {
        #[command(flatten)]
        input: HistoryInput,
        #[arg(long, default_value_t = 5)]
        repeats: usize,
        /// Also time the training of every member and the ensemble's next-round prediction
        /// next to the fair baseline's.
        #[arg(long)]
        models: bool,
        /// Time the pattern scan instead: whole scan, report, and one more round
        /// incrementally vs a full rescan (try `--synthetic 1000000`).
        #[arg(long, conflicts_with = "models")]
        patterns: bool,
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
    #[error(transparent)]
    Eval(#[from] models::error::EvalError),
    #[error(transparent)]
    Model(#[from] crate::modelcli::ModelCliError),
    #[error("{0}")]
    Usage(String),
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
        Command::Analyze { input, json } => {
            let values = load_history(&input, &config).await?;
            let cfg = models::fairness::ReportConfig {
                house_edge: config.house_edge,
                ..Default::default()
            };
            let report = models::fairness::report(&values, &cfg)?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            } else {
                print!("{}", models::fairness::render_text(&report));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Patterns {
            input,
            cashouts,
            all,
            json,
        } => {
            let values = load_history(&input, &config).await?;
            let cfg = models::patterns::PatternConfig {
                cashouts,
                house_edge: config.house_edge,
                listed_per_family: if all { usize::MAX } else { 25 },
                ..Default::default()
            };
            cfg.validate()?;
            let report = models::patterns::PatternReport::build(&values, &cfg);
            if json {
                print_json(&report)?;
            } else {
                print!("{}", models::patterns::text::render(&report));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Backtest {
            input,
            model,
            start,
            refit_every,
            window,
            gap,
            thresholds,
            json,
        } => {
            let mut forecaster = crate::modelcli::forecaster_for(&model)?;
            let refit = match (window, refit_every) {
                (Some(w), n) => models::walkforward::Refit::Rolling {
                    every: n.max(1),
                    window: w,
                },
                (None, 0) => models::walkforward::Refit::Never,
                (None, n) => models::walkforward::Refit::EveryN(n),
            };
            let values = load_history(&input, &config).await?;
            let cfg = models::backtest::BacktestConfig {
                walk: models::walkforward::WalkForwardConfig {
                    start,
                    gap,
                    refit,
                    thresholds,
                    ..Default::default()
                },
                house_edge: config.house_edge,
                ..Default::default()
            };
            let mut bar = crate::progress::Progress::new(format!("backtest {model}"));
            let summary = models::backtest::evaluate_forecaster(
                &values,
                forecaster.as_mut(),
                &cfg,
                |done, total| bar.update(done, total),
            )?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&summary).unwrap_or_default()
                );
            } else {
                print!("{}", models::backtest::render_text(&summary));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Train {
            input,
            budget,
            members,
            device,
            no_activate,
            json,
            progress_json,
        } => {
            let device: neural::DeviceChoice = device
                .parse()
                .map_err(|e: neural::NeuralError| CliError::Usage(e.to_string()))?;
            let values = load_history(&input, &config).await?;
            let args = crate::modelcli::TrainArgs {
                budget: crate::modelcli::parse_duration(&budget)?,
                members,
                device,
                models_dir: &config.models_dir,
                house_edge: config.house_edge,
                activate: !no_activate,
                source: input.file.as_ref().map(|p| p.display().to_string()),
                json_progress: progress_json,
            };
            let started = std::time::Instant::now();
            let (version, outcome) = crate::modelcli::train(&values, &args)?;
            if progress_json {
                crate::jobs::ProgressEvent::Saved {
                    version: version.clone(),
                    seconds: started.elapsed().as_secs_f64(),
                }
                .emit();
            } else if json {
                let out = serde_json::json!({
                    "version": version,
                    "seconds": started.elapsed().as_secs_f64(),
                    "scores": outcome.scores,
                    "search": outcome.search,
                });
                println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
            } else {
                print!("{}", ensemble::compare::render_text(&outcome.scores));
                println!(
                    "saved model {version} in {} ({:.1} s){}",
                    config.models_dir.display(),
                    started.elapsed().as_secs_f64(),
                    if no_activate { "" } else { ", now active" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Predict {
            input,
            version,
            cashout,
            rolling,
            json,
        } => {
            models::decision::check_cashout(cashout).map_err(|e| CliError::Usage(e.to_string()))?;
            let values = load_history(&input, &config).await?;
            let service = crate::modelcli::EnsemblePredictions::new(
                config.models_dir.clone(),
                config.house_edge,
                version,
            );
            let mode = if rolling {
                app::types::Mode::Rolling
            } else {
                app::types::Mode::Normal
            };
            let p = app::api::ssr::PredictionService::predict(&service, &values, cashout, mode);
            if json {
                print_json(&p)?;
            } else {
                print!("{}", crate::modelcli::render_prediction(&p));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Models { activate, json } => {
            if let Some(v) = activate {
                ensemble::registry::read_meta(&config.models_dir, &v)
                    .map_err(crate::modelcli::ModelCliError::from)?;
                ensemble::registry::set_active(&config.models_dir, &v)
                    .map_err(crate::modelcli::ModelCliError::from)?;
            }
            let infos = match ensemble::registry::list(&config.models_dir) {
                Ok(i) => i,
                Err(ensemble::registry::RegistryError::NoModels(_)) => Vec::new(),
                Err(e) => return Err(crate::modelcli::ModelCliError::from(e).into()),
            };
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&infos).unwrap_or_default()
                );
            } else {
                print!("{}", crate::modelcli::render_models(&infos));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            input,
            patterns: true,
            json,
            ..
        } => {
            let values = load_history(&input, &config).await?;
            let origin = std::time::Instant::now();
            let b =
                models::patterns::bench::measure(&values, 1000, || origin.elapsed().as_secs_f64());
            if json {
                print_json(&b)?;
            } else {
                println!("rounds                   {}", b.rounds);
                println!("rules × cash-outs        {}", b.tests);
                println!("scan (counts)            {:.3} s", b.scan_s);
                println!("full report              {:.3} s", b.report_s);
                println!(
                    "one more round           {:.1} µs incremental vs {:.3} s full rescan (baseline, same run): {:.0}x faster",
                    b.incremental_us, b.rescan_s, b.speedup
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            input,
            repeats,
            models,
            json,
            ..
        } => {
            let values = load_history(&input, &config).await?;
            let origin = std::time::Instant::now();
            let report =
                models::bench::measure(&values, repeats, || origin.elapsed().as_secs_f64())?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            } else {
                println!("rounds                   {}", report.rounds);
                println!("features per row         {}", report.features);
                println!(
                    "feature matrix           {:.0} rows/s (one pass, best of {repeats})",
                    report.feature_rows_per_s
                );
                println!(
                    "naive recomputation      {:.0} rows/s (baseline, same run): one pass is {:.1}x faster",
                    report.naive_rows_per_s,
                    report.feature_rows_per_s / report.naive_rows_per_s.max(1e-12)
                );
                println!(
                    "logistic walk-forward    {:.3} s ({} fits, refit every 500 from round 1000)",
                    report.walk_forward_s, report.walk_forward_fits
                );
            }
            if models {
                let nets = neural::bench_training(&values)
                    .map_err(crate::modelcli::ModelCliError::from)?;
                let mut members = ensemble::timing::default_members(ensemble::GbtConfig::default());
                members.extend(
                    crate::neural_members::factories(neural::DeviceChoice::Cpu, 1)
                        .map_err(crate::modelcli::ModelCliError::from)?,
                );
                let timing = ensemble::timing::measure(
                    &values,
                    members,
                    ensemble::GbtConfig::default(),
                    ensemble::StackConfig::default(),
                    repeats.max(1) * 40,
                )?;
                if json {
                    let out = serde_json::json!({ "networks": nets.iter().map(|r| serde_json::json!({
                        "member": r.member, "rounds": r.rounds, "seconds": r.seconds, "epochs": r.epochs
                    })).collect::<Vec<_>>(), "ensemble": timing });
                    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
                } else {
                    for r in &nets {
                        println!(
                            "train {:<30} {:.2} s ({} epochs, {} rounds)",
                            r.member, r.seconds, r.epochs, r.rounds
                        );
                    }
                    print!("{}", ensemble::timing::render_text(&timing));
                }
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

/// Reads the history to analyse. Unreadable rows of a file are listed on stderr, never
/// silently dropped; the analysis runs on the readable ones, in order.
async fn load_history(
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
            let (_, report) = app::importer::read_file(path, &config.rules).await?;
            let faults = app::importer::fault_list(&report);
            if !faults.is_empty() {
                eprintln!(
                    "note: {} of {} rows cannot be read and are left out:",
                    faults.len(),
                    report.rows.len()
                );
                for f in &faults {
                    eprintln!("  {}", f.message);
                }
            }
            Ok(report.valid_values())
        }
        None => {
            let pool = db::connect(&config.database).await?;
            Ok(db::all_values(&pool).await?)
        }
    }
}

/// Prints `value` as pretty JSON; a value that cannot be serialised is an error, never
/// an empty line.
fn print_json<T: serde::Serialize>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Usage(format!("cannot write the result as JSON: {e}")))?;
    println!("{text}");
    Ok(())
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
