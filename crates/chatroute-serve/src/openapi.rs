//! The OpenAPI 3.1 document of `chatroute serve`, generated from the
//! request and response types of `api` (schemars): the committed
//! docs/openapi.json is this document, which a test keeps true.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Value, json};

use crate::api::*;

/// One operation: method, path, summary, request body, success response.
struct Operation {
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    request: Option<Value>,
    query: &'static [(&'static str, &'static str)],
    response: Value,
    errors: &'static [(u16, &'static str)],
}

fn schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Value {
    generator.subschema_for::<T>().to_value()
}

/// The document, as pretty JSON with a final newline: of `serve TABLE`,
/// or with `accounts` of `serve DIR` (every decision endpoint under
/// `/v1/accounts/{account}/`, and `GET /v1/accounts`).
pub fn document(accounts: bool) -> String {
    let mut generator =
        SchemaSettings::draft2020_12().with(|s| s.definitions_path = "/components/schemas".into()).into_generator();
    let mut operations = operations(&mut generator);
    if accounts {
        operations.push(Operation {
            method: "get",
            path: "/v1/accounts",
            summary: "Every account served, with its table's hash, load time and last refused reload",
            request: None,
            query: &[],
            response: schema::<AccountsResponse>(&mut generator),
            errors: &[UNAUTHORIZED],
        });
    }
    let error = schema::<ErrorBody>(&mut generator);
    let mut paths = serde_json::Map::new();
    for op in operations {
        let path = match op.path.strip_prefix("/v1/") {
            Some(rest) if accounts && rest != "accounts" => format!("/v1/accounts/{{account}}/{rest}"),
            _ => op.path.to_owned(),
        };
        let method = op.method;
        paths.entry(path.clone()).or_insert_with(|| json!({}))[method] = operation(op, &path, &error);
    }
    let doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "chatroute serve",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Routing decisions of a compiled chatroute table over HTTP. Errors are {\"error\": {\"code\", \"message\"}}.",
        },
        "paths": paths,
        "components": {
            "schemas": generator.definitions(),
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "description": "only with --token-file" } },
        },
    });
    serde_json::to_string_pretty(&doc).expect("a JSON value serialises") + "\n"
}

// Errors several endpoints answer with.
const BAD_BODY: (u16, &str) = (400, "bad body or id (`bad_request`, `bad_id`)");
const UNAUTHORIZED: (u16, &str) = (401, "token missing or wrong");
const CONFLICT: (u16, &str) = (409, "deal held by an employee who is not a member here (`deal_conflict`)");
const STATE_DOWN: (u16, &str) = (503, "assignment state unreachable or the request took too long (Retry-After)");
const INTERNAL: (u16, &str) = (500, "a decision failed inside the service");

/// What every operation may answer, before its handler runs: a request
/// that is no valid HTTP or whose path does not decode, a method the path
/// does not have, a head or body over the limits, the request deadline.
const ANY: [(u16, &str); 5] = [
    (400, "not valid HTTP, or a path that does not decode (`bad_request`)"),
    (405, "method not allowed (`method_not_allowed`, with `Allow`)"),
    (413, "body over the limit (`payload_too_large`)"),
    (431, "request head over 16 KiB (`headers_too_large`)"),
    (503, "the request took too long (`timeout`, Retry-After)"),
];

/// Every endpoint, with the schemas of its bodies.
fn operations(generator: &mut SchemaGenerator) -> Vec<Operation> {
    let mut operations = decisions(generator);
    operations.extend(timers(generator));
    operations.extend(service(generator));
    operations
}

