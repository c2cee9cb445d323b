//! The integration spec: the typed form of what admins write in TOML.
//!
//! These types are the single source of the JSON Schema (`chatroute schema`),
//! so every field carries a doc comment that editors show on hover. Shapes
//! the rules must be able to speak about (a weight in `first_responder`
//! mode, admins with visibility `all`, ...) are deliberately allowed here and
//! rejected later by `rules` with their own codes.

use std::collections::BTreeMap;

pub use chatroute_table::keywords::{
    AddressKind, AfterClose, CopyDialog, Level, MAX_EXACT_ID, Mode, NameOrId, ReturningClients, Transport, Visibility,
    WhenNobody,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The spec format version this build understands.
pub const SPEC_VERSION: u64 = 1;

/// The top-level keys the schema requires.
pub const REQUIRED_KEYS: [&str; 4] = ["version", "integration", "employees", "channels"];

/// A chatroute integration spec: how messenger channels feed an amoCRM account.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
// Required keys at the top level default in serde but not in the schema, so
// a missing one is reported once, by the schema, and the rules still run on
// the rest of the file.
#[schemars(title = "chatroute integration spec", extend("required" = REQUIRED_KEYS))]
// Every table is closed, as in the schema: an unknown key is a typo.
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Spec format version. This release reads version 1.
    #[serde(default = "spec_version")]
    #[schemars(example = 1)]
    pub version: u64,
    /// The amoCRM account this spec configures and whether it is active.
    #[serde(default)]
    pub integration: Integration,
    /// Employees by handle. The handle is how the rest of the spec refers to
    /// a person; `everyone` is reserved.
    #[serde(default)]
    pub employees: BTreeMap<String, Employee>,
    /// Integration-wide defaults that channels inherit.
    #[serde(default)]
    pub defaults: Defaults,
    /// Who becomes responsible for new deals, integration-wide. A channel may
    /// override it with its own `assignment` table.
    #[serde(default)]
    pub assignment: Option<Assignment>,
    /// Channels by stable id (the table key). Only enabled channels are
    /// part of the integration.
    #[serde(default)]
    pub channels: BTreeMap<String, Channel>,
    /// What the shared "global chat" window shows to whom.
    #[serde(default)]
    pub global_chat: GlobalChat,
    /// How dialogs are copied into the deal card.
    #[serde(default)]
    pub deal_card: DealCard,
    /// Phone number normalisation.
    #[serde(default)]
    pub phones: Phones,
    /// Weekly working hours by name; employees name theirs with
    /// `schedule`. Outside them an employee counts as unavailable where
    /// `skip_unavailable = true`.
    #[serde(default)]
    pub schedules: BTreeMap<String, Schedule>,
}

/// The integration as a whole.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Integration {
    /// amoCRM account subdomain (the `acme` of `acme.amocrm.ru`).
    #[schemars(example = &"acme", length(min = 1))]
    pub account: String,
    /// `false` keeps the spec but disables the integration: its table routes
    /// nothing ("Delete integration" without losing the settings).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// IANA time zone of the schedules that do not name their own
    /// (`Europe/Moscow`).
    #[serde(default)]
    #[schemars(example = &"Europe/Moscow")]
    pub timezone: Option<String>,
}

impl Default for Integration {
    fn default() -> Self {
        Integration { account: String::new(), enabled: true, timezone: None }
    }
}

/// A person who may read or answer dialogs and own deals.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Employee {
    /// Display name, as in amoCRM.
    #[schemars(example = &"Bruce Wayne", length(min = 1))]
    pub name: String,
    /// amoCRM user id. When absent, `--crm` resolves the employee by exact
    /// name or email.
    #[serde(default)]
    #[schemars(example = 1001)]
    pub crm_user: Option<u64>,
    /// Login email in amoCRM; used to resolve the CRM user when `crm_user`
    /// is absent.
    #[serde(default)]
    #[schemars(example = &"bruce@acme.example")]
    pub email: Option<String>,
    /// Working hours: the name of a `[schedules.NAME]` table.
    #[serde(default)]
    #[schemars(example = &"day")]
    pub schedule: Option<String>,
}

/// Defaults inherited by every channel.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Pipeline and stage for new deals on channels without their own.
    #[serde(default)]
    pub new_deals: Option<StageRef>,
    /// Bulk access of every employee on every channel ("add all" = `read`,
    /// "remove all" = `none`). Overridden by a channel's `everyone` and by an
    /// employee's own entry.
    #[serde(default)]
    pub access: Level,
}

/// A pipeline and stage, each by name or by amoCRM id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StageRef {
    /// Pipeline name or amoCRM pipeline id.
    #[schemars(example = &"Sales")]
    pub pipeline: NameOrId,
    /// Stage (status) name or amoCRM status id. Never the Unsorted stage,
    /// never a closed one (won 142, lost 143).
    #[schemars(example = &"New lead")]
    pub stage: NameOrId,
}

