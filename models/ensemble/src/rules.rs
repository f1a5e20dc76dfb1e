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

impl ThresholdRules {
    /// Rounds and hits behind the forecast for the rounds of signature `mask` (not 0): the
    /// signature's own group when it holds at least four prior weights of rounds, else the
    /// rounds of the applying rule whose rate, shrunk toward `fair`, is highest. Rules that
    /// nest (every 11th round, every 22nd, every 33rd…) or overlap would otherwise split one
    /// edge into groups of a few rounds each, shrunk almost back to the fair law.
    pub fn counts_for(&self, mask: u32, prior_rounds: f64, fair: f64) -> (u64, u64) {
        let own = self
            .groups
            .iter()
            .find(|g| g.0 == mask)
            .map_or((0, 0), |g| (g.1, g.2));
        if own.0 as f64 >= 4.0 * prior_rounds {
            return own;
        }
        let rule_counts = |bit: u32| {
            self.groups
                .iter()
                .filter(|g| g.0 & bit != 0)
                .fold((0u64, 0u64), |(n, k), g| (n + g.1, k + g.2))
        };
        let shrunk =
            |(n, k): (u64, u64)| (k as f64 + prior_rounds * fair) / (n as f64 + prior_rounds);
        (0..32)
            .map(|j| 1u32 << j)
            .filter(|bit| mask & bit != 0)
            .map(rule_counts)
            .max_by(|a, b| shrunk(*a).total_cmp(&shrunk(*b)))
            .unwrap_or(own)
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
                let m = self.config.prior_rounds;
                let (n, k) = tr.counts_for(mask, m, fair);
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
    // A catalogue that changed since the model was saved would read its ids as other rules.
    let cat = m.catalogue();
    for t in &m.thresholds {
        for (&r, words) in t.rules.iter().zip(&t.words) {
            let now = cat.conditions[r].describe();
            if &now != words {
                return Err(RegistryError::Corrupt {
                    path: dir.join(RULES_FILE).display().to_string(),
                    reason: format!(
                        "rule {r} was \"{words}\" and is now \"{now}\": the pattern \
                         catalogue changed since this model was trained; train it again"
                    ),
                });
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(groups: Vec<(u32, u64, u64)>) -> ThresholdRules {
        ThresholdRules {
            threshold: 2.0,
            rules: vec![10, 20, 30],
            words: vec![String::new(); 3],
            groups,
        }
    }

    #[test]
    fn a_large_group_speaks_for_itself_and_a_small_one_backs_off_to_its_best_rule() {
        // Rule 0 applies in groups 0b001, 0b011 and 0b101 (rate 0.81 over 300 rounds).
        let t = rules(vec![
            (0b001, 250, 200),
            (0b011, 30, 26),
            (0b101, 20, 17),
            (0b110, 400, 210),
        ]);
        let f = 0.485;
        assert_eq!(t.counts_for(0b001, 50.0, f), (250, 200));
        assert_eq!(t.counts_for(0b011, 50.0, f), (300, 243));
        assert_eq!(t.counts_for(0b101, 50.0, f), (300, 243));
        // A signature never seen in training backs off as well.
        assert_eq!(t.counts_for(0b111, 50.0, f), (300, 243));
        // 0b110's own group is large.
        assert_eq!(t.counts_for(0b110, 50.0, f), (400, 210));
        assert_eq!(t.counts_for(0b010, 50.0, f), (430, 236));
        // The stronger (broader) rule 0 is diluted where the narrower rule 1 applies.
        let t = rules(vec![(0b01, 1000, 560), (0b11, 100, 80)]);
        assert_eq!(t.counts_for(0b11, 50.0, f), (100, 80));
    }

    #[test]
    fn nested_position_rules_keep_the_planted_rate() {
        // Every 11th round reaches 2x with probability 0.85: the scan confirms it and its
        // multiples (every 22nd, 33rd… round), which must not dilute the forecast.
        let rounds = models::planted::generate_conditional(77, 0.03, 4_000, 2.0, 0.85, |h| {
            h.len() % 11 == 4
        });
        let mut m = RulesMember::new(RulesConfig::default());
        let th = [2.0];
        // The rule member reads the rounds only.
        let view = TrainView {
            features: &[],
            n_cols: 0,
            outcomes: &rounds,
            thresholds: &th,
        };
        m.fit(&view).unwrap();
        assert!(!m.thresholds[0].rules.is_empty());
        let mut on = rounds.clone();
        while on.len() % 11 != 4 {
            on.push(Multiplier(150));
        }
        let p_on = m.predict_with_history(&[], &on, &th)[0];
        on.push(Multiplier(150));
        let p_off = m.predict_with_history(&[], &on, &th)[0];
        assert!(p_on > 0.75, "on the planted rounds: {p_on}");
        assert!((p_off - 0.485).abs() < 0.03, "elsewhere: {p_off}");
        // Saved and read back as it is; a rule whose words no longer match is refused.
        let dir = std::env::temp_dir().join(format!("jetx-rules-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        m.save(&dir).unwrap();
        assert!(load_rules(&dir).is_ok());
        m.thresholds[0].words[0] = "a rule of another catalogue".into();
        m.save(&dir).unwrap();
        let err = load_rules(&dir).err().unwrap().to_string();
        std::fs::remove_dir_all(&dir).ok();
        assert!(err.contains("catalogue changed"), "{err}");
    }
}
