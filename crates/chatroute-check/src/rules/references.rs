//! Employee references: unknown handles, the reserved `everyone`, the same
//! employee listed twice, and the characters handles, channel ids and the
//! account may hold.

use std::collections::HashMap;
use std::ops::Range;

use super::{Ctx, assignments, stage_refs};
use crate::diagnostics::{Code, Diagnostic, closest};
use crate::i18n::t;
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
        let diagnostic = Diagnostic::new(Code::OutOfRange, t!("cr014-message-id"))
            .label(cx.value(&path), t!("cr014-label-id"))
            .help(t!("cr014-help-id"));
        cx.emit(diagnostic);
    }
}

/// CR104: handles and channel ids in the identifier alphabet, the account a
/// subdomain.
fn identifiers(cx: &mut Ctx<'_>) {
    let mut handles: Vec<&String> = cx.handles.iter().filter(|h| !is_identifier(h)).collect();
    handles.sort();
    for handle in handles {
        cx.emit(invalid_identifier(
            t!("cr104-message-handle", id = handle.as_str()),
            cx.key(&SpecPath::employee(handle)),
        ));
    }
    let spec = cx.spec;
    for id in spec.channels.keys().filter(|id| !is_identifier(id)) {
        cx.emit(invalid_identifier(
            t!("cr104-message-channel", id = id.as_str()),
            cx.key(&SpecPath::channel(id).table()),
        ));
    }
    let account = &spec.integration.account;
    if !account.is_empty() && !is_subdomain(account) {
        cx.emit(
            Diagnostic::new(Code::InvalidIdentifier, t!("cr104-message-account", account = account.as_str()))
                .label(cx.value(&SpecPath::account()), t!("cr104-label-account"))
                .help(t!("cr104-help-account")),
        );
    }
}

fn invalid_identifier(message: String, span: Range<usize>) -> Diagnostic {
    Diagnostic::new(Code::InvalidIdentifier, message)
        .label(span, t!("cr104-label", max = MAX_IDENTIFIER))
        .help(t!("cr104-help"))
}

/// CR102: `everyone` as an employee handle.
fn reserved_handle(cx: &mut Ctx<'_>) {
    if cx.handles.contains(EVERYONE) {
        cx.emit(
            Diagnostic::new(Code::ReservedHandle, t!("cr102-message-handle"))
                .label(cx.key(&SpecPath::employee(EVERYONE)), t!("cr102-label-handle"))
                .help(t!("cr102-help-handle")),
        );
    }
}

/// CR101, CR102 and CR103 for assignment members.
fn members(cx: &mut Ctx<'_>) {
    for (path, assignment) in assignments(cx.spec) {
        let mut seen = HashMap::new();
        for (i, member) in assignment.members.iter().enumerate() {
            let at = path.member_employee(i);
            reference(cx, &member.employee, &at, Place::Member);
            duplicate(cx, &mut seen, &member.employee, &at, Place::Member);
        }
    }
}

/// CR101 for access entries.
fn access_entries(cx: &mut Ctx<'_>) {
    for (id, channel) in &cx.spec.channels {
        for handle in channel.access.employees.keys().filter(|h| !cx.handles.contains(*h)) {
            let span = cx.key(&SpecPath::channel(id).access(handle).entry());
            unknown(cx, handle, span, Place::Access);
        }
    }
}

/// CR101, CR102 and CR103 for chat admins.
fn admins(cx: &mut Ctx<'_>) {
    let mut seen = HashMap::new();
    for (i, admin) in cx.spec.global_chat.admins.iter().enumerate() {
        let at = SpecPath::chat_admin(i);
        reference(cx, admin, &at, Place::Admin);
        duplicate(cx, &mut seen, admin, &at, Place::Admin);
    }
}

/// A handle used as a value must name an employee (CR101) and not be
/// `everyone` (CR102).
fn reference(cx: &mut Ctx<'_>, handle: &str, path: &SpecPath, place: Place) {
    if handle == EVERYONE {
        let message = match place {
            Place::Admin => t!("cr102-message-admin"),
            _ => t!("cr102-message-member"),
        };
        cx.emit(
            Diagnostic::new(Code::ReservedHandle, message)
                .label(cx.value(path), t!("cr102-label"))
                .help(t!("cr102-help")),
        );
    } else if !cx.handles.contains(handle) {
        unknown(cx, handle, cx.value(path), place);
    }
}

/// Where a handle is written, for the messages about it.
#[derive(Clone, Copy)]
enum Place {
    Member,
    Access,
    Admin,
}

/// CR101: a handle that is not under `[employees]`.
fn unknown(cx: &mut Ctx<'_>, handle: &str, span: Range<usize>, place: Place) {
    let suggestion = closest(handle, cx.handles.iter().map(String::as_str));
    let message = match place {
        Place::Member => t!("cr101-message-member", handle = handle),
        Place::Access => t!("cr101-message-access", handle = handle),
        Place::Admin => t!("cr101-message-admin", handle = handle),
    };
    let diag = Diagnostic::new(Code::UnknownEmployee, message)
        .label(span, t!("cr101-label"))
        .help(t!("cr101-help", handle = handle))
        .suggest(suggestion);
    cx.emit(diag);
}

/// CR103: the same employee twice in one list.
fn duplicate<'a>(
    cx: &mut Ctx<'_>,
    seen: &mut HashMap<&'a str, Range<usize>>,
    handle: &'a str,
    path: &SpecPath,
    place: Place,
) {
    let span = cx.value(path);
    if let Some(first) = seen.get(handle) {
        let (message, help) = match place {
            Place::Admin => (t!("cr103-message-admin", handle = handle), t!("cr103-help-admin")),
            _ => (t!("cr103-message-member", handle = handle), t!("cr103-help-member")),
        };
        cx.emit(
            Diagnostic::new(Code::DuplicateEntry, message)
                .label(span, t!("cr103-label-again"))
                .label(first.clone(), t!("cr103-label-first"))
                .help(help),
        );
    } else {
        seen.insert(handle, span);
    }
}
