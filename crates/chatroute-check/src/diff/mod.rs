//! `chatroute diff`: the change in routing between two versions, as a
//! reviewer needs it: per channel, per employee, then integration-wide.
//! Computed on compiled tables, so it shows what the runtime will do
//! differently, whatever way the spec was rewritten.

pub mod markdown;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::i18n::t;
use crate::spec::{AfterClose, Level, Mode};
use crate::table::{AssignmentRoute, Body, ChannelRoute, EmployeeRoute, StageRoute};
use crate::text::printable;

/// One side of a diff: a table body, and when it came from a spec, every
/// channel the spec names (so an excluded channel is told from a removed one).
pub struct Side {
    pub body: Body,
    pub declared_channels: Option<BTreeSet<String>>,
}

/// Why one side of a diff cannot be compared.
#[derive(Debug, thiserror::Error)]
pub enum SideError {
    #[error(transparent)]
    Table(#[from] crate::table::TableError),
    /// A spec with errors; its check is returned for reporting.
    #[error("the spec has errors; cannot compare it")]
    Spec(Box<crate::check::Checked>),
}

impl Side {
    /// A side from a file's bytes: a table (JSON, which always starts with
    /// `{`, where a TOML spec cannot) as it is, or a spec checked and
    /// compiled.
    pub fn from_bytes(name: &str, bytes: Vec<u8>) -> Result<Side, SideError> {
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
            let table = crate::table::TableFile::from_slice(&bytes)?;
            return Ok(Side { body: table.body, declared_channels: None });
        }
        let checked = crate::check::check(name, bytes, Default::default());
        match checked.spec.as_ref() {
            Some(spec) => Ok(Side {
                body: crate::compile::body(spec, Default::default()),
                declared_channels: Some(spec.channels.keys().cloned().collect()),
            }),
            None => Err(SideError::Spec(Box::new(checked))),
        }
    }
}

/// What a change is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "scope", content = "id", rename_all = "snake_case")]
pub enum Subject {
    Channel(String),
    Employee(String),
    Integration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Added,
    Removed,
    Included,
    Excluded,
    Changed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    #[serde(flatten)]
    pub subject: Subject,
    pub kind: Kind,
    pub what: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
}

fn stage(s: &StageRoute) -> String {
    format!("{} / {}", s.pipeline, s.stage)
}

/// Members with their weights, in cycle order.
fn members(route: &AssignmentRoute) -> Vec<(String, usize)> {
    let list = match route {
        AssignmentRoute::RoundRobin { cycle, .. } => cycle,
        AssignmentRoute::FirstResponder { group, .. } => group,
    };
    let mut out: Vec<(String, usize)> = Vec::new();
    for handle in list {
        match out.last_mut() {
            Some((last, n)) if last == handle => *n += 1,
            _ => out.push((handle.clone(), 1)),
        }
    }
    out
}

fn mode(route: &AssignmentRoute) -> &'static str {
    match route {
        AssignmentRoute::RoundRobin { .. } => Mode::RoundRobin.as_str(),
        AssignmentRoute::FirstResponder { .. } => Mode::FirstResponder.as_str(),
    }
}

struct Diff {
    changes: Vec<Change>,
}

impl Diff {
    fn push(&mut self, subject: &Subject, kind: Kind, what: &str, old: Option<String>, new: Option<String>) {
        self.changes.push(Change { subject: subject.clone(), kind, what: what.to_owned(), old, new });
    }

    fn field<T: PartialEq + ToString>(&mut self, subject: &Subject, what: &str, old: T, new: T) {
        if old != new {
            self.push(subject, Kind::Changed, what, Some(old.to_string()), Some(new.to_string()));
        }
    }

