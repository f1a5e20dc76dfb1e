//! Background training jobs of the web app, one at a time.
//!
//! A job runs `jetx train --progress-json` as a child process on the server's database and
//! models folder: the server stays responsive, a cancel is an immediate kill, and a crash of
//! the training run cannot take the server down. The child reports [`ProgressEvent`]s, one
//! JSON object per line; the job turns them into a [`TrainStatus`] that the browser
//! receives as a stream (server-sent events).

use app::service::training::TrainingError;
use app::views::{JobState, LossPoint, TrainRequest, TrainStatus};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// One line of `jetx train --progress-json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ProgressEvent {
    Search {
        done: usize,
        total: usize,
        label: String,
    },
    Epoch {
        member: String,
        epoch: usize,
        epochs: usize,
        train_loss: f64,
        valid_loss: Option<f64>,
    },
    Compare {
        model: usize,
        models: usize,
        done: usize,
        total: usize,
    },
    FinalFit,
    Saving,
    Saved {
        version: String,
        seconds: f64,
    },
}

impl ProgressEvent {
    /// Prints the event as one JSON line on standard output.
    pub fn emit(&self) {
        if let Ok(line) = serde_json::to_string(self) {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
    }
}

/// Shares of the progress bar: the search (time-boxed), the walk-forward comparison, the
/// final fit and saving.
const SEARCH_SHARE: f64 = 55.0;
const COMPARE_SHARE: f64 = 40.0;
/// Loss points kept for the chart (the oldest are dropped first).
const MAX_LOSS_POINTS: usize = 2_000;
/// Longest budget a job may ask for.
pub const MAX_BUDGET_S: f64 = 3_600.0;

/// Folds one progress event into the status. `stage_started` is when the current stage
/// began (for the ETA).
pub fn apply_event(
    status: &mut TrainStatus,
    event: &ProgressEvent,
    elapsed_s: f64,
    stage_started_s: &mut f64,
) {
    let budget = status
        .request
        .as_ref()
        .map_or(60.0, |r| r.budget_s)
        .max(0.1);
    status.elapsed_s = elapsed_s;
    let mut enter = |status: &mut TrainStatus, stage: &str| {
        if status.stage != stage {
            status.stage = stage.to_string();
            *stage_started_s = elapsed_s;
        }
    };
    match event {
        ProgressEvent::Search { done, total, label } => {
            enter(status, "search");
            let by_count = *done as f64 / (*total).max(1) as f64;
            let by_time = (elapsed_s / budget).min(1.0);
            status.percent = status.percent.max(SEARCH_SHARE * by_count.max(by_time));
            status.detail = format!("candidate {done} of {total}: {label}");
            status.eta_s = Some((budget - elapsed_s).max(0.0));
        }
        ProgressEvent::Epoch {
            member,
            epoch,
            epochs,
            train_loss,
            valid_loss,
        } => {
            if status.stage == "search" || status.stage.is_empty() {
                let by_time = (elapsed_s / budget).min(1.0);
                status.percent = status.percent.max(SEARCH_SHARE * by_time);
            }
            status.detail = format!("{member}: epoch {epoch} of at most {epochs}");
            record_loss(status, member, *epoch, *train_loss, *valid_loss);
        }
        ProgressEvent::Compare {
            model,
            models,
            done,
            total,
        } => {
            enter(status, "compare");
            let fraction = compare_fraction(*model, *models, *done, *total);
            status.percent = status
                .percent
                .max(SEARCH_SHARE + COMPARE_SHARE * fraction.min(1.0));
            status.detail = format!(
                "walk-forward comparison: model {} of {models}, forecast {done} of {total}",
                model + 1
            );
            let spent = elapsed_s - *stage_started_s;
            status.eta_s = (fraction > 0.02).then(|| spent / fraction * (1.0 - fraction));
        }
        ProgressEvent::FinalFit => {
            enter(status, "final fit");
            status.percent = status.percent.max(SEARCH_SHARE + COMPARE_SHARE);
            status.detail = "fitting the ensemble on every round".into();
            status.eta_s = None;
        }
        ProgressEvent::Saving => {
            enter(status, "saving");
            status.percent = status.percent.max(98.0);
            status.detail = "registering the model".into();
        }
        ProgressEvent::Saved { version, .. } => {
            enter(status, "done");
            status.version = Some(version.clone());
            status.percent = 100.0;
            status.eta_s = Some(0.0);
            status.detail = format!("registered {version}");
        }
    }
}

/// Keeps one epoch's losses for the chart, dropping the oldest beyond [`MAX_LOSS_POINTS`].
fn record_loss(
    status: &mut TrainStatus,
    member: &str,
    epoch: usize,
    train_loss: f64,
    valid_loss: Option<f64>,
) {
    if status.losses.len() >= MAX_LOSS_POINTS {
        status.losses.remove(0);
    }
    status.losses.push(LossPoint {
        member: member.to_string(),
        epoch,
        train_loss,
        valid_loss: valid_loss.filter(|v| v.is_finite()),
    });
}

/// How far the walk-forward comparison is: `done` of `total` forecasts of model `model`
/// (0-based) of `models`.
fn compare_fraction(model: usize, models: usize, done: usize, total: usize) -> f64 {
    ((model as f64) + done as f64 / total.max(1) as f64) / models.max(1) as f64
}

/// How the job manager starts `jetx train`.
#[derive(Debug, Clone)]
pub struct TrainCommand {
    /// The `jetx` binary.
    pub exe: PathBuf,
    pub database: PathBuf,
    pub models_dir: PathBuf,
    pub house_edge: f64,
}

struct Running {
    child: Arc<Mutex<Child>>,
    cancelled: Arc<std::sync::atomic::AtomicBool>,
}

/// The training job manager.
pub struct TrainingJobs {
    command: TrainCommand,
    devices: Vec<String>,
    member_kinds: Vec<String>,
    sender: watch::Sender<TrainStatus>,
    running: Arc<Mutex<Option<Running>>>,
}

impl TrainingJobs {
    pub fn new(command: TrainCommand, devices: Vec<String>, member_kinds: Vec<String>) -> Self {
        Self {
            command,
            devices,
            member_kinds,
            sender: watch::channel(TrainStatus::default()).0,
            running: Arc::new(Mutex::new(None)),
        }
    }

