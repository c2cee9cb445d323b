//! The `chatroute` binary as users run it: exit codes, formats, files.

use crate::support::cli as cli_support;

use cli_support::{chatroute, scratch, stderr, stdout};

#[test]
fn check_examples_exits_zero() {
    let out = chatroute(&["check", "examples/acme.toml", "examples/furniture.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("checked 2 file(s): 0 error(s), 0 warning(s)"));
}

#[test]
fn errors_exit_one_and_name_code_and_line() {
    let out = chatroute(&["check", "tests/fixtures/CR101.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("CR101"), "{text}");
    assert!(text.contains("tests/fixtures/CR101.toml:15:25"), "{text}");
    assert!(text.contains("did you mean `bruce`?"), "{text}");
}

#[test]
fn warnings_pass_unless_denied() {
    assert_eq!(chatroute(&["check", "tests/fixtures/CR303.toml"]).status.code(), Some(0));
    assert_eq!(chatroute(&["check", "--deny-warnings", "tests/fixtures/CR303.toml"]).status.code(), Some(1));
}

#[test]
fn json_output_is_one_document_with_lines_and_columns() {
    let out = chatroute(&["check", "--format", "json", "tests/fixtures/CR301.toml", "examples/acme.toml"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["valid"], false);
    assert_eq!(doc["error_count"], 1);
    let d = &doc["diagnostics"][0];
    assert_eq!(d["code"], "CR301");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], "tests/fixtures/CR301.toml");
    assert_eq!(d["labels"][0]["line"], 40, "primary: the repeated mark");
    assert_eq!(d["labels"][1]["line"], 31, "the first mark");
}

#[test]
fn missing_file_is_an_io_error() {
    let out = chatroute(&["check", "no/such/spec.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read no/such/spec.toml"));
}

#[test]
fn explain_prints_the_long_form_and_refuses_unknown_codes() {
    let out = chatroute(&["explain", "cr204"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("CR204: assignment member cannot answer\n====="), "{}", stdout(&out));
    let unknown = chatroute(&["explain", "CR999"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(!stderr(&unknown).contains(".md"), "no path a user does not have: {}", stderr(&unknown));
}

/// Every code's explanation reads on a terminal: no Markdown left, and it
/// cites the settings by name, never "the source".
#[test]
fn every_explanation_is_terminal_text() {
    for code in chatroute::diagnostics::Code::ALL {
        let out = chatroute(&["explain", code.as_str()]);
        let text = stdout(&out);
        for markdown in ["```", "## ", "**", "`"] {
            assert!(!text.contains(markdown), "{code:?} shows {markdown:?}: {text}");
        }
        assert!(!text.to_lowercase().contains("source"), "{code:?} cites the source: {text}");
    }
}

#[test]
fn schema_prints_the_committed_schema() {
    let out = chatroute(&["schema"]);
    assert_eq!(stdout(&out), std::fs::read_to_string("schema/chatroute.schema.json").unwrap());
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(chatroute(&["check"]).status.code(), Some(2));
    assert_eq!(chatroute(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn compile_then_route_reproduces_the_source_table() {
    let dir = scratch("route");
    let table = dir.join("stationery.json");
    let t = table.to_str().unwrap();
    let out = chatroute(&["compile", "examples/stationery-wholesale.toml", "-o", t]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let first = std::fs::read(&table).unwrap();
    assert_eq!(chatroute(&["compile", "examples/stationery-wholesale.toml", "-o", t]).status.code(), Some(0));
    assert_eq!(first, std::fs::read(&table).unwrap(), "compiling twice gives identical bytes");

    let out = chatroute(&["route", t, "--channel", "wa-opt", "--new-deals", "6"]);
    assert_eq!(out.status.code(), Some(0));
    let who: Vec<String> =
        stdout(&out).lines().map(|l| l.split("  ").last().unwrap().split(' ').next().unwrap().to_owned()).collect();
    assert_eq!(who, ["bruce", "scrooge", "tony", "tony", "kostya", "bruce"]);

    let out = chatroute(&["route", t, "--channel", "wa-opt", "--new-deals", "2", "--format", "json"]);
    let lines: Vec<serde_json::Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[1]["responsible"]["name"], "Scrooge McDuck");
    assert_eq!(lines[1]["stage"], "Primary contract");

    let out = chatroute(&["route", t, "--channel", "wa-nope", "--new-deals", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("channel `wa-nope` is not routed"));
}

#[test]
fn a_spec_with_errors_writes_nothing_and_keeps_the_old_table() {
    let dir = scratch("errors");
    let table = dir.join("table.json");
    std::fs::write(&table, b"previous table").unwrap();
    let out = chatroute(&["compile", "tests/fixtures/CR204.toml", "-o", table.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("CR204"));
    assert_eq!(std::fs::read(&table).unwrap(), b"previous table");
    let leftovers = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(leftovers, 1, "no temp file left behind");
}

#[test]
fn a_tampered_table_is_refused_clearly() {
    let dir = scratch("tamper");
    let table = dir.join("acme.json");
    let t = table.to_str().unwrap();
    assert_eq!(chatroute(&["compile", "examples/acme.toml", "-o", t]).status.code(), Some(0));
    let text = std::fs::read_to_string(&table).unwrap().replace("\"New lead\"", "\"Won\"");
    std::fs::write(&table, text).unwrap();
    let out = chatroute(&["route", t, "--channel", "wa-retail", "--new-deals", "1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not match its hash"));
}

/// Each subcommand's one-line help describes that subcommand (a doc
/// comment on the wrong variant once gave `wazzup` the help of `init`).
#[test]
fn each_subcommand_has_its_own_one_line_help() {
    let out = chatroute(&["--help"]);
    let text = stdout(&out);
    let expected = [
        ("check", "Check specs"),
        ("compile", "Compile a spec"),
        ("crm", "amoCRM account"),
        ("wazzup", "Wazzup account"),
        ("init", "starter spec"),
        ("route", "Simulate the runtime"),
        ("serve", "Serve the table"),
        ("diff", "change in routing"),
        ("completions", "completion script"),
        ("man", "man page"),
        ("schema", "JSON Schema"),
        ("openapi", "OpenAPI document"),
        ("lsp", "language server"),
        ("explain", "Explain a diagnostic"),
    ];
    for (command, words) in expected {
        let line = text
            .lines()
            .find(|l| l.split_whitespace().next() == Some(command))
            .unwrap_or_else(|| panic!("no help line for `{command}`:\n{text}"));
        assert!(line.contains(words), "`{command}`: {line}");
    }
}

/// The README's first paragraph names the transports a Wazzup account has.
#[test]
fn the_readme_opens_with_every_transport() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let first = readme.split("\n\n").nth(1).unwrap();
    for transport in ["WhatsApp", "WABA", "Instagram", "Telegram", "VK", "Avito", "MAX"] {
        assert!(first.contains(transport), "{transport} missing from: {first}");
    }
}

/// `check --only-specs`, as the pre-commit hooks run it: every TOML file is
/// passed, Cargo.toml is skipped (named on stderr), the specs are checked.
#[test]
fn only_specs_are_checked_among_toml_files() {
    let dir = scratch("only-specs");
    let manifest = dir.join("Cargo.toml");
    std::fs::write(&manifest, "[package]\nname = \"x\"\n").unwrap();
    let broken = dir.join("broken.toml");
    std::fs::write(&broken, "version = 1\n[integration]\naccount = \"acme\"\n").unwrap();
    let run = chatroute(&["check", "--only-specs", manifest.to_str().unwrap(), "examples/acme.toml"]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("skipped") && stderr(&run).contains("Cargo.toml: not a chatroute spec"),
        "{}",
        stderr(&run)
    );
    assert!(stdout(&run).contains("checked 1 file(s)"), "{}", stdout(&run));
    let run = chatroute(&["check", "--only-specs", manifest.to_str().unwrap(), broken.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1), "a spec with errors still fails");
    // Without the flag, a file given is a spec to check.
    assert_eq!(chatroute(&["check", manifest.to_str().unwrap()]).status.code(), Some(1));
}

/// `chatroute` in the admin's language: `--lang ru` (before or after the
/// subcommand), else the locale's variables; the summary with Russian
/// plurals; codes, JSON keys and exit codes as in English.
#[test]
fn russian_from_the_flag_or_the_locale_with_plural_forms() {
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_chatroute"));
        command.args(args).env("NO_COLOR", "1").env_remove("LC_ALL").env_remove("LC_MESSAGES").env_remove("LANG");
        command.envs(env.iter().copied()).output().unwrap()
    };
    let last_line = |o: &std::process::Output| stdout(o).lines().last().unwrap_or_default().to_owned();
    let one = run(&["check", "--lang", "ru", "tests/fixtures/CR204.toml"], &[]);
    assert_eq!(one.status.code(), Some(1));
    assert_eq!(last_line(&one), "проверен 1 файл: 1 ошибка, 0 предупреждений");
    assert!(stdout(&one).contains("CR204") && stdout(&one).contains("получает новые сделки"), "{}", stdout(&one));
    let fixtures = ["tests/fixtures/CR211.toml", "tests/fixtures/CR213.toml", "examples/acme.toml"];
    let three = run(&[&["--lang", "ru-RU", "check"][..], &fixtures[..]].concat(), &[]);
    assert_eq!(last_line(&three), "проверено 3 файла: 0 ошибок, 2 предупреждения");
    let five = ["CR101", "CR102", "CR103", "CR201", "CR202"].map(|c| format!("tests/fixtures/{c}.toml"));
    let five: Vec<&str> = five.iter().map(String::as_str).collect();
    let many = run(&[&["check"][..], &five[..]].concat(), &[("LANG", "ru_RU.UTF-8")]);
    assert!(last_line(&many).starts_with("проверено 5 файлов: "), "{}", last_line(&many));
    let english = run(&["check", "--lang", "en", "tests/fixtures/CR204.toml"], &[("LC_ALL", "ru_RU.UTF-8")]);
    assert_eq!(last_line(&english), "checked 1 file(s): 1 error(s), 0 warning(s)");
    let json = |lang: &str| {
        let out = run(&["check", "--lang", lang, "--format", "json", "tests/fixtures/CR204.toml"], &[]);
        let mut doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(!doc["diagnostics"].as_array().unwrap().is_empty());
        for d in doc["diagnostics"].as_array_mut().into_iter().flatten() {
            d["message"] = serde_json::Value::Null;
            d["help"] = serde_json::Value::Null;
            for l in d["labels"].as_array_mut().into_iter().flatten() {
                l["text"] = serde_json::Value::Null;
            }
        }
        (out.status.code(), doc)
    };
    assert_eq!(json("ru"), json("en"), "only text changes with the language");
    // The simulation too: its lines and the runtime's refusals.
    let table = scratch("russian-route").join("table.json");
    let table = table.to_str().unwrap();
    assert!(run(&["compile", "examples/stationery-wholesale.toml", "-o", table], &[]).status.success());
    let route = run(&["route", "--lang", "ru", table, "--channel", "nope"], &[]);
    assert_eq!(route.status.code(), Some(2));
    assert!(stderr(&route).starts_with("ошибка: канал `nope` не маршрутизируется этой таблицей"), "{}", stderr(&route));
    let missing = run(&["check", "--lang", "ru", "nope.toml"], &[]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).starts_with("ошибка: не удаётся прочитать nope.toml"), "{}", stderr(&missing));
}
