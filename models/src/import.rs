//! Reading round histories from CSV/text files, with a row-by-row fault report.
//!
//! Nothing is guessed: a row that cannot be read is reported with its row number, line,
//! id (when the file has one) and reason, and the caller decides whether to take the rest.

pub mod split;
pub use split::{split_several_values, splittable};

#[cfg(test)]
mod ids_tests;

use crate::values::{parse_multiplier, BatchError, Multiplier, ValueProblem, ValueRules};
use serde::{Deserialize, Serialize};

/// Column names that hold the multiplier, in order of preference (case-insensitive).
const VALUE_COLUMNS: [&str; 7] = [
    "value",
    "multiplier",
    "crash",
    "x",
    "result",
    "odds",
    "coefficient",
];
const ID_COLUMNS: [&str; 3] = ["id", "round", "round_id"];

/// One data row of an imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    /// 1-based data row (the header does not count).
    pub row: usize,
    /// 1-based physical line in the file.
    pub line: usize,
    /// The row's id column, when the file has one.
    pub id: Option<String>,
    /// The field as it stands in the file.
    pub raw: String,
    pub value: Result<Multiplier, ValueProblem>,
}

/// Everything read from a file: the readable values and the rows that are not, each in
/// file order. Readable rows keep only their value (a 1,000,000-row file kept as rows
/// took 320 MB).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    /// Which column the values came from (`None` for plain text).
    pub value_column: Option<String>,
    /// Data rows read, readable or not.
    pub row_count: usize,
    pub values: Vec<Multiplier>,
    /// The file's own id of each readable value, in the same order, when the file has an
    /// id column (see [`ImportReport::source_ids`]).
    #[serde(default)]
    pub ids: Vec<String>,
    pub faults: Vec<ImportRow>,
}

impl ImportReport {
    /// Files one row: its value (and its id), or the whole row when it cannot be read.
    pub fn push(&mut self, row: ImportRow) {
        self.row_count += 1;
        match row.value {
            Ok(v) => {
                self.values.push(v);
                if let Some(id) = row.id {
                    self.ids.push(id);
                }
            }
            Err(_) => self.faults.push(row),
        }
    }

    /// The file's id of every readable value, when every one has a non-empty id.
    pub fn source_ids(&self) -> Option<&[String]> {
        (!self.ids.is_empty()
            && self.ids.len() == self.values.len()
            && self.ids.iter().all(|id| !id.is_empty()))
        .then_some(self.ids.as_slice())
    }

    pub fn valid_values(&self) -> Vec<Multiplier> {
        self.values.clone()
    }

    pub fn faults(&self) -> impl Iterator<Item = &ImportRow> {
        self.faults.iter()
    }

    pub fn fault_count(&self) -> usize {
        self.faults.len()
    }
}

/// "row 6281 (line 6282, id 6281) \"2.29⟨U+2028⟩1.29\": holds 2 values …".
pub fn describe_fault(row: &ImportRow) -> String {
    let id = row
        .id
        .as_deref()
        .map(|id| format!(", id {id}"))
        .unwrap_or_default();
    let problem = match &row.value {
        Ok(_) => return String::new(),
        Err(p) => p,
    };
    // Line 0 means the source has no lines (a database table).
    let line = if row.line == 0 {
        String::new()
    } else {
        format!("line {}", row.line)
    };
    let place = format!("{line}{id}");
    let place = place.trim_start_matches(", ");
    let place = if place.is_empty() {
        String::new()
    } else {
        format!(" ({place})")
    };
    format!(
        "row {}{place} \"{}\": {problem}",
        row.row,
        visible(&row.raw)
    )
}

