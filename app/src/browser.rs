//! Browser-only helpers (hydrate builds).

use crate::errors::AppError;
use crate::types::ImportOutcome;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The REST API's error body.
#[derive(serde::Deserialize)]
struct ErrorBody {
    error: AppError,
}

/// POSTs a file to the REST API and reads the JSON answer; a 4xx/5xx answer is its
/// `error`.
pub async fn post_blob(url: &str, body: &web_sys::Blob) -> Result<ImportOutcome, AppError> {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(body);
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(js_text)?;
    request
        .headers()
        .set("content-type", "application/octet-stream")
        .map_err(js_text)?;
    let text = fetch_text(&request).await?;
    serde_json::from_str(&text).map_err(|e| browser_error(format!("unexpected answer: {e}")))
}

/// Sends `body` as JSON (or nothing) to the REST API and reads the JSON answer (null
/// when there is none, as for 204); a 4xx/5xx answer is its `error`.
pub async fn send_json(
    method: &str,
    url: &str,
    body: Option<&serde_json::Value>,
) -> Result<serde_json::Value, AppError> {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(b) = body {
        init.set_body(&wasm_bindgen::JsValue::from_str(&b.to_string()));
    }
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(js_text)?;
    if body.is_some() {
        request
            .headers()
            .set("content-type", "application/json")
            .map_err(js_text)?;
    }
    let text = fetch_text(&request).await?;
    Ok(serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
}

/// Sends `request`; the answer's text, or for a 4xx/5xx answer the REST API's `error`.
async fn fetch_text(request: &web_sys::Request) -> Result<String, AppError> {
    let response = fetch_ok(request).await?;
    Ok(JsFuture::from(response.text().map_err(js_text)?)
        .await
        .map_err(js_text)?
        .as_string()
        .unwrap_or_default())
}

/// Sends `request`; the answer when it is a success, else the REST API's `error`.
async fn fetch_ok(request: &web_sys::Request) -> Result<web_sys::Response, AppError> {
    let window = web_sys::window().ok_or_else(|| browser_error("no window"))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(request))
        .await
        .map_err(js_text)?
        .dyn_into()
        .map_err(js_text)?;
    if response.ok() {
        return Ok(response);
    }
    let status = response.status();
    let text = JsFuture::from(response.text().map_err(js_text)?)
        .await
        .map_err(js_text)?
        .as_string()
        .unwrap_or_default();
    Err(serde_json::from_str::<ErrorBody>(&text)
        .map(|b| b.error)
        .unwrap_or_else(|_| AppError::new(status, crate::errors::code_for_status(status), text)))
}

/// POSTs `body` as JSON and saves the answer as a file, named as the server's
/// Content-Disposition says; the name.
pub async fn download_post(url: &str, body: &serde_json::Value) -> Result<String, AppError> {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&wasm_bindgen::JsValue::from_str(&body.to_string()));
    let request = web_sys::Request::new_with_str_and_init(url, &init).map_err(js_text)?;
    request
        .headers()
        .set("content-type", "application/json")
        .map_err(js_text)?;
    let response = fetch_ok(&request).await?;
    let disposition = response
        .headers()
        .get("content-disposition")
        .ok()
        .flatten()
        .unwrap_or_default();
    let name = disposition
        .split("filename=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .filter(|n| !n.is_empty())
        .unwrap_or("jetx-report.html")
        .to_string();
    let blob: web_sys::Blob = JsFuture::from(response.blob().map_err(js_text)?)
        .await
        .map_err(js_text)?
        .dyn_into()
        .map_err(js_text)?;
    let href = web_sys::Url::create_object_url_with_blob(&blob).map_err(js_text)?;
    let link: web_sys::HtmlAnchorElement = web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| browser_error("no document"))?
        .create_element("a")
        .map_err(js_text)?
        .dyn_into()
        .map_err(|_| browser_error("no link element"))?;
    link.set_href(&href);
    link.set_download(&name);
    link.click();
    // Later: the download reads the blob after the click returns.
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&href);
        },
        std::time::Duration::from_secs(30),
    );
    Ok(name)
}

/// A failure inside the browser (no answer from the server, a worker that did not start).
fn browser_error(message: impl Into<String>) -> AppError {
    AppError::new(0, "browser", message)
}

fn js_text(e: wasm_bindgen::JsValue) -> AppError {
    browser_error(e.as_string().unwrap_or_else(|| format!("{e:?}")))
}

