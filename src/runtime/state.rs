//! Assignment state: the round-robin cursor, first-responder claims,
//! employees' availability and open-deal counts, behind a trait so one
//! service instance can keep it in memory and several can share it (Redis).
//!
//! A cursor counts positions of the full cycle. A plain decision takes the
//! next position (`next_ticket`); one that may skip (`pick`) takes the first
//! position from the cursor whose member can take the deal, moves the
//! cursor past it and counts the deal open, all at once: the members who
//! can take deals get them in cycle order by their weights, and a member
//! who comes back gets no burst of the deals missed.

use std::collections::{BTreeMap, HashMap};
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

    /// The first position from the cursor whose member can take the deal
    /// (available, when unavailable ones are skipped; under its open-deal
    /// limit), atomically with moving the cursor past it and counting the
    /// deal open for that member. A deal already decided gets its owner
    /// again. `None`: nobody can take it, and the cursor stays.
    fn pick(&self, cursor: &Self::Cursor, pick: &Pick<'_>) -> Result<Option<Picked>, StateError>;

    /// Which of `members` can take a deal now (first responder's offer).
    fn can_take(&self, account: &str, members: &[String], rules: &PickRules<'_>) -> Result<Vec<bool>, StateError>;

    /// Marks an employee available or not.
    fn set_available(&self, account: &str, employee: &str, available: bool) -> Result<(), StateError>;

    /// Counts `deal` open for `employee` (a won first-responder claim);
    /// nothing when the deal is already counted.
    fn open_deal(&self, account: &str, deal: &str, employee: &str) -> Result<(), StateError>;

    /// Closes a deal: its owner's open count goes down (never below zero).
    /// Returns the owner; `None` for a deal not open.
    fn close_deal(&self, account: &str, deal: &str) -> Result<Option<String>, StateError>;
}

/// Who can take a deal.
#[derive(Debug, Clone, Copy)]
pub struct PickRules<'a> {
    pub skip_unavailable: bool,
    /// Open-deal limits by handle.
    pub max_open: &'a BTreeMap<String, u32>,
}

/// A round-robin decision that may skip members.
#[derive(Debug, Clone, Copy)]
pub struct Pick<'a> {
    pub account: &'a str,
    /// The full cycle, members expanded by weight.
    pub cycle: &'a [String],
    pub rules: PickRules<'a>,
    /// The deal decided, counted open until closed.
    pub deal: Option<&'a str>,
}

/// The outcome of a pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picked {
    pub employee: String,
    /// The cycle position taken; `None` for a deal decided before.
    pub position: Option<u64>,
}

/// One account's availability and open deals, kept in memory.
#[derive(Default)]
struct Books {
    /// Handles of the unavailable.
    unavailable: std::collections::HashSet<String>,
    /// Handle -> open deals.
    open: HashMap<String, u32>,
    /// Deal -> owner.
    deals: HashMap<String, String>,
}

impl Books {
    /// Looked up by `&str` in the hot loop of a pick: no key is built.
    fn can_take(&self, who: &str, rules: &PickRules<'_>) -> bool {
        let available = !rules.skip_unavailable || !self.unavailable.contains(who);
        let room = rules.max_open.get(who).is_none_or(|max| self.open.get(who).copied().unwrap_or(0) < *max);
        available && room
    }

    fn open_deal(&mut self, deal: &str, employee: &str) {
        if self.deals.insert(deal.to_owned(), employee.to_owned()).is_none() {
            *self.open.entry(employee.to_owned()).or_default() += 1;
        }
    }
}

/// The books of every account.
#[derive(Default)]
struct Ledger(HashMap<String, Books>);

impl Ledger {
    fn account(&self, account: &str) -> Option<&Books> {
        self.0.get(account)
    }

    fn account_mut(&mut self, account: &str) -> &mut Books {
        if !self.0.contains_key(account) {
            self.0.insert(account.to_owned(), Books::default());
        }
        self.0.get_mut(account).expect("inserted above")
    }

