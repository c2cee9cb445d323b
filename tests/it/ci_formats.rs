//! Output for CI gates and editors: SARIF, GitHub annotations, many files
//! in parallel, `diff`, completions and the man page, and Taplo reading
//! the committed schema.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::cli as cli_support;

use cli_support::{chatroute, stdout};

#[test]
fn sarif_is_valid_sarif_2_1_0_with_rules_and_regions() {
    let out = chatroute(&[
        "check",
        "--format",
        "sarif",
        "tests/fixtures/CR301.toml",
        "tests/fixtures/CR303.toml",
        "examples/acme.toml",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The published schema's `language` pattern has an unescaped `]`, which
    // ECMA-262 reads as a literal and Rust's regex engine refuses; escape it
    // (same meaning) so the schema compiles.
    let text = std::fs::read_to_string("tests/sarif/sarif-2.1.0-rtm.5.json").unwrap();
    let text = text.replace("-[a-zA-Z]{2}]?$", "-[a-zA-Z]{2}\\\\]?$");
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::draft4::new(&schema).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(&sarif).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");

    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "chatroute");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), chatroute::diagnostics::Code::ALL.len());
    assert!(rules.iter().all(|r| r["shortDescription"]["text"].is_string() && r["help"]["text"].is_string()));
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let first = &results[0];
    assert_eq!(first["ruleId"], "CR301");
    assert_eq!(first["level"], "error");
    let location = &first["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "tests/fixtures/CR301.toml");
    assert_eq!(location["region"]["startLine"], 40);
    assert_eq!(location["region"]["startColumn"], 32);
    assert_eq!(location["region"]["endColumn"], 48);
    assert_eq!(results[1]["level"], "warning");
    assert_eq!(rules[first["ruleIndex"].as_u64().unwrap() as usize]["id"], "CR301");
}

