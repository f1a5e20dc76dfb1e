//! `backtest`, `train`, `predict`, `models`: the forecasters and the trained ensemble.

use super::render::{render_models, render_prediction};
use super::{load_history, print, print_json, CliError, HistoryInput};
use crate::config::Config;
use crate::trainer::{self, TrainerError};
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct BacktestArgs {
    #[command(flatten)]
    pub input: HistoryInput,
    /// baseline (fair law, fixed edge), fair-estimated, empirical, logistic, rules, gbt,
    /// mlp, gru, tabnet or ensemble (stacked: logistic + gbt + mlp + rules, the members a
    /// default training keeps, with default hyperparameters).
    #[arg(long, default_value = "logistic")]
    pub model: String,
    /// First round forecast (0-based index).
    #[arg(long, default_value_t = 1000)]
    pub start: usize,
    /// Refit every N rounds on an expanding window (0 = fit once).
    #[arg(long, default_value_t = 500)]
    pub refit_every: usize,
    /// Train on the last W rounds only (rolling window) instead of all the past.
    #[arg(long)]
    pub window: Option<usize>,
    /// Rounds left out between the training data and the forecast round.
    #[arg(long, default_value_t = 0)]
    pub gap: usize,
    /// Thresholds t of P(X ≥ t), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1.5,2,3,5,10")]
    pub thresholds: Vec<f64>,
    #[arg(long)]
    pub json: bool,
}

pub async fn backtest(config: &Config, args: BacktestArgs) -> Result<ExitCode, CliError> {
    use models::walkforward::Refit;
    let mut forecaster = trainer::forecaster_for(&args.model, config.house_edge)?;
    let refit = match (args.window, args.refit_every) {
        (Some(w), n) => Refit::Rolling {
            every: n.max(1),
            window: w,
        },
        (None, 0) => Refit::Never,
        (None, n) => Refit::EveryN(n),
    };
    let values = load_history(&args.input, config).await?;
    let cfg = models::backtest::BacktestConfig {
        walk: models::walkforward::WalkForwardConfig {
            start: args.start,
            gap: args.gap,
            refit,
            thresholds: args.thresholds,
            ..Default::default()
        },
        house_edge: config.house_edge,
        ..Default::default()
    };
    let mut bar = crate::progress::Progress::new(format!("backtest {}", args.model));
    let summary = models::backtest::evaluate_forecaster(
        &values,
        forecaster.as_mut(),
        &cfg,
        |done, total| bar.update(done, total),
    )?;
    let summary = summary.with_model_setting(&args.model);
    print(&summary, args.json, models::backtest::render_text)?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    #[command(flatten)]
    pub input: HistoryInput,
    /// Time budget of the whole job, e.g. 60s or 2m: half for the model search, then the
    /// walk-forward comparison refits while its share lasts, then the final fit.
    #[arg(long, default_value = "60s")]
    pub budget: String,
    /// Members to consider: rules, mlp, gru, tabnet, gbt, logistic, empirical, fair
    /// (default: all).
    #[arg(long, value_delimiter = ',')]
    pub members: Vec<String>,
    /// Where the networks train: cpu, cuda (a build with --features cuda on a machine with
    /// a CUDA device; refused otherwise) or auto (cuda where there is one, else cpu).
    #[arg(long, default_value = "cpu")]
    pub device: String,
    /// Save without making it the active model.
    #[arg(long)]
    pub no_activate: bool,
    #[arg(long)]
    pub json: bool,
    /// Report progress as JSON lines on standard output (used by the web app's
    /// training jobs).
    #[arg(long)]
    pub progress_json: bool,
}

pub async fn train(config: &Config, args: TrainArgs) -> Result<ExitCode, CliError> {
    let device: neural::DeviceChoice = args
        .device
        .parse()
        .map_err(|e: neural::NeuralError| CliError::Usage(e.to_string()))?;
    // A device that is not there is refused before any work (never a panic); `auto` says
    // where it trains.
    let used = device
        .resolve(false)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    if device == neural::DeviceChoice::Auto {
        eprintln!(
            "note: --device auto trains on the {} ({} CUDA device(s) found, CUDA {} in this build)",
            used,
            neural::cuda_devices(),
            if neural::device::cuda_compiled() {
                "compiled"
            } else {
                "not compiled"
            }
        );
    }
    let values = load_history(&args.input, config).await?;
    let budget = trainer::parse_duration(&args.budget)?;
    let train_args = trainer::TrainArgs {
        budget,
        members: args.members,
        device: used,
        models_dir: &config.models_dir,
        house_edge: config.house_edge,
        activate: !args.no_activate,
        source: args.input.file.as_ref().map(|p| p.display().to_string()),
        json_progress: args.progress_json,
    };
    let started = std::time::Instant::now();
    let (version, outcome) = trainer::train(&values, &train_args)?;
    let seconds = started.elapsed().as_secs_f64();
    if args.progress_json {
        crate::jobs::ProgressEvent::Saved { version, seconds }.emit();
    } else if args.json {
        print_json(&serde_json::json!({
            "version": version,
            "seconds": seconds,
            "budget_s": budget.as_secs_f64(),
            "stage_seconds": outcome.seconds,
            "scores": outcome.scores,
            "search": outcome.search,
        }))?;
    } else {
        print!("{}", ensemble::compare::render_text(&outcome.scores));
        println!(
            "saved model {version} in {} ({}){}",
            config.models_dir.display(),
            trainer::budget_text(seconds, budget.as_secs_f64()),
            if args.no_activate { "" } else { ", now active" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct PredictArgs {
    #[command(flatten)]
    pub input: HistoryInput,
    /// Model version (default: the active one).
    #[arg(long)]
    pub version: Option<String>,
    /// Cash-out target the EV and the recommendation are for.
    #[arg(long, default_value_t = 2.0)]
    pub cashout: f64,
    /// Ask for 95% confidence (Rolling mode) instead of 85% (Normal).
    #[arg(long)]
    pub rolling: bool,
    #[arg(long)]
    pub json: bool,
}

pub async fn predict(config: &Config, args: PredictArgs) -> Result<ExitCode, CliError> {
    models::decision::check_cashout(args.cashout).map_err(|e| CliError::Usage(e.to_string()))?;
    let values = load_history(&args.input, config).await?;
    let service = crate::estimator::EnsembleEstimator::new(
        config.models_dir.clone(),
        config.house_edge,
        args.version,
    );
    let mode = if args.rolling {
        app::types::Mode::Rolling
    } else {
        app::types::Mode::Normal
    };
    let estimate = app::api::ssr::Estimator::estimate(&service, &values, args.cashout, mode);
    let p =
        app::types::PredictionView::of(estimate, &values, args.cashout, mode, config.house_edge);
    print(&p, args.json, render_prediction)?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct ModelsArgs {
    /// Make this version the active one.
    #[arg(long)]
    pub activate: Option<String>,
    #[arg(long)]
    pub json: bool,
}

pub async fn list(config: &Config, args: ModelsArgs) -> Result<ExitCode, CliError> {
    use ensemble::registry::{self, RegistryError};
    if let Some(v) = args.activate {
        registry::read_meta(&config.models_dir, &v).map_err(TrainerError::from)?;
        registry::set_active(&config.models_dir, &v).map_err(TrainerError::from)?;
    }
    let infos = match registry::list(&config.models_dir) {
        Ok(i) => i,
        Err(RegistryError::NoModels(_)) => Vec::new(),
        Err(e) => return Err(TrainerError::from(e).into()),
    };
    print(&infos, args.json, |i| render_models(i))?;
    Ok(ExitCode::SUCCESS)
}
