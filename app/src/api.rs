//! Server functions: the browser's calls into the server. Each is thin: it reads the
//! shared state, calls one use case of [`crate::service`] and returns its result or an
//! [`AppError`] (the one error shape on the wire; the server answers with its status).

use crate::errors::AppError;
use crate::types::{ClientSettings, Dashboard, DemoInfo, PredictionView, RoundRow, RoundsPage};
use crate::views::{
    AnalysisView, BacktestJob, BacktestRequest, BetRequest, BetRow, BetsView, LimitRequest,
    LimitsView, LiveView, ModelsView, RealityAnswer, SimulationRequest, TrainRequest, TrainStatus,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub mod ssr {
    //! The server functions' side: the shared state (re-exported from [`crate::state`]).
    pub use crate::state::*;
    use leptos::prelude::*;

    /// The hosted server's accounts database and the signed-in player.
    pub fn account() -> Result<
        (
            crate::service::accounts::Accounts,
            crate::service::accounts::User,
        ),
        crate::errors::AppError,
    > {
        use_context::<crate::service::accounts::Accounts>()
            .zip(use_context::<crate::service::accounts::User>())
            .ok_or_else(|| crate::service::accounts::AccountError::Unauthenticated.into())
    }

    /// The state of the player the request works for; on a hosted server without a
    /// signed-in player there is none (the request is refused before it gets here).
    pub fn state() -> Result<ServerState, crate::errors::AppError> {
        use_context::<ServerState>()
            .ok_or_else(|| crate::service::accounts::AccountError::Unauthenticated.into())
    }
}

#[cfg(feature = "ssr")]
use crate::service;

#[server(endpoint = "dashboard")]
pub async fn get_dashboard(last_n: usize) -> Result<Dashboard, AppError> {
    Ok(service::rounds::dashboard(&ssr::state()?, last_n).await?)
}

/// The signed-in player's name on a hosted server; `None` in the local app.
#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<String>, AppError> {
    Ok(use_context::<crate::service::accounts::User>().map(|u| u.username))
}

/// The signed-in player's API tokens (hosted mode).
#[server(endpoint = "list_tokens")]
pub async fn list_tokens() -> Result<Vec<crate::views::TokenInfo>, AppError> {
    let (accounts, user) = ssr::account()?;
    Ok(service::accounts::tokens(&accounts.0, &user).await?)
}

/// A new API token; its secret is in the answer only.
#[server(endpoint = "create_token")]
pub async fn create_token(name: String) -> Result<String, AppError> {
    let (accounts, user) = ssr::account()?;
    Ok(service::accounts::create_token(&accounts.0, &user, &name)
        .await?
        .1)
}

#[server(endpoint = "revoke_token")]
pub async fn revoke_token(id: i64) -> Result<(), AppError> {
    let (accounts, user) = ssr::account()?;
    Ok(service::accounts::revoke_token(&accounts.0, &user, id).await?)
}

#[server(endpoint = "settings")]
pub async fn get_settings() -> Result<ClientSettings, AppError> {
    Ok(ssr::state()?.settings())
}

#[server(endpoint = "add_round")]
pub async fn add_round(text: String) -> Result<RoundRow, AppError> {
    Ok(service::rounds::add_one(&ssr::state()?, &text).await?)
}

/// Stores a pasted text. With bad tokens it stores nothing unless `skip_invalid` is set.
#[server(endpoint = "add_pasted")]
pub async fn add_pasted(text: String, skip_invalid: bool) -> Result<usize, AppError> {
    Ok(service::rounds::add_pasted(&ssr::state()?, &text, skip_invalid).await?)
}

#[server(endpoint = "undo_last")]
pub async fn undo_last() -> Result<Option<RoundRow>, AppError> {
    Ok(service::rounds::undo(&ssr::state()?).await?)
}

#[server(endpoint = "list_rounds")]
pub async fn list_rounds(offset: i64, limit: i64) -> Result<RoundsPage, AppError> {
    Ok(service::rounds::page(&ssr::state()?, offset, limit).await?)
}

#[server(endpoint = "update_round")]
pub async fn update_round(id: i64, text: String) -> Result<RoundRow, AppError> {
    Ok(service::rounds::update(&ssr::state()?, id, &text).await?)
}

#[server(endpoint = "delete_round")]
pub async fn delete_round(id: i64) -> Result<RoundRow, AppError> {
    Ok(service::rounds::delete(&ssr::state()?, id).await?)
}

#[server(endpoint = "load_demo")]
pub async fn load_demo(rounds: usize, seed: u64) -> Result<DemoInfo, AppError> {
    Ok(service::rounds::load_demo(&ssr::state()?, rounds, seed).await?)
}

#[server(endpoint = "remove_demo")]
pub async fn remove_demo() -> Result<u64, AppError> {
    Ok(service::rounds::remove_demo(&ssr::state()?).await?)
}

/// The next round's estimate at a cash-out target, with PLAY/WAIT and the reason.
#[server(endpoint = "prediction")]
pub async fn get_prediction(
    cashout: f64,
    mode: crate::types::Mode,
) -> Result<PredictionView, AppError> {
    Ok(service::predictions::show_next(&ssr::state()?, cashout, mode).await?)
}

/// Records a real bet (on the newest round unless `request.round_id` says otherwise).
#[server(endpoint = "record_bet")]
pub async fn record_bet(request: BetRequest) -> Result<BetRow, AppError> {
    Ok(service::bets::record(&ssr::state()?, &request).await?)
}

/// The bets on the player's clock (`offset_minutes` east of UTC).
#[server(endpoint = "bets")]
pub async fn list_bets(offset_minutes: i64) -> Result<BetsView, AppError> {
    Ok(service::bets::view(&ssr::state()?, crate::unix_now(), offset_minutes).await?)
}

