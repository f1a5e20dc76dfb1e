//! Burn neural-network members of the JetX Predictor ensemble. Each is a
//! [`models::forecast::Forecaster`] of P(X ≥ t) for every threshold t.
//!
//! * [`MultiOutputNet`]: a small MLP on the standardised engineered features and the raw
//!   sequence of the last N ln X values.
//! * [`SequenceModel`]: a GRU over the last N ln X values.
//! * [`AttentiveTabular`]: TabNet-style decision steps with softmax feature masks over the
//!   engineered features; [`AttentiveTabular::feature_importance`] averages the masks.
//!
//! All three share the [monotone head](nets::MonotoneHead) (P(≥t₁) ≥ P(≥t₂) ≥ … by
//! construction, initialised at the fair law (1 − h)/t, plus ln X quantiles trained with the
//! pinball loss), the training loop in [`train`] (Adam, seeded mini-batches, early stopping on
//! the time-ordered validation tail of the training window) and persistence
//! ([`NeuralForecaster::save`] / [`NeuralForecaster::load`]).
//!
//! The raw sequence reaches the model through
//! [`Forecaster::predict_with_history`](models::forecast::Forecaster::predict_with_history),
//! which the walk-forward engine calls. Plain `predict` (no history) only knows the last five
//! rounds (from the `last1_logx` … `last5_logx` features) and pads the rest as 1.00x.

pub mod bench;
pub mod data;
pub mod device;
pub mod error;
pub mod member;
pub mod nets;
pub mod rng;
pub mod train;

pub use bench::{bench_training, BenchRow};
pub use device::{cuda_devices, devices, DeviceChoice, Devices};
pub use error::NeuralError;
pub use member::{
    AttentiveTabular, MemberKind, MultiOutputNet, NeuralForecaster, SequenceModel, TrainedState,
};
pub use nets::{AttentiveTabularConfig, MultiOutputNetConfig, SequenceModelConfig};
pub use train::{LossKind, ProgressFn, TrainConfig, TrainProgress, TrainReport};
