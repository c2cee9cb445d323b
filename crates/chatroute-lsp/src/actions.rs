//! Quick fixes for the diagnostics with an obvious fix: remove a `weight`
//! or `after_close` in first-responder mode, remove a second
//! `default_outgoing`, give an entry `read_send`.

use std::ops::Range;

use serde_json::{Value, json};

use super::position::Lines;
use super::{Document, Server};
use chatroute_check::diagnostics::{Code, Diagnostic};

/// The quick fixes for the diagnostics overlapping the requested range.
pub fn code_actions(server: &Server, uri: &str, doc: &Document, params: &Value) -> Value {
    let lines = Lines::new(&doc.text, server.encoding);
    let start = lines.offset(&params["range"]["start"]);
    let end = lines.offset(&params["range"]["end"]);
    let actions: Vec<Value> = doc
        .checked
        .diagnostics
        .iter()
        .filter(|d| d.labels.first().is_some_and(|l| l.span.start <= end && start <= l.span.end))
        .filter_map(|d| fix(&doc.text, d).map(|(title, edit)| (d, title, edit)))
        .map(|(d, title, (span, new))| {
            json!({
                "title": title,
                "kind": "quickfix",
                "diagnostics": [{ "range": lines.range(d.labels[0].span.clone()), "code": d.code.as_str(), "message": d.message }],
                "edit": { "changes": { uri: [{ "range": lines.range(span), "newText": new }] } },
                "isPreferred": true,
            })
        })
        .collect();
    Value::Array(actions)
}

/// The edit fixing a diagnostic: a title and (span, replacement).
fn fix(text: &str, d: &Diagnostic) -> Option<(String, (Range<usize>, String))> {
    let primary = d.labels.first()?.span.clone();
    match d.code {
        Code::WeightOutsideRoundRobin => Some(("Remove the weight".into(), (removal(text, primary)?, String::new()))),
        Code::AfterCloseOutsideRoundRobin => {
            Some(("Remove `after_close`".into(), (removal(text, primary)?, String::new())))
        }
        Code::DuplicateDefaultOutgoing => {
            Some(("Remove the second `default_outgoing`".into(), (removal(text, primary)?, String::new())))
        }
        Code::DefaultOutgoingCannotSend => {
            let level = d.labels.get(1)?.span.clone();
            let written = &text[level.clone()];
            (written.starts_with('"')).then(|| ("Give it `read_send`".into(), (level, "\"read_send\"".into())))
        }
        Code::MemberCannotSend => {
            let access = d.labels.get(1)?.span.clone();
            let written = text.get(access.clone())?;
            // Only an entry of this employee is theirs to change.
            let line_start = text[..access.start].rfind('\n').map_or(0, |i| i + 1);
            let key = text[line_start..access.start].trim_end().trim_end_matches('=').trim();
            let handle = d.message.split('`').nth(1)?;
            (written.starts_with('"') && key.trim_matches('"') == handle)
                .then(|| (format!("Give `{handle}` `read_send`"), (access, "\"read_send\"".into())))
        }
        _ => None,
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
