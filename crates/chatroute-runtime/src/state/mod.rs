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

mod cycle;
pub mod events;
mod in_process;
mod memory;
mod simulated;

use std::collections::BTreeMap;
use std::time::Duration;

pub(crate) use self::cycle::member_at;

use self::events::{Draining, Due, Event, EventId, Reassigning};
pub use self::in_process::InProcess;
pub use self::simulated::Simulated;

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

/// A deal handed to someone by a person (`AssignmentState::hand_over`).
#[derive(Debug, Clone, Copy)]
pub struct HandOver<'a> {
    pub account: &'a str,
    pub deal: &'a str,
    pub employee: &'a str,
    /// The client, who follows their new owner (`returning_clients`).
    pub contact: Option<&'a str>,
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

    /// A person made `employee` responsible for `deal` (in the CRM): an
    /// open deal's count moves to them, a waiting one opens for them, and
    /// either way its timer stops and it leaves its queue; a deal not
    /// known stays unknown, and a deal already theirs is left as it is.
    /// With a contact, the contact's next deal goes to them (returning
    /// clients). Returns who had it; `None` for a deal not open.
    fn hand_over(&self, hand_over: &HandOver<'_>) -> impl Future<Output = Result<Option<String>, StateError>> + Send;

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
