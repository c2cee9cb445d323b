//! `chatroute serve`: the runtime as an HTTP decision service, for runtime
//! services not written in Rust (OPA's decision point is the model: the
//! compiled table activated without restart, health that reports it).
//!
//! - Every request takes the active table (`Arc`) when it starts and
//!   finishes on it; a reload swaps the `Arc` for the next requests.
//! - A reload (SIGHUP, or the table file replaced: `compile` renames) is
//!   verified before activation; a refused table leaves the old one
//!   serving, and the refusal shows in `/v1/table`, `/readyz` and metrics.
//! - State calls (Redis) are awaited on the event loop, sharing the
//!   state's multiplexed connections; files are read on the blocking pool.
//!   With the state unreachable a decision answers 503 with `Retry-After`,
//!   and the next call reconnects by itself.
//! - Loopback unless `--listen` says otherwise; with a token, every `/v1`
//!   call needs `Authorization: Bearer` (compared in constant time); bodies
//!   and request times are bounded; SIGTERM lets in-flight requests finish.

pub mod api;
mod conn;
mod error;
mod extension;
mod extract;
mod handlers;
mod metrics;
mod notify;
pub mod openapi;
mod tables;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use axum::Router as Routes;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use chatroute_runtime::{AssignmentState, RouteError, Router, StateError};
use chatroute_table::TableFile;

pub use self::error::error;
use self::error::{ApiError, json_errors};
pub use self::extension::{Extension, Service};
use self::metrics::Metrics;
pub use self::tables::Active;
use self::tables::Tables;

/// How the service runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub table: PathBuf,
    pub listen: SocketAddr,
    /// Bearer token every `/v1` call must carry.
    pub token: Option<String>,
    pub body_limit: usize,
    pub request_timeout: Duration,
    /// How long a connection may take to send a request head, or sit idle
    /// between requests, before it is closed.
    pub header_timeout: Duration,
    /// Open connections at most (lowered to fit the descriptor limit).
    pub max_connections: usize,
    /// How long in-flight requests may take to finish after SIGTERM.
    pub grace: Duration,
    /// How often the table file is looked at for a replacement.
    pub watch_interval: Duration,
    /// How often due timers fire and waiting deals are handed out.
    pub tick: Duration,
    /// Where each event is POSTed (at least once), if anywhere.
    pub notify: Option<String>,
    /// Tries of one delivery before the event is a dead letter.
    pub notify_attempts: u32,
    /// Threads answering requests: 1 is one event loop, where the Redis
    /// commands of requests ready together leave in one write and their
    /// replies come back in one read (`runtime`).
    pub workers: usize,
}

impl ServeOptions {
    pub fn new(table: PathBuf, listen: SocketAddr) -> Self {
        ServeOptions {
            table,
            listen,
            token: None,
            body_limit: 64 * 1024,
            request_timeout: Duration::from_secs(10),
            header_timeout: Duration::from_secs(10),
            max_connections: 1024,
            grace: Duration::from_secs(5),
            watch_interval: Duration::from_secs(1),
            tick: Duration::from_secs(1),
            notify: None,
            notify_attempts: 8,
            workers: 1,
        }
    }
}

/// The service: the tables, the state every table shares, metrics.
struct App<S: AssignmentState> {
    tables: RwLock<Tables<S>>,
    /// `serve DIR`: accounts under `/v1/accounts/{account}/`.
    fleet: bool,
    state: Arc<S>,
    metrics: Metrics,
    /// `--notify`: the deliveries of events.
    notifier: Option<Arc<notify::Notifier>>,
    /// What `connect` adds (nothing for `serve`).
    extension: Arc<dyn Extension<S>>,
    opts: ServeOptions,
}

