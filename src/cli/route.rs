//! `chatroute route`: the runtime's decisions for successive new deals,
//! with the assignment state in memory or in Redis.

use std::path::Path;

use chatroute::runtime::{
    AssignmentState, CannotTake, DealRequest, InProcess, NewDeal, Responsible, RouteError, Router, Simulated, Timestamp,
};
use chatroute::table::TableFile;

use super::i18n::t;
use super::{Failure, Outcome, Output, at, emit};

/// What to simulate.
pub(crate) struct Simulation<'a> {
    pub channel: &'a str,
    pub new_deals: u64,
    /// Employees marked unavailable before the first deal.
    pub unavailable: &'a [String],
    pub format: Output,
    /// The instant decided for (working hours); now when absent.
    pub at: Option<Timestamp>,
    /// The client every deal is for (returning clients).
    pub contact: Option<&'a str>,
    /// A scripted timeline to play instead of `new_deals` decisions.
    pub events: Option<&'a Path>,
}

pub(crate) fn run(table: &Path, state: &str, sim: &Simulation<'_>) -> Outcome {
    let table = TableFile::load(table).map_err(|err| at(table, err))?;
    super::block_on(async {
        if let Some(file) = sim.events {
            if state != "memory" {
                return Err(Failure::Error(t!("route-events-in-memory")));
            }
            return super::timeline::play(&Router::new(table, InProcess::new()), sim.channel, file, sim.at).await;
        }
        if state == "memory" {
            return decide(&Router::new(table, InProcess::new()), sim).await;
        }
        let redis = super::state::open(state, &table.body.account).await?;
        // Shared cursors, private availability and open counts: a simulation
        // must not mark anyone unavailable or count deals for a live service.
        decide(&Router::new(table, Simulated::new(redis)), sim).await
    })?
}

/// Lines are printed (and flushed) as decisions are made, so a failure
/// midway leaves every decision already taken on record, and a closed
/// stdout stops the run before another ticket is taken.
async fn decide<S: AssignmentState>(router: &Router<S>, sim: &Simulation<'_>) -> Outcome {
    let failed = |err: RouteError| Failure::Error(said(&err));
    for handle in sim.unavailable {
        router.set_available(handle, false).await.map_err(failed)?;
    }
    // Deals get ids so that open-deal limits count them (in this process
    // only); unique per run.
    let run = format!(
        "route-{}-{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
    );
    for n in 1..=sim.new_deals {
        let id = format!("{run}-{n}");
        let request =
            DealRequest { channel: sim.channel, deal: Some(&id), contact: sim.contact, owner: None, at: sim.at };
        let deal = router.decide(&request).await.map_err(failed)?;
        let line = match sim.format {
            Output::Human => human(router, n, &deal),
            Output::Json => json(router, n, &deal),
        };
        emit(format!("{line}\n").as_bytes())?;
    }
    Ok(())
}

/// Why a question has no answer, in the admin's language: the runtime's
/// errors are data, said here (the runtime keeps no message files; the
/// service's API answers in English, for programs).
pub(crate) fn said(err: &RouteError) -> String {
    match err {
        RouteError::UnknownChannel(channel) => t!("route-unknown-channel", channel = channel.as_str()),
        RouteError::NotAResponder { channel, employee } => {
            t!("route-not-a-responder", channel = channel.as_str(), employee = employee.as_str())
        }
        RouteError::UnknownEmployee(employee) => t!("route-unknown-employee", employee = employee.as_str()),
        RouteError::CannotTake { deal, employee, why } => {
            let why = match why {
                CannotTake::Unavailable => t!("route-unavailable"),
                CannotTake::AtCapacity => t!("route-at-capacity"),
            };
            t!("route-cannot-take", deal = deal.as_str(), employee = employee.as_str(), why = why)
        }
        RouteError::DealConflict { deal, owner } => {
            t!("route-deal-conflict", deal = deal.as_str(), owner = owner.as_str())
        }
        RouteError::DealIdRequired(channel) => t!("route-deal-id-required", channel = channel.as_str()),
        other => other.to_string(),
    }
}

fn name<'r, S: AssignmentState>(router: &'r Router<S>, handle: &str) -> &'r str {
    router.table().employees.get(handle).map_or("", |e| e.name.as_str())
}

fn human<S: AssignmentState>(router: &Router<S>, n: u64, deal: &NewDeal<'_>) -> String {
    let who = match &deal.responsible {
        Responsible::Employee(h) => format!("{h} ({})", name(router, h)),
        Responsible::FirstOf(group) => t!("route-first-of", group = group.join(", ")),
        Responsible::Unassigned => t!("route-unassigned"),
    };
    // Names come from the table: escaped so each decision stays one line.
    chatroute::text::printable(&format!("{n:>4}  {} / {}  {who}", deal.pipeline, deal.stage)).into_owned()
}

fn json<S: AssignmentState>(router: &Router<S>, n: u64, deal: &NewDeal<'_>) -> String {
    let responsible = match &deal.responsible {
        Responsible::Employee(h) => serde_json::json!({ "handle": h, "name": name(router, h) }),
        Responsible::FirstOf(group) => serde_json::json!({ "first_responder": group }),
        Responsible::Unassigned => serde_json::json!({ "unassigned": true }),
    };
    serde_json::json!({
        "deal": n,
        "pipeline": deal.pipeline,
        "stage": deal.stage,
        "responsible": responsible,
    })
    .to_string()
}
