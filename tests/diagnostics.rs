//! One test per diagnostic code, as ruff and oxc have them: the code's
//! fixture (tests/fixtures/CODE.toml) must fire it, with its human
//! rendering snapshotted, and the fixture's near miss must not. A fixture
//! ends with its directives, TOML behind `#! ` (removed before the check,
//! so they never show in a snapshot):
//!
//! - `crm = "acme"`: check against tests/fixtures/crm/acme.snapshot.json;
//! - `wazzup = "small"`: against tests/fixtures/wazzup/small.snapshot.json;
//! - `near_miss = [["from", "to"], ...]`: the text replacements that turn
//!   the fixture into one that must not fire the code
//!   (`near_miss_bytes` for a fixture that is not text).
//!
//! CR003 needs a file over 32 MiB, generated here rather than committed.
//! The other tests of the check pipeline's output follow as trials too.

use chatroute::check::{Accounts, Checked, check};
use chatroute::crm::Snapshot;
use chatroute::diagnostics::Code;
use chatroute::diagnostics::render::{self, FileDiagnostics, HumanStyle};
use chatroute::i18n::Lang;
use chatroute::wazzup::WazzupSnapshot;
use libtest_mimic::{Arguments, Failed, Trial};

/// What a fixture's `#! ` lines say.
#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Directives {
    crm: Option<String>,
    wazzup: Option<String>,
    #[serde(default)]
    near_miss: Vec<(String, String)>,
    #[serde(default)]
    near_miss_bytes: Vec<(Vec<u8>, Vec<u8>)>,
}

fn directives(bytes: &[u8]) -> Directives {
    let text: String = String::from_utf8_lossy(bytes)
        .lines()
        .filter_map(|l| l.strip_prefix("#! "))
        .map(|l| format!("{l}\n"))
        .collect();
    toml::from_str(&text).unwrap_or_else(|e| panic!("bad directives: {e}"))
}

