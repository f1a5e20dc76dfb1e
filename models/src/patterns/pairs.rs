//! Two-round rules: the round before last and the last round, each on one side of a cut
//! point ("after a round ≥ 4x then a round below 1.30x"). The category pairs of the
//! transition family only see the six categories; these see every cut point of
//! [`PAIR_CUTS`], so a condition on the last two rounds together at cut points between the
//! categories' edges is matched, not diluted.

/// Cut points (hundredths) of the two-round rules.
pub const PAIR_CUTS: [u32; 11] = [120, 130, 150, 180, 200, 250, 300, 400, 500, 700, 1000];

/// Every two-round condition as (older cut, older at or above?, last cut, last at or
/// above?), in the order [`applicable`] indexes them in: older cut, last cut, then the
/// sides. The catalogue leaves out the 16 that are run or category-pair rules already.
pub fn all() -> impl Iterator<Item = (u32, bool, u32, bool)> {
    PAIR_CUTS.iter().flat_map(|&a| {
        PAIR_CUTS.iter().flat_map(move |&b| {
            [(false, false), (false, true), (true, false), (true, true)]
                .into_iter()
                .map(move |(older, last)| (a, older, b, last))
        })
    })
}

/// Offsets (from the first two-round rule) of the rules that apply when the last two
/// rounds were `older` and `last` (hundredths).
pub fn applicable(older: u32, last: u32) -> impl Iterator<Item = usize> {
    PAIR_CUTS.iter().enumerate().flat_map(move |(ai, &a)| {
        PAIR_CUTS.iter().enumerate().map(move |(bi, &b)| {
            let sides = 2 * usize::from(older >= a) + usize::from(last >= b);
            (ai * PAIR_CUTS.len() + bi) * 4 + sides
        })
    })
}

/// Whether the rule holds for the last two rounds `older` and `last` (hundredths).
pub fn holds(
    last_two: (u32, u32),
    a: u32,
    older_at_least: bool,
    b: u32,
    last_at_least: bool,
) -> bool {
    (last_two.0 >= a) == older_at_least && (last_two.1 >= b) == last_at_least
}
/// The rule in plain words.
pub fn describe(a: u32, older_at_least: bool, b: u32, last_at_least: bool) -> String {
    let side = |at_least: bool, t: u32| {
        let x = super::words::x(t);
        if at_least {
            format!("≥ {x}")
        } else {
            format!("below {x}")
        }
    };
    format!(
        "after a round {} then a round {}",
        side(older_at_least, a),
        side(last_at_least, b)
    )
}

#[cfg(test)]
mod tests {
    use crate::patterns::rules::{Catalogue, Condition};

    #[test]
    fn no_two_round_rule_repeats_another_rule() {
        let catalogue = Catalogue::new(0.03);
        let words: Vec<String> = catalogue.conditions.iter().map(|c| c.describe()).collect();
        let pairs: Vec<&String> = catalogue
            .conditions
            .iter()
            .zip(&words)
            .filter(|(c, _)| matches!(c, Condition::TwoRounds { .. }))
            .map(|(_, w)| w)
            .collect();
        assert_eq!(pairs.len(), super::all().count() - 16);
        for w in pairs {
            assert_eq!(words.iter().filter(|x| *x == w).count(), 1, "{w}");
        }
        assert!(words.contains(&"after a round ≥ 4.00x then a round below 1.30x".to_string()));
    }
}
