//! Diagnostics as data: one type, several reporters (`render`).
//!
//! Every stage returns `Diagnostic`s; nothing prints or builds message
//! strings outside the reporters.

mod codes;

use std::ops::Range;

pub use codes::{Code, heading_id};

use crate::i18n::t;

chatroute_table::keywords! {
    /// How bad a diagnostic is. Exit status: errors fail `check`; warnings
    /// fail it only under `--deny-warnings`; advice never does.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
    pub enum Severity {
        Error = "error",
        Warning = "warning",
        Advice = "advice",
    }
}

/// A labelled byte span of the source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Range<usize>,
    pub text: String,
}

/// A fix the rule that found the problem knows; editors offer it as a
/// quick fix, built from this data alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fix {
    /// Remove the entry whose key is at `key` (`key = value`, with its
    /// separator).
    RemoveEntry { title: String, key: Range<usize> },
    /// Write `with` in place of the value at `span`, quoted as that value
    /// is written.
    Replace { title: String, span: Range<usize>, with: String },
}

/// One problem found in one file. The first label is the primary place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    /// A diagnostic with the code's own severity.
    /// Texts quote the spec, so control and bidi characters are escaped
    /// here, once for every reporter.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            message: shown(message),
            labels: Vec::new(),
            help: None,
            fixes: Vec::new(),
        }
    }

    pub fn label(mut self, span: Range<usize>, text: impl Into<String>) -> Self {
        self.labels.push(Label { span, text: shown(text) });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(shown(help));
        self
    }

    pub fn fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }

    /// Appends "did you mean `x`?" to the help when a suggestion exists,
    /// and offers it as the fix of the primary label's text.
    pub fn suggest(self, suggestion: Option<&str>) -> Self {
        let Some(s) = suggestion else { return self };
        let text = t!("did-you-mean", suggestion = s);
        let with_help = match self.help.clone() {
            Some(h) => self.help(format!("{text} {h}")),
            None => self.help(text),
        };
        match with_help.labels.first().map(|l| l.span.clone()) {
            Some(span) => {
                with_help.fix(Fix::Replace { title: t!("fix-change-to", suggestion = s), span, with: s.to_owned() })
            }
            None => with_help,
        }
    }

    /// The message and, on a line of its own, the help: for formats with
    /// one text per diagnostic (SARIF, GitHub, the language server).
    pub fn message_with_help(&self) -> String {
        match &self.help {
            Some(help) => format!("{}\n{}", self.message, t!("help-line", help = help.as_str())),
            None => self.message.clone(),
        }
    }

    /// Byte offset of the primary label, for ordering by position.
    pub fn position(&self) -> usize {
        self.labels.first().map_or(0, |l| l.span.start)
    }
}

fn shown(text: impl Into<String>) -> String {
    let text = text.into();
    match crate::text::printable(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(escaped) => escaped,
    }
}

/// Sorts diagnostics by position, then code, so output is stable.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| (a.position(), a.code, &a.message).cmp(&(b.position(), b.code, &b.message)));
}

/// The closest candidate to `input`, if one is close enough to be a likely
/// typo (Jaro-Winkler, as rustc-like tools do for short identifiers).
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&input.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_finds_typos_and_ignores_strangers() {
        let modes = ["round_robin", "first_responder"];
        assert_eq!(closest("round_robbin", modes), Some("round_robin"));
        assert_eq!(closest("frist_responder", modes), Some("first_responder"));
        assert_eq!(closest("channels", modes), None);
        assert_eq!(closest("xyz", modes), None);
    }
}
