//! Errors shared by the server's use cases and the pure view builders (no web or DB
//! types here, so the browser build compiles them too), and [`AppError`], the one shape
//! every error takes on the wire: server functions return it, REST sends it as
//! `{"error": …}`. Each domain error gives its HTTP status (`status_code`) and a stable
//! machine-readable `code` per variant; `AppError::from` carries both over.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a domain error says about itself on the wire: the HTTP status (4xx when the user
/// can fix the request, 5xx when the server failed), a stable `code`, and optional
/// structured details.
pub trait HttpStatus: std::fmt::Display {
    fn status_code(&self) -> u16;

    /// A stable machine-readable code of the variant.
    fn code(&self) -> &'static str {
        code_for_status(self.status_code())
    }

    /// Structured details (e.g. every invalid value with its position), or null.
    fn details(&self) -> Value {
        Value::Null
    }
}

/// The code of an error that has no more specific one.
pub fn code_for_status(status: u16) -> &'static str {
    match status {
        404 => "not_found",
        409 => "conflict",
        413 => "too_large",
        422 => "refused",
        503 => "busy",
        s if s >= 500 => "internal",
        _ => "bad_request",
    }
}

/// Implements [`HttpStatus`] by the type's own `status_code` and `code` methods.
#[macro_export]
macro_rules! http_status_by_method {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::errors::HttpStatus for $t {
            fn status_code(&self) -> u16 {
                <$t>::status_code(self)
            }
            fn code(&self) -> &'static str {
                <$t>::code(self)
            }
        }
    )*};
}

http_status_by_method!(ModelError, BacktestError, TrainingError);

/// The one error shape on the wire. Server functions return it (Leptos encodes it as JSON
/// and the server answers with `status`); REST answers `{"error": AppError}`; pages show
/// `message` as it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    /// The HTTP status; 0 when the request never got an answer (the network failed).
    pub status: u16,
    pub code: String,
    /// A sentence for people.
    pub message: String,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub details: Value,
}

impl AppError {
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.into(),
            message: message.into(),
            details: Value::Null,
        }
    }

    /// A failure of the server itself (a lost worker, a missing context).
    pub fn internal(message: impl std::fmt::Display) -> Self {
        Self::new(500, "internal", message.to_string())
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// The server failed (5xx), rather than refusing the request.
    pub fn is_server_error(&self) -> bool {
        self.status >= 500
    }
}

/// Any domain error keeps its status, code, message and details.
impl<E: HttpStatus> From<E> for AppError {
    fn from(e: E) -> Self {
        AppError {
            status: e.status_code(),
            code: e.code().to_string(),
            message: e.to_string(),
            details: e.details(),
        }
    }
}

/// Errors of the server-function machinery itself: arguments that cannot be read are the
/// caller's mistake (400); a request that never got an answer has status 0.
impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(e: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match e {
            E::Args(m) | E::MissingArg(m) | E::Deserialization(m) => AppError::new(
                400,
                "bad_arguments",
                format!("the request cannot be read: {m}"),
            ),
            E::UnsupportedRequestMethod(m) => AppError::new(405, "bad_method", m),
            E::Request(m) | E::Response(m) => AppError::new(
                0,
                "network",
                format!("the server could not be reached: {m}"),
            ),
            E::Registration(m)
            | E::ServerError(m)
            | E::MiddlewareError(m)
            | E::Serialization(m) => AppError::internal(m),
        }
    }
}

