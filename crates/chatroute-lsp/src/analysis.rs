//! What the server knows of a document beyond its diagnostics: the item at
//! a position, every place an employee handle is written, and the context
//! a completion is asked in. All read from the spanned TOML tree, which the
//! parser gives even for a half-typed file.

use std::ops::Range;

use lsp_types::SymbolKind;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The key or value under the cursor, with its path from the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At {
    pub path: Vec<String>,
    pub on_key: bool,
    pub span: Range<usize>,
}

/// Every key and scalar value of a tree, by position (keys and scalars
/// never nest), each with its path: read once per document version for
/// `at`. A path is kept as a chain of segments and each key's name once
/// (a 1 MB spec has a few hundred thousand keys and values and a few
/// thousand names), rather than copied whole for every item.
#[derive(Debug, Default)]
pub struct Items {
    names: Vec<String>,
    name_ids: foldhash::HashMap<String, u32>,
    /// (the parent segment, a key's name or an array index).
    segments: Vec<(Option<u32>, Segment)>,
    /// (span, on a key, the segment its path ends in).
    items: Vec<(Range<usize>, bool, u32)>,
}

#[derive(Debug, Clone, Copy)]
enum Segment {
    Key(u32),
    Index(u32),
}

fn id(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Items {
    pub fn new(root: &DeTable<'_>) -> Items {
        let mut out = Items::default();
        out.table(root, None);
        // Every item starts somewhere else.
        out.items.sort_unstable_by_key(|(span, _, _)| span.start);
        out
    }

    fn segment(&mut self, parent: Option<u32>, segment: Segment) -> u32 {
        self.segments.push((parent, segment));
        id(self.segments.len() - 1)
    }

    fn name(&mut self, name: &str) -> u32 {
        if let Some(known) = self.name_ids.get(name) {
            return *known;
        }
        let new = id(self.names.len());
        self.names.push(name.to_owned());
        self.name_ids.insert(name.to_owned(), new);
        new
    }

    fn table(&mut self, t: &DeTable<'_>, parent: Option<u32>) {
        for (key, value) in t.iter() {
            let name = self.name(key.get_ref());
            let at = self.segment(parent, Segment::Key(name));
            self.items.push((key.span(), true, at));
            self.value(value, at);
        }
    }

    fn value(&mut self, value: &Spanned<DeValue<'_>>, at: u32) {
        match value.get_ref() {
            DeValue::Table(t) => self.table(t, Some(at)),
            DeValue::Array(elements) => {
                for (i, v) in elements.iter().enumerate() {
                    let element = self.segment(Some(at), Segment::Index(id(i)));
                    self.value(v, element);
                }
            }
            _ => self.items.push((value.span(), false, at)),
        }
    }

    /// The key or scalar value containing `offset` (a position just after
    /// one counts: the cursor at the end of a word).
    pub fn at(&self, offset: usize) -> Option<At> {
        let after = self.items.partition_point(|(span, _, _)| span.start <= offset);
        let (span, on_key, mut segment) =
            self.items[..after].iter().rev().take(2).find(|(span, _, _)| offset <= span.end)?.clone();
        let mut path = Vec::new();
        loop {
            let (parent, name) = self.segments.get(segment as usize)?;
            path.push(match name {
                Segment::Key(n) => self.names.get(*n as usize)?.clone(),
                Segment::Index(i) => i.to_string(),
            });
            match parent {
                Some(p) => segment = *p,
                None => break,
            }
        }
        path.reverse();
        Some(At { path, on_key, span })
    }
}

/// Where a handle is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Its key under `[employees]`.
    Definition,
    /// A key of an access table.
    AccessKey,
    /// A string value: an assignment member or a chat admin.
    Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub handle: String,
    pub span: Range<usize>,
    pub kind: Kind,
}

fn get<'a, 't>(t: &'a DeTable<'t>, key: &str) -> Option<&'a Spanned<DeValue<'t>>> {
    t.get(key)
}

fn as_table<'a, 't>(v: Option<&'a Spanned<DeValue<'t>>>) -> Option<&'a DeTable<'t>> {
    match v?.get_ref() {
        DeValue::Table(t) => Some(t),
        _ => None,
    }
}

