//! Time-budgeted model search (the AutoGluon/Optuna role), nested inside the training period.
//!
//! [`search`] reads only `rounds[..train_end]`. Each candidate is scored by an inner
//! walk-forward on that prefix: forecasts from `inner_start_fraction·train_end` on, fitted
//! on the rounds before them. Two rungs of successive halving: rung 0 fits each candidate
//! once (refit never, every 2nd round forecast), the better half (at least `keep_min`) goes
//! on to rung 1 (refits every `train_end/inner_refits` rounds, every round forecast). The
//! ranking uses the highest rung a candidate reached, then its mean log loss over the
//! thresholds. The budget is checked before each evaluation; what was scored by then counts.

use crate::gbt::{GbtConfig, GbtForecaster};
use crate::member::MemberFactory;
use models::error::EvalError;
use models::features::{self, FeatureMatrix};
use models::scores;
use models::summary::fair_survival;
use models::values::Multiplier;
use models::walkforward::{self, Refit, WalkForwardConfig};
use serde::{Deserialize, Serialize};
use std::time::{Duration, Instant};

/// Settings of the search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchConfig {
    pub thresholds: Vec<f64>,
    /// Inner forecasts start at this share of the training period.
    pub inner_start_fraction: f64,
    /// Rung-1 refits over the inner forecast period.
    pub inner_refits: usize,
    /// Fewest candidates promoted to rung 1.
    pub keep_min: usize,
    /// Successive halving on; off = every candidate at rung 1 directly.
    pub halving: bool,
    pub house_edge: f64,
    pub min_train: usize,
}

impl Default for SearchConfig {
    fn default() -> Self {
        Self {
            thresholds: models::forecast::DEFAULT_THRESHOLDS.to_vec(),
            inner_start_fraction: 0.5,
            inner_refits: 3,
            keep_min: 3,
            halving: true,
            house_edge: models::generator::DEFAULT_HOUSE_EDGE,
            min_train: 200,
        }
    }
}

/// One candidate's inner walk-forward score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateScore {
    pub label: String,
    pub kind: String,
    pub params: serde_json::Value,
    /// Highest rung reached (0 or 1); `None` if never scored (budget).
    pub rung: Option<usize>,
    /// Mean over thresholds of the mean log loss at the highest rung.
    pub log_loss: Option<f64>,
    /// The fair law's on the same rows.
    pub fair_log_loss: Option<f64>,
    pub log_loss_per_threshold: Vec<f64>,
    pub forecasts: usize,
    pub seconds: f64,
    pub error: Option<String>,
}

/// What the search did (serialisable; stored in the model metadata).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchReport {
    pub train_end: usize,
    pub inner_start: usize,
    pub budget_s: f64,
    pub elapsed_s: f64,
    pub budget_exhausted: bool,
    /// In the order given.
    pub candidates: Vec<CandidateScore>,
    /// Indices into `candidates`, best first (scored ones only).
    pub ranking: Vec<usize>,
}

/// Progress of the search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchProgress {
    pub rung: usize,
    pub done: usize,
    pub total: usize,
    pub label: String,
    pub elapsed: Duration,
}

/// The report and the factories, best first.
#[derive(Debug, Clone)]
pub struct SearchResult {
    pub report: SearchReport,
    pub ranked: Vec<MemberFactory>,
}

impl SearchResult {
    pub fn best(&self) -> Option<&MemberFactory> {
        self.ranked.first()
    }

    /// The best candidate of each kind, in ranking order (e.g. best gbt, best logistic…).
    pub fn best_per_kind(&self) -> Vec<MemberFactory> {
        let mut seen = std::collections::BTreeSet::new();
        self.ranked
            .iter()
            .filter(|f| seen.insert(f.kind.clone()))
            .cloned()
            .collect()
    }
}

/// Why the search failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("no candidates to search")]
    NoCandidates,
    #[error("training period of {got} rounds is too short for the search (needs {needed})")]
    TooShort { needed: usize, got: usize },
    #[error("no candidate could be scored within the budget")]
    NothingScored,
    #[error(transparent)]
    Eval(#[from] EvalError),
}

/// The search space used by the CLI by default: fair law, empirical, logistic (λ ∈ {0.3, 1,
/// 3, 10}) and `n_gbt` seeded random GBT settings (depth 1–3, learning rate 0.01–0.05,
/// 50–200 rounds, min leaf weight 50–400, L2 1–30).
pub fn default_candidates(n_gbt: usize, seed: u64) -> Vec<MemberFactory> {
    let mut c = vec![
        MemberFactory::fair(models::generator::DEFAULT_HOUSE_EDGE),
        MemberFactory::empirical(),
    ];
    for l2 in [0.3, 1.0, 3.0, 10.0] {
        c.push(MemberFactory::logistic(l2));
    }
    c.extend(random_gbt_candidates(n_gbt, seed));
    c
}