#[cfg(feature = "ssr")]
mod http {
    //! How an [`AppError`] leaves the server: logged, counted, and sent as JSON with its
    //! status; and the request rejections of axum's extractors as `AppError`s.
    use super::AppError;
    use axum::extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection};
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};

    impl AppError {
        /// Logs the error and counts it in the metrics: every 5xx as a server error, and
        /// database failures by kind.
        pub fn record(&self) {
            if self.is_server_error() {
                metrics::counter!("jetx_server_errors_total", "status" => self.status.to_string())
                    .increment(1);
                tracing::error!(status = self.status, code = %self.code, message = %self.message, "request failed");
            } else {
                tracing::warn!(status = self.status, code = %self.code, message = %self.message, "request refused");
            }
            if self.code == "busy" || self.code == "database" {
                let kind = if self.code == "busy" { "busy" } else { "other" };
                metrics::counter!("jetx_database_errors_total", "kind" => kind).increment(1);
            }
        }

        pub fn http_status(&self) -> StatusCode {
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }

    /// REST answers `{"error": {"status", "code", "message", "details"}}`.
    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            self.record();
            let status = self.http_status();
            // A 429 says when to try again in the header too (clients and proxies read it).
            let retry_after = self
                .details
                .get("retry_after_s")
                .and_then(serde_json::Value::as_i64)
                .filter(|_| status == StatusCode::TOO_MANY_REQUESTS);
            let mut response =
                (status, axum::Json(serde_json::json!({ "error": self }))).into_response();
            if let Some(s) = retry_after {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, s.into());
            }
            response
        }
    }

    impl From<JsonRejection> for AppError {
        fn from(e: JsonRejection) -> Self {
            let status = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                413
            } else {
                400
            };
            AppError::new(status, "bad_json", e.body_text())
        }
    }

    impl From<QueryRejection> for AppError {
        fn from(e: QueryRejection) -> Self {
            AppError::new(400, "bad_query", e.body_text())
        }
    }

    impl From<PathRejection> for AppError {
        fn from(e: PathRejection) -> Self {
            AppError::new(400, "bad_id", e.body_text())
        }
    }

    impl From<BytesRejection> for AppError {
        fn from(e: BytesRejection) -> Self {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::new(
                    413,
                    "too_large",
                    "the upload is larger than the configured limit",
                )
            } else {
                AppError::new(400, "bad_body", e.body_text())
            }
        }
    }
}

/// A value the user typed or sent that is not a multiplier.
impl HttpStatus for models::values::ValueError {
    fn status_code(&self) -> u16 {
        422
    }
    fn code(&self) -> &'static str {
        "invalid_value"
    }
    fn details(&self) -> Value {
        serde_json::json!({ "token": self.token, "reason": self.problem.to_string() })
    }
}

/// A paste or batch over the limits.
impl HttpStatus for models::values::BatchError {
    fn status_code(&self) -> u16 {
        match self {
            models::values::BatchError::NoValues => 422,
            _ => 413,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            models::values::BatchError::NoValues => "no_values",
            models::values::BatchError::TooManyValues { .. } => "too_many_values",
            _ => "too_large",
        }
    }
}

/// A cash-out outside 1.01–1,000,000.
impl HttpStatus for models::decision::CashoutError {
    fn status_code(&self) -> u16 {
        400
    }
    fn code(&self) -> &'static str {
        "bad_cashout"
    }
}

/// A refused or failed request to the model registry, or for a model by name.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    /// Not a folder name inside the registry (path tricks, empty, hidden).
    #[error("{0:?} is not a model version")]
    NotAVersion(String),
    /// No such version in the registry (never trained here, or another player's).
    #[error("no model version {0:?}")]
    NoSuchVersion(String),
    /// The version is missing, damaged or made by another build: it cannot answer.
    #[error("cannot use {version}: {reason}")]
    CannotLoad { version: String, reason: String },
    #[error("unknown model {name:?}: use {choices}")]
    UnknownModel { name: String, choices: String },
    #[error("{0}")]
    Unavailable(String),
    /// The registry itself cannot be read.
    #[error("the model registry cannot be read: {0}")]
    Internal(String),
}

impl ModelError {
    /// The HTTP status of each variant.
    pub fn status_code(&self) -> u16 {
        match self {
            ModelError::NotAVersion(_)
            | ModelError::CannotLoad { .. }
            | ModelError::UnknownModel { .. }
            | ModelError::Unavailable(_) => 400,
            ModelError::NoSuchVersion(_) => 404,
            ModelError::Internal(_) => 500,
        }
    }

    /// A stable machine-readable code of each variant.
    pub fn code(&self) -> &'static str {
        match self {
            ModelError::NotAVersion(_) | ModelError::CannotLoad { .. } => "cannot_activate",
            ModelError::NoSuchVersion(_) => "not_found",
            ModelError::UnknownModel { .. } => "unknown_model",
            ModelError::Unavailable(_) => "unavailable",
            ModelError::Internal(_) => "internal",
        }
    }
}

/// Why a backtest was refused or stopped.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BacktestError {
    /// Settings the user can fix (schedule, thresholds, start beyond the history…).
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error("another backtest is running: wait for it to finish")]
    Busy,
    /// A model failed during the run.
    #[error("{model}: {reason}")]
    Failed { model: String, reason: String },
    /// The player cancelled it.
    #[error("the backtest was cancelled")]
    Cancelled,
    #[error("no backtest with id {0}")]
    NotFound(i64),
    #[error("backtest {0} is not running")]
    NotRunning(i64),
    #[error("backtest {0} is still running: cancel it first")]
    StillRunning(i64),
    #[error("the backtest stopped unexpectedly: {0}")]
    Internal(String),
}

