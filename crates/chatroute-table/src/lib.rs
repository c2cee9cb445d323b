//! The routing table: the compiled, self-checking artifact runtime services
//! load. Format documented in docs/table.md.
//!
//! A table is `{format, format_version, generator, hash, body}`. `hash` is
//! `sha256:` + the hex SHA-256 of the body's canonical form: compact JSON
//! with every object's keys sorted by code point (`canonical`), computed on
//! the body as written in the file, so a verifier in any language gets the
//! same bytes. Loading then reads the body strictly (no unknown keys) and
//! checks its invariants (`validate`): a right hash on senseless content is
//! still refused.

pub mod artifact;
pub mod canonical;
pub mod keywords;
pub mod schedule;
pub mod text;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::artifact::ArtifactError;
use crate::keywords::{
    AfterClose, CopyDialog, Level, MAX_CYCLE, MAX_EXACT_ID, NameOrId, ReturningClients, Transport, Visibility,
    WhenNobody,
};
use crate::schedule::ScheduleRoute;
use crate::text::{is_identifier, is_subdomain, printable};

/// Marks a file as a chatroute table.
pub const FORMAT: &str = "chatroute-table";
/// The table format this build writes and reads.
pub const FORMAT_VERSION: u32 = 3;

/// A table file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableFile {
    pub format: String,
    pub format_version: u32,
    /// `chatroute <version>` that wrote the table.
    pub generator: String,
    /// `sha256:<hex>` of the canonical body.
    pub hash: String,
    pub body: Body,
}

/// What the runtime needs, resolved: no precedence rules left to apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    pub account: String,
    /// `false`: the integration is disabled and `channels` is empty.
    pub enabled: bool,
    /// Whether pipelines, stages and users are amoCRM ids (`ids`) or only
    /// the names written in the spec (`names`).
    pub crm: CrmResolution,
    /// Enabled channels only, by id.
    pub channels: BTreeMap<String, ChannelRoute>,
    /// Every employee with their level on each enabled channel where it is
    /// not `none`, and their default outgoing channel.
    pub employees: BTreeMap<String, EmployeeRoute>,
    pub global_chat: GlobalChatRoute,
    pub copy_dialog: CopyDialog,
    /// The integration's IANA time zone (`[integration] timezone`), whose
    /// hours and days bound the dialog copy's notes; absent, UTC's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    pub phones: PhoneRoute,
    /// Working hours by name, for the employees who name one.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub schedules: BTreeMap<String, ScheduleRoute>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrmResolution {
    Names,
    Ids,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelRoute {
    pub name: String,
    pub transport: Transport,
    /// The phone, handle or id, as written in the spec.
    pub address: String,
    /// Wazzup's `channelId` (compiled with `--wazzup`): the runtime finds
    /// the channel by it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wazzup_channel_id: Option<String>,
    pub new_deals: StageRoute,
    pub assignment: AssignmentRoute,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageRoute {
    pub pipeline: NameOrId,
    pub stage: NameOrId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case", deny_unknown_fields)]
pub enum AssignmentRoute {
    /// The cursor walks the cycle (the members expanded by weight, in
    /// order); a deal goes to the member at the next position that can take
    /// it (`availability`).
    RoundRobin {
        cycle: Vec<String>,
        after_close: AfterClose,
        #[serde(default, skip_serializing_if = "Availability::is_plain")]
        availability: Availability,
        #[serde(default, skip_serializing_if = "ReturningClients::is_cycle")]
        returning_clients: ReturningClients,
        /// Deals not replied to within a time are passed on.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reassign: Option<Reassign>,
    },
    /// The first of `group` to answer claims the deal.
    FirstResponder {
        group: Vec<String>,
        #[serde(default, skip_serializing_if = "Availability::is_plain")]
        availability: Availability,
    },
}

impl AssignmentRoute {
    pub fn availability(&self) -> &Availability {
        match self {
            AssignmentRoute::RoundRobin { availability, .. } | AssignmentRoute::FirstResponder { availability, .. } => {
                availability
            }
        }
    }
}

/// Unanswered deals: passed on after `after_secs` without a reply, at most
/// `max` times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reassign {
    pub after_secs: u64,
    pub max: u32,
}

/// Who may be skipped, and what happens when nobody can take a deal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Availability {
    /// Unavailable members are skipped.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub skip_unavailable: bool,
    /// Open-deal limits by handle.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub max_open: BTreeMap<String, u32>,
    #[serde(default, skip_serializing_if = "WhenNobody::is_unassigned")]
    pub when_nobody: WhenNobody,
}

