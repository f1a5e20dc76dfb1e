//! The game's own law, fitted: its return to player with an interval and a likelihood-ratio
//! test of the configured (claimed) RTP, the share of instant crashes against what that law
//! gives, and the tail exponent (1 in every crash game's law).
//!
//! Why the RTP is fitted from a cut point and not from 1.00x: under the crash law
//! P(X ≥ x) = r/x the shape above any point x_c does not depend on r, so the maximum-likelihood
//! estimate of r in the model "the law holds from x_c up, anything below" is exactly
//! x_c·P̂(X ≥ x_c): the count above x_c against everything below it. The lower x_c, the
//! tighter the interval, but operators and exports differ just above 1.00x (missing or extra
//! instant crashes, 1.00x rounds dropped or floored to 1.01x; the hand-recorded JetX history
//! has 2.4% at 1.00x where its own tail gives 4.0%). From 1.5x up every crash game we know
//! follows the law, so the fit starts there and the share at 1.00x is then tested against
//! the fitted law instead of being assumed.

use crate::forecast::threshold_hundredths;
use crate::stats;
use crate::values::Multiplier;
use serde::{Deserialize, Serialize};

/// Where the RTP is fitted from (see the module's note).
pub const FIT_FROM: f64 = 1.5;
/// Where the tail exponent is fitted from.
pub const TAIL_FROM: f64 = 2.0;
/// χ²(1) at 95%: the likelihood-ratio interval's drop.
const LR_95: f64 = 3.841_458_820_694_124;

/// The game's law as the history shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FittedLaw {
    /// 1 − the fitted RTP, with its 95% likelihood-ratio interval (`low`, `high`).
    pub house_edge: f64,
    pub low: f64,
    pub high: f64,
    /// The fitted return to player r of P(X ≥ x) = r/x, and its interval.
    pub rtp: f64,
    pub rtp_low: f64,
    pub rtp_high: f64,
    /// The RTP tested: 1 − the configured house edge.
    pub claimed_rtp: f64,
    /// Likelihood-ratio p-value of "the RTP is `claimed_rtp`".
    pub p_claimed: f64,
    /// The fit uses every round: those at or above `fit_from` against those below.
    pub fit_from: f64,
    /// How far the RTP may be from the claimed one and still go unseen at this n
    /// (power 80%, α = 0.05).
    pub rtp_min_detectable: f64,
    /// Tail exponent α of P(X ≥ x) ∝ x^−α from `tail_from` up (maximum likelihood on the
    /// values as recorded, to hundredths), with its 95% interval; NaN with too few rounds.
    pub tail_exponent: f64,
    pub tail_low: f64,
    pub tail_high: f64,
    pub tail_from: f64,
    /// Two-sided p-value of "α = 1".
    pub p_tail: f64,
    /// Share of rounds at exactly 1.00x, next to 1 − r/1.01 from the fitted law.
    pub instant_crash_share: f64,
    pub instant_crash_expected: f64,
    /// `as_law`, `missing` (none where the law gives some), `fewer` or `excess`.
    pub instant_crash: String,
    /// Likelihood-ratio p-value of "the law holds from 1.00x up" (the share at 1.00x
    /// against the rest of the history).
    pub p_instant_crash: f64,
}

/// One part of the verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verdict {
    pub departure: bool,
    pub text: String,
}

/// Fits the law of `values` and tests `claimed_rtp` (and the instant crashes) at `alpha`.
pub fn fit(values: &[Multiplier], claimed_rtp: f64, alpha: f64) -> FittedLaw {
    let n = values.len() as u64;
    let cut = threshold_hundredths(FIT_FROM);
    let above = values.iter().filter(|m| m.0 >= cut).count() as u64;
    let rtp_fit = binomial_at_cut(above, n, FIT_FROM, claimed_rtp);
    let (tail_exponent, tail_low, tail_high, p_tail) = tail_fit(values, TAIL_FROM);
    let at_one = values.iter().filter(|m| m.0 == 100).count() as f64;
    let nf = n.max(1) as f64;
    let share = at_one / nf;
    let expected = (1.0 - rtp_fit.rtp / 1.01).max(0.0);
    let cells = [at_one, nf - at_one - above as f64, above as f64];
    let (instant_crash, p_instant_crash) = instant_crashes(cells, expected, alpha);
    FittedLaw {
        house_edge: 1.0 - rtp_fit.rtp,
        low: 1.0 - rtp_fit.high,
        high: 1.0 - rtp_fit.low,
        rtp: rtp_fit.rtp,
        rtp_low: rtp_fit.low,
        rtp_high: rtp_fit.high,
        claimed_rtp,
        p_claimed: rtp_fit.p_claimed,
        fit_from: FIT_FROM,
        rtp_min_detectable: stats::detect_multiplier(stats::ALPHA, stats::POWER)
            * (claimed_rtp * (FIT_FROM - claimed_rtp) / nf).sqrt(),
        tail_exponent,
        tail_low,
        tail_high,
        tail_from: TAIL_FROM,
        p_tail,
        instant_crash_share: share,
        instant_crash_expected: expected,
        instant_crash: instant_crash.to_string(),
        p_instant_crash,
    }
}

