//! `verify-report`: recomputes a fairness, pattern or backtest report from the values and
//! the settings it carries, and says whether it is reproduced.

use super::{load_history, CliError, HistoryInput};
use crate::config::Config;
use models::patterns::clock::Clock;
use models::provenance::{differences, values_sha256, ClockProvenance, Provenance};
use models::values::Multiplier;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub input: HistoryInput,
    /// The report as `--json` printed it (`jetx analyze`, `patterns` or `backtest`).
    #[arg(long, value_name = "REPORT.json")]
    pub report: PathBuf,
}

/// Keys that are measurements of the run, not results (never compared).
const VOLATILE: &[&str] = &["seconds", "elapsed_s", "took_ms"];

pub async fn verify_report(config: &Config, args: VerifyArgs) -> Result<ExitCode, CliError> {
    let text = std::fs::read_to_string(&args.report)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", args.report.display())))?;
    let stored: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| CliError::Usage(format!("{} is not JSON: {e}", args.report.display())))?;
    let provenance: Provenance = serde_json::from_value(stored["provenance"].clone())
        .map_err(|_| {
            CliError::Usage(
                "the report carries no provenance (values hash, method, settings): make it again with this version"
                    .into(),
            )
        })?;
    let (values, clock) = match &provenance.clock {
        None => (load_history(&args.input, config).await?, None),
        Some(stored) => match read_clock(config, &args, stored).await? {
            Ok(read) => read,
            Err(why) => {
                println!("NOT REPRODUCED: {why}");
                return Ok(ExitCode::from(1));
            }
        },
    };
    let sha = values_sha256(&values);
    if sha != provenance.values_sha256 {
        println!(
            "NOT REPRODUCED: these are not the values the report read ({} rounds, SHA-256 {sha}; the report read {} rounds, SHA-256 {})",
            values.len(),
            provenance.rounds,
            provenance.values_sha256
        );
        return Ok(ExitCode::from(1));
    }
    let recomputed = recompute(&provenance, &values, clock)?;
    let diffs = differences(&stored, &recomputed, VOLATILE);
    let current = current_version(&provenance.method);
    if diffs.is_empty() {
        println!(
            "REPRODUCED: {} report of {} rounds (SHA-256 {sha}), method version {}, every number recomputed and equal",
            provenance.method, provenance.rounds, provenance.method_version
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "NOT REPRODUCED: {} of the report's values differ when recomputed from the same {} rounds",
        diffs.len(),
        provenance.rounds
    );
    if current != provenance.method_version {
        println!(
            "  the report was made by {} method version {}; this program has version {current}",
            provenance.method, provenance.method_version
        );
    }
    for d in diffs.iter().take(20) {
        println!("  {d}");
    }
    Ok(ExitCode::from(1))
}

fn current_version(method: &str) -> u32 {
    use models::provenance::{BACKTEST_VERSION, FAIRNESS_VERSION, PATTERNS_VERSION};
    match method {
        "fairness" => FAIRNESS_VERSION,
        "patterns" => PATTERNS_VERSION,
        _ => BACKTEST_VERSION,
    }
}

/// The stored rounds and their clock, with the next round where the report placed it; or
/// why the times the report read are not there.
async fn read_clock(
    config: &Config,
    args: &VerifyArgs,
    stored: &ClockProvenance,
) -> Result<Result<(Vec<Multiplier>, Option<Arc<Clock>>), String>, CliError> {
    if args.input.file.is_some() || args.input.synthetic.is_some() {
        return Ok(Err(format!(
            "the report read the times of {} rounds typed live (its clock rules), which a file does not carry: run verify-report without FILE, on the database that holds them",
            stored.timed_rounds
        )));
    }
    let (values, clock) =
        super::load_history_with_clock(&args.input, config, stored.next_round_ms).await?;
    let now = clock
        .as_deref()
        .map(|c| ClockProvenance::new(c.times(), c.next_ms()));
    let same = now.as_ref().is_some_and(|c| {
        (c.timed_rounds, &c.times_sha256) == (stored.timed_rounds, &stored.times_sha256)
    });
    if !same {
        return Ok(Err(format!(
            "these are not the times the report read ({} timed rounds here, SHA-256 {}; the report read {}, SHA-256 {})",
            now.as_ref().map_or(0, |c| c.timed_rounds),
            now.as_ref().map_or("-", |c| c.times_sha256.as_str()),
            stored.timed_rounds,
            stored.times_sha256
        )));
    }
    Ok(Ok((values, clock)))
}

/// The report its provenance describes, made again from `values` (and the clock of a
/// report with clock rules).
fn recompute(
    p: &Provenance,
    values: &[Multiplier],
    clock: Option<Arc<Clock>>,
) -> Result<serde_json::Value, CliError> {
    let bad = |e: serde_json::Error| CliError::Usage(format!("the report's settings: {e}"));
    let json = |v: Result<serde_json::Value, serde_json::Error>| v.map_err(bad);
    match p.method.as_str() {
        "fairness" => {
            let cfg: models::fairness::ReportConfig =
                serde_json::from_value(p.settings.clone()).map_err(bad)?;
            json(serde_json::to_value(models::fairness::report(
                values, &cfg,
            )?))
        }
        "patterns" => {
            let cfg: models::patterns::PatternConfig =
                serde_json::from_value(p.settings.clone()).map_err(bad)?;
            cfg.validate()?;
            json(serde_json::to_value(
                models::patterns::PatternReport::build_with_clock(values, clock, &cfg),
            ))
        }
        "backtest" => {
            let cfg: models::backtest::BacktestConfig =
                serde_json::from_value(p.settings["config"].clone()).map_err(bad)?;
            let model = p.settings["model"].as_str().unwrap_or_default();
            let mut forecaster = crate::trainer::forecaster_for(model, cfg.house_edge)?;
            let summary = models::backtest::evaluate_forecaster(
                values,
                forecaster.as_mut(),
                &cfg,
                |_, _| {},
            )?;
            json(serde_json::to_value(summary.with_model_setting(model)))
        }
        other => Err(CliError::Usage(format!(
            "unknown report method {other:?}: fairness, patterns or backtest"
        ))),
    }
}
