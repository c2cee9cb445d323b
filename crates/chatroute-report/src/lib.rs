//! `chatroute report`: the routing of a spec as one self-contained HTML
//! page, as the admins who set the integration up know it (a settings
//! screen): each channel with its transport, address, account state and
//! stage, who gets its new deals and what share, the access matrix, the
//! shared chat, dialog copying and phone rules, and every problem of
//! `check` where it applies.
//!
//! Built with maud, which escapes every text it is given, so names from a
//! spec or a snapshot are data; the only unescaped text is the page's own
//! style sheet. Inline CSS and SVG, no script, no network, A4 when printed.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use chatroute_check::check::{Accounts, Checked};
use chatroute_check::crm::lookup::StageLookup;
use chatroute_check::diagnostics::{Diagnostic, Severity};
use chatroute_check::resolve::Outgoing;
use chatroute_check::spec::{Assignment, Channel, Level, Mode, Spec, StageRef};
use chatroute_check::wazzup::Match;

const STYLE: &str = include_str!("style.css");

/// User text as the page shows it: maud escapes HTML, and control and bidi
/// characters are written as escapes (`\u{202e}`), so a name cannot
/// reorder the text around it.
fn t(text: &str) -> String {
    chatroute_check::text::printable(text).into_owned()
}

/// The page for a checked spec, with the accounts' snapshots it was
/// checked against (CRM names, Wazzup states).
pub fn page(checked: &Checked, accounts: Accounts<'_>) -> String {
    let title = checked.spec.as_ref().map_or("a spec with errors", |s| s.integration.account.as_str());
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "chatroute: routing of " (t(title)) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                (header(checked))
                (problems(checked, Severity::Error, "Errors"))
                @if let Some(spec) = &checked.spec {
                    (channels(spec, checked, accounts))
                    (matrix(spec))
                    (integration(spec))
                    (problems(checked, Severity::Warning, "Other warnings"))
                } @else {
                    p.muted { "Fix the errors above to see the routing." }
                }
            }
        }
    };
    markup.into_string()
}

fn header(checked: &Checked) -> Markup {
    let count = |s: Severity| checked.diagnostics.iter().filter(|d| d.severity == s).count();
    html! {
        @match &checked.spec {
            Some(spec) => {
                h1 { "Routing of " (t(&spec.integration.account)) }
                p.muted {
                    (spec.channels.len()) " channels, " (spec.employees.len()) " employees; "
                    @if !spec.integration.enabled { "the integration is disabled; " }
                    (count(Severity::Error)) " errors, " (count(Severity::Warning)) " warnings"
                }
            }
            None => { h1 { "A spec with errors" } p.muted { (t(&checked.source.name)) } }
        }
    }
}

/// Where a diagnostic points, as `line:column`.
fn place(checked: &Checked, d: &Diagnostic) -> String {
    let span = d.labels.first().map_or(0..0, |l| l.span.clone());
    let (_, start, _) = checked.source.region(span);
    format!("{}:{}", start.line, start.column)
}

fn diagnostic(checked: &Checked, d: &Diagnostic) -> Markup {
    let class = if d.severity == Severity::Error { "diag error" } else { "diag" };
    html! {
        div class=(class) {
            strong { (d.code.as_str()) } " " span.muted { "line " (place(checked, d)) } " " (d.message)
            @if let Some(help) = &d.help { br; span.muted { "help: " (help) } }
        }
    }
}

/// Whether a diagnostic is about a channel: it points into the channel's
/// tables (`[channels.<id>...]`), or it names it.
fn about(checked: &Checked, d: &Diagnostic, id: &str) -> bool {
    let at = d.labels.first().map(|l| l.span.start);
    at.and_then(|at| header_channel(&checked.source.text, at)).is_some_and(|c| c == id)
        || d.message.contains(&format!("`{id}`"))
}

/// The channel whose table header (`[channels.<id>...]`) is the last one
/// before `offset`.
fn header_channel(text: &str, offset: usize) -> Option<&str> {
    let before = text.get(..offset)?;
    let header = before.lines().rev().map(str::trim_start).find(|l| l.starts_with('['))?;
    let rest = header.strip_prefix("[channels.")?;
    let end = rest.find(['.', ']']).unwrap_or(rest.len());
    Some(rest[..end].trim_matches('"'))
}

