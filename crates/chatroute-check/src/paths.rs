//! Typed paths to places in a spec file. Rules point at the file only
//! through these builders, so every key name is written once, here, and a
//! test walks each builder's path through the generated schema: a misspelt
//! key fails that test instead of silently labelling the parent entry.

use std::borrow::Cow;

use crate::address::AddressKey;
use crate::resolve::Scope;

/// A place in a spec: keys, and array indices as decimal strings. The
/// schema's key names are borrowed: rules build a path for every entry
/// they look at, and only ids and indices are allocated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecPath(Vec<Cow<'static, str>>);

impl SpecPath {
    fn of(segments: &[&'static str]) -> Self {
        SpecPath(segments.iter().map(|s| Cow::Borrowed(*s)).collect())
    }

    fn then(&self, segment: impl Into<Cow<'static, str>>) -> Self {
        let mut segments = Vec::with_capacity(self.0.len() + 1);
        segments.extend_from_slice(&self.0);
        segments.push(segment.into());
        SpecPath(segments)
    }

    pub fn segments(&self) -> &[Cow<'static, str>] {
        &self.0
    }

    pub fn version() -> Self {
        Self::of(&["version"])
    }

    pub fn account() -> Self {
        Self::of(&["integration", "account"])
    }

    pub fn employees() -> Self {
        Self::of(&["employees"])
    }

    pub fn employee(handle: &str) -> Self {
        Self::employees().then(handle.to_owned())
    }

    pub fn crm_user(handle: &str) -> Self {
        Self::employee(handle).then("crm_user")
    }

    pub fn employee_schedule(handle: &str) -> Self {
        Self::employee(handle).then("schedule")
    }

    pub fn timezone() -> Self {
        Self::of(&["integration", "timezone"])
    }

    pub fn schedule(name: &str) -> SchedulePath {
        SchedulePath(Self::of(&["schedules"]).then(name.to_owned()))
    }

    pub fn defaults_access() -> Self {
        Self::of(&["defaults", "access"])
    }

    pub fn defaults_new_deals() -> StagePath {
        StagePath(Self::of(&["defaults", "new_deals"]))
    }

    pub fn channels() -> Self {
        Self::of(&["channels"])
    }

    pub fn channel(id: &str) -> ChannelPath {
        ChannelPath(Self::channels().then(id.to_owned()))
    }

    /// The assignment table of a scope: a channel's own or the integration's.
    pub fn assignment(scope: Scope<'_>) -> AssignmentPath {
        match scope {
            Scope::Channel(id) => Self::channel(id).assignment(),
            Scope::Integration => AssignmentPath(Self::of(&["assignment"])),
        }
    }

    pub fn chat_admins() -> Self {
        Self::of(&["global_chat", "admins"])
    }

    pub fn chat_admin(i: usize) -> Self {
        Self::chat_admins().then(i.to_string())
    }

    pub fn chat_visibility() -> Self {
        Self::of(&["global_chat", "visibility"])
    }

    pub fn to_international() -> Self {
        Self::of(&["phones", "to_international"])
    }

    pub fn client_region(i: usize) -> Self {
        Self::of(&["phones", "client_regions"]).then(i.to_string())
    }
}

/// `[channels.<id>]`.
#[derive(Debug, Clone)]
pub struct ChannelPath(SpecPath);

/// A key of a channel table that holds a plain value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelKey {
    Transport,
}

impl ChannelKey {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKey::Transport => "transport",
        }
    }
}

impl ChannelPath {
    pub fn table(&self) -> SpecPath {
        self.0.clone()
    }

    pub fn key(&self, key: ChannelKey) -> SpecPath {
        self.0.then(key.as_str())
    }

    /// The key holding the channel's address.
    pub fn address(&self, key: AddressKey) -> SpecPath {
        self.0.then(key.as_str())
    }

    pub fn new_deals(&self) -> StagePath {
        StagePath(self.0.then("new_deals"))
    }

    pub fn assignment(&self) -> AssignmentPath {
        AssignmentPath(self.0.then("assignment"))
    }

    pub fn everyone(&self) -> SpecPath {
        self.0.then("access").then("everyone")
    }

    pub fn access(&self, handle: &str) -> AccessPath {
        AccessPath(self.0.then("access").then(handle.to_owned()))
    }
}

/// An employee's entry in a channel's access table.
#[derive(Debug, Clone)]
pub struct AccessPath(SpecPath);

impl AccessPath {
    pub fn entry(&self) -> SpecPath {
        self.0.clone()
    }

    pub fn level(&self) -> SpecPath {
        self.0.then("level")
    }

