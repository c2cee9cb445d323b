//! Half-typed files: thirteen common typing mistakes, each made once in the
//! stationery example. Each gives one diagnostic (at most two), the first
//! on the line of the mistake, and its human rendering is snapshotted.

use chatroute::check::check;
use chatroute::diagnostics::render::{self, FileDiagnostics, HumanStyle};

/// (name, text replaced, its replacement, the mistake's 1-based line).
const MISTAKES: [(&str, &str, &str, usize); 13] = [
    (
        "unclosed-inline-table-and-string",
        "tony    = { name = \"Tony Stark\", crm_user = 2003 }",
        "max = { name = \"Max",
        14,
    ),
    (
        "unclosed-inline-table",
        "tony    = { name = \"Tony Stark\", crm_user = 2003 }",
        "tony = { name = \"Tony Stark\"",
        14,
    ),
    // Labelled where it opened, as rustc does (and where the close was expected).
    ("unclosed-array", "  { employee = \"kostya\" },\n]", "  { employee = \"kostya\" },", 23),
    ("unclosed-string", "name = \"Wholesale WhatsApp\"", "name = \"Wholesale WhatsApp", 31),
    ("unclosed-literal-string", "name = \"Wholesale WhatsApp\"", "name = 'Wholesale WhatsApp", 31),
    ("unclosed-header", "[channels.wa-opt.access]", "[channels.wa-opt.access", 35),
    ("missing-equals", "transport = \"whatsapp\"", "transport \"whatsapp\"", 32),
    ("missing-comma-in-inline-table", "{ employee = \"tony\", weight = 2 }", "{ employee = \"tony\" weight = 2 }", 26),
    ("missing-comma-in-array", "[\"RU\", \"BY\", \"KZ\"]", "[\"RU\" \"BY\", \"KZ\"]", 43),
    ("unquoted-value", "transport = \"whatsapp\"", "transport = whatsapp", 32),
    ("duplicate-key", "transport = \"whatsapp\"", "transport = \"whatsapp\"\ntransport = \"wapi\"", 33),
    ("unclosed-multiline-string", "copy_dialog = \"daily\"", "copy_dialog = \"\"\"daily", 39),
    // Its `{` on its line, not the array's `[`.
    (
        "unclosed-inline-table-in-array",
        "{ employee = \"tony\", weight = 2 },",
        "{ employee = \"tony\", weight = 2,",
        26,
    ),
];

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

#[test]
fn each_typing_mistake_is_one_diagnostic_at_the_mistake() {
    let example = std::fs::read_to_string("examples/stationery-wholesale.toml").unwrap();
    for (name, from, to, line) in MISTAKES {
        assert!(example.contains(from), "{name}: the example has no {from:?}");
        let text = example.replacen(from, to, 1);
        let checked = check(&format!("{name}.toml"), text.clone().into_bytes(), Default::default());
        let diagnostics = &checked.diagnostics;
        assert!(!diagnostics.is_empty(), "{name}: no diagnostic");
        assert!(diagnostics.len() <= 2, "{name}: {} diagnostics from one mistake: {diagnostics:#?}", diagnostics.len());
        let first = diagnostics[0].labels[0].span.start;
        assert_eq!(line_of(&text, first), line, "{name}: the first diagnostic is not on the mistake's line");
        let files = [FileDiagnostics { file: &checked.source, diagnostics }];
        let human = render::human(&files, HumanStyle { color: false, width: 100 });
        insta::assert_snapshot!(format!("typing-{name}"), human);
    }
}

/// A mistake in one table leaves the other tables their rules, as far as
/// they decide them alone: an unknown region and an unknown zone are
/// reported below a half-typed employee, while the member naming that
/// employee and the schedule nobody works to yet stay quiet (the table
/// being typed may answer both).
#[test]
fn the_tables_that_read_cleanly_still_get_their_rules() {
    let example = std::fs::read_to_string("examples/stationery-wholesale.toml").unwrap();
    let tony = "tony    = { name = \"Tony Stark\", crm_user = 2003 }";
    let spec = |employee: &str| {
        example
            .replacen(tony, &format!("{tony}\n{employee}"), 1)
            .replacen("  { employee = \"kostya\" },\n", "  { employee = \"kostya\" },\n  { employee = \"max\" },\n", 1)
            .replacen("\"KZ\"]", "\"KZZ\"]", 1)
            + "\n[schedules.day]\ntimezone = \"Europe/Moscw\"\nmon-fri = \"09:00-18:00\"\n"
    };
    let codes = |text: &str| {
        let checked = check("typing.toml", text.as_bytes().to_vec(), Default::default());
        let found: Vec<&str> = checked.diagnostics.iter().map(|d| d.code.as_str()).collect();
        (found.join(" "), checked)
    };
    let broken = spec("max = { name = \"Max");
    let (found, checked) = codes(&broken);
    assert_eq!(found, "CR001 CR606 CR901", "{:#?}", checked.diagnostics);
    let files = [FileDiagnostics { file: &checked.source, diagnostics: &checked.diagnostics }];
    insta::assert_snapshot!(
        "typing-clean-tables-keep-their-rules",
        render::human(&files, HumanStyle { color: false, width: 100 })
    );
    // The near miss: typed to the end, the same file says all of it.
    let (found, _) = codes(&spec("max = { name = \"Max\", crm_user = 2005 }"));
    assert_eq!(found, "CR606 CR907 CR901");
    // Without the employee at all, the member naming it is an error again.
    let (found, _) = codes(&spec(""));
    assert_eq!(found, "CR101 CR606 CR907 CR901");
}

/// An integer TOML forbids is only found in a text that parses: beside a
/// half-typed table it is reported all the same.
#[test]
fn an_integer_out_of_toml_range_is_reported_beside_a_half_typed_table() {
    let example = std::fs::read_to_string("examples/stationery-wholesale.toml").unwrap();
    let text = example
        .replacen("tony    = { name = \"Tony Stark\", crm_user = 2003 }", "max = { name = \"Max", 1)
        .replacen("weight = 2 }", "weight = 99999999999999999999 }", 1);
    let checked = check("typing.toml", text.into_bytes(), Default::default());
    let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["CR001", "CR014"], "{:#?}", checked.diagnostics);
}

/// An inline table left open in an array, the next member on the next
/// line: the `{` is labelled on its line and the help says to add `}`
/// (not "add `]` after `]`" at the array).
#[test]
fn an_unclosed_inline_table_in_an_array_is_labelled_at_its_brace() {
    let example = std::fs::read_to_string("examples/stationery-wholesale.toml").unwrap();
    let text = example.replacen("{ employee = \"tony\", weight = 2 },", "{ employee = \"tony\", weight = 2,", 1);
    let checked = check("typing.toml", text.clone().into_bytes(), Default::default());
    assert_eq!(checked.diagnostics.len(), 1, "{:#?}", checked.diagnostics);
    let d = &checked.diagnostics[0];
    assert_eq!(&text[d.labels[0].span.clone()], "{");
    assert_eq!(line_of(&text, d.labels[0].span.start), 26);
    assert_eq!(d.help.as_deref(), Some("add `}` after `2` to close the inline table"));
}
