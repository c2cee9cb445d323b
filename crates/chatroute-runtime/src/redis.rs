//! Assignment state in Redis, shared by every instance of a runtime
//! service: one node (`redis://`, `rediss://`) or a Redis Cluster
//! (`redis+cluster://`, `rediss+cluster://`), through redis-rs on tokio.
//!
//! - Round-robin cursor: `INCR` on the account's cursor key (`keys.rs`);
//!   Redis executes commands one at a time, so every ticket is handed out
//!   once.
//! - First-responder claim, pick, offer and close: one Lua script each, all
//!   on the eligibility test of `PRELUDE`, every key of a call in the
//!   account's hash slot (so a cluster runs them on one node), sent as
//!   `EVALSHA` and loaded again on `NOSCRIPT`.
//!
//! Faults: every call has one deadline, `timeout`, around connecting,
//! sending and the answer (redis-rs's response and connection timeouts sit
//! inside it). Concurrent calls share one multiplexed connection per node;
//! one that fails is replaced by the next call (a restart fails the calls
//! in flight on it, not one per pooled socket). A command sent on one node
//! that got no answer is not sent again: it may have run. In a cluster,
//! redis-rs follows `MOVED`/`ASK` and may resend after a connection error;
//! what it resends is safe where it matters: a claim retried answers the
//! same winner ("already yours"), and a decision with a deal id is
//! answered its owner again. A decision without a deal id resent may skip
//! one cursor position once; a deal is never given to two employees.
//! Messages never hold the URL's password.
//!
//! Bounded: the time of every call. Not bounded by the client: the size of
//! a reply; the scripts' replies are a handle or a short code, and the
//! server of `--state` is the operator's own, like the database.

use std::sync::LazyLock;
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{Route, RoutingInfo, SingleNodeRoutingInfo, Slot, SlotAddr};
use redis::{Cmd, ErrorKind, FromRedisValue, RedisError, RedisFuture, Script, ServerErrorKind, Value};

pub use super::endpoint::{Endpoint, redacted};
use super::keys::{AccountKeys, V2Target, v1_patterns, v2_target};
pub use super::keys::{NAMESPACE, VERSION as KEY_VERSION};
use super::state::{
    AssignmentState, CLAIM_TTL, CLIENT_TTL, CannotTake, Claimed, Claiming, DEAL_TTL, Pick, PickRules, Picked,
    StateError,
};
use super::timers::{Draining, Due, Event, EventId, EventKind, Reassigning};

/// What every script starts with: the account's deal book and the
/// eligibility test, the twins of `Occupancy` (tests hold both to the same
/// answers). KEYS 1 to 4 are the unavailable set, the open counts, the
/// deal owners and the deals' due times, 5 to 10 the unanswered deals'
/// due times and timers, the waiting deals of the previous queue layout
/// (moved into the channels' queues by the first `due`), each waiting deal's
/// channel, the events, and the set of channels with a queue (each queue
/// is that key, `:`, the channel) (`book_keys`); a script's own keys
/// follow. ARGV 1 the time (ms; empty: the server's clock, `TIME`, which
/// every instance then shares) and 2 a deal's lifetime (ms). Deals past
/// their time are closed first (64 at most a call, so a backlog drains over
/// a few calls). `rules(at)` reads the rules from ARGV at `at`: skip (0/1),
/// n, the n handles, m, m (handle, limit) pairs, k, then the k handles
/// outside their hours; `cannot_take` answers nil, 'F' (at capacity,
/// whatever the availability) or 'U' (unavailable or out of hours, and
/// skipped).
const PRELUDE: &str = r#"
local UNAVAILABLE, OPEN, OWNERS, DUE = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local REPLY_DUE, TIMERS, OLD_WAITING, WAITING_CH, EVENTS, QUEUES = KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
local NOW = tonumber(ARGV[1])
if not NOW then
  local t = redis.call('TIME')
  NOW = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local DEAL_TTL = tonumber(ARGV[2])
local function record(kind, deal, channel, from, to)
  return redis.call('XADD', EVENTS, 'MAXLEN', '~', '10000', '*', 'type', kind, 'deal', deal, 'channel', channel,
    'from', from, 'to', to, 'at', NOW)
end
-- A channel's queues, by the order deals came in: new deals nobody could
-- take, and due deals nobody could take over (`:due`).
local function queue(channel) return QUEUES .. ':' .. channel end
local function stuck_queue(channel) return QUEUES .. ':' .. channel .. ':due' end
local function enqueue(deal, channel, at, q)
  if redis.call('HSETNX', WAITING_CH, deal, channel) == 0 then return end
  local last = redis.call('ZRANGE', q, -1, -1, 'WITHSCORES')
  local score = at
  if last[2] and tonumber(last[2]) >= score then score = tonumber(last[2]) + 1 end
  redis.call('ZADD', q, score, deal)
  redis.call('SADD', QUEUES, channel)
