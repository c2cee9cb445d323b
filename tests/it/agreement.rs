//! The same decisions in process and on Redis: one random sequence of new
//! deals (with and without ids, by day and by night, of returning
//! clients), first-responder claims, availability changes and closes, run
//! against `InProcess` and against a real Redis, must give identical
//! answers step by step, and leave identical deal books in which no deal
//! has two owners and each open count is the number of deals held. Every
//! state operation is written twice (Rust in `state/memory/`, Lua in
//! `redis/scripts/`: `cannot_take`, `take_next`, `pass`, the pick, the claim, the
//! reassignment, the drain and the hand-over); this holds the twins to
//! each other. The
//! sequences hold claims of deals waiting on the round-robin channel,
//! availability changes at due instants and reloads that lift limits.

use crate::support::redis_server;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chatroute::runtime::redis::RedisState;
use chatroute::runtime::{AssignmentState, DealRequest, InProcess, Router, Timestamp};
use chatroute::table::TableFile;
use proptest::prelude::*;

/// Four members with limits on a round-robin channel (`rr`) and a
/// first-responder one (`fr`), both skipping the unavailable; `fr` assigns
/// anyway when nobody is available.
fn table() -> TableFile {
    compile(&spec())
}

/// The table after a reload that lifts every open-deal limit.
fn lifted() -> TableFile {
    let text = spec().replace(", max_open = 1", "").replace(", max_open = 2", "").replace(", max_open = 3", "");
    assert_ne!(text, spec());
    compile(&text)
}

fn compile(spec: &str) -> TableFile {
    let checked = chatroute::check::check("agree.toml", spec.as_bytes().to_vec(), Default::default());
    assert!(!checked.has_errors(), "{:?}", checked.diagnostics);
    chatroute::compile::compile(checked.spec.as_ref().unwrap(), Default::default())
}

fn spec() -> String {
    let spec = "version = 1\n[integration]\naccount = \"agree\"\ntimezone = \"Europe/Moscow\"\n[employees]\n\
        m0 = { name = \"M0\" }\nm1 = { name = \"M1\" }\nm2 = { name = \"M2\", schedule = \"day\" }\n\
        m3 = { name = \"M3\", schedule = \"day\" }\n[schedules.day]\nmon-sun = \"09:00-18:00\"\n\
        [defaults]\nnew_deals = { pipeline = \"Sales\", stage = \"New\" }\naccess = \"read_send\"\n\
        [assignment]\nmode = \"round_robin\"\nskip_unavailable = true\nreturning_clients = \"owner\"\nmembers = [\n\
        { employee = \"m0\", weight = 2, max_open = 2 }, { employee = \"m1\", max_open = 1 },\n\
        { employee = \"m2\" }, { employee = \"m3\", weight = 3, max_open = 3 }]\n\
        [channels.rr]\nname = \"RR\"\ntransport = \"whatsapp\"\nphone = \"+7 999 000-00-01\"\n\
        [channels.rr.access]\nm0 = { level = \"read_send\", default_outgoing = true }\n\
        m1 = { level = \"read_send\", default_outgoing = true }\nm2 = { level = \"read_send\", default_outgoing = true }\n\
        m3 = { level = \"read_send\", default_outgoing = true }\n\
        [channels.fr]\nname = \"FR\"\ntransport = \"whatsapp\"\nphone = \"+7 999 000-00-02\"\n\
        [channels.fr.assignment]\nmode = \"first_responder\"\nskip_unavailable = true\nwhen_nobody = \"assign_anyway\"\n\
        members = [{ employee = \"m0\", max_open = 1 }, { employee = \"m1\" }, { employee = \"m2\", max_open = 2 }]\n\
        [channels.tm]\nname = \"TM\"\ntransport = \"whatsapp\"\nphone = \"+7 999 000-00-03\"\n\
        [channels.tm.assignment]\nmode = \"round_robin\"\nskip_unavailable = true\nreassign_after = \"1m\"\n\
        max_reassignments = 2\nmembers = [{ employee = \"m0\", max_open = 2 }, { employee = \"m1\" }, { employee = \"m3\" }]\n";
    spec.to_owned()
}

/// What a sequence has done to the world: who is available, the clock,
/// whether the limits are lifted.
struct World {
    available: [bool; 4],
    minutes: u32,
    lifted: bool,
}

impl Default for World {
    fn default() -> Self {
        World { available: [true; 4], minutes: 0, lifted: false }
    }
}