/// Limits, cool-off and reality checks.
#[server(endpoint = "limits")]
pub async fn get_limits() -> Result<LimitsView, AppError> {
    Ok(service::limits::view(&ssr::state()?, crate::unix_now()).await?)
}

/// Sets, lowers, raises (after 24 hours) or removes (`amount: None`) one limit.
#[server(endpoint = "set_limit")]
pub async fn set_limit(request: LimitRequest) -> Result<LimitsView, AppError> {
    Ok(service::limits::set_limit(&ssr::state()?, &request, crate::unix_now()).await?)
}

/// Reality checks every `interval_s` seconds of a session, or none.
#[server(endpoint = "set_reality_check")]
pub async fn set_reality_check(interval_s: Option<i64>) -> Result<LimitsView, AppError> {
    let st = ssr::state()?;
    Ok(service::limits::set_reality_check(&st, interval_s, crate::unix_now()).await?)
}

/// The player's answer to a reality check: continue, or stop for today.
#[server(endpoint = "answer_reality_check")]
pub async fn answer_reality_check(answer: RealityAnswer) -> Result<LimitsView, AppError> {
    let st = ssr::state()?;
    Ok(service::limits::answer_reality_check(&st, answer, crate::unix_now()).await?)
}

/// A cool-off of 24, 168 or 720 hours.
#[server(endpoint = "cool_off")]
pub async fn start_cool_off(hours: i64) -> Result<LimitsView, AppError> {
    Ok(service::limits::cool_off(&ssr::state()?, hours, crate::unix_now()).await?)
}

/// The live scoreboard of stored predictions.
#[server(endpoint = "live")]
pub async fn get_live() -> Result<LiveView, AppError> {
    Ok(service::predictions::live(&ssr::state()?).await?)
}

/// Registered models, the active model's feature importance and the training job.
#[server(endpoint = "models")]
pub async fn get_models() -> Result<ModelsView, AppError> {
    Ok(service::models::overview(&ssr::state()?).await?)
}

#[server(endpoint = "activate_model")]
pub async fn activate_model(version: String) -> Result<(), AppError> {
    Ok(service::models::activate(&ssr::state()?, version).await?)
}

#[server(endpoint = "start_training")]
pub async fn start_training(request: TrainRequest) -> Result<TrainStatus, AppError> {
    Ok(service::training::start(&ssr::state()?, request).await?)
}

#[server(endpoint = "cancel_training")]
pub async fn cancel_training() -> Result<TrainStatus, AppError> {
    Ok(service::training::cancel(&ssr::state()?).await?)
}

#[server(endpoint = "training_status")]
pub async fn training_status() -> Result<TrainStatus, AppError> {
    Ok(service::training::status(&ssr::state()?).await)
}

/// Model names the backtest page offers.
#[server(endpoint = "backtest_models")]
pub async fn backtest_models() -> Result<Vec<String>, AppError> {
    Ok(service::models::forecaster_names(&ssr::state()?))
}

/// Starts a walk-forward backtest of the stored rounds as a job (followed through
/// `/api/v1/backtests/{id}/events`).
#[server(endpoint = "backtest")]
pub async fn start_backtest(request: BacktestRequest) -> Result<BacktestJob, AppError> {
    Ok(service::backtest::start(&ssr::state()?, request).await?)
}

/// One backtest job with its result.
#[server(endpoint = "backtest_job")]
pub async fn read_backtest(id: i64) -> Result<BacktestJob, AppError> {
    Ok(service::backtest::read(&ssr::state()?, id).await?)
}

/// Past and running backtests, newest first.
#[server(endpoint = "backtests")]
pub async fn list_backtests() -> Result<Vec<BacktestJob>, AppError> {
    Ok(service::backtest::list(&ssr::state()?).await?)
}

#[server(endpoint = "cancel_backtest")]
pub async fn cancel_backtest(id: i64) -> Result<BacktestJob, AppError> {
    Ok(service::backtest::cancel(&ssr::state()?, id).await?)
}

#[server(endpoint = "delete_backtest")]
pub async fn delete_backtest(id: i64) -> Result<(), AppError> {
    Ok(service::backtest::delete(&ssr::state()?, id).await?)
}

/// The patterns page: the pattern scan of the stored rounds (cached per revision).
#[server(endpoint = "patterns")]
pub async fn get_patterns() -> Result<models::patterns::PatternReport, AppError> {
    let report = service::patterns::report(&ssr::state()?, &Default::default()).await?;
    Ok((*report).clone())
}

/// The analysis page: fairness report and charts of the stored rounds.
#[server(endpoint = "analysis")]
pub async fn get_analysis() -> Result<AnalysisView, AppError> {
    Ok(service::analysis::view(&ssr::state()?).await?)
}

/// The house edge the strategy lab simulates with (the browser's Monte Carlo uses it too).
#[server(endpoint = "lab_house_edge")]
pub async fn lab_house_edge() -> Result<f64, AppError> {
    Ok(ssr::state()?.house_edge)
}

/// The strategy lab: a staking plan under the fair law (Monte Carlo) or replayed on the
/// stored rounds, next to flat betting.
#[server(endpoint = "simulate")]
pub async fn simulate(
    request: SimulationRequest,
) -> Result<models::strategy::SimulationResult, AppError> {
    Ok(service::strategy::simulate(&ssr::state()?, request).await?)
}

/// The inputs a bustabit autobet script declares in its config block, for the form.
#[server(endpoint = "script_inputs")]
pub async fn script_inputs(
    source: String,
) -> Result<Vec<models::strategy::inputs::ScriptInput>, AppError> {
    Ok(service::strategy::script_inputs(source).await?)
}
