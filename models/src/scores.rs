//! Scores of probability forecasts of binary outcomes.
//!
//! Brier score, log loss, Brier skill score with a delta-method interval, reliability bins
//! with the Murphy decomposition, ROC AUC, the hit rate of a signal and the profit and loss
//! of a betting rule.

use crate::error::EvalError;
use crate::summary::{wilson_interval, Z_95};
use serde::{Deserialize, Serialize};

/// Probabilities are clipped to [LOG_LOSS_EPS, 1 − LOG_LOSS_EPS] in the log loss.
pub const LOG_LOSS_EPS: f64 = 1e-6;

fn check(p: &[f64], y: &[bool]) -> Result<(), EvalError> {
    if p.len() != y.len() {
        return Err(EvalError::LengthMismatch("forecasts vs outcomes".into()));
    }
    if p.is_empty() {
        return Err(EvalError::too_few("score", 1, 0));
    }
    Ok(())
}

#[inline]
fn o(y: bool) -> f64 {
    if y {
        1.0
    } else {
        0.0
    }
}

/// Per-forecast Brier losses (p − y)².
pub fn brier_losses(p: &[f64], y: &[bool]) -> Vec<f64> {
    p.iter().zip(y).map(|(p, y)| (p - o(*y)).powi(2)).collect()
}

/// Per-forecast log losses −[y ln p + (1−y) ln(1−p)], p clipped to [ε, 1−ε].
pub fn log_losses(p: &[f64], y: &[bool]) -> Vec<f64> {
    p.iter()
        .zip(y)
        .map(|(p, y)| {
            let q = p.clamp(LOG_LOSS_EPS, 1.0 - LOG_LOSS_EPS);
            if *y {
                -q.ln()
            } else {
                -(1.0 - q).ln()
            }
        })
        .collect()
}

pub fn brier(p: &[f64], y: &[bool]) -> Result<f64, EvalError> {
    check(p, y)?;
    Ok(brier_losses(p, y).iter().sum::<f64>() / p.len() as f64)
}

pub fn log_loss(p: &[f64], y: &[bool]) -> Result<f64, EvalError> {
    check(p, y)?;
    Ok(log_losses(p, y).iter().sum::<f64>() / p.len() as f64)
}

/// Brier skill score 1 − BS_model/BS_reference with a 95% interval.
///
/// Interval: delta method for the ratio of means R = Ā/B̄ of the paired per-round losses,
/// Var(R) ≈ (1/n)·(s_A²/B̄² − 2Ā·s_AB/B̄³ + Ā²·s_B²/B̄⁴), BSS = 1 − R, ±1.96·sd. This treats
/// rounds as independent, which is the null of a fair game and what the Diebold–Mariano
/// test (reported beside it) checks at horizon 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SkillScore {
    pub bss: f64,
    pub low: f64,
    pub high: f64,
    pub model_brier: f64,
    pub reference_brier: f64,
}

pub fn brier_skill(p_model: &[f64], p_ref: &[f64], y: &[bool]) -> Result<SkillScore, EvalError> {
    check(p_model, y)?;
    check(p_ref, y)?;
    let a = brier_losses(p_model, y);
    let b = brier_losses(p_ref, y);
    skill_from_losses(&a, &b)
}

/// As [`brier_skill`] from per-round losses (model `a`, reference `b`).
pub fn skill_from_losses(a: &[f64], b: &[f64]) -> Result<SkillScore, EvalError> {
    if a.len() != b.len() {
        return Err(EvalError::LengthMismatch("losses".into()));
    }
    let n = a.len();
    if n < 2 {
        return Err(EvalError::too_few("skill score", 2, n));
    }
    let nf = n as f64;
    let ma = a.iter().sum::<f64>() / nf;
    let mb = b.iter().sum::<f64>() / nf;
    if mb <= 0.0 {
        return Err(EvalError::Degenerate(
            "reference forecast is perfect (Brier 0)".into(),
        ));
    }
    let (mut saa, mut sbb, mut sab) = (0.0, 0.0, 0.0);
    for (x, z) in a.iter().zip(b) {
        saa += (x - ma) * (x - ma);
        sbb += (z - mb) * (z - mb);
        sab += (x - ma) * (z - mb);
    }
    let (saa, sbb, sab) = (saa / (nf - 1.0), sbb / (nf - 1.0), sab / (nf - 1.0));
    let var = (saa / (mb * mb) - 2.0 * ma * sab / mb.powi(3) + ma * ma * sbb / mb.powi(4)) / nf;
    let r = ma / mb;
    let half = Z_95 * var.max(0.0).sqrt();
    Ok(SkillScore {
        bss: 1.0 - r,
        low: 1.0 - r - half,
        high: 1.0 - r + half,
        model_brier: ma,
        reference_brier: mb,
    })
}

