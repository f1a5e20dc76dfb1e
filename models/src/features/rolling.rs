//! The one-pass computation: every window's sums and order statistics carried from
//! round to round, so a row costs O(window count), not O(window length).

use super::*;

struct WindowState {
    w: usize,
    sum: i64,
    sumsq: i128,
    counts: [u32; 4],
    sorted: Vec<i64>,
}

impl WindowState {
    fn new(w: usize) -> Self {
        Self {
            w,
            sum: 0,
            sumsq: 0,
            counts: [0; 4],
            sorted: Vec::with_capacity(w + 1),
        }
    }

    #[inline]
    fn write(&self, out: &mut [f64], i: &mut usize) {
        let m = self.sorted.len();
        let vals = [
            fin_mean(self.sum, m),
            fin_std(self.sum, self.sumsq, m),
            if m == 0 {
                0.0
            } else {
                self.sorted[0] as f64 / SCALE
            },
            fin_quantile(&self.sorted, QUANTILES[0].0),
            fin_quantile(&self.sorted, QUANTILES[1].0),
            fin_quantile(&self.sorted, QUANTILES[2].0),
            fin_quantile(&self.sorted, QUANTILES[3].0),
            fin_quantile(&self.sorted, QUANTILES[4].0),
            if m == 0 {
                0.0
            } else {
                self.sorted[m - 1] as f64 / SCALE
            },
            fin_share(self.counts[0], m),
            fin_share(self.counts[1], m),
            fin_share(self.counts[2], m),
            fin_share(self.counts[3], m),
        ];
        out[*i..*i + PER_WINDOW].copy_from_slice(&vals);
        *i += PER_WINDOW;
    }

    /// Adds round `t` (value `x`, hundredths `h`); drops round `t − w` when the window is full.
    #[inline]
    fn push(&mut self, t: usize, lq: &[i64], hs: &[u32]) {
        let x = lq[t];
        let h = hs[t];
        self.sum += x;
        self.sumsq += (x as i128) * (x as i128);
        for (c, (thr, _)) in self.counts.iter_mut().zip(SHARE_THRESHOLDS) {
            *c += u32::from(h >= thr);
        }
        if t >= self.w {
            let old = lq[t - self.w];
            let oh = hs[t - self.w];
            self.sum -= old;
            self.sumsq -= (old as i128) * (old as i128);
            for (c, (thr, _)) in self.counts.iter_mut().zip(SHARE_THRESHOLDS) {
                *c -= u32::from(oh >= thr);
            }
            replace_sorted(&mut self.sorted, old, x);
        } else {
            let pos = self.sorted.partition_point(|v| *v < x);
            self.sorted.insert(pos, x);
        }
    }
}

/// Replaces one occurrence of `old` by `new` in a sorted vector, keeping it sorted, moving
/// only the elements between the two positions.
#[inline]
fn replace_sorted(s: &mut [i64], old: i64, new: i64) {
    let p_old = s.partition_point(|v| *v < old);
    if new >= old {
        let q = p_old + s[p_old..].partition_point(|v| *v <= new);
        s.copy_within(p_old + 1..q, p_old);
        s[q - 1] = new;
    } else {
        let q = s[..p_old].partition_point(|v| *v < new);
        s.copy_within(q..p_old, q + 1);
        s[q] = new;
    }
}

/// What the one-pass feature computation carries from round to round: every window's
/// sums and order statistics, and the tail features' running sums.
struct RollingState {
    windows: Vec<WindowState>,
    last_at: [Option<usize>; 5],
    streaks: [usize; 4],
    vol_sum: i64,
    trend_t: i128,
    acf_p: [i128; ACF_LAGS],
    trend_w: usize,
    acf_idx: usize,
}

impl RollingState {
    fn new() -> Self {
        Self {
            windows: WINDOWS.iter().map(|&w| WindowState::new(w)).collect(),
            last_at: [None; 5],
            streaks: [0; 4],
            vol_sum: 0,
            trend_t: 0,
            acf_p: [0; ACF_LAGS],
            trend_w: WINDOWS[TREND_WINDOW_INDEX],
            acf_idx: WINDOWS.iter().position(|&w| w == ACF_WINDOW).unwrap_or(2),
        }
    }

