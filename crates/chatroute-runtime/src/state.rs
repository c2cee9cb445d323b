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

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::timers::{Draining, Due, Event, EventId, EventKind, Reassigning, TimerBook};

/// Why the state store could not answer. The decision then fails; on a
/// transient fault the caller keeps the message and retries, and a retry
/// of a decision with a deal id or of a claim is answered as the first
/// was, so nothing is assigned twice.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    /// A fault that may pass (the server down, slow, failing over): the
    /// service answers 503 with `Retry-After`.
    #[error("assignment state unavailable: {0}")]
    Unavailable(String),
    /// A fault asking again does not mend (a bad URL, refused credentials,
    /// an untrusted certificate, a key holding a foreign value): its own
    /// error, never "retry later".
    #[error("assignment state refused: {0}")]
    Refused(String),
    /// The account's keys are on the previous key layout: serving it on the
    /// new one would start every cursor, claim and count afresh.
    #[error(
        "account `{account}` has {keys} Redis key(s) of the previous layout; stop every older chatroute on it, then run `chatroute state migrate TABLE --state URL`"
    )]
    OldLayout { account: String, keys: usize },
}

/// How long a first-responder claim is remembered, in memory and on Redis.
pub const CLAIM_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
/// How long chatroute remembers who had a contact's last deal (returning
/// clients), in memory and on Redis: a client back within half a year
/// finds their manager; a new deal renews it.
pub const CLIENT_TTL: Duration = Duration::from_secs(180 * 24 * 3600);
/// How long a deal counts open when nobody closes it, in memory and on
/// Redis: then it closes by itself, so a service that never reports
/// closures cannot keep a member full, nor the state growing, for ever.
pub const DEAL_TTL: Duration = Duration::from_secs(90 * 24 * 3600);

/// Who can take a deal.
#[derive(Debug, Clone, Copy)]
pub struct PickRules<'a> {
    pub skip_unavailable: bool,
    /// Open-deal limits by handle.
    pub max_open: &'a BTreeMap<String, u32>,
    /// Members outside their working hours now: unavailable, as if marked
    /// so, where unavailable members are skipped.
    pub away: &'a [String],
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
    /// A returning client's owner: they get the deal, without a cycle
    /// position, when they can take it (available, under their limit;
    /// the caller has checked their access and hours).
    pub prefer: Option<&'a str>,
    /// The client: whoever gets the deal is remembered as their owner.
    pub contact: Option<&'a str>,
    /// The channel decided on (a deal's timer and queue belong to it).
    pub channel: &'a str,
    /// The channel's `reassign_after` (ms): the deal's timer starts with
    /// the decision.
    pub reply_after_ms: Option<u64>,
    /// The instant decided at (ms since the Unix epoch); `None`: the
    /// state's clock.
    pub now_ms: Option<u64>,
    /// Nobody can take it: the deal waits in the channel's queue.
    pub queue: bool,
}

/// The outcome of a pick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picked {
    pub employee: String,
    /// The cycle position taken; `None` for a deal decided before.
    pub position: Option<u64>,
}

/// A first-responder claim.
#[derive(Debug, Clone, Copy)]
pub struct Claiming<'a> {
    pub account: &'a str,
    pub channel: &'a str,
    pub deal: &'a str,
    pub employee: &'a str,
    /// The channel's group, for `assign_anyway`: an unavailable claimant
    /// may win when nobody of the group is available.
    pub group: &'a [String],
    /// `None`: every member may claim (no availability rules).
    pub rules: Option<PickRules<'a>>,
    pub assign_anyway: bool,
}

/// What a claim did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claimed {
    /// The winner: this claimant or whoever was first.
    Winner(String),
    /// The claimant may not take the deal now; nothing changed.
    Refused(CannotTake),
    /// The deal id is already held open by `owner` (another channel's deal).
    Held { owner: String },
}

/// Why an employee cannot take a deal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CannotTake {
    Unavailable,
    AtCapacity,
}

/// Shared assignment state, for any number of accounts: every call names
/// the account (and the channel) it is about.
pub trait AssignmentState: Send + Sync {
    /// A prepared handle on one round-robin cursor, made once per channel
    /// when a table is loaded so a decision does no key work.
    type Cursor: Send + Sync;

    /// The handle of an account's cursor on a round-robin channel.
    fn cursor(&self, account: &str, channel: &str) -> Self::Cursor;

    /// Takes the next ticket of a cursor: 0, 1, 2, ... with no number
    /// skipped or repeated, whatever the concurrency.
    fn next_ticket(&self, cursor: &Self::Cursor) -> impl Future<Output = Result<u64, StateError>> + Send;

    /// The cursor's next position, without taking it.
    fn cursor_position(&self, cursor: &Self::Cursor) -> impl Future<Output = Result<u64, StateError>> + Send;

