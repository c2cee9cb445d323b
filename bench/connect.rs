//! `chatroute connect` under load: `cargo bench --bench connect`.
//!
//! - Webhook acknowledgement: p50/p99 of `POST /v1/wazzup/{account}` at a
//!   steady 1,000 webhooks a second (16 keep-alive connections, one new
//!   message each, latency from each request's scheduled instant) on one
//!   instance with Redis, while the worker works on the backlog behind.
//! - Message to deal: from the webhook's answer to `leads/complex` at the
//!   fake amoCRM, one message every 500 ms (no backlog).
//! - 100 accounts, each behind a fake amoCRM of its own, 20 messages each
//!   queued at once: the most requests any account's amoCRM saw in one
//!   second, and the rate each account was kept at while it had a backlog.
//! - The dialog copy, `hourly`, 10,000 open deals with 3 messages each
//!   buffered: the state's memory per buffered message, and, when the hour
//!   ends (the service's clock moved by libfaketime), the time until the
//!   last note is in amoCRM and the most requests in any second.
//!
//! Needs `redis-server` (and libfaketime for the last);
//! `CONNECT_BENCH_SECS` (default 3) for the first.

// The HTTP benchmarks' helpers, of which this one uses a part.
#[allow(dead_code)]
#[path = "load.rs"]
mod load;
// The tests' support, of which a benchmark uses a part.
#[allow(dead_code, unreachable_pub)]
#[path = "../tests/it/support/amocrm_api.rs"]
mod amocrm_api;
// The tests' support, of which a benchmark uses a part.
#[allow(dead_code, unreachable_pub)]
#[path = "../tests/it/support/redis_server.rs"]
mod redis_server;
// The tests' support: the fakes' HTTP.
#[allow(dead_code, unreachable_pub)]
#[path = "../tests/it/support/http.rs"]
mod http;
// The tests' support: libfaketime and a clock a file sets.
#[path = "../tests/it/support/faketime.rs"]
mod faketime;

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use amocrm_api::FakeAmoCrm;
use load::{Run, Service, read_http};

const TOKEN: &str = "amo-long-lived-token-0123456789";
const SECRET: &str = "hook-secret-0123456789abcdef";
const WA: &str = "9a7e0c52-0f3e-4d6a-9a1e-0000000000a1";

/// acme's table with ids (`compile --crm --wazzup`), renamed to `account`.
fn table(account: &str) -> Vec<u8> {
    let spec = std::fs::read("examples/acme.toml").unwrap();
    let crm = chatroute::crm::Snapshot::load(Path::new("tests/fixtures/crm/acme.snapshot.json")).unwrap();
    let wazzup =
        chatroute::wazzup::WazzupSnapshot::load(Path::new("tests/fixtures/wazzup/acme.snapshot.json")).unwrap();
    let accounts = chatroute::accounts::Accounts { crm: Some(&crm), wazzup: Some(&wazzup) };
    let checked = chatroute::check::check("acme.toml", spec, accounts);
    let mut body = chatroute::compile::compile(checked.spec.as_ref().unwrap(), accounts).body;
    body.account = account.to_owned();
    chatroute::table::TableFile::new(body).to_bytes()
}

/// A directory of tables and an ACCOUNTS.toml, one account per fake amoCRM.
fn setup(name: &str, fakes: &[(String, &FakeAmoCrm)]) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("chatroute-connect-bench-{name}-{}", std::process::id()));
    let tables = dir.join("tables");
    std::fs::create_dir_all(&tables).unwrap();
    std::fs::write(dir.join("token"), TOKEN).unwrap();
    std::fs::write(dir.join("secret"), SECRET).unwrap();
    let mut accounts = String::new();
    for (account, fake) in fakes {
        std::fs::write(tables.join(format!("{account}.json")), table(account)).unwrap();
        accounts.push_str(&format!(
            "[accounts.{account}]\namocrm = \"{}\"\ntoken_file = \"token\"\nwebhook_secret_file = \"secret\"\n",
            fake.base_url
        ));
    }
    std::fs::write(dir.join("accounts.toml"), accounts).unwrap();
    (tables, dir.join("accounts.toml"))
}

