//! Working hours as the spec writes them, read into the table's schedule:
//! one reading for the rules (every problem at its place) and `compile`
//! (the schedule of a spec without errors).

use chatroute_table::schedule::Unreadable;
use chatroute_table::schedule::{self, DAY, DAYS, Interval, ScheduleRoute};

use crate::i18n::t;
use crate::paths::SpecPath;
use crate::spec::{Schedule, Spec};

/// What is wrong with a schedule, where.
#[derive(Debug, Clone)]
pub enum Problem {
    /// The zone is not in the database; `at` its value.
    UnknownZone {
        at: SpecPath,
        zone: String,
    },
    /// Neither the schedule nor `[integration]` names a zone.
    NoZone,
    Interval {
        at: SpecPath,
        why: Unreadable,
    },
    Day {
        at: SpecPath,
        why: Unreadable,
    },
    Date {
        at: SpecPath,
        why: Unreadable,
    },
    /// Two intervals overlap on `day`.
    Overlap {
        first: SpecPath,
        second: SpecPath,
        day: &'static str,
    },
}

/// A schedule read: what the table would carry, and every problem.
pub struct Reading {
    pub route: ScheduleRoute,
    pub problems: Vec<Problem>,
}

/// Where the schedule's zone is written: its own, or the integration's.
pub fn zone_path(spec: &Spec, name: &str) -> Option<SpecPath> {
    let schedule = spec.schedules.get(name)?;
    match (&schedule.timezone, &spec.integration.timezone) {
        (Some(_), _) => Some(SpecPath::schedule(name).timezone()),
        (None, Some(_)) => Some(SpecPath::timezone()),
        (None, None) => None,
    }
}

/// Reads `[schedules.<name>]`.
pub fn read(spec: &Spec, name: &str, schedule: &Schedule) -> Reading {
    let path = SpecPath::schedule(name);
    let mut problems = Vec::new();
    let zone = schedule.timezone.as_ref().or(spec.integration.timezone.as_ref());
    match zone {
        None => problems.push(Problem::NoZone),
        Some(zone) if schedule::zone(zone).is_none() => {
            let at = zone_path(spec, name).expect("a zone is written");
            problems.push(Problem::UnknownZone { at, zone: zone.clone() });
        }
        Some(_) => {}
    }
    // Each interval with the place it was written, per weekday.
    let mut week: Vec<Vec<(Interval, SpecPath)>> = vec![Vec::new(); 7];
    for (key, hours) in &schedule.days {
        let days = schedule::parse_days(key).map_err(|why| problems.push(Problem::Day { at: path.day(key), why }));
        let many = matches!(hours, crate::spec::Hours::Many(_));
        for (i, text) in hours.intervals().iter().enumerate() {
            let at = if many { path.interval(key, i) } else { path.day(key) };
            match (Interval::parse(text), &days) {
                (Err(why), _) => problems.push(Problem::Interval { at, why }),
                (Ok(interval), Ok(days)) => days.clone().for_each(|d| week[d].push((interval, at.clone()))),
                (Ok(_), Err(())) => {}
            }
        }
    }
    overlaps(&mut week, &mut problems);
    let mut off = Vec::new();
    for (i, date) in schedule.off.iter().enumerate() {
        match schedule::parse_date(date) {
            Ok(_) => off.push(date.clone()),
            Err(why) => problems.push(Problem::Date { at: path.off(i), why }),
        }
    }
    off.sort();
    off.dedup();
    let week = week.into_iter().map(|day| day.into_iter().map(|(i, _)| i).collect()).collect();
    Reading { route: ScheduleRoute { timezone: zone.cloned().unwrap_or_default(), week, off }, problems }
}

/// Sorts each day's intervals and reports every pair that overlaps, a
/// night's tail into the next morning included; each pair of places once.
fn overlaps(week: &mut [Vec<(Interval, SpecPath)>], problems: &mut Vec<Problem>) {
    for day in week.iter_mut() {
        day.sort_by_key(|(i, _)| *i);
    }
    let mut seen: Vec<(SpecPath, SpecPath)> = Vec::new();
    for d in 0..7 {
        // Yesterday's nights, as intervals of today from midnight.
        let tails = week[(d + 6) % 7]
            .iter()
            .filter(|(i, _)| i.to > DAY)
            .map(|(i, at)| (Interval { from: 0, to: i.to - DAY }, at.clone()));
        let mut today: Vec<(Interval, SpecPath)> = tails.chain(week[d].iter().cloned()).collect();
        today.sort_by_key(|(i, _)| *i);
        for (a, b) in today.iter().zip(today.iter().skip(1)) {
            let pair = (a.1.clone(), b.1.clone());
            if b.0.from < a.0.to && !seen.contains(&pair) {
                problems.push(Problem::Overlap { first: a.1.clone(), second: b.1.clone(), day: DAYS[d] });
                seen.push(pair);
            }
        }
    }
}

/// The schedules the table carries: those an employee works to.
pub fn routes(spec: &Spec) -> std::collections::BTreeMap<String, ScheduleRoute> {
    spec.employees
        .values()
        .filter_map(|e| e.schedule.as_ref())
        .filter_map(|name| Some((name.clone(), read(spec, name, spec.schedules.get(name)?).route)))
        .collect()
}

