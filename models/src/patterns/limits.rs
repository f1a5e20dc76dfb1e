//! Detection limits: the smallest edge a rule of each family could have been confirmed for
//! with 80% power at this history length, so that "nothing found" has a meaning.
//!
//! For a rule seen `n` times the confirmation needs at least k*(n) hits (the smallest k
//! whose e-value against break-even reaches N/α and whose binomial p against the fair rate
//! is ≤ α/N — Holm's first step, which is what a lone true edge must pass). Its power at a
//! true rate q is then exactly P(Binomial(n, q) ≥ k*), so the limit is found by bisection
//! on q — an exact computation of what a simulation would estimate (a test checks it
//! against one).

use super::evidence::{binomial_sf, ln_binomial_sf, ln_e_value};
use serde::{Deserialize, Serialize};

/// The smallest detectable rate of one family at one cash-out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DetectionLimit {
    pub cashout: f64,
    /// Occurrences of the family's typical (median) rule in this history.
    pub occurrences: u64,
    /// Hits needed for confirmation at that many occurrences (`None`: impossible).
    pub hits_needed: Option<u64>,
    /// The true P(X ≥ c) in that situation that is confirmed with 80% power.
    pub rate: Option<f64>,
    pub fair: f64,
    /// rate − fair.
    pub shift: Option<f64>,
    /// rate·c − 1.
    pub ev: Option<f64>,
    /// (rate − fair)/√(fair(1 − fair)/n): the direct conditional z-score of such an edge.
    pub z: Option<f64>,
}

/// Smallest k out of n that confirms (see the module documentation).
pub fn hits_needed(n: u64, fair: f64, breakeven: f64, n_tests: usize, alpha: f64) -> Option<u64> {
    if n == 0 {
        return None;
    }
    let ln_thr = (n_tests as f64 / alpha).ln();
    let ln_p_max = (alpha / n_tests as f64).ln();
    let ok =
        |k: u64| ln_e_value(n, k, breakeven) >= ln_thr && ln_binomial_sf(k, n, fair) <= ln_p_max;
    if !ok(n) {
        return None;
    }
    // Both conditions are monotone in k: bisection.
    let (mut lo, mut hi) = (0u64, n);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if ok(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Some(if ok(lo) { lo } else { hi })
}

/// The limit for `n` occurrences at cash-out `cashout` (power 0.8).
pub fn detection_limit(
    n: u64,
    cashout: f64,
    fair: f64,
    n_tests: usize,
    alpha: f64,
) -> DetectionLimit {
    let k = hits_needed(n, fair, 1.0 / cashout, n_tests, alpha);
    let rate = k.map(|k| {
        let (mut lo, mut hi) = (fair, 1.0);
        for _ in 0..60 {
            let mid = 0.5 * (lo + hi);
            if binomial_sf(k, n, mid) >= 0.8 {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        hi
    });
    DetectionLimit {
        cashout,
        occurrences: n,
        hits_needed: k,
        rate,
        fair,
        shift: rate.map(|r| r - fair),
        ev: rate.map(|r| r * cashout - 1.0),
        z: rate.map(|r| (r - fair) / (fair * (1.0 - fair) / n as f64).sqrt()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha8Rng;
    use rand_core::{RngCore, SeedableRng};

    #[test]
    fn power_at_the_limit_is_eighty_percent_by_simulation() {
        let (n, c, n_tests, alpha) = (400u64, 2.0, 13_000, 0.05);
        let fair = 0.97 / c;
        let lim = detection_limit(n, c, fair, n_tests, alpha);
        let (k, q) = (lim.hits_needed.unwrap(), lim.rate.unwrap());
        assert!(q > fair + 0.05 && q < 0.9, "{q}");
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let sims = 2000;
        let mut ok = 0;
        for _ in 0..sims {
            let hits = (0..n)
                .filter(|_| (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= q)
                .count() as u64;
            let confirmed = ln_e_value(n, hits, 1.0 / c) >= (n_tests as f64 / alpha).ln()
                && ln_binomial_sf(hits, n, fair) <= (alpha / n_tests as f64).ln();
            ok += usize::from(confirmed);
            assert_eq!(confirmed, hits >= k);
        }
        let power = ok as f64 / sims as f64;
        assert!((power - 0.8).abs() < 0.035, "simulated power {power}");
    }

    #[test]
    fn more_occurrences_detect_smaller_edges() {
        let a = detection_limit(200, 2.0, 0.485, 13_000, 0.05)
            .shift
            .unwrap();
        let b = detection_limit(2000, 2.0, 0.485, 13_000, 0.05)
            .shift
            .unwrap();
        assert!(b < a && b > 0.0, "{a} {b}");
        assert!(detection_limit(0, 2.0, 0.485, 13_000, 0.05).rate.is_none());
    }
}
