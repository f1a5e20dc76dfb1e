//! `simulate`: the strategy lab from the command line (the same settings check and result
//! as the Strategies page and `POST /api/v1/simulate`).

use super::{print, CliError};
use crate::config::Config;
use app::views::{LawChoice, ParamValue, ScriptLanguage, SimulationRequest};
use models::patterns::{PatternConfig, PatternReport};
use models::strategy::law::RoundLaw;
use models::strategy::SimulationResult;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// Replay this CSV / text / Python-app .db file instead of Monte Carlo.
    pub file: Option<PathBuf>,
    /// Replay instead of Monte Carlo: FILE's rounds, or the stored rounds without FILE.
    #[arg(long)]
    pub replay: bool,
    /// flat, martingale, payout_martingale, paroli, d_alembert, fibonacci, labouchere,
    /// oscars_grind, fixed_fraction, kelly, only_on_play, dual_bankroll [default: flat].
    #[arg(long)]
    pub strategy: Option<String>,
    /// A parameter of the strategy, e.g. `--param multiplier=3 --param reset_after=5`.
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// Your own strategy: a bustabit autobet script (`.js`, run unchanged; balances in
    /// bits) or a rhai script (`.rhai`); `--param` then sets the inputs of its `config` block.
    #[arg(long, value_name = "FILE", conflicts_with = "strategy")]
    pub script: Option<PathBuf>,
    /// Monte Carlo paths [default: 10000, or 1000 for a script].
    #[arg(long)]
    pub paths: Option<usize>,
    /// Rounds per Monte Carlo path.
    #[arg(long, default_value_t = 1_000)]
    pub rounds: usize,
    #[arg(long, default_value_t = 100.0)]
    pub bankroll: f64,
    /// The base stake (one unit of every plan).
    #[arg(long, default_value_t = 1.0)]
    pub stake: f64,
    #[arg(long, default_value_t = 2.0)]
    pub cashout: f64,
    #[arg(long, default_value_t = 0.1)]
    pub min_bet: f64,
    #[arg(long)]
    pub max_stake: Option<f64>,
    #[arg(long)]
    pub stop_loss: Option<f64>,
    #[arg(long)]
    pub take_profit: Option<f64>,
    #[arg(long)]
    pub max_bets: Option<usize>,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Monte Carlo: draw the rounds from the fair law, or from the fair law tilted by the
    /// patterns the scan confirms on FILE's rounds (the stored rounds without FILE).
    #[arg(long, value_enum, default_value = "fair")]
    pub law: Law,
    #[arg(long)]
    pub json: bool,
}

/// `--law`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Law {
    Fair,
    Confirmed,
}

pub(super) fn request(args: &SimulateArgs) -> Result<SimulationRequest, CliError> {
    let mut params = std::collections::BTreeMap::new();
    for p in &args.params {
        let (k, v) = p.split_once('=').ok_or_else(|| {
            CliError::Usage(format!(
                "--param {p:?}: expected KEY=VALUE, e.g. multiplier=3"
            ))
        })?;
        params.insert(k.trim().to_string(), ParamValue::Text(v.trim().to_string()));
    }
    let script = match &args.script {
        Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
            CliError::Usage(format!("cannot read the script {}: {e}", path.display()))
        })?),
        None => None,
    };
    let language =
        args.script
            .as_ref()
            .and_then(|p| match p.extension().and_then(|e| e.to_str()) {
                Some("js" | "mjs") => Some(ScriptLanguage::Javascript),
                Some("rhai") => Some(ScriptLanguage::Rhai),
                _ => None,
            });
    let strategy = match (&script, &args.strategy) {
        (Some(_), _) => "script".to_string(),
        (None, Some(s)) => s.clone(),
        (None, None) => "flat".to_string(),
    };
    let paths = args
        .paths
        .unwrap_or(if script.is_some() { 1_000 } else { 10_000 });
    Ok(SimulationRequest {
        strategy,
        script,
        params,
        stake: args.stake,
        cashout: args.cashout,
        bankroll: args.bankroll,
        min_bet: args.min_bet,
        max_stake: args.max_stake,
        stop_loss: args.stop_loss,
        take_profit: args.take_profit,
        max_bets: args.max_bets,
        paths,
        rounds: args.rounds,
        seed: args.seed,
        // FILE alone means a replay of it; under the confirmed law it is where the
        // patterns are read.
        replay: args.replay || (args.file.is_some() && args.law == Law::Fair),
        language,
        law: match args.law {
            Law::Fair => LawChoice::Fair,
            Law::Confirmed => LawChoice::Confirmed,
        },
    })
}

pub async fn simulate(config: &Config, args: SimulateArgs) -> Result<ExitCode, CliError> {
    let req = request(&args)?;
    let sim = req
        .config(config.house_edge)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let input = super::HistoryInput {
        file: args.file.clone(),
        synthetic: None,
        seed: 42,
    };
    let result = if req.replay {
        if req.law != LawChoice::Fair {
            return Err(CliError::Usage(
                "--law applies to Monte Carlo; a replay plays the rounds as they came".into(),
            ));
        }
        let values = super::load_history(&input, config).await?;
        app::service::strategy::replay_rounds(&sim, &values)
            .map_err(|e| CliError::Usage(e.to_string()))?
    } else {
        let law = match req.law {
            LawChoice::Fair => RoundLaw::Fair,
            LawChoice::Confirmed => {
                let values = super::load_history(&input, config).await?;
                if values.is_empty() {
                    return Err(CliError::Usage(
                        "there are no rounds to read patterns from".into(),
                    ));
                }
                let patterns = PatternConfig {
                    house_edge: config.house_edge,
                    ..PatternConfig::default()
                };
                RoundLaw::confirmed(&PatternReport::build(&values, &patterns))
            }
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        models::strategy::monte_carlo_under(&sim, &law, threads, &mut |_, _| {})
            .map_err(|e| CliError::Usage(e.to_string()))?
    };
    print(&result, args.json, render)?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn render(r: &SimulationResult) -> String {
    let mut out = String::new();
    let mode = match r.mode {
        models::strategy::report::SimulationMode::MonteCarlo => format!(
            "Monte Carlo under {} (house edge {:.1}%): {} paths × {} rounds, seed {}",
            if r.law.is_some() {
                "the confirmed patterns"
            } else {
                "the fair law"
            },
            r.house_edge * 100.0,
            r.report.paths,
            r.report.rounds,
            r.seed
        ),
        models::strategy::report::SimulationMode::Replay => {
            format!("Replay of {} rounds, in order", r.report.rounds)
        }
    };
    out.push_str(&format!(
        "{mode}\nbankroll {:.2}, base stake {:.2} at {:.2}x\n\n",
        r.bankroll, r.stake, r.cashout
    ));
    if let Some(a) = &r.autobet {
        out.push_str(&format!(
            "The script: final balance {:.2} bits after {} bets ({:.2} bits wagered, {} games){}\n",
            a.final_balance,
            a.bets,
            a.wagered,
            a.games,
            a.stopped
                .as_ref()
                .map(|s| format!("; stopped: {s}"))
                .unwrap_or_default()
        ));
        for line in &a.log {
            out.push_str(&format!("  log: {line}\n"));
        }
        out.push('\n');
    }
    for line in &r.verdict {
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&format!(
        "{:<34}{:<34}{}\n",
        "", r.report.label, r.flat.label
    ));
    for row in models::strategy::report::comparison_rows(r) {
        out.push_str(&format!("{:<34}{:<34}{}\n", row.what, row.plan, row.flat));
    }
    out
}
