//! The webhooks the integration receives, and what it shows of itself:
//! `POST /v1/wazzup/{account}` (Wazzup's messages), `POST
//! /v1/amocrm/{account}` (amoCRM's changes of deals), `GET
//! /v1/accounts/{account}/connect` (its health and dead letters) and
//! `POST /v1/accounts/{account}/connect/replay`. Failures are `Refusal`s,
//! mapped to statuses in one place.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chatroute_runtime::{AssignmentState, RouteError};
use chatroute_serve::{Service, bearer, constant_time_eq, error};
use serde_json::json;

use crate::Connect;
use crate::store::{Dialog, Store, StoreError, Work};
use crate::wazzup::Webhook;

type Shared<S, St> = State<(Arc<Connect<St>>, Service<S>)>;

/// Why a request is refused.
enum Refusal {
    UnknownAccount(String),
    Unauthorized,
    BadBody(String),
    /// The account's table is not active (yet): Wazzup tries again.
    NoTable(String),
    State(StoreError),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            Refusal::UnknownAccount(a) => {
                (StatusCode::NOT_FOUND, "unknown_account", format!("no account `{a}` in the integration"))
            }
            Refusal::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "a valid `key` or `Authorization: Bearer` secret is needed".into(),
            ),
            Refusal::BadBody(why) => (StatusCode::BAD_REQUEST, "bad_request", why),
            Refusal::NoTable(a) => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable", format!("the table of `{a}` is not serving"))
            }
            Refusal::State(err) => (StatusCode::SERVICE_UNAVAILABLE, "state_unavailable", err.to_string()),
        };
        let mut response = error(status, code, message);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        }
        response
    }
}

pub(crate) fn routes<S: AssignmentState + 'static, St: Store>(
    connect: Arc<Connect<St>>,
    service: Service<S>,
) -> axum::Router {
    axum::Router::new()
        .route("/v1/wazzup/{account}", post(wazzup::<S, St>))
        .route("/v1/amocrm/{account}", post(amocrm::<S, St>))
        .route("/v1/accounts/{account}/connect", get(health::<S, St>))
        .route("/v1/accounts/{account}/connect/replay", post(replay::<S, St>))
        .with_state((connect, service))
}

impl<St: Store> Connect<St> {
    /// The account, if the request carries its webhook secret (`?key=` or
    /// a bearer token), compared in constant time.
    fn authorized(&self, account: &str, query: &HashMap<String, String>, headers: &HeaderMap) -> Result<(), Refusal> {
        let (_, config) = self.accounts.get(account).ok_or_else(|| Refusal::UnknownAccount(account.to_owned()))?;
        let from_header = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(bearer);
        let given = query.get("key").map(String::as_str).or(from_header).unwrap_or("");
        match constant_time_eq(given.as_bytes(), config.webhook_secret.expose().as_bytes()) {
            true => Ok(()),
            false => Err(Refusal::Unauthorized),
        }
    }
}

async fn wazzup<S: AssignmentState + 'static, St: Store>(
    State((connect, service)): Shared<S, St>,
    Allowed(account): Allowed,
    body: Bytes,
) -> Result<Response, Refusal> {
    let hook = Webhook::parse(&body).map_err(|e| Refusal::BadBody(e.to_string()))?;
    if hook.test || hook.messages.is_empty() {
        return Ok(Json(json!({ "ok": true })).into_response());
    }
    let table = service.table(&account).ok_or_else(|| Refusal::NoTable(account.clone()))?;
    let (ours, others): (Vec<_>, Vec<_>) =
        hook.messages.into_iter().partition(|m| table.router.channel_id(&m.channel_id).is_ok());
    let ours: Vec<Work> = ours.into_iter().map(|m| Work::Message(Box::new(m))).collect();
    let queued = connect.store.enqueue(&account, &ours).await.map_err(Refusal::State)?;
    let duplicates = ours.len() - queued;
    connect.board.update(&account, |h| {
        h.queued += queued as u64;
        h.duplicates += duplicates as u64;
        h.ignored += others.len() as u64;
    });
    if queued > 0
        && let Some(wake) = connect.wake.get(&account)
    {
        wake.notify_one();
    }
    Ok(Json(json!({ "queued": queued, "duplicates": duplicates, "ignored": others.len() })).into_response())
}

