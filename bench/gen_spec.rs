//! `cargo run --release --example gen-spec -- SIZE [--json]`: prints a
//! generated spec (S, M, L, XL; see bench/specgen.rs), or its JSON twin.

#[path = "specgen.rs"]
mod specgen;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(size) = args.first().and_then(|s| specgen::size(s)) else {
        eprintln!("usage: gen-spec S|M|L|XL [--json]");
        std::process::exit(2);
    };
    let toml = specgen::generate(size);
    if args.iter().any(|a| a == "--json") {
        let root = chatroute::parse::parse(&toml).expect("generated specs parse");
        println!("{}", chatroute::parse::to_json(root.get_ref()));
    } else {
        print!("{toml}");
    }
}
