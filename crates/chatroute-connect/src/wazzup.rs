//! Wazzup's webhook bodies (API v3): `{"test": true}` when the URL is
//! registered, `{"messages": [...]}` and `{"statuses": [...]}` after. Only
//! what the integration uses is read; fields Wazzup adds later are
//! ignored. A message the worker could not act on safely (no id, no chat,
//! an unreadable time) makes the whole body a 400: Wazzup shows the
//! failure, and nothing of the body is queued.

use serde::{Deserialize, Serialize};

/// Longest id kept (message, channel, chat, author): Wazzup's are UUIDs
/// and chat ids far below it.
const MAX_ID: usize = 128;

/// A webhook body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    #[serde(default)]
    pub test: bool,
    #[serde(default)]
    pub messages: Vec<Message>,
    /// Delivery statuses of sent messages: acknowledged, nothing to do.
    #[serde(default)]
    pub statuses: Vec<serde_json::Value>,
}

/// One message, as queued for the worker.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub message_id: String,
    /// ISO 8601, as Wazzup writes it (`2025-01-22T13:31:45.355Z`).
    pub date_time: String,
    pub channel_id: String,
    pub chat_type: String,
    pub chat_id: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Sent by the company (a manager), not the client.
    #[serde(default)]
    pub is_echo: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_uri: Option<String>,
    /// The CRM user id of the manager who sent it from the CRM.
    #[serde(default, deserialize_with = "id_or_number", skip_serializing_if = "Option::is_none")]
    pub author_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<Contact>,
    #[serde(default)]
    pub is_edited: bool,
    #[serde(default)]
    pub is_deleted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Contact {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// `authorId` as a string whether Wazzup sends it as one or as a number.
fn id_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::String(s)) if !s.is_empty() => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    })
}

/// Why a body is not Wazzup's.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BodyError(pub String);

impl Webhook {
    /// Reads a body, refusing one the worker could not act on.
    pub fn parse(bytes: &[u8]) -> Result<Webhook, BodyError> {
        let not_wazzup = |why: String| BodyError(format!("not a Wazzup webhook body: {why}"));
        // An object: serde would read `[]` as a struct of defaults.
        let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| not_wazzup(e.to_string()))?;
        if !value.is_object() {
            return Err(not_wazzup("a JSON object is expected".into()));
        }
        let hook: Webhook = serde_json::from_value(value).map_err(|e| not_wazzup(e.to_string()))?;
        for (i, message) in hook.messages.iter().enumerate() {
            message.check().map_err(|why| BodyError(format!("messages[{i}]: {why}")))?;
        }
        Ok(hook)
    }
}

impl Message {
    fn check(&self) -> Result<(), String> {
        for (field, value) in
            [("messageId", &self.message_id), ("channelId", &self.channel_id), ("chatId", &self.chat_id)]
        {
            if value.is_empty() || value.chars().count() > MAX_ID || value.chars().any(char::is_control) {
                return Err(format!("`{field}` must be 1 to {MAX_ID} printable characters"));
            }
        }
        self.at_ms().map(|_| ())
    }

    /// When it was sent, in milliseconds since the Unix epoch.
    pub fn at_ms(&self) -> Result<i64, String> {
        self.date_time
            .parse::<chatroute_runtime::Timestamp>()
            .map(|t| t.as_millisecond())
            .map_err(|e| format!("`dateTime` {:?} is not an ISO 8601 instant: {e}", self.date_time))
    }

    /// Whether the chat is a phone number (`chatId` its digits).
    pub fn is_phone_chat(&self) -> bool {
        matches!(self.chat_type.as_str(), "whatsapp" | "wapi" | "whatsgroup")
            && self.chat_id.chars().all(|c| c.is_ascii_digit())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_bodies_read_and_others_are_refused() {
        let body = br#"{"messages":[{"messageId":"5f3a","dateTime":"2025-01-22T13:31:45.355Z","channelId":"c1","chatType":"whatsapp","chatId":"79161234567","type":"text","isEcho":false,"text":"hi","authorId":1001,"contact":{"name":"Ivan","phone":"79161234567"},"status":"inbound"}]}"#;
        let hook = Webhook::parse(body).unwrap();
        assert_eq!(hook.messages[0].author_id.as_deref(), Some("1001"));
        assert!(hook.messages[0].is_phone_chat());
        assert!(Webhook::parse(br#"{"test": true}"#).unwrap().test);
        for bad in [&b"[]"[..], b"{\"messages\": 3}", br#"{"messages":[{"messageId":"","dateTime":"2025-01-22T13:31:45Z","channelId":"c","chatType":"x","chatId":"1"}]}"#, br#"{"messages":[{"messageId":"m","dateTime":"yesterday","channelId":"c","chatType":"x","chatId":"1"}]}"#] {
            assert!(Webhook::parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
