//! Assignment state in Redis, shared by every instance of a runtime service.
//!
//! - Round-robin cursor: `INCR chatroute:rr:<account>:<channel>`; Redis
//!   executes commands one at a time, so every ticket is handed out once.
//! - First-responder claim: one Lua script does `SET key employee NX EX ttl`
//!   and, when the key exists, `GET key`, atomically: the first claimant
//!   wins and every later one reads the same winner.
//!
//! Faults: connecting is retried with backoff (50, 100, 200 ms) because a
//! command that never reached Redis cannot have run. A command that was sent
//! and got no answer within the timeout is *not* retried: it may have run,
//! and running it twice could skip a position or split a claim. The call
//! fails with `StateError::Unavailable`; the caller keeps the message and
//! asks again later. The worst a lost reply does is skip one cursor
//! position once; a deal is never given to two employees.

use std::sync::Mutex;
use std::time::Duration;

use redis::{Client, Connection, RedisError};

use super::state::{AssignmentState, StateError};

/// Key prefix of everything chatroute stores.
pub const NAMESPACE: &str = "chatroute";
/// How long a first-responder claim is remembered.
pub const CLAIM_TTL_SECS: u64 = 30 * 24 * 3600;

const CLAIM_SCRIPT: &str = "if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return ARGV[1] end \
     return redis.call('GET', KEYS[1])";

/// Redis-backed assignment state with a small connection pool.
pub struct RedisState {
    client: Client,
    pool: Mutex<Vec<Connection>>,
    timeout: Duration,
}

impl RedisState {
    /// A state on `url` (`redis://host:port/db`). Nothing is connected yet;
    /// every command is bounded by `timeout`.
    pub fn open(url: &str, timeout: Duration) -> Result<Self, StateError> {
        let client = Client::open(url).map_err(|e| unavailable("bad Redis URL", &e))?;
        Ok(RedisState { client, pool: Mutex::new(Vec::new()), timeout })
    }

    fn connection(&self) -> Result<Connection, StateError> {
        if let Some(conn) = self.pool.lock().unwrap_or_else(|p| p.into_inner()).pop() {
            return Ok(conn);
        }
        let mut last = None;
        for backoff in [0, 50, 100, 200] {
            std::thread::sleep(Duration::from_millis(backoff));
            match self.client.get_connection_with_timeout(self.timeout) {
                Ok(conn) => {
                    conn.set_read_timeout(Some(self.timeout)).map_err(|e| unavailable("setting timeout", &e))?;
                    conn.set_write_timeout(Some(self.timeout)).map_err(|e| unavailable("setting timeout", &e))?;
                    return Ok(conn);
                }
                Err(e) => last = Some(e),
            }
        }
        Err(last.map_or_else(|| StateError::Unavailable("no connection".into()), |e| unavailable("cannot connect", &e)))
    }

    /// Runs one command on a pooled connection. A connection that failed
    /// is dropped, not returned to the pool.
    fn run<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T, RedisError>) -> Result<T, StateError> {
        let mut conn = self.connection()?;
        let result = f(&mut conn).map_err(|e| unavailable("command failed", &e))?;
        self.pool.lock().unwrap_or_else(|p| p.into_inner()).push(conn);
        Ok(result)
    }

    /// Reserves `n` consecutive tickets in one round trip (`INCRBY`), for a
    /// service that batches decisions; returns the first.
    pub fn next_tickets(&self, cursor: &str, n: u64) -> Result<u64, StateError> {
        let last: u64 = self.run(|c| redis::cmd("INCRBY").arg(cursor).arg(n).query(c))?;
        Ok(last - n)
    }
}

fn unavailable(what: &str, e: &RedisError) -> StateError {
    let kind = if e.is_timeout() { " (timed out)" } else { "" };
    StateError::Unavailable(format!("{what}{kind}: {e}"))
}

impl AssignmentState for RedisState {
    /// The full Redis key of the cursor.
    type Cursor = String;

    fn cursor(&self, key: &str) -> String {
        format!("{NAMESPACE}:rr:{key}")
    }

    fn next_ticket(&self, cursor: &String) -> Result<u64, StateError> {
        let n: u64 = self.run(|c| redis::cmd("INCR").arg(cursor).query(c))?;
        Ok(n - 1)
    }

    fn claim(&self, deal: &str, employee: &str) -> Result<String, StateError> {
        let key = format!("{NAMESPACE}:claim:{deal}");
        self.run(|c| redis::cmd("EVAL").arg(CLAIM_SCRIPT).arg(1).arg(&key).arg(employee).arg(CLAIM_TTL_SECS).query(c))
    }
}
