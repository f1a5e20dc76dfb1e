//! The rule member: confirmed patterns of the training window as a conditional-rate model,
//! shrunk toward the fair law.
//!
//! Fitting scans the training rounds ([`models::patterns`]) and keeps the rules confirmed
//! there. For each threshold t the training rounds are grouped by their *signature* — which
//! of t's confirmed rules applied — and each group's rate is shrunk toward the fair rate:
//! P(X ≥ t | signature) = (k + m·p₀)/(n + m), m = [`RulesConfig::prior_rounds`]. A round
//! whose signature is empty, or a threshold with no confirmed rule, gets the fair law: on a
//! fair history this member *is* the fair law.

use crate::member::{Member, MemberFactory};
use crate::persist::{read_json, write_json, RegistryError};
use models::error::EvalError;
use models::forecast::{threshold_hundredths, Forecaster, TrainView};
use models::patterns::rules::{Catalogue, RoundState};
use models::patterns::{PatternConfig, PatternScanner};
use models::summary::fair_survival;
use models::values::Multiplier;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::{Arc, OnceLock};

pub const RULES_KIND: &str = "rules";
pub const RULES_FILE: &str = "rules.json";
/// At most this many confirmed rules per threshold enter the signature (the strongest).
const MAX_RULES: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RulesConfig {
    pub house_edge: f64,
    pub alpha: f64,
    /// Weight of the fair law in each group's rate, in rounds.
    pub prior_rounds: f64,
}

impl Default for RulesConfig {
    fn default() -> Self {
        Self {
            house_edge: models::generator::DEFAULT_HOUSE_EDGE,
            alpha: 0.05,
            prior_rounds: 50.0,
        }
    }
}

/// The confirmed rules of one threshold and the rate of every signature seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdRules {
    pub threshold: f64,
    /// Rule ids in the catalogue (and their plain words, for people reading the file).
    pub rules: Vec<usize>,
    pub words: Vec<String>,
    /// (signature bit mask over `rules`, rounds, hits).
    pub groups: Vec<(u32, u64, u64)>,
}

/// A fitted rule member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RulesMember {
    pub config: RulesConfig,
    pub thresholds: Vec<ThresholdRules>,
    #[serde(skip)]
    catalogue: CatalogueCell,
}

/// The catalogue, built once per member (its level bands need a short simulation).
#[derive(Debug, Clone, Default)]
struct CatalogueCell(Arc<OnceLock<Arc<Catalogue>>>);

impl PartialEq for CatalogueCell {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl RulesMember {
    pub fn new(config: RulesConfig) -> Self {
        Self {
            config,
            thresholds: Vec::new(),
            catalogue: CatalogueCell::default(),
        }
    }

    fn catalogue(&self) -> Arc<Catalogue> {
        self.catalogue
            .0
            .get_or_init(|| Arc::new(Catalogue::new(self.config.house_edge)))
            .clone()
    }

    /// How many rules are confirmed in total.
    pub fn n_rules(&self) -> usize {
        self.thresholds.iter().map(|t| t.rules.len()).sum()
    }
}

fn signature(rules: &[usize], applies: &[bool]) -> u32 {
    rules
        .iter()
        .enumerate()
        .filter(|(_, &r)| applies[r])
        .fold(0u32, |m, (j, _)| m | (1 << j))
}

impl Forecaster for RulesMember {
    fn name(&self) -> String {
        format!("confirmed patterns ({} rules)", self.n_rules())
    }