/// The RTP part of the verdict: the fitted RTP against the claimed one, the instant
/// crashes and the tail's shape.
pub fn rtp_verdict(f: &FittedLaw, alpha: f64) -> Verdict {
    let pct = |x: f64| format!("{:.1}%", 100.0 * x);
    let departure = f.p_claimed < alpha;
    let mut text = format!(
        "RTP {} [{}, {}] (fitted from {}x up): ",
        pct(f.rtp),
        pct(f.rtp_low),
        pct(f.rtp_high),
        f.fit_from
    );
    if departure {
        text += &format!(
            "not the configured {} (likelihood-ratio p = {:.1e}).",
            pct(f.claimed_rtp),
            f.p_claimed
        );
    } else {
        text += &format!(
            "consistent with the configured {} (p = {:.2}); an RTP {:.1} points away would likely have been seen.",
            pct(f.claimed_rtp),
            f.p_claimed,
            100.0 * f.rtp_min_detectable
        );
    }
    text += match f.instant_crash.as_str() {
        "missing" => " No rounds at 1.00x where this law gives {e}: instant crashes are missing from the data (or this game has none).",
        "fewer" => " Fewer rounds at 1.00x ({s}) than this law gives ({e}): some instant crashes may be missing from the data.",
        "excess" => " More rounds at 1.00x ({s}) than this law gives ({e}): the game takes part of its edge as instant crashes.",
        _ => " Rounds at 1.00x ({s}) are within chance of what this law gives ({e}).",
    };
    text = text
        .replace("{s}", &pct(f.instant_crash_share))
        .replace("{e}", &pct(f.instant_crash_expected));
    if f.tail_exponent.is_finite() {
        let shape = if f.p_tail < alpha {
            "not the crash law's 1: the return depends on the cash-out"
        } else {
            "the crash law's is 1"
        };
        text += &format!(
            " Tail exponent {:.3} [{:.3}, {:.3}] from {}x ({shape}).",
            f.tail_exponent, f.tail_low, f.tail_high, f.tail_from
        );
    }
    Verdict { departure, text }
}

/// r̂, its likelihood-ratio interval and the LR p-value of `claimed`, for `above` of `n`
/// rounds at or above `x_c` under P(X ≥ x_c) = r/x_c.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CutFit {
    pub rtp: f64,
    pub low: f64,
    pub high: f64,
    pub p_claimed: f64,
}

pub fn binomial_at_cut(above: u64, n: u64, x_c: f64, claimed: f64) -> CutFit {
    if n == 0 {
        return CutFit {
            rtp: f64::NAN,
            low: f64::NAN,
            high: f64::NAN,
            p_claimed: 1.0,
        };
    }
    let (k, nf) = (above as f64, n as f64);
    // Binomial log-likelihood of p = r/x_c, with 0·ln 0 = 0.
    let ll = |r: f64| {
        let p = r / x_c;
        let a = if k > 0.0 { k * p.ln() } else { 0.0 };
        let b = if nf - k > 0.0 {
            (nf - k) * (1.0 - p).ln()
        } else {
            0.0
        };
        a + b
    };
    let rtp = x_c * k / nf;
    let top = ll(rtp);
    let drop = |r: f64| 2.0 * (top - ll(r));
    let low = if k == 0.0 {
        0.0
    } else {
        bisect(|r| drop(r) - LR_95, 0.0, rtp)
    };
    let high = if k == nf {
        x_c
    } else {
        bisect(|r| LR_95 - drop(r), rtp, x_c)
    };
    let p_claimed = if claimed <= 0.0 || claimed >= x_c {
        0.0
    } else {
        stats::chi2_sf(drop(claimed).max(0.0), 1.0)
    };
    CutFit {
        rtp,
        low,
        high,
        p_claimed,
    }
}

