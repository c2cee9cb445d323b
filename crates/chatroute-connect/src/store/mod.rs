//! The integration's durable state: each account's queue of Wazzup
//! messages (a Redis Stream with a consumer group; in process without
//! Redis), the marks of messages seen, the worker's lease, the record of
//! each dialog, amoCRM's request window and the dead letters.
//!
//! One worker works on an account at a time (the lease): amoCRM allows an
//! account 7 requests a second, which one worker fills, and one worker
//! keeps every dialog's messages in their order. A worker that dies
//! leaves its entries pending; the next lease holder takes them over
//! (`XAUTOCLAIM`) before reading new ones. Writes that end a piece of work
//! (a dialog's record, an acknowledgement) hold only with the lease, so a
//! worker that lost it (paused past its lease) changes nothing.
//!
//! Rust/Lua twins, same names on both sides: `enqueue`, `lease`,
//! `save_dialog`, `save_events_cursor`, `ack`, `slot`, `replay`,
//! `unlock_refresh`, `buffer_line`, `due_notes`, `mark_writing`,
//! `notes_written`.

mod memory;
mod redis;

use std::future::Future;

use serde::{Deserialize, Serialize};

pub use self::memory::MemoryStore;
pub use self::redis::RedisStore;
use crate::notes::Line;
use crate::wazzup::Message;

/// How long a worker's lease lasts without renewal.
pub const LEASE_MS: u64 = 15_000;
/// The window amoCRM's limit is counted in: a second and the jitter of
/// the network (a request slotted at the window's end may arrive after
/// the next one's start), so amoCRM never sees more than the limit in
/// any second of its own clock.
pub const WINDOW_MS: u64 = 1100;
/// How long a refresh may hold the account's refresh lock: its one
/// request (at most 10 s) and the state's write. A refresh that died
/// holding it delays the next by this much.
pub const REFRESH_LOCK_MS: u64 = 12_000;
/// How long a message id is remembered against duplicates.
pub const SEEN_TTL_SECS: u64 = 7 * 24 * 3600;

/// A piece of the account's work, in the one queue that keeps its order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "work", rename_all = "snake_case")]
pub enum Work {
    /// A Wazzup message.
    Message(Box<Message>),
    /// A change of responsible the runtime made (reassigned, or assigned
    /// from the backlog), to apply to the deal in amoCRM.
    Responsible(Change),
}

/// A runtime event's change of responsible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The runtime's event id.
    pub event: String,
    /// The runtime's deal (`Dialog::runtime_id`).
    pub deal: String,
    /// The employee who has it now.
    pub to: String,
}

impl Work {
    /// What makes it the same work when it comes again.
    pub fn mark(&self) -> String {
        match self {
            Work::Message(m) => m.message_id.clone(),
            Work::Responsible(c) => format!("event:{}", c.event),
        }
    }
}

/// The queueing time of an entry id (`ms-seq`).
pub fn queued_ms(id: &str) -> Option<i64> {
    id.split('-').next()?.parse().ok()
}

/// A queued piece of work and its entry id.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub work: Work,
}

/// What the worker knows of one dialog (a chat on a channel).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dialog {
    /// The amoCRM deal its messages belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<u64>,
    /// A deal about to be created (written before the call): whoever
    /// finds it looks in amoCRM for that deal before creating one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creating: Option<Creating>,
    /// First responder: a manager's answer claimed it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub claimed: bool,
    /// How many of its deals closed: each deal of a dialog is a deal of
    /// its own to the runtime (its count, its timer, its member).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub round: u32,
    /// The client's chat id (the runtime's contact, for returning clients).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat: Option<String>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Dialog {
    /// The runtime's id of the dialog's current deal: the dialog's key,
    /// and its round after the first.
    pub fn runtime_id(&self, key: &str) -> String {
        match self.round {
            0 => key.to_owned(),
            round => format!("{key}/{round}"),
        }
    }

    /// The dialog key of a runtime deal id.
    pub fn key_of(runtime_id: &str) -> &str {
        match runtime_id.rsplit_once('/') {
            Some((key, round)) if round.parse::<u32>().is_ok() => key,
            _ => runtime_id,
        }
    }

    /// The dialog settled on `deal`, nothing pending.
    pub fn settled(&self, deal: u64, contact: Option<u64>) -> Dialog {
        Dialog { deal: Some(deal), contact, creating: None, claimed: false, ..self.clone() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Creating {
    /// When the call was about to be made (ms since the Unix epoch).
    pub since_ms: i64,
}

/// Work whose CRM part failed for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Letter {
    pub work: Work,
    pub reason: String,
    /// When it failed (ms since the Unix epoch).
    pub at_ms: i64,
}

/// What a period's note is about: the deal it goes to and its header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteMeta {
    pub deal: u64,
    pub header: String,
}