#[derive(Debug, Clone)]
enum Op {
    Deal(Option<u8>),
    /// A deal on the channel with timers, at the world's clock.
    Timed(u8),
    /// A reply in a deal's dialog.
    Reply(u8),
    /// The clock moves on this many minutes, and time does its work.
    Tick(u8),
    /// A returning client's deal (contact, owner named, by night).
    Client(u8, Option<u8>, bool),
    Offer,
    Claim(u8, u8),
    /// A first-responder claim of a round-robin deal's id (it may wait).
    ClaimDeal(u8, u8),
    Toggle(u8),
    Close(u8),
    /// A person hands a deal (round robin, or with a timer) to a member,
    /// its client (maybe) following.
    HandOver(u8, u8, Option<u8>),
    /// The table reloaded: limits lifted, or back.
    Reload,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => prop::option::of(0u8..12).prop_map(Op::Deal),
        3 => (0u8..5, prop::option::of(0u8..4), any::<bool>()).prop_map(|(c, o, n)| Op::Client(c, o, n)),
        1 => Just(Op::Offer),
        3 => (0u8..12, 0u8..3).prop_map(|(d, m)| Op::Claim(d, m)),
        2 => (0u8..4).prop_map(Op::Toggle),
        2 => (0u8..12).prop_map(Op::Close),
        3 => (0u8..8).prop_map(Op::Timed),
        1 => (0u8..8).prop_map(Op::Reply),
        2 => (0u8..4).prop_map(Op::Tick),
        1 => (0u8..12, 0u8..3).prop_map(|(d, m)| Op::ClaimDeal(d, m)),
        1 => Just(Op::Reload),
        2 => (0u8..12, 0u8..4, prop::option::of(0u8..5)).prop_map(|(d, m, c)| Op::HandOver(d, m, c)),
    ]
}

/// One operation's answer, as text: what a caller would see. A reload
/// replaces the router on the same state.
async fn apply<S: AssignmentState>(router: &mut Router<S>, state: &Arc<S>, op: &Op, world: &mut World) -> String {
    if let Op::Reload = op {
        world.lifted = !world.lifted;
        *router = Router::shared(if world.lifted { lifted() } else { table() }, state.clone());
        return "reloaded".into();
    }
    let available = &mut world.available;
    // From a Monday noon in Moscow on: the day schedule closes at 18:00.
    let now = Timestamp::from_second(1_796_634_000 + 60 * i64::from(world.minutes)).unwrap();
    match op {
        Op::Timed(deal) => {
            let deal = format!("t{deal}");
            let request = DealRequest { deal: Some(&deal), at: Some(now), ..DealRequest::now("tm") };
            format!("{:?}", router.decide(&request).await.map(|d| (d.responsible, d.ticket)))
        }
        Op::Reply(deal) => format!("{:?}", router.reply(&format!("t{deal}"), "m1").await),
        Op::Tick(minutes) => {
            world.minutes += u32::from(*minutes);
            let now = Timestamp::from_second(1_796_634_000 + 60 * i64::from(world.minutes)).unwrap();
            // Event ids are each state's own; what happened is compared.
            let events = router.tick(Some(now)).await.map(|events| {
                events.into_iter().map(|e| (e.kind, e.deal, e.channel, e.from, e.to, e.at_ms)).collect::<Vec<_>>()
            });
            format!("{events:?}")
        }
        Op::Deal(id) => {
            let id = id.map(|d| format!("d{d}"));
            format!("{:?}", router.new_deal_for("rr", id.as_deref()).await.map(|d| (d.responsible, d.ticket)))
        }
        Op::Offer => format!("{:?}", router.new_deal("fr").await.map(|d| d.responsible)),
        Op::Client(contact, owner, night) => {
            let (contact, owner) = (format!("c{contact}"), owner.map(|o| format!("m{o}")));
            let instant = if *night { "2026-12-07T23:00:00+03:00" } else { "2026-12-07T12:00:00+03:00" };
            let request = DealRequest {
                contact: Some(&contact),
                owner: owner.as_deref(),
                at: Some(instant.parse().unwrap()),
                ..DealRequest::now("rr")
            };
            format!("{:?}", router.decide(&request).await.map(|d| (d.responsible, d.ticket)))
        }
        Op::Claim(dialog, member) => {
            format!("{:?}", router.claim("fr", &format!("f{dialog}"), &format!("m{member}")).await)
        }
        Op::ClaimDeal(deal, member) => {
            format!("{:?}", router.claim("fr", &format!("d{deal}"), &format!("m{member}")).await)
        }
        Op::Reload => unreachable!("handled above"),
        Op::Toggle(member) => {
            let i = usize::from(*member);
            available[i] = !available[i];
            format!("{:?}", router.set_available(&format!("m{i}"), available[i]).await)
        }
        Op::Close(deal) => {
            let closed = router.close_deal(&format!("d{deal}")).await;
            let claimed = router.close_deal(&format!("f{deal}")).await;
            format!("{closed:?} {claimed:?}")
        }
        Op::HandOver(deal, member, contact) => {
            let (member, contact) = (format!("m{member}"), contact.map(|c| format!("c{c}")));
            let handed = router.hand_over(&format!("d{deal}"), &member, contact.as_deref()).await;
            let timed = router.hand_over(&format!("t{deal}"), &member, None).await;
            format!("{handed:?} {timed:?}")
        }
    }
}

