//! Channel rules: the version, each transport's address, and an enabled
//! integration that routes nothing.

use super::Ctx;
use crate::diagnostics::{Code, Diagnostic};
use crate::paths::{ChannelKey, SpecPath};
use crate::spec::{AddressKind, Channel, SPEC_VERSION};

pub fn check(cx: &mut Ctx<'_>) {
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

/// CR605 (an address key of another transport), CR601/CR603 (the own
/// address missing), CR604 (an invalid handle); numbers go to the phone
/// facts (CR602).
fn address(cx: &mut Ctx<'_>, id: &str, channel: &Channel) {
    let transport = channel.transport.as_str();
    let path = |key: ChannelKey| SpecPath::channel(id).key(key);
    let (own, own_key, foreign, foreign_key) = match channel.transport.address() {
        AddressKind::Phone => (&channel.phone, ChannelKey::Phone, &channel.handle, ChannelKey::Handle),
        AddressKind::Handle => (&channel.handle, ChannelKey::Handle, &channel.phone, ChannelKey::Phone),
    };
    let (own_name, foreign_name) = (own_key.as_str(), foreign_key.as_str());
    if foreign.is_some() {
        cx.emit(
            Diagnostic::new(Code::ForeignAddress, format!("{transport} channels have no `{foreign_name}`"))
                .label(cx.key(&path(foreign_key)), format!("`{foreign_name}` is for another transport"))
                .label(cx.value(&path(ChannelKey::Transport)), format!("transport is {transport}"))
                .help(format!("write the channel's address as `{own_name}`, or fix `transport`")),
        );
    }
    let Some(value) = own else {
        if cx.exists(&path(own_key)) {
            return; // written, but rejected by the schema
        }
        let code = if own_key == ChannelKey::Phone { Code::MissingPhone } else { Code::MissingHandle };
        cx.emit(
            Diagnostic::new(code, format!("{transport} channel `{id}` has no `{own_name}`"))
                .label(cx.value(&path(ChannelKey::Transport)), format!("{transport} channels need `{own_name}`"))
                .help(match code {
                    Code::MissingPhone => "add the channel's number: phone = \"+7 999 000-00-01\"",
                    _ => "add the account handle: handle = \"@acme.art\"",
                }),
        );
        return;
    };
    let span = cx.value(&path(own_key));
    match channel.transport.address() {
        AddressKind::Phone => cx.phone_facts.numbers.push((value.clone(), span)),
        AddressKind::Handle if !valid_handle(value) => {
            cx.emit(
                Diagnostic::new(Code::InvalidHandle, format!("`{value}` is not a valid Instagram handle"))
                    .label(span, "1-30 letters, digits, `.` or `_`, after an optional `@`")
                    .help("handles look like \"@acme.art\"; no spaces, no leading or trailing dot, no `..`"),
            );
        }
        AddressKind::Handle => {}
    }
}

/// Instagram usernames: 1-30 of `[A-Za-z0-9._]`, no leading or trailing
/// dot and no two dots in a row.
fn valid_handle(handle: &str) -> bool {
    let name = handle.strip_prefix('@').unwrap_or(handle);
    (1..=30).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
        && !name.starts_with('.')
        && !name.ends_with('.')
        && !name.contains("..")
}

#[cfg(test)]
mod tests {
    use super::valid_handle;

    #[test]
    fn handles() {
        for ok in ["@acme.art", "acme_art", "@a"] {
            assert!(valid_handle(ok), "{ok}");
        }
        for bad in ["@", "@acme art", "@.acme", "@acme.", "@ac..me", "@абв", "@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"] {
            assert!(!valid_handle(bad), "{bad}");
        }
    }
}
