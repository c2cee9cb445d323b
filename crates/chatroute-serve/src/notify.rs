//! `serve --notify URL`: every event of every table POSTed to the URL, at
//! least once, in order per account: a delivery that fails (no answer, or
//! not 2xx) is retried with backoff (0.2 s doubling to 5 s) until it is
//! taken, and the next waits for it. The body is the event of
//! `GET /v1/events` with its `account`; the header `Idempotency-Key` is
//! `<account>:<event id>`, so a receiver drops the copies at-least-once
//! brings: each instance delivers from the oldest event kept when it
//! starts, so a restart, or several instances, deliver an event again.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chatroute_runtime::AssignmentState;

use crate::App;
use crate::handlers::event_body;

pub async fn deliver<S: AssignmentState + 'static>(app: Arc<App<S>>, url: String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .into();
    let mut after: HashMap<String, String> = HashMap::new();
    let mut tick = tokio::time::interval(app.opts.tick);
    loop {
        tick.tick().await;
        let tables: Vec<_> = app.tables().all().cloned().collect();
        for active in tables {
            let account = active.router.table().account.clone();
            let Ok(events) = active.router.events(after.get(&account).map(String::as_str), 100).await else { continue };
            for event in events {
                let body = serde_json::json!({ "account": account, "event": event_body(&event) }).to_string();
                post_until_taken(&agent, &url, &format!("{account}:{}", event.id), body).await;
                after.insert(account.clone(), event.id);
            }
        }
    }
}

/// POSTs until a 2xx answer, backing off between tries.
async fn post_until_taken(agent: &ureq::Agent, url: &str, key: &str, body: String) {
    let mut pause = Duration::from_millis(200);
    loop {
        let (agent, url, key, body) = (agent.clone(), url.to_owned(), key.to_owned(), body.clone());
        let sent = tokio::task::spawn_blocking(move || {
            let response = agent
                .post(&url)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", &key)
                .send(body.as_str());
            response.is_ok_and(|r| r.status().is_success())
        })
        .await
        .unwrap_or(false);
        if sent {
            return;
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(5));
    }
}
