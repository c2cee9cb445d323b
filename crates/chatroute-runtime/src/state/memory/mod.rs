//! The assignment state in memory, behind `InProcess` and `Simulated`:
//! every account's book and the first-responder claims, each call under
//! one lock (so each is atomic), on the same rules as the Redis scripts
//! (the twins by name: `cannot_take`, `take_next`, `open_deal`,
//! `close_deal`, `pass`, `enqueue`, `dequeue`, `forget`, `expire`).

mod book;
mod timers;

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub(crate) use self::book::AccountBook;
use self::book::Accounts;
use crate::state::cycle::{member_at, take_next};
use crate::state::events::{Draining, Due, Event, EventId, EventKind, Reassigning};
use crate::state::{CLIENT_TTL, Claimed, Claiming, DEAL_TTL, HandOver, Pick, PickRules, Picked, clock_ms};

/// First-responder claims in memory, forgotten after the TTL as on Redis.
/// Every claim has the same TTL, so insertion order is expiry order.
pub(crate) struct Claims {
    pub(crate) ttl: Duration,
    pub(crate) winners: HashMap<String, (String, Instant)>,
    pub(crate) by_age: VecDeque<(Instant, String)>,
}

impl Claims {
    pub(crate) fn expire(&mut self, now: Instant) {
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
pub(crate) struct MemoryState {
    /// Held for a whole pick or claim, so each is atomic.
    pub(crate) books: Mutex<Accounts>,
    pub(crate) claims: Mutex<Claims>,
    pub(crate) deal_ttl: Duration,
}

/// The books, locked, and the time they were opened at (one clock read for
/// the whole call).
pub(crate) struct Locked<'a> {
    guard: std::sync::MutexGuard<'a, Accounts>,
    now: Instant,
}

impl std::ops::Deref for Locked<'_> {
    type Target = Accounts;

    fn deref(&self) -> &Accounts {
        &self.guard
    }
}

impl std::ops::DerefMut for Locked<'_> {
    fn deref_mut(&mut self) -> &mut Accounts {
        &mut self.guard
    }
}

impl MemoryState {
    pub(crate) fn new(claim_ttl: Duration) -> Self {
        let claims = Claims { ttl: claim_ttl, winners: HashMap::new(), by_age: VecDeque::new() };
        MemoryState { books: Mutex::new(Accounts::default()), claims: Mutex::new(claims), deal_ttl: DEAL_TTL }
    }

