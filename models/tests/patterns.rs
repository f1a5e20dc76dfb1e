//! Acceptance of the pattern scan (issue 10), on generators and seeds of our own:
//! planted edges of every family are confirmed, fair histories almost never are (also when
//! watched after every round), and PLAY follows the planted condition exactly.

use models::decision::PatternTracker;
use models::decision::{Mode, Recommendation};
use models::generator::FairGenerator;
use models::patterns::{Family, PatternConfig, PatternReport, PatternScanner};
use models::planted::generate_conditional;
use models::values::Multiplier;

mod common;

use common::{below, count_below, planted_history, Plant, H, N};

fn plant(family: Family, seed: u64) -> Plant {
    let pick = |xs: &[f64]| xs[seed as usize % xs.len()];
    match family {
        Family::Runs => {
            let k = 1 + seed as usize % 3;
            let t = [130u32, 150, 200][(seed / 3) as usize % 3];
            Plant {
                family,
                target: pick(&[2.0, 1.5, 3.0, 2.0, 5.0]),
                condition: Box::new(move |h| below(h, k, t)),
            }
        }
        Family::BigOne => {
            let big = [500u32, 1000, 2000][seed as usize % 3];
            let k = [3usize, 5, 10][(seed / 3) as usize % 3];
            Plant {
                family,
                target: pick(&[1.5, 2.0, 3.0, 2.0]),
                condition: Box::new(move |h| h.iter().rev().take(k).any(|m| m.0 >= big)),
            }
        }
        Family::Position => {
            let p = 3 + seed as usize % 20;
            let r = seed as usize % p;
            Plant {
                family,
                target: pick(&[1.5, 2.0, 3.0, 1.2]),
                condition: Box::new(move |h| h.len() % p == r),
            }
        }
        Family::Transition => {
            let (lo, hi) =
                [(150u32, 200u32), (200, 300), (300, 500), (500, 1000)][seed as usize % 4];
            Plant {
                family,
                target: pick(&[2.0, 1.5, 3.0]),
                condition: Box::new(move |h| h.last().is_some_and(|m| m.0 >= lo && m.0 < hi)),
            }
        }
        Family::Level => {
            let k = [10usize, 20][seed as usize % 2];
            Plant {
                family,
                target: pick(&[2.0, 1.5, 3.0]),
                // A cold spell: the median of the last k rounds below 1.5x.
                condition: Box::new(move |h| {
                    if h.len() < k {
                        return false;
                    }
                    let mut w: Vec<u32> = h[h.len() - k..].iter().map(|m| m.0).collect();
                    w.sort_unstable();
                    w[k / 2] < 150
                }),
            }
        }
        Family::Clock => panic!("clock edges are planted on timed rounds: tests/clock.rs"),
    }
}

fn config() -> PatternConfig {
    PatternConfig {
        house_edge: H,
        listed_per_family: 5,
        ..PatternConfig::default()
    }
}

/// `decisions_needed`: of 40 seeds, how many must give PLAY in the planted situation and
/// WAIT outside it. Below 40 where the scan's rules can only approximate the planted
/// condition (a level band at fair-law quantiles vs "median below 1.5x"): there the
/// situation PLAY rests on is not exactly the planted one (measured, see EVALUATION.md).
fn run_family(family: Family, decisions_needed: usize) {
    run_plants(
        &format!("{family:?}"),
        &|seed| plant(family, seed),
        40,
        38,
        decisions_needed,
    );
}

