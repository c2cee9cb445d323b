//! `chatroute serve`: the routing decisions over HTTP.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use chatroute::runtime::InProcess;
use chatroute::serve::{ServeOptions, run as serve};

use super::{Failure, Outcome};

/// How connections are bounded (docs/reliability.md, "Hostile input").
#[derive(Debug, clap::Args)]
pub(crate) struct Limits {
    /// Seconds a connection may take to send a request head, or stay idle between requests.
    #[arg(long, default_value_t = 10)]
    header_timeout: u64,
    /// Open connections at most (lowered to fit the descriptor limit).
    #[arg(long, default_value_t = 1024)]
    max_connections: usize,
    /// Seconds in-flight requests may take to finish after SIGTERM.
    #[arg(long, default_value_t = 5)]
    grace: u64,
    /// Milliseconds between looks at due timers and waiting deals.
    #[arg(long, default_value_t = 1000, value_name = "MS")]
    tick: u64,
    /// POST every event (reassigned, assigned) to this URL, at least once.
    #[arg(long, value_name = "URL")]
    notify: Option<String>,
    /// Tries of one --notify delivery (backing off from 0.2 s to 5 s) before the event is a dead letter.
    #[arg(long, default_value_t = 8, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1000))]
    notify_attempts: u32,
    /// Threads answering requests: 1, one event loop, batches Redis round trips best; more for in-process state on many cores.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=1024))]
    workers: u16,
}

/// Where the service listens, what state it keeps, who may call it
/// (`serve` and `connect`).
#[derive(Debug, clap::Args)]
pub(crate) struct Service {
    /// Address to listen on; loopback unless you say otherwise.
    #[arg(long, default_value = "127.0.0.1:8181")]
    pub(crate) listen: SocketAddr,
    /// State: `memory` (this instance only) or a Redis URL shared by several instances.
    #[arg(long, default_value = "memory")]
    pub(crate) state: String,
    /// File holding the bearer token every /v1 decision call must carry.
    #[arg(long)]
    pub(crate) token_file: Option<PathBuf>,
}

pub(crate) fn run(table: PathBuf, service: &Service, limits: &Limits) -> Outcome {
    let opts = options(table, service, limits)?;
    let ready = |addr: SocketAddr| eprintln!("chatroute serve: listening on http://{addr}");
    let result = if service.state == "memory" {
        serve(opts, InProcess::new(), ready)
    } else {
        serve(opts, super::state::connect(&service.state)?, ready)
    };
    result.map_err(|err| Failure::Error(err.to_string()))
}

/// The service's options from the command line (`serve` and `connect`).
pub(crate) fn options(table: PathBuf, service: &Service, limits: &Limits) -> Result<ServeOptions, Failure> {
    let listen = service.listen;
    let mut opts = ServeOptions::new(table, listen);
    opts.header_timeout = Duration::from_secs(limits.header_timeout.max(1));
    opts.max_connections = limits.max_connections.max(1);
    opts.grace = Duration::from_secs(limits.grace);
    opts.tick = Duration::from_millis(limits.tick.clamp(10, 60_000));
    opts.notify = limits.notify.clone();
    opts.notify_attempts = limits.notify_attempts;
    opts.workers = limits.workers.into();
    if let Some(path) = &service.token_file {
        let token = super::secret_file(path)?;
        if token.len() < 16 {
            return Err(Failure::Error("the token must be at least 16 characters".into()));
        }
        opts.token = Some(token);
    }
    if !listen.ip().is_loopback() && opts.token.is_none() {
        eprintln!("warning: listening on {listen} without --token-file: anyone who reaches it can take decisions");
    }
    Ok(opts)
}
