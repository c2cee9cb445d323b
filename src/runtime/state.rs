//! Assignment state: the round-robin cursor and first-responder claims,
//! behind a trait so one service instance can keep it in memory and several
//! can share it (Redis).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// Why the state store could not answer. The decision then fails; the
/// caller keeps the message and retries, so nothing is assigned twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateError {
    Unavailable(String),
}

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StateError::Unavailable(why) => write!(f, "assignment state unavailable: {why}"),
        }
    }
}

impl std::error::Error for StateError {}

/// Shared assignment state. Keys are namespaced by the caller
/// (`account:channel`, `account:channel:deal`).
pub trait AssignmentState: Send + Sync {
    /// Takes the next ticket of a round-robin cursor: 0, 1, 2, ... with no
    /// number skipped or repeated, whatever the concurrency.
    fn next_ticket(&self, cursor: &str) -> Result<u64, StateError>;

    /// Claims a first-responder deal for `employee`. Returns the winner: the
    /// first claimant, for this call and every later one.
    fn claim(&self, deal: &str, employee: &str) -> Result<String, StateError>;
}

/// State for a single service instance, safe across its threads.
#[derive(Default)]
pub struct InProcess {
    cursors: RwLock<HashMap<String, Arc<AtomicU64>>>,
    claims: Mutex<HashMap<String, String>>,
}

impl InProcess {
    pub fn new() -> Self {
        Self::default()
    }

    fn cursor(&self, key: &str) -> Arc<AtomicU64> {
        if let Some(c) = self
            .cursors
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
        {
            return c.clone();
        }
        let mut map = self.cursors.write().unwrap_or_else(|p| p.into_inner());
        map.entry(key.to_owned()).or_default().clone()
    }
}

impl AssignmentState for InProcess {
    fn next_ticket(&self, cursor: &str) -> Result<u64, StateError> {
        Ok(self.cursor(cursor).fetch_add(1, Ordering::Relaxed))
    }

    fn claim(&self, deal: &str, employee: &str) -> Result<String, StateError> {
        let mut claims = self.claims.lock().unwrap_or_else(|p| p.into_inner());
        Ok(claims
            .entry(deal.to_owned())
            .or_insert_with(|| employee.to_owned())
            .clone())
    }
}