/// `n` random GBT configurations (seeded).
pub fn random_gbt_candidates(n: usize, seed: u64) -> Vec<MemberFactory> {
    let mut s = seed ^ 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        // splitmix64
        s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    (0..n)
        .map(|i| {
            let depth = [1usize, 2, 3][(next() % 3) as usize];
            let lr = [0.01f32, 0.03, 0.05][(next() % 3) as usize];
            let iters = [50usize, 100, 200][(next() % 3) as usize];
            let min_leaf = [50.0f32, 100.0, 200.0, 400.0][(next() % 4) as usize];
            let l2 = [1.0f32, 10.0, 30.0][(next() % 3) as usize];
            GbtForecaster::factory(GbtConfig {
                iterations: iters,
                learning_rate: lr,
                max_depth: depth,
                min_leaf_weight: min_leaf,
                l2,
                seed: seed.wrapping_add(i as u64),
                ..GbtConfig::default()
            })
        })
        .collect()
}

/// Searches `candidates` on `rounds[..train_end]` only, within `budget`.
pub fn search(
    rounds: &[Multiplier],
    train_end: usize,
    candidates: Vec<MemberFactory>,
    budget: Duration,
    config: &SearchConfig,
    mut progress: impl FnMut(&SearchProgress),
) -> Result<SearchResult, SearchError> {
    let t0 = Instant::now();
    if candidates.is_empty() {
        return Err(SearchError::NoCandidates);
    }
    let train_end = train_end.min(rounds.len());
    let train = &rounds[..train_end];
    let inner_start = ((train_end as f64) * config.inner_start_fraction.clamp(0.2, 0.9)) as usize;
    let inner_start = inner_start.max(config.min_train.max(2));
    if inner_start + 50 > train_end {
        return Err(SearchError::TooShort {
            needed: inner_start + 50,
            got: train_end,
        });
    }
    // Causal features: computing them on the prefix equals the prefix of the full matrix.
    let feats = features::compute(train);
    let mut scores: Vec<CandidateScore> = candidates.iter().map(CandidateScore::unscored).collect();
    let mut exhausted = false;
    let rungs: Vec<usize> = if config.halving { vec![0, 1] } else { vec![1] };
    let mut alive: Vec<usize> = (0..candidates.len()).collect();
    for (ri, &rung) in rungs.iter().enumerate() {
        let cfg = rung_config(rung, inner_start, train_end, config);
        let total = alive.len();
        for (done, &ci) in alive.iter().enumerate() {
            if t0.elapsed() >= budget {
                exhausted = true;
                break;
            }
            let f = &candidates[ci];
            progress(&SearchProgress {
                rung,
                done,
                total,
                label: f.label.clone(),
                elapsed: t0.elapsed(),
            });
            scores[ci].evaluate(f, train, &feats, &cfg, rung, config.house_edge)?;
        }
        if exhausted {
            break;
        }
        if ri + 1 < rungs.len() {
            alive = halve(&alive, &scores, rung, config.keep_min);
        }
    }
    let ranking = rank(&scores);
    if ranking.is_empty() {
        return Err(SearchError::NothingScored);
    }
    let ranked = ranking.iter().map(|&i| candidates[i].clone()).collect();
    Ok(SearchResult {
        report: SearchReport {
            train_end,
            inner_start,
            budget_s: budget.as_secs_f64(),
            elapsed_s: t0.elapsed().as_secs_f64(),
            budget_exhausted: exhausted,
            candidates: scores,
            ranking,
        },
        ranked,
    })
}

/// The inner walk-forward of `rung`: rung 0 fits once and forecasts every 2nd round, rung 1
/// refits `inner_refits` times over the inner forecast period and forecasts every round.
fn rung_config(
    rung: usize,
    inner_start: usize,
    train_end: usize,
    config: &SearchConfig,
) -> WalkForwardConfig {
    WalkForwardConfig {
        start: inner_start,
        stride: if rung == 0 { 2 } else { 1 },
        gap: 0,
        refit: if rung == 0 {
            Refit::Never
        } else {
            Refit::EveryN(((train_end - inner_start) / config.inner_refits.max(1)).max(1))
        },
        min_train: config.min_train,
        thresholds: config.thresholds.clone(),
    }
}

/// Indices of the scored candidates, best first (see [`cmp_scores`]).
fn rank(scores: &[CandidateScore]) -> Vec<usize> {
    let mut ranking: Vec<usize> = (0..scores.len())
        .filter(|&i| scores[i].log_loss.is_some())
        .collect();
    ranking.sort_by(|&a, &b| cmp_scores(&scores[a], &scores[b]));
    ranking
}

