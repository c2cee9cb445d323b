//! Employee references: unknown handles, the reserved `everyone`, the same
//! employee listed twice, and the characters handles, channel ids and the
//! account may hold.

use std::collections::HashMap;

use super::{Ctx, assignments, join};
use crate::diagnostics::{Code, Diagnostic, closest};
use crate::text::{MAX_IDENTIFIER, is_identifier, is_subdomain};

/// The bulk keyword of access tables; never an employee handle.
pub const EVERYONE: &str = "everyone";

/// CR104: handles and channel ids in the identifier alphabet, the account a
/// subdomain.
pub fn identifiers(cx: &mut Ctx<'_>) {
    let mut handles: Vec<&String> = cx.handles.iter().filter(|h| !is_identifier(h)).collect();
    handles.sort();
    for handle in handles {
        let span = cx.loc.key(&["employees", handle.as_str()]);
        cx.emit(invalid_identifier("employee handle", handle, span));
    }
    let spec = cx.spec;
    for id in spec.channels.keys().filter(|id| !is_identifier(id)) {
        let span = cx.loc.key(&["channels", id.as_str()]);
        cx.emit(invalid_identifier("channel id", id, span));
    }
    let account = &spec.integration.account;
    if !account.is_empty() && !is_subdomain(account) {
        cx.emit(
            Diagnostic::new(Code::InvalidIdentifier, format!("account `{account}` is not an amoCRM subdomain"))
                .label(cx.loc.value(&["integration", "account"]), "lowercase letters, digits and hyphens only")
                .help("write the subdomain alone: `acme` of `acme.amocrm.ru`"),
        );
    }
}

fn invalid_identifier(what: &str, id: &str, span: std::ops::Range<usize>) -> Diagnostic {
    Diagnostic::new(Code::InvalidIdentifier, format!("{what} `{id}` holds characters an identifier cannot"))
        .label(span, format!("1 to {MAX_IDENTIFIER} letters, digits, `_`, `-`, `.`; starting with a letter or digit"))
        .help("ids become state keys and appear in CI logs: rename it, e.g. `wa-retail`")
}

pub fn check(cx: &mut Ctx<'_>) {
    if cx.handles.contains(EVERYONE) {
        cx.emit(
            Diagnostic::new(Code::ReservedHandle, "`everyone` cannot be an employee handle")
                .label(cx.loc.key(&["employees", EVERYONE]), "reserved for bulk access")
                .help("rename this employee, e.g. `everyone_1`; `everyone` in an access table means every employee"),
        );
    }
    let spec = cx.spec;
    for (base, assignment) in assignments(spec) {
        let mut seen = HashMap::new();
        for (i, member) in assignment.members.iter().enumerate() {
            let idx = i.to_string();
            let path = join(&base, &["members", &idx, "employee"]);
            reference(cx, &member.employee, &path, "assignment member");
            duplicate(
                cx,
                &mut seen,
                &member.employee,
                &path,
                "assignment",
                "remove one entry; to give a member more deals, raise its `weight`",
            );
        }
    }
    for (id, channel) in &spec.channels {
        for handle in channel.access.employees.keys() {
            let path = ["channels", id.as_str(), "access", handle.as_str()];
            if !cx.handles.contains(handle) {
                unknown(cx, handle, cx.loc.key(&path), "access entry");
            }
        }
    }
    let mut seen = HashMap::new();
    for (i, admin) in spec.global_chat.admins.iter().enumerate() {
        let idx = i.to_string();
        let path = ["global_chat", "admins", idx.as_str()];
        reference(cx, admin, &path, "chat admin");
        duplicate(cx, &mut seen, admin, &path, "admins list", "remove one entry");
    }
}

/// A handle used as a value must name an employee.
fn reference<S: AsRef<str>>(cx: &mut Ctx<'_>, handle: &str, path: &[S], what: &str) {
    if handle == EVERYONE {
        cx.emit(
            Diagnostic::new(Code::ReservedHandle, format!("`everyone` cannot be a {what}"))
                .label(cx.loc.value(path), "`everyone` is only a key of access tables")
                .help("list the employees one by one"),
        );
    } else if !cx.handles.contains(handle) {
        unknown(cx, handle, cx.loc.value(path), what);
    }
}

fn unknown(cx: &mut Ctx<'_>, handle: &str, span: std::ops::Range<usize>, what: &str) {
    let suggestion = closest(handle, cx.handles.iter().map(String::as_str));
    let diag = Diagnostic::new(Code::UnknownEmployee, format!("unknown employee `{handle}` in {what}"))
        .label(span, "not a handle under [employees]")
        .help(format!("add `{handle}` under [employees] or use an existing handle"))
        .suggest(suggestion);
    cx.emit(diag);
}

fn duplicate<'a, S: AsRef<str>>(
    cx: &mut Ctx<'_>,
    seen: &mut HashMap<&'a str, std::ops::Range<usize>>,
    handle: &'a str,
    path: &[S],
    list: &str,
    help: &str,
) {
    let span = cx.loc.value(path);
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
