//! What one message does in amoCRM (`Job::run`).
//!
//! A client's message belongs to its dialog's deal while that is open.
//! Without one, the contact is found (phone chats by the number, point 7's
//! rewrite applied to both sides; other chats by the contact the worker
//! created for them), and its open deal in the integration's pipelines
//! taken; with only closed ones, point 3.1 decides (the last closed deal,
//! or a new one). A new deal goes into the channel's pipeline and stage,
//! its responsible the runtime's decision, tagged `chatroute`.
//!
//! amoCRM has no idempotency keys, so a deal about to be created is
//! written down first (`Dialog::creating`): whoever finds that record (a
//! retry, or the instance that took over from a dead one) looks in amoCRM
//! for the deal before creating one, so a dialog never gets two.
//!
//! A manager's message (`isEcho` with the CRM user as `authorId`) is the
//! first responder's claim where the deal waits for one (the winner made
//! responsible in amoCRM), and stops the deal's reply timer.

use chatroute_runtime::{AssignmentState, Claim, DealRequest, Responsible, RouteError, Router, StateError};
use chatroute_table::AssignmentRoute;
use chatroute_table::keywords::NameOrId;
use sha2::{Digest, Sha256};

use crate::amocrm::{Amo, CallError, Caller, Contact, Lead, NewLead};
use crate::notes::{self, Line};
use crate::store::{Change, Creating, Dialog, NoteMeta, Store, Work};
use crate::wazzup::Message;
use crate::worker::now_ms;

/// How far back a deal found by its chat may have been created before the
/// record of its creation (clocks of amoCRM and instances differ).
const CLOCK_SLACK_MS: i64 = 120_000;

/// What a message came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Done {
    /// It belongs to this existing deal.
    Attached(u64),
    Created(u64),
    Claimed,
    /// A change of responsible applied.
    Reassigned,
    /// A manager's answer (timer stopped, or nothing to do).
    Answered,
    /// Nothing to do (a channel outside the integration, an unknown author).
    Ignored,
}

/// One message's work for one account.
pub(crate) struct Job<'a, S: AssignmentState, St: Store> {
    pub(crate) amo: &'a Amo,
    pub(crate) by: Caller<'a, St>,
    pub(crate) router: &'a Router<S>,
    pub(crate) account: &'a str,
}

impl From<RouteError> for CallError {
    fn from(err: RouteError) -> Self {
        match err {
            RouteError::State(StateError::Unavailable(why)) => CallError::Transient { why, retry_after: None },
            other => CallError::Permanent(other.to_string()),
        }
    }
}

