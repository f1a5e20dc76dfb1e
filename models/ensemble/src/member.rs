//! Ensemble members: the [`Member`] trait (a [`Forecaster`] that can be saved), factories
//! that create fresh members for every refit, and loaders that read saved members back.
//!
//! Plugging in another crate's model (e.g. the Burn members): implement [`Member`] for it
//! (`kind`, `save`), give the search/ensemble a [`MemberFactory::new`] that builds a fresh
//! boxed instance, and register a loader with [`MemberLoaders::register`] under the same
//! kind. A plain [`Forecaster`] without persistence can still be searched, stacked and
//! backtested through [`MemberFactory::from_forecaster`] (saving it gives
//! [`RegistryError::NotPersistable`]).

use crate::persist::{write_json, RegistryError};
use models::forecast::{Empirical, FairLaw, Forecaster, Logistic, LogisticConfig};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// A forecaster the registry can save. `kind` names the loader that reads it back.
/// `Send` so a loaded model can be cached by the server and used from any worker thread.
pub trait Member: Forecaster + Send {
    /// Stable identifier of the model type ("gbt", "logistic", …), used to pick the loader.
    fn kind(&self) -> String;
    /// Writes the fitted state into `dir` (which exists and is empty).
    fn save(&self, dir: &Path) -> Result<(), RegistryError>;
    /// (feature name, importance) largest first, for members that measure it; empty
    /// otherwise.
    fn feature_importance(&self) -> Vec<(String, f64)> {
        Vec::new()
    }
}

type MakeFn = dyn Fn() -> Box<dyn Member> + Send + Sync;

/// Creates fresh, unfitted members (every refit and every out-of-fold fit starts from one).
#[derive(Clone)]
pub struct MemberFactory {
    pub kind: String,
    /// Human-readable name with the hyperparameters.
    pub label: String,
    /// Hyperparameters, for the model metadata and the search report.
    pub params: serde_json::Value,
    make: Arc<MakeFn>,
}

impl std::fmt::Debug for MemberFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemberFactory")
            .field("kind", &self.kind)
            .field("label", &self.label)
            .field("params", &self.params)
            .finish()
    }
}

impl MemberFactory {
    pub fn new(
        kind: impl Into<String>,
        label: impl Into<String>,
        params: serde_json::Value,
        make: impl Fn() -> Box<dyn Member> + Send + Sync + 'static,
    ) -> Self {
        Self {
            kind: kind.into(),
            label: label.into(),
            params,
            make: Arc::new(make),
        }
    }

    /// Wraps a factory of plain forecasters (not saveable).
    pub fn from_forecaster(
        kind: impl Into<String>,
        label: impl Into<String>,
        params: serde_json::Value,
        make: impl Fn() -> Box<dyn Forecaster + Send> + Send + Sync + 'static,
    ) -> Self {
        let kind: String = kind.into();
        let k2 = kind.clone();
        Self::new(kind, label, params, move || {
            Box::new(Unpersisted {
                kind: k2.clone(),
                inner: make(),
            })
        })
    }

    /// A fresh, unfitted member.
    pub fn make(&self) -> Box<dyn Member> {
        (self.make)()
    }

    pub fn logistic(l2: f64) -> Self {
        let cfg = LogisticConfig {
            l2,
            ..LogisticConfig::default()
        };
        Self::new(
            LOGISTIC_KIND,
            format!("logistic (L2 λ = {l2})"),
            serde_json::to_value(cfg).unwrap_or_default(),
            move || Box::new(Logistic::new(cfg)),
        )
    }

    pub fn empirical() -> Self {
        Self::new(
            EMPIRICAL_KIND,
            "empirical base rate",
            serde_json::Value::Null,
            || Box::new(Empirical::default()),
        )
    }

    /// The fair law with a fixed house edge.
    pub fn fair(house_edge: f64) -> Self {
        Self::new(
            FAIR_KIND,
            format!("fair law (h = {house_edge})"),
            serde_json::json!({ "house_edge": house_edge }),
            move || Box::new(FairLaw::fixed(house_edge)),
        )
    }

    /// The fair law with the house edge estimated on the training window.
    pub fn fair_estimated() -> Self {
        Self::new(
            FAIR_KIND,
            "fair law (h estimated)",
            serde_json::json!({ "house_edge": null }),
            || Box::new(FairLaw::estimated()),
        )
    }
}

pub const LOGISTIC_KIND: &str = "logistic";
pub const EMPIRICAL_KIND: &str = "empirical";
pub const FAIR_KIND: &str = "fair";

/// A plain forecaster used as a member; it cannot be saved.
pub struct Unpersisted {
    pub kind: String,
    pub inner: Box<dyn Forecaster + Send>,
}

models::delegate_forecaster!(impl[] Unpersisted => inner);

impl Member for Unpersisted {
    fn kind(&self) -> String {
        self.kind.clone()
    }
    fn save(&self, _dir: &Path) -> Result<(), RegistryError> {
        Err(RegistryError::NotPersistable(self.inner.name()))
    }
}

impl Member for Logistic {
    fn kind(&self) -> String {
        LOGISTIC_KIND.into()
    }
    fn save(&self, dir: &Path) -> Result<(), RegistryError> {
        write_json(&dir.join("logistic.json"), self)
    }
}

impl Member for Empirical {
    fn kind(&self) -> String {
        EMPIRICAL_KIND.into()
    }
    fn save(&self, dir: &Path) -> Result<(), RegistryError> {
        write_json(&dir.join("empirical.json"), self)
    }
}

impl Member for FairLaw {
    fn kind(&self) -> String {
        FAIR_KIND.into()
    }
    fn save(&self, dir: &Path) -> Result<(), RegistryError> {
        write_json(&dir.join("fair.json"), self)
    }
}

type LoadFn = dyn Fn(&Path) -> Result<Box<dyn Member>, RegistryError> + Send + Sync;

/// Reads saved members back, by kind.
#[derive(Clone)]
pub struct MemberLoaders {
    map: BTreeMap<String, Arc<LoadFn>>,
}

impl MemberLoaders {
    /// No loaders at all ([`MemberLoaders::builtin`] has every built-in kind).
    pub fn empty() -> Self {
        Self {
            map: BTreeMap::new(),
        }
    }

    /// Adds (or replaces) the loader of `kind`.
    pub fn register(
        &mut self,
        kind: impl Into<String>,
        load: impl Fn(&Path) -> Result<Box<dyn Member>, RegistryError> + Send + Sync + 'static,
    ) {
        self.map.insert(kind.into(), Arc::new(load));
    }

    pub fn load(&self, kind: &str, dir: &Path) -> Result<Box<dyn Member>, RegistryError> {
        let f = self
            .map
            .get(kind)
            .ok_or_else(|| RegistryError::UnknownMemberKind(kind.to_string()))?;
        let m = f(dir)?;
        if m.kind() != kind {
            return Err(RegistryError::Mismatch(format!(
                "member in {} is of kind {}, expected {kind}",
                dir.display(),
                m.kind()
            )));
        }
        Ok(m)
    }

    pub fn kinds(&self) -> Vec<String> {
        self.map.keys().cloned().collect()
    }
}
