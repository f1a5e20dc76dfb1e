//! The rounds page: every stored round (edit, delete), import and export.

use crate::api;
use crate::pages::value_class;
use crate::pages::Notice;
use crate::types::{ImportOutcome, Place, RoundRow};
use crate::DataVersion;
use leptos::prelude::*;
use leptos::task::spawn_local;

const PAGE_SIZE: i64 = 50;

#[component]
pub fn RoundsPage() -> impl IntoView {
    let version = expect_context::<DataVersion>();
    let offset = RwSignal::new(0i64);
    let page = Resource::new(
        move || (version.0.get(), offset.get()),
        |(_, off)| api::list_rounds(off, PAGE_SIZE),
    );
    view! {
        <leptos_meta::Title text="Rounds · JetX Predictor"/>
        <h1 class="page-title">"Rounds"</h1>
        <section class="panel">
            <h2>"Import and export"</h2>
            <ImportPanel/>
            <p>
                <a id="export-csv" class="button secondary" href="/api/v1/rounds/export.csv" download="jetx_rounds.csv">
                    "Export all rounds (CSV)"
                </a>
            </p>
        </section>
        <section class="panel">
            <h2>"All rounds"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || page.get().map(|r| match r {
                    Err(e) => view! { <p class="error">{e.message}</p> }.into_any(),
                    Ok(p) => {
                        let (total, off) = (p.total, p.offset);
                        let last = (off + p.rounds.len() as i64).min(total);
                        view! {
                            <div class="pager">
                                <button class="secondary" disabled=move || off == 0
                                    on:click=move |_| offset.set((off - PAGE_SIZE).max(0))>"Newer"</button>
                                <span id="page-range">
                                    {if total == 0 { "No rounds".to_string() } else { format!("{}–{} of {} (newest first)", off + 1, last, total) }}
                                </span>
                                <button class="secondary" disabled=move || { last >= total }
                                    on:click=move |_| offset.set(off + PAGE_SIZE)>"Older"</button>
                            </div>
                            <table class="rounds" id="rounds-table">
                                <thead><tr><th>"#"</th><th>"Multiplier"</th><th>"Source"</th><th>"Entered (UTC)"</th><th></th></tr></thead>
                                <tbody>
                                    {p.rounds.into_iter().map(|r| view! { <RoundLine round=r/> }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }
                })}
            </Transition>
        </section>
    }
}

// The round whose Edit button takes the focus when the list is drawn again (a saved edit
// reloads the page of rounds, which makes every row anew). A plain cell: with a
// `StoredValue` provided as context by the page, the focus was not restored in the
// keyboard test, and this works wherever the rows are drawn.
thread_local! {
    static FOCUS_AFTER_RELOAD: std::cell::Cell<Option<i64>> = const { std::cell::Cell::new(None) };
}

/// One row's editing state, and what its buttons do.
#[derive(Clone, Copy)]
struct RowEdit {
    id: i64,
    version: DataVersion,
    editing: RwSignal<bool>,
    confirm_delete: RwSignal<bool>,
    draft: RwSignal<String>,
    error: RwSignal<Option<String>>,
    /// The value as stored, put back on Cancel or Escape.
    original: StoredValue<String>,
    /// The Edit button takes the focus back once it is drawn again.
    return_focus: StoredValue<bool>,
}

impl RowEdit {
    fn new(round: &RoundRow, version: DataVersion) -> Self {
        RowEdit {
            id: round.id,
            version,
            editing: RwSignal::new(false),
            confirm_delete: RwSignal::new(false),
            draft: RwSignal::new(round.value.to_string()),
            error: RwSignal::new(None),
            original: StoredValue::new(round.value.to_string()),
            return_focus: StoredValue::new(false),
        }
    }

    fn stop_editing(self) {
        self.return_focus.set_value(true);
        self.editing.set(false);
        self.error.set(None);
    }

    /// Puts the stored value back and leaves the input.
    fn cancel(self) {
        self.draft.set(self.original.get_value());
        self.stop_editing();
    }

    fn save(self) {
        let RowEdit {
            id, version, error, ..
        } = self;
        let text = self.draft.get_untracked();
        spawn_local(async move {
            match api::update_round(id, text).await {
                Ok(_) => {
                    FOCUS_AFTER_RELOAD.set(Some(id));
                    self.stop_editing();
                    version.bump();
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
    }

    fn delete(self) {
        let RowEdit {
            id, version, error, ..
        } = self;
        spawn_local(async move {
            match api::delete_round(id).await {
                Ok(_) => version.bump(),
                Err(e) => error.set(Some(e.message)),
            }
        });
    }
}

/// Keyboard users land in the input on Edit and back on the Edit button afterwards.
fn follow_focus(
    row: RowEdit,
    input_ref: NodeRef<leptos::html::Input>,
    edit_ref: NodeRef<leptos::html::Button>,
) {
    let RowEdit {
        id,
        editing,
        return_focus,
        ..
    } = row;
    let button_seen = StoredValue::new(false);
    Effect::new(move |_| {
        if editing.get() {
            if let Some(el) = input_ref.get() {
                let _ = el.focus();
                el.select();
            }
        } else if let Some(el) = edit_ref.get() {
            // The row drawn anew after a save takes the focus when its button first appears.
            let first_sight = !button_seen.get_value();
            button_seen.set_value(true);
            let after_reload = first_sight && FOCUS_AFTER_RELOAD.get() == Some(id);
            if return_focus.get_value() || after_reload {
                return_focus.set_value(false);
                if after_reload {
                    FOCUS_AFTER_RELOAD.set(None);
                }
                let _ = el.focus();
            }
        }
    });
}

/// One table row, with inline edit and a two-step delete.
#[component]
fn RoundLine(round: RoundRow) -> impl IntoView {
    let version = expect_context::<DataVersion>();
    let row = RowEdit::new(&round, version);
    let id = round.id;
    let RowEdit {
        editing,
        draft,
        error,
        ..
    } = row;
    let input_ref = NodeRef::<leptos::html::Input>::new();
    let edit_ref = NodeRef::<leptos::html::Button>::new();
    follow_focus(row, input_ref, edit_ref);
    let value_text = format!("{}x", round.value);
    let value_label = StoredValue::new(value_text.clone());
    let position = round.position;
    let source = match (&round.source_id, round.synthetic) {
        (_, true) => "demo (synthetic)".to_string(),
        (Some(id), false) => format!("{} (id {id})", round.source.as_str()),
        (None, false) => round.source.as_str().to_string(),
    };
    let entered = round
        .created_at
        .replace('T', " ")
        .trim_end_matches('Z')
        .to_string();
    let edited = round.updated_at.is_some().then_some(" (edited)");
    view! {
        <tr data-id=id class=value_class(round.value)>
            <td>{round.position}</td>
            <td>
                <Show when=move || editing.get() fallback=move || view! { <span class="val">{value_text.clone()}</span>{edited} }>
                    <input class="edit-value" type="text" inputmode="decimal" node_ref=input_ref
                        aria-label=format!("New value of round {position}")
                        aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                        prop:value=move || draft.get()
                        on:input=move |ev| draft.set(event_target_value(&ev))
                        on:keydown=move |ev| {
                            if ev.key() == "Enter" { row.save(); }
                            if ev.key() == "Escape" { row.cancel(); }
                        }/>
                </Show>
                {move || error.get().map(|e| view! { <div class="message error">{e}</div> })}
            </td>
            <td>{source}</td>
            <td>{entered}</td>
            <RowActions row edit_ref position value_label/>
        </tr>
    }
}

/// The row's Edit / Save / Cancel and Delete / Really delete / Keep buttons.
#[component]
fn RowActions(
    row: RowEdit,
    edit_ref: NodeRef<leptos::html::Button>,
    position: i64,
    value_label: StoredValue<String>,
) -> impl IntoView {
    let RowEdit {
        editing,
        confirm_delete,
        ..
    } = row;
    view! {
        <td class="actions">
            <Show when=move || editing.get() fallback=move || view! {
                <button class="secondary edit" node_ref=edit_ref aria-label=move || format!("Edit round {position} ({})", value_label.get_value())
                    on:click=move |_| editing.set(true)>"Edit"</button>
            }>
                <button class="save" aria-label=format!("Save round {position}") on:click=move |_| row.save()>"Save"</button>
                <button class="secondary" aria-label=format!("Cancel editing round {position}")
                    on:click=move |_| row.cancel()>"Cancel"</button>
            </Show>
            <Show when=move || confirm_delete.get() fallback=move || view! {
                <button class="secondary delete" aria-label=move || format!("Delete round {position} ({})", value_label.get_value()) on:click=move |_| confirm_delete.set(true)>"Delete"</button>
            }>
                <button class="danger confirm-delete" aria-label=format!("Really delete round {position}") on:click=move |_| row.delete()>"Really delete"</button>
                <button class="secondary" aria-label=format!("Keep round {position}") on:click=move |_| confirm_delete.set(false)>"Keep"</button>
            </Show>
        </td>
    }
}

/// The import's state: the file field, the dry run's report, the last outcome, whether it reads.
#[derive(Clone, Copy)]
struct ImportState {
    version: DataVersion,
    file_input: NodeRef<leptos::html::Input>,
    report: RwSignal<Option<ImportOutcome>>,
    status: RwSignal<Option<Notice>>,
    busy: RwSignal<bool>,
    /// Fields holding several values are split into their rounds (asked in the report).
    split: RwSignal<bool>,
    /// Before or after the stored rounds (asked in the report).
    place: RwSignal<Place>,
}

impl ImportState {
    /// Sends the chosen file: a dry run reports what can be read, otherwise the rows are
    /// stored, the ones already stored kept or skipped as `duplicates` says.
    fn send(self, dry_run: bool, duplicates: &'static str) {
        #[cfg(feature = "hydrate")]
        {
            let ImportState {
                version,
                file_input,
                report,
                status,
                busy,
                split,
                place,
            } = self;
            let Some(file) = file_input
                .get_untracked()
                .and_then(|el| el.files())
                .and_then(|files| files.get(0))
            else {
                status.set(Some(Notice::Refused("Choose a file first.".into())));
                return;
            };
            busy.set(true);
            spawn_local(async move {
                let url = format!(
                    "/api/v1/import?dry_run={dry_run}&on_fault=skip_faulty&duplicates={duplicates}&split={}&place={}&filename={}",
                    split.get_untracked(),
                    place_word(place.get_untracked()),
                    js_sys::encode_uri_component(&file.name())
                );
                match crate::browser::post_blob(&url, &file).await {
                    Ok(outcome) => {
                        if dry_run {
                            status.set(None);
                            place.set(suggested_place(&outcome));
                            report.set(Some(outcome));
                        } else {
                            status.set(Some(Notice::Done(stored_text(&outcome))));
                            report.set(None);
                            if let Some(el) = file_input.get_untracked() {
                                el.set_value("");
                            }
                            version.bump();
                        }
                    }
                    Err(e) => {
                        report.set(None);
                        status.set(Some(Notice::Refused(e.message)));
                    }
                }
                busy.set(false);
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (dry_run, duplicates, &self.file_input, &self.version);
    }

    /// Drops the report: nothing is stored.
    fn import_nothing(self) {
        self.report.set(None);
        // Clear the choice so picking the same file again reads it again.
        if let Some(el) = self.file_input.get_untracked() {
            el.set_value("");
        }
        self.status
            .set(Some(Notice::Done("Nothing was imported.".into())));
    }
}

/// Upload a CSV/text file or the Python app's SQLite database: first a report of what can
/// be read, then the user stores the readable rows or nothing.
#[component]
fn ImportPanel() -> impl IntoView {
    let state = ImportState {
        version: expect_context::<DataVersion>(),
        file_input: NodeRef::new(),
        report: RwSignal::new(None),
        status: RwSignal::new(None),
        busy: RwSignal::new(false),
        split: RwSignal::new(false),
        place: RwSignal::new(Place::After),
    };
    let ImportState {
        file_input,
        report,
        status,
        busy,
        ..
    } = state;

    view! {
        <div class="import" id="import-panel">
            <label for="import-file">"Import a file: CSV (a "<code>"value"</code>" column, e.g. "<code>"id,value"</code>"), plain text, or the Python JetX Predictor's "<code>".db"</code></label>
            <input id="import-file" type="file" accept=".csv,.txt,.db,.sqlite,.sqlite3,text/csv,text/plain"
                node_ref=file_input on:change=move |_| {
                    state.split.set(false);
                    state.send(true, "keep")
                }/>
            {move || busy.get().then(|| view! { <p class="muted">"Reading…"</p> })}
            {move || report.get().map(|r| view! { <ImportReport r state/> })}
            {move || status.get().map(|s| match s {
                Notice::Done(m) => view! { <p class="message ok" id="import-status">{m}</p> }.into_any(),
                Notice::Refused(m) => view! { <p class="message error" id="import-status">{m}</p> }.into_any(),
            })}
        </div>
    }
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn place_word(place: Place) -> &'static str {
    match place {
        Place::After => "after",
        Place::Before => "before",
    }
}

/// Before the stored rounds when the file ends with the rounds the history starts with
/// (an older export), else after them.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn suggested_place(outcome: &ImportOutcome) -> Place {
    match outcome.already_stored {
        Some(run)
            if run.stored_start == 0
                && run.file_start > 0
                && run.file_start + run.len == outcome.valid =>
        {
            Place::Before
        }
        _ => Place::After,
    }
}

/// "Stored 500 new rounds from the file; 7000 already stored were skipped."
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn stored_text(outcome: &ImportOutcome) -> String {
    let place = match outcome.place {
        Place::After => "",
        Place::Before => ", before your oldest round",
    };
    if outcome.skipped_duplicates == 0 {
        return format!("Stored {} rounds from the file{place}.", outcome.stored);
    }
    format!(
        "Stored {} new rounds from the file{place}; {} already stored were skipped.",
        outcome.stored, outcome.skipped_duplicates
    )
}

/// The choice of where the file's rounds go.
fn place_choice(place: RwSignal<Place>) -> impl IntoView {
    let option = move |value: Place, id: &'static str, label: &'static str| {
        view! {
            <label class="check" for=id>
                <input type="radio" name="import-place" id=id
                    prop:checked=move || place.get() == value
                    on:change=move |_| place.set(value)/>
                {label}
            </label>
        }
    };
    view! {
        <fieldset class="import-place" id="import-place">
            <legend>"Put the file's rounds"</legend>
            {option(Place::After, "import-place-after", "after your stored rounds (newer rounds)")}
            {option(Place::Before, "import-place-before", "before them (an older history)")}
        </fieldset>
    }
}

/// What the dry run could read, and the buttons to store it or nothing.
#[component]
fn ImportReport(r: ImportOutcome, state: ImportState) -> impl IntoView {
    let faults = r.faults.len();
    let repeated = match (r.repeated_ids, r.already_stored) {
        (n, _) if n > 0 => Some(format!(
            "{} of these rounds are already stored: their ids in the file are the ids of stored rounds. Importing them again would count them twice.",
            n
        )),
        (_, Some(run)) => Some(format!(
            "{} of these rounds are already stored: the file's rounds {}–{} are rounds {}–{} of your history. Importing them again would count them twice.",
            run.len,
            run.file_start + 1,
            run.file_start + run.len,
            run.stored_start + 1,
            run.stored_start + run.len
        )),
        _ => None,
    };
    let new = r.valid - r.repeated();
    let repeated_any = repeated.is_some();
    let confirm_text = match (repeated.is_some(), faults) {
        (true, _) => format!("Import all {} anyway", r.valid),
        (false, 0) => format!("Import all {} rounds", r.valid),
        (false, _) => format!("Import the {} readable rows, skip {}", r.valid, faults),
    };
    let shown: Vec<_> = r
        .faults
        .iter()
        .take(100)
        .map(|f| f.message.clone())
        .collect();
    view! {
        <div class="import-report" id="import-report">
            <p id="import-summary">
                {format!("Read {} rows as {}: {} readable, {} cannot be read.", r.rows, r.format, r.valid, faults)}
                {r.source_ids.then_some(" The file's round ids are kept with the rounds.")}
            </p>
            {(faults > 0).then(|| view! {
                <ul class="problems" id="import-faults">
                    {shown.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                </ul>
                {(faults > 100).then(|| view! { <p class="muted">{format!("… and {} more", faults - 100)}</p> })}
            })}
            {(r.split > 0).then(|| view! {
                <p class="message ok" id="import-split">{if r.split == 1 { "1 field split into its values.".to_string() } else { format!("{} fields split into their values.", r.split) }}</p>
            })}
            {(r.splittable > 0).then(|| view! {
                <button id="import-split-fields" class="secondary" on:click=move |_| {
                    state.split.set(true);
                    state.send(true, "keep")
                }>{if r.splittable == 1 { "Split the field that holds several values into its rounds".to_string() } else { format!("Split the {} fields that hold several values into their rounds", r.splittable) }}</button>
            })}
            {repeated.map(|run| view! {
                <p class="message warn" id="import-duplicates" role="alert">{run}</p>
            })}
            {place_choice(state.place)}
            <div class="buttons">
                {(repeated_any).then(|| view! {
                    <button id="import-new-only" disabled=new == 0 on:click=move |_| state.send(false, "skip")>
                        {format!("Import only the {new} new rounds")}
                    </button>
                })}
                <button id="import-confirm" disabled=r.valid == 0 class:secondary=repeated_any
                    on:click=move |_| state.send(false, "keep")>
                    {confirm_text}
                </button>
                <button id="import-cancel" class="secondary" on:click=move |_| state.import_nothing()>"Import nothing"</button>
            </div>
        </div>
    }
}