    /// Moves the cursor from `from` to `to` if it is still at `from`.
    fn move_cursor(
        &self,
        cursor: &Self::Cursor,
        from: u64,
        to: u64,
    ) -> impl Future<Output = Result<bool, StateError>> + Send;

    /// A first-responder claim, atomically: the first claimant who can
    /// take the deal wins (and the deal counts open for them where limits
    /// apply); every later claim learns that winner, and the winner asking
    /// again (a retry) learns it is theirs; a claimant who cannot take it
    /// is refused and nothing changes.
    fn claim(&self, claim: &Claiming<'_>) -> impl Future<Output = Result<Claimed, StateError>> + Send;

    /// Whether the state answers (a service's readiness).
    fn ping(&self) -> impl Future<Output = Result<(), StateError>> + Send {
        std::future::ready(Ok(()))
    }

    /// The first position from the cursor whose member can take the deal
    /// (available, when unavailable ones are skipped; under its open-deal
    /// limit), atomically with moving the cursor past it and counting the
    /// deal open for that member. A deal already decided gets its owner
    /// again (so a retried decision is answered the same). `None`: nobody
    /// can take it, and the cursor stays.
    fn pick(
        &self,
        cursor: &Self::Cursor,
        pick: &Pick<'_>,
    ) -> impl Future<Output = Result<Option<Picked>, StateError>> + Send;

    /// The employee given `contact`'s last deal (in `pick`, with a
    /// contact), while remembered.
    fn owner_of(&self, account: &str, contact: &str)
    -> impl Future<Output = Result<Option<String>, StateError>> + Send;

    /// Which of `members` can take a deal now (first responder's offer).
    fn can_take(
        &self,
        account: &str,
        members: &[String],
        rules: &PickRules<'_>,
    ) -> impl Future<Output = Result<Vec<bool>, StateError>> + Send;

    /// Marks an employee available or not.
    fn set_available(
        &self,
        account: &str,
        employee: &str,
        available: bool,
    ) -> impl Future<Output = Result<(), StateError>> + Send;

    /// Closes a deal: its owner's open count goes down (never below zero),
    /// its timer stops, it leaves any queue. Returns the owner; `None` for a
    /// deal not open.
    fn close_deal(&self, account: &str, deal: &str) -> impl Future<Output = Result<Option<String>, StateError>> + Send;

    /// Whether the state can serve `account` (Redis: its keys are on this
    /// build's layout), asked before a table of the account is activated.
    fn accepts(&self, _account: &str) -> impl Future<Output = Result<(), StateError>> + Send {
        std::future::ready(Ok(()))
    }

    /// A reply in the deal's dialog: its timer stops. Whether it had one.
    fn replied(&self, account: &str, deal: &str) -> impl Future<Output = Result<bool, StateError>> + Send;

    /// The deals whose reply is due at `now_ms`, with their channels, and
    /// whether any deal waits.
    fn due(
        &self,
        account: &str,
        now_ms: Option<u64>,
        limit: usize,
    ) -> impl Future<Output = Result<Due, StateError>> + Send;

    /// Passes a due deal on, atomically: to the member the cycle gives next
    /// from the cursor who can take it and has not had it (taking that
    /// position, moving the open count); its timer due again or stopped at
    /// the cap; the event recorded. `None`: not due (any more), closed, or
    /// nobody to pass it to now: it stays its owner's and waits in its
    /// channel's queue, and `drain` passes it on once someone can take it.
    fn reassign(
        &self,
        cursor: &Self::Cursor,
        reassigning: &Reassigning<'_>,
    ) -> impl Future<Output = Result<Option<Event>, StateError>> + Send;

    /// Gives the channel's oldest waiting deal that someone can take to the
    /// member the cycle gives next who can take it (a due deal: who has not
    /// had it, as `reassign`), atomically, with its event. `None`: nothing
    /// waits, or nobody can take it yet.
    fn drain(
        &self,
        cursor: &Self::Cursor,
        draining: &Draining<'_>,
    ) -> impl Future<Output = Result<Option<Event>, StateError>> + Send;

    /// The account's events after the cursor `after` (its event id), oldest
    /// first; without one, from the oldest kept.
    fn events(
        &self,
        account: &str,
        after: Option<EventId>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Event>, StateError>> + Send;
}

/// Milliseconds since the Unix epoch: `now` when given, else this
/// process's clock.
pub(crate) fn clock_ms(now: Option<u64>) -> u64 {
    now.unwrap_or_else(|| {
        let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
        since.map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    })
}

/// One account's availability and open deals, kept in memory.
#[derive(Default)]
struct Occupancy {
    /// Handles of the unavailable.
    unavailable: std::collections::HashSet<String>,
    /// Handle -> open deals.
    open: HashMap<String, u32>,
    /// Deal -> owner and end of life.
    deals: HashMap<String, (String, Instant)>,
    /// Deals by end of life (one lifetime for all: insertion order).
    due: VecDeque<(Instant, String)>,
    /// Contact -> the employee given their last deal, and until when.
    clients: HashMap<String, (String, Instant)>,
    /// Contacts by end of memory (one lifetime for all: insertion order).
    clients_due: VecDeque<(Instant, String)>,
    /// Unanswered deals' timers, waiting deals, events.
    timers: TimerBook,
}

impl Occupancy {
    /// Looked up by `&str` in the hot loop of a pick: no key is built.
    fn can_take(&self, who: &str, rules: &PickRules<'_>) -> bool {
        self.cannot_take(who, rules).is_none()
    }

    /// The eligibility test (the Lua `cannot_take` in `redis.rs` is its
    /// twin; tests hold both to the same answers). A full member is full
    /// whatever its availability: capacity is a hard cap.
    fn cannot_take(&self, who: &str, rules: &PickRules<'_>) -> Option<CannotTake> {
        if rules.max_open.get(who).is_some_and(|max| self.open.get(who).copied().unwrap_or(0) >= *max) {
            return Some(CannotTake::AtCapacity);
        }
        let away = || self.unavailable.contains(who) || rules.away.iter().any(|a| a == who);
        (rules.skip_unavailable && away()).then_some(CannotTake::Unavailable)
    }

    fn owner(&self, deal: &str) -> Option<&String> {
        self.deals.get(deal).map(|(owner, _)| owner)
    }

    fn open_deal(&mut self, deal: &str, employee: &str, ends: Instant) {
        if self.deals.contains_key(deal) {
            return;
        }
        self.deals.insert(deal.to_owned(), (employee.to_owned(), ends));
        self.due.push_back((ends, deal.to_owned()));
        *self.open.entry(employee.to_owned()).or_default() += 1;
    }

    /// Closes a deal: its owner's count down (never below zero), its timer
    /// stopped, out of any queue.
    fn close(&mut self, deal: &str) -> Option<String> {
        self.timers.forget(deal);
        let (owner, _) = self.deals.remove(deal)?;
        if let Some(n) = self.open.get_mut(&owner) {
            *n = n.saturating_sub(1);
        }
        Some(owner)
    }

    /// Closes the deals whose life ended (as the Lua prelude does), and
    /// forgets the clients not seen for `CLIENT_TTL`.
    fn expire(&mut self, now: Instant) {
        while self.due.front().is_some_and(|(at, _)| *at <= now) {
            let (at, deal) = self.due.pop_front().expect("front exists");
            if self.deals.get(&deal).is_some_and(|(_, ends)| *ends == at) {
                self.close(&deal);
            }
        }
        // A client renewed since it was queued goes back in the queue with
        // its new end: one entry per client, however often they return.
        while self.clients_due.front().is_some_and(|(at, _)| *at <= now) {
            let (_, contact) = self.clients_due.pop_front().expect("front exists");
            match self.clients.get(&contact).map(|(_, ends)| *ends) {
                Some(ends) if ends <= now => drop(self.clients.remove(&contact)),
                Some(ends) => self.clients_due.push_back((ends, contact)),
                None => {}
            }
        }
    }

    fn remember_client(&mut self, contact: &str, employee: &str, ends: Instant) {
        match self.clients.get_mut(contact) {
            Some((owner, until)) => {
                if owner != employee {
                    employee.clone_into(owner);
                }
                *until = ends;
            }
            None => {
                self.clients.insert(contact.to_owned(), (employee.to_owned(), ends));
                self.clients_due.push_back((ends, contact.to_owned()));
            }
        }
    }

    /// Why `claim`'s claimant may not take the deal, after `assign_anyway`.
    fn refusal(&self, claim: &Claiming<'_>) -> Option<CannotTake> {
        let rules = claim.rules?;
        let why = self.cannot_take(claim.employee, &rules)?;
        let relaxed = PickRules { skip_unavailable: false, ..rules };
        let nobody = claim.group.iter().all(|m| !self.can_take(m, &rules));
        let anyway = claim.assign_anyway && rules.skip_unavailable && nobody && self.can_take(claim.employee, &relaxed);
        (!anyway).then_some(why)
    }
}

/// The books of every account.
#[derive(Default)]
struct OccupancyByAccount(HashMap<String, Occupancy>);

impl OccupancyByAccount {
    fn account(&self, account: &str) -> Option<&Occupancy> {
        self.0.get(account)
    }

    fn account_mut(&mut self, account: &str) -> &mut Occupancy {
        // One lookup for an account seen before (every call but its first).
        if self.0.contains_key(account) {
            return self.0.get_mut(account).expect("present");
        }
        self.0.entry(account.to_owned()).or_default()
    }

    fn can_take(&self, account: &str, who: &str, rules: &PickRules<'_>) -> bool {
        self.account(account).map_or_else(|| Occupancy::default().can_take(who, rules), |b| b.can_take(who, rules))
    }
}

/// First-responder claims in memory, forgotten after the TTL as on Redis.
/// Every claim has the same TTL, so insertion order is expiry order.
struct Claims {
    ttl: Duration,
    winners: HashMap<String, (String, Instant)>,
    by_age: VecDeque<(Instant, String)>,
}

impl Claims {
    fn expire(&mut self, now: Instant) {
        while self.by_age.front().is_some_and(|(at, _)| *at <= now) {
            let (at, key) = self.by_age.pop_front().expect("front exists");
            if self.winners.get(&key).is_some_and(|(_, expires)| *expires == at) {
                self.winners.remove(&key);
            }
        }
    }
}

/// Availability, open deals and claims in memory: all of `InProcess`'s
/// state but its cursors, and what a simulation keeps to itself.
struct Memory {
    /// Held for a whole pick or claim, so each is atomic.
    books: Mutex<OccupancyByAccount>,
    claims: Mutex<Claims>,
    deal_ttl: Duration,
}

/// The books, locked, and the time they were opened at (one clock read for
/// the whole call).
struct Books<'a> {
    guard: std::sync::MutexGuard<'a, OccupancyByAccount>,
    now: Instant,
}

impl std::ops::Deref for Books<'_> {
    type Target = OccupancyByAccount;