    fn channel(&mut self, id: &str, old: &ChannelRoute, new: &ChannelRoute) {
        let s = Subject::Channel(id.to_owned());
        self.field(&s, "name", &old.name, &new.name);
        self.field(&s, "address", &old.address, &new.address);
        self.field(&s, "new deals", stage(&old.new_deals), stage(&new.new_deals));
        self.field(&s, "assignment mode", mode(&old.assignment), mode(&new.assignment));
        let (before, after) = (members(&old.assignment), members(&new.assignment));
        let weights = matches!(new.assignment, AssignmentRoute::RoundRobin { .. });
        for (handle, w) in &after {
            match before.iter().find(|(h, _)| h == handle) {
                None => self.push(
                    &s,
                    Kind::Added,
                    &format!("member {handle}"),
                    None,
                    weights.then(|| format!("weight {w}")),
                ),
                Some((_, old_w)) if weights && old_w != w && mode(&old.assignment) == mode(&new.assignment) => {
                    self.field(&s, &format!("weight of {handle}"), old_w, w)
                }
                Some(_) => {}
            }
        }
        for (handle, _) in before.iter().filter(|(h, _)| !after.iter().any(|(a, _)| a == h)) {
            self.push(&s, Kind::Removed, &format!("member {handle}"), None, None);
        }
        let order = |m: &[(String, usize)]| m.iter().map(|(h, _)| h.clone()).collect::<Vec<_>>();
        let (bo, ao) = (order(&before), order(&after));
        let common =
            |o: &[String], other: &[String]| o.iter().filter(|h| other.contains(h)).cloned().collect::<Vec<_>>();
        if common(&bo, &ao) != common(&ao, &bo) {
            self.push(&s, Kind::Changed, "member order", Some(bo.join(", ")), Some(ao.join(", ")));
        }
        let after_close = |a: &AssignmentRoute| match a {
            AssignmentRoute::RoundRobin { after_close, .. } => after_close.as_str(),
            AssignmentRoute::FirstResponder { .. } => AfterClose::CreateNew.as_str(),
        };
        self.field(&s, "after close", after_close(&old.assignment), after_close(&new.assignment));
    }
}

impl Diff {
    /// An employee added or removed, their access per channel, default
    /// outgoing channel and name.
    fn employee(&mut self, handle: &str, before: Option<&EmployeeRoute>, after: Option<&EmployeeRoute>) {
        let s = Subject::Employee(handle.to_owned());
        match (before, after) {
            (None, Some(e)) => self.push(&s, Kind::Added, "employee", None, Some(e.name.clone())),
            (Some(e), None) => self.push(&s, Kind::Removed, "employee", Some(e.name.clone()), None),
            _ => {}
        }
        let empty = BTreeMap::new();
        let (ba, aa) = (before.map_or(&empty, |e| &e.access), after.map_or(&empty, |e| &e.access));
        let channels: BTreeSet<&String> = ba.keys().chain(aa.keys()).collect();
        for ch in channels {
            let (bl, al) = (ba.get(ch).copied().unwrap_or(Level::None), aa.get(ch).copied().unwrap_or(Level::None));
            let kind = match (bl, al) {
                _ if bl == al => continue,
                (Level::None, _) => Kind::Added,
                (_, Level::None) => Kind::Removed,
                _ => Kind::Changed,
            };
            self.push(&s, kind, &format!("access on {ch}"), Some(bl.to_string()), Some(al.to_string()));
        }
        let outgoing = |e: &EmployeeRoute| e.default_outgoing.clone().unwrap_or_else(|| "none".to_owned());
        if let (Some(b), Some(a)) = (before, after) {
            self.field(&s, "default outgoing", outgoing(b), outgoing(a));
            self.field(&s, "name", &b.name, &a.name);
        }
    }
}

fn describe(c: &ChannelRoute) -> String {
    format!("{} ({} {}), new deals to {}", c.name, c.transport.as_str(), c.address, stage(&c.new_deals))
}

/// Every routing change from `old` to `new`, grouped by subject.
pub fn diff(old: &Side, new: &Side) -> Vec<Change> {
    let mut d = Diff { changes: Vec::new() };
    let (o, n) = (&old.body, &new.body);
    let integration = Subject::Integration;
    d.field(&integration, "account", &o.account, &n.account);
    d.field(&integration, "enabled", o.enabled, n.enabled);
    for (id, route) in &n.channels {
        match o.channels.get(id) {
            Some(before) => d.channel(id, before, route),
            None => {
                let existed = old.declared_channels.as_ref().is_some_and(|c| c.contains(id));
                let kind = if existed { Kind::Included } else { Kind::Added };
                d.push(&Subject::Channel(id.clone()), kind, "channel", None, Some(describe(route)));
            }
        }
    }
    for (id, route) in o.channels.iter().filter(|(id, _)| !n.channels.contains_key(*id)) {
        let stays = new.declared_channels.as_ref().is_some_and(|c| c.contains(id));
        let kind = if stays { Kind::Excluded } else { Kind::Removed };
        d.push(&Subject::Channel(id.clone()), kind, "channel", Some(describe(route)), None);
    }
    let handles: BTreeSet<&String> = o.employees.keys().chain(n.employees.keys()).collect();
    for handle in handles {
        d.employee(handle, o.employees.get(handle), n.employees.get(handle));
    }
    d.field(
        &integration,
        "global chat visibility",
        o.global_chat.visibility.as_str(),
        n.global_chat.visibility.as_str(),
    );
    d.field(&integration, "chat admins", o.global_chat.admins.join(", "), n.global_chat.admins.join(", "));
    d.field(&integration, "dialog copy", o.copy_dialog.as_str(), n.copy_dialog.as_str());
    d.field(&integration, "phones to international", o.phones.to_international, n.phones.to_international);
    d.changes.sort_by(|a, b| a.subject.cmp(&b.subject));
    d.changes
}

