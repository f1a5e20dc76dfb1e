//! Why a training job could not be started or cancelled: [`TrainingError`], defined with
//! the other shared errors so the state and the jobs can name it.

pub use crate::errors::TrainingError;
