//! The schema's descriptions in the admin's language. The English ones
//! are the schema's own (the spec types' doc comments, through schemars);
//! each other language has them in `i18n/LANG/schema.ftl` under an id
//! made from the description's first place in the schema
//! (`schema-employee-name`). `i18n/en/schema.ftl` is written from the
//! schema (`tests/it/i18n.rs` keeps it in step), so a translator sees what
//! to translate and the parity test which ids a language lacks.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::Value;

use crate::i18n::{Lang, Loaders};

/// Every description of the schema, once, with its id, in the schema's
/// order.
pub fn messages() -> Vec<(String, &'static str)> {
    fn walk(value: &'static Value, path: &mut Vec<String>, out: &mut Vec<(String, &'static str)>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(text)) = map.get("description")
                    && !out.iter().any(|(_, seen)| seen == text)
                {
                    out.push((id(path), text.as_str()));
                }
                for (key, child) in map {
                    path.push(key.clone());
                    walk(child, path, out);
                    path.pop();
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    path.push(i.to_string());
                    walk(child, path, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(crate::schema::generated(), &mut Vec::new(), &mut out);
    out
}

/// `schema-` and the place's keys in lower case, `$defs` and
/// `properties` left out: `schema-accessdetail-level` for a type's key,
/// `schema-spec-assignment` for a top-level key of the spec.
fn id(path: &[String]) -> String {
    let top = path.first().is_some_and(|p| p == "properties");
    let words: Vec<String> = path
        .iter()
        .filter(|p| !["$defs", "properties"].contains(&p.as_str()))
        .map(|p| p.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect())
        .collect();
    match (top, words.is_empty()) {
        (_, true) => "schema".to_owned(),
        (true, false) => format!("schema-spec-{}", words.join("-")),
        (false, false) => format!("schema-{}", words.join("-")),
    }
}

/// A description in the current language. In English the schema's own
/// text, without building the id map or reading a message file.
pub fn localized(english: &'static str) -> Cow<'static, str> {
    static IDS: LazyLock<HashMap<&'static str, String>> =
        LazyLock::new(|| messages().into_iter().map(|(id, text)| (text, id)).collect());
    static DESCRIPTIONS: Loaders = crate::i18n::domain!("schema");
    if crate::i18n::current() == Lang::En {
        return Cow::Borrowed(english);
    }
    let russian = DESCRIPTIONS.of(Lang::Ru);
    IDS.get(english).and_then(|id| russian.find(id)).map_or(Cow::Borrowed(english), Cow::Owned)
}