    fn deref(&self) -> &OccupancyByAccount {
        &self.guard
    }
}

impl std::ops::DerefMut for Books<'_> {
    fn deref_mut(&mut self) -> &mut OccupancyByAccount {
        &mut self.guard
    }
}

impl Memory {
    fn new(claim_ttl: Duration) -> Self {
        let claims = Claims { ttl: claim_ttl, winners: HashMap::new(), by_age: VecDeque::new() };
        Memory { books: Mutex::new(OccupancyByAccount::default()), claims: Mutex::new(claims), deal_ttl: DEAL_TTL }
    }

    /// The books, with `account`'s deals past their life closed first.
    fn books(&self, account: &str) -> Books<'_> {
        let mut guard = self.books.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        guard.account_mut(account).expire(now);
        Books { guard, now }
    }

    /// A pick answered without the cycle: the deal's owner when it was
    /// decided before; else the preferred owner, when they can take it
    /// (available, under their limit, whatever `skip_unavailable` says).
    fn without_cycle(&self, books: &mut Books<'_>, pick: &Pick<'_>) -> Option<Picked> {
        if let Some(owner) = pick.deal.and_then(|d| books.account(pick.account)?.owner(d)) {
            return Some(Picked { employee: owner.clone(), position: None });
        }
        let owner = pick.prefer?;
        let strict = PickRules { skip_unavailable: true, ..pick.rules };
        books.can_take(pick.account, owner, &strict).then(|| self.commit(books, pick, owner, None))
    }

    /// The first position from `start` whose member can take the deal.
    fn choose(books: &OccupancyByAccount, pick: &Pick<'_>, start: u64) -> Option<u64> {
        first_from(pick.cycle, start, |who| books.can_take(pick.account, who, &pick.rules))
    }

    /// The member at `position` of the cycle.
    fn at<'a>(pick: &Pick<'a>, position: u64) -> &'a str {
        Self::at_cycle(pick.cycle, position)
    }

    /// `employee` gets the deal (at `position`, once the cursor has moved
    /// past it): it counts open for them, and they become the contact's
    /// owner.
    fn commit(&self, books: &mut Books<'_>, pick: &Pick<'_>, employee: &str, position: Option<u64>) -> Picked {
        if pick.deal.is_some() || pick.contact.is_some() {
            let now = books.now;
            let account = books.account_mut(pick.account);
            if let Some(deal) = pick.deal {
                account.open_deal(deal, employee, now + self.deal_ttl);
                // Decided again while it waited: it waits no more.
                account.timers.dequeue(deal);
            }
            if let Some(contact) = pick.contact {
                account.remember_client(contact, employee, now + CLIENT_TTL);
            }
            if let (Some(deal), Some(after)) = (pick.deal, pick.reply_after_ms) {
                account.timers.start(deal, pick.channel, employee, clock_ms(pick.now_ms) + after);
            }
        }
        Picked { employee: employee.to_owned(), position }
    }

    /// Nobody could take the pick's deal: it waits, if the pick says so.
    fn wait(books: &mut Books<'_>, pick: &Pick<'_>) {
        if let (true, Some(deal)) = (pick.queue, pick.deal) {
            books.account_mut(pick.account).timers.enqueue(pick.channel, deal);
        }
    }

    /// Plans a reassignment from cursor position `start`: the position to
    /// take, or `None`: not due, closed (the timer stops), or nobody can
    /// take it over now (it waits in its channel's queue, `TimerBook::stuck`).
    fn reassign_plan(books: &mut Books<'_>, r: &Reassigning<'_>, start: u64) -> Option<u64> {
        let now = clock_ms(r.now_ms);
        let book = books.account_mut(r.account);
        let timer = book.timers.timers.get(r.deal).filter(|t| t.due <= now)?;
        if !book.deals.contains_key(r.deal) {
            book.timers.stop(r.deal);
            return None;
        }
        let found =
            first_from(r.cycle, start, |who| !timer.had.iter().any(|h| h == who) && book.can_take(who, &r.rules));
        if found.is_none() {
            // Everyone of the cycle has had it: it stays. Else it waits for
            // one who has not.
            match r.cycle.iter().all(|m| timer.had.contains(m)) {
                true => drop(book.timers.stop(r.deal)),
                false => book.timers.stuck(r.deal),
            }
        }
        found
    }

    /// Passes an open deal with a timer to the member at `position` (the
    /// open count moves with it): its timer due again after `after_ms`, or
    /// stopped at the cap `max`; the event.
    fn pass(book: &mut Occupancy, deal: &str, to: &str, (after_ms, max): (u64, u32), now: u64) -> Option<Event> {
        let timer = book.timers.timers.get(deal)?;
        let (from, count, channel) = (timer.owner.clone(), timer.count + 1, timer.channel.clone());
        if let Some((owner, _)) = book.deals.get_mut(deal) {
            to.clone_into(owner);
        }
        if let Some(n) = book.open.get_mut(&from) {
            *n = n.saturating_sub(1);
        }
        *book.open.entry(to.to_owned()).or_default() += 1;
        book.timers.dequeue(deal);
        book.timers.passed_on(deal, to, (count < max).then_some(now + after_ms));
        Some(book.timers.record(EventKind::Reassigned, &channel, deal, Some(&from), to, now))
    }

    /// Applies a planned reassignment to the member at `position`.
    fn reassign_apply(books: &mut Books<'_>, r: &Reassigning<'_>, position: u64) -> Option<Event> {
        let to = Self::at_cycle(r.cycle, position);
        Self::pass(books.account_mut(r.account), r.deal, to, (r.after_ms, r.max), clock_ms(r.now_ms))
    }

    /// Plans a drain from `start`: the deal and the position. First the
    /// channel's oldest due deal (of `STUCK_LOOKED_AT`) someone who has not
    /// had it can take over; else its oldest new deal, if anyone can take
    /// it. A due deal whose timer is gone (answered), that the channel no
    /// longer times, or that everyone of the cycle has had, leaves the
    /// queue and stays its owner's; so does a new deal that has an owner.
    fn drain_plan(books: &mut Books<'_>, d: &Draining<'_>, start: u64) -> Option<(String, u64)> {
        let book = books.account_mut(d.account);
        for deal in book.timers.oldest_stuck(d.channel) {
            let owner = book.owner(&deal).cloned();
            let timer = book.timers.timers.get(&deal).filter(|t| Some(&t.owner) == owner.as_ref());
            let had = timer.filter(|_| d.reassign.is_some()).map(|t| t.had.clone());
            let Some(had) = had.filter(|had| !d.cycle.iter().all(|m| had.contains(m))) else {
                book.timers.forget(&deal);
                continue;
            };
            let found = first_from(d.cycle, start, |who| !had.iter().any(|h| h == who) && book.can_take(who, &d.rules));
            if let Some(position) = found {
                return Some((deal, position));
            }
        }
        while let Some(deal) = book.timers.oldest_waiting(d.channel).cloned() {
            if book.owner(&deal).is_some() {
                book.timers.dequeue(&deal);
                continue;
            }
            let position = first_from(d.cycle, start, |who| book.can_take(who, &d.rules))?;
            return Some((deal, position));
        }
        None
    }

    /// Gives a planned waiting deal to the member at `position`: a new one
    /// opened for them with its timer, a due one passed on.
    fn drain_apply(&self, books: &mut Books<'_>, d: &Draining<'_>, deal: &str, position: u64) -> Option<Event> {
        let to = Self::at_cycle(d.cycle, position);
        let now = clock_ms(d.now_ms);
        let ends = books.now + self.deal_ttl;
        let book = books.account_mut(d.account);
        if book.owner(deal).is_some() {
            return Self::pass(book, deal, to, d.reassign?, now);
        }
        book.timers.dequeue(deal);
        book.open_deal(deal, to, ends);
        if let Some((after, _)) = d.reassign {
            book.timers.start(deal, d.channel, to, now + after);
        }
        Some(book.timers.record(EventKind::Assigned, d.channel, deal, None, to, now))
    }

    fn at_cycle(cycle: &[String], position: u64) -> &str {
        &cycle[(position % cycle.len() as u64) as usize]
    }

    /// A reply stops the deal's timer; a due deal waiting for someone to
    /// take it over waits no more.
    fn replied(&self, account: &str, deal: &str) -> bool {
        let mut books = self.books(account);
        let timers = &mut books.account_mut(account).timers;
        let had = timers.stop(deal);
        if had {
            timers.dequeue(deal);
        }
        had
    }

    fn due(&self, account: &str, now_ms: u64, limit: usize) -> Due {
        self.books(account).account(account).map(|b| b.timers.due(now_ms, limit)).unwrap_or_default()
    }

    fn events(&self, account: &str, after: Option<EventId>, limit: usize) -> Vec<Event> {
        self.books(account).account(account).map(|b| b.timers.events_after(after, limit)).unwrap_or_default()
    }

    fn owner_of(&self, account: &str, contact: &str) -> Option<String> {
        // A look, not a change: the entry is read against the clock rather
        // than expiring the books (the next pick does).
        let books = self.books.lock().unwrap_or_else(|p| p.into_inner());
        let (owner, ends) = books.account(account)?.clients.get(contact)?;
        (*ends > Instant::now()).then(|| owner.clone())
    }

    fn claim(&self, claim: &Claiming<'_>) -> Claimed {
        let mut ledger = self.books(claim.account);
        let mut claims = self.claims.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        claims.expire(now);
        let key = format!("{}:{}:{}", claim.account, claim.channel, claim.deal);
        if let Some((winner, _)) = claims.winners.get(&key) {
            return Claimed::Winner(winner.clone());
        }
        let books = ledger.account_mut(claim.account);
        if let Some(why) = books.refusal(claim) {
            return Claimed::Refused(why);
        }
        // One deal, one owner: a deal another channel gave someone is
        // theirs; a deal waiting on another channel waits no more.
        let counted = claim.rules.is_some_and(|r| !r.max_open.is_empty());
        match books.owner(claim.deal) {
            Some(owner) if owner != claim.employee => return Claimed::Held { owner: owner.clone() },
            None if counted => books.open_deal(claim.deal, claim.employee, now + self.deal_ttl),
            _ => {}
        }
        books.timers.dequeue(claim.deal);
        let expires = now + claims.ttl;
        claims.winners.insert(key.clone(), (claim.employee.to_owned(), expires));
        claims.by_age.push_back((expires, key));
        Claimed::Winner(claim.employee.to_owned())
    }

    fn can_take(&self, account: &str, members: &[String], rules: &PickRules<'_>) -> Vec<bool> {
        let books = self.books(account);
        members.iter().map(|m| books.can_take(account, m, rules)).collect()
    }

    fn set_available(&self, account: &str, employee: &str, available: bool) {
        let mut ledger = self.books(account);
        let books = ledger.account_mut(account);
        if available {
            books.unavailable.remove(employee);
        } else {
            books.unavailable.insert(employee.to_owned());
        }
    }

    fn close_deal(&self, account: &str, deal: &str) -> Option<String> {
        self.books(account).account_mut(account).close(deal)
    }
}

