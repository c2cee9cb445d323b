//! chatroute: validator and compiler for messenger-to-amoCRM routing specs.
//!
//! The pipeline, one module per stage: [`parse`] (TOML with spans) ->
//! [`schema`] (generated JSON Schema, errors mapped to spans) -> [`rules`]
//! (semantic rules) -> [`diagnostics`] (codes, reporters). [`check`] runs
//! the stages for one file; [`compile`] turns a checked spec into a
//! [`table`], which the [`runtime`] loads. See ARCHITECTURE.md.

pub mod artifact;
pub mod check;
pub mod compile;
pub mod crm;
pub mod diagnostics;
pub mod diff;
pub mod init;
pub mod parse;
pub mod phone;
pub mod resolve;
pub mod rules;
pub mod runtime;
pub mod schema;
pub mod source;
pub mod spec;
pub mod table;
pub mod text;
