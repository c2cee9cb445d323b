//! compile -> table -> runtime, end to end on the examples.

use std::collections::HashMap;
use std::sync::Arc;

use chatroute::check::check;
use chatroute::runtime::{AssignmentState, DealRequest, InProcess, Responsible, RouteError, Router, ready};
use chatroute::table::{TableError, TableFile};
use proptest::prelude::*;

use crate::specgen;

fn compile_text(name: &str, text: &str) -> TableFile {
    let checked = check(name, text.as_bytes().to_vec(), Default::default());
    assert!(!checked.has_errors(), "{name}: {:?}", checked.diagnostics);
    chatroute::compile::compile(checked.spec.as_ref().unwrap(), Default::default())
}

fn compile_example(name: &str) -> TableFile {
    let path = format!("examples/{name}.toml");
    compile_text(&path, &std::fs::read_to_string(&path).unwrap())
}

/// `compile::from_source` compiles a large file beside the rules and
/// hashes its table beside the serialising: the same table and bytes as
/// compiling after the check, and none when the rules find an error.
#[test]
fn compiling_beside_the_rules_gives_the_same_table() {
    let large = specgen::generate(specgen::size("L").expect("L"));
    assert!(large.len() > 256 * 1024, "L is past the size at which compile runs beside the rules");
    let (checked, beside) =
        chatroute::compile::from_source("large.toml", large.clone().into_bytes(), Default::default());
    assert!(!checked.has_errors());
    let table = compile_text("large.toml", &large);
    let (beside, bytes) = beside.expect("a table");
    assert_eq!(beside, table);
    // The hash computed beside the bytes lands in its place in the header.
    assert_eq!(bytes, table.to_bytes());
    // An employee in an assignment who does not exist: a rule's error, not the schema's.
    let broken = large.replacen("employee = \"e0\"", "employee = \"nobody\"", 1);
    assert_ne!(broken, large);
    let (checked, beside) = chatroute::compile::from_source("broken.toml", broken.into_bytes(), Default::default());
    assert!(checked.has_errors());
    assert_eq!(beside, None);
}

fn responsible<S: AssignmentState>(router: &Router<S>, channel: &str) -> String {
    match ready(router.new_deal(channel)).unwrap().responsible {
        Responsible::Employee(h) => h.to_owned(),
        other => panic!("not round robin: {other:?}"),
    }
}

