//! What the HTTP benchmarks share: a `chatroute serve` process, and the
//! load generator (plain TCP, one thread per keep-alive connection, every
//! request's latency kept).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `chatroute serve`, killed when dropped.
pub(crate) struct Service {
    pub child: Child,
    pub addr: SocketAddr,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `chatroute serve ARGS --listen 127.0.0.1:0` and waits until it
/// listens.
pub(crate) fn serve(args: &[&str]) -> Service {
    start("serve", args)
}

/// Starts `chatroute COMMAND ARGS --listen 127.0.0.1:0` (`serve`,
/// `connect`) and waits until it listens.
pub(crate) fn start(command: &str, args: &[&str]) -> Service {
    start_with_env(command, &[], args)
}

/// `start` with environment variables (libfaketime).
pub(crate) fn start_with_env(command: &str, env: &[(&str, &str)], args: &[&str]) -> Service {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chatroute"))
        .envs(env.iter().copied())
        .arg(command)
        .args(args)
        .args(["--listen", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("chatroute starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let listening = format!("chatroute {command}: listening on http://");
    let addr = loop {
        let line = lines.next().unwrap().unwrap();
        if let Some(a) = line.strip_prefix(listening.as_str()) {
            break a.parse().unwrap();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Service { child, addr }
}

pub(crate) struct Run {
    pub requests: usize,
    pub secs: f64,
    pub latencies: Vec<Duration>,
}

impl Run {
    pub(crate) fn rps(&self) -> f64 {
        self.requests as f64 / self.secs
    }

    pub(crate) fn percentile(&self, p: f64) -> Duration {
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies.get(i).copied().unwrap_or_default()
    }
}

/// `connections` threads, each a keep-alive connection sending `request`
/// and reading one reply per request, for `secs`.
pub(crate) fn load(
    connections: usize,
    secs: f64,
    connect: impl Fn() -> TcpStream + Sync,
    request: &[u8],
    read: fn(&mut BufReader<TcpStream>),
) -> Run {
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let started = Instant::now();
    let per_thread: Vec<Vec<Duration>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..connections)
            .map(|_| {
                scope.spawn(|| {
                    let stream = connect();
                    stream.set_nodelay(true).unwrap();
                    let mut writer = stream.try_clone().unwrap();
                    let mut reader = BufReader::new(stream);
                    let mut latencies = Vec::new();
                    while Instant::now() < deadline {
                        let t = Instant::now();
                        writer.write_all(request).unwrap();
                        read(&mut reader);
                        latencies.push(t.elapsed());
                    }
                    latencies
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let secs = started.elapsed().as_secs_f64();
    let mut latencies: Vec<Duration> = per_thread.into_iter().flatten().collect();
    latencies.sort_unstable();
    Run { requests: latencies.len(), secs, latencies }
}

/// Reads one HTTP/1.1 response (headers and a Content-Length body).
pub(crate) fn read_http(reader: &mut BufReader<TcpStream>) {
    let mut length = 0;
    let mut line = String::new();
    let mut status = true;
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if status {
            assert!(line.starts_with("HTTP/1.1 200"), "{line}");
            status = false;
        }
        if line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
}
