//! A mutation fuzzer on stable Rust, for a bounded time: random bytes and
//! mutated real inputs (examples, fixtures, compiled tables, CRM snapshots)
//! go to `check` with every reporter, to table loading and to the snapshot
//! reader. None may panic.
//!
//! `cargo test --test fuzz` runs it for `CHATROUTE_FUZZ_SECS` (default 10)
//! seconds; a longer run: `CHATROUTE_FUZZ_SECS=3600 cargo test --release
//! --test fuzz -- --nocapture`. `CHATROUTE_FUZZ_SEED` replays a run. An input
//! that panics is saved under `target/fuzz-crashes/` and the test fails with
//! its path.

use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use chatroute::check::check_bytes;
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
            if path.is_file() {
                inputs.push(std::fs::read(&path).unwrap());
            }
        }
    }
    for entry in std::fs::read_dir("examples").unwrap() {
        let checked = check_bytes("example", std::fs::read(entry.unwrap().path()).unwrap());
        if let Some(spec) = &checked.spec {
            inputs.push(chatroute::compile::compile(spec, None).to_bytes());
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
    let checked = check_bytes("fuzz.toml", input.to_vec());
    let files = [FileDiagnostics { file: &checked.source, diagnostics: &checked.diagnostics }];
    render::human(&files, HumanStyle { color: false, width: 80 });
    render::json(&files);
    render::sarif(&files);
    render::github(&files);
    if let Some(spec) = &checked.spec {
        let table = chatroute::compile::compile(spec, None);
        TableFile::from_slice(&table.to_bytes()).expect("a compiled table loads");
    }
    let _ = TableFile::from_slice(input);
    let _ = Snapshot::from_slice(input);
}

#[test]
fn random_and_mutated_inputs_never_panic() {
    let secs = std::env::var("CHATROUTE_FUZZ_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    let seed = std::env::var("CHATROUTE_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64) | 1
    });
    let corpus = corpus();
    let mut rng = Rng(seed);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut runs = 0u64;
    // Panics are caught and reported with the input; the default hook's
    // message would only repeat it.
    std::panic::set_hook(Box::new(|_| {}));
    while Instant::now() < deadline {
        let input = mutate(&mut rng, &corpus);
        if std::panic::catch_unwind(AssertUnwindSafe(|| exercise(&input))).is_err() {
            let _ = std::panic::take_hook();
            let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("../fuzz-crashes");
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join(format!("crash-{seed}-{runs}.bin"));
            std::fs::write(&path, &input).unwrap();
            panic!("input {} panicked (seed {seed}, run {runs}); replay with exercise() on it", path.display());
        }
        runs += 1;
    }
    let _ = std::panic::take_hook();
    eprintln!("fuzz: {runs} inputs in {secs} s, seed {seed}");
    assert!(runs > 0);
}
