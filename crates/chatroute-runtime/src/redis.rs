//! Assignment state in Redis, shared by every instance of a runtime service.
//!
//! - Round-robin cursor: `INCR` on the account's cursor key (`keys.rs`);
//!   Redis executes commands one at a time, so every ticket is handed out
//!   once.
//! - First-responder claim, pick, offer and close: one Lua script each, all
//!   on the eligibility test `ELIGIBILITY`, with every key of the call in
//!   the account's hash slot.
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
use super::state::{
    AssignmentState, CLAIM_TTL, CannotTake, Claimed, Claiming, DEAL_TTL, Pick, PickRules, Picked, StateError,
};

use super::keys::{AccountKeys, V2Target, v1_patterns, v2_target};
pub use super::keys::{NAMESPACE, VERSION as KEY_VERSION};

/// Pauses between connection attempts, within a call's deadline.
const CONNECT_BACKOFF_MS: [u64; 3] = [50, 100, 200];

/// What every script starts with: the account's deal book and the
/// eligibility test, the twins of `Occupancy` (tests hold both to the same
/// answers). KEYS 1 to 4 are the unavailable set, the open counts, the
/// deal owners and the deals' due times; ARGV 1 and 2 the time (ms) and a
/// deal's lifetime (ms). Deals past their time are closed first (64 at
/// most a call, so a backlog drains over a few calls). `rules(at)` reads
/// the rules from ARGV at `at`: skip (0/1), n, the n handles, m, then m
/// (handle, limit) pairs; `cannot_take` answers nil, 'F' (at capacity,
/// whatever the availability) or 'U' (unavailable and skipped).
const PRELUDE: &str = r#"
local UNAVAILABLE, OPEN, OWNERS, DUE = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local NOW, DEAL_TTL = tonumber(ARGV[1]), tonumber(ARGV[2])
local function close_deal(deal)
  local who = redis.call('HGET', OWNERS, deal)
  redis.call('ZREM', DUE, deal)
  if not who then return nil end
  redis.call('HDEL', OWNERS, deal)
  if tonumber(redis.call('HGET', OPEN, who) or '0') > 0 then redis.call('HINCRBY', OPEN, who, -1) end
  return who
end
for _, deal in ipairs(redis.call('ZRANGEBYSCORE', DUE, '-inf', NOW, 'LIMIT', 0, 64)) do close_deal(deal) end
local function open_deal(deal, who)
  redis.call('HSET', OWNERS, deal, who)
  redis.call('HINCRBY', OPEN, who, 1)
  redis.call('ZADD', DUE, NOW + DEAL_TTL, deal)
end
local function rules(at)
  local n = tonumber(ARGV[at + 1])
  local handles = {}
  for i = 1, n do handles[i] = ARGV[at + 1 + i] end
  local m = tonumber(ARGV[at + 2 + n])
  local caps = {}
  for i = 1, m do caps[ARGV[at + 2 + n + 2 * i - 1]] = tonumber(ARGV[at + 2 + n + 2 * i]) end
  return ARGV[at] == '1', handles, caps
end
local function cannot_take(skip, caps, who)
  if caps[who] and tonumber(redis.call('HGET', OPEN, who) or '0') >= caps[who] then return 'F' end
  if skip and redis.call('SISMEMBER', UNAVAILABLE, who) == 1 then return 'U' end
  return nil
end
"#;

/// A pick (see `state`): KEYS 5 the cursor; ARGV 3 whether there is a deal
/// (0/1), 4 the deal, then the rules over the cycle. Answers
/// `employee:position`, `employee:-1` for a deal decided before, or "" for
/// nobody.
const PICK_SCRIPT: &str = r#"
local has_deal, deal = ARGV[3] == '1', ARGV[4]
if has_deal then
  local owner = redis.call('HGET', OWNERS, deal)
  if owner then return owner .. ':-1' end
end
local skip, cycle, caps = rules(5)
local n = #cycle
local start = tonumber(redis.call('GET', KEYS[5]) or '0')
local seen = {}
for k = 0, n - 1 do
  local pos = start + k
  local who = cycle[(pos % n) + 1]
  local ok = seen[who]
  if ok == nil then
    ok = cannot_take(skip, caps, who) == nil
    seen[who] = ok
  end
  if ok then
    redis.call('SET', KEYS[5], pos + 1)
    if has_deal then open_deal(deal, who) end
    return who .. ':' .. pos
  end
