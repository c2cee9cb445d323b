//! Unanswered-deal rules: `reassign_after` well written, long enough to be
//! meant, where there is a cycle to pass the deal on in and someone to pass
//! it to; `max_reassignments` only beside it.

use super::{Ctx, assignments};
use crate::diagnostics::{Code, Diagnostic};
use crate::i18n::t;
use crate::paths::AssignmentPath;
use crate::spec::{Assignment, Mode};

pub(super) fn check(cx: &mut Ctx<'_>) {
    for (path, assignment) in assignments(cx.spec) {
        match &assignment.reassign_after {
            Some(after) => reassign_after(cx, &path, assignment, after),
            None if assignment.max_reassignments.is_some() => cap_without_timer(cx, &path),
            None => {}
        }
    }
}

/// CR210 (bad duration), CR211 (under a minute), CR212 (first responder),
/// CR213 (one member).
fn reassign_after(cx: &mut Ctx<'_>, path: &AssignmentPath, assignment: &Assignment, after: &str) {
    let at = cx.value(&path.reassign_after());
    match chatroute_table::schedule::parse_duration(after) {
        Err(why) => cx.emit(
            Diagnostic::new(Code::BadDuration, t!("cr210-message", why = crate::hours::unreadable(&why)))
                .label(at.clone(), t!("label-here"))
                .help(t!("cr210-help")),
        ),
        Ok(seconds) if seconds < 60 => cx.emit(
            Diagnostic::new(Code::ShortReassign, t!("cr211-message", seconds = seconds))
                .label(at.clone(), t!("cr211-label"))
                .help(t!("cr211-help")),
        ),
        Ok(_) => {}
    }
    if assignment.mode == Mode::FirstResponder {
        cx.emit(
            Diagnostic::new(Code::ReassignOutsideRoundRobin, t!("cr212-message"))
                .label(cx.key(&path.reassign_after()), t!("cr202-label"))
                .label(cx.value(&path.mode()), t!("label-mode-first-responder"))
                .help(t!("cr212-help")),
        );
    } else if assignment.members.len() == 1 {
        cx.emit(
            Diagnostic::new(Code::ReassignWithOneMember, t!("cr213-message"))
                .label(cx.key(&path.reassign_after()), t!("cr202-label"))
                .label(cx.value(&path.members()), t!("cr213-label"))
                .help(t!("cr213-help")),
        );
    }
}

/// CR214: a cap on reassignments without a timer to reassign by.
fn cap_without_timer(cx: &mut Ctx<'_>, path: &AssignmentPath) {
    cx.emit(
        Diagnostic::new(Code::CapWithoutReassign, t!("cr214-message"))
            .label(cx.key(&path.max_reassignments()), t!("cr202-label"))
            .help(t!("cr214-help")),
    );
}
