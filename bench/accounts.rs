//! `chatroute serve DIR` at scale: `cargo bench --bench accounts`.
//!
//! For 100, 1,000 and 10,000 accounts (the stationery example's table under
//! another account each, hash recomputed): the time from starting the
//! process to its listening, its resident memory then, and the time from
//! replacing one account's file to that account serving the new table
//! (median of 5); then `POST /v1/accounts/{account}/deals` at 16
//! connections with 10,000 accounts loaded, beside one account. `ACCOUNTS_BENCH_SECS` (default 3) per load run.

#[path = "load.rs"]
mod load;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use load::Service;

use serde_json::Value;

/// The table of `account`, from the compiled example.
fn table_for(template: &Value, account: &str, employee_name: &str) -> Vec<u8> {
    let mut doc = template.clone();
    doc["body"]["account"] = Value::String(account.to_owned());
    doc["body"]["employees"]["bruce"]["name"] = Value::String(employee_name.to_owned());
    doc["hash"] = Value::String(chatroute::table::hash(&doc["body"]));
    serde_json::to_vec_pretty(&doc).unwrap()
}

fn fleet(root: &Path, template: &Value, accounts: usize) -> PathBuf {
    let dir = root.join(format!("n{accounts}"));
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..accounts {
        std::fs::write(dir.join(format!("{i:05}.json")), table_for(template, &format!("acct-{i:05}"), "Bruce"))
            .unwrap();
    }
    dir
}

/// Starts `serve DIR`; the service and how long it took to listen.
fn start(dir: &Path) -> (Service, Duration) {
    let started = Instant::now();
    let service = load::serve(&[dir.to_str().unwrap()]);
    (service, started.elapsed())
}

fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .map_or(0.0, |v| v.trim().trim_end_matches(" kB").parse().unwrap_or(0.0));
    kb / 1024.0
}

fn get(addr: SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

/// From replacing account 0's file to the service answering with its new
/// table, median of 5.
fn reload_latency(service: &Service, dir: &Path, template: &Value) -> Duration {
    let mut took: Vec<Duration> = (0..5)
        .map(|round| {
            let bytes = table_for(template, "acct-00000", &format!("Bruce {round}"));
            let hash = serde_json::from_slice::<Value>(&bytes).unwrap()["hash"].as_str().unwrap().to_owned();
            let tmp = dir.join("00000.tmp");
            std::fs::write(&tmp, &bytes).unwrap();
            let started = Instant::now();
            std::fs::rename(&tmp, dir.join("00000.json")).unwrap();
            while !get(service.addr, "/v1/accounts/acct-00000/table").contains(&hash) {
                std::thread::sleep(Duration::from_millis(5));
            }
            started.elapsed()
        })
        .collect();
    took.sort_unstable();
    took[2]
}

/// Decisions on the last account of the fleet (finding it among 10,000 is
/// one hash lookup, the same for any account).
fn deals(service: &Service, accounts: usize, secs: f64) -> load::Run {
    let addr = service.addr;
    let connect = || TcpStream::connect(addr).unwrap();
    let body = r#"{"channel": "wa-opt"}"#;
    let request = format!(
        "POST /v1/accounts/acct-{:05}/deals HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        accounts - 1,
        body.len()
    );
    load::load(16, secs, connect, request.as_bytes(), load::read_http)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let secs: f64 = std::env::var("ACCOUNTS_BENCH_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let root = std::env::temp_dir().join(format!("chatroute-accounts-bench-{}", std::process::id()));
    let spec = std::fs::read("examples/stationery-wholesale.toml").unwrap();
    let checked = chatroute::check::check("stationery", spec, Default::default());
    let table = chatroute::compile::compile(checked.spec.as_ref().unwrap(), Default::default()).to_bytes();
    let template: Value = serde_json::from_slice(&table).unwrap();
    let mut throughput = Vec::new();
    for accounts in [1, 100, 1_000, 10_000] {
        let dir = fleet(&root, &template, accounts);
        let (service, took) = start(&dir);
        let rss = rss_mb(service.child.id());
        let reload = reload_latency(&service, &dir, &template);
        println!(
            "{accounts:>6} accounts: start-up {:>8.1} ms  RSS {rss:>7.1} MB  one account's reload {:>6.1} ms",
            took.as_secs_f64() * 1e3,
            reload.as_secs_f64() * 1e3
        );
        if accounts == 1 || accounts == 10_000 {
            let run = deals(&service, accounts, secs);
            throughput.push((accounts, run.rps(), run.percentile(0.99)));
        }
    }
    for (accounts, rps, p99) in &throughput {
        println!(
            "{accounts:>6} accounts: {rps:>9.0} decisions/s at 16 connections, p99 {:.0} µs",
            p99.as_secs_f64() * 1e6
        );
    }
    let _ = std::fs::remove_dir_all(&root);
}
