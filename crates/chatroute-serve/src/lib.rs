//! `chatroute serve`: the runtime as an HTTP decision service, for runtime
//! services not written in Rust (OPA's decision point is the model: the
//! compiled table activated without restart, health that reports it).
//!
//! - Every request takes the active table (`Arc`) when it starts and
//!   finishes on it; a reload swaps the `Arc` for the next requests.
//! - A reload (SIGHUP, or the table file replaced: `compile` renames) is
//!   verified before activation; a refused table leaves the old one
//!   serving, and the refusal shows in `/v1/table`, `/readyz` and metrics.
//! - State calls that may wait on the network (Redis) run off the event
//!   loop; with the state unreachable a decision answers 503 with
//!   `Retry-After`, and the next call reconnects by itself.
//! - Loopback unless `--listen` says otherwise; with a token, every `/v1`
//!   call needs `Authorization: Bearer` (compared in constant time); bodies
//!   and request times are bounded; SIGTERM lets in-flight requests finish.

pub mod api;
mod conn;
mod metrics;
pub mod openapi;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

use axum::Router as Routes;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};

use self::api::*;
use self::metrics::Metrics;
use chatroute_runtime::{AssignmentState, CannotTake, Claim, RouteError, Router, StateError};
use chatroute_table::TableFile;

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
        }
    }
}

/// The active table and what it was loaded from.
struct Active<S: AssignmentState> {
    router: Router<Arc<S>>,
    hash: String,
    generator: String,
    loaded_at: u64,
}

struct App<S: AssignmentState> {
    active: RwLock<Arc<Active<S>>>,
    state: Arc<S>,
    metrics: Metrics,
    opts: ServeOptions,
    last_error: Mutex<Option<ReloadError>>,
}

fn now() -> u64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl<S: AssignmentState + 'static> App<S> {
    fn current(&self) -> Arc<Active<S>> {
        self.active.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn activate(&self, table: TableFile) {
        let active = Active {
            hash: table.hash.clone(),
            generator: table.generator.clone(),
            router: Router::new(table, self.state.clone()),
            loaded_at: now(),
        };
        *self.active.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(active);
    }

    /// Reads, verifies and activates the table file; a refused one leaves
    /// the active table serving.
    fn reload(&self) {
        match TableFile::load(&self.opts.table) {
            Ok(table) => {
                self.activate(table);
                *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = None;
                self.metrics.reload(true);
                eprintln!("chatroute serve: table reloaded ({})", self.current().hash);
            }
            Err(err) => {
                let message = format!("{}: {err}", self.opts.table.display());
                eprintln!("chatroute serve: table refused, the active one keeps serving: {message}");
                *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(ReloadError { at: now(), message });
                self.metrics.reload(false);
            }
        }
    }
}

/// Why `serve` could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("{0}: {1}")]
    Table(String, chatroute_table::TableError),
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
    let table = TableFile::load(&opts.table).map_err(|e| ServeError::Table(opts.table.display().to_string(), e))?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let grace = opts.grace;
    let served = runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::bind(opts.listen).await.map_err(|e| ServeError::Listen(opts.listen, e))?;
        let state = Arc::new(state);
        let app = Arc::new(App {
            active: RwLock::new(Arc::new(Active {
                hash: table.hash.clone(),
                generator: table.generator.clone(),
                router: Router::new(table, state.clone()),
                loaded_at: now(),
            })),
            state,
            metrics: Metrics::default(),
            opts,
            last_error: Mutex::new(None),
        });
        tokio::spawn(watch(app.clone()));
        ready(listener.local_addr()?);
        let limits = conn::Limits {
            header_timeout: app.opts.header_timeout,
            max_connections: conn::connection_cap(app.opts.max_connections),
            grace: app.opts.grace,
        };
        conn::serve(listener, routes(app), limits, shutdown()).await;
        Ok(())
    });
    // A state call still running on the blocking pool does not hold the exit.
    runtime.shutdown_timeout(grace);
    served
}