/// The first position from `start` whose member `ok` holds of, within one
/// turn of the cycle (the Lua `take_next` is its twin).
fn first_from(cycle: &[String], start: u64, ok: impl Fn(&str) -> bool) -> Option<u64> {
    let n = cycle.len() as u64;
    (start..start + n).find(|pos| ok(&cycle[(pos % n) as usize]))
}

/// The `AssignmentState` methods of a state whose books are its `memory`
/// (`InProcess`, `Simulated`): everything but the cursors and the pick.
macro_rules! memory_books {
    () => {
        async fn claim(&self, claim: &Claiming<'_>) -> Result<Claimed, StateError> {
            Ok(self.memory.claim(claim))
        }

        async fn can_take(
            &self,
            account: &str,
            members: &[String],
            rules: &PickRules<'_>,
        ) -> Result<Vec<bool>, StateError> {
            Ok(self.memory.can_take(account, members, rules))
        }

        async fn set_available(&self, account: &str, employee: &str, available: bool) -> Result<(), StateError> {
            self.memory.set_available(account, employee, available);
            Ok(())
        }

        async fn close_deal(&self, account: &str, deal: &str) -> Result<Option<String>, StateError> {
            Ok(self.memory.close_deal(account, deal))
        }

        async fn owner_of(&self, account: &str, contact: &str) -> Result<Option<String>, StateError> {
            Ok(self.memory.owner_of(account, contact))
        }

        async fn replied(&self, account: &str, deal: &str) -> Result<bool, StateError> {
            Ok(self.memory.replied(account, deal))
        }

        async fn due(&self, account: &str, now_ms: Option<u64>, limit: usize) -> Result<Due, StateError> {
            Ok(self.memory.due(account, clock_ms(now_ms), limit))
        }

        async fn events(&self, account: &str, after: Option<EventId>, limit: usize) -> Result<Vec<Event>, StateError> {
            Ok(self.memory.events(account, after, limit))
        }
    };
}