/// A dialog's key: its channel and chat (a digest of the chat where the
/// two would not leave room in the runtime's 64 characters).
fn dialog_key(channel: &str, chat: &str) -> String {
    let key = format!("{channel}:{chat}");
    // Room for the round (`/N`) within the runtime's ids.
    if key.chars().count() <= chatroute_runtime::MAX_ID_CHARS - 8 {
        return key;
    }
    let digest = Sha256::digest(chat.as_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("{}:#{hex}", channel.chars().take(40).collect::<String>())
}

fn id(value: &NameOrId) -> Result<u64, CallError> {
    match value {
        NameOrId::Id(id) => Ok(*id),
        NameOrId::Name(name) => Err(CallError::Permanent(format!("`{name}` has no amoCRM id in the table"))),
    }
}

impl<S: AssignmentState, St: Store> Job<'_, S, St> {
    pub(crate) async fn run(&self, work: &Work) -> Result<Done, CallError> {
        match work {
            Work::Message(message) => self.message(message).await,
            Work::Responsible(change) => self.responsible(change).await,
        }
    }

    async fn message(&self, message: &Message) -> Result<Done, CallError> {
        let Ok(channel) = self.router.channel_id(&message.channel_id) else { return Ok(Done::Ignored) };
        let channel = channel.to_owned();
        let key = dialog_key(&channel, &message.chat_id);
        if message.is_echo {
            return self.manager_wrote(&channel, &key, message).await;
        }
        let done = self.client_wrote(&channel, &key, message).await?;
        if let Done::Attached(deal) | Done::Created(deal) = done {
            let name = message.contact.as_ref().and_then(|c| c.name.as_deref());
            let author = name.map_or_else(|| "Client".to_owned(), |n| format!("{n} (client)"));
            self.copy(&channel, deal, message, author).await?;
        }
        Ok(done)
    }

    /// Point 6: the message's line into the note of its deal's current
    /// period (nothing with `off`).
    async fn copy(&self, channel: &str, deal: u64, message: &Message, author: String) -> Result<(), CallError> {
        let table = self.router.table();
        let zone = notes::zone_of(table);
        let now = jiff::Timestamp::from_millisecond(now_ms()).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        let sent = jiff::Timestamp::from_millisecond(message.at_ms().unwrap_or_default()).unwrap_or(now);
        let Some(period) = notes::period(table.copy_dialog, &zone, now, (&message.message_id, sent)) else {
            return Ok(());
        };
        let route = &table.channels[channel];
        let meta =
            NoteMeta { deal, header: notes::header(&format!("{} «{}»", route.transport, route.name), &period.label) };
        let key = format!("{deal}:{channel}:{}", period.id);
        let line = Line::of(message, author);
        Ok(self.by.store.buffer_line(self.account, self.by.worker, &key, period.due_ms, &meta, &line).await?)
    }

    /// A change of responsible the runtime made, applied to the deal (a
    /// deal of an earlier round, or one chatroute did not create, is left
    /// alone).
    async fn responsible(&self, change: &Change) -> Result<Done, CallError> {
        let key = Dialog::key_of(&change.deal);
        let dialog = self.by.store.dialog(self.account, key).await?;
        let Some(deal) = dialog.deal.filter(|_| dialog.runtime_id(key) == change.deal) else {
            return Ok(Done::Ignored);
        };
        let employee = self.router.table().employees.get(&change.to);
        let Some(user) = employee.and_then(|e| e.crm_user) else { return Ok(Done::Ignored) };
        self.amo.set_responsible(&self.by, deal, user).await?;
        Ok(Done::Reassigned)
    }

    async fn save(&self, key: &str, dialog: &Dialog) -> Result<(), CallError> {
        Ok(self.by.store.save_dialog(self.account, self.by.worker, key, dialog).await?)
    }

    async fn client_wrote(&self, channel: &str, key: &str, message: &Message) -> Result<Done, CallError> {
        let mut dialog = self.by.store.dialog(self.account, key).await?;
        dialog.chat.get_or_insert_with(|| message.chat_id.clone());
        let mut closed = false;
        if let Some(deal) = dialog.deal {
            let lead = self.amo.lead(&self.by, deal).await?;
            if lead.as_ref().is_some_and(|l| !l.is_closed()) {
                return Ok(Done::Attached(deal));
            }
            // Closed or deleted in amoCRM: so it is to the runtime too
            // (whether or not amoCRM's webhook said so).
            self.router.close_deal(&dialog.runtime_id(key)).await?;
            if lead.is_some() && self.appends_after_close(channel)? {
                return Ok(Done::Attached(deal));
            }
            (dialog.deal, dialog.round, closed) = (None, dialog.round + 1, true);
        } else if let Some(creating) = &dialog.creating
            && let Some(lead) = self.created_before(channel, message, creating).await?
        {
            let contact = lead.embedded.contacts.first().map(|c| c.id).or(dialog.contact);
            self.save(key, &dialog.settled(lead.id, contact)).await?;
            return Ok(Done::Attached(lead.id));
        }
        let contact = self.find_contact(message, &dialog).await?;
        if let Some(contact) = &contact
            && let Some(lead) = self.deal_of(channel, contact, !closed).await?
        {
            self.save(key, &dialog.settled(lead, Some(contact.id))).await?;
            return Ok(Done::Attached(lead));
        }
        self.create(channel, key, message, Dialog { contact: contact.map(|c| c.id), ..dialog }).await
    }

    /// Point 3.1 for this channel: append to the last closed deal.
    fn appends_after_close(&self, channel: &str) -> Result<bool, CallError> {
        Ok(self.router.after_close(channel)? == chatroute_runtime::AfterCloseAction::AppendToLastClosed)
    }

    /// The contact's deal a new message belongs to: its open one in the
    /// integration's pipelines, else (point 3.1, `append_to_last_closed`,
    /// and only when `closed_counts`) its last closed one.
    async fn deal_of(&self, channel: &str, contact: &Contact, closed_counts: bool) -> Result<Option<u64>, CallError> {
        let ids: Vec<u64> = contact.embedded.leads.iter().map(|l| l.id).collect();
        let pipelines = self.pipelines();
        let leads: Vec<Lead> =
            self.amo.leads(&self.by, &ids).await?.into_iter().filter(|l| pipelines.contains(&l.pipeline_id)).collect();
        if let Some(open) = leads.iter().filter(|l| !l.is_closed()).max_by_key(|l| (l.updated_at, l.id)) {
            return Ok(Some(open.id));
        }
        let last_closed = leads.iter().max_by_key(|l| (l.closed_at.unwrap_or(l.updated_at), l.id));
        match last_closed {
            Some(lead) if closed_counts && self.appends_after_close(channel)? => Ok(Some(lead.id)),
            _ => Ok(None),
        }
    }

    /// The pipelines of the integration's channels.
    fn pipelines(&self) -> Vec<u64> {
        let channels = self.router.table().channels.values();
        channels.filter_map(|c| id(&c.new_deals.pipeline).ok()).collect()
    }

    /// The client's contact: a phone chat's by its number (the digits
    /// searched, each `PHONE` value compared after the table's phone
    /// rule), another chat's by the contact created for it.
    async fn find_contact(&self, message: &Message, dialog: &Dialog) -> Result<Option<Contact>, CallError> {
        if !message.is_phone_chat() {
            let Some(contact) = dialog.contact else { return Ok(None) };
            return self.amo.contact(&self.by, contact).await;
        }
        let chat = &message.chat_id;
        let tail = &chat[chat.len().saturating_sub(10)..];
        let wanted = digits(&self.router.phone(&format!("+{chat}")).number);
        let found = self.amo.contacts(&self.by, tail).await?;
        Ok(found.into_iter().find(|c| c.phones().any(|p| digits(&self.router.phone(p).number) == wanted)))
    }

    /// A deal the worker may have created for this dialog before it could
    /// write so down: ours, in the channel's pipeline, open, named after
    /// the chat, created since the record.
    async fn created_before(
        &self,
        channel: &str,
        message: &Message,
        creating: &Creating,
    ) -> Result<Option<Lead>, CallError> {
        let pipeline = id(&self.router.table().channels[channel].new_deals.pipeline)?;
        let found = self.amo.search_leads(&self.by, &message.chat_id).await?;
        Ok(found
            .into_iter()
            .filter(|l| l.is_ours() && l.pipeline_id == pipeline && !l.is_closed())
            .filter(|l| l.created_at * 1000 >= creating.since_ms - CLOCK_SLACK_MS)
            .max_by_key(|l| l.id))
    }

    async fn create(&self, channel: &str, key: &str, message: &Message, dialog: Dialog) -> Result<Done, CallError> {
        // Decided now, not at the message's time: the deal is assigned now,
        // to whoever is in their hours now, and its reply timer starts now
        // (a message worked on after an outage is not due at once).
        let runtime_id = dialog.runtime_id(key);
        let request =
            DealRequest { channel, deal: Some(&runtime_id), contact: Some(&message.chat_id), owner: None, at: None };
        let decided = self.router.decide(&request).await?;
        let user = match decided.responsible {
            Responsible::Employee(handle) => self.router.employee(handle)?.crm_user,
            // First responder: amoCRM's default until the first answer
            // claims it; nobody: the dialog waits without a responsible.
            Responsible::FirstOf(_) | Responsible::Unassigned => None,
        };
        let (pipeline, status) = (id(decided.pipeline)?, id(decided.stage)?);
        let creating = Creating { since_ms: now_ms() };
        let contact = dialog.contact;
        self.save(key, &Dialog { deal: None, creating: Some(creating), claimed: false, ..dialog.clone() }).await?;
        let client = message.contact.as_ref().and_then(|c| c.name.as_deref()).unwrap_or(&message.chat_id);
        let name = format!("{client}, {} {}", message.chat_type, message.chat_id);
        let phone = message.is_phone_chat().then(|| format!("+{}", message.chat_id));
        let lead = NewLead {
            name: &name,
            pipeline,
            status,
            responsible: user,
            contact: contact.ok_or((client, phone.as_deref())),
        };
        let (deal, contact) = self.amo.create(&self.by, &lead).await?;
        self.save(key, &dialog.settled(deal, Some(contact))).await?;
        Ok(Done::Created(deal))
    }

    /// A manager's answer: the first responder's claim, and the end of the
    /// deal's wait for a reply.
    async fn manager_wrote(&self, channel: &str, key: &str, message: &Message) -> Result<Done, CallError> {
        let user = message.author_id.as_deref().and_then(|a| a.parse::<u64>().ok());
        let employees = &self.router.table().employees;
        let employee = employees.iter().find(|(_, e)| user.is_some() && e.crm_user == user);
        let dialog = self.by.store.dialog(self.account, key).await?;
        let Some(deal) = dialog.deal else { return Ok(Done::Ignored) };
        // In the transcript whoever wrote it: an employee by name, someone
        // else by the name Wazzup gives.
        let author = match (employee, &message.author_name) {
            (Some((_, e)), _) => e.name.clone(),
            (None, Some(name)) => name.clone(),
            (None, None) => "Manager".to_owned(),
        };
        self.copy(channel, deal, message, author).await?;
        let Some((handle, employee)) = employee else { return Ok(Done::Answered) };
        let runtime_id = dialog.runtime_id(key);
        let done = self.claimed(channel, key, dialog, deal, handle, employee.crm_user).await?;
        match self.router.reply(&runtime_id, handle).await {
            Err(RouteError::State(err)) => Err(RouteError::State(err).into()),
            _ => Ok(done),
        }
    }

    /// A first-responder dialog's first answer: the claim, its winner made
    /// responsible in amoCRM.
    async fn claimed(
        &self,
        channel: &str,
        key: &str,
        mut dialog: Dialog,
        deal: u64,
        handle: &str,
        user: Option<u64>,
    ) -> Result<Done, CallError> {
        let first_responder =
            matches!(self.router.table().channels[channel].assignment, AssignmentRoute::FirstResponder { .. });
        if !first_responder || dialog.claimed {
            return Ok(Done::Answered);
        }
        let done = match self.router.claim(channel, &dialog.runtime_id(key), handle).await {
            Ok(Claim::Won) => {
                self.amo.set_responsible(&self.by, deal, user.unwrap_or_default()).await?;
                Done::Claimed
            }
            Ok(Claim::Lost { .. }) => Done::Answered,
            Err(RouteError::State(err)) => return Err(RouteError::State(err).into()),
            // Not of the group, or unable to take it now: the answer
            // claims nothing.
            Err(_) => return Ok(Done::Answered),
        };
        dialog.claimed = true;
        self.save(key, &dialog).await?;
        Ok(done)
    }
}

fn digits(number: &str) -> String {
    number.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    use super::dialog_key;

    #[test]
    fn dialog_keys_stay_within_the_runtimes_ids() {
        assert_eq!(dialog_key("wa", "79161234567"), "wa:79161234567");
        let long = dialog_key("tg", &"x".repeat(100));
        assert!(long.starts_with("tg:#") && long.chars().count() <= 56, "{long}");
        assert_ne!(long, dialog_key("tg", &"y".repeat(100)));
    }
}
