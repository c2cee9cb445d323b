//! Stage 1: bytes -> TOML tree with a span for every key and value.
//!
//! One parse (`toml::de::DeTable`) feeds both the schema check (through its
//! JSON twin) and every span lookup later stages make.

use std::ops::Range;

use serde_json::{Map, Number, Value};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostics::{Code, Diagnostic};
use crate::i18n::t;
use crate::source::SourceFile;

/// Files above this size are refused before parsing: the largest real
/// account specs are a few MB, and a runaway file should not exhaust memory.
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;

/// Turns raw bytes into a source file, with a diagnostic when they are not
/// a text file chatroute can read.
pub fn read_source(name: &str, bytes: Vec<u8>) -> (SourceFile, Option<Diagnostic>) {
    if bytes.len() > MAX_FILE_BYTES {
        let diag = Diagnostic::new(Code::TooLarge, t!("cr003-message", limit = MAX_FILE_BYTES))
            .label(0..0, t!("cr003-label"))
            .help(t!("cr003-help"));
        return (SourceFile::new(name, ""), Some(diag));
    }
    match String::from_utf8(bytes) {
        Ok(text) => {
            let nul = text.find('\0');
            let source = SourceFile::new(name, text);
            let diag = nul.map(|at| {
                Diagnostic::new(Code::NotText, t!("cr002-message-nul"))
                    .label(at..at + 1, t!("cr002-label-nul"))
                    .help(t!("cr002-help-nul"))
            });
            (source, diag)
        }
        Err(err) => {
            let at = err.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
            let diag = Diagnostic::new(Code::NotText, t!("cr002-message", at = at))
                .label(at..at + 1, t!("cr002-label"))
                .help(t!("cr002-help"));
            (SourceFile::new(name, text), Some(diag))
        }
    }
}

/// The TOML version specs are read as (what the `toml` crate implements).
pub const TOML_SPEC: &str = "https://toml.io/en/v1.1.0";

/// A file that is not TOML: its syntax errors, one per mistake, and what
/// of it reads cleanly.
#[derive(Debug)]
pub struct Broken {
    pub diagnostics: Vec<Diagnostic>,
    /// The text without the tables the errors are in (`recover`: blanked,
    /// offsets kept), for the rules that those tables cannot change.
    pub rest: String,
    /// Whether the text parsed and only integers TOML forbids are wrong
    /// (found only in a text that parses).
    pub parsed: bool,
}

/// Parses TOML, reporting every syntax error the parser recovers from, and
/// every integer literal TOML does not allow (no digits, or outside the
/// 64-bit signed range TOML integers have).
pub fn parse(text: &str) -> Result<Spanned<DeTable<'_>>, Broken> {
    let (root, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        return Err(recovered(text, &errors));
    }
    let mut diagnostics = Vec::new();
    integer_literals(root.get_ref(), text, &mut diagnostics);
    if diagnostics.is_empty() {
        return Ok(root);
    }
    let headers = crate::recover::headers(text);
    let tables = diagnostics.iter().map(|d| crate::recover::table_of(&headers, d.labels[0].span.start));
    let rest = crate::recover::without_tables(text, &headers, tables.collect::<std::collections::BTreeSet<_>>());
    Err(Broken { diagnostics, rest, parsed: true })
}

/// A broken file's syntax errors, one per mistake (`recover`): each
/// delimiter never closed, then the parser's first error of each table of
/// what is left.
fn recovered(text: &str, errors: &[toml::de::Error]) -> Broken {
    let (left, unclosed) = crate::recover::readable(text);
    let mut diagnostics: Vec<Diagnostic> = unclosed.iter().map(|u| unclosed_diagnostic(text, u)).collect();
    let again;
    let errors = if diagnostics.is_empty() {
        errors
    } else {
        again = DeTable::parse_recoverable(&left).1;
        &again[..]
    };
    let headers = crate::recover::headers(&left);
    let mut broken_tables = std::collections::BTreeSet::new();
    for e in errors {
        let span = e.span().unwrap_or(0..0);
        if broken_tables.insert(crate::recover::table_of(&headers, span.start)) {
            diagnostics.push(syntax_error(span, e.message().trim_end()));
        }
    }
    let rest = crate::recover::without_tables(&left, &headers, broken_tables);
    Broken { diagnostics, rest, parsed: false }
}

