//! Unanswered deals on Redis at scale: `cargo bench --bench timers`.
//!
//! 100,000 deals are decided on a channel with `reassign_after` (timers
//! pending), due one after another over `TIMERS_BENCH_SECS` (default 10)
//! seconds; ticks run back to back as a service's ticker would, and each
//! reassignment's delay from its due time to its event is kept. Prints the
//! median and p99 delay, the reassignments per second, and the Redis memory
//! per pending timer (`MEMORY USAGE` of the `reply-due` and `timers` keys,
//! over the timer count). Starts its own `redis-server` (skips without one).

// The tests' support, of which a benchmark uses a part.
#[allow(dead_code, unreachable_pub)]
#[path = "../tests/it/support/redis_server.rs"]
mod redis_server;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chatroute::runtime::redis::RedisState;
use chatroute::runtime::{DealRequest, Router, Timestamp};

const TIMERS: usize = 100_000;

fn table() -> chatroute::table::TableFile {
    let spec = "version = 1\n[integration]\naccount = \"bench\"\n[employees]\na = { name = \"A\" }\nb = { name = \"B\" }\n\
        c = { name = \"C\" }\n[defaults]\nnew_deals = { pipeline = \"S\", stage = \"N\" }\naccess = \"read_send\"\n\
        [assignment]\nmode = \"round_robin\"\nreassign_after = \"60s\"\n\
        members = [{ employee = \"a\" }, { employee = \"b\" }, { employee = \"c\" }]\n\
        [channels.wa]\nname = \"WA\"\ntransport = \"whatsapp\"\nphone = \"+7 999 000-00-01\"\n";
    let checked = chatroute::check::check("bench.toml", spec.as_bytes().to_vec(), Default::default());
    chatroute::compile::compile(checked.spec.as_ref().expect("valid"), Default::default())
}

fn memory_usage(port: u16, key: &str) -> u64 {
    let out = std::process::Command::new("redis-cli").args(["-p", &port.to_string(), "MEMORY", "USAGE", key]).output();
    out.ok().and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok()).unwrap_or(0)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let Some(server) = redis_server::RedisServer::start() else { return };
    let secs: u64 = std::env::var("TIMERS_BENCH_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    let state = RedisState::open(&server.url(), Duration::from_secs(5)).expect("a URL");
    let router = Arc::new(Router::new(table(), state));
    // Due times spread evenly over `secs`, from 2 s after the decisions end.
    let decided = Instant::now();
    let first_due_ms = Timestamp::now().as_millisecond() + 2_000 + (TIMERS as i64 / 20);
    let step_us = secs * 1_000_000 / TIMERS as u64;
    runtime.block_on(async {
        let tasks: Vec<_> = (0..16)
            .map(|t| {
                let router = router.clone();
                tokio::spawn(async move {
                    for n in (t..TIMERS).step_by(16) {
                        let due_ms = first_due_ms + (n as u64 * step_us / 1000) as i64;
                        let at = Timestamp::from_millisecond(due_ms - 60_000).expect("an instant");
                        let id = format!("d{n}");
                        let request = DealRequest { deal: Some(&id), at: Some(at), ..DealRequest::now("wa") };
                        router.decide(&request).await.expect("redis up");
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("decisions");
        }
    });
    let decide_secs = decided.elapsed().as_secs_f64();
    let timer_bytes = ["reply-due", "timers"]
        .iter()
        .map(|k| memory_usage(server.port, &format!("chatroute:{{bench}}:v2:{k}")))
        .sum::<u64>();
    let mut delays: Vec<i64> = Vec::with_capacity(TIMERS);
    let started = Instant::now();
    runtime.block_on(async {
        while delays.len() < TIMERS && started.elapsed() < Duration::from_secs(secs * 6 + 30) {
            let events = router.tick(None).await.expect("redis up");
            let now = Timestamp::now().as_millisecond();
            for event in &events {
                let n: i64 = event.deal[1..].parse().expect("a deal id");
                let due = first_due_ms + n * step_us as i64 / 1000;
                delays.push(now - due);
            }
            if events.is_empty() {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    });
    delays.sort_unstable();
    let at = |p: f64| delays.get(((delays.len() as f64 - 1.0) * p) as usize).copied().unwrap_or(0);
    println!("{TIMERS} timers decided in {decide_secs:.1} s (16 tasks on one Redis connection)");
    println!("Redis memory of the pending timers: {} bytes per timer", timer_bytes / TIMERS as u64);
    println!(
        "due -> event over {secs} s of due times: median {} ms, p99 {} ms, {} of {TIMERS} fired ({:.0} per second)",
        at(0.5),
        at(0.99),
        delays.len(),
        TIMERS as f64 / secs as f64
    );
}