/// Every place an employee handle is written: the definitions, assignment
/// members, access keys and chat admins.
pub fn occurrences(root: &DeTable<'_>) -> Vec<Occurrence> {
    let mut out = Vec::new();
    for (key, _) in as_table(get(root, "employees")).into_iter().flat_map(|t| t.iter()) {
        out.push(Occurrence { handle: key.get_ref().to_string(), span: key.span(), kind: Kind::Definition });
    }
    fn members(out: &mut Vec<Occurrence>, assignment: Option<&DeTable<'_>>) {
        let Some(DeValue::Array(items)) = assignment.and_then(|a| get(a, "members")).map(Spanned::get_ref) else {
            return;
        };
        for member in items {
            if let DeValue::Table(m) = member.get_ref()
                && let Some(v) = get(m, "employee")
                && let DeValue::String(s) = v.get_ref()
            {
                out.push(Occurrence { handle: s.to_string(), span: v.span(), kind: Kind::Value });
            }
        }
    }
    members(&mut out, as_table(get(root, "assignment")));
    let channels = as_table(get(root, "channels"));
    for (_, channel) in channels.into_iter().flat_map(|t| t.iter()) {
        let DeValue::Table(channel) = channel.get_ref() else { continue };
        members(&mut out, as_table(get(channel, "assignment")));
        for (key, _) in as_table(get(channel, "access")).into_iter().flat_map(|t| t.iter()) {
            if key.get_ref() != "everyone" {
                out.push(Occurrence { handle: key.get_ref().to_string(), span: key.span(), kind: Kind::AccessKey });
            }
        }
    }
    if let Some(DeValue::Array(admins)) =
        as_table(get(root, "global_chat")).and_then(|g| get(g, "admins")).map(Spanned::get_ref)
    {
        for admin in admins {
            if let DeValue::String(s) = admin.get_ref() {
                out.push(Occurrence { handle: s.to_string(), span: admin.span(), kind: Kind::Value });
            }
        }
    }
    out.sort_by_key(|o| o.span.start);
    out
}

/// The handle written at `offset`, if any.
pub fn handle_at(occurrences: &[Occurrence], offset: usize) -> Option<&Occurrence> {
    occurrences.iter().find(|o| o.span.start <= offset && offset <= o.span.end)
}

/// What a completion at the cursor is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Context {
    /// An employee handle (a member, an admin, an access key).
    Handle { quoted: bool },
    /// A value of `key` in the table at `table`.
    Value { table: Vec<String>, key: String },
    /// A key of the table at `table`.
    Key { table: Vec<String> },
}

/// The completion context, read from the text: the line up to the cursor
/// and the last table header above it. The tree may be half-typed; the
/// text always answers.
pub fn context(text: &str, offset: usize) -> Context {
    let before = &text[..offset.min(text.len())];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = &before[line_start..];
    let table = before[..line_start]
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix('[').and_then(|h| h.split(']').next()))
        .map(|h| h.trim_start_matches('[').split('.').map(|s| s.trim().trim_matches('"').to_owned()).collect())
        .unwrap_or_default();
    let in_members = line.contains("employee")
        || line.contains("admins")
        || before.rfind("members").is_some_and(|m| !before[m..].contains(']'));
    if let Some((key_part, value_part)) = line.rsplit_once('=') {
        let key = key_part.rsplit(['{', ',', ' ']).find(|s| !s.trim().is_empty()).unwrap_or("").trim().to_owned();
        if key == "employee" || key == "admins" || (key.is_empty() && in_members) {
            return Context::Handle { quoted: value_part.contains('"') };
        }
        return Context::Value { table, key };
    }
    if table.last().is_some_and(|t| t == "access") {
        return Context::Handle { quoted: false };
    }
    Context::Key { table }
}

/// Each round-robin member's share of new deals (`40%`), at the end of its
/// entry: the integration-wide assignment's and every channel's own.
pub fn member_shares(root: &DeTable<'_>) -> Vec<(usize, String)> {
    let channels = as_table(get(root, "channels")).into_iter().flat_map(|t| t.iter());
    let own = channels.filter_map(|(_, c)| get(as_table(Some(c))?, "assignment"));
    let assignments = get(root, "assignment").into_iter().chain(own);
    let mut out = Vec::new();
    for assignment in assignments.filter_map(|a| as_table(Some(a))) {
        let round_robin =
            get(assignment, "mode").is_none_or(|m| matches!(m.get_ref(), DeValue::String(s) if s == "round_robin"));
        let Some(DeValue::Array(members)) = get(assignment, "members").map(|m| m.get_ref()) else { continue };
        if !round_robin {
            continue;
        }
        let weight =
            |m: &Spanned<DeValue<'_>>| match as_table(Some(m)).and_then(|t| get(t, "weight")).map(|w| w.get_ref()) {
                Some(DeValue::Integer(i)) => i.as_str().parse::<u64>().unwrap_or(0),
                _ => 1,
            };
        let total: u64 = members.iter().map(weight).sum();
        if total == 0 {
            continue;
        }
        for member in members.iter() {
            let share = 100.0 * weight(member) as f64 / total as f64;
            out.push((member.span().end, format!("{share:.0}%")));
        }
    }
    out
}

/// The level of each access entry written as a table without `level`: its
/// own entry decides over `everyone` and the defaults, and without a level
/// it reads `read` (shown, since nothing on the line says so).
pub fn implied_levels(root: &DeTable<'_>) -> Vec<(usize, String)> {
    let channels = as_table(get(root, "channels")).into_iter().flat_map(|t| t.iter());
    let tables = channels.filter_map(|(_, c)| as_table(get(as_table(Some(c))?, "access")));
    let entries = tables.flat_map(|t| t.iter()).filter(|(k, _)| k.get_ref() != "everyone");
    entries
        .filter_map(|(_, v)| as_table(Some(v)).filter(|t| get(t, "level").is_none()).map(|_| v.span().end))
        .map(|end| (end, "read".to_owned()))
        .collect()
}

