//! Who may read or answer a channel, which number an employee writes
//! from, what the shared chat shows, what a message after a closed deal
//! does, when a dialog is copied into the deal card, the phone rule.

#[cfg(feature = "phone")]
use chatroute_phone::{self as phone, Rewrite};
use chatroute_table::AssignmentRoute;
use chatroute_table::keywords::{AfterClose, CopyDialog, Level, Visibility};

use super::Router;
use crate::error::RouteError;
use crate::state::AssignmentState;

/// What to do with a message from a contact whose last deal is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterCloseAction {
    AppendToLastClosed,
    CreateNew,
}

impl<S: AssignmentState> Router<S> {
    /// A message from a contact whose last deal on `channel` is closed.
    /// First responder always creates a new deal.
    pub fn after_close(&self, channel: &str) -> Result<AfterCloseAction, RouteError> {
        Ok(match &self.channel(channel)?.assignment {
            AssignmentRoute::RoundRobin { after_close: AfterClose::AppendToLastClosed, .. } => {
                AfterCloseAction::AppendToLastClosed
            }
            _ => AfterCloseAction::CreateNew,
        })
    }

    /// The employee's level on a routed channel (`none` for unknown ones).
    pub fn level(&self, employee: &str, channel: &str) -> Level {
        let Ok(channel) = self.channel_id(channel) else { return Level::None };
        self.body.employees.get(employee).and_then(|e| e.access.get(channel)).copied().unwrap_or(Level::None)
    }

    pub fn can_read(&self, employee: &str, channel: &str) -> bool {
        self.level(employee, channel) >= Level::Read
    }

    pub fn can_send(&self, employee: &str, channel: &str) -> bool {
        self.level(employee, channel) == Level::ReadSend
    }

    /// The channel an employee writes from when writing first.
    pub fn default_outgoing(&self, employee: &str) -> Option<&str> {
        self.body.employees.get(employee)?.default_outgoing.as_deref()
    }

    /// Whether `employee` sees a dialog on `channel` with the given
    /// responsible in the global chat. Nobody sees a channel they have no
    /// access to; within that, `all` shows everything, and
    /// `own_and_unassigned` shows own and unassigned dialogs, and everything
    /// to chat admins.
    pub fn sees_in_global_chat(&self, employee: &str, channel: &str, responsible: Option<&str>) -> bool {
        if !self.can_read(employee, channel) {
            return false;
        }
        let chat = &self.body.global_chat;
        match chat.visibility {
            Visibility::All => true,
            Visibility::OwnAndUnassigned => {
                chat.admins.iter().any(|a| a == employee) || responsible.is_none_or(|r| r == employee)
            }
        }
    }

    /// When the dialog's pending messages are due to be copied into the deal
    /// card, given the time of the first message not yet copied (Unix
    /// seconds) and the account's UTC offset in seconds. `None`: never.
    pub fn copy_due_at(&self, first_pending: i64, utc_offset: i32) -> Option<i64> {
        copy_due_at(self.body.copy_dialog, first_pending, utc_offset)
    }

    /// The phone number to write to, after the table's phone rule.
    #[cfg(feature = "phone")]
    pub fn phone(&self, raw: &str) -> Rewrite {
        if self.body.phones.to_international {
            phone::to_international(raw)
        } else {
            Rewrite { number: raw.to_owned(), changed: false, valid: phone::is_valid_international(raw) }
        }
    }
}

/// Copy batches are bounded by the account's local clock: `hourly` batches
/// end on the next full hour, `daily` ones at the next local midnight,
/// both measured with the account's UTC offset (so a +05:30 account's hours
/// end at :30 UTC). A message exactly on a boundary opens the next batch.
fn copy_due_at(mode: CopyDialog, first_pending: i64, utc_offset: i32) -> Option<i64> {
    let next_boundary = |period: i64| {
        let local = first_pending + i64::from(utc_offset);
        (local.div_euclid(period) + 1) * period - i64::from(utc_offset)
    };
    match mode {
        CopyDialog::EachMessage => Some(first_pending),
        CopyDialog::Hourly => Some(next_boundary(3600)),
        CopyDialog::Daily => Some(next_boundary(86_400)),
        CopyDialog::Off => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialog_copies_fall_due_on_local_hour_and_day_boundaries() {
        let t = 1_700_000_000; // 2023-11-14 22:13:20 UTC
        assert_eq!(copy_due_at(CopyDialog::EachMessage, t, 0), Some(t));
        assert_eq!(copy_due_at(CopyDialog::Hourly, t, 0), Some(1_700_002_800)); // 23:00 UTC
        assert_eq!(
            copy_due_at(CopyDialog::Hourly, 1_700_002_800, 0),
            Some(1_700_006_400),
            "a boundary opens the next batch"
        );
        assert_eq!(copy_due_at(CopyDialog::Hourly, t, 19_800), Some(1_700_001_000)); // +05:30: 22:30 UTC
        assert_eq!(copy_due_at(CopyDialog::Daily, t, 0), Some(1_700_006_400)); // midnight UTC
        assert_eq!(copy_due_at(CopyDialog::Daily, t, 10_800), Some(1_700_082_000)); // 01:13 in Moscow: the next midnight there, 21:00 UTC
        assert_eq!(copy_due_at(CopyDialog::Off, t, 0), None);
    }
}
