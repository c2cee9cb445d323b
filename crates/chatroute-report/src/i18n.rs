//! The page's words, in `i18n/LANG/chatroute-report.ftl`, in the language
//! chatroute-check's `i18n` says (the page's `lang` attribute too).

use chatroute_check::i18n::{Lang, Loaders, load};

#[derive(rust_embed::RustEmbed)]
#[folder = "i18n"]
struct Messages;

pub(crate) static LOADERS: Loaders = Loaders::new(
    || load(i18n_embed::fluent::fluent_language_loader!(), &Messages, Lang::En),
    || load(i18n_embed::fluent::fluent_language_loader!(), &Messages, Lang::Ru),
);

/// A message of `i18n/LANG/chatroute-report.ftl` in the current language.
macro_rules! t {
    ($($message:tt)*) => {
        i18n_embed_fl::fl!($crate::i18n::LOADERS.current(), $($message)*)
    };
}
pub(crate) use t;
