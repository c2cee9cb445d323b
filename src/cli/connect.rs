//! `chatroute connect`: `serve` plus the integration of each account in
//! `ACCOUNTS.toml`; `chatroute connect register`: their webhooks set.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use chatroute::connect::config::{self, Account};
use chatroute::connect::store::{MemoryStore, RedisStore};
use chatroute::connect::{Connect, ready_for, register};
use chatroute::runtime::InProcess;
use chatroute::serve::run_with;
use chatroute::table::TableFile;

use super::serve::{Limits, options};
use super::{Failure, Outcome};

/// `chatroute connect TABLE ...`, or `chatroute connect register ...`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub(crate) struct ConnectArgs {
    #[command(subcommand)]
    register: Option<ConnectCommand>,
    /// Table file (or a directory of them) compiled with `--crm` and `--wazzup`.
    #[arg(required = true)]
    table: Option<PathBuf>,
    /// The accounts of the integration: amoCRM URL and secret files.
    #[arg(long, value_name = "ACCOUNTS.toml", required = true)]
    accounts: Option<PathBuf>,
    #[command(flatten)]
    service: super::serve::Service,
    /// Seconds an instance keeps an account's work without renewing its hold: after an instance dies, another takes over within this.
    #[arg(long, default_value_t = 15, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    lease: u64,
    #[command(flatten)]
    limits: Limits,
}

#[derive(Debug, clap::Subcommand)]
enum ConnectCommand {
    /// Point each account's Wazzup and amoCRM webhooks at the service (it must be running and reachable there).
    Register {
        /// The accounts of the integration (their secrets make the URLs).
        #[arg(long, value_name = "ACCOUNTS.toml")]
        accounts: PathBuf,
        /// The service's public base URL (https).
        #[arg(long, value_name = "URL")]
        public_url: String,
        /// Wazzup's API (another only for tests and proxies).
        #[arg(long, value_name = "URL", default_value = register::WAZZUP)]
        wazzup_url: String,
    },
}

pub(crate) fn run(args: ConnectArgs) -> Outcome {
    if let Some(ConnectCommand::Register { accounts, public_url, wazzup_url }) = &args.register {
        return register_all(accounts, public_url, wazzup_url);
    }
    let (Some(table), Some(accounts)) = (args.table, args.accounts) else {
        return Err(Failure::Error("`connect` needs a TABLE and --accounts".into()));
    };
    let accounts = config::load(&accounts).map_err(|e| Failure::Error(e.to_string()))?;
    tables_ready(&table, &accounts)?;
    let service = &args.service;
    let opts = options(table, service, &args.limits)?;
    let ready = |addr: SocketAddr| eprintln!("chatroute connect: listening on http://{addr}");
    let result = if service.state == "memory" {
        let connect = Arc::new(Connect::new(accounts, MemoryStore::default()));
        run_with(opts, Arc::new(InProcess::new()), connect, ready)
    } else {
        let redis = Arc::new(super::state::connect(&service.state)?);
        let store = RedisStore::new(redis.clone()).with_lease(Duration::from_secs(args.lease));
        let connect = Arc::new(Connect::new(accounts, store));
        run_with(opts, redis, connect, ready)
    };
    result.map_err(|err| Failure::Error(err.to_string()))
}

/// `connect register`: a line per webhook set; a failure fails the command
/// after every account was tried.
fn register_all(accounts: &Path, public_url: &str, wazzup_url: &str) -> Outcome {
    let accounts = config::load(accounts).map_err(|e| Failure::Error(e.to_string()))?;
    let mut failed = 0;
    for account in &accounts {
        for line in register::register(account, public_url, wazzup_url) {
            match line {
                Ok(done) => eprintln!("{done}"),
                Err(why) => {
                    failed += 1;
                    eprintln!("error: {why}");
                }
            }
        }
    }
    match failed {
        0 => Ok(()),
        n => Err(Failure::Error(format!("{n} webhook(s) not set"))),
    }
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
