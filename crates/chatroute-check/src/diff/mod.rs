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
    pub what: What,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<String>,
}

/// What changed, as data. Its English phrase (`Display`) is the JSON's
/// `what` ("member tony", "access on wa-opt"); `said` words it in the
/// current language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    Name,
    Address,
    NewDeals,
    AssignmentMode,
    Member(String),
    Weight(String),
    MemberOrder,
    AfterClose,
    Employee,
    Access(String),
    DefaultOutgoing,
    Account,
    Enabled,
    Channel,
    GlobalChatVisibility,
    ChatAdmins,
    DialogCopy,
    PhonesToInternational,
}

impl std::fmt::Display for What {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let phrase = match self {
            What::Member(handle) => return write!(f, "member {handle}"),
            What::Weight(handle) => return write!(f, "weight of {handle}"),
            What::Access(channel) => return write!(f, "access on {channel}"),
            What::Name => "name",
            What::Address => "address",
            What::NewDeals => "new deals",
            What::AssignmentMode => "assignment mode",
            What::MemberOrder => "member order",
            What::AfterClose => "after close",
            What::Employee => "employee",
            What::DefaultOutgoing => "default outgoing",
            What::Account => "account",
            What::Enabled => "enabled",
            What::Channel => "channel",
            What::GlobalChatVisibility => "global chat visibility",
            What::ChatAdmins => "chat admins",
            What::DialogCopy => "dialog copy",
            What::PhonesToInternational => "phones to international",
        };
        f.write_str(phrase)
    }
}

impl Serialize for What {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl What {
    /// In the current language, the names in it written by `shown`
    /// (escaped for Markdown, or as they are).
    pub fn said(&self, shown: fn(&str) -> String) -> String {
        match self {
            What::Member(handle) => t!("what-member", handle = shown(handle)),
            What::Weight(handle) => t!("what-weight-of", handle = shown(handle)),
            What::Access(channel) => t!("what-access-on", channel = shown(channel)),
            What::Name => t!("what-name"),
            What::Address => t!("what-address"),
            What::NewDeals => t!("what-new-deals"),
            What::AssignmentMode => t!("what-assignment-mode"),
            What::MemberOrder => t!("what-member-order"),
            What::AfterClose => t!("what-after-close"),
            What::Employee => t!("what-employee"),
            What::DefaultOutgoing => t!("what-default-outgoing"),
            What::Account => t!("what-account"),
            What::Enabled => t!("what-enabled"),
            What::Channel => t!("what-channel"),
            What::GlobalChatVisibility => t!("what-global-chat-visibility"),
            What::ChatAdmins => t!("what-chat-admins"),
            What::DialogCopy => t!("what-dialog-copy"),
            What::PhonesToInternational => t!("what-phones-to-international"),
        }
    }
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
    fn push(&mut self, subject: &Subject, kind: Kind, what: What, old: Option<String>, new: Option<String>) {
        self.changes.push(Change { subject: subject.clone(), kind, what, old, new });
    }

    fn field<T: PartialEq + ToString>(&mut self, subject: &Subject, what: What, old: T, new: T) {
        if old != new {
            self.push(subject, Kind::Changed, what, Some(old.to_string()), Some(new.to_string()));
        }
    }

