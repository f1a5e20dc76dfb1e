//! The evidence behind a rule: exact binomial tails, the anytime-valid e-value of
//! "P(X ≥ c) > p₀" and Benjamini–Hochberg adjustment. All in log space where tails are tiny.
//!
//! **The e-value.** For a rule seen `n` times with `k` hits, the e-value against
//! H₀: p ≤ p₀ is Robbins' mixture likelihood ratio with a uniform prior on (p₀, 1]:
//!
//! ```text
//!   E(n, k) = ∫_{p₀}^1 p^k (1−p)^(n−k) dp / ((1 − p₀) · p₀^k (1 − p₀)^(n−k))
//!           = B(k+1, n−k+1) · P(Beta(k+1, n−k+1) > p₀) / ((1 − p₀) p₀^k (1 − p₀)^(n−k)).
//! ```
//!
//! Under any p ≤ p₀ each mixed ratio L(p)/L(p₀) with p > p₀ is a non-negative
//! supermartingale, so their mixture is one too (E(0, 0) = 1) and Ville's inequality gives
//! P(sup_t E_t ≥ 1/α) ≤ α: the evidence can be looked at after every round. It is also the
//! product of one-step predictive bets (each occurrence is forecast from the earlier ones
//! only), i.e. a walk-forward test by construction. The rule's applicability depends on
//! earlier rounds only, so rounds where it does not apply leave the process unchanged.

use statrs::function::gamma::ln_gamma;

/// ln I_x(a, b), the regularised incomplete beta function, accurate in both tails
/// (continued fraction as in Numerical Recipes §6.4, in log space).
pub fn ln_beta_reg(a: f64, b: f64, x: f64) -> f64 {
    if !(a > 0.0 && b > 0.0) || x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if x >= 1.0 {
        return 0.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (-x).ln_1p();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front + continued_fraction(a, b, x).ln() - a.ln()
    } else {
        // I_x(a, b) = 1 − I_{1−x}(b, a)
        let upper = (ln_front + continued_fraction(b, a, 1.0 - x).ln() - b.ln()).exp();
        (-upper.min(1.0)).ln_1p()
    }
}

fn continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const EPS: f64 = 1e-15;
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    // Enough terms for a, b up to ~10⁸ (convergence takes O(√max(a, b)) steps).
    for m in 1..20_000 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        for aa in [
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ] {
            d = 1.0 + aa * d;
            if d.abs() < TINY {
                d = TINY;
            }
            c = 1.0 + aa / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            h *= d * c;
        }
        if (d * c - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

/// ln P(K ≥ k) for K ~ Binomial(n, p): the exact one-sided p-value of k hits in n.
pub fn ln_binomial_sf(k: u64, n: u64, p: f64) -> f64 {
    if k == 0 {
        return 0.0;
    }
    if k > n {
        return f64::NEG_INFINITY;
    }
    // P(K ≥ k) = I_p(k, n − k + 1)
    ln_beta_reg(k as f64, (n - k + 1) as f64, p)
}

/// P(K ≥ k) for K ~ Binomial(n, p).
pub fn binomial_sf(k: u64, n: u64, p: f64) -> f64 {
    ln_binomial_sf(k, n, p).exp()
}

/// ln of the mixture e-value of `k` hits in `n` against H₀: p ≤ `p0` (see the module doc).
pub fn ln_e_value(n: u64, k: u64, p0: f64) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let (nf, kf) = (n as f64, k.min(n) as f64);
    let p0 = p0.clamp(1e-12, 1.0 - 1e-12);
    let ln_b = ln_gamma(kf + 1.0) + ln_gamma(nf - kf + 1.0) - ln_gamma(nf + 2.0);
    // P(Beta(k+1, n−k+1) > p₀) = I_{1−p₀}(n−k+1, k+1)
    let ln_tail = ln_beta_reg(nf - kf + 1.0, kf + 1.0, 1.0 - p0);
    ln_b + ln_tail - (-p0).ln_1p() - kf * p0.ln() - (nf - kf) * (-p0).ln_1p()
}

