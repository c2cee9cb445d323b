//! Channel rules: the version, each transport's address (which key, and
//! whether it is well formed), and an enabled integration that routes
//! nothing.

use super::Ctx;
use crate::address::{self, AddressKey};
use crate::diagnostics::{Code, Diagnostic};
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
            Diagnostic::new(Code::UnsupportedVersion, format!("spec version {version} is not supported"))
                .label(cx.value(&SpecPath::version()), format!("this chatroute reads version {SPEC_VERSION}"))
                .help(format!("write version = {SPEC_VERSION}, or upgrade chatroute")),
        );
    }
}

/// CR608: an enabled integration without an enabled channel.
fn nothing_routed(cx: &mut Ctx<'_>) {
    let spec = cx.spec;
    if spec.integration.enabled && spec.enabled_channels().next().is_none() && cx.exists(&SpecPath::channels()) {
        cx.emit(
            Diagnostic::new(Code::NothingRouted, "the integration is enabled but no channel is")
                .label(cx.key(&SpecPath::channels()), "no channel with enabled = true")
                .help("enable a channel, or set [integration] enabled = false"),
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
        foreign_address(cx, id, channel, *key, "is for another transport");
    }
    let own: Vec<AddressKey> = written.into_iter().filter(|k| k.fits(kind)).collect();
    for key in own.iter().skip(1) {
        foreign_address(cx, id, channel, *key, "a second address; a channel has one");
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
        let (what, example) = match transport {
            Transport::Instagram => {
                ("Instagram handle", "handles look like \"@acme.art\"; no spaces, no leading or trailing dot, no `..`")
            }
            Transport::Telegram => ("Telegram bot username", "bot usernames look like \"@acme_shop_bot\""),
            Transport::Tgapi => ("Telegram username", "usernames look like \"@ivan_petrov\""),
            _ => ("channel id", "copy the id from the channel list in Wazzup (or `chatroute wazzup pull`)"),
        };
        let what = if code == Code::InvalidId { format!("{transport} {what}") } else { what.to_owned() };
        cx.emit(Diagnostic::new(code, format!("`{value}` is not a valid {what}")).label(span, rule).help(example));
    }
}

/// CR605: an address key the transport does not use, or a second one.
fn foreign_address(cx: &mut Ctx<'_>, id: &str, channel: &Channel, key: AddressKey, why: &str) {
    let transport = channel.transport;
    let channel_path = SpecPath::channel(id);
    let allowed = allowed_keys(channel.transport.address());
    let name = key.as_str();
    cx.emit(
        Diagnostic::new(Code::ForeignAddress, format!("{transport} channels have no `{name}`"))
            .label(cx.key(&channel_path.address(key)), format!("`{name}` {why}"))
            .label(cx.value(&channel_path.key(ChannelKey::Transport)), format!("transport is {transport}"))
            .help(format!("write the channel's address as {allowed}, or fix `transport`")),
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
        AddressKind::Phone | AddressKind::PhoneOrHandle => {
            (Code::MissingPhone, "add the channel's number: phone = \"+7 999 000-00-01\"")
        }
        AddressKind::Handle if transport == Transport::Telegram => {
            (Code::MissingHandle, "add the bot's username: handle = \"@acme_shop_bot\"")
        }
        AddressKind::Handle => (Code::MissingHandle, "add the account handle: handle = \"@acme.art\""),
        AddressKind::Id => (Code::MissingId, "add the id Wazzup shows for the channel: id = \"212345678\""),
    };
    let allowed = allowed_keys(kind);
    cx.emit(
        Diagnostic::new(code, format!("{transport} channel `{id}` has no {allowed}"))
            .label(cx.value(&channel_path.key(ChannelKey::Transport)), format!("{transport} channels need {allowed}"))
            .help(help),
    );
}

/// The keys a kind of address is written under, for messages.
fn allowed_keys(kind: AddressKind) -> String {
    let keys: Vec<String> =
        AddressKey::ALL.into_iter().filter(|k| k.fits(kind)).map(|k| format!("`{}`", k.as_str())).collect();
    keys.join(" or ")
}
