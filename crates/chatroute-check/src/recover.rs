//! Half-typed files: one mistake, one diagnostic at the mistake. The
//! `toml` parser recovers by skipping ahead, and an unclosed `{`, `[`,
//! string or header makes it report the lines after the mistake, dozens of
//! times, rather than the mistake. This layer reads the text for its
//! delimiters (strings, comments, brackets, headers), finds a delimiter
//! never closed, reports it once, labelled where it opened and where the
//! close was expected (rustc's "unclosed delimiter"), blanks the rest of
//! that table up to the next header and lets the parser read the rest.
//! Of the parser's own errors it keeps the first of each table: reading
//! resumes at the next header, so one mistake gives at most two
//! diagnostics.

use std::ops::Range;

use crate::i18n::t;

/// A delimiter opened and never closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unclosed {
    /// The opening (`{`, `[`, `"`, `'`, `"""`, `'''`) and where it is.
    pub open: &'static str,
    pub at: usize,
    /// Where the close was expected: the end of the line (a string, a
    /// header) or of the last line before the next table header.
    pub expected: usize,
    /// The region to blank so the rest reads: from the entry's line to the
    /// next header.
    pub blank: Range<usize>,
    /// A table header's `[`.
    pub header: bool,
}

impl Unclosed {
    pub fn close(&self) -> &'static str {
        match self.open {
            "{" => "}",
            "[" => "]",
            other => other,
        }
    }

    /// What the delimiter opened, in the current language.
    pub fn what(&self) -> String {
        match self.open {
            "{" => t!("toml-inline-table"),
            "[" if self.header => t!("toml-table-header"),
            "[" => t!("toml-array"),
            "\"\"\"" | "'''" => t!("toml-multi-line-string"),
            _ => t!("toml-string"),
        }
    }
}

/// The byte offset where each table header starts (outside strings and
/// brackets), in order.
pub fn headers(text: &str) -> Vec<usize> {
    let mut scan = Scan::new(text);
    scan.run();
    scan.headers
}

/// The first delimiter of `text` never closed, if any.
fn first_unclosed(text: &str) -> Option<Unclosed> {
    let mut scan = Scan::new(text);
    scan.run();
    scan.unclosed
}

struct Scan<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// Open brackets and braces, and where.
    stack: Vec<(&'static str, usize)>,
    headers: Vec<usize>,
    unclosed: Option<Unclosed>,
}

impl<'a> Scan<'a> {
    fn new(text: &'a str) -> Self {
        Scan { text, bytes: text.as_bytes(), stack: Vec::new(), headers: Vec::new(), unclosed: None }
    }

    /// The end of the line holding `at`, before any comment-free trailing
    /// space.
    fn line_end(&self, at: usize) -> usize {
        let end = self.text[at..].find('\n').map_or(self.text.len(), |n| at + n);
        at + self.text[at..end].trim_end().len()
    }

    fn line_start(&self, at: usize) -> usize {
        self.text[..at].rfind('\n').map_or(0, |n| n + 1)
    }

    /// The next header at or after `from` (the end of the text if none).
    fn next_header(&self, from: usize) -> usize {
        let mut at = self.line_start(from);
        while at < self.text.len() {
            let line_end = self.text[at..].find('\n').map_or(self.text.len(), |n| at + n);
            if at > from && looks_like_header(&self.text[at..line_end]) {
                return at;
            }
            at = line_end + 1;
        }
        self.text.len()
    }

    /// Whether the header-like line at `at` (`["x"]`) is rather the last
    /// element of the array open around it: the next line that says
    /// anything closes that array, which no table header is followed by.
    fn last_element(&self, at: usize) -> bool {
        if self.stack.last().map(|(open, _)| *open) != Some("[") {
            return false;
        }
        let rest = self.text[self.line_end(at)..].lines().skip(1);
        let next = rest.map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#'));
        next.is_some_and(|l| l.starts_with(']'))
    }

