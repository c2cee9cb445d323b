//! One account's timers, queues and events, in memory: the twins of the
//! Redis scripts' `reply-due`, `timers`, `queues` and `events` keys.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use crate::state::clock_ms;
use crate::state::events::{Due, EVENTS_KEPT, EVENTS_TTL_MS, Event, EventId, EventKind, STUCK_LOOKED_AT};

/// A timer: due at `due` while in the book's due set; a deal due that
/// nobody could take over keeps its timer out of it, waiting in its
/// channel's queue.
#[derive(Debug, Clone)]
pub(crate) struct Timer {
    pub(crate) channel: String,
    pub(crate) due: u64,
    pub(crate) owner: String,
    /// Everyone who has had the deal.
    pub(crate) had: Vec<String>,
    pub(crate) count: u32,
}

/// One account's timers, queues and events, in memory.
#[derive(Default)]
pub(crate) struct TimerBook {
    due: BTreeSet<(u64, String)>,
    pub(crate) timers: HashMap<String, Timer>,
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
    pub(crate) fn start_timer(&mut self, deal: &str, channel: &str, owner: &str, due: u64) {
        self.stop_timer(deal);
        self.due.insert((due, deal.to_owned()));
        let timer =
            Timer { channel: channel.to_owned(), due, owner: owner.to_owned(), had: vec![owner.to_owned()], count: 0 };
        self.timers.insert(deal.to_owned(), timer);
    }

    /// Stops a deal's timer; whether it had one.
    pub(crate) fn stop_timer(&mut self, deal: &str) -> bool {
        let Some(timer) = self.timers.remove(deal) else { return false };
        self.due.remove(&(timer.due, deal.to_owned()));
        true
    }

    /// A due deal nobody could take over: out of the due set, its timer
    /// kept (owner, who had it), waiting in its channel's queue of due
    /// deals.
    pub(crate) fn stuck(&mut self, deal: &str) {
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
    pub(crate) fn passed_on(&mut self, deal: &str, to: &str, next_due: Option<u64>) {
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
    pub(crate) fn due(&self, now: u64, limit: usize) -> Due {
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

    pub(crate) fn enqueue(&mut self, channel: &str, deal: &str) {
        if !self.waiting.contains_key(deal) {
            self.waiting.insert(deal.to_owned(), channel.to_owned());
            self.queues.entry(channel.to_owned()).or_default().push_back(deal.to_owned());
        }
    }

    /// A deal closed: no longer waiting, no timer.
    pub(crate) fn forget(&mut self, deal: &str) {
        self.stop_timer(deal);
        self.dequeue(deal);
    }

    /// The channel's oldest new deal waiting.
    pub(crate) fn oldest_waiting(&self, channel: &str) -> Option<&String> {
        self.queues.get(channel)?.front()
    }

    /// The channel's oldest due deals waiting to be taken over,
    /// `STUCK_LOOKED_AT` at most (the Redis twin reads as many).
    pub(crate) fn oldest_stuck(&self, channel: &str) -> Vec<String> {
        self.stuck.get(channel).map(|q| q.iter().take(STUCK_LOOKED_AT).cloned().collect()).unwrap_or_default()
    }

    /// Whether the deal waits in a queue.
    pub(crate) fn is_waiting(&self, deal: &str) -> bool {
        self.waiting.contains_key(deal)
    }

    pub(crate) fn dequeue(&mut self, deal: &str) {
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
    pub(crate) fn record(
        &mut self,
        kind: EventKind,
        channel: &str,
        deal: &str,
        from: Option<&str>,
        to: &str,
        at: u64,
    ) -> Event {
        self.last_event = self.last_event.next(clock_ms(None));
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
    pub(crate) fn events_after(&self, after: Option<EventId>, limit: usize) -> Vec<Event> {
        let from = self.events.partition_point(|(id, _)| after.is_some_and(|after| *id <= after));
        self.events.iter().skip(from).take(limit).map(|(_, e)| e.clone()).collect()
    }
}
