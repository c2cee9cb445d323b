//! Checks against the amoCRM account snapshot (`--crm`): every pipeline,
//! stage and user the spec names must exist there, stages must suit new
//! deals by their type and id, and the phone rule must not mangle the
//! account's contacts.

use std::collections::BTreeSet;

use super::{Ctx, stage_refs};
use crate::crm::lookup::{Lookup, StageLookup};
use crate::crm::{Pipeline, Snapshot};
use crate::diagnostics::{Code, Diagnostic};
use crate::paths::{SpecPath, StagePath};
use crate::phone;
use crate::spec::{Employee, StageRef};

pub(super) fn check(cx: &mut Ctx<'_>, crm: &Snapshot) {
    if other_account(cx, crm) {
        // Every other finding would be about the wrong account.
        return;
    }
    for (path, stage) in stage_refs(cx.spec) {
        stage_ref(cx, crm, stage, &path);
    }
    users(cx, crm);
    contacts(cx, crm);
}

/// CR711: a snapshot of another account than the spec's.
fn other_account(cx: &mut Ctx<'_>, crm: &Snapshot) -> bool {
    let spec = cx.spec;
    let other = !spec.integration.account.eq_ignore_ascii_case(&crm.account);
    if other {
        cx.emit(
            Diagnostic::new(
                Code::SnapshotOfOtherAccount,
                format!("the snapshot is of account `{}`, the spec of `{}`", crm.account, spec.integration.account),
            )
            .label(cx.value(&SpecPath::account()), format!("snapshot: `{}`", crm.account))
            .help(format!(
                "pull this account's snapshot: chatroute crm pull --account {} -o ...",
                spec.integration.account
            )),
        );
    }
    other
}

fn ids<T>(items: &[&T], id: impl Fn(&T) -> u64) -> String {
    items.iter().map(|i| id(i).to_string()).collect::<Vec<_>>().join(", ")
}

/// CR701 (unknown pipeline), CR702 (unknown stage), CR703 (ambiguous
/// name), CR704 (stage of another pipeline), CR712 (archived pipeline),
/// CR501/CR502 by the stage's type in the account: one lookup decides which.
fn stage_ref(cx: &mut Ctx<'_>, crm: &Snapshot, stage: &StageRef, path: &StagePath) {
    let pipeline_span = cx.value(&path.pipeline());
    let stage_span = cx.value(&path.stage());
    let account = &crm.account;
    let diag = match crm.stage(stage) {
        StageLookup::NoPipeline { suggestion } => {
            let known = crm.pipelines.iter().map(|p| format!("\"{}\"", p.name)).collect::<Vec<_>>().join(", ");
            Diagnostic::new(
                Code::UnknownPipeline,
                format!("pipeline `{}` is not in account `{account}`", stage.pipeline),
            )
            .label(pipeline_span, "no such pipeline")
            .help(format!("pipelines of the account: {known}"))
            .suggest(suggestion)
        }
        StageLookup::SeveralPipelines(found) => {
            Diagnostic::new(Code::AmbiguousName, format!("several pipelines are called `{}`", stage.pipeline))
                .label(pipeline_span, format!("pipelines {}", ids(&found, |p: &Pipeline| p.id)))
                .help("write the pipeline's id instead of its name")
        }
        StageLookup::OtherPipeline { pipeline, owner } => Diagnostic::new(
            Code::StageOfOtherPipeline,
            format!("stage {} belongs to pipeline `{}`, not `{}`", stage.stage, owner.name, pipeline.name),
        )
        .label(stage_span, format!("a stage of `{}`", owner.name))
        .label(pipeline_span, format!("pipeline `{}`", pipeline.name))
        .help("stages are per pipeline in amoCRM: name the pipeline the stage belongs to, or a stage of this one"),
        StageLookup::NoStage { pipeline, suggestion } => {
            let known = pipeline.statuses.iter().map(|s| format!("\"{}\"", s.name)).collect::<Vec<_>>().join(", ");
            Diagnostic::new(Code::UnknownStage, format!("pipeline `{}` has no stage `{}`", pipeline.name, stage.stage))
                .label(stage_span, "no such stage in this pipeline")
                .help(format!("stages of `{}`: {known}", pipeline.name))
                .suggest(suggestion)
        }
        StageLookup::SeveralStages { pipeline, found } => Diagnostic::new(
            Code::AmbiguousName,
            format!("`{}` has several stages called `{}`", pipeline.name, stage.stage),
        )
        .label(stage_span, format!("stages {}", ids(&found, |s: &crate::crm::Status| s.id)))
        .help("write the stage's id instead of its name"),
        // Names the account calls Unsorted or closed were reported by name already.
        StageLookup::Found(_, _) if crate::rules::deals::forbidden_stage(&stage.stage).is_some() => return,
        StageLookup::Found(pipeline, status) if status.is_unsorted() => Diagnostic::new(
            Code::UnsortedStage,
            format!("`{}` is the Unsorted stage of `{}` (amoCRM status type 1)", status.name, pipeline.name),
        )
        .label(stage_span, format!("status {}, type 1: Unsorted", status.id))
        .help("pick a working stage such as the pipeline's first open one"),
        StageLookup::Found(pipeline, _) if pipeline.is_archive => Diagnostic::new(
            Code::ArchivedPipeline,
            format!("pipeline `{}` ({}) is archived in account `{account}`", pipeline.name, pipeline.id),
        )
        .label(pipeline_span, "archived: takes no new deals")
        .help("pick an active pipeline, or restore this one in amoCRM (Settings -> Pipelines)"),
        StageLookup::Found(pipeline, status) if status.is_closed() => Diagnostic::new(
            Code::ClosedStage,
            format!("`{}` is a closed stage of `{}` (status {})", status.name, pipeline.name, status.id),
        )
        .label(stage_span, "won (142) or lost (143)")
        .help("pick an open stage"),
        StageLookup::Found(_, _) => return,
    };
    cx.emit(diag);
}