    /// Where the entry opened at `at` ends on its line: before a trailing
    /// comma and any comment.
    fn entry_end(&self, at: usize) -> usize {
        let line = &self.text[at..self.line_end(at)];
        let code = line.split('#').next().unwrap_or("").trim_end();
        at + code.trim_end_matches(',').trim_end().len()
    }

    /// The end of the last non-blank line before `at`.
    fn end_before(&self, at: usize) -> usize {
        let before = self.text[..at].trim_end();
        before.len()
    }

    fn report(&mut self, open: &'static str, at: usize, expected: usize, header: bool) {
        if self.unclosed.is_none() {
            let blank = self.line_start(at)..self.next_header(at);
            self.unclosed = Some(Unclosed { open, at, expected, blank, header });
        }
    }

    fn run(&mut self) {
        let mut i = 0;
        let mut line_start = true;
        while i < self.bytes.len() && self.unclosed.is_none() {
            let c = self.bytes[i];
            match c {
                b'\n' => {
                    line_start = true;
                    i += 1;
                    continue;
                }
                b' ' | b'\t' | b'\r' => {
                    i += 1;
                    continue;
                }
                b'#' => i = self.text[i..].find('\n').map_or(self.bytes.len(), |n| i + n),
                b'"' | b'\'' => i = self.string(i),
                b'[' if line_start && self.stack.is_empty() => i = self.header(i),
                b'[' if line_start && looks_like_header(&self.text[i..self.line_end(i)]) && !self.last_element(i) => {
                    // A header while a bracket is open: that bracket was
                    // never closed.
                    let (open, at) = *self.stack.last().expect("not empty");
                    let expected = self.end_before(i);
                    self.report(open, at, expected, false);
                }
                b'[' | b'{' => {
                    self.stack.push((if c == b'[' { "[" } else { "{" }, i));
                    i += 1;
                }
                b']' | b'}' => {
                    let opener = if c == b']' { "[" } else { "{" };
                    match self.stack.last() {
                        // A closer of the other kind: what is open inside
                        // was never closed (`{ employee = "tony",` and the
                        // next member on the next line, then the `]`).
                        Some(&(open, at)) if open != opener => {
                            let expected = self.end_before(i).min(self.entry_end(at));
                            self.report(open, at, expected, false);
                            // Only the broken entry's lines are blanked:
                            // the enclosing array still closes where it did.
                            let kept = self.line_start(i);
                            if let Some(unclosed) =
                                self.unclosed.as_mut().filter(|u| u.at == at && kept > u.blank.start)
                            {
                                unclosed.blank.end = kept;
                            }
                        }
                        _ => drop(self.stack.pop()),
                    }
                    i += 1;
                }
                _ => i += 1,
            }
            line_start = false;
        }
        if let (None, Some(&(open, at))) = (&self.unclosed, self.stack.last()) {
            let expected = self.end_before(self.text.len());
            self.report(open, at, expected, false);
        }
    }

    /// A table header at `i`: `[name]` or `[[name]]` closed on its line.
    fn header(&mut self, i: usize) -> usize {
        let end = self.line_end(i);
        let line = &self.text[i..end];
        let body = line.split('#').next().unwrap_or("").trim_end();
        let double = body.starts_with("[[");
        let closed =
            if double { body.ends_with("]]") && body.len() >= 4 } else { body.ends_with(']') && body.len() >= 2 };
        if closed {
            self.headers.push(i);
        } else {
            self.report("[", i, i + body.len(), true);
        }
        end
    }

    /// A string from its opening quote at `i`; the offset after it.
    fn string(&mut self, i: usize) -> usize {
        let quote = self.bytes[i];
        let triple = self.bytes.get(i + 1) == Some(&quote) && self.bytes.get(i + 2) == Some(&quote);
        if triple {
            let close = if quote == b'"' { "\"\"\"" } else { "'''" };
            return match self.text[i + 3..].find(close) {
                Some(n) => i + 3 + n + 3,
                None => {
                    self.report(close, i, self.end_before(self.text.len()), false);
                    self.bytes.len()
                }
            };
        }
        let mut j = i + 1;
        while j < self.bytes.len() {
            match self.bytes[j] {
                b'\\' if quote == b'"' => j += 2,
                b'\n' => break,
                b if b == quote => return j + 1,
                _ => j += 1,
            }
        }
        let expected = self.line_end(i);
        self.report(if quote == b'"' { "\"" } else { "'" }, i, expected, false);
        j
    }
}

