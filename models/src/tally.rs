//! How many rounds hold each value: the counts behind the headline statistics, the
//! histogram, the category shares and the survival curve. A stored history keeps one up to
//! date round by round, so those numbers cost the same at 7,000 rounds as at 1,000,000
//! (they depend on the number of distinct values, not of rounds).

use crate::values::Multiplier;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    /// Rounds per value in hundredths.
    counts: BTreeMap<u32, u64>,
    n: u64,
    /// Sum of the values in hundredths (exact, so the mean does not drift as rounds come
    /// and go).
    sum: u128,
}

impl Tally {
    pub fn of(values: &[Multiplier]) -> Self {
        let mut t = Self::default();
        t.extend(values);
        t
    }

    pub fn add(&mut self, v: Multiplier) {
        *self.counts.entry(v.0).or_insert(0) += 1;
        self.n += 1;
        self.sum += u128::from(v.0);
    }

    pub fn extend(&mut self, values: &[Multiplier]) {
        for &v in values {
            self.add(v);
        }
    }

    /// Takes one round of value `v` out; false (and nothing changes) when none is counted.
    pub fn remove(&mut self, v: Multiplier) -> bool {
        let Some(c) = self.counts.get_mut(&v.0) else {
            return false;
        };
        *c -= 1;
        if *c == 0 {
            self.counts.remove(&v.0);
        }
        self.n -= 1;
        self.sum -= u128::from(v.0);
        true
    }

    pub fn len(&self) -> u64 {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Rounds at `threshold` or above.
    pub fn at_least(&self, threshold: Multiplier) -> u64 {
        self.counts.range(threshold.0..).map(|(_, c)| c).sum()
    }

    /// Rounds in [low, high) (hundredths; `None`: no upper end).
    pub fn between(&self, low: u32, high: Option<u32>) -> u64 {
        match high {
            Some(h) if h <= low => 0,
            Some(h) => self.counts.range(low..h).map(|(_, c)| c).sum(),
            None => self.counts.range(low..).map(|(_, c)| c).sum(),
        }
    }

    pub fn max(&self) -> Option<Multiplier> {
        self.counts.keys().next_back().map(|&h| Multiplier(h))
    }

    /// The k-th smallest value (0-based), as a sorted copy of the history would hold it.
    pub fn nth(&self, k: u64) -> Option<u32> {
        let mut seen = 0;
        for (&h, &c) in &self.counts {
            seen += c;
            if k < seen {
                return Some(h);
            }
        }
        None
    }

    /// Mean of the values (exact sum, one division).
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum as f64 / 100.0 / self.n as f64)
    }

    /// Median (mean of the two middle values for an even count).
    pub fn median(&self) -> Option<f64> {
        let n = self.n;
        if n == 0 {
            return None;
        }
        let upper = f64::from(self.nth(n / 2)?);
        let hundredths = if n % 2 == 1 {
            upper
        } else {
            (f64::from(self.nth(n / 2 - 1)?) + upper) / 2.0
        };
        Some(hundredths / 100.0)
    }

    /// (value in hundredths, rounds), smallest value first.
    pub fn iter(&self) -> impl Iterator<Item = (u32, u64)> + '_ {
        self.counts.iter().map(|(&h, &c)| (h, c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sorted(values: &[Multiplier]) -> Vec<u32> {
        let mut s: Vec<u32> = values.iter().map(|v| v.0).collect();
        s.sort_unstable();
        s
    }

    proptest! {
        /// Every count equals the one read off the values themselves, after any mix of
        /// adds and removes.
        #[test]
        fn counts_match_the_values(
            raw in proptest::collection::vec(100u32..5_000, 0..300),
            drop in proptest::collection::vec(any::<proptest::sample::Index>(), 0..50),
            t in 100u32..5_000,
        ) {
            let mut values: Vec<Multiplier> = raw.iter().map(|&h| Multiplier(h)).collect();
            let mut tally = Tally::of(&values);
            for i in drop {
                if values.is_empty() { break; }
                let v = values.remove(i.index(values.len()));
                prop_assert!(tally.remove(v));
            }
            let s = sorted(&values);
            prop_assert_eq!(tally.len(), values.len() as u64);
            prop_assert_eq!(tally.at_least(Multiplier(t)), s.iter().filter(|&&v| v >= t).count() as u64);
            prop_assert_eq!(tally.between(150, Some(t)), s.iter().filter(|&&v| v >= 150 && v < t).count() as u64);
            prop_assert_eq!(tally.max().map(|m| m.0), s.last().copied());
            for (k, &v) in s.iter().enumerate() {
                prop_assert_eq!(tally.nth(k as u64), Some(v));
            }
            prop_assert_eq!(tally.nth(s.len() as u64), None);
            let exact_mean = (!s.is_empty()).then(|| s.iter().map(|&v| f64::from(v)).sum::<f64>() / 100.0 / s.len() as f64);
            match (tally.mean(), exact_mean) {
                (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-9),
                (a, b) => prop_assert_eq!(a, b),
            }
            prop_assert_eq!(tally, Tally::of(&values));
        }
    }

    #[test]
    fn removing_a_value_never_counted_changes_nothing() {
        let mut t = Tally::of(&[Multiplier(150), Multiplier(200)]);
        let before = t.clone();
        assert!(!t.remove(Multiplier(300)));
        assert_eq!(t, before);
        assert_eq!(t.median(), Some(1.75));
        assert!(t.remove(Multiplier(150)));
        assert_eq!(t.median(), Some(2.0));
        assert!(t.remove(Multiplier(200)));
        assert!(t.is_empty() && t.median().is_none() && t.mean().is_none() && t.max().is_none());
    }
}