/// Reloads on SIGHUP and when the table file is replaced.
async fn watch<S: AssignmentState + 'static>(app: Arc<App<S>>) {
    let identity = |path: &std::path::Path| {
        std::fs::metadata(path).ok().map(|m| {
            use std::os::unix::fs::MetadataExt;
            (m.dev(), m.ino(), m.mtime_nsec(), m.mtime(), m.len())
        })
    };
    let mut seen = identity(&app.opts.table);
    let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    let mut tick = tokio::time::interval(app.opts.watch_interval);
    loop {
        let forced = tokio::select! {
            _ = tick.tick() => false,
            Some(()) = async { match hup.as_mut() { Some(h) => h.recv().await, None => std::future::pending().await } } => true,
        };
        let now_seen = identity(&app.opts.table);
        if forced || (now_seen != seen && now_seen.is_some()) {
            seen = now_seen;
            let app = app.clone();
            let _ = tokio::task::spawn_blocking(move || app.reload()).await;
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

fn routes<S: AssignmentState + 'static>(app: Arc<App<S>>) -> Routes {
    let v1 = Routes::new()
        .route("/v1/deals", post(deals::<S>))
        .route("/v1/claims", post(claims::<S>))
        .route("/v1/access", get(access::<S>))
        .route("/v1/employees/{handle}", get(employee::<S>))
        .route("/v1/employees/{handle}/availability", put(availability::<S>))
        .route("/v1/deals/{deal}/close", post(close::<S>))
        .route("/v1/table", get(table::<S>))
        .route_layer(middleware::from_fn_with_state(app.clone(), authorize::<S>));
    Routes::new()
        .merge(v1)
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz::<S>))
        .route("/metrics", get(metrics::<S>))
        .route("/openapi.json", get(|| async { ([(header::CONTENT_TYPE, "application/json")], openapi::document()) }))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "not_found", "no such endpoint".into()) })
        .layer(middleware::from_fn_with_state(app.clone(), time_limit::<S>))
        .layer(middleware::map_response(json_errors))
        .layer(DefaultBodyLimit::max(app.opts.body_limit))
        .with_state(app)
}

fn error(status: StatusCode, code: &str, message: String) -> Response {
    let body = ErrorBody { error: ErrorDetail { code: code.to_owned(), message } };
    (status, axum::Json(body)).into_response()
}

/// The error body as bytes, for answers written outside a handler.
fn error_json(code: &str, message: String) -> Vec<u8> {
    serde_json::to_vec(&ErrorBody { error: ErrorDetail { code: code.to_owned(), message } })
        .expect("an error body serialises")
}

/// Every error answer has the `{"error": {"code", "message"}}` body: the
/// ones axum writes itself (413 for a body over the limit, 405, a path
/// that does not decode) get it here, with a code for their status.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes() == b"application/json");
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::NOT_FOUND => "not_found",
        s if s.is_client_error() => "bad_request",
        _ => "internal",
    };
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let message = String::from_utf8_lossy(&text).trim().to_owned();
    let message = if message.is_empty() { status.canonical_reason().unwrap_or("error").to_owned() } else { message };
    let mut answer = error(status, code, message);
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = parts.headers.get(&name) {
            answer.headers_mut().insert(name, value.clone());
        }
    }
    answer
}

fn json<T: serde::Serialize>(value: &T) -> Response {
    axum::Json(value).into_response()
}

/// A route error as its status and code.
fn route_error(err: &RouteError) -> Response {
    let (status, code) = status_and_code(err);
    let mut response = error(status, code, err.to_string());
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
}

/// The one mapping of route errors to answers. Only a state that did not
/// answer is worth retrying (503 with `Retry-After`); everything else
/// answers the same when asked again.
fn status_and_code(err: &RouteError) -> (StatusCode, &'static str) {
    match err {
        RouteError::UnknownChannel(_) => (StatusCode::NOT_FOUND, "unknown_channel"),
        RouteError::UnknownEmployee(_) => (StatusCode::NOT_FOUND, "unknown_employee"),
        RouteError::NotAResponder { .. } => (StatusCode::CONFLICT, "not_a_responder"),
        RouteError::CannotTake { why: CannotTake::Unavailable, .. } => (StatusCode::CONFLICT, "claimant_unavailable"),
        RouteError::CannotTake { why: CannotTake::AtCapacity, .. } => (StatusCode::CONFLICT, "claimant_at_capacity"),
        RouteError::DealConflict { .. } => (StatusCode::CONFLICT, "deal_conflict"),
        RouteError::BadId { .. } => (StatusCode::BAD_REQUEST, "bad_id"),
        RouteError::State(StateError::Unavailable(_)) => (StatusCode::SERVICE_UNAVAILABLE, "state_unavailable"),
    }
}

