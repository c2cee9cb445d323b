//! Quick fixes, from the fixes the diagnostics carry as data: remove a
//! `weight` or `after_close` in first-responder mode, remove a second
//! `default_outgoing`, give an entry `read_send`, take a "did you mean".

use std::collections::HashMap;
use std::ops::Range;

use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse, NumberOrString, TextEdit,
    WorkspaceEdit,
};

use super::Server;
use super::document::Document;
use chatroute_check::diagnostics::Fix;

/// The quick fixes for the diagnostics overlapping the requested range:
/// the fixes each diagnostic carries (`Diagnostic::fixes`), as edits.
pub(crate) fn code_actions(server: &Server, doc: &Document, params: CodeActionParams) -> Option<CodeActionResponse> {
    let lines = doc.lines(server.encoding);
    let start = lines.offset(params.range.start);
    let end = lines.offset(params.range.end);
    let uri = params.text_document.uri;
    let actions = doc
        .checked
        .diagnostics
        .iter()
        .filter(|d| d.labels.first().is_some_and(|l| l.span.start <= end && start <= l.span.end))
        .flat_map(|d| d.fixes.iter().filter_map(|f| edit(&doc.text, f)).map(move |e| (d, e)))
        .map(|(d, (title, span, new))| {
            let fixed = lsp_types::Diagnostic {
                range: lines.range(d.labels[0].span.clone()),
                code: Some(NumberOrString::String(d.code.as_str().to_owned())),
                message: d.message.clone(),
                ..lsp_types::Diagnostic::default()
            };
            let edits = vec![TextEdit { range: lines.range(span), new_text: new }];
            CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![fixed]),
                edit: Some(WorkspaceEdit {
                    changes: Some(HashMap::from([(uri.clone(), edits)])),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(true),
                ..CodeAction::default()
            })
        })
        .collect();
    Some(actions)
}

/// A fix as an edit of the text: its title, the span replaced, the text.
fn edit(text: &str, fix: &Fix) -> Option<(String, Range<usize>, String)> {
    match fix {
        Fix::RemoveEntry { title, key } => Some((title.clone(), removal(text, key.clone())?, String::new())),
        Fix::Replace { title, span, with } => {
            let written = text.get(span.clone())?;
            // Quoted as written; a table or an array is not a value to swap.
            let new = match written.chars().next()? {
                '"' => format!("\"{with}\""),
                '\'' => format!("'{with}'"),
                '{' | '[' => return None,
                _ => with.clone(),
            };
            Some((title.clone(), span.clone(), new))
        }
    }
}

/// The span that removes `key = value` starting at `key`: with the comma
/// before it inside an inline table, or the whole line in a table.
fn removal(text: &str, key: Range<usize>) -> Option<Range<usize>> {
    let after = &text[key.start..];
    let value_len = after.find([',', '}', '\n']).unwrap_or(after.len());
    let value_end = key.start + after[..value_len].trim_end().len();
    let before = text[..key.start].trim_end_matches([' ', '\t']);
    if before.ends_with(',') {
        return Some(before.len() - 1..value_end);
    }
    if before.ends_with('{') {
        // First entry of an inline table: take the comma after it instead.
        let rest = &text[value_end..];
        let comma = rest.strip_prefix(',').map_or(0, |r| 1 + (r.len() - r.trim_start_matches(' ').len()));
        return Some(key.start..value_end + comma);
    }
    let line_start = text[..key.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[key.start..].find('\n').map_or(text.len(), |i| key.start + i + 1);
    Some(line_start..line_end)
}

#[cfg(test)]
mod tests {
    use super::removal;

    #[test]
    fn removals_keep_the_toml_valid() {
        let t = "members = [{ employee = \"a\", weight = 2 }]\n";
        let k = t.find("weight").unwrap();
        let r = removal(t, k..k + 6).unwrap();
        assert_eq!(format!("{}{}", &t[..r.start], &t[r.end..]), "members = [{ employee = \"a\" }]\n");
        let t = "mode = \"x\"\nafter_close = \"create_new\"\nmembers = []\n";
        let k = t.find("after_close").unwrap();
        let r = removal(t, k..k + 11).unwrap();
        assert_eq!(format!("{}{}", &t[..r.start], &t[r.end..]), "mode = \"x\"\nmembers = []\n");
        let t = "b = { default_outgoing = true, level = \"read_send\" }\n";
        let k = t.find("default_outgoing").unwrap();
        let r = removal(t, k..k + 16).unwrap();
        assert_eq!(format!("{}{}", &t[..r.start], &t[r.end..]), "b = { level = \"read_send\" }\n");
    }
}
