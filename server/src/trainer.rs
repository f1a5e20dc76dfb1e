//! Model building for the CLI and the training jobs: the member list, candidates, loaders,
//! `train` (search, walk-forward comparison, save) and the forecasters of `backtest`.

use app::errors::ModelError;
use ensemble::member::{MemberFactory, MemberLoaders};
use ensemble::registry::RegistryError;
use ensemble::train::{TrainConfig, TrainStage};
use models::forecast::Forecaster;
use models::values::Multiplier;
use std::path::Path;
use std::time::Duration;

/// Member kinds `train --members` accepts.
pub const MEMBER_KINDS: [&str; 8] = [
    "rules",
    "logistic",
    "gbt",
    "empirical",
    "fair",
    "mlp",
    "gru",
    "tabnet",
];

#[derive(Debug, thiserror::Error)]
pub enum TrainerError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Train(#[from] ensemble::train::TrainError),
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Eval(#[from] models::error::EvalError),
    #[error(transparent)]
    Neural(#[from] neural::NeuralError),
}

/// "60s", "2m", "90" (seconds), "500ms".
pub fn parse_duration(text: &str) -> Result<Duration, TrainerError> {
    let t = text.trim();
    let bad = || {
        TrainerError::Usage(format!(
            "cannot read the duration {text:?}: use e.g. 60s, 2m or 500ms"
        ))
    };
    let (number, unit) = match t.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => (&t[..i], &t[i..]),
        None => (t, "s"),
    };
    let value: f64 = number.trim().parse().map_err(|_| bad())?;
    if !value.is_finite() || value <= 0.0 {
        return Err(bad());
    }
    let secs = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        _ => return Err(bad()),
    };
    Ok(Duration::from_secs_f64(secs))
}

/// Every loader this build knows: the built-in members and the Burn networks.
pub fn loaders() -> MemberLoaders {
    crate::neural_members::register_loaders(MemberLoaders::builtin())
}

/// The candidates of a training run, limited to the members named in `names` when given
/// (`mlp`, `gru`, `tabnet`, `gbt`, `logistic`, `empirical`, `fair`).
pub fn candidates(
    names: &[String],
    device: neural::DeviceChoice,
    seed: u64,
) -> Result<Vec<MemberFactory>, TrainerError> {
    candidates_with_hook(names, device, seed, None)
}

/// As [`candidates`], the networks reporting every epoch to `hook`.
pub fn candidates_with_hook(
    names: &[String],
    device: neural::DeviceChoice,
    seed: u64,
    hook: Option<crate::neural_members::EpochHook>,
) -> Result<Vec<MemberFactory>, TrainerError> {
    let mut kinds: Vec<&'static str> = Vec::new();
    for name in names {
        let kind = match neural::MemberKind::parse(name) {
            Some(k) => k.as_str(),
            None => match MEMBER_KINDS
                .iter()
                .find(|k| k.eq_ignore_ascii_case(name.trim()))
            {
                Some(k) => k,
                None => {
                    return Err(TrainerError::Usage(format!(
                        "unknown member {name:?}: choose from {}",
                        MEMBER_KINDS.join(", ")
                    )))
                }
            },
        };
        kinds.push(kind);
    }
    let mut all = ensemble::search::default_candidates(6, seed);
    let neural_kinds: Vec<&str> = neural::MemberKind::ALL.iter().map(|k| k.as_str()).collect();
    // The networks are only built when asked for or when no list is given.
    if kinds.is_empty() || kinds.iter().any(|k| neural_kinds.contains(k)) {
        all.extend(crate::neural_members::factories_with_hook(
            device, seed, hook,
        )?);
    }
    if kinds.is_empty() {
        return Ok(all);
    }
    // The rule member is added by the training run itself, never searched.
    kinds.retain(|k| *k != "rules");
    if kinds.is_empty() {
        kinds.push("fair");
    }
    Ok(ensemble::train::filter_kinds(all, &kinds))
}

/// Model names `backtest --model` and the backtest page accept, in the order they are
/// offered.
pub const BACKTEST_MODELS: [&str; 10] = [
    "baseline",
    "fair-estimated",
    "empirical",
    "logistic",
    "rules",
    "gbt",
    "mlp",
    "gru",
    "tabnet",
    "ensemble",
];

/// The members of the ensemble `backtest --model ensemble` replays: the kinds a default
/// training run keeps (logistic, GBT, the multi-output network), with their default
/// hyperparameters, and the rule member, so the backtested ensemble carries what the
/// pattern scan confirms as the trained one does.
pub fn default_ensemble_members(house_edge: f64) -> Result<Vec<MemberFactory>, ModelError> {
    let mut members = vec![
        MemberFactory::logistic(1.0),
        ensemble::gbt::GbtForecaster::factory(ensemble::gbt::GbtConfig::default()),
    ];
    members.extend(
        crate::neural_members::factories(neural::DeviceChoice::Cpu, 1)
            .map_err(|e| ModelError::Unavailable(format!("ensemble: {e}")))?
            .into_iter()
            .filter(|f| f.kind == neural::MemberKind::MultiOutputNet.as_str()),
    );
    members.push(MemberFactory::rules(house_edge));
    Ok(members)
}

