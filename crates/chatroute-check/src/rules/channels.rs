//! Channel rules: the version, each transport's address (which key, and
//! whether it is well formed), and an enabled integration that routes
//! nothing.

use super::Ctx;
use crate::address::{self, AddressKey};
use crate::diagnostics::{Code, Diagnostic};
use crate::i18n::t;
use crate::paths::{ChannelKey, SpecPath};
use crate::spec::{AddressKind, Channel, SPEC_VERSION, Transport};

pub(super) fn check(cx: &mut Ctx<'_>) {
    version(cx);
    for (id, channel) in &cx.spec.channels {
        address(cx, id, channel);
    }
    nothing_routed(cx);
}

/// CR015: a spec version this build does not read.
fn version(cx: &mut Ctx<'_>) {
    let version = cx.spec.version;
    if version != SPEC_VERSION {
        cx.emit(
            Diagnostic::new(Code::UnsupportedVersion, t!("cr015-message", version = version))
                .label(cx.value(&SpecPath::version()), t!("cr015-label", supported = SPEC_VERSION))
                .help(t!("cr015-help", supported = SPEC_VERSION)),
        );
    }
}

/// CR608: an enabled integration without an enabled channel.
fn nothing_routed(cx: &mut Ctx<'_>) {
    let spec = cx.spec;
    if spec.integration.enabled && spec.enabled_channels().next().is_none() && cx.exists(&SpecPath::channels()) {
        cx.emit(
            Diagnostic::new(Code::NothingRouted, t!("cr608-message"))
                .label(cx.key(&SpecPath::channels()), t!("cr608-label"))
                .help(t!("cr608-help")),
        );
    }
}

/// CR605 (an address key of another transport, or two addresses), CR601,
/// CR603 and CR609 (no address), CR604 (an invalid handle), CR610 (an
/// invalid id); numbers go to the phone facts (CR602).
fn address(cx: &mut Ctx<'_>, id: &str, channel: &Channel) {
    let kind = channel.transport.address();
    let written: Vec<AddressKey> = AddressKey::ALL.into_iter().filter(|k| k.of(channel).is_some()).collect();
    for key in written.iter().filter(|k| !k.fits(kind)) {
        foreign_address(cx, id, channel, *key, t!("cr605-label-foreign"));
    }
    let own: Vec<AddressKey> = written.into_iter().filter(|k| k.fits(kind)).collect();
    for key in own.iter().skip(1) {
        foreign_address(cx, id, channel, *key, t!("cr605-label-second"));
    }
    let Some(&key) = own.first() else {
        missing_address(cx, id, channel);
        return;
    };
    let value = key.of(channel).map(String::as_str).unwrap_or_default();
    let span = cx.value(&SpecPath::channel(id).address(key));
    let transport = channel.transport;
    let problem = match key {
        AddressKey::Phone => {
            cx.phone_facts.numbers.push((value.to_owned(), span));
            return;
        }
        AddressKey::Handle => address::handle_problem(transport, value).map(|rule| (Code::InvalidHandle, rule)),
        AddressKey::Id => address::id_problem(transport, value).map(|rule| (Code::InvalidId, rule)),
    };
    if let Some((code, rule)) = problem {
        let transport = transport.as_str();
        let (message, example) = match channel.transport {
            Transport::Instagram => (t!("cr604-message-instagram", value = value), t!("cr604-help-instagram")),
            Transport::Telegram => (t!("cr604-message-telegram", value = value), t!("cr604-help-telegram")),
            Transport::Tgapi => (t!("cr604-message-tgapi", value = value), t!("cr604-help-tgapi")),
            _ => (t!("cr610-message", value = value, transport = transport), t!("cr610-help")),
        };
        cx.emit(Diagnostic::new(code, message).label(span, rule).help(example));
    }
}

/// CR605: an address key the transport does not use, or a second one.
fn foreign_address(cx: &mut Ctx<'_>, id: &str, channel: &Channel, key: AddressKey, why: String) {
    let transport = channel.transport.as_str();
    let channel_path = SpecPath::channel(id);
    let allowed = allowed_keys(channel.transport.address());
    let name = key.as_str();
    cx.emit(
        Diagnostic::new(Code::ForeignAddress, t!("cr605-message", transport = transport, key = name))
            .label(cx.key(&channel_path.address(key)), t!("cr605-label", key = name, why = why))
            .label(cx.value(&channel_path.key(ChannelKey::Transport)), t!("label-transport", transport = transport))
            .help(t!("cr605-help", allowed = allowed)),
    )
}

/// CR601, CR603, CR609: no address of the transport's kind.
fn missing_address(cx: &mut Ctx<'_>, id: &str, channel: &Channel) {
    let kind = channel.transport.address();
    let channel_path = SpecPath::channel(id);
    if AddressKey::ALL.into_iter().any(|k| k.fits(kind) && cx.exists(&channel_path.address(k))) {
        return; // written, but rejected by the schema
    }
    let transport = channel.transport;
    let (code, help) = match kind {
        AddressKind::Phone | AddressKind::PhoneOrHandle => (Code::MissingPhone, t!("cr601-help")),
        AddressKind::Handle if transport == Transport::Telegram => (Code::MissingHandle, t!("cr603-help-telegram")),
        AddressKind::Handle => (Code::MissingHandle, t!("cr603-help")),
        AddressKind::Id => (Code::MissingId, t!("cr609-help")),
    };
    let (allowed, transport) = (allowed_keys(kind), transport.as_str());
    cx.emit(
        Diagnostic::new(
            code,
            t!("missing-address-message", transport = transport, id = id, allowed = allowed.as_str()),
        )
        .label(
            cx.value(&channel_path.key(ChannelKey::Transport)),
            t!("missing-address-label", transport = transport, allowed = allowed),
        )
        .help(help),
    );
}

/// The keys a kind of address is written under, for messages.
fn allowed_keys(kind: AddressKind) -> String {
    let keys: Vec<String> =
        AddressKey::ALL.into_iter().filter(|k| k.fits(kind)).map(|k| format!("`{}`", k.as_str())).collect();
    keys.join(&t!("list-or"))
}
