//! The integration tests, one binary by surface of the product, each file
//! a module: the command line (cli, action, ci_formats, canonical, crm,
//! wazzup, typing, report, robustness, layers, docs, doc_commands), the
//! services (serve, connect, accounts, unanswered, redis, cluster, tls,
//! hostile, fuzz), the editor (lsp, neovim), the properties (agreement,
//! availability, precedence, schema_agreement, runtime, hours) and the
//! message files (i18n). `support` is what they share.
//! `tests/diagnostics.rs`, a harness of its own (one trial per code), is
//! the other binary.

#[path = "../../bench/specgen.rs"]
mod specgen;
mod support;

mod accounts;
mod action;
mod agreement;
mod availability;
mod canonical;
mod ci_formats;
mod cli;
mod cluster;
mod connect;
mod crm;
mod doc_commands;
mod docs;
mod fuzz;
mod hostile;
mod hours;
mod i18n;
mod layers;
mod lsp;
mod neovim;
mod precedence;
mod redis;
mod report;
mod robustness;
mod runtime;
mod schema_agreement;
mod serve;
mod tls;
mod typing;
mod unanswered;
mod wazzup;
