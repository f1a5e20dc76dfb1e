//! Server functions: the browser's calls into the server. Each validates with the same
//! parser as every other entry point and leaves the database unchanged on bad input.

use crate::types::{ClientSettings, Dashboard, DemoInfo, PredictionView, RoundRow, RoundsPage};
use crate::views::{
    AnalysisView, BacktestRequest, BacktestView, LiveView, ModelsPage, TrainRequest, TrainStatus,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub mod ssr {
    //! The server functions' side: the shared state (re-exported from
    //! [`crate::state`]), and how an error becomes an HTTP status.
    pub use crate::state::*;
    use leptos::prelude::*;

    pub fn state() -> Result<ServerState, ServerFnError> {
        use_context::<ServerState>().ok_or_else(|| internal("server state is missing"))
    }

    /// Answers with the error's HTTP status (4xx: the user can fix the request; 5xx: the
    /// server failed), logs it, and hands the user its message.
    pub fn fail(e: impl crate::errors::HttpStatus) -> ServerFnError {
        let code = e.status_code();
        if code >= 500 {
            metrics::counter!("jetx_server_errors_total", "status" => code.to_string())
                .increment(1);
            tracing::error!(error = %e, status = code, "request failed");
        } else {
            tracing::warn!(error = %e, status = code, "request refused");
        }
        if let (Some(options), Ok(status)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            axum::http::StatusCode::from_u16(code),
        ) {
            options.set_status(status);
        }
        ServerFnError::new(e.to_string())
    }

    /// A failure of the server itself (a lost worker, a missing context): HTTP 500.
    pub fn internal(e: impl std::fmt::Display) -> ServerFnError {
        fail(Internal(e.to_string()))
    }

    /// An unexpected failure, with its message.
    #[derive(Debug)]
    pub struct Internal(pub String);

    impl std::fmt::Display for Internal {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(&self.0)
        }
    }

    impl crate::errors::HttpStatus for Internal {
        fn status_code(&self) -> u16 {
            500
        }
    }
}

/// The message of a server function error, without the framework's prefix.
pub fn error_text(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(m) => m.clone(),
        other => other.to_string(),
    }
}

#[server(endpoint = "dashboard")]
pub async fn get_dashboard(last_n: usize) -> Result<Dashboard, ServerFnError> {
    let st = ssr::state()?;
    crate::db::dashboard(&st.pool, last_n.clamp(1, 1_000_000), st.settings())
        .await
        .map_err(ssr::fail)
}

#[server(endpoint = "settings")]
pub async fn get_settings() -> Result<ClientSettings, ServerFnError> {
    Ok(ssr::state()?.settings())
}

#[server(endpoint = "add_round")]
pub async fn add_round(text: String) -> Result<RoundRow, ServerFnError> {
    let st = ssr::state()?;
    crate::service::rounds::add_one(&st, &text)
        .await
        .map_err(ssr::fail)
}

/// Stores a pasted text. With bad tokens it stores nothing unless `skip_invalid` is set.
#[server(endpoint = "add_pasted")]
pub async fn add_pasted(text: String, skip_invalid: bool) -> Result<usize, ServerFnError> {
    let st = ssr::state()?;
    crate::service::rounds::add_pasted(&st, &text, skip_invalid)
        .await
        .map_err(ssr::fail)
}

#[server(endpoint = "undo_last")]
pub async fn undo_last() -> Result<Option<RoundRow>, ServerFnError> {
    let st = ssr::state()?;
    crate::db::undo_last(&st.pool).await.map_err(ssr::fail)
}

#[server(endpoint = "list_rounds")]
pub async fn list_rounds(offset: i64, limit: i64) -> Result<RoundsPage, ServerFnError> {
    let st = ssr::state()?;
    crate::service::rounds::page(&st, offset, limit)
        .await
        .map_err(ssr::fail)
}

#[server(endpoint = "update_round")]
pub async fn update_round(id: i64, text: String) -> Result<RoundRow, ServerFnError> {
    let st = ssr::state()?;
    crate::service::rounds::update(&st, id, &text)
        .await
        .map_err(ssr::fail)
}