/// Moving-block bootstrap percentile interval (95%) of the Brier skill score
/// 1 − Σa/Σb from paired per-round losses: blocks of `block` consecutive rounds (start
/// uniform) are drawn with replacement until n rounds are filled, `reps` times, with a
/// ChaCha8 stream seeded by `seed` (deterministic). Blocks keep any short-range dependence
/// of the losses, which the delta method ignores. `block` = 0 picks ⌈n^(1/3)⌉.
pub fn skill_block_bootstrap(
    a: &[f64],
    b: &[f64],
    block: usize,
    reps: usize,
    seed: u64,
) -> Result<(f64, f64), EvalError> {
    use rand_chacha::ChaCha8Rng;
    use rand_core::{RngCore, SeedableRng};
    if a.len() != b.len() {
        return Err(EvalError::LengthMismatch("losses".into()));
    }
    let n = a.len();
    if n < 10 || reps < 10 {
        return Err(EvalError::too_few(
            "block bootstrap (rounds)",
            10,
            n.min(reps),
        ));
    }
    let l = if block == 0 {
        (n as f64).cbrt().ceil() as usize
    } else {
        block
    }
    .clamp(1, n);
    let starts = (n - l + 1) as u64;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut stats = Vec::with_capacity(reps);
    for _ in 0..reps {
        let (mut sa, mut sb, mut filled) = (0.0, 0.0, 0usize);
        while filled < n {
            let s = (rng.next_u64() % starts) as usize;
            let take = l.min(n - filled);
            sa += a[s..s + take].iter().sum::<f64>();
            sb += b[s..s + take].iter().sum::<f64>();
            filled += take;
        }
        if sb > 0.0 {
            stats.push(1.0 - sa / sb);
        }
    }
    if stats.len() < 10 {
        return Err(EvalError::Degenerate("reference losses are zero".into()));
    }
    stats.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let h = (stats.len() - 1) as f64 * p;
        let lo = h.floor() as usize;
        let hi = (lo + 1).min(stats.len() - 1);
        stats[lo] + (h - lo as f64) * (stats[hi] - stats[lo])
    };
    Ok((q(0.025), q(0.975)))
}

/// One bin of a reliability diagram.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReliabilityBin {
    pub low: f64,
    pub high: f64,
    pub count: usize,
    pub mean_forecast: f64,
    pub observed: f64,
}

/// How the forecasts are binned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Binning {
    /// `k` equal-width bins on [0, 1].
    Uniform(usize),
    /// `k` bins with (nearly) equal counts, by rank of the forecast.
    Quantile(usize),
}

/// The Murphy (1973) decomposition of the Brier score over bins:
/// BS = REL − RES + UNC + WBV − WBC, where WBV (within-bin variance of the forecasts) and WBC
/// (within-bin covariance term, 2/N·ΣΣ(f − f̄ₖ)(o − ōₖ)) vanish when each forecast is replaced
/// by its bin mean; for those binned forecasts BS_binned = REL − RES + UNC exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reliability {
    pub bins: Vec<ReliabilityBin>,
    pub reliability: f64,
    pub resolution: f64,
    pub uncertainty: f64,
    pub within_bin_variance: f64,
    pub within_bin_covariance: f64,
    pub brier: f64,
    /// Brier score of the forecasts replaced by their bin means.
    pub brier_binned: f64,
}