impl Availability {
    /// Nobody is ever skipped: every decision is the plain cycle's.
    pub fn is_plain(&self) -> bool {
        !self.skip_unavailable && self.max_open.is_empty()
    }
}

impl WhenNobody {
    fn is_unassigned(&self) -> bool {
        *self == WhenNobody::Unassigned
    }
}

impl ReturningClients {
    fn is_cycle(&self) -> bool {
        *self == ReturningClients::Cycle
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmployeeRoute {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crm_user: Option<u64>,
    /// Level per channel; absent means `none`.
    pub access: BTreeMap<String, Level>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_outgoing: Option<String>,
    /// Working hours (a key of `Body::schedules`): outside them the
    /// employee counts as unavailable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlobalChatRoute {
    pub visibility: Visibility,
    pub admins: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhoneRoute {
    pub to_international: bool,
}

/// Why a table could not be loaded or written.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Not JSON, truncated, or not a table's shape.
    #[error("not a readable routing table (truncated or damaged?): {0}")]
    Malformed(String),
    #[error("this JSON file is not a chatroute routing table")]
    NotATable,
    #[error(
        "table format version {found}, but this chatroute reads version {FORMAT_VERSION}; recompile the spec with a matching chatroute"
    )]
    Version { found: u32 },
    #[error(
        "table content does not match its hash (stored {stored}, computed {computed}): the file was edited or damaged; recompile it"
    )]
    HashMismatch { stored: String, computed: String },
    /// The hash holds but the content breaks an invariant of the format.
    #[error("table content is inconsistent: {0}; recompile the spec")]
    Invalid(String),
}

impl From<ArtifactError> for TableError {
    fn from(e: ArtifactError) -> Self {
        match e {
            ArtifactError::Malformed(why) => TableError::Malformed(why),
            ArtifactError::Foreign => TableError::NotATable,
            ArtifactError::Version { found } => TableError::Version { found },
        }
    }
}

/// `sha256:<hex>` of a body's canonical form: a compiled `Body`, or a
/// body as written in a file (a JSON value).
pub fn hash<T: Serialize + ?Sized>(body: &T) -> String {
    sha256_hex(&canonical::to_vec(body))
}

fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::from("sha256:");
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// The envelope as read, with the body kept as written for hashing.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    #[allow(dead_code)]
    format: String,
    #[allow(dead_code)]
    format_version: u32,
    generator: String,
    hash: String,
    body: Value,
}

/// From this many entries (employees, access levels, cycle positions) on, a
/// body is hashed on a second core while it is written: about a 256 KiB
/// spec (`bench/compare.py`'s M has 6,900, L 52,700); below it a thread
/// costs more than it saves.
const LARGE_BODY_ENTRIES: usize = 8_000;

impl Body {
    /// How much there is to write and hash, in entries.
    fn entries(&self) -> usize {
        let cycles: usize = self
            .channels
            .values()
            .map(|c| match &c.assignment {
                AssignmentRoute::RoundRobin { cycle, .. } => cycle.len(),
                AssignmentRoute::FirstResponder { group, .. } => group.len(),
            })
            .sum();
        self.employees.len() + self.employees.values().map(|e| e.access.len()).sum::<usize>() + cycles
    }
}

impl TableFile {
    /// Wraps a body with its header and hash.
    pub fn new(body: Body) -> Self {
        let hash = hash(&body);
        TableFile::new_with_hash(body, hash)
    }