end
local function dequeue(deal)
  local channel = redis.call('HGET', WAITING_CH, deal)
  if not channel then return end
  redis.call('HDEL', WAITING_CH, deal)
  redis.call('ZREM', queue(channel), deal)
  redis.call('ZREM', stuck_queue(channel), deal)
  if redis.call('EXISTS', queue(channel), stuck_queue(channel)) == 0 then redis.call('SREM', QUEUES, channel) end
end
local function stop_timer(deal)
  redis.call('ZREM', REPLY_DUE, deal)
  redis.call('HDEL', TIMERS, deal)
end
local function forget(deal)
  stop_timer(deal)
  dequeue(deal)
end
-- The first member from the cursor (KEYS[11]) of whom `ok` holds, each
-- asked once; the cursor moves past it. Nil when nobody is.
local function take_next(cycle, ok)
  local n, seen = #cycle, {}
  local start = tonumber(redis.call('GET', KEYS[11]) or '0')
  for k = 0, n - 1 do
    local pos = start + k
    local who = cycle[(pos % n) + 1]
    if seen[who] == nil then seen[who] = ok(who) end
    if seen[who] then
      redis.call('SET', KEYS[11], pos + 1)
      return who, pos
    end
  end
  return nil, nil
end
local function start_timer(deal, channel, who, due)
  redis.call('ZADD', REPLY_DUE, due, deal)
  redis.call('HSET', TIMERS, deal, channel .. '\t0\t' .. who .. '\t' .. who)
end
-- A timer's channel, count, owner and who had the deal (a set).
local function read_timer(timer)
  local channel, count, owner, had = string.match(timer, '^([^\t]*)\t(%d+)\t([^\t]*)\t(.*)$')
  local before = {}
  for h in string.gmatch(had, '[^,]+') do before[h] = true end
  return channel, tonumber(count), owner, before, had
end
local function close_deal(deal)
  local who = redis.call('HGET', OWNERS, deal)
  forget(deal)
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
-- Passes an open deal with a timer to `who` (the open count moves with
-- it): its timer due again after `after` ms, or stopped at the cap; the
-- event. Memory's twin: `Memory::pass`.
local function pass(deal, timer, who, after, cap)
  local channel, count, from, _, had = read_timer(timer)
  redis.call('HSET', OWNERS, deal, who)
  if tonumber(redis.call('HGET', OPEN, from) or '0') > 0 then redis.call('HINCRBY', OPEN, from, -1) end
  redis.call('HINCRBY', OPEN, who, 1)
  forget(deal)
  count = count + 1
  if count < cap then
    redis.call('ZADD', REPLY_DUE, NOW + after, deal)
    redis.call('HSET', TIMERS, deal, channel .. '\t' .. count .. '\t' .. who .. '\t' .. had .. ',' .. who)
  end
  return record('reassigned', deal, channel, from, who)
end
local AWAY = {}
local function rules(at)
  local n = tonumber(ARGV[at + 1])
  local handles = {}
  for i = 1, n do handles[i] = ARGV[at + 1 + i] end
  local m = tonumber(ARGV[at + 2 + n])
  local caps = {}
  for i = 1, m do caps[ARGV[at + 2 + n + 2 * i - 1]] = tonumber(ARGV[at + 2 + n + 2 * i]) end
  local k_at = at + 3 + n + 2 * m
  for i = 1, tonumber(ARGV[k_at]) do AWAY[ARGV[k_at + i]] = true end
  return ARGV[at] == '1', handles, caps
end
local function cannot_take(skip, caps, who)
  if caps[who] and tonumber(redis.call('HGET', OPEN, who) or '0') >= caps[who] then return 'F' end
  if skip and (AWAY[who] or redis.call('SISMEMBER', UNAVAILABLE, who) == 1) then return 'U' end
  return nil
end
"#;

/// A pick (see `state`): KEYS 11 the cursor, 12 the client's key; ARGV 3
/// whether there is a deal (0/1), 4 the deal, 5 the owner preferred ("" for
/// none), 6 whether to remember the client (0/1), 7 for how long (s), 8
/// the reply timer (ms; 0: no timer), 9 whether a deal nobody can take
/// waits (0/1), 10 the channel, then the rules over the cycle. Answers
/// `employee:position`, `employee:-1` for a deal decided before or the
/// preferred owner, or "" for nobody.
const PICK_SCRIPT: &str = r#"
local has_deal, deal, prefer, channel = ARGV[3] == '1', ARGV[4], ARGV[5], ARGV[10]
if has_deal then
  local owner = redis.call('HGET', OWNERS, deal)
  if owner then return owner .. ':-1' end
end
local skip, cycle, caps = rules(11)
local function give(who, pos)
  if has_deal then
    open_deal(deal, who)
    dequeue(deal)
  end
  if ARGV[6] == '1' then redis.call('SET', KEYS[12], who, 'EX', ARGV[7]) end
  if has_deal and ARGV[8] ~= '0' then start_timer(deal, channel, who, NOW + tonumber(ARGV[8])) end
  return who .. ':' .. pos
end
if prefer ~= '' and cannot_take(true, caps, prefer) == nil then return give(prefer, -1) end
local who, pos = take_next(cycle, function(w) return cannot_take(skip, caps, w) == nil end)
if who then return give(who, pos) end
if has_deal and ARGV[9] == '1' then enqueue(deal, channel, NOW, queue(channel)) end
return ''
"#;

