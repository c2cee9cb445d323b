//! The TOML parser's own words (`toml_parser`, `toml`: "key with no
//! value, expected `=`") in the admin's language, for CR001. Each phrase
//! has a message in `i18n/LANG/toml.ftl` under an id made from its words
//! (`toml-key-with-no-value`); a phrase a language lacks, or a parser
//! update's new one, stays as the parser wrote it.

use crate::i18n::{Lang, Loaders};

/// The parser's message in the current language: each line's phrase, and
/// what it expected (literals such as `` `=` `` kept as written).
pub fn said(message: &str) -> String {
    if crate::i18n::current() == Lang::En {
        return message.to_owned();
    }
    let line = |line: &str| match line.split_once(", expected ") {
        Some((what, expected)) => {
            let items: Vec<String> = expected.split(", ").map(phrase).collect();
            format!("{}, {}", phrase(what), crate::i18n::t!("toml-expected", items = items.join(", ")))
        }
        None => phrase(line),
    };
    message.lines().map(line).collect::<Vec<_>>().join("\n")
}

/// One phrase in the current language, when its message exists.
fn phrase(words: &str) -> String {
    static WORDS: Loaders = crate::i18n::domain!("toml");
    let russian = WORDS.of(Lang::Ru);
    let id = format!("toml-{}", slug(words));
    let said = if words.starts_with('`') { None } else { russian.find(&id) };
    said.unwrap_or_else(|| words.to_owned())
}

/// Lower-case words joined by single dashes.
fn slug(words: &str) -> String {
    let lower: String =
        words.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { ' ' }).collect();
    lower.split_whitespace().collect::<Vec<_>>().join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parsers_words_in_russian_with_literals_kept() {
        let ru = |m: &str| crate::i18n::scoped(Lang::Ru, || said(m));
        assert_eq!(ru("key with no value, expected `=`"), "ключ без значения, ожидается `=`");
        assert_eq!(
            ru("string values must be quoted, expected literal string"),
            "строковые значения пишутся в кавычках, ожидается строка в одинарных кавычках"
        );
        assert_eq!(ru("duplicate key"), "повторяющийся ключ");
        assert_eq!(ru("a phrase of a newer parser"), "a phrase of a newer parser");
        assert_eq!(crate::i18n::scoped(Lang::En, || said("duplicate key")), "duplicate key");
        assert_eq!(
            slug("cannot recurse further; max recursion depth met"),
            "cannot-recurse-further-max-recursion-depth-met"
        );
    }
}
