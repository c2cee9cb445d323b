//! Assignment rules: mode-dependent keys, empty groups, over-long cycles,
//! availability settings that cannot apply, members who cannot answer, and
//! channels nobody is responsible for.

use super::{Ctx, assignments};
use crate::diagnostics::{Code, Diagnostic, Fix};
use crate::i18n::t;
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
            Diagnostic::new(Code::EmptyMembers, t!("cr203-message"))
                .label(cx.value(&path.members()), t!("cr203-label"))
                .help(t!("cr203-help")),
        );
    }
}

/// CR206: round-robin weights adding up to more than `MAX_CYCLE`.
fn cycle_too_long(cx: &mut Ctx<'_>, path: &AssignmentPath, assignment: &Assignment) {
    let cycle: u64 = assignment.members.iter().map(|m| u64::from(m.weight.unwrap_or(1))).sum();
    if assignment.mode == Mode::RoundRobin && cycle > MAX_CYCLE {
        cx.emit(
            Diagnostic::new(Code::CycleTooLong, t!("cr206-message", cycle = cycle, limit = MAX_CYCLE))
                .label(cx.value(&path.members()), t!("cr206-label", cycle = cycle))
                .help(t!("cr206-help")),
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
            Diagnostic::new(Code::WeightOutsideRoundRobin, t!("cr201-message"))
                .label(cx.key(&path.member_weight(i)), t!("cr201-label"))
                .fix(Fix::RemoveEntry { title: t!("cr201-fix"), key: cx.key(&path.member_weight(i)) })
                .label(mode_span.clone(), t!("label-mode-first-responder"))
                .help(t!("cr201-help")),
        );
    }
    if assignment.after_close.is_some() {
        cx.emit(
            Diagnostic::new(Code::AfterCloseOutsideRoundRobin, t!("cr202-message"))
                .label(cx.key(&path.after_close()), t!("cr202-label"))
                .fix(Fix::RemoveEntry { title: t!("cr202-fix"), key: cx.key(&path.after_close()) })
                .label(mode_span, t!("label-mode-first-responder"))
                .help(t!("cr202-help")),
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
            Diagnostic::new(Code::WhenNobodyNeverApplies, t!("cr207-message", when = when.as_str()))
                .label(span, t!("cr207-label"))
                .help(t!("cr207-help")),
        );
    } else if when == WhenNobody::AssignAnyway && !skips {
        cx.emit(
            Diagnostic::new(Code::AssignAnywayWithoutSkip, t!("cr208-message"))
                .label(span, t!("cr208-label"))
                .help(t!("cr208-help")),
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
        Diagnostic::new(Code::NoAssignment, t!("cr205-message", id = id))
            .label(cx.key(&SpecPath::channel(id).table()), t!("cr205-label"))
            .help(t!("cr205-help", id = id)),
    );
}

/// CR204's help. A level the member's own entry sets is the admin's
/// intent (a manager read-only on Instagram): the help leads with the fix
/// that keeps it, the assignment without them; an inherited level leads
/// with `read_send`.
fn cannot_send_help(handle: &str, id: &str, level: Level, source: LevelSource, own_assignment: bool) -> String {
    let level = level.as_str();
    let keep = if own_assignment {
        t!("cr204-help-keep-own", handle = handle, level = level, id = id)
    } else {
        t!("cr204-help-keep", handle = handle, level = level, id = id)
    };
    let send = t!("cr204-help-send", handle = handle, id = id);
    match source {
        LevelSource::Entry => t!("cr204-help-keep-first", keep = keep, send = send),
        _ => t!("cr204-help-send-first", keep = keep, send = send),
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
            t!("cr204-message", handle = handle, id = id, level = level.as_str()),
        )
        .label(cx.value(&path.member_employee(i)), t!("cr204-label-member"))
        .label(access_span.clone(), t!("cr204-label-level", handle = handle, id = id, level = level.as_str()))
        .help(cannot_send_help(handle, id, level, source, channel.assignment.is_some()));
        // Only the member's own entry is theirs to change.
        if source == LevelSource::Entry && cx.exists(&setter) {
            let title = t!("cr204-fix", handle = handle);
            diagnostic = diagnostic.fix(Fix::Replace { title, span: access_span, with: "read_send".into() });
        }
        cx.emit(diagnostic);
    }
}
