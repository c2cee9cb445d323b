//! The language of what chatroute says to people (Project Fluent through
//! i18n-embed). Messages live in `i18n/LANG/chatroute-check.ftl`, one per
//! diagnostic message, label, help and fix; `t!` formats one in the
//! current language and is checked at compile time against the English
//! file (the message exists, its arguments are the ones given). Codes,
//! JSON keys, SARIF rule ids, exit codes and tables never change with the
//! language: only text does.
//!
//! The language is chosen once per process (`set`: `--lang`, else the
//! locale's environment variables, else English); a thread can speak
//! another (`scoped`), which tests use to render both languages side by
//! side. Each crate that talks to people has its own messages and loader
//! (`Loaders`) and reads the language from here.

use std::cell::Cell;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU8, Ordering};

use i18n_embed::fluent::FluentLanguageLoader;
use i18n_embed::{LanguageLoader, unic_langid::LanguageIdentifier};

/// The languages chatroute speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Ru,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ru];

    /// The BCP 47 tag: `en`, `ru`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    /// A language from a tag or a POSIX locale (`ru`, `ru-RU`,
    /// `ru_RU.UTF-8`, `en_US`); `None` for one chatroute does not speak.
    pub fn parse(locale: &str) -> Option<Lang> {
        let language = locale.split(['_', '-', '.', '@']).next().unwrap_or("").to_ascii_lowercase();
        match language.as_str() {
            "ru" => Some(Lang::Ru),
            "en" | "c" | "posix" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language the locale's environment names, as POSIX orders its
    /// variables (`LC_ALL`, then `LC_MESSAGES`, then `LANG`; the first one
    /// set and not empty decides); English when it names another.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .find_map(|name| var(name).filter(|v| !v.is_empty()))
            .and_then(|locale| Lang::parse(&locale))
            .unwrap_or(Lang::En)
    }

    fn id(self) -> LanguageIdentifier {
        self.tag().parse().expect("a valid language tag")
    }
}

static PROCESS: AtomicU8 = AtomicU8::new(0);

thread_local! {
    static THREAD: Cell<Option<Lang>> = const { Cell::new(None) };
}

/// Sets the process's language (the command line does it once, first).
pub fn set(lang: Lang) {
    PROCESS.store(lang as u8, Ordering::Relaxed);
}

/// The language of this thread: its `scoped` one, else the process's.
pub fn current() -> Lang {
    THREAD.get().unwrap_or(if PROCESS.load(Ordering::Relaxed) == Lang::Ru as u8 { Lang::Ru } else { Lang::En })
}

/// Runs `f` with this thread speaking `lang`.
pub fn scoped<T>(lang: Lang, f: impl FnOnce() -> T) -> T {
    let previous = THREAD.replace(Some(lang));
    let out = f();
    THREAD.set(previous);
    out
}

/// A share as the current language writes percentages, one decimal:
/// `33.3%`; Russian `33,3 %` (a decimal comma, a non-breaking space).
pub fn percent(share: f64) -> String {
    let number = format!("{:.1}", share * 100.0);
    match current() {
        Lang::En => format!("{number}%"),
        Lang::Ru => format!("{}\u{a0}%", number.replace('.', ",")),
    }
}

/// One loader per language, each parsed on first use: a run that says
/// nothing reads no message file, and one in English does not read the
/// Russian file.
pub struct Loaders {
    en: LazyLock<FluentLanguageLoader>,
    ru: LazyLock<FluentLanguageLoader>,
}

impl Loaders {
    pub const fn new(en: fn() -> FluentLanguageLoader, ru: fn() -> FluentLanguageLoader) -> Self {
        Loaders { en: LazyLock::new(en), ru: LazyLock::new(ru) }
    }

    /// The loader of the current language.
    pub fn current(&self) -> &FluentLanguageLoader {
        match current() {
            Lang::En => &self.en,
            Lang::Ru => &self.ru,
        }
    }
}

/// `loader` with `lang`'s messages from `assets` (English beneath, for
/// any message a translation lacks, which the parity tests forbid).
/// Placeables are not wrapped in Unicode isolation marks: the text goes
/// to terminals, JSON and editors, which lay it out themselves.
pub fn load(loader: FluentLanguageLoader, assets: &dyn i18n_embed::I18nAssets, lang: Lang) -> FluentLanguageLoader {
    loader.load_languages(assets, &[lang.id()]).expect("the embedded message files parse");
    loader.set_use_isolating(false);
    loader
}

/// A file of this crate's messages other than the crate's own
/// (`i18n/LANG/DOMAIN.ftl`: the schema's descriptions, the TOML parser's
/// words) in Russian, English beneath: for text whose message id is
/// made at run time from its English words, so `t!` cannot check it.
pub(crate) fn russian_domain(domain: &str) -> FluentLanguageLoader {
    let loader = FluentLanguageLoader::new(domain, Lang::En.id());
    load(loader, &Messages, Lang::Ru)
}

/// The messages of the crate that calls it: its `i18n/LANG/CRATE.ftl`
/// embedded, `LOADERS` (one loader per language) and its `t!` macro,
/// `t!("id")` or `t!("id", name = value, ...)`, checked at compile time
/// against the crate's English file. Called once per crate, in the module
/// its second argument names: `chatroute_check::messages!($,
/// crate::i18n::LOADERS);` (the `$` lets it define `t!`; the crate depends
/// on i18n-embed, i18n-embed-fl and rust-embed).
#[macro_export]
macro_rules! messages {
    ($d:tt, $loaders:path) => {
        #[derive(rust_embed::RustEmbed)]
        #[folder = "i18n"]
        pub(crate) struct Messages;

        pub(crate) static LOADERS: $crate::i18n::Loaders = $crate::i18n::Loaders::new(
            || {
                let loader = i18n_embed::fluent::fluent_language_loader!();
                $crate::i18n::load(loader, &Messages, $crate::i18n::Lang::En)
            },
            || {
                let loader = i18n_embed::fluent::fluent_language_loader!();
                $crate::i18n::load(loader, &Messages, $crate::i18n::Lang::Ru)
            },
        );

        /// A message of this crate's `i18n/LANG/CRATE.ftl` in the current
        /// language.
        macro_rules! t {
                                                            ($d($d message:tt)*) => {
                                                                i18n_embed_fl::fl!($loaders.current(), $d($d message)*)
                                                            };
                                                        }
        pub(crate) use t;
    };
}

crate::messages!($, crate::i18n::LOADERS);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locale_environment_picks_the_language_in_posix_order() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
        };
        assert_eq!(Lang::from_env(env(&[("LANG", "ru_RU.UTF-8")])), Lang::Ru);
        assert_eq!(Lang::from_env(env(&[("LANG", "ru_RU.UTF-8"), ("LC_ALL", "en_US.UTF-8")])), Lang::En);
        assert_eq!(Lang::from_env(env(&[("LC_MESSAGES", "ru"), ("LANG", "en_GB")])), Lang::Ru);
        assert_eq!(Lang::from_env(env(&[("LC_ALL", ""), ("LANG", "ru_RU")])), Lang::Ru, "an empty variable is unset");
        assert_eq!(Lang::from_env(env(&[("LANG", "de_DE.UTF-8")])), Lang::En);
        assert_eq!(Lang::from_env(env(&[])), Lang::En);
        assert_eq!(Lang::parse("ru-RU"), Some(Lang::Ru));
        assert_eq!(Lang::parse("fr"), None);
    }
}