/// A line that is a table header: `[key]` or `[[key]]`, keys of bare or
/// quoted words joined by dots.
fn looks_like_header(line: &str) -> bool {
    let line = line.split('#').next().unwrap_or("").trim();
    let inner = line
        .strip_prefix("[[")
        .and_then(|l| l.strip_suffix("]]"))
        .or_else(|| line.strip_prefix('[').and_then(|l| l.strip_suffix(']')));
    inner.is_some_and(|k| {
        !k.trim().is_empty()
            && k.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '"' | '\'' | ' '))
    })
}

/// What of `text` can still be read: every delimiter never closed, with
/// the rest of its table, blanked (offsets kept; the text itself when
/// nothing is unclosed), and those delimiters, in order.
pub fn readable(text: &str) -> (std::borrow::Cow<'_, str>, Vec<Unclosed>) {
    let mut left = std::borrow::Cow::Borrowed(text);
    let mut found = Vec::new();
    while found.len() < 64 {
        let Some(unclosed) = first_unclosed(&left) else { break };
        left = std::borrow::Cow::Owned(blanked(left.into_owned(), [unclosed.blank.clone()]));
        found.push(unclosed);
    }
    (left, found)
}

/// Which table of `text` holds `offset`: 0 for the part before the first
/// header, `k` for the one under its `k`th (`headers`: `headers(text)`).
pub fn table_of(headers: &[usize], offset: usize) -> usize {
    headers.partition_point(|h| *h <= offset)
}

/// `text` without the `tables` (`table_of`), headers and all (blanked,
/// offsets kept): what reads cleanly of a file with errors.
pub fn without_tables(text: &str, headers: &[usize], tables: impl IntoIterator<Item = usize>) -> String {
    let regions = tables.into_iter().map(|k| {
        let start = if k == 0 { 0 } else { headers[k - 1] };
        start..headers.get(k).copied().unwrap_or(text.len())
    });
    blanked(text.to_owned(), regions)
}

/// `text` with `regions` replaced by spaces (newlines kept, so every
/// offset and line stays where it was; each byte of a wide character
/// becomes a space, so the text stays UTF-8).
fn blanked(text: String, regions: impl IntoIterator<Item = Range<usize>>) -> String {
    let mut bytes = text.into_bytes();
    for region in regions {
        for b in &mut bytes[region] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    }
    String::from_utf8(bytes).expect("a region's bytes all became spaces")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_last_one_string_element_is_no_header() {
        let text = "[t]\na = [\n  [\"x\"],\n  [\"y\"]\n]\nb = 1\n";
        assert_eq!(first_unclosed(text), None, "the array closes");
    }

    /// An inline table left open inside an array is the `{` on its line,
    /// with its close expected at the end of its entry, not the array's `[`.
    #[test]
    fn an_unclosed_inline_table_in_an_array_is_its_brace() {
        let text = "members = [\n  { employee = \"tony\", weight = 2,\n  { employee = \"kostya\" },\n]\n";
        let found = first_unclosed(text).expect("unclosed");
        assert_eq!((found.open, &text[found.at..found.at + 1]), ("{", "{"));
        assert_eq!(&text[..found.expected], "members = [\n  { employee = \"tony\", weight = 2");
        // Without its close, the array is unclosed, reported where it opened.
        let text = "[t]\na = [\n  [\"x\"],\n[u]\nb = 1\n";
        let unclosed = first_unclosed(text).unwrap();
        assert_eq!((unclosed.open, unclosed.at), ("[", text.find("[\n").unwrap()));
    }
}
