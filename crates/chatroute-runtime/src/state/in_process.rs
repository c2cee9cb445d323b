//! `InProcess`: the state of a single service instance, safe across its
//! threads.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::cycle::member_at;
use super::events::{Draining, Due, Event, EventId, Reassigning};
use super::memory::{MemoryState, memory_books};
use super::{AssignmentState, CLAIM_TTL, Claimed, Claiming, Pick, PickRules, Picked, StateError, clock_ms};

/// State for a single service instance, safe across its threads.
pub struct InProcess {
    cursors: Mutex<HashMap<String, Arc<AtomicU64>>>,
    memory: MemoryState,
}

impl Default for InProcess {
    fn default() -> Self {
        Self::with_claim_ttl(CLAIM_TTL)
    }
}

impl InProcess {
    pub fn new() -> Self {
        Self::default()
    }

    /// Claims forgotten after `ttl` instead of `CLAIM_TTL`.
    pub fn with_claim_ttl(ttl: Duration) -> Self {
        InProcess { cursors: Mutex::default(), memory: MemoryState::new(ttl) }
    }

    /// Deals still open after `ttl` are closed by themselves, instead of
    /// after `DEAL_TTL`.
    pub fn with_deal_ttl(mut self, ttl: Duration) -> Self {
        self.memory.deal_ttl = ttl;
        self
    }

    #[cfg(feature = "testing")]
    /// An account's open deals per employee and each open deal's owner,
    /// as the books hold them (tests hold them to each other).
    pub fn books_of(
        &self,
        account: &str,
    ) -> (std::collections::BTreeMap<String, u32>, std::collections::BTreeMap<String, String>) {
        let books = self.memory.books.lock().unwrap_or_else(|p| p.into_inner());
        let Some(book) = books.account(account) else { return Default::default() };
        let open = book.open.iter().filter(|(_, n)| **n > 0).map(|(h, n)| (h.clone(), *n)).collect();
        (open, book.deals.iter().map(|(d, (owner, _))| (d.clone(), owner.clone())).collect())
    }
}

impl AssignmentState for InProcess {
    type Cursor = Arc<AtomicU64>;

    fn cursor(&self, account: &str, channel: &str) -> Arc<AtomicU64> {
        let mut map = self.cursors.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(format!("{account}:{channel}")).or_default().clone()
    }

    async fn next_ticket(&self, cursor: &Arc<AtomicU64>) -> Result<u64, StateError> {
        // fetch_add hands out every number exactly once, whatever the interleaving.
        Ok(cursor.fetch_add(1, Ordering::Relaxed))
    }

    async fn cursor_position(&self, cursor: &Arc<AtomicU64>) -> Result<u64, StateError> {
        Ok(cursor.load(Ordering::Acquire))
    }

    async fn move_cursor(&self, cursor: &Arc<AtomicU64>, from: u64, to: u64) -> Result<bool, StateError> {
        Ok(cursor.compare_exchange(from, to, Ordering::AcqRel, Ordering::Acquire).is_ok())
    }

    /// Under the books' lock from the test to the count, so two picks never
    /// both fill a member's last place; the cursor moves by compare-and-set
    /// because plain decisions take tickets without the lock.
    async fn pick(&self, cursor: &Arc<AtomicU64>, pick: &Pick<'_>) -> Result<Option<Picked>, StateError> {
        let mut books = self.memory.books(pick.account);
        if let Some(picked) = self.memory.without_cycle(&mut books, pick) {
            return Ok(Some(picked));
        }
        loop {
            let start = cursor.load(Ordering::Acquire);
            let Some(position) = MemoryState::choose(&books, pick, start) else {
                MemoryState::wait(&mut books, pick);
                return Ok(None);
            };
            if cursor.compare_exchange(start, position + 1, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                return Ok(Some(self.memory.commit(&mut books, pick, member_at(pick.cycle, position), Some(position))));
            }
        }
    }

    /// Under the books' lock, as a pick.
    async fn reassign(&self, cursor: &Arc<AtomicU64>, r: &Reassigning<'_>) -> Result<Option<Event>, StateError> {
        let mut books = self.memory.books(r.account);
        loop {
            let start = cursor.load(Ordering::Acquire);
            let Some(position) = MemoryState::reassign_plan(&mut books, r, start) else { return Ok(None) };
            if cursor.compare_exchange(start, position + 1, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                return Ok(MemoryState::reassign_apply(&mut books, r, position));
            }
        }
    }

    /// A channel whose limits a reload lifted takes plain tickets beside
    /// a drain: the cursor moves by compare-and-set, as in a pick.
    async fn drain(&self, cursor: &Arc<AtomicU64>, d: &Draining<'_>) -> Result<Option<Event>, StateError> {
        let mut books = self.memory.books(d.account);
        loop {
            let start = cursor.load(Ordering::Acquire);
            let Some((deal, position)) = MemoryState::drain_plan(&mut books, d, start) else { return Ok(None) };
            if cursor.compare_exchange(start, position + 1, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                return Ok(self.memory.drain_apply(&mut books, d, &deal, position));
            }
        }
    }

    memory_books!();
}
