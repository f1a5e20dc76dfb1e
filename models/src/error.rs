//! The one error type of the evaluation core (features, walk-forward, scores, reports).

use serde::{Deserialize, Serialize};

/// Why an evaluation could not be computed. User-supplied input never panics: it gives one
/// of these instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum EvalError {
    #[error("not enough data: {what} needs at least {needed}, got {got}")]
    TooFew {
        what: String,
        needed: usize,
        got: usize,
    },
    #[error("invalid setting: {0}")]
    InvalidConfig(String),
    #[error("inputs of different lengths: {0}")]
    LengthMismatch(String),
    #[error("degenerate data: {0}")]
    Degenerate(String),
    /// The caller asked the run to stop (a cancelled job).
    #[error("cancelled")]
    Cancelled,
}

impl EvalError {
    pub(crate) fn too_few(what: &str, needed: usize, got: usize) -> Self {
        Self::TooFew {
            what: what.to_string(),
            needed,
            got,
        }
    }
}
