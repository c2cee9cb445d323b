//! Availability and capacity: random weights, availability changes and
//! closures never break the rules, and the counts over every stable stretch
//! follow the weights exactly; two processes deciding at once at the
//! capacity edge on one Redis never exceed it.

use crate::support::redis_server;
use crate::support::serve_process;

use std::collections::{BTreeMap, BTreeSet};

use chatroute::runtime::{InProcess, Responsible, Router, ready};
use chatroute::table::TableFile;
use proptest::prelude::*;

/// A one-channel spec: members `m0..` with these weights and limits.
fn spec(weights: &[u32], max_open: &[Option<u32>], skip: bool) -> String {
    let mut t = String::from("version = 1\n[integration]\naccount = \"acme\"\n[employees]\n");
    for i in 0..weights.len() {
        t.push_str(&format!("m{i} = {{ name = \"M{i}\" }}\n"));
    }
    t.push_str("[defaults]\nnew_deals = { pipeline = \"Sales\", stage = \"New\" }\naccess = \"read_send\"\n");
    t.push_str(&format!("[assignment]\nmode = \"round_robin\"\nskip_unavailable = {skip}\nmembers = [\n"));
    for (i, (w, cap)) in weights.iter().zip(max_open).enumerate() {
        let cap = cap.map_or(String::new(), |c| format!(", max_open = {c}"));
        t.push_str(&format!("  {{ employee = \"m{i}\", weight = {w}{cap} }},\n"));
    }
    t.push_str("]\n[channels.wa]\nname = \"WA\"\ntransport = \"whatsapp\"\nphone = \"+7 999 000-00-01\"\n");
    t
}

fn compile(text: &str) -> TableFile {
    let checked = chatroute::check::check("spec.toml", text.as_bytes().to_vec(), Default::default());
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    chatroute::compile::compile(checked.spec.as_ref().unwrap(), Default::default())
}

#[derive(Debug, Clone)]
enum Event {
    Deal,
    Toggle(usize),
    Close(usize),
}