/// A fresh forecaster for `backtest --model NAME` (one of [`BACKTEST_MODELS`]), judged
/// against the fair law of `house_edge`.
pub fn forecaster_for(name: &str, house_edge: f64) -> Result<Box<dyn Forecaster>, ModelError> {
    if models::backtest::ModelKind::parse(name).is_some() {
        return app::api::ssr::basic_forecaster(name, house_edge);
    }
    let networks = || {
        crate::neural_members::factories(neural::DeviceChoice::Cpu, 1)
            .map_err(|e| ModelError::Unavailable(format!("{name}: {e}")))
    };
    let lower = name.trim().to_ascii_lowercase();
    match lower.as_str() {
        "rules" => return Ok(MemberFactory::rules(house_edge).make()),
        "gbt" => {
            let f = ensemble::gbt::GbtForecaster::factory(ensemble::gbt::GbtConfig::default());
            return Ok(f.make());
        }
        "ensemble" => {
            return Ok(Box::new(ensemble::stack::StackedEnsemble::new(
                default_ensemble_members(house_edge)?,
                ensemble::stack::StackConfig::default(),
            )));
        }
        _ => {}
    }
    if let Some(kind) = neural::MemberKind::parse(&lower) {
        if let Some(f) = networks()?.into_iter().find(|f| f.kind == kind.as_str()) {
            return Ok(f.make());
        }
    }
    Err(ModelError::UnknownModel {
        name: name.to_string(),
        choices: BACKTEST_MODELS.join(", "),
    })
}

pub struct TrainArgs<'a> {
    pub budget: Duration,
    pub members: Vec<String>,
    pub device: neural::DeviceChoice,
    pub models_dir: &'a Path,
    pub house_edge: f64,
    pub activate: bool,
    pub source: Option<String>,
    /// Report progress as JSON lines on standard output (for the server's training jobs)
    /// instead of progress bars.
    pub json_progress: bool,
}

/// Trains, scores walk-forward, saves a new version; returns (version, text report).
pub fn train(
    rounds: &[Multiplier],
    args: &TrainArgs<'_>,
) -> Result<(String, ensemble::train::TrainOutcome), TrainerError> {
    use crate::jobs::ProgressEvent;
    let hook: Option<crate::neural_members::EpochHook> = args.json_progress.then(|| {
        std::sync::Arc::new(|p: &neural::TrainProgress| {
            ProgressEvent::Epoch {
                member: p.stage.clone(),
                epoch: p.epoch,
                epochs: p.epochs,
                train_loss: p.train_loss,
                valid_loss: p.valid_loss.is_finite().then_some(p.valid_loss),
            }
            .emit()
        }) as crate::neural_members::EpochHook
    });
    // The rule member joins unless a member list leaves it out.
    let include_rules = args.members.is_empty()
        || args
            .members
            .iter()
            .any(|m| m.trim().eq_ignore_ascii_case("rules"));
    let config = TrainConfig {
        include_rules,
        budget: args.budget,
        candidates: candidates_with_hook(&args.members, args.device, 1, hook)?,
        house_edge: args.house_edge,
        device: args.device.to_string(),
        source: args.source.clone(),
        ..TrainConfig::default()
    };
    let outcome = if args.json_progress {
        ensemble::train::train(rounds, &config, |stage| {
            match stage {
                TrainStage::Search { done, total, label } => ProgressEvent::Search {
                    done: *done,
                    total: *total,
                    label: label.clone(),
                },
                TrainStage::Compare {
                    model,
                    models,
                    done,
                    total,
                } => ProgressEvent::Compare {
                    model: *model,
                    models: *models,
                    done: *done,
                    total: *total,
                },
                TrainStage::FinalFit => ProgressEvent::FinalFit,
            }
            .emit()
        })?
    } else {
        let mut search_bar = crate::progress::Progress::new("search  ");
        let mut compare_bar = crate::progress::Progress::new("backtest");
        ensemble::train::train(rounds, &config, |stage| match stage {
            TrainStage::Search { done, total, .. } => search_bar.update(*done, *total),
            TrainStage::Compare { done, total, .. } => compare_bar.update(*done, *total),
            TrainStage::FinalFit => tracing::info!("final fit on all {} rounds", rounds.len()),
        })?
    };
    if args.json_progress {
        ProgressEvent::Saving.emit();
    }
    let version = ensemble::train::save(args.models_dir, &outcome, args.activate)?;
    Ok((version, outcome))
}

/// "12.3 s of the 15 s budget", or what overran it and why.
pub fn budget_text(seconds: f64, budget_s: f64) -> String {
    if seconds <= budget_s * 1.05 {
        format!("{seconds:.1} s of the {budget_s:.0} s budget")
    } else {
        format!(
            "{seconds:.1} s: over the {budget_s:.0} s budget, a single fit took longer than what was left of it"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_line_says_when_it_was_kept() {
        assert_eq!(budget_text(12.34, 15.0), "12.3 s of the 15 s budget");
        assert!(budget_text(20.0, 15.0).starts_with("20.0 s: over the 15 s budget"));
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("60s").unwrap(), Duration::from_secs(60));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-5s").is_err());
        assert!(parse_duration("5 parsecs").is_err());
    }
}
