//! Crash multipliers as the app stores them: exact integer hundredths.
//!
//! One parser for every entry point (browser, server functions, REST, CLI, importers), so
//! a value accepted in one place is accepted everywhere and a rejected one is rejected with
//! the same message.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The smallest crash multiplier the game produces: 1.00x.
pub const MIN_HUNDREDTHS: u32 = 100;
/// Default upper bound: 1,000,000.00x. The real history peaks at 10,938.01x.
pub const DEFAULT_MAX_HUNDREDTHS: u32 = 100_000_000;
/// Default limit on how many values one paste or upload may hold.
pub const DEFAULT_MAX_VALUES_PER_BATCH: usize = 100_000;
/// Default limit on the size of a pasted text or an uploaded file, in bytes.
pub const DEFAULT_MAX_INPUT_BYTES: usize = 16 * 1024 * 1024;

/// A crash multiplier in hundredths (1.57x is `Multiplier(157)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Multiplier(pub u32);

impl Multiplier {
    pub fn hundredths(self) -> u32 {
        self.0
    }

    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 100.0
    }
}

impl fmt::Display for Multiplier {
    /// Always two decimals, so that display and parse round-trip exactly.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// Limits that input is checked against. The defaults accept the whole real history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueRules {
    pub max_hundredths: u32,
    pub max_values_per_batch: usize,
    pub max_input_bytes: usize,
}

impl Default for ValueRules {
    fn default() -> Self {
        Self {
            max_hundredths: DEFAULT_MAX_HUNDREDTHS,
            max_values_per_batch: DEFAULT_MAX_VALUES_PER_BATCH,
            max_input_bytes: DEFAULT_MAX_INPUT_BYTES,
        }
    }
}

/// Why one token is not a valid multiplier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum ValueProblem {
    #[error("empty value")]
    Empty,
    #[error("signs are not allowed (multipliers are at least 1.00)")]
    Sign,
    #[error("exponents are not allowed; write the number out")]
    Exponent,
    #[error("not a number")]
    NotANumber,
    #[error("more than two decimals (the game shows hundredths)")]
    TooManyDecimals,
    #[error("holds {count} values separated by {separator}; split them first")]
    SeveralValues { count: usize, separator: String },
    #[error("below the minimum of 1.00")]
    BelowMinimum,
    #[error("above the maximum of {max}")]
    AboveMaximum { max: String },
}

/// A rejected token with the reason, naming the token as the user typed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("\"{token}\": {problem}")]
pub struct ValueError {
    pub token: String,
    pub problem: ValueProblem,
}

/// Separators between values in pasted text. The comma is not one: it is a decimal comma.
pub fn is_separator(c: char) -> bool {
    c.is_whitespace() || c == ';' || c == '\u{2028}' || c == '\u{2029}'
}

fn describe_separator(c: char) -> String {
    match c {
        '\u{2028}' => "a Unicode line separator (U+2028)".into(),
        '\u{2029}' => "a Unicode paragraph separator (U+2029)".into(),
        '\n' | '\r' => "a line break".into(),
        ';' => "a semicolon".into(),
        c if c.is_whitespace() => format!("whitespace (U+{:04X})", c as u32),
        c => format!("U+{:04X}", c as u32),
    }
}

/// Parses one value: `1.57`, `1,57`, `1.57x`, `x1.57`, `2`. Surrounding whitespace is ignored.
pub fn parse_multiplier(token: &str, rules: &ValueRules) -> Result<Multiplier, ValueError> {
    parse_inner(token, rules).map_err(|problem| ValueError {
        token: token.to_string(),
        problem,
    })
}

