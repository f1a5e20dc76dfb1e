//! `import`, `export`, `stats`, `demo`: the stored rounds.

use super::{print, print_json, CliError};
use crate::config::Config;
use app::service::import::{import_file, ImportFailure};
use app::service::rounds;
use app::types::{ImportOptions, ImportOutcome, OnDuplicate, OnFault, Place};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    pub file: PathBuf,
    /// Only report what would be imported.
    #[arg(long)]
    pub dry_run: bool,
    /// Store the readable rows when some rows cannot be read (default: store nothing).
    #[arg(long)]
    pub skip_faulty: bool,
    /// Rounds of the file already stored (the same file twice, an export repeating the last
    /// import): `keep` stores them again, `skip` stores only the new ones, `refuse` stores
    /// nothing.
    #[arg(long, default_value = "keep", value_parser = ["keep", "skip", "refuse"])]
    pub duplicates: String,
    /// Split fields that hold several values (`2.29⟨U+2028⟩1.29`) into their rounds.
    #[arg(long)]
    pub split: bool,
    /// Where the rounds go: `after` the newest stored round (new rounds), or `before` the
    /// oldest (an older history).
    #[arg(long, default_value = "after", value_parser = ["after", "before"])]
    pub place: String,
    /// Print the outcome as JSON.
    #[arg(long)]
    pub json: bool,
}

pub async fn import(config: &Config, args: ImportArgs) -> Result<ExitCode, CliError> {
    let state = super::local_state(config).await?;
    let on_fault = if args.skip_faulty {
        OnFault::SkipFaulty
    } else {
        OnFault::Refuse
    };
    let options = ImportOptions {
        dry_run: args.dry_run,
        on_fault,
        duplicates: on_duplicate(&args.duplicates),
        split: args.split,
        place: Place::parse(&args.place).unwrap_or_default(),
    };
    let started = std::time::Instant::now();
    let result = import_file(&state, &args.file, options).await;
    let elapsed = started.elapsed();
    match result {
        Ok(outcome) => {
            print_outcome(&outcome, args.json)?;
            if !args.json {
                println!("took {:.0} ms", elapsed.as_secs_f64() * 1000.0);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(ImportFailure::Faults(outcome)) => {
            print_outcome(&outcome, args.json)?;
            eprintln!(
                "nothing was stored: {} rows cannot be read. Fix them, or run again with --skip-faulty to store the {} readable rows.",
                outcome.faults.len(),
                outcome.valid
            );
            Ok(ExitCode::from(1))
        }
        Err(ImportFailure::AlreadyStored(outcome)) => {
            print_outcome(&outcome, args.json)?;
            eprintln!("nothing was stored (--duplicates skip stores only the new rounds)");
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}

/// The `--duplicates` word (clap allows only these three).
pub(super) fn on_duplicate(word: &str) -> OnDuplicate {
    match word {
        "skip" => OnDuplicate::Skip,
        "refuse" => OnDuplicate::Refuse,
        _ => OnDuplicate::Keep,
    }
}

pub(super) fn print_outcome(outcome: &ImportOutcome, json: bool) -> Result<(), CliError> {
    print(outcome, json, |outcome| {
        let mut out = format!(
            "read {} rows as {}: {} readable, {} cannot be read{}\n",
            outcome.rows,
            outcome.format,
            outcome.valid,
            outcome.faults.len(),
            if outcome.dry_run { " (dry run)" } else { "" }
        );
        for f in &outcome.faults {
            out.push_str(&format!("  {}\n", f.message));
        }
        if outcome.repeated() > 0 {
            out.push_str(&format!(
                "already stored: {}{}\n",
                app::service::import::repeated_text(outcome),
                if outcome.skipped_duplicates > 0 {
                    " (skipped)"
                } else {
                    ""
                }
            ));
        }
        if outcome.source_ids {
            out.push_str("the file's round ids are kept with the rounds\n");
        }
        if outcome.split > 0 {
            out.push_str(&format!(
                "split {} fields into their values\n",
                outcome.split
            ));
        } else if outcome.splittable > 0 {
            out.push_str(&format!(
                "{} fields hold several values: --split stores them as rounds\n",
                outcome.splittable
            ));
        }
        if outcome.stored > 0 {
            let place = match outcome.place {
                Place::After => "after the newest stored round",
                Place::Before => "before the oldest stored round",
            };
            out.push_str(&format!("stored {} rounds {place}\n", outcome.stored));
        }
        out
    })
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// Output file (default: standard output).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

pub async fn export(config: &Config, args: ExportArgs) -> Result<ExitCode, CliError> {
    let state = super::local_state(config).await?;
    let csv = rounds::export_csv(&state).await?;
    write_export(args.output.as_deref(), csv.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// Writes an export to `output`, or to standard output.
pub(super) fn write_export(output: Option<&std::path::Path>, csv: &[u8]) -> Result<(), CliError> {
    match output {
        Some(path) => {
            std::fs::write(path, csv).map_err(|e| CliError::Write(path.display().to_string(), e))
        }
        None => std::io::stdout()
            .write_all(csv)
            .map_err(|e| CliError::Write("standard output".into(), e)),
    }
}

pub async fn stats(config: &Config, json: bool) -> Result<ExitCode, CliError> {
    let state = super::local_state(config).await?;
    let stats = rounds::stats(&state).await?;
    if json {
        print_json(&stats)?;
    } else {
        print!("{}", render_stats(&stats.summary, &stats.categories));
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    #[arg(long, default_value_t = 2000)]
    pub rounds: usize,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    #[arg(long)]
    pub remove: bool,
}

pub async fn demo(config: &Config, args: DemoArgs) -> Result<ExitCode, CliError> {
    let state = super::local_state(config).await?;
    if args.remove {
        let n = rounds::remove_demo(&state).await?;
        println!("removed {n} synthetic rounds");
    } else {
        let info = rounds::load_demo(&state, args.rounds, args.seed).await?;
        println!(
            "loaded {} synthetic rounds (fair generator, seed {}, house edge {})",
            info.rounds, info.seed, info.house_edge
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The `stats` text: each share with its 95% interval and the fair-game value.
pub fn render_stats(
    s: &models::summary::Summary,
    categories: &[models::summary::CategoryShare],
) -> String {
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
