//! Point 6, the dialog in the deal card: the period a message's line goes
//! into, and a period's note as text.
//!
//! A line goes into the period that is current when the worker takes the
//! message (so a message that arrives after its hour's note was written
//! goes into the next note, never lost or doubled), and keeps the
//! message's own time. Periods are the integration's local hours or days
//! (`[integration] timezone`, UTC without one): an hour is an hour of
//! absolute time from a local full hour, so the hour a DST change repeats
//! is two periods (their headers tell them apart by the offset), and a DST
//! day has 23 or 25 hours. `each_message` makes every message its own
//! period. A period's note is due at its end.
//!
//! Each note starts with a header naming the channel and the period: that
//! header is how a worker that took over a note being written finds it in
//! the deal's notes instead of writing it twice.

pub use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, ZonedDateTime};
use serde::{Deserialize, Serialize};

use chatroute_table::keywords::CopyDialog;

use crate::wazzup::Message;

/// Longest note written; a longer transcript is split into parts.
pub const MAX_NOTE_CHARS: usize = 4000;

/// One message as the transcript shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// The message's id: a message whose work was done twice (a retry)
    /// is one line.
    pub id: String,
    /// When it was sent (ms since the Unix epoch).
    pub at_ms: i64,
    pub author: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// Media: Wazzup's type and link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<(String, String)>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub edited: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

impl Line {
    /// A message's line; `author`: the client's or the manager's name.
    pub fn of(message: &Message, author: String) -> Line {
        let media =
            message.content_uri.clone().filter(|_| message.kind != "text").map(|uri| (message.kind.clone(), uri));
        Line {
            id: message.message_id.clone(),
            at_ms: message.at_ms().unwrap_or_default(),
            author,
            text: message.text.clone().unwrap_or_default(),
            media,
            edited: message.is_edited,
            deleted: message.is_deleted,
        }
    }

    fn render(&self, zone: &TimeZone) -> String {
        let at =
            Timestamp::from_millisecond(self.at_ms).unwrap_or(Timestamp::UNIX_EPOCH).to_zoned_datetime(zone.clone());
        let mut line = format!("{} {}:", at.strftime("%H:%M"), self.author);
        if self.deleted {
            line.push_str(" [deleted]");
            return line;
        }
        if !self.text.is_empty() {
            line.push(' ');
            line.push_str(&self.text.replace('\n', "\n      "));
        }
        if let Some((kind, uri)) = &self.media {
            line.push_str(&format!(" [{kind}] {uri}"));
        }
        if self.edited {
            line.push_str(" [edited]");
        }
        line
    }
}

/// The period a line goes into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// Unique within the deal and channel (its start, with the offset; the
    /// message id for `each_message`).
    pub id: String,
    /// When its note is due (ms since the Unix epoch).
    pub due_ms: i64,
    /// What the note's header says of it.
    pub label: String,
}

/// The period current at `now` in `mode` for a message (its id, when it
/// was sent); `None` for `off`.
pub fn period(mode: CopyDialog, zone: &TimeZone, now: Timestamp, message: (&str, Timestamp)) -> Option<Period> {
    let local = now.to_zoned_datetime(zone.clone());
    let zone_name = zone.iana_name().unwrap_or("UTC");
    let (start, end) = match mode {
        CopyDialog::Off => return None,
        CopyDialog::EachMessage => {
            let (id, sent) = message;
            let sent = sent.to_zoned_datetime(zone.clone());
            let short: String = id.chars().take(8).collect();
            let label = format!("{} ({zone_name}) #{short}", sent.strftime("%-d %b %Y, %H:%M:%S"));
            return Some(Period { id: id.to_owned(), due_ms: now.as_millisecond(), label });
        }
        CopyDialog::Hourly => {
            let start = local.start_of_hour_or_self();
            let end = start.timestamp().checked_add(1.hour()).ok()?.to_zoned_datetime(zone.clone());
            (start, end)
        }
        CopyDialog::Daily => {
            let start = local.start_of_day().ok()?;
            let end = start.tomorrow().ok()?.start_of_day().ok()?;
            (start, end)
        }
    };
    let label = match mode {
        CopyDialog::Daily => format!("{} ({zone_name})", start.strftime("%-d %b %Y")),
        // The end at the start's offset: the hour a DST change repeats
        // reads 02:00–03:00 twice, told apart by the offset.
        _ => format!(
            "{}, {}–{} ({zone_name}, {})",
            start.strftime("%-d %b %Y"),
            start.strftime("%H:%M"),
            end.timestamp().to_zoned_datetime(TimeZone::fixed(start.offset())).strftime("%H:%M"),
            start.strftime("%:z")
        ),
    };
    Some(Period {
        id: start.strftime("%Y-%m-%dT%H:%M%:z").to_string(),
        due_ms: end.timestamp().as_millisecond(),
        label,
    })
}

