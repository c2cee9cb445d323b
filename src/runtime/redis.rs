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
use super::state::{AssignmentState, Pick, PickRules, Picked, StateError};

/// Key prefix of everything chatroute stores.
pub const NAMESPACE: &str = "chatroute";
/// How long a first-responder claim is remembered.
pub const CLAIM_TTL_SECS: u64 = 30 * 24 * 3600;
/// Pauses between connection attempts, within a call's deadline.
const CONNECT_BACKOFF_MS: [u64; 3] = [50, 100, 200];

/// A pick (see `state`): KEYS cursor, unavailable set, open counts, deal
/// key (or ""); ARGV skip (0/1), n, the n handles of the cycle, m, then m
/// (handle, limit) pairs. Answers `employee:position`, `employee:-1` for a
/// deal decided before, or "" for nobody.
const PICK_SCRIPT: &str = r#"
if KEYS[4] ~= '' then
  local owner = redis.call('GET', KEYS[4])
  if owner then return owner .. ':-1' end
end
local skip = ARGV[1] == '1'
local n = tonumber(ARGV[2])
local m = tonumber(ARGV[3 + n])
local caps = {}
for i = 1, m do caps[ARGV[3 + n + 2 * i - 1]] = tonumber(ARGV[3 + n + 2 * i]) end
local start = tonumber(redis.call('GET', KEYS[1]) or '0')
local seen = {}
for k = 0, n - 1 do
  local pos = start + k
  local who = ARGV[3 + (pos % n)]
  local ok = seen[who]
  if ok == nil then
    ok = not (skip and redis.call('SISMEMBER', KEYS[2], who) == 1)
    if ok and caps[who] then ok = tonumber(redis.call('HGET', KEYS[3], who) or '0') < caps[who] end
    seen[who] = ok
  end
  if ok then
    redis.call('SET', KEYS[1], pos + 1)
    if KEYS[4] ~= '' then
      redis.call('SET', KEYS[4], who)
      redis.call('HINCRBY', KEYS[3], who, 1)
    end
    return who .. ':' .. pos
  end
end
return ''
"#;

/// KEYS unavailable set, open counts; ARGV skip, n handles, m pairs:
/// "1"/"0" per handle.
const CAN_TAKE_SCRIPT: &str = r#"
local skip = ARGV[1] == '1'
local n = tonumber(ARGV[2])
local m = tonumber(ARGV[3 + n])
local caps = {}
for i = 1, m do caps[ARGV[3 + n + 2 * i - 1]] = tonumber(ARGV[3 + n + 2 * i]) end
local out = ''
for i = 1, n do
  local who = ARGV[2 + i]
  local ok = not (skip and redis.call('SISMEMBER', KEYS[1], who) == 1)
  if ok and caps[who] then ok = tonumber(redis.call('HGET', KEYS[2], who) or '0') < caps[who] end
  out = out .. (ok and '1' or '0')
end
return out
"#;

/// KEYS deal key, open counts; ARGV employee: counts the deal once.
const OPEN_SCRIPT: &str =
    "if redis.call('SET', KEYS[1], ARGV[1], 'NX') then redis.call('HINCRBY', KEYS[2], ARGV[1], 1) end return 1";