    fn validate(&self, request: &TrainRequest) -> Result<(), TrainingError> {
        if !(request.budget_s.is_finite() && (1.0..=MAX_BUDGET_S).contains(&request.budget_s)) {
            return Err(TrainingError::Invalid(format!(
                "the time budget must be between 1 and {MAX_BUDGET_S} seconds, not {}",
                request.budget_s
            )));
        }
        if !self.devices.contains(&request.device) {
            return Err(TrainingError::Invalid(format!(
                "device {:?} is not available in this build: choose {}",
                request.device,
                self.devices.join(" or ")
            )));
        }
        if let Some(bad) = request
            .members
            .iter()
            .find(|m| !self.member_kinds.iter().any(|k| k.eq_ignore_ascii_case(m)))
        {
            return Err(TrainingError::Invalid(format!(
                "unknown member {bad:?}: choose from {}",
                self.member_kinds.join(", ")
            )));
        }
        Ok(())
    }
    /// The `jetx train` command line of a request.
    fn command(&self, request: &TrainRequest) -> Command {
        let mut cmd = Command::new(&self.command.exe);
        // In the environment, not the command line: a PostgreSQL URL may hold a password,
        // and any local user can read a process's arguments.
        cmd.env("JETX_DATABASE", &self.command.database)
            .env("JETX_MODELS_DIR", &self.command.models_dir)
            .env("JETX_HOUSE_EDGE", self.command.house_edge.to_string())
            .arg("train")
            .arg("--progress-json")
            .arg("--budget")
            .arg(format!("{}s", request.budget_s))
            .arg("--device")
            .arg(&request.device)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if !request.members.is_empty() {
            cmd.arg("--members").arg(request.members.join(","));
        }
        if !request.activate {
            cmd.arg("--no-activate");
        }
        cmd
    }
}

/// Keeps the last 8 lines the child writes on stderr (the reason of a failure).
fn collect_stderr(stderr: Option<std::process::ChildStderr>) -> Arc<Mutex<Vec<String>>> {
    let tail = Arc::new(Mutex::new(Vec::<String>::new()));
    if let Some(err) = stderr {
        let tail = tail.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = BufReader::new(err).read_to_string(&mut text);
            if let Ok(mut t) = tail.lock() {
                *t = text.lines().rev().take(8).map(str::to_string).collect();
                t.reverse();
            }
        });
    }
    tail
}

/// Applies every progress line of the child to the status; the receiver gets a message
/// when the output closes.
fn follow_progress(
    stdout: Option<std::process::ChildStdout>,
    sender: watch::Sender<TrainStatus>,
    started: Instant,
) -> std::sync::mpsc::Receiver<()> {
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let Some(out) = stdout else {
        let _ = done_tx.send(());
        return done_rx;
    };
    std::thread::spawn(move || {
        let mut stage_started = 0.0;
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            match serde_json::from_str::<ProgressEvent>(&line) {
                Ok(event) => sender.send_modify(|s| {
                    s.seq += 1;
                    apply_event(
                        s,
                        &event,
                        started.elapsed().as_secs_f64(),
                        &mut stage_started,
                    )
                }),
                Err(_) => tracing::debug!(%line, "training output"),
            }
        }
        let _ = done_tx.send(());
    });
    done_rx
}

/// What the job watcher needs once the child's output has closed.
struct Ending {
    job: u64,
    started: Instant,
    child: Arc<Mutex<Child>>,
    cancelled: Arc<std::sync::atomic::AtomicBool>,
    stderr_tail: Arc<Mutex<Vec<String>>>,
    sender: watch::Sender<TrainStatus>,
    slot: Arc<Mutex<Option<Running>>>,
}

