//! The runtime: a table compiled by `chatroute compile`, loaded and
//! verified by `chatroute-table`, answers the routing questions of
//! DESIGN.md; assignment state lives behind `AssignmentState` (in process,
//! or in Redis with the `redis` feature).
#![doc = include_str!("../README.md")]

#[cfg(feature = "redis")]
mod endpoint;
#[cfg(feature = "redis")]
pub mod keys;
#[cfg(feature = "redis")]
pub mod redis;
pub mod state;
pub mod timers;

use std::collections::BTreeMap;

use chatroute_table::schedule::{Clock, ScheduleRoute};
pub use jiff::Timestamp;

#[cfg(feature = "phone")]
use chatroute_phone::{self as phone, Rewrite};
use chatroute_table::keywords::{AfterClose, CopyDialog, Level, NameOrId, ReturningClients, Visibility, WhenNobody};
use chatroute_table::{AssignmentRoute, Availability, Body, ChannelRoute, EmployeeRoute, Reassign, TableFile};
pub use state::{
    AssignmentState, CLIENT_TTL, CannotTake, Claimed, Claiming, InProcess, Pick, PickRules, Picked, Simulated,
    StateError,
};
pub use timers::{Draining, Due, Event, EventId, EventKind, Reassigning};

/// What an event id looks like: `ms-seq` (or `ms`), each a 64-bit number.
pub const EVENT_ID_PATTERN: &str = "^[0-9]{1,20}(-[0-9]{1,20})?$";

/// Due timers and waiting deals a tick handles per channel at most (the
/// rest on the next tick).
pub const TICK_BATCH: usize = 256;

/// The answer of a call on a state that never waits (`InProcess`): its
/// futures are ready at once, so a synchronous caller polls them once
/// instead of starting an async runtime. Panics on a future that is not
/// ready (a state on the network: await it on a runtime instead).
pub fn ready<F: std::future::Future>(call: F) -> F::Output {
    use std::task::{Context, Poll, Waker};
    match std::pin::pin!(call).as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(answer) => answer,
        Poll::Pending => panic!("chatroute_runtime::ready: the call waits on I/O; await it on an async runtime"),
    }
}

/// A channel's cycle or group members with working hours, each once, with
/// their schedule's index.
fn scheduled_members(body: &Body, channel: &ChannelRoute, index: &BTreeMap<String, usize>) -> Vec<(String, usize)> {
    let members = match &channel.assignment {
        AssignmentRoute::RoundRobin { cycle, .. } => cycle,
        AssignmentRoute::FirstResponder { group, .. } => group,
    };
    let mut out: Vec<(String, usize)> = Vec::new();
    for handle in members {
        if let Some(i) = body.employees.get(handle).and_then(|e| index.get(e.schedule.as_ref()?))
            && !out.iter().any(|(h, _)| h == handle)
        {
            out.push((handle.clone(), *i));
        }
    }
    out
}

/// Longest deal, dialog or contact id accepted, in characters (so at most
/// 256 bytes): ids are kept in the state (claims for 30 days), so their
/// length bounds its memory. amoCRM's and Wazzup's ids are numbers, UUIDs
/// (36) and chat ids far below it.
pub const MAX_ID_CHARS: usize = 64;

