//! The language features, each a function of the server, a document and
//! the request's params, answering the protocol's JSON.

use serde_json::{Value, json};
use toml::de::DeTable;

use super::analysis::{self, Context, Kind};
use super::position::Lines;
use super::{DOCS_URL, Document, Server};
use chatroute_check::check::Checked;
use chatroute_check::diagnostics::{Diagnostic, Severity};

/// The protocol's diagnostics of a check: code, severity, range, the
/// other labels as related information, a link to the code's explanation.
pub fn diagnostics(server: &Server, text: &str, checked: &Checked) -> Vec<Value> {
    let lines = Lines::new(text, server.encoding);
    checked.diagnostics.iter().map(|d| diagnostic(&lines, d)).collect()
}

fn diagnostic(lines: &Lines<'_>, d: &Diagnostic) -> Value {
    let primary = d.labels.first().map_or(0..0, |l| l.span.clone());
    let severity = match d.severity {
        Severity::Error => 1,
        Severity::Warning => 2,
        Severity::Advice => 3,
    };
    let message = d.message_with_help();
    let related: Vec<Value> = d
        .labels
        .iter()
        .skip(1)
        .map(|l| json!({ "location": { "uri": "", "range": lines.range(l.span.clone()) }, "message": l.text }))
        .collect();
    let code = d.code.as_str();
    let mut out = json!({
        "range": lines.range(primary),
        "severity": severity,
        "code": code,
        "codeDescription": { "href": format!("{DOCS_URL}#{}", code.to_lowercase()) },
        "source": "chatroute",
        "message": message,
    });
    if !related.is_empty() {
        out["relatedInformation"] = Value::Array(related);
    }
    out
}

/// Related information needs the document's URI, which the check does not know.
pub fn with_uri(mut diagnostics: Vec<Value>, uri: &str) -> Vec<Value> {
    for d in &mut diagnostics {
        let related = d.get_mut("relatedInformation").and_then(Value::as_array_mut);
        for r in related.into_iter().flatten() {
            r["location"]["uri"] = json!(uri);
        }
    }
    diagnostics
}

fn tree(text: &str) -> toml::Spanned<DeTable<'_>> {
    DeTable::parse_recoverable(text).0
}

fn offset(server: &Server, doc: &Document, params: &Value) -> usize {
    Lines::new(&doc.text, server.encoding).offset(&params["position"])
}

/// Hover: an employee's routing, a key's description, the explanation of
/// the diagnostics under the cursor.
pub fn hover(server: &Server, _uri: &str, doc: &Document, params: &Value) -> Value {
    let offset = offset(server, doc, params);
    let root = tree(doc.readable());
    let mut parts = Vec::new();
    if let Some(o) = analysis::handle_at(&doc.occurrences, offset) {
        parts.push(employee_summary(doc, &o.handle));
    } else if let Some(at) = analysis::at(root.get_ref(), offset)
        && let Some(text) = chatroute_check::schema::node_at(&at.path).and_then(chatroute_check::schema::describe)
    {
        parts.push(format!("**{}**\n\n{text}", at.path.join(".")));
    }
    for d in doc.checked.diagnostics.iter().filter(|d| d.labels.iter().any(|l| l.span.contains(&offset))) {
        parts.push(d.code.explanation().to_owned());
    }
    if parts.is_empty() {
        return Value::Null;
    }
    json!({ "contents": { "kind": "markdown", "value": parts.join("\n\n---\n\n") } })
}

/// An employee's access on every channel, outgoing channel and assignments,
/// from the document's spec (its last good one while the text is broken).
fn employee_summary(doc: &Document, handle: &str) -> String {
    let Some(spec) = doc.spec() else { return format!("**{handle}**") };
    let Some(employee) = spec.employees.get(handle) else { return format!("**{handle}**: not under [employees]") };
    let mut out = format!("**{handle}**: {}\n\n", employee.name);
    for (id, channel) in spec.enabled_channels() {
        out.push_str(&format!("- `{id}`: {}\n", spec.level(channel, handle)));
    }
    let outgoing = spec.default_outgoing_all().get(handle).and_then(|o| o.channel()).unwrap_or("none");
    out.push_str(&format!("\nwrites first from: `{outgoing}`\n"));
    let mut assignments: Vec<String> = Vec::new();
    for (id, channel) in spec.enabled_channels() {
        if let Some((a, _)) = spec.assignment_for(id, channel)
            && a.members.iter().any(|m| m.employee == handle)
        {
            assignments.push(format!("`{id}` ({})", a.mode));
        }
    }
    if !assignments.is_empty() {
        out.push_str(&format!("\ntakes new deals on: {}\n", assignments.join(", ")));
    }
    if let Some(name) = &employee.schedule {
        let hours = spec.schedules.get(name).map_or_else(
            || "not defined".to_owned(),
            |s| chatroute_check::hours::describe(&chatroute_check::hours::read(spec, name, s).route),
        );
        out.push_str(&format!("\nworks `{name}`: {hours}\n"));
    }
    out
}