/// A cheap upper bound of [`ln_e_value`]: the likelihood ratio at the best p ≥ p₀,
/// n·KL(k/n ‖ p₀) (0 when k/n ≤ p₀). A mixture never exceeds its best component.
pub fn ln_e_upper_bound(n: u64, k: u64, p0: f64) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let q = k as f64 / n as f64;
    if q <= p0 {
        return 0.0;
    }
    let nf = n as f64;
    let term = |a: f64, b: f64| if a <= 0.0 { 0.0 } else { a * (a / b).ln() };
    nf * (term(q, p0) + term(1.0 - q, 1.0 - p0))
}

/// Holm-adjusted p-values from ln p (exact in the deep tail), in the input order.
pub fn holm_from_ln(ln_p: &[f64]) -> Vec<f64> {
    let m = ln_p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| ln_p[a].total_cmp(&ln_p[b]));
    let mut out = vec![1.0; m];
    let mut running = f64::NEG_INFINITY;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max((((m - rank) as f64).ln() + ln_p[i]).min(0.0));
        out[i] = running.exp();
    }
    out
}

/// Benjamini–Hochberg adjusted p-values (q-values), in the input order.
pub fn bh_adjust(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
    let mut out = vec![1.0; m];
    let mut running = 1.0f64;
    for (i, &idx) in order.iter().enumerate() {
        let rank = m - i; // 1-based rank of p[idx] in ascending order
        let v = (p[idx] * m as f64 / rank as f64).min(1.0);
        running = running.min(v);
        out[idx] = running;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn binom_sf_naive(k: u64, n: u64, p: f64) -> f64 {
        let mut total = 0.0;
        for j in k..=n {
            let ln_c = ln_gamma(n as f64 + 1.0)
                - ln_gamma(j as f64 + 1.0)
                - ln_gamma((n - j) as f64 + 1.0);
            total += (ln_c + j as f64 * p.ln() + (n - j) as f64 * (1.0 - p).ln()).exp();
        }
        total
    }

    /// Midpoint-rule integral of the mixture definition.
    fn e_value_numeric(n: u64, k: u64, p0: f64) -> f64 {
        let steps = 200_000;
        let h = (1.0 - p0) / steps as f64;
        let ln_l0 = k as f64 * p0.ln() + (n - k) as f64 * (1.0 - p0).ln();
        let mut s = 0.0;
        for i in 0..steps {
            let p = p0 + (i as f64 + 0.5) * h;
            s += (k as f64 * p.ln() + (n - k) as f64 * (1.0 - p).ln() - ln_l0).exp();
        }
        s * h / (1.0 - p0)
    }

    #[test]
    fn binomial_tail_matches_known_values() {
        // 10 fair coin flips, P(K ≥ 8) = 56/1024.
        assert!((binomial_sf(8, 10, 0.5) - 56.0 / 1024.0).abs() < 1e-12);
        // P(K ≥ 1) = 1 − (1 − p)^n
        assert!((binomial_sf(1, 20, 0.1) - (1.0 - 0.9f64.powi(20))).abs() < 1e-12);
        assert_eq!(binomial_sf(0, 5, 0.3), 1.0);
        assert_eq!(binomial_sf(6, 5, 0.3), 0.0);
        // A deep tail stays finite in log space: P(K ≥ 300 | 375, 0.485).
        let ln_p = ln_binomial_sf(300, 375, 0.485);
        assert!(ln_p.is_finite() && ln_p < -80.0, "{ln_p}");
        let naive = binom_sf_naive(300, 375, 0.485).ln();
        assert!((ln_p - naive).abs() < 1e-6, "{ln_p} vs {naive}");
    }

    #[test]
    fn e_value_matches_its_closed_forms() {
        assert_eq!(ln_e_value(0, 0, 0.4), 0.0);
        // n = 1, k = 1: ∫ p dp / ((1 − p₀) p₀) = (1 + p₀) / (2 p₀).
        for p0 in [0.1, 0.5, 0.8] {
            let e = ln_e_value(1, 1, p0).exp();
            assert!((e - (1.0 + p0) / (2.0 * p0)).abs() < 1e-10, "{p0}: {e}");
            // n = 1, k = 0: ∫ (1 − p) dp / ((1 − p₀)²) = 1/2.
            assert!((ln_e_value(1, 0, p0).exp() - 0.5).abs() < 1e-10);
        }
        for (n, k, p0) in [
            (30, 20, 0.5),
            (200, 40, 0.1),
            (375, 296, 0.5),
            (50, 10, 0.3),
        ] {
            let closed = ln_e_value(n, k, p0).exp();
            let numeric = e_value_numeric(n, k, p0);
            assert!(
                (closed / numeric - 1.0).abs() < 1e-6,
                "n={n} k={k}: {closed} vs {numeric}"
            );
        }
    }

    #[test]
    fn ville_inequality_holds_on_fair_coins() {
        // P(sup_t E_t ≥ 1/α) ≤ α for Bernoulli(p₀) data, here p₀ = 0.5, α = 0.1.
        use rand_chacha::ChaCha8Rng;
        use rand_core::{RngCore, SeedableRng};
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let (paths, len, alpha) = (2000, 2000u64, 0.1f64);
        let mut crossed = 0;
        for _ in 0..paths {
            let mut k = 0;
            for n in 1..=len {
                k += u64::from(rng.next_u32() & 1);
                if ln_e_upper_bound(n, k, 0.5) >= (1.0 / alpha).ln()
                    && ln_e_value(n, k, 0.5) >= (1.0 / alpha).ln()
                {
                    crossed += 1;
                    break;
                }
            }
        }
        let rate = crossed as f64 / paths as f64;
        assert!(rate <= alpha, "crossing rate {rate}");
        assert!(rate > 0.01, "crossing rate {rate} (the test has no power)");
    }

    #[test]
    fn bh_matches_a_hand_computed_example() {
        let p = [0.01, 0.04, 0.03, 0.005];
        let q = bh_adjust(&p);
        // sorted: .005 (r1) .01 (r2) .03 (r3) .04 (r4): m·p/r = .02 .02 .04 .04
        let want = [0.02, 0.04, 0.04, 0.02];
        for (a, b) in q.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{q:?}");
        }
    }

    proptest! {
        #[test]
        fn e_value_is_bounded_by_the_likelihood_ratio(n in 0u64..400, frac in 0.0f64..1.0, p0 in 0.05f64..0.95) {
            let k = ((n as f64) * frac) as u64;
            let e = ln_e_value(n, k, p0);
            prop_assert!(e <= ln_e_upper_bound(n, k, p0) + 1e-9);
            // More hits never lower the evidence.
            if k < n {
                prop_assert!(ln_e_value(n, k + 1, p0) >= e - 1e-9);
            }
        }

        #[test]
        fn binomial_tail_agrees_with_the_sum(n in 1u64..120, frac in 0.0f64..1.0, p in 0.02f64..0.98) {
            let k = ((n as f64) * frac) as u64;
            let a = binomial_sf(k, n, p);
            let b = binom_sf_naive(k, n, p).min(1.0);
            prop_assert!((a - b).abs() < 1e-9 * b.max(1e-12) + 1e-13, "{} vs {}", a, b);
        }

        #[test]
        fn bh_is_between_p_and_bonferroni(p in proptest::collection::vec(0.0f64..1.0, 1..50)) {
            let q = bh_adjust(&p);
            for (pi, qi) in p.iter().zip(&q) {
                prop_assert!(*qi >= *pi - 1e-15 && *qi <= (pi * p.len() as f64).min(1.0) + 1e-12);
            }
        }
    }
}
