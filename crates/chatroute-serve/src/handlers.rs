//! The endpoints: each reads its request, asks the active table's router
//! (awaiting the state: Redis calls share multiplexed connections, no
//! thread waits on them) and answers JSON or an `ApiError`.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chatroute_runtime::{AssignmentState, Claim, DealRequest, NewDeal, RouteError, StateError};

use crate::App;
use crate::api::*;
use crate::error::ApiError;
use crate::extract::{JsonBody, Params, Table};

type AppState<S> = State<Arc<App<S>>>;

#[derive(serde::Deserialize)]
pub(crate) struct HandleParam {
    handle: String,
}

#[derive(serde::Deserialize)]
pub(crate) struct DealParam {
    deal: String,
}

fn deal_response(d: NewDeal<'_>) -> DealResponse {
    DealResponse {
        channel: d.channel.to_owned(),
        pipeline: d.pipeline.clone(),
        stage: d.stage.clone(),
        responsible: match d.responsible {
            chatroute_runtime::Responsible::Employee(h) => Responsible::Employee { employee: h.to_owned() },
            chatroute_runtime::Responsible::FirstOf(g) => {
                Responsible::FirstOf { first_of: g.iter().map(|h| (*h).to_owned()).collect() }
            }
            chatroute_runtime::Responsible::Unassigned => Responsible::Unassigned { unassigned: true },
        },
        ticket: d.ticket,
        deal: None,
    }
}

pub(crate) async fn deals<S: AssignmentState + 'static>(
    State(app): AppState<S>,
    Table(active): Table<S>,
    JsonBody(request): JsonBody<crate::api::DealRequest>,
) -> Result<Json<DealResponse>, ApiError> {
    let Some(channel) = request.channel.or(request.wazzup_channel) else {
        return Err(ApiError::BadRequest("give `channel` or `wazzup_channel`".into()));
    };
    let started = Instant::now();
    // Across many accounts, channel labels would not stay bounded.
    let label = if app.fleet { "*" } else { active.router.channel_id(&channel).unwrap_or("unknown") };
    let decision = DealRequest {
        channel: &channel,
        deal: request.deal.as_deref(),
        contact: request.contact.as_deref(),
        owner: request.owner.as_deref(),
        at: None,
    };
    let decision = active.router.decide(&decision).await.map(deal_response).map_err(ApiError::from);
    let outcome = match &decision {
        Ok(d) if matches!(d.responsible, Responsible::Unassigned { .. }) => "unassigned",
        Ok(_) => "ok",
        Err(ApiError::Route(RouteError::State(_))) => "state_error",
        Err(e) => e.status_and_code().1,
    };
    app.metrics.decision(label, outcome, started.elapsed());
    let mut decision = decision?;
    decision.deal = request.deal;
    Ok(Json(decision))
}

pub(crate) async fn claims<S: AssignmentState + 'static>(
    Table(active): Table<S>,
    JsonBody(request): JsonBody<ClaimRequest>,
) -> Result<Json<ClaimResponse>, ApiError> {
    let claim = active.router.claim(&request.channel, &request.dialog, &request.employee).await?;
    Ok(Json(match claim {
        Claim::Won => ClaimResponse { won: true, winner: None },
        Claim::Lost { winner } => ClaimResponse { won: false, winner: Some(winner) },
    }))
}

pub(crate) async fn access<S: AssignmentState + 'static>(
    Table(active): Table<S>,
    Params(q): Params<AccessQuery>,
) -> Result<Json<AccessResponse>, ApiError> {
    let router = &active.router;
    let channel = router.channel_id(&q.channel)?;
    router.employee(&q.employee)?;
    Ok(Json(AccessResponse {
        level: router.level(&q.employee, channel),
        default_outgoing: router.default_outgoing(&q.employee).map(str::to_owned),
    }))
}

pub(crate) async fn employee<S: AssignmentState + 'static>(
    Table(active): Table<S>,
    Path(HandleParam { handle }): Path<HandleParam>,
) -> Result<Json<EmployeeResponse>, ApiError> {
    let e = active.router.employee(&handle)?;
    let chat = &active.router.table().global_chat;
    Ok(Json(EmployeeResponse {
        name: e.name.clone(),
        crm_user: e.crm_user,
        default_outgoing: e.default_outgoing.clone(),
        levels: e.access.clone(),
        global_chat: ChatView { visibility: chat.visibility, admin: chat.admins.contains(&handle) },
        handle,
    }))
}

pub(crate) async fn availability<S: AssignmentState + 'static>(
    Table(active): Table<S>,
    Path(HandleParam { handle }): Path<HandleParam>,
    JsonBody(AvailabilityRequest { available }): JsonBody<AvailabilityRequest>,
) -> Result<Json<AvailabilityResponse>, ApiError> {
    active.router.set_available(&handle, available).await?;
    Ok(Json(AvailabilityResponse { employee: handle, available }))
}

pub(crate) async fn close<S: AssignmentState + 'static>(
    Table(active): Table<S>,
    Path(DealParam { deal }): Path<DealParam>,
) -> Result<Json<CloseResponse>, ApiError> {
    let employee = active.router.close_deal(&deal).await?;
    Ok(Json(CloseResponse { deal, closed: true, counted: employee.is_some(), employee }))
}

