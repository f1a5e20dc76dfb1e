//! Why a training job could not be started or cancelled, with the HTTP status of each case.

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
