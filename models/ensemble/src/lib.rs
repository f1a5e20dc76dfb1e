//! The ensemble: gradient-boosted trees, model search, stacking, calibration, model
//! registry — the non-neural half of the JetX Predictor ensemble.
//!
//! Everything is evaluated walk-forward against the fair law (1 − h)/t, through
//! [`models::walkforward`] and [`models::backtest`].

pub mod calibrate;
pub mod compare;
pub mod gbt;
pub mod loaders;
pub mod member;
pub mod next;
pub mod persist;
pub mod registry;
pub mod rules;
pub mod search;
pub mod stack;
pub mod timing;
pub mod train;
pub mod util;

pub use calibrate::{CalibrationMethod, Calibrator};
pub use compare::{compare, ComparisonRow, ComparisonTable};
pub use gbt::{GbtConfig, GbtForecaster};
pub use member::{Member, MemberFactory, MemberLoaders};
pub use registry::{LoadedModel, ModelInfo, ModelMeta, RegistryError, SaveOptions};
pub use search::{search, SearchConfig, SearchReport, SearchResult};
pub use stack::{StackConfig, StackedEnsemble};