impl Ending {
    /// Waits for the child to exit, frees the job slot, and publishes how the job ended.
    fn wait(self, output_closed: std::sync::mpsc::Receiver<()>) {
        // Output closed: the child is ending (or was killed).
        let _ = output_closed.recv();
        let exit = loop {
            let polled = self.child.lock().map(|mut c| c.try_wait());
            match polled {
                Ok(Ok(Some(status))) => break Some(status),
                Ok(Ok(None)) => std::thread::sleep(Duration::from_millis(50)),
                _ => break None,
            }
        };
        // Give the stderr reader a moment to collect the last lines.
        std::thread::sleep(Duration::from_millis(50));
        let tail = self
            .stderr_tail
            .lock()
            .map(|t| t.join("\n"))
            .unwrap_or_default();
        let saved = self.sender.borrow().version.is_some();
        // Free the slot before publishing the end, so a client that sees the end can
        // start the next job at once.
        if let Ok(mut slot) = self.slot.lock() {
            *slot = None;
        }
        if exit.is_some_and(|s| s.success()) && saved {
            // Registered before any cancel could stop it.
            self.finish(JobState::Succeeded, None);
        } else if self.cancelled.load(std::sync::atomic::Ordering::SeqCst) {
            self.finish(
                JobState::Cancelled,
                Some("cancelled: nothing was registered".into()),
            );
        } else {
            let code = exit
                .and_then(|s| s.code())
                .map_or("killed".to_string(), |c| format!("exit code {c}"));
            let reason = if tail.trim().is_empty() {
                format!("training stopped ({code})")
            } else {
                format!("training stopped ({code}): {}", tail.trim())
            };
            self.finish(JobState::Failed, Some(reason));
        }
        tracing::info!(job = self.job, "training job ended");
    }

    fn finish(&self, state: JobState, error: Option<String>) {
        metrics::counter!("jetx_training_jobs_total", "outcome" => state.as_str()).increment(1);
        metrics::histogram!("jetx_training_job_seconds")
            .record(self.started.elapsed().as_secs_f64());
        self.sender.send_modify(|s| {
            s.seq += 1;
            s.state = state;
            s.error = error;
            if state != JobState::Succeeded {
                s.detail = state.as_str().to_string();
                s.eta_s = None;
            }
            s.elapsed_s = self.started.elapsed().as_secs_f64();
        });
    }
}

impl app::api::ssr::TrainingService for TrainingJobs {
    fn check(&self, request: &TrainRequest) -> Result<(), TrainingError> {
        self.validate(request)
    }

    fn start(&self, request: TrainRequest, job: u64) -> Result<TrainStatus, TrainingError> {
        self.validate(&request)?;
        let mut running = self.running.lock().map_err(|_| {
            TrainingError::Internal("the job manager failed earlier; restart the server".into())
        })?;
        if running.is_some() {
            let job = self.sender.borrow().job;
            return Err(TrainingError::Busy { job });
        }
        let mut child = self.command(&request).spawn().map_err(|e| {
            TrainingError::Internal(format!("cannot start {}: {e}", self.command.exe.display()))
        })?;
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let (job, seq) = {
            let last = self.sender.borrow();
            // Never below this server's last job, should the shared count ever restart.
            (job.max(last.job + 1), last.seq + 1)
        };
        let status = TrainStatus {
            job,
            seq,
            state: JobState::Running,
            request: Some(request),
            stage: "starting".into(),
            detail: "loading the rounds".into(),
            ..TrainStatus::default()
        };
        self.sender.send_replace(status.clone());
        let child = Arc::new(Mutex::new(child));
        let cancelled = Arc::new(std::sync::atomic::AtomicBool::new(false));
        *running = Some(Running {
            child: child.clone(),
            cancelled: cancelled.clone(),
        });
        drop(running);
        tracing::info!(job, "training job started");

        let started = Instant::now();
        let ending = Ending {
            job,
            started,
            child,
            cancelled,
            stderr_tail: collect_stderr(stderr),
            sender: self.sender.clone(),
            slot: self.running.clone(),
        };
        let output_closed = follow_progress(stdout, self.sender.clone(), started);
        std::thread::spawn(move || ending.wait(output_closed));
        Ok(status)
    }

    fn status(&self) -> TrainStatus {
        self.sender.borrow().clone()
    }

    fn cancel(&self) -> Result<TrainStatus, TrainingError> {
        let running = self.running.lock().map_err(|_| {
            TrainingError::Internal("the job manager failed earlier; restart the server".into())
        })?;
        let Some(job) = running.as_ref() else {
            return Err(TrainingError::NotRunning);
        };
        if let Some(version) = self.sender.borrow().version.clone() {
            return Err(TrainingError::TooLate { version });
        }
        job.cancelled
            .store(true, std::sync::atomic::Ordering::SeqCst);
        if let Ok(mut child) = job.child.lock() {
            let _ = child.kill();
        }
        self.sender.send_modify(|s| {
            s.seq += 1;
            s.detail = "cancelling".into();
        });
        Ok(self.sender.borrow().clone())
    }

    fn subscribe(&self) -> watch::Receiver<TrainStatus> {
        self.sender.subscribe()
    }
}
