//! The scan's report: every rule × cash-out with its rate, interval, EV, p-values, e-value
//! and confirmation; the earlier vs later parts of the history; detection limits; regimes;
//! and what applies to the next round.

use super::evidence::{bh_adjust, holm_from_ln, ln_binomial_sf, ln_e_value};
use super::limits::{detection_limit, DetectionLimit};
use super::next::{next_round_edges, NextEdge};
use super::regimes::{regime_tests, RegimeTest};
use super::rules::{Condition, Family};
use super::scan::{first_counts, Confirmed, Counts, PatternConfig, PatternScanner};
use super::unfavourable::Below;
use crate::summary::{wilson_interval, Z_95};
use crate::values::Multiplier;
use serde::{Deserialize, Serialize};

/// A rate with its 95% Wilson interval and the EV of a 1-unit bet at the cash-out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RateStats {
    pub occurrences: u64,
    pub hits: u64,
    pub rate: f64,
    pub rate_low: f64,
    pub rate_high: f64,
    pub ev: f64,
    pub ev_low: f64,
    pub ev_high: f64,
}

impl RateStats {
    /// At normal quantile `z` (two-sided 95%: [`Z_95`]).
    pub fn new(hits: u64, n: u64, cashout: f64, z: f64) -> Self {
        let rate = if n == 0 { 0.0 } else { hits as f64 / n as f64 };
        let (lo, hi) = wilson_interval(hits, n, z);
        Self {
            occurrences: n,
            hits,
            rate,
            rate_low: lo,
            rate_high: hi,
            ev: rate * cashout - 1.0,
            ev_low: lo * cashout - 1.0,
            ev_high: hi * cashout - 1.0,
        }
    }
}

/// One rule at one cash-out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleReport {
    pub id: usize,
    pub family: Family,
    /// The condition in plain words.
    pub condition: String,
    pub rule: Condition,
    pub cashout: f64,
    pub occurrences: u64,
    pub hits: u64,
    pub rate: f64,
    pub rate_low: f64,
    pub rate_high: f64,
    /// (1 − h)/c.
    pub fair: f64,
    /// `favourable` (rate above fair; tested against fair and break-even) or
    /// `unfavourable` (rate below the game's own; never a reason to play).
    #[serde(default = "favourable")]
    pub direction: String,
    /// The rate this line's test compares with: `fair` for a favourable line, the game's
    /// own rate at the cash-out (lowered by its uncertainty) for an unfavourable one.
    #[serde(default)]
    pub reference: f64,
    /// 1/c: EV is positive above it.
    pub breakeven: f64,
    pub ev: f64,
    pub ev_low: f64,
    pub ev_high: f64,
    /// Exact one-sided binomial p of "rate > fair" (unfavourable: "rate < reference").
    pub p_value: f64,
    /// Holm over the whole scan.
    pub p_adjusted: f64,
    /// Benjamini–Hochberg over the whole scan.
    pub q_value: f64,
    /// Anytime-valid e-value of "EV > 0" (unfavourable: of "rate < reference"; capped at
    /// 1e300 for JSON).
    pub e_value: f64,
    pub ln_e_value: f64,
    pub confirmed: bool,
    /// The rule applies to the next, unplayed round.
    pub applies_next: bool,
    /// Earlier part of the history (before `split_at`) and the later part.
    pub in_sample: RateStats,
    pub out_of_sample: RateStats,
}

/// A family's summary and detection limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FamilySummary {
    pub family: Family,
    pub label: String,
    pub rules: usize,
    pub tests: usize,
    pub confirmed: usize,
    /// Confirmed unfavourable tests.
    #[serde(default)]
    pub unfavourable: usize,
    pub smallest_p_adjusted: f64,
    pub detection: Vec<DetectionLimit>,
}