/// Plants `seeds` histories from `plant` and counts how often the scan confirms the edge
/// in its family at its cash-out, and how often PLAY/WAIT follow the planted condition.
fn run_plants(
    name: &str,
    plant: &dyn Fn(u64) -> Plant,
    seeds: u64,
    confirmed_needed: usize,
    decisions_needed: usize,
) {
    let mut confirmed = 0;
    let mut decisions_ok = 0;
    let mut zs = Vec::new();
    for seed in 0..seeds {
        let p = plant(seed);
        let (rounds, z) = planted_history(&p, seed, 8.0);
        zs.push(z);
        let report = PatternReport::build(&rounds, &config());
        let hit = report
            .rules
            .iter()
            .any(|r| r.confirmed && (r.cashout - p.target).abs() < 1e-9 && r.family == p.family);
        if !hit && std::env::var("PATTERNS_DEBUG").is_ok() {
            eprintln!("seed {seed} target {} z {z:.1}: missed", p.target);
            for r in report.rules.iter().filter(|r| r.family == p.family).take(3) {
                eprintln!(
                    "   {} @{} n {} rate {:.3} p_adj {:.2e} ln_e {:.1}",
                    r.condition, r.cashout, r.occurrences, r.rate, r.p_adjusted, r.ln_e_value
                );
            }
        }
        confirmed += usize::from(hit);
        // PLAY exactly when the planted condition holds for the next round: check the
        // last prefix of each kind within the final 400 rounds.
        let ends: Vec<usize> = (N - 400..=N).collect();
        let on = ends.iter().rev().find(|&&e| (p.condition)(&rounds[..e]));
        let off = ends.iter().rev().find(|&&e| !(p.condition)(&rounds[..e]));
        let mut tracker = PatternTracker::new(config());
        let mut ok = true;
        let debug = std::env::var("PATTERNS_DEBUG").is_ok();
        if let Some(&e) = on {
            let d = tracker.decide(&rounds[..e], p.target, Mode::Normal);
            if debug && d.recommendation != Recommendation::Play {
                eprintln!("seed {seed}: condition holds, WAIT: {}", d.reason);
            }
            ok &= d.recommendation == Recommendation::Play;
        }
        if let Some(&e) = off {
            let d = tracker.decide(&rounds[..e], p.target, Mode::Normal);
            if debug && d.recommendation != Recommendation::Wait {
                eprintln!("seed {seed}: condition off, PLAY: {}", d.reason);
            }
            ok &= d.recommendation == Recommendation::Wait;
        }
        decisions_ok += usize::from(ok && hit);
    }
    zs.sort_by(f64::total_cmp);
    eprintln!(
        "{name}: confirmed in {confirmed}/{seeds}, PLAY/WAIT right in {decisions_ok}/{seeds}; direct z min {:.1} median {:.1}",
        zs[0],
        zs[zs.len() / 2]
    );
    if std::env::var("PATTERNS_DEBUG").is_ok() {
        return;
    }
    assert!(
        confirmed >= confirmed_needed,
        "{name}: confirmed in {confirmed} of {seeds}"
    );
    assert!(
        decisions_ok >= decisions_needed,
        "{name}: decisions right in {decisions_ok} of {seeds}"
    );
}

#[test]
fn planted_runs_are_confirmed() {
    run_family(Family::Runs, 38);
}

#[test]
fn planted_big_ones_are_confirmed() {
    run_family(Family::BigOne, 35);
}

#[test]
fn planted_positions_are_confirmed() {
    run_family(Family::Position, 38);
}

#[test]
fn planted_transitions_are_confirmed() {
    run_family(Family::Transition, 38);
}

#[test]
fn planted_levels_are_confirmed() {
    run_family(Family::Level, 37);
}

/// Edges planted in ways the family generators above do not use, some of them not in the
/// catalogue as such (a 30-round drought, a mean below a plain threshold), 5 seeds each.
fn variant(v: usize, seed: u64) -> Plant {
    match v {
        // After 2 rounds at or above 2x.
        0 => Plant {
            family: Family::Runs,
            target: 1.5,
            condition: Box::new(|h| h.len() >= 2 && h[h.len() - 2..].iter().all(|m| m.0 >= 200)),
        },
        // A drought: no round ≥ 10x in the last 30 (windows 20 and 50 are scanned).
        1 => Plant {
            family: Family::BigOne,
            target: 2.0,
            condition: Box::new(|h| h.len() >= 30 && h[h.len() - 30..].iter().all(|m| m.0 < 1000)),
        },
        // Every 37th round.
        2 => {
            let r = seed as usize % 37;
            Plant {
                family: Family::Position,
                target: 2.0,
                condition: Box::new(move |h| h.len() % 37 == r),
            }
        }
        // After a round ≥ 10x then a round below 1.5x.
        3 => Plant {
            family: Family::Transition,
            target: 2.0,
            condition: Box::new(|h| {
                h.len() >= 2 && h[h.len() - 2].0 >= 1000 && h[h.len() - 1].0 < 150
            }),
        },
        // A hot spell: at most 2 of the last 10 below 1.5x.
        4 => Plant {
            family: Family::Level,
            target: 2.0,
            condition: Box::new(|h| count_below(h, 10, 150).is_some_and(|b| b <= 2)),
        },
        // At least 4 of the last 8 rounds below 1.3x (windows 5, 10 and 20 are scanned).
        5 => Plant {
            family: Family::Level,
            target: 2.0,
            condition: Box::new(|h| count_below(h, 8, 130).is_some_and(|b| b >= 4)),
        },
        // 3 rounds in a row below 1.5x, then a 10x is due.
        6 => Plant {
            family: Family::Runs,
            target: 10.0,
            condition: Box::new(|h| below(h, 3, 150)),
        },
        // At least 7 of the last 20 rounds at or above 3x.
        _ => Plant {
            family: Family::Level,
            target: 3.0,
            condition: Box::new(|h| count_below(h, 20, 300).is_some_and(|b| b <= 13)),
        },
    }
}

