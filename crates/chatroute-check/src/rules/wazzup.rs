//! Checks against the Wazzup account's channel list (`--wazzup`): every
//! spec channel is one of the account's, under its transport, and working;
//! the account's other channels are listed.

use std::collections::{BTreeMap, BTreeSet};

use super::Ctx;
use crate::address;
use crate::diagnostics::{Code, Diagnostic};
use crate::i18n::t;
use crate::paths::{ChannelKey, SpecPath};
use crate::spec::Channel;
use crate::wazzup::{Match, WazzupSnapshot, state_advice};

pub(super) fn check(cx: &mut Ctx<'_>, account: &WazzupSnapshot) {
    let mut matched = BTreeSet::new();
    let mut given: BTreeMap<&str, &str> = BTreeMap::new();
    for (id, channel) in &cx.spec.channels {
        match account.find(channel) {
            Match::Found(found) => {
                matched.insert(found.channel_id.as_str());
                not_active(cx, id, channel, &found.state);
                if channel.enabled {
                    id_collision(cx, id, channel, &found.channel_id, &mut given);
                }
            }
            Match::OtherTransport(found) => {
                matched.insert(found.channel_id.as_str());
                transport_mismatch(cx, id, channel, &found.transport);
            }
            Match::Missing => unknown_channel(cx, id, channel, account),
        }
    }
    unmentioned(cx, account, &matched);
}

/// The span of a channel's address value (its table when it has none).
fn address_span(cx: &Ctx<'_>, id: &str, channel: &Channel) -> std::ops::Range<usize> {
    match address::of(channel) {
        Some((key, _)) => cx.value(&SpecPath::channel(id).address(key)),
        None => cx.key(&SpecPath::channel(id).table()),
    }
}

/// CR801: no channel of the account has this address.
fn unknown_channel(cx: &mut Ctx<'_>, id: &str, channel: &Channel, account: &WazzupSnapshot) {
    // No address, or one the channel rules reject: reported there.
    let Some((key, value)) = address::of(channel) else { return };
    if address::canonical(key, value).is_none() {
        return;
    }
    let transport = channel.transport.as_str();
    let same_transport: Vec<&str> =
        account.channels.iter().filter(|c| c.transport == transport).map(|c| c.plain_id.as_str()).collect();
    let help = match same_transport.as_slice() {
        [] => t!("cr801-help-none", transport = transport),
        some => t!("cr801-help", transport = transport, channels = some.join(", ")),
    };
    cx.emit(
        Diagnostic::new(Code::UnknownWazzupChannel, t!("cr801-message", id = id))
            .label(address_span(cx, id, channel), t!("cr801-label", transport = transport))
            .help(help),
    );
}

/// CR802: the account has this address under another transport.
fn transport_mismatch(cx: &mut Ctx<'_>, id: &str, channel: &Channel, theirs: &str) {
    let ours = channel.transport.as_str();
    cx.emit(
        Diagnostic::new(Code::WazzupTransportMismatch, t!("cr802-message", id = id, theirs = theirs, ours = ours))
            .label(cx.value(&SpecPath::channel(id).key(ChannelKey::Transport)), t!("cr802-label", theirs = theirs))
            .label(address_span(cx, id, channel), t!("cr802-label-address"))
            .help(t!("cr802-help", theirs = theirs)),
    );
}

/// CR803: an included channel whose state is not `active`.
fn not_active(cx: &mut Ctx<'_>, id: &str, channel: &Channel, state: &str) {
    if state == "active" || !channel.enabled {
        return;
    }
    cx.emit(
        Diagnostic::new(Code::WazzupChannelNotActive, t!("cr803-message", id = id, state = state))
            .label(address_span(cx, id, channel), t!("cr803-label", state = state))
            .help(state_advice(state)),
    );
}

/// CR805: a `channelId` two channels would get, or one that is another
/// channel's id: the table's two ways to name a channel must not meet.
fn id_collision<'s>(
    cx: &mut Ctx<'_>,
    id: &'s str,
    channel: &Channel,
    wazzup_id: &'s str,
    given: &mut BTreeMap<&'s str, &'s str>,
) {
    let message = if let Some(first) = given.get(wazzup_id) {
        t!("cr805-message-twice", id = id, wazzup_id = wazzup_id, first = first.to_string())
    } else if cx.spec.channels.contains_key(wazzup_id) {
        t!("cr805-message-spec", id = id, wazzup_id = wazzup_id)
    } else {
        given.insert(wazzup_id, id);
        return;
    };
    cx.emit(
        Diagnostic::new(Code::WazzupIdCollision, message)
            .label(address_span(cx, id, channel), t!("cr805-label"))
            .help(t!("cr805-help")),
    );
}

/// CR804: the account's channels the spec does not mention.
fn unmentioned(cx: &mut Ctx<'_>, account: &WazzupSnapshot, matched: &BTreeSet<&str>) {
    let left: Vec<String> = account
        .channels
        .iter()
        .filter(|c| !matched.contains(c.channel_id.as_str()))
        .map(|c| format!("{} {}", c.transport, c.plain_id))
        .collect();
    if left.is_empty() || !cx.exists(&SpecPath::channels()) {
        return;
    }
    cx.emit(
        Diagnostic::new(
            Code::UnmentionedWazzupChannels,
            t!("cr804-message", count = left.len(), channels = left.join(", ")),
        )
        .label(cx.key(&SpecPath::channels()), t!("label-not-listed"))
        .help(t!("cr804-help")),
    );
}
