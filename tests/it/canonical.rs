//! The canonical JSON of docs/table.md (`chatroute::canonical`) against
//! its definition written out the slow way: every example's table body,
//! and random JSON values.

use proptest::prelude::*;
use serde_json::{Value, json};

use chatroute::canonical::to_vec;

/// The definition, written out the slow way: compact, each object's keys
/// sorted, scalars as serde_json writes them.
fn reference(value: &Value) -> Vec<u8> {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let entries: Vec<Vec<u8>> = entries
                .into_iter()
                .map(|(k, v)| [Value::String(k.clone()).to_string().into_bytes(), b":".to_vec(), reference(v)].concat())
                .collect();
            [b"{".to_vec(), entries.join(&b","[..]), b"}".to_vec()].concat()
        }
        Value::Array(items) => {
            let items: Vec<Vec<u8>> = items.iter().map(reference).collect();
            [b"[".to_vec(), items.join(&b","[..]), b"]".to_vec()].concat()
        }
        scalar => scalar.to_string().into_bytes(),
    }
}

#[test]
fn every_example_table_body_agrees_with_the_definition() {
    let mut checked = 0;
    for entry in std::fs::read_dir("examples").expect("examples/") {
        let path = entry.expect("an entry").path();
        let bytes = std::fs::read(&path).expect("readable");
        let spec = chatroute::check::check("example.toml", bytes, Default::default()).spec.expect("the examples check");
        let body = chatroute::compile::compile(&spec, Default::default()).body;
        let value = serde_json::to_value(&body).expect("plain data");
        assert_eq!(to_vec(&body), reference(&value), "{}", path.display());
        assert_eq!(to_vec(&value), reference(&value), "{}", path.display());
        checked += 1;
    }
    assert!(checked >= 8);
}

#[test]
fn keys_sort_by_code_point_and_escape_as_serde_json_does() {
    let value = json!({"z": 1, "é": [true, null, 1.5], "\"q\"": {"b": "\n", "a": "\u{1F600}"}, "A": -3, "": {}});
    assert_eq!(to_vec(&value), reference(&value));
    assert_eq!(
        String::from_utf8(to_vec(&value)).unwrap(),
        r#"{"":{},"\"q\"":{"a":"😀","b":"\n"},"A":-3,"z":1,"é":[true,null,1.5]}"#
    );
}

fn values() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e9f64..1e9).prop_map(Value::from),
        ".{0,6}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::vec((".{0,4}", inner), 0..6)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

/// Entries in the order given, as struct fields come.
struct Unordered(Vec<(String, Value)>);

impl serde::Serialize for Unordered {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

proptest! {
    #[test]
    fn any_json_value_agrees_with_the_definition(value in values()) {
        prop_assert_eq!(to_vec(&value), reference(&value));
    }

    #[test]
    fn entries_out_of_order_are_sorted(
        shuffled in prop::collection::btree_map(".{0,4}", values(), 0..8)
            .prop_flat_map(|entries| Just(entries.into_iter().collect::<Vec<_>>()).prop_shuffle()),
    ) {
        let expected = reference(&Value::Object(shuffled.iter().cloned().collect()));
        prop_assert_eq!(to_vec(&Unordered(shuffled)), expected);
    }
}