fn parse_inner(token: &str, rules: &ValueRules) -> Result<Multiplier, ValueProblem> {
    let trimmed = token.trim();
    if trimmed.is_empty() {
        return Err(ValueProblem::Empty);
    }
    // Two values pasted into one field (the real history has `2.29<U+2028>1.29`).
    if let Some(sep) = trimmed.chars().find(|c| is_separator(*c)) {
        let count = trimmed
            .split(is_separator)
            .filter(|s| !s.is_empty())
            .count();
        return Err(ValueProblem::SeveralValues {
            count,
            separator: describe_separator(sep),
        });
    }
    let body = strip_x(trimmed);
    if body.starts_with(['+', '-', '\u{2212}']) {
        return Err(ValueProblem::Sign);
    }
    let lower = body.to_ascii_lowercase();
    if lower.contains("nan") || lower.contains("inf") {
        return Err(ValueProblem::NotANumber);
    }
    let (int_part, frac_part) = match body.find(['.', ',']) {
        Some(pos) => (&body[..pos], Some(&body[pos + 1..])),
        None => (body, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(int_part) {
        return Err(if int_part.bytes().any(|b| b == b'e' || b == b'E') {
            ValueProblem::Exponent
        } else {
            ValueProblem::NotANumber
        });
    }
    let frac_digits = match frac_part {
        None => "",
        Some(f) if all_digits(f) => f,
        Some(f) if f.bytes().any(|b| b == b'e' || b == b'E') => return Err(ValueProblem::Exponent),
        Some(_) => return Err(ValueProblem::NotANumber),
    };
    if frac_digits.len() > 2 {
        return Err(ValueProblem::TooManyDecimals);
    }
    let above = || ValueProblem::AboveMaximum {
        max: Multiplier(rules.max_hundredths).to_string(),
    };
    let int_value: u64 = int_part
        .trim_start_matches('0')
        .parse::<u64>()
        .or_else(|_| {
            if int_part.bytes().all(|b| b == b'0') {
                Ok(0)
            } else {
                Err(())
            }
        })
        .map_err(|_| above())?;
    let frac_value: u64 = match frac_digits.len() {
        0 => 0,
        1 => u64::from(frac_digits.as_bytes()[0] - b'0') * 10,
        _ => frac_digits.parse().unwrap_or(0),
    };
    let hundredths = int_value
        .checked_mul(100)
        .and_then(|v| v.checked_add(frac_value))
        .ok_or_else(above)?;
    if hundredths < u64::from(MIN_HUNDREDTHS) {
        return Err(ValueProblem::BelowMinimum);
    }
    if hundredths > u64::from(rules.max_hundredths) {
        return Err(above());
    }
    // Fits: max_hundredths is a u32.
    Ok(Multiplier(hundredths as u32))
}

/// Removes one `x`/`X`/`×` marker before or after the number (`x1.57`, `1.57x`).
fn strip_x(s: &str) -> &str {
    const MARKS: [char; 3] = ['x', 'X', '\u{00D7}'];
    if let Some(rest) = s.strip_suffix(MARKS) {
        return rest.trim_end();
    }
    if let Some(rest) = s.strip_prefix(MARKS) {
        return rest.trim_start();
    }
    s
}

/// One token of a pasted text, with where it stands in that text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// 1-based position among the tokens.
    pub index: usize,
    /// 1-based line (lines end at `\n`, `\r\n`, `\r`, U+2028, U+2029).
    pub line: usize,
    /// 1-based column in characters.
    pub column: usize,
    pub text: String,
}

/// Splits pasted text into tokens, remembering line and column of each.
pub fn split_tokens(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let (mut line, mut column) = (1usize, 0usize);
    let mut current: Option<(usize, usize, String)> = None;
    let mut prev_cr = false;
    for c in text.chars() {
        let is_line_break = matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}');
        if is_separator(c) {
            if let Some((l, col, t)) = current.take() {
                tokens.push(Token {
                    index: tokens.len() + 1,
                    line: l,
                    column: col,
                    text: t,
                });
            }
            if is_line_break {
                // `\r\n` is one line break.
                if !(c == '\n' && prev_cr) {
                    line += 1;
                }
                column = 0;
            } else {
                column += 1;
            }
        } else {
            column += 1;
            match current.as_mut() {
                Some((_, _, t)) => t.push(c),
                None => current = Some((line, column, c.to_string())),
            }
        }
        prev_cr = c == '\r';
    }
    if let Some((l, col, t)) = current {
        tokens.push(Token {
            index: tokens.len() + 1,
            line: l,
            column: col,
            text: t,
        });
    }
    tokens
}