pub(crate) fn now() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl<S: AssignmentState + 'static> App<S> {
    fn tables(&self) -> std::sync::RwLockReadGuard<'_, Tables<S>> {
        self.tables.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The table a request is for: its account's (`serve DIR`), or the
    /// only one.
    fn table_for(&self, account: Option<&str>) -> Result<Arc<Active<S>>, ApiError> {
        let tables = self.tables();
        let found = match account {
            Some(account) => tables.account(account),
            None => tables.only(),
        };
        match (found, account) {
            (Some(active), _) => Ok(active.clone()),
            // The table is read; the state could not be asked about its
            // account yet: retry later, never "no such account".
            (None, account) if tables.waits(account).is_some() => {
                let why = tables.waits(account).cloned().unwrap_or_default();
                Err(ApiError::Route(RouteError::State(StateError::Unavailable(why))))
            }
            (None, Some(account)) if tables.was_removed(account) => Err(ApiError::AccountRemoved(account.to_owned())),
            (None, account) => Err(ApiError::UnknownAccount(account.unwrap_or_default().to_owned())),
        }
    }

    /// Reads, verifies and activates what changed (everything if
    /// `forced`); a refused file leaves its account's table serving.
    /// `counted`: a reload (the metrics count reloads, not the start).
    /// Files are listed and read on the blocking pool, each new account is
    /// asked of the state here, and the tables' lock is held only to
    /// install the result: a request never waits on a disk or on Redis.
    async fn reload(self: &Arc<Self>, forced: bool, counted: bool) -> tables::Scan {
        let scan = self.look(forced, counted).await;
        // A file refused while another served its account, which this look
        // ended (a rename in two steps), is read again at once.
        if scan.unblocked > 0 { self.look(false, counted).await } else { scan }
    }

    async fn look(self: &Arc<Self>, forced: bool, counted: bool) -> tables::Scan {
        let source = self.opts.table.clone();
        let present = match tokio::task::spawn_blocking(move || tables::files(&source)).await {
            Ok(Ok(files)) => files,
            listed => {
                let why = listed.map_or_else(|e| e.to_string(), |r| r.err().map(|e| e.to_string()).unwrap_or_default());
                let message = format!("cannot list {}: {why}", self.opts.table.display());
                log(&message);
                return tables::Scan { refused: vec![message], ..Default::default() };
            }
        };
        let changed = self.tables().changed(&present, forced);
        let read = tokio::task::spawn_blocking(move || {
            changed
                .into_iter()
                .map(|(file, seen)| {
                    let table = TableFile::load(&file)
                        .map_err(|err| tables::Refusal::Permanent(format!("{}: {err}", file.display())));
                    (file, seen, table)
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        let mut activated = Vec::with_capacity(read.len());
        for (file, seen, table) in read {
            let active = match table {
                Ok(table) => self.activate(table, &file).await,
                Err(message) => Err(message),
            };
            activated.push((file, seen, active));
        }
        let scan = self.tables.write().unwrap_or_else(|p| p.into_inner()).apply(&present, activated, now());
        self.log(&scan, counted);
        scan
    }

    /// A table made a router on the shared state, unless the state cannot
    /// serve its account (Redis keys on the previous layout): refused like
    /// a damaged file, never served afresh.
    async fn activate(&self, table: TableFile, file: &std::path::Path) -> Result<Active<S>, tables::Refusal> {
        let account = &table.body.account;
        self.state.accepts(account).await.map_err(|e| {
            let message = format!("{}: {e}", file.display());
            match e {
                StateError::Unavailable(_) => tables::Refusal::Transient { account: account.clone(), message },
                _ => tables::Refusal::Permanent(message),
            }
        })?;
        Ok(Active {
            hash: table.hash.clone(),
            generator: table.generator.clone(),
            router: Router::shared(table, self.state.clone()),
            loaded_at: 0,
            file: file.to_owned(),
        })
    }

    fn log(&self, scan: &tables::Scan, counted: bool) {
        for account in &scan.loaded {
            if counted {
                self.metrics.reload(true);
            }
            log(&format!("table of `{account}` activated"));
        }
        for message in &scan.refused {
            if counted {
                self.metrics.reload(false);
            }
            log(&format!("table refused, the active one keeps serving: {message}"));
        }
        for account in &scan.waiting {
            log(&format!("table of `{account}` waits for the state to answer; asked again at the next look"));
        }
        for account in &scan.removed {
            log(&format!("account `{account}` ended (its table file is gone)"));
        }
    }
}

/// One line of the service's log. Paths and names come from files and
/// directories others may write: their control characters are escaped,
/// so a file name cannot forge a line or send escapes to a terminal.
pub(crate) fn log(line: &str) {
    eprintln!("chatroute serve: {}", chatroute_table::text::printable(line));
}

/// Why `serve` could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// `serve TABLE`: the table did not load or the state refuses its
    /// account (the file's path leads the message).
    #[error("{0}")]
    Refused(String),
    #[error("cannot listen on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Runs the service until SIGTERM or SIGINT. `ready` is called with the
/// bound address once it accepts connections.
pub fn run<S: AssignmentState + 'static>(
    opts: ServeOptions,
    state: S,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    run_with(opts, Arc::new(state), Arc::new(()), ready)
}

/// `run` with what a layer above adds (`chatroute connect`).
pub fn run_with<S: AssignmentState + 'static>(
    opts: ServeOptions,
    state: Arc<S>,
    extension: Arc<dyn Extension<S>>,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let fleet = opts.table.is_dir();
    let runtime = runtime(opts.workers)?;
    let grace = opts.grace;
    let served = runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::bind(opts.listen).await.map_err(|e| ServeError::Listen(opts.listen, e))?;
        let app = Arc::new(App {
            tables: RwLock::new(Tables::default()),
            fleet,
            state,
            metrics: Metrics::default(),
            notifier: opts.notify.clone().map(|url| Arc::new(notify::Notifier::new(url, opts.notify_attempts))),
            extension,
            opts,
        });
        // Every table present is verified before the first request; one
        // table that does not activate is a service that cannot start.
        let scan = app.reload(true, false).await;
        if !fleet && app.tables().only().is_none() && app.tables().waits(None).is_none() {
            return Err(ServeError::Refused(scan.refused.join("; ")));
        }
        tokio::spawn(watch(app.clone()));
        tokio::spawn(ticker(app.clone()));
        if let Some(notifier) = app.notifier.clone() {
            tokio::spawn(notify::deliver(app.clone(), notifier));
        }
        app.extension.clone().start(Service(app.clone()));
        ready(listener.local_addr()?);
        let limits = conn::Limits {
            header_timeout: app.opts.header_timeout,
            max_connections: conn::connection_cap(app.opts.max_connections),
            grace: app.opts.grace,
        };
        conn::serve(listener, routes(app), limits, shutdown()).await;
        Ok(())
    });
    // A reload still running on the blocking pool does not hold the exit.
    runtime.shutdown_timeout(grace);
    served
}