/// Who becomes responsible for a new deal.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// `round_robin`: members in turn, by weight; `first_responder`: whoever
    /// of the group answers first.
    pub mode: Mode,
    /// A message after the contact's last deal was closed: append it to that
    /// deal or create a new one. `round_robin` only; `first_responder`
    /// always creates a new deal.
    #[serde(default)]
    pub after_close: Option<AfterClose>,
    /// The employees taking part, in cycle order.
    pub members: Vec<Member>,
    /// Skip members who are unavailable (offline, on holiday) at the moment
    /// of the decision: round robin goes on among the others by their
    /// weights; first responder offers the deal only to them. Default
    /// `false`, as in the source. A channel's own assignment that does not
    /// set it follows `[assignment]`: availability and working hours are
    /// the employees', the same on every channel.
    #[serde(default)]
    pub skip_unavailable: Option<bool>,
    /// What happens to a deal when every member is unavailable or full
    /// (`max_open`): `unassigned` (the default; the global chat shows it as
    /// without a responsible) or `assign_anyway` (ignore availability;
    /// capacity stays a hard limit).
    #[serde(default)]
    pub when_nobody: Option<WhenNobody>,
    /// A new deal of a client who already has an owner: `cycle` (the
    /// default) or `owner` (round_robin only).
    #[serde(default)]
    pub returning_clients: Option<ReturningClients>,
    /// Pass a deal on when its responsible has not replied within this
    /// time (`90s`, `15m`, `2h`): to the member the cycle gives next who
    /// can take it and has not had it (round_robin only; deals with ids).
    #[serde(default)]
    #[schemars(example = &"15m")]
    pub reassign_after: Option<String>,
    /// How many times a deal may be passed on; then it stays. Default 1.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub max_reassignments: Option<u32>,
}

/// One member of an assignment.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Employee handle.
    #[schemars(example = &"bruce")]
    pub employee: String,
    /// Consecutive deals per cycle (`round_robin` only). Default 1.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub weight: Option<u32>,
    /// At most this many open deals at once (deals chatroute assigned and
    /// not yet closed, across channels); a full member is skipped.
    #[serde(default)]
    #[schemars(range(min = 1))]
    pub max_open: Option<u32>,
}

/// A messenger channel of the account.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Channel {
    /// Display name; may be renamed freely, the table key is the stable id.
    #[schemars(example = &"Retail WhatsApp", length(min = 1))]
    pub name: String,
    /// Messenger transport.
    pub transport: Transport,
    /// The channel's phone number (whatsapp, wapi, tgapi), international:
    /// `+7 999 000-00-01`, or the digits as Wazzup shows them, `79990000001`.
    #[serde(default)]
    #[schemars(example = &"+7 999 000-00-01")]
    pub phone: Option<String>,
    /// The account's username (instagram, telegram bots ending in `bot`,
    /// tgapi), with or without `@`.
    #[serde(default)]
    #[schemars(example = &"@acme.art")]
    pub handle: Option<String>,
    /// The account's id as Wazzup shows it (vk, avito, max).
    #[serde(default)]
    #[schemars(example = &"212345678")]
    pub id: Option<String>,
    /// The checkbox: whether this channel is part of the integration.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Pipeline and stage for new deals from this channel; overrides
    /// `defaults.new_deals`.
    #[serde(default)]
    pub new_deals: Option<StageRef>,
    /// Access per employee handle; `everyone` sets every employee at once.
    #[serde(default)]
    pub access: Access,
    /// Overrides the integration-wide assignment for this channel.
    #[serde(default)]
    pub assignment: Option<Assignment>,
}

/// Access entries of a channel.
// Deserialize is written out below: serde's `flatten` would buffer every
// entry before reading it.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct Access {
    /// Bulk level of every employee on this channel; an employee's own
    /// entry overrides it.
    #[serde(default)]
    pub everyone: Option<Level>,
    /// Entries by employee handle.
    #[serde(flatten)]
    pub employees: BTreeMap<String, AccessEntry>,
}

impl<'de> Deserialize<'de> for Access {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;

        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = Access;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a table of access entries")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Access, A::Error> {
                let mut access = Access::default();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "everyone" {
                        access.everyone = Some(map.next_value()?);
                    } else {
                        let entry = map.next_value()?;
                        access.employees.insert(key, entry);
                    }
                }
                Ok(access)
            }
        }

        deserializer.deserialize_map(Entries)
    }
}

/// An employee's access on a channel: a level, or a table with the level
/// and the default-outgoing mark.
// Deserialize is written out below: serde's `untagged` would also fill the
// table form from an array (`["read"]`), which the schema refuses.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum AccessEntry {
    /// Just the level.
    Level(Level),
    /// Level plus options.
    Detailed(AccessDetail),
}

impl<'de> Deserialize<'de> for AccessEntry {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entry;

        impl<'de> serde::de::Visitor<'de> for Entry {
            type Value = AccessEntry;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an access level, or a table with `level` and `default_outgoing`")
            }