#[test]
fn github_annotations_point_at_the_right_lines() {
    let out = chatroute(&["check", "--format", "github", "tests/fixtures/CR301.toml", "tests/fixtures/CR303.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0]
            .starts_with("::error file=tests/fixtures/CR301.toml,line=40,col=32,endLine=40,endColumn=48,title=CR301::"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("%0Ahelp: "), "multi-line messages are escaped");
    assert!(lines[1].starts_with("::warning file=tests/fixtures/CR303.toml,line=7,col=1,"), "{}", lines[1]);
}

#[test]
fn a_thousand_files_in_one_call_keep_their_order() {
    let dir = std::env::temp_dir().join(format!("chatroute-many-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = std::fs::read_to_string("examples/kitchens.toml").unwrap();
    let bad = std::fs::read_to_string("tests/fixtures/CR101.toml").unwrap();
    let files: Vec<PathBuf> = (0..1000)
        .map(|i| {
            let path = dir.join(format!("spec-{i:04}.toml"));
            std::fs::write(&path, if i % 100 == 7 { &bad } else { &good }).unwrap();
            path
        })
        .collect();
    let mut args = vec!["check".to_owned(), "--format".to_owned(), "json".to_owned()];
    args.extend(files.iter().map(|p| p.display().to_string()));
    let out = Command::new(env!("CARGO_BIN_EXE_chatroute")).args(&args).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["error_count"], 10);
    let reported: Vec<String> =
        doc["diagnostics"].as_array().unwrap().iter().map(|d| d["file"].as_str().unwrap().to_owned()).collect();
    let expected: Vec<String> = (0..10).map(|k| files[k * 100 + 7].display().to_string()).collect();
    assert_eq!(reported, expected);

    let mut plain = vec!["check".to_owned()];
    plain.extend(files.iter().map(|p| p.display().to_string()));
    let out = Command::new(env!("CARGO_BIN_EXE_chatroute")).args(&plain).env("NO_COLOR", "1").output().unwrap();
    assert!(stdout(&out).ends_with("checked 1000 file(s): 10 error(s), 0 warning(s)\n"));
}

#[test]
fn diff_reads_like_a_plan_and_has_its_exit_codes() {
    let out = chatroute(&["diff", "examples/acme.toml", "tests/fixtures/diff/acme-next.toml"]);
    assert_eq!(out.status.code(), Some(3), "changes");
    insta::assert_snapshot!("diff-acme-next", stdout(&out));

    let out = chatroute(&["diff", "--format", "json", "examples/acme.toml", "tests/fixtures/diff/acme-next.toml"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["count"], 11);
    let excluded = &doc["changes"][0];
    assert_eq!(excluded["what"], "channel");
    assert_eq!(
        (excluded["scope"].as_str(), excluded["id"].as_str(), excluded["kind"].as_str()),
        (Some("channel"), Some("ig-art"), Some("excluded"))
    );

    let out = chatroute(&["diff", "--format", "markdown", "examples/acme.toml", "tests/fixtures/diff/acme-next.toml"]);
    assert_eq!(out.status.code(), Some(3));
    insta::assert_snapshot!("diff-acme-next-markdown", stdout(&out));
    // The same comment for a Russian-speaking team: the menu's words, the
    // same tables and exit code; the JSON keeps its keys and values.
    let args =
        ["diff", "--lang", "ru", "--format", "markdown", "examples/acme.toml", "tests/fixtures/diff/acme-next.toml"];
    let russian = chatroute(&args);
    assert_eq!(russian.status.code(), Some(3));
    insta::assert_snapshot!("diff-acme-next-markdown-ru", stdout(&russian));
    let rows = |text: &str| text.lines().filter(|l| l.starts_with('|')).count();
    assert_eq!(rows(&stdout(&russian)), rows(&stdout(&out)));
    let json = |lang: &str| {
        let out = chatroute(&[
            "diff",
            "--lang",
            lang,
            "--format",
            "json",
            "examples/acme.toml",
            "tests/fixtures/diff/acme-next.toml",
        ]);
        stdout(&out)
    };
    assert_eq!(json("ru"), json("en"));
    let human = chatroute(&["diff", "--lang", "ru", "examples/acme.toml", "tests/fixtures/diff/acme-next.toml"]);
    assert_eq!(human.status.code(), Some(3));
    let text = stdout(&human);
    assert!(text.contains("  ~ вес tony: 2 -> 3\n") && text.ends_with("11 изменений маршрутизации\n"), "{text}");

    assert_eq!(chatroute(&["diff", "examples/acme.toml", "examples/acme.toml"]).status.code(), Some(0));
    assert_eq!(chatroute(&["diff", "examples/acme.toml", "tests/fixtures/CR204.toml"]).status.code(), Some(1));
    assert_eq!(chatroute(&["diff", "examples/acme.toml", "no/such.toml"]).status.code(), Some(2));

    // The deployed table against the spec it came from: nothing to do.
    let table = std::env::temp_dir().join(format!("chatroute-diff-{}.json", std::process::id()));
    assert_eq!(chatroute(&["compile", "examples/acme.toml", "-o", table.to_str().unwrap()]).status.code(), Some(0));
    let out = chatroute(&["diff", table.to_str().unwrap(), "examples/acme.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = chatroute(&["diff", table.to_str().unwrap(), "tests/fixtures/diff/acme-next.toml"]);
    assert!(stdout(&out).contains("- channel (excluded): Art shop Instagram"), "the new spec still declares it");
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = chatroute(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0));
        assert!(stdout(&out).contains("chatroute"), "{shell}");
    }
    let man = stdout(&chatroute(&["man"]));
    assert!(man.contains(".TH chatroute") && man.contains("check"), "{man}");
}

/// The real Taplo CLI (`@taplo/cli`, installed by `.ci/run` under
/// target/taplo) checks the examples with the committed schema, through
/// their `#:schema` line and through `--schema`, and rejects a broken spec.
#[test]
fn taplo_checks_the_examples_with_the_committed_schema() {
    let local = Path::new("target/taplo/node_modules/.bin/taplo");
    let taplo = if local.exists() { local.to_path_buf() } else { PathBuf::from("taplo") };
    if Command::new(&taplo).arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CHATROUTE_REQUIRE_TAPLO").is_none(),
            "CHATROUTE_REQUIRE_TAPLO is set but taplo is missing"
        );
        eprintln!("SKIPPED: taplo not found; `npm install --prefix target/taplo @taplo/cli` to run this test");
        return;
    }
    let schema = format!("file://{}/schema/chatroute.schema.json", std::env::current_dir().unwrap().display());
    let examples: Vec<String> = std::fs::read_dir("examples")
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".toml"))
        .collect();
    let run = |args: &[&str], dir: &str| {
        Command::new(std::fs::canonicalize(&taplo).unwrap_or(taplo.clone()))
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap()
    };

    let mut with_flag = vec!["check", "--schema", &schema];
    with_flag.extend(examples.iter().map(String::as_str));
    let out = run(&with_flag, ".");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // The `#:schema ../schema/chatroute.schema.json` line alone.
    let out = run(&["check", "acme.toml", "furniture.toml"], "examples");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let out = run(&["check", "broken.toml"], "tests/fixtures/taplo");
    assert!(!out.status.success(), "taplo accepted a broken spec");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("round_robbin") && stderr.contains("acount"), "{stderr}");
}

