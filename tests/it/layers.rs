//! Cargo enforces the pipeline of ARCHITECTURE.md: each crate depends on
//! crates of lower layers only (so the runtime cannot name `resolve` or a
//! rule, and the checker cannot name the service), and the runtime a Rust
//! service depends on stays small.

use std::collections::BTreeSet;

/// Each workspace crate and the workspace crates it may depend on.
const ALLOWED: &[(&str, &[&str])] = &[
    ("chatroute-table", &[]),
    ("chatroute-phone", &[]),
    ("chatroute-runtime", &["chatroute-table", "chatroute-phone"]),
    ("chatroute-check", &["chatroute-table", "chatroute-phone"]),
    ("chatroute-render", &["chatroute-check"]),
    ("chatroute-report", &["chatroute-check"]),
    ("chatroute-accounts", &["chatroute-check"]),
    ("chatroute-serve", &["chatroute-runtime", "chatroute-table"]),
    ("chatroute-lsp", &["chatroute-check"]),
    // The integration: the service it extends, the runtime it decides
    // with, and the accounts' URL rule.
    ("chatroute-connect", &["chatroute-serve", "chatroute-runtime", "chatroute-table", "chatroute-accounts"]),
];

fn workspace_dependencies(manifest: &toml::Table) -> BTreeSet<String> {
    ["dependencies", "dev-dependencies", "build-dependencies"]
        .iter()
        .filter_map(|section| manifest.get(*section).and_then(toml::Value::as_table))
        .flat_map(|deps| deps.keys())
        .filter(|name| name.starts_with("chatroute"))
        .cloned()
        .collect()
}

#[test]
fn every_crate_depends_on_lower_layers_only() {
    let on_disk: BTreeSet<String> =
        std::fs::read_dir("crates").unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    let listed: BTreeSet<String> = ALLOWED.iter().map(|(name, _)| (*name).to_owned()).collect();
    assert_eq!(on_disk, listed, "a new crate needs its place in the layers (and in ARCHITECTURE.md)");
    for (name, allowed) in ALLOWED {
        let text = std::fs::read_to_string(format!("crates/{name}/Cargo.toml")).unwrap();
        let manifest: toml::Table = toml::from_str(&text).unwrap();
        let allowed: BTreeSet<String> = allowed.iter().map(|a| (*a).to_owned()).collect();
        let extra: Vec<_> = workspace_dependencies(&manifest).difference(&allowed).cloned().collect();
        assert!(extra.is_empty(), "{name} depends on {extra:?}, above its layer");
    }
}

/// The runtime with default features: at most 40 packages, none of the
/// checker's, the service's, the integration's or the CLI's.
#[test]
fn the_runtime_pulls_a_small_tree() {
    let out = std::process::Command::new(env!("CARGO"))
        .args(["tree", "-p", "chatroute-runtime", "-e", "normal", "--prefix", "none", "--offline", "--locked"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let packages: BTreeSet<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect();
    assert!(packages.len() <= 40, "{} packages: {packages:?}", packages.len());
    // The docs that give the number give this one.
    let count = format!("{} packages", packages.len());
    for (doc, text) in [
        ("README.md", "31 packages\nwith"),
        ("ARCHITECTURE.md", "pulls 31 packages"),
        ("crates/chatroute-runtime/README.md", "are 31 packages"),
    ] {
        let doc_text = std::fs::read_to_string(doc).unwrap();
        assert!(doc_text.contains(text), "{doc} no longer says {text:?}");
        assert!(text.contains(&count), "{doc} says {text:?}; the tree is {count}");
    }
    let forbidden = [
        "axum",
        "tokio",
        "hyper",
        "jsonschema",
        "ureq",
        "rustls",
        "ring",
        "clap",
        "miette",
        "lsp-server",
        "lsp-types",
        "toml",
        "schemars",
        "indicatif",
        "chatroute-check",
        "chatroute-serve",
        "chatroute-connect",
        "phonenumber",
    ];
    for name in forbidden {
        assert!(!packages.contains(name), "the runtime pulls {name}");
    }
}
