//! The service's one error type: every way a request fails becomes an
//! answer here, with its status, its stable code and the error body. Only a
//! state that did not answer (and a request over its time) is worth
//! retrying: 503 with `Retry-After`; everything else answers the same when
//! asked again.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chatroute_runtime::{CannotTake, RouteError, StateError};

use crate::api::{ErrorBody, ErrorDetail};

/// Why a request has no answer.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// The request is not what the document says (body, query, id).
    BadRequest(String),
    Route(RouteError),
    /// The request took longer than the service allows.
    Timeout,
    /// `serve DIR`: no table of this account.
    UnknownAccount(String),
    /// `serve DIR`: the account's table file was removed.
    AccountRemoved(String),
    /// A notify endpoint of a service started without `--notify`.
    NotifyOff,
    /// A body over the service's limit.
    PayloadTooLarge,
}

/// Marks an answer the state caused (it did not answer, or refused): the
/// service counts them in one place (`time_limit`), whatever the endpoint.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StateFault;

impl From<RouteError> for ApiError {
    fn from(err: RouteError) -> Self {
        ApiError::Route(err)
    }
}

impl ApiError {
    /// The one mapping of failures to statuses and codes.
    pub(crate) fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Timeout => (StatusCode::SERVICE_UNAVAILABLE, "timeout"),
            ApiError::UnknownAccount(_) => (StatusCode::NOT_FOUND, "unknown_account"),
            ApiError::AccountRemoved(_) => (StatusCode::NOT_FOUND, "account_removed"),
            ApiError::NotifyOff => (StatusCode::NOT_FOUND, "notify_off"),
            ApiError::PayloadTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ApiError::Route(err) => match err {
                RouteError::UnknownChannel(_) => (StatusCode::NOT_FOUND, "unknown_channel"),
                RouteError::UnknownEmployee(_) => (StatusCode::NOT_FOUND, "unknown_employee"),
                RouteError::NotAResponder { .. } => (StatusCode::CONFLICT, "not_a_responder"),
                RouteError::CannotTake { why: CannotTake::Unavailable, .. } => {
                    (StatusCode::CONFLICT, "claimant_unavailable")
                }
                RouteError::CannotTake { why: CannotTake::AtCapacity, .. } => {
                    (StatusCode::CONFLICT, "claimant_at_capacity")
                }
                RouteError::DealConflict { .. } => (StatusCode::CONFLICT, "deal_conflict"),
                RouteError::BadId { .. } => (StatusCode::BAD_REQUEST, "bad_id"),
                RouteError::DealIdRequired(_) => (StatusCode::BAD_REQUEST, "bad_request"),
                RouteError::State(StateError::Unavailable(_)) => (StatusCode::SERVICE_UNAVAILABLE, "state_unavailable"),
                RouteError::State(StateError::OldLayout { .. }) => (StatusCode::INTERNAL_SERVER_ERROR, "state_layout"),
                // Misconfigured (URL, credentials, certificate): asking
                // again gets the same answer, so no `Retry-After`.
                RouteError::State(StateError::Refused(_)) => (StatusCode::INTERNAL_SERVER_ERROR, "state_refused"),
            },
        }
    }

    fn message(&self) -> String {
        match self {
            ApiError::BadRequest(message) => message.clone(),
            ApiError::Timeout => "the request took too long".into(),
            ApiError::Route(err) => err.to_string(),
            ApiError::UnknownAccount(a) => {
                format!("no table of account `{}` is served here", chatroute_table::text::printable(a))
            }
            ApiError::AccountRemoved(a) => format!("the table of account `{a}` was removed from the directory"),
            ApiError::NotifyOff => "the service was started without --notify".into(),
            ApiError::PayloadTooLarge => "the request body is over the limit".into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let mut response = error(status, code, self.message());
        if matches!(self, ApiError::Route(RouteError::State(_))) {
            response.extensions_mut().insert(StateFault);
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

/// An error answer with the body every error has.
pub fn error(status: StatusCode, code: &str, message: String) -> Response {
    let body = ErrorBody { error: ErrorDetail { code: code.to_owned(), message } };
    (status, axum::Json(body)).into_response()
}

/// The error body as bytes, for answers written outside a handler.
pub(crate) fn error_json(code: &str, message: String) -> Vec<u8> {
    serde_json::to_vec(&ErrorBody { error: ErrorDetail { code: code.to_owned(), message } })
        .expect("an error body serialises")
}

/// Every error answer has the `{"error": {"code", "message"}}` body: the
/// ones axum writes itself (413 for a body over the limit, 405, a path
/// that does not decode) get it here, with a code for their status.
pub(crate) async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes() == b"application/json");
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::NOT_FOUND => "not_found",
        s if s.is_client_error() => "bad_request",
        _ => "internal",
    };
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let message = String::from_utf8_lossy(&text).trim().to_owned();
    let message = if message.is_empty() { status.canonical_reason().unwrap_or("error").to_owned() } else { message };
    let mut answer = error(status, code, message);
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = parts.headers.get(&name) {
            answer.headers_mut().insert(name, value.clone());
        }
    }
    answer
}
