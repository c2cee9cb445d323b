//! The service's request and response bodies. They are the single source of
//! the OpenAPI document (`openapi.rs`), as the spec types are of the spec's
//! JSON Schema.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use chatroute_table::keywords::{Level, NameOrId, Visibility};

/// A deal or dialog id as the state keeps it (`runtime::check_id`): 1 to
/// 64 characters, no control characters.
pub const ID_PATTERN: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]{1,64}$";

/// `POST /v1/deals`: a new deal on a channel, named by its id or its
/// Wazzup `channelId` (one of the two; `channel` wins when both are given).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [{ "required": ["channel"] }, { "required": ["wazzup_channel"] }]))]
#[schemars(transform = absent_not_null)]
pub struct DealRequest {
    /// The channel's id in the table.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "String", example = &"wa-retail")]
    pub channel: Option<String>,
    /// The channel's Wazzup `channelId`, instead of `channel`.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "String")]
    pub wazzup_channel: Option<String>,
    /// The caller's id of the deal, echoed back; required on channels with
    /// open-deal limits.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "String", regex(pattern = ID_PATTERN), example = &"4711")]
    pub deal: Option<String>,
    /// The client's stable id (a phone, a Wazzup `chatId`): with
    /// `returning_clients = "owner"`, their owner gets the deal when they
    /// can take it, and whoever gets it becomes their owner.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "String", regex(pattern = ID_PATTERN), example = &"79161234567")]
    pub contact: Option<String>,
    /// The client's owner as the caller knows it (the CRM contact's
    /// responsible, by handle); without it, the employee chatroute gave
    /// the client's last deal.
    #[serde(default, deserialize_with = "present")]
    #[schemars(with = "String", example = &"bruce")]
    pub owner: Option<String>,
}

/// An optional string that, when present, is a string: `null` is refused
/// as the document says (absent is the way to leave it out).
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    String::deserialize(deserializer).map(Some)
}

/// Optional fields are absent, never `null`: no `"default": null` beside a
/// string type.
fn absent_not_null(schema: &mut schemars::Schema) {
    let properties = schema.get_mut("properties").and_then(serde_json::Value::as_object_mut);
    for property in properties.into_iter().flat_map(|p| p.values_mut()) {
        if let Some(property) = property.as_object_mut()
            && property.get("default") == Some(&serde_json::Value::Null)
        {
            property.remove("default");
        }
    }
}

/// Where a new deal goes and who is responsible.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct DealResponse {
    /// The table's id of the channel.
    pub channel: String,
    pub pipeline: NameOrId,
    pub stage: NameOrId,
    pub responsible: Responsible,
    /// Round robin: the ticket taken (position = ticket mod cycle length).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<u64>,
    /// The request's `deal`, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deal: Option<String>,
}

/// Who is responsible for a new deal.
#[derive(Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(untagged)]
pub enum Responsible {
    /// Round robin: this employee.
    Employee {
        /// Employee handle.
        employee: String,
    },
    /// First responder: whoever of these answers first (`POST /v1/claims`).
    FirstOf {
        /// Employee handles.
        first_of: Vec<String>,
    },
    /// Nobody can take it now (`when_nobody = "unassigned"`): a dialog
    /// without a responsible in the global chat.
    Unassigned {
        /// Always `true`.
        unassigned: bool,
    },
}

/// `PUT /v1/employees/{handle}/availability`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AvailabilityRequest {
    /// `false`: skipped where `skip_unavailable` is on, until `true`.
    pub available: bool,
}

/// The availability as set.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct AvailabilityResponse {
    pub employee: String,
    pub available: bool,
}

/// `POST /v1/deals/{deal}/close`: the deal no longer counts against its
/// employee's `max_open`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct CloseResponse {
    pub deal: String,
    /// Always `true`: the deal is closed as far as chatroute is concerned
    /// (a close is never refused; asking again is harmless).
    pub closed: bool,
    /// Whether chatroute counted the deal open, so the close freed a place
    /// and stopped its timer. `false`: nothing was counted (a channel
    /// without `max_open` or timers, a deal id chatroute never decided, or
    /// one closed before).
    pub counted: bool,
    /// Who had it, when it was counted.
    pub employee: Option<String>,
}

/// `POST /v1/deals/{deal}/reply`: a manager replied in the deal's dialog
/// (a Wazzup webhook with `isEcho: true`, say): its timer stops.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    /// Who replied, by handle.
    #[schemars(example = &"bruce")]
    pub employee: String,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ReplyResponse {
    pub deal: String,
    pub employee: String,
    /// Whether the deal was waiting for a reply (its timer stopped).
    pub stopped: bool,
}

/// `GET /v1/events`: where to start, how long to wait for one.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// The `next` of the previous answer; absent: from the oldest event kept.
    pub after: Option<String>,
    /// Seconds to wait for an event when there is none yet (long poll; at
    /// most 8).
    pub wait: Option<u32>,
}