impl CandidateScore {
    fn unscored(f: &MemberFactory) -> Self {
        CandidateScore {
            label: f.label.clone(),
            kind: f.kind.clone(),
            params: f.params.clone(),
            rung: None,
            log_loss: None,
            fair_log_loss: None,
            log_loss_per_threshold: Vec::new(),
            forecasts: 0,
            seconds: 0.0,
            error: None,
        }
    }

    /// Scores candidate `f` by its inner walk-forward `cfg` at `rung` on the training
    /// prefix `train` (features `feats`): its record, or the error that stopped it, and the
    /// time it took.
    fn evaluate(
        &mut self,
        f: &MemberFactory,
        train: &[Multiplier],
        feats: &FeatureMatrix,
        cfg: &WalkForwardConfig,
        rung: usize,
        house_edge: f64,
    ) -> Result<(), SearchError> {
        let s0 = Instant::now();
        let mut m = f.make();
        match walkforward::run_with_features(train, feats, m.as_mut(), cfg, |_, _| {}) {
            Ok(wf) => self.record(&wf, rung, house_edge)?,
            Err(e) => self.error = Some(e.to_string()),
        }
        self.seconds += s0.elapsed().as_secs_f64();
        Ok(())
    }

    /// Keeps a walk-forward run's log loss per threshold, its mean, and the fair law's.
    fn record(
        &mut self,
        wf: &walkforward::WalkForward,
        rung: usize,
        house_edge: f64,
    ) -> Result<(), SearchError> {
        let mut per = Vec::new();
        let mut fair = Vec::new();
        for (k, &t) in wf.thresholds.iter().enumerate() {
            let y = wf.outcomes(k);
            let p = wf.probs(k);
            per.push(scores::log_loss(&p, &y)?);
            let pf = vec![fair_survival(t, house_edge); y.len()];
            fair.push(scores::log_loss(&pf, &y)?);
        }
        self.log_loss = Some(per.iter().sum::<f64>() / per.len().max(1) as f64);
        self.fair_log_loss = Some(fair.iter().sum::<f64>() / fair.len().max(1) as f64);
        self.log_loss_per_threshold = per;
        self.forecasts = wf.rows.len();
        self.rung = Some(rung);
        self.error = None;
        Ok(())
    }
}

/// Successive halving: the better half of the candidates scored at `rung` (at least
/// `keep_min`) go on to the next rung.
fn halve(alive: &[usize], scores: &[CandidateScore], rung: usize, keep_min: usize) -> Vec<usize> {
    let mut scored: Vec<usize> = alive
        .iter()
        .copied()
        .filter(|&i| scores[i].rung == Some(rung))
        .collect();
    scored.sort_by(|&a, &b| cmp_scores(&scores[a], &scores[b]));
    let keep = scored.len().div_ceil(2).max(keep_min).min(scored.len());
    scored.truncate(keep);
    scored
}

fn cmp_scores(a: &CandidateScore, b: &CandidateScore) -> std::cmp::Ordering {
    // Higher rung first, then lower log loss.
    b.rung.cmp(&a.rung).then_with(|| {
        a.log_loss
            .unwrap_or(f64::INFINITY)
            .total_cmp(&b.log_loss.unwrap_or(f64::INFINITY))
    })
}

/// A text table of a search report.
pub fn render_search(r: &SearchReport) -> String {
    use std::fmt::Write as _;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Model search on rounds 0..{} (inner forecasts from {}), {:.1}s of {:.1}s budget{}",
        r.train_end,
        r.inner_start,
        r.elapsed_s,
        r.budget_s,
        if r.budget_exhausted {
            " (budget used up)"
        } else {
            ""
        }
    );
    let _ = writeln!(
        o,
        "{:>4} {:>5} {:>10} {:>10} {:>8}  candidate",
        "rank", "rung", "log loss", "fair", "seconds"
    );
    for (rank, &i) in r.ranking.iter().enumerate() {
        let c = &r.candidates[i];
        let _ = writeln!(
            o,
            "{:>4} {:>5} {:>10.6} {:>10.6} {:>8.2}  {}",
            rank + 1,
            c.rung.map_or("-".into(), |v| v.to_string()),
            c.log_loss.unwrap_or(f64::NAN),
            c.fair_log_loss.unwrap_or(f64::NAN),
            c.seconds,
            c.label
        );
    }
    for c in r.candidates.iter().filter(|c| c.error.is_some()) {
        let _ = writeln!(
            o,
            "  failed: {}: {}",
            c.label,
            c.error.as_deref().unwrap_or("")
        );
    }
    o
}
