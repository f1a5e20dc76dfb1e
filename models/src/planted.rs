//! Seeded generators with a PLANTED dependence, to check that the evaluation finds an edge
//! when one exists (and, with strength 0, that they reduce to the fair generator's law).
//!
//! Every round is drawn from the fair law X = ⌊100·(1 − h)/U⌋/100, possibly *tilted*: to
//! make P(X ≥ c) = q instead of (1 − h)/c, the round is drawn from the fair law conditioned
//! on X ≥ c with probability q and conditioned on X < c otherwise (U uniform on (0, p_c] or
//! (p_c, 1] with p_c = (1 − h)/c). The shape of the law above and below c is unchanged.

use crate::generator::{crash_point, uniform_open_closed};
use crate::values::Multiplier;
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;
use serde::{Deserialize, Serialize};

/// Which dependence is planted, and how strong it is.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Planted {
    /// After at least `k` consecutive rounds below `low`, P(X ≥ `target`) is the fair value
    /// plus `shift` (clamped to [0.01, 0.99]).
    AfterLowRun {
        k: usize,
        low: f64,
        target: f64,
        shift: f64,
    },
    /// P(X ≥ `target`) = fair + `amplitude`·sin(2π·i/`period`) at round i.
    Periodic {
        period: usize,
        target: f64,
        amplitude: f64,
    },
    /// Two regimes with house edges `edges[0]` and `edges[1]` (a negative edge pays out more
    /// than it takes); the regime switches with probability `switch_prob` before each round.
    Regimes { edges: [f64; 2], switch_prob: f64 },
}

/// A seeded generator with a planted dependence.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlantedGenerator {
    pub seed: u64,
    pub house_edge: f64,
    pub planted: Planted,
}

/// One round with P(X ≥ c) = q (see the module documentation).
pub fn tilted_draw(rng: &mut ChaCha8Rng, house_edge: f64, c: f64, q: f64) -> Multiplier {
    let pc = ((1.0 - house_edge) / c).clamp(0.0, 1.0);
    let u = uniform_open_closed(rng);
    let v = uniform_open_closed(rng);
    let big = v <= q;
    let uu = if big { pc * u } else { pc + (1.0 - pc) * u };
    crash_point(uu.max(f64::MIN_POSITIVE), house_edge)
}

/// `n` rounds in which P(X ≥ `target`) = `q_on` whenever `condition(history so far)` holds,
/// and the fair law otherwise: the one constructor of every "edge that lives on a few
/// percent of the rounds" fixture (the condition sees only earlier rounds).
pub fn generate_conditional(
    seed: u64,
    house_edge: f64,
    n: usize,
    target: f64,
    q_on: f64,
    condition: impl Fn(&[Multiplier]) -> bool,
) -> Vec<Multiplier> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let fair = (1.0 - house_edge) / target;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let q = if condition(&out) { q_on } else { fair };
        out.push(tilted_draw(&mut rng, house_edge, target, q.clamp(0.0, 1.0)));
    }
    out
}

impl PlantedGenerator {
    /// The tests' standard edge: after two rounds below 1.5x, P(X ≥ 2x) is 0.2 above the
    /// fair 0.485 (house edge 3%) — strong enough for every model to find in 6,000 rounds.
    pub fn after_two_lows(seed: u64) -> Self {
        PlantedGenerator {
            seed,
            house_edge: 0.03,
            planted: Planted::AfterLowRun {
                k: 2,
                low: 1.5,
                target: 2.0,
                shift: 0.2,
            },
        }
    }

    /// `n` rounds; the same settings always give the same rounds.
    pub fn generate(&self, n: usize) -> Vec<Multiplier> {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let h = self.house_edge;
        let mut out = Vec::with_capacity(n);
        match self.planted {
            Planted::AfterLowRun {
                k,
                low,
                target,
                shift,
            } => {
                let low_h = crate::forecast::threshold_hundredths(low);
                let fair = (1.0 - h) / target;
                let mut run = 0usize;
                for _ in 0..n {
                    let q = if run >= k {
                        (fair + shift).clamp(0.01, 0.99)
                    } else {
                        fair
                    };
                    let x = tilted_draw(&mut rng, h, target, q);
                    run = if x.0 < low_h { run + 1 } else { 0 };
                    out.push(x);
                }
            }
            Planted::Periodic {
                period,
                target,
                amplitude,
            } => {
                let fair = (1.0 - h) / target;
                let period = period.max(1) as f64;
                for i in 0..n {
                    let q = fair + amplitude * (std::f64::consts::TAU * i as f64 / period).sin();
                    out.push(tilted_draw(&mut rng, h, target, q.clamp(0.01, 0.99)));
                }
            }
            Planted::Regimes { edges, switch_prob } => {
                let mut state = 0usize;
                for _ in 0..n {
                    if uniform_open_closed(&mut rng) <= switch_prob {
                        state = 1 - state;
                    }
                    out.push(crash_point(uniform_open_closed(&mut rng), edges[state]));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share_after_low(x: &[Multiplier], k: usize) -> (f64, f64) {
        let (mut a, mut an, mut b, mut bn) = (0.0, 0.0, 0.0, 0.0);
        let mut run = 0;
        for m in x {
            let hit = if m.0 >= 200 { 1.0 } else { 0.0 };
            if run >= k {
                a += hit;
                an += 1.0;
            } else {
                b += hit;
                bn += 1.0;
            }
            run = if m.0 < 150 { run + 1 } else { 0 };
        }
        (a / an, b / bn)
    }

    #[test]
    fn after_low_run_shifts_the_conditional_chance() {
        let g = PlantedGenerator::after_two_lows(1);
        let x = g.generate(40_000);
        let (after, other) = share_after_low(&x, 2);
        assert!((after - 0.685).abs() < 0.03, "{after}");
        assert!((other - 0.485).abs() < 0.02, "{other}");
        // Strength 0: the fair law.
        let z = PlantedGenerator {
            planted: Planted::AfterLowRun {
                k: 2,
                low: 1.5,
                target: 2.0,
                shift: 0.0,
            },
            ..g
        }
        .generate(40_000);
        let (after, other) = share_after_low(&z, 2);
        assert!((after - 0.485).abs() < 0.03 && (other - 0.485).abs() < 0.02);
        let s15 = z.iter().filter(|m| m.0 >= 150).count() as f64 / 40_000.0;
        assert!((s15 - 0.97 / 1.5).abs() < 0.012, "{s15}");
    }

    #[test]
    fn periodic_and_regimes_are_reproducible() {
        let p = PlantedGenerator {
            seed: 3,
            house_edge: 0.03,
            planted: Planted::Periodic {
                period: 10,
                target: 2.0,
                amplitude: 0.3,
            },
        };
        assert_eq!(p.generate(500), p.generate(500));
        let r = PlantedGenerator {
            seed: 3,
            house_edge: 0.03,
            planted: Planted::Regimes {
                edges: [0.2, -0.2],
                switch_prob: 0.01,
            },
        };
        let x = r.generate(20_000);
        let share = x.iter().filter(|m| m.0 >= 200).count() as f64 / 20_000.0;
        // Average RTP ≈ 1.0 → share ≈ 0.5 (wide band: regimes are persistent).
        assert!((share - 0.5).abs() < 0.06, "{share}");
    }
}
