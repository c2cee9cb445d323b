//! The reporters' own words (the help label, a line too long to draw), in
//! `i18n/LANG/chatroute-render.ftl`.

chatroute_check::messages!($, crate::i18n::LOADERS);
