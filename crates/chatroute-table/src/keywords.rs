//! The keywords a spec and a table share (access levels, transports,
//! modes, ...), spelled once: each enum's serde name is its `as_str` and
//! its `Display`. With the `schema` feature they derive `JsonSchema` for
//! the checker's spec schema and the service's OpenAPI document.

use serde::{Deserialize, Serialize};

/// A round-robin cycle (weights expanded) holds at most this many entries.
pub const MAX_CYCLE: u64 = 1000;

/// An enum of keywords: each variant's spelling is written once and
/// serves serde (hence the schema), `as_str` and `Display`, so messages and
/// `diff` speak the spec's own words. The enum derives `Serialize` and
/// `Deserialize` itself.
#[macro_export]
macro_rules! keywords {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        pub enum $name { $($(#[$vmeta])* #[serde(rename = $text)] $variant,)* }

        impl $name {
            /// The keyword as written in a spec.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// A CRM object named by its name or its numeric amoCRM id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum NameOrId {
    /// amoCRM id.
    Id(u64),
    /// Name as shown in amoCRM.
    Name(String),
}

impl std::fmt::Display for NameOrId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NameOrId::Id(id) => write!(f, "#{id}"),
            NameOrId::Name(name) => f.write_str(name),
        }
    }
}

keywords! {
    /// Access level of an employee on a channel.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
    pub enum Level {
        /// No access: the channel's dialogs are invisible.
        #[default]
        None = "none",
        /// Read only: sees the dialogs, cannot answer.
        Read = "read",
        /// Reads and sends messages.
        ReadSend = "read_send",
    }
}

keywords! {
    /// When nobody can take a deal.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
    pub enum WhenNobody {
        /// Leave the deal without a responsible.
        #[default]
        Unassigned = "unassigned",
        /// Give it to the next member in turn even if unavailable (never
        /// past `max_open`).
        AssignAnyway = "assign_anyway",
    }
}

keywords! {
    /// Assignment mode.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
    pub enum Mode {
        /// Members in turn; a member of weight w gets w consecutive deals.
        RoundRobin = "round_robin",
        /// The deal goes to whoever in the group answers first.
        FirstResponder = "first_responder",
    }
}

keywords! {
    /// Who gets a new deal of a client who already has an owner.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
    pub enum ReturningClients {
        /// The cycle decides, as for any client (the source's behaviour).
        #[default]
        Cycle = "cycle",
        /// The client's owner, when they can take it (read_send on the
        /// channel, available, in hours, under their limit), without using a
        /// cycle position; otherwise the cycle.
        Owner = "owner",
    }
}

keywords! {
    /// What a message after the deal was closed does.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
    pub enum AfterClose {
        /// Append to the contact's last closed deal, create none (kitchens:
        /// thanks and repair requests).
        AppendToLastClosed = "append_to_last_closed",
        /// Create a new deal (wholesale: reorders every month or two).
        CreateNew = "create_new",
    }
}

keywords! {
    /// Messenger transport of a channel, as Wazzup spells it (API v3
    /// `transport`). Each is addressed by one key: see `Transport::address`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
    #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
    pub enum Transport {
        /// WhatsApp number; needs `phone`.
        Whatsapp = "whatsapp",
        /// WhatsApp Business API number; needs `phone`.
        Wapi = "wapi",
        /// Instagram account; needs `handle` (`@acme.art`).
        Instagram = "instagram",
        /// Personal Telegram account; needs `phone` or `handle`.
        Tgapi = "tgapi",
        /// Telegram bot; needs `handle`, the bot's username ending in `bot`.
        Telegram = "telegram",
        /// VK community; needs `id`, the community's numeric id.
        Vk = "vk",
        /// Avito account; needs `id`, the numeric user id.
        Avito = "avito",
        /// MAX messenger; needs `id` as Wazzup shows it.
        Max = "max",
    }
}

keywords! {
    /// Global chat visibility.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
    pub enum Visibility {
        /// Every manager sees every dialog (small teams that stand in for each other).
        All = "all",
        /// Own dialogs plus dialogs without a responsible (departments with own clients).
        OwnAndUnassigned = "own_and_unassigned",
    }
}

keywords! {
    /// Dialog copy mode.
    #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
    #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
    pub enum CopyDialog {
        /// Every message separately.
        EachMessage = "each_message",
        /// All messages of an hour in one note (the most popular; the default).
        #[default]
        Hourly = "hourly",
        /// All messages of a day in one note.
        Daily = "daily",
        /// Never (WhatsApp is the main channel).
        Off = "off",
    }
}

/// How a transport's channels are addressed: by exactly one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressKind {
    Phone,
    Handle,
    /// Either one (a personal Telegram account: its number or username).
    PhoneOrHandle,
    Id,
}

impl Transport {
    pub fn address(self) -> AddressKind {
        match self {
            Transport::Whatsapp | Transport::Wapi => AddressKind::Phone,
            Transport::Instagram | Transport::Telegram => AddressKind::Handle,
            Transport::Tgapi => AddressKind::PhoneOrHandle,
            Transport::Vk | Transport::Avito | Transport::Max => AddressKind::Id,
        }
    }
}

/// The largest amoCRM id a spec or table may hold (2^53 - 1): JSON readers
/// that use doubles (JavaScript) read larger ones as another number.
pub const MAX_EXACT_ID: u64 = (1 << 53) - 1;
