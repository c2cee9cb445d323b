//! Default outgoing channel rules: at most one per employee, only where the
//! employee can send, and a warning when several channels could be it.

use std::collections::BTreeMap;

use super::Ctx;
use crate::diagnostics::{Code, Diagnostic, Fix};
use crate::i18n::t;
use crate::paths::SpecPath;
use crate::resolve::Outgoing;
use crate::spec::Level;

pub(super) fn check(cx: &mut Ctx<'_>) {
    default_outgoing_cannot_send(cx);
    duplicate_default_outgoing(cx);
    no_default_outgoing(cx);
}

/// Every `default_outgoing = true` mark: (handle, channel id).
fn marks<'s>(cx: &Ctx<'s>) -> impl Iterator<Item = (&'s str, &'s str)> {
    cx.spec.channels.iter().flat_map(|(id, channel)| {
        channel
            .access
            .employees
            .iter()
            .filter(|(_, entry)| entry.default_outgoing())
            .map(move |(handle, _)| (handle.as_str(), id.as_str()))
    })
}

/// CR302: a default outgoing channel the employee cannot send from.
fn default_outgoing_cannot_send(cx: &mut Ctx<'_>) {
    let spec = cx.spec;
    for (handle, id) in marks(cx).collect::<Vec<_>>() {
        let level = spec.level(&spec.channels[id], handle);
        if level == Level::ReadSend {
            continue;
        }
        let entry = SpecPath::channel(id).access(handle);
        let level_span = if cx.exists(&entry.level()) { cx.value(&entry.level()) } else { cx.value(&entry.entry()) };
        cx.emit(
            Diagnostic::new(
                Code::DefaultOutgoingCannotSend,
                t!("cr302-message", handle = handle, id = id, level = level.as_str()),
            )
            .label(cx.key(&entry.default_outgoing()), t!("cr302-label-mark"))
            .label(level_span.clone(), t!("cr302-label-level", level = level.as_str()))
            .fix(Fix::Replace { title: t!("cr302-fix"), span: level_span, with: "read_send".into() })
            .help(t!("cr302-help")),
        );
    }
}

/// CR301: an employee marked default outgoing on two channels.
fn duplicate_default_outgoing(cx: &mut Ctx<'_>) {
    let mut by_employee: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (handle, id) in marks(cx) {
        by_employee.entry(handle).or_default().push(id);
    }
    for (handle, mut channels) in by_employee {
        let loc = cx.loc;
        let span = |id: &str| loc.key(SpecPath::channel(id).access(handle).default_outgoing().segments());
        // The first mark in the file is the one the others repeat.
        channels.sort_by_key(|id| span(id).start);
        let [first, rest @ ..] = channels.as_slice() else { continue };
        for again in rest {
            cx.emit(
                Diagnostic::new(
                    Code::DuplicateDefaultOutgoing,
                    t!("cr301-message", handle = handle, first = first.to_string(), again = again.to_string()),
                )
                .label(span(again), t!("cr301-label-second"))
                .fix(Fix::RemoveEntry { title: t!("cr301-fix"), key: span(again) })
                .label(span(first), t!("cr301-label-first"))
                .help(t!("cr301-help")),
            );
        }
    }
}

/// CR303: several sendable channels and none marked.
fn no_default_outgoing(cx: &mut Ctx<'_>) {
    for (handle, outgoing) in cx.spec.default_outgoing_all() {
        let Outgoing::Unset(channels) = outgoing else { continue };
        let list = channels.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
        cx.emit(
            Diagnostic::new(Code::NoDefaultOutgoing, t!("cr303-message", handle = handle, count = channels.len()))
                .label(cx.key(&SpecPath::employee(handle)), t!("cr303-label", channels = list))
                .help(t!("cr303-help", handle = handle, channel = channels[0])),
        );
    }
}
