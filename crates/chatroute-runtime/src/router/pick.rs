//! Round robin that may skip members (`pick`) and first responder's offer
//! (`offer`), with a returning client's owner first.

use chatroute_table::Availability;
use chatroute_table::Reassign;
use chatroute_table::keywords::{Level, WhenNobody};

use super::{DealRequest, Responsible, Router, unix_ms};
use crate::error::RouteError;
use crate::state::{AssignmentState, Pick, PickRules};
use jiff::Timestamp;

/// A round-robin channel as a pick sees it.
#[derive(Clone, Copy)]
pub(super) struct Round<'t> {
    pub(super) channel: &'t str,
    pub(super) cycle: &'t [String],
    pub(super) availability: &'t Availability,
    pub(super) returning: bool,
    pub(super) reassign: Option<&'t Reassign>,
}

/// Who can take a deal on a channel of `availability`, `away` out of
/// their hours.
pub(super) fn availability_rules<'a>(availability: &'a Availability, away: &'a [String]) -> PickRules<'a> {
    PickRules { skip_unavailable: availability.skip_unavailable, max_open: &availability.max_open, away }
}

impl<S: AssignmentState> Router<S> {
    /// A returning client's owner who may take the deal here now: the one
    /// the caller names, else the one given the client's last deal; with
    /// read_send on the channel and inside their hours (`away`: the
    /// cycle's members out of them, when read already).
    pub(super) async fn owner(
        &self,
        channel: &str,
        request: &DealRequest<'_>,
        cycle: &[String],
        away: Option<&[String]>,
    ) -> Result<Option<String>, RouteError> {
        let owner = match (request.owner, request.contact) {
            (Some(owner), _) => Some(owner.to_owned()),
            (None, Some(contact)) => self.state.owner_of(&self.body.account, contact).await?,
            (None, None) => None,
        };
        let in_hours = |o: &String| match away {
            Some(away) if cycle.contains(o) => !away.contains(o),
            _ => self.in_hours(o, request.at.unwrap_or_else(Timestamp::now)),
        };
        Ok(owner.filter(|o| self.level(o, channel) == Level::ReadSend && in_hours(o)))
    }

    /// Round robin that may skip: the next member who can take the deal;
    /// with `assign_anyway`, one who is unavailable but has room. A
    /// returning client's owner who can take it comes first.
    pub(super) async fn pick<'t>(
        &'t self,
        round: &Round<'t>,
        request: &DealRequest<'_>,
    ) -> Result<(Responsible<'t>, Option<u64>), RouteError> {
        let Round { channel, cycle, availability, returning, reassign } = *round;
        let away = self.away(channel, availability, request.at);
        let rules = availability_rules(availability, &away);
        let read = availability.skip_unavailable && self.scheduled.get(channel).is_some_and(|s| !s.is_empty());
        let owner = match returning {
            true => self.owner(channel, request, cycle, read.then_some(away.as_slice())).await?,
            false => None,
        };
        let (contact, prefer) = (request.contact.filter(|_| returning), owner.as_deref());
        let reply_after_ms = reassign.map(|r| r.after_secs * 1000);
        let now_ms = request.at.map(unix_ms);
        let anyway = availability.when_nobody == WhenNobody::AssignAnyway && rules.skip_unavailable;
        let account = &self.body.account;
        // Nobody can take it after the last try: it waits for someone.
        let mut pick = Pick {
            account,
            cycle,
            rules,
            deal: request.deal,
            prefer,
            contact,
            channel,
            reply_after_ms,
            now_ms,
            queue: !anyway,
        };
        let cursor = &self.cursors[channel];
        let mut picked = self.state.pick(cursor, &pick).await?;
        if picked.is_none() && anyway {
            pick.rules.skip_unavailable = false;
            pick.queue = true;
            picked = self.state.pick(cursor, &pick).await?;
        }
        let Some(picked) = picked else { return Ok((Responsible::Unassigned, None)) };
        // The table's own string, so the decision borrows from the table: a
        // cycle member, or the owner preferred (who may be outside it).
        let member = cycle.iter().find(|h| **h == picked.employee);
        let preferred = (prefer == Some(picked.employee.as_str()))
            .then(|| self.body.employees.get_key_value(&picked.employee).map(|(h, _)| h))
            .flatten();
        let employee = member.or(preferred).ok_or_else(|| RouteError::DealConflict {
            deal: request.deal.unwrap_or_default().to_owned(),
            owner: picked.employee.clone(),
        })?;
        Ok((Responsible::Employee(employee), picked.position))
    }

    /// First responder that may skip: the deal is offered to the members
    /// who can take it; with `assign_anyway`, to those who have room.
    pub(super) async fn offer<'t>(
        &'t self,
        channel: &str,
        group: &'t [String],
        availability: &Availability,
        at: Option<Timestamp>,
    ) -> Result<Responsible<'t>, RouteError> {
        let all = || group.iter().map(String::as_str).collect::<Vec<_>>();
        if availability.is_plain() {
            return Ok(Responsible::FirstOf(all()));
        }
        let away = self.away(channel, availability, at);
        let mut rules = availability_rules(availability, &away);
        let account = &self.body.account;
        let mut offered = self.offered(group, &self.state.can_take(account, group, &rules).await?);
        if offered.is_empty() && availability.when_nobody == WhenNobody::AssignAnyway && rules.skip_unavailable {
            rules.skip_unavailable = false;
            offered = self.offered(group, &self.state.can_take(account, group, &rules).await?);
        }
        Ok(if offered.is_empty() { Responsible::Unassigned } else { Responsible::FirstOf(offered) })
    }

    pub(super) fn offered<'t>(&self, group: &'t [String], can: &[bool]) -> Vec<&'t str> {
        group.iter().zip(can).filter(|(_, ok)| **ok).map(|(h, _)| h.as_str()).collect()
    }
}