/// The parse of one pasted token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedToken {
    pub token: Token,
    pub value: Result<Multiplier, ValueProblem>,
}

/// Why a whole batch is refused before looking at its values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum BatchError {
    #[error("the input is {bytes} bytes; the limit is {limit} bytes")]
    TooManyBytes { bytes: usize, limit: usize },
    #[error("the input holds {count} values; the limit is {limit} per batch")]
    TooManyValues { count: usize, limit: usize },
    #[error("the input holds no values")]
    NoValues,
}

/// The split and parse of a pasted text: every token, valid or not, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasteParse {
    pub tokens: Vec<ParsedToken>,
}

impl PasteParse {
    pub fn valid_values(&self) -> Vec<Multiplier> {
        self.tokens
            .iter()
            .filter_map(|t| t.value.clone().ok())
            .collect()
    }

    pub fn errors(&self) -> impl Iterator<Item = &ParsedToken> {
        self.tokens.iter().filter(|t| t.value.is_err())
    }

    pub fn error_count(&self) -> usize {
        self.errors().count()
    }

    /// All values, or the first error naming its token and position.
    pub fn all_or_first_error(&self) -> Result<Vec<Multiplier>, String> {
        match self.errors().next() {
            Some(bad) => Err(describe_token_error(bad)),
            None => Ok(self.valid_values()),
        }
    }
}

/// "value 3 (line 2, column 1) \"abc\": not a number".
pub fn describe_token_error(t: &ParsedToken) -> String {
    match &t.value {
        Ok(_) => String::new(),
        Err(problem) => format!(
            "value {} (line {}, column {}) \"{}\": {}",
            t.token.index, t.token.line, t.token.column, t.token.text, problem
        ),
    }
}

/// Splits and parses a pasted text, enforcing the batch limits.
pub fn parse_paste(text: &str, rules: &ValueRules) -> Result<PasteParse, BatchError> {
    if text.len() > rules.max_input_bytes {
        return Err(BatchError::TooManyBytes {
            bytes: text.len(),
            limit: rules.max_input_bytes,
        });
    }
    let tokens = split_tokens(text);
    if tokens.is_empty() {
        return Err(BatchError::NoValues);
    }
    if tokens.len() > rules.max_values_per_batch {
        return Err(BatchError::TooManyValues {
            count: tokens.len(),
            limit: rules.max_values_per_batch,
        });
    }
    Ok(PasteParse {
        tokens: tokens
            .into_iter()
            .map(|token| {
                let value = parse_inner(&token.text, rules);
                ParsedToken { token, value }
            })
            .collect(),
    })
}

/// How many rounds `seen` and `rounds` share from the start (a history that only grew
/// shares all of `seen`, checked with one comparison).
pub fn shared_prefix(seen: &[Multiplier], rounds: &[Multiplier]) -> usize {
    let n = seen.len();
    if rounds.len() >= n && rounds[..n] == *seen {
        return n;
    }
    seen.iter().zip(rounds).take_while(|(a, b)| a == b).count()
}