/// A server-sent events stream being followed; dropping it closes the connection.
pub struct EventStream {
    source: web_sys::EventSource,
    _on_status: wasm_bindgen::closure::Closure<dyn FnMut(web_sys::MessageEvent)>,
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.source.close();
    }
}

/// Follows the `status` events of `url`, each read as JSON into `on_status`.
pub fn follow_events<T: serde::de::DeserializeOwned + 'static>(
    url: &str,
    mut on_status: impl FnMut(T) + 'static,
) -> Option<EventStream> {
    use wasm_bindgen::closure::Closure;
    let source = web_sys::EventSource::new(url).ok()?;
    let on_status =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            if let Some(value) = ev
                .data()
                .as_string()
                .and_then(|text| serde_json::from_str::<T>(&text).ok())
            {
                on_status(value);
            }
        });
    let _ = source.add_event_listener_with_callback("status", on_status.as_ref().unchecked_ref());
    Some(EventStream {
        source,
        _on_status: on_status,
    })
}

/// Follows the training job's server-sent events into `status` while the page is shown.
pub fn follow_training(status: leptos::prelude::RwSignal<Option<crate::views::TrainStatus>>) {
    use leptos::prelude::*;
    let stream = follow_events(
        "/api/v1/train/events",
        move |s: crate::views::TrainStatus| {
            status.update(|cur| {
                if s.is_newer_than(cur.as_ref()) {
                    *cur = Some(s);
                }
            })
        },
    );
    let stream = StoredValue::new_local(stream);
    on_cleanup(move || {
        let _ = stream.try_update_value(|s| s.take());
    });
}

/// Where the worker scripts are served: built-in plans (`public/mc-worker.js`) and
/// players' JavaScript scripts (`public/script-worker.js`).
pub const MC_WORKER_PATH: &str = "/mc-worker.js";
pub const SCRIPT_WORKER_PATH: &str = "/script-worker.js";

/// What the Monte Carlo worker says.
pub enum WorkerNews {
    Progress {
        done: f64,
        total: f64,
    },
    /// The result as JSON text, or the error.
    Done(Result<String, AppError>),
}

/// A Monte Carlo run in a Web Worker, so the page stays responsive; dropping or
/// cancelling it terminates the worker.
pub struct WorkerRun {
    worker: web_sys::Worker,
    _on_message: wasm_bindgen::closure::Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: wasm_bindgen::closure::Closure<dyn FnMut(web_sys::Event)>,
}

impl WorkerRun {
    /// Starts the worker at `path` on `request` (JSON) and tells `news` what it says.
    pub fn start(
        path: &str,
        request: String,
        house_edge: f64,
        news: impl FnMut(WorkerNews) + 'static,
    ) -> Result<Self, AppError> {
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsValue;
        let options = web_sys::WorkerOptions::new();
        options.set_type(web_sys::WorkerType::Module);
        let worker = web_sys::Worker::new_with_options(path, &options).map_err(js_text)?;
        let field = |v: &JsValue, k: &str| js_sys::Reflect::get(v, &JsValue::from_str(k)).ok();
        let news = std::rc::Rc::new(std::cell::RefCell::new(news));
        let tell = news.clone();
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                let data = ev.data();
                let text = |k: &str| field(&data, k).and_then(|v| v.as_string());
                let number = |k: &str| field(&data, k).and_then(|v| v.as_f64()).unwrap_or(0.0);
                let item = match text("kind").as_deref() {
                    Some("progress") => WorkerNews::Progress {
                        done: number("done"),
                        total: number("total"),
                    },
                    Some("done") => WorkerNews::Done(
                        text("result").ok_or_else(|| browser_error("the worker sent no result")),
                    ),
                    // The run's own refusals (bad settings) come back as messages.
                    _ => WorkerNews::Done(Err(AppError::new(
                        400,
                        "bad_settings",
                        text("message").unwrap_or_else(|| "the browser's worker failed".into()),
                    ))),
                };
                if let Ok(mut tell) = tell.try_borrow_mut() {
                    tell(item);
                }
            });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // A worker script that fails to load raises `error`, not a message.
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if let Ok(mut tell) = news.try_borrow_mut() {
                tell(WorkerNews::Done(Err(browser_error(
                    "this browser could not start the simulation worker",
                ))));
            }
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"request".into(), &request.into());
        let _ = js_sys::Reflect::set(&message, &"houseEdge".into(), &house_edge.into());
        worker.post_message(&message).map_err(js_text)?;
        Ok(Self {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        })
    }
}

impl Drop for WorkerRun {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