pub fn reliability(p: &[f64], y: &[bool], binning: Binning) -> Result<Reliability, EvalError> {
    check(p, y)?;
    let n = p.len();
    let assign = assign_bins(p, binning);
    let nb = assign.iter().max().map_or(0, |m| m + 1);
    let mut cnt = vec![0usize; nb];
    let mut sf = vec![0.0; nb];
    let mut so = vec![0.0; nb];
    let mut lo = vec![f64::INFINITY; nb];
    let mut hi = vec![f64::NEG_INFINITY; nb];
    for i in 0..n {
        let b = assign[i];
        cnt[b] += 1;
        sf[b] += p[i];
        so[b] += o(y[i]);
        lo[b] = lo[b].min(p[i]);
        hi[b] = hi[b].max(p[i]);
    }
    let nf = n as f64;
    let obar = so.iter().sum::<f64>() / nf;
    let mut bins = Vec::new();
    let (mut rel, mut res) = (0.0, 0.0);
    let mut fbar = vec![0.0; nb];
    let mut obar_k = vec![0.0; nb];
    for b in 0..nb {
        if cnt[b] == 0 {
            continue;
        }
        let c = cnt[b] as f64;
        fbar[b] = sf[b] / c;
        obar_k[b] = so[b] / c;
        rel += c * (fbar[b] - obar_k[b]).powi(2);
        res += c * (obar_k[b] - obar).powi(2);
        let (blo, bhi) = match binning {
            Binning::Uniform(k) => (b as f64 / k as f64, (b + 1) as f64 / k as f64),
            Binning::Quantile(_) => (lo[b], hi[b]),
        };
        bins.push(ReliabilityBin {
            low: blo,
            high: bhi,
            count: cnt[b],
            mean_forecast: fbar[b],
            observed: obar_k[b],
        });
    }
    let (mut wbv, mut wbc, mut bs, mut bs_binned) = (0.0, 0.0, 0.0, 0.0);
    for i in 0..n {
        let b = assign[i];
        let (f, yo) = (p[i], o(y[i]));
        wbv += (f - fbar[b]).powi(2);
        wbc += 2.0 * (f - fbar[b]) * (yo - obar_k[b]);
        bs += (f - yo).powi(2);
        bs_binned += (fbar[b] - yo).powi(2);
    }
    Ok(Reliability {
        bins,
        reliability: rel / nf,
        resolution: res / nf,
        uncertainty: obar * (1.0 - obar),
        within_bin_variance: wbv / nf,
        within_bin_covariance: wbc / nf,
        brier: bs / nf,
        brier_binned: bs_binned / nf,
    })
}

/// The bin index of each forecast; with quantile bins, equal forecasts share a bin.
fn assign_bins(p: &[f64], binning: Binning) -> Vec<usize> {
    let n = p.len();
    match binning {
        Binning::Uniform(k) => {
            let k = k.max(1);
            p.iter()
                .map(|v| ((v.clamp(0.0, 1.0) * k as f64) as usize).min(k - 1))
                .collect()
        }
        Binning::Quantile(k) => {
            let k = k.max(1).min(n);
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
            let mut assign = vec![0; n];
            for (rank, &i) in order.iter().enumerate() {
                assign[i] = rank * k / n;
            }
            // Equal forecasts must share a bin: move ties to the bin of their first member.
            for w in 1..n {
                let (prev, cur) = (order[w - 1], order[w]);
                if p[prev] == p[cur] {
                    assign[cur] = assign[prev];
                }
            }
            assign
        }
    }
}

/// ROC AUC as the Mann–Whitney statistic: P(score of a positive > score of a negative) with
/// ties counted ½ (mid-ranks). None when one class is absent.
pub fn roc_auc(scores: &[f64], y: &[bool]) -> Option<f64> {
    if scores.len() != y.len() {
        return None;
    }
    let n = scores.len();
    let n_pos = y.iter().filter(|b| **b).count();
    let n_neg = n - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut rank_sum_pos = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let mid = (i + j) as f64 / 2.0 + 1.0; // 1-based mid-rank
        for &k in &order[i..=j] {
            if y[k] {
                rank_sum_pos += mid;
            }
        }
        i = j + 1;
    }
    let (np, nn) = (n_pos as f64, n_neg as f64);
    Some((rank_sum_pos - np * (np + 1.0) / 2.0) / (np * nn))
}

