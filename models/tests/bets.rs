//! The bet ledger's calendar and sums as properties: every period contains "now", a week
//! starts on a Monday, sums add up, and under the fair law the net result of many bets lies
//! in the range the ledger gives for it about 95% of the time.

use models::bets::{period_starts, rfc3339, settle, Exit, Position};
use models::values::Multiplier;
use proptest::prelude::*;

proptest! {
    #[test]
    fn every_period_contains_now(now in 0i64..4_102_444_800, offset in -14i64 * 3600..14 * 3600,
                                 gaps in proptest::collection::vec(1i64..7_200, 0..20)) {
        let mut t = now;
        let times: Vec<i64> = gaps.iter().map(|g| { t -= g; t }).collect();
        let p = period_starts(now, offset, &times);
        prop_assert!(p.day <= now && now < p.day + 86_400);
        prop_assert!(p.week <= p.day && p.day - p.week < 7 * 86_400);
        // A Monday on the player's clock (1970-01-05 was one).
        prop_assert_eq!((p.week + offset - 4 * 86_400).rem_euclid(7 * 86_400), 0);
        prop_assert!(p.month <= p.day && p.day - p.month < 31 * 86_400);
        prop_assert!(rfc3339(p.month + offset)[8..].starts_with("01T00:00:00"));
        prop_assert!(p.session <= now);
        prop_assert!(times.is_empty() || p.session == now || times.contains(&p.session));
    }

    #[test]
    fn positions_add_up(bets in proptest::collection::vec((0.1f64..100.0, 1.01f64..50.0, 100u32..10_000), 0..50)) {
        let settled: Vec<_> = bets.iter()
            .map(|&(s, c, x)| settle(s, Exit::Target(c), Multiplier(x), 0.03).unwrap())
            .collect();
        let (a, b) = settled.split_at(settled.len() / 2);
        let (pa, pb, all) = (Position::of(a), Position::of(b), Position::of(&settled));
        prop_assert_eq!(pa.bets + pb.bets, all.bets);
        prop_assert!((pa.net + pb.net - all.net).abs() < 1e-6);
        prop_assert!((pa.turnover + pb.turnover - all.turnover).abs() < 1e-6);
        prop_assert!((all.expected + 0.03 * all.turnover).abs() < 1e-6);
        prop_assert!(all.expected_low <= all.expected && all.expected <= all.expected_high);
    }
}

#[test]
fn the_fair_range_holds_the_net_result_about_95_percent_of_the_time() {
    use models::generator::FairGenerator;
    let mut inside = 0;
    let sessions = 2_000;
    for seed in 0..sessions {
        let rounds = FairGenerator {
            seed,
            house_edge: 0.03,
        }
        .generate(200);
        let bets: Vec<_> = rounds
            .iter()
            .enumerate()
            .map(|(i, x)| {
                settle(
                    1.0 + (i % 3) as f64,
                    Exit::Target([1.5, 2.0, 5.0][i % 3]),
                    *x,
                    0.03,
                )
                .unwrap()
            })
            .collect();
        inside += usize::from(!Position::of(&bets).outside_fair_range());
    }
    let share = inside as f64 / sessions as f64;
    // Binomial(2000, 0.95) sd is 0.5 points; the normal range is slightly off for skewed bets.
    assert!((0.93..=0.97).contains(&share), "{share}");
}
