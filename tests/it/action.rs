//! The CI integrations as their runners run them. The GitHub Action
//! (`action.yml`): its steps run as the runner runs a
//! composite action: each `run:` script in bash with the step's `env:`
//! (inputs substituted), skipped when its `if:` is false, `GITHUB_PATH`
//! added to `PATH` for the steps after. `curl` is a stand-in that records
//! the URL and answers an installer putting this build's `chatroute` in
//! `~/.cargo/bin`, as the release's installer does. The pre-commit hooks:
//! each entry with the staged files.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::support::cli::scratch;

#[derive(Debug, Default)]
struct Step {
    name: String,
    condition: Option<String>,
    env: Vec<(String, String)>,
    run: String,
}

/// The inputs' defaults and the steps of `action.yml`, read by indentation
/// (the file's own shape: two-space YAML, `run: |` blocks).
fn action() -> (BTreeMap<String, String>, Vec<Step>) {
    let text = std::fs::read_to_string("action.yml").unwrap();
    let (mut defaults, mut steps, mut section, mut input) = (BTreeMap::new(), Vec::<Step>::new(), "", String::new());
    let (mut in_env, mut in_run) = (false, false);
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        let item = line.trim();
        if indent == 0 && !item.is_empty() {
            section = item.trim_end_matches(':');
            continue;
        }
        if section == "inputs" {
            if indent == 2 {
                input = item.trim_end_matches(':').to_owned();
            } else if let Some(value) = item.strip_prefix("default: ") {
                defaults.insert(input.clone(), value.trim_matches('"').to_owned());
            }
            continue;
        }
        if section != "runs" || indent < 4 {
            continue;
        }
        if let Some(name) = item.strip_prefix("- name: ") {
            steps.push(Step { name: name.to_owned(), ..Step::default() });
            (in_env, in_run) = (false, false);
            continue;
        }
        let step = steps.last_mut().expect("a step");
        if in_run && indent >= 8 {
            step.run.push_str(&line[8..]);
            step.run.push('\n');
        } else if in_env && indent == 8 {
            let (key, value) = item.split_once(": ").unwrap();
            step.env.push((key.to_owned(), value.to_owned()));
        } else {
            (in_env, in_run) = (item == "env:", item == "run: |");
            if let Some(condition) = item.strip_prefix("if: ") {
                step.condition = Some(condition.to_owned());
            }
        }
    }
    (defaults, steps)
}

/// `${{ inputs.NAME }}` with the input's value.
fn expand(value: &str, inputs: &BTreeMap<String, String>) -> String {
    let name = value.trim_start_matches("${{ inputs.").trim_end_matches(" }}");
    assert_ne!(name, value, "an expression this runner knows: {value}");
    inputs[name].clone()
}

/// `inputs.NAME != ''`, the only condition the action uses.
fn holds(condition: &str, inputs: &BTreeMap<String, String>) -> bool {
    let name = condition.strip_prefix("inputs.").and_then(|c| c.strip_suffix(" != ''"));
    !inputs[name.unwrap_or_else(|| panic!("a condition this runner knows: {condition}"))].is_empty()
}

struct Run {
    /// The steps' names and exit codes, skipped steps left out.
    outcomes: Vec<(String, i32)>,
    /// The Check step's standard output (the annotations).
    annotations: String,
    /// The URLs `curl` was asked for.
    fetched: String,
}

