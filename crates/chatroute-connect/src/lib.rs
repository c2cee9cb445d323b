//! `chatroute connect`: the integration itself. Everything `serve` does,
//! and for each account of `ACCOUNTS.toml`, Wazzup's webhooks turned into
//! amoCRM deals as the account's table says.
//!
//! - `intake`: `POST /v1/wazzup/{account}` checks the secret, reads the
//!   body, queues the messages not seen before and answers; no CRM work
//!   happens before the answer. `POST /v1/amocrm/{account}` takes
//!   amoCRM's webhooks (`crm_hook`): a deal closed there is closed in the
//!   runtime.
//! - `store`: the queue, the marks of messages seen, the worker's lease,
//!   the dialogs' records, amoCRM's request window and the dead letters,
//!   in process or in Redis (`Store`).
//! - `worker`: one loop per account, holding the account's lease, works on
//!   the queue in order; `dialog` is what one message does (`Job`).
//! - `amocrm`: amoCRM's API v4 and the sorting of its answers; `oauth`
//!   an OAuth account's tokens, refreshed once across instances.
//! - `health`: counters and the last problem, for the `connect` endpoint
//!   and `/metrics`.
//! - `register`: both webhooks of each account pointed at the service.

pub mod amocrm;
pub mod config;
mod crm_hook;
mod dialog;
pub mod health;
mod intake;
pub mod notes;
mod oauth;
pub mod register;
pub mod store;
pub mod wazzup;
mod worker;

use std::collections::BTreeMap;
use std::sync::Arc;

use chatroute_runtime::AssignmentState;
use chatroute_serve::{Extension, Service};
use chatroute_table::{AssignmentRoute, Body, CrmResolution};

use self::amocrm::Amo;
use self::config::Account;
use self::health::Board;
use self::store::Store;

/// The integration of every account, added to the service.
pub struct Connect<St: Store> {
    accounts: BTreeMap<String, (Amo, Account)>,
    store: St,
    board: Board,
    /// Wakes an account's worker when its webhook queued something.
    wake: BTreeMap<String, tokio::sync::Notify>,
    /// This instance's name as a consumer of the queues.
    worker: String,
}

impl<St: Store> Connect<St> {
    pub fn new(accounts: Vec<Account>, store: St) -> Self {
        // Unique among instances: containers share host names and pids.
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let worker = format!("{}-{}-{nanos:x}", hostname(), std::process::id());
        let wake = accounts.iter().map(|a| (a.name.clone(), tokio::sync::Notify::new())).collect();
        let accounts = accounts.into_iter().map(|a| (a.name.clone(), (Amo::new(&a), a))).collect();
        Connect { accounts, store, board: Board::default(), wake, worker }
    }
}

impl<S: AssignmentState + 'static, St: Store> Extension<S> for Connect<St> {
    fn routes(self: Arc<Self>, service: Service<S>) -> axum::Router {
        intake::routes(self, service)
    }

    fn start(self: Arc<Self>, service: Service<S>) {
        for account in self.accounts.keys() {
            tokio::spawn(worker::run(self.clone(), service.clone(), account.clone()));
        }
    }

    fn metrics(&self, out: &mut String) {
        self.board.render(out);
        let requests = self.accounts.iter().flat_map(|(account, (amo, _))| {
            let counts = amo.outcomes();
            amocrm::OUTCOMES.iter().zip(counts).map(move |(o, n)| (format!("account=\"{account}\",outcome=\"{o}\""), n))
        });
        health::family(out, "amocrm_requests_total", "counter", "requests to amoCRM by what came of them", requests);
        let expiry = self.accounts.iter().filter_map(|(account, (amo, _))| {
            Some((format!("account=\"{account}\""), (amo.token_expires_ms()? / 1000).max(0) as u64))
        });
        let help = "when the OAuth access token this instance holds expires (Unix seconds)";
        health::family(out, "token_expiry_timestamp_seconds", "gauge", help, expiry);
    }
}

/// Whether a table can drive the integration: amoCRM ids for pipelines,
/// stages and users (`compile --crm`) and Wazzup's channel ids
/// (`compile --wazzup`).
pub fn ready_for(body: &Body) -> Result<(), String> {
    if body.crm != CrmResolution::Ids {
        return Err(format!("the table of `{}` has no amoCRM ids: compile it with `--crm SNAPSHOT`", body.account));
    }
    if !body.channels.is_empty() && body.channels.values().all(|c| c.wazzup_channel_id.is_none()) {
        return Err(format!(
            "the table of `{}` has no Wazzup channel ids: compile it with `--wazzup SNAPSHOT`",
            body.account
        ));
    }
    let missing: Vec<&str> = body
        .channels
        .values()
        .flat_map(|c| match &c.assignment {
            AssignmentRoute::RoundRobin { cycle, .. } => cycle,
            AssignmentRoute::FirstResponder { group, .. } => group,
        })
        .filter(|h| body.employees.get(h.as_str()).is_none_or(|e| e.crm_user.is_none()))
        .map(String::as_str)
        .collect();
    match missing.first() {
        Some(handle) => {
            Err(format!("the table of `{}`: employee `{handle}` has no amoCRM user (`crm_user`)", body.account))
        }
        None => Ok(()),
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "chatroute".into())
}