/// Passes a due deal on (see `AssignmentState::reassign`): KEYS 11 the
/// cursor; ARGV 3 the deal, 4 the cap, 5 the timer (ms), then the rules
/// over the cycle. Nobody to take it over: it leaves the due set and, its
/// timer kept, waits in its channel's queue of due deals (when everyone of
/// the cycle has had it, it stays). Answers the event's id, or "".
const REASSIGN_SCRIPT: &str = r#"
local deal = ARGV[3]
local due = redis.call('ZSCORE', REPLY_DUE, deal)
if not due or tonumber(due) > NOW then return '' end
local timer, owner = redis.call('HGET', TIMERS, deal), redis.call('HGET', OWNERS, deal)
if not timer or not owner then forget(deal) return '' end
local channel, _, _, before = read_timer(timer)
local skip, cycle, caps = rules(6)
local who = take_next(cycle, function(w) return not before[w] and cannot_take(skip, caps, w) == nil end)
if not who then
  local everyone = true
  for _, m in ipairs(cycle) do if not before[m] then everyone = false end end
  if everyone then stop_timer(deal) return '' end
  redis.call('ZREM', REPLY_DUE, deal)
  enqueue(deal, channel, NOW, stuck_queue(channel))
  return ''
end
return pass(deal, timer, who, tonumber(ARGV[5]), tonumber(ARGV[4]))
"#;

/// Gives a waiting deal of the channel to the next member who can take it
/// (see `Memory::drain_plan`): the oldest due deal (of 64) someone who has
/// not had it can take over, else the oldest new deal. KEYS 11 the cursor;
/// ARGV 3 the channel, 4 the timer (ms; 0: none), 5 the cap, then the
/// rules over the cycle. Answers the event's id, or "".
const DRAIN_SCRIPT: &str = r#"
local channel, after, cap = ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local skip, cycle, caps = rules(6)
local function ok(w) return cannot_take(skip, caps, w) == nil end
for _, deal in ipairs(redis.call('ZRANGE', stuck_queue(channel), 0, 63)) do
  local owner = redis.call('HGET', OWNERS, deal)
  local timer = redis.call('HGET', TIMERS, deal)
  local timed_owner, before
  if timer then _, _, timed_owner, before = read_timer(timer) end
  local everyone = true
  if before then for _, m in ipairs(cycle) do if not before[m] then everyone = false end end end
  if not owner or timed_owner ~= owner or after == 0 or everyone then
    forget(deal)
  else
    local who = take_next(cycle, function(w) return not before[w] and ok(w) end)
    if who then return pass(deal, timer, who, after, cap) end
  end
end
while true do
  local deal = redis.call('ZRANGE', queue(channel), 0, 0)[1]
  if not deal then return '' end
  if redis.call('HEXISTS', OWNERS, deal) == 1 then
    dequeue(deal)
  else
    local who = take_next(cycle, ok)
    if not who then return '' end
    dequeue(deal)
    open_deal(deal, who)
    if after ~= 0 then start_timer(deal, channel, who, NOW + after) end
    return record('assigned', deal, channel, '', who)
  end
end
"#;

/// ARGV 3 the deal: its timer stopped (a due deal waiting to be taken over
/// waits no more); 1 if it had one.
const REPLIED_SCRIPT: &str = r#"
local had = redis.call('HEXISTS', TIMERS, ARGV[3]) == 1
if had then forget(ARGV[3]) end
return had and '1' or '0'
"#;

/// ARGV 3 at most: the channels with waiting deals (tab-separated), then
/// the due deals and their channels, lines of the deal, a tab and the
/// channel. Waiting deals of the previous layout (one queue for the
/// account) move into their channels' queues first, in their order.
const DUE_SCRIPT: &str = r#"
if redis.call('EXISTS', OLD_WAITING) == 1 then
  local old = redis.call('ZRANGE', OLD_WAITING, 0, -1, 'WITHSCORES')
  redis.call('DEL', OLD_WAITING)
  for i = 1, #old, 2 do
    local channel = redis.call('HGET', WAITING_CH, old[i])
    if channel then
      redis.call('HDEL', WAITING_CH, old[i])
      enqueue(old[i], channel, tonumber(old[i + 1]), queue(channel))
    end
  end