/// An unclosed delimiter, as rustc shows one: where it opened, where the
/// close was expected, what to add.
fn unclosed_diagnostic(text: &str, u: &crate::recover::Unclosed) -> Diagnostic {
    let (open, close, what) = (u.open, u.close(), u.what());
    let after = text[..u.expected].trim_end().rsplit(char::is_whitespace).next().unwrap_or("");
    let after = crate::text::printable(after);
    Diagnostic::new(Code::Syntax, t!("cr001-message-unclosed", open = open, what = what.as_str()))
        .label(u.at..u.at + open.len(), t!("cr001-label-open", open = open))
        .label(u.expected..u.expected, t!("cr001-label-close", close = close))
        .help(t!("cr001-help-unclosed", close = close, after = after.as_ref(), what = what))
}

fn syntax_error(span: Range<usize>, message: &str) -> Diagnostic {
    let message = crate::toml_words::said(message);
    let label = message.lines().next().unwrap_or_default().to_owned();
    Diagnostic::new(Code::Syntax, t!("cr001-message", message = message))
        .label(span, label)
        .help(t!("cr001-help", spec = TOML_SPEC))
}

/// The integers the parser let through that TOML forbids: `0x` without
/// digits is a syntax error; a value outside i64 must be an error too
/// (TOML 1.1, "Integer"), never a string or a silently wider number.
fn integer_literals(table: &DeTable<'_>, text: &str, out: &mut Vec<Diagnostic>) {
    fn walk(value: &Spanned<DeValue<'_>>, text: &str, out: &mut Vec<Diagnostic>) {
        match value.get_ref() {
            DeValue::Integer(i) if i.as_str().is_empty() => {
                out.push(syntax_error(value.span(), &t!("cr001-no-digits")));
            }
            // The parser passes on what follows a digit; a letter or a
            // non-ASCII digit (`1_0٠`) makes it no number at all.
            DeValue::Integer(i)
                if i.as_str().trim_start_matches(['+', '-']).chars().any(|c| c != '_' && !c.is_digit(i.radix())) =>
            {
                let bad =
                    i.as_str().trim_start_matches(['+', '-']).chars().find(|c| *c != '_' && !c.is_digit(i.radix()));
                let bad = crate::text::printable(&bad.unwrap_or_default().to_string()).into_owned();
                let message = t!("cr001-not-a-digit", bad = bad);
                out.push(syntax_error(value.span(), &message));
            }
            DeValue::Integer(i) if i64::from_str_radix(i.as_str(), i.radix()).is_err() => {
                let written = text.get(value.span()).unwrap_or(i.as_str());
                out.push(
                    Diagnostic::new(Code::OutOfRange, t!("cr014-message-integer", written = written))
                        .label(value.span(), t!("cr014-label-integer"))
                        .help(t!("cr014-help-integer")),
                );
            }
            DeValue::Array(items) => items.iter().for_each(|v| walk(v, text, out)),
            DeValue::Table(t) => integer_literals(t, text, out),
            _ => {}
        }
    }
    for (_, value) in table.iter() {
        walk(value, text, out);
    }
}

/// The JSON twin of the TOML tree, which the JSON Schema validates and the
/// typed spec is read from.
pub fn to_json(table: &DeTable<'_>) -> Value {
    Value::Object(
        table.iter().map(|(k, v)| (k.get_ref().to_string(), value_to_json(v.get_ref()))).collect::<Map<_, _>>(),
    )
}

fn value_to_json(value: &DeValue<'_>) -> Value {
    match value {
        DeValue::String(s) => Value::String(s.to_string()),
        // `parse` refused every integer outside i64.
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).map_or(Value::Null, Value::from),
        DeValue::Float(f) => f
            .as_str()
            .parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map_or_else(|| Value::String(f.as_str().to_owned()), Value::Number),
        DeValue::Boolean(b) => Value::Bool(*b),
        // Datetimes have no JSON type; as strings they fail any non-string
        // schema and read naturally in messages.
        DeValue::Datetime(d) => Value::String(d.to_string()),
        DeValue::Array(a) => Value::Array(a.iter().map(|v| value_to_json(v.get_ref())).collect()),
        DeValue::Table(t) => to_json(t),
    }
}

/// Finds the spans of keys and values by path (`["channels", "wa", "phone"]`;
/// array elements by their decimal index).
#[derive(Clone, Copy)]
pub struct Locator<'a> {
    root: &'a Spanned<DeTable<'a>>,
}

/// Where an entry is: the key's span (absent for array elements and the
/// root) and the value's span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub key: Option<Range<usize>>,
    pub value: Range<usize>,
}

impl<'a> Locator<'a> {
    pub fn new(root: &'a Spanned<DeTable<'a>>) -> Self {
        Locator { root }
    }

