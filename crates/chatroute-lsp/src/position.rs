//! Byte offsets <-> LSP positions, in the encoding the client negotiated
//! (UTF-16 code units unless it offers UTF-8 or UTF-32): a line of Cyrillic
//! names is 2 bytes a character in UTF-8 but 1 unit in UTF-16.

use serde_json::{Value, json};

/// How `character` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16 => "utf-16",
            Encoding::Utf32 => "utf-32",
        }
    }

    /// The client's first offer this server speaks; UTF-16 when none.
    pub fn negotiate(offered: Option<&Value>) -> Encoding {
        offered
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find_map(|e| match e.as_str() {
                Some("utf-8") => Some(Encoding::Utf8),
                Some("utf-16") => Some(Encoding::Utf16),
                Some("utf-32") => Some(Encoding::Utf32),
                _ => None,
            })
            .unwrap_or(Encoding::Utf16)
    }

    fn units(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
            Encoding::Utf32 => 1,
        }
    }
}

/// A document's text with its line starts.
pub struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
    encoding: Encoding,
}

impl<'t> Lines<'t> {
    /// Lines end at `\n`, `\r\n` or a bare `\r`, as LSP counts them (TOML
    /// refuses a bare `\r`, but the editor shows the line break).
    pub fn new(text: &'t str, encoding: Encoding) -> Self {
        let bytes = text.as_bytes();
        let breaks = bytes.iter().enumerate().filter_map(|(i, b)| match b {
            b'\n' => Some(i + 1),
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => Some(i + 1),
            _ => None,
        });
        let starts = std::iter::once(0).chain(breaks).collect();
        Lines { text, starts, encoding }
    }

    /// `{"line", "character"}` of a byte offset (clamped).
    pub fn position(&self, offset: usize) -> Value {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|s| *s <= offset) - 1;
        let start = self.starts[line];
        let character: usize = self.text.get(start..offset).unwrap_or("").chars().map(|c| self.encoding.units(c)).sum();
        json!({ "line": line, "character": character })
    }

    pub fn range(&self, span: std::ops::Range<usize>) -> Value {
        json!({ "start": self.position(span.start), "end": self.position(span.end) })
    }

    /// The byte offset of `{"line", "character"}`; past the end of a line
    /// is its end.
    pub fn offset(&self, position: &Value) -> usize {
        let line = position["line"].as_u64().unwrap_or(0) as usize;
        let Some(&start) = self.starts.get(line) else { return self.text.len() };
        let next = self.starts.get(line + 1).map_or(self.text.len(), |e| *e);
        let end = start + self.text[start..next].trim_end_matches(['\r', '\n']).len();
        let mut units = position["character"].as_u64().unwrap_or(0) as usize;
        for (i, c) in self.text[start..end].char_indices() {
            if units == 0 {
                return start + i;
            }
            units = units.saturating_sub(self.encoding.units(c));
        }
        end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_carriage_returns_break_lines_as_in_the_editor() {
        let lines = Lines::new("a = 1\rb = 2\r\nc = 3\nd", Encoding::Utf16);
        assert_eq!(lines.position(6), json!({ "line": 1, "character": 0 }));
        assert_eq!(lines.position(13), json!({ "line": 2, "character": 0 }));
        assert_eq!(lines.position(19), json!({ "line": 3, "character": 0 }));
        assert_eq!(lines.offset(&json!({ "line": 1, "character": 99 })), 11);
        assert_eq!(lines.offset(&json!({ "line": 2, "character": 2 })), 15);
    }

    #[test]
    fn cyrillic_counts_one_unit_in_utf16_two_bytes_in_utf8() {
        let text = "a = \"Иван\" x\nb";
        let at_x = text.find('x').unwrap();
        let utf16 = Lines::new(text, Encoding::Utf16);
        assert_eq!(utf16.position(at_x), json!({"line": 0, "character": 11}));
        assert_eq!(utf16.offset(&json!({"line": 0, "character": 11})), at_x);
        assert_eq!(Lines::new(text, Encoding::Utf8).position(at_x), json!({"line": 0, "character": 15}));
        assert_eq!(utf16.position(text.len()), json!({"line": 1, "character": 1}));
        assert_eq!(Encoding::negotiate(Some(&json!(["utf-32", "utf-16"]))), Encoding::Utf32);
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
    }
}