/// The diagnostics of `severity` no channel claims.
fn problems(checked: &Checked, severity: Severity, title: &str) -> Markup {
    let channels: Vec<&String> = checked.spec.as_ref().map(|s| s.channels.keys().collect()).unwrap_or_default();
    let left: Vec<&Diagnostic> = checked
        .diagnostics
        .iter()
        .filter(|d| d.severity == severity && !channels.iter().any(|id| about(checked, d, id)))
        .collect();
    html! {
        @if !left.is_empty() {
            h2 { (title) }
            @for d in left { (diagnostic(checked, d)) }
        }
    }
}

fn channels(spec: &Spec, checked: &Checked, accounts: Accounts<'_>) -> Markup {
    html! {
        h2 { "Channels" }
        @for (id, channel) in &spec.channels {
            div class=(if channel.enabled && spec.integration.enabled { "card" } else { "card off" }) id=(format!("channel-{id}")) {
                h3 { (t(&channel.name)) " " span.muted { (t(id)) } }
                (channel_facts(spec, id, channel, accounts))
                @if let Some((assignment, _)) = spec.assignment_for(id, channel) { (members(spec, assignment)) }
                @for d in checked.diagnostics.iter().filter(|d| about(checked, d, id)) { (diagnostic(checked, d)) }
            }
        }
    }
}

fn channel_facts(spec: &Spec, id: &str, channel: &Channel, accounts: Accounts<'_>) -> Markup {
    let address = chatroute_check::address::of(channel).map(|(_, a)| a.clone()).unwrap_or_default();
    let state = accounts.wazzup.map(|w| match w.find(channel) {
        Match::Found(found) => found.state.clone(),
        Match::OtherTransport(found) => format!("under transport {}", found.transport),
        Match::Missing => "not in the Wazzup account".to_owned(),
    });
    html! {
        dl {
            dt { "transport" } dd { (channel.transport.as_str()) }
            dt { "address" } dd { (t(&address)) }
            @if let Some(state) = state { dt { "Wazzup" } dd { (t(&state)) } }
            dt { "in the integration" } dd { @if channel.enabled { "yes" } @else { "no (excluded)" } }
            @if let Some((stage, _)) = spec.new_deals_for(id, channel) {
                dt { "new deals" } dd { (t(&stage_text(stage, accounts))) }
            }
            @if let Some((assignment, _)) = spec.assignment_for(id, channel) {
                dt { "responsible" } dd { (mode_text(assignment, spec.skips_unavailable(assignment))) }
            }
        }
    }
}

fn stage_text(stage: &StageRef, accounts: Accounts<'_>) -> String {
    let written = format!("{} / {}", stage.pipeline, stage.stage);
    match accounts.crm.map(|crm| crm.stage(stage)) {
        Some(StageLookup::Found(p, s)) => format!("{} / {} (amoCRM ids {} / {})", p.name, s.name, p.id, s.id),
        _ => written,
    }
}

/// The assignment's rules as they apply (`skips`: `skip_unavailable`
/// after a channel's assignment follows `[assignment]`).
fn mode_text(a: &Assignment, skips: bool) -> String {
    let mut text = match a.mode {
        Mode::RoundRobin => "round robin, by weight".to_owned(),
        Mode::FirstResponder => "the first of the group to answer".to_owned(),
    };
    if skips {
        text.push_str("; unavailable members are skipped");
    }
    if let Some(nobody) = a.when_nobody {
        text.push_str(&format!("; when nobody can: {nobody}"));
    }
    if a.returning_clients == Some(chatroute_check::spec::ReturningClients::Owner) {
        text.push_str("; a returning client goes to their owner");
    }
    if let Some(after) = &a.reassign_after {
        let times = a.max_reassignments.unwrap_or(1);
        text.push_str(&format!("; unanswered after {after}: passed to the next member (at most {times} times)"));
    }
    text
}

/// An employee's working hours in words, with their zone.
fn hours(spec: &Spec, handle: &str) -> Option<String> {
    let name = spec.employees.get(handle)?.schedule.as_ref()?;
    let schedule = spec.schedules.get(name)?;
    Some(format!(
        "{name}: {}",
        chatroute_check::hours::describe(&chatroute_check::hours::read(spec, name, schedule).route)
    ))
}