#[server(endpoint = "delete_round")]
pub async fn delete_round(id: i64) -> Result<RoundRow, ServerFnError> {
    let st = ssr::state()?;
    crate::db::delete_round(&st.pool, id)
        .await
        .map_err(ssr::fail)
}

#[server(endpoint = "load_demo")]
pub async fn load_demo(rounds: usize, seed: u64) -> Result<DemoInfo, ServerFnError> {
    let st = ssr::state()?;
    crate::db::load_demo(&st.pool, rounds, seed, st.house_edge)
        .await
        .map_err(ssr::fail)
}

#[server(endpoint = "remove_demo")]
pub async fn remove_demo() -> Result<u64, ServerFnError> {
    let st = ssr::state()?;
    crate::db::remove_demo(&st.pool).await.map_err(ssr::fail)
}

/// The next round's estimate at a cash-out target, with PLAY/WAIT and the reason. Stored
/// for live scoring the first time it is shown.
#[server(endpoint = "prediction")]
pub async fn get_prediction(
    cashout: f64,
    mode: crate::types::Mode,
) -> Result<PredictionView, ServerFnError> {
    let st = ssr::state()?;
    crate::service::prediction::predict_next(&st, cashout, mode)
        .await
        .map_err(ssr::fail)
}

/// Records a real bet (on the newest round unless `request.round_id` says otherwise).
#[server(endpoint = "record_bet")]
pub async fn record_bet(
    request: crate::views::BetRequest,
) -> Result<crate::views::BetRow, ServerFnError> {
    let st = ssr::state()?;
    crate::service::ledger::record(&st, &request)
        .await
        .map_err(ssr::fail)
}

/// The bet ledger on the player's clock (`offset_minutes` east of UTC).
#[server(endpoint = "ledger")]
pub async fn get_ledger(offset_minutes: i64) -> Result<crate::views::LedgerView, ServerFnError> {
    let st = ssr::state()?;
    crate::service::ledger::ledger(&st, crate::unix_now(), offset_minutes)
        .await
        .map_err(ssr::fail)
}

/// Limits, cool-off and reality checks.
#[server(endpoint = "play")]
pub async fn get_play() -> Result<crate::views::PlayView, ServerFnError> {
    let st = ssr::state()?;
    crate::service::play::view(&st, crate::unix_now())
        .await
        .map_err(ssr::fail)
}

/// Sets, lowers, raises (after 24 hours) or removes (`amount: None`) one limit.
#[server(endpoint = "set_limit")]
pub async fn set_limit(
    request: crate::views::LimitRequest,
) -> Result<crate::views::PlayView, ServerFnError> {
    let st = ssr::state()?;
    crate::service::play::set_limit(&st, &request, crate::unix_now())
        .await
        .map_err(ssr::fail)
}

/// Reality checks every `interval_s` seconds of a session, or none.
#[server(endpoint = "set_reality_check")]
pub async fn set_reality_check(
    interval_s: Option<i64>,
) -> Result<crate::views::PlayView, ServerFnError> {
    let st = ssr::state()?;
    crate::service::play::set_reality_check(&st, interval_s, crate::unix_now())
        .await
        .map_err(ssr::fail)
}

/// The player's answer to a reality check: continue, or stop for today.
#[server(endpoint = "answer_reality_check")]
pub async fn answer_reality_check(
    answer: crate::views::RealityAnswer,
) -> Result<crate::views::PlayView, ServerFnError> {
    let st = ssr::state()?;
    crate::service::play::answer_reality_check(&st, answer, crate::unix_now())
        .await
        .map_err(ssr::fail)
}

/// A cool-off of 24, 168 or 720 hours.
#[server(endpoint = "cool_off")]
pub async fn start_cool_off(hours: i64) -> Result<crate::views::PlayView, ServerFnError> {
    let st = ssr::state()?;
    crate::service::play::cool_off(&st, hours, crate::unix_now())
        .await
        .map_err(ssr::fail)
}