fn body<T: serde::de::DeserializeOwned>(bytes: &Bytes) -> Result<T, String> {
    serde_json::from_slice(bytes).map_err(|e| format!("request body: {e}"))
}

fn bad_request(message: String) -> Response {
    error(StatusCode::BAD_REQUEST, "bad_request", message)
}

fn internal(message: String) -> Response {
    error(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
}

/// Runs a state call off the event loop when it may wait on the network.
async fn decide<S: AssignmentState + 'static, T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    if S::BLOCKS { tokio::task::spawn_blocking(f).await.map_err(|e| e.to_string()) } else { Ok(f()) }
}

async fn deals<S: AssignmentState + 'static>(State(app): State<Arc<App<S>>>, bytes: Bytes) -> Response {
    let request: DealRequest = match body(&bytes) {
        Ok(r) => r,
        Err(message) => return bad_request(message),
    };
    let Some(channel) = request.channel.or(request.wazzup_channel) else {
        return bad_request("give `channel` or `wazzup_channel`".into());
    };
    let active = app.current();
    let started = Instant::now();
    let deal_id = request.deal;
    let capped = active.router.channel_id(&channel).ok().and_then(|c| active.router.table().channels.get(c));
    if capped.is_some_and(|c| !c.assignment.availability().max_open.is_empty()) && deal_id.is_none() {
        let message = "this channel limits open deals: give the deal's `deal` id, to close it later";
        return bad_request(message.into());
    }
    let decided = decide::<S, _>({
        let (active, channel, deal_id) = (active.clone(), channel.clone(), deal_id.clone());
        move || {
            active.router.new_deal_for(&channel, deal_id.as_deref()).map(|d| DealResponse {
                channel: d.channel.to_owned(),
                pipeline: d.pipeline.clone(),
                stage: d.stage.clone(),
                responsible: match d.responsible {
                    chatroute_runtime::Responsible::Employee(h) => Responsible::Employee { employee: h.to_owned() },
                    chatroute_runtime::Responsible::FirstOf(g) => {
                        Responsible::FirstOf { first_of: g.iter().map(|h| (*h).to_owned()).collect() }
                    }
                    chatroute_runtime::Responsible::Unassigned => Responsible::Unassigned { unassigned: true },
                },
                ticket: d.ticket,
                deal: None,
            })
        }
    })
    .await;
    let label = active.router.channel_id(&channel).unwrap_or("unknown").to_owned();
    match decided {
        Err(message) => internal(message),
        Ok(Ok(mut decision)) => {
            let outcome =
                if matches!(decision.responsible, Responsible::Unassigned { .. }) { "unassigned" } else { "ok" };
            app.metrics.decision(&label, outcome, started.elapsed());
            decision.deal = deal_id;
            json(&decision)
        }
        Ok(Err(err)) => {
            let outcome = if matches!(err, RouteError::State(_)) { "state_error" } else { status_and_code(&err).1 };
            if outcome == "state_error" {
                app.metrics.state_error();
            }
            app.metrics.decision(&label, outcome, started.elapsed());
            route_error(&err)
        }
    }
}

async fn claims<S: AssignmentState + 'static>(State(app): State<Arc<App<S>>>, bytes: Bytes) -> Response {
    let request: ClaimRequest = match body(&bytes) {
        Ok(r) => r,
        Err(message) => return bad_request(message),
    };
    let active = app.current();
    let claimed =
        decide::<S, _>(move || active.router.claim(&request.channel, &request.dialog, &request.employee)).await;
    match claimed {
        Err(message) => internal(message),
        Ok(Ok(Claim::Won)) => json(&ClaimResponse { won: true, winner: None }),
        Ok(Ok(Claim::Lost { winner })) => json(&ClaimResponse { won: false, winner: Some(winner) }),
        Ok(Err(err)) => {
            if matches!(err, RouteError::State(_)) {
                app.metrics.state_error();
            }
            route_error(&err)
        }
    }
}