/// The members with their share of new deals (round robin) as a number
/// and a bar, and their open-deal limit.
fn members(spec: &Spec, a: &Assignment) -> Markup {
    let skips = spec.skips_unavailable(a);
    let total: u32 = a.members.iter().map(|m| m.weight.unwrap_or(1)).sum();
    html! {
        table.members {
            thead { tr { th { "member" } th { "share of new deals" } th { "open deals at most" } th { "working hours" } } }
            tbody {
                @for m in &a.members {
                    tr {
                        td {
                            @if let Some(e) = spec.employees.get(&m.employee) { (t(&e.name)) " " }
                            span.muted { (t(&m.employee)) }
                        }
                        td.share {
                            @if a.mode == Mode::RoundRobin && total > 0 {
                                @let share = f64::from(m.weight.unwrap_or(1)) / f64::from(total);
                                (bar(share)) " " (format!("{:.1}%", share * 100.0))
                            } @else { "first to answer" }
                        }
                        td { @if let Some(max) = m.max_open { (max) } @else { "—" } }
                        td {
                            @match hours(spec, &m.employee) {
                                Some(h) if skips => { (t(&h)) }
                                Some(h) => { (t(&h)) " " span.muted { "(not applied here: unavailable members are not skipped)" } }
                                None => { "always" }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A share as an SVG bar, drawn from the number.
fn bar(share: f64) -> Markup {
    let width = (share.clamp(0.0, 1.0) * 120.0).round();
    html! {
        svg.bar width="120" height="10" viewBox="0 0 120 10" role="img" aria-label=(format!("{:.1}%", share * 100.0)) {
            rect x="0" y="0" width="120" height="10" rx="2" fill="#e6eaf0" {}
            rect x="0" y="0" width=(width) height="10" rx="2" fill="#2f6fde" {}
        }
    }
}

/// Employees x enabled channels: the level each has, the default outgoing
/// channel marked.
fn matrix(spec: &Spec) -> Markup {
    let channels: Vec<(&str, &Channel)> = spec.enabled_channels().collect();
    let outgoing = spec.default_outgoing_all();
    let cell = |level: Level| match level {
        Level::ReadSend => "read + send",
        Level::Read => "read",
        Level::None => "—",
    };
    html! {
        h2 { "Who may read and answer" }
        p.muted { "★ marks the channel an employee writes first from." }
        table.matrix {
            thead { tr { th { "employee" } @for (id, _) in &channels { th { (t(id)) } } } }
            tbody {
                @for (handle, employee) in &spec.employees {
                    @let default = match outgoing.get(handle.as_str()) {
                        Some(Outgoing::Explicit(c) | Outgoing::Implied(c)) => Some(*c),
                        _ => None,
                    };
                    tr {
                        td { (t(&employee.name)) " " span.muted { (t(handle)) } }
                        @for (id, channel) in &channels {
                            @let level = spec.level(channel, handle);
                            td class=(format!("level-{}", level.as_str())) {
                                (cell(level)) @if default == Some(*id) { " ★" }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn integration(spec: &Spec) -> Markup {
    let chat = &spec.global_chat;
    html! {
        h2 { "Shared chat, deal cards, phones" }
        dl {
            dt { "global chat shows" } dd {
                @match chat.visibility.as_str() {
                    "all" => "every dialog to everyone (of the channels each may read)",
                    _ => "own dialogs and those without a responsible",
                }
            }
            @if !chat.admins.is_empty() { dt { "chat admins (see every dialog)" } dd { (t(&chat.admins.join(", "))) } }
            dt { "dialog copied into the deal card" } dd { (spec.deal_card.copy_dialog.as_str()) }
            dt { "8XXXXXXXXXX rewritten to +7" } dd { @if spec.phones.to_international { "yes" } @else { "no" } }
            @if !spec.phones.client_regions.is_empty() {
                dt { "clients' regions" } dd { (t(&spec.phones.client_regions.join(", "))) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::header_channel;

    #[test]
    fn a_place_belongs_to_the_channel_whose_table_it_is_in() {
        let text = "[employees]\nbruce = 1\n[channels.wa-retail]\nname = 1\n[channels.wa-retail.access]\nbruce = 2\n[global_chat]\nx = 1\n";
        let at = |needle: &str| text.find(needle).unwrap();
        assert_eq!(header_channel(text, at("bruce = 1")), None);
        assert_eq!(header_channel(text, at("name = 1")), Some("wa-retail"));
        assert_eq!(header_channel(text, at("bruce = 2")), Some("wa-retail"));
        assert_eq!(header_channel(text, at("x = 1")), None);
    }
}
