//! Keyboard entry of one round at a time, with undo.
//!
//! A player types the next value while the last one is still on its way to the server, so
//! the value is taken and the field cleared the moment Enter is pressed, and every
//! submission (and undo) joins one queue that is sent in order, one request at a time.
//! A key pressed while a request is in flight lands in an empty field and is never wiped.

use crate::api;
use crate::pages::Notice;
use crate::types::{ClientSettings, RoundRow};
use crate::DataVersion;
use leptos::prelude::*;
use leptos::task::spawn_local;
use models::values::parse_multiplier;
use std::collections::VecDeque;

/// One queued action of the entry field.
#[derive(Debug, Clone)]
enum EntryOp {
    Add(String),
    Undo,
    /// The bet slip's bet, on the round just entered (queued after it).
    Bet(crate::views::BetRequest),
}

/// The entry field's queue of submissions, sent in order by one runner at a time.
#[derive(Clone, Copy)]
struct EntryQueue {
    ops: StoredValue<VecDeque<EntryOp>>,
    sending: StoredValue<bool>,
    /// The last round submitted was refused: a bet queued after it must not land on the
    /// round before.
    last_round_failed: StoredValue<bool>,
    /// Submissions not answered yet (shown, and read by the browser tests).
    waiting: RwSignal<usize>,
    message: RwSignal<Option<Notice>>,
    version: DataVersion,
    input: NodeRef<leptos::html::Input>,
    /// Told of each stored round once the queue is sent (the last-rounds chart draws it
    /// before the dashboard is read again).
    stored: Callback<RoundRow>,
    /// The rounds stored by this run of the queue, for `stored`.
    fresh: StoredValue<Vec<RoundRow>>,
}

impl EntryQueue {
    fn new(
        message: RwSignal<Option<Notice>>,
        version: DataVersion,
        input: NodeRef<leptos::html::Input>,
        stored: Callback<RoundRow>,
    ) -> Self {
        Self {
            ops: StoredValue::new(VecDeque::new()),
            sending: StoredValue::new(false),
            last_round_failed: StoredValue::new(false),
            waiting: RwSignal::new(0),
            message,
            version,
            input,
            stored,
            fresh: StoredValue::new(Vec::new()),
        }
    }

    /// Puts a value that was not stored because the session ended back into the empty
    /// field: the login page keeps it (public/session.js) and brings the player back.
    fn keep_draft(self, text: &str) {
        if let Some(el) = self
            .input
            .get_untracked()
            .filter(|el| el.value().is_empty())
        {
            el.set_value(text);
        }
    }

    fn push(self, op: EntryOp) {
        self.ops.update_value(|q| q.push_back(op));
        self.waiting.set(self.ops.with_value(|q| q.len()));
        self.drain();
    }

    /// Sends the queue in order. The history version is bumped once the queue is empty,
    /// so fast typing refreshes the dashboard once, not once per round.
    fn drain(self) {
        if self.sending.get_value() {
            return;
        }
        self.sending.set_value(true);
        spawn_local(async move {
            let mut changed = false;
            loop {
                let mut next = None;
                self.ops.update_value(|q| next = q.pop_front());
                let Some(op) = next else { break };
                changed |= self.send(op).await;
                self.waiting.set(self.ops.with_value(|q| q.len()));
            }
            self.sending.set_value(false);
            if changed {
                // The estimate's request goes out first; the chart is drawn while it runs.
                self.version.bump();
            }
            for row in self
                .fresh
                .try_update_value(std::mem::take)
                .unwrap_or_default()
            {
                self.stored.run(row);
            }
        });
    }

    /// Sends one submission and shows its result; true when the history changed.
    async fn send(self, op: EntryOp) -> bool {
        let (changed, shown) = match op {
            EntryOp::Add(text) => {
                let result = api::add_round(text.clone()).await;
                self.last_round_failed.set_value(result.is_err());
                match result {
                    Ok(row) => {
                        let done = format!("Round #{} recorded: {}x", row.position, row.value);
                        self.fresh.update_value(|f| f.push(row));
                        (true, Notice::Done(done))
                    }
                    Err(e) => {
                        if e.status == 401 {
                            self.keep_draft(&text);
                        }
                        (
                            false,
                            Notice::Refused(format!("{text} was not stored: {}", e.message)),
                        )
                    }
                }
            }
            EntryOp::Undo => match api::undo_last().await {
                Ok(Some(row)) => (
                    true,
                    Notice::Done(format!("Removed round #{} ({}x)", row.position, row.value)),
                ),
                Ok(None) => (
                    false,
                    Notice::Refused("Nothing to undo: no rounds yet".into()),
                ),
                Err(e) => (false, Notice::Refused(e.message)),
            },
            EntryOp::Bet(_) if self.last_round_failed.get_value() => (
                false,
                Notice::Refused("The bet was not recorded: its round was not stored".into()),
            ),
            EntryOp::Bet(request) => {
                let shown = super::bets::bet_result(api::record_bet(request).await);
                (!shown.is_refusal(), shown)
            }
        };
        self.message.set(Some(shown));
        changed
    }
}

