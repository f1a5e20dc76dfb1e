//! The file's own ids: kept with their readable values, or not at all.

use super::*;
use proptest::prelude::*;

proptest! {
    #[test]
    fn the_files_ids_stay_with_their_readable_values(
        rows in proptest::collection::vec((1u32..1_000_000, proptest::option::of(100u32..5000)), 1..60),
        header in proptest::bool::ANY,
    ) {
        let mut text = if header { "round_id,multiplier\n".to_string() } else { String::new() };
        for (id, v) in &rows {
            match v {
                Some(v) => text.push_str(&format!("{id},{}.{:02}\n", v / 100, v % 100)),
                None => text.push_str(&format!("{id},oops\n")),
            }
        }
        let Ok(report) = read_csv(&text, &ValueRules::default()) else {
            // Only a headerless file whose first row is text reads as a header.
            prop_assert!(!header);
            return Ok(());
        };
        let expected: Vec<(String, u32)> = rows
            .iter()
            .filter_map(|(id, v)| v.map(|v| (id.to_string(), v)))
            .collect();
        let got: Vec<(String, u32)> = report
            .ids
            .iter()
            .cloned()
            .zip(report.values.iter().map(|m| m.0))
            .collect();
        prop_assert_eq!(report.ids.len(), report.values.len());
        prop_assert_eq!(got, expected.clone());
        prop_assert_eq!(report.source_ids().is_some(), !expected.is_empty());
    }
}

#[test]
fn a_file_without_ids_has_none_and_one_missing_id_drops_them_all() {
    let rules = ValueRules::default();
    assert_eq!(
        read_csv("value\n1.50\n2.00\n", &rules)
            .unwrap()
            .source_ids(),
        None
    );
    assert_eq!(read_text("1.50 2.00", &rules).unwrap().source_ids(), None);
    let gap = read_csv("id,value\n1,1.50\n,2.00\n", &rules).unwrap();
    assert_eq!(gap.source_ids(), None);
    let all = read_csv("id,value\n a7 ,1.50\n8,2.00\n", &rules).unwrap();
    assert_eq!(
        all.source_ids(),
        Some(&["a7".to_string(), "8".to_string()][..])
    );
}
