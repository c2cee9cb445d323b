//! `chatroute wazzup pull`: the account's channel list from Wazzup's API v3
//! (`GET /v3/channels`), through `http::Client` (key only in the header,
//! paced, 429 and 5xx retried with bounded backoff, `https` only).

use std::time::Duration;

use crate::http::{self, Answer, Policy};
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
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WazzupError {
    #[error(
        "Wazzup refused the API key (HTTP 401): it is wrong or was revoked; copy it again from Wazzup's integration settings"
    )]
    Unauthorized,
    #[error("Wazzup forbids this key access to the channel list (HTTP 403): use the account's own API key")]
    Forbidden,
    #[error("Wazzup answered HTTP 402: the account is not paid")]
    NotPaid,
    #[error("Wazzup kept answering HTTP {status}; gave up after {attempts} attempts")]
    RetriesExhausted { status: u16, attempts: u32 },
    #[error("Wazzup answered HTTP {status}")]
    Status { status: u16 },
    #[error("unexpected response from Wazzup: {0}")]
    BadResponse(String),
    #[error("cannot reach Wazzup: {0}")]
    Transport(String),
    #[error("base URL {0} would send the key in clear; use https:// (plain http:// only to a loopback address)")]
    InsecureUrl(String),
}

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