/// State for a single service instance, safe across its threads.
pub struct InProcess {
    cursors: Mutex<HashMap<String, Arc<AtomicU64>>>,
    memory: Memory,
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
        InProcess { cursors: Mutex::default(), memory: Memory::new(ttl) }
    }

    /// Deals still open after `ttl` are closed by themselves, instead of
    /// after `DEAL_TTL`.
    pub fn with_deal_ttl(mut self, ttl: Duration) -> Self {
        self.memory.deal_ttl = ttl;
        self
    }

    /// An account's open deals per employee and each open deal's owner,
    /// as the books hold them (tests hold them to each other).
    pub fn books_of(&self, account: &str) -> (BTreeMap<String, u32>, BTreeMap<String, String>) {
        let books = self.memory.books.lock().unwrap_or_else(|p| p.into_inner());
        let Some(book) = books.account(account) else { return Default::default() };
        let open = book.open.iter().filter(|(_, n)| **n > 0).map(|(h, n)| (h.clone(), *n)).collect();
        (open, book.deals.iter().map(|(d, (owner, _))| (d.clone(), owner.clone())).collect())
    }

    /// How many claims are remembered now (expired ones are dropped as
    /// claims come in).
    pub fn claims_held(&self) -> usize {
        self.memory.claims.lock().unwrap_or_else(|p| p.into_inner()).winners.len()
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
            let Some(position) = Memory::choose(&books, pick, start) else {
                Memory::wait(&mut books, pick);
                return Ok(None);
            };
            if cursor.compare_exchange(start, position + 1, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                return Ok(Some(self.memory.commit(&mut books, pick, Memory::at(pick, position), Some(position))));
            }
        }
    }

    /// Under the books' lock, as a pick.
    async fn reassign(&self, cursor: &Arc<AtomicU64>, r: &Reassigning<'_>) -> Result<Option<Event>, StateError> {
        let mut books = self.memory.books(r.account);
        loop {
            let start = cursor.load(Ordering::Acquire);
            let Some(position) = Memory::reassign_plan(&mut books, r, start) else { return Ok(None) };
            if cursor.compare_exchange(start, position + 1, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                return Ok(Memory::reassign_apply(&mut books, r, position));
            }
        }
    }

    /// A channel whose limits a reload lifted takes plain tickets beside
    /// a drain: the cursor moves by compare-and-set, as in a pick.
    async fn drain(&self, cursor: &Arc<AtomicU64>, d: &Draining<'_>) -> Result<Option<Event>, StateError> {
        let mut books = self.memory.books(d.account);
        loop {
            let start = cursor.load(Ordering::Acquire);
            let Some((deal, position)) = Memory::drain_plan(&mut books, d, start) else { return Ok(None) };
            if cursor.compare_exchange(start, position + 1, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                return Ok(self.memory.drain_apply(&mut books, d, &deal, position));
            }
        }
    }

    memory_books!();
}