/// One worker is a current-thread runtime: a task woken by another runs
/// after the tasks already ready rather than at once (a multi-thread
/// runtime's LIFO slot runs it at once), so the Redis connection's writer
/// runs once per batch of requests, not once per request; on 2 cores that
/// is 57,000 Redis decisions/s against 46,000 with two workers (docs/performance.md,
/// `cargo bench --bench serve`). More workers are a multi-thread runtime,
/// for in-process state on many cores.
fn runtime(workers: usize) -> std::io::Result<tokio::runtime::Runtime> {
    match workers {
        0 | 1 => tokio::runtime::Builder::new_current_thread().enable_all().build(),
        n => tokio::runtime::Builder::new_multi_thread().worker_threads(n).enable_all().build(),
    }
}

/// Reloads on SIGHUP (every file) and, every `watch_interval`, what
/// changed: a file replaced (`compile` renames), added or removed.
async fn watch<S: AssignmentState + 'static>(app: Arc<App<S>>) {
    let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    let mut tick = tokio::time::interval(app.opts.watch_interval);
    loop {
        let forced = tokio::select! {
            _ = tick.tick() => false,
            Some(()) = async { match hup.as_mut() { Some(h) => h.recv().await, None => std::future::pending().await } } => true,
        };
        app.reload(forced, true).await;
    }
}

/// Every `tick`, each table's due timers fire and its waiting deals go to
/// whoever can take them. A state that does not answer is counted and
/// tried again at the next tick.
async fn ticker<S: AssignmentState + 'static>(app: Arc<App<S>>) {
    let mut tick = tokio::time::interval(app.opts.tick);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let tables: Vec<Arc<Active<S>>> = app.tables().all().cloned().collect();
        for active in tables {
            if let Err(err) = active.router.tick(None).await {
                app.metrics.state_error();
                log(&format!("timers of `{}`: {err}", active.router.table().account));
            }
        }
    }
}

async fn shutdown() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = term => {},
        _ = tokio::signal::ctrl_c() => {},
    }
}

