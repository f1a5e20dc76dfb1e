//! The last-rounds chart follows a typed round as soon as the server has stored it: the
//! stored row (its position and value) is all the chart needs when it shows every round of
//! its window, so it is redrawn without waiting for the dashboard's second request. The
//! dashboard's own answer, which comes later, replaces it (and is the same).

use crate::types::{ChartPoint, CHART_POINTS};

/// The chart's points after a round stored at `position` (the newest, 1-based) with
/// `value`, when they follow from `points` alone: the window shows each of its rounds
/// (none thinned), ends just before `position`, and is the whole history when shorter
/// than `last_n`. `None`: only the server can say (thinned windows, a round stored
/// elsewhere in between).
pub fn appended(
    points: &[ChartPoint],
    last_n: usize,
    position: i64,
    value: f64,
) -> Option<Vec<ChartPoint>> {
    let contiguous = points
        .windows(2)
        .all(|w| w[1].position == w[0].position + 1);
    let complete = points.len() >= last_n || points.first().is_none_or(|p| p.position == 1);
    let next = points.last().map_or(1, |p| p.position + 1);
    if !contiguous || !complete || points.len() > last_n || position != next || last_n == 0 {
        return None;
    }
    let skip = (points.len() + 1).saturating_sub(last_n);
    let mut out = Vec::with_capacity(points.len() + 1 - skip);
    out.extend_from_slice(&points[skip..]);
    out.push(ChartPoint { position, value });
    // Longer windows are thinned by the server (min/max per stretch).
    (out.len() <= CHART_POINTS).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The server's window: the last `last_n` of `values`, as 1-based positions.
    fn window(values: &[f64], last_n: usize) -> Vec<ChartPoint> {
        let start = values.len().saturating_sub(last_n);
        values[start..]
            .iter()
            .enumerate()
            .map(|(i, &value)| ChartPoint {
                position: (start + i + 1) as i64,
                value,
            })
            .collect()
    }

    proptest! {
        /// Appending locally gives exactly the window the server computes from the longer
        /// history, whenever it gives anything; and it always does below the thinning limit.
        #[test]
        fn appended_equals_the_servers_window(
            values in prop::collection::vec(1.0f64..100.0, 0..300),
            last_n in 1usize..120,
            next in 1.0f64..100.0,
        ) {
            let before = window(&values, last_n);
            let got = appended(&before, last_n, values.len() as i64 + 1, next);
            let mut longer = values.clone();
            longer.push(next);
            prop_assert_eq!(got, Some(window(&longer, last_n)));
        }

        /// A round that is not the next position (stored elsewhere meanwhile, or an old
        /// answer) is left to the server.
        #[test]
        fn another_position_is_left_to_the_server(
            values in prop::collection::vec(1.0f64..100.0, 1..200),
            last_n in 1usize..120,
            offset in prop::sample::select(vec![-3i64, -1, 0, 2, 7]),
        ) {
            let before = window(&values, last_n);
            let position = values.len() as i64 + 1 + offset;
            prop_assume!(offset != 0);
            prop_assert_eq!(appended(&before, last_n, position, 2.0), None);
        }
    }

    #[test]
    fn a_thinned_or_partial_window_is_left_to_the_server() {
        let p = |position, value| ChartPoint { position, value };
        // Thinned: positions jump.
        assert_eq!(appended(&[p(1, 1.0), p(5, 2.0)], 200, 6, 3.0), None);
        // Shorter than last_n yet not starting at round 1: rounds before it are missing.
        assert_eq!(appended(&[p(3, 1.0), p(4, 2.0)], 200, 5, 3.0), None);
        // The first round of a history.
        assert_eq!(appended(&[], 200, 1, 3.0), Some(vec![p(1, 3.0)]));
        // Past the thinning limit the server thins, so it is not guessed here.
        let full = window(&vec![2.0; CHART_POINTS], 10_000);
        assert_eq!(appended(&full, 10_000, CHART_POINTS as i64 + 1, 3.0), None);
        let below = window(&vec![2.0; CHART_POINTS - 1], 10_000);
        assert_eq!(
            appended(&below, 10_000, CHART_POINTS as i64, 3.0).map(|v| v.len()),
            Some(CHART_POINTS)
        );
    }
}