/// An entry of the outline.
pub struct Symbol {
    pub name: String,
    pub detail: String,
    pub kind: SymbolKind,
    /// The whole entry, and its key.
    pub range: Range<usize>,
    pub selection: Range<usize>,
    pub children: Vec<Symbol>,
}

fn entry(key: &Spanned<std::borrow::Cow<'_, str>>, value: &Spanned<DeValue<'_>>, kind: SymbolKind) -> Symbol {
    let (k, v) = (key.span(), value.span());
    let range = k.start.min(v.start)..k.end.max(v.end);
    Symbol { name: key.get_ref().to_string(), detail: String::new(), kind, range, selection: k, children: Vec::new() }
}

/// The `name` of a table entry, for the detail.
fn name_of(value: &Spanned<DeValue<'_>>) -> String {
    match as_table(Some(value)).and_then(|t| get(t, "name")).map(|n| n.get_ref()) {
        Some(DeValue::String(s)) => s.to_string(),
        _ => String::new(),
    }
}

/// Employees, channels (with `assignment` and `access`), schedules and the
/// integration-wide assignment, in file order.
pub fn outline(root: &DeTable<'_>) -> Vec<Symbol> {
    let mut out = Vec::new();
    for (key, value) in root.iter() {
        let mut section = entry(key, value, SymbolKind::NAMESPACE);
        match key.get_ref().as_ref() {
            "employees" | "channels" => {
                let channels = key.get_ref() == "channels";
                for (k, v) in as_table(Some(value)).into_iter().flat_map(|t| t.iter()) {
                    let kind = if channels { SymbolKind::OBJECT } else { SymbolKind::VARIABLE };
                    let mut item = Symbol { detail: name_of(v), ..entry(k, v, kind) };
                    for (sk, sv) in as_table(Some(v)).into_iter().flat_map(|t| t.iter()) {
                        match sk.get_ref().as_ref() {
                            "assignment" => item.children.push(entry(sk, sv, SymbolKind::EVENT)),
                            "access" => item.children.push(entry(sk, sv, SymbolKind::FIELD)),
                            _ => {}
                        }
                    }
                    section.children.push(item);
                }
            }
            "schedules" => {
                let schedules = as_table(Some(value)).into_iter().flat_map(|t| t.iter());
                section.children.extend(schedules.map(|(k, v)| entry(k, v, SymbolKind::STRUCT)));
            }
            "assignment" => section.kind = SymbolKind::EVENT,
            _ => continue,
        }
        section.children.sort_by_key(|s| s.selection.start);
        out.push(section);
    }
    out.sort_by_key(|s| s.selection.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "[employees]\nbruce = { name = \"B\" }\n[assignment]\nmode = \"round_robin\"\nmembers = [{ employee = \"bruce\" }]\n[channels.wa.access]\nbruce = \"read\"\n[global_chat]\nadmins = [\"bruce\"]\n";

    #[test]
    fn every_place_a_handle_is_written() {
        let (root, _) = DeTable::parse_recoverable(SPEC);
        let found: Vec<(Kind, &str)> =
            occurrences(root.get_ref()).iter().map(|o| (o.kind, &SPEC[o.span.clone()])).collect();
        assert_eq!(
            found,
            [
                (Kind::Definition, "bruce"),
                (Kind::Value, "\"bruce\""),
                (Kind::AccessKey, "bruce"),
                (Kind::Value, "\"bruce\"")
            ]
        );
    }

    #[test]
    fn the_item_under_the_cursor() {
        let (root, _) = DeTable::parse_recoverable(SPEC);
        let offset = SPEC.find("round_robin").unwrap();
        let items = Items::new(root.get_ref());
        let found = items.at(offset).unwrap();
        assert_eq!((&found.path[..], found.on_key), (&["assignment".to_owned(), "mode".to_owned()][..], false));
        let key = SPEC.find("mode").unwrap();
        let found = items.at(key + 4).unwrap();
        assert_eq!((&found.path[..], found.on_key), (&["assignment".to_owned(), "mode".to_owned()][..], true));
        let member = SPEC.find("\"bruce\" }]").unwrap();
        let path = items.at(member + 1).unwrap().path;
        assert_eq!(path, ["assignment", "members", "0", "employee"].map(String::from));
    }

    #[test]
    fn completion_contexts() {
        let t = "[assignment]\nmembers = [{ employee = \"br";
        assert_eq!(context(t, t.len()), Context::Handle { quoted: true });
        let t = "[channels.wa]\ntransport = ";
        assert_eq!(
            context(t, t.len()),
            Context::Value { table: vec!["channels".into(), "wa".into()], key: "transport".into() }
        );
        let t = "[channels.wa.access]\nbr";
        assert_eq!(context(t, t.len()), Context::Handle { quoted: false });
        let t = "[global_chat]\nvis";
        assert_eq!(context(t, t.len()), Context::Key { table: vec!["global_chat".into()] });
    }
}
