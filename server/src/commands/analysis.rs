//! `analyze` (fairness report) and `patterns` (the pattern scan) of a history.

use super::{load_history, print, CliError, HistoryInput};
use crate::config::Config;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    pub input: HistoryInput,
    #[arg(long)]
    pub json: bool,
}

pub async fn analyze(config: &Config, args: AnalyzeArgs) -> Result<ExitCode, CliError> {
    let values = load_history(&args.input, config).await?;
    let cfg = models::fairness::ReportConfig {
        house_edge: config.house_edge,
        ..Default::default()
    };
    let report = models::fairness::report(&values, &cfg)?;
    print(&report, args.json, models::fairness::render_text)?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct PatternsArgs {
    #[command(flatten)]
    pub input: HistoryInput,
    /// Cash-outs to test, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1.2,1.5,2,3,5,10")]
    pub cashouts: Vec<f64>,
    /// List every rule, not only the confirmed ones and the most significant per family.
    #[arg(long)]
    pub all: bool,
    #[arg(long)]
    pub json: bool,
}

pub async fn patterns(config: &Config, args: PatternsArgs) -> Result<ExitCode, CliError> {
    // The stored rounds' clock, as the Patterns page reads them.
    let (values, clock) = super::load_history_with_clock(&args.input, config, None).await?;
    let cfg = models::patterns::PatternConfig {
        cashouts: args.cashouts,
        house_edge: config.house_edge,
        listed_per_family: if args.all { usize::MAX } else { 25 },
        ..Default::default()
    };
    cfg.validate()?;
    let report = models::patterns::PatternReport::build_with_clock(&values, clock, &cfg);
    print(&report, args.json, models::patterns::text::render)?;
    Ok(ExitCode::SUCCESS)
}
