//! `chatroute connect`: `serve` plus the integration of each account in
//! `ACCOUNTS.toml`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chatroute::connect::config::{self, Account};
use chatroute::connect::store::{MemoryStore, RedisStore};
use chatroute::connect::{Connect, ready_for};
use chatroute::runtime::InProcess;
use chatroute::serve::run_with;
use chatroute::table::TableFile;

use super::serve::{Limits, options};
use super::{Failure, Outcome};

/// How the service runs.
pub(crate) struct Service {
    pub(crate) listen: SocketAddr,
    pub(crate) state: String,
    pub(crate) token_file: Option<PathBuf>,
    pub(crate) lease: Duration,
}

pub(crate) fn run(table: PathBuf, accounts: &Path, service: &Service, limits: &Limits) -> Outcome {
    let accounts = config::load(accounts).map_err(|e| Failure::Error(e.to_string()))?;
    tables_ready(&table, &accounts)?;
    let opts = options(table, service.listen, service.token_file.as_deref(), limits)?;
    let ready = |addr: SocketAddr| eprintln!("chatroute connect: listening on http://{addr}");
    let state = service.state.as_str();
    let result = if state == "memory" {
        let connect = Arc::new(Connect::new(accounts, MemoryStore::default()));
        run_with(opts, Arc::new(InProcess::new()), connect, ready)
    } else {
        let redis = Arc::new(super::state::connect(state)?);
        let store = RedisStore::new(redis.clone()).with_lease(service.lease);
        let connect = Arc::new(Connect::new(accounts, store));
        run_with(opts, redis, connect, ready)
    };
    result.map_err(|err| Failure::Error(err.to_string()))
}

/// Every account of the integration has a table that can drive it (ids
/// of amoCRM and Wazzup): refused at start, with what to do.
fn tables_ready(source: &Path, accounts: &[Account]) -> Outcome {
    let files: Vec<PathBuf> = if source.is_dir() {
        let listed =
            std::fs::read_dir(source).map_err(|e| Failure::Error(format!("cannot list {}: {e}", source.display())))?;
        listed.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "json")).collect()
    } else {
        vec![source.to_owned()]
    };
    let mut bodies = Vec::new();
    for file in files {
        let table = TableFile::load(&file).map_err(|err| super::at(&file, err))?;
        bodies.push(table.body);
    }
    for account in accounts {
        let body = bodies.iter().find(|b| b.account == account.name).ok_or_else(|| {
            Failure::Error(format!(
                "account `{}` of the integration has no table in {}",
                account.name,
                source.display()
            ))
        })?;
        ready_for(body).map_err(Failure::Error)?;
    }
    Ok(())
}
