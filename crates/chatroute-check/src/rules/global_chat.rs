//! Global chat rules: admins exist only in own_and_unassigned mode, and an
//! admin is an observer, not an assignee.

use super::{Ctx, assignments};
use crate::diagnostics::{Code, Diagnostic};
use crate::i18n::t;
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
            Diagnostic::new(Code::AdminsOutsideOwnAndUnassigned, t!("cr401-message"))
                .label(cx.key(&SpecPath::chat_admins()), t!("cr401-label-admins"))
                .label(cx.value(&SpecPath::chat_visibility()), t!("cr401-label-visibility"))
                .help(t!("cr401-help")),
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
                Mode::RoundRobin => t!("role-round-robin-member"),
                Mode::FirstResponder => t!("role-first-responder"),
            };
            cx.emit(
                Diagnostic::new(
                    Code::AdminTakesDeals,
                    t!("cr402-message", admin = admin.as_str(), role = role.as_str()),
                )
                .label(cx.value(&SpecPath::chat_admin(i)), t!("cr402-label"))
                .label(cx.value(&path.member_employee(m)), role)
                .help(t!("cr402-help")),
            );
        }
    }
}
