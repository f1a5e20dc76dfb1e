//! Responsible-play limits as properties: no request ever loosens a limit at once, every
//! request applies within 24 hours, and the amounts a limit counts are bounded by what they
//! count (time by the window, loss by the stakes).

use models::bets::{settle, Exit, TimedBet};
use models::limits::{used, Limit, LimitKind, LimitPeriod, RAISE_DELAY_S};
use models::sessions::{current_session, time_played};
use models::values::Multiplier;
use proptest::prelude::*;

fn kind() -> impl Strategy<Value = LimitKind> {
    prop::sample::select(LimitKind::ALL.to_vec())
}

fn period() -> impl Strategy<Value = LimitPeriod> {
    prop::sample::select(LimitPeriod::ALL.to_vec())
}

/// `a` limits at least as tightly as `b`.
fn at_most(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(a), Some(b)) => a <= b,
    }
}

proptest! {
    #[test]
    fn no_request_loosens_a_limit_before_a_day_has_passed(
        kind in kind(), period in period(),
        requests in prop::collection::vec((prop::option::of(1u32..1_000), 0i64..100_000), 1..30),
    ) {
        let mut limit = Limit::none(kind, period);
        let mut now = 1_800_000_000i64;
        for (amount, wait) in requests {
            now += wait;
            let amount = amount.map(f64::from);
            let before = limit.at(now);
            limit = limit.request(amount, now).unwrap();
            let after = limit.at(now);
            // Never looser at once…
            prop_assert!(at_most(after.amount, before.amount), "{before:?} → {after:?}");
            // …and what was asked applies within a day, unless asked again meanwhile.
            prop_assert_eq!(limit.at(now + RAISE_DELAY_S).amount, amount);
        }
    }

    #[test]
    fn time_played_is_bounded_by_its_window_and_grows_with_it(
        gaps in prop::collection::vec(1i64..4_000, 0..60), since_back in 0i64..300_000,
    ) {
        let now = 1_800_000_000i64;
        let mut t = now;
        let times: Vec<i64> = gaps.iter().map(|g| { t -= g; t }).collect();
        let short = time_played(&times, now - since_back, now);
        let long = time_played(&times, now - since_back - 86_400, now);
        prop_assert!(0 <= short && short <= since_back);
        prop_assert!(short <= long);
        if let Some((start, last)) = current_session(&times, now) {
            prop_assert!(start <= last && last <= now);
            // The open session counts in full when the window covers it.
            prop_assert!(time_played(&times, start - 1, now) >= now - start);
        }
    }

    #[test]
    fn a_net_loss_is_never_above_the_stakes(
        bets in prop::collection::vec((0.1f64..100.0, 1.01f64..20.0, 100u32..5_000, 0i64..3_000_000), 0..40),
        kind in kind(), period in period(),
    ) {
        let now = 1_800_000_000i64;
        let timed: Vec<TimedBet> = bets.iter().map(|&(s, c, x, back)| TimedBet {
            at: now - back,
            bet: settle(s, Exit::Target(c), Multiplier(x), 0.03).unwrap(),
        }).collect();
        let activity: Vec<i64> = timed.iter().map(|b| b.at).collect();
        let loss = used(LimitKind::Loss, period, &timed, &activity, now);
        let stake = used(LimitKind::Stake, period, &timed, &activity, now);
        prop_assert!(0.0 <= loss && loss <= stake + 1e-9);
        let minutes = used(LimitKind::Time, period, &timed, &activity, now);
        prop_assert!(minutes * 60.0 <= period.seconds() as f64 + 1e-9);
        prop_assert!(used(kind, period, &timed, &activity, now) >= 0.0);
    }
}
