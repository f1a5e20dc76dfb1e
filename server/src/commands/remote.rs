//! `jetx --server URL --token T …`: the subcommands that read or change the stored
//! rounds (the server's jobs: `remote_jobs`), run against a (hosted) server's REST API instead of a local database, with
//! the player's API token. Answers are printed as the local commands print them.

use super::{print, print_json, CliError};
use app::errors::AppError;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use std::process::ExitCode;

/// A server and the token to send it.
pub struct Remote {
    base: String,
    token: Option<String>,
    agent: ureq::Agent,
}

/// The REST API's error body.
#[derive(serde::Deserialize)]
struct ErrorBody {
    error: AppError,
}

fn network(e: ureq::Error) -> CliError {
    CliError::Usage(format!("the server could not be reached: {e}"))
}

impl Remote {
    pub fn new(server: &str, token: Option<String>) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build();
        Self {
            base: server.trim_end_matches('/').to_owned(),
            token,
            agent: config.into(),
        }
    }

    /// Sends a request; the answer's body, or the server's error (4xx/5xx).
    fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<(&str, Vec<u8>)>,
    ) -> Result<Vec<u8>, CliError> {
        let url = format!("{}/api/v1{path}", self.base);
        let auth = self.token.as_ref().map(|t| format!("Bearer {t}"));
        let mut response = match (method, body) {
            ("GET", _) => {
                let mut req = self.agent.get(&url);
                if let Some(a) = &auth {
                    req = req.header("authorization", a);
                }
                req.call()
            }
            (_, body) => {
                let mut req = self.agent.post(&url);
                if let Some(a) = &auth {
                    req = req.header("authorization", a);
                }
                let (content_type, bytes) = body.unwrap_or(("application/json", Vec::new()));
                req.header("content-type", content_type).send(bytes)
            }
        }
        .map_err(network)?;
        let status = response.status().as_u16();
        // An export of a year of rounds is tens of megabytes.
        let bytes = response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .read_to_vec()
            .map_err(network)?;
        if status < 400 {
            return Ok(bytes);
        }
        Err(CliError::Remote(
            serde_json::from_slice::<ErrorBody>(&bytes)
                .map(|b| b.error)
                .unwrap_or_else(|_| {
                    AppError::new(
                        status,
                        app::errors::code_for_status(status),
                        String::from_utf8_lossy(&bytes),
                    )
                }),
        ))
    }

    pub(super) fn json<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<T, CliError> {
        let body = body.map(|b| ("application/json", b.to_string().into_bytes()));
        let bytes = self.send(method, path, body)?;
        serde_json::from_slice(&bytes)
            .map_err(|e| CliError::Usage(format!("the server's answer cannot be read: {e}")))
    }
}

pub(super) fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn stats(remote: &Remote, json: bool) -> Result<ExitCode, CliError> {
    let stats: app::service::rounds::Stats = remote.json("GET", "/stats", None)?;
    if json {
        print_json(&stats)?;
    } else {
        print!(
            "{}",
            super::data::render_stats(&stats.summary, &stats.categories)
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn export(remote: &Remote, args: super::data::ExportArgs) -> Result<ExitCode, CliError> {
    let csv = remote.send("GET", "/rounds/export.csv", None)?;
    super::data::write_export(args.output.as_deref(), &csv)?;
    Ok(ExitCode::SUCCESS)
}

pub fn analyze(remote: &Remote, args: super::analysis::AnalyzeArgs) -> Result<ExitCode, CliError> {
    stored_only(&args.input)?;
    let report: models::fairness::FairnessReport = remote.json("GET", "/analysis", None)?;
    print(&report, args.json, models::fairness::render_text)?;
    Ok(ExitCode::SUCCESS)
}

pub fn patterns(
    remote: &Remote,
    args: super::analysis::PatternsArgs,
) -> Result<ExitCode, CliError> {
    stored_only(&args.input)?;
    let cashouts: Vec<String> = args.cashouts.iter().map(f64::to_string).collect();
    let path = format!("/patterns?cashouts={}&all={}", cashouts.join(","), args.all);
    let report: models::patterns::PatternReport = remote.json("GET", &path, None)?;
    print(&report, args.json, models::patterns::text::render)?;
    Ok(ExitCode::SUCCESS)
}

pub fn predict(
    remote: &Remote,
    args: super::forecasting::PredictArgs,
) -> Result<ExitCode, CliError> {
    stored_only(&args.input)?;
    if args.version.is_some() {
        return Err(CliError::Usage(
            "with --server the server's active model answers: leave out --version".into(),
        ));
    }
    let mode = if args.rolling { "rolling" } else { "normal" };
    let body = json!({ "cashout": args.cashout, "mode": mode });
    let p: app::types::PredictionView = remote.json("POST", "/predict", Some(body))?;
    print(&p, args.json, super::render::render_prediction)?;
    Ok(ExitCode::SUCCESS)
}

/// The refusal of a subcommand that works on this machine only.
pub fn local_only(command: &str) -> CliError {
    CliError::Usage(format!(
        "`{command}` runs on this machine only; with --server: stats, export, import, \
         analyze, patterns, predict, train, backtest, simulate, models (everything else: \
         the REST API, see /api-docs on the server)"
    ))
}

/// With `--server` the history is the server's: a file or a synthetic one is refused.
pub(super) fn stored_only(input: &super::HistoryInput) -> Result<(), CliError> {
    if input.file.is_some() || input.synthetic.is_some() {
        return Err(CliError::Usage(
            "with --server the history is the one stored on the server: leave out FILE and --synthetic".into(),
        ));
    }
    Ok(())
}

pub fn import(remote: &Remote, args: super::data::ImportArgs) -> Result<ExitCode, CliError> {
    let bytes = std::fs::read(&args.file)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", args.file.display())))?;
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let on_fault = if args.skip_faulty {
        "skip_faulty"
    } else {
        "refuse"
    };
    let path = format!(
        "/import?filename={}&dry_run={}&on_fault={on_fault}&duplicates={}&split={}&place={}",
        url_encode(&name),
        args.dry_run,
        args.duplicates,
        args.split,
        args.place
    );
    match remote.send("POST", &path, Some(("application/octet-stream", bytes))) {
        Ok(answer) => {
            let outcome: app::types::ImportOutcome = serde_json::from_slice(&answer)
                .map_err(|e| CliError::Usage(format!("the server's answer cannot be read: {e}")))?;
            super::data::print_outcome(&outcome, args.json)?;
            Ok(ExitCode::SUCCESS)
        }
        // Unreadable rows: the report is in the error's details, and nothing was stored.
        Err(CliError::Remote(e)) if e.code == "unreadable_rows" || e.code == "already_stored" => {
            let outcome: app::types::ImportOutcome = serde_json::from_value(e.details.clone())
                .map_err(|_| CliError::Remote(e.clone()))?;
            super::data::print_outcome(&outcome, args.json)?;
            if e.code == "already_stored" {
                eprintln!("nothing was stored (--duplicates skip stores only the new rounds)");
            } else {
                eprintln!(
                    "nothing was stored: {} rows cannot be read (--skip-faulty stores the rest)",
                    outcome.faults.len()
                );
            }
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e),
    }
}