end
local out = { table.concat(redis.call('SMEMBERS', QUEUES), '\t') }
for _, deal in ipairs(redis.call('ZRANGEBYSCORE', REPLY_DUE, '-inf', NOW, 'LIMIT', 0, tonumber(ARGV[3]))) do
  local timer = redis.call('HGET', TIMERS, deal)
  out[#out + 1] = deal .. '\t' .. (timer and string.match(timer, '^([^\t]*)') or '')
end
return table.concat(out, '\n')
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

/// A claim (see `state::Claiming`): KEYS 11 the claim; ARGV 3 the employee,
/// 4 the claim's ttl (s), 5 checked (0/1), 6 assign_anyway (0/1), 7
/// counted (0/1: the deal counts open), 8 the deal, then the rules over the
/// group. Answers `W<winner>`, `U`/`F` for a refused claimant, `H<owner>`
/// for a deal held by another. One deal, one owner: a deal another
/// channel gave someone is theirs; one waiting on another channel waits
/// no more.
const CLAIM_SCRIPT: &str = r#"
local winner = redis.call('GET', KEYS[11])
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
local owner = redis.call('HGET', OWNERS, deal)
if owner and owner ~= who then return 'H' .. owner end
if not owner and ARGV[7] == '1' then open_deal(deal, who) end
dequeue(deal)
redis.call('SET', KEYS[11], who, 'EX', ARGV[4])
return 'W' .. who
"#;

/// ARGV 3 the deal: its owner (or ""), its count down.
const CLOSE_SCRIPT: &str = "return close_deal(ARGV[3]) or ''";

/// KEYS a v1 deal key; ARGV the deal, the time and lifetime (ms): the
/// owner moved into the deal book, due a lifetime from now. 2: the key is
/// gone (it expired since the scan).
const MIGRATE_DEAL_SCRIPT: &str = r#"
local who = redis.call('GET', KEYS[1])
if not who then return 2 end
if redis.call('HSETNX', KEYS[2], ARGV[1], who) == 0 then return 0 end
redis.call('ZADD', KEYS[3], tonumber(ARGV[2]) + tonumber(ARGV[3]), ARGV[1])
redis.call('DEL', KEYS[1])
return 1
"#;

/// KEYS a v1 key, its v2 name: renamed (value and expiry kept) unless the
/// v2 name exists (0); 2: the key is gone (it expired since the scan). On
/// one node only: the names are in different slots.
const MIGRATE_SCRIPT: &str = "if redis.call('EXISTS', KEYS[1]) == 0 then return 2 end \
     if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end redis.call('RENAME', KEYS[1], KEYS[2]) return 1";

/// KEYS cursor; ARGV from, to: moves the cursor if it is still at `from`.
const MOVE_SCRIPT: &str = "if tonumber(redis.call('GET', KEYS[1]) or '0') == tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[2]) return 1 end return 0";

/// The scripts as redis-rs sends them (`EVALSHA`, loaded on `NOSCRIPT`),
/// each with the prelude in front.
static PICK: LazyLock<Script> = LazyLock::new(|| with_prelude(PICK_SCRIPT));
static CAN_TAKE: LazyLock<Script> = LazyLock::new(|| with_prelude(CAN_TAKE_SCRIPT));
static CLAIM: LazyLock<Script> = LazyLock::new(|| with_prelude(CLAIM_SCRIPT));
static CLOSE: LazyLock<Script> = LazyLock::new(|| with_prelude(CLOSE_SCRIPT));
static REASSIGN: LazyLock<Script> = LazyLock::new(|| with_prelude(REASSIGN_SCRIPT));
static DRAIN: LazyLock<Script> = LazyLock::new(|| with_prelude(DRAIN_SCRIPT));
static REPLIED: LazyLock<Script> = LazyLock::new(|| with_prelude(REPLIED_SCRIPT));
static DUE: LazyLock<Script> = LazyLock::new(|| with_prelude(DUE_SCRIPT));
static MOVE: LazyLock<Script> = LazyLock::new(|| Script::new(MOVE_SCRIPT));
static MIGRATE: LazyLock<Script> = LazyLock::new(|| Script::new(MIGRATE_SCRIPT));
static MIGRATE_DEAL: LazyLock<Script> = LazyLock::new(|| Script::new(MIGRATE_DEAL_SCRIPT));

fn with_prelude(script: &str) -> Script {
    Script::new(&[PRELUDE, script].concat())
}

/// What a script call is about beside its arguments.
struct Call<'a> {
    account: &'a str,
    /// The script's own keys, after the account's book.
    keys: &'a [String],
    /// The instant; `None`: the server's clock.
    now_ms: Option<u64>,
    /// With more than 0, the call's writes reach that many replicas before
    /// it answers.
    replicas: u32,
}

impl<'a> Call<'a> {
    fn on(account: &'a str) -> Self {
        Call { account, keys: &[], now_ms: None, replicas: 0 }
    }

    fn keys(self, keys: &'a [String]) -> Self {
        Call { keys, ..self }
    }

    fn at(self, now_ms: Option<u64>) -> Self {
        Call { now_ms, ..self }
    }
}

/// One node through a `ConnectionManager` (multiplexed, reconnecting), or
/// a cluster (a multiplexed connection per node, the slot map followed).
#[derive(Clone)]
enum Connection {
    Node(ConnectionManager),
    Cluster(ClusterConnection),
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Connection::Node(c) => c.req_packed_command(cmd),
            Connection::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a redis::Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Connection::Node(c) => c.req_packed_commands(pipeline, offset, count),
            Connection::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Connection::Node(c) => c.get_db(),
            Connection::Cluster(c) => c.get_db(),
        }
    }
}

