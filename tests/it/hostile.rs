//! Hostile and careless input, one test per reproduction of the adversarial
//! run (issue 16): values dropped silently, tables trusted on their hash
//! alone, panics, unbounded reads and waits, ignored write errors, unsafe
//! files, injection and leaked secrets.

use crate::support::amocrm_server;
use crate::support::cli as cli_support;
use crate::support::ready;
use crate::support::redis_server;
use crate::support::specs;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use amocrm_server::{Answer, FakeAmo};
use chatroute::check::{Checked, check};
use chatroute::crm::pull::{PullError, PullOptions, pull};
use chatroute::diagnostics::Code;
use chatroute::diagnostics::render::{self, FileDiagnostics, HumanStyle};
use chatroute::runtime::redis::RedisState;
use chatroute::runtime::{AssignmentState, StateError, ready};
use chatroute::table::{TableError, TableFile, hash};
use cli_support::{chatroute, scratch, stderr, stdout};
use ready::waited;
use serde_json::{Value, json};

fn codes(c: &Checked) -> Vec<Code> {
    c.diagnostics.iter().map(|d| d.code).collect()
}

fn example(name: &str) -> String {
    std::fs::read_to_string(format!("examples/{name}.toml")).unwrap()
}

fn human(c: &Checked) -> String {
    render::human(
        &[FileDiagnostics { file: &c.source, diagnostics: &c.diagnostics }],
        HumanStyle { color: false, width: 100 },
    )
}

fn no_panic(out: &std::process::Output) {
    assert!(!stderr(out).contains("panicked"), "{}", stderr(out));
    assert_ne!(out.status.code(), Some(101), "{}", stderr(out));
}

// 1. Values the spec cannot use are located errors, never dropped.

#[test]
fn float_weights_versions_and_ids_are_errors() {
    let text = example("stationery-wholesale").replace("weight = 2 }", "weight = 3.0 }");
    let checked = check("w.toml", text.into_bytes(), Default::default());
    assert_eq!(codes(&checked), [Code::WrongType], "{:?}", checked.diagnostics);
    assert!(checked.diagnostics[0].message.contains("assignment.members[2].weight"));
    assert!(checked.spec.is_none(), "no table from a spec with errors");

    let text = example("stationery-wholesale").replacen("version = 1", "version = 2.0", 1);
    assert_eq!(codes(&check("v.toml", text.into_bytes(), Default::default())), [Code::WrongType]);

    let text = example("acme").replace("crm_user = 1001", "crm_user = 1001.0");
    let checked = check("c.toml", text.into_bytes(), Default::default());
    assert_eq!(codes(&checked), [Code::WrongType]);
    assert!(checked.diagnostics[0].message.contains("employees.bruce.crm_user"));

    let text = example("stationery-wholesale").replace("weight = 2 }", "weight = 4294967296 }");
    assert_eq!(codes(&check("o.toml", text.into_bytes(), Default::default())), [Code::OutOfRange]);
}

// 2. The hash follows docs/table.md; a body with an unknown key is refused.

fn compiled(name: &str) -> TableFile {
    let checked = check(name, example(name).into_bytes(), Default::default());
    chatroute::compile::compile(checked.spec.as_ref().unwrap(), Default::default())
}

/// A table file with `edit` applied to its body and the hash recomputed
/// the documented way, as a forger would.
fn forged(name: &str, edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut doc: Value = serde_json::from_slice(&compiled(name).to_bytes()).unwrap();
    edit(&mut doc["body"]);
    doc["hash"] = Value::String(hash(&doc["body"]));
    serde_json::to_vec_pretty(&doc).unwrap()
}

#[test]
fn python_and_node_verify_tables_from_the_docs() {
    let dir = scratch("verifiers");
    for name in ["acme", "furniture", "family-workshop"] {
        let path = dir.join(format!("{name}.json"));
        let table = compiled(name);
        std::fs::write(&path, table.to_bytes()).unwrap();
        let runs = [("python3", "docs/verifiers/verify_table.py"), ("node", "docs/verifiers/verify_table.mjs")];
        for (interpreter, script) in runs {
            let out = Command::new(interpreter).arg(script).arg(&path).output();
            let Ok(out) = out else {
                assert!(std::env::var_os("CHATROUTE_REQUIRE_NODE").is_none(), "{interpreter} is not installed");
                eprintln!("SKIPPED: {interpreter} not found");
                continue;
            };
            assert!(out.status.success(), "{interpreter} {name}: {}", stderr(&out));
            assert_eq!(stdout(&out).trim(), table.hash, "{interpreter} {name}");
        }
    }
}

#[test]
fn unknown_body_keys_are_refused_even_with_a_valid_hash() {
    let bytes = forged("acme", |body| body["extra"] = json!(1));
    assert!(matches!(TableFile::from_slice(&bytes), Err(TableError::Malformed(_))));
    let bytes = forged("acme", |body| body["channels"]["wa-retail"]["assignment"]["extra"] = json!(1));
    assert!(matches!(TableFile::from_slice(&bytes), Err(TableError::Malformed(_))));
    // The envelope, too.
    let mut doc: Value = serde_json::from_slice(&compiled("acme").to_bytes()).unwrap();
    doc["signed_by"] = json!("me");
    assert!(TableFile::from_slice(&serde_json::to_vec(&doc).unwrap()).is_err());
}