    fn channel(&mut self, id: &str, old: &ChannelRoute, new: &ChannelRoute) {
        let s = Subject::Channel(id.to_owned());
        self.field(&s, What::Name, &old.name, &new.name);
        self.field(&s, What::Address, &old.address, &new.address);
        self.field(&s, What::NewDeals, stage(&old.new_deals), stage(&new.new_deals));
        self.field(&s, What::AssignmentMode, mode(&old.assignment), mode(&new.assignment));
        let (before, after) = (members(&old.assignment), members(&new.assignment));
        let weights = matches!(new.assignment, AssignmentRoute::RoundRobin { .. });
        for (handle, w) in &after {
            match before.iter().find(|(h, _)| h == handle) {
                None => self.push(
                    &s,
                    Kind::Added,
                    What::Member(handle.clone()),
                    None,
                    weights.then(|| format!("weight {w}")),
                ),
                Some((_, old_w)) if weights && old_w != w && mode(&old.assignment) == mode(&new.assignment) => {
                    self.field(&s, What::Weight(handle.clone()), old_w, w)
                }
                Some(_) => {}
            }
        }
        for (handle, _) in before.iter().filter(|(h, _)| !after.iter().any(|(a, _)| a == h)) {
            self.push(&s, Kind::Removed, What::Member(handle.clone()), None, None);
        }
        let order = |m: &[(String, usize)]| m.iter().map(|(h, _)| h.clone()).collect::<Vec<_>>();
        let (bo, ao) = (order(&before), order(&after));
        let common =
            |o: &[String], other: &[String]| o.iter().filter(|h| other.contains(h)).cloned().collect::<Vec<_>>();
        if common(&bo, &ao) != common(&ao, &bo) {
            self.push(&s, Kind::Changed, What::MemberOrder, Some(bo.join(", ")), Some(ao.join(", ")));
        }
        let after_close = |a: &AssignmentRoute| match a {
            AssignmentRoute::RoundRobin { after_close, .. } => after_close.as_str(),
            AssignmentRoute::FirstResponder { .. } => AfterClose::CreateNew.as_str(),
        };
        self.field(&s, What::AfterClose, after_close(&old.assignment), after_close(&new.assignment));
    }
}

impl Diff {
    /// An employee added or removed, their access per channel, default
    /// outgoing channel and name.
    fn employee(&mut self, handle: &str, before: Option<&EmployeeRoute>, after: Option<&EmployeeRoute>) {
        let s = Subject::Employee(handle.to_owned());
        match (before, after) {
            (None, Some(e)) => self.push(&s, Kind::Added, What::Employee, None, Some(e.name.clone())),
            (Some(e), None) => self.push(&s, Kind::Removed, What::Employee, Some(e.name.clone()), None),
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
            self.push(&s, kind, What::Access(ch.clone()), Some(bl.to_string()), Some(al.to_string()));
        }
        let outgoing = |e: &EmployeeRoute| e.default_outgoing.clone().unwrap_or_else(|| "none".to_owned());
        if let (Some(b), Some(a)) = (before, after) {
            self.field(&s, What::DefaultOutgoing, outgoing(b), outgoing(a));
            self.field(&s, What::Name, &b.name, &a.name);
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
    d.field(&integration, What::Account, &o.account, &n.account);
    d.field(&integration, What::Enabled, o.enabled, n.enabled);
    for (id, route) in &n.channels {
        match o.channels.get(id) {
            Some(before) => d.channel(id, before, route),
            None => {
                let existed = old.declared_channels.as_ref().is_some_and(|c| c.contains(id));
                let kind = if existed { Kind::Included } else { Kind::Added };
                d.push(&Subject::Channel(id.clone()), kind, What::Channel, None, Some(describe(route)));
            }
        }
    }
    for (id, route) in o.channels.iter().filter(|(id, _)| !n.channels.contains_key(*id)) {
        let stays = new.declared_channels.as_ref().is_some_and(|c| c.contains(id));
        let kind = if stays { Kind::Excluded } else { Kind::Removed };
        d.push(&Subject::Channel(id.clone()), kind, What::Channel, Some(describe(route)), None);
    }
    let handles: BTreeSet<&String> = o.employees.keys().chain(n.employees.keys()).collect();
    for handle in handles {
        d.employee(handle, o.employees.get(handle), n.employees.get(handle));
    }
    d.field(
        &integration,
        What::GlobalChatVisibility,
        o.global_chat.visibility.as_str(),
        n.global_chat.visibility.as_str(),
    );
    d.field(&integration, What::ChatAdmins, o.global_chat.admins.join(", "), n.global_chat.admins.join(", "));
    d.field(&integration, What::DialogCopy, o.copy_dialog.as_str(), n.copy_dialog.as_str());
    d.field(&integration, What::PhonesToInternational, o.phones.to_international, n.phones.to_international);
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
        let what = c.what.said(str::to_owned);
        out.push_str(&format!("  {sign} {}\n", printable(&format!("{what}{verb}{detail}"))));
    }
    out.push_str(&t!("diff-count", count = changes.len()));
    out.push('\n');
    out
}
