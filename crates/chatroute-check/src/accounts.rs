//! The accounts a spec is checked against: what `check` takes and every
//! rule reads, in a module of its own so neither imports the other.

use crate::crm::Snapshot;
use crate::wazzup::WazzupSnapshot;

/// The accounts a spec is checked against, when their snapshots are given.
#[derive(Debug, Clone, Copy, Default)]
pub struct Accounts<'a> {
    pub crm: Option<&'a Snapshot>,
    pub wazzup: Option<&'a WazzupSnapshot>,
}