/// Names from a spec cannot break the Markdown of a pull-request comment:
/// no cell split, no link, no heading, no HTML, one line each.
#[test]
fn markdown_diffs_escape_every_name() {
    let dir = cli_support::scratch("diff-markdown-hostile");
    let acme = std::fs::read_to_string("examples/acme.toml").unwrap();
    let hostile = "a | b [x](https://evil) <script>alert(1)</script> # *bold*\\n## injected";
    let new = acme.replacen("name = \"Retail WhatsApp\"", &format!("name = \"{hostile}\""), 1);
    let new = new.replacen("{ employee = \"tony\", weight = 2 }", "{ employee = \"tony\", weight = 3 }", 1);
    let path = dir.join("new.toml");
    std::fs::write(&path, new).unwrap();
    let out = chatroute(&["diff", "--format", "markdown", "examples/acme.toml", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let text = stdout(&out);
    // What Markdown would read: every backslash-escaped character dropped.
    let mut active = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            chars.next();
        } else {
            active.push(c);
        }
    }
    for raw in ["<script>", "[x](", "a | b", "*bold*", "## injected"] {
        assert!(!active.contains(raw), "{raw} reached the Markdown:\n{text}");
    }
    assert!(text.lines().all(|l| !l.starts_with("## injected")), "{text}");
    let table_rows = text.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| ---"));
    for row in table_rows {
        let cells = row.matches(" | ").count();
        assert!(cells == 2 || cells == 3, "a name split a table row: {row}");
    }
}

/// A name holding `@user` or `@org/team` pings nobody from a pull-request
/// comment: every `@` is followed by a zero-width space.
#[test]
fn markdown_diffs_mention_nobody() {
    let dir = cli_support::scratch("diff-markdown-mentions");
    let acme = std::fs::read_to_string("examples/acme.toml").unwrap();
    let old = acme.replacen("name = \"Tony Stark\"", "name = \"Bob @octocat @github/security\"", 1);
    assert_ne!(old, acme);
    let new = old.replacen("{ employee = \"tony\", weight = 2 }", "{ employee = \"tony\", weight = 3 }", 1);
    let new = new.replacen("name = \"Retail WhatsApp\"", "name = \"Retail @everyone\"", 1);
    let (old_path, new_path) = (dir.join("old.toml"), dir.join("new.toml"));
    std::fs::write(&old_path, old).unwrap();
    std::fs::write(&new_path, new).unwrap();
    let out = chatroute(&["diff", "--format", "markdown", old_path.to_str().unwrap(), new_path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    let text = stdout(&out);
    assert!(text.contains("@&#8203;everyone"), "{text}");
    let bare = text.match_indices('@').filter(|(i, _)| !text[i + 1..].starts_with("&#8203;")).count();
    assert_eq!(bare, 0, "an `@` that could mention:\n{text}");
}
