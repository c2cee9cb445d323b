//! The account snapshot file (docs/crm.md): users, pipelines with their
//! statuses, and optionally contacts' phone numbers. Deterministic: the same
//! account data gives the same bytes (sorted, no timestamps), and it never
//! holds the API token.

use serde::{Deserialize, Serialize};

use crate::accounts::Account;
use crate::artifact;

pub const FORMAT: &str = "chatroute-crm-snapshot";
pub const FORMAT_VERSION: u32 = 1;

/// amoCRM status type of the Unsorted stage.
pub const STATUS_TYPE_UNSORTED: u8 = 1;
/// amoCRM's closed statuses, shared by every pipeline.
pub const STATUS_WON: u64 = 142;
pub const STATUS_LOST: u64 = 143;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub format: String,
    pub format_version: u32,
    /// The account subdomain it was pulled from.
    pub account: String,
    /// By id.
    pub users: Vec<User>,
    /// By id; statuses by `sort`, then id.
    pub pipelines: Vec<Pipeline>,
    /// Present when pulled with `--contacts`; by id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contacts: Option<Vec<Contact>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: u64,
    pub name: String,
    #[serde(default)]
    pub email: Option<String>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pipeline {
    pub id: u64,
    pub name: String,
    pub is_main: bool,
    /// Archived pipelines take no new deals. Absent in older snapshots.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_archive: bool,
    pub statuses: Vec<Status>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub id: u64,
    pub name: String,
    pub sort: i64,
    /// 1: the Unsorted stage; 0: any other.
    #[serde(rename = "type")]
    pub kind: u8,
}

impl Status {
    pub fn is_unsorted(&self) -> bool {
        self.kind == STATUS_TYPE_UNSORTED
    }

    pub fn is_closed(&self) -> bool {
        self.id == STATUS_WON || self.id == STATUS_LOST
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub id: u64,
    pub phones: Vec<String>,
}

pub use crate::accounts::SnapshotError;

impl Snapshot {
    /// A snapshot in canonical order.
    pub fn new(
        account: &str,
        mut users: Vec<User>,
        mut pipelines: Vec<Pipeline>,
        contacts: Option<Vec<Contact>>,
    ) -> Self {
        users.sort_by_key(|u| u.id);
        pipelines.sort_by_key(|p| p.id);
        for p in &mut pipelines {
            p.statuses.sort_by_key(|s| (s.sort, s.id));
        }
        let contacts = contacts.map(|mut c| {
            c.sort_by_key(|c| c.id);
            c
        });
        Snapshot {
            format: FORMAT.to_owned(),
            format_version: FORMAT_VERSION,
            account: account.to_owned(),
            users,
            pipelines,
            contacts,
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        artifact::to_bytes(self)
    }

    pub fn from_slice(bytes: &[u8]) -> Result<Self, SnapshotError> {
        crate::accounts::from_slice(Account::Crm, bytes, FORMAT, FORMAT_VERSION)
    }

    pub fn load(path: &std::path::Path) -> Result<Self, SnapshotError> {
        crate::accounts::load(Account::Crm, path, FORMAT, FORMAT_VERSION)
    }

    /// The main pipeline (the first one when the account marks none).
    pub fn main_pipeline(&self) -> Option<&Pipeline> {
        self.pipelines.iter().find(|p| p.is_main).or(self.pipelines.first())
    }
}

impl Pipeline {
    /// The first stage new deals may start in: not Unsorted, not closed.
    pub fn first_open_stage(&self) -> Option<&Status> {
        self.statuses.iter().find(|s| !s.is_unsorted() && !s.is_closed())
    }
}