/// A simulation over a shared state (`route --state redis://...`): the
/// round-robin cursors are the shared ones (a simulated deal takes a real
/// position, as the README says), but availability, open deals and claims
/// stay in this process, so a simulation leaves them as it found them.
/// It reads no availability or open count from the shared state either:
/// it simulates from "everyone available, nothing open" plus what it is
/// told.
pub struct Simulated<S> {
    shared: S,
    memory: Memory,
}

impl<S: AssignmentState> Simulated<S> {
    pub fn new(shared: S) -> Self {
        Simulated { shared, memory: Memory::new(CLAIM_TTL) }
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
            let Some(position) = Memory::choose(&self.memory.books(pick.account), pick, start) else {
                Memory::wait(&mut self.memory.books(pick.account), pick);
                return Ok(None);
            };
            if self.shared.move_cursor(cursor, start, position + 1).await? {
                let employee = Memory::at(pick, position);
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
        let Some(position) = Memory::reassign_plan(&mut self.memory.books(r.account), r, start) else {
            return Ok(None);
        };
        self.shared.move_cursor(cursor, start, position + 1).await?;
        Ok(Memory::reassign_apply(&mut self.memory.books(r.account), r, position))
    }

    async fn drain(&self, cursor: &S::Cursor, d: &Draining<'_>) -> Result<Option<Event>, StateError> {
        let start = self.shared.cursor_position(cursor).await?;
        let Some((deal, position)) = Memory::drain_plan(&mut self.memory.books(d.account), d, start) else {
            return Ok(None);
        };
        self.shared.move_cursor(cursor, start, position + 1).await?;
        Ok(self.memory.drain_apply(&mut self.memory.books(d.account), d, &deal, position))
    }

    memory_books!();
}

/// One state shared by successive tables (a service reloading its table
/// keeps every cursor and claim).
impl<S: AssignmentState> AssignmentState for Arc<S> {
    type Cursor = S::Cursor;

