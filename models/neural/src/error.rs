//! The error type of the neural members.

use models::error::EvalError;

/// Why a neural member could not be built, trained, saved or loaded.
#[derive(Debug, thiserror::Error)]
pub enum NeuralError {
    #[error("this build has no CUDA support: rebuild with --features cuda")]
    CudaUnavailable,
    #[error("no CUDA device: this machine has no NVIDIA GPU or driver (use --device cpu or auto)")]
    NoCudaDevice,
    #[error("unknown device {0:?}: expected \"cpu\", \"cuda\" or \"auto\"")]
    UnknownDevice(String),
    #[error("the model has not been trained")]
    NotTrained,
    #[error("invalid setting: {0}")]
    InvalidConfig(String),
    #[error("I/O error on {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid model description {path}: {message}")]
    Metadata { path: String, message: String },
    #[error("saved model does not match: {0}")]
    Mismatch(String),
    #[error("could not read the weights {path}: {message}")]
    Weights { path: String, message: String },
    #[error(transparent)]
    Eval(#[from] EvalError),
}
