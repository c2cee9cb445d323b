//! Default outgoing channel rules: at most one per employee, only where the
//! employee can send, and a warning when several channels could be it.

use std::collections::BTreeMap;

use super::{Ctx, join};
use crate::diagnostics::{Code, Diagnostic};
use crate::resolve::Outgoing;
use crate::spec::Level;

pub fn check(cx: &mut Ctx<'_>) {
    let spec = cx.spec;
    let mut marks: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (id, channel) in &spec.channels {
        for (handle, entry) in &channel.access.employees {
            if !entry.default_outgoing() {
                continue;
            }
            marks.entry(handle).or_default().push(id);
            let level = entry.level();
            if level != Level::ReadSend {
                let path = ["channels", id.as_str(), "access", handle.as_str()];
                let level_path = ["channels", id.as_str(), "access", handle.as_str(), "level"];
                let level_span =
                    if cx.loc.exists(&level_path) { cx.loc.value(&level_path) } else { cx.loc.value(&path) };
                cx.emit(
                    Diagnostic::new(
                        Code::DefaultOutgoingCannotSend,
                        format!("`{handle}` cannot write first from `{id}`: access is `{}`", level.as_str()),
                    )
                    .label(cx.loc.key(&join(&path, &["default_outgoing"])), "marked default outgoing here")
                    .label(level_span, format!("level is `{}`", level.as_str()))
                    .help("set level = \"read_send\", or move the mark to a channel the employee can send from"),
                );
            }
        }
    }
    for (handle, channels) in &mut marks {
        // The first mark in the file is the one the others repeat.
        channels.sort_by_key(|id| cx.loc.key(&["channels", id, "access", handle, "default_outgoing"]).start);
        if let [first, rest @ ..] = channels.as_slice() {
            for again in rest {
                let span = |id: &str| cx.loc.key(&["channels", id, "access", handle, "default_outgoing"]);
                cx.emit(
                    Diagnostic::new(
                        Code::DuplicateDefaultOutgoing,
                        format!("`{handle}` has two default outgoing channels: `{first}` and `{again}`"),
                    )
                    .label(span(again), "second default outgoing channel")
                    .label(span(first), "first marked here")
                    .help("an employee writes first from one number: keep `default_outgoing = true` on one channel"),
                );
            }
        }
    }
    for (handle, outgoing) in spec.default_outgoing_all() {
        if let Outgoing::Unset(channels) = outgoing {
            let list = channels.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
            cx.emit(
                Diagnostic::new(
                    Code::NoDefaultOutgoing,
                    format!("`{handle}` can send from {} channels but has no default outgoing one", channels.len()),
                )
                .label(cx.loc.key(&["employees", handle]), format!("sends from {list}"))
                .help(format!(
                    "mark one: [channels.{}.access] {handle} = {{ level = \"read_send\", default_outgoing = true }}",
                    channels[0]
                )),
            );
        }
    }
}
