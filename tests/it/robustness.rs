//! Damaged specs never panic: random edits of the examples always give
//! sorted diagnostics whose labels lie inside the file, and every reporter
//! renders them.

use chatroute::check::check;
use chatroute::diagnostics::render::{self, FileDiagnostics, HumanStyle};
use proptest::prelude::*;

const EXAMPLES: [&str; 3] = [
    include_str!("../../examples/acme.toml"),
    include_str!("../../examples/furniture.toml"),
    include_str!("../../examples/art-shop.toml"),
];

/// Fragments that make the damage interesting for a TOML spec.
const FRAGMENTS: [&str; 12] =
    ["[", "]", "\"", "=", "\n", "{", "}", ",", "everyone", "weight = 0", "[channels.x]", "\u{0}"];

#[derive(Debug, Clone)]
enum Edit {
    Delete { at: usize, len: usize },
    Insert { at: usize, fragment: usize },
    Byte { at: usize, byte: u8 },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Edit::Delete { at, len }),
        (any::<usize>(), 0..FRAGMENTS.len()).prop_map(|(at, fragment)| Edit::Insert { at, fragment }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Edit::Byte { at, byte }),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let n = bytes.len().max(1);
        match *e {
            Edit::Delete { at, len } => {
                let start = at % n;
                let end = (start + len).min(bytes.len());
                bytes.drain(start.min(end)..end);
            }
            Edit::Insert { at, fragment } => {
                let at = (at % n).min(bytes.len());
                bytes.splice(at..at, FRAGMENTS[fragment].bytes());
            }
            Edit::Byte { at, byte } => {
                if !bytes.is_empty() {
                    let at = at % bytes.len();
                    bytes[at] = byte;
                }
            }
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn damaged_specs_get_diagnostics_not_panics(example in 0..EXAMPLES.len(), edits in prop::collection::vec(edit(), 1..6)) {
        let bytes = apply(EXAMPLES[example].as_bytes().to_vec(), &edits);
        let checked = check("damaged.toml", bytes, Default::default());
        let len = checked.source.text.len();
        let positions: Vec<usize> = checked.diagnostics.iter().map(|d| d.position()).collect();
        prop_assert!(positions.is_sorted());
        for d in &checked.diagnostics {
            prop_assert!(!d.labels.is_empty(), "{:?} has no label", d.code);
            for l in &d.labels {
                prop_assert!(l.span.start <= l.span.end && l.span.end <= len + 1, "{:?}: {:?} outside 0..{len}", d.code, l.span);
            }
        }
        let files = [FileDiagnostics { file: &checked.source, diagnostics: &checked.diagnostics }];
        let _ = render::human(&files, HumanStyle { color: false, width: 80 });
        let json: serde_json::Value = serde_json::from_str(&render::json(&files)).unwrap();
        prop_assert_eq!(json["diagnostics"].as_array().map(Vec::len), Some(checked.diagnostics.len()));
        let _ = render::sarif(&files);
        let _ = render::github(&files);
        if checked.spec.is_some() {
            prop_assert!(!checked.has_errors());
            let _ = chatroute::compile::compile(checked.spec.as_ref().unwrap(), Default::default()).to_bytes();
        }
    }
}
