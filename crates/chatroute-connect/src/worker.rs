//! One loop per account: while it holds the account's lease, it queues
//! the runtime's changes of responsible as work, takes the queue's
//! entries in order and does each one's work (`dialog::Job`).
//! A transient failure stops the batch (the entry and those after it are
//! taken again, in order, after a backoff); a permanent one makes the
//! entry a dead letter; a halted account (blocked, token refused) is
//! probed again every minute, its messages kept.

use std::sync::Arc;
use std::time::Duration;

use chatroute_runtime::{AssignmentState, Router};
use chatroute_serve::Service;

use crate::amocrm::{CallError, Caller};
use crate::dialog::{Done, Job};
use crate::store::{Change, Entry, Letter, Store, Work};
use crate::{Connect, notes};

/// Entries taken at a time.
const BATCH: usize = 16;
/// Runtime events queued as work at a time.
const EVENTS_AT_ONCE: usize = 256;
/// Notes due written at a time (a few requests: `NOTES_PER_CALL` a request).
const NOTES_AT_ONCE: usize = 200;
/// How often a worker without work looks at the queue (others' webhooks
/// reach it through the state; its own wake it at once).
const POLL: Duration = Duration::from_millis(200);
const BACKOFF_FIRST: Duration = Duration::from_millis(200);
/// Below the lease, so a backing-off worker keeps it.
const BACKOFF_MAX: Duration = Duration::from_secs(5);
const HALT_PROBE: Duration = Duration::from_secs(60);
/// How often the queue's figures are read for health and metrics.
const OBSERVE: Duration = Duration::from_secs(1);

pub(crate) async fn run<S: AssignmentState + 'static, St: Store>(
    connect: Arc<Connect<St>>,
    service: Service<S>,
    account: String,
) {
    let mut backoff = BACKOFF_FIRST;
    let mut observed: Option<std::time::Instant> = None;
    loop {
        if observed.is_none_or(|at| at.elapsed() >= OBSERVE) {
            observe(&connect, &account).await;
            observed = Some(std::time::Instant::now());
        }
        let pause = match turn(&connect, &service, &account).await {
            Turn::Worked => {
                backoff = BACKOFF_FIRST;
                continue;
            }
            Turn::Idle => POLL,
            Turn::Failed(retry_after) => {
                let wait = retry_after.unwrap_or(backoff).min(BACKOFF_MAX);
                backoff = (backoff * 2).min(BACKOFF_MAX);
                wait
            }
            Turn::Halted => HALT_PROBE,
        };
        let wake = connect.wake.get(&account).map(|w| w.notified());
        match wake {
            Some(wake) => {
                tokio::select! { _ = wake => {}, _ = tokio::time::sleep(pause) => {} }
            }
            None => tokio::time::sleep(pause).await,
        }
    }
}

/// The queue's depth and age and the notes pending, for health and
/// `/metrics` (a state that does not answer leaves the last figures).
async fn observe<St: Store>(connect: &Connect<St>, account: &str) {
    let store = &connect.store;
    let (depth, oldest, notes) =
        (store.depth(account).await, store.oldest_queued_ms(account).await, store.notes_pending(account).await);
    connect.board.update(account, |h| {
        if let (Ok(depth), Ok(oldest), Ok(notes)) = (depth, oldest, notes) {
            h.queue_depth = depth;
            h.queue_age_secs = oldest.map_or(0, |at| ((now_ms() - at) / 1000).max(0) as u64);
            h.notes_pending = notes.iter().map(|(_, n)| n).sum();
        }
    });
}

enum Turn {
    Worked,
    Idle,
    Failed(Option<Duration>),
    Halted,
}

/// One batch of the account's queue, if this instance holds its lease.
async fn turn<S: AssignmentState + 'static, St: Store>(
    connect: &Connect<St>,
    service: &Service<S>,
    account: &str,
) -> Turn {
    let failed = |why: String| {
        connect.board.update(account, |h| h.last_error = Some(why));
        Turn::Failed(None)
    };
    match connect.store.lease(account, &connect.worker).await {
        Ok(true) => {}
        Ok(false) => return Turn::Idle,
        Err(err) => return failed(format!("state: {err}")),
    }
    if let Some(table) = service.table(account) {
        if let Err(why) = follow_events(connect, &table.router, account).await {
            return failed(why);
        }
        match write_notes(connect, &table.router, account).await {
            Ok(()) => {}
            Err(CallError::Halted(why)) => return halted(connect, account, why),
            Err(err) => return failed(err.to_string()),
        }
    }
    let entries = match connect.store.next(account, &connect.worker, BATCH).await {
        Ok(entries) if entries.is_empty() => return Turn::Idle,
        Ok(entries) => entries,
        Err(err) => return failed(format!("state: {err}")),
    };
    for entry in entries {
        // Renewed per entry (and per amoCRM request): a worker that lost
        // it leaves the entry to the instance that has it now.
        if !matches!(connect.store.lease(account, &connect.worker).await, Ok(true)) {
            return Turn::Idle;
        }
        // The table serving now: a reload between two messages applies to the next.
        let Some(table) = service.table(account) else {
            return failed(format!("the table of `{account}` is not serving"));
        };
        if let Err(why) = crate::ready_for(table.router.table()) {
            return failed(why);
        }
        let (amo, _) = &connect.accounts[account];
        let by = Caller { store: &connect.store, worker: &connect.worker };
        let job = Job { amo, by, router: &table.router, account };
        let done = job.run(&entry.work).await;
        if let Some(turn) = settle(connect, account, &entry, done).await {
            return turn;
        }
    }
    Turn::Worked
}

