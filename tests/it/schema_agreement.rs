//! `check` reads a valid file straight into the typed spec (`typed::read`)
//! and builds the schema validator only to explain a file with problems.
//! That is sound only if the strict reading accepts no file the schema
//! rejects: this property test checks it on the shipped examples with
//! random mutations (keys removed, renamed or added, values replaced by
//! values of every TOML type, near-misses of keywords, empty strings, zero
//! and out-of-range integers). It also checks the other way round, that a
//! file the schema accepts reads strictly unless it holds a float (JSON
//! Schema counts `3.0` as an integer; the types do not), so that valid
//! files do take the fast path.

use chatroute::parse::{self, Locator};
use chatroute::{schema, typed};
use proptest::prelude::*;
use proptest::sample::Index;
use toml::{Table, Value};

fn seeds() -> Vec<Table> {
    let mut seeds: Vec<Table> = std::fs::read_dir("examples")
        .expect("examples/")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| std::fs::read_to_string(&p).expect("readable").parse().expect("an example parses"))
        .collect();
    seeds.sort_by_key(|t| t.to_string());
    seeds
}

/// Words the spec uses (keys and keywords), a few near-misses and strangers.
const WORDS: &[&str] = &[
    "version",
    "integration",
    "account",
    "enabled",
    "employees",
    "name",
    "crm_user",
    "email",
    "defaults",
    "new_deals",
    "pipeline",
    "stage",
    "access",
    "assignment",
    "mode",
    "after_close",
    "members",
    "employee",
    "weight",
    "max_open",
    "skip_unavailable",
    "when_nobody",
    "channels",
    "transport",
    "phone",
    "handle",
    "id",
    "everyone",
    "level",
    "default_outgoing",
    "global_chat",
    "visibility",
    "admins",
    "deal_card",
    "copy_dialog",
    "phones",
    "to_international",
    "client_regions",
    "round_robin",
    "first_responder",
    "read",
    "read_send",
    "none",
    "whatsapp",
    "telegram",
    "all",
    "hourly",
    "unassigned",
    "assign_anyway",
    "create_new",
    "RU",
    "+7 999 000-00-01",
    "",
    "wieght",
    "Name",
    "extra",
];

fn value(choice: u8, word: Index) -> Value {
    let word = WORDS[word.index(WORDS.len())];
    match choice % 12 {
        0 => Value::String(word.to_owned()),
        1 => Value::String(String::new()),
        2 => Value::Integer(0),
        3 => Value::Integer(1),
        4 => Value::Integer(-1),
        5 => Value::Integer(i64::from(u32::MAX) + 1),
        6 => Value::Float(3.0),
        7 => Value::Boolean(true),
        8 => Value::Array(vec![Value::String(word.to_owned())]),
        9 => Value::Table(Table::from_iter([(word.to_owned(), Value::String(word.to_owned()))])),
        10 => Value::Table(Table::new()),
        _ => Value::Datetime("1979-05-27".parse().expect("a date")),
    }
}

/// Every table and array in the document, by path (array items by index).
fn containers(table: &Table, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(path.clone());
    for (key, v) in table {
        path.push(key.clone());
        match v {
            Value::Table(t) => containers(t, path, out),
            Value::Array(items) => {
                out.push(path.clone());
                for (i, item) in items.iter().enumerate() {
                    if let Value::Table(t) = item {
                        path.push(i.to_string());
                        containers(t, path, out);
                        path.pop();
                    }
                }
            }
            _ => {}
        }
        path.pop();
    }
}

fn container_at<'a>(table: &'a mut Table, path: &[String]) -> Option<&'a mut Value> {
    let (first, rest) = path.split_first()?;
    rest.iter().try_fold(table.get_mut(first)?, |v, seg| match v {
        Value::Table(t) => t.get_mut(seg),
        Value::Array(a) => a.get_mut(seg.parse::<usize>().ok()?),
        _ => None,
    })
}