/// A change of responsible.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct EventBody {
    /// Increasing; also the idempotency key of `--notify` deliveries.
    pub id: String,
    /// `reassigned` (an unanswered deal passed on) or `assigned` (a deal
    /// that waited for someone).
    #[serde(rename = "type")]
    pub kind: String,
    pub deal: String,
    pub channel: String,
    /// Who had the deal (`reassigned`); absent for `assigned`.
    pub from: Option<String>,
    pub to: String,
    /// RFC 3339.
    pub at: String,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct EventsResponse {
    pub events: Vec<EventBody>,
    /// The cursor for the next call (`after`); absent while there is none.
    pub next: Option<String>,
}

/// `POST /v1/claims`: an employee answers a first-responder dialog.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimRequest {
    /// The channel's id (or Wazzup `channelId`).
    #[schemars(example = &"wa-wholesale")]
    pub channel: String,
    /// The dialog (or deal) being claimed.
    #[schemars(regex(pattern = ID_PATTERN), example = &"dialog-17")]
    pub dialog: String,
    /// Employee handle.
    #[schemars(example = &"w1")]
    pub employee: String,
}

/// The first claimant wins; every later one learns the winner.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ClaimResponse {
    pub won: bool,
    /// The winner, when it is someone else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub winner: Option<String>,
}

/// `GET /v1/access?channel=&employee=`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct AccessQuery {
    /// The channel's id (or Wazzup `channelId`).
    pub channel: String,
    /// Employee handle.
    pub employee: String,
}

/// An employee's access on a channel.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct AccessResponse {
    pub level: Level,
    /// The channel the employee writes first from (any channel).
    pub default_outgoing: Option<String>,
}

/// `GET /v1/employees/{handle}`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct EmployeeResponse {
    pub handle: String,
    pub name: String,
    /// amoCRM user id, when the table was compiled with `--crm`.
    pub crm_user: Option<u64>,
    pub default_outgoing: Option<String>,
    /// Level per routed channel; absent means `none`.
    pub levels: BTreeMap<String, Level>,
    pub global_chat: ChatView,
}

/// What the employee sees in the global chat.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ChatView {
    pub visibility: Visibility,
    /// A chat admin sees every dialog of readable channels.
    pub admin: bool,
}

/// `GET /v1/table`: the active table and the last reload.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct TableStatus {
    /// `sha256:<hex>` of the active table's body.
    pub hash: String,
    pub generator: String,
    pub path: String,
    /// When the active table was activated (Unix seconds).
    pub loaded_at: u64,
    /// The last refused reload since then, if any.
    pub last_reload_error: Option<ReloadError>,
}

/// `GET /v1/accounts` (`serve DIR`): every account served and every table
/// file refused before it ever loaded.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct AccountsResponse {
    pub accounts: Vec<AccountStatus>,
}

/// One account of a directory of tables.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct AccountStatus {
    /// `null` for a file that never loaded.
    pub account: Option<String>,
    /// `sha256:<hex>` of the active table's body.
    pub hash: Option<String>,
    /// When the active table was activated (Unix seconds).
    pub loaded_at: Option<u64>,
    pub file: String,
    /// The file's last refused reload since then, if any.
    pub last_reload_error: Option<ReloadError>,
}

/// `GET /v1/notify` (`serve --notify`): how the account's deliveries go.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct NotifyStatus {
    /// The last event the receiver took or that was given up on.
    pub delivered_through: Option<String>,
    /// Why the delivery being tried again failed, while one is.
    pub retrying: Option<String>,
    /// Events given up on after every attempt, oldest first, until
    /// replayed.
    pub dead_letters: Vec<DeadLetter>,
}

/// An event the receiver did not take.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DeadLetter {
    /// The event's id (`Idempotency-Key` is `<account>:<id>`).
    pub event: String,
    pub attempts: u32,
    /// The last attempt's failure.
    pub error: String,
    /// When it was given up on (Unix seconds).
    pub at: u64,
    /// The body delivered (kept to deliver it again).
    #[serde(skip)]
    pub body: String,
}

/// `POST /v1/notify/replay`: the dead letters queued to be delivered again.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ReplayResponse {
    pub replayed: usize,
}

/// A refused table: the old one kept serving.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ReloadError {
    /// When (Unix seconds).
    pub at: u64,
    pub message: String,
}

/// `GET /readyz`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct Readiness {
    /// A verified table is active and the assignment state answers.
    pub ready: bool,
    pub table: String,
    /// Why not ready, or the last refused reload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Every error: `{"error": {"code", "message"}}`.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct ErrorDetail {
    /// Stable: `bad_request`, `bad_id`, `unauthorized`, `unknown_channel`,
    /// `unknown_employee`, `not_a_responder`, `claimant_unavailable`,
    /// `claimant_at_capacity`, `deal_conflict`, `state_unavailable`,
    /// `state_refused` (500: the state's URL, credentials or certificate),
    /// `state_layout` (500: run `chatroute state migrate`), `timeout`,
    /// `not_found`, `method_not_allowed`, `payload_too_large`,
    /// `headers_too_large`, `internal`. Only `state_unavailable` and
    /// `timeout` (503, `Retry-After`) are worth retrying.
    pub code: String,
    pub message: String,
}

impl crate::extract::QueryHint for EventsQuery {
    const HINT: &'static str = "`after` is an event id, `wait` seconds";
}

impl crate::extract::QueryHint for AccessQuery {
    const HINT: &'static str = "give `channel` and `employee`";
}