/// The runtime's changes of responsible since the last look (reassigned,
/// assigned from the backlog), queued as work behind what waits, in
/// their order. Queued before the cursor moves, each marked by its event
/// id: a worker that dies between the two queues nothing twice.
async fn follow_events<S: AssignmentState + 'static, St: Store>(
    connect: &Connect<St>,
    router: &Router<S>,
    account: &str,
) -> Result<(), String> {
    if !router.makes_events() {
        return Ok(());
    }
    let store = &connect.store;
    let cursor = store.events_cursor(account).await.map_err(|e| format!("state: {e}"))?;
    let events = router.events(cursor.as_deref(), EVENTS_AT_ONCE).await.map_err(|e| format!("events: {e}"))?;
    let Some(last) = events.last() else { return Ok(()) };
    let work: Vec<Work> = events
        .iter()
        .map(|e| Work::Responsible(Change { event: e.id.clone(), deal: e.deal.clone(), to: e.to.clone() }))
        .collect();
    store.enqueue(account, &work).await.map_err(|e| format!("state: {e}"))?;
    store.save_events_cursor(account, &connect.worker, &last.id).await.map_err(|e| format!("state: {e}"))
}

/// Point 6: the notes whose period ended, each written once. A note
/// marked as being written may be in amoCRM already (its writer died
/// after amoCRM's answer): the deal's notes are looked at for its header
/// first. A note amoCRM refuses for good (its deal deleted) is dropped,
/// counted, its reason the last error.
async fn write_notes<S: AssignmentState + 'static, St: Store>(
    connect: &Connect<St>,
    router: &Router<S>,
    account: &str,
) -> Result<(), CallError> {
    let store = &connect.store;
    let due = store.due_notes(account, now_ms(), NOTES_AT_ONCE).await?;
    if due.is_empty() {
        return Ok(());
    }
    let (amo, _) = &connect.accounts[account];
    let by = Caller { store, worker: &connect.worker };
    let zone = notes::zone_of(router.table());
    let mut texts = Vec::new();
    for note in &due {
        let mut parts = notes::render(&note.meta.header, &note.lines, &zone);
        if note.writing {
            let written = amo.note_headers(&by, note.meta.deal).await?;
            parts.retain(|p| !written.iter().any(|h| p.lines().next() == Some(h.as_str())));
        }
        texts.extend(parts.into_iter().map(|p| (note.meta.deal, p)));
    }
    let keys: Vec<String> = due.iter().map(|n| n.key.clone()).collect();
    store.mark_writing(account, &connect.worker, &keys).await?;
    let refused = amo.add_notes(&by, &texts).await?;
    store.notes_written(account, &connect.worker, &keys).await?;
    connect.board.update(account, |h| {
        h.notes_written += (texts.len() - refused.len()) as u64;
        h.notes_refused += refused.len() as u64;
        if let Some((deal, why)) = refused.last() {
            h.last_error = Some(format!("a note of deal {deal} refused: {why}"));
        }
    });
    Ok(())
}

fn halted<St: Store>(connect: &Connect<St>, account: &str, why: String) -> Turn {
    connect.board.update(account, |h| h.halted = Some(why));
    Turn::Halted
}

/// Records what an entry's work came to; `Some` ends the batch.
async fn settle<St: Store>(
    connect: &Connect<St>,
    account: &str,
    entry: &Entry,
    done: Result<Done, CallError>,
) -> Option<Turn> {
    let store = &connect.store;
    let acked = match done {
        Ok(done) => {
            connect.board.update(account, |h| {
                h.processed += 1;
                h.halted = None;
                match done {
                    Done::Created(_) => h.deals_created += 1,
                    Done::Claimed => h.claims += 1,
                    Done::Reassigned => h.responsible_changes += 1,
                    _ => {}
                }
            });
            store.ack(account, &connect.worker, &entry.id).await
        }
        Err(CallError::Permanent(reason)) => {
            let letter = Letter { work: entry.work.clone(), reason: reason.clone(), at_ms: now_ms() };
            if let Err(err) = store.dead_letter(account, &letter).await {
                return Some(Turn::Failed(None))
                    .inspect(|_| connect.board.update(account, |h| h.last_error = Some(err.to_string())));
            }
            connect.board.update(account, |h| {
                h.dead_letters += 1;
                h.last_error = Some(reason);
            });
            store.ack(account, &connect.worker, &entry.id).await
        }
        Err(CallError::Transient { why, retry_after }) => {
            connect.board.update(account, |h| h.last_error = Some(why));
            return Some(Turn::Failed(retry_after));
        }
        Err(CallError::Halted(why)) => return Some(halted(connect, account, why)),
    };
    match acked {
        Ok(()) => None,
        // Another instance holds the lease: it takes the entry over.
        Err(err) => Some(Turn::Failed(None))
            .inspect(|_| connect.board.update(account, |h| h.last_error = Some(err.to_string()))),
    }
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}
