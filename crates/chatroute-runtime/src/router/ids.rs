//! The ids the state keeps: bounded, so they bound its memory.

use crate::error::RouteError;

/// Longest deal, dialog or contact id accepted, in characters (so at most
/// 256 bytes): ids are kept in the state (claims for 30 days), so their
/// length bounds its memory. amoCRM's and Wazzup's ids are numbers, UUIDs
/// (36) and chat ids far below it.
pub const MAX_ID_CHARS: usize = 64;

/// Refuses an id the state should not keep (see `MAX_ID_CHARS`).
pub(crate) fn check_id(what: &'static str, id: &str) -> Result<(), RouteError> {
    let why = if id.is_empty() {
        "empty"
    } else if id.chars().count() > MAX_ID_CHARS {
        "longer than 64 characters"
    } else if id.chars().any(char::is_control) {
        "holding a control character"
    } else {
        return Ok(());
    };
    Err(RouteError::BadId { what, why })
}