end
return ''
"#;

/// ARGV 3 on: the rules over the members. "1"/"0" per member.
const CAN_TAKE_SCRIPT: &str = r#"
local skip, members, caps = rules(3)
local out = ''
for i = 1, #members do
  out = out .. (cannot_take(skip, caps, members[i]) == nil and '1' or '0')
end
return out
"#;

/// A claim (see `state::Claiming`): KEYS 5 the claim; ARGV 3 the employee,
/// 4 the claim's ttl (s), 5 checked (0/1), 6 assign_anyway (0/1), 7
/// counted (0/1: the deal counts open), 8 the deal, then the rules over the
/// group. Answers `W<winner>`, `U`/`F` for a refused claimant, `H<owner>`
/// for a deal held by another.
const CLAIM_SCRIPT: &str = r#"
local winner = redis.call('GET', KEYS[5])
if winner then return 'W' .. winner end
local who, deal = ARGV[3], ARGV[8]
if ARGV[5] == '1' then
  local skip, group, caps = rules(9)
  local why = cannot_take(skip, caps, who)
  if why then
    local anyway = ARGV[6] == '1' and skip and cannot_take(false, caps, who) == nil
    for i = 1, #group do
      if anyway and cannot_take(skip, caps, group[i]) == nil then anyway = false end
    end
    if not anyway then return why end
  end
end
if ARGV[7] == '1' then
  local owner = redis.call('HGET', OWNERS, deal)
  if owner and owner ~= who then return 'H' .. owner end
  if not owner then open_deal(deal, who) end
end
redis.call('SET', KEYS[5], who, 'EX', ARGV[4])
return 'W' .. who
"#;

/// ARGV 3 the deal: its owner (or ""), its count down.
const CLOSE_SCRIPT: &str = "return close_deal(ARGV[3]) or ''";

/// KEYS a v1 deal key; ARGV the deal, the time and lifetime (ms): the
/// owner moved into the deal book, due a lifetime from now.
const MIGRATE_DEAL_SCRIPT: &str = r#"
local who = redis.call('GET', KEYS[1])
if not who then return 1 end
if redis.call('HSETNX', KEYS[2], ARGV[1], who) == 0 then return 0 end
redis.call('ZADD', KEYS[3], tonumber(ARGV[2]) + tonumber(ARGV[3]), ARGV[1])
redis.call('DEL', KEYS[1])
return 1
"#;

/// KEYS a v1 key, its v2 name: renamed (value and expiry kept) unless the
/// v2 name exists. On one node only: the names are in different slots.
const MIGRATE_SCRIPT: &str =
    "if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end redis.call('RENAME', KEYS[1], KEYS[2]) return 1";

/// KEYS cursor; ARGV from, to: moves the cursor if it is still at `from`.
const MOVE_SCRIPT: &str = "if tonumber(redis.call('GET', KEYS[1]) or '0') == tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0";

/// Redis-backed assignment state with a small connection pool.
pub struct RedisState {
    endpoint: Endpoint,
    pool: Mutex<Vec<Connection>>,
    timeout: Duration,
    deal_ttl: Duration,
}

impl RedisState {
    /// A state on `url` (`redis://[[user]:password@]host[:port][/db]`).
    /// Nothing is connected yet; every call ends within `timeout` plus
    /// 350 ms of connect backoff.
    pub fn open(url: &str, timeout: Duration) -> Result<Self, StateError> {
        let endpoint = Endpoint::parse(url).map_err(|why| StateError::Unavailable(format!("bad Redis URL: {why}")))?;
        Ok(RedisState { endpoint, pool: Mutex::new(Vec::new()), timeout, deal_ttl: DEAL_TTL })
    }

    /// Deals still open after `ttl` are closed by themselves, instead of
    /// after `DEAL_TTL`.
    pub fn with_deal_ttl(mut self, ttl: Duration) -> Self {
        self.deal_ttl = ttl;
        self
    }

    /// One script call: the prelude in front, the account's deal book as
    /// its first keys and the time as its first arguments (see `PRELUDE`).
    fn script(&self, script: &str, account: &str, keys: &[String], args: Vec<Vec<u8>>) -> Result<String, StateError> {
        self.script_then(script, account, keys, args, 0)
    }