/// The routing decisions and the state they change.
fn decisions(generator: &mut SchemaGenerator) -> Vec<Operation> {
    vec![
        Operation {
            method: "post",
            path: "/v1/deals",
            summary: "Decide a new deal: pipeline, stage and responsible (round robin takes the next ticket)",
            request: Some(schema::<DealRequest>(generator)),
            query: &[],
            response: schema::<DealResponse>(generator),
            errors: &[BAD_BODY, UNAUTHORIZED, (404, "unknown channel"), CONFLICT, INTERNAL, STATE_DOWN],
        },
        Operation {
            method: "post",
            path: "/v1/claims",
            summary: "First responder: the first claimant of a dialog wins",
            request: Some(schema::<ClaimRequest>(generator)),
            query: &[],
            response: schema::<ClaimResponse>(generator),
            errors: &[
                BAD_BODY,
                UNAUTHORIZED,
                (404, "unknown channel"),
                (
                    409,
                    "not a first responder of the channel, a claimant who cannot take it now (`claimant_unavailable`, `claimant_at_capacity`), or `deal_conflict`",
                ),
                INTERNAL,
                STATE_DOWN,
            ],
        },
        Operation {
            method: "get",
            path: "/v1/access",
            summary: "An employee's access level on a channel and default outgoing channel",
            request: None,
            query: &[("channel", "channel id or Wazzup channelId"), ("employee", "employee handle")],
            response: schema::<AccessResponse>(generator),
            errors: &[(400, "missing parameter"), UNAUTHORIZED, (404, "unknown channel or employee")],
        },
        Operation {
            method: "get",
            path: "/v1/employees/{handle}",
            summary: "An employee's levels, default outgoing channel and global chat view",
            request: None,
            query: &[],
            response: schema::<EmployeeResponse>(generator),
            errors: &[UNAUTHORIZED, (404, "unknown employee")],
        },
        Operation {
            method: "put",
            path: "/v1/employees/{handle}/availability",
            summary: "Mark an employee available or not (skipped where skip_unavailable is on)",
            request: Some(schema::<AvailabilityRequest>(generator)),
            query: &[],
            response: schema::<AvailabilityResponse>(generator),
            errors: &[BAD_BODY, UNAUTHORIZED, (404, "unknown employee"), INTERNAL, STATE_DOWN],
        },
        Operation {
            method: "post",
            path: "/v1/deals/{deal}/close",
            summary: "A deal was closed: it no longer counts against its employee's max_open",
            request: None,
            query: &[],
            response: schema::<CloseResponse>(generator),
            errors: &[(400, "bad deal id (`bad_id`)"), UNAUTHORIZED, INTERNAL, STATE_DOWN],
        },
    ]
}

/// Unanswered deals and the events of what time does to deals.
fn timers(generator: &mut SchemaGenerator) -> Vec<Operation> {
    vec![
        Operation {
            method: "post",
            path: "/v1/deals/{deal}/reply",
            summary: "A manager replied in the deal's dialog: its reassign_after timer stops",
            request: Some(schema::<ReplyRequest>(generator)),
            query: &[],
            response: schema::<ReplyResponse>(generator),
            errors: &[BAD_BODY, UNAUTHORIZED, (404, "unknown employee"), INTERNAL, STATE_DOWN],
        },
        Operation {
            method: "get",
            path: "/v1/events",
            summary: "Reassignments and assignments of waiting deals, after a cursor (long poll with `wait`)",
            request: None,
            query: &[
                ("after", "the `next` of the previous answer; absent: from the oldest event kept"),
                ("wait", "seconds to wait for an event when there is none (at most 8)"),
            ],
            response: schema::<EventsResponse>(generator),
            errors: &[(400, "bad query"), UNAUTHORIZED, INTERNAL, STATE_DOWN],
        },
        Operation {
            method: "get",
            path: "/v1/notify",
            summary: "The --notify deliveries: the last event delivered, a retry under way, the dead letters",
            request: None,
            query: &[],
            response: schema::<NotifyStatus>(generator),
            errors: &[UNAUTHORIZED, (404, "started without --notify (`notify_off`)")],
        },
        Operation {
            method: "post",
            path: "/v1/notify/replay",
            summary: "Deliver the dead letters again, in order",
            request: None,
            query: &[],
            response: schema::<ReplayResponse>(generator),
            errors: &[UNAUTHORIZED, (404, "started without --notify (`notify_off`)")],
        },
    ]
}

