//! A mutation fuzzer on stable Rust, for a bounded time: random bytes and
//! mutated real inputs (examples, fixtures, compiled tables, CRM snapshots)
//! go to `check` with every reporter, to table loading and to the snapshot
//! reader; mutated HTTP requests go to a running `serve`, and mutated
//! protocol messages to a running `lsp` and to its framing. None may
//! panic, and the services must keep answering.
//!
//! `cargo test --test fuzz` runs each target for `CHATROUTE_FUZZ_SECS`
//! (default 10) seconds, the two services for half of it; a longer run:
//! `CHATROUTE_FUZZ_SECS=3600 cargo test --release --test fuzz -- --nocapture`.
//! `CHATROUTE_FUZZ_SEED` replays a run. An input that panics is saved under
//! `target/fuzz-crashes/` and the test fails with its path.

use crate::support::serve_process;

use std::io::{BufRead, BufReader, Read, Write};
use std::panic::AssertUnwindSafe;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chatroute::check::check;
use chatroute::crm::Snapshot;
use chatroute::diagnostics::render::{self, FileDiagnostics, HumanStyle};
use chatroute::table::TableFile;

/// xorshift64*: small, fast, reproducible from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Tokens that reach the parsers' and rules' edge cases.
const TOKENS: &[&str] = &[
    "\"",
    "'",
    "[",
    "]",
    "[[",
    "]]",
    "{",
    "}",
    "=",
    ",",
    ".",
    "\n",
    "\r\n",
    "\\u0000",
    "\\",
    "#",
    "0x",
    "1e999",
    "-0",
    "3.0",
    "18446744073709551616",
    "9223372036854775808",
    "nan",
    "inf",
    "true",
    "1979-05-27T07:32:00Z",
    "\u{202E}",
    "\u{feff}",
    "\u{1b}",
    "Иван",
    "::",
    "%",
    "\"everyone\"",
    "weight",
    "after_close",
    "members",
    "read_send",
    "first_responder",
    "round_robin",
    "default_outgoing",
    "null",
    "[]",
    "{}",
    "\"cycle\":[]",
    "\"group\":[]",
    "\"format_version\":2",
    "\"hash\":\"\"",
    "\"extra\":1",
];

fn corpus() -> Vec<Vec<u8>> {
    let mut inputs = Vec::new();
    for dir in ["examples", "tests/fixtures", "tests/fixtures/crm"] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            // The 300 KB CR016 fixture would take most of the time budget.
            if path.is_file() && path.metadata().unwrap().len() < 64 * 1024 {
                inputs.push(std::fs::read(&path).unwrap());
            }
        }
    }
    for entry in std::fs::read_dir("examples").unwrap() {
        let checked = check("example", std::fs::read(entry.unwrap().path()).unwrap(), Default::default());
        if let Some(spec) = &checked.spec {
            inputs.push(chatroute::compile::compile(spec, Default::default()).to_bytes());
        }
    }
    inputs
}

fn mutate(rng: &mut Rng, corpus: &[Vec<u8>]) -> Vec<u8> {
    if rng.below(16) == 0 {
        return (0..rng.below(512)).map(|_| rng.next() as u8).collect();
    }
    let mut data = corpus[rng.below(corpus.len())].clone();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(data.len() + 1);
        match rng.below(6) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 => data.splice(at..at, TOKENS[rng.below(TOKENS.len())].bytes()).for_each(drop),
            2 => {
                let end = (at + rng.below(64)).min(data.len());
                data.drain(at..end);
            }
            3 => {
                let end = (at + rng.below(256)).min(data.len());
                let copy = data[at..end].to_vec();
                let to = rng.below(data.len() + 1);
                data.splice(to..to, copy).for_each(drop);
            }
            4 => {
                let other = &corpus[rng.below(corpus.len())];
                let from = rng.below(other.len() + 1);
                let end = (from + rng.below(512)).min(other.len());
                data.splice(at..at, other[from..end].iter().copied()).for_each(drop);
            }
            _ => data.insert(at.min(data.len()), rng.next() as u8),
        }
    }
    data
}

/// Every reader and reporter on one input.
fn exercise(input: &[u8]) {
    let checked = check("fuzz.toml", input.to_vec(), Default::default());
    let files = [FileDiagnostics { file: &checked.source, diagnostics: &checked.diagnostics }];
    render::human(&files, HumanStyle { color: false, width: 80 });
    render::json(&files);
    render::sarif(&files);
    render::github(&files);
    if let Some(spec) = &checked.spec {
        let table = chatroute::compile::compile(spec, Default::default());
        TableFile::from_slice(&table.to_bytes()).expect("a compiled table loads");
    }
    let _ = TableFile::from_slice(input);
    let _ = Snapshot::from_slice(input);
}

