//! The message files (Project Fluent) in step: every crate's
//! `i18n/en/*.ftl` has a Russian twin with the same messages, each reading
//! the same variables (English's `$article` aside, which Russian has no
//! use for). The code's side, that each message it formats exists in
//! English with the arguments it passes, is checked when it compiles
//! (`t!`, i18n-embed-fl).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

type Messages = BTreeMap<String, BTreeSet<String>>;

/// Each message's id and the variables it reads.
fn messages(ftl: &str) -> Messages {
    fn pattern(p: &Pattern<&str>, out: &mut BTreeSet<String>) {
        for element in &p.elements {
            if let PatternElement::Placeable { expression } = element {
                expr(expression, out);
            }
        }
    }
    fn expr(e: &Expression<&str>, out: &mut BTreeSet<String>) {
        match e {
            Expression::Select { selector, variants } => {
                inline(selector, out);
                variants.iter().for_each(|v| pattern(&v.value, out));
            }
            Expression::Inline(i) => inline(i, out),
        }
    }
    fn inline(i: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match i {
            InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_owned());
            }
            InlineExpression::Placeable { expression } => expr(expression, out),
            _ => {}
        }
    }
    let resource = fluent_syntax::parser::parse(ftl).unwrap_or_else(|(_, errors)| panic!("{errors:?}"));
    let mut found = Messages::new();
    for entry in resource.body {
        if let Entry::Message(m) = entry {
            let mut variables = BTreeSet::new();
            m.value.iter().for_each(|p| pattern(p, &mut variables));
            found.insert(m.id.name.to_owned(), variables);
        }
    }
    found
}

/// The English message files of the repository.
fn english_files() -> Vec<PathBuf> {
    let mut roots = vec![PathBuf::from("i18n/en")];
    for krate in std::fs::read_dir("crates").unwrap().flatten() {
        roots.push(krate.path().join("i18n/en"));
    }
    roots
        .into_iter()
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "ftl"))
        .collect()
}

#[test]
fn every_message_has_its_russian_twin_with_the_same_arguments() {
    let files = english_files();
    assert!(!files.is_empty());
    for english_file in files {
        let russian_file = PathBuf::from(
            english_file.to_string_lossy().replace("/i18n/en/", "/i18n/ru/").replace("i18n/en/", "i18n/ru/"),
        );
        let en = messages(&std::fs::read_to_string(&english_file).unwrap());
        let ru = messages(
            &std::fs::read_to_string(&russian_file).unwrap_or_else(|e| panic!("{}: {e}", russian_file.display())),
        );
        let only = |a: &Messages, b: &Messages| a.keys().filter(|k| !b.contains_key(*k)).cloned().collect::<Vec<_>>();
        assert_eq!(only(&en, &ru), Vec::<String>::new(), "{}: in English only", english_file.display());
        assert_eq!(only(&ru, &en), Vec::<String>::new(), "{}: in Russian only", russian_file.display());
        for (id, english) in &en {
            let english: BTreeSet<&String> = english.iter().filter(|v| *v != "article").collect();
            let russian: BTreeSet<&String> = ru[id].iter().collect();
            assert_eq!(russian, english, "{}: the arguments of {id}", russian_file.display());
        }
    }
}