/// A loaded body is byte for byte what chatroute writes: a null, a default
/// spelt out or `1001.0` for `1001` is refused even under a right hash.
#[test]
fn values_chatroute_never_writes_are_refused() {
    type Edit = fn(&mut Value);
    let edits: [(&str, Edit); 3] = [
        ("a null", |b| b["channels"]["wa-retail"]["wazzup_channel_id"] = Value::Null),
        ("a default spelt out", |b| b["channels"]["wa-retail"]["assignment"]["availability"] = json!({})),
        ("a float for an integer", |b| b["employees"]["bruce"]["crm_user"] = json!(1001.0)),
    ];
    for (what, edit) in edits {
        match TableFile::from_slice(&forged("acme", edit)) {
            // serde reads the first two; only the comparison with what
            // chatroute writes refuses them.
            Err(TableError::Invalid(why)) => assert!(why.contains("never writes"), "{what}: {why}"),
            Err(TableError::Malformed(_)) if what == "a float for an integer" => {}
            other => panic!("{what}: {other:?}"),
        }
    }
    // Unedited, the same path loads.
    assert!(TableFile::from_slice(&forged("acme", |_| {})).is_ok());
}

// 3. Loading checks the body's invariants, not only its hash.

#[test]
fn senseless_tables_with_right_hashes_are_refused() {
    type Edit = fn(&mut Value);
    let edits: [(&str, &str, Edit); 8] = [
        ("stationery-wholesale", "empty cycle", |b| b["channels"]["wa-opt"]["assignment"]["cycle"] = json!([])),
        ("stationery-wholesale", "unknown employee", |b| {
            b["channels"]["wa-opt"]["assignment"]["cycle"] = json!(["ghost"])
        }),
        ("furniture", "empty group", |b| b["channels"]["wa-wholesale"]["assignment"]["group"] = json!([])),
        ("acme", "colliding key", |b| {
            let c = b["channels"]["wa-retail"].clone();
            b["channels"]["wa:retail"] = c;
        }),
        ("acme", "control character", |b| {
            let c = b["channels"]["wa-retail"].clone();
            b["channels"]["wa\n::warning::x"] = c;
        }),
        ("acme", "bad account", |b| b["account"] = json!("shop:wa")),
        ("acme", "unknown admin", |b| b["global_chat"]["admins"] = json!(["ghost"])),
        ("acme", "outgoing without read_send", |b| b["employees"]["bruce"]["default_outgoing"] = json!("nowhere")),
    ];
    for (name, what, edit) in edits {
        let bytes = forged(name, edit);
        match TableFile::from_slice(&bytes) {
            Err(TableError::Invalid(why)) => assert!(!why.contains('\n'), "{what}: {why}"),
            other => panic!("{what}: {other:?}"),
        }
    }
    // Through the CLI: an error, not the division-by-zero panic.
    let dir = scratch("senseless");
    let path = dir.join("t.json");
    std::fs::write(&path, forged("stationery-wholesale", edits[0].2)).unwrap();
    let out = chatroute(&["route", path.to_str().unwrap(), "--channel", "wa-opt"]);
    no_panic(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("inconsistent"), "{}", stderr(&out));
}

// 4. A label far to the right is placed, not drawn; no panic.

