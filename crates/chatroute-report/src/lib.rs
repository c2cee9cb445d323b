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

mod i18n;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use chatroute_check::check::{Accounts, Checked};
use chatroute_check::crm::lookup::StageLookup;
use chatroute_check::diagnostics::{Diagnostic, Severity};
use chatroute_check::resolve::Outgoing;
use chatroute_check::spec::{Assignment, Channel, Level, Mode, Spec, StageRef};
use chatroute_check::wazzup::Match;

use chatroute_check::i18n::percent;
use i18n::t;

const STYLE: &str = include_str!("style.css");

/// User text as the page shows it: maud escapes HTML, and control and bidi
/// characters are written as escapes (`\u{202e}`), so a name cannot
/// reorder the text around it.
fn shown(text: &str) -> String {
    chatroute_check::text::printable(text).into_owned()
}

/// The page for a checked spec, with the accounts' snapshots it was
/// checked against (CRM names, Wazzup states).
pub fn page(checked: &Checked, accounts: Accounts<'_>) -> String {
    let title = match &checked.spec {
        Some(spec) => t!("title", account = shown(&spec.integration.account)),
        None => t!("title-with-errors"),
    };
    let markup = html! {
        (DOCTYPE)
        html lang=(chatroute_check::i18n::current().tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                (header(checked))
                (problems(checked, Severity::Error, &t!("errors")))
                @if let Some(spec) = &checked.spec {
                    (channels(spec, checked, accounts))
                    (matrix(spec))
                    (integration(spec))
                    (problems(checked, Severity::Warning, &t!("other-warnings")))
                } @else {
                    p.muted { (t!("fix-errors-first")) }
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
                h1 { (t!("routing-of", account = shown(&spec.integration.account))) }
                p.muted {
                    (t!(
                        "summary",
                        channels = spec.channels.len(),
                        employees = spec.employees.len(),
                        disabled = if spec.integration.enabled { "no" } else { "yes" },
                        errors = count(Severity::Error),
                        warnings = count(Severity::Warning)
                    ))
                }
            }
            None => { h1 { (t!("spec-with-errors")) } p.muted { (shown(&checked.source.name)) } }
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
            strong { (d.code.as_str()) } " " span.muted { (t!("line", place = place(checked, d))) } " " (d.message)
            @if let Some(help) = &d.help { br; span.muted { (t!("help", help = help.as_str())) } }
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
        h2 { (t!("channels")) }
        @for (id, channel) in &spec.channels {
            div class=(if channel.enabled && spec.integration.enabled { "card" } else { "card off" }) id=(format!("channel-{id}")) {
                h3 { (shown(&channel.name)) " " span.muted { (shown(id)) } }
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
        Match::OtherTransport(found) => t!("wazzup-other-transport", transport = found.transport.as_str()),
        Match::Missing => t!("wazzup-missing"),
    });
    html! {
        dl {
            dt { (t!("transport")) } dd { (channel.transport.as_str()) }
            dt { (t!("address")) } dd { (shown(&address)) }
            @if let Some(state) = state { dt { "Wazzup" } dd { (shown(&state)) } }
            dt { (t!("in-integration")) } dd { @if channel.enabled { (t!("yes")) } @else { (t!("no-excluded")) } }
            @if let Some((stage, _)) = spec.new_deals_for(id, channel) {
                dt { (t!("new-deals")) } dd { (shown(&stage_text(stage, accounts))) }
            }
            @if let Some((assignment, _)) = spec.assignment_for(id, channel) {
                dt { (t!("responsible")) } dd { (mode_text(assignment, spec.skips_unavailable(assignment))) }
            }
        }
    }
}

fn stage_text(stage: &StageRef, accounts: Accounts<'_>) -> String {
    let written = format!("{} / {}", stage.pipeline, stage.stage);
    match accounts.crm.map(|crm| crm.stage(stage)) {
        Some(StageLookup::Found(p, s)) => {
            t!(
                "stage-with-ids",
                pipeline = p.name.as_str(),
                stage = s.name.as_str(),
                pipeline_id = p.id,
                stage_id = s.id
            )
        }
        _ => written,
    }
}

/// The assignment's rules as they apply (`skips`: `skip_unavailable`
/// after a channel's assignment follows `[assignment]`).
fn mode_text(a: &Assignment, skips: bool) -> String {
    let mut parts = vec![match a.mode {
        Mode::RoundRobin => t!("mode-round-robin"),
        Mode::FirstResponder => t!("mode-first-responder"),
    }];
    if skips {
        parts.push(t!("skips-unavailable"));
    }
    if let Some(nobody) = a.when_nobody {
        parts.push(t!("when-nobody", when = nobody.as_str()));
    }
    if a.returning_clients == Some(chatroute_check::spec::ReturningClients::Owner) {
        parts.push(t!("returning-to-owner"));
    }
    if let Some(after) = &a.reassign_after {
        let times = a.max_reassignments.unwrap_or(1);
        parts.push(t!("reassign", after = after.as_str(), times = times));
    }
    parts.join("; ")
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
            thead { tr { th { (t!("member")) } th { (t!("share")) } th { (t!("max-open")) } th { (t!("working-hours")) } } }
            tbody {
                @for m in &a.members {
                    tr {
                        td {
                            @if let Some(e) = spec.employees.get(&m.employee) { (shown(&e.name)) " " }
                            span.muted { (shown(&m.employee)) }
                        }
                        td.share {
                            @if a.mode == Mode::RoundRobin && total > 0 {
                                @let share = f64::from(m.weight.unwrap_or(1)) / f64::from(total);
                                (bar(share)) " " (percent(share))
                            } @else { (t!("first-to-answer")) }
                        }
                        td { @if let Some(max) = m.max_open { (max) } @else { "—" } }
                        td {
                            @match hours(spec, &m.employee) {
                                Some(h) if skips => { (shown(&h)) }
                                Some(h) => { (shown(&h)) " " span.muted { (t!("hours-not-applied")) } }
                                None => { (t!("always")) }
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
        svg.bar width="120" height="10" viewBox="0 0 120 10" role="img" aria-label=(percent(share)) {
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
        Level::ReadSend => t!("level-read-send"),
        Level::Read => t!("level-read"),
        Level::None => "—".to_owned(),
    };
    html! {
        h2 { (t!("who-may-read")) }
        p.muted { (t!("star-marks")) }
        table.matrix {
            thead { tr { th { (t!("employee")) } @for (id, _) in &channels { th { (shown(id)) } } } }
            tbody {
                @for (handle, employee) in &spec.employees {
                    @let default = match outgoing.get(handle.as_str()) {
                        Some(Outgoing::Explicit(c) | Outgoing::Implied(c)) => Some(*c),
                        _ => None,
                    };
                    tr {
                        td { (shown(&employee.name)) " " span.muted { (shown(handle)) } }
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
        h2 { (t!("shared-chat-cards-phones")) }
        dl {
            dt { (t!("global-chat-shows")) } dd {
                @match chat.visibility.as_str() {
                    "all" => (t!("visibility-all")),
                    _ => (t!("visibility-own")),
                }
            }
            @if !chat.admins.is_empty() { dt { (t!("chat-admins")) } dd { (shown(&chat.admins.join(", "))) } }
            dt { (t!("copy-dialog")) } dd { (copy_dialog(spec.deal_card.copy_dialog.as_str())) }
            dt { (t!("to-international")) } dd { @if spec.phones.to_international { (t!("yes")) } @else { (t!("no")) } }
            @if !spec.phones.client_regions.is_empty() {
                dt { (t!("client-regions")) } dd { (shown(&spec.phones.client_regions.join(", "))) }
            }
        }
    }
}

/// The dialog-copy setting as the settings screen words it.
fn copy_dialog(value: &str) -> String {
    match value {
        "each_message" => t!("copy-each-message"),
        "hourly" => t!("copy-hourly"),
        "daily" => t!("copy-daily"),
        _ => t!("copy-off"),
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
