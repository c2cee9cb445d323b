//! Stage 5: a checked spec -> the routing table body. Everything the
//! runtime needs is resolved here, through `resolve`, so the runtime applies
//! no precedence rules of its own.

use std::collections::BTreeMap;

use foldhash::HashSet;

use crate::check::{Accounts, Checked};
use crate::crm::Snapshot;
use crate::crm::lookup::{Lookup, StageLookup};
use crate::resolve::Outgoing;
use crate::spec::{AfterClose, Assignment, Employee, Mode, NameOrId, Spec, StageRef};
use crate::table::{
    AssignmentRoute, Availability, Body, ChannelRoute, CrmResolution, EmployeeRoute, GlobalChatRoute, PhoneRoute,
    Reassign, StageRoute, TableFile,
};
use crate::wazzup::Match;

/// Compiles a spec that `check` found free of errors. Channels the rules
/// would reject (no stage, no assignment) cannot occur in such a spec; they
/// are skipped rather than trusted. With the accounts' snapshots (checked
/// against them too), pipelines, stages and users become amoCRM ids, and
/// each channel gets its Wazzup `channelId`.
pub fn compile(spec: &Spec, accounts: Accounts<'_>) -> TableFile {
    TableFile::new(body(spec, accounts))
}

/// A spec's bytes checked and, when free of errors, compiled: the table and
/// the bytes to write. Large files use a second core (the table compiled
/// beside the rules, its hash beside its bytes), decided here.
pub fn from_source(name: &str, bytes: Vec<u8>, accounts: Accounts<'_>) -> (Checked, Option<(TableFile, Vec<u8>)>) {
    crate::check::check_then(name, bytes, accounts, |spec| TableFile::with_bytes(body(spec, accounts)))
}

/// The table's body, without its header and hash (`diff` needs no hash).
pub(crate) fn body(spec: &Spec, accounts: Accounts<'_>) -> Body {
    let crm = accounts.crm;
    let mut channels = channels(spec, crm);
    if let Some(account) = accounts.wazzup {
        for (id, route) in &mut channels {
            if let Match::Found(found) = account.find(&spec.channels[id]) {
                route.wazzup_channel_id = Some(found.channel_id.clone());
            }
        }
    }
    let employees = employees(spec, crm, &channels);
    Body {
        account: spec.integration.account.clone(),
        enabled: spec.integration.enabled,
        crm: if crm.is_some() { CrmResolution::Ids } else { CrmResolution::Names },
        channels,
        employees,
        global_chat: GlobalChatRoute {
            visibility: spec.global_chat.visibility,
            admins: spec.global_chat.admins.clone(),
        },
        copy_dialog: spec.deal_card.copy_dialog,
        timezone: spec.integration.timezone.clone(),
        phones: PhoneRoute { to_international: spec.phones.to_international },
        schedules: crate::hours::routes(spec),
    }
}

/// The routed channels: enabled ones of an enabled integration, with their
/// stage and assignment as `resolve` decides them.
fn channels(spec: &Spec, crm: Option<&Snapshot>) -> BTreeMap<String, ChannelRoute> {
    spec.enabled_channels()
        .filter(|_| spec.integration.enabled)
        .filter_map(|(id, channel)| {
            let (stage, _) = spec.new_deals_for(id, channel)?;
            let (assignment, _) = spec.assignment_for(id, channel)?;
            let (_, address) = crate::address::of(channel)?;
            let route = ChannelRoute {
                name: channel.name.clone(),
                transport: channel.transport,
                address: address.clone(),
                wazzup_channel_id: None,
                new_deals: stage_route(stage, crm),
                assignment: assignment_route(assignment, spec.skips_unavailable(assignment)),
            };
            Some((id.to_owned(), route))
        })
        .collect()
}

/// Every employee with their levels and default outgoing channel, as
/// `resolve` decides them, limited to the routed channels.
fn employees(
    spec: &Spec,
    crm: Option<&Snapshot>,
    channels: &BTreeMap<String, ChannelRoute>,
) -> BTreeMap<String, EmployeeRoute> {
    let mut access = spec.access_all();
    let mut outgoing = spec.default_outgoing_all();
    let routed: HashSet<&str> = channels.keys().map(String::as_str).collect();
    let routed = |c: &str| routed.contains(c);
    spec.employees
        .iter()
        .map(|(handle, employee)| {
            let levels = access.remove(handle.as_str()).unwrap_or_default();
            let default_outgoing = match outgoing.remove(handle.as_str()) {
                Some(Outgoing::Explicit(c) | Outgoing::Implied(c)) if routed(c) => Some(c.to_owned()),
                _ => None,
            };
            let route = EmployeeRoute {
                name: employee.name.clone(),
                crm_user: crm_user(employee, crm),
                access: levels.into_iter().filter(|(c, _)| routed(c)).map(|(c, l)| (c.to_owned(), l)).collect(),
                default_outgoing,
                schedule: employee.schedule.clone(),
            };
            (handle.clone(), route)
        })
        .collect()
}

fn crm_user(employee: &Employee, crm: Option<&Snapshot>) -> Option<u64> {
    match crm.map(|c| c.user(employee)) {
        Some(Lookup::Found(user)) => Some(user.id),
        _ => employee.crm_user,
    }
}

fn stage_route(stage: &StageRef, crm: Option<&Snapshot>) -> StageRoute {
    match crm.map(|c| c.stage(stage)) {
        Some(StageLookup::Found(p, s)) => StageRoute { pipeline: NameOrId::Id(p.id), stage: NameOrId::Id(s.id) },
        _ => StageRoute { pipeline: stage.pipeline.clone(), stage: stage.stage.clone() },
    }
}

/// `reassign_after` read (a spec without errors has a valid one).
fn reassign(assignment: &Assignment) -> Option<Reassign> {
    let after_secs = chatroute_table::schedule::parse_duration(assignment.reassign_after.as_deref()?).ok()?;
    Some(Reassign { after_secs, max: assignment.max_reassignments.unwrap_or(1) })
}

fn assignment_route(assignment: &Assignment, skip_unavailable: bool) -> AssignmentRoute {
    let handles = assignment.members.iter().map(|m| m.employee.clone());
    let availability = Availability {
        skip_unavailable,
        max_open: assignment.members.iter().filter_map(|m| Some((m.employee.clone(), m.max_open?))).collect(),
        when_nobody: assignment.when_nobody.unwrap_or_default(),
    };
    // `when_nobody` means nothing where nobody is ever skipped (CR207).
    let availability = if availability.is_plain() { Availability::default() } else { availability };
    match assignment.mode {
        Mode::RoundRobin => AssignmentRoute::RoundRobin {
            cycle: assignment
                .members
                .iter()
                .flat_map(|m| std::iter::repeat_n(m.employee.clone(), m.weight.unwrap_or(1) as usize))
                .collect(),
            // Unset: a new deal, so a returning client always reaches a
            // manager instead of landing in a closed deal nobody watches.
            after_close: assignment.after_close.unwrap_or(AfterClose::CreateNew),
            availability,
            returning_clients: assignment.returning_clients.unwrap_or_default(),
            reassign: reassign(assignment),
        },
        Mode::FirstResponder => AssignmentRoute::FirstResponder { group: handles.collect(), availability },
    }
}