impl BacktestError {
    /// The HTTP status of each variant.
    pub fn status_code(&self) -> u16 {
        match self {
            BacktestError::Invalid(_) => 400,
            BacktestError::Model(e) => e.status_code(),
            BacktestError::Busy => 409,
            // A model that cannot fit this history (too short, degenerate) is the input's
            // problem, not the server's.
            BacktestError::Failed { .. } => 422,
            BacktestError::NotFound(_) => 404,
            BacktestError::Cancelled
            | BacktestError::NotRunning(_)
            | BacktestError::StillRunning(_) => 409,
            BacktestError::Internal(_) => 500,
        }
    }

    /// A stable machine-readable code of each variant.
    pub fn code(&self) -> &'static str {
        match self {
            BacktestError::Invalid(_) => "bad_settings",
            BacktestError::Model(e) => e.code(),
            BacktestError::Busy => "job_running",
            BacktestError::Failed { .. } => "model_failed",
            BacktestError::Cancelled => "cancelled",
            BacktestError::NotFound(_) => "not_found",
            BacktestError::NotRunning(_) => "not_running",
            BacktestError::StillRunning(_) => "still_running",
            BacktestError::Internal(_) => "internal",
        }
    }
}

/// A refused or failed request to the training service.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TrainingError {
    /// Bad settings (budget, device, member): the user can fix them.
    #[error("{0}")]
    Invalid(String),
    #[error("training job {job} is still running: wait for it or cancel it first")]
    Busy { job: u64 },
    #[error("no training job is running")]
    NotRunning,
    #[error("too late to cancel: {version} is already registered")]
    TooLate { version: String },
    #[error("this server cannot train models")]
    Unavailable,
    /// The job could not be started or the job manager is broken.
    #[error("{0}")]
    Internal(String),
}

impl TrainingError {
    /// The HTTP status of each variant.
    pub fn status_code(&self) -> u16 {
        match self {
            TrainingError::Invalid(_) | TrainingError::Unavailable => 400,
            TrainingError::Busy { .. }
            | TrainingError::NotRunning
            | TrainingError::TooLate { .. } => 409,
            TrainingError::Internal(_) => 500,
        }
    }

    /// A stable machine-readable code for the REST error body.
    pub fn code(&self) -> &'static str {
        match self {
            TrainingError::Invalid(_) | TrainingError::Unavailable => "bad_training_request",
            TrainingError::Busy { .. } => "job_running",
            TrainingError::NotRunning | TrainingError::TooLate { .. } => "no_job",
            TrainingError::Internal(_) => "internal",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_user_can_fix_is_4xx_and_only_server_failures_are_5xx() {
        let user = [
            BacktestError::Invalid("start".into()),
            BacktestError::Model(ModelError::UnknownModel {
                name: "x".into(),
                choices: "y".into(),
            }),
            BacktestError::Busy,
            BacktestError::Failed {
                model: "gbt".into(),
                reason: "too short".into(),
            },
        ];
        for e in &user {
            assert!((400..500).contains(&e.status_code()), "{e}");
        }
        assert_eq!(BacktestError::Busy.status_code(), 409);
        assert_eq!(BacktestError::Internal("lost".into()).status_code(), 500);
        assert_eq!(ModelError::NotAVersion("..".into()).status_code(), 400);
        assert_eq!(ModelError::Internal("io".into()).status_code(), 500);
        assert_eq!(
            HttpStatus::status_code(&models::values::BatchError::NoValues),
            422
        );
        assert_eq!(
            HttpStatus::status_code(&models::decision::CashoutError(0.5)),
            400
        );
    }
    #[test]
    fn a_domain_error_keeps_its_status_code_and_details_on_the_wire() {
        use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
        let bad = models::values::parse_multiplier("abc", &Default::default()).unwrap_err();
        let e = AppError::from(bad);
        assert_eq!((e.status, e.code.as_str()), (422, "invalid_value"));
        assert_eq!(e.details["token"], "abc");
        let back: AppError = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(back, e);
        let e = AppError::from(BacktestError::Busy);
        assert_eq!((e.status, e.code.as_str()), (409, "job_running"));
        assert_eq!(e.message, BacktestError::Busy.to_string());
        // Arguments the server cannot read are the caller's mistake, never a 500.
        let e = AppError::from_server_fn_error(ServerFnErrorErr::Args("id: abc".into()));
        assert_eq!((e.status, e.code.as_str()), (400, "bad_arguments"));
        let e = AppError::from_server_fn_error(ServerFnErrorErr::ServerError("lost".into()));
        assert!(e.is_server_error());
        assert_eq!(code_for_status(503), "busy");
        assert_eq!(code_for_status(418), "bad_request");
    }
}