            fn visit_str<E: serde::de::Error>(self, level: &str) -> Result<AccessEntry, E> {
                Level::deserialize(serde::de::IntoDeserializer::into_deserializer(level)).map(AccessEntry::Level)
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<AccessEntry, A::Error> {
                AccessDetail::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(AccessEntry::Detailed)
            }
        }

        deserializer.deserialize_any(Entry)
    }
}

/// Table form of an access entry.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessDetail {
    /// Access level; `read` when absent.
    #[serde(default)]
    pub level: Option<Level>,
    /// This channel is the number a client sees when the employee writes
    /// first. At most one per employee; needs `read_send`.
    #[serde(default)]
    pub default_outgoing: bool,
}

impl AccessEntry {
    pub fn level(&self) -> Level {
        match self {
            AccessEntry::Level(level) => *level,
            AccessEntry::Detailed(d) => d.level.unwrap_or(Level::Read),
        }
    }

    pub fn default_outgoing(&self) -> bool {
        matches!(self, AccessEntry::Detailed(d) if d.default_outgoing)
    }
}

/// A weekly schedule: days or day ranges to intervals, dates off, a zone.
// Deserialize is written out below, as for `Access`: day keys are open.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct Schedule {
    /// IANA time zone of this schedule; `[integration] timezone` when absent.
    #[serde(default)]
    #[schemars(example = &"Asia/Almaty")]
    pub timezone: Option<String>,
    /// Dates without work (`YYYY-MM-DD`, in the schedule's zone).
    #[serde(default)]
    #[schemars(example = ["2027-01-01", "2027-01-07"])]
    pub off: Vec<String>,
    /// A day (`mon` .. `sun`) or a range of days (`mon-fri`) to one
    /// interval (`"09:00-18:00"`) or a list of them. An interval past
    /// midnight (`"20:00-08:00"`) belongs to the day it starts.
    #[serde(flatten)]
    pub days: BTreeMap<String, Hours>,
}

/// One interval or several.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Hours {
    /// One interval, `"09:00-18:00"`.
    One(String),
    /// Several, `["10:00-12:00", "12:30-14:00"]`.
    Many(Vec<String>),
}

impl Hours {
    pub fn intervals(&self) -> &[String] {
        match self {
            Hours::One(one) => std::slice::from_ref(one),
            Hours::Many(many) => many,
        }
    }
}

impl<'de> Deserialize<'de> for Schedule {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries;

        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = Schedule;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a table of days and intervals")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Schedule, A::Error> {
                let mut schedule = Schedule::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "timezone" => schedule.timezone = Some(map.next_value()?),
                        "off" => schedule.off = map.next_value()?,
                        _ => {
                            let hours = map.next_value()?;
                            schedule.days.insert(key, hours);
                        }
                    }
                }
                Ok(schedule)
            }
        }

        deserializer.deserialize_map(Entries)
    }
}

impl<'de> Deserialize<'de> for Hours {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Intervals;

        impl<'de> serde::de::Visitor<'de> for Intervals {
            type Value = Hours;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an interval \"HH:MM-HH:MM\" or a list of them")
            }

            fn visit_str<E: serde::de::Error>(self, one: &str) -> Result<Hours, E> {
                Ok(Hours::One(one.to_owned()))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Hours, A::Error> {
                let mut many = Vec::new();
                while let Some(one) = seq.next_element()? {
                    many.push(one);
                }
                Ok(Hours::Many(many))
            }
        }

        deserializer.deserialize_any(Intervals)
    }
}

/// The global chat window.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GlobalChat {
    /// `all`: every manager sees every dialog; `own_and_unassigned`: own
    /// dialogs plus those without a responsible.
    #[serde(default = "default_visibility")]
    pub visibility: Visibility,
    /// Chat admins who see everything (`own_and_unassigned` only). An admin
    /// is an observer and should not take deals.
    #[serde(default)]
    pub admins: Vec<String>,
}

impl Default for GlobalChat {
    fn default() -> Self {
        GlobalChat { visibility: default_visibility(), admins: Vec::new() }
    }
}

fn default_visibility() -> Visibility {
    Visibility::OwnAndUnassigned
}

/// The deal card.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DealCard {
    /// How the dialog is copied into the deal card.
    #[serde(default)]
    pub copy_dialog: CopyDialog,
}

/// Phone number normalisation.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Phones {
    /// Rewrite 11-digit numbers written with the trunk prefix 8
    /// (`8 912 345-67-89`) to `+7...`; WhatsApp needs `+7`. Harmful for
    /// clients in Japan, China, South Korea.
    #[serde(default)]
    pub to_international: bool,
    /// ISO 3166-1 alpha-2 codes of the countries clients write from.
    #[serde(default)]
    #[schemars(example = ["RU", "KZ"])]
    pub client_regions: Vec<String>,
}

fn spec_version() -> u64 {
    SPEC_VERSION
}

fn yes() -> bool {
    true
}
