//! The language of what chatroute says to people (Project Fluent: the
//! messages checked at compile time by i18n-embed-fl, said by
//! fluent-bundle). Messages live in `i18n/LANG/chatroute-check.ftl`, one per
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
use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

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

/// A crate's messages in both languages: its `i18n/LANG/CRATE.ftl`,
/// embedded. Nothing is read before a message is said, and then only that
/// message is parsed: a run that says one line does not parse the other
/// hundreds (a whole file costs about 33 instructions a byte, the check
/// crate's 26 KB more than the rest of a small `check`).
pub struct Loaders {
    en: Catalog,
    ru: Catalog,
}

impl Loaders {
    pub const fn new(en: &'static str, ru: &'static str) -> Self {
        Loaders { en: Catalog::new(Lang::En, en), ru: Catalog::new(Lang::Ru, ru) }
    }

    /// The messages of the current language.
    pub fn current(&self) -> Messages<'_> {
        self.of(current())
    }

    /// The messages of `lang`, English beneath for any message a
    /// translation lacks (which the parity tests forbid).
    pub fn of(&self, lang: Lang) -> Messages<'_> {
        let wanted = match lang {
            Lang::En => &self.en,
            Lang::Ru => &self.ru,
        };
        Messages { wanted, english: &self.en }
    }
}

/// One language's messages, what `t!` (i18n-embed-fl's `fl!`) calls.
pub struct Messages<'a> {
    wanted: &'a Catalog,
    english: &'a Catalog,
}

impl Messages<'_> {
    /// The message `id`, when the file has it (for ids made at run time,
    /// which `t!` cannot check).
    pub fn find(&self, id: &str) -> Option<String> {
        self.wanted.format(id, None).or_else(|| self.english.format(id, None))
    }

    pub fn get(&self, id: &str) -> String {
        self.format(id, None)
    }

    pub fn get_args_concrete<'args>(&self, id: &str, args: HashMap<&'args str, FluentValue<'args>>) -> String {
        let args: FluentArgs<'args> = args.into_iter().collect();
        self.format(id, Some(&args))
    }

    /// As i18n-embed's loader says a message: its errors (a missing
    /// argument) are left in the text; an unknown id says so.
    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        self.wanted
            .format(id, args)
            .or_else(|| self.english.format(id, args))
            .unwrap_or_else(|| format!("No localization for id: \"{id}\""))
    }
}

/// One message file, read as far as the messages asked for and each
/// message parsed when first said. Entries are split at lines that start
/// in the first column (Fluent's rule for where an entry begins); the files
/// use no terms and no message references, so each message parses alone,
/// which the parity tests check.
struct Catalog {
    lang: Lang,
    source: &'static str,
    parsed: OnceLock<Mutex<Parsed>>,
}

struct Parsed {
    /// Messages read from the file and not yet in the bundle: id -> text.
    pending: foldhash::HashMap<&'static str, &'static str>,
    /// The rest of the file.
    unread: Entries,
    bundle: FluentBundle<FluentResource>,
}

impl Catalog {
    const fn new(lang: Lang, source: &'static str) -> Self {
        Catalog { lang, source, parsed: OnceLock::new() }
    }

    fn parsed(&self) -> MutexGuard<'_, Parsed> {
        let parsed = self.parsed.get_or_init(|| {
            let mut bundle = FluentBundle::new_concurrent(vec![self.lang.id()]);
            bundle.set_use_isolating(false);
            let unread = Entries { source: self.source, at: 0 };
            Mutex::new(Parsed { pending: foldhash::HashMap::default(), unread, bundle })
        });
        parsed.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
        let mut parsed = self.parsed();
        if parsed.find(id)
            && let Some(text) = parsed.pending.remove(id)
        {
            // A message the parser rejects is dropped, as in a whole file.
            let resource = FluentResource::try_new(text.to_owned()).unwrap_or_else(|(partial, _)| partial);
            parsed.bundle.add_resource_overriding(resource);
        }
        let pattern = parsed.bundle.get_message(id)?.value()?;
        let mut errors = Vec::new();
        Some(parsed.bundle.format_pattern(pattern, args, &mut errors).into_owned())
    }
}

impl Parsed {
    /// Whether `id` is pending, reading the file on until it is.
    fn find(&mut self, id: &str) -> bool {
        if self.pending.contains_key(id) {
            return true;
        }
        for (found, text) in self.unread.by_ref() {
            self.pending.insert(found, text);
            if found == id {
                return true;
            }
        }
        false
    }
}

/// The messages of a Fluent file in order, each id with its entry's text:
/// from a line starting with a letter (a message identifier) to the next
/// line that starts in the first column with anything but a variant or a
/// closing brace (blank lines and indented lines continue the entry).
struct Entries {
    source: &'static str,
    at: usize,
}

impl Iterator for Entries {
    type Item = (&'static str, &'static str);

    fn next(&mut self) -> Option<Self::Item> {
        let (source, bytes) = (self.source, self.source.as_bytes());
        let line_after = |at: usize| source[at..].find('\n').map_or(source.len(), |n| at + n + 1);
        while self.at < bytes.len() && !bytes[self.at].is_ascii_alphabetic() {
            self.at = line_after(self.at);
        }
        let start = self.at;
        if start == bytes.len() {
            return None;
        }
        let mut end = line_after(start);
        while end < bytes.len() && matches!(bytes[end], b' ' | b'\t' | b'\n' | b'\r' | b'[' | b'*' | b'}' | b'.') {
            end = line_after(end);
        }
        self.at = end;
        let id = bytes[start..end].iter().position(|&b| b == b'=' || b.is_ascii_whitespace());
        Some((&source[start..start + id.unwrap_or(end - start)], &source[start..end]))
    }
}

/// A file of this crate's messages other than the crate's own
/// (`i18n/LANG/DOMAIN.ftl`: the schema's descriptions, the TOML parser's
/// words), for text whose message id is made at run time from its English
/// words, so `t!` cannot check it.
macro_rules! domain {
    ($domain:literal) => {
        $crate::i18n::Loaders::new(
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/i18n/en/", $domain, ".ftl")),
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/i18n/ru/", $domain, ".ftl")),
        )
    };
}
pub(crate) use domain;

/// The messages of the crate that calls it: its `i18n/LANG/CRATE.ftl`
/// embedded, `LOADERS` and its `t!` macro, `t!("id")` or `t!("id", name =
/// value, ...)`, checked at compile time against the crate's English file
/// (i18n-embed-fl reads the crate's `i18n.toml`). Called once per crate,
/// in the module its second argument names: `chatroute_check::messages!($,
/// crate::i18n::LOADERS);` (the `$` lets it define `t!`; the crate depends
/// on i18n-embed-fl).
#[macro_export]
macro_rules! messages {
    ($d:tt, $loaders:path) => {
        pub(crate) static LOADERS: $crate::i18n::Loaders = $crate::i18n::Loaders::new(
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/i18n/en/", env!("CARGO_PKG_NAME"), ".ftl")),
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/i18n/ru/", env!("CARGO_PKG_NAME"), ".ftl")),
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