/// The whole scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PatternReport {
    pub rounds: usize,
    pub house_edge: f64,
    pub alpha: f64,
    pub cashouts: Vec<f64>,
    /// Rules × cash-outs: the multiplicity every correction uses.
    pub tests: usize,
    /// The e-value a rule needs: tests/α.
    pub e_threshold: f64,
    /// First round (0-based) of the later, out-of-sample part.
    pub split_at: usize,
    /// Rounds with a real time (what the clock family reads; 0: it saw none).
    #[serde(default)]
    pub timed_rounds: usize,
    /// Confirmed favourable rules × cash-outs (what PLAY can use).
    pub confirmed: usize,
    /// Confirmed unfavourable rules × cash-outs (listed with `direction` = unfavourable).
    #[serde(default)]
    pub unfavourable: usize,
    /// Holm-adjusted p of "some rule beats the fair rate" (the smallest adjusted p).
    pub any_edge_p: f64,
    /// Listed rules: every confirmed one, then the most significant of each family.
    pub rules: Vec<RuleReport>,
    pub listed_of: usize,
    pub families: Vec<FamilySummary>,
    /// `None` for histories under 500 rounds.
    pub regimes: Option<Vec<RegimeTest>>,
    /// Confirmed rules that apply to the next round, with their situation's later-part
    /// rate (what a PLAY decision uses).
    pub next_round: Vec<NextEdge>,
    /// The e-value of the listed rule with the most evidence, round by round.
    #[serde(default)]
    pub evidence_path: Option<EvidencePath>,
    /// The values' hash, the method version and the settings, for `jetx verify-report`.
    #[serde(default)]
    pub provenance: Option<crate::provenance::Provenance>,
}

/// How one rule's anytime-valid e-value grew (or not) round by round: what a player who
/// looked after every round saw, next to the threshold a confirmation needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvidencePath {
    pub condition: String,
    pub cashout: f64,
    /// (rounds seen, ln e-value) at most [`EVIDENCE_POINTS`] times, the last at the end.
    pub points: Vec<(usize, f64)>,
    /// ln of the e-value a confirmation needs (tests/α).
    pub ln_threshold: f64,
}

/// Points of an [`EvidencePath`].
pub const EVIDENCE_POINTS: usize = 500;

/// Replays `rounds` for rule `rule` at cash-out index `ci`.
pub fn evidence_path(
    scanner: &PatternScanner,
    rounds: &[Multiplier],
    rule: usize,
    ci: usize,
) -> EvidencePath {
    let cfg = &scanner.config;
    let cut = crate::forecast::threshold_hundredths(cfg.cashouts[ci]);
    let p0 = cfg.breakeven(ci);
    let step = rounds.len().div_ceil(EVIDENCE_POINTS).max(1);
    let mut state = scanner.fresh_state();
    let condition = scanner.catalogue.conditions[rule];
    let (mut n, mut k) = (0u64, 0u64);
    let mut points = Vec::with_capacity(EVIDENCE_POINTS + 1);
    for (i, m) in rounds.iter().enumerate() {
        // One condition, checked on its own (the whole catalogue per round costs 8 µs).
        if scanner.catalogue.holds(&condition, &state) {
            n += 1;
            k += u64::from(m.0 >= cut);
        }
        if (i + 1) % step == 0 || i + 1 == rounds.len() {
            points.push((i + 1, ln_e_value(n, k, p0).max(-745.0)));
        }
        state.push(*m);
    }
    EvidencePath {
        condition: scanner.catalogue.conditions[rule].describe(),
        cashout: cfg.cashouts[ci],
        points,
        ln_threshold: scanner.ln_e_threshold(),
    }
}

fn favourable() -> String {
    "favourable".into()
}

fn median(mut v: Vec<u64>) -> u64 {
    if v.is_empty() {
        return 0;
    }
    v.sort_unstable();
    v[v.len() / 2]
}

impl PatternReport {
    /// Scans `rounds` once (keeping the in-sample counts on the way) and reports.
    pub fn build(rounds: &[Multiplier], config: &PatternConfig) -> Self {
        Self::build_with_clock(rounds, None, config)
    }

    /// As [`Self::build`], with the times of the rounds that carry one (the clock rules;
    /// a clock with the next round's time makes the next-round section speak about it).
    pub fn build_with_clock(
        rounds: &[Multiplier],
        clock: Option<std::sync::Arc<super::clock::Clock>>,
        config: &PatternConfig,
    ) -> Self {
        let split = split_at(rounds.len(), config);
        let mut scanner = PatternScanner::new(config.clone());
        scanner.set_clock(clock);
        scanner.extend(&rounds[..split]);
        let first = scanner.counts().clone();
        scanner.extend(&rounds[split..]);
        Self::assemble(&scanner, rounds, first)
    }

    /// Reports on a scanner that has seen exactly `rounds` (rescans the in-sample part).
    pub fn from_scanner(scanner: &PatternScanner, rounds: &[Multiplier]) -> Self {
        let first = first_counts(scanner, rounds, split_at(rounds.len(), &scanner.config));
        Self::assemble(scanner, rounds, first)
    }

