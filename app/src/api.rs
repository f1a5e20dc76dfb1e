//! Server functions: the browser's calls into the server. Each validates with the same
//! parser as every other entry point and leaves the database unchanged on bad input.

use crate::types::{ClientSettings, Dashboard, DemoInfo, PredictionView, RoundRow, RoundsPage};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::types::ClientSettings;
    use leptos::prelude::*;
    use models::values::ValueRules;
    use sqlx::SqlitePool;

    /// Estimates the next round. The server plugs in the trained ensemble; without one the
    /// fair law answers ([`FairPredictions`]).
    pub trait PredictionService: Send + Sync {
        fn predict(
            &self,
            rounds: &[models::values::Multiplier],
            cashout: f64,
            mode: crate::types::Mode,
        ) -> crate::types::PredictionView;
    }

    /// The fair law (1 − h)/t with the history's rates beside it, and a notice saying so.
    pub struct FairPredictions {
        pub house_edge: f64,
        pub notice: String,
    }

    impl PredictionService for FairPredictions {
        fn predict(
            &self,
            rounds: &[models::values::Multiplier],
            cashout: f64,
            mode: crate::types::Mode,
        ) -> crate::types::PredictionView {
            let thresholds = crate::types::fair_thresholds(
                rounds,
                &models::forecast::DEFAULT_THRESHOLDS,
                self.house_edge,
            );
            crate::types::prediction_view(
                None,
                Some(self.notice.clone()),
                rounds.len(),
                cashout,
                mode,
                thresholds,
                None,
                self.house_edge,
            )
        }
    }

    /// What every request handler needs; provided as Leptos context and axum state.
    #[derive(Clone)]
    pub struct ServerState {
        pub pool: SqlitePool,
        pub rules: ValueRules,
        pub house_edge: f64,
        pub predictor: std::sync::Arc<dyn PredictionService>,
    }

    impl ServerState {
        pub fn settings(&self) -> ClientSettings {
            ClientSettings {
                rules: self.rules,
                house_edge: self.house_edge,
            }
        }
    }

    pub fn state() -> Result<ServerState, ServerFnError> {
        use_context::<ServerState>().ok_or_else(|| ServerFnError::new("server state is missing"))
    }

    /// Logs the full error and hands the user its message.
    pub fn fail(e: impl std::fmt::Display) -> ServerFnError {
        tracing::warn!(error = %e, "request refused");
        ServerFnError::new(e.to_string())
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
    let value = models::values::parse_multiplier(&text, &st.rules).map_err(ssr::fail)?;
    let ids = crate::db::insert_values(&st.pool, &[value], crate::types::Source::Entry)
        .await
        .map_err(ssr::fail)?;
    let id = ids
        .first()
        .copied()
        .ok_or_else(|| ssr::fail("nothing stored"))?;
    crate::db::get_round(&st.pool, id).await.map_err(ssr::fail)
}

/// Stores a pasted text. With bad tokens it stores nothing unless `skip_invalid` is set.
#[server(endpoint = "add_pasted")]
pub async fn add_pasted(text: String, skip_invalid: bool) -> Result<usize, ServerFnError> {
    let st = ssr::state()?;
    let parse = models::values::parse_paste(&text, &st.rules).map_err(ssr::fail)?;
    let values = if skip_invalid {
        parse.valid_values()
    } else {
        parse.all_or_first_error().map_err(ssr::fail)?
    };
    if values.is_empty() {
        return Err(ssr::fail("the text holds no valid values"));
    }
    crate::db::insert_values(&st.pool, &values, crate::types::Source::Paste)
        .await
        .map_err(ssr::fail)?;
    Ok(values.len())
}

#[server(endpoint = "undo_last")]
pub async fn undo_last() -> Result<Option<RoundRow>, ServerFnError> {
    let st = ssr::state()?;
    crate::db::undo_last(&st.pool).await.map_err(ssr::fail)
}

#[server(endpoint = "list_rounds")]
pub async fn list_rounds(offset: i64, limit: i64) -> Result<RoundsPage, ServerFnError> {
    let st = ssr::state()?;
    crate::db::list_page(&st.pool, offset.max(0), limit.clamp(1, 1000))
        .await
        .map_err(ssr::fail)
}

#[server(endpoint = "update_round")]
pub async fn update_round(id: i64, text: String) -> Result<RoundRow, ServerFnError> {
    let st = ssr::state()?;
    let value = models::values::parse_multiplier(&text, &st.rules).map_err(ssr::fail)?;
    crate::db::update_value(&st.pool, id, value)
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

/// The next round's estimate at a cash-out target, with PLAY/WAIT and the reason.
#[server(endpoint = "prediction")]
pub async fn get_prediction(
    cashout: f64,
    mode: crate::types::Mode,
) -> Result<PredictionView, ServerFnError> {
    let st = ssr::state()?;
    if !(1.01..=1_000_000.0).contains(&cashout) {
        return Err(ssr::fail(format!(
            "cash-out {cashout} is outside 1.01–1,000,000"
        )));
    }
    let rounds = crate::db::all_values(&st.pool).await.map_err(ssr::fail)?;
    let predictor = st.predictor.clone();
    // Loading a model reads files and runs the networks: keep it off the async workers.
    tokio::task::spawn_blocking(move || predictor.predict(&rounds, cashout, mode))
        .await
        .map_err(ssr::fail)
}
