//! Unanswered deals with real `chatroute serve` processes: a deal nobody
//! replied to passes on once to the right member, an answered one never,
//! the cap allows more; a deal nobody could take goes to the member who
//! comes back; two instances on one Redis make each reassignment once, also
//! with one of them killed; the notify webhook gets every event across a
//! receiver that fails its first attempts.

use crate::support::cli as cli_support;
use crate::support::redis_server;
use crate::support::serve_process;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cli_support::scratch;
use serde_json::Value;
use serve_process::{Serve, agent, get, post, wait_until};

/// Three members in turn, deals passed on after a second without a reply.
fn table(name: &str, extra: &str) -> PathBuf {
    let spec = format!(
        "version = 1\n[integration]\naccount = \"desk\"\n[employees]\na = {{ name = \"A\" }}\nb = {{ name = \"B\" }}\nc = {{ name = \"C\" }}\n\
         [defaults]\nnew_deals = {{ pipeline = \"Sales\", stage = \"New\" }}\naccess = \"read_send\"\n\
         [assignment]\nmode = \"round_robin\"\nskip_unavailable = true\nreassign_after = \"1s\"\n{extra}\
         members = [{{ employee = \"a\" }}, {{ employee = \"b\" }}, {{ employee = \"c\" }}]\n\
         [channels.wa]\nname = \"WA\"\ntransport = \"whatsapp\"\nphone = \"+7 999 000-00-01\"\n"
    );
    let dir = scratch(name);
    let (source, table) = (dir.join("spec.toml"), dir.join("t.json"));
    std::fs::write(&source, spec).unwrap();
    let out = cli_support::chatroute(&["compile", source.to_str().unwrap(), "-o", table.to_str().unwrap()]);
    assert!(out.status.success(), "{}", cli_support::stderr(&out));
    table
}

