//! chatroute: validator and compiler for messenger-to-amoCRM routing specs.
//!
//! The pipeline, one module per stage: [`parse`] (TOML with spans) ->
//! [`schema`] (generated JSON Schema, errors mapped to spans) -> [`rules`]
//! (semantic rules) -> [`diagnostics`] (codes, reporters). [`check`] runs
//! the stages for one file; [`compile`] turns a checked spec into a
//! [`table`], which the [`runtime`] loads. See ARCHITECTURE.md.

/// An enum of keywords: each variant's spelling is written once and
/// serves serde (hence the schema), `as_str` and `Display`, so messages and
/// `diff` speak the spec's own words.
macro_rules! keywords {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$meta])*
        pub enum $name { $($(#[$vmeta])* #[serde(rename = $text)] $variant,)* }

        impl $name {
            /// The keyword as written in a spec.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub mod address;
pub mod artifact;
pub mod canonical;
pub mod check;
pub mod compile;
pub mod crm;
pub mod diagnostics;
pub mod diff;
pub mod http;
pub mod init;
pub mod lsp;
pub mod parse;
pub mod paths;
pub mod phone;
pub mod resolve;
pub mod rules;
pub mod runtime;
pub mod schema;
pub mod serve;
pub mod source;
pub mod spec;
pub mod table;
pub mod text;
pub mod typed;
pub mod wazzup;