/// Completion: handles, keywords, keys, pipelines and stages.
pub fn completion(server: &Server, _uri: &str, doc: &Document, params: &Value) -> Value {
    let offset = offset(server, doc, params);
    let item =
        |label: &str, detail: &str, insert: String| json!({ "label": label, "detail": detail, "insertText": insert });
    let items: Vec<Value> = match analysis::context(&doc.text, offset) {
        Context::Handle { quoted } => handles(doc)
            .into_iter()
            // Inside quotes the handle alone; as an access key, `handle = `.
            .map(|(h, name)| {
                let insert = if quoted { h.clone() } else { format!("{h} = ") };
                item(&h, &name, insert)
            })
            .collect(),
        Context::Value { key, .. } if key == "pipeline" || key == "stage" => {
            crm_names(doc, &key).into_iter().map(|n| item(&n, "from the CRM snapshot", format!("\"{n}\""))).collect()
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
            let props = node.and_then(|n| n.get("properties")).and_then(Value::as_object);
            props
                .into_iter()
                .flatten()
                .map(|(k, v)| item(k, chatroute_check::schema::describe(v).unwrap_or(""), format!("{k} = ")))
                .collect()
        }
    };
    json!({ "isIncomplete": false, "items": items })
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
pub fn definition(server: &Server, uri: &str, doc: &Document, params: &Value) -> Value {
    let all = &doc.occurrences;
    let Some(at) = analysis::handle_at(all, offset(server, doc, params)) else { return Value::Null };
    let lines = Lines::new(&doc.text, server.encoding);
    all.iter()
        .find(|o| o.kind == Kind::Definition && o.handle == at.handle)
        .map_or(Value::Null, |d| json!({ "uri": uri, "range": lines.range(d.span.clone()) }))
}

/// References: every place the handle is written.
pub fn references(server: &Server, uri: &str, doc: &Document, params: &Value) -> Value {
    let all = &doc.occurrences;
    let Some(at) = analysis::handle_at(all, offset(server, doc, params)) else { return Value::Null };
    let lines = Lines::new(&doc.text, server.encoding);
    let with_definition = params.pointer("/context/includeDeclaration").and_then(Value::as_bool).unwrap_or(true);
    let found: Vec<Value> = all
        .iter()
        .filter(|o| o.handle == at.handle && (with_definition || o.kind != Kind::Definition))
        .map(|o| json!({ "uri": uri, "range": lines.range(o.span.clone()) }))
        .collect();
    Value::Array(found)
}

/// Rename: every place the handle is written, nothing else; a key that
/// needs quotes gets them. A name that is not a handle, is `everyone`, or
/// is already an employee's is refused: the edits would make duplicate keys.
pub fn rename(server: &Server, uri: &str, doc: &Document, params: &Value) -> Result<Value, String> {
    let all = &doc.occurrences;
    let Some(at) = analysis::handle_at(all, offset(server, doc, params)) else { return Ok(Value::Null) };
    let new = params["newName"].as_str().unwrap_or("");
    if !chatroute_check::text::is_identifier(new) {
        return Err(format!("`{}` is not a valid handle", chatroute_check::text::printable(new)));
    }
    if new == chatroute_check::rules::references::EVERYONE {
        return Err("`everyone` is the access key for all employees, not a handle".into());
    }
    if new != at.handle && all.iter().any(|o| o.kind == Kind::Definition && o.handle == new) {
        return Err(format!("an employee `{new}` exists already: rename it first, or pick another name"));
    }
    let bare = new.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    let lines = Lines::new(&doc.text, server.encoding);
    let edits: Vec<Value> = all
        .iter()
        .filter(|o| o.handle == at.handle)
        .map(|o| {
            let text = match o.kind {
                Kind::Value => format!("\"{new}\""),
                _ if bare => new.to_owned(),
                _ => format!("\"{new}\""),
            };
            json!({ "range": lines.range(o.span.clone()), "newText": text })
        })
        .collect();
    Ok(json!({ "changes": { uri: edits } }))
}

/// The outline: employees, channels (with their assignment and access
/// tables) and the integration-wide assignment, as read from the text.
/// Inlay hints: each round-robin member's share of new deals, and the
/// level an access entry without one has.
pub fn inlay_hints(server: &Server, _uri: &str, doc: &Document, _params: &Value) -> Value {
    let root = tree(doc.readable());
    let lines = Lines::new(&doc.text, server.encoding);
    let hint = |offset: usize, label: String, tooltip: &str| json!({ "position": lines.position(offset), "label": format!(" {label}"), "kind": 2, "tooltip": tooltip });
    let shares = analysis::member_shares(root.get_ref()).into_iter().map(|(offset, label)| {
        hint(offset, label, "this member's share of the channel's new deals (weight / sum of weights)")
    });
    let levels = analysis::implied_levels(root.get_ref()).into_iter().map(|(offset, label)| {
        hint(
            offset,
            label,
            "the entry's level: its own entry decides over `everyone`, and without `level` it is `read`",
        )
    });
    Value::Array(shares.chain(levels).collect())
}

pub fn symbols(server: &Server, _uri: &str, doc: &Document, _params: &Value) -> Value {
    let root = tree(doc.readable());
    let lines = Lines::new(&doc.text, server.encoding);
    Value::Array(analysis::outline(root.get_ref()).iter().map(|s| symbol(&lines, s)).collect())
}

fn symbol(lines: &Lines<'_>, s: &analysis::Symbol) -> Value {
    json!({
        "name": s.name,
        "detail": s.detail,
        "kind": s.kind as u8,
        "range": lines.range(s.range.clone()),
        "selectionRange": lines.range(s.selection.clone()),
        "children": s.children.iter().map(|c| symbol(lines, c)).collect::<Vec<_>>(),
    })
}