/// Human rendering, one block per subject, like a plan.
/// The JSON document of `diff --format json`: the changes and their count.
pub fn to_json(changes: &[Change]) -> String {
    let doc = serde_json::json!({ "changes": changes, "count": changes.len() });
    serde_json::to_string_pretty(&doc).expect("changes are plain data") + "\n"
}

/// The human report: changes grouped by subject, then their count.
pub fn render(changes: &[Change]) -> String {
    if changes.is_empty() {
        return "no routing changes\n".to_owned();
    }
    let mut out = String::new();
    let mut current = None;
    for c in changes {
        if current != Some(&c.subject) {
            current = Some(&c.subject);
            // Ids and names come from files that may be hostile: every
            // control character is escaped, so a line stays one line.
            let heading = match &c.subject {
                Subject::Channel(id) => t!("diff-channel", id = printable(id).into_owned()),
                Subject::Employee(h) => t!("diff-employee", handle = printable(h).into_owned()),
                Subject::Integration => t!("diff-integration"),
            };
            out.push_str(&heading);
            out.push('\n');
        }
        let sign = match c.kind {
            Kind::Added | Kind::Included => '+',
            Kind::Removed | Kind::Excluded => '-',
            Kind::Changed => '~',
        };
        let verb = match c.kind {
            Kind::Included => format!(" {}", t!("diff-included")),
            Kind::Excluded => format!(" {}", t!("diff-excluded")),
            _ => String::new(),
        };
        let detail = match (&c.old, &c.new) {
            (Some(o), Some(n)) => format!(": {o} -> {n}"),
            (None, Some(n)) => format!(": {n}"),
            (Some(o), None) => format!(": {o}"),
            (None, None) => String::new(),
        };
        let what = said(&c.what, str::to_owned);
        out.push_str(&format!("  {sign} {}\n", printable(&format!("{what}{verb}{detail}"))));
    }
    out.push_str(&t!("diff-count", count = changes.len()));
    out.push('\n');
    out
}

/// What changed, in the current language: the phrases `diff` records
/// (its JSON keeps them as they are), each with its message, the names in
/// them written by `shown` (escaped for Markdown, or as they are).
pub(crate) fn said(text: &str, shown: fn(&str) -> String) -> String {
    let (head, name) = match text.split_once(' ') {
        Some((head @ ("member" | "access"), rest)) => (head, rest.trim_start_matches("on ")),
        _ => (text, ""),
    };
    let name = shown(name);
    match (head, text) {
        ("member", _) => t!("what-member", handle = name),
        ("access", _) => t!("what-access-on", channel = name),
        (_, "name") => t!("what-name"),
        (_, "address") => t!("what-address"),
        (_, "new deals") => t!("what-new-deals"),
        (_, "assignment mode") => t!("what-assignment-mode"),
        (_, "member order") => t!("what-member-order"),
        (_, "after close") => t!("what-after-close"),
        (_, "employee") => t!("what-employee"),
        (_, "default outgoing") => t!("what-default-outgoing"),
        (_, "account") => t!("what-account"),
        (_, "enabled") => t!("what-enabled"),
        (_, "channel") => t!("what-channel"),
        (_, "global chat visibility") => t!("what-global-chat-visibility"),
        (_, "chat admins") => t!("what-chat-admins"),
        (_, "dialog copy") => t!("what-dialog-copy"),
        (_, "phones to international") => t!("what-phones-to-international"),
        _ => match text.strip_prefix("weight of ") {
            Some(handle) => t!("what-weight-of", handle = shown(handle)),
            None => shown(text),
        },
    }
}
