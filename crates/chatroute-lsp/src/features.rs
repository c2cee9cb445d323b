//! The language features, each a function of the server, a document and
//! the request's typed params, answering the protocol's types.

use std::collections::HashMap;

use lsp_types::{
    CodeDescription, CompletionItem, CompletionList, CompletionParams, CompletionResponse,
    DiagnosticRelatedInformation, DiagnosticSeverity, DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse,
    GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents, HoverParams, InlayHint, InlayHintKind,
    InlayHintLabel, InlayHintParams, InlayHintTooltip, Location, MarkupContent, MarkupKind, NumberOrString,
    ReferenceParams, RenameParams, TextEdit, Uri, WorkspaceEdit,
};

use super::analysis::{self, Context, Kind};
use super::document::Document;
use super::position::Lines;
use super::{DOCS_URL, Server};
use chatroute_check::check::Checked;
use chatroute_check::diagnostics::{Diagnostic, Severity};

use crate::i18n::t;

/// The protocol's diagnostics of a check: code, severity, range, the
/// other labels as related information, a link to the code's explanation.
pub(crate) fn diagnostics(lines: &Lines<'_>, uri: &Uri, checked: &Checked) -> Vec<lsp_types::Diagnostic> {
    checked.diagnostics.iter().map(|d| diagnostic(lines, uri, d)).collect()
}

fn diagnostic(lines: &Lines<'_>, uri: &Uri, d: &Diagnostic) -> lsp_types::Diagnostic {
    let primary = d.labels.first().map_or(0..0, |l| l.span.clone());
    let severity = match d.severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Advice => DiagnosticSeverity::INFORMATION,
    };
    let related: Vec<DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .skip(1)
        .map(|l| DiagnosticRelatedInformation {
            location: Location { uri: uri.clone(), range: lines.range(l.span.clone()) },
            message: l.text.clone(),
        })
        .collect();
    let code = d.code.as_str();
    let href = format!("{DOCS_URL}#{}", d.code.anchor()).parse().ok();
    lsp_types::Diagnostic {
        range: lines.range(primary),
        severity: Some(severity),
        code: Some(NumberOrString::String(code.to_owned())),
        code_description: href.map(|href| CodeDescription { href }),
        source: Some("chatroute".to_owned()),
        message: d.message_with_help(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

fn offset(server: &Server, doc: &Document, position: lsp_types::Position) -> usize {
    doc.lines(server.encoding).offset(position)
}

/// Hover: an employee's routing, a key's description, the explanation of
/// the diagnostics under the cursor.
pub(crate) fn hover(server: &Server, doc: &Document, params: HoverParams) -> Option<Hover> {
    let offset = offset(server, doc, params.text_document_position_params.position);
    let mut parts = Vec::new();
    if let Some(o) = analysis::handle_at(&doc.occurrences, offset) {
        parts.push(employee_summary(doc, &o.handle));
    } else if let Some(at) = doc.items.at(offset)
        && let Some(text) = chatroute_check::schema::node_at(&at.path).and_then(chatroute_check::schema::describe)
    {
        parts.push(format!("**{}**\n\n{text}", at.path.join(".")));
    }
    for d in doc.checked.diagnostics.iter().filter(|d| d.labels.iter().any(|l| l.span.contains(&offset))) {
        parts.push(d.code.explanation().to_owned());
    }
    if parts.is_empty() {
        return None;
    }
    let value = parts.join("\n\n---\n\n");
    Some(Hover { contents: HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value }), range: None })
}

/// An employee's access on every channel, outgoing channel and assignments,
/// from the document's spec (its last good one while the text is broken).
fn employee_summary(doc: &Document, handle: &str) -> String {
    let Some(spec) = doc.spec() else { return format!("**{handle}**") };
    let Some(employee) = spec.employees.get(handle) else {
        return format!("**{handle}**: {}", t!("hover-not-an-employee"));
    };
    let mut out = format!("**{handle}**: {}\n\n", employee.name);
    for (id, channel) in spec.enabled_channels() {
        out.push_str(&format!("- `{id}`: {}\n", spec.level(channel, handle)));
    }
    let outgoing = spec.default_outgoing_all().get(handle).and_then(|o| o.channel()).unwrap_or("none");
    out.push_str(&format!("\n{}\n", t!("hover-writes-first-from", channel = outgoing)));
    let mut assignments: Vec<String> = Vec::new();
    for (id, channel) in spec.enabled_channels() {
        if let Some((a, _)) = spec.assignment_for(id, channel)
            && a.members.iter().any(|m| m.employee == handle)
        {
            assignments.push(format!("`{id}` ({})", a.mode.as_str()));
        }
    }
    if !assignments.is_empty() {
        out.push_str(&format!("\n{}\n", t!("hover-takes-deals-on", channels = assignments.join(", "))));
    }
    if let Some(name) = &employee.schedule {
        let hours = spec.schedules.get(name).map_or_else(
            || t!("hover-schedule-not-defined"),
            |s| chatroute_check::hours::describe(&chatroute_check::hours::read(spec, name, s).route),
        );
        out.push_str(&format!("\n{}\n", t!("hover-works", schedule = name.as_str(), hours = hours)));
    }
    out
}

