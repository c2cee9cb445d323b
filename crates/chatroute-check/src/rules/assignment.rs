//! Assignment rules: mode-dependent keys, empty groups, over-long cycles,
//! availability settings that cannot apply, members who cannot answer, and
//! channels nobody is responsible for.

use super::{Ctx, assignments};
use crate::diagnostics::{Code, Diagnostic, Fix};
use crate::paths::{AssignmentPath, SpecPath};
use crate::resolve::LevelSource;
use crate::spec::{Assignment, Channel, Level, Mode, WhenNobody};

/// The longest round-robin cycle a table spells out.
pub use crate::table::keywords::MAX_CYCLE;

pub(super) fn check(cx: &mut Ctx<'_>) {
    for (path, assignment) in assignments(cx.spec) {
        empty_members(cx, &path, assignment);
        cycle_too_long(cx, &path, assignment);
        outside_round_robin(cx, &path, assignment);
        when_nobody(cx, &path, assignment);
    }
    for (id, channel) in cx.spec.enabled_channels() {
        match cx.spec.assignment_for(id, channel) {
            Some((assignment, scope)) => member_cannot_send(cx, id, channel, assignment, &SpecPath::assignment(scope)),
            None => no_assignment(cx, id),
        }
    }
}

/// CR203: an assignment without members.
fn empty_members(cx: &mut Ctx<'_>, path: &AssignmentPath, assignment: &Assignment) {
    if assignment.members.is_empty() {
        cx.emit(
            Diagnostic::new(Code::EmptyMembers, "assignment has no members")
                .label(cx.value(&path.members()), "nobody would be responsible for new deals")
                .help("list at least one employee: members = [{ employee = \"bruce\" }]"),
        );
    }
}

/// CR206: round-robin weights adding up to more than `MAX_CYCLE`.
fn cycle_too_long(cx: &mut Ctx<'_>, path: &AssignmentPath, assignment: &Assignment) {
    let cycle: u64 = assignment.members.iter().map(|m| u64::from(m.weight.unwrap_or(1))).sum();
    if assignment.mode == Mode::RoundRobin && cycle > MAX_CYCLE {
        cx.emit(
            Diagnostic::new(
                Code::CycleTooLong,
                format!("the weights add up to {cycle} deals per cycle; the limit is {MAX_CYCLE}"),
            )
            .label(cx.value(&path.members()), format!("{cycle} deals per cycle"))
            .help("weights are proportions: divide them by their common factor"),
        );
    }
}

/// CR201 and CR202: `weight` and `after_close` in first-responder mode.
fn outside_round_robin(cx: &mut Ctx<'_>, path: &AssignmentPath, assignment: &Assignment) {
    if assignment.mode != Mode::FirstResponder {
        return;
    }
    let mode_span = cx.value(&path.mode());
    for (i, _) in assignment.members.iter().enumerate().filter(|(_, m)| m.weight.is_some()) {
        cx.emit(
            Diagnostic::new(Code::WeightOutsideRoundRobin, "`weight` only applies in round_robin mode")
                .label(cx.key(&path.member_weight(i)), "weight given here")
                .fix(Fix::RemoveEntry { title: "Remove the weight".into(), key: cx.key(&path.member_weight(i)) })
                .label(mode_span.clone(), "mode is first_responder")
                .help("remove the weight, or set mode = \"round_robin\""),
        );
    }
    if assignment.after_close.is_some() {
        cx.emit(
            Diagnostic::new(Code::AfterCloseOutsideRoundRobin, "`after_close` only applies in round_robin mode")
                .label(cx.key(&path.after_close()), "set here")
                .fix(Fix::RemoveEntry { title: "Remove `after_close`".into(), key: cx.key(&path.after_close()) })
                .label(mode_span, "mode is first_responder")
                .help("remove `after_close`: in first_responder mode a message after a closed deal always creates a new deal"),
        );
    }
}

