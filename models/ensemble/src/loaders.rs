//! The loaders of every built-in member kind, registered in one place (the members
//! themselves depend only on [`crate::member`] and [`crate::persist`]).

use crate::gbt::{load_gbt, GBT_KIND};
use crate::member::{Member, MemberLoaders, EMPIRICAL_KIND, FAIR_KIND, LOGISTIC_KIND};
use crate::persist::{read_json, RegistryError};
use crate::rules::{load_rules, RULES_KIND};
use models::forecast::{Empirical, FairLaw, Logistic};
use std::path::Path;

impl MemberLoaders {
    /// Loaders for gbt, rules, logistic, empirical and fair.
    pub fn builtin() -> Self {
        let mut l = Self::empty();
        l.register(GBT_KIND, load_gbt);
        l.register(RULES_KIND, load_rules);
        l.register(LOGISTIC_KIND, |d: &Path| {
            let m: Logistic = read_json(&d.join("logistic.json"))?;
            if m.weights.is_empty() || m.mean.len() != m.scale.len() {
                return Err(RegistryError::Corrupt {
                    path: d.join("logistic.json").display().to_string(),
                    reason: "logistic model is not fitted".into(),
                });
            }
            Ok(Box::new(m) as Box<dyn Member>)
        });
        l.register(EMPIRICAL_KIND, |d: &Path| {
            let m: Empirical = read_json(&d.join("empirical.json"))?;
            Ok(Box::new(m) as Box<dyn Member>)
        });
        l.register(FAIR_KIND, |d: &Path| {
            let m: FairLaw = read_json(&d.join("fair.json"))?;
            Ok(Box::new(m) as Box<dyn Member>)
        });
        l
    }
}

impl Default for MemberLoaders {
    fn default() -> Self {
        Self::builtin()
    }
}