/// The service itself: its table, readiness, liveness and metrics.
fn service(generator: &mut SchemaGenerator) -> Vec<Operation> {
    let text = json!({ "type": "string" });
    vec![
        Operation {
            method: "get",
            path: "/v1/table",
            summary: "The active table's hash and load time, and the last refused reload",
            request: None,
            query: &[],
            response: schema::<TableStatus>(generator),
            errors: &[UNAUTHORIZED],
        },
        Operation {
            method: "get",
            path: "/readyz",
            summary: "Ready: a verified table is active and the assignment state answers",
            request: None,
            query: &[],
            response: schema::<Readiness>(generator),
            errors: &[INTERNAL, (503, "not ready")],
        },
        Operation {
            method: "get",
            path: "/healthz",
            summary: "Alive",
            request: None,
            query: &[],
            response: text.clone(),
            errors: &[],
        },
        Operation {
            method: "get",
            path: "/metrics",
            summary: "Prometheus metrics (text format)",
            request: None,
            query: &[],
            response: text,
            errors: &[],
        },
    ]
}

/// A parameter's example, from the furniture example's table (what the
/// Schemathesis run of the tests serves).
fn example(parameter: &str) -> Value {
    match parameter {
        "account" => json!("mebel-plus"),
        "channel" => json!("wa-retail"),
        "deal" => json!("4711"),
        "after" => json!("1"),
        "wait" => json!(0),
        _ => json!("r1"),
    }
}

/// One operation's object: responses (errors share `ErrorBody`), request
/// body, query and path parameters (every `{name}` of the path), security.
fn operation(op: Operation, path: &str, error: &Value) -> Value {
    let mut responses = serde_json::Map::new();
    let media = if op.path == "/metrics" || op.path == "/healthz" { "text/plain" } else { "application/json" };
    responses.insert("200".into(), json!({ "description": "OK", "content": { media: { "schema": op.response } } }));
    // An operation's own description of a status wins over the common one.
    for (status, why) in ANY.iter().chain(op.errors) {
        let body = json!({ "description": why, "content": { "application/json": { "schema": error } } });
        responses.insert(status.to_string(), body);
    }
    let mut operation = json!({ "summary": op.summary, "responses": responses });
    if let Some(request) = op.request {
        operation["requestBody"] =
            json!({ "required": true, "content": { "application/json": { "schema": request } } });
    }
    let string = json!({ "type": "string" });
    // The events' cursor and wait are optional; the others are required.
    let query = op.query.iter().map(|(name, what)| {
        let (required, schema) = match *name {
            "after" => (false, json!({ "type": "string", "pattern": chatroute_runtime::EVENT_ID_PATTERN })),
            "wait" => (false, json!({ "type": "integer", "minimum": 0, "maximum": 8 })),
            _ => (true, string.clone()),
        };
        json!({ "name": name, "in": "query", "required": required, "description": what, "schema": schema, "example": example(name) })
    });
    let in_path = path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'));
    let id = json!({ "type": "string", "pattern": ID_PATTERN });
    let in_path = in_path.map(|name| {
        let schema = if name == "deal" { &id } else { &string };
        json!({ "name": name, "in": "path", "required": true, "schema": schema, "example": example(name) })
    });
    let parameters: Vec<Value> = query.chain(in_path).collect();
    if !parameters.is_empty() {
        operation["parameters"] = Value::Array(parameters);
    }
    if path.starts_with("/v1/") {
        operation["security"] = json!([{ "bearer": [] }, {}]);
    }
    if path.starts_with("/v1/accounts/{account}/") {
        let gone = "no such account (`unknown_account`), or its table file was removed (`account_removed`)";
        let body = json!({ "description": gone, "content": { "application/json": { "schema": error } } });
        operation["responses"]["404"] = body;
    }
    operation
}
