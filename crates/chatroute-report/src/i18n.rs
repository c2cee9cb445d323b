//! The page's words, in `i18n/LANG/chatroute-report.ftl`, in the language
//! chatroute-check's `i18n` says (the page's `lang` attribute too).

chatroute_check::messages!($, crate::i18n::LOADERS);
