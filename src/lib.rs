//! chatroute: validator, compiler and runtime of messenger-to-amoCRM
//! routing specs. This crate is the `chatroute` command and a facade over
//! the workspace's crates, one per layer of the pipeline (ARCHITECTURE.md):
//!
//! - `chatroute-table`: the table format, canonical JSON and hash, loading
//!   and its invariants, the keywords specs and tables share;
//! - `chatroute-phone`: libphonenumber's validation on build-time automata;
//! - `chatroute-runtime`: `Router` and the assignment state (in process,
//!   Redis);
//! - `chatroute-check`: parse, schema, rules, diagnostics as data, compile,
//!   diff, the account snapshots;
//! - `chatroute-render`: the diagnostics' reporters;
//! - `chatroute-report`: the routing of a spec as an HTML page;
//! - `chatroute-accounts`: the amoCRM and Wazzup API clients;
//! - `chatroute-serve` and `chatroute-lsp`: the HTTP service and the
//!   language server;
//! - `chatroute-connect`: the integration (`chatroute connect`).
//!
//! The modules below keep the paths the library has always had.

pub use chatroute_check::{
    accounts, address, check, compile, descriptions, diff, i18n, init, parse, paths, resolve, rules, schema, source,
    spec, typed,
};
pub use chatroute_connect as connect;
pub use chatroute_lsp as lsp;
pub use chatroute_phone as phone;
pub use chatroute_report as report;
pub use chatroute_runtime as runtime;
pub use chatroute_serve as serve;
pub use chatroute_table as table;
pub use chatroute_table::{artifact, canonical, text};

/// Diagnostics as data (`chatroute-check`) and their reporters
/// (`chatroute-render`).
pub mod diagnostics {
    pub use chatroute_check::diagnostics::*;
    pub use chatroute_render as render;
}

/// The amoCRM snapshot (`chatroute-check`) and its API client
/// (`chatroute-accounts`).
pub mod crm {
    pub use chatroute_accounts::crm as pull;
    pub use chatroute_check::crm::*;
}

/// The Wazzup snapshot (`chatroute-check`) and its API client
/// (`chatroute-accounts`).
pub mod wazzup {
    pub use chatroute_accounts::wazzup as pull;
    pub use chatroute_check::wazzup::*;
}

pub use chatroute_accounts::http;