/// Why a routing question has no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// The channel is not in the table: unknown, excluded from the
    /// integration, or the integration is disabled.
    #[error("channel `{0}` is not routed by this table (unknown, excluded, or the integration is disabled)")]
    UnknownChannel(String),
    /// A claim by someone outside the channel's first-responder group, or
    /// on a round-robin channel.
    #[error("`{employee}` is not a first responder of channel `{channel}`")]
    NotAResponder { channel: String, employee: String },
    #[error("no employee `{0}` in this table")]
    UnknownEmployee(String),
    /// A claimant who may not take the deal now (unavailable where
    /// unavailable members are skipped, or at their open-deal limit).
    #[error("`{employee}` cannot take deal `{deal}` now: {}", match why {
        CannotTake::Unavailable => "marked unavailable",
        CannotTake::AtCapacity => "at the open-deal limit",
    })]
    CannotTake { deal: String, employee: String, why: CannotTake },
    /// The deal id is held by an employee who cannot have it here: it was
    /// decided on another channel, or a reload took its owner out of this
    /// channel's cycle. Asking again gives the same answer.
    #[error(
        "deal `{deal}` is held by `{owner}`, who is not a member here (decided on another channel, or a reload removed them): close it first, or use a new deal id"
    )]
    DealConflict { deal: String, owner: String },
    /// A deal, dialog or contact id that is empty, too long or holds a
    /// control character.
    #[error("the {what} id is {why}")]
    BadId { what: &'static str, why: &'static str },
    #[error(transparent)]
    State(#[from] StateError),
}

/// Who is responsible for a new deal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Responsible<'t> {
    /// Round robin: this employee.
    Employee(&'t str),
    /// First responder: whoever of these claims it first (the group, or
    /// those of it who can take deals now).
    FirstOf(Vec<&'t str>),
    /// Nobody can take it (`when_nobody = "unassigned"`): the global chat
    /// shows it as a dialog without a responsible.
    Unassigned,
}

/// The decision for a new deal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeal<'t> {
    /// The table's id of the channel (also when asked by Wazzup id).
    pub channel: &'t str,
    /// Round robin: the ticket taken, whose position in the cycle decided.
    pub ticket: Option<u64>,
    pub pipeline: &'t NameOrId,
    pub stage: &'t NameOrId,
    pub responsible: Responsible<'t>,
}

/// The outcome of a first-responder claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    Won,
    /// Someone else was first.
    Lost {
        winner: String,
    },
}

/// A new deal to decide.
#[derive(Debug, Clone, Copy)]
pub struct DealRequest<'a> {
    /// The channel, by the table's id or its Wazzup `channelId`.
    pub channel: &'a str,
    /// The deal's id: with open-deal limits it counts open until closed,
    /// and the same id decided again gets the same employee.
    pub deal: Option<&'a str>,
    /// The client's stable id (a phone, a Wazzup `chatId`), for
    /// `returning_clients = "owner"`.
    pub contact: Option<&'a str>,
    /// The client's owner as the caller knows it (the CRM contact's
    /// responsible); without it, whom chatroute gave the client's last deal.
    pub owner: Option<&'a str>,
    /// The instant decided for: working hours are read at it. `None`: the
    /// clock, read only when hours decide.
    pub at: Option<Timestamp>,
}

impl<'a> DealRequest<'a> {
    /// A deal on `channel` now, with no id and no client.
    pub fn now(channel: &'a str) -> Self {
        DealRequest { channel, deal: None, contact: None, owner: None, at: None }
    }
}

/// A round-robin channel as a pick sees it.
#[derive(Clone, Copy)]
struct Round<'t> {
    channel: &'t str,
    cycle: &'t [String],
    availability: &'t Availability,
    returning: bool,
    reassign: Option<&'t Reassign>,
}

/// Who can take a deal on a channel of `availability`, `away` out of
/// their hours.
fn availability_rules<'a>(availability: &'a Availability, away: &'a [String]) -> PickRules<'a> {
    PickRules { skip_unavailable: availability.skip_unavailable, max_open: &availability.max_open, away }
}

/// Milliseconds since the Unix epoch of an instant (now when `None`): the
/// time timers and the Redis deal book run on, the same on every instance
/// up to their clocks' skew (seconds, against lifetimes of days).
fn unix_ms(at: Option<Timestamp>) -> u64 {
    u64::try_from(at.unwrap_or_else(Timestamp::now).as_millisecond()).unwrap_or(0)
}

/// What to do with a message from a contact whose last deal is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterCloseAction {
    AppendToLastClosed,
    CreateNew,
}