#[test]
fn in_process_and_redis_answer_alike() {
    let Some(server) = redis_server::RedisServer::start() else { return };
    let url = server.url();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let config = ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() };
    proptest!(config, |(ops in prop::collection::vec(op(), 1..60))| {
        // A fresh Redis for every case: the two states start alike.
        server.flush();
        let (in_process, on_redis) = (Arc::new(InProcess::new()), Arc::new(RedisState::open(&url, Duration::from_secs(2)).unwrap()));
        let mut memory = Router::shared(table(), in_process.clone());
        let mut redis = Router::shared(table(), on_redis.clone());
        let (mut a, mut b) = (World::default(), World::default());
        for (step, op) in ops.iter().enumerate() {
            let (here, there) = runtime.block_on(async {
                (apply(&mut memory, &in_process, op, &mut a).await, apply(&mut redis, &on_redis, op, &mut b).await)
            });
            prop_assert_eq!(&here, &there, "step {} {:?}", step, op);
            let (open, owners) = in_process.books_of("agree");
            prop_assert_eq!(&redis_books(server.port), &(open.clone(), owners.clone()), "step {} {:?}", step, op);
            let mut held: BTreeMap<String, u32> = BTreeMap::new();
            for owner in owners.values() {
                *held.entry(owner.clone()).or_default() += 1;
            }
            prop_assert_eq!(&open, &held, "open counts are the deals held, step {} {:?}", step, op);
        }
    });
}

/// The Redis deal book as `InProcess::books_of` gives it: open counts
/// above zero per employee, and each open deal's owner (a hash holds one
/// owner per deal).
fn redis_books(port: u16) -> (BTreeMap<String, u32>, BTreeMap<String, String>) {
    let open = hgetall(port, "chatroute:{agree}:v2:open")
        .into_iter()
        .map(|(k, v)| (k, v.parse::<u32>().unwrap()))
        .filter(|(_, n)| *n > 0)
        .collect();
    (open, hgetall(port, "chatroute:{agree}:v2:owners"))
}

/// `HGETALL` over a raw connection (RESP2).
fn hgetall(port: u16, key: &str) -> BTreeMap<String, String> {
    use std::io::{BufRead, BufReader, Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.write_all(format!("*2\r\n$7\r\nHGETALL\r\n${}\r\n{key}\r\n", key.len()).as_bytes()).unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with('*'), "unexpected reply {line:?}");
    let n: usize = line[1..].trim().parse().unwrap();
    let mut items = Vec::with_capacity(n);
    for _ in 0..n {
        line.clear();
        reader.read_line(&mut line).unwrap();
        let len: usize = line[1..].trim().parse().unwrap();
        let mut buf = vec![0u8; len + 2];
        reader.read_exact(&mut buf).unwrap();
        items.push(String::from_utf8(buf[..len].to_vec()).unwrap());
    }
    items.chunks(2).map(|p| (p[0].clone(), p[1].clone())).collect()
}

/// A deal nobody closes closes by itself after its lifetime, in process
/// and on Redis alike: its member has room again and the state forgets it.
async fn deals_end_their_life<S: AssignmentState>(router: &Router<S>) {
    let first = router.new_deal_for("rr", Some("old")).await.unwrap().responsible;
    assert_eq!(format!("{first:?}"), "Employee(\"m0\")");
    router.new_deal_for("rr", Some("old-2")).await.unwrap();
    router.set_available("m2", false).await.unwrap();
    router.set_available("m3", false).await.unwrap();
    // m0 holds 2 of 2, m1 1 of 1 after the next: nobody is left.
    router.new_deal_for("rr", Some("old-3")).await.unwrap();
    assert_eq!(format!("{:?}", router.new_deal_for("rr", Some("new")).await.unwrap().responsible), "Unassigned");
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(format!("{:?}", router.new_deal_for("rr", Some("new")).await.unwrap().responsible), "Employee(\"m0\")");
    assert_eq!(router.close_deal("old").await.unwrap(), None, "closed by its lifetime already");
}

#[tokio::test]
async fn deals_nobody_closes_end_their_life_in_both_states() {
    let ttl = Duration::from_millis(300);
    deals_end_their_life(&Router::new(table(), InProcess::new().with_deal_ttl(ttl))).await;
    let Some(server) = redis_server::RedisServer::start() else { return };
    let redis = RedisState::open(&server.url(), Duration::from_secs(2)).unwrap().with_deal_ttl(ttl);
    deals_end_their_life(&Router::new(table(), redis)).await;
}