/// Redis-backed assignment state.
pub struct RedisState {
    endpoint: Endpoint,
    connection: tokio::sync::OnceCell<Connection>,
    timeout: Duration,
    deal_ttl: Duration,
}

impl RedisState {
    /// A state on `url` (see `endpoint`). Nothing is connected yet; every
    /// call ends within `timeout`.
    pub fn open(url: &str, timeout: Duration) -> Result<Self, StateError> {
        let endpoint = Endpoint::parse(url).map_err(|why| StateError::Refused(format!("bad Redis URL: {why}")))?;
        Ok(RedisState { endpoint, connection: tokio::sync::OnceCell::new(), timeout, deal_ttl: DEAL_TTL })
    }

    /// Deals still open after `ttl` are closed by themselves, instead of
    /// after `DEAL_TTL`.
    pub fn with_deal_ttl(mut self, ttl: Duration) -> Self {
        self.deal_ttl = ttl;
        self
    }

    /// Whether the URL names a cluster.
    pub fn is_cluster(&self) -> bool {
        self.endpoint.cluster
    }

    /// The shared connection, made by the first call that needs it (a
    /// failed attempt leaves the next call to try again).
    async fn connection(&self) -> Result<Connection, RedisError> {
        let made = self.connection.get_or_try_init(|| self.connect()).await?;
        Ok(made.clone())
    }

    async fn connect(&self) -> Result<Connection, RedisError> {
        let infos = self
            .endpoint
            .connection_infos()
            .map_err(|e| RedisError::from((ErrorKind::InvalidClientConfig, "bad URL", e)))?;
        if self.endpoint.cluster {
            // Inside the call's own deadline (`within`), which bounds the
            // whole call whatever redis-rs retries.
            let cluster = redis::cluster::ClusterClientBuilder::new(infos)
                .connection_timeout(self.timeout)
                .response_timeout(self.timeout)
                .overall_response_timeout(Some(self.timeout))
                .retries(3)
                .min_retry_wait(20)
                .max_retry_wait(200)
                .build()?;
            return Ok(Connection::Cluster(cluster.get_async_connection().await?));
        }
        let info = infos.into_iter().next().expect("one node");
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(2)
            .set_min_delay(Duration::from_millis(20))
            .set_max_delay(Duration::from_millis(200));
        let client = redis::Client::open(info)?;
        Ok(Connection::Node(ConnectionManager::new_with_config(client, config).await?))
    }

    /// Runs `call` on the connection within the call's one deadline.
    async fn within<T>(
        &self,
        call: impl AsyncFnOnce(&mut Connection) -> Result<T, RedisError>,
    ) -> Result<T, StateError> {
        let run = async {
            let mut connection = self.connection().await.map_err(fault)?;
            call(&mut connection).await.map_err(fault)
        };
        match tokio::time::timeout(self.timeout, run).await {
            Ok(answered) => answered,
            Err(_) => Err(StateError::Unavailable(format!("no answer within {:?} (timed out)", self.timeout))),
        }
    }

    async fn query<T: FromRedisValue>(&self, cmd: Cmd) -> Result<T, StateError> {
        self.within(async |c| cmd.query_async(c).await).await
    }

    /// One script call: the account's deal book as its first keys and the
    /// time as its first arguments (see `PRELUDE`); with `replicas` above
    /// 0, its writes on that many replicas before it answers.
    async fn script(&self, script: &Script, call: Call<'_>, args: Vec<Vec<u8>>) -> Result<String, StateError> {
        let Call { account, keys, now_ms, replicas } = call;
        let book = AccountKeys::new(account);
        let mut call = script.prepare_invoke();
        call.key(book.unavailable()).key(book.open()).key(book.owners()).key(book.due());
        call.key(book.reply_due()).key(book.timers()).key(book.waiting()).key(book.waiting_channel());
        call.key(book.events()).key(book.queues());
        for key in keys {
            call.key(key);
        }
        call.arg(now_ms.map(|ms| ms.to_string()).unwrap_or_default()).arg(self.deal_ttl.as_millis().to_string());
        for arg in args {
            call.arg(arg);
        }
        let wait_on = book.layout();
        self.within(async |c| {
            let answer: String = call.invoke_async(c).await?;
            if replicas > 0 {
                self.wait(c, &wait_on, replicas).await?;
            }
            Ok(answer)
        })
        .await
    }

