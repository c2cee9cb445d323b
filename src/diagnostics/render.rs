//! Reporters: the same diagnostics as miette graphical text for humans and
//! as one JSON document for machines.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};
use serde::Serialize;

use super::{Diagnostic, Severity};
use crate::source::{LineCol, SourceFile};

/// A diagnostic together with the file it is about.
pub struct FileDiagnostics<'a> {
    pub file: &'a SourceFile,
    pub diagnostics: &'a [Diagnostic],
}

/// Options of the human reporter.
#[derive(Debug, Clone, Copy)]
pub struct HumanStyle {
    pub color: bool,
    pub width: usize,
}

/// Renders diagnostics the way rustc does: code, message, the source lines
/// with labelled underlines, then help.
pub fn human(files: &[FileDiagnostics<'_>], style: HumanStyle) -> String {
    let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(style.width).with_links(false);
    let mut out = String::new();
    for fd in files {
        let source = NamedSource::new(&fd.file.name, fd.file.text.clone());
        for diag in fd.diagnostics {
            let report = Report { diag, file: fd.file, source: &source };
            // Writing into a String cannot fail.
            let _ = handler.render_report(&mut out, &report);
            out.push('\n');
        }
    }
    out
}

struct Report<'a> {
    diag: &'a Diagnostic,
    file: &'a SourceFile,
    source: &'a NamedSource<String>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diag, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diag.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Advice => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diag.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.diag.labels.iter().enumerate().map(|(i, l)| {
            let span = self.file.clamp(l.span.clone());
            let text = (!l.text.is_empty()).then(|| l.text.clone());
            if i == 0 { LabeledSpan::new_primary_with_span(text, span) } else { LabeledSpan::new_with_span(text, span) }
        })))
    }
}

/// The JSON report: one document for all files, modelled on
/// `terraform validate -json`.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    pub format_version: &'static str,
    pub valid: bool,
    pub error_count: usize,
    pub warning_count: usize,
    pub diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    pub code: &'static str,
    pub severity: Severity,
    pub message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<&'a str>,
    pub file: &'a str,
    pub labels: Vec<JsonLabel<'a>>,
}

#[derive(Debug, Serialize)]
pub struct JsonLabel<'a> {
    pub text: &'a str,
    pub primary: bool,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub byte_start: usize,
    pub byte_end: usize,
}

impl<'a> JsonReport<'a> {
    pub fn new(files: &[FileDiagnostics<'a>]) -> Self {
        let all = || files.iter().flat_map(|fd| fd.diagnostics.iter());
        let count = |s| all().filter(|d| d.severity == s).count();
        let diagnostics =
            files.iter().flat_map(|fd| fd.diagnostics.iter().map(move |d| json_diagnostic(fd.file, d))).collect();
        let error_count = count(Severity::Error);
        JsonReport {
            format_version: "1",
            valid: error_count == 0,
            error_count,
            warning_count: count(Severity::Warning),
            diagnostics,
        }
    }
}

fn json_diagnostic<'a>(file: &'a SourceFile, d: &'a Diagnostic) -> JsonDiagnostic<'a> {
    let labels = d
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let span = file.clamp(l.span.clone());
            let LineCol { line, column } = file.line_col(span.start);
            let end = file.line_col(span.end);
            JsonLabel {
                text: &l.text,
                primary: i == 0,
                line,
                column,
                end_line: end.line,
                end_column: end.column,
                byte_start: span.start,
                byte_end: span.end,
            }
        })
        .collect();
    JsonDiagnostic {
        code: d.code.as_str(),
        severity: d.severity,
        message: &d.message,
        help: d.help.as_deref(),
        file: &file.name,
        labels,
    }
}

/// `check`'s JSON output.
pub fn json(files: &[FileDiagnostics<'_>]) -> String {
    // Serialising plain structs of strings and numbers cannot fail.
    serde_json::to_string_pretty(&JsonReport::new(files)).unwrap_or_default() + "\n"
}
