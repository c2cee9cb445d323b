//! Unanswered deals and deals waiting for someone: what the state keeps of
//! them, and the events their changes make. A deal decided on a channel
//! with `reassign_after` gets a timer; a reply stops it; when it is due, the
//! deal passes to the member the cycle gives next who can take it and has
//! not had it (`AssignmentState::reassign`). A deal nobody could take waits
//! in its channel's queue until someone can (`AssignmentState::drain`,
//! oldest first). Each change is an `Event`.
//!
//! In memory (`TimerBook`) all of it is lost with the process; on Redis it
//! lives in the account's keys, and every step is one script, so a due
//! timer fires once whichever instance gets to it first.

use std::collections::{BTreeSet, HashMap, VecDeque};

use super::state::PickRules;

/// Events kept: at most this many per account...
pub const EVENTS_KEPT: usize = 10_000;
/// ...and none older than a day (in memory; Redis trims by count).
pub const EVENTS_TTL_MS: u64 = 24 * 3600 * 1000;

/// How many of an account's oldest waiting deals a drain looks through
/// for its channel's.
pub const WAITING_LOOKED_AT: usize = 64;

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// An unanswered deal passed on (`from` had it).
    Reassigned,
    /// A waiting deal given to someone who can take it now.
    Assigned,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Reassigned => "reassigned",
            EventKind::Assigned => "assigned",
        }
    }
}

/// A change of responsible, as services follow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Increasing within the account; a cursor for `events`.
    pub id: String,
    pub kind: EventKind,
    pub deal: String,
    pub channel: String,
    pub from: Option<String>,
    pub to: String,
    /// Milliseconds since the Unix epoch.
    pub at_ms: u64,
}

/// What a tick has to do: the deals due, with their channels, and whether
/// any deal waits (so a tick of an account where none does drains
/// nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Due {
    pub deals: Vec<(String, String)>,
    pub waiting: bool,
}

/// Passing one due deal on.
#[derive(Debug, Clone, Copy)]
pub struct Reassigning<'a> {
    pub account: &'a str,
    pub channel: &'a str,
    pub deal: &'a str,
    pub cycle: &'a [String],
    pub rules: PickRules<'a>,
    /// Passed on at most this many times in all.
    pub max: u32,
    pub after_ms: u64,
    pub now_ms: u64,
}

/// Giving a channel's oldest waiting deal to someone who can take it.
#[derive(Debug, Clone, Copy)]
pub struct Draining<'a> {
    pub account: &'a str,
    pub channel: &'a str,
    pub cycle: &'a [String],
    pub rules: PickRules<'a>,
    /// The channel's `reassign_after`: the deal's timer starts now.
    pub timer_after_ms: Option<u64>,
    pub now_ms: u64,
}

/// A running timer.
#[derive(Debug, Clone)]
pub(crate) struct Timer {
    pub channel: String,
    pub due: u64,
    pub owner: String,
    /// Everyone who has had the deal.
    pub had: Vec<String>,
    pub count: u32,
}

/// One account's timers, queues and events, in memory.
#[derive(Default)]
pub(crate) struct TimerBook {
    due: BTreeSet<(u64, String)>,
    pub timers: HashMap<String, Timer>,
    /// Waiting deals with their channels, oldest first.
    waiting: VecDeque<(String, String)>,
    events: VecDeque<Event>,
    next_event: u64,
}

impl TimerBook {
    pub fn start(&mut self, deal: &str, channel: &str, owner: &str, due: u64) {
        self.stop(deal);
        self.due.insert((due, deal.to_owned()));
        let timer =
            Timer { channel: channel.to_owned(), due, owner: owner.to_owned(), had: vec![owner.to_owned()], count: 0 };
        self.timers.insert(deal.to_owned(), timer);
    }

    /// Stops a deal's timer; whether it had one.
    pub fn stop(&mut self, deal: &str) -> bool {
        let Some(timer) = self.timers.remove(deal) else { return false };
        self.due.remove(&(timer.due, deal.to_owned()));
        true
    }

    /// Moves a timer on after a reassignment: due again, or stopped at the
    /// cap.
    pub fn passed_on(&mut self, deal: &str, to: &str, next_due: Option<u64>) {
        let Some(mut timer) = self.timers.remove(deal) else { return };
        self.due.remove(&(timer.due, deal.to_owned()));
        if let Some(due) = next_due {
            timer.count += 1;
            timer.owner = to.to_owned();
            timer.had.push(to.to_owned());
            timer.due = due;
            self.due.insert((due, deal.to_owned()));
            self.timers.insert(deal.to_owned(), timer);
        }
    }

    /// Deals due at `now`, oldest first, with their channels.
    pub fn due(&self, now: u64, limit: usize) -> Due {
        let deals = self
            .due
            .iter()
            .take_while(|(at, _)| *at <= now)
            .take(limit)
            .map(|(_, deal)| (deal.clone(), self.timers[deal].channel.clone()))
            .collect();
        Due { deals, waiting: !self.waiting.is_empty() }
    }

    pub fn enqueue(&mut self, channel: &str, deal: &str) {
        if !self.waiting.iter().any(|(d, _)| d == deal) {
            self.waiting.push_back((deal.to_owned(), channel.to_owned()));
        }
    }

    /// A deal closed: no longer waiting, no timer.
    pub fn forget(&mut self, deal: &str) {
        self.stop(deal);
        self.dequeue(deal);
    }

    /// The channel's oldest waiting deal among the account's
    /// `WAITING_LOOKED_AT` oldest (the Redis twin reads as many).
    pub fn oldest_waiting(&self, channel: &str) -> Option<&String> {
        self.waiting.iter().take(WAITING_LOOKED_AT).find(|(_, c)| c == channel).map(|(d, _)| d)
    }

    pub fn dequeue(&mut self, deal: &str) {
        self.waiting.retain(|(d, _)| d != deal);
    }

    /// Records an event (dropping those past the count or the day).
    pub fn record(
        &mut self,
        kind: EventKind,
        channel: &str,
        deal: &str,
        from: Option<&str>,
        to: &str,
        at: u64,
    ) -> Event {
        self.next_event += 1;
        let event = Event {
            id: self.next_event.to_string(),
            kind,
            deal: deal.to_owned(),
            channel: channel.to_owned(),
            from: from.map(str::to_owned),
            to: to.to_owned(),
            at_ms: at,
        };
        self.events.push_back(event.clone());
        while self.events.len() > EVENTS_KEPT || self.events.front().is_some_and(|e| e.at_ms + EVENTS_TTL_MS < at) {
            self.events.pop_front();
        }
        event
    }

    /// Events after the cursor `after` (from the oldest kept without one).
    pub fn events_after(&self, after: Option<&str>, limit: usize) -> Vec<Event> {
        let after: u64 = after.and_then(|a| a.parse().ok()).unwrap_or(0);
        self.events.iter().filter(|e| e.id.parse::<u64>().is_ok_and(|id| id > after)).take(limit).cloned().collect()
    }
}
