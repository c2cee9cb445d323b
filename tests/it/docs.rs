//! The documentation's links: every relative link of every Markdown file
//! leads to a file of the repository, and every `#anchor` to a heading of
//! it, by the id GitHub gives headings.

use std::path::{Path, PathBuf};

use chatroute::diagnostics::heading_id;

use crate::support::markdown::{blocks, fenced};

/// The Markdown files of the repository (not `target/`, not vendored
/// data).
fn markdown_files() -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![PathBuf::from(".")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() && !name.starts_with('.') && !["target", "node_modules"].contains(&name.as_str()) {
                dirs.push(path);
            } else if name.ends_with(".md") {
                found.push(path);
            }
        }
    }
    found
}

fn anchors(text: &str) -> Vec<String> {
    let prose = fenced(text).into_iter().filter(|(fence, _)| fence.is_none());
    prose.filter(|(_, line)| line.starts_with('#')).map(|(_, line)| heading_id(line.trim_start_matches('#'))).collect()
}

/// The `](target)` links of a text, outside code blocks and inline code.
fn links(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (_, line) in fenced(text).into_iter().filter(|(fence, _)| fence.is_none()) {
        let outside_code: String = line.split('`').step_by(2).collect::<Vec<_>>().join(" ");
        let mut rest = outside_code.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            found.push(after[..end].to_owned());
            rest = &after[end..];
        }
    }
    found
}

#[test]
fn every_relative_link_and_anchor_leads_somewhere() {
    let (mut broken, mut checked) = (Vec::new(), 0);
    for file in markdown_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        for link in links(&text) {
            checked += 1;
            if link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            let (path, anchor) = link.split_once('#').unwrap_or((&link, ""));
            let target =
                if path.is_empty() { file.clone() } else { file.parent().unwrap_or(Path::new(".")).join(path) };
            if !target.exists() {
                broken.push(format!("{}: {link}: no such file", file.display()));
                continue;
            }
            if !anchor.is_empty() && target.extension().is_some_and(|e| e == "md") {
                let ids = anchors(&std::fs::read_to_string(&target).unwrap());
                if !ids.iter().any(|id| id == anchor) {
                    broken.push(format!("{}: {link}: no heading with that id", file.display()));
                }
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
    assert!(checked >= 30, "only {checked} links found: the scan is wrong");
}

/// Every TOML example of the admin's guide is spec TOML: laid over the
/// full example, no key is unknown and no value of the wrong kind (the
/// reading and schema codes, CR0xx; rules may still object, as an example
/// of one setting names people the full example does not have).
#[test]
fn the_guides_examples_are_spec_toml() {
    fn lay_over(base: &mut toml::Table, over: toml::Table) {
        for (key, value) in over {
            match (base.get_mut(&key), value) {
                (Some(toml::Value::Table(b)), toml::Value::Table(o)) => lay_over(b, o),
                (_, value) => drop(base.insert(key, value)),
            }
        }
    }
    let guide = std::fs::read_to_string("docs/guide.md").unwrap();
    let example: toml::Table = toml::from_str(&std::fs::read_to_string("examples/acme.toml").unwrap()).unwrap();
    let snippets = blocks(&guide, "toml");
    assert!(snippets.len() >= 10, "{} examples", snippets.len());
    for snippet in snippets {
        let over: toml::Table = toml::from_str(&snippet).unwrap_or_else(|e| panic!("{e}\n{snippet}"));
        let mut spec = example.clone();
        lay_over(&mut spec, over);
        let text = toml::to_string(&spec).unwrap();
        let checked = chatroute::check::check("guide.toml", text.into_bytes(), Default::default());
        let reading: Vec<_> = checked.diagnostics.iter().filter(|d| d.code.as_str().starts_with("CR0")).collect();
        assert!(reading.is_empty(), "{snippet}\n{reading:?}");
    }
}
