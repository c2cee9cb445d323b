//! What time does to a table's deals: due timers fire, waiting deals are
//! handed out (`tick`), and the events that follow (`events`).

use chatroute_table::AssignmentRoute;
use jiff::Timestamp;

use super::pick::availability_rules;
use super::{Router, unix_ms};
use crate::error::RouteError;
use crate::state::AssignmentState;
use crate::state::events::{Draining, Event, EventId, Reassigning};

/// Due timers and waiting deals a tick handles per channel at most (the
/// rest on the next tick).
pub const TICK_BATCH: usize = 256;

impl<S: AssignmentState> Router<S> {
    /// What time does to the table's deals at `at` (`None`: now, on the
    /// state's clock): due timers fire (the deal passes on), then waiting
    /// deals go to whoever can take them now (back from unavailable, a
    /// shift started, a deal closed, a reload lifted a limit), oldest first
    /// per channel. A service calls it every second or so; the events it
    /// returns are in `events` too. Deals waiting on a channel this table
    /// no longer routes round robin stay waiting until they close or the
    /// channel returns.
    pub async fn tick(&self, at: Option<Timestamp>) -> Result<Vec<Event>, RouteError> {
        let now_ms = at.map(unix_ms);
        let account = &self.body.account;
        let mut events = Vec::new();
        // Each due deal is its own atomic step; they go out together (one
        // round trip's wait for the batch on Redis, not one per deal).
        let due = self.state.due(account, now_ms, TICK_BATCH).await?;
        let passes = due.deals.iter().map(|(deal, channel)| self.pass_on(deal, channel, at, now_ms));
        for passed in futures_util::future::join_all(passes).await {
            events.extend(passed?);
        }
        for channel in &due.waiting {
            let Some((channel, route)) = self.body.channels.get_key_value(channel) else { continue };
            let AssignmentRoute::RoundRobin { cycle, availability, reassign, .. } = &route.assignment else { continue };
            let away = self.away(channel, availability, at);
            let rules = availability_rules(availability, &away);
            let reassign = reassign.map(|r| (r.after_secs * 1000, r.max));
            let draining = Draining { account, channel, cycle, rules, reassign, now_ms };
            for _ in 0..TICK_BATCH {
                match self.state.drain(&self.cursors[channel], &draining).await? {
                    Some(event) => events.push(event),
                    None => break,
                }
            }
        }
        Ok(events)
    }

    /// One due deal passed on (or its timer dropped, when its channel no
    /// longer has timers).
    pub(super) async fn pass_on(
        &self,
        deal: &str,
        channel: &str,
        at: Option<Timestamp>,
        now_ms: Option<u64>,
    ) -> Result<Option<Event>, RouteError> {
        let account = &self.body.account;
        let Some(AssignmentRoute::RoundRobin { cycle, availability, reassign: Some(r), .. }) =
            self.body.channels.get(channel).map(|c| &c.assignment)
        else {
            // The channel left the table, or its timers: the deal stays.
            self.state.replied(account, deal).await?;
            return Ok(None);
        };
        let away = self.away(channel, availability, at);
        let rules = availability_rules(availability, &away);
        let reassigning =
            Reassigning { account, channel, deal, cycle, rules, max: r.max, after_ms: r.after_secs * 1000, now_ms };
        Ok(self.state.reassign(&self.cursors[channel], &reassigning).await?)
    }

    /// Whether the table can make events at all: a channel with timers, or
    /// one whose deals can wait for someone.
    pub fn makes_events(&self) -> bool {
        self.body.channels.values().any(|c| match &c.assignment {
            AssignmentRoute::RoundRobin { availability, reassign, .. } => {
                reassign.is_some() || !availability.is_plain()
            }
            AssignmentRoute::FirstResponder { .. } => false,
        })
    }

    /// The table's events after the cursor `after` (an event id), oldest
    /// first, at most `limit`; without a cursor, from the oldest kept.
    /// A cursor past every id answers nothing until a newer event.
    pub async fn events(&self, after: Option<&str>, limit: usize) -> Result<Vec<Event>, RouteError> {
        let after = match after {
            Some(id) => Some(EventId::parse(id).ok_or(RouteError::BadId {
                what: "event",
                why: "not an event id (ms-seq or ms, each a number below 2^64)",
            })?),
            None => None,
        };
        if after == Some(EventId::MAX) {
            return Ok(Vec::new());
        }
        Ok(self.state.events(&self.body.account, after, limit).await?)
    }
}