/// The decision endpoints of one table: under `/v1` for `serve TABLE`,
/// under `/v1/accounts/{account}` for `serve DIR`. Written out under the
/// prefix rather than nested: a nested router is one more routing step
/// and boxed service per request.
fn decisions<S: AssignmentState + 'static>(prefix: &str) -> Routes<Arc<App<S>>> {
    let at = |path: &str| format!("{prefix}{path}");
    Routes::new()
        .route(&at("/deals"), post(handlers::deals::<S>))
        .route(&at("/claims"), post(handlers::claims::<S>))
        .route(&at("/access"), get(handlers::access::<S>))
        .route(&at("/employees/{handle}"), get(handlers::employee::<S>))
        .route(&at("/employees/{handle}/availability"), put(handlers::availability::<S>))
        .route(&at("/deals/{deal}/close"), post(handlers::close::<S>))
        .route(&at("/deals/{deal}/reply"), post(handlers::reply::<S>))
        .route(&at("/events"), get(handlers::events::<S>))
        .route(&at("/notify"), get(handlers::notify::<S>))
        .route(&at("/notify/replay"), post(handlers::replay::<S>))
        .route(&at("/table"), get(handlers::table::<S>))
}

fn routes<S: AssignmentState + 'static>(app: Arc<App<S>>) -> Routes {
    let fleet = app.fleet;
    let mut v1 = if fleet {
        decisions::<S>("/v1/accounts/{account}").route("/v1/accounts", get(handlers::accounts::<S>))
    } else {
        decisions::<S>("/v1")
    };
    // Without a token there is nothing to check: no layer to pass through.
    if app.opts.token.is_some() {
        v1 = v1.route_layer(middleware::from_fn_with_state(app.clone(), authorize::<S>));
    }
    let added = app.extension.clone().routes(Service(app.clone()));
    Routes::new()
        .merge(v1)
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(handlers::readyz::<S>))
        .route("/metrics", get(handlers::metrics::<S>))
        .route(
            "/openapi.json",
            get(move || async move { ([(header::CONTENT_TYPE, "application/json")], openapi::document(fleet)) }),
        )
        .with_state(app.clone())
        .merge(added)
        .fallback(|| async { error(StatusCode::NOT_FOUND, "not_found", "no such endpoint".into()) })
        .layer(middleware::from_fn_with_state(app.clone(), time_limit::<S>))
        .layer(middleware::map_response(json_errors))
        .layer(DefaultBodyLimit::max(app.opts.body_limit))
}

/// With a token, every `/v1` call needs `Authorization: Bearer <token>`.
async fn authorize<S: AssignmentState + 'static>(
    State(app): State<Arc<App<S>>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(token) = &app.opts.token else { return next.run(request).await };
    let given =
        request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(bearer).unwrap_or("");
    if constant_time_eq(given.as_bytes(), token.as_bytes()) {
        next.run(request).await
    } else {
        error(StatusCode::UNAUTHORIZED, "unauthorized", "a valid `Authorization: Bearer` token is needed".into())
    }
}

/// The credentials of a `Bearer` authorization; the scheme is
/// case-insensitive (RFC 9110, 11.1).
pub fn bearer(value: &str) -> Option<&str> {
    let (scheme, credentials) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| credentials.trim_start_matches(' '))
}

/// Compares without an early exit, so the time taken does not tell how
/// many leading bytes were right (the length may show; tokens are long).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Bounds every request's time.
async fn time_limit<S: AssignmentState + 'static>(
    State(app): State<Arc<App<S>>>,
    request: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(app.opts.request_timeout, next.run(request)).await {
        // A state that did not answer is counted here, for every endpoint.
        Ok(response) => {
            if response.extensions().get::<error::StateFault>().is_some() {
                app.metrics.state_error();
            }
            response
        }
        Err(_) => ApiError::Timeout.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::{bearer, constant_time_eq};

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        for value in ["Bearer abc", "bearer abc", "BEARER  abc"] {
            assert_eq!(bearer(value), Some("abc"), "{value}");
        }
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearerabc"), None);
    }

    #[test]
    fn token_comparison() {
        assert!(constant_time_eq(b"secret-token", b"secret-token"));
        assert!(!constant_time_eq(b"secret-token", b"secret-tokem"));
        assert!(!constant_time_eq(b"secret", b"secret-token"));
    }
}
