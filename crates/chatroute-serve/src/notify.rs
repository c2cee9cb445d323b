//! `serve --notify URL`: every event of every table POSTed to the URL, at
//! least once, in order per account. Each account delivers on its own task,
//! so one account's receiver refusing (a 404 for an account it does not
//! know yet) never holds up another's. A delivery that fails (no answer, or
//! not 2xx) is tried again with backoff (0.2 s doubling to 5 s) up to
//! `--notify-attempts` times; then the event is a dead letter: kept (the
//! last `DEAD_KEPT` per account), counted in the metrics, listed by
//! `GET .../notify` and delivered again, in order, by
//! `POST .../notify/replay`; the account's later events go on meanwhile.
//!
//! The body is the event of `GET /v1/events` with its `account`; the header
//! `Idempotency-Key` is `<account>:<event id>`, so a receiver drops the
//! copies at-least-once brings: each instance delivers from the oldest
//! event kept when it starts, so a restart, or several instances, deliver
//! an event again. Dead letters live in the process (lost with it; the
//! events themselves stay in `GET /v1/events`).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chatroute_runtime::AssignmentState;

use crate::api::{DeadLetter, NotifyStatus};
use crate::handlers::event_body;
use crate::{App, now};

/// Dead letters kept per account (the oldest dropped first).
pub(crate) const DEAD_KEPT: usize = 1000;

/// The deliveries of every account.
pub(crate) struct Notifier {
    url: String,
    agent: ureq::Agent,
    attempts: u32,
    outboxes: Mutex<HashMap<String, Outbox>>,
    delivered: AtomicU64,
    failed_attempts: AtomicU64,
}

/// One account's deliveries.
#[derive(Default)]
struct Outbox {
    /// The last event taken or dead-lettered: the next look starts after it.
    after: Option<String>,
    /// A task delivers for the account.
    running: bool,
    /// The error of the delivery being retried, if one is.
    retrying: Option<String>,
    dead: VecDeque<DeadLetter>,
    /// Dead letters to deliver again, before the next new event.
    replay: VecDeque<DeadLetter>,
}

