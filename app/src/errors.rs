//! Errors shared by the server's use cases and the pure view builders (no web or DB
//! types here, so the browser build compiles them too). Each enum gives the HTTP status of
//! its variants in `status_code`; server functions and REST handlers use it as is.

/// The HTTP status an error stands for: 4xx when the request can be fixed by the user,
/// 5xx when the server failed. Server functions and REST handlers answer with it.
pub trait HttpStatus: std::fmt::Display {
    fn status_code(&self) -> u16;
}

/// Implements [`HttpStatus`] by the type's own `status_code` method.
#[macro_export]
macro_rules! http_status_by_method {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::errors::HttpStatus for $t {
            fn status_code(&self) -> u16 {
                <$t>::status_code(self)
            }
        }
    )*};
}

http_status_by_method!(ModelError, BacktestError);

/// A value the user typed or sent that is not a multiplier.
impl HttpStatus for models::values::ValueError {
    fn status_code(&self) -> u16 {
        422
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
}

/// A cash-out outside 1.01–1,000,000.
impl HttpStatus for models::decision::CashoutError {
    fn status_code(&self) -> u16 {
        400
    }
}

/// A refused or failed request to the model registry, or for a model by name.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    /// Not a folder name inside the registry (path tricks, empty, hidden).
    #[error("{0:?} is not a model version")]
    NotAVersion(String),
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
            ModelError::Internal(_) => 500,
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
            BacktestError::Internal(_) => 500,
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

http_status_by_method!(TrainingError);

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
}