/// chatroute parses a message when it is first said, alone
/// (`chatroute::i18n::Loaders`): each message of every file, with every
/// argument a word or a number of each plural form, reads as the whole
/// file read by fluent-bundle reads it; and no file has what a message
/// alone could not resolve (terms, references to other messages).
#[test]
fn each_message_said_alone_reads_as_in_the_whole_file() {
    use chatroute::i18n::{Lang, Loaders};
    use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
    for english_file in english_files() {
        let russian_file = english_file.to_string_lossy().replace("i18n/en/", "i18n/ru/");
        let texts = [english_file.to_string_lossy().into_owned(), russian_file]
            .map(|path| &*std::fs::read_to_string(path).unwrap().leak());
        let loaders = Loaders::new(texts[0], texts[1]);
        for (lang, text) in [(Lang::En, texts[0]), (Lang::Ru, texts[1])] {
            assert!(!text.contains("{ -") && !text.contains("{-"), "{}: a term", english_file.display());
            let mut whole = FluentBundle::new(vec![lang.tag().parse().unwrap()]);
            whole.set_use_isolating(false);
            whole.add_resource(FluentResource::try_new(text.to_owned()).unwrap()).unwrap();
            for (id, variables) in messages(text) {
                for value in [FluentValue::from("x"), 1.into(), 2.into(), 5.into(), 21.into()] {
                    let args: FluentArgs = variables.iter().map(|v| (v.as_str(), value.clone())).collect();
                    let mut errors = Vec::new();
                    let pattern = whole.get_message(&id).unwrap().value().unwrap();
                    let expected = whole.format_pattern(pattern, Some(&args), &mut errors);
                    assert!(errors.is_empty(), "{id}: {errors:?}");
                    let map = variables.iter().map(|v| (v.as_str(), value.clone())).collect();
                    assert_eq!(loaders.of(lang).get_args_concrete(&id, map), expected, "{lang:?} {id}");
                }
            }
        }
    }
}

#[test]
fn the_parity_reading_sees_variables_inside_plural_selections() {
    let read = messages("a = { $n ->\n    [one] { $n } file\n   *[other] { $n } files of { $who }\n}\nb = plain\n");
    assert_eq!(read["a"], BTreeSet::from(["n".to_owned(), "who".to_owned()]));
    assert!(read["b"].is_empty());
}

/// `chatroute explain` in Russian: every code has its section in
/// diagnostics.ru.md, with the English section's examples (TOML as
/// written, comments aside), and the CLI prints it for `--lang ru`.
#[test]
fn every_code_is_explained_in_russian_with_the_same_examples() {
    use chatroute::diagnostics::Code;
    use chatroute::i18n::Lang;
    let examples = |text: &str| {
        let code = crate::support::markdown::fenced(text).into_iter().filter(|(fence, _)| fence.is_some());
        code.map(|(_, line)| line.to_owned()).filter(|line| !line.trim_start().starts_with('#')).collect::<Vec<_>>()
    };
    for code in Code::ALL {
        let (en, ru) = (code.explanation_in(Lang::En), code.explanation_in(Lang::Ru));
        assert!(ru.starts_with(&format!("## {code}: ")), "{code} has no Russian section");
        assert!(ru.contains("Исправление"), "{code}: {ru}");
        assert_eq!(examples(ru), examples(en), "{code}: the examples differ");
    }
    let out = crate::support::cli::chatroute(&["explain", "--lang", "ru", "CR204"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("участник назначения не может отвечать"), "{text}");
}

/// The English descriptions file is the schema's descriptions as they
/// are (regenerate with `CHATROUTE_BLESS=1`): what translators translate,
/// and the ids the Russian file must have.
#[test]
fn the_english_descriptions_file_is_the_schemas() {
    let mut text = String::from(
        "# The schema's descriptions in English, written from the schema (the spec\n\
         # types' doc comments): do not edit, run the tests with CHATROUTE_BLESS=1.\n\n",
    );
    for (id, english) in chatroute::descriptions::messages() {
        let lines: Vec<String> = english
            .lines()
            .map(|line| if line.starts_with(['[', '*', '.']) { format!("{{\"\"}}{line}") } else { line.to_owned() })
            .collect();
        text.push_str(&format!("{id} = {}\n", lines.join("\n    ")));
    }
    let path = "crates/chatroute-check/i18n/en/schema.ftl";
    if std::env::var_os("CHATROUTE_BLESS").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    assert_eq!(std::fs::read_to_string(path).unwrap(), text, "run with CHATROUTE_BLESS=1");
}
