//! `cargo run --release --example phases -- FILE`: time of each check stage
//! on one file, to see where `check` spends its time.

use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("usage: phases FILE");
    let text = std::fs::read_to_string(&path).expect("readable file");
    let t = Instant::now();
    let _bare: toml::Table = toml::from_str(&text).expect("valid TOML");
    let bare = t.elapsed();
    let t = Instant::now();
    let root = chatroute::parse::parse(&text).expect("valid TOML");
    let parse = t.elapsed();
    let t = Instant::now();
    let json = chatroute::parse::to_json(root.get_ref());
    let to_json = t.elapsed();
    let t = Instant::now();
    let report = chatroute::schema::validate(&json, chatroute::parse::Locator::new(&root));
    let schema = t.elapsed();
    let t = Instant::now();
    let spec: chatroute::spec::Spec = serde::Deserialize::deserialize(&json).expect("valid spec");
    let typed = t.elapsed();
    let handles = spec.employees.keys().cloned().collect();
    let t = Instant::now();
    let (diags, facts) =
        chatroute::rules::run(&spec, chatroute::parse::Locator::new(&root), &handles, Default::default());
    let rules = t.elapsed();
    let t = Instant::now();
    let phone_diags = chatroute::rules::phones::check(&facts);
    let phones = t.elapsed();
    println!(
        "typed {typed:?} | rules {rules:?} ({} diagnostics) | phones incl. loading libphonenumber {phones:?} ({})",
        diags.len(),
        phone_diags.len()
    );
    let t = Instant::now();
    let checked = chatroute::check::check_bytes(&path, text.clone().into_bytes());
    let total = t.elapsed();
    println!(
        "bare toml {bare:?} | parse {parse:?} | to_json {to_json:?} | schema {schema:?} ({} errors) | full check {total:?} ({} diagnostics)",
        report.diagnostics.len(),
        checked.diagnostics.len()
    );
}
