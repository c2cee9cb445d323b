//! The routing table: the compiled, self-checking artifact runtime services
//! load. Format documented in docs/table.md.
//!
//! A table is `{format, format_version, generator, hash, body}`. `hash` is
//! `sha256:` + the hex SHA-256 of the body's canonical form: compact JSON of
//! the body with every map in key order (what `serde_json` writes for these
//! types), so the hash does not depend on how the file is indented.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::artifact::{self, ArtifactError};
use crate::spec::{AfterClose, CopyDialog, Level, NameOrId, Transport, Visibility};

/// Marks a file as a chatroute table.
pub const FORMAT: &str = "chatroute-table";
/// The table format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

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
    pub phones: PhoneRoute,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrmResolution {
    Names,
    Ids,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelRoute {
    pub name: String,
    pub transport: Transport,
    /// The phone (whatsapp) or handle (instagram).
    pub address: String,
    pub new_deals: StageRoute,
    pub assignment: AssignmentRoute,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageRoute {
    pub pipeline: NameOrId,
    pub stage: NameOrId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum AssignmentRoute {
    /// Deal n goes to `cycle[n mod len]`; the cycle is the members expanded
    /// by weight, in order.
    RoundRobin { cycle: Vec<String>, after_close: AfterClose },
    /// The first of `group` to answer claims the deal.
    FirstResponder { group: Vec<String> },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployeeRoute {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crm_user: Option<u64>,
    /// Level per channel; absent means `none`.
    pub access: BTreeMap<String, Level>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_outgoing: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlobalChatRoute {
    pub visibility: Visibility,
    pub admins: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneRoute {
    pub to_international: bool,
}

/// Why a table could not be loaded or written.
#[derive(Debug)]
pub enum TableError {
    Io(std::io::Error),
    /// Not JSON, truncated, or not a table's shape.
    Malformed(String),
    NotATable,
    Version {
        found: u32,
    },
    HashMismatch {
        stored: String,
        computed: String,
    },
}

impl std::fmt::Display for TableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TableError::Io(e) => write!(f, "{e}"),
            TableError::Malformed(e) => write!(f, "not a readable routing table (truncated or damaged?): {e}"),
            TableError::NotATable => write!(f, "this JSON file is not a chatroute routing table"),
            TableError::Version { found } => write!(
                f,
                "table format version {found}, but this chatroute reads version {FORMAT_VERSION}; recompile the spec with a matching chatroute"
            ),
            TableError::HashMismatch { stored, computed } => write!(
                f,
                "table content does not match its hash (stored {stored}, computed {computed}): the file was edited or damaged; recompile it"
            ),
        }
    }
}

impl std::error::Error for TableError {}

impl From<ArtifactError> for TableError {
    fn from(e: ArtifactError) -> Self {
        match e {
            ArtifactError::Malformed(why) => TableError::Malformed(why),
            ArtifactError::Foreign => TableError::NotATable,
            ArtifactError::Version { found } => TableError::Version { found },
        }
    }
}

impl From<std::io::Error> for TableError {
    fn from(e: std::io::Error) -> Self {
        TableError::Io(e)
    }
}

/// `sha256:<hex>` of the canonical body.
pub fn hash(body: &Body) -> String {
    // Plain data of strings, numbers and ordered maps always serialises.
    let canonical = serde_json::to_vec(body).unwrap_or_default();
    let digest = Sha256::digest(&canonical);
    let mut out = String::from("sha256:");
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

impl TableFile {
    /// Wraps a body with its header and hash.
    pub fn new(body: Body) -> Self {
        TableFile {
            format: FORMAT.to_owned(),
            format_version: FORMAT_VERSION,
            generator: format!("chatroute {}", env!("CARGO_PKG_VERSION")),
            hash: hash(&body),
            body,
        }
    }

    /// The bytes written to disk: pretty JSON, final newline. Deterministic.
    pub fn to_bytes(&self) -> Vec<u8> {
        artifact::to_bytes(self)
    }

    /// Reads and verifies a table: its marker, format version and hash.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, TableError> {
        let table: TableFile = artifact::from_slice(bytes, FORMAT, FORMAT_VERSION)?;
        let computed = hash(&table.body);
        if computed != table.hash {
            return Err(TableError::HashMismatch { stored: table.hash, computed });
        }
        Ok(table)
    }

    pub fn load(path: &Path) -> Result<Self, TableError> {
        Self::from_slice(&std::fs::read(path)?)
    }
}
