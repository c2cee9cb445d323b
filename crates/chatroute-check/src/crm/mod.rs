//! The amoCRM account: snapshots pulled from the REST API v4 (`chatroute-accounts`), and
//! resolution of the spec's pipeline, stage and user references against
//! them (`lookup`).

pub mod lookup;
pub mod snapshot;

pub use snapshot::{Contact, Pipeline, Snapshot, SnapshotError, Status, User};
