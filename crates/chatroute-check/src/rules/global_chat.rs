//! Global chat rules: admins exist only in own_and_unassigned mode, and an
//! admin is an observer, not an assignee.

use super::{Ctx, assignments};
use crate::diagnostics::{Code, Diagnostic};
use crate::paths::SpecPath;
use crate::spec::{Mode, Visibility};

pub(super) fn check(cx: &mut Ctx<'_>) {
    admins_outside_own_and_unassigned(cx);
    admin_takes_deals(cx);
}

/// CR401: chat admins with visibility `all`.
fn admins_outside_own_and_unassigned(cx: &mut Ctx<'_>) {
    let chat = &cx.spec.global_chat;
    if chat.visibility == Visibility::All && !chat.admins.is_empty() {
        cx.emit(
            Diagnostic::new(
                Code::AdminsOutsideOwnAndUnassigned,
                "chat admins only exist with visibility `own_and_unassigned`",
            )
            .label(cx.key(&SpecPath::chat_admins()), "admins listed here")
            .label(cx.value(&SpecPath::chat_visibility()), "everyone already sees every dialog")
            .help("remove `admins`, or set visibility = \"own_and_unassigned\""),
        );
    }
}

/// CR402: a chat admin who is also an assignment member.
fn admin_takes_deals(cx: &mut Ctx<'_>) {
    let spec = cx.spec;
    for (i, admin) in spec.global_chat.admins.iter().enumerate() {
        for (path, assignment) in assignments(spec) {
            let Some(m) = assignment.members.iter().position(|m| &m.employee == admin) else {
                continue;
            };
            let role = match assignment.mode {
                Mode::RoundRobin => "round-robin member",
                Mode::FirstResponder => "first responder",
            };
            cx.emit(
                Diagnostic::new(Code::AdminTakesDeals, format!("chat admin `{admin}` is also a {role}"))
                    .label(cx.value(&SpecPath::chat_admin(i)), "chat admin")
                    .label(cx.value(&path.member_employee(m)), role)
                    .help("an admin sees every dialog and cannot track their own: keep admins as observers, or drop them from the assignment"),
            );
        }
    }
}
