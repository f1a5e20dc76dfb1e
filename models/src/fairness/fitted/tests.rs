use super::*;
use crate::generator::uniform_open_closed;
use crate::generator::FairGenerator;
use rand_core::SeedableRng;

fn fair(seed: u64, house_edge: f64, n: usize) -> Vec<Multiplier> {
    FairGenerator { seed, house_edge }.generate(n)
}

/// P(X ≥ x) = x^−α for x ≥ 1, floored to hundredths (α = 1: a crash game without edge).
fn pareto(seed: u64, alpha: f64, n: usize) -> Vec<Multiplier> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let u = uniform_open_closed(&mut rng);
            Multiplier(((100.0 * u.powf(-1.0 / alpha)).floor() as u32).max(100))
        })
        .collect()
}

#[test]
fn the_cut_fit_is_the_binomial_mle_with_its_likelihood_ratio_interval() {
    let (k, n, x_c) = (4_527u64, 6_999u64, 1.5);
    let f = binomial_at_cut(k, n, x_c, 0.97);
    assert!((f.rtp - 1.5 * 4_527.0 / 6_999.0).abs() < 1e-12);
    // The interval's ends are where twice the log-likelihood drops by χ²₁(0.95).
    let ll = |r: f64| {
        let p = r / x_c;
        k as f64 * p.ln() + (n - k) as f64 * (1.0 - p).ln()
    };
    for end in [f.low, f.high] {
        assert!((2.0 * (ll(f.rtp) - ll(end)) - 3.841_458_820_694_124).abs() < 1e-6);
    }
    // Close to the Wilson (score) interval at this n.
    let (wl, wh) = crate::summary::wilson_interval(k, n, crate::summary::Z_95);
    assert!((f.low - x_c * wl).abs() < 1e-3 && (f.high - x_c * wh).abs() < 1e-3);
    // The LR p-value against its closed form.
    let stat: f64 = 2.0 * (ll(f.rtp) - ll(0.97));
    assert!((f.p_claimed - stats::chi2_sf(stat, 1.0)).abs() < 1e-12);
    assert!((binomial_at_cut(k, n, x_c, f.rtp).p_claimed - 1.0).abs() < 1e-9);
    // Every round above, or none: an open-ended side, no NaN.
    let all = binomial_at_cut(100, 100, 1.5, 0.97);
    assert_eq!((all.rtp, all.high), (1.5, 1.5));
    assert!(all.low > 1.4 && all.low < 1.5 && all.p_claimed < 1e-6);
    let none = binomial_at_cut(0, 100, 1.5, 0.97);
    assert_eq!((none.rtp, none.low), (0.0, 0.0));
    assert!(none.high > 0.0 && none.high < 0.1);
}

#[test]
fn the_rtp_interval_covers_the_true_rtp_about_95_percent_of_the_time() {
    let mut covered = 0;
    let runs = 200;
    for seed in 0..runs {
        let f = fit(&fair(7_000 + seed, 0.01, 3_000), 0.99, 0.05);
        if f.rtp_low <= 0.99 && 0.99 <= f.rtp_high {
            covered += 1;
        }
    }
    // 95% of 200 = 190; a binomial 99.9% band is about ±9.
    assert!(
        (180..=199).contains(&covered),
        "covered {covered} of {runs}"
    );
}

#[test]
fn another_operators_rtp_is_measured_and_its_missing_instant_crashes_named() {
    // RTP 99%, and the export holds no 1.00x rounds (they read 1.01x).
    let v: Vec<Multiplier> = fair(3, 0.01, 16_829)
        .into_iter()
        .map(|m| Multiplier(m.0.max(101)))
        .collect();
    let f = fit(&v, 0.97, 0.05);
    assert!(f.rtp_low < 0.99 && 0.99 < f.rtp_high, "{f:?}");
    assert!(f.p_claimed < 0.01, "{f:?}");
    assert!((f.house_edge - (1.0 - f.rtp)).abs() < 1e-12);
    assert!(f.low < 0.01 && 0.01 < f.high);
    assert_eq!(f.instant_crash, "missing");
    assert!((f.instant_crash_expected - (1.0 - f.rtp / 1.01)).abs() < 1e-12);
    let v = rtp_verdict(&f, 0.05);
    assert!(v.departure);
    assert!(v.text.contains("not the configured 97.0%"), "{}", v.text);
    assert!(v.text.contains("instant crashes are missing"), "{}", v.text);
    // The same history tested against its own RTP is consistent.
    assert!(!rtp_verdict(&fit(&fair(3, 0.01, 16_829), 0.99, 0.05), 0.05).departure);
}

