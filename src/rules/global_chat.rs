//! Global chat rules: admins exist only in own_and_unassigned mode, and an
//! admin is an observer, not an assignee.

use super::{Ctx, assignments, join};
use crate::diagnostics::{Code, Diagnostic};
use crate::spec::{Mode, Visibility};

pub fn check(cx: &mut Ctx<'_>) {
    let spec = cx.spec;
    let chat = &spec.global_chat;
    if chat.visibility == Visibility::All && !chat.admins.is_empty() {
        cx.emit(
            Diagnostic::new(
                Code::AdminsOutsideOwnAndUnassigned,
                "chat admins only exist with visibility `own_and_unassigned`",
            )
            .label(cx.loc.key(&["global_chat", "admins"]), "admins listed here")
            .label(cx.loc.value(&["global_chat", "visibility"]), "everyone already sees every dialog")
            .help("remove `admins`, or set visibility = \"own_and_unassigned\""),
        );
    }
    for (i, admin) in chat.admins.iter().enumerate() {
        let idx = i.to_string();
        for (base, assignment) in assignments(spec) {
            let Some(m) = assignment.members.iter().position(|m| &m.employee == admin) else {
                continue;
            };
            let role = match assignment.mode {
                Mode::RoundRobin => "round-robin member",
                Mode::FirstResponder => "first responder",
            };
            let m = m.to_string();
            cx.emit(
                Diagnostic::new(Code::AdminTakesDeals, format!("chat admin `{admin}` is also a {role}"))
                    .label(cx.loc.value(&["global_chat", "admins", &idx]), "chat admin")
                    .label(cx.loc.value(&join(&base, &["members", &m, "employee"])), role)
                    .help("an admin sees every dialog and cannot track their own: keep admins as observers, or drop them from the assignment"),
            );
        }
    }
}