pub(crate) async fn reply<S: AssignmentState + 'static>(
    Table(active): Table<S>,
    Path(DealParam { deal }): Path<DealParam>,
    JsonBody(ReplyRequest { employee }): JsonBody<ReplyRequest>,
) -> Result<Json<ReplyResponse>, ApiError> {
    let stopped = active.router.reply(&deal, &employee).await?;
    Ok(Json(ReplyResponse { deal, employee, stopped }))
}

/// The events after `after`; with none yet and `wait` (at most 8 s, below
/// the request deadline), asks again every 100 ms until one comes or the
/// wait ends: a long poll.
pub(crate) async fn events<S: AssignmentState + 'static>(
    Table(active): Table<S>,
    Params(q): Params<EventsQuery>,
) -> Result<Json<EventsResponse>, ApiError> {
    if q.wait.is_some_and(|w| w > 8) {
        return Err(ApiError::BadRequest("`wait` is at most 8 seconds".into()));
    }
    // A table that can make no event (no timers, nobody ever waits)
    // answers at once.
    let wait = if active.router.makes_events() { u64::from(q.wait.unwrap_or(0)) } else { 0 };
    let wait = std::time::Duration::from_secs(wait);
    let started = Instant::now();
    loop {
        let events = active.router.events(q.after.as_deref(), 100).await?;
        if !events.is_empty() || started.elapsed() >= wait {
            let next = events.last().map(|e| e.id.clone()).or(q.after);
            return Ok(Json(EventsResponse { events: events.iter().map(event_body).collect(), next }));
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// `--notify`'s deliveries of the account.
pub(crate) async fn notify<S: AssignmentState + 'static>(
    State(app): AppState<S>,
    Table(active): Table<S>,
) -> Result<Json<NotifyStatus>, ApiError> {
    let notifier = app.notifier.as_ref().ok_or(ApiError::NotifyOff)?;
    Ok(Json(notifier.status(&active.router.table().account)))
}

/// The account's dead letters delivered again, in order.
pub(crate) async fn replay<S: AssignmentState + 'static>(
    State(app): AppState<S>,
    Table(active): Table<S>,
) -> Result<Json<ReplayResponse>, ApiError> {
    let notifier = app.notifier.as_ref().ok_or(ApiError::NotifyOff)?;
    Ok(Json(ReplayResponse { replayed: notifier.replay(&active.router.table().account) }))
}

pub(crate) fn event_body(e: &chatroute_runtime::Event) -> EventBody {
    let at = chatroute_runtime::Timestamp::from_millisecond(e.at_ms as i64).map(|t| t.to_string()).unwrap_or_default();
    EventBody {
        id: e.id.clone(),
        kind: e.kind.as_str().to_owned(),
        deal: e.deal.clone(),
        channel: e.channel.clone(),
        from: e.from.clone(),
        to: e.to.clone(),
        at,
    }
}

pub(crate) async fn table<S: AssignmentState + 'static>(
    State(app): AppState<S>,
    Table(active): Table<S>,
) -> Json<TableStatus> {
    Json(TableStatus {
        hash: active.hash.clone(),
        generator: active.generator.clone(),
        path: active.file.display().to_string(),
        loaded_at: active.loaded_at,
        last_reload_error: app.tables().last_error(&active),
    })
}

/// `serve DIR`: every account served, and the files refused before they
/// ever loaded.
pub(crate) async fn accounts<S: AssignmentState + 'static>(State(app): AppState<S>) -> Json<AccountsResponse> {
    Json(AccountsResponse { accounts: app.tables().statuses() })
}

/// Ready: every table present has been read once (before the first
/// request: `run` reads them all) and the state answers. A refused file
/// shows in the detail; it does not make the service unready.
pub(crate) async fn readyz<S: AssignmentState + 'static>(State(app): AppState<S>) -> Result<Response, ApiError> {
    let (statuses, waiting) = {
        let tables = app.tables();
        (tables.statuses(), tables.waiting().into_iter().cloned().collect::<Vec<_>>())
    };
    let hash = if app.fleet { format!("{} tables", statuses.len()) } else { app.table_for(None)?.hash.clone() };
    let mut answered = app.state.ping().await.map_err(|e| ApiError::Route(RouteError::State(e)));
    if answered.is_ok() && !waiting.is_empty() {
        let why = format!("tables waiting for the state: {}", waiting.join(", "));
        answered = Err(ApiError::Route(RouteError::State(StateError::Unavailable(why))));
    }
    let refused: Vec<String> =
        statuses.iter().filter_map(|s| s.last_reload_error.as_ref().map(|e| e.message.clone())).collect();
    let detail = (!refused.is_empty()).then(|| format!("last reload refused: {}", refused.join("; ")));
    Ok(match answered {
        Ok(()) => Json(Readiness { ready: true, table: hash, detail }).into_response(),
        Err(ApiError::Route(err)) => {
            let body = Readiness { ready: false, table: hash, detail: Some(err.to_string()) };
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
        Err(other) => return Err(other),
    })
}

pub(crate) async fn metrics<S: AssignmentState + 'static>(State(app): AppState<S>) -> Response {
    let hash = if app.fleet { String::new() } else { app.table_for(None).map(|a| a.hash.clone()).unwrap_or_default() };
    let mut text = app.metrics.render(&hash);
    if let Some(notifier) = &app.notifier {
        notifier.render(&mut text, crate::metrics::label);
    }
    app.extension.metrics(&mut text);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}