    /// A table and its bytes (`to_bytes`) at once. For a large body the
    /// hash is computed on a second core while the bytes are written, then
    /// put in its place in the header; the result is the same either way.
    pub fn with_bytes(body: Body) -> (Self, Vec<u8>) {
        if body.entries() < LARGE_BODY_ENTRIES {
            let table = TableFile::new(body);
            let bytes = table.to_bytes();
            return (table, bytes);
        }
        const PENDING: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";
        let mut table = TableFile::new_with_hash(body, PENDING.to_owned());
        let (hash, mut bytes) = std::thread::scope(|scope| {
            let hash = scope.spawn(|| hash(&table.body));
            let bytes = table.to_bytes();
            (hash.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)), bytes)
        });
        // The header comes before the body: the first occurrence is its hash.
        let at = bytes.windows(PENDING.len()).position(|w| w == PENDING.as_bytes()).expect("the header's hash");
        bytes[at..at + PENDING.len()].copy_from_slice(hash.as_bytes());
        table.hash = hash;
        (table, bytes)
    }

    fn new_with_hash(body: Body, hash: String) -> Self {
        TableFile {
            format: FORMAT.to_owned(),
            format_version: FORMAT_VERSION,
            generator: format!("chatroute {}", env!("CARGO_PKG_VERSION")),
            hash,
            body,
        }
    }

    /// The bytes written to disk: pretty JSON, final newline. Deterministic.
    pub fn to_bytes(&self) -> Vec<u8> {
        artifact::to_bytes(self)
    }

    /// Reads and verifies a table: its marker and format version, the hash
    /// of the body as written, the body's shape (no unknown keys) and its
    /// invariants.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, TableError> {
        let envelope: Envelope = artifact::from_slice(bytes, FORMAT, FORMAT_VERSION)?;
        let written = canonical::to_vec(&envelope.body);
        let computed = sha256_hex(&written);
        if computed != envelope.hash {
            return Err(TableError::HashMismatch { stored: envelope.hash, computed });
        }
        let body = Body::deserialize(&envelope.body).map_err(|e| TableError::Malformed(format!("body: {e}")))?;
        // Byte for byte what chatroute writes for this body: no nulls, no
        // defaults spelt out, no `1.0` for `1`.
        if canonical::to_vec(&body) != written {
            return Err(TableError::Invalid("the body holds values chatroute never writes (null or defaults)".into()));
        }
        validate(&body).map_err(TableError::Invalid)?;
        Ok(TableFile {
            format: FORMAT.to_owned(),
            format_version: FORMAT_VERSION,
            generator: envelope.generator,
            hash: envelope.hash,
            body,
        })
    }

    pub fn load(path: &Path) -> Result<Self, TableError> {
        Self::from_slice(&artifact::read_limited(path, artifact::MAX_ARTIFACT_BYTES)?)
    }
}

/// Open-deal limits name members, and are at least 1; `when_nobody` only
/// with something that can skip.
fn availability_members(a: &Availability, members: &[String], channel: &str) -> Result<(), String> {
    if let Some((h, _)) = a.max_open.iter().find(|(h, n)| **n == 0 || !members.contains(h)) {
        return Err(format!("max_open of {} on {} names no member, or is 0", quoted(h), quoted(channel)));
    }
    if a.is_plain() && a.when_nobody != WhenNobody::Unassigned {
        return Err(format!("when_nobody on {} without anything that can skip", quoted(channel)));
    }
    Ok(())
}

fn quoted(s: &str) -> String {
    format!("`{}`", printable(s))
}

/// The invariants `compile` guarantees and the runtime relies on: every
/// name a table uses is defined, cycles and groups are non-empty, bounded
/// and made of members who may answer on the channel, ids are identifiers
/// (they become state keys) and exact in every JSON reader. `check` holds
/// specs to the same rules, so whatever `compile` writes, `load` accepts.
pub fn validate(body: &Body) -> Result<(), String> {
    if !is_subdomain(&body.account) {
        return Err(format!("account {} is not an amoCRM subdomain", quoted(&body.account)));
    }
    if !body.enabled && !body.channels.is_empty() {
        return Err("a disabled integration routes channels".into());
    }
    let mut wazzup_ids = std::collections::BTreeSet::new();
    for (id, channel) in &body.channels {
        if !is_identifier(id) {
            return Err(format!("channel id {} is not an identifier", quoted(id)));
        }
        if let Some(w) = &channel.wazzup_channel_id
            && (!wazzup_ids.insert(w) || body.channels.contains_key(w))
        {
            return Err(format!("Wazzup channel id {} names two channels", quoted(w)));
        }
        validate_assignment(body, id, &channel.assignment)?;
        validate_ids(body.crm, &[&channel.new_deals.pipeline, &channel.new_deals.stage], id)?;
    }
    body.employees.iter().try_for_each(|(handle, route)| validate_employee(body, handle, route))?;
    if let Some(admin) = body.global_chat.admins.iter().find(|a| !body.employees.contains_key(*a)) {
        return Err(format!("chat admin {} is not an employee", quoted(admin)));
    }
    if body.global_chat.visibility == Visibility::All && !body.global_chat.admins.is_empty() {
        return Err("chat admins with visibility `all`".into());
    }
    if let Some(zone) = body.timezone.as_ref().filter(|z| crate::schedule::zone(z).is_none()) {
        return Err(format!("unknown time zone {}", quoted(zone)));
    }
    body.schedules.iter().try_for_each(|(name, s)| validate_schedule(name, s))
}