    /// The books, with `account`'s deals past their life closed first.
    pub(crate) fn books(&self, account: &str) -> Locked<'_> {
        self.books_at(account, Instant::now())
    }

    fn books_at(&self, account: &str, now: Instant) -> Locked<'_> {
        let mut guard = self.books.lock().unwrap_or_else(|p| p.into_inner());
        guard.account_mut(account).expire(now);
        Locked { guard, now }
    }

    /// A pick answered without the cycle: the deal's owner when it was
    /// decided before; else the preferred owner, when they can take it
    /// (available, under their limit, whatever `skip_unavailable` says).
    pub(crate) fn without_cycle(&self, books: &mut Locked<'_>, pick: &Pick<'_>) -> Option<Picked> {
        if let Some(owner) = pick.deal.and_then(|d| books.account(pick.account)?.owner(d)) {
            return Some(Picked { employee: owner.clone(), position: None });
        }
        let owner = pick.prefer?;
        let strict = PickRules { skip_unavailable: true, ..pick.rules };
        books.can_take(pick.account, owner, &strict).then(|| self.commit(books, pick, owner, None))
    }

    /// The first position from `start` whose member can take the deal.
    pub(crate) fn choose(books: &Accounts, pick: &Pick<'_>, start: u64) -> Option<u64> {
        take_next(pick.cycle, start, |who| books.can_take(pick.account, who, &pick.rules))
    }

    /// `employee` gets the deal (at `position`, once the cursor has moved
    /// past it): it counts open for them, and they become the contact's
    /// owner.
    pub(crate) fn commit(
        &self,
        books: &mut Locked<'_>,
        pick: &Pick<'_>,
        employee: &str,
        position: Option<u64>,
    ) -> Picked {
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
                account.timers.start_timer(deal, pick.channel, employee, clock_ms(pick.now_ms) + after);
            }
        }
        Picked { employee: employee.to_owned(), position }
    }

    /// Nobody could take the pick's deal: it waits, if the pick says so.
    pub(crate) fn wait(books: &mut Locked<'_>, pick: &Pick<'_>) {
        if let (true, Some(deal)) = (pick.queue, pick.deal) {
            books.account_mut(pick.account).timers.enqueue(pick.channel, deal);
        }
    }

    /// Plans a reassignment from cursor position `start`: the position to
    /// take, or `None`: not due, closed (the timer stops), or nobody can
    /// take it over now (it waits in its channel's queue, `TimerBook::stuck`).
    pub(crate) fn reassign_plan(books: &mut Locked<'_>, r: &Reassigning<'_>, start: u64) -> Option<u64> {
        let now = clock_ms(r.now_ms);
        let book = books.account_mut(r.account);
        let timer = book.timers.timers.get(r.deal).filter(|t| t.due <= now)?;
        if !book.deals.contains_key(r.deal) {
            book.timers.stop_timer(r.deal);
            return None;
        }
        let found =
            take_next(r.cycle, start, |who| !timer.had.iter().any(|h| h == who) && book.can_take(who, &r.rules));
        if found.is_none() {
            // Everyone of the cycle has had it: it stays. Else it waits for
            // one who has not.
            match r.cycle.iter().all(|m| timer.had.contains(m)) {
                true => drop(book.timers.stop_timer(r.deal)),
                false => book.timers.stuck(r.deal),
            }
        }
        found
    }

    /// Passes an open deal with a timer to the member at `position` (the
    /// open count moves with it): its timer due again after `after_ms`, or
    /// stopped at the cap `max`; the event.
    pub(crate) fn pass(
        book: &mut AccountBook,
        deal: &str,
        to: &str,
        (after_ms, max): (u64, u32),
        now: u64,
    ) -> Option<Event> {
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
    pub(crate) fn reassign_apply(books: &mut Locked<'_>, r: &Reassigning<'_>, position: u64) -> Option<Event> {
        let to = member_at(r.cycle, position);
        Self::pass(books.account_mut(r.account), r.deal, to, (r.after_ms, r.max), clock_ms(r.now_ms))
    }

    /// Plans a drain from `start`: the deal and the position. First the
    /// channel's oldest due deal (of `STUCK_LOOKED_AT`) someone who has not
    /// had it can take over; else its oldest new deal, if anyone can take
    /// it. A due deal whose timer is gone (answered), that the channel no
    /// longer times, or that everyone of the cycle has had, leaves the
    /// queue and stays its owner's; so does a new deal that has an owner.
    pub(crate) fn drain_plan(books: &mut Locked<'_>, d: &Draining<'_>, start: u64) -> Option<(String, u64)> {
        let book = books.account_mut(d.account);
        for deal in book.timers.oldest_stuck(d.channel) {
            let owner = book.owner(&deal).cloned();
            let timer = book.timers.timers.get(&deal).filter(|t| Some(&t.owner) == owner.as_ref());
            let had = timer.filter(|_| d.reassign.is_some()).map(|t| t.had.clone());
            let Some(had) = had.filter(|had| !d.cycle.iter().all(|m| had.contains(m))) else {
                book.timers.forget(&deal);
                continue;
            };
            let found = take_next(d.cycle, start, |who| !had.iter().any(|h| h == who) && book.can_take(who, &d.rules));
            if let Some(position) = found {
                return Some((deal, position));
            }
        }
        while let Some(deal) = book.timers.oldest_waiting(d.channel).cloned() {
            if book.owner(&deal).is_some() {
                book.timers.dequeue(&deal);
                continue;
            }
            let position = take_next(d.cycle, start, |who| book.can_take(who, &d.rules))?;
            return Some((deal, position));
        }
        None
    }

    /// Gives a planned waiting deal to the member at `position`: a new one
    /// opened for them with its timer, a due one passed on.
    pub(crate) fn drain_apply(
        &self,
        books: &mut Locked<'_>,
        d: &Draining<'_>,
        deal: &str,
        position: u64,
    ) -> Option<Event> {
        let to = member_at(d.cycle, position);
        let now = clock_ms(d.now_ms);
        let ends = books.now + self.deal_ttl;
        let book = books.account_mut(d.account);
        if book.owner(deal).is_some() {
            return Self::pass(book, deal, to, d.reassign?, now);
        }
        book.timers.dequeue(deal);
        book.open_deal(deal, to, ends);
        if let Some((after, _)) = d.reassign {
            book.timers.start_timer(deal, d.channel, to, now + after);
        }
        Some(book.timers.record(EventKind::Assigned, d.channel, deal, None, to, now))
    }

    /// A reply stops the deal's timer; a due deal waiting for someone to
    /// take it over waits no more.
    pub(crate) fn replied(&self, account: &str, deal: &str) -> bool {
        let mut books = self.books(account);
        let timers = &mut books.account_mut(account).timers;
        let had = timers.stop_timer(deal);
        if had {
            timers.dequeue(deal);
        }
        had
    }

    pub(crate) fn due(&self, account: &str, now_ms: u64, limit: usize) -> Due {
        self.books(account).account(account).map(|b| b.timers.due(now_ms, limit)).unwrap_or_default()
    }

    pub(crate) fn events(&self, account: &str, after: Option<EventId>, limit: usize) -> Vec<Event> {
        self.books(account).account(account).map(|b| b.timers.events_after(after, limit)).unwrap_or_default()
    }

    pub(crate) fn owner_of(&self, account: &str, contact: &str) -> Option<String> {
        // A look, not a change: the entry is read against the clock rather
        // than expiring the books (the next pick does).
        let books = self.books.lock().unwrap_or_else(|p| p.into_inner());
        let (owner, ends) = books.account(account)?.clients.get(contact)?;
        (*ends > Instant::now()).then(|| owner.clone())
    }

    pub(crate) fn claim(&self, claim: &Claiming<'_>) -> Claimed {
        self.claim_at(claim, Instant::now())
    }

    /// `claim` with the clock read: claims past their TTL are dropped as
    /// claims come in.
    fn claim_at(&self, claim: &Claiming<'_>, now: Instant) -> Claimed {
        let mut ledger = self.books_at(claim.account, now);
        let mut claims = self.claims.lock().unwrap_or_else(|p| p.into_inner());
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

    pub(crate) fn can_take(&self, account: &str, members: &[String], rules: &PickRules<'_>) -> Vec<bool> {
        let books = self.books(account);
        members.iter().map(|m| books.can_take(account, m, rules)).collect()
    }

    pub(crate) fn set_available(&self, account: &str, employee: &str, available: bool) {
        let mut ledger = self.books(account);
        let books = ledger.account_mut(account);
        if available {
            books.unavailable.remove(employee);
        } else {
            books.unavailable.insert(employee.to_owned());
        }
    }

    pub(crate) fn close_deal(&self, account: &str, deal: &str) -> Option<String> {
        self.books(account).account_mut(account).close_deal(deal)
    }

    pub(crate) fn hand_over(&self, hand_over: &HandOver<'_>) -> Option<String> {
        let mut books = self.books(hand_over.account);
        let now = books.now;
        let account = books.account_mut(hand_over.account);
        let previous = account.hand_over(hand_over.deal, hand_over.employee, now + self.deal_ttl);
        if let Some(contact) = hand_over.contact {
            account.remember_client(contact, hand_over.employee, now + CLIENT_TTL);
        }
        previous
    }
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

        async fn hand_over(&self, hand_over: &$crate::state::HandOver<'_>) -> Result<Option<String>, StateError> {
            Ok(self.memory.hand_over(hand_over))
        }

        async fn due(&self, account: &str, now_ms: Option<u64>, limit: usize) -> Result<Due, StateError> {
            Ok(self.memory.due(account, clock_ms(now_ms), limit))
        }

        async fn events(&self, account: &str, after: Option<EventId>, limit: usize) -> Result<Vec<Event>, StateError> {
            Ok(self.memory.events(account, after, limit))
        }
    };
}