async fn access<S: AssignmentState + 'static>(
    State(app): State<Arc<App<S>>>,
    query: Result<Query<AccessQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(q)) = query else {
        return bad_request("give `channel` and `employee`".into());
    };
    let active = app.current();
    let router = &active.router;
    let Ok(channel) = router.channel_id(&q.channel) else {
        return route_error(&RouteError::UnknownChannel(q.channel));
    };
    if !router.table().employees.contains_key(&q.employee) {
        return error(StatusCode::NOT_FOUND, "unknown_employee", format!("no employee `{}`", q.employee));
    }
    json(&AccessResponse {
        level: router.level(&q.employee, channel),
        default_outgoing: router.default_outgoing(&q.employee).map(str::to_owned),
    })
}

async fn employee<S: AssignmentState + 'static>(
    State(app): State<Arc<App<S>>>,
    Path(handle): Path<String>,
) -> Response {
    let active = app.current();
    let body = active.router.table();
    let Some(e) = body.employees.get(&handle) else {
        return error(StatusCode::NOT_FOUND, "unknown_employee", format!("no employee `{handle}`"));
    };
    json(&EmployeeResponse {
        handle: handle.clone(),
        name: e.name.clone(),
        crm_user: e.crm_user,
        default_outgoing: e.default_outgoing.clone(),
        levels: e.access.clone(),
        global_chat: ChatView {
            visibility: body.global_chat.visibility,
            admin: body.global_chat.admins.contains(&handle),
        },
    })
}

async fn availability<S: AssignmentState + 'static>(
    State(app): State<Arc<App<S>>>,
    Path(handle): Path<String>,
    bytes: Bytes,
) -> Response {
    let request: AvailabilityRequest = match body(&bytes) {
        Ok(r) => r,
        Err(message) => return bad_request(message),
    };
    let active = app.current();
    let available = request.available;
    let set = decide::<S, _>({
        let handle = handle.clone();
        move || active.router.set_available(&handle, available)
    })
    .await;
    match set {
        Err(message) => internal(message),
        Ok(Ok(())) => json(&AvailabilityResponse { employee: handle, available }),
        Ok(Err(err)) => route_error(&err),
    }
}

async fn close<S: AssignmentState + 'static>(State(app): State<Arc<App<S>>>, Path(deal): Path<String>) -> Response {
    let active = app.current();
    let closed = decide::<S, _>({
        let deal = deal.clone();
        move || active.router.close_deal(&deal)
    })
    .await;
    match closed {
        Err(message) => internal(message),
        Ok(Ok(employee)) => json(&CloseResponse { deal, closed: employee.is_some(), employee }),
        Ok(Err(err)) => route_error(&err),
    }
}

async fn table<S: AssignmentState + 'static>(State(app): State<Arc<App<S>>>) -> Response {
    let active = app.current();
    json(&TableStatus {
        hash: active.hash.clone(),
        generator: active.generator.clone(),
        path: app.opts.table.display().to_string(),
        loaded_at: active.loaded_at,
        last_reload_error: app.last_error.lock().unwrap_or_else(|p| p.into_inner()).clone(),
    })
}

async fn readyz<S: AssignmentState + 'static>(State(app): State<Arc<App<S>>>) -> Response {
    let hash = app.current().hash.clone();
    let state = app.state.clone();
    let answered = decide::<S, _>(move || state.ping()).await;
    let last_error = app.last_error.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let detail = last_error.map(|e| format!("last reload refused: {}", e.message));
    match answered {
        Ok(Ok(())) => json(&Readiness { ready: true, table: hash, detail }),
        Ok(Err(err)) => {
            let body = Readiness { ready: false, table: hash, detail: Some(err.to_string()) };
            (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response()
        }
        Err(message) => internal(message),
    }
}

async fn metrics<S: AssignmentState + 'static>(State(app): State<Arc<App<S>>>) -> Response {
    let text = app.metrics.render(&app.current().hash);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
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
fn bearer(value: &str) -> Option<&str> {
    let (scheme, credentials) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| credentials.trim_start_matches(' '))
}

/// Compares without an early exit, so the time taken does not tell how
/// many leading bytes were right (the length may show; tokens are long).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Bounds every request's time.
async fn time_limit<S: AssignmentState + 'static>(
    State(app): State<Arc<App<S>>>,
    request: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(app.opts.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => error(StatusCode::SERVICE_UNAVAILABLE, "timeout", "the request took too long".into()),
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