fn connect(tables: &Path, accounts: &Path, redis: &str) -> Service {
    let args = [tables.to_str().unwrap(), "--accounts", accounts.to_str().unwrap(), "--state", redis];
    load::start("connect", &args)
}

fn webhook(service: &Service, account: &str, id: &str, chat: &str) -> Vec<u8> {
    let body = format!(
        r#"{{"messages":[{{"messageId":"{id}","dateTime":"2026-12-07T10:00:00Z","channelId":"{WA}","chatType":"whatsapp","chatId":"{chat}","type":"text","isEcho":false,"text":"Hello","contact":{{"name":"Client"}}}}]}}"#
    );
    format!(
        "POST /v1/wazzup/{account}?key={SECRET} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        service.addr,
        body.len()
    )
    .into_bytes()
}

fn run(mut latencies: Vec<Duration>, secs: f64) -> Run {
    latencies.sort_unstable();
    Run { requests: latencies.len(), secs, latencies }
}

/// 1,000 webhooks a second for `secs`: the acknowledgements' latencies.
fn acknowledgements(service: &Service, secs: f64) -> Run {
    const CONNECTIONS: usize = 16;
    let interval = Duration::from_secs_f64(CONNECTIONS as f64 / 1000.0);
    let start = Instant::now() + Duration::from_millis(100);
    let count = (secs * 1000.0 / CONNECTIONS as f64) as usize;
    let latencies: Vec<Duration> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..CONNECTIONS)
            .map(|t| {
                scope.spawn(move || {
                    let stream = TcpStream::connect(service.addr).unwrap();
                    stream.set_nodelay(true).unwrap();
                    let (mut writer, mut reader) = (stream.try_clone().unwrap(), BufReader::new(stream));
                    let offset = interval / CONNECTIONS as u32 * t as u32;
                    (0..count)
                        .map(|i| {
                            let due = start + offset + interval * i as u32;
                            std::thread::sleep(due.saturating_duration_since(Instant::now()));
                            let request =
                                webhook(service, "acme", &format!("ack-{t}-{i}"), &format!("7916{t:03}{i:04}"));
                            writer.write_all(&request).unwrap();
                            read_http(&mut reader);
                            due.elapsed()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        threads.into_iter().flat_map(|t| t.join().unwrap()).collect()
    });
    run(latencies, secs)
}

/// One message every 500 ms (two amoCRM requests each: below the limit): from each webhook's answer to its deal.
fn message_to_deal(service: &Service, fake: &FakeAmoCrm, messages: usize) -> Run {
    let stream = TcpStream::connect(service.addr).unwrap();
    let (mut writer, mut reader) = (stream.try_clone().unwrap(), BufReader::new(stream));
    let latencies: Vec<Duration> = (0..messages)
        .map(|i| {
            writer.write_all(&webhook(service, "acme", &format!("deal-{i}"), &format!("7917000{i:04}"))).unwrap();
            read_http(&mut reader);
            let answered = Instant::now();
            // Messages go one at a time: the i-th `leads/complex` is this one's.
            let created = loop {
                let complex = |s: &&(Instant, String, String)| s.1 == "POST" && s.2 == "/api/v4/leads/complex";
                if let Some(at) = fake.with(|a| a.seen.iter().filter(complex).nth(i).map(|s| s.0)) {
                    break at;
                }
                std::thread::sleep(Duration::from_millis(1));
            };
            std::thread::sleep(Duration::from_millis(500));
            created.saturating_duration_since(answered)
        })
        .collect();
    run(latencies, 0.5 * messages as f64)
}

/// 100 accounts with a backlog each: (the most requests any account saw in
/// a second, each account's rate while it had work).
fn many_accounts(redis: &str) -> (usize, Vec<f64>) {
    const ACCOUNTS: usize = 100;
    const MESSAGES: usize = 20;
    let fakes: Vec<FakeAmoCrm> = (0..ACCOUNTS).map(|_| FakeAmoCrm::start(TOKEN)).collect();
    let names: Vec<String> = (0..ACCOUNTS).map(|i| format!("shop{i:03}")).collect();
    let pairs: Vec<(String, &FakeAmoCrm)> = names.iter().cloned().zip(fakes.iter()).collect();
    let (tables, accounts) = setup("many", &pairs);
    let service = connect(&tables, &accounts, redis);
    for (a, name) in names.iter().enumerate() {
        let stream = TcpStream::connect(service.addr).unwrap();
        let (mut writer, mut reader) = (stream.try_clone().unwrap(), BufReader::new(stream));
        for i in 0..MESSAGES {
            writer.write_all(&webhook(&service, name, &format!("{name}-{i}"), &format!("7918{a:03}{i:04}"))).unwrap();
            read_http(&mut reader);
        }
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while fakes.iter().any(|f| f.with(|a| a.leads.len()) < MESSAGES) {
        assert!(Instant::now() < deadline, "the backlog was not worked off in 2 minutes");
        std::thread::sleep(Duration::from_millis(100));
    }
    let busiest = fakes.iter().map(|f| f.with(|a| a.busiest_second())).max().unwrap_or(0);
    let mut rates: Vec<f64> = fakes
        .iter()
        .map(|f| {
            f.with(|a| {
                let (first, last) = (a.seen.first().unwrap().0, a.seen.last().unwrap().0);
                (a.seen.len() - 1) as f64 / last.duration_since(first).as_secs_f64()
            })
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    (busiest, rates)
}

/// `INFO memory`'s `used_memory` of the Redis at `port`.
fn used_memory(port: u16) -> u64 {
    let out =
        std::process::Command::new("redis-cli").args(["-p", &port.to_string(), "INFO", "memory"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines().find_map(|l| l.strip_prefix("used_memory:")?.trim().parse().ok()).unwrap()
}

/// 10,000 deals' notes of one hour: (bytes per buffered message, seconds
/// from the hour's end to the last note, the busiest second).
fn notes_at_the_hour(redis: &redis_server::RedisServer, lib: &str) -> (f64, f64, usize) {
    use chatroute::connect::notes::{self, Line};
    use chatroute::connect::store::{NoteMeta, RedisStore, Store};
    const DEALS: u64 = 10_000;
    const LINES: u64 = 3;
    let fake = FakeAmoCrm::start(TOKEN);
    let deals: Vec<u64> = fake.with(|a| (0..DEALS).map(|_| a.add_lead(5002, 50021, 1)).collect());
    let (tables, accounts) = setup("notes", &[("acme".to_owned(), &fake)]);
    let before = used_memory(redis.port);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let state =
        std::sync::Arc::new(chatroute::runtime::redis::RedisState::open(&redis.url(), Duration::from_secs(5)).unwrap());
    let store = RedisStore::new(state);
    let utc = notes::TimeZone::UTC;
    let in_hour: chatroute::runtime::Timestamp = "2026-12-07T14:30:00Z".parse().unwrap();
    let period = notes::period(chatroute::table::keywords::CopyDialog::Hourly, &utc, in_hour, ("m", in_hour)).unwrap();
    runtime.block_on(async {
        assert!(store.lease("acme", "bench").await.unwrap());
        for deal in &deals {
            for i in 0..LINES {
                let meta =
                    NoteMeta { deal: *deal, header: notes::header("whatsapp «Retail WhatsApp»", &period.label) };
                let text = format!("Hello, this is message {i} about a kitchen of three metres");
                let at_ms = in_hour.as_millisecond() + i as i64 * 1000;
                let line = Line {
                    id: format!("{deal}-{i}"),
                    at_ms,
                    author: "Ivan (client)".into(),
                    text,
                    media: None,
                    edited: false,
                    deleted: false,
                };
                let key = format!("{deal}:wa-retail:{}", period.id);
                store.buffer_line("acme", "bench", &key, period.due_ms, &meta, &line).await.unwrap();
            }
        }
    });
    let per_message = (used_memory(redis.port) - before) as f64 / (DEALS * LINES) as f64;
    // The service takes the account over once the bench's lease is gone.
    std::process::Command::new("redis-cli")
        .args(["-p", &redis.port.to_string(), "DEL", "chatroute:{acme}:v2:connect:lease"])
        .output()
        .unwrap();
    let clock = tables.with_file_name("clock");
    std::fs::write(&clock, "@2026-12-07 14:59:55\n").unwrap();
    let env = faketime::clock_env(lib, &clock);
    let args = [tables.to_str().unwrap(), "--accounts", accounts.to_str().unwrap(), "--state", &redis.url()];
    let service = load::start_with_env("connect", &env, &args);
    std::thread::sleep(Duration::from_secs(2));
    std::fs::write(&clock, "@2026-12-07 15:00:00\n").unwrap();
    let boundary = Instant::now();
    while fake.with(|a| a.notes.len()) < DEALS as usize {
        assert!(boundary.elapsed() < Duration::from_secs(300), "the notes were not written in 5 minutes");
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = boundary.elapsed().as_secs_f64();
    drop(service);
    (per_message, took, fake.with(|a| a.busiest_second()))
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let Some(redis) = redis_server::RedisServer::start() else {
        println!("connect: skipped, no redis-server");
        return;
    };
    let secs: f64 = std::env::var("CONNECT_BENCH_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let url = redis.url();

    let fake = FakeAmoCrm::start(TOKEN);
    let (tables, accounts) = setup("ack", &[("acme".to_owned(), &fake)]);
    let service = connect(&tables, &accounts, &url);
    let acks = acknowledgements(&service, secs);
    println!(
        "webhook acknowledgement, 1,000/s for {secs} s, Redis: {} webhooks ({:.0}/s), p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        acks.requests,
        acks.rps(),
        acks.percentile(0.5).as_secs_f64() * 1e3,
        acks.percentile(0.99).as_secs_f64() * 1e3,
        acks.percentile(1.0).as_secs_f64() * 1e3
    );
    drop(service);
    redis.flush();

    let fake = FakeAmoCrm::start(TOKEN);
    let (tables, accounts) = setup("deal", &[("acme".to_owned(), &fake)]);
    let service = connect(&tables, &accounts, &url);
    let deals = message_to_deal(&service, &fake, 20);
    println!(
        "message to deal, one every 500 ms, Redis: p50 {:.1} ms, p99 {:.1} ms ({} messages)",
        deals.percentile(0.5).as_secs_f64() * 1e3,
        deals.percentile(0.99).as_secs_f64() * 1e3,
        deals.requests
    );
    drop(service);
    redis.flush();

    let (busiest, rates) = many_accounts(&url);
    println!(
        "100 accounts, 20 messages each at once, Redis: busiest second of any account {busiest} requests (limit 7); \
         rate while backlogged: min {:.2}/s, median {:.2}/s, max {:.2}/s",
        rates[0],
        rates[rates.len() / 2],
        rates[rates.len() - 1]
    );
    redis.flush();

    let Some(lib) = faketime::library() else { return };
    let (per_message, took, busiest) = notes_at_the_hour(&redis, lib);
    println!(
        "dialog copy, hourly, 10,000 deals x 3 messages, Redis: {per_message:.0} bytes of state per buffered message; \
         the hour's 10,000 notes written {took:.1} s after it ended, busiest second {busiest} requests (limit 7)"
    );
}
