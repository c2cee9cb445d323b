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

use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{Route, RoutingInfo, SingleNodeRoutingInfo, Slot, SlotAddr};
use redis::{Cmd, ErrorKind, FromRedisValue, RedisError, RedisFuture, Script, ServerErrorKind, Value};

mod endpoint;
mod fault;
mod keys;
mod scripts;

pub use self::endpoint::{Endpoint, redacted};
use self::fault::fault;
use self::keys::{AccountKeys, V2Target, v1_patterns, v2_target};
pub use self::keys::{NAMESPACE, VERSION as KEY_VERSION, account_prefix};
use self::scripts::{
    Args, CAN_TAKE, CLAIM, CLOSE, Call, DRAIN, DUE, HAND_OVER, MIGRATE, MIGRATE_DEAL, MOVE_CURSOR, PICK, REASSIGN,
    REPLIED,
};
use super::state::events::{Draining, Due, Event, EventId, EventKind, Reassigning};
use super::state::{
    AssignmentState, CLAIM_TTL, CLIENT_TTL, CannotTake, Claimed, Claiming, DEAL_TTL, HandOver, Pick, PickRules, Picked,
    StateError,
};

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

    /// One command of a layer above, on this state's connection and within
    /// its deadline, its failures mapped as the state's own.
    pub async fn command<T: FromRedisValue>(&self, cmd: Cmd) -> Result<T, StateError> {
        self.query(cmd).await
    }

    /// One script of a layer above; its keys share one account's hash tag
    /// (`account_prefix`).
    pub async fn eval<T: FromRedisValue>(
        &self,
        script: &Script,
        keys: &[String],
        args: &[String],
    ) -> Result<T, StateError> {
        let mut call = script.prepare_invoke();
        for key in keys {
            call.key(key);
        }
        for arg in args {
            call.arg(arg);
        }
        self.within(async |c| call.invoke_async(c).await).await
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
    async fn script(&self, script: &Script, call: Call<'_>, args: Args) -> Result<String, StateError> {
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
        for arg in args.0 {
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
                    call.arg(deal)
                        .arg(crate::state::clock_ms(None).to_string())
                        .arg(self.deal_ttl.as_millis().to_string());
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
        let args = Args::default()
            .flag(pick.deal.is_some())
            .text(pick.deal.unwrap_or_default())
            .text(pick.prefer.unwrap_or_default())
            .flag(pick.contact.is_some())
            .number(CLIENT_TTL.as_secs())
            .number(pick.reply_after_ms.unwrap_or(0))
            .flag(pick.queue)
            .text(pick.channel)
            .rules(pick.cycle, &pick.rules);
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
        let answer = self.script(&CAN_TAKE, Call::on(account), Args::default().rules(members, rules)).await?;
        Ok(answer.bytes().map(|b| b == b'1').collect())
    }

    async fn set_available(&self, account: &str, employee: &str, available: bool) -> Result<(), StateError> {
        let unavailable = AccountKeys::new(account).unavailable();
        let cmd =
            if available { redis::Cmd::srem(unavailable, employee) } else { redis::Cmd::sadd(unavailable, employee) };
        self.query::<i64>(cmd).await.map(drop)
    }

    async fn close_deal(&self, account: &str, deal: &str) -> Result<Option<String>, StateError> {
        let owner = self.script(&CLOSE, Call::on(account), Args::default().text(deal)).await?;
        Ok(Some(owner).filter(|o| !o.is_empty()))
    }

    async fn replied(&self, account: &str, deal: &str) -> Result<bool, StateError> {
        Ok(self.script(&REPLIED, Call::on(account), Args::default().text(deal)).await? == "1")
    }

    async fn hand_over(&self, hand_over: &HandOver<'_>) -> Result<Option<String>, StateError> {
        let HandOver { account, deal, employee, contact } = *hand_over;
        let args = Args::default().text(deal).text(employee).flag(contact.is_some()).number(CLIENT_TTL.as_secs());
        let keys = [AccountKeys::new(account).client(contact.unwrap_or_default())];
        let previous = self.script(&HAND_OVER, Call::on(account).keys(&keys), args).await?;
        Ok(Some(previous).filter(|p| !p.is_empty()))
    }

    async fn due(&self, account: &str, now_ms: Option<u64>, limit: usize) -> Result<Due, StateError> {
        let args = Args::default().number(limit as u64);
        let answer = self.script(&DUE, Call::on(account).at(now_ms), args).await?;
        let mut lines = answer.split('\n');
        let mut waiting: Vec<String> =
            lines.next().unwrap_or_default().split('\t').filter(|c| !c.is_empty()).map(str::to_owned).collect();
        waiting.sort_unstable();
        let deals = lines.filter_map(|l| l.split_once('\t')).map(|(d, c)| (d.to_owned(), c.to_owned())).collect();
        Ok(Due { deals, waiting })
    }

    async fn reassign(&self, cursor: &String, r: &Reassigning<'_>) -> Result<Option<Event>, StateError> {
        let args = Args::default().text(r.deal).number(r.max).number(r.after_ms).rules(r.cycle, &r.rules);
        let call = Call::on(r.account).keys(std::slice::from_ref(cursor)).at(r.now_ms);
        let id = self.script(&REASSIGN, call, args).await?;
        self.event(r.account, &id).await
    }

    async fn drain(&self, cursor: &String, d: &Draining<'_>) -> Result<Option<Event>, StateError> {
        let (after, cap) = d.reassign.unwrap_or((0, 0));
        let args = Args::default().text(d.channel).number(after).number(cap).rules(d.cycle, &d.rules);
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
        let args = Args::default()
            .text(claim.employee)
            .number(CLAIM_TTL.as_secs())
            .flag(claim.rules.is_some())
            .flag(claim.assign_anyway)
            .flag(counted)
            .text(claim.deal);
        let no_rules = std::collections::BTreeMap::new();
        let rules = claim.rules.unwrap_or(PickRules { skip_unavailable: false, max_open: &no_rules, away: &[] });
        let args = args.rules(claim.group, &rules);
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
        let mut call = MOVE_CURSOR.prepare_invoke();
        call.key(cursor).arg(from).arg(to);
        let moved: i64 = self.within(async |c| call.invoke_async(c).await).await?;
        Ok(moved == 1)
    }
}
