//! The strategy lab's result as a shareable report: the fairness report, the pattern scan
//! and this run in one HTML file (`POST /api/v1/report.html`, run again from its seed).

use crate::views::SimulationRequest;
use leptos::prelude::*;

#[component]
pub fn ReportDownload(request: SimulationRequest) -> impl IntoView {
    let note = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);
    let download = move |_| {
        busy.set(true);
        note.set(None);
        let body = serde_json::json!({ "strategy": request.clone() });
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let saved = crate::browser::download_post("/api/v1/report.html", &body).await;
            note.set(Some(saved.map_err(|e| e.message)));
            busy.set(false);
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = body;
    };
    view! {
        <section class="panel" id="st-report">
            <button id="st-report-download" type="button" disabled=move || busy.get() on:click=download>
                {move || if busy.get() { "Making the report…" } else { "Download report (HTML)" }}
            </button>
            <span class="muted">" The fairness report, the pattern scan and this run in one file that opens anywhere, no script needed; the run is made again on the server from its seed."</span>
            {move || note.get().map(|n| match n {
                Ok(name) => view! { <p class="muted" id="st-report-saved">{format!("Saved {name}.")}</p> }.into_any(),
                Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
            })}
        </section>
    }
}
