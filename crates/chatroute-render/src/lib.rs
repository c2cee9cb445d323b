//! Reporters: the same diagnostics as miette graphical text for humans, one
//! JSON document, SARIF 2.1.0 and GitHub workflow commands; `explain`, a
//! code's explanation for a terminal. Every reporter
//! places a label by `SourceFile::region`: 1-based lines, columns in
//! Unicode scalar values.

pub mod explain;
mod i18n;

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan,
    SpanContents,
};
use serde::Serialize;

use chatroute_check::diagnostics::{Code, Diagnostic, Severity};
use chatroute_check::source::{LineCol, SourceFile};

use crate::i18n::t;

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

/// Labels starting or ending further right than this many characters are
/// not drawn under their line: miette's graphical handler cannot pad past
/// 65,535 columns (a wide character takes two), and nobody reads such a
/// line anyway. Their place is printed as `file:line:column` instead.
const MAX_DRAWN_COLUMN: usize = 16_384;

/// Renders diagnostics the way rustc does: code, message, the source lines
/// with labelled underlines, then help. Linear in the number of
/// diagnostics: each snippet is read through the file's line index.
pub fn human(files: &[FileDiagnostics<'_>], style: HumanStyle) -> String {
    let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(style.width).with_links(false);
    let mut out = String::new();
    for fd in files.iter().filter(|fd| !fd.diagnostics.is_empty()) {
        let shown = chatroute_check::text::printable_source(&fd.file.text);
        let source = Snippets { file: fd.file, text: &shown };
        for diag in fd.diagnostics {
            let drawn = diag.labels.iter().all(|l| {
                let (_, start, end) = fd.file.region(l.span.clone());
                start.column.max(end.column) <= MAX_DRAWN_COLUMN
            });
            let report = Report { diag, file: fd.file, source: drawn.then_some(&source) };
            let mut rendered = String::new();
            // Writing into a String cannot fail.
            let _ = handler.render_report(&mut rendered, &report);
            out.push_str(&relabel_help(&rendered));
            if !drawn {
                for label in &diag.labels {
                    let (_, at, _) = fd.file.region(label.span.clone());
                    let name = chatroute_check::text::printable(&fd.file.name);
                    let place = format!("{name}:{}:{}", at.line, at.column);
                    out.push_str(&format!("  {}\n", t!("line-too-long", place = place, label = label.text.as_str())));
                }
            }
            out.push('\n');
        }
    }
    out
}

/// miette writes a diagnostic's help as `  help: TEXT`, wrapped lines
/// indented under the text; in another language the label is that
/// language's, and the wrapped lines move with the text.
fn relabel_help(report: &str) -> String {
    let label = t!("help-label");
    if label == "help" {
        return report.to_owned();
    }
    let shift = " ".repeat(label.chars().count().saturating_sub("help".len()));
    let (mut out, mut in_help) = (String::with_capacity(report.len()), false);
    for line in report.split_inclusive('\n') {
        if let Some(at) = line.find("  help: ") {
            in_help = true;
            out.push_str(&line[..at]);
            out.push_str(&format!("  {label}: "));
            out.push_str(&line[at + "  help: ".len()..]);
        } else if in_help && line.starts_with("        ") {
            out.push_str(&shift);
            out.push_str(line);
        } else {
            in_help = false;
            out.push_str(line);
        }
    }
    out
}

/// The file as miette reads it: snippets cut from the line index rather
/// than by scanning from the file's start, and columns in characters like
/// every other reporter.
struct Snippets<'a> {
    file: &'a SourceFile,
    /// The text with hiding characters made visible (same byte offsets).
    text: &'a str,
}

impl SourceCode for Snippets<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let (start, end) = (span.offset(), span.offset() + span.len());
        let first_line = self.file.line_index(start).saturating_sub(before);
        let window_start = self.file.line_start(first_line);
        // Two lines past the context: miette stops on its own before that.
        let window_end = self.file.line_start(self.file.line_index(end) + after + 2);
        let window = self.text.as_bytes().get(window_start..window_end).ok_or(MietteError::OutOfBounds)?;
        let inner = window.read_span(&SourceSpan::new((start - window_start).into(), span.len()), before, after)?;
        let column = if before == 0 { self.file.line_col(start).column - 1 } else { 0 };
        Ok(Box::new(MietteSpanContents::new_named(
            chatroute_check::text::printable(&self.file.name).into_owned(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + window_start).into(), inner.span().len()),
            inner.line() + first_line,
            column,
            inner.line_count() + first_line,
        )))
    }
}

struct Report<'a> {
    diag: &'a Diagnostic,
    file: &'a SourceFile,
    source: Option<&'a Snippets<'a>>,
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
        self.source.map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source?;
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
            let (span, LineCol { line, column }, end) = file.region(l.span.clone());
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
    serde_json::to_string_pretty(&JsonReport::new(files)).expect("a report is plain data") + "\n"
}

