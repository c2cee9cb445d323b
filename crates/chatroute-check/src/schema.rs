//! Stage 2: the JSON Schema generated from `spec` types, and validation of a
//! document's JSON twin against it with every error mapped back to the TOML
//! span of the offending key or value.

use std::borrow::Cow;
use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use schemars::Schema;
use schemars::generate::SchemaSettings;
use schemars::transform::{RecursiveTransform, Transform};
use serde_json::Value;

use crate::diagnostics::{Code, Diagnostic, closest};
use crate::i18n::t;
use crate::parse::Locator;
use crate::spec::Spec;

/// The schema `chatroute schema` prints and `schema/` holds.
pub fn generate() -> Value {
    let generator = SchemaSettings::draft2020_12().with_transform(RecursiveTransform(TomlShapes)).into_generator();
    generator.into_root_schema_for::<Spec>().to_value()
}

/// The generated schema as committed: pretty JSON with a final newline.
pub fn to_pretty_string() -> String {
    serde_json::to_string_pretty(generated()).expect("a JSON value serialises") + "\n"
}

pub(crate) fn generated() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(generate)
}

fn validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        jsonschema::draft202012::new(generated()).expect("the generated schema is a valid draft 2020-12 schema")
    })
}

/// Adapts schemars' output to TOML: there is no `null` in TOML, and unknown
/// keys are typos, so every table is closed unless it declares extra entries.
#[derive(Clone)]
struct TomlShapes;

impl Transform for TomlShapes {
    fn transform(&mut self, schema: &mut Schema) {
        let Some(obj) = schema.as_object_mut() else {
            return;
        };
        if let Some(Value::Array(types)) = obj.get_mut("type") {
            types.retain(|t| t != "null");
            if types.len() == 1 {
                let single = types.remove(0);
                obj.insert("type".into(), single);
            }
        }
        if let Some(Value::Array(branches)) = obj.get_mut("anyOf") {
            branches.retain(|b| b.get("type").is_none_or(|t| t != "null"));
            if branches.len() == 1 {
                let single = branches.remove(0);
                obj.remove("anyOf");
                if let Value::Object(inner) = single {
                    obj.extend(inner);
                }
            }
        }
        // schemars names the width in `format`, which validators need not
        // enforce; a bound every validator checks says it for editors too.
        let maximum = match obj.get("format").and_then(Value::as_str) {
            Some("uint32") => Some(Value::from(u32::MAX)),
            // TOML integers are 64-bit signed.
            Some("uint64") => Some(Value::from(i64::MAX)),
            _ => None,
        };
        if let Some(maximum) = maximum {
            obj.entry("maximum").or_insert(maximum);
        }
        if obj.contains_key("properties") && !obj.contains_key("additionalProperties") {
            obj.insert("additionalProperties".into(), Value::Bool(false));
        }
    }
}

/// Problems the schema finds, and the instance paths of the values they
/// condemn (so the typed reading can skip them and the rules still run on
/// the rest).
pub struct SchemaReport {
    pub diagnostics: Vec<Diagnostic>,
    pub invalid: Vec<Vec<String>>,
}

/// Validates the JSON twin of a document.
pub fn validate(instance: &Value, loc: Locator<'_>) -> SchemaReport {
    let mut report = SchemaReport { diagnostics: Vec::new(), invalid: Vec::new() };
    // Most specs are valid: the short-circuiting check skips building errors.
    if validator().is_valid(instance) {
        return report;
    }
    for error in validator().iter_errors(instance) {
        map_error(&error, loc, &mut report);
    }
    report
}

fn path_of(error: &ValidationError<'_>) -> Vec<String> {
    error.instance_path().segments().map(|s| s.to_string()).collect()
}

/// The schema node an error's keyword sits in, followed through `$ref`.
fn schema_node(error: &ValidationError<'_>) -> Option<&'static Value> {
    let pointer = error.schema_path().as_str();
    let parent = &pointer[..pointer.rfind('/').unwrap_or(0)];
    follow_ref(generated().pointer(parent)?)
}

fn follow_ref(node: &'static Value) -> Option<&'static Value> {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) => follow_ref(generated().pointer(r.strip_prefix('#')?)?),
        None => Some(node),
    }
}

