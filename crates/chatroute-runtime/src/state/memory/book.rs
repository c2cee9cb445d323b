//! One account's book in memory (`AccountBook`: availability, open deals,
//! returning clients, timers) and the books of every account (`Accounts`).

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Instant;

use super::timers::TimerBook;
use crate::state::{CannotTake, Claiming, PickRules};

/// One account's availability and open deals, kept in memory.
#[derive(Default)]
pub(crate) struct AccountBook {
    /// Handles of the unavailable.
    pub(crate) unavailable: HashSet<String>,
    /// Handle -> open deals.
    pub(crate) open: HashMap<String, u32>,
    /// Deal -> owner and end of life.
    pub(crate) deals: HashMap<String, (String, Instant)>,
    /// Deals by end of life (one lifetime for all: insertion order).
    pub(crate) due: VecDeque<(Instant, String)>,
    /// Contact -> the employee given their last deal, and until when.
    pub(crate) clients: HashMap<String, (String, Instant)>,
    /// Contacts by end of memory (one lifetime for all: insertion order).
    pub(crate) clients_due: VecDeque<(Instant, String)>,
    /// Unanswered deals' timers, waiting deals, events.
    pub(crate) timers: TimerBook,
}

impl AccountBook {
    /// Looked up by `&str` in the hot loop of a pick: no key is built.
    pub(crate) fn can_take(&self, who: &str, rules: &PickRules<'_>) -> bool {
        self.cannot_take(who, rules).is_none()
    }

    /// The eligibility test (the Lua `cannot_take` in `redis.rs` is its
    /// twin; tests hold both to the same answers). A full member is full
    /// whatever its availability: capacity is a hard cap.
    pub(crate) fn cannot_take(&self, who: &str, rules: &PickRules<'_>) -> Option<CannotTake> {
        if rules.max_open.get(who).is_some_and(|max| self.open.get(who).copied().unwrap_or(0) >= *max) {
            return Some(CannotTake::AtCapacity);
        }
        let away = || self.unavailable.contains(who) || rules.away.iter().any(|a| a == who);
        (rules.skip_unavailable && away()).then_some(CannotTake::Unavailable)
    }

    pub(crate) fn owner(&self, deal: &str) -> Option<&String> {
        self.deals.get(deal).map(|(owner, _)| owner)
    }

    pub(crate) fn open_deal(&mut self, deal: &str, employee: &str, ends: Instant) {
        if self.deals.contains_key(deal) {
            return;
        }
        self.deals.insert(deal.to_owned(), (employee.to_owned(), ends));
        self.due.push_back((ends, deal.to_owned()));
        *self.open.entry(employee.to_owned()).or_default() += 1;
    }

    /// Closes a deal: its owner's count down (never below zero), its timer
    /// stopped, out of any queue.
    pub(crate) fn close_deal(&mut self, deal: &str) -> Option<String> {
        self.timers.forget(deal);
        let (owner, _) = self.deals.remove(deal)?;
        if let Some(n) = self.open.get_mut(&owner) {
            *n = n.saturating_sub(1);
        }
        Some(owner)
    }

    /// A person made `employee` responsible for the deal (the Lua
    /// `hand_over` is its twin): an open deal's count moves to them, a
    /// waiting one opens for them; its timer stops and it leaves its queue.
    /// A deal already theirs, or unknown, is left alone. Who had it.
    pub(crate) fn hand_over(&mut self, deal: &str, employee: &str, ends: Instant) -> Option<String> {
        match self.deals.get_mut(deal) {
            Some((owner, _)) if owner == employee => Some(owner.clone()),
            Some((owner, _)) => {
                let previous = std::mem::replace(owner, employee.to_owned());
                if let Some(n) = self.open.get_mut(&previous) {
                    *n = n.saturating_sub(1);
                }
                *self.open.entry(employee.to_owned()).or_default() += 1;
                self.timers.forget(deal);
                Some(previous)
            }
            None if self.timers.is_waiting(deal) => {
                self.timers.forget(deal);
                self.open_deal(deal, employee, ends);
                None
            }
            None => None,
        }
    }

    /// Closes the deals whose life ended (as the Lua prelude does), and
    /// forgets the clients not seen for `CLIENT_TTL`.
    pub(crate) fn expire(&mut self, now: Instant) {
        while self.due.front().is_some_and(|(at, _)| *at <= now) {
            let (at, deal) = self.due.pop_front().expect("front exists");
            if self.deals.get(&deal).is_some_and(|(_, ends)| *ends == at) {
                self.close_deal(&deal);
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

    pub(crate) fn remember_client(&mut self, contact: &str, employee: &str, ends: Instant) {
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
    pub(crate) fn refusal(&self, claim: &Claiming<'_>) -> Option<CannotTake> {
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
pub(crate) struct Accounts(HashMap<String, AccountBook>);

impl Accounts {
    pub(crate) fn account(&self, account: &str) -> Option<&AccountBook> {
        self.0.get(account)
    }

    pub(crate) fn account_mut(&mut self, account: &str) -> &mut AccountBook {
        // One lookup for an account seen before (every call but its first).
        if self.0.contains_key(account) {
            return self.0.get_mut(account).expect("present");
        }
        self.0.entry(account.to_owned()).or_default()
    }

    pub(crate) fn can_take(&self, account: &str, who: &str, rules: &PickRules<'_>) -> bool {
        self.account(account).map_or_else(|| AccountBook::default().can_take(who, rules), |b| b.can_take(who, rules))
    }
}