fn event(members: usize) -> impl Strategy<Value = Event> {
    prop_oneof![
        6 => Just(Event::Deal),
        1 => (0..members).prop_map(Event::Toggle),
        1 => (0..64usize).prop_map(Event::Close),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn availability_only_follows_the_weights_over_every_stable_stretch(
        weights in prop::collection::vec(1u32..4, 1..5),
        events in prop::collection::vec(event(4), 1..120),
    ) {
        let n = weights.len();
        let router = Router::new(compile(&spec(&weights, &vec![None; n], true)), InProcess::new());
        let mut available = vec![true; n];
        // The decisions of the current stretch (availability unchanged).
        let mut stretch: Vec<usize> = Vec::new();
        let check = |stretch: &[usize], available: &[bool]| -> Result<(), TestCaseError> {
            let lap: usize = (0..n).filter(|i| available[*i]).map(|i| weights[i] as usize).sum();
            for window in stretch.windows(lap.max(1)).filter(|_| lap > 0) {
                let mut counts = vec![0u32; n];
                window.iter().for_each(|w| counts[*w] += 1);
                for i in 0..n {
                    prop_assert_eq!(counts[i], if available[i] { weights[i] } else { 0 }, "{:?}", window);
                }
            }
            Ok(())
        };
        for e in events {
            match e {
                Event::Toggle(i) if i < n => {
                    check(&stretch, &available)?;
                    stretch.clear();
                    available[i] = !available[i];
                    ready(router.set_available(&format!("m{i}"), available[i])).unwrap();
                }
                Event::Deal => match ready(router.new_deal("wa")).unwrap().responsible {
                    Responsible::Employee(h) => {
                        let i: usize = h[1..].parse().unwrap();
                        prop_assert!(available[i], "{h} is unavailable");
                        stretch.push(i);
                    }
                    Responsible::Unassigned => prop_assert!(available.iter().all(|a| !a)),
                    other => prop_assert!(false, "{:?}", other),
                },
                _ => {}
            }
        }
        check(&stretch, &available)?;
    }

    #[test]
    fn limits_are_never_exceeded_and_counts_never_negative(
        weights in prop::collection::vec(1u32..4, 1..5),
        caps in prop::collection::vec(prop::option::of(1u32..4), 4),
        events in prop::collection::vec(event(4), 1..150),
    ) {
        let n = weights.len();
        let caps = &caps[..n];
        let router = Router::new(compile(&spec(&weights, caps, true)), InProcess::new());
        let mut available = vec![true; n];
        let mut open: BTreeMap<usize, usize> = BTreeMap::new(); // deal -> member
        let mut next_deal = 0;
        for e in events {
            match e {
                Event::Toggle(i) if i < n => {
                    available[i] = !available[i];
                    ready(router.set_available(&format!("m{i}"), available[i])).unwrap();
                }
                Event::Close(d) => {
                    let closed = ready(router.close_deal(&d.to_string())).unwrap();
                    prop_assert_eq!(closed.map(|h| h[1..].parse::<usize>().unwrap()), open.remove(&d));
                }
                Event::Deal => {
                    let id = next_deal;
                    next_deal += 1;
                    let held = |i: usize| open.values().filter(|m| **m == i).count() as u32;
                    let can = |i: usize| available[i] && caps[i].is_none_or(|c| held(i) < c);
                    match ready(router.new_deal_for("wa", Some(&id.to_string()))).unwrap().responsible {
                        Responsible::Employee(h) => {
                            let i: usize = h[1..].parse().unwrap();
                            prop_assert!(can(i), "{} cannot take a deal", h);
                            open.insert(id, i);
                        }
                        Responsible::Unassigned => prop_assert!((0..n).all(|i| !can(i))),
                        other => prop_assert!(false, "{:?}", other),
                    }
                }
                _ => {}
            }
        }
    }
}

#[test]
fn the_source_examples_of_the_issue() {
    let stationery = std::fs::read_to_string("examples/stationery-wholesale.toml").unwrap();
    let skipping = stationery.replacen("mode = \"round_robin\"", "mode = \"round_robin\"\nskip_unavailable = true", 1);
    let router = Router::new(compile(&skipping), InProcess::new());
    ready(router.set_available("tony", false)).unwrap();
    let who: Vec<String> = (0..8)
        .map(|_| match ready(router.new_deal("wa-opt")).unwrap().responsible {
            Responsible::Employee(h) => h.to_owned(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(who, ["bruce", "scrooge", "kostya", "bruce", "scrooge", "kostya", "bruce", "scrooge"]);

    let capped = stationery
        .replace("{ employee = \"bruce\" }", "{ employee = \"bruce\", max_open = 1 }")
        .replace("{ employee = \"scrooge\" }", "{ employee = \"scrooge\", max_open = 1 }")
        .replace("{ employee = \"tony\", weight = 2 }", "{ employee = \"tony\", weight = 2, max_open = 1 }")
        .replace("{ employee = \"kostya\" }", "{ employee = \"kostya\", max_open = 1 }");
    let router = Router::new(compile(&capped), InProcess::new());
    let who: Vec<String> = (0..6)
        .map(|d| match ready(router.new_deal_for("wa-opt", Some(&d.to_string()))).unwrap().responsible {
            Responsible::Employee(h) => h.to_owned(),
            Responsible::Unassigned => "unassigned".to_owned(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(who, ["bruce", "scrooge", "tony", "kostya", "unassigned", "unassigned"]);
    // Closing Tony's deal makes room for him, and only him.
    assert_eq!(ready(router.close_deal("2")).unwrap().as_deref(), Some("tony"));
    assert_eq!(ready(router.close_deal("2")).unwrap(), None, "closing twice changes nothing");
    let next = ready(router.new_deal_for("wa-opt", Some("6"))).unwrap().responsible;
    assert_eq!(next, Responsible::Employee("tony"));
    // The same deal decided again gets the same employee.
    assert_eq!(ready(router.new_deal_for("wa-opt", Some("6"))).unwrap().responsible, Responsible::Employee("tony"));
}

#[test]
fn two_processes_at_the_capacity_edge_never_exceed_it() {
    let Some(server) = redis_server::RedisServer::start() else { return };
    let stationery = std::fs::read_to_string("examples/stationery-wholesale.toml").unwrap();
    let capped = stationery
        .replace("{ employee = \"bruce\" }", "{ employee = \"bruce\", max_open = 2 }")
        .replace("{ employee = \"scrooge\" }", "{ employee = \"scrooge\", max_open = 2 }")
        .replace("{ employee = \"tony\", weight = 2 }", "{ employee = \"tony\", weight = 2, max_open = 2 }")
        .replace("{ employee = \"kostya\" }", "{ employee = \"kostya\", max_open = 2 }");
    let dir = std::env::temp_dir().join(format!("chatroute-capacity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let table = dir.join("t.json");
    std::fs::write(&table, compile(&capped).to_bytes()).unwrap();
    // Two service instances (as a fleet runs them; `route` simulates, and
    // keeps its counts to itself), eight deals each at once.
    let url = server.url();
    let instances: Vec<_> = (0..2).map(|_| serve_process::Serve::start(&table, &["--state", url.as_str()])).collect();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut unassigned = 0;
    let answers: Vec<serde_json::Value> = std::thread::scope(|scope| {
        let runs: Vec<_> = instances
            .iter()
            .enumerate()
            .map(|(i, serve)| {
                scope.spawn(move || {
                    let agent = serve_process::agent();
                    (0..8)
                        .map(|n| {
                            let body = format!(r#"{{"channel": "wa-opt", "deal": "i{i}-{n}"}}"#);
                            let (status, v) = serve_process::post(&agent, &serve.url("/v1/deals"), &body).unwrap();
                            assert_eq!(status, 200, "{v}");
                            v
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        runs.into_iter().flat_map(|r| r.join().unwrap()).collect()
    });
    for v in answers {
        match v["responsible"]["employee"].as_str() {
            Some(h) => *counts.entry(h.to_owned()).or_default() += 1,
            None => unassigned += 1,
        }
    }
    let every: BTreeSet<&str> = ["bruce", "kostya", "scrooge", "tony"].into();
    assert_eq!(counts.keys().map(String::as_str).collect::<BTreeSet<_>>(), every);
    assert!(counts.values().all(|n| *n == 2), "each at its limit, never past it: {counts:?}");
    assert_eq!(unassigned, 8);
}
