//! What a layer above adds to the service (`chatroute connect`): routes
//! beside the decision API, tasks that run with it and lines of
//! `/metrics`. The layer sees the service through `Service`: the active
//! table of an account and the state every table shares.

use std::sync::Arc;

use chatroute_runtime::AssignmentState;

use crate::App;
use crate::tables::Active;

/// Routes, tasks and metrics a layer above adds.
pub trait Extension<S: AssignmentState>: Send + Sync + 'static {
    /// Routes served beside `/v1`'s, with the same bounds (body size,
    /// request time, error bodies) but not `--token`: they check their own
    /// credentials.
    fn routes(self: Arc<Self>, service: Service<S>) -> axum::Router;

    /// Called once every table present is loaded, on the service's event
    /// loop (tasks are `tokio::spawn`ed from here).
    fn start(self: Arc<Self>, service: Service<S>);

    /// Appended to `/metrics` (Prometheus text format).
    fn metrics(&self, out: &mut String);
}

/// `serve` alone: nothing added.
impl<S: AssignmentState> Extension<S> for () {
    fn routes(self: Arc<Self>, _: Service<S>) -> axum::Router {
        axum::Router::new()
    }

    fn start(self: Arc<Self>, _: Service<S>) {}

    fn metrics(&self, _: &mut String) {}
}

/// The running service as a layer above sees it.
pub struct Service<S: AssignmentState>(pub(crate) Arc<App<S>>);

impl<S: AssignmentState> Clone for Service<S> {
    fn clone(&self) -> Self {
        Service(self.0.clone())
    }
}

impl<S: AssignmentState + 'static> Service<S> {
    /// The table serving `account` now (a reload swaps it: take it again
    /// for each piece of work).
    pub fn table(&self, account: &str) -> Option<Arc<Active<S>>> {
        let tables = self.0.tables();
        match tables.account(account) {
            Some(active) => Some(active.clone()),
            None if !self.0.fleet => tables.only().filter(|a| a.router.table().account == account).cloned(),
            None => None,
        }
    }

    /// The state every table shares.
    pub fn state(&self) -> &Arc<S> {
        &self.0.state
    }
}
