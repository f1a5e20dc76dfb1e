//! Live scoreboard of stored predictions and PLAY/WAIT recommendations whose rounds are
//! now known: how the model's probabilities score against the fair-game baseline, and how
//! the PLAY signals did.
//!
//! A prediction or signal "hits" when the round reached its threshold or cash-out:
//! `outcome.as_f64() >= t − 1e-9` (hundredths-safe).

use crate::scores::{brier_losses, log_losses};
use crate::summary::{wilson_interval, Z_95};
use crate::values::Multiplier;
use serde::{Deserialize, Serialize};

/// Thresholds (and cash-outs) closer than this are the same.
const SAME: f64 = 1e-9;

fn reached(outcome: Multiplier, t: f64) -> bool {
    outcome.as_f64() >= t - SAME
}

/// One stored prediction whose next round is known. Probabilities per threshold, aligned
/// with `thresholds`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredPrediction {
    pub thresholds: Vec<f64>,
    /// Model probabilities P(X ≥ thresholds[j]).
    pub probabilities: Vec<f64>,
    /// Fair-game probabilities, the baseline.
    pub fair: Vec<f64>,
    pub outcome: Multiplier,
}

/// One PLAY/WAIT recommendation whose round is known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredSignal {
    pub cashout: f64,
    /// `true`: PLAY; `false`: WAIT.
    pub play: bool,
    pub outcome: Multiplier,
    /// Fair-game P(X ≥ cashout).
    pub fair_probability: f64,
}

/// Scores of the model against the fair baseline at one threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThresholdLive {
    pub threshold: f64,
    /// Predictions scored at this threshold.
    pub n: usize,
    /// Share of them whose round reached the threshold.
    pub observed_rate: f64,
    pub model_brier: f64,
    pub baseline_brier: f64,
    /// Brier skill score 1 − model/baseline; 0 when the baseline Brier score is 0.
    pub bss: f64,
    /// Its 95% delta-method interval ((−∞, ∞) as `None` below 2 predictions or with a
    /// perfect baseline): a skill from 10 rounds is mostly noise, and this says how much.
    #[serde(default)]
    pub bss_interval: Option<(f64, f64)>,
    /// Wilson 95% interval of `observed_rate`.
    #[serde(default)]
    pub observed_interval: (f64, f64),
    /// Mean log loss, probabilities clipped to [1e-6, 1 − 1e-6].
    pub model_log_loss: f64,
    pub baseline_log_loss: f64,
    /// Cumulative Σ (log loss model − log loss baseline) after each prediction, in order;
    /// negative = model better.
    pub cumulative_log_loss_diff: Vec<f64>,
}

/// How the PLAY signals at one cash-out did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlayStats {
    pub cashout: f64,
    /// PLAY signals at this cash-out.
    pub signals: u64,
    /// Of those, rounds that reached the cash-out.
    pub hits: u64,
    /// hits / signals; `None` when there were none.
    pub rate: Option<f64>,
    /// Wilson 95% interval of the rate ((0, 1) when there were none).
    pub low: f64,
    pub high: f64,
    /// Mean fair probability of these PLAY signals (of all recommendations at this cash-out
    /// when none was PLAY; 0 when none is finite).
    pub base_rate: f64,
    /// Σ over PLAY signals of (cashout − 1) on a hit and −1 on a miss: 1-unit bets.
    pub profit: f64,
}

/// The whole scoreboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scoreboard {
    /// Predictions given.
    pub predictions: usize,
    /// All scored recommendations given (PLAY and WAIT).
    pub signals: usize,
    /// One per distinct cash-out with at least one scored recommendation, sorted by cash-out;
    /// counts only the PLAY ones.
    pub plays: Vec<PlayStats>,
    /// One per threshold appearing in the predictions, sorted.
    pub thresholds: Vec<ThresholdLive>,
}

#[derive(Default)]
struct ThresholdAcc {
    model: Vec<f64>,
    fair: Vec<f64>,
    y: Vec<bool>,
}

#[derive(Default)]
struct PlayAcc {
    signals: u64,
    hits: u64,
    profit: f64,
    play_fair_sum: f64,
    play_fair_n: u64,
    all_fair_sum: f64,
    all_fair_n: u64,
}

