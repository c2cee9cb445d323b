//! Where the Redis state keeps each thing. Every key of an account carries
//! the account as its hash tag (`{acme}`), so all of an account's keys live
//! in one Redis Cluster slot and every script's keys are in one slot; and
//! the layout's version, so a later layout can live beside this one.
//!
//! Layout v2: `chatroute:{<account>}:v2:` followed by `rr:<channel>` (the
//! cursor), `claim:<channel>:<deal>`, `unavailable`, the deal book `open`
//! (open deals per employee), `owners` (deal -> employee) and `due` (each
//! open deal's end of life), `client:<contact>` (the employee given the
//! contact's last deal, for returning clients; expires), `reply-due` and
//! `timers` (unanswered deals), `queues` (the channels where deals wait),
//! `queues:<channel>` (a channel's waiting deals, oldest first) and
//! `waiting-channel` (each waiting deal's channel), `events` (a stream),
//! and `layout` (the marker that the account's keys are on v2). `waiting`
//! is the one queue of the account that earlier builds kept: the first
//! tick moves its deals into their channels' queues.
//!
//! Layout v1 (before the hash tags): `chatroute:rr:<account>:<channel>`,
//! `chatroute:claim:<account>:<channel>:<deal>`, `chatroute:deal:<account>:<deal>`,
//! `chatroute:unavailable:<account>`, `chatroute:open:<account>`.
//!
//! Keys cannot collide: the account is a subdomain and channel ids are
//! identifiers (neither holds `:`, `{` or `}`), which loading a table
//! checks; a deal id is the last part of its key.

/// Key prefix of everything chatroute stores.
pub const NAMESPACE: &str = "chatroute";
/// The layout this build reads and writes.
pub const VERSION: &str = "v2";

/// The keys of one account.
pub(super) struct AccountKeys {
    prefix: String,
}

/// Where an account's keys begin (its hash tag and the layout): a layer
/// above keeps its own keys under it (`chatroute connect` under
/// `connect:`), in the account's slot.
pub fn account_prefix(account: &str) -> String {
    format!("{NAMESPACE}:{{{account}}}:{VERSION}:")
}

impl AccountKeys {
    pub(super) fn new(account: &str) -> Self {
        AccountKeys { prefix: account_prefix(account) }
    }

    pub(super) fn cursor(&self, channel: &str) -> String {
        format!("{}rr:{channel}", self.prefix)
    }

    pub(super) fn claim(&self, channel: &str, deal: &str) -> String {
        format!("{}claim:{channel}:{deal}", self.prefix)
    }

    pub(super) fn unavailable(&self) -> String {
        format!("{}unavailable", self.prefix)
    }

    pub(super) fn open(&self) -> String {
        format!("{}open", self.prefix)
    }

    pub(super) fn owners(&self) -> String {
        format!("{}owners", self.prefix)
    }

    pub(super) fn due(&self) -> String {
        format!("{}due", self.prefix)
    }

    /// Unanswered deals by the time their reply is due (sorted set).
    pub(super) fn reply_due(&self) -> String {
        format!("{}reply-due", self.prefix)
    }

    /// Each running timer: deal -> `channel \t count \t owner \t had,...`.
    pub(super) fn timers(&self) -> String {
        format!("{}timers", self.prefix)
    }

    /// Deals nobody could take, one queue for the account (earlier builds).
    pub(super) fn waiting(&self) -> String {
        format!("{}waiting", self.prefix)
    }

    /// Waiting deal -> its channel.
    pub(super) fn waiting_channel(&self) -> String {
        format!("{}waiting-channel", self.prefix)
    }

    /// The channels with waiting deals; `queues:<channel>` is each one's
    /// queue.
    pub(super) fn queues(&self) -> String {
        format!("{}queues", self.prefix)
    }

    /// The account's events (a stream).
    pub(super) fn events(&self) -> String {
        format!("{}events", self.prefix)
    }

    /// The owner of a returning client.
    pub(super) fn client(&self, contact: &str) -> String {
        format!("{}client:{contact}", self.prefix)
    }

    /// Set once the account's keys are known to be on this layout.
    pub(super) fn layout(&self) -> String {
        format!("{}layout", self.prefix)
    }
}

/// The v1 keys of an account, as `SCAN MATCH` patterns (an account is a
/// subdomain, so it holds no glob character).
pub(super) fn v1_patterns(account: &str) -> [String; 5] {
    [
        format!("{NAMESPACE}:rr:{account}:*"),
        format!("{NAMESPACE}:claim:{account}:*"),
        format!("{NAMESPACE}:deal:{account}:*"),
        format!("{NAMESPACE}:unavailable:{account}"),
        format!("{NAMESPACE}:open:{account}"),
    ]
}

/// Where an account's v1 key goes in v2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum V2Target {
    /// Renamed to this key.
    Key(String),
    /// A v1 deal key: its owner goes into the deal book under this deal.
    Deal(String),
}

/// The v2 place of an account's v1 key.
pub(super) fn v2_target(account: &str, v1: &str) -> Option<V2Target> {
    let keys = AccountKeys::new(account);
    let rest = |kind: &str| v1.strip_prefix(&format!("{NAMESPACE}:{kind}:{account}:"));
    if let Some(deal) = rest("deal") {
        return Some(V2Target::Deal(deal.to_owned()));
    }
    let key = if let Some(channel) = rest("rr") {
        keys.cursor(channel)
    } else if let Some(channel_and_deal) = rest("claim") {
        format!("{}claim:{channel_and_deal}", keys.prefix)
    } else if v1 == format!("{NAMESPACE}:unavailable:{account}") {
        keys.unavailable()
    } else if v1 == format!("{NAMESPACE}:open:{account}") {
        keys.open()
    } else {
        return None;
    };
    Some(V2Target::Key(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_v1_key_has_its_v2_name_in_the_account_slot() {
        let cases = [
            ("chatroute:rr:acme:wa-opt", "chatroute:{acme}:v2:rr:wa-opt"),
            ("chatroute:claim:acme:wa:deal-7", "chatroute:{acme}:v2:claim:wa:deal-7"),
            ("chatroute:unavailable:acme", "chatroute:{acme}:v2:unavailable"),
            ("chatroute:open:acme", "chatroute:{acme}:v2:open"),
        ];
        for (v1, v2) in cases {
            assert_eq!(v2_target("acme", v1), Some(V2Target::Key(v2.into())), "{v1}");
        }
        assert_eq!(v2_target("acme", "chatroute:deal:acme:4711"), Some(V2Target::Deal("4711".into())));
        assert_eq!(v2_target("acme", "chatroute:rr:acme-x:wa"), None, "another account's key");
    }
}