    /// `WAIT` on the node of `key`'s slot until `replicas` replicas have
    /// the writes made through this connection, within the deadline: fewer
    /// is a failure (the caller retries; the claim is idempotent).
    async fn wait(&self, c: &mut Connection, key: &str, replicas: u32) -> Result<(), RedisError> {
        // WAIT's own timeout ends before the call's deadline, so its answer
        // (how many replicas have it) arrives in time.
        let budget = (self.timeout.as_millis() / 2).max(1) as u64;
        let mut wait = redis::cmd("WAIT");
        wait.arg(replicas).arg(budget);
        let acked: i64 = match c {
            Connection::Node(node) => wait.query_async(node).await?,
            Connection::Cluster(cluster) => {
                let node = Route::with_slot(Slot::for_key(key), SlotAddr::Master);
                let routing = RoutingInfo::SingleNode(SingleNodeRoutingInfo::SpecificNode(node));
                FromRedisValue::from_redis_value(cluster.route_command(wait, routing).await?)?
            }
        };
        if acked < i64::from(replicas) {
            let why = format!("the claim reached {acked} of {replicas} replica(s) in time; ask again");
            return Err(RedisError::from((ErrorKind::Server(ServerErrorKind::TryAgain), "WAIT", why)));
        }
        Ok(())
    }
    /// The account's keys of the first layout (`SCAN MATCH`, in batches).
    /// That layout only ever ran on a single node: a cluster has none.
    async fn v1_keys(&self, account: &str) -> Result<Vec<String>, StateError> {
        let mut found = Vec::new();
        if self.endpoint.cluster {
            return Ok(found);
        }
        for pattern in v1_patterns(account) {
            let mut cursor = 0u64;
            loop {
                let mut scan = redis::cmd("SCAN");
                scan.arg(cursor).arg("MATCH").arg(&pattern).arg("COUNT").arg(1000);
                let (next, keys): (u64, Vec<String>) = self.query(scan).await?;
                found.extend(keys);
                cursor = next;
                if cursor == 0 {
                    break;
                }
            }
        }
        Ok(found)
    }

    /// Refuses an account whose keys are still on the first layout, so an
    /// upgrade never starts its cursors, claims and counts afresh. After
    /// one look (or a migration) the account's `layout` key answers at once.
    pub async fn check_layout(&self, account: &str) -> Result<(), StateError> {
        let marker = AccountKeys::new(account).layout();
        let marked: Option<String> = self.query(redis::Cmd::get(&marker)).await?;
        if marked.is_some() {
            return Ok(());
        }
        let old = self.v1_keys(account).await?;
        if !old.is_empty() {
            return Err(StateError::OldLayout { account: account.to_owned(), keys: old.len() });
        }
        self.query(redis::Cmd::set(&marker, KEY_VERSION)).await
    }

    /// Moves the account's keys of the first layout to this one (values and
    /// expiries kept) and marks the account. A key that expires between the
    /// scan and its move is counted, not an error; a key found under both
    /// names is left alone and stops the migration with an error (nothing
    /// is overwritten). Resumable: what moved stays moved, a second run
    /// moves the rest. Run it on the single node the old layout ran on,
    /// with every older chatroute on that account stopped.
    pub async fn migrate(&self, account: &str) -> Result<Migrated, StateError> {
        let mut migrated = Migrated::default();
        let book = AccountKeys::new(account);
        for old in self.v1_keys(account).await? {
            let target =
                v2_target(account, &old).ok_or_else(|| StateError::Refused(format!("no v2 name for {old}")))?;
            let mut call;
            match &target {
                V2Target::Key(new) => {
                    call = MIGRATE.prepare_invoke();
                    call.key(&old).key(new);
                }
                V2Target::Deal(deal) => {
                    call = MIGRATE_DEAL.prepare_invoke();
                    call.key(&old).key(book.owners()).key(book.due());
                    call.arg(deal).arg(super::unix_ms(None).to_string()).arg(self.deal_ttl.as_millis().to_string());
                }
            }
            let kept: i64 = self.within(async |c| call.invoke_async(c).await).await?;
            match kept {
                0 => {
                    let why = format!("{target:?} exists beside {old}: nothing was overwritten");
                    return Err(StateError::Refused(why));
                }
                2 => migrated.vanished += 1,
                _ => migrated.moved += 1,
            }
        }
        self.query::<()>(redis::Cmd::set(book.layout(), KEY_VERSION)).await?;
        Ok(migrated)
    }
}

/// What `migrate` did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Migrated {
    pub moved: usize,
    /// Keys that expired between the scan and their move.
    pub vanished: usize,
}

/// A redis-rs error as the state's: what may pass is `Unavailable` (the
/// caller retries later), what asking again cannot mend is `Refused`.
fn fault(e: RedisError) -> StateError {
    let text = chatroute_table::text::printable(&e.to_string()).into_owned();
    if let Some(tls) = tls_error(&e) {
        return StateError::Refused(format!(
            "the Redis server's TLS certificate is not accepted ({tls}); for a private CA, set SSL_CERT_FILE to its PEM file"
        ));
    }
    let permanent = matches!(
        e.kind(),
        ErrorKind::AuthenticationFailed
            | ErrorKind::InvalidClientConfig
            | ErrorKind::UnexpectedReturnType
            | ErrorKind::Server(
                ServerErrorKind::ResponseError
                    | ServerErrorKind::NoPerm
                    | ServerErrorKind::CrossSlot
                    | ServerErrorKind::ExecAbort
            )
    );
    if permanent { StateError::Refused(text) } else { StateError::Unavailable(text) }
}

