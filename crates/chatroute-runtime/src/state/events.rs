//! Unanswered deals and deals waiting for someone: the calls about them,
//! and the events their changes make. A deal decided on a channel
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

use super::PickRules;

/// Events kept: at most this many per account...
pub const EVENTS_KEPT: usize = 10_000;
/// ...and none older than a day (in memory; Redis trims by count).
pub const EVENTS_TTL_MS: u64 = 24 * 3600 * 1000;

/// How many of a channel's due deals waiting to be taken over a drain looks
/// through for one somebody can take (each waits for someone who has not
/// had it, so the oldest may wait while a newer one can go).
pub const STUCK_LOOKED_AT: usize = 64;

/// What an event id looks like: `ms-seq` (or `ms`), each a 64-bit number.
pub const EVENT_ID_PATTERN: &str = "^[0-9]{1,20}(-[0-9]{1,20})?$";

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
    pub(crate) fn next(self, now_ms: u64) -> EventId {
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
