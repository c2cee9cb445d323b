//! `chatroute serve` as runtime services use it: real processes, real
//! sockets, a real `redis-server` where instances share state.

use crate::support::cli as cli_support;
use crate::support::redis_server;
use crate::support::serve_process;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chatroute::table::TableFile;
use serde_json::Value;
use serve_process::{Serve, agent, get, post, wait_until};

const CYCLE: [&str; 5] = ["bruce", "scrooge", "tony", "tony", "kostya"];

fn compiled(dir: &Path, example: &str) -> PathBuf {
    let text = std::fs::read(format!("examples/{example}.toml")).unwrap();
    let checked = chatroute::check::check(example, text, Default::default());
    let path = dir.join(format!("{example}.json"));
    chatroute::artifact::write_atomically(
        &path,
        &chatroute::compile::compile(checked.spec.as_ref().unwrap(), Default::default()).to_bytes(),
    )
    .unwrap();
    path
}

fn deal(agent: &ureq::Agent, serve: &Serve) -> Result<(u16, Value), String> {
    post(agent, &serve.url("/v1/deals"), r#"{"channel": "wa-opt"}"#)
}

#[test]
fn ten_deals_follow_the_source_table() {
    let dir = cli_support::scratch("serve-ten");
    let serve = Serve::start(&compiled(&dir, "stationery-wholesale"), &[]);
    let agent = agent();
    let who: Vec<String> = (0..10)
        .map(|_| {
            let (status, body) = deal(&agent, &serve).unwrap();
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["pipeline"], "Wholesale");
            body["responsible"]["employee"].as_str().unwrap().to_owned()
        })
        .collect();
    let expected: Vec<&str> = CYCLE.iter().chain(CYCLE.iter()).copied().collect();
    assert_eq!(who, expected);

    let (status, body) = post(&agent, &serve.url("/v1/deals"), r#"{"channel": "nope"}"#).unwrap();
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("unknown_channel")));
    let (status, body) = post(&agent, &serve.url("/v1/deals"), "{not json").unwrap();
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("bad_request")));
    let (status, body) = get(&agent, &serve.url("/v1/access?channel=wa-opt&employee=bruce"));
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["level"], "read_send");
    let (_, metrics) = get(&agent, &serve.url("/metrics"));
    assert!(metrics.contains("chatroute_decisions_total{channel=\"wa-opt\",outcome=\"ok\"} 10"), "{metrics}");
    assert!(metrics.contains("chatroute_decision_seconds_count 11"), "{metrics}");
}

