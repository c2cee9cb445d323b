//! Byte offsets <-> LSP positions, in the encoding the client negotiated
//! (UTF-16 code units unless it offers UTF-8 or UTF-32): a line of Cyrillic
//! names is 2 bytes a character in UTF-8 but 1 unit in UTF-16.

use lsp_types::{Position, PositionEncodingKind, Range};

/// How `character` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

impl Encoding {
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
            Encoding::Utf32 => PositionEncodingKind::UTF32,
        }
    }

    /// The client's first offer this server speaks; UTF-16 when none.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        let speaks = [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32];
        offered
            .into_iter()
            .flatten()
            .find_map(|offer| speaks.into_iter().find(|e| e.kind() == *offer))
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

/// Where each line of a text starts: computed once per document version.
/// Lines end at `\n`, `\r\n` or a bare `\r`, as LSP counts them (TOML
/// refuses a bare `\r`, but the editor shows the line break).
#[derive(Debug, Clone)]
pub struct LineStarts(Vec<usize>);

impl LineStarts {
    pub fn of(text: &str) -> LineStarts {
        let bytes = text.as_bytes();
        let breaks = bytes.iter().enumerate().filter_map(|(i, b)| match b {
            b'\n' => Some(i + 1),
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => Some(i + 1),
            _ => None,
        });
        LineStarts(std::iter::once(0).chain(breaks).collect())
    }
}

/// A document's text with its line starts, in an encoding.
pub struct Lines<'t> {
    text: &'t str,
    starts: &'t [usize],
    encoding: Encoding,
}

impl<'t> Lines<'t> {
    /// `starts` must be `LineStarts::of(text)`.
    pub fn new(text: &'t str, starts: &'t LineStarts, encoding: Encoding) -> Self {
        Lines { text, starts: &starts.0, encoding }
    }

    /// The position of a byte offset (clamped).
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|s| *s <= offset) - 1;
        let start = self.starts[line];
        let character: usize = self.text.get(start..offset).unwrap_or("").chars().map(|c| self.encoding.units(c)).sum();
        Position::new(saturate(line), saturate(character))
    }

    pub fn range(&self, span: std::ops::Range<usize>) -> Range {
        Range::new(self.position(span.start), self.position(span.end))
    }

    /// The byte offset of a position; past the end of a line is its end.
    pub fn offset(&self, position: Position) -> usize {
        let line = position.line as usize;
        let Some(&start) = self.starts.get(line) else { return self.text.len() };
        let next = self.starts.get(line + 1).map_or(self.text.len(), |e| *e);
        let end = start + self.text[start..next].trim_end_matches(['\r', '\n']).len();
        let mut units = position.character as usize;
        for (i, c) in self.text[start..end].char_indices() {
            if units == 0 {
                return start + i;
            }
            units = units.saturating_sub(self.encoding.units(c));
        }
        end
    }
}

/// Lines and characters are `u32` in the protocol; a document past that is
/// over the message limit long before.
fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32, character: u32) -> Position {
        Position::new(line, character)
    }

    #[test]
    fn bare_carriage_returns_break_lines_as_in_the_editor() {
        let text = "a = 1\rb = 2\r\nc = 3\nd";
        let starts = LineStarts::of(text);
        let lines = Lines::new(text, &starts, Encoding::Utf16);
        assert_eq!(lines.position(6), at(1, 0));
        assert_eq!(lines.position(13), at(2, 0));
        assert_eq!(lines.position(19), at(3, 0));
        assert_eq!(lines.offset(at(1, 99)), 11);
        assert_eq!(lines.offset(at(2, 2)), 15);
    }

    #[test]
    fn cyrillic_counts_one_unit_in_utf16_two_bytes_in_utf8() {
        let text = "a = \"Иван\" x\nb";
        let at_x = text.find('x').unwrap();
        let starts = LineStarts::of(text);
        let utf16 = Lines::new(text, &starts, Encoding::Utf16);
        assert_eq!(utf16.position(at_x), at(0, 11));
        assert_eq!(utf16.offset(at(0, 11)), at_x);
        assert_eq!(Lines::new(text, &starts, Encoding::Utf8).position(at_x), at(0, 15));
        assert_eq!(utf16.position(text.len()), at(1, 1));
        let offered = [PositionEncodingKind::UTF32, PositionEncodingKind::UTF16];
        assert_eq!(Encoding::negotiate(Some(&offered)), Encoding::Utf32);
        assert_eq!(Encoding::negotiate(Some(&[PositionEncodingKind::new("utf-7")])), Encoding::Utf16);
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
    }
}
