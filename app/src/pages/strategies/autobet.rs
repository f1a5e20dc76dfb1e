//! The Strategies page's box for a bustabit autobet script: pick an example or paste your
//! own, and its `var config = {…}` block becomes the form of inputs (balances in bits).

use super::Form;
use crate::api;
use leptos::prelude::*;
use models::strategy::examples;
use models::strategy::inputs::ScriptInput;

/// The text a field starts with: the script's default (a balance shown in bits).
pub(super) fn default_text(input: &ScriptInput) -> String {
    match (&input.value, input.kind.as_str()) {
        (serde_json::Value::Number(n), "balance") => {
            let bits = n.as_f64().unwrap_or(0.0) / 100.0;
            format!("{bits}")
        }
        (serde_json::Value::Null, _) => String::new(),
        (serde_json::Value::String(s), _) => s.clone(),
        (v, _) => v.to_string(),
    }
}

/// The form's values for `inputs`: what the player typed for a key that still exists,
/// else the script's default.
pub(super) fn values_for(
    inputs: &[ScriptInput],
    old: &[(String, String)],
) -> Vec<(String, String)> {
    inputs
        .iter()
        .filter(|i| i.kind != "noop")
        .map(|i| {
            let kept = old
                .iter()
                .find(|(k, _)| *k == i.key)
                .map(|(_, v)| v.clone());
            (i.key.clone(), kept.unwrap_or_else(|| default_text(i)))
        })
        .collect()
}

/// The script's own source of the example chosen, and the inputs as a form.
#[component]
pub(super) fn AutobetBox(form: Form) -> impl IntoView {
    let inputs = Resource::new(move || form.script.get(), api::script_inputs);
    // New inputs (another script, an edited config block) reset the fields to the defaults
    // of the inputs that are new.
    Effect::new(move |_| {
        if let Some(Ok(list)) = inputs.get() {
            let next = values_for(&list, &form.params.get_untracked());
            if next != form.params.get_untracked() {
                form.params.set(next);
            }
        }
    });
    let pick = move |ev: leptos::ev::Event| {
        if let Some(e) = examples::by_name(&event_target_value(&ev)) {
            form.params.set(Vec::new());
            form.script.set(e.source.to_string());
        }
    };
    view! {
        <div class="script-box">
            <div class="form-row">
                <label for="st-example">"start from an example"</label>
                <select id="st-example" on:change=pick>
                    {examples::ALL.iter().map(|e| view! { <option value=e.name>{e.label}</option> }).collect_view()}
                </select>
            </div>
            <label for="st-script">"your bustabit autobet script (JavaScript, run unchanged)"</label>
            <textarea id="st-script" rows="18" spellcheck="false" prop:value=move || form.script.get()
                on:input=move |ev| form.script.set(event_target_value(&ev))></textarea>
            <Transition fallback=|| ()>
                {move || inputs.get().map(|r| match r {
                    Ok(list) => view! { <ScriptInputs list form/> }.into_any(),
                    Err(e) => view! { <p class="message error" id="st-inputs-error">{e.message}</p> }.into_any(),
                })}
            </Transition>
            <AutobetHelp/>
        </div>
    }
}

/// One field per input of the config block.
#[component]
fn ScriptInputs(list: Vec<ScriptInput>, form: Form) -> impl IntoView {
    let fields = list
        .into_iter()
        .map(|input| view! { <ScriptField input form/> })
        .collect_view();
    view! { <div class="form-row" id="st-inputs">{fields}</div> }
}

#[component]
fn ScriptField(input: ScriptInput, form: Form) -> impl IntoView {
    let key = input.key.clone();
    let id = format!("st-input-{key}");
    let value = {
        let key = key.clone();
        move || {
            form.params
                .with(|p| p.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()))
                .unwrap_or_default()
        }
    };
    let set = move |text: String| {
        form.params
            .update(|p| match p.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = text,
                None => p.push((key.clone(), text)),
            })
    };
    let label = match input.kind.as_str() {
        "balance" => format!("{} (bits)", input.label),
        _ => input.label.clone(),
    };
    match input.kind.as_str() {
        "noop" => view! { <p class="muted">{input.label}</p> }.into_any(),
        "checkbox" => view! {
            <label class="check"><input type="checkbox" id=id prop:checked=move || value() == "true"
                on:change=move |ev| set(event_target_checked(&ev).to_string())/>{label}</label>
        }
        .into_any(),
        "radio" | "combobox" => {
            let options = input.options.unwrap_or_default();
            view! {
                <label for=id.clone()>{label}</label>
                <select id=id on:change=move |ev| set(event_target_value(&ev))>
                    {options.into_iter().map(|o| {
                        let k = o.key.clone();
                        let selected = { let value = value.clone(); move || value() == k };
                        view! { <option value=o.key selected=selected>{o.label}</option> }
                    }).collect_view()}
                </select>
            }
            .into_any()
        }
        _ => view! {
            <label for=id.clone()>{label}</label>
            <input id=id type="text" prop:value=value on:input=move |ev| set(event_target_value(&ev))/>
        }
        .into_any(),
    }
}

/// What an autobet script may call, in a few lines.
#[component]
fn AutobetHelp() -> impl IntoView {
    view! {
        <details class="paste">
            <summary>"How autobet scripts run here"</summary>
            <ul class="muted">
                <li>"Your bustabit script runs unchanged: "<code>"var config = { … }"</code>" at the top becomes the inputs above "
                    "(balances in bits here, satoshis in the script), then the script runs once and registers its listeners."</li>
                <li><code>"engine.on(event, fn)"</code>" for GAME_STARTING, GAME_STARTED, GAME_ENDED and CASHED_OUT; "
                    <code>"engine.bet(satoshis, payout)"</code>" (whole bits, payout above 1, at most your balance — otherwise the run stops with INVALID_BET or BET_TOO_BIG), "
                    <code>"engine.getCurrentBet()"</code>", "<code>"engine.isBetQueued()"</code>", "<code>"engine.cancelQueuedBet()"</code>", "
                    <code>"engine.history"</code>" (first() is the latest of the last 50 games), "<code>"userInfo"</code>", "
                    <code>"log()"</code>", "<code>"stop(reason)"</code>", "<code>"SHA256()"</code>", "<code>"gameResultFromHash()"</code>"."</li>
                <li>"A bet wins when its payout is at most the crash point and pays wager × payout. "
                    <code>"engine.cashOut()"</code>" (a manual cash-out) cannot be replayed from crash points: such a script is refused."</li>
                <li>"Scripts run in a sandbox: on the server in QuickJS (no network, files or DOM, 64 MB of memory, 30 s per run), "
                    "or for a Monte Carlo in this browser's worker, with its network functions removed. "
                    "Both run the same engine on the same rounds, so they give the same numbers; errors name the line and the game."</li>
            </ul>
        </details>
    }
}
