//! The integration's state in Redis, beside the routing state and on its
//! connection: every key under the account's prefix (one hash tag, one
//! cluster slot), then `connect:` and `inbox` (the stream, consumer group
//! `workers`), `seen:<mark>` (expiring marks of work queued), `lease`, `dialogs`
//! (dialog key -> record), `deals` (deal -> dialog key), `window`
//! (amoCRM's last requests), `dead`, `events-cursor` (the last runtime
//! event queued as work), the dialog copy's notes (`notes-due`, a sorted
//! set of each note's key by its due time, `notes-meta` their headers,
//! `note:<key>` their lines, `notes-writing` those being written), and for OAuth accounts `oauth` (the tokens,
//! sealed) and `refresh-lock`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chatroute_runtime::redis::{RedisState, account_prefix};
use redis::streams::{StreamAutoClaimReply, StreamId, StreamRangeReply, StreamReadReply};
use redis::{Script, Value};

use super::{
    Dialog, Entry, LEASE_MS, Letter, NoteMeta, PendingNote, REFRESH_LOCK_MS, SEEN_TTL_SECS, Store, StoreError,
    WINDOW_MS, Work,
};
use crate::notes::Line;

const GROUP: &str = "workers";

struct Scripts {
    enqueue: Script,
    lease: Script,
    save_dialog: Script,
    ack: Script,
    slot: Script,
    replay: Script,
    unlock_refresh: Script,
    save_events_cursor: Script,
    buffer_line: Script,
    due_notes: Script,
    mark_writing: Script,
    notes_written: Script,
}

/// The integration's state on the routing state's Redis.
pub struct RedisStore {
    redis: Arc<RedisState>,
    scripts: Scripts,
    /// Makes each request's member of the window unique.
    requests: AtomicU64,
    lease_ms: u64,
}

struct Keys(String);

impl Keys {
    fn new(account: &str) -> Self {
        Keys(format!("{}connect:", account_prefix(account)))
    }

    fn at(&self, name: &str) -> String {
        format!("{}{name}", self.0)
    }
}

impl RedisStore {
    pub fn new(redis: Arc<RedisState>) -> Self {
        let scripts = Scripts {
            enqueue: Script::new(include_str!("scripts/enqueue.lua")),
            lease: Script::new(include_str!("scripts/lease.lua")),
            save_dialog: Script::new(include_str!("scripts/save_dialog.lua")),
            ack: Script::new(include_str!("scripts/ack.lua")),
            slot: Script::new(include_str!("scripts/slot.lua")),
            replay: Script::new(include_str!("scripts/replay.lua")),
            unlock_refresh: Script::new(include_str!("scripts/unlock_refresh.lua")),
            save_events_cursor: Script::new(include_str!("scripts/save_events_cursor.lua")),
            buffer_line: Script::new(include_str!("scripts/buffer_line.lua")),
            due_notes: Script::new(include_str!("scripts/due_notes.lua")),
            mark_writing: Script::new(include_str!("scripts/mark_writing.lua")),
            notes_written: Script::new(include_str!("scripts/notes_written.lua")),
        };
        RedisStore { redis, scripts, requests: AtomicU64::new(0), lease_ms: LEASE_MS }
    }

    /// A worker's lease lasts `lease` without renewal (instead of
    /// `LEASE_MS`): how soon another instance takes over a dead one's
    /// accounts.
    pub fn with_lease(mut self, lease: std::time::Duration) -> Self {
        self.lease_ms = (lease.as_millis() as u64).max(1000);
        self
    }

    /// A script that writes only while the worker holds the lease.
    async fn leased(&self, script: &Script, keys: &[String], args: &[String]) -> Result<(), StoreError> {
        match self.redis.eval::<Value>(script, keys, args).await {
            Ok(_) => Ok(()),
            Err(err) if err.to_string().contains("LEASE") => Err(StoreError::LeaseLost),
            Err(err) => Err(err.into()),
        }
    }
}

fn entries(ids: Vec<StreamId>) -> Vec<Entry> {
    ids.into_iter()
        .filter_map(|id| {
            let raw: String = id.get("m")?;
            // An entry no build could have written is skipped, not a stuck queue.
            let work: Work = serde_json::from_str(&raw).ok()?;
            Some(Entry { id: id.id, work })
        })
        .collect()
}

impl Store for RedisStore {
    async fn enqueue(&self, account: &str, work: &[Work]) -> Result<usize, StoreError> {
        let keys = Keys::new(account);
        let mut script_keys = vec![keys.at("inbox")];
        let mut args = vec![SEEN_TTL_SECS.to_string(), GROUP.to_owned()];
        for work in work {
            script_keys.push(keys.at(&format!("seen:{}", work.mark())));
            args.push(serde_json::to_string(work).unwrap_or_default());
        }
        let new: u64 = self.redis.eval(&self.scripts.enqueue, &script_keys, &args).await?;
        Ok(new as usize)
    }

    async fn events_cursor(&self, account: &str) -> Result<Option<String>, StoreError> {
        let mut get = redis::cmd("GET");
        get.arg(Keys::new(account).at("events-cursor"));
        Ok(self.redis.command(get).await?)
    }

