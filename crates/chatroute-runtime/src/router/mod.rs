//! `Router`: the routing questions of a loaded table, answered with the
//! assignment state. The facade of the runtime: deciding new deals here,
//! the pick and the offer in `pick`, working hours in `hours`, what time
//! does (ticks, events) in `ticks`, access and the shared chat in
//! `access`, ids in `ids`.

mod access;
mod hours;
mod ids;
mod pick;
mod ticks;

use std::collections::BTreeMap;
use std::sync::Arc;

use chatroute_table::keywords::{NameOrId, ReturningClients, WhenNobody};
use chatroute_table::{AssignmentRoute, Body, ChannelRoute, EmployeeRoute, TableFile};
use jiff::Timestamp;

pub use self::access::AfterCloseAction;
use self::hours::{HoursCache, scheduled_members};
pub use self::ids::MAX_ID_CHARS;
pub(crate) use self::ids::check_id;
use self::pick::{Round, availability_rules};
pub use self::ticks::TICK_BATCH;
use crate::error::RouteError;
use crate::state::{AssignmentState, Claimed, Claiming, HandOver, member_at};
use chatroute_table::schedule::{Clock, ScheduleRoute};

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

/// A loaded table and the assignment state it decides with.
pub struct Router<S: AssignmentState> {
    body: Body,
    /// Shared with the service's other tables (a reload keeps every
    /// cursor, claim and count).
    state: Arc<S>,
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

impl<S: AssignmentState> Router<S> {
    /// A router on its own state.
    pub fn new(table: TableFile, state: S) -> Self {
        Self::shared(table, Arc::new(state))
    }

    /// A router on a state other routers share: successive tables of a
    /// service, the accounts of `serve DIR`.
    pub fn shared(table: TableFile, state: Arc<S>) -> Self {
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

    pub(super) fn channel(&self, id: &str) -> Result<&ChannelRoute, RouteError> {
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
        if request.deal.is_none() && counts_deals(&route.assignment) {
            return Err(RouteError::DealIdRequired(channel.to_owned()));
        }
        let (responsible, ticket) = match &route.assignment {
            AssignmentRoute::RoundRobin { cycle, availability, returning_clients, reassign, .. } => {
                let returning = *returning_clients == ReturningClients::Owner && request.contact.is_some();
                // A channel with timers moves its cursor only in picks, each
                // atomic with the timers' moves of it; a deal with an id
                // goes through the book, so deciding it again (a worker
                // retrying after a crash) gets the same member and no new
                // position.
                if availability.is_plain() && !returning && reassign.is_none() && request.deal.is_none() {
                    let ticket = self.state.next_ticket(&self.cursors[channel]).await?;
                    (Responsible::Employee(member_at(cycle, ticket)), Some(ticket))
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

    /// A person made `employee` responsible for `deal` in the CRM: it is
    /// theirs here too (its open count moves to them, its reply timer
    /// stops, a waiting deal waits no more), and `contact`'s next deal goes
    /// to them where returning clients go to their owner. A change the
    /// router made itself, coming back, changes nothing. Who had it before;
    /// `None` for a deal not open here (left unknown).
    pub async fn hand_over(
        &self,
        deal: &str,
        employee: &str,
        contact: Option<&str>,
    ) -> Result<Option<String>, RouteError> {
        check_id("deal", deal)?;
        contact.map(|c| check_id("contact", c)).transpose()?;
        self.employee(employee)?;
        let hand_over = HandOver { account: &self.body.account, deal, employee, contact };
        Ok(self.state.hand_over(&hand_over).await?)
    }

    /// `employee` replied in the deal's dialog: its timer stops (the deal
    /// stays theirs). Whether it was waiting for a reply.
    pub async fn reply(&self, deal: &str, employee: &str) -> Result<bool, RouteError> {
        check_id("deal", deal)?;
        self.employee(employee)?;
        Ok(self.state.replied(&self.body.account, deal).await?)
    }
}

/// Whether an assignment counts open deals (`max_open`) or times them
/// (`reassign_after`): its decisions need deal ids.
fn counts_deals(assignment: &AssignmentRoute) -> bool {
    let timed = matches!(assignment, AssignmentRoute::RoundRobin { reassign: Some(_), .. });
    timed || !assignment.availability().max_open.is_empty()
}

/// Milliseconds since the Unix epoch of an instant: the time timers and
/// the Redis deal book run on, the same on every instance up to their
/// clocks' skew (seconds, against lifetimes of days).
pub(crate) fn unix_ms(at: Timestamp) -> u64 {
    u64::try_from(at.as_millisecond()).unwrap_or(0)
}