fn run(workspace: &Path, given: &[(&str, &str)]) -> Run {
    let (mut inputs, steps) = action();
    inputs.extend(given.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let home = workspace.join("home");
    let bin = workspace.join("stand-ins");
    std::fs::create_dir_all(&bin).unwrap();
    let curl = format!(
        "#!/bin/sh\nfor a; do url=$a; done\necho \"$url\" >> {fetched}\n\
         printf 'mkdir -p \"$HOME/.cargo/bin\" && cp {exe} \"$HOME/.cargo/bin/chatroute\"\\n'\n",
        fetched = workspace.join("fetched").display(),
        exe = env!("CARGO_BIN_EXE_chatroute"),
    );
    std::fs::write(bin.join("curl"), curl).unwrap();
    Command::new("chmod").arg("+x").arg(bin.join("curl")).status().unwrap();
    let github_path = workspace.join("github_path");
    std::fs::write(&github_path, "").unwrap();
    let (mut outcomes, mut annotations) = (Vec::new(), String::new());
    for step in steps {
        if step.condition.as_deref().is_some_and(|c| !holds(c, &inputs)) {
            continue;
        }
        let added: Vec<String> = std::fs::read_to_string(&github_path).unwrap().lines().map(str::to_owned).collect();
        let path = [added, vec![bin.display().to_string(), "/usr/bin:/bin".to_owned()]].concat().join(":");
        let mut command = Command::new("bash");
        command.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", &step.run]).current_dir(workspace).env_clear();
        command.env("PATH", path).env("HOME", &home).env("GITHUB_PATH", &github_path).env("NO_COLOR", "1");
        for (key, value) in &step.env {
            command.env(key, expand(value, &inputs));
        }
        let out = command.output().unwrap();
        if step.name == "Check" {
            annotations = String::from_utf8_lossy(&out.stdout).into_owned();
        }
        outcomes.push((step.name, out.status.code().unwrap_or(-1)));
    }
    let fetched = std::fs::read_to_string(workspace.join("fetched")).unwrap_or_default();
    Run { outcomes, annotations, fetched }
}

/// A repository with a spec, a spec with a warning in a subdirectory and a
/// `Cargo.toml` (not a spec: skipped).
fn repository(name: &str) -> std::path::PathBuf {
    let dir = scratch(name);
    std::fs::create_dir_all(dir.join("specs/shop")).unwrap();
    std::fs::copy("examples/acme.toml", dir.join("specs/acme.toml")).unwrap();
    std::fs::copy("tests/fixtures/CR211.toml", dir.join("specs/shop/quick.toml")).unwrap();
    std::fs::copy("Cargo.toml", dir.join("Cargo.toml")).unwrap();
    dir
}

fn outcome(run: &Run, step: &str) -> Option<i32> {
    run.outcomes.iter().find(|(name, _)| name == step).map(|(_, code)| *code)
}

#[test]
fn the_action_installs_annotates_and_writes_sarif_on_the_defaults() {
    let dir = repository("action-defaults");
    let run = run(&dir, &[]);
    assert_eq!(
        run.fetched.trim(),
        "https://github.com/chatroute/chatroute/releases/latest/download/chatroute-installer.sh"
    );
    assert_eq!(outcome(&run, "Install chatroute"), Some(0));
    assert_eq!(outcome(&run, "SARIF report"), Some(0));
    assert_eq!(outcome(&run, "Check"), Some(0), "a warning passes without deny-warnings");
    assert!(run.annotations.contains("::warning file=specs/shop/quick.toml"), "{}", run.annotations);
    assert!(!run.annotations.contains("Cargo.toml"), "{}", run.annotations);
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("chatroute.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "CR211");
}

#[test]
fn the_action_fails_the_gate_and_still_leaves_the_sarif() {
    let dir = repository("action-strict");
    std::fs::copy("tests/fixtures/CR204.toml", dir.join("specs/broken.toml")).unwrap();
    let given =
        [("version", "v0.1.0"), ("deny-warnings", "true"), ("files", "specs/**/*.toml"), ("sarif", "out/r.sarif")];
    std::fs::create_dir_all(dir.join("out")).unwrap();
    let run = run(&dir, &given);
    assert_eq!(
        run.fetched.trim(),
        "https://github.com/chatroute/chatroute/releases/download/v0.1.0/chatroute-installer.sh"
    );
    assert_eq!(outcome(&run, "Check"), Some(1));
    assert!(run.annotations.contains("::error file=specs/broken.toml"), "{}", run.annotations);
    let sarif = std::fs::read_to_string(dir.join("out/r.sarif")).unwrap();
    assert!(sarif.contains("\"CR204\"") && sarif.contains("\"CR211\""), "{sarif}");
}

#[test]
fn the_action_without_a_sarif_path_skips_the_report() {
    let dir = repository("action-no-sarif");
    let run = run(&dir, &[("sarif", "")]);
    assert_eq!(outcome(&run, "SARIF report"), None);
    assert_eq!(outcome(&run, "Check"), Some(0));
    assert!(!dir.join("chatroute.sarif").exists());
}

/// The pre-commit hooks (`.pre-commit-hooks.yaml`), each `entry` run as
/// pre-commit runs it (the staged TOML files appended): the specs checked,
/// `Cargo.toml` skipped; and docs/ci.md names hooks that exist.
#[test]
fn the_pre_commit_hooks_check_the_specs_among_the_staged_toml_files() {
    let hooks = std::fs::read_to_string(".pre-commit-hooks.yaml").unwrap();
    let ids: Vec<&str> = hooks.lines().filter_map(|l| l.strip_prefix("- id: ")).collect();
    let entries: Vec<&str> = hooks.lines().filter_map(|l| l.trim().strip_prefix("entry: ")).collect();
    assert_eq!(ids, ["chatroute-check", "chatroute-check-strict"]);
    let documented = std::fs::read_to_string("docs/ci.md").unwrap();
    assert!(documented.contains("- id: chatroute-check ") && documented.contains("chatroute-check-strict"));
    let dir = repository("pre-commit");
    let staged = ["Cargo.toml", "specs/acme.toml", "specs/shop/quick.toml"];
    let expected = [0, 1]; // the strict hook fails on quick.toml's warning
    for (entry, code) in entries.iter().zip(expected) {
        let mut words = entry.split_whitespace();
        assert_eq!(words.next(), Some("chatroute"));
        let out =
            Command::new(env!("CARGO_BIN_EXE_chatroute")).args(words).args(staged).current_dir(&dir).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{entry}: {stderr}");
        assert!(stderr.contains("Cargo.toml"), "named as skipped: {stderr}");
        assert!(!String::from_utf8_lossy(&out.stdout).contains("Cargo.toml:"), "{entry}");
    }
}