/// One mutation inside the container at `path`.
fn mutate(doc: &mut Table, path: &[String], op: u8, at: Index, choice: u8, word: Index) {
    let new = value(choice, word);
    let name = WORDS[word.index(WORDS.len())].to_owned();
    let target = match path.is_empty() {
        true => Some(doc),
        false => match container_at(doc, path) {
            Some(Value::Table(t)) => Some(t),
            Some(Value::Array(items)) if op.is_multiple_of(2) && !items.is_empty() => {
                let i = at.index(items.len());
                items[i] = new;
                return;
            }
            Some(Value::Array(items)) => {
                items.push(new);
                return;
            }
            _ => None,
        },
    };
    let Some(table) = target else { return };
    let keys: Vec<String> = table.keys().cloned().collect();
    let key = (!keys.is_empty()).then(|| keys[at.index(keys.len())].clone());
    match (op % 4, key) {
        (0, Some(key)) => {
            table.remove(&key);
        }
        (1, Some(key)) => {
            let v = table.remove(&key).expect("present");
            table.insert(name, v);
        }
        (2, Some(key)) => {
            table.insert(key, new);
        }
        _ => {
            table.insert(name, new);
        }
    }
}

fn has_float(v: &Value) -> bool {
    match v {
        Value::Float(_) => true,
        Value::Array(items) => items.iter().any(has_float),
        Value::Table(t) => t.values().any(has_float),
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn strict_reading_agrees_with_the_schema(
        seed in any::<Index>(),
        edits in prop::collection::vec((any::<Index>(), 0u8..4, any::<Index>(), 0u8..12, any::<Index>()), 0..4),
    ) {
        let seeds = seeds();
        let mut doc = seeds[seed.index(seeds.len())].clone();
        for (container, op, at, choice, word) in edits {
            let mut paths = Vec::new();
            containers(&doc, &mut Vec::new(), &mut paths);
            let path = paths[container.index(paths.len())].clone();
            mutate(&mut doc, &path, op, at, choice, word);
        }
        let Ok(text) = toml::to_string(&doc) else { return Ok(()) };
        let root = parse::parse(&text).map_err(|d| TestCaseError::fail(format!("{d:?}\n{text}")))?;
        let strict = typed::read(&root).is_some();
        let json = parse::to_json(root.get_ref());
        let report = schema::validate(&json, Locator::new(&root));
        let valid = report.diagnostics.is_empty();
        prop_assert!(!strict || valid, "read strictly, but the schema says {:#?}\n{}", report.diagnostics, text);
        let floats = doc.values().any(has_float);
        prop_assert!(!valid || strict || floats, "the schema accepts it, the strict reading does not:\n{}", text);
    }
}

/// `typed::CONSTRAINTS` are exactly the schema's constraints beyond the
/// types (lengths, and minimums above what an unsigned type has), and the
/// strict reading refuses a spec breaking each, as the schema does.
#[test]
fn the_typed_reading_knows_every_constraint_of_the_schema() {
    fn walk(node: &serde_json::Value, at: &str, out: &mut Vec<(String, String)>) {
        let Some(object) = node.as_object() else { return };
        if let Some(n) = object.get("minLength") {
            out.push((at.to_owned(), format!("minLength {n}")));
        }
        if let Some(n) = object.get("minimum").filter(|n| n.as_u64().is_some_and(|n| n > 0)) {
            out.push((at.to_owned(), format!("minimum {n}")));
        }
        for (name, definition) in object.get("$defs").and_then(|d| d.as_object()).into_iter().flatten() {
            for (property, schema) in definition.get("properties").and_then(|p| p.as_object()).into_iter().flatten() {
                walk(schema, &format!("{name}.{property}"), out);
            }
        }
    }
    let mut found = Vec::new();
    walk(&schema::generate(), "", &mut found);
    found.sort();
    let listed: Vec<(String, String)> = typed::CONSTRAINTS.iter().map(|(a, b)| ((*a).into(), (*b).into())).collect();
    assert_eq!(
        found, listed,
        "a constraint of spec.rs that typed::within_schema does not check, or one it no longer needs"
    );

    let acme = std::fs::read_to_string("examples/acme.toml").unwrap();
    let broken = [
        ("name = \"Retail WhatsApp\"", "name = \"\""),
        ("name = \"Bruce Wayne\"", "name = \"\""),
        ("account = \"acme\"", "account = \"\""),
        ("{ employee = \"bruce\" },", "{ employee = \"bruce\", max_open = 0 },"),
        ("weight = 2", "weight = 0"),
    ];
    for (from, to) in broken {
        let text = acme.replacen(from, to, 1);
        assert_ne!(text, acme, "{from}");
        let root = parse::parse(&text).unwrap();
        assert!(typed::read(&root).is_none(), "read strictly: {to}");
        let json = parse::to_json(root.get_ref());
        assert!(!schema::validate(&json, Locator::new(&root)).diagnostics.is_empty(), "the schema accepts {to}");
    }
}