/// amoCRM's webhook: deals won, lost or deleted there are closed in the
/// runtime (their member's count freed, their timers stopped); a deal a
/// person handed to someone becomes theirs there (its client following
/// them). Deals chatroute did not create, or of an earlier round of their
/// dialog, are left alone.
async fn amocrm<S: AssignmentState + 'static, St: Store>(
    State((connect, service)): Shared<S, St>,
    Allowed(account): Allowed,
    body: Bytes,
) -> Result<Response, Refusal> {
    let changes = crate::crm_hook::changes(&body).map_err(Refusal::BadBody)?;
    let table = service.table(&account).ok_or_else(|| Refusal::NoTable(account.clone()))?;
    let router = &table.router;
    let (mut closed, mut handed) = (0, 0);
    for deal in changes.closed {
        let Some((key, dialog)) = connect.dialog_of(&account, deal).await? else { continue };
        state(router.close_deal(&dialog.runtime_id(&key)).await)?;
        closed += 1;
    }
    for (deal, user) in changes.responsible {
        let Some((key, dialog)) = connect.dialog_of(&account, deal).await? else { continue };
        let employees = &router.table().employees;
        let Some((handle, _)) = employees.iter().find(|(_, e)| e.crm_user == Some(user)) else { continue };
        let runtime_id = dialog.runtime_id(&key);
        state(router.hand_over(&runtime_id, handle, dialog.chat.as_deref()).await)?;
        handed += 1;
    }
    Ok(Json(json!({ "closed": closed, "handed_over": handed })).into_response())
}

/// A runtime answer whose only failure that matters here is the state's.
fn state<T>(answer: Result<T, RouteError>) -> Result<(), Refusal> {
    match answer {
        Err(RouteError::State(err)) => Err(Refusal::State(err.into())),
        _ => Ok(()),
    }
}

impl<St: Store> Connect<St> {
    /// The dialog whose current deal is `deal`.
    async fn dialog_of(&self, account: &str, deal: u64) -> Result<Option<(String, Dialog)>, Refusal> {
        let Some(key) = self.store.dialog_of(account, deal).await.map_err(Refusal::State)? else { return Ok(None) };
        let dialog = self.store.dialog(account, &key).await.map_err(Refusal::State)?;
        Ok((dialog.deal == Some(deal)).then_some((key, dialog)))
    }
}

/// The account of a request to the integration (`/v1/<what>/{account}...`),
/// its webhook secret checked.
struct Allowed(String);

impl<S: AssignmentState + 'static, St: Store> FromRequestParts<(Arc<Connect<St>>, Service<S>)> for Allowed {
    type Rejection = Refusal;

    async fn from_request_parts(
        parts: &mut Parts,
        (connect, _): &(Arc<Connect<St>>, Service<S>),
    ) -> Result<Self, Refusal> {
        let account = parts.uri.path().split('/').nth(3).unwrap_or_default();
        let query: HashMap<String, String> = Query::try_from_uri(&parts.uri).map(|Query(q)| q).unwrap_or_default();
        connect.authorized(account, &query, &parts.headers)?;
        Ok(Allowed(account.to_owned()))
    }
}

/// The account's health, its queue's depth, the notes waiting for their
/// period's end and the dead letters.
async fn health<S: AssignmentState + 'static, St: Store>(
    State((connect, _)): Shared<S, St>,
    Allowed(account): Allowed,
) -> Result<Response, Refusal> {
    let depth = connect.store.depth(&account).await.map_err(Refusal::State)?;
    let letters = connect.store.dead_letters(&account).await.map_err(Refusal::State)?;
    let by_due = connect.store.notes_pending(&account).await.map_err(Refusal::State)?;
    let notes: u64 = by_due.iter().map(|(_, n)| n).sum();
    // Each period's notes: when they are due (RFC 3339, UTC), how many.
    let due = |ms: i64| jiff::Timestamp::from_millisecond(ms).map(|t| t.to_string()).unwrap_or_default();
    let periods: Vec<_> = by_due.iter().map(|(at, n)| json!({ "due": due(*at), "notes": n })).collect();
    let health = connect.board.get(&account);
    let body = json!({
        "account": account, "health": health, "queue_depth": depth,
        "notes_pending": notes, "notes_by_period": periods, "dead_letters": letters,
    });
    Ok(Json(body).into_response())
}

/// Queues every dead letter's message again (after the cause is fixed).
async fn replay<S: AssignmentState + 'static, St: Store>(
    State((connect, _)): Shared<S, St>,
    Allowed(account): Allowed,
) -> Result<Response, Refusal> {
    let replayed = connect.store.replay(&account).await.map_err(Refusal::State)?;
    if let Some(wake) = connect.wake.get(&account) {
        wake.notify_one();
    }
    Ok(Json(json!({ "replayed": replayed })).into_response())
}
