//! The typed spec read straight from the spanned TOML tree, strictly: a
//! file reads here only when the schema would accept it, so a valid file
//! (most files, most of the time) needs neither the JSON twin nor the schema
//! validator. Anything else reads `None`, and `check` takes the long way
//! (JSON twin, schema, pruning) that explains every problem.
//!
//! Strict means: serde's types (closed tables by `deny_unknown_fields`,
//! integers in range, keywords) plus the few constraints the schema has
//! beyond them, in [`within_schema`]. `tests/it/schema_agreement.rs` checks on
//! random specs that a spec read here is one the schema accepts.

use serde::Deserialize;
use serde::de::value::{Error, MapDeserializer, SeqDeserializer};
use serde::de::{self, IntoDeserializer, Visitor};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::spec::{Assignment, REQUIRED_KEYS, Spec};

/// The typed spec of a file the schema accepts; `None` for any other.
pub fn read(root: &Spanned<DeTable<'_>>) -> Option<Spec> {
    let spec = Spec::deserialize(table(root.get_ref())).ok()?;
    within_schema(root.get_ref(), &spec).then_some(spec)
}

/// The schema's constraints beyond the types, as `definition.property`
/// and keyword: what `within_schema` checks. `tests/it/schema_agreement.rs`
/// holds this list to the generated schema and each entry to a spec that
/// breaks it, so a constraint added in `spec.rs` cannot be missed here.
pub const CONSTRAINTS: &[(&str, &str)] = &[
    ("Assignment.max_reassignments", "minimum 1"),
    ("Channel.name", "minLength 1"),
    ("Employee.name", "minLength 1"),
    ("Integration.account", "minLength 1"),
    ("Member.max_open", "minimum 1"),
    ("Member.weight", "minimum 1"),
];

/// The schema's constraints that serde's types do not carry: the top-level
/// tables it requires (serde defaults them, so that the rules still run on a
/// file missing one), non-empty names, weights and capacities of at least 1.
fn within_schema(root: &DeTable<'_>, spec: &Spec) -> bool {
    let members = |a: &Assignment| {
        a.max_reassignments != Some(0) && a.members.iter().all(|m| m.weight != Some(0) && m.max_open != Some(0))
    };
    REQUIRED_KEYS.iter().all(|key| root.contains_key(*key))
        && !spec.integration.account.is_empty()
        && spec.employees.values().all(|e| !e.name.is_empty())
        && spec.channels.values().all(|c| !c.name.is_empty() && c.assignment.as_ref().is_none_or(members))
        && spec.assignment.as_ref().is_none_or(members)
}

/// A serde deserializer over a borrowed TOML value, reading it as its JSON
/// twin (`parse::to_json`) would: datetimes as strings.
#[derive(Clone, Copy)]
struct Value<'a>(&'a DeValue<'a>);

fn table<'a>(table: &'a DeTable<'a>) -> MapDeserializer<'a, impl Iterator<Item = (&'a str, Value<'a>)>, Error> {
    MapDeserializer::new(table.iter().map(|(k, v)| (k.get_ref().as_ref(), Value(v.get_ref()))))
}

impl<'a> IntoDeserializer<'a, Error> for Value<'a> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

impl<'a> de::Deserializer<'a> for Value<'a> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            DeValue::String(s) => visitor.visit_str(s),
            DeValue::Integer(i) => {
                visitor.visit_i64(i64::from_str_radix(i.as_str(), i.radix()).map_err(de::Error::custom)?)
            }
            DeValue::Float(f) => visitor.visit_f64(f.as_str().parse().map_err(de::Error::custom)?),
            DeValue::Boolean(b) => visitor.visit_bool(*b),
            DeValue::Datetime(d) => visitor.visit_string(d.to_string()),
            DeValue::Array(items) => {
                let mut seq = SeqDeserializer::new(items.iter().map(|v| Value(v.get_ref())));
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            DeValue::Table(t) => {
                let mut map = table(t);
                let value = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(value)
            }
        }
    }

    /// A value that is there is `Some`: absent keys never reach here.
    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    /// Keywords are strings naming a unit variant.
    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            DeValue::String(s) => visitor.visit_enum(s.as_ref().into_deserializer()),
            _ => Err(de::Error::custom("a keyword is a string")),
        }
    }

    /// Tables only: serde would also fill a struct from an array, in field order.
    fn deserialize_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            DeValue::Table(_) => self.deserialize_any(visitor),
            _ => Err(de::Error::custom("a struct is a table")),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(self, _name: &'static str, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        <W: Visitor<'a>>
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}
