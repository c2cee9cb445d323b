//! What each account's integration did and where it stands: the answer of
//! `GET /v1/accounts/{account}/connect` and the `chatroute_connect_*`
//! lines of `/metrics`.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::Serialize;

/// Counters and the last problem of one account.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Health {
    /// Messages queued by webhooks.
    pub queued: u64,
    /// Messages whose id was seen before (acknowledged, ignored).
    pub duplicates: u64,
    /// Messages on channels not in the integration (acknowledged, ignored).
    pub ignored: u64,
    /// Messages worked on.
    pub processed: u64,
    pub deals_created: u64,
    pub claims: u64,
    /// Changes of responsible the runtime made, applied in amoCRM.
    pub responsible_changes: u64,
    pub dead_letters: u64,
    /// Notes of the dialog copy written, and refused for good (dropped).
    pub notes_written: u64,
    pub notes_refused: u64,
    /// Entries queued and not acknowledged, the oldest one's age and the
    /// notes waiting for their period's end, as last observed (each
    /// second).
    pub queue_depth: u64,
    pub queue_age_secs: u64,
    pub notes_pending: u64,
    /// Why calls to amoCRM stopped (blocked account, refused token).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub halted: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// A counter of `/metrics`: its name, help and value.
type Counter = (&'static str, &'static str, fn(&Health) -> u64);

/// Every account's health.
#[derive(Default)]
pub struct Board(Mutex<BTreeMap<String, Health>>);

impl Board {
    pub fn update(&self, account: &str, f: impl FnOnce(&mut Health)) {
        let mut board = self.0.lock().unwrap_or_else(|p| p.into_inner());
        f(board.entry(account.to_owned()).or_default());
    }

    pub fn get(&self, account: &str) -> Health {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).get(account).cloned().unwrap_or_default()
    }

    /// The Prometheus lines of every account.
    pub fn render(&self, out: &mut String) {
        let board = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let counters: [Counter; 10] = [
            ("queued", "Wazzup messages queued", |h| h.queued),
            ("duplicates", "Wazzup messages seen before, ignored", |h| h.duplicates),
            ("ignored", "Wazzup messages on channels outside the integration", |h| h.ignored),
            ("processed", "messages worked on", |h| h.processed),
            ("deals_created", "amoCRM deals created", |h| h.deals_created),
            ("claims", "first-responder claims applied", |h| h.claims),
            ("responsible_changes", "the runtime's changes of responsible applied in amoCRM", |h| {
                h.responsible_changes
            }),
            ("dead_letters", "messages whose CRM work failed for good", |h| h.dead_letters),
            ("notes_written", "notes of the dialog copy written", |h| h.notes_written),
            ("notes_refused", "notes of the dialog copy amoCRM refused for good", |h| h.notes_refused),
        ];
        for (name, help, value) in counters {
            let values = board.iter().map(|(account, h)| (format!("account=\"{account}\""), value(h)));
            family(out, &format!("{name}_total"), "counter", help, values);
        }
        let gauges: [Counter; 4] = [
            ("halted", "whether calls to the account's amoCRM stopped", |h| u64::from(h.halted.is_some())),
            ("queue_depth", "entries queued and not acknowledged", |h| h.queue_depth),
            ("queue_age_seconds", "the age of the oldest entry not acknowledged", |h| h.queue_age_secs),
            ("notes_pending", "notes of the dialog copy waiting for their period's end", |h| h.notes_pending),
        ];
        for (name, help, value) in gauges {
            let values = board.iter().map(|(account, h)| (format!("account=\"{account}\""), value(h)));
            family(out, name, "gauge", help, values);
        }
    }
}

/// One metric family, `chatroute_connect_<name>`, a line per label set.
pub fn family(out: &mut String, name: &str, kind: &str, help: &str, values: impl Iterator<Item = (String, u64)>) {
    out.push_str(&format!("# HELP chatroute_connect_{name} {help}\n# TYPE chatroute_connect_{name} {kind}\n"));
    for (labels, value) in values {
        out.push_str(&format!("chatroute_connect_{name}{{{labels}}} {value}\n"));
    }
}