    /// `script`, its writes on `replicas` replicas before it answers.
    fn script_then(
        &self,
        script: &str,
        account: &str,
        keys: &[String],
        args: Vec<Vec<u8>>,
        replicas: u32,
    ) -> Result<String, StateError> {
        let book = AccountKeys::new(account);
        let count = (4 + keys.len()).to_string();
        let mut call = vec![b"EVAL".to_vec(), [PRELUDE, script].concat().into_bytes(), count.into_bytes()];
        call.extend([book.unavailable(), book.open(), book.owners(), book.due()].map(String::into_bytes));
        call.extend(keys.iter().map(|k| k.as_bytes().to_vec()));
        call.push(unix_ms().to_string().into_bytes());
        call.push(self.deal_ttl.as_millis().to_string().into_bytes());
        call.extend(args);
        self.text_then(&call, replicas)
    }

    fn deadline(&self) -> Instant {
        Instant::now() + self.timeout + Duration::from_millis(CONNECT_BACKOFF_MS.iter().sum())
    }

    fn connection(&self, deadline: Instant) -> Result<Connection, StateError> {
        loop {
            let pooled = self.pool.lock().unwrap_or_else(|p| p.into_inner()).pop();
            match pooled {
                Some(conn) if conn.is_usable() => return Ok(conn),
                Some(_closed) => continue,
                None => break,
            }
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
        self.run_then(args, 0)
    }

    /// `run`, then, with `replicas` above 0, `WAIT` on the same connection
    /// until that many replicas have the command's writes, within the
    /// call's deadline: fewer is a failure (the caller retries; the write
    /// itself is idempotent where this is used).
    fn run_then(&self, args: &[&[u8]], replicas: u32) -> Result<Reply, StateError> {
        let deadline = self.deadline();
        let mut conn = self.connection(deadline)?;
        let reply = conn.command(args, deadline).map_err(|e| unavailable("command failed", &e))?;
        if replicas > 0 && !matches!(reply, Reply::Error(_)) {
            // WAIT's own timeout ends before the call's deadline, so its
            // answer (how many replicas have it) arrives in time.
            let left = (deadline.saturating_duration_since(Instant::now()).as_millis() * 3 / 4).max(1).to_string();
            let acked = conn
                .command(&[b"WAIT", replicas.to_string().as_bytes(), left.as_bytes()], deadline)
                .map_err(|e| unavailable("WAIT failed", &e))?;
            if !matches!(acked, Reply::Integer(n) if n >= i64::from(replicas)) {
                self.pool.lock().unwrap_or_else(|p| p.into_inner()).push(conn);
                let why = format!("the claim reached {acked:?} of {replicas} replica(s) in time; ask again");
                return Err(StateError::Unavailable(why));
            }
        }
        self.pool.lock().unwrap_or_else(|p| p.into_inner()).push(conn);
        match reply {
            Reply::Error(e) => Err(StateError::Unavailable(format!("Redis refused the command: {e}"))),
            reply => Ok(reply),
        }
    }

    /// A command whose reply is a bulk string.
    fn text_then<A: AsRef<[u8]>>(&self, args: &[A], replicas: u32) -> Result<String, StateError> {
        let args: Vec<&[u8]> = args.iter().map(AsRef::as_ref).collect();
        match self.run_then(&args, replicas)? {
            Reply::Bulk(Some(bytes)) => {
                String::from_utf8(bytes).map_err(|_| StateError::Unavailable("a reply is not UTF-8".into()))
            }
            other => Err(StateError::Unavailable(format!("unexpected reply {other:?}"))),
        }
    }

    /// The account's keys of the first layout (`SCAN MATCH`, in batches).
    fn v1_keys(&self, account: &str) -> Result<Vec<String>, StateError> {
        let mut found = Vec::new();
        for pattern in v1_patterns(account) {
            let mut cursor = "0".to_owned();
            loop {
                let args: [&[u8]; 6] = [b"SCAN", cursor.as_bytes(), b"MATCH", pattern.as_bytes(), b"COUNT", b"1000"];
                let Reply::Array(reply) = self.run(&args)? else {
                    return Err(StateError::Unavailable("unexpected SCAN reply".into()));
                };
                let [Reply::Bulk(Some(next)), Reply::Array(keys)] = reply.as_slice() else {
                    return Err(StateError::Unavailable("unexpected SCAN reply".into()));
                };
                for key in keys {
                    if let Reply::Bulk(Some(k)) = key {
                        found.push(String::from_utf8_lossy(k).into_owned());
                    }
                }
                cursor = String::from_utf8_lossy(next).into_owned();
                if cursor == "0" {
                    break;
                }
            }
        }
        Ok(found)
    }

    /// Refuses an account whose keys are still on the first layout, so an
    /// upgrade never starts its cursors, claims and counts afresh. After
    /// one look (or a migration) the account's `layout` key answers at once.
    pub fn check_layout(&self, account: &str) -> Result<(), StateError> {
        let marker = AccountKeys::new(account).layout();
        if matches!(self.run(&[b"GET", marker.as_bytes()])?, Reply::Bulk(Some(_))) {
            return Ok(());
        }
        let old = self.v1_keys(account)?;
        if !old.is_empty() {
            return Err(StateError::OldLayout { account: account.to_owned(), keys: old.len() });
        }
        self.run(&[b"SET", marker.as_bytes(), KEY_VERSION.as_bytes()]).map(|_| ())
    }

    /// Moves the account's keys of the first layout to this one (values and
    /// expiries kept) and marks the account; returns how many moved. A key
    /// found under both names is left alone and stops the migration with
    /// an error (nothing is overwritten). Run it on the single node the old
    /// layout ran on, with every older chatroute on that account stopped.
    pub fn migrate(&self, account: &str) -> Result<usize, StateError> {
        let mut moved = 0;
        let book = AccountKeys::new(account);
        for old in self.v1_keys(account)? {
            let target =
                v2_target(account, &old).ok_or_else(|| StateError::Unavailable(format!("no v2 name for {old}")))?;
            let kept = match &target {
                V2Target::Key(new) => {
                    self.integer(&[b"EVAL", MIGRATE_SCRIPT.as_bytes(), b"2", old.as_bytes(), new.as_bytes()])?
                }
                V2Target::Deal(deal) => {
                    let (owners, due) = (book.owners(), book.due());
                    let (now, ttl) = (unix_ms().to_string(), self.deal_ttl.as_millis().to_string());
                    self.integer(&[
                        b"EVAL",
                        MIGRATE_DEAL_SCRIPT.as_bytes(),
                        b"3",
                        old.as_bytes(),
                        owners.as_bytes(),
                        due.as_bytes(),
                        deal.as_bytes(),
                        now.as_bytes(),
                        ttl.as_bytes(),
                    ])?
                }
            };
            if kept == 0 {
                return Err(StateError::Unavailable(format!(
                    "{target:?} exists beside {old}: nothing was overwritten"
                )));
            }
            moved += 1;
        }
        self.run(&[b"SET", book.layout().as_bytes(), KEY_VERSION.as_bytes()])?;
        Ok(moved)
    }

    fn integer(&self, args: &[&[u8]]) -> Result<u64, StateError> {
        match self.run(args)? {
            Reply::Integer(n) if n >= 0 => Ok(n as u64),
            other => Err(StateError::Unavailable(format!("unexpected reply {other:?}"))),
        }
    }
}

fn flag(on: bool) -> Vec<u8> {
    if on { b"1".to_vec() } else { b"0".to_vec() }
}

/// The time the deal book runs on: milliseconds since the Unix epoch, the
/// same on every instance up to their clocks' skew (seconds, against
/// lifetimes of days).
fn unix_ms() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis())
}

