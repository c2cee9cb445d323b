//! The command line's own messages (summaries, errors, what it wrote), in
//! `i18n/LANG/chatroute.ftl`; the language is chatroute-check's
//! (`chatroute::i18n`), chosen once in `main`.

use chatroute::i18n::Lang;

chatroute_check::messages!($, crate::cli::i18n::LOADERS);

/// `--lang`: `en` or `ru` (also `ru-RU`, `ru_RU.UTF-8`).
pub(crate) fn parse_lang(text: &str) -> Result<Lang, String> {
    Lang::parse(text).ok_or_else(|| format!("`{text}` is not a language chatroute speaks: en, ru"))
}

/// The language of this run: `--lang`, else the locale's environment
/// (`LC_ALL`, `LC_MESSAGES`, `LANG`), else English.
pub(crate) fn choose(flag: Option<Lang>) {
    chatroute::i18n::set(flag.unwrap_or_else(|| Lang::from_env(|name| std::env::var(name).ok())));
}
