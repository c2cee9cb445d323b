//! The integration's state in process: lost with the process (a message
//! acknowledged to Wazzup and not yet worked on is lost with it; the
//! README says so). One process is one worker: the lease is always held.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{Dialog, Entry, Letter, NoteMeta, PendingNote, SEEN_TTL_SECS, Store, StoreError, WINDOW_MS, Work};
use crate::notes::Line;

#[derive(Default)]
struct Account {
    seen: HashMap<String, Instant>,
    queue: VecDeque<Entry>,
    /// Delivered, not yet acknowledged, in order.
    pending: Vec<Entry>,
    dialogs: HashMap<String, Dialog>,
    /// Deal -> its dialog.
    deals: HashMap<u64, String>,
    /// When each request of the window was made.
    window: VecDeque<Instant>,
    dead: Vec<Letter>,
    next_id: u64,
    oauth: Option<String>,
    refreshing: Option<String>,
    events_cursor: Option<String>,
    notes: HashMap<String, Note>,
}

/// A period's note, until it is written.
struct Note {
    due_ms: i64,
    meta: NoteMeta,
    lines: Vec<Line>,
    writing: bool,
}

impl Account {
    fn push(&mut self, work: Work) {
        self.next_id += 1;
        let id = format!("{}-{}", crate::worker::now_ms(), self.next_id);
        self.queue.push_back(Entry { id, work });
    }
}

/// In-process state for every account.
#[derive(Default)]
pub struct MemoryStore {
    accounts: Mutex<HashMap<String, Account>>,
}

impl MemoryStore {
    fn with<T>(&self, account: &str, f: impl FnOnce(&mut Account) -> T) -> T {
        let mut accounts = self.accounts.lock().unwrap_or_else(|p| p.into_inner());
        f(accounts.entry(account.to_owned()).or_default())
    }
}

impl Store for MemoryStore {
    async fn enqueue(&self, account: &str, work: &[Work]) -> Result<usize, StoreError> {
        let now = Instant::now();
        Ok(self.with(account, |a| {
            a.seen.retain(|_, at| now.duration_since(*at) < Duration::from_secs(SEEN_TTL_SECS));
            let mut new = 0;
            for work in work {
                if a.seen.insert(work.mark(), now).is_none() {
                    a.push(work.clone());
                    new += 1;
                }
            }
            new
        }))
    }

    async fn events_cursor(&self, account: &str) -> Result<Option<String>, StoreError> {
        Ok(self.with(account, |a| a.events_cursor.clone()))
    }

    async fn save_events_cursor(&self, account: &str, _: &str, event: &str) -> Result<(), StoreError> {
        self.with(account, |a| a.events_cursor = Some(event.to_owned()));
        Ok(())
    }

    async fn lease(&self, _: &str, _: &str) -> Result<bool, StoreError> {
        Ok(true)
    }

    async fn next(&self, account: &str, _: &str, max: usize) -> Result<Vec<Entry>, StoreError> {
        Ok(self.with(account, |a| {
            if a.pending.is_empty() {
                let taken = a.queue.len().min(max);
                a.pending.extend(a.queue.drain(..taken));
            }
            a.pending.iter().take(max).cloned().collect()
        }))
    }

    async fn ack(&self, account: &str, _: &str, id: &str) -> Result<(), StoreError> {
        self.with(account, |a| a.pending.retain(|e| e.id != id));
        Ok(())
    }

    async fn dialog(&self, account: &str, key: &str) -> Result<Dialog, StoreError> {
        Ok(self.with(account, |a| a.dialogs.get(key).cloned().unwrap_or_default()))
    }

    async fn dialog_of(&self, account: &str, deal: u64) -> Result<Option<String>, StoreError> {
        Ok(self.with(account, |a| a.deals.get(&deal).cloned()))
    }

    async fn save_dialog(&self, account: &str, _: &str, key: &str, dialog: &Dialog) -> Result<(), StoreError> {
        self.with(account, |a| {
            if let Some(deal) = dialog.deal {
                a.deals.insert(deal, key.to_owned());
            }
            a.dialogs.insert(key.to_owned(), dialog.clone())
        });
        Ok(())
    }