/// ARGV of the pick scripts: skip flag, the handles, the limits.
fn rule_args(handles: &[String], rules: &PickRules<'_>) -> Vec<Vec<u8>> {
    let mut args = vec![flag(rules.skip_unavailable)];
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
    StateError::Unavailable(chatroute_table::text::printable(&format!("{what}: {e}")).into_owned())
}

impl AssignmentState for RedisState {
    /// The full Redis key of the cursor.
    type Cursor = String;

    const BLOCKS: bool = true;

    fn cursor(&self, account: &str, channel: &str) -> String {
        AccountKeys::new(account).cursor(channel)
    }

    fn next_ticket(&self, cursor: &String) -> Result<u64, StateError> {
        let n = self.integer(&[b"INCR", cursor.as_bytes()])?;
        n.checked_sub(1).ok_or_else(|| StateError::Unavailable(format!("cursor {cursor} holds a foreign value")))
    }

    fn ping(&self) -> Result<(), StateError> {
        self.run(&[b"PING"]).map(|_| ())
    }

    fn accepts(&self, account: &str) -> Result<(), StateError> {
        self.check_layout(account)
    }

    fn pick(&self, cursor: &String, pick: &Pick<'_>) -> Result<Option<Picked>, StateError> {
        let mut args = vec![flag(pick.deal.is_some()), pick.deal.unwrap_or_default().as_bytes().to_vec()];
        args.extend(rule_args(pick.cycle, &pick.rules));
        let answer = self.script(PICK_SCRIPT, pick.account, std::slice::from_ref(cursor), args)?;
        if answer.is_empty() {
            return Ok(None);
        }
        let (employee, position) = answer
            .rsplit_once(':')
            .ok_or_else(|| StateError::Unavailable(format!("unexpected pick reply {answer:?}")))?;
        Ok(Some(Picked { employee: employee.to_owned(), position: position.parse().ok() }))
    }