/// A schedule in words, for hovers and reports: `mon-fri 09:00-18:00;
/// sat 10:00-12:00, 12:30-14:00 (Europe/Moscow)`.
pub fn describe(route: &ScheduleRoute) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut d = 0;
    while d < 7 {
        let same = (d..7).take_while(|e| route.week[*e] == route.week[d]).count();
        if !route.week[d].is_empty() {
            let days = if same == 1 { day(d) } else { format!("{}-{}", day(d), day(d + same - 1)) };
            let hours: Vec<String> = route.week[d].iter().map(Interval::display).collect();
            parts.push(format!("{days} {}", hours.join(", ")));
        }
        d += same;
    }
    let open = if parts.is_empty() { t!("never-open") } else { parts.join("; ") };
    let off = if route.off.is_empty() {
        String::new()
    } else {
        let dates: Vec<String> = route.off.iter().map(|date| written_date(date)).collect();
        format!("; {}", t!("days-off", dates = dates.join(", ")))
    };
    format!("{open}{off} ({})", route.timezone)
}

/// A date (`YYYY-MM-DD`) as the language writes it: `2027-01-01`,
/// `01.01.2027`.
fn written_date(date: &str) -> String {
    match (crate::i18n::current(), date.split('-').collect::<Vec<_>>().as_slice()) {
        (crate::i18n::Lang::Ru, [year, month, day]) => format!("{day}.{month}.{year}"),
        _ => date.to_owned(),
    }
}

/// A weekday (Monday 0) as the language abbreviates it.
fn day(index: usize) -> String {
    match index {
        0 => t!("day-mon"),
        1 => t!("day-tue"),
        2 => t!("day-wed"),
        3 => t!("day-thu"),
        4 => t!("day-fri"),
        5 => t!("day-sat"),
        _ => t!("day-sun"),
    }
}

/// The IANA zone a common abbreviation stands for, in the zones admins of
/// Russian and CIS accounts write (`MSK`), case-insensitive. Abbreviations
/// the database itself names (`CET`, `EET`, `EST`, `MST`) are zones
/// already; an abbreviation that could mean several zones (`IST`, `CST`)
/// is not guessed.
pub fn zone_for_abbreviation(abbreviation: &str) -> Option<&'static str> {
    const ZONES: [(&str, &str); 18] = [
        ("MSK", "Europe/Moscow"),
        ("MSD", "Europe/Moscow"),
        ("KALT", "Europe/Kaliningrad"),
        ("SAMT", "Europe/Samara"),
        ("YEKT", "Asia/Yekaterinburg"),
        ("OMST", "Asia/Omsk"),
        ("NOVT", "Asia/Novosibirsk"),
        ("KRAT", "Asia/Krasnoyarsk"),
        ("IRKT", "Asia/Irkutsk"),
        ("YAKT", "Asia/Yakutsk"),
        ("VLAT", "Asia/Vladivostok"),
        ("MAGT", "Asia/Magadan"),
        ("PETT", "Asia/Kamchatka"),
        ("ALMT", "Asia/Almaty"),
        ("UZT", "Asia/Tashkent"),
        ("AMT", "Asia/Yerevan"),
        ("GET", "Asia/Tbilisi"),
        ("AZT", "Asia/Baku"),
    ];
    ZONES.iter().find(|(a, _)| a.eq_ignore_ascii_case(abbreviation)).map(|(_, zone)| *zone)
}

/// Why a schedule's text or a duration does not read, in the current
/// language.
pub(crate) fn unreadable(why: &Unreadable) -> String {
    match why {
        Unreadable::NotAnInterval => t!("unreadable-not-an-interval"),
        Unreadable::NotATime(text) => t!("unreadable-not-a-time", text = text.as_str()),
        Unreadable::StartsAt24 => t!("unreadable-starts-at-24"),
        Unreadable::Empty => t!("unreadable-empty"),
        Unreadable::NotADay(text) => t!("unreadable-not-a-day", text = text.as_str()),
        Unreadable::Backwards { from, to } => t!("unreadable-backwards", from = from.to_string(), to = to.to_string()),
        Unreadable::NotADate(text) => t!("unreadable-not-a-date", text = text.as_str()),
        Unreadable::NotADuration(text) => t!("unreadable-not-a-duration", text = text.as_str()),
        Unreadable::DurationOutOfRange(text) => t!("unreadable-duration-out-of-range", text = text.as_str()),
    }
}

#[cfg(test)]
mod tests {
    /// Every abbreviation leads to a zone of the bundled database, and none
    /// is a zone name itself.
    #[test]
    fn abbreviations_name_zones_of_the_database() {
        let names: Vec<String> = chatroute_table::schedule::zone_names().collect();
        for abbreviation in ["MSK", "msd", "KALT", "SAMT", "YEKT", "OMST", "NOVT", "KRAT", "IRKT", "YAKT", "VLAT"] {
            let zone = super::zone_for_abbreviation(abbreviation).expect("mapped");
            assert!(names.iter().any(|n| n == zone), "{zone}");
            assert!(!names.iter().any(|n| n.eq_ignore_ascii_case(abbreviation)), "{abbreviation} is a zone");
        }
        assert_eq!(super::zone_for_abbreviation("IST"), None, "ambiguous");
    }
}