    /// Writes row `t` (the features of the rounds before `t`) into `out`.
    fn write_row(&self, t: usize, out: &mut [f64], lq: &[i64], hs: &[u32]) {
        let mut i = 0;
        for w in &self.windows {
            w.write(out, &mut i);
        }
        // Tail features from rolling state.
        let mut since = [0.0; 5];
        for (s, last) in since.iter_mut().zip(self.last_at) {
            *s = match last {
                Some(j) => (t - 1 - j) as f64,
                None => t as f64,
            };
        }
        let m_vol = t.min(VOL_WINDOW);
        let m_tr = t.min(self.trend_w);
        let m_acf = t.min(ACF_WINDOW);
        let ws = &self.windows[self.acf_idx];
        let start = t - m_acf;
        let mut acf = [0.0; ACF_LAGS];
        for (k0, a) in acf.iter_mut().enumerate() {
            let k = k0 + 1;
            if m_acf > k {
                let head: i64 = lq[start..start + k].iter().sum();
                let tail: i64 = lq[t - k..t].iter().sum();
                *a = fin_acf(
                    m_acf,
                    k,
                    ws.sum,
                    ws.sumsq,
                    self.acf_p[k0],
                    ws.sum - head,
                    ws.sum - tail,
                );
            }
        }
        let tail = Tail {
            since,
            streaks: self.streaks.map(|s| s as f64),
            vol: fin_vol(self.vol_sum, m_vol),
            trend: fin_trend(m_tr, self.windows[TREND_WINDOW_INDEX].sum, self.trend_t),
            acf,
        };
        let mean20 = fin_mean(self.windows[0].sum, t.min(WINDOWS[0]));
        let mean100 = fin_mean(self.windows[self.acf_idx].sum, m_acf);
        write_tail(out, &mut i, &tail, mean20, mean100, lq, hs, t);
        debug_assert_eq!(i, N_FEATURES);
    }

    /// Takes round `t` into the state.
    fn push(&mut self, t: usize, lq: &[i64], hs: &[u32]) {
        let x = lq[t];
        let h = hs[t];
        let trend_w = self.trend_w;
        // Volatility over the last VOL_WINDOW rounds (pairs inside the window).
        if t >= 1 {
            self.vol_sum += (x - lq[t - 1]).abs();
        }
        if t >= VOL_WINDOW {
            let s0 = t - VOL_WINDOW;
            self.vol_sum -= (lq[s0 + 1] - lq[s0]).abs();
        }
        // Trend: position-weighted sum over the trend window.
        let m_before = t.min(trend_w);
        self.trend_t += m_before as i128 * x as i128;
        if t >= trend_w {
            let old = lq[t - trend_w];
            let s_after = self.windows[TREND_WINDOW_INDEX].sum + x; // sum before push + x
            self.trend_t -= (s_after - old) as i128;
        }
        // Lagged products over the ACF window.
        let s0 = t.saturating_sub(ACF_WINDOW);
        for (k0, p) in self.acf_p.iter_mut().enumerate() {
            let k = k0 + 1;
            if t >= k && t - k >= s0 {
                *p += x as i128 * lq[t - k] as i128;
            }
            if t >= ACF_WINDOW {
                let r = t - ACF_WINDOW;
                if r + k <= t {
                    *p -= lq[r + k] as i128 * lq[r] as i128;
                }
            }
        }
        for w in &mut self.windows {
            w.push(t, lq, hs);
        }
        for (last, (thr, _)) in self.last_at.iter_mut().zip(SINCE_THRESHOLDS) {
            if h >= thr {
                *last = Some(t);
            }
        }
        for (k, (thr, below)) in [(150u32, true), (150, false), (200, true), (200, false)]
            .into_iter()
            .enumerate()
        {
            let on_side = (h < thr) == below;
            self.streaks[k] = if on_side { self.streaks[k] + 1 } else { 0 };
        }
    }
}

pub(super) fn compute_rows(rounds: &[Multiplier], n_rows: usize) -> FeatureMatrix {
    let n = rounds.len();
    let hs: Vec<u32> = rounds.iter().map(|m| m.0).collect();
    let lq: Vec<i64> = rounds.iter().map(|m| quantised_log(*m)).collect();
    let nc = N_FEATURES;
    let mut data = vec![0.0f64; n_rows * nc];
    let mut state = RollingState::new();
    for t in 0..n_rows {
        state.write_row(t, &mut data[t * nc..(t + 1) * nc], &lq, &hs);
        if t >= n {
            break;
        }
        state.push(t, &lq, &hs);
    }
    FeatureMatrix {
        version: FEATURE_LIST_VERSION,
        names: feature_names(),
        n_rows,
        n_cols: nc,
        data,
    }
}
