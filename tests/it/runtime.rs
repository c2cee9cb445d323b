//! compile -> table -> runtime, end to end on the examples.

use std::collections::HashMap;
use std::sync::Arc;

use chatroute::check::check;
use chatroute::runtime::{
    AfterCloseAction, AssignmentState, Claim, DealRequest, InProcess, Responsible, RouteError, Router, copy_due_at,
    ready,
};
use chatroute::spec::{CopyDialog, Level, NameOrId};
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

#[test]
fn the_source_distribution_table_exactly() {
    let router = Router::new(compile_example("stationery-wholesale"), InProcess::new());
    let deals: Vec<String> = (0..6).map(|_| responsible(&router, "wa-opt")).collect();
    assert_eq!(deals, ["bruce", "scrooge", "tony", "tony", "kostya", "bruce"]);
    let deal = ready(router.new_deal("wa-opt")).unwrap();
    assert_eq!(deal.pipeline, &NameOrId::Name("Wholesale".into()));
    assert_eq!(deal.stage, &NameOrId::Name("Primary contract".into()));
}

/// A worker that decides a deal again (a retry after a crash) gets the
/// same member and takes no new position: the cycle stays exact.
#[test]
fn a_deal_decided_again_keeps_its_member_on_a_plain_cycle() {
    let router = Router::new(compile_example("stationery-wholesale"), InProcess::new());
    let decide = |deal: &str| match ready(router.new_deal_for("wa-opt", Some(deal))).unwrap().responsible {
        Responsible::Employee(h) => h.to_owned(),
        other => panic!("not round robin: {other:?}"),
    };
    let first: Vec<String> = ["d1", "d2", "d3"].iter().map(|d| decide(d)).collect();
    let again: Vec<String> = ["d1", "d2", "d3"].iter().map(|d| decide(d)).collect();
    assert_eq!(first, again);
    assert_eq!(first, ["bruce", "scrooge", "tony"]);
    assert_eq!(decide("d4"), "tony");
    assert_eq!(decide("d5"), "kostya");
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
fn first_responder_claims_have_one_winner() {
    let router = Arc::new(Router::new(compile_example("furniture"), InProcess::new()));
    let deal = ready(router.new_deal("wa-wholesale")).unwrap();
    let Responsible::FirstOf(group) = deal.responsible else { panic!("expected first responder") };
    assert_eq!(group, ["w1", "w2", "w3", "w4"]);
    let handles: Vec<_> = (0..16)
        .map(|i| {
            let router = router.clone();
            std::thread::spawn(move || {
                let me = format!("w{}", i % 4 + 1);
                (me.clone(), ready(router.claim("wa-wholesale", "deal-42", &me)).unwrap())
            })
        })
        .collect();
    let results: Vec<(String, Claim)> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let winners: Vec<&String> = results.iter().filter(|(_, c)| *c == Claim::Won).map(|(me, _)| me).collect();
    assert!(!winners.is_empty());
    let winner = winners[0].clone();
    for (me, claim) in &results {
        match claim {
            Claim::Won => assert_eq!(me, &winner, "a second employee won"),
            Claim::Lost { winner: w } => assert_eq!(w, &winner),
        }
    }
    assert_eq!(ready(router.claim("wa-wholesale", "deal-42", "w1")).unwrap() == Claim::Won, winner == "w1");
    assert!(matches!(ready(router.claim("wa-wholesale", "deal-43", "r1")), Err(RouteError::NotAResponder { .. })));
    assert!(matches!(ready(router.claim("wa-retail", "deal-44", "r1")), Err(RouteError::NotAResponder { .. })));
}

#[test]
fn after_close_follows_the_mode() {
    let kitchens = Router::new(compile_example("kitchens"), InProcess::new());
    assert_eq!(kitchens.after_close("wa-main").unwrap(), AfterCloseAction::AppendToLastClosed);
    let stationery = Router::new(compile_example("stationery-wholesale"), InProcess::new());
    assert_eq!(stationery.after_close("wa-opt").unwrap(), AfterCloseAction::CreateNew);
    let furniture = Router::new(compile_example("furniture"), InProcess::new());
    assert_eq!(furniture.after_close("wa-wholesale").unwrap(), AfterCloseAction::CreateNew, "first responder");
}

#[test]
fn access_default_outgoing_and_global_chat() {
    let acme = Router::new(compile_example("acme"), InProcess::new());
    // Olga: explicit read on ig-art, "read" from everyone on wa-retail.
    assert!(acme.can_read("olga", "ig-art") && !acme.can_send("olga", "ig-art"));
    assert_eq!(acme.level("olga", "wa-retail"), Level::Read);
    assert_eq!(acme.level("scrooge", "ig-art"), Level::None, "defaults.access = none");
    assert_eq!(acme.default_outgoing("bruce"), Some("wa-retail"));
    assert_eq!(acme.default_outgoing("scrooge"), Some("wa-retail"), "implied: the only sendable channel");
    assert_eq!(acme.default_outgoing("olga"), None);

    // own_and_unassigned: own and unassigned dialogs; admins see all; no access, nothing.
    assert!(acme.sees_in_global_chat("scrooge", "wa-retail", Some("scrooge")));
    assert!(acme.sees_in_global_chat("scrooge", "wa-retail", None));
    assert!(!acme.sees_in_global_chat("scrooge", "wa-retail", Some("bruce")));
    assert!(acme.sees_in_global_chat("olga", "wa-retail", Some("bruce")), "chat admin");
    assert!(!acme.sees_in_global_chat("scrooge", "ig-art", None), "no access to the channel");

    let workshop = Router::new(compile_example("family-workshop"), InProcess::new());
    assert!(workshop.sees_in_global_chat("ivan", "ig-shop", Some("maria")), "visibility all");
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
fn dialog_copies_fall_due_on_local_hour_and_day_boundaries() {
    let t = 1_700_000_000; // 2023-11-14 22:13:20 UTC
    assert_eq!(copy_due_at(CopyDialog::EachMessage, t, 0), Some(t));
    assert_eq!(copy_due_at(CopyDialog::Hourly, t, 0), Some(1_700_002_800)); // 23:00 UTC
    assert_eq!(
        copy_due_at(CopyDialog::Hourly, 1_700_002_800, 0),
        Some(1_700_006_400),
        "a boundary opens the next batch"
    );
    assert_eq!(copy_due_at(CopyDialog::Hourly, t, 19_800), Some(1_700_001_000)); // +05:30: 22:30 UTC
    assert_eq!(copy_due_at(CopyDialog::Daily, t, 0), Some(1_700_006_400)); // midnight UTC
    assert_eq!(copy_due_at(CopyDialog::Daily, t, 10_800), Some(1_700_082_000)); // 01:13 in Moscow: the next midnight there, 21:00 UTC
    assert_eq!(copy_due_at(CopyDialog::Off, t, 0), None);
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
