//! The naive reference: every row from scratch, for tests and the benchmark.

use super::*;

/// Recomputes every row from scratch from the rounds before it. Same output as
/// [`compute`] (bit for bit), much slower; for tests and benchmarks.
pub fn compute_naive(rounds: &[Multiplier]) -> FeatureMatrix {
    let n = rounds.len();
    let hs: Vec<u32> = rounds.iter().map(|m| m.0).collect();
    let lq: Vec<i64> = rounds.iter().map(|m| quantised_log(*m)).collect();
    let nc = N_FEATURES;
    let mut data = vec![0.0f64; n * nc];
    for t in 0..n {
        let out = &mut data[t * nc..(t + 1) * nc];
        let mut i = 0;
        for w in WINDOWS {
            let m = t.min(w);
            let vals = naive_window(&lq[t - m..t], &hs[t - m..t]);
            out[i..i + PER_WINDOW].copy_from_slice(&vals);
            i += PER_WINDOW;
        }
        let tail = naive_tail(&lq, &hs, t);
        let m20 = t.min(20);
        let mean20 = fin_mean(lq[t - m20..t].iter().sum(), m20);
        let ma = t.min(ACF_WINDOW);
        let mean100 = fin_mean(lq[t - ma..t].iter().sum(), ma);
        write_tail(out, &mut i, &tail, mean20, mean100, &lq, &hs, t);
    }
    FeatureMatrix {
        version: FEATURE_LIST_VERSION,
        names: feature_names(),
        n_rows: n,
        n_cols: nc,
        data,
    }
}

/// One window's [`PER_WINDOW`] features (mean, std, min, quantiles, max, shares above the
/// thresholds) from its quantised logs `win` and hundredths `hw`, computed from scratch.
fn naive_window(win: &[i64], hw: &[u32]) -> Vec<f64> {
    let m = win.len();
    let sum: i64 = win.iter().sum();
    let sumsq: i128 = win.iter().map(|&v| v as i128 * v as i128).sum();
    let mut sorted = win.to_vec();
    sorted.sort_unstable();
    let mut vals = vec![
        fin_mean(sum, m),
        fin_std(sum, sumsq, m),
        sorted.first().map_or(0.0, |v| *v as f64 / SCALE),
    ];
    for (q, _) in QUANTILES {
        vals.push(fin_quantile(&sorted, q));
    }
    vals.push(sorted.last().map_or(0.0, |v| *v as f64 / SCALE));
    for (thr, _) in SHARE_THRESHOLDS {
        vals.push(fin_share(
            hw.iter().filter(|&&h| h >= thr).count() as u32,
            m,
        ));
    }
    vals
}

/// The window-free features of row `t` (rounds since a threshold, streaks, volatility,
/// trend, autocorrelations), computed from scratch from the rounds before it.
fn naive_tail(lq: &[i64], hs: &[u32], t: usize) -> Tail {
    let past = &hs[..t];
    let mut since = [0.0; 5];
    for (s, (thr, _)) in since.iter_mut().zip(SINCE_THRESHOLDS) {
        *s = match past.iter().rposition(|&h| h >= thr) {
            Some(j) => (t - 1 - j) as f64,
            None => t as f64,
        };
    }
    let streak = |thr: u32, below: bool| {
        past.iter()
            .rev()
            .take_while(|&&h| (h < thr) == below)
            .count() as f64
    };
    let streaks = [
        streak(150, true),
        streak(150, false),
        streak(200, true),
        streak(200, false),
    ];
    let mv = t.min(VOL_WINDOW);
    let vw = &lq[t - mv..t];
    let vol: i64 = vw.windows(2).map(|p| (p[1] - p[0]).abs()).sum();
    let mt = t.min(WINDOWS[TREND_WINDOW_INDEX]);
    let tw = &lq[t - mt..t];
    let tsum: i64 = tw.iter().sum();
    let tt: i128 = tw
        .iter()
        .enumerate()
        .map(|(j, &v)| j as i128 * v as i128)
        .sum();
    let ma = t.min(ACF_WINDOW);
    Tail {
        since,
        streaks,
        vol: fin_vol(vol, mv),
        trend: fin_trend(mt, tsum, tt),
        acf: naive_acf(&lq[t - ma..t]),
    }
}

/// The autocorrelations at lags 1..=[`ACF_LAGS`] of the quantised logs `aw` (the ACF
/// window), computed from scratch.
fn naive_acf(aw: &[i64]) -> [f64; ACF_LAGS] {
    let ma = aw.len();
    let asum: i64 = aw.iter().sum();
    let asq: i128 = aw.iter().map(|&v| v as i128 * v as i128).sum();
    let mut acf = [0.0; ACF_LAGS];
    for (k0, a) in acf.iter_mut().enumerate() {
        let k = k0 + 1;
        if ma > k {
            let p: i128 = (k..ma).map(|j| aw[j] as i128 * aw[j - k] as i128).sum();
            let later: i64 = aw[k..].iter().sum();
            let earlier: i64 = aw[..ma - k].iter().sum();
            *a = fin_acf(ma, k, asum, asq, p, later, earlier);
        }
    }
    acf
}