trait StartOfHour {
    fn start_of_hour_or_self(&self) -> ZonedDateTime;
}

impl StartOfHour for ZonedDateTime {
    /// The local full hour at or before it (in absolute time: within the
    /// hour a DST change repeats, the right one of the two).
    fn start_of_hour_or_self(&self) -> ZonedDateTime {
        let into = i64::from(self.minute()) * 60_000 + i64::from(self.second()) * 1000 + i64::from(self.millisecond());
        let start = self.timestamp().as_millisecond() - into;
        Timestamp::from_millisecond(start).unwrap_or(self.timestamp()).to_zoned_datetime(self.time_zone().clone())
    }
}

/// The integration's zone (UTC without one).
pub fn zone_of(table: &chatroute_table::Body) -> TimeZone {
    table.timezone.as_deref().and_then(chatroute_table::schedule::zone).unwrap_or(TimeZone::UTC)
}

/// A note's header: the channel and the period.
pub fn header(channel: &str, label: &str) -> String {
    format!("Dialog copy · {channel} · {label}")
}

/// A period's note, in parts of at most `MAX_NOTE_CHARS`, each starting
/// with the header (numbered where there are several); lines in the
/// order they were sent.
pub fn render(header: &str, lines: &[Line], zone: &TimeZone) -> Vec<String> {
    let mut sorted: Vec<&Line> = lines.iter().collect();
    sorted.sort_by_key(|l| l.at_ms);
    let mut seen = std::collections::HashSet::new();
    sorted.retain(|l| seen.insert(l.id.as_str()));
    let mut parts: Vec<Vec<String>> = vec![Vec::new()];
    let mut size = 0;
    for line in sorted.iter().map(|l| l.render(zone)) {
        let line: String = line.chars().take(MAX_NOTE_CHARS - header.chars().count() - 16).collect();
        let chars = line.chars().count() + 1;
        if size + chars > MAX_NOTE_CHARS - header.chars().count() - 16 && !parts.last().is_some_and(Vec::is_empty) {
            parts.push(Vec::new());
            size = 0;
        }
        size += chars;
        parts.last_mut().expect("one part at least").push(line);
    }
    let count = parts.len();
    parts
        .into_iter()
        .enumerate()
        .map(|(i, lines)| {
            let head = if count > 1 { format!("{header} ({}/{count})", i + 1) } else { header.to_owned() };
            format!("{head}\n{}", lines.join("\n"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str) -> TimeZone {
        chatroute_table::schedule::zone(name).unwrap()
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn hours_and_days_follow_the_zone_across_a_dst_change() {
        let berlin = zone("Europe/Berlin");
        // 25 October 2026: 03:00 CEST goes back to 02:00 CET.
        let first =
            period(CopyDialog::Hourly, &berlin, at("2026-10-25T00:30:00Z"), ("m", Timestamp::UNIX_EPOCH)).unwrap();
        let second =
            period(CopyDialog::Hourly, &berlin, at("2026-10-25T01:30:00Z"), ("m", Timestamp::UNIX_EPOCH)).unwrap();
        assert_eq!(first.label, "25 Oct 2026, 02:00–03:00 (Europe/Berlin, +02:00)");
        assert_eq!(second.label, "25 Oct 2026, 02:00–03:00 (Europe/Berlin, +01:00)");
        assert_ne!(first.id, second.id);
        assert_eq!(first.due_ms, at("2026-10-25T01:00:00Z").as_millisecond());
        assert_eq!(second.due_ms, at("2026-10-25T02:00:00Z").as_millisecond());
        // That day has 25 hours: it ends at the next local midnight.
        let day = period(CopyDialog::Daily, &berlin, at("2026-10-25T12:00:00Z"), ("m", Timestamp::UNIX_EPOCH)).unwrap();
        assert_eq!(day.due_ms, at("2026-10-25T23:00:00Z").as_millisecond());
        assert_eq!(day.label, "25 Oct 2026 (Europe/Berlin)");
        // A +05:30 zone's hours end at :30 UTC.
        let kolkata =
            period(CopyDialog::Hourly, &zone("Asia/Kolkata"), at("2026-12-07T10:10:00Z"), ("m", Timestamp::UNIX_EPOCH))
                .unwrap();
        assert_eq!(kolkata.due_ms, at("2026-12-07T10:30:00Z").as_millisecond());
        assert_eq!(period(CopyDialog::Off, &berlin, at("2026-10-25T12:00:00Z"), ("m", Timestamp::UNIX_EPOCH)), None);
        // Each message its own period, labelled with its own time, due now.
        let each = period(
            CopyDialog::EachMessage,
            &berlin,
            at("2026-12-07T10:10:00Z"),
            ("5f3a1c2e-77", at("2026-12-07T10:09:30Z")),
        )
        .unwrap();
        assert_eq!(
            (each.id.as_str(), each.label.as_str()),
            ("5f3a1c2e-77", "7 Dec 2026, 11:09:30 (Europe/Berlin) #5f3a1c2e")
        );
        assert_eq!(each.due_ms, at("2026-12-07T10:10:00Z").as_millisecond());
    }

    fn line(at: &str, author: &str, text: &str) -> Line {
        let id = format!("{at}{text}");
        Line {
            id,
            at_ms: self::at(at).as_millisecond(),
            author: author.into(),
            text: text.into(),
            media: None,
            edited: false,
            deleted: false,
        }
    }

    #[test]
    fn a_transcript_in_order_with_media_edits_and_deletions_marked() {
        let moscow = zone("Europe/Moscow");
        let lines = vec![
            line("2026-12-07T11:05:00Z", "Bruce Wayne", "Good afternoon!\nHow can I help?"),
            line("2026-12-07T11:03:00Z", "Client (Ivan)", "Hello"),
            Line {
                media: Some(("image".into(), "https://store.wazzup24.com/x.jpg".into())),
                ..line("2026-12-07T11:06:00Z", "Client (Ivan)", "")
            },
            Line { edited: true, ..line("2026-12-07T11:07:00Z", "Client (Ivan)", "A kitchen, 3 m") },
            Line { deleted: true, ..line("2026-12-07T11:08:00Z", "Client (Ivan)", "oops") },
            // The same message's work done twice: one line.
            line("2026-12-07T11:03:00Z", "Client (Ivan)", "Hello"),
        ];
        let label = period(CopyDialog::Hourly, &moscow, at("2026-12-07T11:30:00Z"), ("m", Timestamp::UNIX_EPOCH))
            .unwrap()
            .label;
        let notes = render(&header("WhatsApp «Retail WhatsApp»", &label), &lines, &moscow);
        assert_eq!(notes.len(), 1);
        insta::assert_snapshot!(notes[0]);
    }

    #[test]
    fn a_long_transcript_is_split_into_numbered_parts() {
        let utc = zone("UTC");
        let long = "x".repeat(900);
        let lines: Vec<Line> = (0..10).map(|i| line(&format!("2026-12-07T11:{i:02}:00Z"), "Client", &long)).collect();
        let notes = render("Dialog copy · WA · 7 Dec", &lines, &utc);
        assert_eq!(notes.len(), 3);
        assert!(notes.iter().all(|n| n.chars().count() <= MAX_NOTE_CHARS));
        assert!(notes[0].starts_with("Dialog copy · WA · 7 Dec (1/3)\n11:00 Client: x"));
        assert_eq!(notes.iter().map(|n| n.matches("Client:").count()).sum::<usize>(), 10, "every line once");
    }
}