    fn assemble(scanner: &PatternScanner, rounds: &[Multiplier], first: Counts) -> Self {
        let cfg = &scanner.config;
        let n_tests = scanner.n_tests();
        let t = Tested::new(scanner, rounds, first);
        let mut listed: Vec<usize> = t.confirmed.iter().map(|x| x.rule * t.c + x.ci).collect();
        let mut listed_below = t.below.confirmed.clone();
        let families = Family::ALL
            .into_iter()
            .map(|fam| t.family(fam, &mut listed, &mut listed_below))
            .collect();
        let rules: Vec<RuleReport> = listed
            .into_iter()
            .map(|idx| t.rule(idx, false))
            .chain(listed_below.into_iter().map(|idx| t.rule(idx, true)))
            .collect();
        let evidence_path = rules
            .iter()
            .filter(|r| r.direction == "favourable")
            .max_by(|a, b| a.ln_e_value.total_cmp(&b.ln_e_value))
            .map(|r| evidence_path(scanner, rounds, r.id / t.c, r.id % t.c));
        PatternReport {
            rounds: rounds.len(),
            house_edge: cfg.house_edge,
            alpha: cfg.alpha,
            cashouts: cfg.cashouts.clone(),
            tests: n_tests,
            e_threshold: n_tests as f64 / cfg.alpha,
            split_at: split_at(rounds.len(), cfg),
            timed_rounds: scanner.clock().map_or(0, |c| c.timed()),
            confirmed: t.confirmed.len(),
            unfavourable: t.below.confirmed.len(),
            any_edge_p: t.holm.iter().copied().fold(1.0, f64::min),
            listed_of: n_tests,
            rules,
            families,
            regimes: (rounds.len() >= 500)
                .then(|| regime_tests(rounds, &cfg.cashouts, cfg.house_edge))
                .flatten(),
            next_round: next_round_edges(
                scanner,
                rounds,
                &t.confirmed,
                crate::bet::Mode::Normal.z(),
            ),
            evidence_path,
            provenance: Some(crate::provenance::Provenance {
                clock: scanner
                    .clock()
                    .map(|c| crate::provenance::ClockProvenance::new(c.times(), c.next_ms())),
                ..crate::provenance::Provenance::new(
                    "patterns",
                    crate::provenance::PATTERNS_VERSION,
                    rounds,
                    cfg,
                )
            }),
        }
    }
}

/// Every test of a scan with its exact p (log space), Holm and BH over all of them, and
/// the counts before and after the split.
struct Tested<'a> {
    scanner: &'a PatternScanner,
    /// Cash-outs per rule.
    c: usize,
    first: Counts,
    second: Counts,
    ln_p: Vec<f64>,
    p: Vec<f64>,
    holm: Vec<f64>,
    q: Vec<f64>,
    confirmed: Vec<Confirmed>,
    next_rules: Vec<usize>,
    below: Below,
}

impl<'a> Tested<'a> {
    fn new(scanner: &'a PatternScanner, rounds: &[Multiplier], first: Counts) -> Self {
        let cfg = &scanner.config;
        let c = cfg.cashouts.len();
        let total = scanner.counts();
        let mut ln_p = vec![0.0f64; scanner.n_tests()];
        for r in 0..scanner.catalogue.len() {
            for ci in 0..c {
                ln_p[r * c + ci] =
                    ln_binomial_sf(total.hits[r * c + ci], total.occurrences[r], cfg.fair(ci));
            }
        }
        let p: Vec<f64> = ln_p.iter().map(|l| l.exp()).collect();
        Self {
            scanner,
            c,
            second: total.minus(&first),
            first,
            q: bh_adjust(&p),
            holm: holm_from_ln(&ln_p),
            ln_p,
            p,
            confirmed: scanner.confirmed(),
            next_rules: scanner.applicable_next(),
            below: Below::new(scanner, rounds),
        }
    }

