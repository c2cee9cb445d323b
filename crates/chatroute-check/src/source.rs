//! A spec file's text, its name, and byte-offset -> line/column mapping.

use std::ops::Range;

/// Whether a TOML text is a chatroute spec, as editors and pre-commit ask
/// before checking a `.toml` file: it has a top-level `[integration]`
/// table, or a `#:schema` directive naming chatroute's schema (what
/// `init` writes, so a new file is a spec from its first line). Anything
/// else (`Cargo.toml`, `pyproject.toml`) is not looked at. A cheap scan of
/// lines, not a parse: a half-typed spec is still one.
pub fn is_spec(text: &str) -> bool {
    text.lines().map(str::trim_start).any(|line| {
        let header = line.strip_prefix('[').map(|rest| rest.split(']').next().unwrap_or("").trim());
        header == Some("integration")
            || line.starts_with("integration.")
            || line.starts_with("#:schema") && line.contains("chatroute")
    })
}

/// One input file. `text` is what was read, with invalid UTF-8 replaced so
/// that diagnostics about the bytes can still show them.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    line_starts: Vec<usize>,
}

/// A 1-based line and column; the column counts Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        SourceFile { name: name.into(), text, line_starts }
    }

    /// The 0-based line of a byte offset (clamped to the text).
    pub fn line_index(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        self.line_starts.partition_point(|&start| start <= offset) - 1
    }

    /// Byte offset where 0-based `line` starts; the text's end past the last.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).copied().unwrap_or(self.text.len())
    }

    /// Line and column of a byte offset (clamped to the text).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = self.line_index(offset);
        let start = self.line_starts[line];
        let column = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count()) + 1;
        LineCol { line: line + 1, column }
    }

    /// A span's start and end as lines and columns, after `clamp`.
    pub fn region(&self, span: Range<usize>) -> (Range<usize>, LineCol, LineCol) {
        let span = self.clamp(span);
        let (start, end) = (self.line_col(span.start), self.line_col(span.end));
        (span, start, end)
    }

    /// The span clamped to the text and to character boundaries.
    pub fn clamp(&self, span: Range<usize>) -> Range<usize> {
        let fix = |mut i: usize| {
            i = i.min(self.text.len());
            while !self.text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let start = fix(span.start);
        start..fix(span.end).max(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_is_one_based_and_counts_chars() {
        let src = SourceFile::new("t", "ab\nцd\n");
        assert_eq!(src.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(src.line_col(3), LineCol { line: 2, column: 1 });
        assert_eq!(src.line_col(5), LineCol { line: 2, column: 2 });
        assert_eq!(src.line_col(99), LineCol { line: 3, column: 1 });
    }
}

#[cfg(test)]
mod spec_tests {
    use super::is_spec;

    #[test]
    fn specs_are_told_from_other_toml_files() {
        for spec in [
            "version = 1\n[integration]\naccount = \"acme\"\n",
            "#:schema ../schema/chatroute.schema.json\n",
            "#:schema https://example.org/chatroute.schema.json\nversion = 1\n",
            "  [ integration ]  # the account\n",
            "integration.account = \"acme\"\n",
        ] {
            assert!(is_spec(spec), "{spec}");
        }
        for other in [
            "[package]\nname = \"chatroute\"\n",
            "[tool.poetry]\nname = \"x\"\n",
            "[integrations]\n",
            "[integration.x]\n",
            "# [integration]\n",
            "#:schema https://json.schemastore.org/cargo.json\n",
            "",
        ] {
            assert!(!is_spec(other), "{other}");
        }
    }
}
