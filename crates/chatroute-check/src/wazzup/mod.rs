//! The Wazzup account: its channel list (`GET /v3/channels`), kept in a
//! snapshot file like the CRM's, and how spec channels match it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::accounts::Account;
use crate::address::{self, AddressKey};
use crate::artifact;
use crate::i18n::t;
use crate::spec::{Channel, Transport};

/// Marks a file as a chatroute Wazzup snapshot.
pub const FORMAT: &str = "chatroute-wazzup";
/// The snapshot format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The account's channels as Wazzup lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WazzupSnapshot {
    pub format: String,
    pub format_version: u32,
    /// By `channel_id`.
    pub channels: Vec<AccountChannel>,
}

/// One channel of the account, as the API answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountChannel {
    /// Wazzup's id (a UUID); incoming webhooks carry it.
    pub channel_id: String,
    /// As Wazzup spells it; a transport this build does not know is kept.
    pub transport: String,
    /// The number, username or id in the messenger.
    pub plain_id: String,
    pub state: String,
}

pub use crate::accounts::SnapshotError as WazzupSnapshotError;

impl AccountChannel {
    /// The transport, when this build knows it.
    /// The first field holding a character that would hide or break text
    /// (a line break, an escape, a bidi control), which no real channel has.
    pub fn control_field(&self) -> Option<&'static str> {
        let fields = [
            ("channelId", &self.channel_id),
            ("transport", &self.transport),
            ("plainId", &self.plain_id),
            ("state", &self.state),
        ];
        fields.into_iter().find(|(_, v)| crate::text::printable(v) != v.as_str()).map(|(name, _)| name)
    }

    pub fn transport(&self) -> Option<Transport> {
        serde_json::from_value(serde_json::Value::String(self.transport.clone())).ok()
    }

    /// `plainId` in canonical form, for the transport's kind of address.
    fn canonical(&self) -> Option<String> {
        let key = match self.transport().map(|t| t.address()) {
            Some(crate::spec::AddressKind::Id) => AddressKey::Id,
            Some(crate::spec::AddressKind::Handle) => AddressKey::Handle,
            // A personal Telegram account is listed by its number when it has one.
            _ if self.plain_id.bytes().all(|b| b.is_ascii_digit()) => AddressKey::Phone,
            _ => AddressKey::Handle,
        };
        address::canonical(key, &self.plain_id)
    }
}

/// What the account says about one spec channel.
#[derive(Debug, PartialEq, Eq)]
pub enum Match<'s> {
    /// Same transport and address.
    Found(&'s AccountChannel),
    /// The address is the account's, under another transport.
    OtherTransport(&'s AccountChannel),
    /// No account channel has this address.
    Missing,
}

impl WazzupSnapshot {
    /// A snapshot in canonical order.
    pub fn new(mut channels: Vec<AccountChannel>) -> Self {
        channels.sort_by(|a, b| a.channel_id.cmp(&b.channel_id));
        WazzupSnapshot { format: FORMAT.to_owned(), format_version: FORMAT_VERSION, channels }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        artifact::to_bytes(self)
    }

    pub fn from_slice(bytes: &[u8]) -> Result<Self, WazzupSnapshotError> {
        crate::accounts::from_slice(Account::Wazzup, bytes, FORMAT, FORMAT_VERSION)
    }

    pub fn load(path: &Path) -> Result<Self, WazzupSnapshotError> {
        crate::accounts::load(Account::Wazzup, path, FORMAT, FORMAT_VERSION)
    }

    /// The account channel a spec channel is, by its address.
    pub fn find(&self, channel: &Channel) -> Match<'_> {
        let Some((key, value)) = address::of(channel) else { return Match::Missing };
        let Some(wanted) = address::canonical(key, value) else { return Match::Missing };
        let same_address = |c: &&AccountChannel| c.canonical().as_deref() == Some(wanted.as_str());
        let transport = channel.transport.as_str();
        match self.channels.iter().filter(same_address).collect::<Vec<_>>().as_slice() {
            [] => Match::Missing,
            found => found
                .iter()
                .find(|c| c.transport == transport)
                .map_or(Match::OtherTransport(found[0]), |c| Match::Found(c)),
        }
    }
}

/// What a channel state means and what to do, for a warning.
pub fn state_advice(state: &str) -> String {
    match state {
        "init" => t!("wazzup-state-init"),
        "disabled" => t!("wazzup-state-disabled"),
        "phoneUnavailable" => t!("wazzup-state-phone-unavailable"),
        "qr" => t!("wazzup-state-qr"),
        "openElsewhere" => t!("wazzup-state-open-elsewhere"),
        "notEnoughMoney" => t!("wazzup-state-not-enough-money"),
        "foreignphone" => t!("wazzup-state-foreign-phone"),
        "unauthorized" => t!("wazzup-state-unauthorized"),
        "waitForPassword" => t!("wazzup-state-wait-for-password"),
        _ => t!("wazzup-state-unknown"),
    }
}
