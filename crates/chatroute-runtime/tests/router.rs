//! The router on compiled tables: the examples' tables as `chatroute
//! compile` writes them (`tests/NAME.table.json`; the root's tests keep
//! each equal to compiling `examples/NAME.toml`), routed in memory.

use std::sync::Arc;

use chatroute_runtime::{AfterCloseAction, AssignmentState, Claim, InProcess, Responsible, RouteError, Router, ready};
use chatroute_table::TableFile;
use chatroute_table::keywords::{Level, NameOrId};

/// The compiled table of `examples/NAME.toml`.
fn compile_example(name: &str) -> TableFile {
    let path = format!("{}/tests/{name}.table.json", env!("CARGO_MANIFEST_DIR"));
    TableFile::load(path.as_ref()).unwrap_or_else(|e| panic!("{path}: {e}"))
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
