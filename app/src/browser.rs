//! Browser-only helpers (hydrate builds).

use crate::types::ImportOutcome;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// POSTs a file to the REST API and reads the JSON answer; a 4xx/5xx answer becomes its
/// `error.message`.
pub async fn post_blob(url: &str, body: &web_sys::Blob) -> Result<ImportOutcome, String> {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(body);
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(js_text)?;
    request
        .headers()
        .set("content-type", "application/octet-stream")
        .map_err(js_text)?;
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(js_text)?
        .dyn_into()
        .map_err(js_text)?;
    let text = JsFuture::from(response.text().map_err(js_text)?)
        .await
        .map_err(js_text)?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        serde_json::from_str(&text).map_err(|e| format!("unexpected answer: {e}"))
    } else {
        let message = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_string))
            .unwrap_or(text);
        Err(message)
    }
}

fn js_text(e: wasm_bindgen::JsValue) -> String {
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}
