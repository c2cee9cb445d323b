//! `chatroute serve`: the routing decisions over HTTP.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chatroute::runtime::InProcess;
use chatroute::runtime::redis::{RedisState, redacted};
use chatroute::serve::{ServeOptions, run as serve};

use super::{Failure, Outcome};

pub fn run(table: PathBuf, listen: SocketAddr, state: &str, token_file: Option<&Path>) -> Outcome {
    let mut opts = ServeOptions::new(table, listen);
    if let Some(path) = token_file {
        let token = std::fs::read_to_string(path)
            .map_err(|err| Failure::Error(format!("cannot read the token file {}: {err}", path.display())))?;
        let token = token.trim();
        if token.len() < 16 {
            return Err(Failure::Error("the token must be at least 16 characters".into()));
        }
        opts.token = Some(token.to_owned());
    }
    if !listen.ip().is_loopback() && opts.token.is_none() {
        eprintln!("warning: listening on {listen} without --token-file: anyone who reaches it can take decisions");
    }
    let ready = |addr: SocketAddr| eprintln!("chatroute serve: listening on http://{addr}");
    let result = if state == "memory" {
        serve(opts, InProcess::new(), ready)
    } else {
        let redis = RedisState::open(state, Duration::from_secs(2))
            .map_err(|err| Failure::Error(format!("--state {}: {err}", redacted(state))))?;
        serve(opts, redis, ready)
    };
    result.map_err(|err| Failure::Error(err.to_string()))
}
