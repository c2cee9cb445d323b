//! Unanswered-deal rules: `reassign_after` well written, long enough to be
//! meant, where there is a cycle to pass the deal on in and someone to pass
//! it to; `max_reassignments` only beside it.

use super::{Ctx, assignments};
use crate::diagnostics::{Code, Diagnostic};
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
            Diagnostic::new(Code::BadDuration, format!("bad `reassign_after`: {why}"))
                .label(at.clone(), "here")
                .help("write a whole number and a unit: \"90s\", \"15m\", \"2h\""),
        ),
        Ok(seconds) if seconds < 60 => cx.emit(
            Diagnostic::new(Code::ShortReassign, format!("deals are passed on after {seconds} s without a reply"))
                .label(at.clone(), "under a minute")
                .help("a manager rarely answers within a minute; \"15m\" is common (seconds are for tests)"),
        ),
        Ok(_) => {}
    }
    if assignment.mode == Mode::FirstResponder {
        cx.emit(
            Diagnostic::new(Code::ReassignOutsideRoundRobin, "`reassign_after` only applies in round_robin mode")
                .label(cx.key(&path.reassign_after()), "set here")
                .label(cx.value(&path.mode()), "mode is first_responder")
                .help("remove it: a first-responder deal has nobody responsible until someone answers, so nobody to pass it from"),
        );
    } else if assignment.members.len() == 1 {
        cx.emit(
            Diagnostic::new(Code::ReassignWithOneMember, "`reassign_after` with a single member changes nothing")
                .label(cx.key(&path.reassign_after()), "set here")
                .label(cx.value(&path.members()), "nobody else to pass a deal to")
                .help("add members, or remove `reassign_after`"),
        );
    }
}

/// CR214: a cap on reassignments without a timer to reassign by.
fn cap_without_timer(cx: &mut Ctx<'_>, path: &AssignmentPath) {
    cx.emit(
        Diagnostic::new(Code::CapWithoutReassign, "`max_reassignments` without `reassign_after` changes nothing")
            .label(cx.key(&path.max_reassignments()), "set here")
            .help("set `reassign_after = \"15m\"` to pass unanswered deals on, or remove `max_reassignments`"),
    );
}
