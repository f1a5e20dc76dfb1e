//! The law a Monte Carlo path draws its rounds from. By default the fair law at the
//! configured house edge. Under [`RoundLaw::Confirmed`], the fair law tilted wherever a
//! pattern the scan confirmed on the player's rounds applies: P(X ≥ c) is then the rule's
//! rate (see [`crate::planted::tilted_draw`]; the law's shape above and below c is kept).
//! A plan can so be tried against the edges the evidence supports, favourable or not; a
//! favourable one also gives the plan the PLAY signal the app would give.

use super::plan::Signal;
use crate::generator::{crash_point, uniform_open_closed};
use crate::patterns::rules::{Catalogue, Condition, RoundState};
use crate::patterns::PatternReport;
use crate::planted::tilted_draw;
use crate::values::Multiplier;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// A confirmed pattern as a simulated path plays it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EdgeRule {
    pub rule: Condition,
    /// The condition in words.
    pub condition: String,
    pub cashout: f64,
    /// P(X ≥ cashout) when the condition holds: the rate of the later half of the history
    /// (out of sample: the earlier half helped choose the rule, and its rate is the
    /// optimistic one), or of all of it when the later half never saw the condition.
    pub rate: f64,
    /// Where the app says PLAY when the rule applies (a favourable rule whose EV's lower
    /// 95% bound over the whole history is above 0): the signal's cautious probability,
    /// the lower end of the rate's interval.
    pub play_p_low: Option<f64>,
}

/// Where a path's rounds come from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RoundLaw {
    /// The fair law at the run's house edge.
    #[default]
    Fair,
    /// The fair law, tilted where a rule confirmed on `rounds` rounds applies (the first
    /// that applies, strongest evidence first).
    Confirmed { rules: Vec<EdgeRule>, rounds: usize },
}

impl RoundLaw {
    /// The rules `report` confirmed, in both directions, strongest evidence first.
    pub fn confirmed(report: &PatternReport) -> Self {
        let mut found: Vec<_> = report.rules.iter().filter(|r| r.confirmed).collect();
        found.sort_by(|a, b| b.ln_e_value.total_cmp(&a.ln_e_value));
        let rules = found
            .into_iter()
            .map(|r| {
                let later = &r.out_of_sample;
                let rate = if later.occurrences > 0 {
                    later.rate
                } else {
                    r.rate
                };
                let play = r.direction != "unfavourable" && r.ev_low > 0.0;
                EdgeRule {
                    rule: r.rule,
                    condition: r.condition.clone(),
                    cashout: r.cashout,
                    rate,
                    play_p_low: play.then_some(r.rate_low),
                }
            })
            .collect();
        RoundLaw::Confirmed {
            rules,
            rounds: report.rounds,
        }
    }

    /// The law in one sentence, for the result.
    pub fn describe(&self, house_edge: f64) -> String {
        let fair = format!("the fair law with a {:.1}% house edge", house_edge * 100.0);
        match self {
            RoundLaw::Fair => format!("Rounds drawn from {fair}."),
            RoundLaw::Confirmed { rules, rounds } if rules.is_empty() => format!(
                "No pattern is confirmed on your {rounds} rounds: every round is drawn from {fair}."
            ),
            RoundLaw::Confirmed { rules, rounds } => {
                // The strongest few by name; the rest counted (they overlap a lot: one
                // edge is confirmed under many neighbouring conditions).
                const NAMED: usize = 4;
                let mut each = rules
                    .iter()
                    .take(NAMED)
                    .map(|r| {
                        format!(
                            "{}: P(X ≥ {}x) = {:.1}% (fair {:.1}%)",
                            r.condition,
                            r.cashout,
                            r.rate * 100.0,
                            (1.0 - house_edge) / r.cashout * 100.0
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                if rules.len() > NAMED {
                    each.push_str(&format!("; and {} more", rules.len() - NAMED));
                }
                format!(
                    "Rounds drawn from {fair}, tilted where one of the {} patterns confirmed on your {rounds} rounds applies, at its out-of-sample rate ({each}). If these edges are weaker than measured, so is every result here.",
                    rules.len()
                )
            }
        }
    }

    /// Made ready for many paths (the rule catalogue's level bands built once).
    pub fn prepare(&self, house_edge: f64) -> PreparedLaw<'_> {
        let rules = match self {
            RoundLaw::Confirmed { rules, .. } if !rules.is_empty() => rules.as_slice(),
            _ => &[],
        };
        PreparedLaw {
            rules,
            catalogue: (!rules.is_empty()).then(|| Catalogue::new(house_edge)),
            house_edge,
        }
    }
}

/// A law ready to start paths.
pub struct PreparedLaw<'a> {
    rules: &'a [EdgeRule],
    catalogue: Option<Catalogue>,
    house_edge: f64,
}

impl PreparedLaw<'_> {
    /// One path's draws; each path keeps its own history of rounds.
    pub fn path(&self) -> PathLaw<'_> {
        PathLaw {
            law: self,
            state: RoundState::default(),
        }
    }
}

/// The rounds of one path, drawn one at a time.
pub struct PathLaw<'a> {
    law: &'a PreparedLaw<'a>,
    state: RoundState,
}

impl PathLaw<'_> {
    /// The next round, and the PLAY signal a favourable rule that applies to it gives.
    pub fn draw(&mut self, rng: &mut ChaCha8Rng) -> (Multiplier, Option<Signal>) {
        let h = self.law.house_edge;
        let Some(catalogue) = &self.law.catalogue else {
            // The fair law: the same draws as a run that knows no other law.
            return (crash_point(uniform_open_closed(rng), h), None);
        };
        let state = &self.state;
        let rule = self
            .law
            .rules
            .iter()
            .find(|r| catalogue.holds(&r.rule, state));
        let (m, signal) = match rule {
            Some(r) => (
                tilted_draw(rng, h, r.cashout, r.rate.clamp(0.0, 1.0)),
                r.play_p_low.map(|p_low| Signal {
                    cashout: r.cashout,
                    p_low,
                }),
            ),
            None => (crash_point(uniform_open_closed(rng), h), None),
        };
        self.state.push(m);
        (m, signal)
    }
}