fn deal(serve: &Serve, id: &str) -> String {
    let (status, v) =
        post(&agent(), &serve.url("/v1/deals"), &format!(r#"{{"channel": "wa", "deal": "{id}"}}"#)).unwrap();
    assert_eq!(status, 200, "{v}");
    v["responsible"]["employee"].as_str().unwrap_or("-").to_owned()
}

fn events(serve: &Serve) -> Vec<Value> {
    let (status, body) = get(&agent(), &serve.url("/v1/events"));
    assert_eq!(status, 200, "{body}");
    serde_json::from_str::<Value>(&body).unwrap()["events"].as_array().unwrap().clone()
}

fn moves(events: &[Value]) -> Vec<String> {
    events.iter().map(|e| format!("{} {} {}->{}", e["type"], e["deal"], e["from"], e["to"]).replace('"', "")).collect()
}

#[test]
fn an_unanswered_deal_passes_on_once_and_an_answered_one_never() {
    let table = table("unanswered", "");
    let serve = Serve::start(&table, &["--tick", "50"]);
    assert_eq!(deal(&serve, "d1"), "a");
    assert_eq!(deal(&serve, "d2"), "b");
    let (status, v) = post(&agent(), &serve.url("/v1/deals/d2/reply"), r#"{"employee": "b"}"#).unwrap();
    assert_eq!((status, &v["stopped"]), (200, &Value::Bool(true)), "{v}");
    // The long poll answers as soon as the reassignment is made.
    let (status, body) = get(&agent(), &serve.url("/v1/events?wait=5"));
    assert_eq!(status, 200);
    let answer: Value = serde_json::from_str(&body).unwrap();
    // The cycle gives c next (the cursor is past b).
    assert_eq!(moves(answer["events"].as_array().unwrap()), ["reassigned d1 a->c"]);
    assert!(answer["events"][0]["at"].as_str().unwrap().ends_with('Z'));
    let next = answer["next"].as_str().unwrap().to_owned();
    // max_reassignments = 1: it stays with c; d2 was answered.
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(moves(&events(&serve)), ["reassigned d1 a->c"]);
    let (_, later) = get(&agent(), &serve.url(&format!("/v1/events?after={next}&wait=1")));
    assert_eq!(serde_json::from_str::<Value>(&later).unwrap()["events"], serde_json::json!([]));
    assert_eq!(deal(&serve, "d1"), "c", "the deal is c's now");
    let (status, v) = post(&agent(), &serve.url("/v1/deals"), r#"{"channel": "wa"}"#).unwrap();
    assert_eq!(status, 400, "timers need deal ids: {v}");
}

#[test]
fn the_cap_lets_a_deal_pass_to_everyone_who_has_not_had_it() {
    let table = table("unanswered-cap", "max_reassignments = 5\n");
    let serve = Serve::start(&table, &["--tick", "50"]);
    assert_eq!(deal(&serve, "d1"), "a");
    wait_until("two passes", Duration::from_secs(6), || events(&serve).len() >= 2);
    std::thread::sleep(Duration::from_millis(1300));
    // a -> b -> c, then nobody is left who has not had it: it stays.
    assert_eq!(moves(&events(&serve)), ["reassigned d1 a->b", "reassigned d1 b->c"]);
}

#[test]
fn a_deal_nobody_could_take_goes_to_the_member_who_comes_back() {
    let table = table("waiting", "");
    let serve = Serve::start(&table, &["--tick", "50"]);
    for who in ["a", "b", "c"] {
        let url = serve.url(&format!("/v1/employees/{who}/availability"));
        assert_eq!(serve_process::put(&agent(), &url, r#"{"available": false}"#).0, 200);
    }
    assert_eq!(deal(&serve, "w1"), "-");
    assert_eq!(deal(&serve, "w2"), "-");
    let url = serve.url("/v1/employees/b/availability");
    assert_eq!(serve_process::put(&agent(), &url, r#"{"available": true}"#).0, 200);
    wait_until("the waiting deals handed out", Duration::from_secs(5), || events(&serve).len() >= 2);
    // Oldest first; both to b, the only one back (each with its timer).
    assert_eq!(moves(&events(&serve))[..2], ["assigned w1 null->b", "assigned w2 null->b"]);
}

#[test]
fn two_instances_on_redis_pass_each_deal_on_once_also_when_one_is_killed() {
    let Some(server) = redis_server::RedisServer::start() else { return };
    let table = table("unanswered-redis", "");
    let url = server.url();
    let a = Serve::start(&table, &["--state", url.as_str(), "--tick", "20"]);
    let mut b = Serve::start(&table, &["--state", url.as_str(), "--tick", "20"]);
    for n in 0..30 {
        deal(if n % 2 == 0 { &a } else { &b }, &format!("d{n}"));
    }
    // Kill one instance while the timers come due.
    std::thread::sleep(Duration::from_millis(900));
    b.child.kill().unwrap();
    b.child.wait().unwrap();
    wait_until("every deal passed on", Duration::from_secs(10), || events(&a).len() >= 30);
    std::thread::sleep(Duration::from_millis(1500));
    let all = events(&a);
    let mut per_deal: BTreeMap<String, usize> = BTreeMap::new();
    for e in &all {
        *per_deal.entry(e["deal"].as_str().unwrap().to_owned()).or_default() += 1;
    }
    assert_eq!(per_deal.len(), 30, "{all:?}");
    assert!(per_deal.values().all(|n| *n == 1), "each reassignment exactly once: {per_deal:?}");
    assert!(all.iter().all(|e| e["from"] != e["to"]));
}

#[test]
fn the_notify_webhook_gets_every_event_across_a_failing_receiver() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let receiver = format!("http://{}/hook", listener.local_addr().unwrap());
    let seen: Arc<Mutex<Vec<(u16, String, String)>>> = Arc::default();
    let log = seen.clone();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let mut stream = stream.unwrap();
            let (key, body) = read_request(&mut stream);
            // The first two attempts fail.
            let status = if n < 2 { 500 } else { 200 };
            log.lock().unwrap().push((status, key, body));
            let reply = format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    let table = table("notify", "");
    let serve = Serve::start(&table, &["--tick", "50", "--notify", receiver.as_str()]);
    deal(&serve, "d1");
    deal(&serve, "d2");
    wait_until("both events taken", Duration::from_secs(10), || {
        seen.lock().unwrap().iter().filter(|(status, _, _)| *status == 200).count() >= 2
    });
    let seen = seen.lock().unwrap().clone();
    let taken: Vec<&(u16, String, String)> = seen.iter().filter(|(s, _, _)| *s == 200).collect();
    let deals: Vec<String> = taken
        .iter()
        .map(|(_, _, body)| serde_json::from_str::<Value>(body).unwrap()["event"]["deal"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(deals, ["d1", "d2"], "in order, each taken: {seen:?}");
    // The retries carried the same idempotency key as the delivery taken.
    assert_eq!(seen[0].1, seen[2].1, "{seen:?}");
    assert!(seen[0].1.starts_with("desk:"), "{seen:?}");
}

#[test]
fn route_plays_a_timeline_before_anything_is_deployed() {
    let table = table("timeline", "");
    let script = table.with_file_name("timeline.txt");
    std::fs::write(
        &script,
        "# two deals, one answered\ndeal D1\ndeal D2\nreply D2 b\nwait 2s\n\
         unavailable a\nunavailable b\nunavailable c\ndeal D3\navailable c\nwait 1s\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["route", table.to_str().unwrap(), "--channel", "wa", "--events", script.to_str().unwrap()];
        args.extend(extra);
        cli_support::chatroute(&args)
    };
    let out = run(&["--at", "2026-12-07T10:00:00Z"]);
    assert!(out.status.success(), "{}", cli_support::stderr(&out));
    let lines = cli_support::stdout(&out);
    let expected = "+00:00  deal D1 -> a\n+00:00  deal D2 -> b\n+00:00  b replied in D2: its timer stops\n\
        +00:00  2 s pass\n+00:02  reassigned D1: a -> c\n+00:02  a unavailable\n+00:02  b unavailable\n\
        +00:02  c unavailable\n+00:02  deal D3 -> nobody can take it: it waits\n+00:02  c available\n\
        +00:02  assigned D3: c\n+00:02  1 s pass\n";
    assert_eq!(lines, expected);
    std::fs::write(&script, "deal D1\nwait soon\n").unwrap();
    let bad = run(&[]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(cli_support::stderr(&bad).contains("timeline.txt:2:"), "{}", cli_support::stderr(&bad));
}

/// One HTTP request: its Idempotency-Key and body.
fn read_request(stream: &mut std::net::TcpStream) -> (String, String) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let (mut key, mut length) = (String::new(), 0usize);
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        match name.to_ascii_lowercase().as_str() {
            "idempotency-key" => key = value.trim().to_owned(),
            "content-length" => length = value.trim().parse().unwrap(),
            _ => {}
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).unwrap();
    (key, String::from_utf8(body).unwrap())
}

mod interleavings {
    use std::collections::BTreeMap;

    use chatroute::runtime::{DealRequest, InProcess, Responsible, Router, Timestamp, ready};
    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Step {
        Deal(u8),
        Reply(u8),
        Close(u8),
        Toggle(u8),
        Clock(u8),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            4 => (0u8..10).prop_map(Step::Deal),
            1 => (0u8..10).prop_map(Step::Reply),
            1 => (0u8..10).prop_map(Step::Close),
            2 => (0u8..3).prop_map(Step::Toggle),
            3 => (0u8..3).prop_map(Step::Clock),
        ]
    }

    fn table() -> chatroute::table::TableFile {
        let spec = "version = 1\n[integration]\naccount = \"desk\"\n[employees]\na = { name = \"A\" }\n\
            b = { name = \"B\" }\nc = { name = \"C\" }\n[defaults]\nnew_deals = { pipeline = \"S\", stage = \"N\" }\n\
            access = \"read_send\"\n[assignment]\nmode = \"round_robin\"\nskip_unavailable = true\n\
            reassign_after = \"1m\"\nmax_reassignments = 2\nmembers = [{ employee = \"a\", max_open = 2 },\n\
            { employee = \"b\", weight = 2, max_open = 3 }, { employee = \"c\" }]\n\
            [channels.wa]\nname = \"WA\"\ntransport = \"whatsapp\"\nphone = \"+7 999 000-00-01\"\n";
        let checked = chatroute::check::check("p.toml", spec.as_bytes().to_vec(), Default::default());
        chatroute::compile::compile(checked.spec.as_ref().unwrap(), Default::default())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

        /// Whatever the interleaving of decisions, replies, closes,
        /// availability changes and clock steps: every deal has one owner,
        /// the one the last decision or event named, and each employee's
        /// open count is the number of deals they hold; nobody holds more
        /// than their limit.
        #[test]
        fn owners_and_open_counts_agree(steps in prop::collection::vec(step(), 1..80)) {
            let state = std::sync::Arc::new(InProcess::new());
            let router = Router::shared(table(), state.clone());
            let (mut minutes, mut away) = (0i64, [false; 3]);
            let mut owner: BTreeMap<String, String> = BTreeMap::new();
            for step in &steps {
                let at = Timestamp::from_second(1_800_000_000 + 60 * minutes).unwrap();
                match step {
                    Step::Deal(n) => {
                        let id = format!("d{n}");
                        let request = DealRequest { deal: Some(&id), at: Some(at), ..DealRequest::now("wa") };
                        if let Responsible::Employee(who) = ready(router.decide(&request)).unwrap().responsible {
                            owner.insert(id, who.to_owned());
                        }
                    }
                    Step::Reply(n) => drop(ready(router.reply(&format!("d{n}"), "a")).unwrap()),
                    Step::Close(n) => {
                        let closed = ready(router.close_deal(&format!("d{n}"))).unwrap();
                        prop_assert_eq!(closed, owner.remove(&format!("d{n}")));
                    }
                    Step::Toggle(m) => {
                        away[*m as usize] = !away[*m as usize];
                        let who = ["a", "b", "c"][*m as usize];
                        ready(router.set_available(who, !away[*m as usize])).unwrap();
                    }
                    Step::Clock(m) => minutes += i64::from(*m),
                }
                let now = Timestamp::from_second(1_800_000_000 + 60 * minutes).unwrap();
                for event in ready(router.tick(Some(now))).unwrap() {
                    if let Some(from) = &event.from {
                        prop_assert_eq!(owner.get(&event.deal), Some(from), "{:?}", event);
                    }
                    owner.insert(event.deal.clone(), event.to.clone());
                }
                let (open, held) = state.books_of("desk");
                prop_assert_eq!(&held, &owner);
                let mut counted: BTreeMap<String, u32> = BTreeMap::new();
                for who in held.values() {
                    *counted.entry(who.clone()).or_default() += 1;
                }
                prop_assert_eq!(&open, &counted);
                prop_assert!(counted.get("a").copied().unwrap_or(0) <= 2 && counted.get("b").copied().unwrap_or(0) <= 3);
            }
        }
    }
}

/// Routing over time at its edges, in process and on a real Redis alike:
/// each scenario runs against both states, on instants it gives.
mod edges {
    use std::sync::Arc;
    use std::time::Duration;

    use chatroute::runtime::redis::RedisState;
    use chatroute::runtime::{
        AssignmentState, Claim, DealRequest, Event, EventId, InProcess, Responsible, RouteError, Router, Timestamp,
    };
    use chatroute::table::TableFile;

    use super::redis_server::RedisServer;

    fn compile(spec: &str) -> TableFile {
        let checked = chatroute::check::check("edge.toml", spec.as_bytes().to_vec(), Default::default());
        assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
        chatroute::compile::compile(checked.spec.as_ref().unwrap(), Default::default())
    }

    const HEAD: &str = "version = 1\n[integration]\naccount = \"edge\"\n[defaults]\n\
        new_deals = { pipeline = \"S\", stage = \"N\" }\naccess = \"read_send\"\n";

    fn channel(id: &str, n: u8) -> String {
        format!("[channels.{id}]\nname = \"{id}\"\ntransport = \"whatsapp\"\nphone = \"+7 999 000-00-0{n}\"\n")
    }

    fn at(t0: Timestamp, minutes: i64) -> Timestamp {
        Timestamp::from_second(t0.as_second() + 60 * minutes).unwrap()
    }

    fn decide_at<'a>(channel: &'a str, deal: &'a str, at: Timestamp) -> DealRequest<'a> {
        DealRequest { deal: Some(deal), at: Some(at), ..DealRequest::now(channel) }
    }

    fn moves(events: &[Event]) -> Vec<String> {
        events.iter().map(|e| format!("{} {} {:?}->{}", e.kind.as_str(), e.deal, e.from, e.to)).collect()
    }

    async fn responsible<S: AssignmentState>(router: &Router<S>, request: &DealRequest<'_>) -> String {
        match router.decide(request).await.unwrap().responsible {
            Responsible::Employee(who) => who.to_owned(),
            other => format!("{other:?}"),
        }
    }

    fn redis(server: &RedisServer) -> RedisState {
        server.flush();
        RedisState::open(&server.url(), Duration::from_secs(2)).unwrap()
    }

    fn two_of_a_pair() -> TableFile {
        compile(&format!(
            "{HEAD}[employees]\nanna = {{ name = \"Anna\" }}\nboris = {{ name = \"Boris\" }}\n\
             [assignment]\nmode = \"round_robin\"\nskip_unavailable = true\nreassign_after = \"1m\"\n\
             members = [{{ employee = \"anna\" }}, {{ employee = \"boris\" }}]\n{}",
            channel("wa", 1)
        ))
    }

    /// 1: a due deal nobody can take stays due, and passes on as soon as
    /// someone can.
    async fn due_deal_waits_for_someone<S: AssignmentState>(state: S) {
        let router = Router::new(two_of_a_pair(), state);
        let t0 = Timestamp::now();
        assert_eq!(responsible(&router, &decide_at("wa", "D1", t0)).await, "anna");
        router.set_available("anna", false).await.unwrap();
        router.set_available("boris", false).await.unwrap();
        assert_eq!(router.tick(Some(at(t0, 2))).await.unwrap(), []);
        router.set_available("boris", true).await.unwrap();
        assert_eq!(moves(&router.tick(Some(at(t0, 3))).await.unwrap()), ["reassigned D1 Some(\"anna\")->boris"]);
        assert_eq!(router.close_deal("D1").await.unwrap().as_deref(), Some("boris"));
    }

    #[tokio::test]
    async fn a_due_deal_nobody_can_take_passes_on_once_someone_can() {
        due_deal_waits_for_someone(InProcess::new()).await;
        let Some(server) = RedisServer::start() else { return };
        due_deal_waits_for_someone(redis(&server)).await;
    }

    /// 1, with a backlog: 66 due deals waiting for boris (unavailable) to
    /// take them over hold up no new deal that anna, who had them, can take.
    async fn due_backlog_holds_up_no_new_deal<S: AssignmentState>(state: S) {
        let spec = format!(
            "{HEAD}[employees]\nanna = {{ name = \"Anna\" }}\nboris = {{ name = \"Boris\" }}\n\
             [assignment]\nmode = \"round_robin\"\nskip_unavailable = true\nreassign_after = \"1m\"\n\
             members = [{{ employee = \"anna\", max_open = 66 }}, {{ employee = \"boris\" }}]\n{}",
            channel("wa", 1)
        );
        let router = Router::new(compile(&spec), state);
        let t0 = Timestamp::now();
        router.set_available("boris", false).await.unwrap();
        for n in 0..66 {
            assert_eq!(responsible(&router, &decide_at("wa", &format!("d{n}"), t0)).await, "anna");
        }
        assert_eq!(router.tick(Some(at(t0, 2))).await.unwrap(), [], "all 66 wait for boris");
        assert_eq!(responsible(&router, &decide_at("wa", "new", at(t0, 2))).await, "Unassigned");
        router.close_deal("d0").await.unwrap();
        assert_eq!(moves(&router.tick(Some(at(t0, 3))).await.unwrap()), ["assigned new None->anna"]);
        router.set_available("boris", true).await.unwrap();
        let passed = router.tick(Some(at(t0, 4))).await.unwrap();
        // d1..d65, and `new`, due in turn.
        assert_eq!(passed.len(), 66, "each due deal passes to boris once he is back");
        assert!(passed.iter().all(|e| e.to == "boris"));
    }

    #[tokio::test]
    async fn due_deals_waiting_to_be_taken_over_hold_up_no_new_deal() {
        due_backlog_holds_up_no_new_deal(InProcess::new()).await;
        let Some(server) = RedisServer::start() else { return };
        due_backlog_holds_up_no_new_deal(redis(&server)).await;
    }

    /// Two channels skipping the unavailable: the first on `[assignment]`,
    /// its one member holding one deal at most; the second on its own
    /// assignment of `mode` (and, first responder, a limit of one).
    fn two_channels((a, a_member): (&str, &str), (b, b_member, mode): (&str, &str, &str)) -> TableFile {
        let b_limit = if mode.starts_with("first") { ", max_open = 1" } else { "" };
        compile(&format!(
            "{HEAD}[employees]\n{a_member} = {{ name = \"A\" }}\n{b_member} = {{ name = \"B\" }}\n\
             [assignment]\nmode = \"round_robin\"\nskip_unavailable = true\n\
             members = [{{ employee = \"{a_member}\", max_open = 1 }}]\n{}{}\
             [channels.{b}.assignment]\nmode = \"{mode}skip_unavailable = true\n\
             members = [{{ employee = \"{b_member}\"{b_limit} }}]\n",
            channel(a, 1),
            channel(b, 2)
        ))
    }

    /// 2: 65 deals waiting on channel A take no place from channel B's.
    async fn backlog_per_channel<S: AssignmentState>(state: S) {
        let router = Router::new(two_channels(("A", "a1"), ("B", "b1", "round_robin\"\n")), state);
        let t0 = Timestamp::now();
        assert_eq!(responsible(&router, &decide_at("A", "a0", t0)).await, "a1");
        for n in 1..=65 {
            assert_eq!(responsible(&router, &decide_at("A", &format!("a{n}"), t0)).await, "Unassigned");
        }
        router.set_available("b1", false).await.unwrap();
        assert_eq!(responsible(&router, &decide_at("B", "b0", t0)).await, "Unassigned");
        router.set_available("b1", true).await.unwrap();
        assert_eq!(moves(&router.tick(Some(at(t0, 1))).await.unwrap()), ["assigned b0 None->b1"]);
    }

    #[tokio::test]
    async fn oldest_first_holds_per_channel_whatever_the_others_backlog() {
        backlog_per_channel(InProcess::new()).await;
        let Some(server) = RedisServer::start() else { return };
        backlog_per_channel(redis(&server)).await;
    }

    fn limited(max_open: &str) -> TableFile {
        compile(&format!(
            "{HEAD}[employees]\na = {{ name = \"A\" }}\n[assignment]\nmode = \"round_robin\"\n\
             members = [{{ employee = \"a\"{max_open} }}]\n{}",
            channel("wa", 1)
        ))
    }

    /// 3: a reload that lifts the channel's limit hands its waiting deals out.
    async fn reload_lifts_limits<S: AssignmentState>(state: Arc<S>) {
        let before = Router::shared(limited(", max_open = 1"), state.clone());
        let t0 = Timestamp::now();
        assert_eq!(responsible(&before, &decide_at("wa", "d0", t0)).await, "a");
        assert_eq!(responsible(&before, &decide_at("wa", "d1", t0)).await, "Unassigned");
        let after = Router::shared(limited(""), state);
        assert_eq!(moves(&after.tick(Some(at(t0, 1))).await.unwrap()), ["assigned d1 None->a"]);
        assert_eq!(after.tick(Some(at(t0, 2))).await.unwrap(), [], "handed out once");
    }

    #[tokio::test]
    async fn a_reload_that_lifts_a_limit_hands_out_the_waiting_deals() {
        reload_lifts_limits(Arc::new(InProcess::new())).await;
        let Some(server) = RedisServer::start() else { return };
        reload_lifts_limits(Arc::new(redis(&server))).await;
    }

    /// 4: a deal waiting on a round-robin channel, then claimed on a
    /// first-responder one, has one owner: the claimant.
    async fn one_owner_across_channels<S: AssignmentState>(state: S) {
        let second = ("fr", "f1", "first_responder\"\n");
        let router = Router::new(two_channels(("rr", "r1"), second), state);
        let t0 = Timestamp::now();
        assert_eq!(responsible(&router, &decide_at("rr", "x0", t0)).await, "r1");
        assert_eq!(responsible(&router, &decide_at("rr", "D", t0)).await, "Unassigned");
        assert_eq!(router.claim("fr", "D", "f1").await.unwrap(), Claim::Won);
        router.close_deal("x0").await.unwrap();
        assert_eq!(router.tick(Some(at(t0, 1))).await.unwrap(), [], "D is f1's, not waiting");
        assert_eq!(router.close_deal("D").await.unwrap().as_deref(), Some("f1"));
        // f1's count went back to 0 (max 1), and r1 has room.
        assert_eq!(router.claim("fr", "E", "f1").await.unwrap(), Claim::Won);
        assert_eq!(responsible(&router, &decide_at("rr", "x1", t0)).await, "r1");
    }

    #[tokio::test]
    async fn a_claim_on_another_channel_takes_a_waiting_deal_out_of_its_queue() {
        one_owner_across_channels(InProcess::new()).await;
        let Some(server) = RedisServer::start() else { return };
        one_owner_across_channels(redis(&server)).await;
    }

    /// 5: an in-memory service started again never repeats an event id.
    #[tokio::test]
    async fn in_memory_event_ids_never_repeat_across_a_restart() {
        let mut last = None;
        for _restart in 0..2 {
            let router = Router::new(two_of_a_pair(), InProcess::new());
            let t0 = Timestamp::now();
            responsible(&router, &decide_at("wa", "D1", t0)).await;
            let events = router.tick(Some(at(t0, 2))).await.unwrap();
            let id = EventId::parse(&events[0].id).expect("an event id");
            assert!(last.is_none_or(|last| id > last), "{id} after {last:?}");
            last = Some(id);
            // The next process starts in a later millisecond.
            std::thread::sleep(Duration::from_millis(3));
        }
    }

    /// 7: malformed cursors are refused; one past the end answers nothing
    /// until a newer event.
    async fn cursors_at_the_edges<S: AssignmentState>(state: S) {
        let router = Router::new(two_of_a_pair(), state);
        let t0 = Timestamp::now();
        responsible(&router, &decide_at("wa", "D1", t0)).await;
        let first = router.tick(Some(at(t0, 2))).await.unwrap();
        for bad in ["99999999999999999999", "1-99999999999999999999", "x", "1-2-3"] {
            let refused = router.events(Some(bad), 10).await;
            assert!(matches!(refused, Err(RouteError::BadId { what: "event", .. })), "{bad}: {refused:?}");
        }
        for past in ["18446744073709551615-18446744073709551615", "18446744073709551615", "99999999999999"] {
            assert_eq!(router.events(Some(past), 10).await.unwrap(), [], "{past}");
        }
        responsible(&router, &decide_at("wa", "D2", at(t0, 3))).await;
        let second = router.tick(Some(at(t0, 5))).await.unwrap();
        assert_eq!(router.events(Some(&first[0].id), 10).await.unwrap(), second);
    }

    #[tokio::test]
    async fn event_cursors_at_the_edges() {
        cursors_at_the_edges(InProcess::new()).await;
        let Some(server) = RedisServer::start() else { return };
        cursors_at_the_edges(redis(&server)).await;
    }
}

/// 6: timers run on Redis's clock. An instance 20 minutes ahead (under
/// `faketime`) ticking beside one on time does not pass on a deal the
/// other decided with `reassign_after = "15m"`, and every event is
/// stamped on Redis's clock.
#[test]
fn timers_run_on_the_redis_clock_whatever_an_instance_clock_says() {
    let Some(lib) = crate::support::faketime::library() else { return };
    let Some(server) = redis_server::RedisServer::start() else { return };
    let table = table("skew", "").with_file_name("spec.toml");
    let spec = std::fs::read_to_string(&table).unwrap().replace("reassign_after = \"1s\"", "reassign_after = \"15m\"");
    std::fs::write(&table, spec).unwrap();
    let compiled = table.with_file_name("t15.json");
    let out = cli_support::chatroute(&["compile", table.to_str().unwrap(), "-o", compiled.to_str().unwrap()]);
    assert!(out.status.success(), "{}", cli_support::stderr(&out));
    let url = server.url();
    let on_time = Serve::start(&compiled, &["--state", url.as_str(), "--tick", "50"]);
    let skew = [("LD_PRELOAD", lib), ("FAKETIME", "+20m"), ("FAKETIME_DONT_RESET", "1")];
    let ahead = Serve::start_with_env(&skew, &compiled, &["--state", url.as_str(), "--tick", "50"]);
    // The instance ahead is ahead: it activated its table 20 minutes from now.
    let (_, status) = get(&agent(), &ahead.url("/v1/table"));
    let loaded_at = serde_json::from_str::<Value>(&status).unwrap()["loaded_at"].as_u64().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    assert!(loaded_at >= now + 1100, "not skewed: {loaded_at} against {now}");
    assert_eq!(deal(&on_time, "d1"), "a");
    assert_eq!(deal(&ahead, "d2"), "b");
    // Twenty ticks of the instance ahead: nothing is due on Redis's clock.
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(events(&ahead), Vec::<Value>::new());
    assert_eq!(events(&on_time), Vec::<Value>::new());
}

/// 11: each account delivers on its own. A receiver that refuses one
/// account's events (it does not know the account yet) holds up no other
/// account; after `--notify-attempts` the event is a dead letter, shown in
/// `GET .../notify` and the metrics, and `POST .../notify/replay` delivers
/// it once the receiver takes it.
#[test]
fn one_accounts_refused_events_hold_up_no_other_and_are_replayed() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let receiver = format!("http://{}/hook", listener.local_addr().unwrap());
    let taken: Arc<Mutex<Vec<String>>> = Arc::default();
    let refuse_desk = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let (log, refusing) = (taken.clone(), refuse_desk.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let (key, _) = read_request(&mut stream);
            let refused = key.starts_with("desk:") && refusing.load(std::sync::atomic::Ordering::SeqCst);
            if !refused {
                log.lock().unwrap().push(key);
            }
            let status = if refused { "404 Not Found" } else { "200 OK" };
            let reply = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    let desk = table("notify-fleet", "");
    let dir = desk.with_file_name("tables");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(&desk, dir.join("desk.json")).unwrap();
    let spec = std::fs::read_to_string(desk.with_file_name("spec.toml")).unwrap().replace("\"desk\"", "\"ops\"");
    std::fs::write(desk.with_file_name("ops.toml"), spec).unwrap();
    let ops = dir.join("ops.json");
    let source = desk.with_file_name("ops.toml");
    let out = cli_support::chatroute(&["compile", source.to_str().unwrap(), "-o", ops.to_str().unwrap()]);
    assert!(out.status.success(), "{}", cli_support::stderr(&out));
    let args = ["--tick", "50", "--notify", receiver.as_str(), "--notify-attempts", "6"];
    let serve = Serve::start(&dir, &args);
    for account in ["desk", "ops"] {
        let url = serve.url(&format!("/v1/accounts/{account}/deals"));
        assert_eq!(post(&agent(), &url, r#"{"channel": "wa", "deal": "d1"}"#).unwrap().0, 200);
    }
    let status = |account: &str| -> Value {
        let (code, body) = get(&agent(), &serve.url(&format!("/v1/accounts/{account}/notify")));
        assert_eq!(code, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    };
    wait_until("ops's event taken", Duration::from_secs(8), || {
        taken.lock().unwrap().iter().any(|k| k.starts_with("ops:"))
    });
    assert!(status("desk")["retrying"].as_str().is_some_and(|r| r.contains("404")), "{}", status("desk"));
    wait_until("desk's event a dead letter", Duration::from_secs(15), || {
        status("desk")["dead_letters"].as_array().is_some_and(|d| d.len() == 1)
    });
    let dead = status("desk")["dead_letters"][0].clone();
    assert_eq!(dead["attempts"], 6, "{dead}");
    let metrics = get(&agent(), &serve.url("/metrics")).1;
    assert!(metrics.contains("chatroute_notify_dead_letters{account=\"desk\"} 1"), "{metrics}");
    refuse_desk.store(false, std::sync::atomic::Ordering::SeqCst);
    let (code, replayed) = post(&agent(), &serve.url("/v1/accounts/desk/notify/replay"), "").unwrap();
    assert_eq!((code, &replayed["replayed"]), (200, &Value::from(1)), "{replayed}");
    let key = format!("desk:{}", dead["event"].as_str().unwrap());
    wait_until("desk's event delivered again", Duration::from_secs(8), || taken.lock().unwrap().contains(&key));
    assert_eq!(status("desk")["dead_letters"], serde_json::json!([]));
}
