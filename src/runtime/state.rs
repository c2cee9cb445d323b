//! Assignment state: the round-robin cursor and first-responder claims,
//! behind a trait so one service instance can keep it in memory and several
//! can share it (Redis).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Why the state store could not answer. The decision then fails; the
/// caller keeps the message and retries, so nothing is assigned twice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    #[error("assignment state unavailable: {0}")]
    Unavailable(String),
}

/// Shared assignment state. Keys are namespaced by the caller
/// (`account:channel`, `account:channel:deal`).
pub trait AssignmentState: Send + Sync {
    /// A prepared handle on one round-robin cursor, made once per channel
    /// when a table is loaded so a decision does no key work.
    type Cursor: Send + Sync;

    /// Whether a call may wait on the network (an async service runs such
    /// calls off its event loop).
    const BLOCKS: bool;

    /// The handle of the cursor stored under `key`.
    fn cursor(&self, key: &str) -> Self::Cursor;

    /// Takes the next ticket of a cursor: 0, 1, 2, ... with no number
    /// skipped or repeated, whatever the concurrency.
    fn next_ticket(&self, cursor: &Self::Cursor) -> Result<u64, StateError>;

    /// Claims a first-responder deal for `employee`. Returns the winner: the
    /// first claimant, for this call and every later one.
    fn claim(&self, deal: &str, employee: &str) -> Result<String, StateError>;

    /// Whether the state answers (a service's readiness).
    fn ping(&self) -> Result<(), StateError> {
        Ok(())
    }
}

/// State for a single service instance, safe across its threads.
#[derive(Default)]
pub struct InProcess {
    cursors: Mutex<HashMap<String, Arc<AtomicU64>>>,
    claims: Mutex<HashMap<String, String>>,
}

impl InProcess {
    pub fn new() -> Self {
        Self::default()
    }
}

impl AssignmentState for InProcess {
    type Cursor = Arc<AtomicU64>;

    const BLOCKS: bool = false;

    fn cursor(&self, key: &str) -> Arc<AtomicU64> {
        let mut map = self.cursors.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(key.to_owned()).or_default().clone()
    }

    fn next_ticket(&self, cursor: &Arc<AtomicU64>) -> Result<u64, StateError> {
        // fetch_add hands out every number exactly once, whatever the interleaving.
        Ok(cursor.fetch_add(1, Ordering::Relaxed))
    }

    fn claim(&self, deal: &str, employee: &str) -> Result<String, StateError> {
        let mut claims = self.claims.lock().unwrap_or_else(|p| p.into_inner());
        Ok(claims.entry(deal.to_owned()).or_insert_with(|| employee.to_owned()).clone())
    }
}

/// One state shared by successive tables (a service reloading its table
/// keeps every cursor and claim).
impl<S: AssignmentState> AssignmentState for Arc<S> {
    type Cursor = S::Cursor;

    const BLOCKS: bool = S::BLOCKS;

    fn cursor(&self, key: &str) -> S::Cursor {
        (**self).cursor(key)
    }

    fn next_ticket(&self, cursor: &S::Cursor) -> Result<u64, StateError> {
        (**self).next_ticket(cursor)
    }

    fn claim(&self, deal: &str, employee: &str) -> Result<String, StateError> {
        (**self).claim(deal, employee)
    }

    fn ping(&self) -> Result<(), StateError> {
        (**self).ping()
    }
}
