//! Assignment rules: mode-dependent keys, empty groups, members who cannot
//! answer, and channels nobody is responsible for.

use super::{Ctx, assignments, join};
use crate::diagnostics::{Code, Diagnostic};
use crate::resolve::Scope;
use crate::spec::{Level, Mode};

/// The longest round-robin cycle a table spells out.
pub const MAX_CYCLE: u64 = 1000;

pub fn check(cx: &mut Ctx<'_>) {
    let spec = cx.spec;
    for (base, assignment) in assignments(spec) {
        let at = |rest: &[&str]| join(&base, rest);
        let mode_span = cx.loc.value(&at(&["mode"]));
        if assignment.members.is_empty() {
            cx.emit(
                Diagnostic::new(Code::EmptyMembers, "assignment has no members")
                    .label(cx.loc.value(&at(&["members"])), "nobody would be responsible for new deals")
                    .help("list at least one employee: members = [{ employee = \"bruce\" }]"),
            );
        }
        let cycle: u64 = assignment.members.iter().map(|m| u64::from(m.weight.unwrap_or(1))).sum();
        if assignment.mode == Mode::RoundRobin && cycle > MAX_CYCLE {
            cx.emit(
                Diagnostic::new(
                    Code::CycleTooLong,
                    format!("the weights add up to {cycle} deals per cycle; the limit is {MAX_CYCLE}"),
                )
                .label(cx.loc.value(&at(&["members"])), format!("{cycle} deals per cycle"))
                .help("weights are proportions: divide them by their common factor"),
            );
        }
        if assignment.mode == Mode::FirstResponder {
            for (i, member) in assignment.members.iter().enumerate() {
                if member.weight.is_some() {
                    let idx = i.to_string();
                    cx.emit(
                        Diagnostic::new(Code::WeightOutsideRoundRobin, "`weight` only applies in round_robin mode")
                            .label(cx.loc.key(&at(&["members", &idx, "weight"])), "weight given here")
                            .label(mode_span.clone(), "mode is first_responder")
                            .help("remove the weight, or set mode = \"round_robin\""),
                    );
                }
            }
            if assignment.after_close.is_some() {
                cx.emit(
                    Diagnostic::new(Code::AfterCloseOutsideRoundRobin, "`after_close` only applies in round_robin mode")
                        .label(cx.loc.key(&at(&["after_close"])), "set here")
                        .label(mode_span.clone(), "mode is first_responder")
                        .help("remove `after_close`: in first_responder mode a message after a closed deal always creates a new deal"),
                );
            }
        }
    }
    for (id, channel) in spec.enabled_channels() {
        let Some((assignment, scope)) = spec.assignment_for(id, channel) else {
            // An assignment the schema rejected was reported there.
            let written = cx.loc.exists(&["channels", id, "assignment"]) || cx.loc.exists(&["assignment"]);
            if written {
                continue;
            }
            cx.emit(
                Diagnostic::new(Code::NoAssignment, format!("nobody is responsible for new deals on channel `{id}`"))
                    .label(cx.loc.key(&["channels", id]), "enabled channel without an assignment")
                    .help(format!("add an integration-wide [assignment] or a [channels.{id}.assignment] table")),
            );
            continue;
        };
        let base = match scope {
            Scope::Channel(_) => vec!["channels", id, "assignment"],
            Scope::Integration => vec!["assignment"],
        };
        for (i, member) in assignment.members.iter().enumerate() {
            let handle = member.employee.as_str();
            let level = spec.level(channel, handle);
            if level == Level::ReadSend || !cx.handles.contains(handle) {
                continue;
            }
            let idx = i.to_string();
            let member_span = cx.loc.value(&join(&base, &["members", &idx, "employee"]));
            // Point at whatever set the level, following the access precedence.
            let access_span = [
                &["channels", id, "access", handle][..],
                &["channels", id, "access", "everyone"],
                &["defaults", "access"],
            ]
            .into_iter()
            .find(|p| cx.loc.exists(p))
            .map_or_else(|| cx.loc.key(&["channels", id]), |p| cx.loc.value(p));
            cx.emit(
                Diagnostic::new(
                    Code::MemberCannotSend,
                    format!("`{handle}` takes new deals on `{id}` but has `{}` access there", level.as_str()),
                )
                .label(member_span, "assignment member")
                .label(access_span, format!("`{handle}` has `{}` on `{id}`", level.as_str()))
                .help(format!("give `{handle}` read_send on `{id}`: [channels.{id}.access] {handle} = \"read_send\"")),
            );
        }
    }
}
