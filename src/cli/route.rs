//! `chatroute route`: the runtime's decisions for successive new deals,
//! with the assignment state in memory or in Redis.

use std::path::Path;
use std::time::Duration;

use chatroute::runtime::redis::{RedisState, redacted};
use chatroute::runtime::{AssignmentState, InProcess, NewDeal, Responsible, Router};
use chatroute::table::TableFile;

use super::{Failure, Outcome, Output, at, emit};

pub fn run(table: &Path, channel: &str, new_deals: u64, format: Output, state: &str) -> Outcome {
    let table = TableFile::load(table).map_err(|err| at(table, err))?;
    if state == "memory" {
        return decide(&Router::new(table, InProcess::new()), channel, new_deals, format);
    }
    let redis = RedisState::open(state, Duration::from_secs(2))
        .map_err(|err| Failure::Error(format!("--state {}: {err}", redacted(state))))?;
    decide(&Router::new(table, redis), channel, new_deals, format)
}

/// Lines are printed (and flushed) as decisions are made, so a failure
/// midway leaves every decision already taken on record, and a closed
/// stdout stops the run before another ticket is taken.
fn decide<S: AssignmentState>(router: &Router<S>, channel: &str, new_deals: u64, format: Output) -> Outcome {
    for n in 1..=new_deals {
        let deal = router.new_deal(channel).map_err(|err| Failure::Error(err.to_string()))?;
        let line = match format {
            Output::Human => human(router, n, &deal),
            Output::Json => json(router, n, &deal),
        };
        emit(format!("{line}\n").as_bytes())?;
    }
    Ok(())
}

fn name<'r, S: AssignmentState>(router: &'r Router<S>, handle: &str) -> &'r str {
    router.table().employees.get(handle).map_or("", |e| e.name.as_str())
}

fn human<S: AssignmentState>(router: &Router<S>, n: u64, deal: &NewDeal<'_>) -> String {
    let who = match &deal.responsible {
        Responsible::Employee(h) => format!("{h} ({})", name(router, h)),
        Responsible::FirstOf(group) => format!("first to answer of: {}", group.join(", ")),
    };
    // Names come from the table: escaped so each decision stays one line.
    chatroute::text::printable(&format!("{n:>4}  {} / {}  {who}", deal.pipeline, deal.stage)).into_owned()
}

fn json<S: AssignmentState>(router: &Router<S>, n: u64, deal: &NewDeal<'_>) -> String {
    let responsible = match &deal.responsible {
        Responsible::Employee(h) => serde_json::json!({ "handle": h, "name": name(router, h) }),
        Responsible::FirstOf(group) => serde_json::json!({ "first_responder": group }),
    };
    serde_json::json!({
        "deal": n,
        "pipeline": deal.pipeline,
        "stage": deal.stage,
        "responsible": responsible,
    })
    .to_string()
}
