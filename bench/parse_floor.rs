//! The floor `check` is measured against: reading a file and parsing it
//! with the `toml` crate into a `toml::Table`, nothing more.
//! `cargo run --release --example parse-floor -- FILE`

fn main() {
    let path = std::env::args().nth(1).expect("usage: parse-floor FILE");
    let text = std::fs::read_to_string(&path).expect("readable file");
    let table: toml::Table = toml::from_str(&text).expect("valid TOML");
    println!("{} top-level keys", table.len());
}