/// The rustls error under a redis-rs error, if the fault is the handshake
/// (redis-rs keeps the cause as an `Arc`, an I/O error around rustls's).
fn tls_error(e: &RedisError) -> Option<String> {
    type Cause = std::sync::Arc<dyn std::error::Error + Send + Sync>;
    let cause: &(dyn std::error::Error + 'static) = &**std::error::Error::source(e)?.downcast_ref::<Cause>()?;
    let tls = match cause.downcast_ref::<std::io::Error>() {
        Some(io) => io.get_ref()?.downcast_ref::<rustls::Error>()?,
        None => cause.downcast_ref::<rustls::Error>()?,
    };
    Some(tls.to_string())
}

fn flag(on: bool) -> Vec<u8> {
    if on { b"1".to_vec() } else { b"0".to_vec() }
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
    args.push(rules.away.len().to_string().into_bytes());
    args.extend(rules.away.iter().map(|h| h.as_bytes().to_vec()));
    args
}

impl RedisState {
    /// The event a script recorded (its id; "" for none).
    async fn event(&self, account: &str, id: &str) -> Result<Option<Event>, StateError> {
        if id.is_empty() {
            return Ok(None);
        }
        let mut range = redis::cmd("XRANGE");
        range.arg(AccountKeys::new(account).events()).arg(id).arg(id);
        let entries: Vec<(String, Vec<(String, String)>)> = self.query(range).await?;
        Ok(entries.into_iter().find_map(|(id, fields)| stream_event(id, &fields)))
    }
}

/// An event as the stream holds it.
fn stream_event(id: String, fields: &[(String, String)]) -> Option<Event> {
    let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let kind = match field("type")?.as_str() {
        "reassigned" => EventKind::Reassigned,
        "assigned" => EventKind::Assigned,
        _ => return None,
    };
    Some(Event {
        id,
        kind,
        deal: field("deal")?,
        channel: field("channel")?,
        from: field("from").filter(|f| !f.is_empty()),
        to: field("to")?,
        at_ms: field("at")?.parse().ok()?,
    })
}

impl AssignmentState for RedisState {
    /// The full Redis key of the cursor.
    type Cursor = String;

    fn cursor(&self, account: &str, channel: &str) -> String {
        AccountKeys::new(account).cursor(channel)
    }

    async fn next_ticket(&self, cursor: &String) -> Result<u64, StateError> {
        let n: i64 = self.query(redis::Cmd::incr(cursor, 1)).await?;
        u64::try_from(n - 1).map_err(|_| StateError::Refused(format!("cursor {cursor} holds a foreign value")))
    }

    async fn ping(&self) -> Result<(), StateError> {
        self.query::<String>(redis::cmd("PING")).await.map(drop)
    }

    fn accepts(&self, account: &str) -> impl Future<Output = Result<(), StateError>> + Send {
        self.check_layout(account)
    }

    async fn pick(&self, cursor: &String, pick: &Pick<'_>) -> Result<Option<Picked>, StateError> {
        let mut args = vec![flag(pick.deal.is_some()), pick.deal.unwrap_or_default().as_bytes().to_vec()];
        args.push(pick.prefer.unwrap_or_default().as_bytes().to_vec());
        args.extend([flag(pick.contact.is_some()), CLIENT_TTL.as_secs().to_string().into_bytes()]);
        args.push(pick.reply_after_ms.unwrap_or(0).to_string().into_bytes());
        args.extend([flag(pick.queue), pick.channel.as_bytes().to_vec()]);
        args.extend(rule_args(pick.cycle, &pick.rules));
        let client = AccountKeys::new(pick.account).client(pick.contact.unwrap_or_default());
        let keys = [cursor.clone(), client];
        let answer = self.script(&PICK, Call::on(pick.account).keys(&keys).at(pick.now_ms), args).await?;
        if answer.is_empty() {
            return Ok(None);
        }
        let (employee, position) =
            answer.rsplit_once(':').ok_or_else(|| StateError::Refused(format!("unexpected pick reply {answer:?}")))?;
        Ok(Some(Picked { employee: employee.to_owned(), position: position.parse().ok() }))
    }

    async fn owner_of(&self, account: &str, contact: &str) -> Result<Option<String>, StateError> {
        self.query(redis::Cmd::get(AccountKeys::new(account).client(contact))).await
    }

    async fn can_take(
        &self,
        account: &str,
        members: &[String],
        rules: &PickRules<'_>,
    ) -> Result<Vec<bool>, StateError> {
        let answer = self.script(&CAN_TAKE, Call::on(account), rule_args(members, rules)).await?;
        Ok(answer.bytes().map(|b| b == b'1').collect())
    }

    async fn set_available(&self, account: &str, employee: &str, available: bool) -> Result<(), StateError> {
        let unavailable = AccountKeys::new(account).unavailable();
        let cmd =
            if available { redis::Cmd::srem(unavailable, employee) } else { redis::Cmd::sadd(unavailable, employee) };
        self.query::<i64>(cmd).await.map(drop)
    }

    async fn close_deal(&self, account: &str, deal: &str) -> Result<Option<String>, StateError> {
        let owner = self.script(&CLOSE, Call::on(account), vec![deal.as_bytes().to_vec()]).await?;
        Ok(Some(owner).filter(|o| !o.is_empty()))
    }

    async fn replied(&self, account: &str, deal: &str) -> Result<bool, StateError> {
        Ok(self.script(&REPLIED, Call::on(account), vec![deal.as_bytes().to_vec()]).await? == "1")
    }

    async fn due(&self, account: &str, now_ms: Option<u64>, limit: usize) -> Result<Due, StateError> {
        let args = vec![limit.to_string().into_bytes()];
        let answer = self.script(&DUE, Call::on(account).at(now_ms), args).await?;
        let mut lines = answer.split('\n');
        let mut waiting: Vec<String> =
            lines.next().unwrap_or_default().split('\t').filter(|c| !c.is_empty()).map(str::to_owned).collect();
        waiting.sort_unstable();
        let deals = lines.filter_map(|l| l.split_once('\t')).map(|(d, c)| (d.to_owned(), c.to_owned())).collect();
        Ok(Due { deals, waiting })
    }

    async fn reassign(&self, cursor: &String, r: &Reassigning<'_>) -> Result<Option<Event>, StateError> {
        let mut args = vec![r.deal.as_bytes().to_vec(), r.max.to_string().into_bytes()];
        args.push(r.after_ms.to_string().into_bytes());
        args.extend(rule_args(r.cycle, &r.rules));
        let call = Call::on(r.account).keys(std::slice::from_ref(cursor)).at(r.now_ms);
        let id = self.script(&REASSIGN, call, args).await?;
        self.event(r.account, &id).await
    }

    async fn drain(&self, cursor: &String, d: &Draining<'_>) -> Result<Option<Event>, StateError> {
        let (after, cap) = d.reassign.unwrap_or((0, 0));
        let mut args = vec![d.channel.as_bytes().to_vec(), after.to_string().into_bytes()];
        args.push(cap.to_string().into_bytes());
        args.extend(rule_args(d.cycle, &d.rules));
        let call = Call::on(d.account).keys(std::slice::from_ref(cursor)).at(d.now_ms);
        let id = self.script(&DRAIN, call, args).await?;
        self.event(d.account, &id).await
    }

    async fn events(&self, account: &str, after: Option<EventId>, limit: usize) -> Result<Vec<Event>, StateError> {
        if after == Some(EventId::MAX) {
            return Ok(Vec::new());
        }
        let start = after.map_or_else(|| "-".to_owned(), |a| format!("({a}"));
        let mut range = redis::cmd("XRANGE");
        range.arg(AccountKeys::new(account).events()).arg(start).arg("+").arg("COUNT").arg(limit);
        let entries: Vec<(String, Vec<(String, String)>)> = self.query(range).await?;
        Ok(entries.into_iter().filter_map(|(id, fields)| stream_event(id, &fields)).collect())
    }

    async fn claim(&self, claim: &Claiming<'_>) -> Result<Claimed, StateError> {
        let key = AccountKeys::new(claim.account).claim(claim.channel, claim.deal);
        let counted = claim.rules.is_some_and(|r| !r.max_open.is_empty());
        let mut args = vec![claim.employee.as_bytes().to_vec(), CLAIM_TTL.as_secs().to_string().into_bytes()];
        args.extend([flag(claim.rules.is_some()), flag(claim.assign_anyway), flag(counted)]);
        args.push(claim.deal.as_bytes().to_vec());
        let no_rules = std::collections::BTreeMap::new();
        let rules = claim.rules.unwrap_or(PickRules { skip_unavailable: false, max_open: &no_rules, away: &[] });
        args.extend(rule_args(claim.group, &rules));
        // With `?replicas=N`, a claim is answered only once N replicas have
        // it: a won claim survives a failover to one of them. A retry of a
        // claim that timed out in WAIT answers the same winner.
        let keys = [key];
        let call = Call { replicas: self.endpoint.replicas, ..Call::on(claim.account).keys(&keys) };
        let answer = self.script(&CLAIM, call, args).await?;
        match answer.split_at_checked(1) {
            Some(("W", winner)) => Ok(Claimed::Winner(winner.to_owned())),
            Some(("H", owner)) => Ok(Claimed::Held { owner: owner.to_owned() }),
            Some(("U", "")) => Ok(Claimed::Refused(CannotTake::Unavailable)),
            Some(("F", "")) => Ok(Claimed::Refused(CannotTake::AtCapacity)),
            _ => Err(StateError::Refused(format!("unexpected claim reply {answer:?}"))),
        }
    }

    async fn cursor_position(&self, cursor: &String) -> Result<u64, StateError> {
        let value: Option<String> = self.query(redis::Cmd::get(cursor)).await?;
        value.map_or(Ok(0), |v| {
            v.parse().map_err(|_| StateError::Refused(format!("cursor {cursor} holds a foreign value")))
        })
    }

    async fn move_cursor(&self, cursor: &String, from: u64, to: u64) -> Result<bool, StateError> {
        let mut call = MOVE.prepare_invoke();
        call.key(cursor).arg(from).arg(to);
        let moved: i64 = self.within(async |c| call.invoke_async(c).await).await?;
        Ok(moved == 1)
    }
}