/// The entry field and what its keys and buttons do.
#[derive(Clone, Copy)]
struct EntryField {
    input: NodeRef<leptos::html::Input>,
    settings: Signal<Option<ClientSettings>>,
    slip: super::bets::BetSlip,
    queue: EntryQueue,
}

impl EntryField {
    /// Queues the typed value and clears the field, or shows at once why it is not a value.
    fn submit(self) {
        let message = self.queue.message;
        let rules = move || {
            self.settings
                .get_untracked()
                .map(|s| s.rules)
                .unwrap_or_default()
        };
        let Some(el) = self.input.get_untracked() else {
            return;
        };
        let text = el.value();
        if text.trim().is_empty() {
            return;
        }
        // Same parser as the server: errors show at once and the text stays to be fixed.
        if let Err(e) = parse_multiplier(&text, &rules()) {
            message.set(Some(Notice::Refused(e.to_string())));
            return;
        }
        el.set_value("");
        let _ = el.focus();
        self.queue.push(EntryOp::Add(text));
    }

    fn undo(self) {
        self.queue.push(EntryOp::Undo);
        if let Some(el) = self.input.get_untracked() {
            let _ = el.focus();
        }
    }

    /// Enter submits; in the empty field Ctrl+Z undoes and B records the bet slip's bet.
    fn key(self, ev: leptos::ev::KeyboardEvent) {
        let empty = self
            .input
            .get_untracked()
            .map(|el| el.value().is_empty())
            .unwrap_or(true);
        if ev.key() == "Enter" {
            ev.prevent_default();
            self.submit();
        } else if (ev.ctrl_key() || ev.meta_key()) && ev.key().eq_ignore_ascii_case("z") && empty {
            ev.prevent_default();
            self.undo();
        } else if ev.key().eq_ignore_ascii_case("b") && empty && !ev.ctrl_key() && !ev.meta_key() {
            ev.prevent_default();
            match self.slip.request() {
                Ok(r) => self.queue.push(EntryOp::Bet(r)),
                Err(e) => self.queue.message.set(Some(Notice::Refused(e))),
            }
        }
    }
}

/// Type a multiplier, press Enter. Ctrl+Z in the empty field undoes the last round; B
/// records the bet slip's bet on it.
#[component]
pub(super) fn RoundEntry(
    settings: Signal<Option<ClientSettings>>,
    slip: super::bets::BetSlip,
    message: RwSignal<Option<Notice>>,
    /// Called with each round as soon as it is stored.
    stored: Callback<RoundRow>,
) -> impl IntoView {
    let version = expect_context::<DataVersion>();
    let input = NodeRef::<leptos::html::Input>::new();
    let queue = EntryQueue::new(message, version, input, stored);
    let waiting = queue.waiting;
    let field = EntryField {
        input,
        settings,
        slip,
        queue,
    };

    view! {
        <div class="entry">
            <label for="round-input">"Last round's multiplier"</label>
            <div class="entry-row">
                <input
                    id="round-input"
                    node_ref=input
                    type="text"
                    inputmode="decimal"
                    autocomplete="off"
                    autofocus
                    placeholder="1.57 ⏎"
                    aria-describedby="entry-message"
                    aria-invalid=move || if matches!(message.get(), Some(Notice::Refused(_))) { "true" } else { "false" }
                    on:input=move |_| message.set(None)
                    on:keydown=move |ev| field.key(ev)
                />
                <button id="add-round" on:click=move |_| field.submit()>"Add"</button>
                <button id="undo-last" class="secondary" title="Undo the last round (Ctrl+Z in the empty field)" on:click=move |_| field.undo()>
                    "Undo last"
                </button>
            </div>
            <p id="entry-message" class=move || message.get().map_or("message ok", |n| n.class()) role="status" data-waiting=move || waiting.get().to_string()>
                {move || match message.get() {
                    Some(Notice::Done(m)) | Some(Notice::Refused(m)) => m,
                    None => "Accepts 1.57, 1,57, 1.57x or x1.57.".into(),
                }}
                {move || (waiting.get() > 0).then(|| format!(" ({} more on the way)", waiting.get()))}
            </p>
        </div>
    }
}
