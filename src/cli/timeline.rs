//! `chatroute route --events FILE`: a scripted timeline played against the
//! table in memory, so an admin sees what `reassign_after` and the queue do
//! before deploying them. One step per line (`#` starts a comment):
//!
//! ```text
//! deal D1               # a new deal with id D1 on --channel
//! reply D1 bruce        # bruce replied in D1's dialog: its timer stops
//! close D1
//! unavailable tony      # or: available tony
//! wait 16m              # the clock moves on (s, m, h); time does its work
//! ```
//!
//! Each step's outcome is a line, `+MM:SS` from the start, then what
//! happened.

use std::path::Path;

use chatroute::runtime::{DealRequest, InProcess, Responsible, Router, Timestamp};

use super::{Failure, Outcome, emit};

/// One step of a timeline.
enum Step {
    Deal(String),
    Reply(String, String),
    Close(String),
    Available(String, bool),
    Wait(u64),
}

fn parse(text: &str, file: &Path) -> Result<Vec<Step>, Failure> {
    let mut steps = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let words: Vec<&str> = line.split('#').next().unwrap_or("").split_whitespace().collect();
        let bad = |why: &str| Failure::Error(format!("{}:{}: {why}", file.display(), n + 1));
        let step = match words.as_slice() {
            [] => continue,
            ["deal", id] => Step::Deal((*id).to_owned()),
            ["reply", id, who] => Step::Reply((*id).to_owned(), (*who).to_owned()),
            ["close", id] => Step::Close((*id).to_owned()),
            ["available", who] => Step::Available((*who).to_owned(), true),
            ["unavailable", who] => Step::Available((*who).to_owned(), false),
            ["wait", time] => Step::Wait(chatroute::table::schedule::parse_duration(time).map_err(|why| bad(&why))?),
            _ => {
                return Err(bad(
                    "expected `deal ID`, `reply ID HANDLE`, `close ID`, `available HANDLE`, `unavailable HANDLE` or `wait 15m`",
                ));
            }
        };
        steps.push(step);
    }
    Ok(steps)
}

fn later(start: Timestamp, seconds: u64) -> Timestamp {
    Timestamp::from_second(start.as_second().saturating_add(seconds as i64)).unwrap_or(start)
}

/// Plays the timeline on `channel`, from `start` (now when absent).
pub(crate) async fn play(router: &Router<InProcess>, channel: &str, file: &Path, start: Option<Timestamp>) -> Outcome {
    let text = std::fs::read_to_string(file).map_err(|e| Failure::Error(format!("{}: {e}", file.display())))?;
    let start = start.unwrap_or_else(Timestamp::now);
    let failed = |err: chatroute::runtime::RouteError| Failure::Error(err.to_string());
    let mut elapsed = 0u64;
    for step in parse(&text, file)? {
        let at = later(start, elapsed);
        let clock = format!("+{:02}:{:02}", elapsed / 60, elapsed % 60);
        let line = match step {
            Step::Deal(id) => {
                let request = DealRequest { deal: Some(&id), at: Some(at), ..DealRequest::now(channel) };
                match router.decide(&request).await.map_err(failed)?.responsible {
                    Responsible::Employee(who) => format!("deal {id} -> {who}"),
                    Responsible::FirstOf(group) => format!("deal {id} -> first of {}", group.join(", ")),
                    Responsible::Unassigned => format!("deal {id} -> nobody can take it: it waits"),
                }
            }
            Step::Reply(id, who) => {
                let stopped = router.reply(&id, &who).await.map_err(failed)?;
                format!("{who} replied in {id}{}", if stopped { ": its timer stops" } else { "" })
            }
            Step::Close(id) => match router.close_deal(&id).await.map_err(failed)? {
                Some(who) => format!("{id} closed ({who} had it)"),
                None => format!("{id} closed (not open)"),
            },
            Step::Available(who, on) => {
                router.set_available(&who, on).await.map_err(failed)?;
                format!("{who} {}", if on { "available" } else { "unavailable" })
            }
            Step::Wait(seconds) => {
                elapsed += seconds;
                format!("{seconds} s pass")
            }
        };
        emit(format!("{}\n", chatroute::text::printable(&format!("{clock}  {line}"))).as_bytes())?;
        let now = later(start, elapsed);
        for event in router.tick(Some(now)).await.map_err(failed)? {
            let from = event.from.map(|f| format!("{f} -> ")).unwrap_or_default();
            let (kind, clock) = (event.kind.as_str(), format!("+{:02}:{:02}", elapsed / 60, elapsed % 60));
            let text = format!("{clock}  {kind} {}: {from}{}", event.deal, event.to);
            emit(format!("{}\n", chatroute::text::printable(&text)).as_bytes())?;
        }
    }
    Ok(())
}