/// CR705-CR708 per employee, then CR709 for the account's users the spec
/// leaves out.
fn users(cx: &mut Ctx<'_>, crm: &Snapshot) {
    let mut mentioned = BTreeSet::new();
    for (handle, employee) in &cx.spec.employees {
        mentioned.extend(user(cx, crm, handle, employee));
    }
    unmentioned_users(cx, crm, &mentioned);
}

/// CR705 (unknown `crm_user`), CR706 (no user by name or email), CR707
/// (several), CR708 (inactive). Returns the ids the employee names.
fn user(cx: &mut Ctx<'_>, crm: &Snapshot, handle: &str, employee: &Employee) -> Vec<u64> {
    let by_id = employee.crm_user.is_some();
    let span = if by_id { cx.value(&SpecPath::crm_user(handle)) } else { cx.key(&SpecPath::employee(handle)) };
    let (diag, ids_named) = match crm.user(employee) {
        Lookup::Found(user) if !user.active => (
            Diagnostic::new(
                Code::InactiveCrmUser,
                format!("`{handle}` is CRM user {} ({}), who is deactivated", user.id, user.name),
            )
            .label(span, "inactive in amoCRM")
            .help("deals and dialogs given to a deactivated user go unanswered: remove the employee or reactivate the user"),
            vec![user.id],
        ),
        Lookup::Found(user) => return vec![user.id],
        Lookup::Missing { suggestion } if by_id => (
            Diagnostic::new(
                Code::UnknownCrmUser,
                format!("account `{}` has no user {}", crm.account, employee.crm_user.unwrap_or_default()),
            )
            .label(span, "no such user id")
            .help("copy the id from amoCRM (Settings -> Users), or remove `crm_user` to match by name or email")
            .suggest(suggestion),
            Vec::new(),
        ),
        Lookup::Missing { suggestion } => (
            Diagnostic::new(Code::NoCrmUser, format!("no CRM user is called `{}` or has its email", employee.name))
                .label(span, "matches no user of the account")
                .help("write `crm_user = <id>`, or the name exactly as in amoCRM, or `email`")
                .suggest(suggestion),
            Vec::new(),
        ),
        Lookup::Ambiguous(found) => (
            Diagnostic::new(
                Code::SeveralCrmUsers,
                format!("{} CRM users match `{}`: {}", found.len(), employee.name, ids(&found, |u: &crate::crm::User| u.id)),
            )
            .label(span, "matches several users")
            .help("write `crm_user = <id>` to pick one"),
            found.iter().map(|u| u.id).collect(),
        ),
    };
    cx.emit(diag);
    ids_named
}

/// CR709: active users of the account the spec does not mention.
fn unmentioned_users(cx: &mut Ctx<'_>, crm: &Snapshot, mentioned: &BTreeSet<u64>) {
    let unmentioned: Vec<String> = crm
        .users
        .iter()
        .filter(|u| u.active && !mentioned.contains(&u.id))
        .map(|u| format!("{} ({})", u.name, u.id))
        .collect();
    if !unmentioned.is_empty() {
        cx.emit(
            Diagnostic::new(
                Code::UnmentionedCrmUsers,
                format!("{} active CRM user(s) are not in the spec: {}", unmentioned.len(), unmentioned.join(", ")),
            )
            .label(cx.key(&SpecPath::employees()), "not listed here")
            .help("add them as employees if they should read or answer dialogs"),
        );
    }
}

/// CR710: contacts' numbers the 8 -> +7 rewrite would mangle.
fn contacts(cx: &mut Ctx<'_>, crm: &Snapshot) {
    let (true, Some(contacts)) = (cx.spec.phones.to_international, &crm.contacts) else { return };
    let mangled: Vec<(String, String)> = contacts
        .iter()
        .flat_map(|c| &c.phones)
        .filter_map(|p| phone::mangled_region(p).map(|region| (p.clone(), region)))
        .collect();
    if mangled.is_empty() {
        return;
    }
    let examples = mangled
        .iter()
        .take(5)
        .map(|(p, region)| format!("{p} ({region}) -> {}", phone::to_international(p).number))
        .collect::<Vec<_>>()
        .join(", ");
    cx.emit(
        Diagnostic::new(
            Code::ContactsMangled,
            format!("{} contact number(s) are valid foreign numbers the 8 -> +7 rewrite would change: {examples}", mangled.len()),
        )
        .label(cx.value(&SpecPath::to_international()), "rewrite is on")
        .help("these clients wrote their country code without `+`; set to_international = false or fix the numbers in amoCRM"),
    );
}