/// The hit rate of a signal (rounds where the rule fired) with its 95% Wilson interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HitRate {
    pub fired: u64,
    pub hits: u64,
    pub rate: f64,
    pub low: f64,
    pub high: f64,
}

pub fn hit_rate(fired: &[bool], y: &[bool]) -> HitRate {
    let (mut f, mut h) = (0u64, 0u64);
    for (a, b) in fired.iter().zip(y) {
        if *a {
            f += 1;
            h += u64::from(*b);
        }
    }
    let (low, high) = wilson_interval(h, f, Z_95);
    HitRate {
        fired: f,
        hits: h,
        rate: if f == 0 { 0.0 } else { h as f64 / f as f64 },
        low,
        high,
    }
}

/// Profit and loss of betting 1 unit with an automatic cash-out at `target` whenever a rule
/// fires: +(target − 1) if X ≥ target, −1 otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BettingPnl {
    pub target: f64,
    pub bets: u64,
    pub wins: u64,
    pub total: f64,
    /// Mean profit per bet with a 95% normal interval (None without bets).
    pub ev_per_bet: Option<f64>,
    pub ev_low: Option<f64>,
    pub ev_high: Option<f64>,
    /// What a fair game with house edge h gives per bet: −h.
    pub fair_ev: f64,
    /// Exact one-sided p of "these bets have positive EV" (wins ~ Binomial(bets, 1/c) at
    /// break-even): the test made for sparse edges, which lives on the bets a signal
    /// actually placed rather than on every round. `None` without bets.
    #[serde(default)]
    pub p_positive: Option<f64>,
}

