//! `chatroute wazzup pull`: the account's channel list from Wazzup's API v3
//! (`GET /v3/channels`), through `http::Client` (key only in the header,
//! paced, 429 and 5xx retried with bounded backoff, `https` only).

use std::time::Duration;

use crate::http::{self, Answer, Policy};
use crate::i18n::t;
use chatroute_check::wazzup::{AccountChannel, WazzupSnapshot};

/// Wazzup's API.
pub const BASE_URL: &str = "https://api.wazzup24.com";

/// How to reach the account.
#[derive(Debug, Clone)]
pub struct WazzupOptions {
    pub base_url: String,
    pub key: String,
    pub http: Policy,
}

impl WazzupOptions {
    pub fn new(key: String) -> Self {
        WazzupOptions {
            base_url: BASE_URL.to_owned(),
            key,
            http: Policy {
                timeout: Duration::from_secs(30),
                backoff: Duration::from_millis(500),
                max_attempts: 5,
                min_interval: Duration::from_millis(100),
            },
        }
    }
}

/// Why a pull failed. Messages never hold the key.
/// `Display` says it in the current language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WazzupError {
    Unauthorized,
    Forbidden,
    NotPaid,
    RetriesExhausted { status: u16, attempts: u32 },
    Status { status: u16 },
    BadResponse(String),
    Transport(String),
    InsecureUrl(String),
}

impl std::fmt::Display for WazzupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            WazzupError::Unauthorized => t!("wazzup-unauthorized"),
            WazzupError::Forbidden => t!("wazzup-forbidden"),
            WazzupError::NotPaid => t!("wazzup-not-paid"),
            WazzupError::RetriesExhausted { status, attempts } => {
                t!("wazzup-retries-exhausted", status = status.to_owned(), attempts = attempts.to_owned())
            }
            WazzupError::Status { status } => t!("wazzup-status", status = status.to_owned()),
            WazzupError::BadResponse(why) => t!("wazzup-bad-response", why = why.as_str()),
            WazzupError::Transport(why) => t!("wazzup-transport", why = why.as_str()),
            WazzupError::InsecureUrl(url) => t!("insecure-url-key", url = url.as_str()),
        };
        f.write_str(&text)
    }
}

impl std::error::Error for WazzupError {}

/// Pulls the account's channel list.
pub fn pull(opts: &WazzupOptions) -> Result<WazzupSnapshot, WazzupError> {
    http::check_base_url(&opts.base_url)
        .ok_or_else(|| WazzupError::InsecureUrl(chatroute_check::text::printable(&opts.base_url).into_owned()))?;
    let mut client = http::Client::new(&opts.key, &opts.http);
    let url = format!("{}/v3/channels", opts.base_url.trim_end_matches('/'));
    let body = match client.get(&url).map_err(|e| WazzupError::Transport(e.0))? {
        Answer::Body(body) => body,
        Answer::Empty => b"[]".to_vec(),
        Answer::Status { status: 401, .. } => return Err(WazzupError::Unauthorized),
        Answer::Status { status: 402, .. } => return Err(WazzupError::NotPaid),
        Answer::Status { status: 403, .. } => return Err(WazzupError::Forbidden),
        Answer::Status { status: status @ (429 | 500..=599), attempts } => {
            return Err(WazzupError::RetriesExhausted { status, attempts });
        }
        Answer::Status { status, .. } => return Err(WazzupError::Status { status }),
    };
    let channels: Vec<AccountChannel> =
        serde_json::from_slice(&body).map_err(|e| WazzupError::BadResponse(format!("the channel list: {e}")))?;
    if let Some(field) = channels.iter().find_map(AccountChannel::control_field) {
        let message = format!("a channel's `{field}` holds a control or bidi character; nothing was written");
        return Err(WazzupError::BadResponse(message));
    }
    Ok(WazzupSnapshot::new(channels))
}