    /// Test `idx` (rule × cash-out) as the report lists it, in the unfavourable direction
    /// when `below`.
    fn rule(&self, idx: usize, below: bool) -> RuleReport {
        let cfg = &self.scanner.config;
        let total = self.scanner.counts();
        let (r, ci) = (idx / self.c, idx % self.c);
        let cashout = cfg.cashouts[ci];
        let cond = self.scanner.catalogue.conditions[r];
        let all = RateStats::new(total.hits[idx], total.occurrences[r], cashout, Z_95);
        let ln_e = if below {
            self.below
                .ln_e_exact(total.occurrences[r], total.hits[idx], ci)
        } else {
            ln_e_value(total.occurrences[r], total.hits[idx], cfg.breakeven(ci))
        }
        .max(-745.0);
        let (p_value, p_adjusted, q_value) = if below {
            let b = &self.below;
            (b.ln_p[idx].exp(), b.holm[idx], b.q[idx])
        } else {
            (self.p[idx], self.holm[idx], self.q[idx])
        };
        let part = |n: &Counts| RateStats::new(n.hits[idx], n.occurrences[r], cashout, Z_95);
        RuleReport {
            id: idx,
            family: cond.family(),
            condition: cond.describe(),
            rule: cond,
            cashout,
            occurrences: all.occurrences,
            hits: all.hits,
            rate: all.rate,
            rate_low: all.rate_low,
            rate_high: all.rate_high,
            fair: cfg.fair(ci),
            direction: if below { "unfavourable" } else { "favourable" }.into(),
            reference: if below {
                self.below.reference[ci]
            } else {
                cfg.fair(ci)
            },
            breakeven: cfg.breakeven(ci),
            ev: all.ev,
            ev_low: all.ev_low,
            ev_high: all.ev_high,
            p_value,
            p_adjusted,
            q_value,
            e_value: ln_e.min(690.0).exp(),
            ln_e_value: ln_e,
            confirmed: if below {
                self.below.is_confirmed(idx)
            } else {
                self.confirmed.iter().any(|x| x.rule == r && x.ci == ci)
            },
            applies_next: self.next_rules.contains(&r),
            in_sample: part(&self.first),
            out_of_sample: part(&self.second),
        }
    }

    /// The family's summary with its detection limits; adds its most significant tests
    /// to `listed` and its few most significant unfavourable ones to `listed_below`.
    fn family(
        &self,
        fam: Family,
        listed: &mut Vec<usize>,
        listed_below: &mut Vec<usize>,
    ) -> FamilySummary {
        let cfg = &self.scanner.config;
        let cat = &self.scanner.catalogue;
        let total = self.scanner.counts();
        let c = self.c;
        let rules: Vec<usize> = (0..cat.len())
            .filter(|&r| cat.conditions[r].family() == fam)
            .collect();
        let mut tests: Vec<usize> = rules
            .iter()
            .flat_map(|&r| (0..c).map(move |ci| r * c + ci))
            .collect();
        tests.sort_by(|&a, &b| self.ln_p[a].total_cmp(&self.ln_p[b]));
        // A rule that never applied (a clock rule of rounds without times) says nothing.
        let seen = |t: &&usize| total.occurrences[**t / c] > 0;
        for &t in tests.iter().filter(seen).take(cfg.listed_per_family) {
            if !listed.contains(&t) {
                listed.push(t);
            }
        }
        let mut below = tests.clone();
        below.sort_by(|&a, &b| self.below.ln_p[a].total_cmp(&self.below.ln_p[b]));
        for &t in below
            .iter()
            .filter(seen)
            .take(cfg.listed_per_family.min(UNFAVOURABLE_LISTED))
        {
            if !listed_below.contains(&t) {
                listed_below.push(t);
            }
        }
        let typical = median(rules.iter().map(|&r| total.occurrences[r]).collect());
        let n_tests = self.scanner.n_tests();
        FamilySummary {
            family: fam,
            label: fam.label().into(),
            rules: rules.len(),
            tests: tests.len(),
            confirmed: self
                .confirmed
                .iter()
                .filter(|x| cat.conditions[x.rule].family() == fam)
                .count(),
            unfavourable: self
                .below
                .confirmed
                .iter()
                .filter(|&&i| cat.conditions[i / c].family() == fam)
                .count(),
            smallest_p_adjusted: tests.first().map_or(1.0, |&t| self.holm[t]),
            detection: (0..c)
                .map(|ci| {
                    detection_limit(typical, cfg.cashouts[ci], cfg.fair(ci), n_tests, cfg.alpha)
                })
                .collect(),
        }
    }
}

/// First round of the later (out-of-sample) part of `n` rounds.
fn split_at(n: usize, cfg: &PatternConfig) -> usize {
    ((n as f64) * cfg.split) as usize
}

/// Unconfirmed unfavourable tests listed per family (the most significant).
const UNFAVOURABLE_LISTED: usize = 3;