/// A loaded table and the assignment state it decides with.
pub struct Router<S: AssignmentState> {
    body: Body,
    state: S,
    /// The cursor of each round-robin channel, prepared at load time.
    cursors: BTreeMap<String, S::Cursor>,
    /// Wazzup `channelId` -> the table's channel id.
    wazzup_ids: BTreeMap<String, String>,
    /// Each schedule with its zone and dates off read once, and whether it
    /// was open in the minute last asked about (`HoursCache`).
    hours: Vec<(ScheduleRoute, Clock, HoursCache)>,
    /// Schedule name -> its index in `hours`.
    schedule_index: BTreeMap<String, usize>,
    /// Per channel, its members who have working hours, each once, with
    /// their schedule's index: what a decision reads the hours of.
    scheduled: BTreeMap<String, Vec<(String, usize)>>,
}

/// A schedule's answer for one minute: intervals and zone changes fall on
/// whole minutes, so the answer holds for the whole minute, and the zone
/// need not be read again within it. `(minute << 1) | open`, or `EMPTY`.
struct HoursCache(std::sync::atomic::AtomicI64);

impl HoursCache {
    const EMPTY: i64 = i64::MIN;

    fn new() -> Self {
        HoursCache(std::sync::atomic::AtomicI64::new(Self::EMPTY))
    }

    fn get_or(&self, at: Timestamp, read: impl FnOnce() -> bool) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        let minute = at.as_second().div_euclid(60);
        let cached = self.0.load(Relaxed);
        if cached != Self::EMPTY && cached >> 1 == minute {
            return cached & 1 == 1;
        }
        let open = read();
        self.0.store((minute << 1) | i64::from(open), Relaxed);
        open
    }
}

impl<S: AssignmentState> Router<S> {
    pub fn new(table: TableFile, state: S) -> Self {
        let body = table.body;
        // One cursor per account and channel. A new table keeps the key, so
        // the ticket count continues and the position is the ticket modulo
        // the new cycle's length.
        let cursors = body
            .channels
            .iter()
            .filter(|(_, c)| matches!(c.assignment, AssignmentRoute::RoundRobin { .. }))
            .map(|(id, _)| (id.clone(), state.cursor(&body.account, id)))
            .collect();
        let wazzup_ids = body
            .channels
            .iter()
            .filter_map(|(id, c)| c.wazzup_channel_id.as_ref().map(|w| (w.clone(), id.clone())))
            .collect();
        // Loading checked every zone (`validate`): one that would not read
        // leaves its schedule closed rather than the table unusable.
        let (mut hours, mut schedule_index) = (Vec::new(), BTreeMap::new());
        for (name, schedule) in &body.schedules {
            if let Some(clock) = schedule.clock() {
                schedule_index.insert(name.clone(), hours.len());
                hours.push((schedule.clone(), clock, HoursCache::new()));
            }
        }
        let scheduled =
            body.channels.iter().map(|(id, c)| (id.clone(), scheduled_members(&body, c, &schedule_index))).collect();
        Router { body, state, cursors, wazzup_ids, hours, schedule_index, scheduled }
    }

    /// The table's id of a channel given by its id or its Wazzup
    /// `channelId` (incoming webhooks carry the latter). Decisions, state
    /// keys and access are by the table's id either way.
    pub fn channel_id(&self, id: &str) -> Result<&str, RouteError> {
        if let Some((key, _)) = self.body.channels.get_key_value(id) {
            return Ok(key);
        }
        self.wazzup_ids.get(id).map(String::as_str).ok_or_else(|| RouteError::UnknownChannel(id.to_owned()))
    }

    pub fn table(&self) -> &Body {
        &self.body
    }

    fn channel(&self, id: &str) -> Result<&ChannelRoute, RouteError> {
        let id = self.channel_id(id)?;
        self.body.channels.get(id).ok_or_else(|| RouteError::UnknownChannel(id.to_owned()))
    }

