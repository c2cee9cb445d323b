//! `diff --format markdown`: the routing change as a pull-request comment
//! or `$GITHUB_STEP_SUMMARY` reads it: a table per changed channel with each
//! member's share of new deals before and after, the access changes as one
//! table, everything else as a list. Every text from the files is escaped
//! for Markdown (and its control characters for the terminal), so a name
//! cannot open a link, a table cell or a heading.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::{Change, Kind, Side, Subject, What};
use crate::i18n::t;
use crate::table::{AssignmentRoute, Body};
use crate::text::printable;

/// Markdown-escaped text: every character Markdown gives a meaning to
/// gets a backslash; line breaks and other controls are escaped first. An
/// `@` is followed by a zero-width space (`&#8203;`, as Renovate and
/// Dependabot write names), so `@user` or `@org/team` in a name pings
/// nobody: GitHub ignores a backslash before `@`.
pub fn escape(text: &str) -> String {
    let shown = printable(text);
    let mut out = String::with_capacity(shown.len());
    for c in shown.chars() {
        if "\\`*_{}[]<>()#+-.!|~&".contains(c) {
            out.push('\\');
        }
        out.push(c);
        if c == '@' {
            out.push_str("&#8203;");
        }
    }
    out
}

/// Each member's share of new deals on a channel, in percent (round robin:
/// weight over the cycle; first responder: none, the group races).
fn shares(body: &Body, channel: &str) -> Vec<(String, Option<f64>)> {
    let Some(route) = body.channels.get(channel) else { return Vec::new() };
    match &route.assignment {
        AssignmentRoute::RoundRobin { cycle, .. } => {
            let mut out: Vec<(String, Option<f64>)> = Vec::new();
            for handle in cycle {
                if !out.iter().any(|(h, _)| h == handle) {
                    let n = cycle.iter().filter(|h| *h == handle).count();
                    out.push((handle.clone(), Some(100.0 * n as f64 / cycle.len() as f64)));
                }
            }
            out
        }
        AssignmentRoute::FirstResponder { group, .. } => group.iter().map(|h| (h.clone(), None)).collect(),
    }
}

fn share_cell(share: Option<Option<f64>>) -> String {
    match share {
        None => "—".to_owned(),
        Some(None) => t!("md-first-responder"),
        Some(Some(p)) => crate::i18n::percent(p / 100.0),
    }
}

fn bullet(out: &mut String, c: &Change) {
    bullet_with(out, c, &c.what.said(escape));
}

/// A change as a list item, `what` already in words.
fn bullet_with(out: &mut String, c: &Change, what: &str) {
    let sign = match c.kind {
        Kind::Added | Kind::Included => t!("md-added"),
        Kind::Removed | Kind::Excluded => t!("md-removed"),
        Kind::Changed => t!("md-changed"),
    };
    let detail = match (&c.old, &c.new) {
        (Some(o), Some(n)) => format!(": {} → {}", escape(o), escape(n)),
        (None, Some(n)) | (Some(n), None) => format!(": {}", escape(n)),
        (None, None) => String::new(),
    };
    let _ = writeln!(out, "- {sign} {what}{detail}");
}

fn channel(out: &mut String, old: &Side, new: &Side, id: &str, changes: &[&Change]) {
    let name = new.body.channels.get(id).or_else(|| old.body.channels.get(id)).map_or("", |c| c.name.as_str());
    let _ = writeln!(out, "### {}\n", t!("md-channel-heading", id = escape(id), name = escape(name)));
    let (before, after) = (shares(&old.body, id), shares(&new.body, id));
    let members: BTreeSet<&String> = before.iter().chain(&after).map(|(h, _)| h).collect();
    if !members.is_empty() {
        let _ = writeln!(out, "{}\n| --- | ---: | ---: |", t!("md-shares-header"));
        for member in members {
            let find = |list: &[(String, Option<f64>)]| list.iter().find(|(h, _)| h == member).map(|(_, s)| *s);
            let _ =
                writeln!(out, "| {} | {} | {} |", escape(member), share_cell(find(&before)), share_cell(find(&after)));
        }
        out.push('\n');
    }
    changes.iter().for_each(|c| bullet(out, c));
    out.push('\n');
}

/// Access changes of every employee, one table.
fn access(out: &mut String, changes: &[&Change]) {
    let rows: Vec<&&Change> = changes.iter().filter(|c| matches!(c.what, What::Access(_))).collect();
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "### {}\n\n{}\n| --- | --- | --- | --- |", t!("md-access"), t!("md-access-header"));
    for c in rows {
        let (Subject::Employee(handle), What::Access(channel)) = (&c.subject, &c.what) else { continue };
        let (before, after) = (c.old.as_deref().unwrap_or("none"), c.new.as_deref().unwrap_or("none"));
        let _ = writeln!(out, "| {} | {} | {} | {} |", escape(handle), escape(channel), escape(before), escape(after));
    }
    out.push('\n');
}

/// The Markdown report of `changes` from `old` to `new`.
pub fn render(old: &Side, new: &Side, changes: &[Change]) -> String {
    let mut out = format!("## {}\n\n", t!("md-routing-changes"));
    if changes.is_empty() {
        let _ = writeln!(out, "{}", t!("md-no-change"));
        return out;
    }
    let _ = writeln!(out, "{}\n", t!("md-count", count = changes.len()));
    let channels: BTreeSet<&String> =
        changes.iter().filter_map(|c| if let Subject::Channel(id) = &c.subject { Some(id) } else { None }).collect();
    for id in channels {
        let of: Vec<&Change> = changes.iter().filter(|c| c.subject == Subject::Channel(id.clone())).collect();
        channel(&mut out, old, new, id, &of);
    }
    let employees: Vec<&Change> = changes.iter().filter(|c| matches!(c.subject, Subject::Employee(_))).collect();
    access(&mut out, &employees);
    let others: Vec<&&Change> = employees.iter().filter(|c| !matches!(c.what, What::Access(_))).collect();
    if !others.is_empty() {
        let _ = writeln!(out, "### {}\n", t!("md-employees"));
        for c in others {
            let Subject::Employee(handle) = &c.subject else { continue };
            let of = t!("md-of-employee", what = c.what.said(escape), handle = escape(handle));
            bullet_with(&mut out, c, &of);
        }
        out.push('\n');
    }
    let integration: Vec<&Change> = changes.iter().filter(|c| c.subject == Subject::Integration).collect();
    if !integration.is_empty() {
        let _ = writeln!(out, "### {}\n", t!("md-integration"));
        integration.iter().for_each(|c| bullet(&mut out, c));
    }
    out
}