fn secs() -> u64 {
    std::env::var("CHATROUTE_FUZZ_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(10)
}

fn seed() -> u64 {
    std::env::var("CHATROUTE_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64) | 1
    })
}

/// Runs `exercise` on mutated inputs for `secs` seconds. An input that
/// panics is saved and fails the test with its path.
fn fuzz(name: &str, secs: u64, corpus: &[Vec<u8>], mut exercise: impl FnMut(&[u8])) {
    let seed = seed();
    let mut rng = Rng(seed);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut runs = 0u64;
    while Instant::now() < deadline {
        let input = mutate(&mut rng, corpus);
        // Panics are caught and reported with the input; the default hook's
        // message would only repeat it.
        std::panic::set_hook(Box::new(|_| {}));
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| exercise(&input)));
        let _ = std::panic::take_hook();
        if let Err(payload) = outcome {
            let why = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("../fuzz-crashes");
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join(format!("{name}-{seed}-{runs}.bin"));
            std::fs::write(&path, &input).unwrap();
            panic!("{name}: input {} failed (seed {seed}, run {runs}): {why}", path.display());
        }
        runs += 1;
    }
    eprintln!("fuzz {name}: {runs} inputs in {secs} s, seed {seed}");
    assert!(runs > 0);
}

#[test]
fn random_and_mutated_inputs_never_panic() {
    fuzz("check", secs(), &corpus(), exercise);
}