/// The raw text with every invisible character (controls, line and paragraph separators,
/// zero-width and other format characters) written as ⟨U+XXXX⟩, so a player sees what is
/// in the field instead of a debug escape.
pub fn visible(raw: &str) -> String {
    raw.chars()
        .map(|c| {
            let invisible = c.is_control()
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{00ad}');
            if invisible {
                format!("⟨U+{:04X}⟩", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Why a whole file is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Batch(#[from] BatchError),
    #[error("line {line}: {message}")]
    Csv { line: usize, message: String },
    #[error(
        "no column holds the multipliers: name one of {expected} in the header (found: {found})"
    )]
    NoValueColumn { expected: String, found: String },
    #[error("the file is not text (UTF-8): {0}")]
    NotText(String),
}

/// Reads a CSV file: with a header naming a value column (`id,value` as the Python
/// JetX Predictor exports, or this app's own export), or without a header (one column of
/// values, or `id,value` pairs).
pub fn read_csv(text: &str, rules: &ValueRules) -> Result<ImportReport, ImportError> {
    if text.len() > rules.max_input_bytes {
        return Err(BatchError::TooManyBytes {
            bytes: text.len(),
            limit: rules.max_input_bytes,
        }
        .into());
    }
    let mut records = CsvRecords::new(text);
    let first = loop {
        match records.next().transpose()? {
            None => return Err(BatchError::NoValues.into()),
            Some(r) if r.is_blank() => continue,
            Some(r) => break r,
        }
    };
    let (layout, value_column, first_data) = Layout::read(first, rules)?;
    let mut report = ImportReport {
        value_column,
        ..ImportReport::default()
    };
    // One record at a time: only the values and the faulty rows are kept.
    let mut data = first_data.map(Ok).into_iter().chain(records);
    while let Some(rec) = data.next().transpose()? {
        if rec.is_blank() {
            continue;
        }
        if report.row_count >= rules.max_values_per_batch {
            return too_many_values(report.row_count, data, rules.max_values_per_batch);
        }
        layout.file(&mut report, &rec, rules);
    }
    if report.row_count == 0 {
        return Err(BatchError::NoValues.into());
    }
    Ok(report)
}

/// The refusal of a file with more rows than allowed: counts the rest (cheaply) so the
/// error says how many there are.
fn too_many_values(
    read: usize,
    rest: impl Iterator<Item = Result<CsvRecord, ImportError>>,
    limit: usize,
) -> Result<ImportReport, ImportError> {
    let mut count = read + 1;
    for rec in rest {
        count += usize::from(!rec?.is_blank());
    }
    Err(BatchError::TooManyValues { count, limit }.into())
}

/// Which fields of a CSV record hold the value and the id.
struct Layout {
    value_idx: usize,
    id_idx: Option<usize>,
}

impl Layout {
    /// The layout told by the file's first non-blank record: a header naming the columns,
    /// or data (`id,value` or one value). Also gives the header's name of the value column,
    /// and the record back when it is data.
    fn read(
        first: CsvRecord,
        rules: &ValueRules,
    ) -> Result<(Self, Option<String>, Option<CsvRecord>), ImportError> {
        let first_fields: Vec<String> = first
            .fields
            .iter()
            .map(|f| f.trim().to_ascii_lowercase())
            .collect();
        let looks_like_header = first_fields
            .iter()
            .any(|f| VALUE_COLUMNS.contains(&f.as_str()) || ID_COLUMNS.contains(&f.as_str()))
            || first_fields.iter().all(|f| {
                f.chars().any(|c| c.is_ascii_alphabetic()) && parse_multiplier(f, rules).is_err()
            });
        let (value_idx, id_idx, value_column, first_data) = if looks_like_header {
            let value_idx = VALUE_COLUMNS
                .iter()
                .find_map(|name| first_fields.iter().position(|f| f == name))
                .ok_or_else(|| ImportError::NoValueColumn {
                    expected: VALUE_COLUMNS.join(", "),
                    found: first.fields.join(", "),
                })?;
            let id_idx = ID_COLUMNS
                .iter()
                .find_map(|name| first_fields.iter().position(|f| f == name));
            let column = first.fields[value_idx].trim().to_string();
            (value_idx, id_idx, Some(column), None)
        } else if first.fields.len() >= 2 {
            (1, Some(0), None, Some(first))
        } else {
            (0, None, None, Some(first))
        };
        Ok((Self { value_idx, id_idx }, value_column, first_data))
    }

    /// Files one data record in `report`: its value, or the whole row when it cannot be
    /// read.
    fn file(&self, report: &mut ImportReport, rec: &CsvRecord, rules: &ValueRules) {
        let value = match rec.fields.get(self.value_idx) {
            None => Err(ValueProblem::Empty),
            Some(raw) => parse_multiplier(raw, rules).map_err(|e| e.problem),
        };
        let row = report.row_count + 1;
        let id = self
            .id_idx
            .map(|j| rec.fields.get(j).map_or("", |s| s.trim()).to_string());
        match value {
            Ok(v) => {
                report.row_count += 1;
                report.values.push(v);
                if let Some(id) = id {
                    report.ids.push(id);
                }
            }
            Err(problem) => report.push(ImportRow {
                row,
                line: rec.line,
                id,
                raw: rec.fields.get(self.value_idx).cloned().unwrap_or_default(),
                value: Err(problem),
            }),
        }
    }
}

/// Reads a plain text file the way a paste is read (one value per token).
pub fn read_text(text: &str, rules: &ValueRules) -> Result<ImportReport, ImportError> {
    let parse = crate::values::parse_paste(text, rules)?;
    let mut report = ImportReport::default();
    for t in parse.tokens {
        report.push(ImportRow {
            row: t.token.index,
            line: t.token.line,
            id: None,
            raw: t.token.text,
            value: t.value,
        });
    }
    Ok(report)
}

/// CSV records keep their starting line so faults can be located in the file.
struct CsvRecord {
    line: usize,
    fields: Vec<String>,
}

impl CsvRecord {
    fn is_blank(&self) -> bool {
        self.fields.iter().all(|f| f.trim().is_empty())
    }
}

/// RFC 4180 records, one at a time: `,` between fields, `"` quoting with `""` escapes,
/// `\n` or `\r\n` between records. Only `\n`/`\r` end a record, so a U+2028 stays
/// inside its field, where the value parser reports it.
struct CsvRecords<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
    failed: bool,
}

impl<'a> CsvRecords<'a> {
    fn new(text: &'a str) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Self {
            chars: text.chars().peekable(),
            line: 1,
            failed: false,
        }
    }

    fn record(&mut self) -> Result<Option<CsvRecord>, ImportError> {
        let record_line = self.line;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut in_quotes = false;
        let mut field_was_quoted = false;
        let mut any = false;
        while let Some(c) = self.chars.next() {
            any = true;
            if in_quotes {
                match c {
                    '"' if self.chars.peek() == Some(&'"') => {
                        self.chars.next();
                        field.push('"');
                    }
                    '"' => in_quotes = false,
                    '\n' => {
                        self.line += 1;
                        field.push(c);
                    }
                    _ => field.push(c),
                }
                continue;
            }
            match c {
                '"' if field.trim().is_empty() && !field_was_quoted => {
                    field.clear();
                    in_quotes = true;
                    field_was_quoted = true;
                }
                '"' => {
                    return Err(ImportError::Csv {
                        line: self.line,
                        message: "a quote inside an unquoted field".into(),
                    })
                }
                ',' => {
                    fields.push(std::mem::take(&mut field));
                    field_was_quoted = false;
                }
                '\r' | '\n' => {
                    if c == '\r' && self.chars.peek() == Some(&'\n') {
                        self.chars.next();
                    }
                    fields.push(field);
                    self.line += 1;
                    return Ok(Some(CsvRecord {
                        line: record_line,
                        fields,
                    }));
                }
                _ => field.push(c),
            }
        }
        if in_quotes {
            return Err(ImportError::Csv {
                line: record_line,
                message: "a quoted field is not closed".into(),
            });
        }
        if !any {
            return Ok(None);
        }
        fields.push(field);
        Ok(Some(CsvRecord {
            line: record_line,
            fields,
        }))
    }
}

impl Iterator for CsvRecords<'_> {
    type Item = Result<CsvRecord, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let r = self.record().transpose();
        self.failed = matches!(r, Some(Err(_)));
        r
    }
}

