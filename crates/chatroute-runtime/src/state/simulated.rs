//! `Simulated`: a dry run over a shared state.

use super::cycle::member_at;
use super::events::{Draining, Due, Event, EventId, Reassigning};
use super::memory::{MemoryState, memory_books};
use super::{AssignmentState, CLAIM_TTL, Claimed, Claiming, Pick, PickRules, Picked, StateError, clock_ms};

/// A simulation over a shared state (`route --state redis://...`): the
/// round-robin cursors are the shared ones (a simulated deal takes a real
/// position, as docs/service.md says), but availability, open deals and claims
/// stay in this process, so a simulation leaves them as it found them.
/// It reads no availability or open count from the shared state either:
/// it simulates from "everyone available, nothing open" plus what it is
/// told.
pub struct Simulated<S> {
    shared: S,
    memory: MemoryState,
}

impl<S: AssignmentState> Simulated<S> {
    pub fn new(shared: S) -> Self {
        Simulated { shared, memory: MemoryState::new(CLAIM_TTL) }
    }
}

impl<S: AssignmentState> AssignmentState for Simulated<S> {
    type Cursor = S::Cursor;

    fn cursor(&self, account: &str, channel: &str) -> S::Cursor {
        self.shared.cursor(account, channel)
    }

    fn next_ticket(&self, cursor: &S::Cursor) -> impl Future<Output = Result<u64, StateError>> + Send {
        self.shared.next_ticket(cursor)
    }

    fn cursor_position(&self, cursor: &S::Cursor) -> impl Future<Output = Result<u64, StateError>> + Send {
        self.shared.cursor_position(cursor)
    }

    fn move_cursor(
        &self,
        cursor: &S::Cursor,
        from: u64,
        to: u64,
    ) -> impl Future<Output = Result<bool, StateError>> + Send {
        self.shared.move_cursor(cursor, from, to)
    }

    fn ping(&self) -> impl Future<Output = Result<(), StateError>> + Send {
        self.shared.ping()
    }

    fn accepts(&self, account: &str) -> impl Future<Output = Result<(), StateError>> + Send {
        self.shared.accepts(account)
    }

    /// The books are this process's own, so the lock is not held across
    /// the shared cursor's round trips; the cursor moves by compare-and-set.
    async fn pick(&self, cursor: &S::Cursor, pick: &Pick<'_>) -> Result<Option<Picked>, StateError> {
        if let Some(picked) = self.memory.without_cycle(&mut self.memory.books(pick.account), pick) {
            return Ok(Some(picked));
        }
        loop {
            let start = self.shared.cursor_position(cursor).await?;
            let Some(position) = MemoryState::choose(&self.memory.books(pick.account), pick, start) else {
                MemoryState::wait(&mut self.memory.books(pick.account), pick);
                return Ok(None);
            };
            if self.shared.move_cursor(cursor, start, position + 1).await? {
                let employee = member_at(pick.cycle, position);
                return Ok(Some(self.memory.commit(
                    &mut self.memory.books(pick.account),
                    pick,
                    employee,
                    Some(position),
                )));
            }
        }
    }

    /// A simulation's timers are its own; it takes the shared cursor's
    /// positions as its decisions do.
    async fn reassign(&self, cursor: &S::Cursor, r: &Reassigning<'_>) -> Result<Option<Event>, StateError> {
        let start = self.shared.cursor_position(cursor).await?;
        let Some(position) = MemoryState::reassign_plan(&mut self.memory.books(r.account), r, start) else {
            return Ok(None);
        };
        self.shared.move_cursor(cursor, start, position + 1).await?;
        Ok(MemoryState::reassign_apply(&mut self.memory.books(r.account), r, position))
    }

    async fn drain(&self, cursor: &S::Cursor, d: &Draining<'_>) -> Result<Option<Event>, StateError> {
        let start = self.shared.cursor_position(cursor).await?;
        let Some((deal, position)) = MemoryState::drain_plan(&mut self.memory.books(d.account), d, start) else {
            return Ok(None);
        };
        self.shared.move_cursor(cursor, start, position + 1).await?;
        Ok(self.memory.drain_apply(&mut self.memory.books(d.account), d, &deal, position))
    }

    memory_books!();
}
