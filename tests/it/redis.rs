//! Assignment state on a real Redis server: several processes and threads
//! share one fair distribution; claims have one winner; faults are errors.

use crate::support::redis_server;

use std::collections::HashMap;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chatroute::runtime::redis::RedisState;
use chatroute::runtime::{AssignmentState, Claim, Claimed, Claiming, Responsible, RouteError, Router, StateError};
use chatroute::table::TableFile;
use redis_server::RedisServer;

fn stationery() -> TableFile {
    let text = std::fs::read_to_string("examples/stationery-wholesale.toml").unwrap();
    let checked = chatroute::check::check("stationery", text.into_bytes(), Default::default());
    chatroute::compile::compile(checked.spec.as_ref().unwrap(), Default::default())
}

fn state(server: &RedisServer) -> RedisState {
    RedisState::open(&server.url(), Duration::from_millis(500)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn processes_and_tasks_share_one_fair_cycle() {
    let Some(server) = RedisServer::start() else { return };
    let dir = std::env::temp_dir().join(format!("chatroute-redis-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let table_path = dir.join("stationery.json");
    std::fs::write(&table_path, stationery().to_bytes()).unwrap();

    // Two processes of 300 deals and four threads of 100: 1,000 deals, 200 cycles.
    let processes: Vec<_> = (0..2)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_chatroute"))
                .args(["route", table_path.to_str().unwrap(), "--channel", "wa-opt", "--new-deals", "300"])
                .args(["--format", "json", "--state", &server.url()])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let router = Arc::new(Router::new(stationery(), state(&server)));
    // Four tasks sharing one state (one multiplexed connection), as
    // concurrent requests of one instance do.
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let router = router.clone();
            tokio::spawn(async move {
                let mut who = Vec::new();
                for _ in 0..100 {
                    match router.new_deal("wa-opt").await.unwrap().responsible {
                        Responsible::Employee(h) => who.push(h.to_owned()),
                        other => panic!("{other:?}"),
                    }
                }
                who
            })
        })
        .collect();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for t in tasks {
        for who in t.await.unwrap() {
            *counts.entry(who).or_default() += 1;
        }
    }
    for p in processes {
        let out = p.wait_with_output().unwrap();
        assert!(out.status.success());
        for line in String::from_utf8(out.stdout).unwrap().lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            *counts.entry(v["responsible"]["handle"].as_str().unwrap().to_owned()).or_default() += 1;
        }
    }
    let expected: HashMap<String, usize> =
        [("bruce", 200), ("scrooge", 200), ("tony", 400), ("kostya", 200)].map(|(k, v)| (k.to_owned(), v)).into();
    assert_eq!(counts, expected);

    // The cursor lives under the documented key.
    let cursor = state(&server).cursor("kanc-opt", "wa-opt");
    assert_eq!(cursor, "chatroute:{kanc-opt}:v2:rr:wa-opt");
    assert_eq!(state(&server).next_ticket(&cursor).await.unwrap(), 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_concurrent_claims_have_one_winner() {
    let Some(server) = RedisServer::start() else { return };
    let url = server.url();
    let threads: Vec<_> = (0..16)
        .map(|i| {
            let url = url.clone();
            tokio::spawn(async move {
                // One state (and connection) per claimant, as separate instances would have.
                let s = RedisState::open(&url, Duration::from_millis(500)).unwrap();
                let me = format!("manager-{i}");
                let claim = Claiming {
                    channel: "wa",
                    account: "acme",
                    deal: "deal-7",
                    employee: &me,
                    group: &[],
                    rules: None,
                    assign_anyway: false,
                };
                let Claimed::Winner(winner) = s.claim(&claim).await.unwrap() else {
                    panic!("a plain claim has a winner")
                };
                (me.clone(), winner)
            })
        })
        .collect();
    let mut results: Vec<(String, String)> = Vec::new();
    for t in threads {
        results.push(t.await.unwrap());
    }
    let winners: Vec<&String> = results.iter().filter(|(me, w)| me == w).map(|(me, _)| me).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    assert!(results.iter().all(|(_, w)| w == winners[0]));

    let furniture = std::fs::read_to_string("examples/furniture.toml").unwrap();
    let checked = chatroute::check::check("furniture", furniture.into_bytes(), Default::default());
    let router =
        Router::new(chatroute::compile::compile(checked.spec.as_ref().unwrap(), Default::default()), state(&server));
    assert_eq!(router.claim("wa-wholesale", "d1", "w2").await.unwrap(), Claim::Won);
    assert_eq!(router.claim("wa-wholesale", "d1", "w3").await.unwrap(), Claim::Lost { winner: "w2".into() });
}

#[tokio::test]
async fn redis_stopped_mid_run_fails_the_decision_within_the_timeout() {
    let Some(mut server) = RedisServer::start() else { return };
    let router = Router::new(stationery(), state(&server));
    let mut first = Vec::new();
    for _ in 0..3 {
        first.push(router.new_deal("wa-opt").await.unwrap().responsible);
    }
    assert_eq!(
        first,
        [Responsible::Employee("bruce"), Responsible::Employee("scrooge"), Responsible::Employee("tony")]
    );

    server.stop();
    let started = Instant::now();
    let err = router.new_deal("wa-opt").await.unwrap_err();
    assert!(matches!(err, RouteError::State(StateError::Unavailable(_))), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert!(err.to_string().contains("assignment state unavailable"));
}

#[tokio::test]
async fn an_unreachable_server_is_an_error_not_a_hang() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let s = RedisState::open(&format!("redis://127.0.0.1:{port}/0"), Duration::from_millis(300)).unwrap();
    let started = Instant::now();
    assert!(matches!(s.next_ticket(&s.cursor("a", "b")).await, Err(StateError::Unavailable(_))));
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(RedisState::open("not a url", Duration::from_secs(1)).is_err());
}

/// One command in RESP, its reply's first line (a test's own raw client,
/// to write keys as an older chatroute did).
fn raw(port: u16, args: &[&str]) -> String {
    use std::io::{BufRead, BufReader, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut frame = format!("*{}\r\n", args.len());
    for a in args {
        frame.push_str(&format!("${}\r\n{a}\r\n", a.len()));
    }
    stream.write_all(frame.as_bytes()).unwrap();
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).unwrap();
    line.trim_end().to_owned()
}

/// Keys of the previous layout are never read as if absent: commands on
/// the account refuse to run until `chatroute state migrate` moves them,
/// values and expiries kept; a key under both names stops the migration.
#[tokio::test]
async fn an_upgrade_migrates_the_old_keys_and_never_resets_them() {
    let Some(server) = RedisServer::start() else { return };
    let port = server.port;
    raw(port, &["SET", "chatroute:rr:kanc-opt:wa-opt", "1000"]);
    raw(port, &["SADD", "chatroute:unavailable:kanc-opt", "bruce"]);
    raw(port, &["HSET", "chatroute:open:kanc-opt", "tony", "1"]);
    raw(port, &["SET", "chatroute:deal:kanc-opt:4711", "tony"]);
    raw(port, &["SET", "chatroute:claim:kanc-opt:wa-opt:d1", "scrooge", "EX", "1000"]);
    raw(port, &["SET", "chatroute:rr:other:wa", "5"]);
    let dir = std::env::temp_dir().join(format!("chatroute-migrate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let table = dir.join("t.json");
    std::fs::write(&table, stationery().to_bytes()).unwrap();
    let run = |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_chatroute")).args(args).output().unwrap();
    let route = ["route", table.to_str().unwrap(), "--channel", "wa-opt", "--state", &server.url()];
    let refused = run(&route);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("chatroute state migrate"), "{refused:?}");
    let migrated = run(&["state", "migrate", table.to_str().unwrap(), "--state", &server.url()]);
    assert!(migrated.status.success(), "{migrated:?}");
    assert!(String::from_utf8_lossy(&migrated.stderr).contains("5 key(s) moved"));
    assert_eq!(raw(port, &["GET", "chatroute:{kanc-opt}:v2:rr:wa-opt"]), "$4");
    assert_eq!(raw(port, &["SISMEMBER", "chatroute:{kanc-opt}:v2:unavailable", "bruce"]), ":1");
    assert_eq!(raw(port, &["HGET", "chatroute:{kanc-opt}:v2:open", "tony"]), "$1");
    assert_eq!(raw(port, &["HGET", "chatroute:{kanc-opt}:v2:owners", "4711"]), "$4", "the deal's owner (tony) moved");
    assert_eq!(raw(port, &["ZCARD", "chatroute:{kanc-opt}:v2:due"]), ":1", "with its end of life");
    let ttl: i64 = raw(port, &["TTL", "chatroute:{kanc-opt}:v2:claim:wa-opt:d1"])[1..].parse().unwrap();
    assert!((900..=1000).contains(&ttl), "the claim keeps its expiry: {ttl}");
    assert_eq!(raw(port, &["EXISTS", "chatroute:rr:other:wa"]), ":1", "another account's keys stay");
    // The cursor goes on from where the old layout left it.
    let state = state(&server);
    assert_eq!(state.next_ticket(&state.cursor("kanc-opt", "wa-opt")).await.unwrap(), 1000);
    assert!(run(&route).status.success());
    // Both names present: nothing overwritten, an error.
    raw(port, &["SET", "chatroute:rr:other:wa2", "7"]);
    raw(port, &["SET", "chatroute:{other}:v2:rr:wa2", "9"]);
    let err = state.migrate("other").await.unwrap_err();
    assert!(err.to_string().contains("nothing was overwritten"), "{err}");
    assert_eq!(raw(port, &["GET", "chatroute:{other}:v2:rr:wa2"]), "$1");
}

fn furniture() -> TableFile {
    let text = std::fs::read_to_string("examples/furniture.toml").unwrap();
    let checked = chatroute::check::check("furniture", text.into_bytes(), Default::default());
    chatroute::compile::compile(checked.spec.as_ref().unwrap(), Default::default())
}

/// With `?replicas=1`, a claim is answered won only once a replica has it,
/// so the master can fail over to that replica and the winner stays; with
/// no replica to reach, the claim is not answered won (a 503 the caller
/// retries, and the retry answers the same winner).
#[tokio::test]
async fn a_won_claim_survives_a_failover_to_its_replica() {
    let Some(mut master) = RedisServer::start() else { return };
    let replica = RedisServer::start_replica_of(master.port).expect("a replica");
    let url = format!("{}?replicas=1", master.url());
    let started = Instant::now();
    let router = loop {
        // The replica's first sync takes a moment.
        let router = Router::new(furniture(), RedisState::open(&url, Duration::from_millis(500)).unwrap());
        match router.claim("wa-wholesale", "d-failover", "w2").await {
            Ok(claim) => {
                assert_eq!(claim, Claim::Won);
                break router;
            }
            Err(err) => assert!(started.elapsed() < Duration::from_secs(10), "{err}"),
        }
    };
    assert_eq!(router.claim("wa-wholesale", "d-failover", "w2").await.unwrap(), Claim::Won, "a retry: the same winner");
    master.stop();
    assert_eq!(raw(replica.port, &["REPLICAOF", "NO", "ONE"]), "+OK");
    let promoted = Router::new(furniture(), RedisState::open(&replica.url(), Duration::from_millis(500)).unwrap());
    assert_eq!(promoted.claim("wa-wholesale", "d-failover", "w3").await.unwrap(), Claim::Lost { winner: "w2".into() });
    // Asking for a replica nobody runs: never answered won.
    let alone = Router::new(
        furniture(),
        RedisState::open(&format!("{}?replicas=1", replica.url()), Duration::from_millis(300)).unwrap(),
    );
    let err = alone.claim("wa-wholesale", "d-alone", "w1").await.unwrap_err();
    assert!(matches!(err, RouteError::State(StateError::Unavailable(_))), "{err:?}");
    assert!(err.to_string().contains("replica"), "{err}");
}

/// 12: v1 claims expiring while `state migrate` runs: a key that vanished
/// between the scan and its move is counted, not an error; the account is
/// marked, and a second run succeeds too.
#[test]
fn a_migration_skips_keys_that_expire_meanwhile() {
    use std::io::{BufRead, BufReader, Write};
    let Some(server) = RedisServer::start() else { return };
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    let mut frames = String::new();
    let claims = 20_000;
    for n in 0..claims {
        let key = format!("chatroute:claim:kanc-opt:wa-opt:d{n}");
        // Expiring from 50 ms on, spread over the time the moves take.
        let px = (50 + n % 1500).to_string();
        let args = ["SET", key.as_str(), "tony", "PX", px.as_str()];
        frames.push_str(&format!("*{}\r\n", args.len()));
        for a in args {
            frames.push_str(&format!("${}\r\n{a}\r\n", a.len()));
        }
    }
    stream.write_all(frames.as_bytes()).unwrap();
    let mut replies = BufReader::new(stream);
    for _ in 0..claims {
        let mut line = String::new();
        replies.read_line(&mut line).unwrap();
        assert_eq!(line, "+OK\r\n");
    }
    let dir = std::env::temp_dir().join(format!("chatroute-migrate-expiring-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let table = dir.join("t.json");
    std::fs::write(&table, stationery().to_bytes()).unwrap();
    let migrate = || {
        Command::new(env!("CARGO_BIN_EXE_chatroute"))
            .args(["state", "migrate", table.to_str().unwrap(), "--state", &server.url()])
            .output()
            .unwrap()
    };
    let first = migrate();
    assert!(first.status.success(), "{first:?}");
    assert_eq!(raw(server.port, &["GET", "chatroute:{kanc-opt}:v2:layout"]), "$2", "the account is marked");
    let second = migrate();
    assert!(second.status.success(), "{second:?}");
}
