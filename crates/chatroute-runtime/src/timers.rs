//! Unanswered deals and deals waiting for someone: what the state keeps of
//! them, and the events their changes make. A deal decided on a channel
//! with `reassign_after` gets a timer; a reply stops it; when it is due, the
//! deal passes to the member the cycle gives next who can take it and has
//! not had it (`AssignmentState::reassign`). A deal nobody can take waits in
//! its channel's queue until someone can (`AssignmentState::drain`, oldest
//! first per channel): a new deal nobody could take, and a due deal nobody
//! could take over (it stays due, with its owner and who had it, and passes
//! on as soon as someone can). Each change is an `Event`.
//!
//! In memory (`TimerBook`) all of it is lost with the process; on Redis it
//! lives in the account's keys, and every step is one script, so a due
//! timer fires once whichever instance gets to it first.
//!
//! Which clock decides: a call without an explicit instant (a service's
//! tick, a decision "now") runs on the state's clock: the process's in
//! memory, the Redis server's (`TIME`, inside the scripts) on Redis, so
//! instances whose clocks disagree still fire each timer at one instant and
//! stamp events alike. An explicit instant (`route --at`, tests) is used as
//! given.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use super::state::PickRules;

/// Events kept: at most this many per account...
pub const EVENTS_KEPT: usize = 10_000;
/// ...and none older than a day (in memory; Redis trims by count).
pub const EVENTS_TTL_MS: u64 = 24 * 3600 * 1000;

/// How many of a channel's due deals waiting to be taken over a drain looks
/// through for one somebody can take (each waits for someone who has not
/// had it, so the oldest may wait while a newer one can go).
pub const STUCK_LOOKED_AT: usize = 64;

/// An event's id, as Redis streams make them: the milliseconds of the
/// clock that recorded it and a sequence within that millisecond. Ids only
/// grow within an account, also across restarts of an in-memory service
/// (whose ids start from its clock, not from 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct EventId {
    pub ms: u64,
    pub seq: u64,
}

impl EventId {
    /// The last id there can be: nothing comes after it.
    pub const MAX: EventId = EventId { ms: u64::MAX, seq: u64::MAX };

    /// `ms-seq`, or `ms` alone (sequence 0); `None` for anything else,
    /// numbers past 64 bits included.
    pub fn parse(id: &str) -> Option<EventId> {
        let number = |s: &str| -> Option<u64> {
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
        };
        match id.split_once('-') {
            Some((ms, seq)) => Some(EventId { ms: number(ms)?, seq: number(seq)? }),
            None => Some(EventId { ms: number(id)?, seq: 0 }),
        }
    }

    /// The id after `self` recorded at `now_ms` (never smaller).
    fn next(self, now_ms: u64) -> EventId {
        if now_ms > self.ms { EventId { ms: now_ms, seq: 0 } } else { EventId { ms: self.ms, seq: self.seq + 1 } }
    }
}

impl std::fmt::Display for EventId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

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
    /// Increasing within the account (`EventId`); a cursor for `events`.
    pub id: String,
    pub kind: EventKind,
    pub deal: String,
    pub channel: String,
    pub from: Option<String>,
    pub to: String,
    /// Milliseconds since the Unix epoch.
    pub at_ms: u64,
}

/// What a tick has to do: the deals due, with their channels, and the
/// channels where deals wait (each drained on its own).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Due {
    pub deals: Vec<(String, String)>,
    /// Channels with waiting deals, in name order.
    pub waiting: Vec<String>,
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
    /// The instant; `None`: the state's clock.
    pub now_ms: Option<u64>,
}

/// Giving a channel's oldest waiting deal to someone who can take it.
#[derive(Debug, Clone, Copy)]
pub struct Draining<'a> {
    pub account: &'a str,
    pub channel: &'a str,
    pub cycle: &'a [String],
    pub rules: PickRules<'a>,
    /// The channel's `reassign_after` (ms) and `max_reassignments`: a deal
    /// assigned gets its timer, a due deal waiting passes on under the
    /// cap. `None`: the channel has no timers (any more).
    pub reassign: Option<(u64, u32)>,
    /// The instant; `None`: the state's clock.
    pub now_ms: Option<u64>,
}