/// The slot for `key` in `groups` (keys closer than 1e-9 are the same), created if new.
fn slot<T: Default>(groups: &mut Vec<(f64, T)>, key: f64) -> &mut T {
    let i = match groups.iter().position(|(k, _)| (k - key).abs() <= SAME) {
        Some(i) => i,
        None => {
            groups.push((key, T::default()));
            groups.len() - 1
        }
    };
    &mut groups[i].1
}

fn mean(x: &[f64]) -> f64 {
    if x.is_empty() {
        0.0
    } else {
        x.iter().sum::<f64>() / x.len() as f64
    }
}

/// Scores every prediction and signal.
///
/// A prediction is scored at threshold `thresholds[j]` only when both `probabilities[j]` and
/// `fair[j]` exist and are finite (and the threshold is finite); other thresholds of it are
/// skipped. Signals with a non-finite cash-out are counted in `signals` but in no row of
/// `plays`.
pub fn scoreboard(predictions: &[ScoredPrediction], signals: &[ScoredSignal]) -> Scoreboard {
    let mut by_threshold: Vec<(f64, ThresholdAcc)> = Vec::new();
    for p in predictions {
        for (j, &t) in p.thresholds.iter().enumerate() {
            let (Some(&pm), Some(&pf)) = (p.probabilities.get(j), p.fair.get(j)) else {
                continue;
            };
            if !(t.is_finite() && pm.is_finite() && pf.is_finite()) {
                continue;
            }
            let acc = slot(&mut by_threshold, t);
            acc.model.push(pm);
            acc.fair.push(pf);
            acc.y.push(reached(p.outcome, t));
        }
    }
    by_threshold.sort_by(|a, b| a.0.total_cmp(&b.0));
    let thresholds = by_threshold
        .into_iter()
        .map(|(threshold, acc)| threshold_live(threshold, acc))
        .collect();

    let mut by_cashout: Vec<(f64, PlayAcc)> = Vec::new();
    for s in signals.iter().filter(|s| s.cashout.is_finite()) {
        let acc = slot(&mut by_cashout, s.cashout);
        let fair_ok = s.fair_probability.is_finite();
        if fair_ok {
            acc.all_fair_sum += s.fair_probability;
            acc.all_fair_n += 1;
        }
        if s.play {
            acc.signals += 1;
            if reached(s.outcome, s.cashout) {
                acc.hits += 1;
                acc.profit += s.cashout - 1.0;
            } else {
                acc.profit -= 1.0;
            }
            if fair_ok {
                acc.play_fair_sum += s.fair_probability;
                acc.play_fair_n += 1;
            }
        }
    }
    by_cashout.sort_by(|a, b| a.0.total_cmp(&b.0));
    let plays = by_cashout
        .into_iter()
        .map(|(cashout, a)| play_stats(cashout, a))
        .collect();

    Scoreboard {
        predictions: predictions.len(),
        signals: signals.len(),
        plays,
        thresholds,
    }
}

/// One threshold's scores: Brier and log loss against the fair law, and the running
/// log-loss difference.
fn threshold_live(threshold: f64, acc: ThresholdAcc) -> ThresholdLive {
    let n = acc.y.len();
    let model_brier = mean(&brier_losses(&acc.model, &acc.y));
    let baseline_brier = mean(&brier_losses(&acc.fair, &acc.y));
    let ll_model = log_losses(&acc.model, &acc.y);
    let ll_fair = log_losses(&acc.fair, &acc.y);
    let mut running = 0.0;
    let cumulative_log_loss_diff = ll_model
        .iter()
        .zip(&ll_fair)
        .map(|(m, f)| {
            running += m - f;
            running
        })
        .collect();
    let hits = acc.y.iter().filter(|y| **y).count();
    let bss_interval = crate::scores::skill_from_losses(
        &brier_losses(&acc.model, &acc.y),
        &brier_losses(&acc.fair, &acc.y),
    )
    .ok()
    .map(|s| (s.low, s.high));
    ThresholdLive {
        threshold,
        n,
        observed_rate: hits as f64 / n as f64,
        observed_interval: wilson_interval(hits as u64, n as u64, Z_95),
        bss_interval,
        model_brier,
        baseline_brier,
        bss: if baseline_brier > 0.0 {
            1.0 - model_brier / baseline_brier
        } else {
            0.0
        },
        model_log_loss: mean(&ll_model),
        baseline_log_loss: mean(&ll_fair),
        cumulative_log_loss_diff,
    }
}

