//! The documentation's commands, run. Console sessions (```console) run
//! as written with trycmd, which clap runs on its own docs: each `$`
//! command's output must be the text below it. Every `chatroute` command
//! of a shell block (```sh) or of a CI step (`run:` in ```yaml) is parsed
//! by the real command line (the command with `--help` appended exits 0
//! only when every flag and value before it is accepted), and the ones
//! that need nothing outside the machine (no account, no Redis, no
//! server) also run, as a shell runs them, in a directory holding the
//! files the docs name.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::cli::scratch;
use crate::support::markdown::{blocks, fenced};

const DOCUMENTS: &[&str] = &[
    "README.md",
    "docs/ci.md",
    "docs/connect.md",
    "docs/crm.md",
    "docs/diagnostics.md",
    "docs/editors.md",
    "docs/guide.md",
    "docs/service.md",
    "docs/wazzup.md",
];

/// Subcommands that read and write local files only.
const LOCAL: &[&str] = &["check", "compile", "init", "diff", "report", "explain", "schema", "openapi"];

#[test]
fn the_console_sessions_answer_as_shown() {
    trycmd::TestCases::new()
        .register_bin("chatroute", PathBuf::from(env!("CARGO_BIN_EXE_chatroute")))
        .env("NO_COLOR", "1")
        .case("README.md")
        .case("docs/diagnostics.md");
}

/// The shell lines of a document: the lines of its ```sh blocks and the
/// commands of its CI steps.
fn shell_lines(text: &str) -> Vec<String> {
    let step = |line: &str| line.trim_start().trim_start_matches("- ").strip_prefix("run: ").map(str::to_owned);
    fenced(text)
        .into_iter()
        .filter_map(|(fence, line)| match fence {
            Some("sh") => Some(line.to_owned()),
            Some("yaml") => step(line).filter(|run| !run.starts_with('|')),
            _ => None,
        })
        .collect()
}

/// A line without its comment (a `#` after a blank, outside quotes).
fn without_comment(line: &str) -> &str {
    let (mut quote, mut previous) = (None, ' ');
    for (at, c) in line.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if q == c => quote = None,
            (None, '#') if previous.is_whitespace() => return line[..at].trim_end(),
            _ => {}
        }
        previous = c;
    }
    line.trim_end()
}

/// Words as a shell splits them (blanks outside quotes; quotes removed).
fn words(command: &str) -> Vec<String> {
    let (mut words, mut word, mut quote, mut open) = (Vec::new(), String::new(), None, false);
    for c in command.chars() {
        match (quote, c) {
            (None, '\'' | '"') => (quote, open) = (Some(c), true),
            (Some(q), _) if q == c => quote = None,
            (None, c) if c.is_whitespace() => {
                if open {
                    words.push(std::mem::take(&mut word));
                }
                open = false;
            }
            _ => {
                word.push(c);
                open = true;
            }
        }
    }
    if open {
        words.push(word);
    }
    words
}

/// The `chatroute` invocations of a shell line: its arguments, up to a
/// redirection, pipe, `||` or `&`, after any `NAME=value` assignments.
fn invocations(line: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for segment in without_comment(line).split(['|', '&', ';']) {
        let mut words = words(segment).into_iter().skip_while(|w| w.contains('=') && !w.starts_with('-')).peekable();
        if words.next_if(|w| w == "chatroute").is_some() {
            found.push(words.take_while(|w| !w.starts_with('>') && !w.starts_with('<')).collect());
        }
    }
    found
}

fn runs_here(line: &str, invocations: &[Vec<String>]) -> bool {
    let line = without_comment(line);
    !invocations.is_empty()
        && invocations.iter().all(|args| args.first().is_some_and(|sub| LOCAL.contains(&sub.as_str())))
        && !line.contains("...")
        && !line.contains("> /")
        && !line.ends_with('&')
}

/// A directory with the files the docs' commands name, standing in for a
/// user's: specs, account snapshots, a deployed table.
fn workspace() -> PathBuf {
    let dir = scratch("doc-commands");
    let spec = Path::new("examples/acme.toml");
    let files: &[(&str, &Path)] = &[
        ("kitchens.toml", spec),
        ("spec.toml", spec),
        ("base.toml", spec),
        ("specs/acme.toml", spec),
        ("crm.json", Path::new("tests/fixtures/crm/acme.snapshot.json")),
        ("acme.json", Path::new("tests/fixtures/crm/acme.snapshot.json")),
        ("acme.snapshot.json", Path::new("tests/fixtures/crm/acme.snapshot.json")),
        ("wazzup.json", Path::new("tests/fixtures/wazzup/acme.snapshot.json")),
    ];
    for (name, from) in files {
        let to = dir.join(name);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
    }
    std::fs::create_dir_all(dir.join("tables")).unwrap();
    std::fs::create_dir_all(dir.join("deployed")).unwrap();
    let table = dir.join("deployed/acme.table.json");
    let compiled = crate::support::cli::chatroute(&["compile", "examples/acme.toml", "-o", table.to_str().unwrap()]);
    assert!(compiled.status.success());
    dir
}