    pub fn default_outgoing(&self) -> SpecPath {
        self.0.then("default_outgoing")
    }
}

/// A pipeline-and-stage table (`new_deals`).
#[derive(Debug, Clone)]
pub struct StagePath(SpecPath);

impl StagePath {
    pub fn table(&self) -> SpecPath {
        self.0.clone()
    }

    pub fn pipeline(&self) -> SpecPath {
        self.0.then("pipeline")
    }

    pub fn stage(&self) -> SpecPath {
        self.0.then("stage")
    }
}

/// An assignment table.
#[derive(Debug, Clone)]
pub struct AssignmentPath(SpecPath);

impl AssignmentPath {
    pub fn table(&self) -> SpecPath {
        self.0.clone()
    }

    pub fn mode(&self) -> SpecPath {
        self.0.then("mode")
    }

    pub fn after_close(&self) -> SpecPath {
        self.0.then("after_close")
    }

    pub fn when_nobody(&self) -> SpecPath {
        self.0.then("when_nobody")
    }

    pub fn skip_unavailable(&self) -> SpecPath {
        self.0.then("skip_unavailable")
    }

    pub fn members(&self) -> SpecPath {
        self.0.then("members")
    }

    pub fn member_employee(&self, i: usize) -> SpecPath {
        self.members().then(i.to_string()).then("employee")
    }

    pub fn member_weight(&self, i: usize) -> SpecPath {
        self.members().then(i.to_string()).then("weight")
    }

    pub fn returning_clients(&self) -> SpecPath {
        self.0.then("returning_clients")
    }

    pub fn reassign_after(&self) -> SpecPath {
        self.0.then("reassign_after")
    }

    pub fn max_reassignments(&self) -> SpecPath {
        self.0.then("max_reassignments")
    }
}

/// `[schedules.<name>]`.
#[derive(Debug, Clone)]
pub struct SchedulePath(SpecPath);

impl SchedulePath {
    pub fn table(&self) -> SpecPath {
        self.0.clone()
    }

    pub fn timezone(&self) -> SpecPath {
        self.0.then("timezone")
    }

    /// A day or range key (`mon-fri`).
    pub fn day(&self, key: &str) -> SpecPath {
        self.0.then(key.to_owned())
    }

    /// The `i`-th interval of a day key written as a list.
    pub fn interval(&self, key: &str, i: usize) -> SpecPath {
        self.0.then(key.to_owned()).then(i.to_string())
    }

    pub fn off(&self, i: usize) -> SpecPath {
        self.0.then("off").then(i.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every path a builder makes, with sample ids.
    fn every_path() -> Vec<SpecPath> {
        let channel = SpecPath::channel("wa");
        let mut paths = vec![
            SpecPath::version(),
            SpecPath::account(),
            SpecPath::employee("bruce"),
            SpecPath::crm_user("bruce"),
            SpecPath::employee_schedule("bruce"),
            SpecPath::timezone(),
            SpecPath::schedule("day").timezone(),
            SpecPath::schedule("day").day("mon-fri"),
            SpecPath::schedule("day").interval("sat", 1),
            SpecPath::schedule("day").off(0),
            SpecPath::defaults_access(),
            SpecPath::chat_admin(0),
            SpecPath::chat_visibility(),
            SpecPath::to_international(),
            SpecPath::client_region(0),
            channel.everyone(),
            channel.access("bruce").level(),
            channel.access("bruce").default_outgoing(),
        ];
        paths.push(channel.key(ChannelKey::Transport));
        paths.extend(AddressKey::ALL.map(|k| channel.address(k)));
        for stage in [SpecPath::defaults_new_deals(), channel.new_deals()] {
            paths.extend([stage.pipeline(), stage.stage()]);
        }
        for scope in [Scope::Integration, Scope::Channel("wa")] {
            let a = SpecPath::assignment(scope);
            paths.extend([a.mode(), a.after_close(), a.member_employee(0), a.member_weight(0)]);
            paths.extend([a.when_nobody(), a.skip_unavailable(), a.returning_clients()]);
            paths.extend([a.reassign_after(), a.max_reassignments()]);
        }
        paths
    }

    #[test]
    fn every_builder_path_exists_in_the_schema() {
        for path in every_path() {
            assert!(crate::schema::node_at(path.segments()).is_some(), "no such place in the schema: {path:?}");
        }
    }

    #[test]
    fn a_misspelt_key_is_caught() {
        let typo = SpecPath::channel("wa").table().then("acess").then("bruce");
        assert!(crate::schema::node_at(typo.segments()).is_none());
    }
}