    /// Pipeline, stage and responsible for a new deal on `channel` now.
    /// Round robin takes the next position of the cycle.
    pub async fn new_deal(&self, channel: &str) -> Result<NewDeal<'_>, RouteError> {
        self.decide(&DealRequest::now(channel)).await
    }

    /// `new_deal` for a deal with an id: with open-deal limits, the deal
    /// counts as open for its employee until `close_deal`; the same id
    /// decided again gets the same employee without a new position.
    pub async fn new_deal_for(&self, channel: &str, deal: Option<&str>) -> Result<NewDeal<'_>, RouteError> {
        self.decide(&DealRequest { deal, ..DealRequest::now(channel) }).await
    }

    /// The decision for a new deal, at the request's instant, for its
    /// client.
    pub async fn decide(&self, request: &DealRequest<'_>) -> Result<NewDeal<'_>, RouteError> {
        for (what, id) in [("deal", request.deal), ("contact", request.contact)] {
            id.map(|id| check_id(what, id)).transpose()?;
        }
        let channel = self.channel_id(request.channel)?;
        let route = self.channel(channel)?;
        let (responsible, ticket) = match &route.assignment {
            AssignmentRoute::RoundRobin { cycle, availability, returning_clients, reassign, .. } => {
                let returning = *returning_clients == ReturningClients::Owner && request.contact.is_some();
                // A channel with timers moves its cursor only in picks, each
                // atomic with the timers' moves of it.
                if availability.is_plain() && !returning && reassign.is_none() {
                    let ticket = self.state.next_ticket(&self.cursors[channel]).await?;
                    (Responsible::Employee(&cycle[(ticket % cycle.len() as u64) as usize]), Some(ticket))
                } else {
                    let round = Round { channel, cycle, availability, returning, reassign: reassign.as_ref() };
                    self.pick(&round, request).await?
                }
            }
            AssignmentRoute::FirstResponder { group, availability } => {
                (self.offer(channel, group, availability, request.at).await?, None)
            }
        };
        Ok(NewDeal { channel, ticket, pipeline: &route.new_deals.pipeline, stage: &route.new_deals.stage, responsible })
    }

    /// Whether `employee` is inside their working hours at `at` (always,
    /// without a schedule).
    pub fn in_hours(&self, employee: &str, at: Timestamp) -> bool {
        let Some(schedule) = self.body.employees.get(employee).and_then(|e| e.schedule.as_ref()) else { return true };
        self.schedule_index.get(schedule).is_some_and(|i| self.open(*i, at))
    }

    fn open(&self, schedule: usize, at: Timestamp) -> bool {
        let (route, clock, cache) = &self.hours[schedule];
        cache.get_or(at, || route.is_open(clock, at))
    }

    /// The channel's members outside their hours at `at`, where that
    /// matters (the unavailable are skipped).
    fn away(&self, channel: &str, availability: &Availability, at: Option<Timestamp>) -> Vec<String> {
        let scheduled = self.scheduled.get(channel).map_or(&[][..], Vec::as_slice);
        if !availability.skip_unavailable || scheduled.is_empty() {
            return Vec::new();
        }
        let at = at.unwrap_or_else(Timestamp::now);
        scheduled.iter().filter(|(_, schedule)| !self.open(*schedule, at)).map(|(h, _)| h.clone()).collect()
    }

    /// A returning client's owner who may take the deal here now: the one
    /// the caller names, else the one given the client's last deal; with
    /// read_send on the channel and inside their hours (`away`: the
    /// cycle's members out of them, when read already).
    async fn owner(
        &self,
        channel: &str,
        request: &DealRequest<'_>,
        cycle: &[String],
        away: Option<&[String]>,
    ) -> Result<Option<String>, RouteError> {
        let owner = match (request.owner, request.contact) {
            (Some(owner), _) => Some(owner.to_owned()),
            (None, Some(contact)) => self.state.owner_of(&self.body.account, contact).await?,
            (None, None) => None,
        };
        let in_hours = |o: &String| match away {
            Some(away) if cycle.contains(o) => !away.contains(o),
            _ => self.in_hours(o, request.at.unwrap_or_else(Timestamp::now)),
        };
        Ok(owner.filter(|o| self.level(o, channel) == Level::ReadSend && in_hours(o)))
    }

    /// Round robin that may skip: the next member who can take the deal;
    /// with `assign_anyway`, one who is unavailable but has room. A
    /// returning client's owner who can take it comes first.
    async fn pick<'t>(
        &'t self,
        round: &Round<'t>,
        request: &DealRequest<'_>,
    ) -> Result<(Responsible<'t>, Option<u64>), RouteError> {
        let Round { channel, cycle, availability, returning, reassign } = *round;
        let away = self.away(channel, availability, request.at);
        let rules = availability_rules(availability, &away);
        let read = availability.skip_unavailable && self.scheduled.get(channel).is_some_and(|s| !s.is_empty());
        let owner = match returning {
            true => self.owner(channel, request, cycle, read.then_some(away.as_slice())).await?,
            false => None,
        };
        let (contact, prefer) = (request.contact.filter(|_| returning), owner.as_deref());
        let reply_after_ms = reassign.map(|r| r.after_secs * 1000);
        let now_ms = request.at.map(|at| unix_ms(Some(at)));
        let anyway = availability.when_nobody == WhenNobody::AssignAnyway && rules.skip_unavailable;
        let account = &self.body.account;
        // Nobody can take it after the last try: it waits for someone.
        let mut pick = Pick {
            account,
            cycle,
            rules,
            deal: request.deal,
            prefer,
            contact,
            channel,
            reply_after_ms,
            now_ms,
            queue: !anyway,
        };
        let cursor = &self.cursors[channel];
        let mut picked = self.state.pick(cursor, &pick).await?;
        if picked.is_none() && anyway {
            pick.rules.skip_unavailable = false;
            pick.queue = true;
            picked = self.state.pick(cursor, &pick).await?;
        }
        let Some(picked) = picked else { return Ok((Responsible::Unassigned, None)) };
        // The table's own string, so the decision borrows from the table: a
        // cycle member, or the owner preferred (who may be outside it).
        let member = cycle.iter().find(|h| **h == picked.employee);
        let preferred = (prefer == Some(picked.employee.as_str()))
            .then(|| self.body.employees.get_key_value(&picked.employee).map(|(h, _)| h))
            .flatten();
        let employee = member.or(preferred).ok_or_else(|| RouteError::DealConflict {
            deal: request.deal.unwrap_or_default().to_owned(),
            owner: picked.employee.clone(),
        })?;
        Ok((Responsible::Employee(employee), picked.position))
    }

    /// First responder that may skip: the deal is offered to the members
    /// who can take it; with `assign_anyway`, to those who have room.
    async fn offer<'t>(
        &'t self,
        channel: &str,
        group: &'t [String],
        availability: &Availability,
        at: Option<Timestamp>,
    ) -> Result<Responsible<'t>, RouteError> {
        let all = || group.iter().map(String::as_str).collect::<Vec<_>>();
        if availability.is_plain() {
            return Ok(Responsible::FirstOf(all()));
        }
        let away = self.away(channel, availability, at);
        let mut rules = availability_rules(availability, &away);
        let account = &self.body.account;
        let mut offered = self.offered(group, &self.state.can_take(account, group, &rules).await?);
        if offered.is_empty() && availability.when_nobody == WhenNobody::AssignAnyway && rules.skip_unavailable {
            rules.skip_unavailable = false;
            offered = self.offered(group, &self.state.can_take(account, group, &rules).await?);
        }
        Ok(if offered.is_empty() { Responsible::Unassigned } else { Responsible::FirstOf(offered) })
    }

    fn offered<'t>(&self, group: &'t [String], can: &[bool]) -> Vec<&'t str> {
        group.iter().zip(can).filter(|(_, ok)| **ok).map(|(h, _)| h.as_str()).collect()
    }

    /// Whether the assignment state answers (a service's readiness).
    pub async fn ping(&self) -> Result<(), RouteError> {
        Ok(self.state.ping().await?)
    }

    /// An employee of the table.
    pub fn employee(&self, handle: &str) -> Result<&EmployeeRoute, RouteError> {
        self.body.employees.get(handle).ok_or_else(|| RouteError::UnknownEmployee(handle.to_owned()))
    }

    /// Marks an employee available or not (where `skip_unavailable` is on).
    pub async fn set_available(&self, employee: &str, available: bool) -> Result<(), RouteError> {
        self.employee(employee)?;
        Ok(self.state.set_available(&self.body.account, employee, available).await?)
    }

    /// A deal was closed: its employee's open count goes down. Returns who
    /// had it; `None` for a deal not counted open.
    pub async fn close_deal(&self, deal: &str) -> Result<Option<String>, RouteError> {
        check_id("deal", deal)?;
        Ok(self.state.close_deal(&self.body.account, deal).await?)
    }

    /// `employee` replied in the deal's dialog: its timer stops (the deal
    /// stays theirs). Whether it was waiting for a reply.
    pub async fn reply(&self, deal: &str, employee: &str) -> Result<bool, RouteError> {
        check_id("deal", deal)?;
        self.employee(employee)?;
        Ok(self.state.replied(&self.body.account, deal).await?)
    }

    /// What time does to the table's deals at `at` (`None`: now, on the
    /// state's clock): due timers fire (the deal passes on), then waiting
    /// deals go to whoever can take them now (back from unavailable, a
    /// shift started, a deal closed, a reload lifted a limit), oldest first
    /// per channel. A service calls it every second or so; the events it
    /// returns are in `events` too. Deals waiting on a channel this table
    /// no longer routes round robin stay waiting until they close or the
    /// channel returns.
    pub async fn tick(&self, at: Option<Timestamp>) -> Result<Vec<Event>, RouteError> {
        let now_ms = at.map(|at| unix_ms(Some(at)));
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
    async fn pass_on(
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

    /// First responder: `employee` answers deal `deal` first, or learns who
    /// did. With availability rules, a claimant who could not be offered
    /// the deal now (unavailable, or at their limit) is refused, atomically
    /// with the count: the limit holds however many claims race.
    pub async fn claim(&self, channel: &str, deal: &str, employee: &str) -> Result<Claim, RouteError> {
        check_id("dialog", deal)?;
        let channel = self.channel_id(channel)?;
        let route = self.channel(channel)?;
        let AssignmentRoute::FirstResponder { group, availability } = &route.assignment else {
            return Err(RouteError::NotAResponder { channel: channel.to_owned(), employee: employee.to_owned() });
        };
        if !group.iter().any(|g| g == employee) {
            return Err(RouteError::NotAResponder { channel: channel.to_owned(), employee: employee.to_owned() });
        }
        let away = self.away(channel, availability, None);
        let rules = availability_rules(availability, &away);
        let claim = Claiming {
            account: &self.body.account,
            channel,
            deal,
            employee,
            group,
            rules: (!availability.is_plain()).then_some(rules),
            assign_anyway: availability.when_nobody == WhenNobody::AssignAnyway,
        };
        match self.state.claim(&claim).await? {
            Claimed::Winner(winner) if winner == employee => Ok(Claim::Won),
            Claimed::Winner(winner) => Ok(Claim::Lost { winner }),
            Claimed::Refused(why) => {
                Err(RouteError::CannotTake { deal: deal.to_owned(), employee: employee.to_owned(), why })
            }
            Claimed::Held { owner } => Err(RouteError::DealConflict { deal: deal.to_owned(), owner }),
        }
    }

    /// A message from a contact whose last deal on `channel` is closed.
    /// First responder always creates a new deal.
    pub fn after_close(&self, channel: &str) -> Result<AfterCloseAction, RouteError> {
        Ok(match &self.channel(channel)?.assignment {
            AssignmentRoute::RoundRobin { after_close: AfterClose::AppendToLastClosed, .. } => {
                AfterCloseAction::AppendToLastClosed
            }
            _ => AfterCloseAction::CreateNew,
        })
    }

    /// The employee's level on a routed channel (`none` for unknown ones).
    pub fn level(&self, employee: &str, channel: &str) -> Level {
        let Ok(channel) = self.channel_id(channel) else { return Level::None };
        self.body.employees.get(employee).and_then(|e| e.access.get(channel)).copied().unwrap_or(Level::None)
    }

    pub fn can_read(&self, employee: &str, channel: &str) -> bool {
        self.level(employee, channel) >= Level::Read
    }

    pub fn can_send(&self, employee: &str, channel: &str) -> bool {
        self.level(employee, channel) == Level::ReadSend
    }

    /// The channel an employee writes from when writing first.
    pub fn default_outgoing(&self, employee: &str) -> Option<&str> {
        self.body.employees.get(employee)?.default_outgoing.as_deref()
    }

    /// Whether `employee` sees a dialog on `channel` with the given
    /// responsible in the global chat. Nobody sees a channel they have no
    /// access to; within that, `all` shows everything, and
    /// `own_and_unassigned` shows own and unassigned dialogs, and everything
    /// to chat admins.
    pub fn sees_in_global_chat(&self, employee: &str, channel: &str, responsible: Option<&str>) -> bool {
        if !self.can_read(employee, channel) {
            return false;
        }
        let chat = &self.body.global_chat;
        match chat.visibility {
            Visibility::All => true,
            Visibility::OwnAndUnassigned => {
                chat.admins.iter().any(|a| a == employee) || responsible.is_none_or(|r| r == employee)
            }
        }
    }

    /// When the dialog's pending messages are due to be copied into the deal
    /// card, given the time of the first message not yet copied (Unix
    /// seconds) and the account's UTC offset in seconds. `None`: never.
    pub fn copy_due_at(&self, first_pending: i64, utc_offset: i32) -> Option<i64> {
        copy_due_at(self.body.copy_dialog, first_pending, utc_offset)
    }

    /// The phone number to write to, after the table's phone rule.
    #[cfg(feature = "phone")]
    pub fn phone(&self, raw: &str) -> Rewrite {
        if self.body.phones.to_international {
            phone::to_international(raw)
        } else {
            Rewrite { number: raw.to_owned(), changed: false, valid: phone::is_valid_international(raw) }
        }
    }
}

/// Refuses an id the state should not keep (see `MAX_ID_CHARS`).
pub fn check_id(what: &'static str, id: &str) -> Result<(), RouteError> {
    let why = if id.is_empty() {
        "empty"
    } else if id.chars().count() > MAX_ID_CHARS {
        "longer than 64 characters"
    } else if id.chars().any(char::is_control) {
        "holding a control character"
    } else {
        return Ok(());
    };
    Err(RouteError::BadId { what, why })
}

/// Copy batches are bounded by the account's local clock: `hourly` batches
/// end on the next full hour, `daily` ones at the next local midnight,
/// both measured with the account's UTC offset (so a +05:30 account's hours
/// end at :30 UTC). A message exactly on a boundary opens the next batch.
pub fn copy_due_at(mode: CopyDialog, first_pending: i64, utc_offset: i32) -> Option<i64> {
    let next_boundary = |period: i64| {
        let local = first_pending + i64::from(utc_offset);
        (local.div_euclid(period) + 1) * period - i64::from(utc_offset)
    };
    match mode {
        CopyDialog::EachMessage => Some(first_pending),
        CopyDialog::Hourly => Some(next_boundary(3600)),
        CopyDialog::Daily => Some(next_boundary(86_400)),
        CopyDialog::Off => None,
    }
}