    fn cursor(&self, account: &str, channel: &str) -> S::Cursor {
        (**self).cursor(account, channel)
    }

    fn next_ticket(&self, cursor: &S::Cursor) -> impl Future<Output = Result<u64, StateError>> + Send {
        (**self).next_ticket(cursor)
    }

    fn cursor_position(&self, cursor: &S::Cursor) -> impl Future<Output = Result<u64, StateError>> + Send {
        (**self).cursor_position(cursor)
    }

    fn move_cursor(
        &self,
        cursor: &S::Cursor,
        from: u64,
        to: u64,
    ) -> impl Future<Output = Result<bool, StateError>> + Send {
        (**self).move_cursor(cursor, from, to)
    }

    fn claim(&self, claim: &Claiming<'_>) -> impl Future<Output = Result<Claimed, StateError>> + Send {
        (**self).claim(claim)
    }

    fn ping(&self) -> impl Future<Output = Result<(), StateError>> + Send {
        (**self).ping()
    }

    fn accepts(&self, account: &str) -> impl Future<Output = Result<(), StateError>> + Send {
        (**self).accepts(account)
    }

    fn pick(
        &self,
        cursor: &S::Cursor,
        pick: &Pick<'_>,
    ) -> impl Future<Output = Result<Option<Picked>, StateError>> + Send {
        (**self).pick(cursor, pick)
    }

