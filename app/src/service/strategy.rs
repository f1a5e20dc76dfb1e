//! The strategy lab for the Strategies page and `POST /api/v1/simulate`: Monte Carlo
//! under the fair law (or the patterns confirmed on the stored rounds) on all cores, or a
//! replay of the stored history with the walk-forward PLAY signal; both off the async
//! workers.

use crate::state::ServerState;
use crate::views::{needs_play_signal, LawChoice, SimulationRequest};
use models::strategy::law::RoundLaw;
use models::strategy::{SimulationConfig, SimulationResult};

/// Why a simulation was refused or failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimulationError {
    /// Settings the user can fix (unknown strategy or parameter, stake above the bankroll…).
    #[error("{0}")]
    Invalid(String),
    /// A replay of an empty history, or its patterns asked for.
    #[error("there are no stored rounds to read: record or import some first")]
    NoRounds,
    #[error("the simulation stopped unexpectedly: {0}")]
    Internal(String),
}

impl SimulationError {
    pub fn status_code(&self) -> u16 {
        match self {
            SimulationError::Invalid(_) => 400,
            SimulationError::NoRounds => 422,
            SimulationError::Internal(_) => 500,
        }
    }

    /// Stable machine-readable code for the REST API.
    pub fn code(&self) -> &'static str {
        match self {
            SimulationError::Invalid(_) => "bad_settings",
            SimulationError::NoRounds => "no_rounds",
            SimulationError::Internal(_) => "internal",
        }
    }
}

crate::http_status_by_method!(SimulationError);

impl From<models::strategy::StrategyError> for SimulationError {
    fn from(e: models::strategy::StrategyError) -> Self {
        SimulationError::Invalid(e.to_string())
    }
}

/// Replays `rounds` with `config`, computing the PLAY signal only for plans that use it.
pub fn replay_rounds(
    config: &SimulationConfig,
    rounds: &[models::values::Multiplier],
) -> Result<SimulationResult, SimulationError> {
    if rounds.is_empty() {
        return Err(SimulationError::NoRounds);
    }
    let signals = if needs_play_signal(&config.strategy) {
        let patterns = models::patterns::scan::PatternConfig {
            house_edge: config.house_edge,
            ..Default::default()
        };
        models::strategy::play_signals(rounds, config.cashout, models::bet::Mode::Normal, patterns)
    } else {
        Vec::new()
    };
    Ok(models::strategy::replay(config, rounds, &signals)?)
}

/// Runs the request.
pub async fn simulate(
    state: &ServerState,
    request: SimulationRequest,
) -> Result<SimulationResult, SimulationError> {
    let config = request.config(state.house_edge)?;
    let started = std::time::Instant::now();
    let source = if request.replay {
        if request.law != LawChoice::Fair {
            return Err(SimulationError::Invalid(
                "a replay plays the stored rounds as they came: the law applies to Monte Carlo"
                    .into(),
            ));
        }
        let snap = state.history().await.map_err(internal)?;
        Rounds::Stored(snap.values.clone())
    } else {
        Rounds::Drawn(law(state, request.law).await?)
    };
    let result = tokio::task::spawn_blocking(move || match source {
        Rounds::Stored(values) => replay_rounds(&config, &values[..]),
        Rounds::Drawn(law) => {
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
            Ok(models::strategy::monte_carlo_under(
                &config,
                &law,
                threads,
                &mut |_, _| {},
            )?)
        }
    })
    .await
    .map_err(internal)?;
    let mode = if request.replay {
        "replay"
    } else {
        "monte_carlo"
    };
    metrics::counter!("jetx_simulations_total", "mode" => mode).increment(1);
    metrics::histogram!("jetx_simulation_seconds").record(started.elapsed().as_secs_f64());
    result
}

/// Where a run's rounds come from.
enum Rounds {
    Stored(std::sync::Arc<Vec<models::values::Multiplier>>),
    Drawn(RoundLaw),
}

fn internal(e: impl std::fmt::Display) -> SimulationError {
    SimulationError::Internal(e.to_string())
}

/// The law a Monte Carlo run draws from: the fair law, or the patterns the scan confirms
/// on the stored rounds (the Patterns page's report, cached per revision).
async fn law(state: &ServerState, choice: LawChoice) -> Result<RoundLaw, SimulationError> {
    if choice == LawChoice::Fair {
        return Ok(RoundLaw::Fair);
    }
    if state.history().await.map_err(internal)?.values.is_empty() {
        return Err(SimulationError::NoRounds);
    }
    let report = crate::service::patterns::report(state, &Default::default())
        .await
        .map_err(|e| match e {
            crate::service::patterns::PatternsError::Invalid(e) => {
                SimulationError::Invalid(e.to_string())
            }
            other => internal(other),
        })?;
    Ok(RoundLaw::confirmed(&report))
}

/// The inputs a bustabit autobet script declares (its config block), for the form.
pub async fn script_inputs(
    source: String,
) -> Result<Vec<models::strategy::inputs::ScriptInput>, SimulationError> {
    tokio::task::spawn_blocking(move || models::strategy::autobet::inputs(&source))
        .await
        .map_err(|e| SimulationError::Internal(e.to_string()))?
        .map_err(SimulationError::from)
}