/// CR207 (`when_nobody` where nobody is ever skipped) and CR208
/// (`assign_anyway` where only open-deal limits skip: a limit is never
/// exceeded, so it changes nothing).
fn when_nobody(cx: &mut Ctx<'_>, path: &AssignmentPath, assignment: &Assignment) {
    let Some(when) = assignment.when_nobody else { return };
    let capped = assignment.members.iter().any(|m| m.max_open.is_some());
    let span = cx.value(&path.when_nobody());
    let skips = cx.spec.skips_unavailable(assignment);
    if !skips && !capped {
        cx.emit(
            Diagnostic::new(Code::WhenNobodyNeverApplies, format!("`when_nobody = \"{when}\"` never applies here"))
                .label(span, "nobody is ever skipped")
                .help("set `skip_unavailable = true` or a member's `max_open`, or remove `when_nobody`"),
        );
    } else if when == WhenNobody::AssignAnyway && !skips {
        cx.emit(
            Diagnostic::new(
                Code::AssignAnywayWithoutSkip,
                "`assign_anyway` changes nothing without `skip_unavailable`",
            )
            .label(span, "only `max_open` skips here, and a limit is never exceeded")
            .help("set `skip_unavailable = true`, or write `when_nobody = \"unassigned\"`"),
        );
    }
}

/// CR205: an enabled channel with no assignment of its own or integration-wide.
fn no_assignment(cx: &mut Ctx<'_>, id: &str) {
    // An assignment the schema rejected was reported there.
    let integration = SpecPath::assignment(crate::resolve::Scope::Integration);
    if cx.exists(&SpecPath::channel(id).assignment().table()) || cx.exists(&integration.table()) {
        return;
    }
    cx.emit(
        Diagnostic::new(Code::NoAssignment, format!("nobody is responsible for new deals on channel `{id}`"))
            .label(cx.key(&SpecPath::channel(id).table()), "enabled channel without an assignment")
            .help(format!("add an integration-wide [assignment] or a [channels.{id}.assignment] table")),
    );
}

/// CR204's help. A level the member's own entry sets is the admin's
/// intent (a manager read-only on Instagram): the help leads with the fix
/// that keeps it, the assignment without them; an inherited level leads
/// with `read_send`.
fn cannot_send_help(handle: &str, id: &str, level: Level, source: LevelSource, own_assignment: bool) -> String {
    let keep = if own_assignment {
        format!("to keep `{handle}` `{level}` on `{id}`, remove them from this channel's assignment")
    } else {
        format!(
            "to keep `{handle}` `{level}` on `{id}`, give the channel an assignment of its own without them ([channels.{id}.assignment])"
        )
    };
    let send = format!("give `{handle}` read_send on `{id}`: [channels.{id}.access] {handle} = \"read_send\"");
    match source {
        LevelSource::Entry => format!("{keep}; or, if they should answer there, {send}"),
        _ => format!("{send}; or, {keep}"),
    }
}

/// CR204: a member who takes deals on a channel without `read_send` there.
fn member_cannot_send(cx: &mut Ctx<'_>, id: &str, channel: &Channel, assignment: &Assignment, path: &AssignmentPath) {
    for (i, member) in assignment.members.iter().enumerate() {
        let handle = member.employee.as_str();
        let (level, source) = cx.spec.level_from(channel, handle);
        if level == Level::ReadSend || !cx.handles.contains(handle) {
            continue;
        }
        // Point at whatever set the level, as `resolve` says.
        let channel_path = SpecPath::channel(id);
        let setter = match source {
            LevelSource::Entry => channel_path.access(handle).entry(),
            LevelSource::Everyone => channel_path.everyone(),
            LevelSource::Defaults => SpecPath::defaults_access(),
        };
        let access_span = if cx.exists(&setter) { cx.value(&setter) } else { cx.key(&channel_path.table()) };
        let mut diagnostic = Diagnostic::new(
            Code::MemberCannotSend,
            format!("`{handle}` takes new deals on `{id}` but has `{level}` access there"),
        )
        .label(cx.value(&path.member_employee(i)), "assignment member")
        .label(access_span.clone(), format!("`{handle}` has `{level}` on `{id}`"))
        .help(cannot_send_help(handle, id, level, source, channel.assignment.is_some()));
        // Only the member's own entry is theirs to change.
        if source == LevelSource::Entry && cx.exists(&setter) {
            let title = format!("Give `{handle}` `read_send`");
            diagnostic = diagnostic.fix(Fix::Replace { title, span: access_span, with: "read_send".into() });
        }
        cx.emit(diagnostic);
    }
}
