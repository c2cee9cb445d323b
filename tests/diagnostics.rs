//! Every diagnostic code is triggered by a fixture under tests/fixtures,
//! and its human and JSON renderings are snapshotted.

use chatroute::check::{Checked, check_bytes, check_bytes_with};
use chatroute::crm::Snapshot;
use chatroute::diagnostics::Code;
use chatroute::diagnostics::render::{self, FileDiagnostics, HumanStyle};

/// The account snapshot a fixture is checked against: CRM codes (CR7xx)
/// need one; CR703 and CR707 need an account with duplicate names.
fn snapshot_for(name: &str) -> Option<Snapshot> {
    let file = match name {
        "CR703" | "CR707" => "duplicates",
        _ if name.starts_with("CR7") => "acme",
        _ => return None,
    };
    Some(Snapshot::load(format!("tests/fixtures/crm/{file}.snapshot.json").as_ref()).unwrap())
}

fn fixture(name: &str) -> Checked {
    let path = format!("tests/fixtures/{name}.toml");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    check_bytes_with(&path, bytes, snapshot_for(name).as_ref())
}

fn human(c: &Checked) -> String {
    render::human(
        &[FileDiagnostics { file: &c.source, diagnostics: &c.diagnostics }],
        HumanStyle { color: false, width: 100 },
    )
}

fn json(c: &Checked) -> String {
    render::json(&[FileDiagnostics { file: &c.source, diagnostics: &c.diagnostics }])
}

/// CR003 needs a file over the size limit, which is built here rather than
/// committed.
fn too_large() -> Checked {
    let mut bytes = b"# padding\n".repeat(chatroute::parse::MAX_FILE_BYTES / 10 + 1);
    bytes.extend_from_slice(b"version = 1\n");
    check_bytes("tests/fixtures/generated-too-large.toml", bytes)
}

#[test]
fn every_code_has_a_fixture_that_triggers_it() {
    for &code in Code::ALL {
        let checked = if code == Code::TooLarge { too_large() } else { fixture(code.as_str()) };
        assert!(
            checked.diagnostics.iter().any(|d| d.code == code),
            "fixture for {code} does not trigger it: {:?}",
            checked.diagnostics
        );
        insta::assert_snapshot!(format!("{code}-human"), human(&checked));
        insta::assert_snapshot!(format!("{code}-json"), json(&checked));
    }
}

#[test]
fn a_file_with_many_problems_lists_them_all_sorted() {
    let checked = fixture("many-problems");
    let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code.as_str()).collect();
    for expected in [
        "CR015", "CR011", "CR010", "CR102", "CR502", "CR013", "CR202", "CR101", "CR201", "CR014", "CR605", "CR604",
        "CR302", "CR401", "CR103", "CR606", "CR607", "CR012",
    ] {
        assert!(codes.contains(&expected), "{expected} missing from {codes:?}");
    }
    let positions: Vec<usize> = checked.diagnostics.iter().map(|d| d.position()).collect();
    assert!(positions.is_sorted(), "not sorted by position: {positions:?}");
    insta::assert_snapshot!("many-problems-human", human(&checked));
}

#[test]
fn examples_pass_without_any_diagnostic() {
    let mut seen = 0;
    for entry in std::fs::read_dir("examples").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.starts_with("#:schema ../schema/chatroute.schema.json\n"), "{}", path.display());
            let checked = check_bytes(&path.display().to_string(), text.into_bytes());
            assert!(checked.diagnostics.is_empty(), "{}: {:?}", path.display(), checked.diagnostics);
            assert!(checked.spec.is_some());
            seen += 1;
        }
    }
    assert!(seen >= 6, "expected the six scenario examples, found {seen}");
}

#[test]
fn committed_schema_matches_the_types() {
    let committed = std::fs::read_to_string("schema/chatroute.schema.json").unwrap();
    assert!(
        committed == chatroute::schema::to_pretty_string(),
        "schema/chatroute.schema.json is stale: run `cargo run -- schema > schema/chatroute.schema.json`"
    );
}

#[test]
fn every_schema_property_and_enum_variant_is_described() {
    fn walk(node: &serde_json::Value, path: &str, missing: &mut Vec<String>) {
        if let Some(props) = node.get("properties").and_then(|p| p.as_object()) {
            for (k, v) in props {
                if v.get("description").is_none() {
                    missing.push(format!("{path}/{k}"));
                }
                walk(v, &format!("{path}/{k}"), missing);
            }
        }
        for key in ["oneOf", "anyOf"] {
            for (i, branch) in node.get(key).and_then(|b| b.as_array()).into_iter().flatten().enumerate() {
                if branch.get("description").is_none() && branch.get("$ref").is_none() {
                    missing.push(format!("{path}/{key}/{i}"));
                }
            }
        }
        if let Some(defs) = node.get("$defs").and_then(|d| d.as_object()) {
            for (k, v) in defs {
                walk(v, &format!("#/$defs/{k}"), missing);
            }
        }
    }
    let mut missing = Vec::new();
    walk(&chatroute::schema::generate(), "#", &mut missing);
    assert!(missing.is_empty(), "undocumented: {missing:?}");
}

#[test]
fn empty_file_reports_the_missing_keys() {
    let checked = check_bytes("empty.toml", Vec::new());
    let missing: Vec<&str> = checked.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        missing,
        [
            "missing key `channels` in the top level",
            "missing key `employees` in the top level",
            "missing key `integration` in the top level",
            "missing key `version` in the top level"
        ]
    );
    assert!(checked.has_errors());
}

#[test]
fn hostile_input_gets_a_diagnostic_not_a_panic() {
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    let deep = format!("a = {}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_tables = format!("a = {}1{}", "{ b = ".repeat(50_000), " }".repeat(50_000));
    let big_valid = "# a comment line that pads the file to fifty megabytes\n".repeat(50 * 1024 * 1024 / 55);
    for (name, bytes) in [
        ("garbage", garbage),
        ("deep-arrays", deep.into_bytes()),
        ("deep-tables", deep_tables.into_bytes()),
        ("fifty-megabytes", big_valid.into_bytes()),
        ("nul", b"version = 1\0".to_vec()),
    ] {
        let checked = check_bytes(name, bytes);
        assert!(checked.has_errors(), "{name}: expected a diagnostic");
        let _ = human(&checked);
        let _ = json(&checked);
    }
}