    async fn save_events_cursor(&self, account: &str, worker: &str, event: &str) -> Result<(), StoreError> {
        let keys = Keys::new(account);
        let args = [worker.to_owned(), event.to_owned()];
        self.leased(&self.scripts.save_events_cursor, &[keys.at("lease"), keys.at("events-cursor")], &args).await
    }

    async fn lease(&self, account: &str, worker: &str) -> Result<bool, StoreError> {
        let keys = Keys::new(account);
        let args = [worker.to_owned(), self.lease_ms.to_string(), GROUP.to_owned()];
        let held: u64 = self.redis.eval(&self.scripts.lease, &[keys.at("lease"), keys.at("inbox")], &args).await?;
        Ok(held == 1)
    }

    async fn next(&self, account: &str, worker: &str, max: usize) -> Result<Vec<Entry>, StoreError> {
        let inbox = Keys::new(account).at("inbox");
        // Entries a worker left unacknowledged (this one before a failure,
        // or one that died): the lease holder takes them all over.
        let mut claim = redis::cmd("XAUTOCLAIM");
        claim.arg(&inbox).arg(GROUP).arg(worker).arg(0).arg("0-0").arg("COUNT").arg(max);
        let claimed: StreamAutoClaimReply = self.redis.command(claim).await?;
        if !claimed.claimed.is_empty() {
            return Ok(entries(claimed.claimed));
        }
        let mut read = redis::cmd("XREADGROUP");
        read.arg("GROUP").arg(GROUP).arg(worker).arg("COUNT").arg(max).arg("STREAMS").arg(&inbox).arg(">");
        let reply: Option<StreamReadReply> = self.redis.command(read).await?;
        Ok(reply.map(|r| r.keys.into_iter().flat_map(|k| entries(k.ids)).collect()).unwrap_or_default())
    }

    async fn ack(&self, account: &str, worker: &str, id: &str) -> Result<(), StoreError> {
        let keys = Keys::new(account);
        let args = [worker.to_owned(), GROUP.to_owned(), id.to_owned()];
        self.leased(&self.scripts.ack, &[keys.at("lease"), keys.at("inbox")], &args).await
    }

    async fn dialog(&self, account: &str, key: &str) -> Result<Dialog, StoreError> {
        let mut get = redis::cmd("HGET");
        get.arg(Keys::new(account).at("dialogs")).arg(key);
        let raw: Option<String> = self.redis.command(get).await?;
        Ok(raw.and_then(|r| serde_json::from_str(&r).ok()).unwrap_or_default())
    }

    async fn save_dialog(&self, account: &str, worker: &str, key: &str, dialog: &Dialog) -> Result<(), StoreError> {
        let keys = Keys::new(account);
        let record = serde_json::to_string(dialog).unwrap_or_default();
        let deal = dialog.deal.map(|d| d.to_string()).unwrap_or_default();
        let args = [worker.to_owned(), key.to_owned(), record, deal];
        let script_keys = [keys.at("lease"), keys.at("dialogs"), keys.at("deals")];
        self.leased(&self.scripts.save_dialog, &script_keys, &args).await
    }

    async fn dialog_of(&self, account: &str, deal: u64) -> Result<Option<String>, StoreError> {
        let mut get = redis::cmd("HGET");
        get.arg(Keys::new(account).at("deals")).arg(deal);
        Ok(self.redis.command(get).await?)
    }

    async fn slot(&self, account: &str, worker: &str, per_second: u32) -> Result<Result<(), u64>, StoreError> {
        let keys = Keys::new(account);
        let member = format!("{worker}:{}", self.requests.fetch_add(1, Ordering::Relaxed));
        let args =
            [per_second.to_string(), member, WINDOW_MS.to_string(), worker.to_owned(), self.lease_ms.to_string()];
        let wait = self.redis.eval::<u64>(&self.scripts.slot, &[keys.at("window"), keys.at("lease")], &args).await;
        match wait {
            Ok(0) => Ok(Ok(())),
            Ok(wait) => Ok(Err(wait)),
            Err(err) if err.to_string().contains("LEASE") => Err(StoreError::LeaseLost),
            Err(err) => Err(err.into()),
        }
    }

    async fn dead_letter(&self, account: &str, letter: &Letter) -> Result<(), StoreError> {
        let mut push = redis::cmd("RPUSH");
        push.arg(Keys::new(account).at("dead")).arg(serde_json::to_string(letter).unwrap_or_default());
        self.redis.command::<Value>(push).await?;
        Ok(())
    }

    async fn dead_letters(&self, account: &str) -> Result<Vec<Letter>, StoreError> {
        let mut range = redis::cmd("LRANGE");
        range.arg(Keys::new(account).at("dead")).arg(0).arg(-1);
        let raw: Vec<String> = self.redis.command(range).await?;
        Ok(raw.iter().filter_map(|r| serde_json::from_str(r).ok()).collect())
    }

    async fn replay(&self, account: &str) -> Result<usize, StoreError> {
        let keys = Keys::new(account);
        let count: u64 = self.redis.eval(&self.scripts.replay, &[keys.at("dead"), keys.at("inbox")], &[]).await?;
        Ok(count as usize)
    }

