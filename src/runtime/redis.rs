//! Assignment state in Redis, shared by every instance of a runtime service.
//!
//! - Round-robin cursor: `INCR chatroute:rr:<account>:<channel>`; Redis
//!   executes commands one at a time, so every ticket is handed out once.
//! - First-responder claim: one Lua script does `SET key employee NX EX ttl`
//!   and, when the key exists, `GET key`, atomically: the first claimant
//!   wins and every later one reads the same winner.
//!
//! Keys cannot collide: the account is a subdomain and channel ids are
//! identifiers (neither holds `:`), which loading a table checks; a deal id
//! is the last part of its key.
//!
//! Faults: every call has one deadline, `timeout` plus the connect backoff
//! (50, 100, 200 ms), however slowly the server answers. Connecting is
//! retried within it because a command that never reached Redis cannot have
//! run. A command that was sent and got no complete answer is *not*
//! retried: it may have run, and running it twice could skip a position or
//! split a claim. The call fails with `StateError::Unavailable`; the caller
//! keeps the message and asks again later. The worst a lost reply does is
//! skip one cursor position once; a deal is never given to two employees.
//! Messages never hold the URL's password.

use std::sync::Mutex;
use std::time::{Duration, Instant};

pub use super::resp::redacted;
use super::resp::{Connection, Endpoint, Reply, RespError};
use super::state::{AssignmentState, StateError};

/// Key prefix of everything chatroute stores.
pub const NAMESPACE: &str = "chatroute";
/// How long a first-responder claim is remembered.
pub const CLAIM_TTL_SECS: u64 = 30 * 24 * 3600;
/// Pauses between connection attempts, within a call's deadline.
const CONNECT_BACKOFF_MS: [u64; 3] = [50, 100, 200];

const CLAIM_SCRIPT: &str = "if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return ARGV[1] end \
     return redis.call('GET', KEYS[1])";

/// Redis-backed assignment state with a small connection pool.
pub struct RedisState {
    endpoint: Endpoint,
    pool: Mutex<Vec<Connection>>,
    timeout: Duration,
}

impl RedisState {
    /// A state on `url` (`redis://[[user]:password@]host[:port][/db]`).
    /// Nothing is connected yet; every call ends within `timeout` plus
    /// 350 ms of connect backoff.
    pub fn open(url: &str, timeout: Duration) -> Result<Self, StateError> {
        let endpoint = Endpoint::parse(url).map_err(|why| StateError::Unavailable(format!("bad Redis URL: {why}")))?;
        Ok(RedisState { endpoint, pool: Mutex::new(Vec::new()), timeout })
    }

    fn deadline(&self) -> Instant {
        Instant::now() + self.timeout + Duration::from_millis(CONNECT_BACKOFF_MS.iter().sum())
    }

    fn connection(&self, deadline: Instant) -> Result<Connection, StateError> {
        if let Some(conn) = self.pool.lock().unwrap_or_else(|p| p.into_inner()).pop() {
            return Ok(conn);
        }
        let mut last = match Connection::open(&self.endpoint, deadline) {
            Ok(conn) => return Ok(conn),
            Err(e) => e,
        };
        for pause in CONNECT_BACKOFF_MS {
            let pause = Duration::from_millis(pause);
            if Instant::now() + pause >= deadline {
                break;
            }
            std::thread::sleep(pause);
            match Connection::open(&self.endpoint, deadline) {
                Ok(conn) => return Ok(conn),
                Err(e) => last = e,
            }
        }
        Err(unavailable("cannot connect", &last))
    }

    /// Runs one command on a pooled connection. A connection that failed
    /// is dropped, not returned to the pool: it may be mid-reply.
    fn run(&self, args: &[&[u8]]) -> Result<Reply, StateError> {
        let deadline = self.deadline();
        let mut conn = self.connection(deadline)?;
        let reply = conn.command(args, deadline).map_err(|e| unavailable("command failed", &e))?;
        self.pool.lock().unwrap_or_else(|p| p.into_inner()).push(conn);
        match reply {
            Reply::Error(e) => Err(StateError::Unavailable(format!("Redis refused the command: {e}"))),
            reply => Ok(reply),
        }
    }

    fn integer(&self, args: &[&[u8]]) -> Result<u64, StateError> {
        match self.run(args)? {
            Reply::Integer(n) if n >= 0 => Ok(n as u64),
            other => Err(StateError::Unavailable(format!("unexpected reply {other:?}"))),
        }
    }

    /// Reserves `n` consecutive tickets in one round trip (`INCRBY`), for a
    /// service that batches decisions; returns the first.
    pub fn next_tickets(&self, cursor: &str, n: u64) -> Result<u64, StateError> {
        let last = self.integer(&[b"INCRBY", cursor.as_bytes(), n.to_string().as_bytes()])?;
        last.checked_sub(n).ok_or_else(|| StateError::Unavailable(format!("cursor {cursor} holds a foreign value")))
    }
}

fn unavailable(what: &str, e: &RespError) -> StateError {
    StateError::Unavailable(crate::text::printable(&format!("{what}: {e}")).into_owned())
}

impl AssignmentState for RedisState {
    /// The full Redis key of the cursor.
    type Cursor = String;

    const BLOCKS: bool = true;

    fn cursor(&self, key: &str) -> String {
        format!("{NAMESPACE}:rr:{key}")
    }

    fn next_ticket(&self, cursor: &String) -> Result<u64, StateError> {
        let n = self.integer(&[b"INCR", cursor.as_bytes()])?;
        n.checked_sub(1).ok_or_else(|| StateError::Unavailable(format!("cursor {cursor} holds a foreign value")))
    }

    fn ping(&self) -> Result<(), StateError> {
        self.run(&[b"PING"]).map(|_| ())
    }

    fn claim(&self, deal: &str, employee: &str) -> Result<String, StateError> {
        let key = format!("{NAMESPACE}:claim:{deal}");
        let ttl = CLAIM_TTL_SECS.to_string();
        let args: [&[u8]; 6] =
            [b"EVAL", CLAIM_SCRIPT.as_bytes(), b"1", key.as_bytes(), employee.as_bytes(), ttl.as_bytes()];
        match self.run(&args)? {
            Reply::Bulk(Some(winner)) => {
                String::from_utf8(winner).map_err(|_| StateError::Unavailable("the stored claim is not UTF-8".into()))
            }
            other => Err(StateError::Unavailable(format!("unexpected reply {other:?}"))),
        }
    }
}
