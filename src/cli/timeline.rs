//! `chatroute route --events FILE`: a scripted timeline played against the
//! table in memory, so an admin sees what `reassign_after` and the queue do
//! before deploying them. One step per line (`#` starts a comment):
//!
//! ```text
//! deal D1               # a new deal with id D1 on --channel (the client's first message)
//! message D1            # the client wrote again in D1's dialog
//! reply D1 bruce        # bruce replied in D1's dialog: its timer stops
//! close D1
//! unavailable tony      # or: available tony
//! wait 16m              # the clock moves on (s, m, h); time does its work
//! ```
//!
//! Each step's outcome is a line, `+MM:SS` from the start, then what
//! happened; with the table's `copy_dialog`, also when each deal's note
//! would be written and what it holds (point 6: messages are `deal`,
//! `message` and `reply` steps).

use std::collections::BTreeMap;

use std::path::Path;

use chatroute::connect::notes;
use chatroute::runtime::{DealRequest, InProcess, Responsible, Router, Timestamp};

use super::i18n::t;
use super::{Failure, Outcome, emit};

/// One step of a timeline.
enum Step {
    Deal(String),
    Message(String),
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
            ["message", id] => Step::Message((*id).to_owned()),
            ["reply", id, who] => Step::Reply((*id).to_owned(), (*who).to_owned()),
            ["close", id] => Step::Close((*id).to_owned()),
            ["available", who] => Step::Available((*who).to_owned(), true),
            ["unavailable", who] => Step::Available((*who).to_owned(), false),
            ["wait", time] => {
                Step::Wait(chatroute::table::schedule::parse_duration(time).map_err(|why| bad(&why.to_string()))?)
            }
            _ => {
                return Err(bad(&t!("timeline-bad-step")));
            }
        };
        steps.push(step);
    }
    Ok(steps)
}

/// The notes the timeline's messages would make, until they are due.
struct Copies {
    mode: chatroute::table::keywords::CopyDialog,
    zone: notes::TimeZone,
    /// (deal, period) -> when due, what the header says, how many messages.
    pending: BTreeMap<(String, String), (i64, String, usize)>,
    messages: usize,
}

impl Copies {
    fn new(table: &chatroute::table::Body) -> Self {
        Copies { mode: table.copy_dialog, zone: notes::zone_of(table), pending: BTreeMap::new(), messages: 0 }
    }

    /// A message in `deal`'s dialog at `at`.
    fn message(&mut self, deal: &str, at: Timestamp) {
        self.messages += 1;
        let id = format!("message {}", self.messages);
        let Some(period) = notes::period(self.mode, &self.zone, at, (&id, at)) else { return };
        let entry = self.pending.entry((deal.to_owned(), period.id)).or_insert((period.due_ms, period.label, 0));
        entry.2 += 1;
    }

    /// The notes due by `now`, as lines of the timeline at their own time
    /// (from `start`), the earliest first.
    fn due(&mut self, start: Timestamp, now: Timestamp) -> Vec<String> {
        let now = now.as_millisecond();
        let mut due: Vec<(i64, (String, String))> =
            self.pending.iter().filter(|(_, p)| p.0 <= now).map(|(key, p)| (p.0, key.clone())).collect();
        due.sort();
        due.into_iter()
            .filter_map(|(at, key)| {
                let (_, label, count) = self.pending.remove(&key)?;
                let seconds = ((at - start.as_millisecond()) / 1000).max(0);
                let clock = format!("+{:02}:{:02}", seconds / 60, seconds % 60);
                Some(format!("{clock}  {}", t!("timeline-note", deal = key.0, period = label, count = count)))
            })
            .collect()
    }
}

fn later(start: Timestamp, seconds: u64) -> Timestamp {
    Timestamp::from_second(start.as_second().saturating_add(seconds as i64)).unwrap_or(start)
}

/// Plays the timeline on `channel`, from `start` (now when absent).
pub(crate) async fn play(router: &Router<InProcess>, channel: &str, file: &Path, start: Option<Timestamp>) -> Outcome {
    let text = std::fs::read_to_string(file).map_err(|e| Failure::Error(format!("{}: {e}", file.display())))?;
    let start = start.unwrap_or_else(Timestamp::now);
    let failed = |err: chatroute::runtime::RouteError| Failure::Error(super::route::said(&err));
    let mut copies = Copies::new(router.table());
    let mut elapsed = 0u64;
    for step in parse(&text, file)? {
        let at = later(start, elapsed);
        let clock = format!("+{:02}:{:02}", elapsed / 60, elapsed % 60);
        if let Step::Deal(id) | Step::Message(id) | Step::Reply(id, _) = &step {
            copies.message(id, at);
        }
        let line = match step {
            Step::Message(id) => t!("timeline-message", deal = id),
            Step::Deal(id) => {
                let request = DealRequest { deal: Some(&id), at: Some(at), ..DealRequest::now(channel) };
                match router.decide(&request).await.map_err(failed)?.responsible {
                    Responsible::Employee(who) => t!("timeline-deal", deal = id, employee = who),
                    Responsible::FirstOf(group) => t!("timeline-deal-first-of", deal = id, group = group.join(", ")),
                    Responsible::Unassigned => t!("timeline-deal-waits", deal = id),
                }
            }
            Step::Reply(id, who) => {
                let stopped = router.reply(&id, &who).await.map_err(failed)?;
                if stopped {
                    t!("timeline-reply-stops", employee = who, deal = id)
                } else {
                    t!("timeline-reply", employee = who, deal = id)
                }
            }
            Step::Close(id) => match router.close_deal(&id).await.map_err(failed)? {
                Some(who) => t!("timeline-closed", deal = id, employee = who),
                None => t!("timeline-closed-not-open", deal = id),
            },
            Step::Available(who, on) => {
                router.set_available(&who, on).await.map_err(failed)?;
                if on { t!("timeline-available", employee = who) } else { t!("timeline-unavailable", employee = who) }
            }
            Step::Wait(seconds) => {
                elapsed += seconds;
                t!("timeline-wait", seconds = seconds)
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
        for note in copies.due(start, now) {
            emit(format!("{}\n", chatroute::text::printable(&note)).as_bytes())?;
        }
    }
    Ok(())
}
