//! Pasting many rounds: a preview marks each bad token before anything is stored.
use crate::api;
use crate::pages::Notice;
use crate::types::ClientSettings;
use crate::DataVersion;
use leptos::prelude::*;
use models::values::{describe_token_error, parse_paste, PasteParse};

/// Paste many values: a preview marks each bad token; nothing is stored before confirming.
#[component]
pub(super) fn PasteRounds(settings: Signal<Option<ClientSettings>>) -> impl IntoView {
    let version = expect_context::<DataVersion>();
    let text = RwSignal::new(String::new());
    let status = RwSignal::new(None::<Notice>);
    let rules = move || settings.get().map(|s| s.rules).unwrap_or_default();
    let preview = Memo::new(move |_| {
        let t = text.get();
        if t.trim().is_empty() {
            None
        } else {
            Some(parse_paste(&t, &rules()).map_err(|e| e.to_string()))
        }
    });
    let counts = move || {
        preview.with(|p| match p {
            Some(Ok(p)) => (p.tokens.len() - p.error_count(), p.error_count()),
            _ => (0, 0),
        })
    };

    let add = ServerAction::<api::AddPasted>::new();
    // What the store said; a stored paste empties the field and changes the history once.
    Effect::new(move |_| match add.value().get() {
        Some(Ok(n)) => {
            text.set(String::new());
            status.set(Some(Notice::Done(format!("Stored {n} rounds, in order."))));
            version.bump();
        }
        Some(Err(e)) => status.set(Some(Notice::Refused(e.message))),
        None => {}
    });
    let store = move |skip_invalid: bool| {
        add.dispatch(api::AddPasted {
            text: text.get_untracked(),
            skip_invalid,
        });
    };

    view! {
        <details class="paste" id="paste-panel">
            <summary>"Paste many rounds"</summary>
            <p class="muted">"Values may be separated by spaces, new lines, semicolons or Unicode line separators; "
            "a comma is a decimal comma. Oldest first."</p>
            <textarea
                id="paste-input"
                rows="4"
                placeholder="1.57 2.10 1.00&#10;3,45; 12.5x"
                prop:value=move || text.get()
                on:input=move |ev| { status.set(None); text.set(event_target_value(&ev)); }
            ></textarea>
            {move || preview.get().map(|p| match p {
                Err(e) => view! { <p class="message error" id="paste-error">{e}</p> }.into_any(),
                Ok(p) => view! { <PastePreview p/> }.into_any(),
            })}
            <div class="buttons">
                <button id="paste-confirm" disabled=move || { let (v, b) = counts(); v == 0 || b > 0 }
                    on:click=move |_| store(false)>
                    {move || format!("Store {}", crate::pages::plural(counts().0, "round"))}
                </button>
                {move || { let (v, b) = counts(); (b > 0 && v > 0).then(|| view! {
                    <button id="paste-skip" class="secondary" on:click=move |_| store(true)>
                        {format!("Skip {b} bad, store {}", crate::pages::plural(v, "round"))}
                    </button>
                })}}
                <button class="secondary" on:click=move |_| { text.set(String::new()); status.set(None); }>"Clear"</button>
            </div>
            {move || status.get().map(|s| match s {
                Notice::Done(m) => view! { <p class="message ok" id="paste-status">{m}</p> }.into_any(),
                Notice::Refused(m) => view! { <p class="message error" id="paste-status">{m}</p> }.into_any(),
            })}
        </details>
    }
}

/// The pasted values as chips, how many are valid and what is wrong with the others.
#[component]
fn PastePreview(p: PasteParse) -> impl IntoView {
    let (valid, bad) = (p.tokens.len() - p.error_count(), p.error_count());
    let problems: Vec<String> = p.errors().take(50).map(describe_token_error).collect();
    let chips = p
        .tokens
        .iter()
        .take(400)
        .map(|t| {
            let (class, title) = match &t.value {
                Ok(_) => ("chip ok", String::new()),
                Err(e) => ("chip bad", e.to_string()),
            };
            view! { <span class=class title=title>{t.token.text.clone()}</span> }
        })
        .collect_view();
    view! {
        <div class="paste-preview" id="paste-preview">
            <p>
                <strong id="paste-valid-count">{valid}</strong>" valid"
                {(bad > 0).then(|| view! { ", " <strong class="bad-count" id="paste-bad-count">{bad}</strong>" with problems" })}
            </p>
            <div class="chips">{chips}</div>
            <ul class="problems" id="paste-problems">
                {problems.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
            </ul>
        </div>
    }
}
