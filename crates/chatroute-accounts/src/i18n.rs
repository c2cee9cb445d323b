//! Why a pull failed, in `i18n/LANG/chatroute-accounts.ftl`, in the
//! language chatroute-check's `i18n` says.

chatroute_check::messages!($, crate::i18n::LOADERS);