pub(crate) use memory_books;

#[cfg(test)]
mod tests {
    use super::*;

    /// A client who returns again and again holds one entry, and is
    /// forgotten once a lifetime passes without a return.
    #[test]
    pub(crate) fn returning_clients_hold_one_entry_each() {
        let mut books = AccountBook::default();
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

    /// Claims expire in memory as they do on Redis: each is remembered for
    /// the TTL, and the expired ones are dropped as claims come in.
    #[test]
    fn claims_expire_and_are_dropped_as_claims_come_in() {
        let memory = MemoryState::new(Duration::from_millis(100));
        let claim = |deal: &str, at: Instant| {
            let claiming = Claiming {
                account: "acme",
                channel: "wa-wholesale",
                deal,
                employee: "w1",
                group: &[],
                rules: None,
                assign_anyway: false,
            };
            assert_eq!(memory.claim_at(&claiming, at), Claimed::Winner("w1".to_owned()));
        };
        let held = || memory.claims.lock().unwrap().winners.len();
        let start = Instant::now();
        for n in 0..3000 {
            claim(&format!("{n:0>64}"), start);
        }
        assert_eq!(held(), 3000);
        claim("fresh", start + Duration::from_millis(150));
        assert_eq!(held(), 1, "expired claims are dropped");
    }
}