#[test]
fn every_documented_command_parses_and_the_local_ones_run() {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_chatroute"));
    let dir = workspace();
    let path = format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let (mut parsed, mut ran, mut failures) = (0, 0, Vec::new());
    for document in DOCUMENTS {
        for line in shell_lines(&std::fs::read_to_string(document).unwrap()) {
            let invocations = invocations(&line);
            for args in &invocations {
                parsed += 1;
                let out = Command::new(&bin).args(args).arg("--help").output().unwrap();
                if !out.status.success() {
                    failures.push(format!("{document}: {line}\n{}", String::from_utf8_lossy(&out.stderr)));
                }
            }
            if runs_here(&line, &invocations) {
                ran += 1;
                let out = Command::new("bash")
                    .args(["-c", without_comment(&line)])
                    .current_dir(&dir)
                    .env("PATH", &path)
                    .env("NO_COLOR", "1")
                    .output()
                    .unwrap();
                if !out.status.success() {
                    failures.push(format!("{document}: {line}\n{}", String::from_utf8_lossy(&out.stderr)));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(parsed >= 20 && ran >= 6, "parsed {parsed}, ran {ran}");
}

#[test]
fn the_shell_reading_splits_as_a_shell_does() {
    assert_eq!(
        invocations("SSL_CERT_FILE=ca.pem chatroute serve T --state 'a b' &  # comment"),
        vec![vec!["serve".to_owned(), "T".into(), "--state".into(), "a b".into()]]
    );
    assert_eq!(
        invocations("chatroute diff a b --format markdown > routing.md || [ $? -eq 3 ]"),
        vec![vec!["diff".to_owned(), "a".into(), "b".into(), "--format".into(), "markdown".into()]]
    );
    assert!(invocations("curl -LsSf https://x/chatroute-installer.sh | sh").is_empty());
}

/// The block of `document` fenced with `tag`, the first one.
fn block(document: &str, tag: &str) -> String {
    let text = std::fs::read_to_string(document).unwrap();
    blocks(&text, tag).into_iter().next().unwrap_or_else(|| panic!("{document} has a {tag} block"))
}

/// docs/service.md's Node and Python snippets, run against a real `serve`
/// (the Node one on a table compiled with `--wazzup`, as it says).
#[test]
fn the_service_snippets_get_a_decision() {
    let dir = scratch("doc-snippets");
    let table = dir.join("table.json");
    let wazzup = "tests/fixtures/wazzup/acme.snapshot.json";
    let compiled = crate::support::cli::chatroute(&[
        "compile",
        "examples/acme.toml",
        "--wazzup",
        wazzup,
        "-o",
        table.to_str().unwrap(),
    ]);
    assert!(compiled.status.success(), "{}", crate::support::cli::stderr(&compiled));
    let serve = crate::support::serve_process::Serve::start(&table, &[]);
    let base = &serve.base;
    let node = format!(
        "const webhook = {{ channelId: '9a7e0c52-0f3e-4d6a-9a1e-0000000000a1' }};\n\
         const retryLater = (s) => {{ throw new Error(`503, retry in ${{s}} s`); }};\n\
         {}\nconsole.log(JSON.stringify({{ pipeline, stage, responsible }}));\n",
        block("docs/service.md", "js").replace("http://127.0.0.1:8181", base)
    );
    let python = format!(
        "{}\nprint(json.dumps({{k: decision[k] for k in ('pipeline', 'stage', 'responsible')}}, separators=(',', ':')))\n",
        block("docs/service.md", "python").replace("http://127.0.0.1:8181", base)
    );
    let runs = [("node", &["--input-type=module", "-e"][..], node), ("python3", &["-c"][..], python)];
    for (interpreter, flags, program) in runs {
        let Ok(out) = Command::new(interpreter).args(flags).arg(&program).output() else {
            assert!(std::env::var_os("CHATROUTE_REQUIRE_NODE").is_none(), "{interpreter} is not installed");
            eprintln!("SKIPPED: {interpreter} not found");
            continue;
        };
        assert!(out.status.success(), "{interpreter}: {}", String::from_utf8_lossy(&out.stderr));
        let decision: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(decision["pipeline"], "Retail", "{interpreter}: {decision}");
        assert_eq!(decision["stage"], "New lead", "{interpreter}: {decision}");
        assert!(decision["responsible"]["employee"].is_string(), "{interpreter}: {decision}");
    }
}