fn snapshot(name: &str) -> Snapshot {
    Snapshot::load(format!("tests/fixtures/crm/{name}.snapshot.json").as_ref()).unwrap()
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

fn fires(checked: &Checked, code: Code) -> bool {
    checked.diagnostics.iter().any(|d| d.code == code)
}

/// A table being typed, added to a fixture: its unclosed string is a
/// syntax error that sets the table aside.
const HALF_TYPED: &[u8] = b"\n[being_typed]\nname = \"unclo\n";

/// The fixture, its near miss, and the fixture with a half-typed table.
fn fixture_and_near_miss(code: Code) -> (Checked, Checked, Checked) {
    let path = format!("tests/fixtures/{code}.toml");
    if code == Code::TooLarge {
        let file = |size: usize| {
            let mut bytes = b"# padding\n".repeat(size / 10);
            bytes.resize(size, b'#');
            check("tests/fixtures/generated-too-large.toml", bytes, Default::default())
        };
        let over = file(chatroute::parse::MAX_FILE_BYTES + 20);
        return (file(chatroute::parse::MAX_FILE_BYTES + 20), file(chatroute::parse::MAX_FILE_BYTES), over);
    }
    let file = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let d = directives(&file);
    let body_end = file.windows(4).position(|w| w == b"\n#! ").map_or(file.len(), |at| at + 1);
    let bytes = file[..body_end].to_vec();
    assert!(!d.near_miss.is_empty() || !d.near_miss_bytes.is_empty(), "{path} has no near_miss directive");
    let crm = d.crm.as_deref().map(snapshot);
    let wazzup = d
        .wazzup
        .as_deref()
        .map(|name| WazzupSnapshot::load(format!("tests/fixtures/wazzup/{name}.snapshot.json").as_ref()).unwrap());
    let accounts = Accounts { crm: crm.as_ref(), wazzup: wazzup.as_ref() };
    let mut near = bytes.clone();
    for (from, to) in d
        .near_miss
        .iter()
        .map(|(f, t)| (f.as_bytes(), t.as_bytes()))
        .chain(d.near_miss_bytes.iter().map(|(f, t)| (f.as_slice(), t.as_slice())))
    {
        let at = near.windows(from.len()).position(|w| w == from).unwrap_or_else(|| panic!("{path}: no {from:?}"));
        near.splice(at..at + from.len(), to.iter().copied());
    }
    let half_typed = [&bytes[..], HALF_TYPED].concat();
    (check(&path, bytes, accounts), check(&path, near, accounts), check(&path, half_typed, accounts))
}

fn code_test(code: Code) -> Result<(), Failed> {
    let (fail, pass, half_typed) = fixture_and_near_miss(code);
    // A code the entries it labels decide alone fires in a file with a
    // syntax error elsewhere too; any other stays quiet there.
    let file_level = [Code::Syntax, Code::NotText, Code::TooLarge].contains(&code);
    if !file_level && fires(&half_typed, code) != code.is_local() {
        let what = if code.is_local() { "a local code is quiet" } else { "a code that needs the whole file fires" };
        return Err(format!("{what} beside a half-typed table: {:?}", half_typed.diagnostics).into());
    }
    if !fires(&fail, code) {
        return Err(format!("the fixture does not fire {code}: {:?}", fail.diagnostics).into());
    }
    insta::assert_snapshot!(format!("{code}-human"), human(&fail));
    // The same fixture for a Russian-speaking admin: every message, label
    // and help in Russian, codes and places as in English.
    let (russian, _, _) = chatroute::i18n::scoped(Lang::Ru, || fixture_and_near_miss(code));
    let codes = |c: &Checked| c.diagnostics.iter().map(|d| (d.code, d.position())).collect::<Vec<_>>();
    if codes(&russian) != codes(&fail) {
        return Err(format!("Russian diagnostics differ from English ones: {:?}", russian.diagnostics).into());
    }
    insta::assert_snapshot!(format!("{code}-human-ru"), chatroute::i18n::scoped(Lang::Ru, || human(&russian)));
    if fires(&pass, code) {
        return Err(format!("the near miss fires {code}:\n{}", human(&pass)).into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let mut trials: Vec<Trial> =
        Code::ALL.iter().map(|&code| Trial::test(code.as_str(), move || code_test(code))).collect();
    let others: [(&str, fn()); 7] = [
        ("many_problems", a_file_with_many_problems_lists_them_all_sorted),
        ("examples_pass", examples_pass_without_any_diagnostic),
        ("committed_schema", committed_schema_matches_the_types),
        ("schema_described", every_schema_property_and_enum_variant_is_described),
        ("empty_file", empty_file_reports_the_missing_keys),
        ("hostile_input", hostile_input_gets_a_diagnostic_not_a_panic),
        ("every_code_has_a_fixture", every_code_has_a_fixture_file),
    ];
    trials.extend(others.map(|(name, test)| {
        Trial::test(name, move || {
            test();
            Ok(())
        })
    }));
    libtest_mimic::run(&args, trials).exit();
}

fn fixture(name: &str) -> Checked {
    let path = format!("tests/fixtures/{name}.toml");
    check(&path, std::fs::read(&path).unwrap(), Default::default())
}

/// Every fixture file is a code's (no orphan after a code is retired).
fn every_code_has_a_fixture_file() {
    for entry in std::fs::read_dir("tests/fixtures").unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(code) = name.strip_suffix(".toml").filter(|n| n.starts_with("CR")) {
            assert!(Code::parse(code).is_some(), "{name} names no code");
        }
    }
}

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
    // The JSON reporter's one snapshot: every field, many codes.
    insta::assert_snapshot!("many-problems-json", json(&checked));
}

fn examples_pass_without_any_diagnostic() {
    let mut seen = 0;
    for entry in std::fs::read_dir("examples").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.starts_with("#:schema ../schema/chatroute.schema.json\n"), "{}", path.display());
            let checked = check(&path.display().to_string(), text.into_bytes(), Default::default());
            assert!(checked.diagnostics.is_empty(), "{}: {:?}", path.display(), checked.diagnostics);
            assert!(checked.spec.is_some());
            seen += 1;
        }
    }
    assert!(seen >= 6, "expected the six scenario examples, found {seen}");
}

fn committed_schema_matches_the_types() {
    let committed = std::fs::read_to_string("schema/chatroute.schema.json").unwrap();
    assert!(
        committed == chatroute::schema::to_pretty_string(),
        "schema/chatroute.schema.json is stale: run `cargo run -- schema > schema/chatroute.schema.json`"
    );
}

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

fn empty_file_reports_the_missing_keys() {
    let checked = check("empty.toml", Vec::new(), Default::default());
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
        let checked = check(name, bytes, Default::default());
        assert!(checked.has_errors(), "{name}: expected a diagnostic");
        let _ = human(&checked);
        let _ = json(&checked);
    }
}
