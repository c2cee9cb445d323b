//! Decisions per second against a local Redis: `cargo bench --bench redis`.
//! Starts its own `redis-server` on a free loopback port (skips without one).
//!
//! - `decision`: one round-robin decision, one `INCR` round trip;
//! - `claim`: one first-responder claim (Lua `SET NX` / `GET`);
//! - `decision_with_availability`: one decision that may skip members (the
//!   pick script: availability, open counts, cursor and deal in one round
//!   trip).

// The tests' support, of which a benchmark uses a part.
#[allow(dead_code, unreachable_pub)]
#[path = "../tests/it/support/redis_server.rs"]
mod redis_server;

use std::sync::OnceLock;
use std::time::Duration;

use chatroute::runtime::AssignmentState;
use chatroute::runtime::redis::RedisState;
use divan::counter::ItemsCount;
use divan::{Bencher, black_box};

fn main() {
    if server().is_none() {
        return;
    }
    divan::main();
}

fn server() -> Option<&'static redis_server::RedisServer> {
    static SERVER: OnceLock<Option<redis_server::RedisServer>> = OnceLock::new();
    SERVER.get_or_init(redis_server::RedisServer::start).as_ref()
}

fn state() -> RedisState {
    RedisState::open(&server().expect("started in main").url(), Duration::from_secs(1)).expect("valid URL")
}

/// One call at a time, as a single caller waits for each: the runtime a
/// state's connection lives on, one per benchmark.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime")
}

#[divan::bench]
fn decision(bencher: Bencher) {
    let (s, rt) = (state(), runtime());
    let cursor = s.cursor("bench", "decision");
    bencher
        .counter(ItemsCount::new(1usize))
        .bench_local(|| black_box(rt.block_on(s.next_ticket(&cursor)).expect("redis up")));
}

#[divan::bench]
fn claim(bencher: Bencher) {
    let (s, rt) = (state(), runtime());
    let mut n = 0u64;
    bencher.counter(ItemsCount::new(1usize)).bench_local(|| {
        n += 1;
        let key = format!("bench:deal-{n}");
        let claim = chatroute::runtime::Claiming {
            account: "bench",
            channel: "claims",
            deal: &key,
            employee: "manager",
            group: &[],
            rules: None,
            assign_anyway: false,
        };
        black_box(rt.block_on(s.claim(&claim)).expect("redis up"))
    });
}

#[divan::bench]
fn decision_with_availability(bencher: Bencher) {
    use chatroute::runtime::{Pick, PickRules};
    let (s, rt) = (state(), runtime());
    let cursor = s.cursor("bench", "pick");
    let cycle: Vec<String> = ["bruce", "scrooge", "tony", "tony", "kostya"].map(String::from).into();
    let max_open = [("bruce".to_owned(), 1_000_000_000)].into();
    rt.block_on(s.set_available("bench", "tony", false)).expect("redis up");
    let mut n = 0u64;
    bencher.counter(ItemsCount::new(1usize)).bench_local(|| {
        n += 1;
        let deal = n.to_string();
        let rules = PickRules { skip_unavailable: true, max_open: &max_open, away: &[] };
        let pick = Pick {
            account: "bench",
            cycle: &cycle,
            rules,
            deal: Some(&deal),
            prefer: None,
            contact: None,
            channel: "pick",
            reply_after_ms: None,
            now_ms: None,
            queue: false,
        };
        black_box(rt.block_on(s.pick(&cursor, &pick)).expect("redis up"))
    });
}
