//! A real `redis-server` on a free loopback port, started and stopped by
//! the test (or benchmark) that needs it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) struct RedisServer {
    child: Option<Child>,
    pub port: u16,
    /// Arguments beyond the defaults (`--replicaof`).
    extra: Vec<String>,
}

impl RedisServer {
    /// Starts a server, or returns `None` with a visible message when this
    /// machine has no `redis-server`. `.ci/run` installs it and sets
    /// `CHATROUTE_REQUIRE_REDIS=1`, which turns the skip into a failure.
    pub(crate) fn start() -> Option<RedisServer> {
        Self::start_with(Vec::new())
    }

    /// A replica of the server on `master`.
    pub(crate) fn start_replica_of(master: u16) -> Option<RedisServer> {
        Self::start_with(vec!["--replicaof".into(), "127.0.0.1".into(), master.to_string()])
    }

    fn start_with(extra: Vec<String>) -> Option<RedisServer> {
        if Command::new("redis-server").arg("--version").output().is_err() {
            assert!(
                std::env::var_os("CHATROUTE_REQUIRE_REDIS").is_none(),
                "CHATROUTE_REQUIRE_REDIS is set but redis-server is not installed"
            );
            eprintln!("SKIPPED: redis-server not found; install it (apt-get install redis-server) to run this test");
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let mut server = RedisServer { child: None, port, extra };
        server.spawn();
        Some(server)
    }

    fn spawn(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            // A replica's first sync writes an RDB file: not into the work tree.
            .args([
                "--dir",
                std::env::temp_dir().to_str().unwrap(),
                "--dbfilename",
                &format!("chatroute-{}.rdb", self.port),
            ])
            .args(&self.extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.ping() {
            assert!(Instant::now() < deadline, "redis-server did not answer PING within 10 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn ping(&self) -> bool {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) else { return false };
        let mut buf = [0u8; 7];
        s.write_all(b"PING\r\n").is_ok() && s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
    }

    /// Empties the server's database (a fresh state for the next case).
    pub(crate) fn flush(&self) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream.write_all(b"FLUSHDB\r\n").unwrap();
        let mut ok = [0u8; 5];
        stream.read_exact(&mut ok).unwrap();
    }

    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// Starts the server again on the same port (after `stop`).
    pub(crate) fn restart(&mut self) {
        self.spawn();
    }

    /// Kills the server, as a crash would.
    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
