//! A channel's address: which key holds it, whether it is well formed for
//! its transport, and its canonical form (how Wazzup's `plainId` writes
//! it), used to match spec channels with the account's.

use crate::i18n::t;
use crate::phone;
use crate::spec::{AddressKind, Channel, Transport};

/// The key a channel's address is written under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AddressKey {
    Phone,
    Handle,
    Id,
}

impl AddressKey {
    pub const ALL: [AddressKey; 3] = [AddressKey::Phone, AddressKey::Handle, AddressKey::Id];

    pub fn as_str(self) -> &'static str {
        match self {
            AddressKey::Phone => "phone",
            AddressKey::Handle => "handle",
            AddressKey::Id => "id",
        }
    }

    /// The value written under this key, if any.
    pub fn of(self, channel: &Channel) -> Option<&String> {
        match self {
            AddressKey::Phone => channel.phone.as_ref(),
            AddressKey::Handle => channel.handle.as_ref(),
            AddressKey::Id => channel.id.as_ref(),
        }
    }

    /// Whether a transport's channels may be addressed by this key.
    pub fn fits(self, kind: AddressKind) -> bool {
        matches!(
            (kind, self),
            (AddressKind::Phone | AddressKind::PhoneOrHandle, AddressKey::Phone)
                | (AddressKind::Handle | AddressKind::PhoneOrHandle, AddressKey::Handle)
                | (AddressKind::Id, AddressKey::Id)
        )
    }
}

/// The channel's address: the first key its transport allows that is
/// written (phone before handle).
pub fn of(channel: &Channel) -> Option<(AddressKey, &String)> {
    let kind = channel.transport.address();
    AddressKey::ALL.into_iter().filter(|k| k.fits(kind)).find_map(|k| k.of(channel).map(|v| (k, v)))
}

/// What is wrong with a handle for its transport, as the rule to show; `None`
/// when it is well formed. Numbers are checked with libphonenumber instead.
pub fn handle_problem(transport: Transport, handle: &str) -> Option<String> {
    let name = handle.strip_prefix('@').unwrap_or(handle);
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let telegram = (5..=32).contains(&name.len())
        && name.chars().all(word)
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && !name.ends_with('_')
        && !name.contains("__");
    match transport {
        Transport::Instagram => {
            let ok = (1..=30).contains(&name.len())
                && name.chars().all(|c| word(c) || c == '.')
                && !name.starts_with('.')
                && !name.ends_with('.')
                && !name.contains("..");
            (!ok).then(|| t!("rule-instagram-handle"))
        }
        Transport::Telegram => {
            (!(telegram && name.to_ascii_lowercase().ends_with("bot"))).then(|| t!("rule-telegram-bot"))
        }
        _ => (!telegram).then(|| t!("rule-telegram-user")),
    }
}

/// What is wrong with an id for its transport; `None` when well formed.
pub fn id_problem(transport: Transport, id: &str) -> Option<String> {
    let number = !id.is_empty() && id.len() <= 19 && id.bytes().all(|b| b.is_ascii_digit()) && !id.starts_with('0');
    match transport {
        Transport::Vk => (!number).then(|| t!("rule-vk-id")),
        Transport::Avito => (!number).then(|| t!("rule-avito-id")),
        _ => {
            let ok =
                (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            (!ok).then(|| t!("rule-wazzup-id"))
        }
    }
}

/// The address as Wazzup's `plainId` writes it: a number's international
/// digits, a username without `@` in lower case, an id as it is. `None` for
/// a number libphonenumber does not accept.
pub fn canonical(key: AddressKey, value: &str) -> Option<String> {
    match key {
        AddressKey::Phone => phone::channel_number(value),
        AddressKey::Handle => Some(value.trim().trim_start_matches('@').to_lowercase()),
        AddressKey::Id => Some(value.trim().to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_per_transport() {
        for ok in ["@acme.art", "acme_art", "@a"] {
            assert_eq!(handle_problem(Transport::Instagram, ok), None, "{ok}");
        }
        for bad in ["@", "@acme art", "@.acme", "@acme.", "@ac..me", "@абв", "@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"] {
            assert!(handle_problem(Transport::Instagram, bad).is_some(), "{bad}");
        }
        for ok in ["@acme_shop_bot", "AcmeBot", "@kanc_opt_bot"] {
            assert_eq!(handle_problem(Transport::Telegram, ok), None, "{ok}");
        }
        for bad in ["@acme_shop", "@bot", "@1acmebot", "@acme__bot", "@acme.bot"] {
            assert!(handle_problem(Transport::Telegram, bad).is_some(), "{bad}");
        }
        assert_eq!(handle_problem(Transport::Tgapi, "@ivan_petrov"), None);
        assert!(handle_problem(Transport::Tgapi, "@iv").is_some());
    }

    #[test]
    fn ids_per_transport() {
        assert_eq!(id_problem(Transport::Vk, "212345678"), None);
        assert!(id_problem(Transport::Vk, "club212345678").is_some());
        assert!(id_problem(Transport::Avito, "0123").is_some());
        assert_eq!(id_problem(Transport::Max, "acme-shop_1"), None);
        assert!(id_problem(Transport::Max, "a b").is_some());
    }

    #[test]
    fn canonical_forms_match_wazzup() {
        assert_eq!(canonical(AddressKey::Phone, "+7 986 578-44-57").as_deref(), Some("79865784457"));
        assert_eq!(canonical(AddressKey::Handle, "@Acme.Art").as_deref(), Some("acme.art"));
        assert_eq!(canonical(AddressKey::Id, "212345678").as_deref(), Some("212345678"));
    }
}
