//! Browser entry points: hydrates the HTML the server rendered, and runs the strategy
//! lab's Monte Carlo inside a Web Worker (`public/mc-worker.js`).
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