/// The live scoreboard of stored predictions.
#[server(endpoint = "live")]
pub async fn get_live() -> Result<LiveView, ServerFnError> {
    let st = ssr::state()?;
    let (scored, pending) = crate::db::scored_predictions(&st.pool)
        .await
        .map_err(ssr::fail)?;
    let (stored, recent) = crate::db::list_predictions(&st.pool, 0, 12)
        .await
        .map_err(ssr::fail)?;
    Ok(crate::reports::build_live(
        &scored,
        pending as usize,
        stored as usize,
        recent,
    ))
}

/// Registered models, the active model's feature importance and the training job.
#[server(endpoint = "models")]
pub async fn get_models() -> Result<ModelsPage, ServerFnError> {
    let st = ssr::state()?;
    let predictor = st.predictor.clone();
    let overview = tokio::task::spawn_blocking(move || predictor.models())
        .await
        .map_err(ssr::internal)?
        .map_err(ssr::fail)?;
    Ok(ModelsPage {
        models: overview.models,
        importance: overview.importance,
        importance_note: overview.importance_note,
        devices: st.predictor.devices(),
        member_kinds: st.predictor.member_kinds(),
        training: st.training.status(),
    })
}

#[server(endpoint = "activate_model")]
pub async fn activate_model(version: String) -> Result<(), ServerFnError> {
    let st = ssr::state()?;
    // Activation loads the whole model: off the async workers, as the REST route does.
    let predictor = st.predictor.clone();
    tokio::task::spawn_blocking(move || predictor.activate(&version))
        .await
        .map_err(ssr::internal)?
        .map_err(ssr::fail)
}

#[server(endpoint = "start_training")]
pub async fn start_training(request: TrainRequest) -> Result<TrainStatus, ServerFnError> {
    let st = ssr::state()?;
    st.training.start(request).map_err(ssr::fail)
}

#[server(endpoint = "cancel_training")]
pub async fn cancel_training() -> Result<TrainStatus, ServerFnError> {
    let st = ssr::state()?;
    st.training.cancel().map_err(ssr::fail)
}

#[server(endpoint = "training_status")]
pub async fn training_status() -> Result<TrainStatus, ServerFnError> {
    Ok(ssr::state()?.training.status())
}

/// Model names the backtest page offers.
#[server(endpoint = "backtest_models")]
pub async fn backtest_models() -> Result<Vec<String>, ServerFnError> {
    Ok(ssr::state()?.predictor.forecaster_names())
}

/// Walk-forward backtest of the stored rounds.
#[server(endpoint = "backtest")]
pub async fn run_backtest(request: BacktestRequest) -> Result<BacktestView, ServerFnError> {
    let st = ssr::state()?;
    crate::service::backtest::run(&st, request)
        .await
        .map_err(ssr::fail)
}

/// The patterns page: the pattern scan of the stored rounds (cached per revision).
#[server(endpoint = "patterns")]
pub async fn get_patterns() -> Result<models::patterns::PatternReport, ServerFnError> {
    let st = ssr::state()?;
    let report = crate::service::patterns::report(&st, &Default::default())
        .await
        .map_err(ssr::fail)?;
    Ok((*report).clone())
}

/// The analysis page: fairness report and charts of the stored rounds.
#[server(endpoint = "analysis")]
pub async fn get_analysis() -> Result<AnalysisView, ServerFnError> {
    let st = ssr::state()?;
    let snap = st.history().await.map_err(ssr::fail)?;
    let house_edge = st.house_edge;
    tokio::task::spawn_blocking(move || crate::reports::build_analysis(&snap.values, house_edge))
        .await
        .map_err(ssr::internal)
}

/// The house edge the strategy lab simulates with (the browser's Monte Carlo uses it too).
#[server(endpoint = "lab_house_edge")]
pub async fn lab_house_edge() -> Result<f64, ServerFnError> {
    Ok(ssr::state()?.house_edge)
}

/// The strategy lab: a staking plan under the fair law (Monte Carlo) or replayed on the
/// stored rounds, next to flat betting.
#[server(endpoint = "simulate")]
pub async fn simulate(
    request: crate::views::SimulationRequest,
) -> Result<models::strategy::SimulationResult, ServerFnError> {
    let st = ssr::state()?;
    crate::service::strategy::simulate(&st, request)
        .await
        .map_err(ssr::fail)
}