/// A period's note whose time came.
#[derive(Debug, Clone)]
pub struct PendingNote {
    /// `deal:channel:period`, unique per note.
    pub key: String,
    pub meta: NoteMeta,
    pub lines: Vec<Line>,
    /// A worker was writing it: it may be in amoCRM already.
    pub writing: bool,
}

/// Why the state could not do it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Unavailable(String),
    /// Another worker holds the account's lease now.
    #[error("the lease of the account's worker passed to another instance")]
    LeaseLost,
}

impl From<chatroute_runtime::StateError> for StoreError {
    fn from(err: chatroute_runtime::StateError) -> Self {
        StoreError::Unavailable(err.to_string())
    }
}

/// The integration's state, in process or in Redis.
pub trait Store: Send + Sync + 'static {
    /// Queues the work not seen before (by `Work::mark`), each with its
    /// mark, atomically; how many were new.
    fn enqueue(&self, account: &str, work: &[Work]) -> impl Future<Output = Result<usize, StoreError>> + Send;

    /// The last runtime event queued as work.
    fn events_cursor(&self, account: &str) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;

    /// Moves the cursor of runtime events (with the lease).
    fn save_events_cursor(
        &self,
        account: &str,
        worker: &str,
        event: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Takes or renews the account's lease for `worker`: whether it holds it.
    fn lease(&self, account: &str, worker: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Up to `max` entries: the ones a worker left unacknowledged first
    /// (taken over), else new ones; none when nothing waits (the call never
    /// blocks: the connection is shared).
    fn next(
        &self,
        account: &str,
        worker: &str,
        max: usize,
    ) -> impl Future<Output = Result<Vec<Entry>, StoreError>> + Send;

    /// The entry's work is done (with the lease).
    fn ack(&self, account: &str, worker: &str, id: &str) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn dialog(&self, account: &str, key: &str) -> impl Future<Output = Result<Dialog, StoreError>> + Send;

    /// The dialog a deal belongs to (recorded by `save_dialog`).
    fn dialog_of(&self, account: &str, deal: u64) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;

    /// Writes a dialog's record (with the lease), and its deal's way back
    /// to it.
    fn save_dialog(
        &self,
        account: &str,
        worker: &str,
        key: &str,
        dialog: &Dialog,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A request to amoCRM by `worker` (its lease checked and renewed),
    /// if the account's last `WINDOW_MS` hold fewer than `per_second`
    /// (counted whatever their answer); else how many milliseconds until
    /// one leaves the window.
    fn slot(
        &self,
        account: &str,
        worker: &str,
        per_second: u32,
    ) -> impl Future<Output = Result<Result<(), u64>, StoreError>> + Send;

    fn dead_letter(&self, account: &str, letter: &Letter) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn dead_letters(&self, account: &str) -> impl Future<Output = Result<Vec<Letter>, StoreError>> + Send;

    /// Queues every dead letter's work again (their marks kept): how many.
    fn replay(&self, account: &str) -> impl Future<Output = Result<usize, StoreError>> + Send;

    /// Adds a line to a period's note (with the lease), due at `due_ms`.
    fn buffer_line(
        &self,
        account: &str,
        worker: &str,
        key: &str,
        due_ms: i64,
        meta: &NoteMeta,
        line: &Line,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Up to `limit` notes due at `now_ms`, the earliest first.
    fn due_notes(
        &self,
        account: &str,
        now_ms: i64,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<PendingNote>, StoreError>> + Send;

    /// These notes are being written (with the lease).
    fn mark_writing(
        &self,
        account: &str,
        worker: &str,
        keys: &[String],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// These notes are in amoCRM: forgotten (with the lease).
    fn notes_written(
        &self,
        account: &str,
        worker: &str,
        keys: &[String],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Notes not yet written, by when they are due (ms since the Unix
    /// epoch), the earliest first.
    fn notes_pending(&self, account: &str) -> impl Future<Output = Result<Vec<(i64, u64)>, StoreError>> + Send;

    /// An OAuth account's tokens, sealed (`oauth::Session`).
    fn oauth(&self, account: &str) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;

    fn save_oauth(&self, account: &str, sealed: &str) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Takes the account's refresh lock for `worker` (for `REFRESH_LOCK_MS`
    /// at most): whether it has it.
    fn lock_refresh(&self, account: &str, worker: &str) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Gives the refresh lock back, if `worker` still has it.
    fn unlock_refresh(&self, account: &str, worker: &str) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// When the oldest entry not yet acknowledged was queued (ms since the
    /// Unix epoch; entry ids are `ms-seq` in both states).
    fn oldest_queued_ms(&self, account: &str) -> impl Future<Output = Result<Option<i64>, StoreError>> + Send;

    /// Entries queued and not yet acknowledged.
    fn depth(&self, account: &str) -> impl Future<Output = Result<u64, StoreError>> + Send;
}
