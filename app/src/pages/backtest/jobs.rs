//! Backtest jobs on the page: the one shown (its progress and Cancel while it runs, its
//! result once done) and the list of past backtests, re-opened and deleted.

use super::result::BacktestResult;
use crate::api;
use crate::pages::{fmt_duration, fmt_int, fmt_unix, ScrollTable};
use crate::views::{BacktestJob, BacktestRequest, BacktestState};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// What the page knows of backtest jobs; copied into every handler.
#[derive(Clone, Copy)]
pub struct Jobs {
    /// The job shown: running, or ended (with its result when done).
    pub shown: RwSignal<Option<BacktestJob>>,
    /// Why the last start, open, cancel or delete failed.
    pub error: RwSignal<Option<String>>,
    /// Bumped to read the list again.
    pub version: RwSignal<u32>,
    /// The events of the job followed (hydrate builds only).
    #[cfg(feature = "hydrate")]
    stream: StoredValue<Option<crate::browser::EventStream>, LocalStorage>,
}

impl Jobs {
    pub fn new() -> Self {
        Jobs {
            shown: RwSignal::new(None),
            error: RwSignal::new(None),
            version: RwSignal::new(0),
            #[cfg(feature = "hydrate")]
            stream: StoredValue::new_local(None),
        }
    }

    pub fn running(&self) -> bool {
        self.shown.with(|j| {
            j.as_ref()
                .is_some_and(|j| j.state == BacktestState::Running)
        })
    }

    /// Shows job `job` and follows it while it runs.
    fn show(self, job: BacktestJob) {
        let (id, running) = (job.id, job.state == BacktestState::Running);
        self.shown.set(Some(job));
        if running {
            self.follow(id);
        } else {
            self.stop_following();
        }
    }

    /// Starts a backtest of `request`.
    pub fn start(self, request: BacktestRequest) {
        self.error.set(None);
        spawn_local(async move {
            match api::start_backtest(request).await {
                Ok(job) => {
                    self.show(job);
                    self.version.update(|v| *v += 1);
                }
                Err(e) => self.error.set(Some(e.message)),
            }
        });
    }

    /// Reads job `id` (with its result) and shows it.
    pub fn open(self, id: i64) {
        spawn_local(async move {
            match api::read_backtest(id).await {
                Ok(job) => {
                    self.error.set(None);
                    self.show(job);
                }
                Err(e) => self.error.set(Some(e.message)),
            }
        });
    }

    pub fn cancel(self) {
        let Some(id) = self.shown.with_untracked(|j| j.as_ref().map(|j| j.id)) else {
            return;
        };
        spawn_local(async move {
            if let Err(e) = api::cancel_backtest(id).await {
                self.error.set(Some(e.message));
            }
        });
    }

    pub fn delete(self, id: i64) {
        spawn_local(async move {
            match api::delete_backtest(id).await {
                Ok(()) => {
                    if self.shown.with_untracked(|j| j.as_ref().map(|j| j.id)) == Some(id) {
                        self.shown.set(None);
                    }
                    self.version.update(|v| *v += 1);
                }
                Err(e) => self.error.set(Some(e.message)),
            }
        });
    }

    /// Follows job `id`'s server-sent events until it ends (then the list is read again).
    #[cfg(feature = "hydrate")]
    fn follow(self, id: i64) {
        let url = format!("/api/v1/backtests/{id}/events");
        let stream = crate::browser::follow_events(&url, move |job: BacktestJob| {
            if self.shown.with_untracked(|s| s.as_ref().map(|s| s.id)) != Some(job.id) {
                return;
            }
            let ended = job.state != BacktestState::Running;
            self.shown.set(Some(job));
            if ended {
                // Closed after this handler returns (it belongs to the stream).
                spawn_local(async move { self.stop_following() });
                self.version.update(|v| *v += 1);
            }
        });
        self.stream.set_value(stream);
    }

    #[cfg(not(feature = "hydrate"))]
    fn follow(self, _id: i64) {}

    fn stop_following(self) {
        #[cfg(feature = "hydrate")]
        self.stream.set_value(None);
    }
}