    fn fit(&mut self, train: &TrainView<'_>) -> Result<(), EvalError> {
        let rounds = train.outcomes;
        let cfg = PatternConfig {
            cashouts: train.thresholds.to_vec(),
            house_edge: self.config.house_edge,
            alpha: self.config.alpha,
            ..PatternConfig::default()
        };
        cfg.validate()?;
        let scanner = PatternScanner::with_catalogue(cfg, self.catalogue());
        let mut scanner = scanner;
        scanner.extend(rounds);
        let mut confirmed = scanner.confirmed();
        confirmed.sort_by(|a, b| b.ln_e.total_cmp(&a.ln_e));
        let cat = self.catalogue();
        let mut out: Vec<ThresholdRules> = train
            .thresholds
            .iter()
            .enumerate()
            .map(|(ci, &t)| {
                let rules: Vec<usize> = confirmed
                    .iter()
                    .filter(|c| c.ci == ci)
                    .map(|c| c.rule)
                    .take(MAX_RULES)
                    .collect();
                ThresholdRules {
                    threshold: t,
                    words: rules
                        .iter()
                        .map(|&r| cat.conditions[r].describe())
                        .collect(),
                    rules,
                    groups: Vec::new(),
                }
            })
            .collect();
        if out.iter().any(|t| !t.rules.is_empty()) {
            let mut state = RoundState::default();
            let mut scratch = Vec::new();
            let mut applies = vec![false; cat.len()];
            let mut groups: Vec<std::collections::BTreeMap<u32, (u64, u64)>> =
                vec![Default::default(); out.len()];
            for m in rounds {
                cat.applicable(&state, &mut scratch);
                for &r in &scratch {
                    applies[r] = true;
                }
                for (ti, t) in out.iter().enumerate() {
                    if t.rules.is_empty() {
                        continue;
                    }
                    let g = groups[ti].entry(signature(&t.rules, &applies)).or_default();
                    g.0 += 1;
                    g.1 += u64::from(m.0 >= threshold_hundredths(t.threshold));
                }
                for &r in &scratch {
                    applies[r] = false;
                }
                state.push(*m);
            }
            for (t, g) in out.iter_mut().zip(groups) {
                t.groups = g.into_iter().map(|(mask, (n, k))| (mask, n, k)).collect();
            }
        }
        self.thresholds = out;
        Ok(())
    }

    fn predict(&self, _row: &[f64], thresholds: &[f64]) -> Vec<f64> {
        // Without the history no rule can be checked: the fair law.
        thresholds
            .iter()
            .map(|&t| fair_survival(t, self.config.house_edge))
            .collect()
    }

    fn predict_with_history(
        &self,
        _row: &[f64],
        history: &[Multiplier],
        thresholds: &[f64],
    ) -> Vec<f64> {
        let cat = self.catalogue();
        let mut applies = vec![false; cat.len()];
        if self.n_rules() > 0 {
            let mut now = Vec::new();
            cat.applicable(&RoundState::from_tail(history), &mut now);
            for r in now {
                applies[r] = true;
            }
        }
        thresholds
            .iter()
            .map(|&t| {
                let fair = fair_survival(t, self.config.house_edge);
                let Some(tr) = self
                    .thresholds
                    .iter()
                    .find(|x| (x.threshold - t).abs() < 1e-9 && !x.rules.is_empty())
                else {
                    return fair;
                };
                let mask = signature(&tr.rules, &applies);
                if mask == 0 {
                    return fair;
                }
                let (n, k) = tr
                    .groups
                    .iter()
                    .find(|g| g.0 == mask)
                    .map_or((0, 0), |g| (g.1, g.2));
                let m = self.config.prior_rounds;
                ((k as f64 + m * fair) / (n as f64 + m)).clamp(1e-4, 1.0 - 1e-4)
            })
            .collect()
    }
}

impl Member for RulesMember {
    fn kind(&self) -> String {
        RULES_KIND.into()
    }

    fn save(&self, dir: &Path) -> Result<(), RegistryError> {
        write_json(&dir.join(RULES_FILE), self)
    }
}

/// Reads a saved rule member back.
pub fn load_rules(dir: &Path) -> Result<Box<dyn Member>, RegistryError> {
    let m: RulesMember = read_json(&dir.join(RULES_FILE))?;
    let cat_len = m.catalogue().len();
    if let Some(bad) = m
        .thresholds
        .iter()
        .flat_map(|t| t.rules.iter())
        .find(|&&r| r >= cat_len)
    {
        return Err(RegistryError::Corrupt {
            path: dir.join(RULES_FILE).display().to_string(),
            reason: format!("rule id {bad} is not in this build's catalogue"),
        });
    }
    Ok(Box::new(m))
}

impl MemberFactory {
    /// Confirmed patterns of the training window (see [`crate::rules`]).
    pub fn rules(house_edge: f64) -> Self {
        let cfg = RulesConfig {
            house_edge,
            ..Default::default()
        };
        Self::new(
            RULES_KIND,
            "confirmed patterns (rule scan)",
            serde_json::to_value(cfg).unwrap_or_default(),
            move || Box::new(RulesMember::new(cfg)),
        )
    }
}