/// When `rounds` is `seen` with only rounds `from..to` changed (same length, at most
/// `max` of them: an old round corrected), `to`.
pub fn corrected_stretch(
    seen: &[Multiplier],
    rounds: &[Multiplier],
    from: usize,
    max: usize,
) -> Option<usize> {
    if rounds.len() != seen.len() {
        return None;
    }
    let same_tail = seen[from..]
        .iter()
        .rev()
        .zip(rounds[from..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let to = rounds.len() - same_tail;
    (to - from <= max).then_some(to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn p(s: &str) -> Result<u32, ValueProblem> {
        parse_multiplier(s, &ValueRules::default())
            .map(|m| m.0)
            .map_err(|e| e.problem)
    }

    #[test]
    fn accepts_the_documented_forms() {
        assert_eq!(p("1.57"), Ok(157));
        assert_eq!(p("1,57"), Ok(157));
        assert_eq!(p("1.57x"), Ok(157));
        assert_eq!(p("x1.57"), Ok(157));
        assert_eq!(p("1.57X"), Ok(157));
        assert_eq!(p("2"), Ok(200));
        assert_eq!(p("2.5"), Ok(250));
        assert_eq!(p(" 1.00 "), Ok(100));
        assert_eq!(p("10938.01"), Ok(1_093_801));
        assert_eq!(p("007.10"), Ok(710));
    }

    #[test]
    fn rejects_what_it_must_with_the_reason() {
        assert_eq!(p(""), Err(ValueProblem::Empty));
        assert_eq!(p("1.555"), Err(ValueProblem::TooManyDecimals));
        assert_eq!(p("0.99"), Err(ValueProblem::BelowMinimum));
        assert_eq!(p("0"), Err(ValueProblem::BelowMinimum));
        assert_eq!(p("-1.5"), Err(ValueProblem::Sign));
        assert_eq!(p("+1.5"), Err(ValueProblem::Sign));
        assert_eq!(p("1e3"), Err(ValueProblem::Exponent));
        assert_eq!(p("1.5e1"), Err(ValueProblem::Exponent));
        assert_eq!(p("NaN"), Err(ValueProblem::NotANumber));
        assert_eq!(p("inf"), Err(ValueProblem::NotANumber));
        assert_eq!(p("abc"), Err(ValueProblem::NotANumber));
        assert_eq!(p("1.5.5"), Err(ValueProblem::NotANumber));
        assert_eq!(p("1,000.00"), Err(ValueProblem::NotANumber));
        assert_eq!(p("1."), Err(ValueProblem::NotANumber));
        assert_eq!(p(".5"), Err(ValueProblem::NotANumber));
        assert_eq!(p("xx1.5"), Err(ValueProblem::NotANumber));
        assert_eq!(
            p("1000000.01"),
            Err(ValueProblem::AboveMaximum {
                max: "1000000.00".into()
            })
        );
        assert!(matches!(
            p("99999999999999999999999"),
            Err(ValueProblem::AboveMaximum { .. })
        ));
    }

    #[test]
    fn the_real_two_values_in_one_field_is_named() {
        let err = parse_multiplier("2.29\u{2028}1.29", &ValueRules::default()).unwrap_err();
        assert_eq!(
            err.problem,
            ValueProblem::SeveralValues {
                count: 2,
                separator: "a Unicode line separator (U+2028)".into()
            }
        );
        assert!(err.to_string().contains("2.29"));
        assert!(err.to_string().contains("U+2028"));
    }

    #[test]
    fn configurable_maximum() {
        let rules = ValueRules {
            max_hundredths: 10_000,
            ..ValueRules::default()
        };
        assert_eq!(parse_multiplier("100", &rules).map(|m| m.0), Ok(10_000));
        let err = parse_multiplier("100.01", &rules).unwrap_err();
        assert_eq!(err.to_string(), "\"100.01\": above the maximum of 100.00");
    }

    #[test]
    fn splits_on_every_documented_separator_with_positions() {
        let tokens = split_tokens("1.5 2,3;x4\n\n 5.00\u{2028}6\u{2029}7\r\n8\t9");
        let texts: Vec<_> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["1.5", "2,3", "x4", "5.00", "6", "7", "8", "9"]);
        let pos: Vec<_> = tokens.iter().map(|t| (t.index, t.line, t.column)).collect();
        assert_eq!(
            pos,
            [
                (1, 1, 1),
                (2, 1, 5),
                (3, 1, 9),
                (4, 3, 2),
                (5, 4, 1),
                (6, 5, 1),
                (7, 6, 1),
                (8, 6, 3)
            ]
        );
    }

    #[test]
    fn paste_reports_bad_tokens_and_keeps_order() {
        let parse = parse_paste("1.5\nabc 2.00 0.5", &ValueRules::default()).unwrap();
        assert_eq!(parse.valid_values(), vec![Multiplier(150), Multiplier(200)]);
        let errors: Vec<_> = parse.errors().map(describe_token_error).collect();
        assert_eq!(
            errors,
            [
                "value 2 (line 2, column 1) \"abc\": not a number",
                "value 4 (line 2, column 10) \"0.5\": below the minimum of 1.00"
            ]
        );
        assert!(parse.all_or_first_error().is_err());
    }

    #[test]
    fn paste_limits() {
        let rules = ValueRules {
            max_values_per_batch: 3,
            max_input_bytes: 20,
            ..ValueRules::default()
        };
        assert_eq!(
            parse_paste("1 2 3 4", &rules),
            Err(BatchError::TooManyValues { count: 4, limit: 3 })
        );
        assert_eq!(
            parse_paste("1.00 2.00 3.00 4.00 5.00", &rules),
            Err(BatchError::TooManyBytes {
                bytes: 24,
                limit: 20
            })
        );
        assert_eq!(parse_paste(" \n ", &rules), Err(BatchError::NoValues));
    }

    proptest! {
        #[test]
        fn display_then_parse_round_trips(h in MIN_HUNDREDTHS..=DEFAULT_MAX_HUNDREDTHS) {
            let m = Multiplier(h);
            prop_assert_eq!(parse_multiplier(&m.to_string(), &ValueRules::default()), Ok(m));
            let comma = m.to_string().replace('.', ",");
            prop_assert_eq!(parse_multiplier(&comma, &ValueRules::default()), Ok(m));
            prop_assert_eq!(parse_multiplier(&format!("{m}x"), &ValueRules::default()), Ok(m));
            prop_assert_eq!(parse_multiplier(&format!("x{m}"), &ValueRules::default()), Ok(m));
        }

        #[test]
        fn never_panics_and_accepts_only_valid_numbers(s in "\\PC{0,12}") {
            if let Ok(m) = parse_multiplier(&s, &ValueRules::default()) {
                prop_assert!(m.0 >= MIN_HUNDREDTHS && m.0 <= DEFAULT_MAX_HUNDREDTHS);
                // Whatever was accepted is the decimal it shows, to the hundredth.
                let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
                prop_assert!(!digits.is_empty());
            }
        }

        #[test]
        fn agrees_with_float_parsing_on_plain_decimals(int in 0u32..100_000, frac in 0u32..100, two in any::<bool>()) {
            let s = if two { format!("{int}.{frac:02}") } else { format!("{int}.{}", frac / 10) };
            let expected = if two { int as f64 + frac as f64 / 100.0 } else { int as f64 + (frac / 10) as f64 / 10.0 };
            match parse_multiplier(&s, &ValueRules::default()) {
                Ok(m) => prop_assert!((m.as_f64() - expected).abs() < 1e-9),
                Err(e) => prop_assert_eq!(e.problem, ValueProblem::BelowMinimum),
            }
        }

        #[test]
        fn rejects_three_or_more_decimals(int in 1u32..1000, frac in 0u32..1000) {
            let s = format!("{int}.{frac:03}");
            prop_assert_eq!(p(&s), Err(ValueProblem::TooManyDecimals));
        }

        #[test]
        fn splitting_keeps_every_non_separator_char(s in "[0-9.,x;\\n \\t\u{2028}\u{2029}a]{0,40}") {
            let tokens = split_tokens(&s);
            let joined: String = tokens.iter().map(|t| t.text.as_str()).collect();
            let expected: String = s.chars().filter(|c| !is_separator(*c)).collect();
            prop_assert_eq!(joined, expected);
            prop_assert!(tokens.iter().all(|t| !t.text.is_empty() && !t.text.chars().any(is_separator)));
        }
    }
}
