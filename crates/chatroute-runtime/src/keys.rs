//! Where the Redis state keeps each thing. Every key of an account carries
//! the account as its hash tag (`{acme}`), so all of an account's keys live
//! in one Redis Cluster slot and every script's keys are in one slot; and
//! the layout's version, so a later layout can live beside this one.
//!
//! Layout v2: `chatroute:{<account>}:v2:` followed by `rr:<channel>` (the
//! cursor), `claim:<channel>:<deal>`, `unavailable`, `open`, `deal:<deal>`
//! and `layout` (the marker that the account's keys are on v2).
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
pub struct AccountKeys {
    prefix: String,
}

impl AccountKeys {
    pub fn new(account: &str) -> Self {
        AccountKeys { prefix: format!("{NAMESPACE}:{{{account}}}:{VERSION}:") }
    }

    pub fn cursor(&self, channel: &str) -> String {
        format!("{}rr:{channel}", self.prefix)
    }

    pub fn claim(&self, channel: &str, deal: &str) -> String {
        format!("{}claim:{channel}:{deal}", self.prefix)
    }

    pub fn unavailable(&self) -> String {
        format!("{}unavailable", self.prefix)
    }

    pub fn open(&self) -> String {
        format!("{}open", self.prefix)
    }

    pub fn deal(&self, deal: &str) -> String {
        format!("{}deal:{deal}", self.prefix)
    }

    /// Set once the account's keys are known to be on this layout.
    pub fn layout(&self) -> String {
        format!("{}layout", self.prefix)
    }
}

/// The v1 keys of an account, as `SCAN MATCH` patterns (an account is a
/// subdomain, so it holds no glob character).
pub fn v1_patterns(account: &str) -> [String; 5] {
    [
        format!("{NAMESPACE}:rr:{account}:*"),
        format!("{NAMESPACE}:claim:{account}:*"),
        format!("{NAMESPACE}:deal:{account}:*"),
        format!("{NAMESPACE}:unavailable:{account}"),
        format!("{NAMESPACE}:open:{account}"),
    ]
}

/// The v2 name of an account's v1 key.
pub fn v2_name(account: &str, v1: &str) -> Option<String> {
    let keys = AccountKeys::new(account);
    let rest = |kind: &str| v1.strip_prefix(&format!("{NAMESPACE}:{kind}:{account}:"));
    if let Some(channel) = rest("rr") {
        return Some(keys.cursor(channel));
    }
    if let Some(channel_and_deal) = rest("claim") {
        return Some(format!("{}claim:{channel_and_deal}", keys.prefix));
    }
    if let Some(deal) = rest("deal") {
        return Some(keys.deal(deal));
    }
    if v1 == format!("{NAMESPACE}:unavailable:{account}") {
        return Some(keys.unavailable());
    }
    (v1 == format!("{NAMESPACE}:open:{account}")).then(|| keys.open())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_v1_key_has_its_v2_name_in_the_account_slot() {
        let cases = [
            ("chatroute:rr:acme:wa-opt", "chatroute:{acme}:v2:rr:wa-opt"),
            ("chatroute:claim:acme:wa:deal-7", "chatroute:{acme}:v2:claim:wa:deal-7"),
            ("chatroute:deal:acme:4711", "chatroute:{acme}:v2:deal:4711"),
            ("chatroute:unavailable:acme", "chatroute:{acme}:v2:unavailable"),
            ("chatroute:open:acme", "chatroute:{acme}:v2:open"),
        ];
        for (v1, v2) in cases {
            assert_eq!(v2_name("acme", v1).as_deref(), Some(v2), "{v1}");
        }
        assert_eq!(v2_name("acme", "chatroute:rr:acme-x:wa"), None, "another account's key");
    }
}