/// A zone of the shipped database, seven days of well-formed intervals,
/// dates that are dates.
fn validate_schedule(name: &str, schedule: &ScheduleRoute) -> Result<(), String> {
    let bad = |why: &str| Err(format!("schedule {} {why}", quoted(name)));
    if crate::schedule::zone(&schedule.timezone).is_none() {
        return bad(&format!("has unknown time zone {}", quoted(&schedule.timezone)));
    }
    if schedule.week.len() != 7 {
        return bad("does not have seven days");
    }
    let day = crate::schedule::DAY;
    if schedule.week.iter().flatten().any(|i| i.from >= day || i.to <= i.from || i.to > i.from + day) {
        return bad("has an interval out of its day");
    }
    if schedule.off.iter().any(|d| crate::schedule::parse_date(d).is_err()) {
        return bad("has an `off` entry that is not a date");
    }
    Ok(())
}

/// A cycle or group: bounded, of known members who can answer there.
fn validate_assignment(body: &Body, id: &str, assignment: &AssignmentRoute) -> Result<(), String> {
    let (what, members, availability) = match assignment {
        AssignmentRoute::RoundRobin { cycle, availability, .. } => ("round-robin cycle", cycle, availability),
        AssignmentRoute::FirstResponder { group, availability } => ("first-responder group", group, availability),
    };
    availability_members(availability, members, id)?;
    if let AssignmentRoute::RoundRobin { reassign: Some(r), .. } = assignment
        && (r.max == 0 || r.after_secs == 0 || r.after_secs > 30 * 24 * 3600)
    {
        return Err(format!("reassignment of {} after {} s, at most {} times", quoted(id), r.after_secs, r.max));
    }
    if members.is_empty() || members.len() as u64 > MAX_CYCLE {
        return Err(format!("{what} of {} has {} entries (1 to {MAX_CYCLE})", quoted(id), members.len()));
    }
    if matches!(assignment, AssignmentRoute::FirstResponder { .. })
        && let Some(twice) = members.iter().enumerate().find(|(i, h)| members[..*i].contains(h))
    {
        return Err(format!("{what} of {} names {} twice", quoted(id), quoted(twice.1)));
    }
    for handle in members {
        let Some(employee) = body.employees.get(handle) else {
            return Err(format!("{what} of {} names unknown employee {}", quoted(id), quoted(handle)));
        };
        if employee.access.get(id) != Some(&Level::ReadSend) {
            return Err(format!("{} takes deals on {} without read_send there", quoted(handle), quoted(id)));
        }
    }
    Ok(())
}

fn validate_employee(body: &Body, handle: &str, route: &EmployeeRoute) -> Result<(), String> {
    if !is_identifier(handle) {
        return Err(format!("employee handle {} is not an identifier", quoted(handle)));
    }
    if let Some(channel) = route.access.keys().find(|c| !body.channels.contains_key(*c)) {
        return Err(format!("{} has access to unknown channel {}", quoted(handle), quoted(channel)));
    }
    if route.access.values().any(|l| *l == Level::None) {
        return Err(format!("{} lists a `none` level, which tables leave out", quoted(handle)));
    }
    if let Some(out) = &route.default_outgoing
        && route.access.get(out) != Some(&Level::ReadSend)
    {
        return Err(format!("{} writes first from {} without read_send there", quoted(handle), quoted(out)));
    }
    if route.crm_user.is_some_and(|u| u > MAX_EXACT_ID) {
        return Err(format!("the amoCRM user id of {} is above 2^53 - 1", quoted(handle)));
    }
    if let Some(schedule) = route.schedule.as_ref().filter(|s| !body.schedules.contains_key(*s)) {
        return Err(format!("{} works to unknown schedule {}", quoted(handle), quoted(schedule)));
    }
    Ok(())
}

/// Pipeline and stage: exact ids; with `crm = "ids"`, ids only.
fn validate_ids(crm: CrmResolution, values: &[&NameOrId], channel: &str) -> Result<(), String> {
    for value in values {
        match value {
            NameOrId::Id(n) if *n > MAX_EXACT_ID => {
                return Err(format!("an amoCRM id of channel {} is above 2^53 - 1", quoted(channel)));
            }
            NameOrId::Name(name) if crm == CrmResolution::Ids => {
                return Err(format!("a table of amoCRM ids names {} on channel {}", quoted(name), quoted(channel)));
            }
            _ => {}
        }
    }
    Ok(())
}
