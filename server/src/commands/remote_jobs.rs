//! `jetx --server URL --token T train | backtest | simulate | models`: the server's jobs
//! run on the player's stored rounds there, and its registry of their models. A job is
//! started, followed until it ends (the progress bar on a terminal), and its result
//! printed as the local command prints it.

use super::remote::{stored_only, Remote};
use super::{print, print_json, CliError};
use app::views::{BacktestJob, BacktestRequest, BacktestState, JobState, TrainStatus};
use std::process::ExitCode;
use std::time::Duration;

/// How often a running job is read again: a status read is one small request.
const POLL: Duration = Duration::from_millis(500);

pub fn train(remote: &Remote, args: super::forecasting::TrainArgs) -> Result<ExitCode, CliError> {
    stored_only(&args.input)?;
    if args.progress_json {
        return Err(CliError::Usage(
            "--progress-json is the web app's; with --server the server runs the job".into(),
        ));
    }
    let budget = crate::trainer::parse_duration(&args.budget)?;
    let request = app::views::TrainRequest {
        members: args.members,
        budget_s: budget.as_secs_f64(),
        device: args.device,
        activate: !args.no_activate,
    };
    let body = serde_json::to_value(&request).map_err(|e| CliError::Usage(e.to_string()))?;
    let mut status: TrainStatus = remote.json("POST", "/train", Some(body))?;
    let ours = status.job;
    let mut bar = crate::progress::Progress::new("train (on the server)");
    while status.state == JobState::Running {
        bar.update(status.percent.round() as usize, 100);
        std::thread::sleep(POLL);
        let now: TrainStatus = remote.json("GET", "/train", None)?;
        // A later job (the player started one elsewhere) answers instead: ours ended.
        if now.job > ours {
            break;
        }
        status = now;
    }
    match (status.state, &status.version) {
        (JobState::Succeeded, Some(version)) => {
            bar.update(100, 100);
            if args.json {
                print_json(&status)?;
            } else {
                println!(
                    "saved model {version} on the server in {:.0} s{}",
                    status.elapsed_s,
                    if request.activate { ", now active" } else { "" }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        (state, _) => Err(CliError::Usage(format!(
            "the server's training job ended {}: {}",
            state.as_str(),
            status.error.as_deref().unwrap_or("no model was saved")
        ))),
    }
}

/// The local command's settings as the REST API's request.
fn backtest_request(args: &super::forecasting::BacktestArgs) -> BacktestRequest {
    let defaults = BacktestRequest::default();
    let refit = match (args.window, args.refit_every) {
        (Some(_), _) => "rolling",
        (None, 0) => "never",
        (None, _) => "every",
    };
    BacktestRequest {
        start: args.start,
        refit: refit.into(),
        refit_every: args.refit_every.max(1),
        window: args.window.unwrap_or(defaults.window),
        gap: args.gap,
        thresholds: args.thresholds.clone(),
        models: vec![args.model.clone()],
        cashout: defaults.cashout,
    }
}

pub fn backtest(
    remote: &Remote,
    args: super::forecasting::BacktestArgs,
) -> Result<ExitCode, CliError> {
    stored_only(&args.input)?;
    let body = serde_json::to_value(backtest_request(&args))
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let mut job: BacktestJob = remote.json("POST", "/backtests", Some(body))?;
    let mut bar =
        crate::progress::Progress::new(format!("backtest {} (on the server)", args.model));
    let path = format!("/backtests/{}", job.id);
    while job.state == BacktestState::Running {
        bar.update(job.progress.done, job.progress.total);
        std::thread::sleep(POLL);
        job = remote.json("GET", &path, None)?;
    }
    let Some(model) = job.result.and_then(|r| r.models.into_iter().next()) else {
        return Err(CliError::Usage(format!(
            "the server's backtest {} ended {}: {}",
            job.id,
            job.state.as_str(),
            job.error.as_deref().unwrap_or("no result")
        )));
    };
    bar.update(job.progress.total, job.progress.total);
    print(&model.summary, args.json, models::backtest::render_text)?;
    Ok(ExitCode::SUCCESS)
}

pub fn simulate(
    remote: &Remote,
    args: super::strategy::SimulateArgs,
) -> Result<ExitCode, CliError> {
    if args.file.is_some() {
        return Err(CliError::Usage(
            "with --server a replay plays the rounds stored there: use --replay without FILE"
                .into(),
        ));
    }
    let request = super::strategy::request(&args)?;
    let body = serde_json::to_value(&request).map_err(|e| CliError::Usage(e.to_string()))?;
    let result: models::strategy::SimulationResult =
        remote.json("POST", "/simulate", Some(body))?;
    print(&result, args.json, super::strategy::render)?;
    Ok(ExitCode::SUCCESS)
}

/// `models [--activate V]`: the player's registry on the server, after activating V.
pub fn models(remote: &Remote, args: super::forecasting::ModelsArgs) -> Result<ExitCode, CliError> {
    if let Some(version) = &args.activate {
        let path = format!("/models/{}/activate", super::remote::url_encode(version));
        let _: serde_json::Value = remote.json("POST", &path, None)?;
    }
    #[derive(serde::Deserialize)]
    struct Listed {
        models: Vec<app::views::ModelView>,
    }
    let listed: Listed = remote.json("GET", "/models", None)?;
    print(&listed.models, args.json, |m| {
        super::render::render_model_views(m)
    })?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn parsed(line: &[&str]) -> super::super::forecasting::BacktestArgs {
        #[derive(Parser)]
        struct Wrap {
            #[command(flatten)]
            args: super::super::forecasting::BacktestArgs,
        }
        Wrap::parse_from(std::iter::once("backtest").chain(line.iter().copied())).args
    }

    #[test]
    fn the_backtest_settings_reach_the_server_as_the_local_command_reads_them() {
        let r = backtest_request(&parsed(&[]));
        assert_eq!(
            (r.start, r.refit.as_str(), r.refit_every),
            (1000, "every", 500)
        );
        assert_eq!(r.models, ["logistic"]);
        assert_eq!(r.thresholds, [1.5, 2.0, 3.0, 5.0, 10.0]);
        let r = backtest_request(&parsed(&["--refit-every", "0", "--gap", "3"]));
        assert_eq!((r.refit.as_str(), r.gap), ("never", 3));
        let r = backtest_request(&parsed(&[
            "--window",
            "800",
            "--refit-every",
            "200",
            "--model",
            "rules",
            "--thresholds",
            "2,3",
        ]));
        assert_eq!(
            (r.refit.as_str(), r.window, r.refit_every),
            ("rolling", 800, 200)
        );
        assert_eq!(
            (r.models, r.thresholds),
            (vec!["rules".to_string()], vec![2.0, 3.0])
        );
    }
}
