//! Browser entry points: hydrates the HTML the server rendered, and runs the strategy
//! lab's Monte Carlo inside Web Workers: built-in plans (`public/mc-worker.js`) and
//! players' bustabit scripts (`public/script-worker.js`, the script in JavaScript and the
//! lab's engine here).
#![recursion_limit = "256"]

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}

/// The worker's job: a [`app::views::SimulationRequest`] as JSON in, the
/// `SimulationResult` as JSON out; `progress(done, total)` is called after each block of
/// paths. Errors are the message the page shows.
#[wasm_bindgen]
pub fn simulate_in_worker(
    request: &str,
    house_edge: f64,
    progress: &js_sys::Function,
) -> Result<String, JsValue> {
    console_error_panic_hook::set_once();
    let request: app::views::SimulationRequest = serde_json::from_str(request)
        .map_err(|e| JsValue::from_str(&format!("unreadable request: {e}")))?;
    let mut tell = |done: usize, total: usize| {
        // A failing observer must not stop the run: the page only loses a progress step.
        let _ = progress.call2(
            &JsValue::NULL,
            &(done as f64).into(),
            &(total as f64).into(),
        );
    };
    let result = app::views::simulate_here(&request, house_edge, &mut tell)
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    serde_json::to_string(&result).map_err(|e| JsValue::from_str(&e.to_string()))
}

#[wasm_bindgen]
extern "C" {
    /// The script worker's host of running scripts (`public/script-worker.js`): each
    /// session is a player's script over one path, named by a number.
    #[wasm_bindgen(js_namespace = AutobetHost, js_name = start, catch)]
    fn host_start(balance_satoshis: f64, house_edge: f64) -> Result<u32, JsValue>;
    #[wasm_bindgen(js_namespace = AutobetHost, js_name = begin, catch)]
    fn host_begin(id: u32) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = AutobetHost, js_name = end, catch)]
    fn host_end(id: u32, crash: f64) -> Result<bool, JsValue>;
    #[wasm_bindgen(js_namespace = AutobetHost, js_name = failure)]
    fn host_failure(id: u32) -> Option<String>;
    #[wasm_bindgen(js_namespace = AutobetHost, js_name = close)]
    fn host_close(id: u32);
}

fn js_message(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            js_sys::Reflect::get(&e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| "the script failed".into())
}

/// A player's script as a plan of the lab's engine, in this browser: the same calls the
/// server's QuickJS staker makes (`begin` places the bet, `end` shows the crash), so the
/// same script on the same paths gives the same numbers. It holds only the session's
/// number: the session itself stays in JavaScript.
struct BrowserScript {
    id: Option<u32>,
    stopped: bool,
    error: Option<String>,
}

impl BrowserScript {
    fn start(bankroll: f64, house_edge: f64) -> Self {
        match host_start((bankroll * 100.0).round(), house_edge) {
            Ok(id) => BrowserScript {
                id: Some(id),
                stopped: false,
                error: None,
            },
            Err(e) => BrowserScript {
                id: None,
                stopped: true,
                error: Some(js_message(e)),
            },
        }
    }
}

impl models::strategy::plan::Staker for BrowserScript {
    fn bets(
        &mut self,
        _: &models::strategy::plan::View,
    ) -> Result<models::strategy::plan::Bets, models::strategy::plan::PlanError> {
        use models::strategy::plan::{Bet, PlanError};
        if let Some(e) = self.error.take() {
            return Err(PlanError(e));
        }
        let Some(id) = self.id.filter(|_| !self.stopped) else {
            return Ok([None, None]);
        };
        let bet = host_begin(id).map_err(|e| PlanError(js_message(e)))?;
        if bet.as_bool() == Some(false) {
            return match host_failure(id) {
                Some(f) => Err(PlanError(f)),
                None => {
                    self.stopped = true;
                    Ok([None, None])
                }
            };
        }
        if bet.is_null() || bet.is_undefined() {
            return Ok([None, None]);
        }
        let field = |k: &str| {
            js_sys::Reflect::get(&bet, &k.into())
                .ok()
                .and_then(|v| v.as_f64())
        };
        match (field("wager"), field("payout")) {
            (Some(wager), Some(payout)) => Ok([
                Some(Bet {
                    stake: wager / 100.0,
                    cashout: payout,
                }),
                None,
            ]),
            _ => Err(PlanError("the script's bet cannot be read".into())),
        }
    }

    fn settle(&mut self, outcome: &models::strategy::plan::Outcome) {
        let Some(id) = self.id.filter(|_| !self.stopped && self.error.is_none()) else {
            return;
        };
        match host_end(id, outcome.crash) {
            Ok(true) => {}
            Ok(false) => {
                self.error = host_failure(id);
                self.stopped = self.error.is_none();
            }
            Err(e) => self.error = Some(js_message(e)),
        }
    }

    fn stopped(&self) -> bool {
        self.stopped
    }
}

impl Drop for BrowserScript {
    fn drop(&mut self) {
        if let Some(id) = self.id {
            host_close(id);
        }
    }
}

/// The script worker's job: a [`app::views::SimulationRequest`] with a JavaScript script,
/// the sessions of `AutobetHost` as its plan, the `SimulationResult` as JSON out.
#[wasm_bindgen]
pub fn simulate_script_in_worker(
    request: &str,
    house_edge: f64,
    progress: &js_sys::Function,
) -> Result<String, JsValue> {
    console_error_panic_hook::set_once();
    let request: app::views::SimulationRequest = serde_json::from_str(request)
        .map_err(|e| JsValue::from_str(&format!("unreadable request: {e}")))?;
    let inputs = request
        .params
        .iter()
        .map(|(k, v)| (k.clone(), v.text()))
        .collect();
    let strategy = models::strategy::Strategy::Autobet {
        source: request.script.clone().unwrap_or_default(),
        inputs,
    };
    let config = request.settings(strategy, house_edge);
    let bankroll = config.limits.bankroll;
    let make = move || -> Box<dyn models::strategy::plan::Staker + Send> {
        Box::new(BrowserScript::start(bankroll, house_edge))
    };
    let mut tell = |done: usize, total: usize| {
        let _ = progress.call2(
            &JsValue::NULL,
            &(done as f64).into(),
            &(total as f64).into(),
        );
    };
    let result = models::strategy::monte_carlo_external(&config, &make, &mut tell)
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    serde_json::to_string(&result).map_err(|e| JsValue::from_str(&e.to_string()))
}