#[test]
fn a_94_percent_operator_is_told_from_97_at_7000_rounds() {
    let mut told = 0;
    for seed in 0..20 {
        let f = fit(&fair(500 + seed, 0.06, 7_000), 0.97, 0.05);
        told += usize::from(rtp_verdict(&f, 0.05).departure);
    }
    // z ≈ 3.5: power ≈ 94%.
    assert!(told >= 16, "{told} of 20");
}

#[test]
fn instant_crash_share_follows_the_law_or_is_named() {
    let mut as_law = 0;
    for seed in 0..20 {
        as_law +=
            usize::from(fit(&fair(40 + seed, 0.03, 7_000), 0.97, 0.05).instant_crash == "as_law");
    }
    // The test's level is 5%: 19 of 20 expected.
    assert!(as_law >= 17, "{as_law}");
    // The game takes rounds that would have crashed at 1.01x-1.19x at 1.00x instead.
    let v: Vec<Multiplier> = fair(1, 0.03, 7_000)
        .into_iter()
        .map(|m| if m.0 < 120 { Multiplier(100) } else { m })
        .collect();
    let f = fit(&v, 0.97, 0.05);
    assert_eq!(f.instant_crash, "excess", "{f:?}");
    assert!(rtp_verdict(&f, 0.05).text.contains("More rounds at 1.00x"));
}

#[test]
fn the_tail_exponent_is_one_for_the_crash_law_and_found_otherwise() {
    let mut covered = 0;
    for seed in 0..40 {
        let (a, lo, hi, _) = tail_fit(&fair(900 + seed, 0.03, 10_000), 2.0);
        assert!((a - 1.0).abs() < 0.1, "{a}");
        covered += usize::from(lo <= 1.0 && 1.0 <= hi);
    }
    assert!(covered >= 34, "{covered} of 40");
    for alpha in [0.8, 1.3] {
        let (a, lo, hi, p) = tail_fit(&pareto(7, alpha, 20_000), 2.0);
        assert!(lo <= alpha && alpha <= hi, "{alpha}: {a} [{lo}, {hi}]");
        assert!(p < 1e-6, "{alpha}: p {p}");
    }
    // Hill's closed form on unfloored values is the continuous MLE; the floored fit is
    // close to it at large values.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let xs: Vec<f64> = (0..5_000)
        .map(|_| 50.0 * uniform_open_closed(&mut rng).powf(-1.0 / 1.2))
        .collect();
    let hill = xs.len() as f64 / xs.iter().map(|x| (x / 50.0).ln()).sum::<f64>();
    let floored: Vec<Multiplier> = xs
        .iter()
        .map(|x| Multiplier((100.0 * x).floor() as u32))
        .collect();
    let (a, ..) = tail_fit(&floored, 50.0);
    assert!((a - hill).abs() < 0.01, "{a} vs Hill {hill}");
    assert!(tail_fit(&fair(1, 0.03, 20), 2.0).0.is_nan());
}

#[test]
fn degenerate_histories_give_numbers_not_panics() {
    let ones = vec![Multiplier(100); 50];
    let f = fit(&ones, 0.97, 0.05);
    assert_eq!(f.rtp, 0.0);
    // Every round an instant crash: the law with RTP 0.
    assert_eq!(f.instant_crash, "as_law");
    assert!(rtp_verdict(&f, 0.05).departure);
    let high = vec![Multiplier(1_000); 50];
    let f = fit(&high, 0.97, 0.05);
    assert_eq!(f.instant_crash, "missing");
    assert!(!rtp_verdict(&f, 0.05).text.is_empty());
}
