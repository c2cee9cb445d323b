//! The format's precedence rules, in one place: which access, assignment,
//! new-deal stage and default outgoing channel apply. Both the semantic
//! rules and the compiler read the spec only through these.

use std::collections::BTreeMap;

// The resolutions look a handle up once per access entry: a fast hash.
use foldhash::{HashMap, HashMapExt};

use crate::spec::{Assignment, Channel, Level, Spec, StageRef};

/// Where a setting comes from: the channel's own table or the integration-wide one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'a> {
    Channel(&'a str),
    Integration,
}

/// An employee's default outgoing channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outgoing<'a> {
    /// Marked with `default_outgoing = true`.
    Explicit(&'a str),
    /// The only channel the employee can send from.
    Implied(&'a str),
    /// Several sendable channels and no mark.
    Unset(Vec<&'a str>),
    /// Cannot send anywhere.
    None,
}

impl<'a> Outgoing<'a> {
    pub fn channel(&self) -> Option<&'a str> {
        match self {
            Outgoing::Explicit(c) | Outgoing::Implied(c) => Some(c),
            Outgoing::Unset(_) | Outgoing::None => None,
        }
    }
}

/// Where an employee's level on a channel comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelSource {
    /// Their own entry in the channel's access table.
    Entry,
    /// The channel's `everyone`.
    Everyone,
    /// `defaults.access` (written, or its default `none`).
    Defaults,
}

impl Spec {
    /// Channels that are part of the integration (the checkbox), by id.
    pub fn enabled_channels(&self) -> impl Iterator<Item = (&str, &Channel)> {
        self.channels.iter().filter(|(_, c)| c.enabled).map(|(id, c)| (id.as_str(), c))
    }

    /// Access precedence: the employee's own entry on the channel, then the
    /// channel's `everyone`, then `defaults.access`.
    pub fn level(&self, channel: &Channel, employee: &str) -> Level {
        self.level_from(channel, employee).0
    }

    /// `level`, and which of the three decided it (for a rule to point at).
    pub fn level_from(&self, channel: &Channel, employee: &str) -> (Level, LevelSource) {
        if let Some(entry) = channel.access.employees.get(employee) {
            return (entry.level(), LevelSource::Entry);
        }
        match channel.access.everyone {
            Some(level) => (level, LevelSource::Everyone),
            None => (self.defaults.access, LevelSource::Defaults),
        }
    }

    /// The assignment that decides new deals on a channel.
    pub fn assignment_for<'a>(&'a self, id: &'a str, channel: &'a Channel) -> Option<(&'a Assignment, Scope<'a>)> {
        match &channel.assignment {
            Some(a) => Some((a, Scope::Channel(id))),
            None => self.assignment.as_ref().map(|a| (a, Scope::Integration)),
        }
    }

    /// Whether an assignment skips the unavailable: its own
    /// `skip_unavailable`, else (a channel's) the integration's, else no.
    pub fn skips_unavailable(&self, assignment: &Assignment) -> bool {
        let integration = self.assignment.as_ref().and_then(|a| a.skip_unavailable);
        assignment.skip_unavailable.or(integration).unwrap_or(false)
    }

    /// The pipeline and stage new deals on a channel land in.
    pub fn new_deals_for<'a>(&'a self, id: &'a str, channel: &'a Channel) -> Option<(&'a StageRef, Scope<'a>)> {
        match &channel.new_deals {
            Some(s) => Some((s, Scope::Channel(id))),
            None => self.defaults.new_deals.as_ref().map(|s| (s, Scope::Integration)),
        }
    }

    /// Enabled channels the employee can send from, in id order.
    pub fn sendable_channels(&self, employee: &str) -> Vec<&str> {
        self.enabled_channels().filter(|(_, c)| self.level(c, employee) == Level::ReadSend).map(|(id, _)| id).collect()
    }

    /// Every employee's level on each enabled channel where it is not
    /// `none`, channels in id order: the bulk level for everyone, then the
    /// entries that override it. The same precedence as `level`, in one pass
    /// over the entries.
    pub fn access_all(&self) -> HashMap<&str, Vec<(&str, Level)>> {
        let mut access: HashMap<&str, Vec<(&str, Level)>> =
            self.employees.keys().map(|h| (h.as_str(), Vec::new())).collect();
        for (id, channel) in self.enabled_channels() {
            let bulk = self.bulk_level(channel);
            if bulk != Level::None {
                for levels in access.values_mut() {
                    levels.push((id, bulk));
                }
            }
            for (handle, entry) in &channel.access.employees {
                let Some(levels) = access.get_mut(handle.as_str()) else { continue };
                // Channels come in id order: only the last level can be this channel's.
                if levels.last().is_some_and(|(c, _)| *c == id) {
                    levels.pop();
                }
                if entry.level() != Level::None {
                    levels.push((id, entry.level()));
                }
            }
        }
        access
    }

    /// The bulk level of a channel: its `everyone`, else `defaults.access`.
    pub fn bulk_level(&self, channel: &Channel) -> Level {
        channel.access.everyone.unwrap_or(self.defaults.access)
    }

    /// Every employee's default outgoing channel: the first enabled channel
    /// (in id order) that marks it, else the only sendable one.
    ///
    /// One pass over the channels and their entries, not employees x
    /// channels: a channel whose bulk level is `read_send` is sendable for
    /// everyone but those whose own entry says otherwise.
    pub fn default_outgoing_all(&self) -> BTreeMap<&str, Outgoing<'_>> {
        let mut open = Vec::new();
        let mut marked: HashMap<&str, &str> = HashMap::new();
        let mut closed: HashMap<&str, usize> = HashMap::new();
        let mut extra: HashMap<&str, Vec<&str>> = HashMap::new();
        for (id, channel) in self.enabled_channels() {
            let bulk_sends = self.bulk_level(channel) == Level::ReadSend;
            if bulk_sends {
                open.push(id);
            }
            for (handle, entry) in &channel.access.employees {
                if entry.default_outgoing() {
                    marked.entry(handle).or_insert(id);
                }
                match (bulk_sends, entry.level() == Level::ReadSend) {
                    (true, false) => *closed.entry(handle).or_default() += 1,
                    (false, true) => extra.entry(handle).or_default().push(id),
                    _ => {}
                }
            }
        }
        self.employees
            .keys()
            .map(|handle| {
                let handle = handle.as_str();
                let outgoing = if let Some(id) = marked.get(handle) {
                    Outgoing::Explicit(id)
                } else {
                    let extra = extra.get(handle).map_or(&[][..], Vec::as_slice);
                    match open.len() - closed.get(handle).copied().unwrap_or(0) + extra.len() {
                        0 => Outgoing::None,
                        1 => match extra {
                            [only] => Outgoing::Implied(only),
                            _ => {
                                self.sendable_channels(handle).first().map_or(Outgoing::None, |c| Outgoing::Implied(c))
                            }
                        },
                        _ => Outgoing::Unset(self.sendable_channels(handle)),
                    }
                };
                (handle, outgoing)
            })
            .collect()
    }
}