/// This app's CSV export: one row per round, oldest first.
pub fn write_csv<'a>(rows: impl IntoIterator<Item = (i64, Multiplier, bool, &'a str)>) -> String {
    let mut out = String::from("id,value,synthetic,created_at\n");
    for (id, value, synthetic, created_at) in rows {
        out.push_str(&format!(
            "{id},{value},{},{created_at}\n",
            u8::from(synthetic)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_the_python_apps_export_and_names_the_fault() {
        let text = "id,value\n1,1.51\n2,1.22\n6281,2.29\u{2028}1.29\n6282,3.00\n";
        let report = read_csv(text, &ValueRules::default()).unwrap();
        assert_eq!(report.value_column.as_deref(), Some("value"));
        assert_eq!(
            report.valid_values(),
            vec![Multiplier(151), Multiplier(122), Multiplier(300)]
        );
        let faults: Vec<String> = report.faults().map(describe_fault).collect();
        assert_eq!(faults.len(), 1);
        assert_eq!(
            faults[0],
            "row 3 (line 4, id 6281) \"2.29⟨U+2028⟩1.29\": holds 2 values separated by a Unicode line separator (U+2028); split them first"
        );
    }

    #[test]
    fn headerless_and_quoted_files() {
        let one_col = read_csv("1.5\n2\r\n\n3,5\n", &ValueRules::default());
        // `3,5` is two fields in a CSV: headerless files with commas are read as id,value.
        assert!(one_col.is_ok());
        let r = read_csv("1.50\n2.00\n", &ValueRules::default()).unwrap();
        assert_eq!(r.valid_values(), vec![Multiplier(150), Multiplier(200)]);
        let pairs = read_csv("1,1.50\n2,\"2,50\"\n", &ValueRules::default()).unwrap();
        assert_eq!(pairs.valid_values(), vec![Multiplier(150), Multiplier(250)]);
        let faulty = read_csv("1,1.50\n2,abc\n", &ValueRules::default()).unwrap();
        assert_eq!(faulty.faults[0].id.as_deref(), Some("2"));
        assert_eq!((faulty.row_count, faulty.faults[0].row), (2, 2));
        let ours = read_csv(
            "id,value,synthetic,created_at\n7,1.57,0,2026-01-01T00:00:00Z\n",
            &ValueRules::default(),
        )
        .unwrap();
        assert_eq!(ours.valid_values(), vec![Multiplier(157)]);
    }

    #[test]
    fn refuses_files_it_cannot_read() {
        assert!(matches!(
            read_csv("a,b\n1,2\n", &ValueRules::default()),
            Err(ImportError::NoValueColumn { .. })
        ));
        assert!(matches!(
            read_csv("value\n\"1.5\n", &ValueRules::default()),
            Err(ImportError::Csv { .. })
        ));
        assert!(matches!(
            read_csv("value\n", &ValueRules::default()),
            Err(ImportError::Batch(BatchError::NoValues))
        ));
        let small = ValueRules {
            max_values_per_batch: 2,
            ..ValueRules::default()
        };
        assert!(matches!(
            read_csv("value\n1\n2\n3\n", &small),
            Err(ImportError::Batch(BatchError::TooManyValues {
                count: 3,
                limit: 2
            }))
        ));
    }

    #[test]
    fn reads_the_real_history_with_exactly_one_fault() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/data/jetx_history.csv"
        );
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!("skipped: {path} not present");
            return;
        };
        let report = read_csv(&text, &ValueRules::default()).unwrap();
        assert_eq!(report.row_count, 7000);
        assert_eq!(report.values.len(), 6999);
        let faults: Vec<&ImportRow> = report.faults().collect();
        assert_eq!(faults.len(), 1);
        assert_eq!(faults[0].id.as_deref(), Some("6281"));
        assert_eq!(faults[0].row, 6281);
        assert_eq!(faults[0].line, 6282);
        let message = describe_fault(faults[0]);
        assert!(message.contains("\"2.29⟨U+2028⟩1.29\""), "{message}");
        assert_eq!(visible("1.5\u{200b}\t2"), "1.5⟨U+200B⟩⟨U+0009⟩2");
        assert_eq!(visible("3,10 x"), "3,10 x");
        assert_eq!(
            report.valid_values().iter().max(),
            Some(&Multiplier(214_614))
        );
    }

    proptest! {
        #[test]
        fn export_then_import_round_trips(v in proptest::collection::vec(100u32..100_000_000, 1..200)) {
            let values: Vec<Multiplier> = v.iter().map(|&h| Multiplier(h)).collect();
            let csv = write_csv(values.iter().enumerate().map(|(i, m)| (i as i64 + 1, *m, false, "t")));
            let report = read_csv(&csv, &ValueRules::default()).unwrap();
            prop_assert_eq!(report.valid_values(), values);
            prop_assert_eq!(report.fault_count(), 0);
        }

        /// Readable rows become values and the others faults, each in file order, with
        /// the row and line they stand on.
        #[test]
        fn every_row_is_a_value_or_a_located_fault(
            rows in proptest::collection::vec(prop_oneof![(100u32..100_000).prop_map(Some), Just(None)], 1..300),
            crlf in any::<bool>(),
        ) {
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut csv = format!("id,value{eol}");
            for (i, r) in rows.iter().enumerate() {
                match r {
                    Some(h) => csv.push_str(&format!("{},{}.{:02}{eol}", i + 1, h / 100, h % 100)),
                    None => csv.push_str(&format!("{},x{eol}", i + 1)),
                }
            }
            let report = read_csv(&csv, &ValueRules::default()).unwrap();
            prop_assert_eq!(report.row_count, rows.len());
            let values: Vec<Multiplier> = rows.iter().flatten().map(|&h| Multiplier(h)).collect();
            prop_assert_eq!(&report.values, &values);
            let bad: Vec<usize> = rows.iter().enumerate().filter(|(_, r)| r.is_none()).map(|(i, _)| i + 1).collect();
            prop_assert_eq!(report.faults.iter().map(|f| f.row).collect::<Vec<_>>(), bad.clone());
            for f in &report.faults {
                prop_assert_eq!(f.line, f.row + 1);
                prop_assert_eq!(f.id.clone(), Some(f.row.to_string()));
            }
        }

        #[test]
        fn never_panics_on_arbitrary_text(s in "\\PC{0,200}") {
            let _ = read_csv(&s, &ValueRules::default());
            let _ = read_text(&s, &ValueRules::default());
        }
    }
}
