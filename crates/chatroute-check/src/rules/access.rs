//! Default outgoing channel rules: at most one per employee, only where the
//! employee can send, and a warning when several channels could be it.

use std::collections::BTreeMap;

use super::Ctx;
use crate::diagnostics::{Code, Diagnostic, Fix};
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
                format!("`{handle}` cannot write first from `{id}`: access is `{level}`"),
            )
            .label(cx.key(&entry.default_outgoing()), "marked default outgoing here")
            .label(level_span.clone(), format!("level is `{level}`"))
            .fix(Fix::Replace { title: "Give it `read_send`".into(), span: level_span, with: "read_send".into() })
            .help("set level = \"read_send\", or move the mark to a channel the employee can send from"),
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
                    format!("`{handle}` has two default outgoing channels: `{first}` and `{again}`"),
                )
                .label(span(again), "second default outgoing channel")
                .fix(Fix::RemoveEntry { title: "Remove the second `default_outgoing`".into(), key: span(again) })
                .label(span(first), "first marked here")
                .help("an employee writes first from one number: keep `default_outgoing = true` on one channel"),
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
            Diagnostic::new(
                Code::NoDefaultOutgoing,
                format!("`{handle}` can send from {} channels but has no default outgoing one", channels.len()),
            )
            .label(cx.key(&SpecPath::employee(handle)), format!("sends from {list}"))
            .help(format!(
                "mark one: [channels.{}.access] {handle} = {{ level = \"read_send\", default_outgoing = true }}",
                channels[0]
            )),
        );
    }
}
