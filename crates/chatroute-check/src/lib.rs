//! The chatroute checker: a spec's text to diagnostics and, when it has no
//! errors, to a routing table.
//!
//! The pipeline, one module per stage: [`source`] and [`parse`] (TOML with
//! spans) -> [`typed`] (the strict reading) or [`schema`] (the generated
//! JSON Schema, errors mapped to spans) -> [`rules`] (the semantic rules,
//! each with its code) -> [`diagnostics`] (codes as data) -> [`compile`]
//! (the table of `chatroute-table`). [`check`] runs the stages for one
//! file; [`spec`], [`resolve`], [`paths`], [`address`] and [`hours`] are
//! the model the rules and the compiler share; [`crm`] and [`wazzup`] the account
//! snapshots checked against (their HTTP clients are `chatroute-accounts`).
//! See ARCHITECTURE.md.

pub mod accounts;
pub mod address;
pub mod check;
pub mod compile;
pub mod crm;
pub mod descriptions;
pub mod diagnostics;
pub mod diff;
pub mod hours;
pub mod i18n;
pub mod init;
pub mod parse;
pub mod paths;
pub mod recover;
pub mod resolve;
pub mod rules;
pub mod schema;
pub mod source;
pub mod spec;
pub mod toml_words;
pub mod typed;
pub mod wazzup;

// The lower layers, under the names the stages use.
pub use chatroute_phone as phone;
pub use chatroute_table as table;
pub use chatroute_table::{artifact, canonical, text};