/// The job shown: progress and Cancel while it runs, what ended it, its result.
#[component]
pub fn JobPanel(jobs: Jobs) -> impl IntoView {
    move || {
        let job = jobs.shown.get()?;
        let heading = format!(
            "Backtest #{} · {} · {} rounds · {}",
            job.id,
            fmt_unix(job.created_at),
            fmt_int(job.n_rounds),
            job.request.describe()
        );
        let body = match job.state {
            BacktestState::Running => view! {
                <progress id="bt-progress-bar" max="100" value=job.progress.percent
                    aria-label="backtest progress">{format!("{:.0}%", job.progress.percent)}</progress>
                <p id="bt-progress-text" aria-live="polite">{format!("{:.0}% · ", job.progress.percent)}{job.progress.describe()}</p>
                <button id="bt-cancel" on:click=move |_| jobs.cancel()>"Cancel"</button>
            }
            .into_any(),
            BacktestState::Done => view! {
                <p class="muted" id="bt-state">{format!("Done in {}.", fmt_duration(job.progress.elapsed_s))}</p>
            }
            .into_any(),
            other => view! {
                <p class="message warn" id="bt-state">{ended_text(other, job.error.as_deref(), &job)}</p>
            }
            .into_any(),
        };
        Some(view! {
            <section class="panel" id="bt-job" data-state=job.state.as_str()>
                <h2>{heading}</h2>
                {body}
            </section>
            {job.result.map(|v| view! { <BacktestResult v/> })}
        })
    }
}

/// Why a job has no result.
fn ended_text(state: BacktestState, error: Option<&str>, job: &BacktestJob) -> String {
    let at = format!(
        "{:.0}% done after {}",
        job.progress.percent,
        fmt_duration(job.progress.elapsed_s)
    );
    match state {
        BacktestState::Cancelled => format!("Cancelled ({at}): nothing was kept."),
        BacktestState::Interrupted => {
            "Interrupted: the server running it stopped. Run it again.".into()
        }
        _ => format!("Failed ({at}): {}", error.unwrap_or("no reason given")),
    }
}

/// Past backtests with their settings: open one, delete one.
#[component]
pub fn BacktestHistory(
    jobs: Jobs,
    list: Resource<Result<Vec<BacktestJob>, crate::errors::AppError>>,
) -> impl IntoView {
    let rows = move || {
        list.get().map(|r| match r {
            Err(e) => view! { <p class="error">{e.message}</p> }.into_any(),
            Ok(all) if all.is_empty() => {
                view! { <p class="muted" id="bt-none">"No backtest yet."</p> }.into_any()
            }
            Ok(all) => view! {
                <ScrollTable label="past backtests">
                    <table class="rounds" id="bt-history-table">
                        <thead><tr><th>"#"</th><th>"started"</th><th>"models"</th><th>"settings"</th><th>"rounds"</th><th>"state"</th><th>"time"</th><th></th></tr></thead>
                        <tbody>{all.into_iter().map(|j| history_row(jobs, j)).collect_view()}</tbody>
                    </table>
                </ScrollTable>
            }
            .into_any(),
        })
    };
    view! {
        <section class="panel" id="bt-history">
            <h2>"Past backtests"</h2>
            <Transition fallback=|| view! { <p class="muted">"…"</p> }>{rows}</Transition>
        </section>
    }
}

fn history_row(jobs: Jobs, j: BacktestJob) -> impl IntoView {
    let id = j.id;
    let ended = j.state != BacktestState::Running;
    view! {
        <tr data-id=id>
            <td>{id}</td>
            <td>{fmt_unix(j.created_at)}</td>
            <td>{j.request.models.join(", ")}</td>
            <td>{j.request.describe()}</td>
            <td class="num">{fmt_int(j.n_rounds)}</td>
            <td>{j.state.as_str()}</td>
            <td class="num">{fmt_duration(j.progress.elapsed_s)}</td>
            <td class="actions">
                <button class="bt-open" on:click=move |_| jobs.open(id)
                    aria-label=format!("open backtest {id}")>"Open"</button>
                {ended.then(|| view! {
                    <button class="bt-delete" on:click=move |_| jobs.delete(id)
                        aria-label=format!("delete backtest {id}")>"Delete"</button>
                })}
            </td>
        </tr>
    }
}
