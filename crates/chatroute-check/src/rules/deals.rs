//! New-deal stage rules: never Unsorted (the point of the widget is to skip
//! it), never a closed stage, and every enabled channel has a stage.

use super::{Ctx, stage_refs};
use crate::crm::snapshot::{STATUS_LOST, STATUS_WON};
use crate::diagnostics::{Code, Diagnostic};
use crate::i18n::t;
use crate::paths::{SpecPath, StagePath};
use crate::spec::{NameOrId, StageRef};

/// Names amoCRM gives its Unsorted stage (English and Russian UI).
const UNSORTED_NAMES: &[&str] = &["unsorted", "incoming leads", "неразобранное"];
/// Names amoCRM gives the closed stages.
const CLOSED_NAMES: &[&str] = &["closed - won", "closed - lost", "успешно реализовано", "закрыто и не реализовано"];

fn normalise(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").replace(['–', '—'], "-").to_lowercase()
}

/// What is wrong with a stage reference before the CRM account is known.
pub(crate) fn forbidden_stage(stage: &NameOrId) -> Option<Code> {
    match stage {
        NameOrId::Id(STATUS_WON | STATUS_LOST) => Some(Code::ClosedStage),
        NameOrId::Id(_) => None,
        NameOrId::Name(name) => {
            let name = normalise(name);
            if UNSORTED_NAMES.contains(&name.as_str()) {
                Some(Code::UnsortedStage)
            } else if CLOSED_NAMES.contains(&name.as_str()) {
                Some(Code::ClosedStage)
            } else {
                None
            }
        }
    }
}

pub(crate) fn check(cx: &mut Ctx<'_>) {
    for (path, stage) in stage_refs(cx.spec) {
        forbidden(cx, stage, &path);
    }
    no_new_deal_stage(cx);
}

/// CR503: an enabled channel without a stage of its own or by default.
fn no_new_deal_stage(cx: &mut Ctx<'_>) {
    let spec = cx.spec;
    for (id, channel) in spec.enabled_channels() {
        // A stage the schema rejected was reported there; absent means unwritten.
        let written =
            cx.exists(&SpecPath::channel(id).new_deals().table()) || cx.exists(&SpecPath::defaults_new_deals().table());
        if spec.new_deals_for(id, channel).is_none() && !written {
            cx.emit(
                Diagnostic::new(Code::NoNewDealStage, t!("cr503-message", id = id))
                    .label(cx.key(&SpecPath::channel(id).table()), t!("cr503-label"))
                    .help(t!("cr503-help", id = id)),
            );
        }
    }
}

/// CR501 and CR502: new deals in the Unsorted stage or a closed one.
fn forbidden(cx: &mut Ctx<'_>, stage: &StageRef, path: &StagePath) {
    let Some(code) = forbidden_stage(&stage.stage) else {
        return;
    };
    let span = cx.value(&path.stage());
    let diag = match code {
        Code::UnsortedStage => Diagnostic::new(code, t!("cr501-message", stage = stage.stage.to_string()))
            .label(span, t!("cr501-label"))
            .help(t!("cr501-help")),
        _ => Diagnostic::new(code, t!("cr502-message", stage = stage.stage.to_string()))
            .label(span, t!("cr502-label"))
            .help(t!("cr502-help")),
    };
    cx.emit(diag);
}