    fn can_take(
        &self,
        account: &str,
        members: &[String],
        rules: &PickRules<'_>,
    ) -> impl Future<Output = Result<Vec<bool>, StateError>> + Send {
        (**self).can_take(account, members, rules)
    }

    fn owner_of(
        &self,
        account: &str,
        contact: &str,
    ) -> impl Future<Output = Result<Option<String>, StateError>> + Send {
        (**self).owner_of(account, contact)
    }

    fn replied(&self, account: &str, deal: &str) -> impl Future<Output = Result<bool, StateError>> + Send {
        (**self).replied(account, deal)
    }

    fn due(
        &self,
        account: &str,
        now_ms: Option<u64>,
        limit: usize,
    ) -> impl Future<Output = Result<Due, StateError>> + Send {
        (**self).due(account, now_ms, limit)
    }

    fn reassign(
        &self,
        cursor: &S::Cursor,
        reassigning: &Reassigning<'_>,
    ) -> impl Future<Output = Result<Option<Event>, StateError>> + Send {
        (**self).reassign(cursor, reassigning)
    }

    fn drain(
        &self,
        cursor: &S::Cursor,
        draining: &Draining<'_>,
    ) -> impl Future<Output = Result<Option<Event>, StateError>> + Send {
        (**self).drain(cursor, draining)
    }

    fn events(
        &self,
        account: &str,
        after: Option<EventId>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Event>, StateError>> + Send {
        (**self).events(account, after, limit)
    }

    fn set_available(
        &self,
        account: &str,
        employee: &str,
        available: bool,
    ) -> impl Future<Output = Result<(), StateError>> + Send {
        (**self).set_available(account, employee, available)
    }

    fn close_deal(&self, account: &str, deal: &str) -> impl Future<Output = Result<Option<String>, StateError>> + Send {
        (**self).close_deal(account, deal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client who returns again and again holds one entry, and is
    /// forgotten once a lifetime passes without a return.
    #[test]
    fn returning_clients_hold_one_entry_each() {
        let mut books = Occupancy::default();
        let start = Instant::now();
        for n in 0..1000 {
            books.remember_client("c1", if n % 2 == 0 { "a" } else { "b" }, start + Duration::from_secs(10 + n));
        }
        assert_eq!((books.clients.len(), books.clients_due.len()), (1, 1));
        books.expire(start + Duration::from_secs(500));
        assert_eq!(books.clients["c1"].0, "b", "renewed: still remembered, by its last owner");
        assert_eq!(books.clients_due.len(), 1);
        books.expire(start + Duration::from_secs(1010));
        assert!(books.clients.is_empty() && books.clients_due.is_empty());
    }
}
