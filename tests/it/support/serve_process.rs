//! A real `chatroute serve` process on a free loopback port, and a small
//! HTTP client for it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub(crate) struct Serve {
    pub child: Child,
    pub base: String,
}

impl Serve {
    /// Starts `chatroute serve TABLE --listen 127.0.0.1:0 ARGS` and waits
    /// until it listens.
    pub(crate) fn start(table: &Path, args: &[&str]) -> Serve {
        Self::start_with_env(&[], table, args)
    }

    /// `start` with environment variables (`LD_PRELOAD` of libfaketime: the
    /// process itself, so killing it leaves nothing behind).
    pub(crate) fn start_with_env(env: &[(&str, &str)], table: &Path, args: &[&str]) -> Serve {
        Self::spawn("serve", env, table, args)
    }

    /// Starts `chatroute connect TABLE --listen 127.0.0.1:0 ARGS`.
    pub(crate) fn connect(table: &Path, args: &[&str]) -> Serve {
        Self::spawn("connect", &[], table, args)
    }

    /// `connect` with environment variables (libfaketime).
    pub(crate) fn connect_with_env(env: &[(&str, &str)], table: &Path, args: &[&str]) -> Serve {
        Self::spawn("connect", env, table, args)
    }

    fn spawn(command: &str, env: &[(&str, &str)], table: &Path, args: &[&str]) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_chatroute"))
            .envs(env.iter().copied())
            .arg(command)
            .arg(table)
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let listening = format!("chatroute {command}: listening on ");
        let base = loop {
            let line = lines.next().expect("the service exited before listening").unwrap();
            if let Some(addr) = line.strip_prefix(listening.as_str()) {
                break addr.to_owned();
            }
        };
        // Keep draining stderr so the process never blocks on it.
        std::thread::spawn(move || for _ in lines {});
        Serve { child, base }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) fn signal(&self, signal: &str) {
        Command::new("kill").args(["-s", signal, &self.child.id().to_string()]).status().unwrap();
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `done` every 50 ms until it holds, failing after `limit`.
pub(crate) fn wait_until(what: &str, limit: std::time::Duration, mut done: impl FnMut() -> bool) {
    let started = std::time::Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

pub(crate) fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(10)))
        .build()
        .into()
}

/// POSTs JSON; the status and the body as JSON (`Null` when not JSON).
pub(crate) fn post(agent: &ureq::Agent, url: &str, body: &str) -> Result<(u16, serde_json::Value), String> {
    let mut response =
        agent.post(url).header("Content-Type", "application/json").send(body).map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().map_err(|e| e.to_string())?;
    Ok((status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)))
}

pub(crate) fn get(agent: &ureq::Agent, url: &str) -> (u16, String) {
    let mut response = agent.get(url).call().unwrap();
    let status = response.status().as_u16();
    (status, response.body_mut().read_to_string().unwrap())
}

/// PUTs JSON; the status and the body as JSON.
pub(crate) fn put(agent: &ureq::Agent, url: &str, body: &str) -> (u16, serde_json::Value) {
    let mut response = agent.put(url).header("Content-Type", "application/json").send(body).unwrap();
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap();
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
}