/// Completion: handles, keywords, keys, pipelines and stages.
pub(crate) fn completion(server: &Server, doc: &Document, params: CompletionParams) -> Option<CompletionResponse> {
    let offset = offset(server, doc, params.text_document_position.position);
    let item = |label: &str, detail: &str, insert: String| CompletionItem {
        label: label.to_owned(),
        detail: Some(detail.to_owned()),
        insert_text: Some(insert),
        ..CompletionItem::default()
    };
    let items: Vec<CompletionItem> = match analysis::context(&doc.text, offset) {
        Context::Handle { quoted } => handles(doc)
            .into_iter()
            // Inside quotes the handle alone; as an access key, `handle = `.
            .map(|(h, name)| {
                let insert = if quoted { h.clone() } else { format!("{h} = ") };
                item(&h, &name, insert)
            })
            .collect(),
        Context::Value { key, .. } if key == "pipeline" || key == "stage" => {
            crm_names(doc, &key).into_iter().map(|n| item(&n, &t!("completion-from-crm"), format!("\"{n}\""))).collect()
        }
        Context::Value { key, .. } if key == "schedule" => {
            let names = doc.spec().map(|s| s.schedules.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
            names.into_iter().map(|n| item(&n, "a [schedules] table", format!("\"{n}\""))).collect()
        }
        Context::Value { key, .. } if key == "timezone" => chatroute_check::table::schedule::zone_names()
            .map(|z| item(&z, "IANA time zone", format!("\"{z}\"")))
            .collect(),
        Context::Value { mut table, key } => {
            table.push(key);
            let node = chatroute_check::schema::node_at(&table);
            node.map(chatroute_check::schema::keywords)
                .unwrap_or_default()
                .into_iter()
                .map(|k| item(k, "", format!("\"{k}\"")))
                .collect()
        }
        Context::Key { table } => {
            let node = chatroute_check::schema::node_at(&table);
            let props = node.and_then(|n| n.get("properties")).and_then(serde_json::Value::as_object);
            props
                .into_iter()
                .flatten()
                .map(|(k, v)| item(k, chatroute_check::schema::describe(v).as_deref().unwrap_or(""), format!("{k} = ")))
                .collect()
        }
    };
    Some(CompletionResponse::List(CompletionList { is_incomplete: false, items }))
}

/// The handles under `[employees]` with their names.
fn handles(doc: &Document) -> Vec<(String, String)> {
    let employees = doc.occurrences.iter().filter(|o| o.kind == Kind::Definition);
    let name = |h: &str| doc.spec().and_then(|s| s.employees.get(h)).map(|e| e.name.clone()).unwrap_or_default();
    employees.map(|o| (o.handle.clone(), name(&o.handle))).collect()
}

fn crm_names(doc: &Document, key: &str) -> Vec<String> {
    let Some(crm) = &doc.crm else { return Vec::new() };
    match key {
        "pipeline" => crm.pipelines.iter().filter(|p| !p.is_archive).map(|p| p.name.clone()).collect(),
        _ => crm
            .pipelines
            .iter()
            .flat_map(|p| p.statuses.iter().filter(|s| s.kind != 1 && !s.is_closed()).map(|s| s.name.clone()))
            .collect(),
    }
}

/// Definition: the handle's key under `[employees]`.
pub(crate) fn definition(
    server: &Server,
    doc: &Document,
    params: GotoDefinitionParams,
) -> Option<GotoDefinitionResponse> {
    let at = params.text_document_position_params;
    let all = &doc.occurrences;
    let here = analysis::handle_at(all, offset(server, doc, at.position))?;
    let lines = doc.lines(server.encoding);
    let definition = all.iter().find(|o| o.kind == Kind::Definition && o.handle == here.handle)?;
    let range = lines.range(definition.span.clone());
    Some(GotoDefinitionResponse::Scalar(Location { uri: at.text_document.uri, range }))
}

/// References: every place the handle is written.
pub(crate) fn references(server: &Server, doc: &Document, params: ReferenceParams) -> Option<Vec<Location>> {
    let at = params.text_document_position;
    let all = &doc.occurrences;
    let here = analysis::handle_at(all, offset(server, doc, at.position))?;
    let lines = doc.lines(server.encoding);
    let with_definition = params.context.include_declaration;
    let found = all
        .iter()
        .filter(|o| o.handle == here.handle && (with_definition || o.kind != Kind::Definition))
        .map(|o| Location { uri: at.text_document.uri.clone(), range: lines.range(o.span.clone()) })
        .collect();
    Some(found)
}

/// Rename: every place the handle is written, nothing else; a key that
/// needs quotes gets them. A name that is not a handle, is `everyone`, or
/// is already an employee's is refused: the edits would make duplicate keys.
pub(crate) fn rename(server: &Server, doc: &Document, params: RenameParams) -> Result<Option<WorkspaceEdit>, String> {
    let at = params.text_document_position;
    let all = &doc.occurrences;
    let Some(here) = analysis::handle_at(all, offset(server, doc, at.position)) else { return Ok(None) };
    let new = params.new_name.as_str();
    if !chatroute_check::text::is_identifier(new) {
        return Err(t!("rename-invalid-handle", handle = chatroute_check::text::printable(new).into_owned()));
    }
    if new == chatroute_check::rules::references::EVERYONE {
        return Err(t!("rename-everyone"));
    }
    if new != here.handle && all.iter().any(|o| o.kind == Kind::Definition && o.handle == new) {
        return Err(t!("rename-taken", handle = new));
    }
    let bare = new.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    let lines = doc.lines(server.encoding);
    let edits: Vec<TextEdit> = all
        .iter()
        .filter(|o| o.handle == here.handle)
        .map(|o| {
            let text = match o.kind {
                Kind::Value => format!("\"{new}\""),
                _ if bare => new.to_owned(),
                _ => format!("\"{new}\""),
            };
            TextEdit { range: lines.range(o.span.clone()), new_text: text }
        })
        .collect();
    Ok(Some(WorkspaceEdit {
        changes: Some(HashMap::from([(at.text_document.uri, edits)])),
        ..WorkspaceEdit::default()
    }))
}

/// Inlay hints: each round-robin member's share of new deals, and the
/// level an access entry without one has.
pub(crate) fn inlay_hints(server: &Server, doc: &Document, _params: InlayHintParams) -> Option<Vec<InlayHint>> {
    let lines = doc.lines(server.encoding);
    let hint = |h: &super::document::Hint| InlayHint {
        position: lines.position(h.offset),
        label: InlayHintLabel::String(format!(" {}", h.label)),
        kind: Some(InlayHintKind::PARAMETER),
        tooltip: Some(InlayHintTooltip::String(h.tooltip.clone())),
        text_edits: None,
        padding_left: None,
        padding_right: None,
        data: None,
    };
    Some(doc.hints.iter().map(hint).collect())
}

/// The outline: employees, channels (with their assignment and access
/// tables), schedules and the integration-wide assignment, as read from
/// the text.
pub(crate) fn symbols(
    server: &Server,
    doc: &Document,
    _params: DocumentSymbolParams,
) -> Option<DocumentSymbolResponse> {
    let lines = doc.lines(server.encoding);
    Some(DocumentSymbolResponse::Nested(doc.outline.iter().map(|s| symbol(&lines, s)).collect()))
}

fn symbol(lines: &Lines<'_>, s: &analysis::Symbol) -> DocumentSymbol {
    #[allow(deprecated)] // `deprecated` is a field every literal must name.
    DocumentSymbol {
        name: s.name.clone(),
        detail: Some(s.detail.clone()),
        kind: s.kind,
        tags: None,
        deprecated: None,
        range: lines.range(s.range.clone()),
        selection_range: lines.range(s.selection.clone()),
        children: Some(s.children.iter().map(|c| symbol(lines, c)).collect()),
    }
}