    async fn slot(&self, account: &str, _: &str, per_second: u32) -> Result<Result<(), u64>, StoreError> {
        let (now, window) = (Instant::now(), Duration::from_millis(WINDOW_MS));
        Ok(self.with(account, |a| {
            while a.window.front().is_some_and(|t| now.duration_since(*t) >= window) {
                a.window.pop_front();
            }
            if a.window.len() < per_second as usize {
                a.window.push_back(now);
                return Ok(());
            }
            let oldest = a.window.front().copied().unwrap_or(now);
            Err(window.saturating_sub(now.duration_since(oldest)).as_millis() as u64 + 1)
        }))
    }

    async fn dead_letter(&self, account: &str, letter: &Letter) -> Result<(), StoreError> {
        self.with(account, |a| a.dead.push(letter.clone()));
        Ok(())
    }

    async fn dead_letters(&self, account: &str) -> Result<Vec<Letter>, StoreError> {
        Ok(self.with(account, |a| a.dead.clone()))
    }

    async fn replay(&self, account: &str) -> Result<usize, StoreError> {
        Ok(self.with(account, |a| {
            let letters = std::mem::take(&mut a.dead);
            let count = letters.len();
            for letter in letters {
                a.push(letter.work);
            }
            count
        }))
    }

    async fn buffer_line(
        &self,
        account: &str,
        _: &str,
        key: &str,
        due_ms: i64,
        meta: &NoteMeta,
        line: &Line,
    ) -> Result<(), StoreError> {
        self.with(account, |a| {
            let new = || Note { due_ms, meta: meta.clone(), lines: Vec::new(), writing: false };
            a.notes.entry(key.to_owned()).or_insert_with(new).lines.push(line.clone());
        });
        Ok(())
    }

    async fn due_notes(&self, account: &str, now_ms: i64, limit: usize) -> Result<Vec<PendingNote>, StoreError> {
        Ok(self.with(account, |a| {
            let mut due: Vec<(&String, &Note)> = a.notes.iter().filter(|(_, n)| n.due_ms <= now_ms).collect();
            due.sort_by_key(|(key, n)| (n.due_ms, *key));
            let pending = |(key, n): (&String, &Note)| PendingNote {
                key: key.clone(),
                meta: n.meta.clone(),
                lines: n.lines.clone(),
                writing: n.writing,
            };
            due.into_iter().take(limit).map(pending).collect()
        }))
    }

    async fn mark_writing(&self, account: &str, _: &str, keys: &[String]) -> Result<(), StoreError> {
        self.with(account, |a| {
            for key in keys {
                if let Some(note) = a.notes.get_mut(key) {
                    note.writing = true;
                }
            }
        });
        Ok(())
    }

    async fn notes_written(&self, account: &str, _: &str, keys: &[String]) -> Result<(), StoreError> {
        self.with(account, |a| keys.iter().for_each(|k| drop(a.notes.remove(k))));
        Ok(())
    }

    async fn notes_pending(&self, account: &str) -> Result<Vec<(i64, u64)>, StoreError> {
        Ok(self.with(account, |a| {
            let mut by_due = std::collections::BTreeMap::new();
            for note in a.notes.values() {
                *by_due.entry(note.due_ms).or_insert(0) += 1;
            }
            by_due.into_iter().collect()
        }))
    }

    async fn oauth(&self, account: &str) -> Result<Option<String>, StoreError> {
        Ok(self.with(account, |a| a.oauth.clone()))
    }

    async fn save_oauth(&self, account: &str, sealed: &str) -> Result<(), StoreError> {
        self.with(account, |a| a.oauth = Some(sealed.to_owned()));
        Ok(())
    }

    async fn lock_refresh(&self, account: &str, worker: &str) -> Result<bool, StoreError> {
        Ok(self.with(account, |a| match &a.refreshing {
            Some(holder) => holder == worker,
            None => {
                a.refreshing = Some(worker.to_owned());
                true
            }
        }))
    }

    async fn unlock_refresh(&self, account: &str, worker: &str) -> Result<(), StoreError> {
        self.with(account, |a| {
            if a.refreshing.as_deref() == Some(worker) {
                a.refreshing = None;
            }
        });
        Ok(())
    }

    async fn oldest_queued_ms(&self, account: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.with(account, |a| a.pending.first().or(a.queue.front()).and_then(|e| super::queued_ms(&e.id))))
    }

    async fn depth(&self, account: &str) -> Result<u64, StoreError> {
        Ok(self.with(account, |a| (a.queue.len() + a.pending.len()) as u64))
    }
}