    fn can_take(&self, account: &str, who: &str, rules: &PickRules<'_>) -> bool {
        self.account(account).map_or_else(|| Books::default().can_take(who, rules), |b| b.can_take(who, rules))
    }
}

/// State for a single service instance, safe across its threads.
#[derive(Default)]
pub struct InProcess {
    cursors: Mutex<HashMap<String, Arc<AtomicU64>>>,
    claims: Mutex<HashMap<String, String>>,
    /// Held for a whole pick, so a pick is atomic with respect to others.
    books: Mutex<Ledger>,
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

    fn pick(&self, cursor: &Arc<AtomicU64>, pick: &Pick<'_>) -> Result<Option<Picked>, StateError> {
        let mut books = self.books.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(owner) = pick.deal.and_then(|d| books.account(pick.account)?.deals.get(d)) {
            return Ok(Some(Picked { employee: owner.clone(), position: None }));
        }
        // Plain decisions may run meanwhile (fetch_add); a pick reads and
        // moves the cursor with compare-and-swap so neither loses a position.
        loop {
            let start = cursor.load(Ordering::Acquire);
            let n = pick.cycle.len() as u64;
            let found = (start..start + n)
                .find(|pos| books.can_take(pick.account, &pick.cycle[(pos % n) as usize], &pick.rules));
            let Some(position) = found else { return Ok(None) };
            if cursor.compare_exchange(start, position + 1, Ordering::AcqRel, Ordering::Acquire).is_err() {
                continue;
            }
            let employee = pick.cycle[(position % n) as usize].clone();
            if let Some(deal) = pick.deal {
                books.account_mut(pick.account).open_deal(deal, &employee);
            }
            return Ok(Some(Picked { employee, position: Some(position) }));
        }
    }

    fn can_take(&self, account: &str, members: &[String], rules: &PickRules<'_>) -> Result<Vec<bool>, StateError> {
        let books = self.books.lock().unwrap_or_else(|p| p.into_inner());
        Ok(members.iter().map(|m| books.can_take(account, m, rules)).collect())
    }

    fn set_available(&self, account: &str, employee: &str, available: bool) -> Result<(), StateError> {
        let mut ledger = self.books.lock().unwrap_or_else(|p| p.into_inner());
        let books = ledger.account_mut(account);
        if available {
            books.unavailable.remove(employee);
        } else {
            books.unavailable.insert(employee.to_owned());
        }
        Ok(())
    }

    fn open_deal(&self, account: &str, deal: &str, employee: &str) -> Result<(), StateError> {
        self.books.lock().unwrap_or_else(|p| p.into_inner()).account_mut(account).open_deal(deal, employee);
        Ok(())
    }

    fn close_deal(&self, account: &str, deal: &str) -> Result<Option<String>, StateError> {
        let mut ledger = self.books.lock().unwrap_or_else(|p| p.into_inner());
        let books = ledger.account_mut(account);
        let Some(owner) = books.deals.remove(deal) else { return Ok(None) };
        if let Some(n) = books.open.get_mut(&owner) {
            *n = n.saturating_sub(1);
        }
        Ok(Some(owner))
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

    fn pick(&self, cursor: &S::Cursor, pick: &Pick<'_>) -> Result<Option<Picked>, StateError> {
        (**self).pick(cursor, pick)
    }

    fn can_take(&self, account: &str, members: &[String], rules: &PickRules<'_>) -> Result<Vec<bool>, StateError> {
        (**self).can_take(account, members, rules)
    }

    fn set_available(&self, account: &str, employee: &str, available: bool) -> Result<(), StateError> {
        (**self).set_available(account, employee, available)
    }

    fn open_deal(&self, account: &str, deal: &str, employee: &str) -> Result<(), StateError> {
        (**self).open_deal(account, deal, employee)
    }

    fn close_deal(&self, account: &str, deal: &str) -> Result<Option<String>, StateError> {
        (**self).close_deal(account, deal)
    }
}