#[test]
fn first_responder_claims_and_employees() {
    let dir = cli_support::scratch("serve-claims");
    let serve = Serve::start(&compiled(&dir, "furniture"), &[]);
    let agent = agent();
    let claim = |who: &str| {
        let body = format!(r#"{{"channel": "wa-wholesale", "dialog": "d1", "employee": "{who}"}}"#);
        post(&agent, &serve.url("/v1/claims"), &body).unwrap()
    };
    assert_eq!(claim("w2").1, serde_json::json!({"won": true}));
    assert_eq!(claim("w3").1, serde_json::json!({"won": false, "winner": "w2"}));
    let (status, body) = get(&agent, &serve.url("/v1/employees/w2"));
    assert_eq!(status, 200, "{body}");
    let (status, _) = get(&agent, &serve.url("/v1/employees/ghost"));
    assert_eq!(status, 404);
}

#[test]
fn two_instances_on_one_redis_keep_the_exact_distribution() {
    let Some(redis) = redis_server::RedisServer::start() else { return };
    let dir = cli_support::scratch("serve-two");
    let table = compiled(&dir, "stationery-wholesale");
    let state = ["--state", &redis.url()];
    // One event loop (the default) and two worker threads, side by side.
    let threaded = [state[0], state[1], "--workers", "2"];
    let instances = Arc::new([Serve::start(&table, &state), Serve::start(&table, &threaded)]);
    let answered = Arc::new(Mutex::new(Vec::new()));
    let threads: Vec<_> = (0..16)
        .map(|t| {
            let (instances, answered) = (instances.clone(), answered.clone());
            std::thread::spawn(move || {
                let agent = agent();
                for i in 0..125 {
                    let (status, body) = deal(&agent, &instances[(t + i) % 2]).unwrap();
                    assert_eq!(status, 200, "{body}");
                    answered.lock().unwrap().push(body);
                }
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    let answered = answered.lock().unwrap();
    let tickets: BTreeSet<u64> = answered.iter().map(|b| b["ticket"].as_u64().unwrap()).collect();
    assert_eq!(tickets, (0..2000).collect(), "every ticket once");
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for b in answered.iter() {
        *counts.entry(b["responsible"]["employee"].as_str().unwrap()).or_default() += 1;
    }
    assert_eq!(counts, BTreeMap::from([("bruce", 400), ("kostya", 400), ("scrooge", 400), ("tony", 800)]));
}

#[test]
fn an_instance_killed_mid_load_loses_and_duplicates_no_answered_decision() {
    let Some(redis) = redis_server::RedisServer::start() else { return };
    let dir = cli_support::scratch("serve-kill");
    let table = compiled(&dir, "stationery-wholesale");
    let state = ["--state", &redis.url()];
    let mut victim = Serve::start(&table, &state);
    let survivor = Arc::new(Serve::start(&table, &state));
    let victim_base = victim.base.clone();
    let answered = Arc::new(Mutex::new(Vec::new()));
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let (survivor, answered, victim_base) = (survivor.clone(), answered.clone(), victim_base.clone());
            std::thread::spawn(move || {
                let agent = agent();
                for i in 0..150 {
                    let url =
                        if (t + i) % 2 == 0 { format!("{victim_base}/v1/deals") } else { survivor.url("/v1/deals") };
                    // After the kill, the victim's requests fail: not answered, not counted.
                    if let Ok((200, body)) = post(&agent, &url, r#"{"channel": "wa-opt"}"#) {
                        answered.lock().unwrap().push(body);
                    }
                }
            })
        })
        .collect();
    wait_until("300 answers", Duration::from_secs(20), || answered.lock().unwrap().len() >= 300);
    victim.child.kill().unwrap(); // SIGKILL
    victim.child.wait().unwrap();
    threads.into_iter().for_each(|t| t.join().unwrap());
    let answered = answered.lock().unwrap();
    assert!(answered.len() >= 600, "the survivor kept answering: {}", answered.len());
    let mut tickets = BTreeSet::new();
    for b in answered.iter() {
        let ticket = b["ticket"].as_u64().unwrap();
        assert!(tickets.insert(ticket), "ticket {ticket} answered twice");
        assert_eq!(b["responsible"]["employee"], CYCLE[(ticket % 5) as usize], "ticket {ticket}");
    }
}

#[test]
fn a_replaced_table_is_activated_once_and_a_corrupted_one_refused() {
    let dir = cli_support::scratch("serve-reload");
    let table = compiled(&dir, "stationery-wholesale");
    let serve = Arc::new(Serve::start(&table, &[]));
    let old_hash = TableFile::load(&table).unwrap().hash;
    let agent = agent();
    let status = |agent: &ureq::Agent| serde_json::from_str::<Value>(&get(agent, &serve.url("/v1/table")).1).unwrap();
    assert_eq!(status(&agent)["hash"], old_hash.as_str());

    // Decisions under load the whole time: none may fail.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = {
        let (serve, stop) = (serve.clone(), stop.clone());
        std::thread::spawn(move || {
            let agent = serve_process::agent();
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let (status, body) = deal(&agent, &serve).unwrap();
                assert_eq!(status, 200, "{body}");
                n += 1;
            }
            n
        })
    };
    // A good new table (another cycle), written as compile writes: rename.
    let text =
        std::fs::read_to_string("examples/stationery-wholesale.toml").unwrap().replace("weight = 2", "weight = 3");
    let checked = chatroute::check::check("next", text.into_bytes(), Default::default());
    let next = chatroute::compile::compile(checked.spec.as_ref().unwrap(), Default::default());
    chatroute::artifact::write_atomically(&table, &next.to_bytes()).unwrap();
    wait_until("the new table", Duration::from_secs(20), || status(&agent)["hash"] == next.hash.as_str());
    assert!(status(&agent)["last_reload_error"].is_null());

    // A corrupted one: refused, the new table keeps serving.
    chatroute::artifact::write_atomically(&table, b"{\"format\": \"chatroute-table\", \"format_version\": 1, \"trunc")
        .unwrap();
    wait_until("the refusal", Duration::from_secs(20), || !status(&agent)["last_reload_error"].is_null());
    assert_eq!(status(&agent)["hash"], next.hash.as_str());
    let (_, ready) = get(&agent, &serve.url("/readyz"));
    assert!(ready.contains("last reload refused"), "{ready}");
    let (_, metrics) = get(&agent, &serve.url("/metrics"));
    assert!(metrics.contains("chatroute_table_reloads_total{result=\"ok\"} 1"), "{metrics}");
    assert!(metrics.contains("chatroute_table_reloads_total{result=\"error\"} 1"), "{metrics}");
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(load.join().unwrap() > 0);

    // SIGHUP re-reads on demand: the corrupted file is refused again.
    serve.signal("HUP");
    wait_until("the second refusal", Duration::from_secs(20), || {
        get(&agent, &serve.url("/metrics")).1.contains("result=\"error\"} 2")
    });
}

#[test]
fn redis_down_answers_503_and_the_service_recovers() {
    let Some(mut redis) = redis_server::RedisServer::start() else { return };
    let dir = cli_support::scratch("serve-redis-down");
    let serve = Serve::start(&compiled(&dir, "stationery-wholesale"), &["--state", &redis.url()]);
    let agent = agent();
    assert_eq!(deal(&agent, &serve).unwrap().0, 200);
    redis.stop();
    let mut response = agent.post(&serve.url("/v1/deals")).send(r#"{"channel": "wa-opt"}"#).unwrap();
    assert_eq!(response.status().as_u16(), 503);
    assert_eq!(response.headers().get("retry-after").unwrap(), "1");
    assert!(response.body_mut().read_to_string().unwrap().contains("state_unavailable"));
    assert_eq!(get(&agent, &serve.url("/readyz")).0, 503);
    redis.restart();
    wait_until("recovery", Duration::from_secs(20), || deal(&agent, &serve).is_ok_and(|(s, _)| s == 200));
    assert_eq!(get(&agent, &serve.url("/readyz")).0, 200);
}

#[test]
fn tokens_are_required_when_configured_and_sigterm_ends_cleanly() {
    let dir = cli_support::scratch("serve-token");
    let token_file = dir.join("token");
    std::fs::write(&token_file, "a-long-enough-secret-token\n").unwrap();
    let mut serve =
        Serve::start(&compiled(&dir, "stationery-wholesale"), &["--token-file", token_file.to_str().unwrap()]);
    let agent = agent();
    let (status, body) = deal(&agent, &serve).unwrap();
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("unauthorized")));
    let mut ok = agent
        .post(&serve.url("/v1/deals"))
        .header("Authorization", "Bearer a-long-enough-secret-token")
        .send(r#"{"channel": "wa-opt"}"#)
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200, "{}", ok.body_mut().read_to_string().unwrap());
    assert_eq!(get(&agent, &serve.url("/healthz")).0, 200, "health needs no token");
    let big = format!(r#"{{"channel": "{}"}}"#, "x".repeat(100_000));
    let big_request = agent
        .post(&serve.url("/v1/deals"))
        .header("Authorization", "Bearer a-long-enough-secret-token")
        .send(big.as_str())
        .unwrap();
    assert_eq!(big_request.status().as_u16(), 413, "bodies are bounded");
    serve.signal("TERM");
    let exit = serve.child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
}

#[test]
fn the_openapi_document_is_generated_committed_and_served() {
    let generated = chatroute::serve::openapi::document(false);
    let committed = std::fs::read_to_string("docs/openapi.json").unwrap();
    assert!(generated == committed, "docs/openapi.json is stale: run `cargo run -- openapi > docs/openapi.json`");
    let accounts = std::fs::read_to_string("docs/openapi-accounts.json").unwrap();
    assert!(
        chatroute::serve::openapi::document(true) == accounts,
        "docs/openapi-accounts.json is stale: run `cargo run -- openapi --accounts > docs/openapi-accounts.json`"
    );
    let doc: Value = serde_json::from_str(&generated).unwrap();
    for path in ["/v1/deals", "/v1/claims", "/v1/access", "/v1/employees/{handle}", "/v1/table", "/readyz", "/metrics"]
    {
        assert!(doc["paths"][path].is_object(), "{path}");
    }
    let dir = cli_support::scratch("serve-openapi");
    let serve = Serve::start(&compiled(&dir, "stationery-wholesale"), &[]);
    assert_eq!(get(&agent(), &serve.url("/openapi.json")).1, committed);
}

#[test]
fn availability_and_closing_deals_over_http() {
    let dir = cli_support::scratch("serve-availability");
    let spec = std::fs::read_to_string("examples/stationery-wholesale.toml")
        .unwrap()
        .replacen("mode = \"round_robin\"", "mode = \"round_robin\"\nskip_unavailable = true", 1)
        .replace("{ employee = \"tony\", weight = 2 }", "{ employee = \"tony\", weight = 2, max_open = 1 }");
    let checked = chatroute::check::check("spec", spec.into_bytes(), Default::default());
    let table = dir.join("t.json");
    std::fs::write(&table, chatroute::compile::compile(checked.spec.as_ref().unwrap(), Default::default()).to_bytes())
        .unwrap();
    let serve = Serve::start(&table, &[]);
    let agent = agent();
    let deal = |id: &str| {
        let (status, body) =
            post(&agent, &serve.url("/v1/deals"), &format!(r#"{{"channel": "wa-opt", "deal": "{id}"}}"#)).unwrap();
        assert_eq!(status, 200, "{body}");
        body["responsible"].clone()
    };
    let (status, body) = deal_without_id(&agent, &serve);
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("bad_request")), "a capped channel needs deal ids");

    let mut put = agent.put(&serve.url("/v1/employees/scrooge/availability")).send(r#"{"available": false}"#).unwrap();
    assert_eq!(put.status().as_u16(), 200, "{}", put.body_mut().read_to_string().unwrap());
    let who: Vec<Value> = ["d1", "d2", "d3", "d4"].iter().map(|d| deal(d)).collect();
    assert_eq!(who[0]["employee"], "bruce");
    assert_eq!(who[1]["employee"], "tony", "scrooge is skipped");
    assert_eq!(who[2]["employee"], "kostya", "tony is full");
    assert_eq!(who[3]["employee"], "bruce");
    let (status, closed) = post(&agent, &serve.url("/v1/deals/d2/close"), "").unwrap();
    assert_eq!(status, 200);
    assert_eq!(closed, serde_json::json!({"deal": "d2", "closed": true, "counted": true, "employee": "tony"}));
    assert_eq!(deal("d5")["employee"], "tony", "room again after the close");
    // A deal chatroute never counted (here: never decided) closes all the
    // same; the answer says nothing was counted, not that closing failed.
    let (status, closed) = post(&agent, &serve.url("/v1/deals/never-seen/close"), "").unwrap();
    assert_eq!(status, 200);
    assert_eq!(closed, serde_json::json!({"deal": "never-seen", "closed": true, "counted": false, "employee": null}));

    for handle in ["bruce", "tony", "kostya"] {
        let url = serve.url(&format!("/v1/employees/{handle}/availability"));
        assert_eq!(agent.put(&url).send(r#"{"available": false}"#).unwrap().status().as_u16(), 200);
    }
    assert_eq!(deal("d6"), serde_json::json!({"unassigned": true}));
    let unknown = agent.put(&serve.url("/v1/employees/ghost/availability")).send(r#"{"available": true}"#).unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
}

fn deal_without_id(agent: &ureq::Agent, serve: &Serve) -> (u16, Value) {
    post(agent, &serve.url("/v1/deals"), r#"{"channel": "wa-opt"}"#).unwrap()
}

// Issue 20: what an attacker or an unlucky operator does to the service.

use std::io::{Read, Write};
use std::net::TcpStream;

fn addr(serve: &Serve) -> String {
    serve.base.trim_start_matches("http://").to_owned()
}

fn raw(serve: &Serve, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr(serve)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status.lines().find_map(|l| l.strip_prefix("VmRSS:")).unwrap().trim().trim_end_matches(" kB").parse().unwrap()
}

/// Item 3: half-sent requests and idle connections are closed after the
/// header timeout; a flood of them neither starves `/healthz` for long nor
/// grows memory; SIGTERM ends the process within the grace period.
#[test]
fn idle_and_half_sent_connections_are_bounded() {
    let dir = cli_support::scratch("serve-slowloris");
    let mut serve = Serve::start(
        &compiled(&dir, "stationery-wholesale"),
        &["--header-timeout", "1", "--max-connections", "50", "--grace", "1"],
    );
    let before = rss_kb(serve.child.id());
    let header = format!("POST /v1/deals HTTP/1.1\r\nHost: x\r\nX-Fill: {}", "a".repeat(15 * 1024));
    let mut open: Vec<TcpStream> = (0..200)
        .map(|_| {
            let mut s = TcpStream::connect(addr(&serve)).unwrap();
            let _ = s.write_all(header.as_bytes());
            s
        })
        .collect();
    // Connections past the cap wait in the backlog; each slot frees after
    // the header timeout, so health answers within a few timeouts.
    let started = Instant::now();
    let (status, _) = get(&agent(), &serve.url("/healthz"));
    assert_eq!(status, 200);
    assert!(started.elapsed() < Duration::from_secs(8), "healthz took {:?}", started.elapsed());
    assert!(rss_kb(serve.child.id()) < before + 40 * 1024, "memory grew from {before} kB");
    // Every one of them was closed by the server.
    for s in &mut open {
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut buf = [0u8; 512];
        let closed = loop {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => break true,
                Ok(_) => continue,
            }
        };
        assert!(closed);
    }
    // A keep-alive connection idle past the timeout is closed too.
    let mut idle = TcpStream::connect(addr(&serve)).unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut answer = Vec::new();
    let _ = idle.read_to_end(&mut answer);
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"), "answered, then closed when idle");
    // One connection dribbling a head does not hold the exit.
    let _dribble = TcpStream::connect(addr(&serve)).unwrap().write_all(b"GET /heal");
    serve.signal("TERM");
    let stopped = Instant::now();
    serve.child.wait().unwrap();
    assert!(stopped.elapsed() < Duration::from_secs(4), "exit took {:?}", stopped.elapsed());
}

/// Item 12: every error has the JSON error body, also those axum and hyper
/// write themselves.
#[test]
fn every_error_answer_has_the_error_body() {
    let dir = cli_support::scratch("serve-error-shapes");
    let serve = Serve::start(&compiled(&dir, "stationery-wholesale"), &[]);
    let big = format!(r#"{{"channel": "{}"}}"#, "x".repeat(100_000));
    let cases: [(String, u16, &str); 5] = [
        (
            format!(
                "POST /v1/deals HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{big}",
                big.len()
            ),
            413,
            "payload_too_large",
        ),
        ("GET /v1/employees/%FF%FE HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".into(), 400, "bad_request"),
        ("DELETE /v1/deals HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".into(), 405, "method_not_allowed"),
        ("POST /v1/deals HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n".into(), 400, "bad_request"),
        (
            format!("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n", "b".repeat(20_000)),
            431,
            "headers_too_large",
        ),
    ];
    for (request, status, code) in cases {
        let answer = raw(&serve, request.as_bytes());
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        assert!(head.starts_with(&format!("HTTP/1.1 {status}")), "{head}");
        assert!(head.to_ascii_lowercase().contains("content-type: application/json"), "{head}");
        let body: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"));
        assert_eq!(body["error"]["code"], code, "{answer}");
        assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

/// Item 14: the token file is read bounded, only as a regular file, and
/// the `Bearer` scheme is case-insensitive.
#[test]
fn token_files_are_bounded_and_the_scheme_is_case_insensitive() {
    let dir = cli_support::scratch("serve-token-files");
    let table = compiled(&dir, "stationery-wholesale");
    let fifo = dir.join("fifo");
    let _ = std::fs::remove_file(&fifo);
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    for path in [Path::new("/dev/zero"), fifo.as_path()] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_chatroute"))
            .args(["serve", table.to_str().unwrap(), "--listen", "127.0.0.1:0", "--token-file"])
            .arg(path)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stderr).contains("not a regular file"));
    }
    let token_file = dir.join("token");
    std::fs::write(&token_file, "a-long-enough-secret-token\n").unwrap();
    let serve = Serve::start(&table, &["--token-file", token_file.to_str().unwrap()]);
    let response = agent()
        .post(&serve.url("/v1/deals"))
        .header("Authorization", "bearer a-long-enough-secret-token")
        .send(r#"{"channel": "wa-opt"}"#)
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

/// Item 17: Schemathesis (pinned in `.ci/run`, in `target/schemathesis`)
/// generates requests from the served OpenAPI document and runs every
/// check against them: the document says exactly what the service does.
#[test]
fn schemathesis_finds_the_service_true_to_its_document() {
    let st = Path::new("target/schemathesis/bin/st");
    if !st.exists() {
        assert!(
            std::env::var_os("CHATROUTE_REQUIRE_SCHEMATHESIS").is_none(),
            "CHATROUTE_REQUIRE_SCHEMATHESIS is set but {} is missing",
            st.display()
        );
        eprintln!("SKIPPED: Schemathesis not installed (.ci/run installs it under target/schemathesis)");
        return;
    }
    let dir = cli_support::scratch("serve-schemathesis");
    let table = compiled(&dir, "furniture");
    // `serve TABLE`, and `serve DIR` with the same table as its account.
    let fleet = dir.join("fleet");
    std::fs::create_dir_all(&fleet).unwrap();
    std::fs::copy(&table, fleet.join("furniture.json")).unwrap();
    // With a receiver nobody runs, so the notify endpoints answer too.
    let notify = ["--notify", "http://127.0.0.1:9/hook", "--notify-attempts", "1"];
    for source in [table, fleet] {
        let serve = Serve::start(&source, &notify);
        let out = std::process::Command::new(std::fs::canonicalize(st).unwrap())
            .args(["run", &serve.url("/openapi.json"), "--checks", "all", "--seed", "42", "--max-examples", "50"])
            .args(["--workers", "1", "--request-timeout", "5"])
            .env("SCHEMATHESIS_TELEMETRY", "false")
            .current_dir(&dir)
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{}: {report}\n{}", source.display(), String::from_utf8_lossy(&out.stderr));
        assert!(report.contains("No issues found"), "{report}");
    }
}

/// docs/service.md's console session, run: each command against a real
/// `serve`, each answer as the page shows it.
#[test]
fn the_documented_session_answers_as_shown() {
    let doc = std::fs::read_to_string("docs/service.md").unwrap();
    let sessions = crate::support::markdown::blocks(&doc, "console");
    let block = sessions.iter().find(|b| b.starts_with("$ chatroute compile")).expect("the session");
    let dir = cli_support::scratch("serve-documented");
    let table = dir.join("table.json");
    let mut serve: Option<Serve> = None;
    let mut answers: Vec<(String, String)> = Vec::new();
    for line in block.lines() {
        let Some(command) = line.strip_prefix("$ ") else {
            answers.last_mut().expect("an answer follows a command").1.push_str(line);
            continue;
        };
        if command.starts_with("chatroute compile") {
            let args: Vec<String> = command
                .split_whitespace()
                .skip(1)
                .map(|a| if a == "table.json" { table.display().to_string() } else { a.into() })
                .collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            assert_eq!(cli_support::chatroute(&args).status.code(), Some(0), "{command}");
        } else if command.starts_with("chatroute serve") {
            serve = Some(Serve::start(&table, &[]));
        } else {
            let base = serve.as_ref().expect("serve runs").base.trim_start_matches("http://").to_owned();
            answers.push((command.replace("localhost:8181", &base), String::new()));
        }
    }
    assert!(answers.len() >= 3, "{answers:?}");
    for (command, expected) in answers {
        let out = std::process::Command::new("sh").args(["-c", &command]).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), expected, "{command}");
    }
}