/// GitHub Actions workflow commands, one per diagnostic, so problems show
/// inline on pull requests. Advice becomes `::notice`.
pub fn github(files: &[FileDiagnostics<'_>]) -> String {
    // Escaping as GitHub's toolkit does: data escapes %, CR, LF; property
    // values also `:` and `,`.
    fn data(s: &str) -> String {
        s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
    }
    fn property(s: &str) -> String {
        data(s).replace(':', "%3A").replace(',', "%2C")
    }
    let mut out = String::new();
    for fd in files {
        for d in fd.diagnostics {
            let command = level_named(d.severity, "notice");
            let (_, start, end) = fd.file.region(d.labels.first().map_or(0..0, |l| l.span.clone()));
            let message = d.message_with_help();
            out.push_str(&format!(
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                property(&fd.file.name),
                start.line,
                start.column,
                end.line,
                end.column,
                property(d.code.as_str()),
                data(&message)
            ));
        }
    }
    out
}

/// SARIF 2.1.0 for code-scanning upload: one run, a rule per code, a
/// result per diagnostic with its primary place and the other labels as
/// related locations. Columns count Unicode code points, as declared.
pub fn sarif(files: &[FileDiagnostics<'_>]) -> String {
    use serde_json::json;
    let results: Vec<_> = files
        .iter()
        .flat_map(|fd| {
            let artifact = artifact_location(&fd.file.name);
            fd.diagnostics.iter().map(move |d| sarif_result(fd.file, &artifact, d))
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "chatroute",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/chatroute/chatroute",
                "rules": Code::ALL.iter().map(|c| sarif_rule(*c)).collect::<Vec<_>>(),
            }},
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "the directory chatroute ran in" } } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).expect("a JSON value serialises") + "\n"
}

/// A code as a SARIF reporting descriptor, its explanation as help.
fn sarif_rule(c: Code) -> serde_json::Value {
    serde_json::json!({
        "id": c.as_str(),
        "name": c.title(),
        "shortDescription": { "text": c.title() },
        "fullDescription": { "text": first_paragraph(c.explanation()) },
        "help": { "text": c.explanation(), "markdown": c.explanation() },
        "defaultConfiguration": { "level": sarif_level(c.severity()) },
    })
}

/// One diagnostic: its primary place, and every label as a related location.
fn sarif_result(file: &SourceFile, artifact: &serde_json::Value, d: &Diagnostic) -> serde_json::Value {
    use serde_json::json;
    let location = |span: std::ops::Range<usize>, text: Option<&str>| {
        let (span, start, end) = file.region(span);
        let mut loc = json!({
            "physicalLocation": {
                "artifactLocation": artifact,
                "region": {
                    "startLine": start.line, "startColumn": start.column,
                    "endLine": end.line, "endColumn": end.column,
                    "byteOffset": span.start, "byteLength": span.end - span.start,
                },
            }
        });
        if let Some(text) = text.filter(|t| !t.is_empty()) {
            loc["message"] = json!({ "text": text });
        }
        loc
    };
    let message = d.message_with_help();
    let related: Vec<_> = d
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let mut loc = location(l.span.clone(), Some(&l.text));
            loc["id"] = json!(i);
            loc
        })
        .collect();
    json!({
        "ruleId": d.code.as_str(),
        "ruleIndex": Code::ALL.iter().position(|c| *c == d.code),
        "level": sarif_level(d.severity),
        "message": { "text": message },
        "locations": [location(d.labels.first().map_or(0..0, |l| l.span.clone()), None)],
        "relatedLocations": related,
    })
}

fn sarif_level(severity: Severity) -> &'static str {
    level_named(severity, "note")
}

/// A severity in a format that calls advice otherwise (SARIF `note`,
/// GitHub `notice`); errors and warnings keep their names.
fn level_named(severity: Severity, advice: &'static str) -> &'static str {
    match severity {
        Severity::Advice => advice,
        other => other.as_str(),
    }
}

/// The explanation's first paragraph after its heading.
fn first_paragraph(text: &str) -> &str {
    text.split("\n\n").nth(1).unwrap_or(text).trim()
}

/// Where a file is, for SARIF: relative to the working directory
/// (`%SRCROOT%`) when it is under it, else an absolute `file://` URI.
fn artifact_location(name: &str) -> serde_json::Value {
    let path = std::path::Path::new(name);
    let under_cwd = std::env::current_dir().ok().and_then(|cwd| path.strip_prefix(cwd).ok().map(|p| p.to_path_buf()));
    match under_cwd {
        Some(relative) => serde_json::json!({ "uri": uri_path(&relative.to_string_lossy()), "uriBaseId": "%SRCROOT%" }),
        None if path.is_absolute() => serde_json::json!({ "uri": format!("file://{}", uri_path(name)) }),
        None => {
            serde_json::json!({ "uri": uri_path(name.strip_prefix("./").unwrap_or(name)), "uriBaseId": "%SRCROOT%" })
        }
    }
}

/// A path as a URI path: `/` separators, each segment percent-encoded where
/// URIs need it.
fn uri_path(relative: &str) -> String {
    let mut out = String::new();
    for (i, segment) in relative.split(['/', '\\']).enumerate() {
        if i > 0 {
            out.push('/');
        }
        for byte in segment.bytes() {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                out.push(byte as char);
            } else {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}