/// A person hands a deal to someone in the CRM: it is theirs here too
/// (counted for them, its timer stopped), its client follows them, and
/// the router's own change coming back changes nothing.
#[test]
fn a_deal_handed_over_by_a_person_becomes_theirs() {
    let text = std::fs::read_to_string("examples/support-desk.toml").unwrap();
    let text = text.replace("skip_unavailable = true", "skip_unavailable = true\nreturning_clients = \"owner\"");
    let router = Router::new(compile_text("desk.toml", &text), InProcess::new());
    let decide = |deal: &str, contact: &str| {
        let request = DealRequest { deal: Some(deal), contact: Some(contact), ..DealRequest::now("tg-help") };
        match ready(router.decide(&request)).unwrap().responsible {
            Responsible::Employee(h) => h.to_owned(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(decide("d1", "c1"), "anna");
    assert_eq!(ready(router.hand_over("d1", "anna", Some("c1"))).unwrap(), Some("anna".into()), "its own change");
    assert_eq!(ready(router.hand_over("d1", "vera", Some("c1"))).unwrap(), Some("anna".into()));
    // Vera holds it now: closing it frees her, not Anna.
    assert_eq!(ready(router.close_deal("d1")).unwrap(), Some("vera".into()));
    // The client's next deal goes to their new owner, not the cycle's next.
    assert_eq!(decide("d2", "c1"), "vera");
    // Its timer stopped: time passing does not pass it on.
    ready(router.hand_over("d2", "boris", None)).unwrap();
    let later = "2030-01-01T00:00:00Z".parse().unwrap();
    assert!(ready(router.tick(Some(later))).unwrap().is_empty());
    assert_eq!(ready(router.hand_over("unknown", "boris", None)).unwrap(), None);
    assert!(matches!(ready(router.hand_over("d2", "nobody", None)), Err(RouteError::UnknownEmployee(_))));
}

/// The runtime crate's tests route the examples' tables as committed
/// beside them (`crates/chatroute-runtime/tests/NAME.table.json`): each is
/// compiling its example now, byte for byte.
#[test]
fn the_runtime_crates_tables_are_the_examples_compiled() {
    let mut seen = 0;
    for entry in std::fs::read_dir("crates/chatroute-runtime/tests").unwrap().flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(name) = file.strip_suffix(".table.json") else { continue };
        let committed = std::fs::read(entry.path()).unwrap();
        assert!(
            committed == compile_example(name).to_bytes(),
            "{file} is not examples/{name}.toml compiled: chatroute compile examples/{name}.toml -o crates/chatroute-runtime/tests/{file}"
        );
        seen += 1;
    }
    assert!(seen >= 5, "{seen} tables");
}

#[test]
fn compiled_example_tables_are_deterministic_and_snapshotted() {
    for name in ["acme", "kitchens", "stationery-wholesale", "family-workshop", "furniture", "art-shop", "three-zones"]
    {
        let first = compile_example(name).to_bytes();
        assert_eq!(first, compile_example(name).to_bytes(), "{name}: compiling twice differs");
        insta::assert_snapshot!(format!("table-{name}"), String::from_utf8(first).unwrap());
    }
}

#[test]
fn tables_round_trip_and_refuse_tampering() {
    let table = compile_example("acme");
    let bytes = table.to_bytes();
    assert_eq!(TableFile::from_slice(&bytes).unwrap(), table);

    let text = String::from_utf8(bytes.clone()).unwrap();
    let tampered = text.replacen("\"read_send\"", "\"read\"", 1);
    assert!(matches!(TableFile::from_slice(tampered.as_bytes()), Err(TableError::HashMismatch { .. })));

    // A table of the previous format (before working hours) is refused
    // with the message to recompile.
    let other_version = text.replacen("\"format_version\": 3", "\"format_version\": 2", 1);
    let err = TableFile::from_slice(other_version.as_bytes()).unwrap_err();
    assert!(matches!(err, TableError::Version { found: 2 }));
    assert!(err.to_string().contains("recompile"));

    for cut in [0, 1, bytes.len() / 2, bytes.len() - 3] {
        assert!(matches!(TableFile::from_slice(&bytes[..cut]), Err(TableError::Malformed(_))), "cut at {cut}");
    }
    assert!(matches!(TableFile::from_slice(b"{\"users\": []}"), Err(TableError::NotATable)));
    assert!(matches!(TableFile::from_slice(b"\xff\xfe garbage"), Err(TableError::Malformed(_))));

    // Re-indenting does not change the content, so the hash still holds.
    let compact = serde_json::to_vec(&serde_json::from_slice::<serde_json::Value>(&bytes).unwrap()).unwrap();
    assert_eq!(TableFile::from_slice(&compact).unwrap(), table);
}

#[test]
fn disabled_channels_and_integrations_route_nothing() {
    let spec = std::fs::read_to_string("examples/acme.toml").unwrap();
    let off = compile_text(
        "off.toml",
        &spec.replace("enabled = true                       # false", "enabled = false # false"),
    );
    assert!(off.body.channels.is_empty());
    let router = Router::new(off, InProcess::new());
    assert!(matches!(ready(router.new_deal("wa-retail")), Err(RouteError::UnknownChannel(_))));
    assert!(!router.can_read("bruce", "wa-retail"));

    let excluded =
        spec.replace("enabled = true                       # the checkbox", "enabled = false # the checkbox");
    let router = Router::new(compile_text("excluded.toml", &excluded), InProcess::new());
    assert!(matches!(ready(router.new_deal("wa-retail")), Err(RouteError::UnknownChannel(_))));
    assert!(ready(router.new_deal("ig-art")).is_ok());
    assert_eq!(router.default_outgoing("bruce"), Some("ig-art"), "the only sendable channel left");
}

#[test]
fn phone_rule_of_the_table() {
    let on = Router::new(compile_example("kitchens"), InProcess::new());
    assert_eq!(on.phone("88005553535").number, "+78005553535");
    let jp = on.phone("81312345678");
    assert_eq!(jp.number, "+71312345678");
    assert!(!jp.valid);
    let workshop = Router::new(compile_example("family-workshop"), InProcess::new());
    assert_eq!(workshop.phone("88005553535").number, "88005553535", "rule off: untouched");
}

fn cycle_counts(weights: &[u32], cycles: usize, threads: usize) -> HashMap<String, usize> {
    let members: Vec<String> =
        weights.iter().enumerate().map(|(i, w)| format!("{{ employee = \"e{i}\", weight = {w} }}")).collect();
    let employees: String = (0..weights.len()).map(|i| format!("e{i} = {{ name = \"E{i}\" }}\n")).collect();
    let spec = format!(
        "version = 1\n[integration]\naccount = \"p\"\n[employees]\n{employees}\n[defaults]\nnew_deals = {{ pipeline = \"S\", stage = \"New lead\" }}\n\
         [assignment]\nmode = \"round_robin\"\nmembers = [{}]\n[channels.wa]\nname = \"W\"\ntransport = \"whatsapp\"\nphone = \"+7 999 000-00-01\"\n\
         [channels.wa.access]\neveryone = \"read_send\"\n",
        members.join(", ")
    );
    let router = Arc::new(Router::new(compile_text("prop.toml", &spec), InProcess::new()));
    let total = weights.iter().map(|w| *w as usize).sum::<usize>() * cycles;
    let per_thread = total.div_ceil(threads);
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let router = router.clone();
            let n = per_thread.min(total.saturating_sub(t * per_thread));
            std::thread::spawn(move || (0..n).map(|_| responsible(&router, "wa")).collect::<Vec<_>>())
        })
        .collect();
    let mut counts = HashMap::new();
    for h in handles {
        for who in h.join().unwrap() {
            *counts.entry(who).or_insert(0) += 1;
        }
    }
    counts
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_member_gets_weight_times_cycles(weights in prop::collection::vec(1u32..6, 1..7), cycles in 1usize..5, threads in 1usize..6) {
        let counts = cycle_counts(&weights, cycles, threads);
        for (i, w) in weights.iter().enumerate() {
            prop_assert_eq!(counts.get(&format!("e{i}")).copied().unwrap_or(0), *w as usize * cycles);
        }
    }
}