/// KEYS deal key, open counts: the owner, its count down (not below 0).
const CLOSE_SCRIPT: &str = r#"
local who = redis.call('GET', KEYS[1])
if not who then return '' end
redis.call('DEL', KEYS[1])
if tonumber(redis.call('HGET', KEYS[2], who) or '0') > 0 then redis.call('HINCRBY', KEYS[2], who, -1) end
return who
"#;

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

    /// A command whose reply is a bulk string.
    fn text<A: AsRef<[u8]>>(&self, args: &[A]) -> Result<String, StateError> {
        let args: Vec<&[u8]> = args.iter().map(AsRef::as_ref).collect();
        match self.run(&args)? {
            Reply::Bulk(Some(bytes)) => {
                String::from_utf8(bytes).map_err(|_| StateError::Unavailable("a reply is not UTF-8".into()))
            }
            other => Err(StateError::Unavailable(format!("unexpected reply {other:?}"))),
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

/// The keys of an account's unavailable set and open-deal counts.
fn books(account: &str) -> (String, String) {
    (format!("{NAMESPACE}:unavailable:{account}"), format!("{NAMESPACE}:open:{account}"))
}

/// ARGV of the pick scripts: skip flag, the handles, the limits.
fn rule_args(handles: &[String], rules: &PickRules<'_>) -> Vec<Vec<u8>> {
    let mut args = vec![if rules.skip_unavailable { b"1".to_vec() } else { b"0".to_vec() }];
    args.push(handles.len().to_string().into_bytes());
    args.extend(handles.iter().map(|h| h.as_bytes().to_vec()));
    args.push(rules.max_open.len().to_string().into_bytes());
    for (handle, max) in rules.max_open {
        args.push(handle.as_bytes().to_vec());
        args.push(max.to_string().into_bytes());
    }
    args
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

    fn pick(&self, cursor: &String, pick: &Pick<'_>) -> Result<Option<Picked>, StateError> {
        let deal = pick.deal.map(|d| format!("{NAMESPACE}:deal:{}:{d}", pick.account)).unwrap_or_default();
        let (unavailable, open) = books(pick.account);
        let mut args: Vec<Vec<u8>> = vec![b"EVAL".to_vec(), PICK_SCRIPT.into(), b"4".to_vec()];
        args.extend([cursor.as_bytes().to_vec(), unavailable.into_bytes(), open.into_bytes(), deal.into_bytes()]);
        args.extend(rule_args(pick.cycle, &pick.rules));
        let answer = self.text(&args)?;
        if answer.is_empty() {
            return Ok(None);
        }
        let (employee, position) = answer
            .rsplit_once(':')
            .ok_or_else(|| StateError::Unavailable(format!("unexpected pick reply {answer:?}")))?;
        Ok(Some(Picked { employee: employee.to_owned(), position: position.parse().ok() }))
    }

    fn can_take(&self, account: &str, members: &[String], rules: &PickRules<'_>) -> Result<Vec<bool>, StateError> {
        let (unavailable, open) = books(account);
        let mut args: Vec<Vec<u8>> = vec![b"EVAL".to_vec(), CAN_TAKE_SCRIPT.into(), b"2".to_vec()];
        args.extend([unavailable.into_bytes(), open.into_bytes()]);
        args.extend(rule_args(members, rules));
        Ok(self.text(&args)?.bytes().map(|b| b == b'1').collect())
    }

    fn set_available(&self, account: &str, employee: &str, available: bool) -> Result<(), StateError> {
        let (unavailable, _) = books(account);
        let command: &[u8] = if available { b"SREM" } else { b"SADD" };
        self.run(&[command, unavailable.as_bytes(), employee.as_bytes()]).map(|_| ())
    }

    fn open_deal(&self, account: &str, deal: &str, employee: &str) -> Result<(), StateError> {
        let (_, open) = books(account);
        let key = format!("{NAMESPACE}:deal:{account}:{deal}");
        self.run(&[b"EVAL", OPEN_SCRIPT.as_bytes(), b"2", key.as_bytes(), open.as_bytes(), employee.as_bytes()])
            .map(|_| ())
    }

    fn close_deal(&self, account: &str, deal: &str) -> Result<Option<String>, StateError> {
        let (_, open) = books(account);
        let key = format!("{NAMESPACE}:deal:{account}:{deal}");
        let owner =
            self.text(&[b"EVAL".to_vec(), CLOSE_SCRIPT.into(), b"2".to_vec(), key.into_bytes(), open.into_bytes()])?;
        Ok(Some(owner).filter(|o| !o.is_empty()))
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