    fn can_take(&self, account: &str, members: &[String], rules: &PickRules<'_>) -> Result<Vec<bool>, StateError> {
        let answer = self.script(CAN_TAKE_SCRIPT, account, &[], rule_args(members, rules))?;
        Ok(answer.bytes().map(|b| b == b'1').collect())
    }

    fn set_available(&self, account: &str, employee: &str, available: bool) -> Result<(), StateError> {
        let unavailable = AccountKeys::new(account).unavailable();
        let command: &[u8] = if available { b"SREM" } else { b"SADD" };
        self.run(&[command, unavailable.as_bytes(), employee.as_bytes()]).map(|_| ())
    }

    fn close_deal(&self, account: &str, deal: &str) -> Result<Option<String>, StateError> {
        let owner = self.script(CLOSE_SCRIPT, account, &[], vec![deal.as_bytes().to_vec()])?;
        Ok(Some(owner).filter(|o| !o.is_empty()))
    }

    fn claim(&self, claim: &Claiming<'_>) -> Result<Claimed, StateError> {
        let key = AccountKeys::new(claim.account).claim(claim.channel, claim.deal);
        let counted = claim.rules.is_some_and(|r| !r.max_open.is_empty());
        let mut args = vec![claim.employee.as_bytes().to_vec(), CLAIM_TTL.as_secs().to_string().into_bytes()];
        args.extend([flag(claim.rules.is_some()), flag(claim.assign_anyway), flag(counted)]);
        args.push(claim.deal.as_bytes().to_vec());
        let no_rules = std::collections::BTreeMap::new();
        let rules = claim.rules.unwrap_or(PickRules { skip_unavailable: false, max_open: &no_rules });
        args.extend(rule_args(claim.group, &rules));
        // With `?replicas=N`, a claim is answered only once N replicas have
        // it: a won claim survives a failover to one of them. A retry of a
        // claim that timed out in WAIT answers the same winner.
        let answer = self.script_then(CLAIM_SCRIPT, claim.account, &[key], args, self.endpoint.replicas)?;
        match answer.split_at_checked(1) {
            Some(("W", winner)) => Ok(Claimed::Winner(winner.to_owned())),
            Some(("H", owner)) => Ok(Claimed::Held { owner: owner.to_owned() }),
            Some(("U", "")) => Ok(Claimed::Refused(CannotTake::Unavailable)),
            Some(("F", "")) => Ok(Claimed::Refused(CannotTake::AtCapacity)),
            _ => Err(StateError::Unavailable(format!("unexpected claim reply {answer:?}"))),
        }
    }

    fn cursor_position(&self, cursor: &String) -> Result<u64, StateError> {
        match self.run(&[b"GET", cursor.as_bytes()])? {
            Reply::Bulk(None) => Ok(0),
            Reply::Bulk(Some(v)) => std::str::from_utf8(&v)
                .ok()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| StateError::Unavailable(format!("cursor {cursor} holds a foreign value"))),
            other => Err(StateError::Unavailable(format!("unexpected reply {other:?}"))),
        }
    }

    fn move_cursor(&self, cursor: &String, from: u64, to: u64) -> Result<bool, StateError> {
        let (from, to) = (from.to_string(), to.to_string());
        let args: [&[u8]; 6] =
            [b"EVAL", MOVE_SCRIPT.as_bytes(), b"1", cursor.as_bytes(), from.as_bytes(), to.as_bytes()];
        Ok(self.integer(&args)? == 1)
    }
}