pub fn betting_pnl(fired: &[bool], outcomes_x: &[f64], target: f64, house_edge: f64) -> BettingPnl {
    let target_h = crate::forecast::threshold_hundredths(target);
    let profits: Vec<f64> = fired
        .iter()
        .zip(outcomes_x)
        .filter(|(f, _)| **f)
        .map(|(_, x)| {
            if (x * 100.0).round() as u32 >= target_h {
                target - 1.0
            } else {
                -1.0
            }
        })
        .collect();
    let wins = profits.iter().filter(|p| **p > 0.0).count() as u64;
    let ci = crate::stats::mean_with_interval(&profits);
    BettingPnl {
        target,
        bets: profits.len() as u64,
        wins,
        total: profits.iter().sum(),
        ev_per_bet: ci.map(|c| c.0),
        ev_low: ci.map(|c| c.1),
        ev_high: ci.map(|c| c.2),
        fair_ev: -house_edge,
        p_positive: (!profits.is_empty()).then(|| {
            crate::patterns::evidence::binomial_sf(wins, profits.len() as u64, 1.0 / target)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn brier_and_log_loss_by_hand() {
        let p = [0.9, 0.2, 0.5];
        let y = [true, false, true];
        assert!((brier(&p, &y).unwrap() - (0.01 + 0.04 + 0.25) / 3.0).abs() < 1e-15);
        let ll = -(0.9f64.ln() + 0.8f64.ln() + 0.5f64.ln()) / 3.0;
        assert!((log_loss(&p, &y).unwrap() - ll).abs() < 1e-15);
        // Clipping: a confident miss costs −ln(1e-6), not infinity.
        assert!((log_loss(&[0.0], &[true]).unwrap() + LOG_LOSS_EPS.ln()).abs() < 1e-12);
        assert!(brier(&[], &[]).is_err());
        assert!(brier(&[0.1], &[]).is_err());
    }

    #[test]
    fn auc_matches_sklearn() {
        // sklearn.metrics.roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75
        assert_eq!(
            roc_auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]),
            Some(0.75)
        );
        // With ties: roc_auc_score([0, 1, 0, 1, 1], [0.5, 0.5, 0.2, 0.9, 0.2]) = 0.6666666666666666
        let auc = roc_auc(
            &[0.5, 0.5, 0.2, 0.9, 0.2],
            &[false, true, false, true, true],
        )
        .unwrap();
        assert!((auc - 2.0 / 3.0).abs() < 1e-12, "{auc}");
        assert_eq!(roc_auc(&[0.1, 0.2], &[true, true]), None);
    }

    #[test]
    fn skill_score_and_interval() {
        let y = [true, false, true, false, true, true, false, false];
        let model = [0.8, 0.3, 0.7, 0.2, 0.6, 0.9, 0.4, 0.1];
        let fair = [0.5; 8];
        let s = brier_skill(&model, &fair, &y).unwrap();
        let bm = brier(&model, &y).unwrap();
        assert!((s.bss - (1.0 - bm / 0.25)).abs() < 1e-12);
        assert!(s.low < s.bss && s.bss < s.high);
        // Against itself: BSS 0 with zero width.
        let same = brier_skill(&model, &model, &y).unwrap();
        assert!(same.bss.abs() < 1e-15 && (same.high - same.low).abs() < 1e-12);
        // Bootstrap: deterministic, brackets the estimate on a longer series.
        let yy: Vec<bool> = (0..400).map(|i| i % 3 == 0).collect();
        let pm: Vec<f64> = (0..400)
            .map(|i| if i % 3 == 0 { 0.6 } else { 0.2 })
            .collect();
        let pr = vec![0.4; 400];
        let (a, b) = (brier_losses(&pm, &yy), brier_losses(&pr, &yy));
        let point = skill_from_losses(&a, &b).unwrap();
        let ci = skill_block_bootstrap(&a, &b, 0, 500, 7).unwrap();
        assert_eq!(ci, skill_block_bootstrap(&a, &b, 0, 500, 7).unwrap());
        assert!(
            ci.0 <= point.bss && point.bss <= ci.1,
            "{ci:?} {}",
            point.bss
        );
        assert!(skill_block_bootstrap(&a[..5], &b[..5], 0, 500, 7).is_err());
    }

    #[test]
    fn hit_rate_and_pnl() {
        let fired = [true, false, true, true];
        let y = [true, true, false, true];
        let h = hit_rate(&fired, &y);
        assert_eq!((h.fired, h.hits), (3, 2));
        let x = [2.5, 1.0, 1.2, 2.0];
        let pnl = betting_pnl(&fired, &x, 2.0, 0.03);
        assert_eq!((pnl.bets, pnl.wins), (3, 2));
        assert!((pnl.total - 1.0).abs() < 1e-12);
        assert!((pnl.ev_per_bet.unwrap() - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(betting_pnl(&[false], &[3.0], 2.0, 0.03).ev_per_bet, None);
    }

    proptest! {
        #[test]
        fn murphy_decomposition_holds(v in proptest::collection::vec((0.0f64..1.0, any::<bool>()), 1..300), k in 1usize..15, quantile in any::<bool>()) {
            let p: Vec<f64> = v.iter().map(|a| (a.0 * 20.0).round() / 20.0).collect();
            let y: Vec<bool> = v.iter().map(|a| a.1).collect();
            let binning = if quantile { Binning::Quantile(k) } else { Binning::Uniform(k) };
            let r = reliability(&p, &y, binning).unwrap();
            prop_assert!((r.reliability - r.resolution + r.uncertainty - r.brier_binned).abs() < 1e-12);
            let full = r.reliability - r.resolution + r.uncertainty + r.within_bin_variance - r.within_bin_covariance;
            prop_assert!((full - r.brier).abs() < 1e-12);
            prop_assert!((r.brier - brier(&p, &y).unwrap()).abs() < 1e-12);
            prop_assert_eq!(r.bins.iter().map(|b| b.count).sum::<usize>(), p.len());
        }

        #[test]
        fn auc_is_a_probability_and_flips(v in proptest::collection::vec((0.0f64..1.0, any::<bool>()), 2..200)) {
            let p: Vec<f64> = v.iter().map(|a| (a.0 * 10.0).round() / 10.0).collect();
            let y: Vec<bool> = v.iter().map(|a| a.1).collect();
            if let Some(a) = roc_auc(&p, &y) {
                prop_assert!((0.0..=1.0).contains(&a));
                let neg: Vec<f64> = p.iter().map(|x| -x).collect();
                prop_assert!((roc_auc(&neg, &y).unwrap() - (1.0 - a)).abs() < 1e-12);
            }
        }
    }
}
