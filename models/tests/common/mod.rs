//! Planted histories shared by the pattern-scan acceptance tests and the power study: an
//! edge planted on a condition of the earlier rounds, sized by its direct z.

#![allow(dead_code)] // each test binary uses its own part

use models::generator::FairGenerator;
use models::planted::generate_conditional;
use models::values::Multiplier;

pub const N: usize = 7000;
pub const H: f64 = 0.03;

pub type Cond = Box<dyn Fn(&[Multiplier]) -> bool + Sync>;

/// A planted edge: the rule family the scan should find it in, the target cash-out, and
/// the condition on the rounds before.
pub struct Plant {
    pub family: models::patterns::Family,
    pub target: f64,
    pub condition: Cond,
}

/// The last `k` rounds were all below `t` (hundredths).
pub fn below(h: &[Multiplier], k: usize, t: u32) -> bool {
    h.len() >= k && h[h.len() - k..].iter().all(|m| m.0 < t)
}

/// How many of the last `k` rounds were below `t`.
pub fn count_below(h: &[Multiplier], k: usize, t: u32) -> Option<usize> {
    (h.len() >= k).then(|| h[h.len() - k..].iter().filter(|m| m.0 < t).count())
}

/// Generates the planted history with a shift sized so that the direct conditional z of
/// the generated history is at least `z` (the tilt changes how often some conditions
/// occur, so the shift is raised until the realised z gets there).
pub fn planted_history(p: &Plant, seed: u64, z: f64) -> (Vec<Multiplier>, f64) {
    let pilot = FairGenerator {
        seed: seed + 10_000,
        house_edge: H,
    }
    .generate(N);
    let freq = (1..N).filter(|&i| (p.condition)(&pilot[..i])).count() as f64 / N as f64;
    let fair = (1.0 - H) / p.target;
    let mut aim = z;
    loop {
        let q = (fair + aim * (fair * (1.0 - fair) / (freq * N as f64)).sqrt()).min(0.995);
        let rounds = generate_conditional(seed, H, N, p.target, q, &p.condition);
        let realised = direct_z(&rounds, p);
        if realised >= z || q >= 0.995 || aim > 3.0 * z {
            return (rounds, realised);
        }
        aim *= 1.0 + 0.5 * (z - realised).max(0.2) / z;
    }
}

/// Occurrences of the condition and hits at the target in `rounds`.
pub fn direct_counts(rounds: &[Multiplier], p: &Plant) -> (u64, u64) {
    let cut = (p.target * 100.0).round() as u32;
    let (mut n, mut k) = (0, 0);
    for i in 0..rounds.len() {
        if (p.condition)(&rounds[..i]) {
            n += 1;
            k += u64::from(rounds[i].0 >= cut);
        }
    }
    (n, k)
}

/// The z of the condition's rate at the target against the fair rate.
pub fn direct_z(rounds: &[Multiplier], p: &Plant) -> f64 {
    let (n, k) = direct_counts(rounds, p);
    let (n, k) = (n as f64, k as f64);
    let fair = (1.0 - H) / p.target;
    (k / n - fair) / (fair * (1.0 - fair) / n).sqrt()
}