impl Notifier {
    pub(crate) fn new(url: String, attempts: u32) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(5)))
            .build()
            .into();
        Notifier {
            url,
            agent,
            attempts: attempts.max(1),
            outboxes: Mutex::default(),
            delivered: AtomicU64::new(0),
            failed_attempts: AtomicU64::new(0),
        }
    }

    fn outbox<T>(&self, account: &str, f: impl FnOnce(&mut Outbox) -> T) -> T {
        let mut outboxes = self.outboxes.lock().unwrap_or_else(|p| p.into_inner());
        f(outboxes.entry(account.to_owned()).or_default())
    }

    /// What `GET .../notify` shows of an account.
    pub(crate) fn status(&self, account: &str) -> NotifyStatus {
        self.outbox(account, |o| NotifyStatus {
            delivered_through: o.after.clone(),
            retrying: o.retrying.clone(),
            dead_letters: o.dead.iter().cloned().collect(),
        })
    }

    /// Queues every dead letter of the account for delivery again; how many.
    pub(crate) fn replay(&self, account: &str) -> usize {
        self.outbox(account, |o| {
            let n = o.dead.len();
            o.replay.extend(o.dead.drain(..));
            n
        })
    }

    /// The notify lines of the Prometheus text.
    pub(crate) fn render(&self, out: &mut String, label: impl Fn(&str) -> String) {
        use std::fmt::Write;
        out.push_str("# HELP chatroute_notify_delivered_total Events the --notify receiver took.\n");
        out.push_str("# TYPE chatroute_notify_delivered_total counter\n");
        let _ = writeln!(out, "chatroute_notify_delivered_total {}", self.delivered.load(Ordering::Relaxed));
        out.push_str("# HELP chatroute_notify_failed_attempts_total Deliveries the receiver did not take.\n");
        out.push_str("# TYPE chatroute_notify_failed_attempts_total counter\n");
        let _ =
            writeln!(out, "chatroute_notify_failed_attempts_total {}", self.failed_attempts.load(Ordering::Relaxed));
        out.push_str("# HELP chatroute_notify_dead_letters Events given up on, per account, until replayed.\n");
        out.push_str("# TYPE chatroute_notify_dead_letters gauge\n");
        let outboxes = self.outboxes.lock().unwrap_or_else(|p| p.into_inner());
        let mut accounts: Vec<(&String, usize)> = outboxes.iter().map(|(a, o)| (a, o.dead.len())).collect();
        accounts.sort();
        for (account, dead) in accounts {
            let _ = writeln!(out, "chatroute_notify_dead_letters{{account=\"{}\"}} {dead}", label(account));
        }
    }

    /// Delivers one event, trying up to `attempts` times: `Err` with the
    /// last reason when the receiver never took it.
    async fn deliver(&self, account: &str, key: &str, body: &str) -> Result<(), String> {
        let (mut pause, mut attempt) = (Duration::from_millis(200), 1);
        loop {
            let sent = self.post(key, body).await;
            let counter = if sent.is_ok() { &self.delivered } else { &self.failed_attempts };
            counter.fetch_add(1, Ordering::Relaxed);
            let why = match sent {
                Err(why) if attempt < self.attempts => why,
                done => {
                    self.outbox(account, |o| o.retrying = None);
                    return done;
                }
            };
            self.outbox(account, |o| o.retrying = Some(why));
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(5));
            attempt += 1;
        }
    }

    async fn post(&self, key: &str, body: &str) -> Result<(), String> {
        let (agent, url, key, body) = (self.agent.clone(), self.url.clone(), key.to_owned(), body.to_owned());
        tokio::task::spawn_blocking(move || {
            let response = agent
                .post(&url)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", &key)
                .send(body.as_str())
                .map_err(|e| e.to_string())?;
            let status = response.status();
            if status.is_success() { Ok(()) } else { Err(format!("the receiver answered {status}")) }
        })
        .await
        .unwrap_or_else(|e| Err(e.to_string()))
    }

    /// The event given up on: a dead letter, the oldest dropped past the bound.
    fn bury(&self, account: &str, letter: DeadLetter) {
        self.outbox(account, |o| {
            o.dead.push_back(letter);
            while o.dead.len() > DEAD_KEPT {
                o.dead.pop_front();
            }
        });
    }
}

/// Every `tick`, starts a delivery task for each account served that has
/// none.
pub(crate) async fn deliver<S: AssignmentState + 'static>(app: Arc<App<S>>, notifier: Arc<Notifier>) {
    let mut tick = tokio::time::interval(app.opts.tick);
    loop {
        tick.tick().await;
        let accounts: Vec<String> = app.tables().all().map(|a| a.router.table().account.clone()).collect();
        for account in accounts {
            let start = notifier.outbox(&account, |o| !std::mem::replace(&mut o.running, true));
            if start {
                tokio::spawn(deliver_account(app.clone(), notifier.clone(), account));
            }
        }
    }
}

/// One account's deliveries, until its table ends: replays first, then
/// the events after the last one taken.
async fn deliver_account<S: AssignmentState + 'static>(app: Arc<App<S>>, notifier: Arc<Notifier>, account: String) {
    loop {
        let Some(active) = app.tables().account(&account).cloned() else { break };
        while let Some(letter) = notifier.outbox(&account, |o| o.replay.pop_front()) {
            let key = format!("{account}:{}", letter.event);
            if let Err(error) = notifier.deliver(&account, &key, &letter.body).await {
                notifier.bury(&account, DeadLetter { error, at: now(), ..letter });
            }
        }
        let after = notifier.outbox(&account, |o| o.after.clone());
        let events = active.router.events(after.as_deref(), 100).await.unwrap_or_default();
        if events.is_empty() {
            tokio::time::sleep(app.opts.tick).await;
            continue;
        }
        for event in events {
            let body = serde_json::json!({ "account": account, "event": event_body(&event) }).to_string();
            let key = format!("{account}:{}", event.id);
            if let Err(error) = notifier.deliver(&account, &key, &body).await {
                let attempts = notifier.attempts;
                notifier.bury(&account, DeadLetter { event: event.id.clone(), body, attempts, error, at: now() });
            }
            notifier.outbox(&account, |o| o.after = Some(event.id));
        }
    }
    notifier.outbox(&account, |o| o.running = false);
}
