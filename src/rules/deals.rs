//! New-deal stage rules: never Unsorted (the point of the widget is to skip
//! it), never a closed stage, and every enabled channel has a stage.

use super::{Ctx, join};
use crate::diagnostics::{Code, Diagnostic};
use crate::spec::{NameOrId, StageRef};

/// amoCRM's system statuses shared by every pipeline.
pub const WON: u64 = 142;
pub const LOST: u64 = 143;

/// Names amoCRM gives its Unsorted stage (English and Russian UI).
const UNSORTED_NAMES: &[&str] = &["unsorted", "incoming leads", "неразобранное"];
/// Names amoCRM gives the closed stages.
const CLOSED_NAMES: &[&str] = &["closed - won", "closed - lost", "успешно реализовано", "закрыто и не реализовано"];

fn normalise(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").replace(['–', '—'], "-").to_lowercase()
}

/// What is wrong with a stage reference before the CRM account is known.
pub fn forbidden_stage(stage: &NameOrId) -> Option<Code> {
    match stage {
        NameOrId::Id(WON | LOST) => Some(Code::ClosedStage),
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

pub fn check(cx: &mut Ctx<'_>) {
    let spec = cx.spec;
    if let Some(stage) = &spec.defaults.new_deals {
        stage_rule(cx, stage, &["defaults", "new_deals"]);
    }
    for (id, channel) in &spec.channels {
        if let Some(stage) = &channel.new_deals {
            stage_rule(cx, stage, &["channels", id, "new_deals"]);
        }
    }
    for (id, channel) in spec.enabled_channels() {
        // A stage the schema rejected was reported there; absent means unwritten.
        let written = cx.loc.exists(&["channels", id, "new_deals"]) || cx.loc.exists(&["defaults", "new_deals"]);
        if spec.new_deals_for(id, channel).is_none() && !written {
            cx.emit(
                Diagnostic::new(Code::NoNewDealStage, format!("no pipeline and stage for new deals on channel `{id}`"))
                    .label(cx.loc.key(&["channels", id]), "enabled channel without `new_deals`")
                    .help(format!(
                        "set [defaults] new_deals = {{ pipeline = \"Sales\", stage = \"New lead\" }} or `new_deals` in [channels.{id}]"
                    )),
            );
        }
    }
}

fn stage_rule(cx: &mut Ctx<'_>, stage: &StageRef, base: &[&str]) {
    let Some(code) = forbidden_stage(&stage.stage) else {
        return;
    };
    let span = cx.loc.value(&join(base, &["stage"]));
    let diag = match code {
        Code::UnsortedStage => {
            Diagnostic::new(code, format!("new deals cannot start in the Unsorted stage (`{}`)", stage.stage))
                .label(span, "the Unsorted stage")
                .help("pick a working stage such as \"New lead\": the widget exists to skip Unsorted")
        }
        _ => Diagnostic::new(code, format!("new deals cannot start in a closed stage (`{}`)", stage.stage))
            .label(span, "closed stage (won 142 / lost 143)")
            .help("pick an open stage such as \"New lead\""),
    };
    cx.emit(diag);
}
