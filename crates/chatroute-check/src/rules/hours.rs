//! Working-hours rules: each problem of a schedule as `hours::read` finds
//! it, schedules never open or never used, employees naming an unknown
//! schedule or one that changes nothing, and `returning_clients` where it
//! cannot apply.

use super::{Ctx, assignments};
use crate::diagnostics::{Code, Diagnostic, closest};
use crate::hours::unreadable;
use crate::hours::{self, Problem};
use crate::i18n::t;
use crate::paths::{AssignmentPath, SpecPath};
use crate::spec::{Assignment, Mode};

pub(super) fn check(cx: &mut Ctx<'_>) {
    for (name, schedule) in &cx.spec.schedules {
        let reading = hours::read(cx.spec, name, schedule);
        for problem in &reading.problems {
            problem_diagnostic(cx, name, problem);
        }
        if reading.problems.is_empty() && !reading.route.ever_open() {
            never_open(cx, name);
        }
        if !cx.spec.employees.values().any(|e| e.schedule.as_deref() == Some(name)) {
            unused(cx, name);
        }
    }
    for (handle, employee) in &cx.spec.employees {
        match employee.schedule.as_deref() {
            Some(name) if !cx.spec.schedules.contains_key(name) => unknown_schedule(cx, handle, name),
            Some(_) => changes_nothing(cx, handle),
            None => {}
        }
    }
    for (path, assignment) in assignments(cx.spec) {
        returning_outside_round_robin(cx, &path, assignment);
    }
}

/// CR901, CR902, CR903, CR904, CR909: what reading the schedule found.
fn problem_diagnostic(cx: &mut Ctx<'_>, name: &str, problem: &Problem) {
    let diagnostic = match problem {
        Problem::UnknownZone { at, zone } => {
            // By meaning for an abbreviation (`MSK` is Moscow, not `MST`);
            // by spelling only for a name written as Area/City.
            let names: Vec<String> = chatroute_table::schedule::zone_names().collect();
            let suggestion = match crate::hours::zone_for_abbreviation(zone) {
                Some(meant) => Some(meant),
                None if zone.contains('/') => closest(zone, names.iter().map(String::as_str)),
                None => None,
            };
            Diagnostic::new(Code::UnknownTimeZone, t!("cr901-message", zone = zone.as_str()))
                .label(cx.value(at), t!("cr901-label"))
                .help(t!("cr901-help"))
                .suggest(suggestion)
        }
        Problem::NoZone => Diagnostic::new(Code::MissingTimeZone, t!("cr909-message", name = name))
            .label(cx.key(&SpecPath::schedule(name).table()), t!("cr909-label"))
            .help(t!("cr909-help")),
        Problem::Interval { at, why } => {
            Diagnostic::new(Code::BadInterval, t!("cr902-message", name = name, why = unreadable(why)))
                .label(cx.value(at), t!("label-here"))
                .help(t!("cr902-help"))
        }
        Problem::Day { at, why } => {
            Diagnostic::new(Code::BadDay, t!("cr903-message-day", name = name, why = unreadable(why)))
                .label(cx.key(at), t!("label-here"))
                .help(t!("cr903-help-day"))
        }
        Problem::Date { at, why } => {
            Diagnostic::new(Code::BadDay, t!("cr903-message-date", name = name, why = unreadable(why)))
                .label(cx.value(at), t!("label-here"))
                .help(t!("cr903-help-date"))
        }
        Problem::Overlap { first, second, day } => {
            Diagnostic::new(Code::OverlappingIntervals, t!("cr904-message", name = name, day = day.to_string()))
                .label(cx.value(second), t!("cr904-label-this"))
                .label(cx.value(first), t!("cr904-label-other"))
                .help(t!("cr904-help"))
        }
    };
    cx.emit(diagnostic);
}

/// CR906: a schedule with no interval on any day.
fn never_open(cx: &mut Ctx<'_>, name: &str) {
    cx.emit(
        Diagnostic::new(Code::ScheduleNeverOpen, t!("cr906-message", name = name))
            .label(cx.key(&SpecPath::schedule(name).table()), t!("cr906-label"))
            .help(t!("cr906-help")),
    );
}

/// CR907: a schedule no employee works to.
fn unused(cx: &mut Ctx<'_>, name: &str) {
    cx.emit(
        Diagnostic::new(Code::UnusedSchedule, t!("cr907-message", name = name))
            .label(cx.key(&SpecPath::schedule(name).table()), t!("cr907-label"))
            .help(t!("cr907-help", name = name)),
    );
}

/// CR905: an employee naming a schedule that is not defined.
fn unknown_schedule(cx: &mut Ctx<'_>, handle: &str, name: &str) {
    let known = cx.spec.schedules.keys().map(String::as_str);
    cx.emit(
        Diagnostic::new(Code::UnknownSchedule, t!("cr905-message", handle = handle, name = name))
            .label(cx.value(&SpecPath::employee_schedule(handle)), t!("cr905-label"))
            .help(t!("cr905-help", name = name))
            .suggest(closest(name, known)),
    );
}

/// CR908: a schedule on an employee whose assignments do not skip the
/// unavailable: in none of them (their hours change no decision), or not
/// in all (deals of those channels reach them outside their hours).
fn changes_nothing(cx: &mut Ctx<'_>, handle: &str) {
    let theirs: Vec<(AssignmentPath, bool)> = assignments(cx.spec)
        .filter(|(_, a)| a.members.iter().any(|m| m.employee == handle))
        .map(|(path, a)| (path, cx.spec.skips_unavailable(a)))
        .collect();
    let ignoring: Vec<&AssignmentPath> = theirs.iter().filter(|(_, skips)| !skips).map(|(path, _)| path).collect();
    let schedule = cx.value(&SpecPath::employee_schedule(handle));
    if theirs.iter().any(|(_, skips)| *skips) {
        let Some(first) = ignoring.first() else { return };
        let mut diagnostic = Diagnostic::new(Code::ScheduleChangesNothing, t!("cr908-message-some", handle = handle))
            .label(schedule, t!("cr908-label-hours"))
            .help(t!("cr908-help-some"));
        let skip = first.skip_unavailable();
        let place = if cx.exists(&skip) { cx.value(&skip) } else { cx.key(&first.table()) };
        diagnostic = diagnostic.label(place, t!("cr908-label-some"));
        cx.emit(diagnostic);
        return;
    }
    let mut diagnostic = Diagnostic::new(Code::ScheduleChangesNothing, t!("cr908-message-none", handle = handle))
        .label(schedule, t!("cr908-label-hours"))
        .help(t!("cr908-help-none"));
    if let Some(path) = ignoring.first() {
        diagnostic = diagnostic.label(cx.key(&path.table()), t!("cr908-label-none"));
    }
    cx.emit(diagnostic);
}

/// CR209: `returning_clients` in first-responder mode.
fn returning_outside_round_robin(cx: &mut Ctx<'_>, path: &AssignmentPath, assignment: &Assignment) {
    if assignment.mode == Mode::FirstResponder && assignment.returning_clients.is_some() {
        cx.emit(
            Diagnostic::new(Code::ReturningClientsOutsideRoundRobin, t!("cr209-message"))
                .label(cx.key(&path.returning_clients()), t!("cr202-label"))
                .label(cx.value(&path.mode()), t!("label-mode-first-responder"))
                .help(t!("cr209-help")),
        );
    }
}