/// One cash-out's PLAY signals: hits with their interval, the base rate, the profit.
fn play_stats(cashout: f64, a: PlayAcc) -> PlayStats {
    let (low, high) = wilson_interval(a.hits, a.signals, Z_95);
    let base_rate = if a.play_fair_n > 0 {
        a.play_fair_sum / a.play_fair_n as f64
    } else if a.signals == 0 && a.all_fair_n > 0 {
        a.all_fair_sum / a.all_fair_n as f64
    } else {
        0.0
    };
    PlayStats {
        cashout,
        signals: a.signals,
        hits: a.hits,
        rate: (a.signals > 0).then(|| a.hits as f64 / a.signals as f64),
        low,
        high,
        base_rate,
        profit: a.profit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    fn pred(thresholds: &[f64], p: &[f64], fair: &[f64], outcome: u32) -> ScoredPrediction {
        ScoredPrediction {
            thresholds: thresholds.to_vec(),
            probabilities: p.to_vec(),
            fair: fair.to_vec(),
            outcome: Multiplier(outcome),
        }
    }

    fn sig(cashout: f64, play: bool, outcome: u32, fair: f64) -> ScoredSignal {
        ScoredSignal {
            cashout,
            play,
            outcome: Multiplier(outcome),
            fair_probability: fair,
        }
    }

    #[test]
    fn empty_input_gives_an_empty_scoreboard() {
        let s = scoreboard(&[], &[]);
        assert_eq!(
            s,
            Scoreboard {
                predictions: 0,
                signals: 0,
                plays: vec![],
                thresholds: vec![],
            }
        );
    }

    #[test]
    fn brier_and_log_loss_by_hand() {
        // Threshold 2, baseline 0.5. Outcomes 2.00 (hit: exactly at the threshold), 1.50
        // (miss), 3.00 (hit), 1.99 (miss). Model p = 0.8, 0.3, 0.6, 0.1.
        let preds = [
            pred(&[2.0], &[0.8], &[0.5], 200),
            pred(&[2.0], &[0.3], &[0.5], 150),
            pred(&[2.0], &[0.6], &[0.5], 300),
            pred(&[2.0], &[0.1], &[0.5], 199),
        ];
        let s = scoreboard(&preds, &[]);
        assert_eq!(s.predictions, 4);
        assert_eq!(s.thresholds.len(), 1);
        let t = &s.thresholds[0];
        assert_eq!((t.threshold, t.n), (2.0, 4));
        assert!(close(t.observed_rate, 0.5));
        // Brier: (0.04 + 0.09 + 0.16 + 0.01)/4 = 0.075; baseline 0.25; BSS = 0.7.
        assert!(close(t.model_brier, 0.075), "{}", t.model_brier);
        assert!(close(t.baseline_brier, 0.25));
        assert!(close(t.bss, 0.7), "{}", t.bss);
        // Delta method with a constant baseline: var = s²(model losses) / (0.25² · 4) =
        // 0.0043 / 0.25 = 0.0172, half-width 1.96 · 0.1311 = 0.2571.
        let (lo, hi) = t.bss_interval.unwrap();
        assert!(
            (lo - (0.7 - 0.2571)).abs() < 1e-3 && (hi - (0.7 + 0.2571)).abs() < 1e-3,
            "{lo} {hi}"
        );
        // Log loss: −[ln 0.8 + ln 0.7 + ln 0.6 + ln 0.9]/4; baseline ln 2.
        let ll = [0.8f64, 0.7, 0.6, 0.9].map(|p| -p.ln());
        assert!(close(t.model_log_loss, ll.iter().sum::<f64>() / 4.0));
        assert!(close(t.baseline_log_loss, std::f64::consts::LN_2));
        let ln2 = std::f64::consts::LN_2;
        let mut c = 0.0;
        for (i, l) in ll.iter().enumerate() {
            c += l - ln2;
            assert!(close(t.cumulative_log_loss_diff[i], c));
        }
        assert_eq!(t.cumulative_log_loss_diff.len(), 4);
        assert!(c < 0.0);
    }

    #[test]
    fn log_loss_clamps_certain_forecasts() {
        // p = 1 and a miss: −ln(1e-6), not infinity.
        let s = scoreboard(&[pred(&[2.0], &[1.0], &[0.485], 150)], &[]);
        let t = &s.thresholds[0];
        assert!(
            (t.model_log_loss - -(1e-6f64).ln()).abs() < 1e-9,
            "{}",
            t.model_log_loss
        );
        assert!(close(t.model_brier, 1.0));
        assert!(t.bss < 0.0);
    }

    #[test]
    fn model_equal_to_baseline_scores_zero() {
        let fair = [0.97 / 1.5, 0.485, 0.097];
        let preds: Vec<ScoredPrediction> = [100u32, 250, 1_200, 149, 150, 199, 200]
            .iter()
            .map(|&o| pred(&[1.5, 2.0, 10.0], &fair, &fair, o))
            .collect();
        let s = scoreboard(&preds, &[]);
        assert_eq!(s.thresholds.len(), 3);
        for t in &s.thresholds {
            assert_eq!(t.n, 7);
            assert_eq!(t.bss, 0.0);
            assert_eq!(t.model_brier, t.baseline_brier);
            assert_eq!(t.model_log_loss, t.baseline_log_loss);
            assert!(t.cumulative_log_loss_diff.iter().all(|d| *d == 0.0));
        }
        // Rates: ≥ 1.5: 250, 1200, 150, 199, 200 → 5/7; ≥ 2: 250, 1200, 200 → 3/7; ≥ 10: 1/7.
        let rates: Vec<f64> = s.thresholds.iter().map(|t| t.observed_rate).collect();
        assert!(close(rates[0], 5.0 / 7.0) && close(rates[1], 3.0 / 7.0));
        assert!(close(rates[2], 1.0 / 7.0));
    }

    #[test]
    fn a_sharp_model_beats_the_baseline() {
        // The model is 0.9 confident and right every time.
        let preds: Vec<ScoredPrediction> = (0..50)
            .map(|i| {
                let hit = i % 3 == 0;
                let p = if hit { 0.9 } else { 0.1 };
                pred(&[2.0], &[p], &[0.485], if hit { 500 } else { 120 })
            })
            .collect();
        let s = scoreboard(&preds, &[]);
        let t = &s.thresholds[0];
        let c = &t.cumulative_log_loss_diff;
        assert_eq!(c.len(), 50);
        assert!(*c.last().unwrap() < -10.0, "{c:?}");
        assert!(c.windows(2).all(|w| w[1] < w[0]));
        assert!(t.bss > 0.9);
    }

    #[test]
    fn thresholds_are_grouped_sorted_and_mismatches_skipped() {
        let preds = [
            pred(&[3.0, 1.5], &[0.3, 0.6], &[0.32, 0.64], 200),
            // Missing the fair value of 2.0: only 1.5 is scored.
            pred(&[1.5, 2.0], &[0.7, 0.5], &[0.64], 100),
            // Missing the probability of 3.0, NaN at 2.0.
            pred(&[2.0, 3.0], &[f64::NAN], &[0.485, 0.32], 400),
            pred(&[2.0 + 1e-12], &[0.5], &[0.485], 400),
            pred(&[], &[], &[], 400),
        ];
        let s = scoreboard(&preds, &[]);
        assert_eq!(s.predictions, 5);
        let got: Vec<(f64, usize)> = s.thresholds.iter().map(|t| (t.threshold, t.n)).collect();
        assert_eq!(got, vec![(1.5, 2), (2.0 + 1e-12, 1), (3.0, 1)]);
        assert_eq!(s.thresholds[0].observed_rate, 0.5);
        // 4.00 reaches 2 + 1e-12 (hundredths-safe comparison).
        assert_eq!(s.thresholds[1].observed_rate, 1.0);
        assert_eq!(s.thresholds[2].observed_rate, 0.0);
    }

    #[test]
    fn play_stats_profit_and_wilson() {
        let signals = [
            sig(2.0, true, 250, 0.485),    // hit: +1
            sig(2.0, true, 200, 0.485),    // hit exactly at the cash-out: +1
            sig(2.0, true, 199, 0.485),    // miss: −1
            sig(2.0, false, 1_000, 0.485), // WAIT: not counted
            sig(1.5, true, 100, 0.64),     // miss: −1
            sig(1.5, true, 151, 0.66),     // hit: +0.5
            sig(10.0, false, 120, 0.097),  // WAIT only
        ];
        let s = scoreboard(&[], &signals);
        assert_eq!((s.predictions, s.signals), (0, 7));
        let cashouts: Vec<f64> = s.plays.iter().map(|p| p.cashout).collect();
        assert_eq!(cashouts, vec![1.5, 2.0, 10.0]);

        let p15 = &s.plays[0];
        assert_eq!((p15.signals, p15.hits, p15.rate), (2, 1, Some(0.5)));
        assert!(close(p15.profit, -0.5));
        assert!(close(p15.base_rate, 0.65));
        assert_eq!((p15.low, p15.high), wilson_interval(1, 2, Z_95));

        let p2 = &s.plays[1];
        assert_eq!((p2.signals, p2.hits), (3, 2));
        assert!(close(p2.profit, 1.0));
        assert!(close(p2.rate.unwrap(), 2.0 / 3.0));
        assert_eq!((p2.low, p2.high), wilson_interval(2, 3, Z_95));
        assert!(close(p2.base_rate, 0.485));

        let p10 = &s.plays[2];
        assert_eq!((p10.signals, p10.hits, p10.rate), (0, 0, None));
        assert_eq!((p10.low, p10.high, p10.profit), (0.0, 1.0, 0.0));
        assert!(close(p10.base_rate, 0.097));
    }

    #[test]
    fn non_finite_cashouts_are_counted_but_not_tabled() {
        let s = scoreboard(
            &[],
            &[sig(f64::NAN, true, 200, 0.5), sig(2.0, true, 100, 0.485)],
        );
        assert_eq!(s.signals, 2);
        assert_eq!(s.plays.len(), 1);
        assert_eq!(s.plays[0].profit, -1.0);
    }

    proptest! {
        #[test]
        fn scoreboard_is_consistent(
            rows in proptest::collection::vec((0usize..3, 0.0f64..1.0, 100u32..600, any::<bool>()), 0..80),
        ) {
            let ts = [1.5, 2.0, 3.0];
            let preds: Vec<ScoredPrediction> = rows
                .iter()
                .map(|&(j, p, o, _)| pred(&[ts[j]], &[p], &[0.97 / ts[j]], o))
                .collect();
            let signals: Vec<ScoredSignal> = rows
                .iter()
                .map(|&(j, _, o, play)| sig(ts[j], play, o, 0.97 / ts[j]))
                .collect();
            let s = scoreboard(&preds, &signals);
            prop_assert_eq!(s.thresholds.iter().map(|t| t.n).sum::<usize>(), rows.len());
            for t in &s.thresholds {
                prop_assert_eq!(t.cumulative_log_loss_diff.len(), t.n);
                let last = *t.cumulative_log_loss_diff.last().unwrap();
                let expected = t.n as f64 * (t.model_log_loss - t.baseline_log_loss);
                prop_assert!((last - expected).abs() < 1e-9 * (1.0 + expected.abs()));
                prop_assert!(t.bss <= 1.0 && t.bss.is_finite());
            }
            let plays: u64 = s.plays.iter().map(|p| p.signals).sum();
            prop_assert_eq!(plays, rows.iter().filter(|r| r.3).count() as u64);
            for p in &s.plays {
                let expected = p.hits as f64 * (p.cashout - 1.0) - (p.signals - p.hits) as f64;
                prop_assert!((p.profit - expected).abs() < 1e-9);
                prop_assert!(p.low <= p.high);
            }
            prop_assert!(s.plays.windows(2).all(|w| w[0].cashout < w[1].cashout));
        }
    }
}
