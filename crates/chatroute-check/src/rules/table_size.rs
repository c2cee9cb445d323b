//! The size of the table a spec compiles to: a runtime loads at most
//! `MAX_ARTIFACT_BYTES`, so a spec whose table could be larger is an error
//! here rather than a table `compile` writes and nobody can load.
//!
//! The size is bounded from above (never under-estimated, so whatever
//! `check` passes, `load` accepts) without compiling: every string as JSON
//! escapes it, every line with the pretty printer's indentation. The access
//! part is first bounded by "everyone on every channel", which is cheap;
//! only a spec that bound condemns pays for the real entries.

use super::Ctx;
use crate::artifact::MAX_ARTIFACT_BYTES;
use crate::diagnostics::{Code, Diagnostic};
use crate::i18n::t;
use crate::paths::SpecPath;
use crate::spec::{Mode, Spec};

/// An access line: quotes, `": "`, the longest level, comma, newline and
/// indentation, beside the channel id.
const ACCESS_ENTRY: u64 = 40;
/// A cycle or group line beside the handle.
const MEMBER_ENTRY: u64 = 24;
/// A channel's or employee's fixed keys and punctuation, generously.
const RECORD: u64 = 1024;

/// Bytes of a string written as a JSON string (quotes included).
fn json_len(s: &str) -> u64 {
    2 + s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' => 2,
            0..=0x1f => 6,
            _ => 1,
        })
        .sum::<u64>()
}

/// An upper bound of the bytes of the table `spec` compiles to, exact
/// enough to decide against `limit`: the access entries are counted only
/// when "everyone everywhere" would pass the limit.
pub fn bound(spec: &Spec, limit: u64) -> u64 {
    let fixed = records(spec);
    let everyone: u64 = spec.enabled_channels().map(|(id, _)| json_len(id) + ACCESS_ENTRY).sum();
    let crude = fixed.saturating_add(everyone.saturating_mul(spec.employees.len() as u64));
    if crude <= limit {
        return crude;
    }
    let entries: u64 = spec.access_all().values().flatten().map(|(id, _)| json_len(id) + ACCESS_ENTRY).sum();
    fixed.saturating_add(entries)
}

/// CR016: the table could exceed what a runtime loads.
pub fn check(cx: &mut Ctx<'_>) {
    let spec = cx.spec;
    let bound = bound(spec, MAX_ARTIFACT_BYTES);
    if bound <= MAX_ARTIFACT_BYTES {
        return;
    }
    let mib = |n: u64| n.div_ceil(1024 * 1024);
    let message = t!("cr016-message", size = mib(bound), limit = mib(MAX_ARTIFACT_BYTES));
    let (employees, channels) = (spec.employees.len(), spec.enabled_channels().count());
    let mut diagnostic = Diagnostic::new(Code::TableTooLarge, message)
        .label(cx.key(&SpecPath::employees()), t!("cr016-label", employees = employees, channels = channels))
        .help(t!("cr016-help"));
    if cx.exists(&SpecPath::defaults_access()) {
        diagnostic = diagnostic.label(cx.value(&SpecPath::defaults_access()), t!("cr016-label-defaults"));
    }
    cx.emit(diagnostic);
}

/// Everything but the access entries: channels with their cycles or
/// groups, employees, admins.
fn records(spec: &Spec) -> u64 {
    let mut total = 4 * RECORD;
    for (id, channel) in spec.enabled_channels() {
        let address = crate::address::of(channel).map_or(0, |(_, a)| json_len(a));
        let stage = spec
            .new_deals_for(id, channel)
            .map_or(0, |(s, _)| json_len(&s.pipeline.to_string()) + json_len(&s.stage.to_string()));
        let members = spec.assignment_for(id, channel).map_or(0, |(a, _)| {
            let longest = a.members.iter().map(|m| json_len(&m.employee)).max().unwrap_or(0) + MEMBER_ENTRY;
            let count: u64 = match a.mode {
                Mode::RoundRobin => a.members.iter().map(|m| u64::from(m.weight.unwrap_or(1))).sum(),
                Mode::FirstResponder => a.members.len() as u64,
            };
            // Members again under max_open, with their limits.
            (count + a.members.len() as u64) * longest
        });
        total += RECORD + 2 * json_len(id) + json_len(&channel.name) + address + stage + members;
    }
    let outgoing = spec.channels.keys().map(|id| json_len(id)).max().unwrap_or(0);
    for (handle, employee) in &spec.employees {
        total += RECORD + json_len(handle) + json_len(&employee.name) + outgoing;
    }
    total + spec.global_chat.admins.iter().map(|a| json_len(a) + MEMBER_ENTRY).sum::<u64>()
}
