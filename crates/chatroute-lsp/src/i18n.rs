//! The editor's own words (hovers, hints, completion details, refusals),
//! in `i18n/LANG/chatroute-lsp.ftl`, in the client's language.

chatroute_check::messages!($, crate::i18n::LOADERS);