#[test]
fn edges_planted_in_other_ways_are_found_too() {
    for v in 0..8 {
        run_plants(
            &format!("variant {v}"),
            &|seed| variant(v, 100 + seed),
            5,
            5,
            4,
        );
    }
}

#[test]
fn fair_histories_confirm_nothing_even_when_watched_after_every_round() {
    let seeds: Vec<u64> = (0..200).collect();
    let results: Vec<(bool, bool, bool)> = std::thread::scope(|s| {
        let handles: Vec<_> = seeds
            .chunks(100)
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|&seed| {
                            let rounds = FairGenerator {
                                seed: 1_000 + seed,
                                house_edge: H,
                            }
                            .generate(N);
                            let mut scanner = PatternScanner::new(config());
                            let mut ever = false;
                            for m in &rounds {
                                ever |= scanner.push_and_check(*m);
                            }
                            let at_end = !scanner.confirmed().is_empty();
                            let mut tracker = PatternTracker::new(config());
                            let play = [1.5, 2.0, 3.0].iter().any(|&c| {
                                tracker.decide(&rounds, c, Mode::Normal).recommendation
                                    == Recommendation::Play
                            });
                            (ever, at_end, play)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let ever = results.iter().filter(|r| r.0).count();
    let at_end = results.iter().filter(|r| r.1).count();
    let play = results.iter().filter(|r| r.2).count();
    eprintln!("fair: e-value crossed at any time in {ever}/200, confirmed at the end in {at_end}/200, PLAY in {play}/200");
    assert!(
        ever <= 10,
        "{ever} of 200 fair histories crossed at some round"
    );
    assert!(at_end <= ever);
    assert_eq!(play, 0, "PLAY on a fair history");
}

#[test]
fn the_rule_state_never_reads_the_round_it_describes() {
    // Causality: which rules apply to round i depends only on rounds before i.
    use proptest::prelude::*;
    use proptest::test_runner::TestRunner;
    let cat = models::patterns::rules::Catalogue::new(H);
    let mut runner = TestRunner::new(proptest::test_runner::Config::with_cases(64));
    runner
        .run(
            &(
                proptest::collection::vec(100u32..5000, 1..300),
                100u32..100_000,
            ),
            |(v, replacement)| {
                let h: Vec<Multiplier> = v.iter().map(|&x| Multiplier(x)).collect();
                let i = h.len() - 1;
                let mut changed = h.clone();
                changed[i] = Multiplier(replacement);
                let mut a = models::patterns::rules::RoundState::default();
                let mut b = a.clone();
                for m in &h[..i] {
                    a.push(*m);
                }
                for m in &changed[..i] {
                    b.push(*m);
                }
                let (mut ra, mut rb) = (Vec::new(), Vec::new());
                cat.applicable(&a, &mut ra);
                cat.applicable(&b, &mut rb);
                prop_assert_eq!(ra, rb);
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn rules_mean_what_they_say() {
    let cat = models::patterns::rules::Catalogue::new(H);
    let id = |c: models::patterns::Condition| cat.conditions.iter().position(|x| *x == c).unwrap();
    let h: Vec<Multiplier> = [250, 120, 125].iter().map(|&x| Multiplier(x)).collect();
    use models::patterns::Condition::*;
    assert!(cat.applies_after(id(RunBelow { t: 130, k: 2 }), &h));
    assert!(!cat.applies_after(id(RunBelow { t: 130, k: 3 }), &h));
    assert!(!cat.applies_after(id(RunBelow { t: 120, k: 1 }), &h));
    assert!(cat.applies_after(id(BigAmongLast { big: 200, k: 3 }), &h));
    assert!(!cat.applies_after(id(BigAmongLast { big: 200, k: 2 }), &h));
    assert!(cat.applies_after(id(NoBigInLast { big: 200, k: 2 }), &h));
    // Round index 3 (the 4th round): 3 mod 3 = 0, 3 mod 4 = 3.
    assert!(cat.applies_after(
        id(Position {
            period: 3,
            residue: 0
        }),
        &h
    ));
    assert!(cat.applies_after(
        id(Position {
            period: 4,
            residue: 3
        }),
        &h
    ));
    assert!(cat.applies_after(id(After { cat: 0 }), &h));
    assert!(cat.applies_after(
        id(AfterPair {
            first: 0,
            second: 0
        }),
        &h
    ));
    assert_eq!(
        RunBelow { t: 130, k: 2 }.describe(),
        "after 2 rounds in a row below 1.30x"
    );
    // Count rules: 6 of the last 10 below 1.50x is a median of the last 10 below 1.50x.
    let mut h10: Vec<Multiplier> = [140, 300, 120, 149, 150, 101, 900, 130, 200, 110]
        .iter()
        .map(|&x| Multiplier(x))
        .collect();
    let six = id(AtLeastBelow {
        t: 150,
        k: 10,
        m: 6,
    });
    let five_at_most = id(AtMostBelow {
        t: 150,
        k: 10,
        m: 5,
    });
    assert!(cat.applies_after(six, &h10), "6 of 10 below 1.50x");
    assert!(!cat.applies_after(five_at_most, &h10));
    assert!(!cat.applies_after(six, &h10[1..]), "only 9 rounds");
    h10.push(Multiplier(150)); // the oldest (1.40x) leaves the window: 5 below
    assert!(!cat.applies_after(six, &h10));
    assert!(cat.applies_after(five_at_most, &h10));
    assert_eq!(
        AtLeastBelow {
            t: 150,
            k: 10,
            m: 6
        }
        .describe(),
        "at least 6 of the last 10 rounds below 1.50x"
    );
}

#[test]
fn the_issue_example_is_found_and_played_only_in_its_situation() {
    // After two rounds in a row below 1.30x the next reaches 2x 79% of the time.
    let cond = |h: &[Multiplier]| below(h, 2, 130);
    let rounds = generate_conditional(77, H, N, 2.0, 0.79, cond);
    let report = PatternReport::build(&rounds, &config());
    let rule = report
        .rules
        .iter()
        .find(|r| r.condition == "after 2 rounds in a row below 1.30x" && r.cashout == 2.0)
        .expect("listed");
    assert!(rule.confirmed, "{rule:?}");
    assert!(rule.in_sample.rate > 0.7 && rule.out_of_sample.rate > 0.7);
    // The evidence path ends at the listed rule with the most evidence, crosses the
    // threshold on the way, and is sampled at most 500 times plus the end.
    let path = report.evidence_path.as_ref().expect("a path");
    let best = report
        .rules
        .iter()
        .max_by(|a, b| a.ln_e_value.total_cmp(&b.ln_e_value))
        .unwrap();
    assert_eq!(path.condition, best.condition);
    let last = path.points.last().unwrap();
    assert_eq!(last.0, N);
    assert!(
        (last.1 - best.ln_e_value).abs() < 1e-9,
        "{last:?} vs {}",
        best.ln_e_value
    );
    assert!(path.points.len() <= 501);
    assert!(path.points.windows(2).all(|w| w[0].0 < w[1].0));
    let crossing = path
        .points
        .iter()
        .find(|p| p.1 >= path.ln_threshold)
        .expect("crosses");
    assert!(
        crossing.0 < N,
        "confirmed before the end: round {}",
        crossing.0
    );
    // Exactly one round below 1.30x before the next: WAIT (that situation is fair).
    let mut tracker = PatternTracker::new(config());
    let e = (N - 500..N)
        .rev()
        .find(|&e| below(&rounds[..e], 1, 130) && !below(&rounds[..e], 2, 130))
        .unwrap();
    let d = tracker.decide(&rounds[..e], 2.0, Mode::Rolling);
    assert_eq!(d.recommendation, Recommendation::Wait, "{}", d.reason);
    let e = (N - 500..N)
        .rev()
        .find(|&e| below(&rounds[..e], 2, 130))
        .unwrap();
    let d = tracker.decide(&rounds[..e], 2.0, Mode::Rolling);
    assert_eq!(d.recommendation, Recommendation::Play, "{}", d.reason);
    // The JSON names every field the CLI promises.
    let json = serde_json::to_value(&report).unwrap();
    for field in [
        "condition",
        "cashout",
        "occurrences",
        "rate",
        "fair",
        "ev",
        "ev_low",
        "p_adjusted",
        "confirmed",
    ] {
        assert!(json["rules"][0].get(field).is_some(), "{field}");
    }
}

#[test]
fn the_state_from_a_tail_equals_the_full_replay() {
    use models::patterns::rules::{Catalogue, RoundState};
    let cat = Catalogue::new(H);
    let rounds = FairGenerator {
        seed: 5,
        house_edge: H,
    }
    .generate(3000);
    let mut full = RoundState::default();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (i, m) in rounds.iter().enumerate() {
        if i % 97 == 0 {
            cat.applicable(&full, &mut a);
            cat.applicable(&RoundState::from_tail(&rounds[..i]), &mut b);
            assert_eq!(a, b, "after {i} rounds");
        }
        full.push(*m);
    }
}
