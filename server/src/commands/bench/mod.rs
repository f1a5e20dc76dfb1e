//! `bench`: the feature pipeline, a walk-forward run, the members' training and the
//! pattern scan, each next to a baseline measured in the same run.

use super::{load_history, print_json, CliError, HistoryInput};
use crate::config::Config;
use crate::trainer::TrainerError;
use std::process::ExitCode;

pub mod accounts;
pub mod requests;

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    #[command(flatten)]
    pub input: HistoryInput,
    #[arg(long, default_value_t = 5)]
    pub repeats: usize,
    /// Also time the training of every member and the ensemble's next-round prediction
    /// next to the fair baseline's.
    #[arg(long)]
    pub models: bool,
    /// Time the pattern scan instead: whole scan, report, and one more round
    /// incrementally vs a full rescan (try `--synthetic 1000000`).
    #[arg(long, conflicts_with = "models")]
    pub patterns: bool,
    /// Time the strategy lab instead: 10,000 paths × 1,000 rounds (martingale and flat
    /// betting, full report) on one thread and on all cores, next to the naive loop.
    #[arg(long, conflicts_with_all = ["models", "patterns"])]
    pub strategies: bool,
    /// Time a player's requests instead (stats, rounds pages, dashboard, predict, one more
    /// round) through the real router on a SQLite file, at 7,000 stored rounds and at
    /// `--synthetic N` (default 1,000,000).
    #[arg(long, conflicts_with_all = ["models", "patterns", "strategies", "file"])]
    pub requests: bool,
    /// With `--requests`: on fresh databases created on this PostgreSQL server (a
    /// `postgres://` URL whose user may create databases) instead of SQLite files.
    #[arg(long)]
    pub postgres: Option<String>,
    /// Time what hosted mode adds to a request instead: `GET /api/v1/stats` locally, with
    /// a session cookie and with an API token; and login (Argon2id). With `--postgres`,
    /// on PostgreSQL.
    #[arg(long, conflicts_with_all = ["models", "patterns", "strategies", "requests", "file"])]
    pub accounts: bool,
    #[arg(long)]
    pub json: bool,
}

pub async fn run(config: &Config, args: BenchArgs) -> Result<ExitCode, CliError> {
    if args.strategies {
        strategies(args.json)?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.accounts {
        let store = args.postgres.as_deref();
        accounts::run(args.repeats.max(50), store, args.json).await?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.requests {
        let rounds = args.input.synthetic.unwrap_or(1_000_000);
        let store = args.postgres.as_deref();
        requests::run(rounds, args.repeats.max(20), store, args.json).await?;
        return Ok(ExitCode::SUCCESS);
    }
    let values = load_history(&args.input, config).await?;
    if args.patterns {
        patterns(&values, args.json)?;
    } else {
        features(&values, args.repeats, args.json)?;
        if args.models {
            members(&values, args.repeats, args.json)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn strategies(json: bool) -> Result<(), CliError> {
    let origin = std::time::Instant::now();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let b =
        models::strategy::bench::measure(10_000, 1_000, threads, || origin.elapsed().as_secs_f64())
            .map_err(|e| CliError::Usage(e.to_string()))?;
    if json {
        return print_json(&b);
    }
    println!("paths × rounds           {} × {}", b.paths, b.rounds);
    println!("naive loop (baseline)    {:.3} s", b.naive_s);
    println!(
        "lab, 1 thread            {:.3} s ({:.1}x the baseline's speed; both: martingale + flat, percentiles)",
        b.single_thread_s,
        b.single_vs_naive()
    );
    println!(
        "lab, {} threads          {:.3} s ({:.1}x)",
        b.threads,
        b.parallel_s,
        b.parallel_vs_naive()
    );
    if let (Some(s), Some(ratio)) = (b.script_s, b.script_vs_built_in()) {
        println!(
            "martingale as a script   {:.3} s for {} paths ({:.0}x the built-in's time per path)",
            s, b.script_paths, ratio
        );
    }
    if let (Some(r), Some(st), Some(mc)) = (
        b.autobet_replay_s,
        b.autobet_replay_stepped_s,
        b.autobet_mc_s,
    ) {
        println!(
            "autobet script (JS)      replay of {} rounds {:.3} s ({:.1}x the game-by-game host loop's {:.3} s); \
             Monte Carlo {} × {} on {} threads {:.2} s",
            models::strategy::bench::AUTOBET_REPLAY_ROUNDS,
            r,
            st / r.max(1e-12),
            st,
            models::strategy::bench::AUTOBET_PATHS,
            b.rounds,
            b.threads,
            mc
        );
    }
    Ok(())
}

fn patterns(values: &[models::values::Multiplier], json: bool) -> Result<(), CliError> {
    let origin = std::time::Instant::now();
    let b = models::patterns::bench::measure(values, 1000, || origin.elapsed().as_secs_f64());
    if json {
        return print_json(&b);
    }
    println!("rounds                   {}", b.rounds);
    println!("rules × cash-outs        {}", b.tests);
    println!("scan (counts)            {:.3} s", b.scan_s);
    println!(
        "scan, every round timed  {:.3} s, clock rules included ({:.2}x the scan above, same run)",
        b.timed_scan_s,
        b.timed_scan_s / b.scan_s.max(1e-12)
    );
    println!("full report              {:.3} s", b.report_s);
    println!(
        "one more round           {:.1} µs incremental vs {:.3} s full rescan (baseline, same run): {:.0}x faster",
        b.incremental_us, b.rescan_s, b.speedup
    );
    println!(
        "a prediction's clock     {:.2} µs kept vs {:.1} ms rebuilt (baseline, same run; every round typed live)",
        b.clock_next_us, b.clock_build_ms
    );
    println!(
        "next round, {} confirmed  {:.2} ms kept vs {:.0} ms replayed (baseline, same run): {:.0}x faster; \
         the first reading {:.0} ms (one planted edge, same length)",
        b.next_round_rules,
        b.next_round_ms,
        b.next_round_replay_ms,
        b.next_round_replay_ms / b.next_round_ms.max(1e-9),
        b.next_round_first_ms
    );
    Ok(())
}

fn features(
    values: &[models::values::Multiplier],
    repeats: usize,
    json: bool,
) -> Result<(), CliError> {
    let origin = std::time::Instant::now();
    let report = models::bench::measure(values, repeats, || origin.elapsed().as_secs_f64())?;
    if json {
        return print_json(&report);
    }
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
    Ok(())
}

fn members(
    values: &[models::values::Multiplier],
    repeats: usize,
    json: bool,
) -> Result<(), CliError> {
    let nets = neural::bench_training(values).map_err(TrainerError::from)?;
    let mut members = ensemble::timing::default_members(ensemble::GbtConfig::default());
    members.extend(
        crate::neural_members::factories(neural::DeviceChoice::Cpu, 1)
            .map_err(TrainerError::from)?,
    );
    let timing = ensemble::timing::measure(
        values,
        members,
        ensemble::GbtConfig::default(),
        ensemble::StackConfig::default(),
        repeats.max(1) * 40,
    )?;
    if json {
        return print_json(
            &serde_json::json!({ "networks": nets.iter().map(|r| serde_json::json!({
            "member": r.member, "rounds": r.rounds, "seconds": r.seconds, "epochs": r.epochs
        })).collect::<Vec<_>>(), "ensemble": timing }),
        );
    }
    for r in &nets {
        println!(
            "train {:<30} {:.2} s ({} epochs, {} rounds)",
            r.member, r.seconds, r.epochs, r.rounds
        );
    }
    print!("{}", ensemble::timing::render_text(&timing));
    Ok(())
}
