//! `cargo run --release --example phases -- FILE`: time of each stage of
//! `check` and `compile` on one file, to see where they spend their time.
//! Each stage runs once, in a fresh process, as in a real run (first use
//! included); the JSON twin and the schema are what a file with problems
//! costs on top.

use std::time::{Duration, Instant};

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let value = f();
    (value, t.elapsed())
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: phases FILE");
    let text = std::fs::read_to_string(&path).expect("readable file");
    let (_bare, bare) = timed(|| toml::from_str::<toml::Table>(&text).expect("valid TOML"));
    let (root, parse) = timed(|| chatroute::parse::parse(&text).expect("valid TOML"));
    let (spec, typed) = timed(|| chatroute::typed::read(&root).expect("a spec the schema accepts"));
    let loc = chatroute::parse::Locator::new(&root);
    let handles = spec.employees.keys().cloned().collect();
    let ((diags, facts), rules) = timed(|| chatroute::rules::run(&spec, loc, &handles, Default::default()));
    let (phone_diags, phones) = timed(|| chatroute::rules::phones::check(&facts));
    println!(
        "check:   bare toml {bare:?} | parse {parse:?} | typed {typed:?} | rules {rules:?} ({} diagnostics) | phones {phones:?} ({})",
        diags.len(),
        phone_diags.len()
    );
    let (json, to_json) = timed(|| chatroute::parse::to_json(root.get_ref()));
    let (report, schema) = timed(|| chatroute::schema::validate(&json, loc));
    println!(
        "invalid: to_json {to_json:?} | schema incl. building the validator {schema:?} ({} errors)",
        report.diagnostics.len()
    );
    let (table, compile) = timed(|| chatroute::compile::compile(&spec, Default::default()));
    let (_, hash) = timed(|| chatroute::table::hash(&table.body));
    let (bytes, to_bytes) = timed(|| table.to_bytes());
    println!("compile: compile incl. hash {compile:?} | hash {hash:?} | to_bytes {to_bytes:?} ({} bytes)", bytes.len());
}
