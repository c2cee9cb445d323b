//! A real Redis Cluster of 3 masters and 3 replicas on loopback, built as
//! an operator builds one: six `redis-server --cluster-enabled yes` nodes,
//! then `redis-cli --cluster create ... --cluster-replicas 1`. Each node's
//! cluster bus is its port + 10000, so both must be free.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) struct RedisCluster {
    nodes: Vec<Option<Child>>,
    pub ports: Vec<u16>,
    dir: PathBuf,
}

/// Six ports whose bus ports (+10000) are free too.
fn free_ports() -> Vec<u16> {
    let mut ports = Vec::new();
    let mut held = Vec::new();
    while ports.len() < 6 {
        let l = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = l.local_addr().unwrap().port();
        if port < 55000
            && !ports.contains(&port)
            && let Ok(bus) = TcpListener::bind(("127.0.0.1", port + 10000))
        {
            ports.push(port);
            held.push(bus);
        }
        held.push(l);
    }
    ports
}

impl RedisCluster {
    /// The cluster, or `None` (with a message) on a machine without Redis;
    /// `CHATROUTE_REQUIRE_REDIS` turns the skip into a failure.
    pub(crate) fn start() -> Option<RedisCluster> {
        if Command::new("redis-server").arg("--version").output().is_err() {
            assert!(std::env::var_os("CHATROUTE_REQUIRE_REDIS").is_none(), "redis-server is not installed");
            eprintln!("SKIPPED: redis-server not found; install it (apt-get install redis-server)");
            return None;
        }
        // One cluster starts at a time in a test binary: free ports are
        // free only until a server binds them, and two clusters choosing at
        // once could pick the same one.
        static STARTING: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _one_at_a_time = STARTING.lock().unwrap_or_else(|p| p.into_inner());
        let ports = free_ports();
        let dir = std::env::temp_dir().join(format!("chatroute-cluster-{}-{}", std::process::id(), ports[0]));
        std::fs::create_dir_all(&dir).unwrap();
        let mut cluster = RedisCluster { nodes: Vec::new(), ports: ports.clone(), dir };
        for port in &ports {
            let child = cluster.node(*port);
            cluster.nodes.push(Some(child));
        }
        let addresses: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
        let created = Command::new("redis-cli")
            .arg("--cluster")
            .arg("create")
            .args(&addresses)
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .output()
            .expect("redis-cli runs");
        assert!(created.status.success(), "redis-cli --cluster create: {}", String::from_utf8_lossy(&created.stdout));
        let deadline = Instant::now() + Duration::from_secs(30);
        while !ports.iter().all(|p| cluster.info(*p).contains("cluster_state:ok")) {
            assert!(Instant::now() < deadline, "the cluster did not reach cluster_state:ok in 30 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(cluster)
    }

    fn node(&self, port: u16) -> Child {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--cluster-enabled", "yes", "--cluster-node-timeout", "1000"])
            .args(["--cluster-config-file", &format!("nodes-{port}.conf")])
            .args(["--dir", self.dir.to_str().unwrap(), "--dbfilename", &format!("dump-{port}.rdb")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        let mut child = child;
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.cli(port, &["PING"]).contains("PONG") {
            assert!(Instant::now() < deadline, "node {port} did not answer PING in 10 s");
            std::thread::sleep(Duration::from_millis(20));
        }
        // The PONG must be this node's, not another server's on the port.
        assert!(child.try_wait().ok().flatten().is_none(), "redis-server on {port} exited (port taken?)");
        child
    }

    /// `redis-cli -p PORT ARGS...`, its output (empty when it failed).
    pub(crate) fn cli(&self, port: u16, args: &[&str]) -> String {
        Command::new("redis-cli")
            .args(["-p", &port.to_string()])
            .args(args)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }

    fn info(&self, port: u16) -> String {
        self.cli(port, &["CLUSTER", "INFO"])
    }

    /// The seed URL of the whole cluster (every node).
    pub(crate) fn url(&self) -> String {
        let hosts: Vec<String> = self.ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
        format!("redis+cluster://{}", hosts.join(","))
    }

    /// The port of the master now serving `key`'s slot.
    pub(crate) fn master_of(&self, key: &str) -> u16 {
        let slot: u16 = self.cli(self.ports[0], &["CLUSTER", "KEYSLOT", key]).trim().parse().expect("a slot");
        let live = self.live_port();
        for line in self.cli(live, &["CLUSTER", "NODES"]).lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if !fields[2].contains("master") || fields[2].contains("fail") {
                continue;
            }
            let serves = fields[8..].iter().any(|range| match range.split_once('-') {
                Some((a, b)) => (a.parse().unwrap_or(u16::MAX)..=b.parse().unwrap_or(0)).contains(&slot),
                None => range.parse() == Ok(slot),
            });
            if serves {
                let address = fields[1].split('@').next().unwrap();
                return address.rsplit(':').next().unwrap().parse().unwrap();
            }
        }
        panic!("no master serves slot {slot}")
    }

    fn live_port(&self) -> u16 {
        let i = self.nodes.iter().position(Option::is_some).expect("a live node");
        self.ports[i]
    }

    /// Kills a node with SIGKILL (a crash, not a shutdown).
    pub(crate) fn kill(&mut self, port: u16) {
        let i = self.ports.iter().position(|p| *p == port).expect("a node of the cluster");
        if let Some(mut child) = self.nodes[i].take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for child in self.nodes.iter_mut().flatten() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
