//! Where a file's rounds are already stored: the longest run of consecutive values that the
//! file and the stored history share. A player who imports the same export twice, or a
//! newer export that repeats the rounds stored last time, is told before the history
//! doubles, and can store only what is new.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Shorter shared runs are not evidence of a repeated file: by chance, two independent
/// crash histories share a run of 8 values with probability far below one in a million.
pub const MIN_RUN: usize = 8;

/// A run of `len` consecutive values found at `file_start` in the file and at
/// `stored_start` in the stored history (0-based positions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Overlap {
    pub file_start: usize,
    pub stored_start: usize,
    pub len: usize,
}

impl Overlap {
    /// The file's values outside the shared run, in their order (what "skip" stores).
    pub fn outside<T: Copy>(&self, file: &[T]) -> Vec<T> {
        let end = (self.file_start + self.len).min(file.len());
        let start = self.file_start.min(end);
        file[..start].iter().chain(&file[end..]).copied().collect()
    }
}

/// The longest run of at least [`MIN_RUN`] consecutive values that `file` and `stored`
/// share (the earliest in the history among equals), in time linear in both lengths plus
/// the runs found.
pub fn longest_shared_run<T: Copy + Eq + std::hash::Hash>(
    stored: &[T],
    file: &[T],
) -> Option<Overlap> {
    if stored.len() < MIN_RUN || file.len() < MIN_RUN {
        return None;
    }
    // Where each window of the file starts; a window repeated inside the file (a constant
    // stretch) keeps a few starts, which is enough to find its runs.
    let mut starts: HashMap<&[T], Vec<usize>> = HashMap::with_capacity(file.len());
    for (p, window) in file.windows(MIN_RUN).enumerate() {
        let list = starts.entry(window).or_default();
        if list.len() < 64 {
            list.push(p);
        }
    }
    let mut best: Option<Overlap> = None;
    // A run is followed once, from its first window: later windows of the same diagonal
    // (stored position − file position) inside it are skipped.
    let mut covered: HashMap<isize, usize> = HashMap::new();
    for (i, window) in stored.windows(MIN_RUN).enumerate() {
        let Some(list) = starts.get(window) else {
            continue;
        };
        for &p in list {
            let diagonal = i as isize - p as isize;
            if covered.get(&diagonal).is_some_and(|&end| i < end) {
                continue;
            }
            let len = MIN_RUN
                + stored[i + MIN_RUN..]
                    .iter()
                    .zip(&file[p + MIN_RUN..])
                    .take_while(|(a, b)| a == b)
                    .count();
            covered.insert(diagonal, i + len);
            if best.is_none_or(|b| len > b.len) {
                best = Some(Overlap {
                    file_start: p,
                    stored_start: i,
                    len,
                });
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The longest shared run by brute force (every pair of starts).
    fn naive(stored: &[u8], file: &[u8]) -> usize {
        let mut best = 0;
        for i in 0..stored.len() {
            for p in 0..file.len() {
                let n = stored[i..]
                    .iter()
                    .zip(&file[p..])
                    .take_while(|(a, b)| a == b)
                    .count();
                best = best.max(n);
            }
        }
        best
    }

    #[test]
    fn the_same_file_twice_overlaps_entirely() {
        let history: Vec<u32> = (0..5_000).map(|i| (i * 7919 % 1000) as u32 + 100).collect();
        let o = longest_shared_run(&history, &history).unwrap();
        assert_eq!(
            o,
            Overlap {
                file_start: 0,
                stored_start: 0,
                len: 5_000
            }
        );
        assert!(o.outside(&history).is_empty());
    }

    #[test]
    fn a_newer_export_repeats_the_stored_tail_and_skip_keeps_the_new_rounds() {
        let all: Vec<u32> = (0..3_000).map(|i| (i * 104_729 % 9973) as u32).collect();
        let (stored, file) = (&all[..2_000], &all[1_500..]);
        let o = longest_shared_run(stored, file).unwrap();
        assert_eq!(
            o,
            Overlap {
                file_start: 0,
                stored_start: 1_500,
                len: 500
            }
        );
        assert_eq!(o.outside(file), all[2_000..].to_vec());
    }

    #[test]
    fn short_histories_and_chance_runs_are_not_overlaps() {
        assert_eq!(longest_shared_run(&[1u32, 2, 3], &[1, 2, 3]), None);
        // Seven equal values in a row is below the evidence a repeated file gives.
        let stored = [9u32, 1, 2, 3, 4, 5, 6, 7, 9, 9];
        let file = [8u32, 1, 2, 3, 4, 5, 6, 7, 8, 8];
        assert_eq!(longest_shared_run(&stored, &file), None);
    }

    proptest! {
        #[test]
        fn finds_the_longest_run_brute_force_finds(
            stored in proptest::collection::vec(0u8..3, 0..60),
            file in proptest::collection::vec(0u8..3, 0..60),
        ) {
            let expected = naive(&stored, &file);
            match longest_shared_run(&stored, &file) {
                Some(o) => {
                    prop_assert_eq!(o.len, expected);
                    prop_assert_eq!(
                        &stored[o.stored_start..o.stored_start + o.len],
                        &file[o.file_start..o.file_start + o.len]
                    );
                }
                None => prop_assert!(expected < MIN_RUN),
            }
        }
    }
}
