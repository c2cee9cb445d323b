//! `rediss://`: a real `redis-server` speaking TLS only, its certificate
//! signed by a CA this test makes with `openssl`. Trusted through
//! `SSL_CERT_FILE`, the state works; without it the certificate is refused
//! with a message that says what to do, and nothing is retried.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct TlsRedis {
    child: Child,
    port: u16,
    ca: PathBuf,
}

impl Drop for TlsRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl runs");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A CA, a server certificate for 127.0.0.1 and localhost, and a server
/// that accepts TLS connections only.
fn start() -> Option<TlsRedis> {
    if Command::new("redis-server").arg("--version").output().is_err() {
        assert!(std::env::var_os("CHATROUTE_REQUIRE_REDIS").is_none(), "redis-server is not installed");
        eprintln!("SKIPPED: redis-server not found");
        return None;
    }
    static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("chatroute-tls-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    openssl(
        &dir,
        &["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt"]
            .iter()
            .copied()
            .chain(["-subj", "/CN=chatroute test CA", "-days", "2"])
            .collect::<Vec<_>>(),
    );
    std::fs::write(dir.join("san.ext"), "subjectAltName = IP:127.0.0.1, DNS:localhost\n").unwrap();
    openssl(
        &dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    openssl(
        &dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "san.ext",
        ],
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let file = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    let child = Command::new("redis-server")
        .args(["--port", "0", "--tls-port", &port.to_string(), "--bind", "127.0.0.1", "--save", ""])
        .args(["--tls-cert-file", &file("server.crt"), "--tls-key-file", &file("server.key")])
        .args(["--tls-ca-cert-file", &file("ca.crt"), "--tls-auth-clients", "no"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-server starts");
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the TLS server did not listen in 10 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(TlsRedis { child, port, ca: dir.join("ca.crt") })
}

fn route(table: &Path, url: &str, ca: Option<&Path>) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_chatroute"));
    command.args(["route", table.to_str().unwrap(), "--channel", "wa-opt", "--new-deals", "3", "--state", url]);
    command.env_remove("SSL_CERT_FILE").env_remove("SSL_CERT_DIR");
    if let Some(ca) = ca {
        command.env("SSL_CERT_FILE", ca);
    }
    command.output().unwrap()
}

#[test]
fn rediss_is_trusted_through_ssl_cert_file_and_refused_without() {
    let Some(server) = start() else { return };
    let dir = server.ca.parent().unwrap().to_owned();
    let table = dir.join("t.json");
    let text = std::fs::read_to_string("examples/stationery-wholesale.toml").unwrap();
    let checked = chatroute::check::check("stationery", text.into_bytes(), Default::default());
    std::fs::write(&table, chatroute::compile::compile(checked.spec.as_ref().unwrap(), Default::default()).to_bytes())
        .unwrap();
    let url = format!("rediss://127.0.0.1:{}/0", server.port);

    let trusted = route(&table, &url, Some(&server.ca));
    assert!(trusted.status.success(), "{}", String::from_utf8_lossy(&trusted.stderr));
    assert_eq!(String::from_utf8_lossy(&trusted.stdout).lines().count(), 3);

    let untrusted = route(&table, &url, None);
    let message = String::from_utf8_lossy(&untrusted.stderr);
    assert_eq!(untrusted.status.code(), Some(2), "{message}");
    assert!(message.contains("certificate is not accepted") && message.contains("SSL_CERT_FILE"), "{message}");

    // Plain redis:// to a TLS-only port is not mistaken for TLS.
    let plain = route(&table, &format!("redis://127.0.0.1:{}/0", server.port), None);
    assert_eq!(plain.status.code(), Some(2));
}

/// The untrusted certificate is a permanent fault: the service's answer
/// would be `state_refused`, never "retry later".
#[tokio::test]
async fn an_untrusted_certificate_is_refused_not_unavailable() {
    use chatroute::runtime::{AssignmentState, StateError};
    let Some(server) = start() else { return };
    // The system trust store decides here (a CA of the environment's own
    // would make this test meaningless).
    let state = chatroute::runtime::redis::RedisState::open(
        &format!("rediss://127.0.0.1:{}", server.port),
        Duration::from_secs(2),
    )
    .unwrap();
    if std::env::var_os("SSL_CERT_FILE").is_some() {
        return;
    }
    let err = state.ping().await.unwrap_err();
    assert!(matches!(err, StateError::Refused(_)), "{err:?}");
}
