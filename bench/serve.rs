//! `chatroute serve` under load: `cargo bench --bench serve`.
//!
//! Requests/s and p50/p99 latency of `POST /v1/deals` at 1, 16 and 64
//! keep-alive connections on loopback, with in-process state and with
//! Redis (a `redis-server` it starts itself) and with a Redis Cluster of 3
//! masters and 3 replicas (`redis-cli --cluster create`), against two
//! floors: the same HTTP stack (tokio + axum, on one event loop and on
//! tokio's default runtime; the better is the row's floor) answering a
//! constant, and a bare Redis `INCR` round trip at the same concurrency
//! (on the node, and on the master of the account's slot). Each run lasts `SERVE_BENCH_SECS`
//! (default 3) seconds; the load generator is plain TCP, one thread per
//! connection.

#[path = "load.rs"]
mod load;
// The tests' support, of which a benchmark uses a part.
#[allow(dead_code, unreachable_pub)]
#[path = "../tests/it/support/redis_cluster.rs"]
mod redis_cluster;
// The tests' support, of which a benchmark uses a part.
#[allow(dead_code, unreachable_pub)]
#[path = "../tests/it/support/redis_server.rs"]
mod redis_server;

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpStream};

use load::{Run, load, read_http};

const BODY: &str = r#"{"channel": "wa-opt"}"#;

/// Reads one RESP integer reply.
fn read_resp(reader: &mut BufReader<TcpStream>) {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.starts_with(':'), "{line}");
}

fn http_request(addr: SocketAddr) -> Vec<u8> {
    format!(
        "POST /v1/deals HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{BODY}",
        BODY.len()
    )
    .into_bytes()
}

/// A floor: the same HTTP stack answering a constant decision, on one
/// event loop (what `serve` runs by default, `--workers 1`) or on tokio's
/// default multi-thread runtime (one worker per core, which answers a
/// lone connection sooner: its idle workers spin before they sleep).
fn constant_floor(one_loop: bool) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = if one_loop {
            tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
        } else {
            tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap()
        };
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let answer = r#"{"channel":"wa-opt","pipeline":"Wholesale","stage":"Primary contract","responsible":{"employee":"bruce"},"ticket":0}"#;
            let app = axum::Router::new().route(
                "/v1/deals",
                axum::routing::post(move |_body: axum::body::Bytes| async move {
                    ([(axum::http::header::CONTENT_TYPE, "application/json")], answer)
                }),
            );
            axum::serve(listener, app).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

fn report(name: &str, connections: usize, run: &Run, floor: Option<&Run>) {
    let ratio = floor.map_or(String::new(), |f| format!("  {:5.1}% of floor", 100.0 * run.rps() / f.rps()));
    println!(
        "{name:<30} {connections:>3} conn  {:>9.0} req/s  p50 {:>7.1} µs  p99 {:>7.1} µs{ratio}",
        run.rps(),
        run.percentile(0.50).as_secs_f64() * 1e6,
        run.percentile(0.99).as_secs_f64() * 1e6,
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let secs: f64 = std::env::var("SERVE_BENCH_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let dir = std::env::temp_dir().join(format!("chatroute-serve-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let table = dir.join("stationery.json");
    let spec = std::fs::read("examples/stationery-wholesale.toml").unwrap();
    let checked = chatroute::check::check("stationery", spec, Default::default());
    std::fs::write(&table, chatroute::compile::compile(checked.spec.as_ref().unwrap(), Default::default()).to_bytes())
        .unwrap();
    let table = table.to_str().unwrap();

    let floors = [constant_floor(true), constant_floor(false)];
    let memory_service = load::serve(&[table]);
    let memory = memory_service.addr;
    let redis = redis_server::RedisServer::start();
    let redis_serve = redis.as_ref().map(|r| load::serve(&[table, "--state", &r.url()]));
    let cluster = redis_cluster::RedisCluster::start();
    let cluster_serve = cluster.as_ref().map(|c| load::serve(&[table, "--state", &c.url()]));
    // A key in the account's slot, so on a cluster it is the same node's.
    let key = "chatroute:{kanc-opt}:bench";
    let incr = format!("*2\r\n$4\r\nINCR\r\n${}\r\n{key}\r\n", key.len()).into_bytes();
    let bare = |connections: usize, port: u16| {
        load(connections, secs, || TcpStream::connect(("127.0.0.1", port)).unwrap(), &incr, read_resp)
    };
    for connections in [1, 16, 64] {
        let http = |addr: SocketAddr| {
            let request = http_request(addr);
            load(connections, secs, || TcpStream::connect(addr).unwrap(), &request, read_http)
        };
        let [one_loop, threaded] = floors.map(http);
        report("constant floor, one loop", connections, &one_loop, None);
        report("constant floor, tokio default", connections, &threaded, None);
        // Each row is held to the better of the two.
        let floor_run = if one_loop.rps() >= threaded.rps() { one_loop } else { threaded };
        report("serve, in-process state", connections, &http(memory), Some(&floor_run));
        if let (Some(redis), Some(service)) = (&redis, &redis_serve) {
            report("serve, Redis state", connections, &http(service.addr), Some(&floor_run));
            report("bare Redis INCR", connections, &bare(connections, redis.port), None);
        }
        if let (Some(cluster), Some(service)) = (&cluster, &cluster_serve) {
            report("serve, Redis Cluster state", connections, &http(service.addr), Some(&floor_run));
            let master = cluster.master_of(key);
            report("bare INCR, slot's master", connections, &bare(connections, master), None);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
