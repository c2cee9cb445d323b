//! `chatroute lsp` under edits: `cargo bench --bench lsp`.
//!
//! A generated spec of ~120 KB, then one of ~1 MB, is opened, then changed
//! `LSP_BENCH_EDITS` times (default 10,000; a value toggled so every change
//! is a real one), each change the whole text as an editor sends it; for
//! each the time from sending it to receiving its diagnostics is measured
//! (median, p99, max), and the server's resident memory is read from /proc
//! after 1,000 edits and at the end. `LSP_BENCH_SIZES=1MB` runs one.

#[path = "specgen.rs"]
mod specgen;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or(0)
}

/// The server's pipes, framed by `Content-Length`.
struct Server {
    stdin: std::process::ChildStdin,
    stdout: BufReader<std::process::ChildStdout>,
}

impl Server {
    fn send(&mut self, m: serde_json::Value) {
        let body = m.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn receive(&mut self) -> serde_json::Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            assert!(self.stdout.read_line(&mut line).unwrap() > 0, "server closed");
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length: ") {
                length = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.stdout.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }
}

/// Times `edits` full changes from sending each to its diagnostics; the
/// server's RSS after 1,000 of them.
fn edit(server: &mut Server, pid: u32, spec: &str, uri: &str, edits: usize) -> (Vec<Duration>, u64) {
    let mut latencies = Vec::with_capacity(edits);
    let mut rss_early = 0;
    for n in 0..edits {
        let text = spec.replacen(
            "copy_dialog = \"hourly\"",
            if n % 2 == 0 { "copy_dialog = \"daily\"" } else { "copy_dialog = \"hourly\"" },
            1,
        );
        let started = Instant::now();
        server.send(
            serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": n + 2}, "contentChanges": [{"text": text}]}}),
        );
        let published = server.receive();
        assert_eq!(published["method"], "textDocument/publishDiagnostics");
        latencies.push(started.elapsed());
        if n == 999 {
            rss_early = rss_kib(pid);
        }
    }
    (latencies, rss_early)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let edits: usize = std::env::var("LSP_BENCH_EDITS").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let wanted = std::env::var("LSP_BENCH_SIZES").unwrap_or_else(|_| "120KB,1MB".into());
    let sizes = [
        specgen::Size { name: "120KB", employees: 650, channels: 60, access: 40 },
        specgen::Size { name: "1MB", employees: 3_700, channels: 280, access: 140 },
    ];
    for size in sizes.into_iter().filter(|s| wanted.split(',').any(|w| w == s.name)) {
        run(specgen::generate(size), edits);
    }
}

/// One server, one spec, `edits` changes.
fn run(spec: String, edits: usize) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chatroute"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("chatroute lsp starts");
    let pid = child.id();
    let mut server =
        Server { stdin: child.stdin.take().unwrap(), stdout: BufReader::new(child.stdout.take().unwrap()) };
    let uri = "file:///tmp/bench.toml";
    server.send(serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}));
    server.receive();
    server.send(serde_json::json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    server.send(
        serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "toml", "version": 1, "text": spec}}}),
    );
    server.receive();
    let (mut latencies, rss_early) = edit(&mut server, pid, &spec, uri, edits);
    let rss_end = rss_kib(pid);
    latencies.sort_unstable();
    let at = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("spec: {} bytes; {edits} edits", spec.len());
    println!(
        "change -> diagnostics: median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(at(0.5)),
        ms(at(0.99)),
        ms(*latencies.last().unwrap())
    );
    println!("server RSS: {rss_early} KiB after 1,000 edits, {rss_end} KiB after {edits}");
    server.send(serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
    server.receive();
    server.send(serde_json::json!({"jsonrpc": "2.0", "method": "exit"}));
    let _ = child.wait();
}