/// A timer: due at `due` while in the book's due set; a deal due that
/// nobody could take over keeps its timer out of it, waiting in its
/// channel's queue.
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
    /// Per channel, its new deals nobody could take, oldest first.
    queues: BTreeMap<String, VecDeque<String>>,
    /// Per channel, its due deals nobody could take over, oldest first.
    stuck: BTreeMap<String, VecDeque<String>>,
    /// Waiting deal -> its channel.
    waiting: HashMap<String, String>,
    events: VecDeque<(EventId, Event)>,
    last_event: EventId,
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

    /// A due deal nobody could take over: out of the due set, its timer
    /// kept (owner, who had it), waiting in its channel's queue of due
    /// deals.
    pub fn stuck(&mut self, deal: &str) {
        let Some(timer) = self.timers.get(deal) else { return };
        self.due.remove(&(timer.due, deal.to_owned()));
        let channel = timer.channel.clone();
        if !self.waiting.contains_key(deal) {
            self.waiting.insert(deal.to_owned(), channel.clone());
            self.stuck.entry(channel).or_default().push_back(deal.to_owned());
        }
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
        let waiting: BTreeSet<&String> = self.queues.keys().chain(self.stuck.keys()).collect();
        Due { deals, waiting: waiting.into_iter().cloned().collect() }
    }

    pub fn enqueue(&mut self, channel: &str, deal: &str) {
        if !self.waiting.contains_key(deal) {
            self.waiting.insert(deal.to_owned(), channel.to_owned());
            self.queues.entry(channel.to_owned()).or_default().push_back(deal.to_owned());
        }
    }

    /// A deal closed: no longer waiting, no timer.
    pub fn forget(&mut self, deal: &str) {
        self.stop(deal);
        self.dequeue(deal);
    }

    /// The channel's oldest new deal waiting.
    pub fn oldest_waiting(&self, channel: &str) -> Option<&String> {
        self.queues.get(channel)?.front()
    }

    /// The channel's oldest due deals waiting to be taken over,
    /// `STUCK_LOOKED_AT` at most (the Redis twin reads as many).
    pub fn oldest_stuck(&self, channel: &str) -> Vec<String> {
        self.stuck.get(channel).map(|q| q.iter().take(STUCK_LOOKED_AT).cloned().collect()).unwrap_or_default()
    }

    pub fn dequeue(&mut self, deal: &str) {
        let Some(channel) = self.waiting.remove(deal) else { return };
        for queues in [&mut self.queues, &mut self.stuck] {
            if let Some(queue) = queues.get_mut(&channel) {
                queue.retain(|d| d != deal);
                if queue.is_empty() {
                    queues.remove(&channel);
                }
            }
        }
    }

    /// Records an event at `at` (dropping those past the count or the
    /// day); its id from the process's clock, after the last one.
    pub fn record(
        &mut self,
        kind: EventKind,
        channel: &str,
        deal: &str,
        from: Option<&str>,
        to: &str,
        at: u64,
    ) -> Event {
        self.last_event = self.last_event.next(super::state::clock_ms(None));
        let event = Event {
            id: self.last_event.to_string(),
            kind,
            deal: deal.to_owned(),
            channel: channel.to_owned(),
            from: from.map(str::to_owned),
            to: to.to_owned(),
            at_ms: at,
        };
        self.events.push_back((self.last_event, event.clone()));
        while self.events.len() > EVENTS_KEPT || self.events.front().is_some_and(|(_, e)| e.at_ms + EVENTS_TTL_MS < at)
        {
            self.events.pop_front();
        }
        event
    }

    /// Events after `after` (from the oldest kept without one).
    pub fn events_after(&self, after: Option<EventId>, limit: usize) -> Vec<Event> {
        let from = self.events.partition_point(|(id, _)| after.is_some_and(|after| *id <= after));
        self.events.iter().skip(from).take(limit).map(|(_, e)| e.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_read_as_redis_writes_them_and_refuse_the_rest() {
        assert_eq!(EventId::parse("17-3"), Some(EventId { ms: 17, seq: 3 }));
        assert_eq!(EventId::parse("17"), Some(EventId { ms: 17, seq: 0 }));
        assert_eq!(EventId::parse("18446744073709551615-18446744073709551615"), Some(EventId::MAX));
        for bad in ["", "-", "1-", "-1", "99999999999999999999", "1-99999999999999999999", "1-2-3", "+1", "1 "] {
            assert_eq!(EventId::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn ids_grow_also_when_the_clock_stands_still_or_goes_back() {
        let first = EventId::default().next(100);
        assert_eq!(first, EventId { ms: 100, seq: 0 });
        assert_eq!(first.next(100), EventId { ms: 100, seq: 1 });
        assert_eq!(first.next(90), EventId { ms: 100, seq: 1 });
        assert_eq!(first.next(101), EventId { ms: 101, seq: 0 });
    }
}
