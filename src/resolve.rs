//! The format's precedence rules, in one place: which access, assignment,
//! new-deal stage and default outgoing channel apply. Both the semantic
//! rules and the compiler read the spec only through these.

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

impl Spec {
    /// Channels that are part of the integration (the checkbox), by id.
    pub fn enabled_channels(&self) -> impl Iterator<Item = (&str, &Channel)> {
        self.channels.iter().filter(|(_, c)| c.enabled).map(|(id, c)| (id.as_str(), c))
    }

    /// Access precedence: the employee's own entry on the channel, then the
    /// channel's `everyone`, then `defaults.access`.
    pub fn level(&self, channel: &Channel, employee: &str) -> Level {
        channel
            .access
            .employees
            .get(employee)
            .map(|e| e.level())
            .or(channel.access.everyone)
            .unwrap_or(self.defaults.access)
    }

    /// The assignment that decides new deals on a channel.
    pub fn assignment_for<'a>(&'a self, id: &'a str, channel: &'a Channel) -> Option<(&'a Assignment, Scope<'a>)> {
        match &channel.assignment {
            Some(a) => Some((a, Scope::Channel(id))),
            None => self.assignment.as_ref().map(|a| (a, Scope::Integration)),
        }
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

    /// The default outgoing channel: the marked one (the first, when the
    /// spec wrongly marks several), else the only sendable one.
    pub fn default_outgoing(&self, employee: &str) -> Outgoing<'_> {
        let marked = self
            .enabled_channels()
            .find(|(_, c)| c.access.employees.get(employee).is_some_and(|e| e.default_outgoing()));
        if let Some((id, _)) = marked {
            return Outgoing::Explicit(id);
        }
        let sendable = self.sendable_channels(employee);
        match sendable.as_slice() {
            [] => Outgoing::None,
            [only] => Outgoing::Implied(only),
            _ => Outgoing::Unset(sendable),
        }
    }
}
