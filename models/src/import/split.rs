//! Fields that hold several values (the real history's `2.29⟨U+2028⟩1.29`: two rounds
//! pasted into one cell), split into their rounds before anything is stored, when the
//! player asks for it.

use super::{ImportReport, ImportRow};
use crate::values::{is_separator, parse_multiplier, Multiplier, ValueProblem, ValueRules};
/// Splits every faulty field that holds several readable values (the real history's
/// `2.29⟨U+2028⟩1.29`) into its values, in the file's order and in place of the row; a
/// field with any unreadable part stays a fault. Returns how many fields were split.
pub fn split_several_values(report: &mut ImportReport, rules: &ValueRules) -> usize {
    // Ids move with their values; a split field's values get its id with `/1`, `/2`, ….
    let old_ids = report.source_ids().map(<[String]>::to_vec);
    let faults = std::mem::take(&mut report.faults);
    let old = std::mem::take(&mut report.values);
    let with_ids = old_ids.is_some() && faults.iter().all(|f| f.id.is_some());
    let old_ids = old_ids.unwrap_or_default();
    let mut values = Vec::with_capacity(old.len() + faults.len());
    let mut ids = Vec::new();
    let mut taken = 0; // readable values already moved over
    let mut split = 0;
    for (k, fault) in faults.into_iter().enumerate() {
        // The readable rows before this one: every row before it that is not a fault.
        let before = fault.row.saturating_sub(1 + k).clamp(taken, old.len());
        values.extend_from_slice(&old[taken..before]);
        if with_ids {
            ids.extend_from_slice(&old_ids[taken..before]);
        }
        taken = before;
        match split_field(&fault, rules) {
            Some(parts) => {
                if let (true, Some(id)) = (with_ids, &fault.id) {
                    ids.extend((1..=parts.len()).map(|j| format!("{id}/{j}")));
                }
                values.extend(parts);
                split += 1;
            }
            None => report.faults.push(fault),
        }
    }
    values.extend_from_slice(&old[taken..]);
    if with_ids {
        ids.extend_from_slice(&old_ids[taken..]);
    }
    report.values = values;
    report.ids = ids;
    split
}

/// The values of a field that holds several, when every one of them reads.
fn split_field(row: &ImportRow, rules: &ValueRules) -> Option<Vec<Multiplier>> {
    if !matches!(row.value, Err(ValueProblem::SeveralValues { .. })) {
        return None;
    }
    row.raw
        .split(is_separator)
        .filter(|s| !s.is_empty())
        .map(|part| parse_multiplier(part, rules).ok())
        .collect()
}

/// How many faulty fields [`split_several_values`] would split.
pub fn splittable(report: &ImportReport, rules: &ValueRules) -> usize {
    report
        .faults
        .iter()
        .filter(|row| split_field(row, rules).is_some())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::read_csv;
    use proptest::prelude::*;
    #[test]
    fn a_field_with_several_values_is_split_in_place_and_a_bad_part_stays_a_fault() {
        let rules = ValueRules::default();
        let text =
            "id,value\n1,1.51\n2,2.29\u{2028}1.29\n3,oops\n4,3.00\n5,4.00\u{2028}x\n6,5.00\n";
        let mut report = read_csv(text, &rules).unwrap();
        assert_eq!(report.values.len(), 3);
        assert_eq!(splittable(&report, &rules), 1);
        assert_eq!(split_several_values(&mut report, &rules), 1);
        let hundredths: Vec<u32> = report.values.iter().map(|m| m.0).collect();
        assert_eq!(hundredths, [151, 229, 129, 300, 500]);
        let ids = report.source_ids().unwrap();
        assert_eq!(ids, ["1", "2/1", "2/2", "4", "6"]);
        let left: Vec<usize> = report.faults.iter().map(|f| f.row).collect();
        assert_eq!(left, [3, 5]);
        assert_eq!(report.row_count, 6);
    }

    proptest::proptest! {
        #[test]
        fn splitting_keeps_every_readable_value_in_file_order(
            fields in proptest::collection::vec(
                proptest::prop_oneof![
                    (100u32..5000).prop_map(|v| vec![v]),
                    proptest::collection::vec(100u32..5000, 2..4),
                ],
                1..40,
            ),
        ) {

            let rules = ValueRules::default();
            let mut text = String::from("value\n");
            for f in &fields {
                let parts: Vec<String> = f.iter().map(|v| format!("{}.{:02}", v / 100, v % 100)).collect();
                text.push_str(&parts.join("\u{2028}"));
                text.push('\n');
            }
            let mut report = read_csv(&text, &rules).unwrap();
            let several = fields.iter().filter(|f| f.len() > 1).count();
            prop_assert_eq!(split_several_values(&mut report, &rules), several);
            let expected: Vec<u32> = fields.concat();
            let got: Vec<u32> = report.values.iter().map(|m| m.0).collect();
            prop_assert_eq!(got, expected);
            prop_assert!(report.faults.is_empty());
        }
    }
}
