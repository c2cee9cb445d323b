//! The accounts a spec is checked against: what `check` takes and every
//! rule reads, in a module of its own so neither imports the other.

use crate::artifact::{self, ArtifactError};
use crate::crm::Snapshot;
use crate::i18n::t;
use crate::wazzup::WazzupSnapshot;

/// The accounts a spec is checked against, when their snapshots are given.
#[derive(Debug, Clone, Copy, Default)]
pub struct Accounts<'a> {
    pub crm: Option<&'a Snapshot>,
    pub wazzup: Option<&'a WazzupSnapshot>,
}

/// Which account a snapshot is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Account {
    Crm,
    Wazzup,
}

/// Why a snapshot (of either account) cannot be used; `Display` says it in
/// the current language, naming the account and the pull that writes it.
#[derive(Debug)]
pub enum SnapshotError {
    Io(std::io::Error),
    Unreadable { account: Account, why: ArtifactError },
}

impl std::fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use Account::{Crm, Wazzup};
        let text = match self {
            SnapshotError::Io(err) => err.to_string(),
            SnapshotError::Unreadable { account, why } => match (account, why) {
                (Crm, ArtifactError::Malformed(why)) => t!("crm-snapshot-malformed", why = why.as_str()),
                (Wazzup, ArtifactError::Malformed(why)) => t!("wazzup-snapshot-malformed", why = why.as_str()),
                (Crm, ArtifactError::Foreign) => t!("crm-snapshot-not-one"),
                (Wazzup, ArtifactError::Foreign) => t!("wazzup-snapshot-not-one"),
                (Crm, ArtifactError::Version { found }) => {
                    t!("snapshot-version", found = found.to_owned(), supported = crate::crm::snapshot::FORMAT_VERSION)
                }
                (Wazzup, ArtifactError::Version { found }) => {
                    t!("wazzup-snapshot-version", found = found.to_owned(), supported = crate::wazzup::FORMAT_VERSION)
                }
            },
        };
        f.write_str(&text)
    }
}

impl std::error::Error for SnapshotError {}

/// A snapshot file of `account`, read with the size limit of artifacts.
pub(crate) fn load<T: serde::de::DeserializeOwned>(
    account: Account,
    path: &std::path::Path,
    format: &str,
    version: u32,
) -> Result<T, SnapshotError> {
    let bytes = artifact::read_limited(path, artifact::MAX_ARTIFACT_BYTES).map_err(SnapshotError::Io)?;
    from_slice(account, &bytes, format, version)
}

/// A snapshot of `account` from its bytes.
pub(crate) fn from_slice<T: serde::de::DeserializeOwned>(
    account: Account,
    bytes: &[u8],
    format: &str,
    version: u32,
) -> Result<T, SnapshotError> {
    artifact::from_slice(bytes, format, version).map_err(|why| SnapshotError::Unreadable { account, why })
}