#[test]
fn labels_past_column_65535_do_not_panic() {
    let dir = scratch("wide");
    let spec = dir.join("c.toml");
    std::fs::write(&spec, format!("x = \"{}\" y\n", "a".repeat(65_540))).unwrap();
    let s = spec.to_str().unwrap();
    for args in [vec!["check", s], vec!["compile", s], vec!["diff", s, s]] {
        let out = chatroute(&args);
        no_panic(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let text = stdout(&out) + &stderr(&out);
        assert!(text.contains(&format!("{s}:1:65548")) && text.contains("CR001"), "{args:?}: {text}");
    }
}

// 5. Reads stop one byte past the limit.

#[test]
fn endless_and_huge_inputs_are_refused_after_the_limit() {
    let out = chatroute(&["check", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("CR003"), "{}", stdout(&out));

    // A 3 GB sparse file: refused without reading 3 GB.
    let dir = scratch("sparse");
    let sparse = dir.join("big.toml");
    std::fs::File::create(&sparse).unwrap().set_len(3 << 30).unwrap();
    let out = chatroute(&["check", sparse.to_str().unwrap()]);
    assert!(stdout(&out).contains("CR003"));

    for args in [
        vec!["route", "/dev/zero", "--channel", "x"],
        vec!["diff", "/dev/zero", "examples/acme.toml"],
        vec!["check", "--crm", "/dev/zero", "examples/acme.toml"],
    ] {
        let out = chatroute(&args);
        no_panic(&out);
        assert!(matches!(out.status.code(), Some(1 | 2)), "{args:?}: {}", stderr(&out));
    }
}

// 6. Human output is linear in the number of diagnostics (the figure is in
// `cargo bench --bench report`); here: 20,000 of them, each placed right.

#[test]
fn twenty_thousand_warnings_render_each_at_its_place() {
    let spec = specs::many_warnings(20_000);
    let checked = check("many.toml", spec.into_bytes(), Default::default());
    assert_eq!(checked.diagnostics.len(), 20_000);
    assert!(!checked.has_errors());
    let text = human(&checked);
    let last = checked.diagnostics.last().unwrap();
    let at = checked.source.line_col(last.labels[0].span.start);
    assert!(text.contains(&format!("[many.toml:{}:{}]", at.line, at.column)), "last diagnostic misplaced");
    assert_eq!(text.matches("CR303").count(), 20_000);
}

// 7. Pagination that loops, or never ends, stops with a clear error.

fn pull_options(server: &FakeAmo) -> PullOptions {
    let mut opts = PullOptions::new("acme", "hostile-test-token".into());
    opts.base_url = server.base_url.clone();
    opts.http.min_interval = Duration::ZERO;
    opts.http.backoff = Duration::from_millis(1);
    opts
}

#[test]
fn looping_and_endless_pagination_stop() {
    let same = Answer::json(
        "{\"_embedded\":{\"users\":[]},\"_links\":{\"next\":{\"href\":\"{base}/api/v4/users?limit=250\"}}}",
    );
    let server = FakeAmo::start(vec![("/api/v4/users?limit=250", vec![same])]);
    let err = pull("acme", &pull_options(&server)).unwrap_err();
    assert!(matches!(err, PullError::RepeatedLink { .. }), "{err:?}");
    assert_eq!(server.paths().len(), 1);

    // Every page links to a new one: stops at the page cap.
    let pages: Vec<(String, Vec<Answer>)> = (1..=20)
        .map(|n| {
            let path = if n == 1 { "/api/v4/users?limit=250".to_owned() } else { format!("/api/v4/users?page={n}") };
            let next = format!("{{base}}/api/v4/users?page={}", n + 1);
            (path, vec![Answer::json(format!("{{\"_links\":{{\"next\":{{\"href\":\"{next}\"}}}}}}"))])
        })
        .collect();
    let server = FakeAmo::start(pages.iter().map(|(p, a)| (p.as_str(), a.clone())).collect());
    let mut opts = pull_options(&server);
    opts.max_pages = 5;
    let err = pull("acme", &opts).unwrap_err();
    assert!(matches!(err, PullError::TooManyPages { pages: 5, .. }), "{err:?}");
    assert_eq!(server.paths().len(), 5);
}

// 8. Redis: one deadline per command, a cap on replies.

/// How a fake Redis answers every command.
#[derive(Clone)]
enum Peer {
    /// Never a byte.
    Silent,
    /// These bytes, then nothing.
    Once(&'static [u8]),
    /// These bytes over and over, one every 100 ms.
    Drip(&'static [u8]),
    /// These bytes over and over, as fast as it can.
    Flood(&'static [u8]),
}

fn fake_redis(peer: Peer) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("redis://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let peer = peer.clone();
            std::thread::spawn(move || {
                let mut request = [0u8; 1024];
                let _ = stream.read(&mut request);
                let (bytes, pace) = match peer {
                    Peer::Silent => return std::thread::sleep(Duration::from_secs(60)),
                    Peer::Once(bytes) => {
                        let _ = stream.write_all(bytes);
                        return std::thread::sleep(Duration::from_secs(60));
                    }
                    Peer::Drip(bytes) => (bytes, Duration::from_millis(100)),
                    Peer::Flood(bytes) => (bytes, Duration::ZERO),
                };
                for chunk in bytes.chunks(if pace.is_zero() { bytes.len() } else { 1 }).cycle() {
                    if stream.write_all(chunk).is_err() {
                        return;
                    }
                    std::thread::sleep(pace);
                }
            });
        }
    });
    url
}

async fn fails_within(url: &str, limit: Duration) -> String {
    let state = RedisState::open(url, Duration::from_millis(300)).unwrap();
    let started = Instant::now();
    let err = state.next_ticket(&state.cursor("acme", "wa")).await.unwrap_err();
    let took = started.elapsed();
    assert!(took < limit, "{url}: took {took:?}");
    let StateError::Unavailable(why) = err else { panic!("{err:?}") };
    why
}

#[tokio::test]
async fn slow_silent_and_oversized_redis_replies_fail_fast() {
    // 300 ms is the documented bound of a whole call; the limit leaves
    // room for a loaded machine.
    let bound = Duration::from_secs(3);
    let why = fails_within(&fake_redis(Peer::Drip(b":1")), bound).await;
    assert!(why.contains("timed out"), "{why}");
    let why = fails_within(&fake_redis(Peer::Silent), bound).await;
    assert!(why.contains("timed out"), "{why}");
    // An endless simple string, a 2 GB string announced: the deadline ends
    // them (the client does not bound a reply's size: the redis module's doc).
    let before = rss_kb();
    let why = fails_within(&fake_redis(Peer::Flood(b"+aaaaaaaaaaaaaaaa")), bound).await;
    assert!(why.contains("timed out"), "{why}");
    let why = fails_within(&fake_redis(Peer::Once(b"$2147483647\r\n")), bound).await;
    assert!(why.contains("timed out"), "{why}");
    eprintln!("RSS {before} kB -> {} kB", rss_kb());
}

fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

// 9. A closed or full stdout stops the work and exits non-zero.

#[test]
fn a_closed_pipe_stops_route_before_more_tickets_are_taken() {
    let Some(server) = redis_server::RedisServer::start() else { return };
    let dir = scratch("pipe");
    let table = dir.join("t.json");
    std::fs::write(&table, compiled("stationery-wholesale").to_bytes()).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_chatroute"))
        .args(["route", table.to_str().unwrap(), "--channel", "wa-opt", "--new-deals", "100000"])
        .args(["--state", &server.url()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for _ in 0..3 {
        lines.next().unwrap().unwrap();
    }
    drop(lines);
    let out = child.wait_with_output().unwrap();
    no_panic(&out);
    assert_eq!(out.status.code(), Some(2));
    let state = RedisState::open(&server.url(), Duration::from_secs(1)).unwrap();
    let next = waited(state.next_ticket(&state.cursor("kanc-opt", "wa-opt"))).unwrap();
    assert!(next < 1000, "{next} tickets consumed after the reader left");
}

#[test]
fn write_errors_on_stdout_are_failures() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_chatroute"))
        .args(["compile", "examples/acme.toml"])
        .stdout(full)
        .output()
        .unwrap();
    no_panic(&out);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot write to standard output"));

    for args in [&["schema"][..], &["init"], &["explain", "CR101"], &["completions", "bash"], &["man"]] {
        // A pipe whose reading end is closed before the command starts.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(env!("CARGO_BIN_EXE_chatroute")).args(args).stdout(writer).output().unwrap();
        no_panic(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

// 10. Atomic writes: exclusive temporary file, no writing through links or
// into devices.

#[test]
fn outputs_that_are_links_or_devices_are_refused() {
    let dir = scratch("links");
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let link = dir.join("t.json");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let out = chatroute(&["compile", "examples/acme.toml", "-o", link.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());

    let out = chatroute(&["compile", "examples/acme.toml", "-o", "/dev/null"]);
    assert_eq!(out.status.code(), Some(2));
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());

    // A regular output is written whole, readable by others, no leftovers.
    let table = dir.join("table.json");
    let out = chatroute(&["compile", "examples/acme.toml", "-o", table.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&table).unwrap().permissions().mode() & 0o777, 0o644);
    TableFile::load(&table).unwrap();
    let names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
}

// 11. An output that is the input is refused.

#[test]
fn compile_never_overwrites_its_input() {
    let dir = scratch("self");
    let spec = dir.join("spec.toml");
    std::fs::write(&spec, example("acme")).unwrap();
    let other_spelling = dir.join(".").join("spec.toml");
    for output in [&spec, &other_spelling] {
        let out = chatroute(&["compile", spec.to_str().unwrap(), "-o", output.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("is the input"), "{}", stderr(&out));
    }
    assert_eq!(std::fs::read_to_string(&spec).unwrap(), example("acme"));
}

// 12. init escapes whatever a CRM user's name holds.

#[test]
fn init_from_hostile_names_passes_check() {
    let mut snapshot: Value =
        serde_json::from_slice(&std::fs::read("tests/fixtures/crm/acme.snapshot.json").unwrap()).unwrap();
    let names = ["Bruce\u{7f}Wayne", "Quote \"Q\" \\ back", "New\nLine", "\u{1b}[31mRed", "Tab\there", "Ünïcødé"];
    let users = snapshot["users"].as_array_mut().unwrap();
    for (user, name) in users.iter_mut().zip(names) {
        user["name"] = json!(name);
    }
    let dir = scratch("init-hostile");
    let snap = dir.join("s.json");
    std::fs::write(&snap, serde_json::to_vec(&snapshot).unwrap()).unwrap();
    let spec = dir.join("spec.toml");
    let out = chatroute(&["init", "--crm", snap.to_str().unwrap(), "-o", spec.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let checked = check("spec.toml", std::fs::read(&spec).unwrap(), Default::default());
    assert!(!checked.has_errors(), "{}", human(&checked));
    let written: Vec<&str> = checked.spec.as_ref().unwrap().employees.values().map(|e| e.name.as_str()).collect();
    for name in names {
        assert!(written.contains(&name), "{name:?} not kept in {written:?}");
    }
}

// 13. No URL built from an unchecked account; no plain-http token outside
// loopback; state keys cannot collide.

#[test]
fn accounts_that_are_not_subdomains_never_reach_a_url() {
    let out = cli_support::chatroute_with_token(
        &["crm", "pull", "--account", "127.0.0.2:9999#", "-o", "/tmp/never-written.json"],
        Some("secret-token"),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not an amoCRM subdomain"), "{}", stderr(&out));
    assert!(!Path::new("/tmp/never-written.json").exists());

    let out = cli_support::chatroute_with_token(
        &["crm", "pull", "--account", "acme", "--base-url", "http://acme.example", "-o", "/tmp/never-written.json"],
        Some("secret-token"),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("in clear"), "{}", stderr(&out));
    for url in ["http://127.0.0.1:1", "http://[::1]:1", "http://localhost:1", "https://acme.amocrm.ru"] {
        assert!(chatroute::crm::pull::check_base_url(url).is_ok(), "{url}");
    }
}

#[test]
fn ids_that_would_share_a_state_key_are_errors() {
    let text = example("acme").replace("[channels.wa-retail", "[channels.\"wa:retail\"");
    let checked = check("k.toml", text.into_bytes(), Default::default());
    assert!(codes(&checked).contains(&Code::InvalidIdentifier), "{:?}", checked.diagnostics);
    let text = example("acme").replacen("account = \"acme\"", "account = \"shop:wa\"", 1);
    assert!(codes(&check("a.toml", text.into_bytes(), Default::default())).contains(&Code::InvalidIdentifier));
}

// 14. Control characters never reach a log raw.

#[test]
fn injected_workflow_commands_stay_data() {
    let out = chatroute(&["check", "--format", "github", "tests/fixtures/CR104.toml"]);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.lines().all(|l| l.starts_with("::error ")), "{text}");
    let out = chatroute(&["check", "tests/fixtures/CR104.toml"]);
    assert!(!stdout(&out).chars().any(|c| c.is_control() && c != '\n'), "{}", stdout(&out));

    // A name with controls in a table prints escaped in `route` and `diff`.
    let dir = scratch("names");
    let old = dir.join("old.json");
    let new = dir.join("new.json");
    std::fs::write(&old, compiled("stationery-wholesale").to_bytes()).unwrap();
    std::fs::write(
        &new,
        forged("stationery-wholesale", |b| b["employees"]["bruce"]["name"] = json!("B\n::warning::x\u{1b}[2J")),
    )
    .unwrap();
    let route = chatroute(&["route", new.to_str().unwrap(), "--channel", "wa-opt"]);
    let diff = chatroute(&["diff", old.to_str().unwrap(), new.to_str().unwrap()]);
    for out in [route, diff] {
        let text = stdout(&out);
        assert!(!text.lines().any(|l| l.starts_with("::")), "{text}");
        assert!(!text.contains('\u{1b}'), "{text}");
    }
}

// 15. The Redis password is never printed.

#[test]
fn redis_passwords_stay_out_of_messages() {
    let table = scratch("redact").join("t.json");
    std::fs::write(&table, compiled("stationery-wholesale").to_bytes()).unwrap();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    for url in [format!("redis://:s3cret@127.0.0.1:{port}/0"), "redis://:s3cret@host/abc".to_owned()] {
        let out = chatroute(&["route", table.to_str().unwrap(), "--channel", "wa-opt", "--state", &url]);
        assert_eq!(out.status.code(), Some(2));
        assert!(!stderr(&out).contains("s3cret"), "{}", stderr(&out));
    }
    // Base64 secrets hold `/` and `+`; others `@`, `?`, `#`, `:`: no part
    // of any shows in route or state migrate (serve: `serve_waits_for_a_
    // state_that_is_down_at_start`).
    for password in ["Zm9v/YmFy+cXV4", "Qk@Zx?Vb#Nm", "Pw:Jq/Xz"] {
        let url = format!("redis://:{password}@127.0.0.1:{port}/0");
        let t = table.to_str().unwrap();
        for args in
            [vec!["route", t, "--channel", "wa-opt", "--state", &url], vec!["state", "migrate", t, "--state", &url]]
        {
            let out = chatroute(&args);
            let text = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {text}");
            for part in password.split(['/', '@', '?', '#', ':']) {
                assert!(!text.contains(part), "{args:?} shows `{part}`: {text}");
            }
        }
        // serve waits for the state (it may come up): its log until it
        // listens, and a refused decision, show no part either.
        let mut child = Command::new(env!("CARGO_BIN_EXE_chatroute"))
            .args(["serve", table.to_str().unwrap(), "--listen", "127.0.0.1:0", "--state", &url])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut log = String::new();
        for line in BufReader::new(child.stderr.take().unwrap()).lines() {
            let line = line.unwrap();
            log.push_str(&line);
            if line.starts_with("chatroute serve: listening on ") {
                break;
            }
        }
        child.kill().unwrap();
        child.wait().unwrap();
        for part in password.split(['/', '@', '?', '#', ':']) {
            assert!(!log.contains(part), "serve shows `{part}`: {log}");
        }
    }
}

// 16. One column convention in every reporter.

#[test]
fn human_columns_count_characters_like_json() {
    for (name, text) in [
        ("cyrillic.toml", "version = 1\n[employees]\nivan = { name = \"Иван Иванович\", crm_user = \"x\" }\n"),
        ("bom.toml", "\u{feff}version = \"1\"\n"),
    ] {
        let checked = check(name, text.as_bytes().to_vec(), Default::default());
        let doc: Value = serde_json::from_str(&render::json(&[FileDiagnostics {
            file: &checked.source,
            diagnostics: &checked.diagnostics,
        }]))
        .unwrap();
        let human = human(&checked);
        for d in doc["diagnostics"].as_array().unwrap() {
            let at = format!("[{name}:{}:{}]", d["labels"][0]["line"], d["labels"][0]["column"]);
            assert!(human.contains(&at), "{at} not in\n{human}");
        }
    }
}

// Issue 20: wrong answers under races, simulations that wrote production
// state, permanent errors answered as "retry later".

use chatroute::runtime::{CannotTake, Claim, InProcess, Responsible, RouteError, Router};

/// First responder with availability: `a` and `b` may hold one open deal,
/// `c` any number.
fn responders_spec() -> String {
    "version = 1\n[integration]\naccount = \"acme\"\n[employees]\n\
     a = { name = \"A\" }\nb = { name = \"B\" }\nc = { name = \"C\" }\n\
     [defaults]\nnew_deals = { pipeline = \"Sales\", stage = \"New\" }\naccess = \"read_send\"\n\
     [assignment]\nmode = \"first_responder\"\nskip_unavailable = true\n\
     members = [{ employee = \"a\", max_open = 1 }, { employee = \"b\", max_open = 1 }, { employee = \"c\" }]\n\
     [channels.wa]\nname = \"WA\"\ntransport = \"whatsapp\"\nphone = \"+7 999 000-00-01\"\n"
        .to_owned()
}

fn table_of(text: &str) -> TableFile {
    let checked = check("spec.toml", text.as_bytes().to_vec(), Default::default());
    assert!(!checked.has_errors(), "{}", human(&checked));
    chatroute::compile::compile(checked.spec.as_ref().unwrap(), Default::default())
}

async fn full_or_unavailable_claimants_lose<S: AssignmentState>(router: &Router<S>) {
    assert_eq!(router.claim("wa", "d1", "a").await.unwrap(), Claim::Won);
    for n in 2..=22 {
        let err = router.claim("wa", &format!("d{n}"), "a").await.unwrap_err();
        assert!(matches!(err, RouteError::CannotTake { why: CannotTake::AtCapacity, .. }), "{err:?}");
    }
    router.set_available("b", false).await.unwrap();
    let offered = router.new_deal_for("wa", Some("d3")).await.unwrap().responsible;
    assert_eq!(offered, Responsible::FirstOf(vec!["c"]), "a is full, b unavailable");
    let err = router.claim("wa", "d3", "b").await.unwrap_err();
    assert!(matches!(err, RouteError::CannotTake { why: CannotTake::Unavailable, .. }), "{err:?}");
    assert_eq!(router.claim("wa", "d3", "c").await.unwrap(), Claim::Won);
    assert_eq!(router.claim("wa", "d3", "b").await.unwrap(), Claim::Lost { winner: "c".into() });
    // Closing a's deal makes room again.
    assert_eq!(router.close_deal("d1").await.unwrap().as_deref(), Some("a"));
    assert_eq!(router.claim("wa", "d4", "a").await.unwrap(), Claim::Won);
}

#[test]
fn first_responder_claims_keep_limits_and_availability_in_process() {
    ready(full_or_unavailable_claimants_lose(&Router::new(table_of(&responders_spec()), InProcess::new())));
}

#[test]
fn first_responder_claims_keep_limits_and_availability_on_redis() {
    let Some(server) = redis_server::RedisServer::start() else { return };
    let state = RedisState::open(&server.url(), Duration::from_secs(1)).unwrap();
    waited(full_or_unavailable_claimants_lose(&Router::new(table_of(&responders_spec()), state)));
}

/// Sixteen threads race claims for one member with a limit of 1 on Redis:
/// exactly one wins a deal.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_claims_never_pass_the_limit_on_redis() {
    let Some(server) = redis_server::RedisServer::start() else { return };
    let url = server.url();
    let runs: Vec<_> = (0..16)
        .map(|i| {
            let url = url.clone();
            tokio::spawn(async move {
                let state = RedisState::open(&url, Duration::from_secs(1)).unwrap();
                let router = Router::new(table_of(&responders_spec()), state);
                usize::from(router.claim("wa", &format!("race-{i}"), "a").await.is_ok_and(|c| c == Claim::Won))
            })
        })
        .collect();
    let mut won = 0;
    for run in runs {
        won += run.await.unwrap();
    }
    assert_eq!(won, 1);
}

/// Item 2: `route --state redis://` leaves availability and open counts as
/// it found them; a live service on the same Redis still assigns.
#[test]
fn a_simulation_on_redis_writes_no_availability_or_open_counts() {
    let Some(server) = redis_server::RedisServer::start() else { return };
    let dir = scratch("route-simulation");
    let spec = dir.join("spec.toml");
    let capped = example("stationery-wholesale")
        .replace("after_close = \"create_new\"", "after_close = \"create_new\"\nskip_unavailable = true")
        .replace("{ employee = \"scrooge\" }", "{ employee = \"scrooge\", max_open = 1 }");
    std::fs::write(&spec, &capped).unwrap();
    let table = dir.join("t.json");
    assert!(chatroute(&["compile", spec.to_str().unwrap(), "-o", table.to_str().unwrap()]).status.success());
    let out = chatroute(&[
        "route",
        table.to_str().unwrap(),
        "--channel",
        "wa-opt",
        "--new-deals",
        "4",
        "--state",
        &server.url(),
        "--unavailable",
        "bruce",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut redis = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    redis.write_all(b"KEYS *\r\n").unwrap();
    redis.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let mut reply = vec![0u8; 4096];
    let n = redis.read(&mut reply).unwrap();
    let keys = String::from_utf8_lossy(&reply[..n]);
    assert!(!keys.contains("unavailable") && !keys.contains(":open") && !keys.contains(":deal:"), "{keys}");
    assert!(keys.contains(":v2:rr:wa-opt"), "the cursor is shared, as documented: {keys}");
    let live =
        Router::new(TableFile::load(&table).unwrap(), RedisState::open(&server.url(), Duration::from_secs(1)).unwrap());
    // bruce was unavailable only in the simulation: the live service gives
    // him his share (within one cycle every member comes up).
    let live_deals: Vec<_> = waited(async {
        let mut deals = Vec::new();
        for n in 1..=5 {
            deals.push(live.new_deal_for("wa-opt", Some(&format!("live-{n}"))).await.unwrap().responsible);
        }
        deals
    });
    assert!(live_deals.contains(&Responsible::Employee("bruce")), "{live_deals:?}");
}

/// Item 4 (issue 22's contract): a Redis restart costs at most one failed
/// decision for the state's one multiplexed connection, however many
/// decisions shared it; Redis closing idle clients costs none.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dead_pooled_connections_cost_no_decision() {
    let Some(mut server) = redis_server::RedisServer::start() else { return };
    let state = RedisState::open(&server.url(), Duration::from_secs(1)).unwrap();
    let router = std::sync::Arc::new(Router::new(compiled("furniture"), state));
    // 32 decisions at once, on the one multiplexed connection.
    let running: Vec<_> = (0..32)
        .map(|_| {
            let router = router.clone();
            tokio::spawn(async move { router.new_deal("wa-retail").await.map(drop) })
        })
        .collect();
    for decision in running {
        decision.await.unwrap().unwrap();
    }
    server.stop();
    server.restart();
    let mut failed = 0;
    for _ in 0..40 {
        failed += usize::from(router.new_deal("wa-retail").await.is_err());
    }
    // The one connection's loss is learnt by the call that meets it (it may
    // have been sent: it is not resent); the next call reconnects.
    assert!(failed <= 1, "{failed} decisions failed on a connection Redis had closed");
    let mut admin = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    admin.write_all(b"CONFIG SET timeout 1\r\n").unwrap();
    let mut ok = [0u8; 5];
    admin.read_exact(&mut ok).unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(router.new_deal("wa-retail").await.is_ok(), "the first decision after an idle spell");
}

/// Item 7: the same deal id on another channel, or a deal whose owner a
/// reload took out of the cycle, is a conflict with its own code, not
/// "state unavailable".
#[test]
fn deals_held_elsewhere_are_conflicts_not_outages() {
    let two = "version = 1\n[integration]\naccount = \"acme\"\n[employees]\n\
        a = { name = \"A\" }\nb = { name = \"B\" }\n\
        [defaults]\nnew_deals = { pipeline = \"Sales\", stage = \"New\" }\naccess = \"read_send\"\n\
        [assignment]\nmode = \"round_robin\"\nmembers = [{ employee = \"a\", max_open = 5 }]\n\
        [channels.one]\nname = \"1\"\ntransport = \"whatsapp\"\nphone = \"+7 999 000-00-01\"\n\
        [channels.two]\nname = \"2\"\ntransport = \"whatsapp\"\nphone = \"+7 999 000-00-02\"\n\
        [channels.two.assignment]\nmode = \"round_robin\"\nmembers = [{ employee = \"b\", max_open = 5 }]\n";
    let state = std::sync::Arc::new(InProcess::new());
    let router = Router::shared(table_of(two), state.clone());
    assert_eq!(ready(router.new_deal_for("one", Some("42"))).unwrap().responsible, Responsible::Employee("a"));
    let err = ready(router.new_deal_for("two", Some("42"))).unwrap_err();
    assert!(matches!(&err, RouteError::DealConflict { owner, .. } if owner == "a"), "{err:?}");
    // A reload that moves `a` out of channel one's cycle.
    let reloaded = Router::shared(table_of(&two.replacen("employee = \"a\"", "employee = \"b\"", 1)), state);
    let err = ready(reloaded.new_deal_for("one", Some("42"))).unwrap_err();
    assert!(matches!(err, RouteError::DealConflict { .. }), "{err:?}");
    assert_eq!(ready(reloaded.close_deal("42")).unwrap().as_deref(), Some("a"));
    assert_eq!(ready(reloaded.new_deal_for("one", Some("42"))).unwrap().responsible, Responsible::Employee("b"));
}

/// Item 9: ids are bounded where they enter (that claims expire in memory
/// as they do on Redis is the runtime's own test,
/// `claims_expire_and_are_dropped_as_claims_come_in`).
#[test]
fn ids_are_bounded() {
    let router = Router::new(compiled("furniture"), InProcess::new());
    let long = "x".repeat(chatroute::runtime::MAX_ID_CHARS + 1);
    for bad in [long.as_str(), "", "a\nb"] {
        assert!(matches!(ready(router.claim("wa-wholesale", bad, "w1")), Err(RouteError::BadId { .. })));
        assert!(matches!(ready(router.new_deal_for("wa-retail", Some(bad))), Err(RouteError::BadId { .. })));
        assert!(matches!(ready(router.close_deal(bad)), Err(RouteError::BadId { .. })));
    }
    // Ids of the largest size are taken.
    for n in 0..3000 {
        ready(router.claim("wa-wholesale", &format!("{n:0>64}"), "w1")).unwrap();
    }
}

/// Item 10: hand-edited tables (hash recomputed) that break what `check`
/// promised about access are refused.
#[test]
fn forged_tables_breaking_access_rules_are_refused() {
    type Edit = fn(&mut Value);
    let edits: [(&str, Edit); 8] = [
        ("cycle member with only read", |b| b["employees"]["r1"]["access"]["wa-retail"] = json!("read")),
        ("cycle member without access", |b| b["employees"]["r1"]["access"] = json!({})),
        ("read-only first responder", |b| b["employees"]["w1"]["access"]["wa-wholesale"] = json!("read")),
        ("a responder twice", |b| b["channels"]["wa-wholesale"]["assignment"]["group"] = json!(["w1", "w1", "w2"])),
        ("admins with visibility all", |b| b["global_chat"]["visibility"] = json!("all")),
        ("ids holding names", |b| b["crm"] = json!("ids")),
        ("a user id past 2^53", |b| b["employees"]["r1"]["crm_user"] = json!(9007199254740993u64)),
        ("a stage id past 2^53", |b| b["channels"]["wa-retail"]["new_deals"]["stage"] = json!(9007199254740993u64)),
    ];
    for (what, edit) in edits {
        match TableFile::from_slice(&forged("furniture", edit)) {
            Err(TableError::Invalid(why)) => assert!(!why.is_empty(), "{what}"),
            other => panic!("{what}: {other:?}"),
        }
    }
}

/// Item 11: an amoCRM id past 2^53 - 1 is a located error in `check`
/// (JavaScript would read another number from the table).
#[test]
fn ids_past_two_to_the_53_are_located_errors() {
    let text = example("acme").replace("crm_user = 1001", "crm_user = 9007199254740993");
    let checked = check("big.toml", text.clone().into_bytes(), Default::default());
    assert_eq!(codes(&checked), [Code::OutOfRange], "{}", human(&checked));
    let span = checked.diagnostics[0].labels[0].span.clone();
    assert_eq!(&text[span], "9007199254740993");
    let near = example("acme").replace("crm_user = 1001", "crm_user = 9007199254740991");
    assert!(codes(&check("near.toml", near.into_bytes(), Default::default())).is_empty());
    let stage = example("stationery-wholesale").replacen("stage = \"Primary contract\"", "stage = 9007199254740992", 1);
    let checked = check("stage.toml", stage.into_bytes(), Default::default());
    assert_eq!(codes(&checked), [Code::OutOfRange], "{}", human(&checked));
}

/// Item 8: `check` bounds the table's size from above (CR016 fires over
/// what `load` reads), and never below what `compile` writes.
#[test]
fn the_table_size_bound_is_never_below_the_compiled_size() {
    let mut specs: Vec<String> =
        std::fs::read_dir("examples").unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect();
    let mut dense = String::from("version = 1\n[integration]\naccount = \"acme\"\n[employees]\n");
    for i in 0..300 {
        dense.push_str(&format!("e{i} = {{ name = \"Employee \\\"{i}\\\" \\\\ \\u0001\" }}\n"));
    }
    dense.push_str("[defaults]\nnew_deals = { pipeline = \"Sales\", stage = \"New\" }\naccess = \"read_send\"\n");
    dense.push_str("[assignment]\nmode = \"round_robin\"\nmembers = [{ employee = \"e0\", weight = 900 }, { employee = \"e1\" }]\n");
    for c in 0..60 {
        dense.push_str(&format!(
            "[channels.channel-{c:03}-with-a-long-id]\nname = \"C{c}\"\ntransport = \"telegram\"\nhandle = \"@chan{c:03}_bot\"\n"
        ));
    }
    specs.push(dense);
    for text in specs {
        let checked = check("spec.toml", text.into_bytes(), Default::default());
        let spec = checked.spec.as_ref().expect("a spec");
        let written = chatroute::compile::compile(spec, Default::default()).to_bytes().len() as u64;
        let bound = chatroute::rules::table_size::bound(spec, 0);
        assert!(bound >= written, "bound {bound} below the {written} bytes written");
    }
}

/// Item 8: a Wazzup channelId that is another spec channel's id, or one
/// shared by two channels, is CR805 in `check --wazzup`, and `compile`
/// writes nothing.
#[test]
fn wazzup_ids_that_would_name_two_channels_are_errors() {
    let spec = "version = 1\n[integration]\naccount = \"acme\"\n[employees]\nbruce = { name = \"B\" }\n\
        [defaults]\nnew_deals = { pipeline = \"Sales\", stage = \"New\" }\n\
        [assignment]\nmode = \"round_robin\"\nmembers = [{ employee = \"bruce\" }]\n\
        [channels.wa]\nname = \"A\"\ntransport = \"whatsapp\"\nphone = \"79865784457\"\n\
        access = { bruce = { level = \"read_send\", default_outgoing = true } }\n\
        [channels.tg]\nname = \"T\"\ntransport = \"telegram\"\nhandle = \"@shop_bot\"\naccess = { bruce = \"read_send\" }\n";
    let snapshot = json!({ "format": "chatroute-wazzup", "format_version": 1, "channels": [
        { "channelId": "tg", "transport": "whatsapp", "plainId": "79865784457", "state": "active" },
        { "channelId": "x-2", "transport": "telegram", "plainId": "shop_bot", "state": "active" },
    ]});
    let dir = scratch("wazzup-collision");
    let (spec_path, snap, table) = (dir.join("s.toml"), dir.join("w.json"), dir.join("t.json"));
    std::fs::write(&spec_path, spec).unwrap();
    std::fs::write(&snap, serde_json::to_vec(&snapshot).unwrap()).unwrap();
    let account = chatroute::wazzup::WazzupSnapshot::load(&snap).unwrap();
    let accounts = chatroute::check::Accounts { crm: None, wazzup: Some(&account) };
    let checked = chatroute::check::check("s.toml", spec.as_bytes().to_vec(), accounts);
    assert_eq!(codes(&checked), [Code::WazzupIdCollision], "{}", human(&checked));
    let out = chatroute(&[
        "compile",
        spec_path.to_str().unwrap(),
        "--wazzup",
        snap.to_str().unwrap(),
        "-o",
        table.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!table.exists());
}

// 21. CR204 keeps the admin's intent: a manager read-only on a channel by
// their own entry is told first to leave the assignment there, not to be
// given read_send.

#[test]
fn a_read_only_member_is_told_to_keep_read_only_first() {
    let spec = example("acme").replacen("\ntony = \"read_send\"", "\ntony = \"read\"", 1);
    let checked = check("acme.toml", spec.into_bytes(), Default::default());
    let found = checked.diagnostics.iter().find(|d| d.code == Code::MemberCannotSend).expect("CR204");
    let help = found.help.clone().unwrap();
    assert!(help.starts_with("to keep `tony` `read` on `wa-retail`"), "{help}");
    assert!(help.contains("[channels.wa-retail.assignment]"), "{help}");
    // Inherited from `defaults.access`: read_send first.
    let inherited = check("f.toml", std::fs::read("tests/fixtures/CR204.toml").unwrap(), Default::default());
    let found = inherited.diagnostics.iter().find(|d| d.code == Code::MemberCannotSend).expect("CR204");
    assert!(found.help.as_deref().unwrap().starts_with("give `"), "{:?}", found.help);
}

// 13. File names with a newline or ESC forge no log line and send no
// escape to the terminal: serve DIR and compile escape every name.

#[test]
fn file_names_cannot_forge_log_lines() {
    let dir = scratch("forged-names");
    let tables = dir.join("tables");
    std::fs::create_dir_all(&tables).unwrap();
    let forged = "x\nchatroute serve: table of `forged` activated\u{1b}[31m.json";
    std::fs::write(tables.join(forged), b"not a table").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_chatroute"))
        .args(["serve", tables.to_str().unwrap(), "--listen", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let listening = line.starts_with("chatroute serve: listening on ");
        seen.push(line);
        if listening {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(seen.iter().all(|l| !l.starts_with("chatroute serve: table of `forged`")), "{seen:#?}");
    assert!(seen.iter().all(|l| !l.contains('\u{1b}')), "{seen:#?}");
    assert!(seen.iter().any(|l| l.contains("\\u{a}chatroute serve: table of `forged`")), "{seen:#?}");
    // compile carries a spec's file name into its error.
    let spec = dir.join("bad\u{1b}[2Jname\n.toml");
    std::fs::write(&spec, "version = 1\n[integration]\naccount = \"x\"\n").unwrap();
    let out = chatroute(&["compile", spec.to_str().unwrap(), "-o", dir.join("out.json").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(!text.contains('\u{1b}') && !text.contains("name\n.toml"), "{text:?}");
}
