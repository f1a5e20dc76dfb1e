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

/// Follows the training job's server-sent events into `status` while the page is shown.
pub fn follow_training(status: leptos::prelude::RwSignal<Option<crate::views::TrainStatus>>) {
    use leptos::prelude::*;
    use wasm_bindgen::closure::Closure;
    let Ok(source) = web_sys::EventSource::new("/api/v1/train/events") else {
        return;
    };
    let on_status =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            if let Some(text) = ev.data().as_string() {
                if let Ok(s) = serde_json::from_str::<crate::views::TrainStatus>(&text) {
                    status.update(|cur| {
                        if s.is_newer_than(cur.as_ref()) {
                            *cur = Some(s);
                        }
                    });
                }
            }
        });
    let _ = source.add_event_listener_with_callback("status", on_status.as_ref().unchecked_ref());
    // The listener lives as long as the event source, which is closed on cleanup.
    on_status.forget();
    let source = StoredValue::new_local(source);
    on_cleanup(move || {
        let _ = source.try_with_value(|s| s.close());
    });
}