/// The schema node of a place in a spec (`["channels", "wa", "transport"]`),
/// following `$ref`, map values, array items and the first `anyOf` branch
/// that has the next key: what editors describe and complete there.
pub fn node_at<S: AsRef<str>>(path: &[S]) -> Option<&'static Value> {
    fn walk<S: AsRef<str>>(node: &'static Value, path: &[S]) -> Option<&'static Value> {
        let node = follow_ref(node)?;
        let Some((first, rest)) = path.split_first() else { return Some(node) };
        let first = first.as_ref();
        let branches = node.get("anyOf").and_then(Value::as_array).into_iter().flatten();
        if let Some(found) = branches.filter_map(|b| walk(b, path)).next() {
            return Some(found);
        }
        let next = node
            .get("properties")
            .and_then(|p| p.get(first))
            .or_else(|| node.get("additionalProperties").filter(|a| a.is_object()))
            .or_else(|| first.parse::<usize>().ok().and(node.get("items")))?;
        walk(next, rest)
    }
    walk(generated(), path)
}

/// The description of a node (or of its first described `anyOf` branch).
pub fn describe(node: &'static Value) -> Option<Cow<'static, str>> {
    description(node).or_else(|| node.get("anyOf")?.as_array()?.iter().filter_map(follow_ref).find_map(description))
}

/// The keywords a node accepts (`enum`, `const` and `oneOf` of them).
pub fn keywords(node: &'static Value) -> Vec<&'static str> {
    let node = follow_ref(node).unwrap_or(node);
    let mut out: Vec<&str> =
        node.get("enum").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    for key in ["oneOf", "anyOf"] {
        for branch in node.get(key).and_then(Value::as_array).into_iter().flatten().filter_map(follow_ref) {
            out.extend(branch.get("const").and_then(Value::as_str));
            out.extend(keywords(branch));
        }
    }
    out
}

/// A node's description, in the current language.
fn description(node: &'static Value) -> Option<Cow<'static, str>> {
    node.get("description").and_then(Value::as_str).map(crate::descriptions::localized)
}

fn map_error(error: &ValidationError<'_>, loc: Locator<'_>, report: &mut SchemaReport) {
    let path = path_of(error);
    let here = display_path(&path);
    let diag = match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            for key in unexpected {
                report.diagnostics.push(unknown_key(error, &path, key, loc));
                // The typed spec's tables are closed too.
                report.invalid.push([path.as_slice(), std::slice::from_ref(key)].concat());
            }
            return;
        }
        ValidationErrorKind::Required { property } => {
            missing_key(error, &path, property.as_str().unwrap_or_default(), loc)
        }
        ValidationErrorKind::Type { kind } => {
            let expected = match kind {
                TypeKind::Single(t) => toml_type(&t.to_string()),
                TypeKind::Multiple(set) => {
                    set.iter().map(|t| toml_type(&t.to_string())).collect::<Vec<_>>().join(&t!("list-or"))
                }
            };
            wrong_type(&path, &expected, error.instance(), loc)
        }
        ValidationErrorKind::Enum { options } => {
            invalid_value(&path, options.as_array().map(Vec::as_slice).unwrap_or_default(), error.instance(), loc)
        }
        ValidationErrorKind::Constant { expected_value } => {
            invalid_value(&path, std::slice::from_ref(expected_value), error.instance(), loc)
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            best_branch(&path, context, error.instance(), loc, report);
            return;
        }
        _ => Diagnostic::new(Code::OutOfRange, t!("cr014-message", path = here, problem = constraint_message(error)))
            .label(loc.value(&path), t!("cr014-label"))
            .help(
                schema_node(error)
                    .and_then(description)
                    .map_or_else(|| t!("see-schema"), |d| first_sentence(&d).to_owned()),
            ),
    };
    report.diagnostics.push(diag);
    // A missing key condemns the table that lacks it; at the top level the
    // typed spec's defaults stand in instead.
    if !path.is_empty() {
        report.invalid.push(path);
    }
}

/// CR010: a key the table does not define, with the closest known one.
fn unknown_key(error: &ValidationError<'_>, path: &[String], key: &str, loc: Locator<'_>) -> Diagnostic {
    let known: Vec<&str> = schema_node(error)
        .and_then(|n| n.get("properties"))
        .and_then(Value::as_object)
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let mut key_path = path.to_vec();
    key_path.push(key.to_owned());
    let allowed = known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
    Diagnostic::new(Code::UnknownKey, t!("cr010-message", key = key, path = display_path(path)))
        .label(loc.key(&key_path), t!("cr010-label"))
        .help(t!("cr010-help", allowed = allowed))
        .suggest(closest(key, known.iter().copied()))
}

/// CR011: a required key that is absent, with its description as help.
fn missing_key(error: &ValidationError<'_>, path: &[String], property: &str, loc: Locator<'_>) -> Diagnostic {
    let here = display_path(path);
    let doc = schema_node(error)
        .and_then(|n| n.get("properties")?.get(property))
        .and_then(follow_ref)
        .and_then(description)
        .map(|d| format!("`{property}`: {}", first_sentence(&d)));
    let label =
        if path.is_empty() { t!("cr011-label-file") } else { t!("cr011-label", path = here.as_str(), key = property) };
    let diag =
        Diagnostic::new(Code::MissingKey, t!("cr011-message", key = property, path = here)).label(loc.key(path), label);
    match doc {
        Some(doc) => diag.help(doc),
        None => diag,
    }
}

/// `anyOf`/`oneOf` failures read badly as a whole; like check-jsonschema,
/// report the branch the value came closest to. When every branch fails on
/// the value's own type or value, merge them into one message.
fn best_branch(
    path: &[String],
    context: &[Vec<ValidationError<'static>>],
    instance: &Value,
    loc: Locator<'_>,
    report: &mut SchemaReport,
) {
    let at_self = |e: &ValidationError<'_>| path_of(e) == path;
    let shallow = |branch: &Vec<ValidationError<'static>>| {
        branch.iter().all(|e| {
            at_self(e)
                && matches!(
                    e.kind(),
                    ValidationErrorKind::Type { .. }
                        | ValidationErrorKind::Constant { .. }
                        | ValidationErrorKind::Enum { .. }
                )
        })
    };
    if let Some(branch) = context.iter().filter(|b| !shallow(b)).min_by_key(|b| b.len()) {
        for e in branch {
            map_error(e, loc, report);
        }
        return;
    }
    let mut values = Vec::new();
    let mut types = Vec::new();
    for e in context.iter().flatten() {
        match e.kind() {
            ValidationErrorKind::Constant { expected_value } => values.push((**expected_value).clone()),
            ValidationErrorKind::Enum { options } => values.extend(options.as_array().into_iter().flatten().cloned()),
            ValidationErrorKind::Type { kind: TypeKind::Single(t) } => types.push(toml_type(&t.to_string())),
            ValidationErrorKind::Type { kind: TypeKind::Multiple(set) } => {
                types.extend(set.iter().map(|t| toml_type(&t.to_string())))
            }
            _ => {}
        }
    }
    types.dedup();
    let diag = if !values.is_empty() && values.iter().any(|v| same_type(v, instance)) {
        invalid_value(path, &values, instance, loc)
    } else {
        let mut expected: Vec<String> = types;
        expected.extend(values.iter().map(|v| v.to_string()));
        wrong_type(path, &expected.join(&t!("list-or")), instance, loc)
    };
    report.diagnostics.push(diag);
    report.invalid.push(path.to_vec());
}

fn same_type(a: &Value, b: &Value) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

fn wrong_type(path: &[String], expected: &str, found: &Value, loc: Locator<'_>) -> Diagnostic {
    let found = json_type(found);
    let (shown, a_expected, a_found) = (display_path(path), article(expected), article(&found));
    Diagnostic::new(
        Code::WrongType,
        t!("cr012-message", path = shown, article = a_expected, expected = expected, found = found.as_str()),
    )
    .label(loc.value(path), t!("cr012-label", article = a_found, found = found))
    .help(t!("cr012-help", article = a_expected, expected = expected))
}

/// A value the schema accepted but the spec's types cannot hold: a TOML
/// float where a whole number goes (JSON Schema counts `3.0` as an
/// integer), or whatever else serde refused (`why`).
pub fn unusable(path: &[String], found: Option<&Value>, why: &str, loc: Locator<'_>) -> Diagnostic {
    match found {
        Some(value @ Value::Number(n)) if n.is_f64() => wrong_type(path, &toml_type("integer"), value, loc),
        _ => Diagnostic::new(Code::WrongType, t!("cr012-message-unusable", path = display_path(path), why = why))
            .label(loc.value(path), t!("cr012-label-unusable"))
            .help(t!("cr012-help-unusable")),
    }
}

fn invalid_value(path: &[String], options: &[Value], found: &Value, loc: Locator<'_>) -> Diagnostic {
    let names: Vec<String> = options.iter().map(|o| o.as_str().map_or_else(|| o.to_string(), str::to_owned)).collect();
    let listed = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    let shown = found.as_str().map_or_else(|| found.to_string(), str::to_owned);
    Diagnostic::new(Code::InvalidValue, t!("cr013-message", value = shown, path = display_path(path)))
        .label(loc.value(path), t!("cr013-label", listed = listed.as_str()))
        .help(t!("cr013-help", listed = listed))
        .suggest(found.as_str().and_then(|s| closest(s, names.iter().map(String::as_str))))
}

fn constraint_message(error: &ValidationError<'_>) -> String {
    match error.kind() {
        ValidationErrorKind::Minimum { limit } => {
            t!("constraint-minimum", limit = limit.to_string(), found = error.instance().to_string())
        }
        ValidationErrorKind::Maximum { limit } => {
            t!("constraint-maximum", limit = limit.to_string(), found = error.instance().to_string())
        }
        ValidationErrorKind::MinLength { limit } => t!("constraint-min-length", limit = limit.to_owned()),
        ValidationErrorKind::MinItems { limit } => t!("constraint-min-items", limit = limit.to_owned()),
        _ => error.to_string(),
    }
}

/// A path as an admin reads it: `channels.wa-retail.access`, `the top level`.
pub fn display_path<S: AsRef<str>>(path: &[S]) -> String {
    if path.is_empty() {
        return t!("top-level");
    }
    let mut out = String::from("`");
    for (i, seg) in path.iter().enumerate() {
        let seg = seg.as_ref();
        if seg.parse::<usize>().is_ok() {
            out.push_str(&format!("[{seg}]"));
        } else {
            if i > 0 {
                out.push('.');
            }
            out.push_str(seg);
        }
    }
    out.push('`');
    out
}

fn first_sentence(text: &str) -> &str {
    text.split_once(". ").map_or(text, |(s, _)| s).trim_end_matches('.')
}

/// A JSON Schema type as TOML calls it, in the current language.
fn toml_type(json_type: &str) -> String {
    match json_type {
        "object" => t!("type-table"),
        "array" => t!("type-array"),
        "string" => t!("type-string"),
        "integer" => t!("type-integer"),
        "number" => t!("type-number"),
        "boolean" => t!("type-boolean"),
        _ => t!("type-value"),
    }
}

/// The TOML type of a value, in the current language.
fn json_type(value: &Value) -> String {
    match value {
        Value::Object(_) => t!("type-table"),
        Value::Array(_) => t!("type-array"),
        Value::String(_) => t!("type-string"),
        Value::Number(n) if n.is_f64() => t!("type-float"),
        Value::Number(_) => t!("type-integer"),
        Value::Bool(_) => t!("type-boolean"),
        Value::Null => t!("type-nothing"),
    }
}

/// English's article before a word (the other languages' messages do not
/// use it).
fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_is_valid_closed_and_null_free() {
        let schema = generate();
        assert!(jsonschema::meta::is_valid(&schema));
        let text = schema.to_string();
        assert!(!text.contains("\"null\""), "TOML has no null");
        assert_eq!(schema["additionalProperties"], Value::Bool(false));
    }
}
