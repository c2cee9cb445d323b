//! Checks against the amoCRM account snapshot (`--crm`): every pipeline,
//! stage and user the spec names must exist there, stages must suit new
//! deals by their type and id, and the phone rule must not mangle the
//! account's contacts.

use std::collections::BTreeSet;

use super::{Ctx, stage_refs};
use crate::crm::lookup::{Lookup, StageLookup};
use crate::crm::{Pipeline, Snapshot};
use crate::diagnostics::{Code, Diagnostic};
use crate::i18n::t;
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
                t!("cr711-message", snapshot = crm.account.as_str(), spec = spec.integration.account.as_str()),
            )
            .label(cx.value(&SpecPath::account()), t!("cr711-label", snapshot = crm.account.as_str()))
            .help(t!("cr711-help", spec = spec.integration.account.as_str())),
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
                t!("cr701-message", pipeline = stage.pipeline.to_string(), account = account.as_str()),
            )
            .label(pipeline_span, t!("cr701-label"))
            .help(t!("cr701-help", known = known))
            .suggest(suggestion)
        }
        StageLookup::SeveralPipelines(found) => {
            Diagnostic::new(Code::AmbiguousName, t!("cr703-message-pipeline", name = stage.pipeline.to_string()))
                .label(pipeline_span, t!("cr703-label-pipeline", ids = ids(&found, |p: &Pipeline| p.id)))
                .help(t!("cr703-help-pipeline"))
        }
        StageLookup::OtherPipeline { pipeline, owner } => Diagnostic::new(
            Code::StageOfOtherPipeline,
            t!(
                "cr704-message",
                stage = stage.stage.to_string(),
                owner = owner.name.as_str(),
                pipeline = pipeline.name.as_str()
            ),
        )
        .label(stage_span, t!("cr704-label-stage", owner = owner.name.as_str()))
        .label(pipeline_span, t!("cr704-label-pipeline", pipeline = pipeline.name.as_str()))
        .help(t!("cr704-help")),
        StageLookup::NoStage { pipeline, suggestion } => {
            let known = pipeline.statuses.iter().map(|s| format!("\"{}\"", s.name)).collect::<Vec<_>>().join(", ");
            let message = t!("cr702-message", pipeline = pipeline.name.as_str(), stage = stage.stage.to_string());
            Diagnostic::new(Code::UnknownStage, message)
                .label(stage_span, t!("cr702-label"))
                .help(t!("cr702-help", pipeline = pipeline.name.as_str(), known = known))
                .suggest(suggestion)
        }
        StageLookup::SeveralStages { pipeline, found } => Diagnostic::new(
            Code::AmbiguousName,
            t!("cr703-message-stage", pipeline = pipeline.name.as_str(), name = stage.stage.to_string()),
        )
        .label(stage_span, t!("cr703-label-stage", ids = ids(&found, |s: &crate::crm::Status| s.id)))
        .help(t!("cr703-help-stage")),
        // Names the account calls Unsorted or closed were reported by name already.
        StageLookup::Found(_, _) if crate::rules::deals::forbidden_stage(&stage.stage).is_some() => return,
        StageLookup::Found(pipeline, status) if status.is_unsorted() => Diagnostic::new(
            Code::UnsortedStage,
            t!("cr501-message-crm", stage = status.name.as_str(), pipeline = pipeline.name.as_str()),
        )
        .label(stage_span, t!("cr501-label-crm", id = status.id))
        .help(t!("cr501-help-crm")),
        StageLookup::Found(pipeline, _) if pipeline.is_archive => Diagnostic::new(
            Code::ArchivedPipeline,
            t!("cr712-message", pipeline = pipeline.name.as_str(), id = pipeline.id, account = account.as_str()),
        )
        .label(pipeline_span, t!("cr712-label"))
        .help(t!("cr712-help")),
        StageLookup::Found(pipeline, status) if status.is_closed() => Diagnostic::new(
            Code::ClosedStage,
            t!("cr502-message-crm", stage = status.name.as_str(), pipeline = pipeline.name.as_str(), id = status.id),
        )
        .label(stage_span, t!("cr502-label-crm"))
        .help(t!("cr502-help-crm")),
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
                t!("cr708-message", handle = handle, id = user.id, name = user.name.as_str()),
            )
            .label(span, t!("cr708-label"))
            .help(t!("cr708-help")),
            vec![user.id],
        ),
        Lookup::Found(user) => return vec![user.id],
        Lookup::Missing { suggestion } if by_id => (
            Diagnostic::new(
                Code::UnknownCrmUser,
                t!("cr705-message", account = crm.account.as_str(), id = employee.crm_user.unwrap_or_default()),
            )
            .label(span, t!("cr705-label"))
            .help(t!("cr705-help"))
            .suggest(suggestion),
            Vec::new(),
        ),
        Lookup::Missing { suggestion } => (
            Diagnostic::new(Code::NoCrmUser, t!("cr706-message", name = employee.name.as_str()))
                .label(span, t!("cr706-label"))
                .help(t!("cr706-help"))
                .suggest(suggestion),
            Vec::new(),
        ),
        Lookup::Ambiguous(found) => (
            Diagnostic::new(
                Code::SeveralCrmUsers,
                t!(
                    "cr707-message",
                    count = found.len(),
                    name = employee.name.as_str(),
                    ids = ids(&found, |u: &crate::crm::User| u.id)
                ),
            )
            .label(span, t!("cr707-label"))
            .help(t!("cr707-help")),
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
                t!("cr709-message", count = unmentioned.len(), users = unmentioned.join(", ")),
            )
            .label(cx.key(&SpecPath::employees()), t!("label-not-listed"))
            .help(t!("cr709-help")),
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
        Diagnostic::new(Code::ContactsMangled, t!("cr710-message", count = mangled.len(), examples = examples))
            .label(cx.value(&SpecPath::to_international()), t!("cr607-label"))
            .help(t!("cr710-help")),
    );
}
