//! Working hours as decisions read them: each schedule's answer kept for
//! its minute, and a channel's members outside their hours.

use std::collections::BTreeMap;

use chatroute_table::{AssignmentRoute, Availability, Body, ChannelRoute};
use jiff::Timestamp;

use super::Router;
use crate::state::AssignmentState;

/// A channel's cycle or group members with working hours, each once, with
/// their schedule's index.
pub(super) fn scheduled_members(
    body: &Body,
    channel: &ChannelRoute,
    index: &BTreeMap<String, usize>,
) -> Vec<(String, usize)> {
    let members = match &channel.assignment {
        AssignmentRoute::RoundRobin { cycle, .. } => cycle,
        AssignmentRoute::FirstResponder { group, .. } => group,
    };
    let mut out: Vec<(String, usize)> = Vec::new();
    for handle in members {
        if let Some(i) = body.employees.get(handle).and_then(|e| index.get(e.schedule.as_ref()?))
            && !out.iter().any(|(h, _)| h == handle)
        {
            out.push((handle.clone(), *i));
        }
    }
    out
}

/// A schedule's answer for one minute: intervals and zone changes fall on
/// whole minutes, so the answer holds for the whole minute, and the zone
/// need not be read again within it. `(minute << 1) | open`, or `EMPTY`.
pub(super) struct HoursCache(std::sync::atomic::AtomicI64);

impl HoursCache {
    const EMPTY: i64 = i64::MIN;

    pub(super) fn new() -> Self {
        HoursCache(std::sync::atomic::AtomicI64::new(Self::EMPTY))
    }

    pub(super) fn get_or(&self, at: Timestamp, read: impl FnOnce() -> bool) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        let minute = at.as_second().div_euclid(60);
        let cached = self.0.load(Relaxed);
        if cached != Self::EMPTY && cached >> 1 == minute {
            return cached & 1 == 1;
        }
        let open = read();
        self.0.store((minute << 1) | i64::from(open), Relaxed);
        open
    }
}

impl<S: AssignmentState> Router<S> {
    /// Whether `employee` is inside their working hours at `at` (always,
    /// without a schedule).
    pub fn in_hours(&self, employee: &str, at: Timestamp) -> bool {
        let Some(schedule) = self.body.employees.get(employee).and_then(|e| e.schedule.as_ref()) else { return true };
        self.schedule_index.get(schedule).is_some_and(|i| self.open(*i, at))
    }

    pub(super) fn open(&self, schedule: usize, at: Timestamp) -> bool {
        let (route, clock, cache) = &self.hours[schedule];
        cache.get_or(at, || route.is_open(clock, at))
    }

    /// The channel's members outside their hours at `at`, where that
    /// matters (the unavailable are skipped).
    pub(super) fn away(&self, channel: &str, availability: &Availability, at: Option<Timestamp>) -> Vec<String> {
        let scheduled = self.scheduled.get(channel).map_or(&[][..], Vec::as_slice);
        if !availability.skip_unavailable || scheduled.is_empty() {
            return Vec::new();
        }
        let at = at.unwrap_or_else(Timestamp::now);
        scheduled.iter().filter(|(_, schedule)| !self.open(*schedule, at)).map(|(h, _)| h.clone()).collect()
    }
}
