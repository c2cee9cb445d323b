//! Employee references: unknown handles, the reserved `everyone`, the same
//! employee listed twice, and the characters handles, channel ids and the
//! account may hold.

use std::collections::HashMap;
use std::ops::Range;

use super::{Ctx, assignments, stage_refs};
use crate::diagnostics::{Code, Diagnostic, closest};
use crate::paths::SpecPath;
use crate::spec::{MAX_EXACT_ID, NameOrId};
use crate::text::{MAX_IDENTIFIER, is_identifier, is_subdomain};

/// The bulk keyword of access tables; never an employee handle.
pub const EVERYONE: &str = "everyone";

pub fn check(cx: &mut Ctx<'_>) {
    identifiers(cx);
    reserved_handle(cx);
    members(cx);
    access_entries(cx);
    admins(cx);
    inexact_ids(cx);
}

/// CR014: an amoCRM id past 2^53 - 1. amoCRM's ids are far below it; a
/// larger one is a typo, and JSON readers that use doubles (JavaScript)
/// would read another number from the table.
fn inexact_ids(cx: &mut Ctx<'_>) {
    let spec = cx.spec;
    let mut places = Vec::new();
    for (handle, employee) in &spec.employees {
        if employee.crm_user.is_some_and(|u| u > MAX_EXACT_ID) {
            places.push(SpecPath::crm_user(handle));
        }
    }
    for (path, stage) in stage_refs(spec) {
        let big = |v: &NameOrId| matches!(v, NameOrId::Id(n) if *n > MAX_EXACT_ID);
        places.extend(big(&stage.pipeline).then(|| path.pipeline()));
        places.extend(big(&stage.stage).then(|| path.stage()));
    }
    for path in places {
        let diagnostic = Diagnostic::new(Code::OutOfRange, "amoCRM id above 2^53 - 1 (9007199254740991)")
            .label(cx.value(&path), "no amoCRM id is this large")
            .help("check the id in amoCRM; ids above 2^53 - 1 change when read as JSON numbers (JavaScript)");
        cx.emit(diagnostic);
    }
}

/// CR104: handles and channel ids in the identifier alphabet, the account a
/// subdomain.
fn identifiers(cx: &mut Ctx<'_>) {
    let mut handles: Vec<&String> = cx.handles.iter().filter(|h| !is_identifier(h)).collect();
    handles.sort();
    for handle in handles {
        cx.emit(invalid_identifier("employee handle", handle, cx.key(&SpecPath::employee(handle))));
    }
    let spec = cx.spec;
    for id in spec.channels.keys().filter(|id| !is_identifier(id)) {
        cx.emit(invalid_identifier("channel id", id, cx.key(&SpecPath::channel(id).table())));
    }
    let account = &spec.integration.account;
    if !account.is_empty() && !is_subdomain(account) {
        cx.emit(
            Diagnostic::new(Code::InvalidIdentifier, format!("account `{account}` is not an amoCRM subdomain"))
                .label(cx.value(&SpecPath::account()), "lowercase letters, digits and hyphens only")
                .help("write the subdomain alone: `acme` of `acme.amocrm.ru`"),
        );
    }
}

fn invalid_identifier(what: &str, id: &str, span: Range<usize>) -> Diagnostic {
    Diagnostic::new(Code::InvalidIdentifier, format!("{what} `{id}` holds characters an identifier cannot"))
        .label(span, format!("1 to {MAX_IDENTIFIER} letters, digits, `_`, `-`, `.`; starting with a letter or digit"))
        .help("ids become state keys and appear in CI logs: rename it, e.g. `wa-retail`")
}

/// CR102: `everyone` as an employee handle.
fn reserved_handle(cx: &mut Ctx<'_>) {
    if cx.handles.contains(EVERYONE) {
        cx.emit(
            Diagnostic::new(Code::ReservedHandle, "`everyone` cannot be an employee handle")
                .label(cx.key(&SpecPath::employee(EVERYONE)), "reserved for bulk access")
                .help("rename this employee, e.g. `everyone_1`; `everyone` in an access table means every employee"),
        );
    }
}

/// CR101, CR102 and CR103 for assignment members.
fn members(cx: &mut Ctx<'_>) {
    for (path, assignment) in assignments(cx.spec) {
        let mut seen = HashMap::new();
        for (i, member) in assignment.members.iter().enumerate() {
            let at = path.member_employee(i);
            reference(cx, &member.employee, &at, "assignment member");
            let help = "remove one entry; to give a member more deals, raise its `weight`";
            duplicate(cx, &mut seen, &member.employee, &at, "assignment", help);
        }
    }
}

/// CR101 for access entries.
fn access_entries(cx: &mut Ctx<'_>) {
    for (id, channel) in &cx.spec.channels {
        for handle in channel.access.employees.keys().filter(|h| !cx.handles.contains(*h)) {
            let span = cx.key(&SpecPath::channel(id).access(handle).entry());
            unknown(cx, handle, span, "access entry");
        }
    }
}

/// CR101, CR102 and CR103 for chat admins.
fn admins(cx: &mut Ctx<'_>) {
    let mut seen = HashMap::new();
    for (i, admin) in cx.spec.global_chat.admins.iter().enumerate() {
        let at = SpecPath::chat_admin(i);
        reference(cx, admin, &at, "chat admin");
        duplicate(cx, &mut seen, admin, &at, "admins list", "remove one entry");
    }
}

/// A handle used as a value must name an employee (CR101) and not be
/// `everyone` (CR102).
fn reference(cx: &mut Ctx<'_>, handle: &str, path: &SpecPath, what: &str) {
    if handle == EVERYONE {
        cx.emit(
            Diagnostic::new(Code::ReservedHandle, format!("`everyone` cannot be a {what}"))
                .label(cx.value(path), "`everyone` is only a key of access tables")
                .help("list the employees one by one"),
        );
    } else if !cx.handles.contains(handle) {
        unknown(cx, handle, cx.value(path), what);
    }
}

/// CR101: a handle that is not under `[employees]`.
fn unknown(cx: &mut Ctx<'_>, handle: &str, span: Range<usize>, what: &str) {
    let suggestion = closest(handle, cx.handles.iter().map(String::as_str));
    let diag = Diagnostic::new(Code::UnknownEmployee, format!("unknown employee `{handle}` in {what}"))
        .label(span, "not a handle under [employees]")
        .help(format!("add `{handle}` under [employees] or use an existing handle"))
        .suggest(suggestion);
    cx.emit(diag);
}

/// CR103: the same employee twice in one list.
fn duplicate<'a>(
    cx: &mut Ctx<'_>,
    seen: &mut HashMap<&'a str, Range<usize>>,
    handle: &'a str,
    path: &SpecPath,
    list: &str,
    help: &str,
) {
    let span = cx.value(path);
    if let Some(first) = seen.get(handle) {
        cx.emit(
            Diagnostic::new(Code::DuplicateEntry, format!("`{handle}` is listed twice in the {list}"))
                .label(span, "listed again here")
                .label(first.clone(), "first listed here")
                .help(help),
        );
    } else {
        seen.insert(handle, span);
    }
}