/// The root of `f` on (a, b) for `f` decreasing, positive at a and negative at b (the
/// log-likelihood is concave); 60 halvings reach f64 precision.
fn bisect(f: impl Fn(f64) -> f64, mut a: f64, mut b: f64) -> f64 {
    for _ in 0..60 {
        let m = 0.5 * (a + b);
        if f(m) > 0.0 {
            a = m;
        } else {
            b = m;
        }
    }
    0.5 * (a + b)
}

/// Tests whether the share at 1.00x is what the law gives from the rest of the history: a
/// likelihood-ratio (G²) test of the cells {1.00x}, [1.01x, `FIT_FROM`), [`FIT_FROM`, ∞)
/// under "the law holds from 1.00x up" (one parameter) against free cells (two), and
/// classifies the share against the fitted law's (`expected`). Returns the class and p.
fn instant_crashes(counts: [f64; 3], expected: f64, alpha: f64) -> (&'static str, f64) {
    let n: f64 = counts.iter().sum();
    if n <= 0.0 {
        return ("as_law", 1.0);
    }
    let r0 = 1.01 * (counts[1] + counts[2]) / n;
    let e = [
        n * (1.0 - r0 / 1.01),
        n * r0 * (1.0 / 1.01 - 1.0 / FIT_FROM),
        n * r0 / FIT_FROM,
    ];
    let mut g2 = 0.0;
    for (o, e) in counts.iter().zip(e) {
        if *o > 0.0 {
            g2 += 2.0 * o * (o / e).ln();
        }
    }
    let p = if g2.is_finite() {
        stats::chi2_sf(g2.max(0.0), 1.0)
    } else {
        0.0
    };
    let share = counts[0] / n;
    let class = if p >= alpha {
        "as_law"
    } else if share == 0.0 {
        "missing"
    } else if share < expected {
        "fewer"
    } else {
        "excess"
    };
    (class, p)
}

/// Maximum-likelihood tail exponent of the values at or above `from`, as recorded (floored
/// to hundredths): P(K = k | K ≥ k₀) = k₀^α (k^−α − (k+1)^−α) in hundredths. Returns
/// (α̂, low, high, p of α = 1); NaN with fewer than 30 such rounds.
pub fn tail_fit(values: &[Multiplier], from: f64) -> (f64, f64, f64, f64) {
    let k0 = threshold_hundredths(from);
    let mut ks: Vec<u32> = values.iter().map(|m| m.0).filter(|&k| k >= k0).collect();
    if ks.len() < 30 {
        return (f64::NAN, f64::NAN, f64::NAN, 1.0);
    }
    ks.sort_unstable();
    // Distinct values with their counts: the likelihood costs one term per value.
    let mut groups: Vec<(f64, f64)> = Vec::new();
    for k in ks.iter() {
        match groups.last_mut() {
            Some((v, c)) if *v == f64::from(*k) => *c += 1.0,
            _ => groups.push((f64::from(*k), 1.0)),
        }
    }
    let n = ks.len() as f64;
    let ln_k0 = f64::from(k0).ln();
    let ll = |a: f64| {
        groups
            .iter()
            .map(|&(k, c)| c * (-a * k.ln() + (-(-a * (1.0 / k).ln_1p()).exp_m1()).ln()))
            .sum::<f64>()
            + n * a * ln_k0
    };
    let a_hat = golden_max(&ll, 0.05, 20.0);
    let h = 1e-4 * a_hat.max(0.1);
    let curvature = (ll(a_hat + h) - 2.0 * ll(a_hat) + ll(a_hat - h)) / (h * h);
    // Not a maximum (or NaN): no interval.
    if curvature.is_nan() || curvature >= 0.0 {
        return (a_hat, f64::NAN, f64::NAN, 1.0);
    }
    let se = (-1.0 / curvature).sqrt();
    let z95 = crate::summary::Z_95;
    let p = stats::normal_two_sided_p((a_hat - 1.0) / se);
    (a_hat, a_hat - z95 * se, a_hat + z95 * se, p)
}

/// The maximum of a unimodal `f` on [a, b] by golden-section search.
fn golden_max(f: &impl Fn(f64) -> f64, mut a: f64, mut b: f64) -> f64 {
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let mut c = b - g * (b - a);
    let mut d = a + g * (b - a);
    let (mut fc, mut fd) = (f(c), f(d));
    for _ in 0..100 {
        if fc > fd {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = f(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = f(d);
        }
    }
    0.5 * (a + b)
}

#[cfg(test)]
mod tests;
