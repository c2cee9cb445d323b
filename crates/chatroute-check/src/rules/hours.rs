//! Working-hours rules: each problem of a schedule as `hours::read` finds
//! it, schedules never open or never used, employees naming an unknown
//! schedule or one that changes nothing, and `returning_clients` where it
//! cannot apply.

use super::{Ctx, assignments};
use crate::diagnostics::{Code, Diagnostic, closest};
use crate::hours::{self, Problem};
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
            Diagnostic::new(Code::UnknownTimeZone, format!("`{zone}` is not a time zone of the IANA database"))
                .label(cx.value(at), "unknown zone")
                .help("write the zone as Area/City, e.g. \"Europe/Moscow\", \"Asia/Almaty\", \"Asia/Tokyo\"")
                .suggest(suggestion)
        }
        Problem::NoZone => Diagnostic::new(Code::MissingTimeZone, format!("schedule `{name}` has no time zone"))
            .label(cx.key(&SpecPath::schedule(name).table()), "hours of which zone?")
            .help("set `timezone = \"Europe/Moscow\"` in [integration] (for every schedule) or in this schedule"),
        Problem::Interval { at, why } => Diagnostic::new(Code::BadInterval, format!("bad interval in `{name}`: {why}"))
            .label(cx.value(at), "here")
            .help("write intervals as \"HH:MM-HH:MM\", e.g. \"09:00-18:00\"; \"20:00-08:00\" runs past midnight"),
        Problem::Day { at, why } => Diagnostic::new(Code::BadDay, format!("bad day in `{name}`: {why}"))
            .label(cx.key(at), "here")
            .help("name a day (mon, tue, wed, thu, fri, sat, sun) or a range from Monday towards Sunday (mon-fri)"),
        Problem::Date { at, why } => Diagnostic::new(Code::BadDay, format!("bad date in `{name}`: {why}"))
            .label(cx.value(at), "here")
            .help("write dates off as \"YYYY-MM-DD\", e.g. \"2027-01-01\""),
        Problem::Overlap { first, second, day } => {
            Diagnostic::new(Code::OverlappingIntervals, format!("intervals of `{name}` overlap on {day}"))
                .label(cx.value(second), "this interval")
                .label(cx.value(first), "overlaps this one")
                .help("the hours are the union of both; merge them into one interval to say so")
        }
    };
    cx.emit(diagnostic);
}

/// CR906: a schedule with no interval on any day.
fn never_open(cx: &mut Ctx<'_>, name: &str) {
    cx.emit(
        Diagnostic::new(Code::ScheduleNeverOpen, format!("schedule `{name}` is never open"))
            .label(cx.key(&SpecPath::schedule(name).table()), "no day has hours")
            .help("give it days and hours, e.g. mon-fri = \"09:00-18:00\"; everyone on it would never get a deal"),
    );
}

/// CR907: a schedule no employee works to.
fn unused(cx: &mut Ctx<'_>, name: &str) {
    cx.emit(
        Diagnostic::new(Code::UnusedSchedule, format!("no employee works to schedule `{name}`"))
            .label(cx.key(&SpecPath::schedule(name).table()), "defined here")
            .help(format!("set `schedule = \"{name}\"` on the employees it is for, or remove it")),
    );
}

/// CR905: an employee naming a schedule that is not defined.
fn unknown_schedule(cx: &mut Ctx<'_>, handle: &str, name: &str) {
    let known = cx.spec.schedules.keys().map(String::as_str);
    cx.emit(
        Diagnostic::new(Code::UnknownSchedule, format!("`{handle}` works to schedule `{name}`, which is not defined"))
            .label(cx.value(&SpecPath::employee_schedule(handle)), "no [schedules] table of this name")
            .help(format!("define [schedules.{name}], or name one of the schedules defined"))
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
        let mut diagnostic = Diagnostic::new(
            Code::ScheduleChangesNothing,
            format!("`{handle}`'s working hours do not apply in every assignment of theirs"),
        )
        .label(schedule, "working hours set here")
        .help("set `skip_unavailable = true` in that assignment, or remove `skip_unavailable = false` there to follow [assignment]");
        let skip = first.skip_unavailable();
        let place = if cx.exists(&skip) { cx.value(&skip) } else { cx.key(&first.table()) };
        diagnostic =
            diagnostic.label(place, "deals here reach them outside their hours: unavailable members are not skipped");
        cx.emit(diagnostic);
        return;
    }
    let mut diagnostic = Diagnostic::new(
        Code::ScheduleChangesNothing,
        format!("`{handle}`'s schedule changes nothing: no assignment of theirs skips the unavailable"),
    )
    .label(schedule, "working hours set here")
    .help("set `skip_unavailable = true` in the assignment, so deals wait for the hours, or remove the schedule");
    if let Some(path) = ignoring.first() {
        diagnostic = diagnostic.label(cx.key(&path.table()), "this assignment never skips anyone unavailable");
    }
    cx.emit(diagnostic);
}

/// CR209: `returning_clients` in first-responder mode.
fn returning_outside_round_robin(cx: &mut Ctx<'_>, path: &AssignmentPath, assignment: &Assignment) {
    if assignment.mode == Mode::FirstResponder && assignment.returning_clients.is_some() {
        cx.emit(
            Diagnostic::new(
                Code::ReturningClientsOutsideRoundRobin,
                "`returning_clients` only applies in round_robin mode",
            )
            .label(cx.key(&path.returning_clients()), "set here")
            .label(cx.value(&path.mode()), "mode is first_responder")
            .help("remove it: in first_responder mode the deal goes to whoever answers first, its owner too"),
        );
    }
}