    /// The place of the deepest existing entry along `path`, and how many
    /// segments of it exist.
    pub fn nearest<S: AsRef<str>>(&self, path: &[S]) -> (Place, usize) {
        let mut place = Place { key: None, value: 0..0 };
        let mut table = Some(self.root.get_ref());
        let mut array: Option<&toml::de::DeArray<'_>> = None;
        for (depth, seg) in path.iter().enumerate() {
            let seg = seg.as_ref();
            let found = match (table, array) {
                (Some(t), _) => t.get_key_value(seg).map(|(k, v)| (Some(k.span()), v)),
                (None, Some(a)) => seg.parse::<usize>().ok().and_then(|i| a.get(i)).map(|v| (None, v)),
                _ => None,
            };
            let Some((key, value)) = found else {
                return (place, depth);
            };
            place = Place { key, value: value.span() };
            (table, array) = match value.get_ref() {
                DeValue::Table(t) => (Some(t), None),
                DeValue::Array(a) => (None, Some(a)),
                _ => (None, None),
            };
        }
        (place, path.len())
    }

    /// The span to underline for an entry: its key where it has one, else
    /// its value; the nearest ancestor's when the entry is absent.
    pub fn key<S: AsRef<str>>(&self, path: &[S]) -> Range<usize> {
        let (place, _) = self.nearest(path);
        place.key.unwrap_or(place.value)
    }

    /// The span of an entry's value (nearest ancestor's key when absent).
    pub fn value<S: AsRef<str>>(&self, path: &[S]) -> Range<usize> {
        let (place, depth) = self.nearest(path);
        if depth == path.len() { place.value } else { place.key.unwrap_or(place.value) }
    }

    /// Whether the entry is written in the file (not defaulted).
    pub fn exists<S: AsRef<str>>(&self, path: &[S]) -> bool {
        self.nearest(path).1 == path.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "version = 1\n[channels.wa]\nname = \"W\"\nmembers = [{ employee = \"bruce\" }]\n";

    #[test]
    fn locates_keys_values_and_array_elements() {
        let root = parse(SRC).unwrap();
        let loc = Locator::new(&root);
        let span = loc.key(&["channels", "wa", "name"]);
        assert_eq!(&SRC[span], "name");
        let span = loc.value(&["channels", "wa", "name"]);
        assert_eq!(&SRC[span], "\"W\"");
        let span = loc.value(&["channels", "wa", "members", "0", "employee"]);
        assert_eq!(&SRC[span], "\"bruce\"");
        let span = loc.key(&["channels", "wa"]);
        assert_eq!(&SRC[span], "wa");
    }

    #[test]
    fn absent_entries_fall_back_to_the_nearest_ancestor() {
        let root = parse(SRC).unwrap();
        let loc = Locator::new(&root);
        assert_eq!(&SRC[loc.key(&["channels", "wa", "phone"])], "wa");
        assert!(!loc.exists(&["channels", "wa", "phone"]));
    }

    #[test]
    fn json_twin_keeps_types() {
        let root = parse("a = 0x10\nb = 1.5\nc = [true]\nd = 1979-05-27\n").unwrap();
        let json = to_json(root.get_ref());
        assert_eq!(json, serde_json::json!({"a": 16, "b": 1.5, "c": [true], "d": "1979-05-27"}));
    }

    #[test]
    fn integers_toml_forbids_are_errors_at_their_place() {
        for (src, code) in [
            ("a = 0x\n", Code::Syntax),
            ("a = 0b\n", Code::Syntax),
            ("a = [1, 0o]\n", Code::Syntax),
            ("a = 9223372036854775808\n", Code::OutOfRange),
            ("arabic-zero-02 = 1_0\u{660}\n", Code::Syntax),
            ("[t]\na = { b = 99999999999999999999 }\n", Code::OutOfRange),
        ] {
            let errs = parse(src).unwrap_err().diagnostics;
            assert_eq!(errs[0].code, code, "{src}");
            let span = errs[0].labels[0].span.clone();
            assert!(src[span].chars().all(|c| c.is_alphanumeric() || c == '_'), "{src}");
        }
        assert!(parse("a = -9223372036854775808\nb = ١٢\n").is_err());
        assert!(parse("a = -9223372036854775808\n").is_ok());
    }

    #[test]
    fn syntax_errors_are_located() {
        let errs = parse("a = \nb = 1\n").unwrap_err().diagnostics;
        assert_eq!(errs[0].code, Code::Syntax);
        assert_eq!(errs[0].labels[0].span.start, 4);
    }
}