/// Real requests the service answers, to mutate.
fn http_corpus() -> Vec<Vec<u8>> {
    let post = |path: &str, body: &str| {
        format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    [
        post("/v1/deals", r#"{"channel": "wa-retail", "deal": "4711"}"#),
        post("/v1/deals", r#"{"wazzup_channel": "x"}"#),
        post("/v1/claims", r#"{"channel": "wa-wholesale", "dialog": "d-1", "employee": "w1"}"#),
        post("/v1/deals/4711/close", ""),
        "PUT /v1/employees/r1/availability HTTP/1.1\r\nHost: x\r\nContent-Length: 19\r\n\r\n{\"available\": false}"
            .into(),
        "GET /v1/access?channel=wa-retail&employee=r1 HTTP/1.1\r\nHost: x\r\n\r\n".into(),
        "GET /v1/employees/%D0%B8 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".into(),
        "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"
            .into(),
        // Event cursors at their edges, replies, the notify deliveries.
        "GET /v1/events?after=18446744073709551615-18446744073709551615&wait=0 HTTP/1.1\r\nHost: x\r\n\r\n".into(),
        "GET /v1/events?after=99999999999999999999 HTTP/1.1\r\nHost: x\r\n\r\n".into(),
        post("/v1/deals/4711/reply", r#"{"employee": "r1"}"#),
        "GET /v1/notify HTTP/1.1\r\nHost: x\r\n\r\n".into(),
        post("/v1/notify/replay", ""),
    ]
    .map(String::into_bytes)
    .into()
}

/// The bytes of every response on one connection: each is HTTP, and each
/// error has the JSON error body.
fn responses_are_well_formed(mut answer: &[u8]) {
    while !answer.is_empty() {
        let end = answer.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete head") + 4;
        let head = String::from_utf8_lossy(&answer[..end]).to_ascii_lowercase();
        let line = head.strip_prefix("http/1.1 ").or_else(|| head.strip_prefix("http/1.0 "));
        let status: u16 = line.and_then(|h| h.get(..3)?.parse().ok()).expect("a status line");
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .and_then(|n| n.trim().parse().ok())
            .expect("every answer has a length");
        let body = &answer[end..end + length];
        if status >= 400 {
            assert!(head.contains("content-type: application/json"), "{head}");
            let body: serde_json::Value = serde_json::from_slice(body).expect("a JSON error body");
            assert!(body["error"]["code"].is_string(), "{body}");
        }
        answer = &answer[end + length..];
    }
}

#[test]
fn mutated_http_requests_never_take_serve_down() {
    let dir = std::env::temp_dir().join(format!("chatroute-fuzz-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let table = dir.join("t.json");
    let checked = check("furniture", std::fs::read("examples/furniture.toml").unwrap(), Default::default());
    std::fs::write(&table, chatroute::compile::compile(checked.spec.as_ref().unwrap(), Default::default()).to_bytes())
        .unwrap();
    let notify = ["--notify", "http://127.0.0.1:9/hook", "--notify-attempts", "1"];
    let serve = serve_process::Serve::start(&table, &[&["--header-timeout", "1"][..], &notify].concat());
    let addr = serve.base.trim_start_matches("http://").to_owned();
    fuzz("http", secs().div_ceil(2), &http_corpus(), |request| {
        let mut stream = std::net::TcpStream::connect(&addr).expect("serve still accepts");
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let _ = stream.write_all(request);
        // Half-closed: a request cut short ends now, not at a timeout.
        let _ = stream.shutdown(std::net::Shutdown::Write);
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        responses_are_well_formed(&answer);
    });
    let (status, _) = serve_process::get(&serve_process::agent(), &serve.url("/healthz"));
    assert_eq!(status, 200, "serve answers after the run");
}

/// Messages an editor sends, to mutate (framed after mutation, so the
/// handlers see every kind of content; the framing is fuzzed below).
fn lsp_corpus() -> Vec<Vec<u8>> {
    let text = std::fs::read_to_string("examples/acme.toml").unwrap();
    let doc = serde_json::json!({ "uri": "file:///f.toml", "languageId": "toml", "version": 1, "text": text });
    let at =
        serde_json::json!({ "textDocument": { "uri": "file:///f.toml" }, "position": { "line": 12, "character": 3 } });
    let mut rename = at.clone();
    rename["newName"] = "bruce_w".into();
    let messages = [
        serde_json::json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": { "textDocument": doc } }),
        serde_json::json!({ "jsonrpc": "2.0", "id": 1, "method": "textDocument/hover", "params": at }),
        serde_json::json!({ "jsonrpc": "2.0", "id": 2, "method": "textDocument/completion", "params": at }),
        serde_json::json!({ "jsonrpc": "2.0", "id": 3, "method": "textDocument/definition", "params": at }),
        serde_json::json!({ "jsonrpc": "2.0", "id": 4, "method": "textDocument/references", "params": at }),
        serde_json::json!({ "jsonrpc": "2.0", "id": 5, "method": "textDocument/rename", "params": rename }),
        serde_json::json!({ "jsonrpc": "2.0", "id": 6, "method": "textDocument/codeAction", "params": { "textDocument": { "uri": "file:///f.toml" }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 99, "character": 0 } }, "context": { "diagnostics": [] } } }),
        serde_json::json!({ "jsonrpc": "2.0", "method": "textDocument/didChange", "params": { "textDocument": { "uri": "file:///f.toml", "version": 2 }, "contentChanges": [{ "text": "[x" }] } }),
    ];
    messages.iter().map(|m| m.to_string().into_bytes()).collect()
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

#[test]
fn mutated_messages_never_take_the_language_server_down() {
    let corpus = lsp_corpus();
    let mut child = Command::new(env!("CARGO_BIN_EXE_chatroute"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    // Drains the answers so the server never blocks on a full pipe; the
    // last line read is the answer to the closing request.
    let reader = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut line = String::new();
        while stdout.read_line(&mut line).unwrap_or(0) > 0 {
            seen.extend_from_slice(line.as_bytes());
            line.clear();
        }
        seen
    });
    let init =
        serde_json::json!({ "jsonrpc": "2.0", "id": 0, "method": "initialize", "params": { "capabilities": {} } });
    stdin.write_all(&frame(init.to_string().as_bytes())).unwrap();
    stdin.write_all(&frame(br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#)).unwrap();
    fuzz("lsp", secs().div_ceil(2), &corpus, |message| {
        stdin.write_all(&frame(message)).expect("the server still reads");
        // Framing itself: mutated frames through the reader, in process.
        let mut reader = BufReader::new(message);
        while let Ok(Some(_)) = chatroute::lsp::framing::read_frame(&mut reader) {}
    });
    let shutdown = br#"{"jsonrpc":"2.0","id":424242,"method":"shutdown","params":null}"#;
    stdin.write_all(&frame(shutdown)).unwrap();
    stdin.write_all(&frame(br#"{"jsonrpc":"2.0","method":"exit","params":null}"#)).unwrap();
    drop(stdin);
    let status = child.wait().unwrap();
    let seen = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
    assert!(status.success(), "{status:?}");
    assert!(seen.contains("\"id\":424242"), "the shutdown request was answered");
}