    async fn buffer_line(
        &self,
        account: &str,
        worker: &str,
        key: &str,
        due_ms: i64,
        meta: &NoteMeta,
        line: &Line,
    ) -> Result<(), StoreError> {
        let keys = Keys::new(account);
        let script_keys =
            [keys.at("lease"), keys.at("notes-due"), keys.at("notes-meta"), keys.at(&format!("note:{key}"))];
        let (meta, line) =
            (serde_json::to_string(meta).unwrap_or_default(), serde_json::to_string(line).unwrap_or_default());
        let args = [worker.to_owned(), key.to_owned(), due_ms.to_string(), meta, line];
        self.leased(&self.scripts.buffer_line, &script_keys, &args).await
    }

    async fn due_notes(&self, account: &str, now_ms: i64, limit: usize) -> Result<Vec<PendingNote>, StoreError> {
        let keys = Keys::new(account);
        let script_keys = [keys.at("notes-due"), keys.at("notes-meta"), keys.at("notes-writing")];
        let args = [now_ms.to_string(), limit.to_string(), keys.at("note:")];
        let due: Vec<(String, String, i64, Vec<String>)> =
            self.redis.eval(&self.scripts.due_notes, &script_keys, &args).await?;
        Ok(due
            .into_iter()
            .filter_map(|(key, meta, writing, lines)| {
                let meta = serde_json::from_str(&meta).ok()?;
                let lines = lines.iter().filter_map(|l| serde_json::from_str(l).ok()).collect();
                Some(PendingNote { key, meta, lines, writing: writing == 1 })
            })
            .collect())
    }

    async fn mark_writing(&self, account: &str, worker: &str, keys: &[String]) -> Result<(), StoreError> {
        let names = Keys::new(account);
        let args: Vec<String> = std::iter::once(worker.to_owned()).chain(keys.iter().cloned()).collect();
        self.leased(&self.scripts.mark_writing, &[names.at("lease"), names.at("notes-writing")], &args).await
    }

    async fn notes_written(&self, account: &str, worker: &str, keys: &[String]) -> Result<(), StoreError> {
        let names = Keys::new(account);
        let script_keys = [names.at("lease"), names.at("notes-due"), names.at("notes-meta"), names.at("notes-writing")];
        let args: Vec<String> =
            [worker.to_owned(), names.at("note:")].into_iter().chain(keys.iter().cloned()).collect();
        self.leased(&self.scripts.notes_written, &script_keys, &args).await
    }

    async fn notes_pending(&self, account: &str) -> Result<Vec<(i64, u64)>, StoreError> {
        let mut all = redis::cmd("ZRANGE");
        all.arg(Keys::new(account).at("notes-due")).arg(0).arg(-1).arg("WITHSCORES");
        let notes: Vec<(String, i64)> = self.redis.command(all).await?;
        let mut by_due: Vec<(i64, u64)> = Vec::new();
        for (_, due) in notes {
            match by_due.last_mut() {
                Some((at, n)) if *at == due => *n += 1,
                _ => by_due.push((due, 1)),
            }
        }
        Ok(by_due)
    }

    async fn oauth(&self, account: &str) -> Result<Option<String>, StoreError> {
        let mut get = redis::cmd("GET");
        get.arg(Keys::new(account).at("oauth"));
        Ok(self.redis.command(get).await?)
    }

    async fn save_oauth(&self, account: &str, sealed: &str) -> Result<(), StoreError> {
        let mut set = redis::cmd("SET");
        set.arg(Keys::new(account).at("oauth")).arg(sealed);
        self.redis.command::<Value>(set).await?;
        Ok(())
    }

    async fn lock_refresh(&self, account: &str, worker: &str) -> Result<bool, StoreError> {
        let mut set = redis::cmd("SET");
        set.arg(Keys::new(account).at("refresh-lock")).arg(worker).arg("NX").arg("PX").arg(REFRESH_LOCK_MS);
        let taken: Option<String> = self.redis.command(set).await?;
        Ok(taken.is_some())
    }

    async fn unlock_refresh(&self, account: &str, worker: &str) -> Result<(), StoreError> {
        let keys = [Keys::new(account).at("refresh-lock")];
        self.redis.eval::<Value>(&self.scripts.unlock_refresh, &keys, &[worker.to_owned()]).await?;
        Ok(())
    }

    async fn oldest_queued_ms(&self, account: &str) -> Result<Option<i64>, StoreError> {
        let mut first = redis::cmd("XRANGE");
        first.arg(Keys::new(account).at("inbox")).arg("-").arg("+").arg("COUNT").arg(1);
        let reply: StreamRangeReply = self.redis.command(first).await?;
        Ok(reply.ids.first().and_then(|e| super::queued_ms(&e.id)))
    }

    async fn depth(&self, account: &str) -> Result<u64, StoreError> {
        let mut len = redis::cmd("XLEN");
        len.arg(Keys::new(account).at("inbox"));
        Ok(self.redis.command(len).await?)
    }
}
